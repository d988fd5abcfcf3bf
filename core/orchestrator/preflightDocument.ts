/**
 * The orchestrator's preflight SSM Command document (schema 2.2): one document, two steps chosen
 * by the instance's platform — PowerShell on Windows (scripts/preflight-windows.ps1), shell on
 * Linux (scripts/preflight-linux.sh). The scripts are kept as files so they can be read, linted
 * and run by hand; the document sets their variables from its parameters, each constrained by an
 * allowedPattern / allowedValues so a parameter value can never break out of its quotes.
 */

/** Parameter names of the document; `sendCommand` (batch.ts) passes exactly these. */
export const PREFLIGHT_PARAMETERS = ["Operation", "MinFreeGbWindows", "MinFreeGbLinux", "Cleanup", "DismResetBase", "WindowsUpdateChecks", "Endpoints"] as const;

/** SSM document content limit (64 KB). */
export const DOCUMENT_CONTENT_MAX = 64 * 1024;

const boolParam = (description: string, value: boolean) => ({ type: "String", description, default: String(value), allowedValues: ["true", "false"] });

export function preflightDocument(scripts: { windows: string; linux: string }): Record<string, unknown> {
    const windowsPrelude = [
        "# Set by the SSM document from its parameters:",
        "$Operation = '{{ Operation }}'",
        "$MinFreeGb = [double]'{{ MinFreeGbWindows }}'",
        "$Cleanup = '{{ Cleanup }}'",
        "$DismResetBase = '{{ DismResetBase }}'",
        "$WindowsUpdateChecks = '{{ WindowsUpdateChecks }}'",
        "$Endpoints = '{{ Endpoints }}'",
    ];
    const linuxPrelude = ["# Set by the SSM document from its parameters:", "OPERATION='{{ Operation }}'", "MIN_FREE_GB='{{ MinFreeGbLinux }}'", "CLEANUP='{{ Cleanup }}'"];
    return {
        schemaVersion: "2.2",
        description:
            "Patch orchestrator preflight: free disk space check with cleanup (Windows: DISM component cleanup and temp files; Linux: package caches and journal), partition extension after an EBS volume was grown, Windows Update service and endpoint checks. Prints PREFLIGHT_RESULT {json} last.",
        parameters: {
            Operation: { type: "String", description: "Check: measure, clean up, check. Extend: grow the system partition.", default: "Check", allowedValues: ["Check", "Extend"] },
            MinFreeGbWindows: { type: "String", description: "Free GiB the Windows system drive needs.", default: "20", allowedPattern: "^[0-9]{1,4}$" },
            MinFreeGbLinux: { type: "String", description: "Free GiB the Linux root filesystem needs.", default: "5", allowedPattern: "^[0-9]{1,4}$" },
            Cleanup: boolParam("Clean up when below the threshold.", true),
            DismResetBase: boolParam("Add /ResetBase to the DISM cleanup (superseded updates can no longer be uninstalled).", false),
            WindowsUpdateChecks: boolParam("Check the Windows Update services and endpoints.", true),
            Endpoints: {
                type: "String",
                description: "Comma-separated host names tested on TCP 443.",
                default: "update.microsoft.com,windowsupdate.microsoft.com",
                allowedPattern: "^[A-Za-z0-9.,-]{0,1300}$",
            },
        },
        mainSteps: [
            {
                action: "aws:runPowerShellScript",
                name: "PreflightWindows",
                precondition: { StringEquals: ["platformType", "Windows"] },
                inputs: { timeoutSeconds: "3600", runCommand: [[...windowsPrelude, "", scripts.windows].join("\n")] },
            },
            {
                action: "aws:runShellScript",
                name: "PreflightLinux",
                precondition: { StringEquals: ["platformType", "Linux"] },
                inputs: { timeoutSeconds: "1800", runCommand: [[...linuxPrelude, "", scripts.linux].join("\n")] },
            },
        ],
    };
}
