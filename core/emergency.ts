/**
 * Emergency patching: install a given list of patches now, across chosen accounts, Regions and
 * targets, with rate control and a report.
 *
 * 1. Resolve the request: KB ids (Windows) and package names (Linux: `name` or `name.arch`, `*`
 *    allowed) are used as given; CVE ids are resolved to patches with `DescribeAvailablePatches`
 *    (filters PRODUCT + CVE_ID — Linux requires PRODUCT, and the API returns CVEs for Linux
 *    patches only, so a CVE fixed by a Windows KB must be given as its KB id).
 * 2. Write an InstallOverrideList (same format as the pinned list) to
 *    `s3://<bucket>/emergency/<timestamp>-<hash>.yaml`.
 * 3. Start the multi-account runbook (`Automation-RunPatchBaseline`, issue 6: parameters
 *    AutomationAssumeRole, Operation, InstallOverrideList, RebootOption; TargetParameterName
 *    InstanceId) with the targets, MaxConcurrency/MaxErrors and TargetLocations.
 * 4. Poll until it ends (injected sleep) and report each account × Region location.
 * `dryRun` resolves and prints everything, writes and starts nothing.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
    DescribeAutomationStepExecutionsCommand,
    DescribeAvailablePatchesCommand,
    GetAutomationExecutionCommand,
    Patch,
    SSMClient,
    StartAutomationExecutionCommand,
    StartAutomationExecutionRequest,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createHash } from "crypto";
import { TAG_PATTERN, TAG_VALUE_MAX } from "../config/rules";
import { OverrideEntry, renderOverrideList } from "./pinnedList";

export type PatchRef = { kind: "kb"; id: string } | { kind: "cve"; id: string } | { kind: "package"; id: string };

const KB = /^KB\d{6,8}$/i;
const CVE = /^CVE-\d{4}-\d{4,7}$/i;
/** Linux package names as the override list takes them (name, name.arch, wildcards). */
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._+*:~-]{0,99}$/;

/** Classifies one patch reference, or says why it is not one. */
export function classifyPatch(ref: string): PatchRef | string {
    const s = ref.trim();
    if (KB.test(s)) return { kind: "kb", id: s.toUpperCase() };
    if (CVE.test(s)) return { kind: "cve", id: s.toUpperCase() };
    if (/^KB/i.test(s)) return `"${s}" looks like a KB id but is not KB followed by 6–8 digits`;
    if (/^CVE/i.test(s)) return `"${s}" looks like a CVE id but is not CVE-YYYY-NNNN`;
    if (PACKAGE.test(s)) return { kind: "package", id: s };
    return `"${s}" is neither a KB id (KB5034441), a CVE id (CVE-2024-6387) nor a package name (openssl, openssl-libs.x86_64)`;
}

/** `tag:Environment=prod` / `InstanceIds=i-1,i-2` / `ResourceGroup=WebServers` → an Automation target. */
export function parseTarget(spec: string): { Key: string; Values: string[] } | string {
    const m = /^([^=]+)=(.+)$/.exec(spec.trim());
    if (!m) return `target "${spec}" must be Key=Value[,Value…], e.g. tag:Environment=prod`;
    const key = m[1].trim();
    if (!/^(tag:.{1,128}|tag-key|InstanceIds|ResourceGroup|ParameterValues)$/.test(key)) return `target key "${key}" must be tag:<key>, tag-key, InstanceIds, ResourceGroup or ParameterValues (Automation Targets)`;
    const values = m[2].split(",").map((v) => v.trim()).filter(Boolean);
    if (values.length < 1 || values.length > 50) return `target "${spec}" needs 1–50 values`;
    return { Key: key, Values: values };
}

export interface EmergencyRequest {
    patches: string[];
    accounts: string[];
    regions: string[];
    targets: { Key: string; Values: string[] }[];
    /** Instances at once per location (MaxConcurrency). */
    maxConcurrency: string;
    /** Failed instances before a location stops (MaxErrors). */
    maxErrors: string;
    /** Locations at once. @default "1" (one account-Region after the other) */
    locationConcurrency?: string;
    /** Failed locations before no new ones start. @default "0" */
    locationErrors?: string;
    /** Linux products a CVE is looked up for (PRODUCT filter), e.g. AmazonLinux2023. */
    products: string[];
    rebootOption: "RebootIfNeeded" | "NoReboot";
    documentName: string;
    administrationRoleArn: string;
    executionRoleName: string;
    bucket: string;
    /** The stack's `s3://…/baseline_overrides.json`: the runbook's BaselineOverride in every location. @default none (each location's default baseline, said in the report) */
    baselineOverride?: string;
    /**
     * The approval calendar the runbook asserts OPEN in every location (pulumi stack output
     * changeSafety → approvalCalendar; owned by the administration role's account). A closed gate
     * stops the install. Either this or {@link overrideApproval}.
     */
    changeCalendar?: string;
    /** Bypass a closed gate, said explicitly with why (`--override-approval --reason`); recorded on the execution's tags and in the list. */
    overrideApproval?: { reason: string };
    dryRun: boolean;
}

export interface ResolvedPatches {
    entries: OverrideEntry[];
    /** What each requested reference became. */
    resolution: { ref: string; patches: string[] }[];
    problems: string[];
}

const MAX_RATE = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** Every problem with the request at once (empty: valid). */
export function requestProblems(r: EmergencyRequest): string[] {
    const p: string[] = [];
    if (r.patches.length === 0) p.push("--patches needs at least one KB id, CVE id or package name");
    for (const ref of r.patches) {
        const c = classifyPatch(ref);
        if (typeof c === "string") p.push(c);
    }
    if (r.accounts.length === 0) p.push("--accounts needs at least one 12-digit account id or OU id");
    for (const a of r.accounts) if (!/^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(a)) p.push(`account "${a}" is not a 12-digit account id, an OU id or a root id`);
    if (r.regions.length === 0) p.push("--regions needs at least one Region");
    for (const g of r.regions) if (!/^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$/.test(g)) p.push(`region "${g}" is not a Region name such as us-east-1`);
    if (r.targets.length === 0) p.push("--targets needs at least one target, e.g. tag:Environment=prod");
    if (!MAX_RATE.test(r.maxConcurrency)) p.push(`--max-concurrency "${r.maxConcurrency}" must be a number or percentage such as 10 or 10% (MaxConcurrency)`);
    if (!MAX_ERRORS.test(r.maxErrors)) p.push(`--max-errors "${r.maxErrors}" must be a number or percentage such as 1 or 5% (MaxErrors)`);
    if (r.patches.some((x) => CVE.test(x.trim())) && r.products.length === 0) {
        p.push("CVE ids are resolved per Linux product: give --products (e.g. AmazonLinux2023,AmazonLinux2); for Windows give the KB id instead");
    }
    if (!/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(r.administrationRoleArn)) p.push(`--admin-role "${r.administrationRoleArn}" is not an IAM role ARN`);
    if (!r.dryRun && !r.bucket) p.push("--bucket (the change-safety artifact bucket) is required unless --dry-run");
    if (!r.changeCalendar && !r.overrideApproval) {
        p.push("name the approval gate the install waits for (--change-calendar, pulumi stack output changeSafety → approvalCalendar), or bypass a closed gate explicitly with --override-approval --reason TEXT");
    }
    if (r.changeCalendar && r.overrideApproval) p.push("--change-calendar and --override-approval exclude each other: wait for the gate, or bypass it");
    if (r.overrideApproval && !r.overrideApproval.reason.trim()) p.push("--override-approval needs --reason TEXT (why the gate is bypassed; recorded)");
    if (r.changeCalendar && !/^[a-zA-Z0-9_.-]{3,128}$/.test(r.changeCalendar)) p.push(`--change-calendar "${r.changeCalendar}" is not an SSM document name`);
    return p;
}

/** The override entry of an available Linux patch: name.arch pinned to epoch:version-release. */
export function entryOfAvailable(p: Patch): OverrideEntry | undefined {
    if (!p.Name) return undefined;
    const id = p.Arch ? `${p.Name}.${p.Arch}` : p.Name;
    const title = p.Version ? `${p.Epoch ?? 0}:${p.Version}${p.Release ? `-${p.Release}` : ""}` : undefined;
    return title ? { id, title } : { id };
}

/** Resolves CVE ids to patches (per product, every page); KB ids and packages pass through. */
export async function resolvePatches(ssm: SSMClient, refs: string[], products: string[]): Promise<ResolvedPatches> {
    const out: ResolvedPatches = { entries: [], resolution: [], problems: [] };
    for (const ref of refs) {
        const c = classifyPatch(ref);
        if (typeof c === "string") {
            out.problems.push(c);
            continue;
        }
        if (c.kind !== "cve") {
            out.entries.push({ id: c.id });
            out.resolution.push({ ref: c.id, patches: [c.id] });
            continue;
        }
        const found: OverrideEntry[] = [];
        for (const product of products) {
            let token: string | undefined;
            do {
                const page = await ssm.send(
                    new DescribeAvailablePatchesCommand({
                        Filters: [
                            { Key: "PRODUCT", Values: [product] },
                            { Key: "CVE_ID", Values: [c.id] },
                        ],
                        MaxResults: 100,
                        NextToken: token,
                    }),
                );
                for (const p of page.Patches ?? []) {
                    const e = entryOfAvailable(p);
                    if (e) found.push(e);
                }
                token = page.NextToken || undefined;
            } while (token);
        }
        if (found.length === 0) out.problems.push(`${c.id} matched no available patch for product(s) ${products.join(", ")}; give the KB id (Windows) or the package name instead`);
        out.entries.push(...found);
        out.resolution.push({ ref: c.id, patches: [...new Set(found.map((e) => (e.title ? `${e.id} ${e.title}` : e.id)))] });
    }
    return out;
}

/** Who started the run (STS caller identity), and — when the gate was bypassed — why and when. */
export interface EmergencyRecord {
    /** The caller identity ARN STS authenticated (an assumed-role session or an IAM user). */
    by: string;
    at: string;
    /** The bypass reason, when `--override-approval`. */
    overrideReason?: string;
}

/** The StartAutomationExecution request (the same shape the multi-account schedules send); `record` adds who (and why, when bypassing) to the tags. */
export function startRequest(r: EmergencyRequest, listUrl: string, clientToken: string, record?: EmergencyRecord): StartAutomationExecutionRequest {
    return {
        DocumentName: r.documentName,
        DocumentVersion: "$DEFAULT",
        Parameters: {
            AutomationAssumeRole: [r.administrationRoleArn],
            Operation: ["Install"],
            RebootOption: [r.rebootOption],
            InstallOverrideList: [listUrl],
            ...(r.baselineOverride ? { BaselineOverride: [r.baselineOverride] } : {}),
            // The runbook's assertChangeCalendarOpen: the gate (owned by the administration role's account), or UNGATED said explicitly.
            ...(r.overrideApproval
                ? { ChangeCalendarName: ["UNGATED"] }
                : { ChangeCalendarName: [r.changeCalendar ?? ""], ChangeCalendarOwner: [/^arn:[^:]+:iam::(\d{12}):/.exec(r.administrationRoleArn)?.[1] ?? ""] }),
        },
        TargetParameterName: "InstanceId",
        Targets: r.targets,
        MaxConcurrency: r.maxConcurrency,
        MaxErrors: r.maxErrors,
        TargetLocations: [
            {
                Accounts: r.accounts,
                Regions: r.regions,
                ExecutionRoleName: r.executionRoleName,
                TargetLocationMaxConcurrency: r.locationConcurrency ?? "1",
                TargetLocationMaxErrors: r.locationErrors ?? "0",
            },
        ],
        ClientToken: clientToken,
        // CloudTrail records StartAutomationExecution with the caller (userIdentity) and these tags: who, when, why.
        Tags: [
            { Key: "PatchingEmergency", Value: "true" },
            ...(record ? [{ Key: "PatchingStartedBy", Value: tagValue(record.by) }] : []),
            ...(r.overrideApproval ? [{ Key: "PatchingApprovalOverride", Value: tagValue(r.overrideApproval.reason) }] : []),
            ...(r.overrideApproval && record ? [{ Key: "PatchingApprovalOverrideAt", Value: tagValue(record.at) }] : []),
        ],
    };
}

/** A tag value by the one tag rule (config/rules.ts TAG_PATTERN, TAG_VALUE_MAX): other characters become `_`, cut to 256. */
export function tagValue(s: string): string {
    return [...s].map((c) => (TAG_PATTERN.test(c) ? c : "_")).join("").slice(0, TAG_VALUE_MAX) || "_";
}

const TERMINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled", "CompletedWithSuccess", "CompletedWithFailure", "Rejected", "Exited", "ChangeCalendarOverrideRejected"]);

export interface LocationResult {
    accounts: string[];
    regions: string[];
    status: string;
    failure?: string;
}

export interface EmergencyReport {
    dryRun: boolean;
    listUrl: string;
    list: string;
    resolution: ResolvedPatches["resolution"];
    request: StartAutomationExecutionRequest;
    /** Who ran it (STS caller identity), when, and why the gate was bypassed if it was. */
    record: EmergencyRecord;
    executionId?: string;
    status?: string;
    locations: LocationResult[];
    polls: number;
}

export interface EmergencyDeps {
    ssm: SSMClient;
    s3: S3Client;
    /** Who is running it: GetCallerIdentity (needs no permission), recorded with the run. */
    sts: STSClient;
    now: Date;
    /** Waits between polls (tests: resolves at once). */
    sleep: (ms: number) => Promise<void>;
    /** @default 30 s */
    pollIntervalMs?: number;
    /** Gives up polling (the execution keeps running) after this many polls. @default 480 (4 h) */
    maxPolls?: number;
    log?: (line: string) => void;
}

/** Runs an emergency install end to end (or, with dryRun, only says what it would do). */
export async function runEmergency(r: EmergencyRequest, d: EmergencyDeps): Promise<EmergencyReport> {
    const log = d.log ?? ((l: string) => console.log(l));
    const problems = requestProblems(r);
    if (problems.length > 0) throw new Error(`emergency request is invalid:\n  - ${problems.join("\n  - ")}`);
    const caller = (await d.sts.send(new GetCallerIdentityCommand({}))).Arn;
    if (!caller) throw new Error("sts:GetCallerIdentity returned no Arn: who runs the emergency install must be recorded; nothing was started");
    const record: EmergencyRecord = { by: caller, at: d.now.toISOString(), ...(r.overrideApproval ? { overrideReason: r.overrideApproval.reason } : {}) };
    const resolved = await resolvePatches(d.ssm, r.patches, r.products);
    if (resolved.problems.length > 0) throw new Error(`could not resolve every patch; nothing was started:\n  - ${resolved.problems.join("\n  - ")}`);
    const list = renderOverrideList(resolved.entries, [
        `Emergency install list: ${r.patches.join(", ")}`,
        `written ${d.now.toISOString()} by npm run emergency, run by ${caller}`,
        r.overrideApproval ? `APPROVAL GATE OVERRIDDEN by ${caller} at ${record.at}: ${r.overrideApproval.reason}` : `held by approval calendar ${r.changeCalendar}`,
    ]);
    const digest = createHash("sha256").update(list).digest("hex");
    const key = `emergency/${d.now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z")}-${digest.slice(0, 8)}.yaml`;
    const listUrl = `s3://${r.bucket || "<bucket>"}/${key}`;
    // The same request started twice (a retried command) starts one execution.
    const request = startRequest(r, listUrl, `emergency-${digest.slice(0, 24)}-${d.now.toISOString().slice(0, 13)}`, record);
    const report: EmergencyReport = { dryRun: r.dryRun, listUrl, list, resolution: resolved.resolution, request, record, locations: [], polls: 0 };
    if (r.dryRun) return report;

    await d.s3.send(new PutObjectCommand({ Bucket: r.bucket, Key: key, Body: list, ContentType: "application/yaml", Metadata: { "content-sha256": digest } }));
    const started = await d.ssm.send(new StartAutomationExecutionCommand(request));
    report.executionId = started.AutomationExecutionId;
    log(JSON.stringify({ emergency: "started", executionId: report.executionId, listUrl, ...record }));
    const maxPolls = d.maxPolls ?? 480;
    for (;;) {
        const exec = await d.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: report.executionId }));
        report.status = exec.AutomationExecution?.AutomationExecutionStatus;
        report.polls++;
        if (report.status && TERMINAL.has(report.status)) break;
        if (report.polls >= maxPolls) {
            report.status = `${report.status ?? "unknown"} (still running; stopped polling)`;
            break;
        }
        await d.sleep(d.pollIntervalMs ?? 30_000);
    }
    let token: string | undefined;
    do {
        const page = await d.ssm.send(new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: report.executionId, NextToken: token, MaxResults: 50 }));
        for (const s of page.StepExecutions ?? []) {
            if (!s.TargetLocation) continue;
            report.locations.push({ accounts: s.TargetLocation.Accounts ?? [], regions: s.TargetLocation.Regions ?? [], status: s.StepStatus ?? "?", failure: s.FailureMessage });
        }
        token = page.NextToken || undefined;
    } while (token);
    return report;
}

/** The report as text for the terminal. */
export function renderEmergencyReport(rep: EmergencyReport): string[] {
    const lines = [rep.dryRun ? "DRY RUN — nothing was written or started." : `Execution ${rep.executionId}: ${rep.status}`];
    lines.push(
        rep.record.overrideReason !== undefined
            ? `APPROVAL GATE OVERRIDDEN by ${rep.record.by} at ${rep.record.at}: ${rep.record.overrideReason} (tags PatchingStartedBy, PatchingApprovalOverride, PatchingApprovalOverrideAt; CloudTrail StartAutomationExecution)`
            : `Run by ${rep.record.by} at ${rep.record.at} (tag PatchingStartedBy; CloudTrail StartAutomationExecution)`,
    );
    lines.push("Patches:");
    for (const r of rep.resolution) lines.push(`  ${r.ref} → ${r.patches.join("; ")}`);
    lines.push(`InstallOverrideList ${rep.dryRun ? "(would be written to)" : "written to"} ${rep.listUrl}:`, ...rep.list.trimEnd().split("\n").map((l) => `  ${l}`));
    const req = rep.request;
    const loc = req.TargetLocations?.[0];
    lines.push(
        `${rep.dryRun ? "Would start" : "Started"} ${req.DocumentName} (Install, ${req.Parameters?.RebootOption?.[0]}) on ${req.Targets?.map((t) => `${t.Key}=${t.Values?.join(",")}`).join(" ")}`,
        `  in ${loc?.Accounts?.join(", ")} × ${loc?.Regions?.join(", ")} as ${loc?.ExecutionRoleName}; ${req.MaxConcurrency} instances at once, max errors ${req.MaxErrors}; ${loc?.TargetLocationMaxConcurrency} location(s) at once, max location errors ${loc?.TargetLocationMaxErrors}`,
        req.Parameters?.BaselineOverride?.[0]
            ? `  baselines: the stack's, BaselineOverride ${req.Parameters.BaselineOverride[0]} in every location`
            : "  baselines: WARNING each account-Region's own default baseline (no --baseline-override); compliance scans may disagree",
    );
    if (!rep.dryRun) {
        lines.push("Locations:");
        for (const l of rep.locations) lines.push(`  ${l.status === "Success" ? "✓" : "✗"} ${l.accounts.join(",")} ${l.regions.join(",")}: ${l.status}${l.failure ? ` — ${l.failure}` : ""}`);
        if (rep.locations.length === 0) lines.push("  (no location results reported)");
    }
    return lines;
}
