/**
 * `patching:patchOrchestrators`: the batch patch orchestrator (seed 003), for fleets where
 * patching everything at once fails: stopped instances are started and stopped again, instances
 * are patched in priority batches after a disk / Windows Update preflight, and a summary is sent.
 */
import { z } from "zod";
import { DEFAULT_SETTINGS, DISTRIBUTED_MAP_MAX_CONCURRENCY, orchestratorInput } from "../core/orchestrator/settings";
import { boundedString, intInRange, matching, oneOf, strictObject, tagsSchema } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import { checkWindowSchedule, windowScheduleFields } from "./maintenanceWindows";
import { crossAccountSchema } from "./crossAccountOrchestrator";
import { maxErrorsSchema, resourceGroupNameSchema, tagKeySchema, tagTargetSchema, tagValueSchema } from "./fields";
import {
    EBS_MAX_VOLUME_GIB,
    EMAIL_PATTERN,
    INSTANCE_TYPE_PATTERN,
    KMS_KEY_REF_PATTERN,
    LOG_GROUP_NAME_PATTERN,
    LOG_RETENTION_DAYS,
    MW_DESCRIPTION_MAX,
    MW_NAME_PATTERN,
    PATCH_OPERATIONS,
    REBOOT_OPTIONS,
    SEND_COMMAND_MAX_INSTANCES,
    STEP_FUNCTIONS_INPUT_MAX,
} from "./rules";

/** Orchestrator names become Lambda (≤ 64), state machine (≤ 80) and role (≤ 64) name prefixes. */
const ORCHESTRATOR_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

const retentionDays = z
    .number({ error: "must be a number of days" })
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention)` });

export const orchestratorWindowSchema = strictObject({
    /** Window name. @default <orchestrator name>-window */
    name: matching(MW_NAME_PATTERN, "3–128 letters, digits, _ - . (botocore MaintenanceWindowName)").optional(),
    /** 1–128 characters. */
    description: boundedString(1, MW_DESCRIPTION_MAX, "botocore MaintenanceWindowDescription").optional(),
    ...windowScheduleFields,
});

export const volumeExpansionSchema = strictObject({
    /** Grow the root EBS volume when cleanup did not free enough space. Opt-in. @default false */
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    /** GiB added at least (more when the shortfall is larger). @default 20 */
    incrementGb: intInRange(1, 1024, "GiB added to the root volume").default(20),
    /** Never grow a volume beyond this size. @default 512 */
    maxVolumeSizeGb: intInRange(8, EBS_MAX_VOLUME_GIB, "EBS volume size limit in GiB").default(512),
    /** Tag a volume must carry to be modified (scopes ec2:ModifyVolume). @default the first target tag */
    volumeTag: strictObject({ key: tagKeySchema, value: tagValueSchema }).optional(),
    /**
     * Seed 003's behaviour for volumes that carry no tag: also grow the root volume of a targeted
     * instance when it is untagged. Trade-off: IAM has no condition key for the instance a volume is
     * attached to, so `ec2:ModifyVolume` is granted on every volume of the account and Region; the
     * batch Lambda itself only modifies the root volume of an instance of its batch (checked against
     * the volume's attachments right before the call). @default false (tagged volumes only)
     */
    untaggedVolumes: z.boolean({ error: "must be true or false" }).default(false),
});

export const preflightSchema = strictObject({
    /** Run the disk / Windows Update preflight before patching. @default true */
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    /** Free space (GiB) a Windows system drive needs; cumulative updates need 10+ GiB. @default 20 */
    minFreeGbWindows: intInRange(1, 1024, "GiB").default(20),
    /** Free space (GiB) the Linux root filesystem needs. @default 5 */
    minFreeGbLinux: intInRange(1, 1024, "GiB").default(5),
    /** Clean up when below the threshold: DISM component cleanup and temp files (Windows), package caches and journal (Linux). @default true */
    cleanup: z.boolean({ error: "must be true or false" }).default(true),
    /** Add /ResetBase to DISM (frees more, but installed updates can no longer be uninstalled). @default false */
    dismResetBase: z.boolean({ error: "must be true or false" }).default(false),
    /** Check and start wuauserv, BITS, cryptsvc, TrustedInstaller and test the update endpoints. @default true */
    windowsUpdateChecks: z.boolean({ error: "must be true or false" }).default(true),
    /** Hosts tested on port 443 (WSUS users list their server). @default [update.microsoft.com, windowsupdate.microsoft.com] */
    windowsUpdateEndpoints: z
        .array(matching(HOSTNAME, "a host name such as update.microsoft.com"))
        .max(5, { error: "at most 5 endpoints (each test may take 5 s)" })
        .default(["update.microsoft.com", "windowsupdate.microsoft.com"]),
    /** Skip (do not patch) instances whose Windows Update services or endpoints fail the check. @default false (warn only) */
    skipOnWindowsUpdateProblems: z.boolean({ error: "must be true or false" }).default(false),
    /** Seconds the preflight command may take per batch. @default 1800 */
    timeoutSeconds: intInRange(120, 7200, "seconds").default(1800),
    /** EBS root volume expansion when still below the threshold. */
    volumeExpansion: volumeExpansionSchema.default({ enabled: false, incrementGb: 20, maxVolumeSizeGb: 512, untaggedVolumes: false }),
});

export const orchestratorSchema = strictObject({
    /** Orchestrator name: 3–32 lowercase letters, digits, `-`; prefixes every resource name. */
    name: matching(ORCHESTRATOR_NAME, "3–32 lowercase letters, digits or -, starting with a letter (prefixes Lambda, state machine and role names)").refine((n) => !/^(aws|amazon|amzn)/.test(n), {
        error: "must not start with aws, amazon or amzn: it prefixes the preflight SSM document, whose name may not (SSM document naming)",
    }),
    /** What it patches (shown on the window and state machines). */
    description: boundedString(1, MW_DESCRIPTION_MAX, "botocore MaintenanceWindowDescription").optional(),
    /** The maintenance window that starts a run (e.g. the seed's cron(55 22 ? * * *), 4 h, cutoff 0). */
    window: orchestratorWindowSchema,
    /** Which instances, running AND stopped. */
    targets: strictObject({
        /** `{ PatchGroup: [Windows] }`; also scopes start/stop/SendCommand permissions by tag. */
        tags: tagTargetSchema.optional(),
        /** Name of an existing resource group whose EC2 instances are targeted (combined with tags when both are set). */
        resourceGroup: resourceGroupNameSchema.optional(),
    }),
    /** Instances per batch (SendCommand takes ≤ 50). @default 5 */
    batchSize: intInRange(1, SEND_COMMAND_MAX_INSTANCES, "instances per batch; SendCommand takes at most 50 instance ids").default(5),
    /** Instance types patched first, in this order (`m5.large`, or a family `m5.*`). @default [] */
    priorityInstanceTypes: z.array(matching(INSTANCE_TYPE_PATTERN, "an instance type such as m5.large or a family such as m5.*")).max(50).default([]),
    /** Pause between batches. @default 120 */
    waitBetweenBatchesSeconds: intInRange(0, 3600, "seconds").default(120),
    /** How long to wait for the SSM agent of a batch to report Online. @default 600 */
    agentWaitSeconds: intInRange(60, 3600, "seconds").default(600),
    /** Failed instances tolerated before no further batch starts: a count or a % of the targets. @default 20% */
    maxErrors: maxErrorsSchema.default("20%"),
    /** No batch starts after this many minutes from the start of the run. @default the window duration */
    maxRuntimeMinutes: intInRange(10, 1440, "minutes").optional(),
    /**
     * `standard`: one batch at a time (at most 500 instances a run). `fleet`: Step Functions'
     * Distributed Map, `fleet.batchesInFlight` batches at once, target lists and results in an
     * encrypted S3 bucket, no instance cap (docs: maintenance windows and the orchestrator, "Fleet mode"). @default standard
     */
    scale: oneOf(["standard", "fleet"] as const, "orchestrator scale").default("standard"),
    /** Fleet mode settings (scale: fleet only). */
    fleet: strictObject({
        /** Child executions (batches) in flight at once: Distributed Map MaxConcurrency (≤ 10,000). @default 20 */
        batchesInFlight: intInRange(1, DISTRIBUTED_MAP_MAX_CONCURRENCY, "batches in flight (Distributed Map MaxConcurrency, at most 10,000)").default(20),
        /** Days the run's target lists, results and summaries stay in the fleet bucket (lifecycle expiry). @default 30 */
        retentionDays: intInRange(1, 3650, "days").default(30),
    }).optional(),
    /**
     * Fleet mode across accounts and Regions (scale: fleet only): the management account's stack
     * runs a coordinator that starts this orchestrator's run in every location (account × Region,
     * each deployed by that account's stack for that Region), `locationConcurrency` at once, no new
     * location after `locationMaxErrors` failed ones (docs: maintenance windows and the
     * orchestrator, "Across accounts and Regions"). @default off: the run patches this account and Region
     */
    crossAccount: crossAccountSchema.optional(),
    /** Preflight checks before patching. */
    preflight: preflightSchema.default(() => structuredClone(DEFAULT_SETTINGS.preflight)),
    /** The AWS-RunPatchBaseline run. */
    patch: strictObject({
        /** @default Install */
        operation: oneOf(PATCH_OPERATIONS, "AWS-RunPatchBaseline Operation").default("Install"),
        /** @default RebootIfNeeded */
        rebootOption: oneOf(REBOOT_OPTIONS, "AWS-RunPatchBaseline RebootOption").default("RebootIfNeeded"),
        /** Seconds a batch's patch command may take before it is cancelled and counted failed. @default 7200 */
        timeoutSeconds: intInRange(600, 172800, "seconds").default(7200),
    }).default({ operation: "Install", rebootOption: "RebootIfNeeded", timeoutSeconds: 7200 }),
    /** Log group for command output and run summaries. */
    logGroup: strictObject({
        /** @default /aws/ssm/patch-manager */
        name: matching(LOG_GROUP_NAME_PATTERN, "1–512 characters of letters, digits, . - _ / # (CloudWatch Logs LogGroupName)").default("/aws/ssm/patch-manager"),
        /** Create the log group here; false uses one created elsewhere (e.g. by patching:compliance). @default true */
        create: z.boolean({ error: "must be true or false" }).default(true),
        /** Retention of a created log group. @default 30 */
        retentionDays: retentionDays.default(30),
    }).default({ name: "/aws/ssm/patch-manager", create: true, retentionDays: 30 }),
    /** Summary notifications (SNS, encrypted). */
    notifications: strictObject({
        /** Email addresses subscribed to the summary topic. */
        emails: z.array(matching(EMAIL_PATTERN, "an email address")).default([]),
        /** @default alias/aws/sns */
        kmsMasterKeyId: matching(KMS_KEY_REF_PATTERN, "a KMS key id, key ARN, alias/name or alias ARN").default("alias/aws/sns"),
    }).default({ emails: [], kmsMasterKeyId: "alias/aws/sns" }),
    /** Permissions the patched instances need (command output to the log group, CloudWatch agent metrics). */
    instanceRole: strictObject({
        /** create: a role + instance profile; policy: a managed policy (attached to attachToRoles); none. @default policy */
        mode: oneOf(["create", "policy", "none"] as const, "instance role mode").default("policy"),
        /** Existing instance role names to attach the policy to (mode policy). */
        attachToRoles: z.array(matching(/^[\w+=,.@-]{1,64}$/, "an IAM role name")).default([]),
        /** Patch policies of this stack (patching:patchPolicies, owned mode) whose instance role gets the policy too (mode policy). */
        attachToPatchPolicies: z.array(z.string({ error: "must be patch policy names" })).default([]),
        /** Grant CloudWatch agent metric publishing (namespace CWAgent only). @default true */
        cloudWatchAgent: z.boolean({ error: "must be true or false" }).default(true),
    }).default({ mode: "policy", attachToRoles: [], attachToPatchPolicies: [], cloudWatchAgent: true }),
    /** KMS keys of customer-managed EBS encryption on target volumes (StartInstances needs kms:CreateGrant on them). */
    ebsKmsKeyArns: z.array(matching(/^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/, "a KMS key ARN")).default([]),
    /** Extra tags, merged over the stack tags. */
    tags: tagsSchema.default({}),
});

export type OrchestratorConfig = z.infer<typeof orchestratorSchema>;
export const patchOrchestratorsSchema = z.array(orchestratorSchema, { error: "must be a list of patch orchestrators" }).default([]);

/** Cross-field rules of `patching:patchOrchestrators`, reading the raw input defensively. */
export function checkPatchOrchestrators(sink: IssueSink, path: string, raw: unknown, parsed?: OrchestratorConfig[], patchPolicies?: unknown): void {
    const names = new Map<string, number>();
    asArray(raw).forEach((o0, i) => {
        const base = `${path}[${i}]`;
        const o = asRecord(o0);
        if (typeof o.name === "string") {
            const first = names.get(o.name);
            if (first !== undefined) sink.add(`${base}.name`, `duplicate orchestrator name; already used by ${path}[${first}]`, o.name);
            else names.set(o.name, i);
        }
        checkWindowSchedule(sink, `${base}.window`, asRecord(o.window));
        const targets = asRecord(o.targets);
        const tags = asRecord(targets.tags);
        if (targets.tags === undefined && targets.resourceGroup === undefined) {
            sink.add(`${base}.targets`, "needs tags and/or resourceGroup: the orchestrator finds running and stopped instances by them", o.targets ?? {});
        } else if (targets.tags !== undefined && Object.keys(tags).length === 0) {
            sink.add(`${base}.targets.tags`, "needs at least one tag key", targets.tags);
        }
        const expansion = asRecord(asRecord(o.preflight).volumeExpansion);
        if (expansion.enabled === true) {
            if (expansion.untaggedVolumes === true && expansion.volumeTag !== undefined) {
                sink.add(`${base}.preflight.volumeExpansion.volumeTag`, "has no effect with untaggedVolumes: true (every root volume of a targeted instance may be grown); remove one of them", expansion.volumeTag);
            }
            if (expansion.volumeTag === undefined && Object.keys(tags).length === 0 && expansion.untaggedVolumes !== true) {
                sink.add(`${base}.preflight.volumeExpansion.volumeTag`, "is required when targets has no tags: ec2:ModifyVolume is only granted on volumes carrying this tag (or set untaggedVolumes: true)");
            }
            if (asRecord(o.preflight).enabled === false) {
                sink.add(`${base}.preflight.volumeExpansion.enabled`, "needs the preflight (preflight.enabled true): expansion is decided from its disk measurement", true);
            }
        }
        const mode = asRecord(o.instanceRole).mode ?? "policy";
        for (const key of ["attachToRoles", "attachToPatchPolicies"]) {
            const attach = asArray(asRecord(o.instanceRole)[key]);
            if (mode !== "policy" && attach.length > 0) sink.add(`${base}.instanceRole.${key}`, `applies to mode policy only (mode is ${String(mode)})`, attach);
        }
        asArray(asRecord(o.instanceRole).attachToPatchPolicies).forEach((ref, j) => {
            const policy = asArray(patchPolicies).map(asRecord).find((p) => p.name === ref);
            if (typeof ref !== "string") return;
            if (!policy) {
                const names = asArray(patchPolicies).map((p) => asRecord(p).name).filter((n) => typeof n === "string");
                sink.add(`${base}.instanceRole.attachToPatchPolicies[${j}]`, `is not a patch policy of this stack; patching:patchPolicies: ${names.join(", ") || "(none)"}`, ref);
            } else if (policy.mode === "managed") {
                sink.add(`${base}.instanceRole.attachToPatchPolicies[${j}]`, "is a managed-mode patch policy: Quick Setup owns its instance role; name the role in attachToRoles instead", ref);
            }
        });
        if (o.fleet !== undefined && o.scale !== "fleet") {
            sink.add(`${base}.fleet`, `applies to scale: fleet only (scale is ${String(o.scale ?? "standard")})`, o.fleet);
        }
        const window = asRecord(o.window);
        if (typeof o.maxRuntimeMinutes === "number" && typeof window.duration === "number" && o.maxRuntimeMinutes > window.duration * 60) {
            sink.add(`${base}.maxRuntimeMinutes`, `exceeds the window duration (${window.duration} h = ${window.duration * 60} min): batches would start after the window closed`, o.maxRuntimeMinutes);
        }
        const cfg = parsed?.[i];
        if (cfg) {
            const input = JSON.stringify(orchestratorInput(cfg));
            if (input.length > STEP_FUNCTIONS_INPUT_MAX) {
                sink.add(base, `the window task's Step Functions input would be ${input.length} characters; at most ${STEP_FUNCTIONS_INPUT_MAX} (botocore MaintenanceWindowStepFunctionsInput): shorten priorityInstanceTypes or endpoints`);
            }
        }
    });
}

/**
 * Names shared across `maintenanceWindows`, `patchOrchestrators` and `compliance`: window names
 * and created log groups are unique (two resources creating one log group fail at deploy time).
 */
export function checkSharedNames(
    sink: IssueSink,
    windowsPath: string,
    windowsRaw: unknown,
    orchestratorsPath: string,
    orchestratorsRaw: unknown,
    compliance?: { path: string; raw: unknown },
): void {
    const windowNames = new Map<string, string>();
    const logGroups = new Map<string, string>();
    if (compliance && compliance.raw !== undefined) {
        // patching:compliance always creates its patching log group (logs.groupName, default /aws/ssm/patch-manager).
        const name = asRecord(asRecord(compliance.raw).logs).groupName;
        logGroups.set(typeof name === "string" ? name : "/aws/ssm/patch-manager", `${compliance.path}.logs`);
    }
    asArray(windowsRaw).forEach((w0, i) => {
        const w = asRecord(w0);
        if (typeof w.name === "string" && !windowNames.has(w.name)) windowNames.set(w.name, `${windowsPath}[${i}]`);
        asArray(w.tasks).forEach((k0, j) => {
            const cw = asRecord(asRecord(asRecord(k0).runCommand).cloudWatchOutput);
            if (asRecord(k0).runCommand === undefined || asRecord(asRecord(k0).runCommand).cloudWatchOutput === undefined || cw.create === false) return;
            const taskName = asRecord(k0).name;
            const name = typeof cw.logGroupName === "string" ? cw.logGroupName : typeof w.name === "string" && typeof taskName === "string" ? `/aws/ssm/${w.name}/${taskName}` : undefined;
            if (name === undefined) return;
            const where = `${windowsPath}[${i}].tasks[${j}].runCommand.cloudWatchOutput`;
            const owner = logGroups.get(name);
            if (owner !== undefined) sink.add(`${where}.logGroupName`, `log group ${name} is already created by ${owner}; set create: false to share it`, name);
            else logGroups.set(name, where);
        });
    });
    asArray(orchestratorsRaw).forEach((o0, i) => {
        const o = asRecord(o0);
        const window = asRecord(o.window);
        const wname = typeof window.name === "string" ? window.name : typeof o.name === "string" ? `${o.name}-window` : undefined;
        if (wname !== undefined) {
            const owner = windowNames.get(wname);
            if (owner !== undefined) sink.add(`${orchestratorsPath}[${i}].window.name`, `maintenance window name ${wname} is already used by ${owner}`, wname);
            else windowNames.set(wname, `${orchestratorsPath}[${i}]`);
        }
        const lg = asRecord(o.logGroup);
        if (lg.create === false) return;
        const name = typeof lg.name === "string" ? lg.name : "/aws/ssm/patch-manager";
        const owner = logGroups.get(name);
        const where = `${orchestratorsPath}[${i}].logGroup`;
        if (owner !== undefined) sink.add(`${where}.name`, `log group ${name} is already created by ${owner}; set create: false to use it, or name another one`, name);
        else logGroups.set(name, where);
    });
}
