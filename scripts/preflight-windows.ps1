# Patch orchestrator preflight for Windows Server.
#
# Shipped in the orchestrator's SSM Command document (step PreflightWindows), which sets the
# variables below from its parameters before this script; the defaults make it runnable by hand.
#   $Operation            Check  : measure free space on the system drive, clean up when below
#                                  $MinFreeGb (DISM component cleanup, old temp files), check the
#                                  Windows Update services and endpoints, detect a pending reboot
#                         Extend : extend the system partition after its EBS volume was grown
#   $MinFreeGb            free GiB the system drive needs
#   $Cleanup              'true' | 'false'
#   $DismResetBase        'true' | 'false'  (/ResetBase: superseded updates can no longer be removed)
#   $WindowsUpdateChecks  'true' | 'false'
#   $Endpoints            comma-separated host names tested on TCP 443
# Progress goes to the output (and the orchestrator's log group); the last line is
#   PREFLIGHT_RESULT {json}
# which the orchestrator parses (core/orchestrator/disk.ts). Decisions are not taken here: the
# script reports, the orchestrator decides (and grows the volume itself).

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if (-not (Test-Path variable:Operation)) { $Operation = 'Check' }
if (-not (Test-Path variable:MinFreeGb)) { $MinFreeGb = 20 }
if (-not (Test-Path variable:Cleanup)) { $Cleanup = 'true' }
if (-not (Test-Path variable:DismResetBase)) { $DismResetBase = 'false' }
if (-not (Test-Path variable:WindowsUpdateChecks)) { $WindowsUpdateChecks = 'true' }
if (-not (Test-Path variable:Endpoints)) { $Endpoints = 'update.microsoft.com,windowsupdate.microsoft.com' }

$drive = $env:SystemDrive
function Get-Disk-Gb([string]$what) {
    $d = Get-CimInstance -ClassName Win32_LogicalDisk -Filter "DeviceID='$drive'"
    if ($what -eq 'free') { return [math]::Round($d.FreeSpace / 1GB, 2) }
    return [math]::Round($d.Size / 1GB, 2)
}

$result = [ordered]@{
    platform             = 'Windows'
    operation            = $Operation
    freeGbBefore         = (Get-Disk-Gb 'free')
    freeGb               = 0
    sizeGb               = 0
    cleanupRan           = $false
    servicesNotRunning   = @()
    endpointsUnreachable = @()
    rebootPending        = $false
}
Write-Output "Preflight $Operation on ${env:COMPUTERNAME}: $($result.freeGbBefore) GiB free on $drive (required: $MinFreeGb GiB)"

if ($Operation -eq 'Extend') {
    Update-HostStorageCache
    $letter = $drive.TrimEnd(':')
    $partition = Get-Partition -DriveLetter $letter
    $supported = Get-PartitionSupportedSize -DiskNumber $partition.DiskNumber -PartitionNumber $partition.PartitionNumber
    if ($supported.SizeMax -gt ($partition.Size + 100MB)) {
        Write-Output "Extending $drive from $([math]::Round($partition.Size / 1GB, 2)) GiB to $([math]::Round($supported.SizeMax / 1GB, 2)) GiB"
        Resize-Partition -DiskNumber $partition.DiskNumber -PartitionNumber $partition.PartitionNumber -Size $supported.SizeMax
    } else {
        Write-Output "$drive already uses the whole disk"
    }
} else {
    if ($result.freeGbBefore -lt [double]$MinFreeGb -and $Cleanup -eq 'true') {
        $result.cleanupRan = $true
        $dismArgs = @('/Online', '/Cleanup-Image', '/StartComponentCleanup')
        if ($DismResetBase -eq 'true') { $dismArgs += '/ResetBase' }
        Write-Output "Below threshold: Dism.exe $($dismArgs -join ' ')"
        # DISM prints progress bars; keep them out of the command output (its log stays on the instance).
        $dismLog = Join-Path $env:ProgramData 'patch-preflight-dism.log'
        $dism = Start-Process -FilePath (Join-Path $env:SystemRoot 'System32\Dism.exe') -ArgumentList $dismArgs -Wait -PassThru -NoNewWindow -RedirectStandardOutput $dismLog
        Write-Output "DISM exit code $($dism.ExitCode) (log: $dismLog)"
        $cutoff = (Get-Date).AddDays(-1)
        foreach ($dir in @($env:TEMP, (Join-Path $env:SystemRoot 'Temp'))) {
            Get-ChildItem -Path $dir -Force -ErrorAction SilentlyContinue |
                Where-Object { $_.LastWriteTime -lt $cutoff } |
                Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
        }
        Write-Output "Removed temp files older than a day from $env:TEMP and $(Join-Path $env:SystemRoot 'Temp')"
    }

    if ($WindowsUpdateChecks -eq 'true') {
        foreach ($name in @('wuauserv', 'BITS', 'cryptsvc', 'TrustedInstaller')) {
            $service = Get-Service -Name $name -ErrorAction SilentlyContinue
            if (-not $service) { $result.servicesNotRunning += $name; Write-Output "Service $name not found"; continue }
            if ($service.Status -ne 'Running') {
                try {
                    Start-Service -Name $name
                    $service.WaitForStatus('Running', [TimeSpan]::FromSeconds(30))
                    Write-Output "Started $name"
                } catch {
                    $result.servicesNotRunning += $name
                    Write-Output "Could not start $name ($($service.StartType)): $($_.Exception.Message)"
                }
            }
        }
        foreach ($endpoint in ($Endpoints -split ',' | Where-Object { $_ })) {
            $client = New-Object System.Net.Sockets.TcpClient
            try {
                $connect = $client.BeginConnect($endpoint, 443, $null, $null)
                if ($connect.AsyncWaitHandle.WaitOne(5000) -and $client.Connected) { Write-Output "Reached ${endpoint}:443" }
                else { $result.endpointsUnreachable += $endpoint; Write-Output "Cannot reach ${endpoint}:443" }
            } catch {
                $result.endpointsUnreachable += $endpoint
                Write-Output "Cannot reach ${endpoint}:443: $($_.Exception.Message)"
            } finally {
                $client.Close()
            }
        }
    }
    $result.rebootPending = (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') -or
        (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired')
}

$result.freeGb = Get-Disk-Gb 'free'
$result.sizeGb = Get-Disk-Gb 'size'
Write-Output ('PREFLIGHT_RESULT ' + (ConvertTo-Json -InputObject $result -Compress))
