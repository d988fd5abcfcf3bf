/**
 * `npm run emergency -- --patches KB5034441,CVE-2024-6387,openssl --accounts 111122223333,444455556666
 *    --regions us-east-1,eu-west-1 --targets tag:Environment=prod --max-concurrency 10% --max-errors 1
 *    --admin-role arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole
 *    --bucket <artifact bucket> [--products AmazonLinux2023] [--dry-run]`
 *
 * Runs in the management account with the operator's credentials. Logic: core/emergency.ts.
 * Exit codes: 0 the execution succeeded (or dry run), 1 invalid request or unresolved patch
 * (nothing started), 2 the execution did not succeed, 3 usage error.
 */
import * as fs from "fs";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { SSMClient } from "@aws-sdk/client-ssm";
import { clientConfig } from "../core/awsClients";
import { EmergencyDeps, EmergencyRequest, parseTarget, renderEmergencyReport, runEmergency } from "../core/emergency";

export const EMERGENCY_USAGE = `usage: npm run emergency -- --patches LIST --accounts LIST --regions LIST --targets KEY=VALUES [--targets …]
                          --admin-role ARN --bucket NAME [options]
  --patches LIST           KB ids, CVE ids and package names, comma-separated (KB5034441,CVE-2024-6387,openssl)
  --accounts LIST          target account ids or OU ids
  --regions LIST           target Regions
  --targets KEY=VALUES     instances in each account-Region: tag:Environment=prod, InstanceIds=i-1,i-2, ResourceGroup=WebServers
  --max-concurrency N|N%   instances at once per location (default 10%)
  --max-errors N|N%        failed instances before a location stops (default 1)
  --location-concurrency N account-Region locations at once (default 1)
  --location-errors N      failed locations before no new one starts (default 0)
  --products LIST          Linux products CVE ids are resolved for (PRODUCT filter), e.g. AmazonLinux2023,AmazonLinux2
  --reboot OPTION          RebootIfNeeded (default) or NoReboot
  --admin-role ARN         the automation administration role (pulumi stack output automation → administrationRoleArn)
  --execution-role NAME    execution role name in the targets (default AWS-SystemsManager-AutomationExecutionRole)
  --document NAME          the multi-account runbook (default Automation-RunPatchBaseline)
  --bucket NAME            bucket for the list (pulumi stack output changeSafety → artifactBucket)
  --baseline-override URL  the stack's baseline_overrides.json (pulumi stack output baselineOverrides → s3Url):
                           every account and Region patches with the stack's baselines, not its default
  --change-calendar NAME   the approval calendar each location waits for (pulumi stack output changeSafety → approvalCalendar):
                           closed = the install stops
  --override-approval      bypass a closed approval gate (needs --reason; recorded with your STS caller identity and the time
                           on the execution's tags, in the list and in the printed report)
  --reason TEXT            why the gate is bypassed
  --region REGION          the management Region (default $AWS_REGION or us-east-1)
  --json FILE              also write the report as JSON
  --dry-run                resolve and print; write and start nothing
exit codes: 0 succeeded (or dry run), 1 invalid or unresolved (nothing started), 2 execution did not succeed, 3 usage`;

export class EmergencyUsageError extends Error {}

export interface EmergencyCliOptions {
    request: EmergencyRequest;
    region: string;
    json?: string;
}

const list = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);

export function parseEmergencyArgs(argv: string[], env: Record<string, string | undefined> = process.env): EmergencyCliOptions {
    const values: Record<string, string> = {};
    const targets: string[] = [];
    let dryRun = false;
    let overrideApproval = false;
    const takes = ["--patches", "--accounts", "--regions", "--targets", "--max-concurrency", "--max-errors", "--location-concurrency", "--location-errors", "--products", "--reboot", "--admin-role", "--execution-role", "--document", "--bucket", "--region", "--json", "--baseline-override", "--change-calendar", "--reason"];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--dry-run") {
            dryRun = true;
            continue;
        }
        if (arg === "--override-approval") {
            overrideApproval = true;
            continue;
        }
        if (arg === "--help" || arg === "-h") throw new EmergencyUsageError(EMERGENCY_USAGE);
        const [flag, inline] = arg.includes("=") && arg.startsWith("--") && takes.includes(arg.slice(0, arg.indexOf("="))) ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (!takes.includes(flag)) throw new EmergencyUsageError(`unknown argument ${arg}\n${EMERGENCY_USAGE}`);
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith("--")) throw new EmergencyUsageError(`${flag} needs a value\n${EMERGENCY_USAGE}`);
        if (flag === "--targets") targets.push(value);
        else values[flag] = value;
    }
    const parsedTargets = targets.map(parseTarget);
    const bad = parsedTargets.filter((t): t is string => typeof t === "string");
    if (bad.length > 0) throw new EmergencyUsageError(bad.join("\n"));
    const reboot = values["--reboot"] ?? "RebootIfNeeded";
    if (reboot !== "RebootIfNeeded" && reboot !== "NoReboot") throw new EmergencyUsageError(`--reboot must be RebootIfNeeded or NoReboot, got ${reboot}`);
    return {
        region: values["--region"] ?? env.AWS_REGION ?? "us-east-1",
        json: values["--json"],
        request: {
            patches: list(values["--patches"]),
            accounts: list(values["--accounts"]),
            regions: list(values["--regions"]),
            targets: parsedTargets as { Key: string; Values: string[] }[],
            maxConcurrency: values["--max-concurrency"] ?? "10%",
            maxErrors: values["--max-errors"] ?? "1",
            locationConcurrency: values["--location-concurrency"] ?? "1",
            locationErrors: values["--location-errors"] ?? "0",
            products: list(values["--products"]),
            rebootOption: reboot,
            documentName: values["--document"] ?? "Automation-RunPatchBaseline",
            administrationRoleArn: values["--admin-role"] ?? "",
            executionRoleName: values["--execution-role"] ?? "AWS-SystemsManager-AutomationExecutionRole",
            bucket: values["--bucket"] ?? "",
            baselineOverride: values["--baseline-override"],
            changeCalendar: values["--change-calendar"],
            ...(overrideApproval ? { overrideApproval: { reason: values["--reason"] ?? "" } } : {}),
            dryRun,
        },
    };
}

/** Runs the command; `makeDeps` builds the SDK clients (tests inject mocked ones). */
export async function runEmergencyCli(
    argv: string[],
    out: (s: string) => void = (s) => process.stdout.write(s),
    makeDeps: (region: string) => EmergencyDeps = (region) => ({
        ssm: new SSMClient(clientConfig({ region })),
        s3: new S3Client(clientConfig({ region })),
        sts: new STSClient(clientConfig({ region })),
        now: new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
): Promise<number> {
    let opts: EmergencyCliOptions;
    try {
        opts = parseEmergencyArgs(argv);
    } catch (err) {
        if (err instanceof EmergencyUsageError) {
            out(`${err.message}\n`);
            return argv.includes("--help") || argv.includes("-h") ? 0 : 3;
        }
        throw err;
    }
    try {
        const report = await runEmergency(opts.request, makeDeps(opts.region));
        out(renderEmergencyReport(report).join("\n") + "\n");
        if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(report, null, 2) + "\n");
        return report.dryRun || report.status === "Success" || report.status === "CompletedWithSuccess" ? 0 : 2;
    } catch (err) {
        out(`${err instanceof Error ? err.message : String(err)}\n`);
        return /invalid|could not resolve/.test(err instanceof Error ? err.message : "") ? 1 : 2;
    }
}

if (require.main === module) {
    runEmergencyCli(process.argv.slice(2)).then((code) => process.exit(code));
}
