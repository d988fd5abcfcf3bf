/**
 * `patching:maintenanceWindows`: Systems Manager maintenance windows with their targets and tasks
 * (AWS-RunPatchBaseline Run Command tasks, Automation runbooks) and failure notifications.
 *
 * The schedule fields (`windowScheduleFields`) are shared with `patching:patchOrchestrators`,
 * whose windows start the batch orchestrator.
 */
import { z } from "zod";
import { isTimeZone } from "../core/schedule";
import {
    maintenanceWindowScheduleSchema,
    managedNodeIdSchema,
    maxConcurrencySchema,
    maxErrorsSchema,
    resourceGroupNameSchema,
    resourceTypeFilterSchema,
    tagKeySchema,
    tagTargetSchema,
    targetValueList,
} from "./fields";
import { boundedString, intInRange, matching, oneOf, strictObject, tagsSchema } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import {
    AUTOMATION_PARAMETER_KEY_MAX,
    DOCUMENT_NAME_PATTERN,
    DOCUMENT_VERSION_PATTERN,
    EMAIL_PATTERN,
    KMS_KEY_REF_PATTERN,
    LOG_GROUP_NAME_PATTERN,
    LOG_RETENTION_DAYS,
    MAX_TARGET_VALUES,
    MW_CONFIG_TASK_TYPES,
    MW_CUTOFF_BEHAVIORS,
    MW_CUTOFF_MAX,
    MW_DESCRIPTION_MAX,
    MW_DURATION_MAX,
    MW_DURATION_MIN,
    MW_MAX_TARGET_ENTRIES,
    MW_NAME_PATTERN,
    MW_OFFSET_MAX,
    MW_OFFSET_MIN,
    MW_OWNER_INFORMATION_MAX,
    NOTIFICATION_EVENTS,
    NOTIFICATION_TYPES,
    PATCH_OPERATIONS,
    REBOOT_OPTIONS,
    ROLE_ARN_PATTERN,
    RUN_COMMAND_COMMENT_MAX,
    RUN_COMMAND_TIMEOUT_MAX,
    RUN_COMMAND_TIMEOUT_MIN,
    S3_KEY_PREFIX_MAX,
    s3BucketNameProblems,
} from "./rules";

/** ISO-8601 extended date-time as StartDate/EndDate accept it: `2026-01-01T00:00:00Z`, offsets allowed. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Whether `s` is a real ISO-8601 extended date or date-time (rejects 2026-02-30, 25:00). */
export function isIso8601(s: string): boolean {
    const m = ISO_8601.exec(s);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return false;
    if (m[4] && (Number(m[5]) > 23 || Number(m[6]) > 59 || (m[8] !== undefined && Number(m[8]) > 59))) return false;
    return true;
}

/** The instant an ISO-8601 value denotes (date-only and zone-less values read as UTC). */
export function isoInstant(s: string): number {
    const zoned = /T/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s}Z` : s;
    return Date.parse(zoned.length === 10 ? `${zoned}T00:00:00Z` : zoned);
}

const isoDate = (what: string) =>
    z.string({ error: `must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z (${what})` }).refine(isIso8601, {
        error: `must be a real ISO-8601 extended date or date-time such as 2026-01-01T00:00:00Z (${what})`,
    });

const mwName = (what: string) => matching(MW_NAME_PATTERN, `3–128 letters, digits, _ - . (${what})`);
const mwDescription = (what: string) => boundedString(1, MW_DESCRIPTION_MAX, what);

/** A schedule a maintenance window accepts: cron (seconds field allowed), rate or at (config/fields.ts). */
export const windowSchedule = maintenanceWindowScheduleSchema;

/** The time fields every maintenance window has (also the orchestrator's window). */
export const windowScheduleFields = {
    /** cron(...), rate(...) or at(...), read in `scheduleTimezone`. */
    schedule: windowSchedule,
    /** IANA time zone the schedule is read in, e.g. `Asia/Tokyo`. @default UTC */
    scheduleTimezone: z
        .string({ error: "must be an IANA time zone name such as Asia/Tokyo or America/New_York" })
        .refine(isTimeZone, { error: "must be an IANA time zone name such as Asia/Tokyo or America/New_York (ScheduleTimezone)" })
        .optional(),
    /** Days (1–6) after each cron occurrence to run; cron schedules only (e.g. the Sunday after Patch Tuesday). */
    scheduleOffset: intInRange(MW_OFFSET_MIN, MW_OFFSET_MAX, "botocore MaintenanceWindowOffset").optional(),
    /** Length of the window in hours (1–24). */
    duration: intInRange(MW_DURATION_MIN, MW_DURATION_MAX, "botocore MaintenanceWindowDurationHours"),
    /** Hours before the end when no new task starts (0–23, below `duration`). */
    cutoff: intInRange(0, MW_CUTOFF_MAX, "botocore MaintenanceWindowCutoff"),
    /** ISO-8601 instant from which the window is active. */
    startDate: isoDate("StartDate").optional(),
    /** ISO-8601 instant after which the window no longer runs. */
    endDate: isoDate("EndDate").optional(),
    /** @default true */
    enabled: z.boolean({ error: "must be true or false" }).default(true),
};

/** `{ TagKey: [values] }`: instances carrying one of the values for every key (config/fields.ts). */
export { resourceGroupNameSchema, tagTargetSchema };

export const windowTargetSchema = strictObject({
    /** Target name, `^[a-zA-Z0-9_\-.]{3,128}$`; tasks refer to targets by it. */
    name: mwName("botocore MaintenanceWindowName"),
    /** 1–128 characters. */
    description: mwDescription("botocore MaintenanceWindowDescription").optional(),
    /** Free text passed to tasks as {{OWNER_INFORMATION}}, 1–128 characters. */
    ownerInformation: boundedString(1, MW_OWNER_INFORMATION_MAX, "botocore OwnerInformation").optional(),
    /** Instances by tag: `{ PatchGroup: [prod] }` → `tag:PatchGroup = prod`. */
    tags: tagTargetSchema.optional(),
    /** Instances having these tag keys, whatever the value (`tag-key`). */
    tagKeys: targetValueList(tagKeySchema, "tag keys").optional(),
    /** Instances by id. */
    instanceIds: targetValueList(managedNodeIdSchema, "instance ids").optional(),
    /** A resource group (ResourceType RESOURCE_GROUP). */
    resourceGroup: strictObject({
        /** Name of an existing resource group. */
        name: resourceGroupNameSchema,
        /** Only these resource types of the group, e.g. `AWS::EC2::Instance`. */
        resourceTypes: targetValueList(resourceTypeFilterSchema, "resource types").optional(),
    }).optional(),
});

export const runCommandSchema = strictObject({
    /** SSM Command document to run. @default AWS-RunPatchBaseline */
    documentName: matching(DOCUMENT_NAME_PATTERN, "a document name or ARN, 3–128 of letters, digits, _ - . : / (botocore DocumentARN)").default("AWS-RunPatchBaseline"),
    /** `$DEFAULT`, `$LATEST` or a version number. @default $DEFAULT */
    documentVersion: matching(DOCUMENT_VERSION_PATTERN, "$DEFAULT, $LATEST or a version number (botocore DocumentVersion)").optional(),
    /** AWS-RunPatchBaseline `Operation`: Install or Scan. Required for AWS-RunPatchBaseline. */
    operation: oneOf(PATCH_OPERATIONS, "AWS-RunPatchBaseline Operation").optional(),
    /** AWS-RunPatchBaseline `RebootOption`. @default RebootIfNeeded for Install, NoReboot for Scan */
    rebootOption: oneOf(REBOOT_OPTIONS, "AWS-RunPatchBaseline RebootOption").optional(),
    /** Further document parameters, e.g. `{ BaselineOverride: [s3://…] }`. */
    parameters: z.record(z.string().min(1).max(AUTOMATION_PARAMETER_KEY_MAX), z.array(z.string()).max(MAX_TARGET_VALUES)).default({}),
    /** Seconds Run Command waits for the command to start on an instance (30–2592000). @default 600 */
    timeoutSeconds: intInRange(RUN_COMMAND_TIMEOUT_MIN, RUN_COMMAND_TIMEOUT_MAX, "botocore TimeoutSeconds").default(600),
    /** Shown in Run Command history, ≤ 100 characters. */
    comment: z.string({ error: "must be a string" }).max(RUN_COMMAND_COMMENT_MAX, { error: "must be at most 100 characters (botocore Comment)" }).optional(),
    /** Command output to S3 (written by the instance's role). */
    outputS3: strictObject({
        /** Existing bucket name. */
        bucketName: z.string({ error: "must be an S3 bucket name" }).superRefine((n, ctx) => {
            for (const problem of s3BucketNameProblems(n)) ctx.addIssue({ code: "custom", message: `S3 bucket name ${problem}`, input: n });
        }),
        /** Key prefix, ≤ 500 characters. */
        keyPrefix: z.string().max(S3_KEY_PREFIX_MAX, { error: "must be at most 500 characters (botocore S3KeyPrefix)" }).optional(),
    }).optional(),
    /** Command output to CloudWatch Logs (written by the instance's role). */
    cloudWatchOutput: strictObject({
        /** Log group name. @default /aws/ssm/<window name>/<task name> */
        logGroupName: matching(LOG_GROUP_NAME_PATTERN, "1–512 characters of letters, digits, . - _ / # (CloudWatch Logs LogGroupName)").optional(),
        /** Create the log group here with this retention. @default true */
        create: z.boolean({ error: "must be true or false" }).default(true),
        /** Retention of a created log group, in days. @default 30 */
        retentionDays: z
            .number({ error: "must be a number of days" })
            .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention)` })
            .default(30),
    }).optional(),
});

export const automationSchema = strictObject({
    /** Automation runbook name or ARN. */
    documentName: matching(DOCUMENT_NAME_PATTERN, "a document name or ARN, 3–128 of letters, digits, _ - . : / (botocore DocumentARN)"),
    /** `$DEFAULT`, `$LATEST` or a version number. */
    documentVersion: matching(DOCUMENT_VERSION_PATTERN, "$DEFAULT, $LATEST or a version number (botocore DocumentVersion)").optional(),
    /** Role the runbook runs as (passed as AutomationAssumeRole); the window role may pass only this role. */
    assumeRoleArn: matching(ROLE_ARN_PATTERN, "an IAM role ARN such as arn:aws:iam::123456789012:role/name"),
    /** Runbook parameters; `{{RESOURCE_ID}}` and other pseudo parameters are allowed. */
    parameters: z
        .record(z.string().min(1).max(AUTOMATION_PARAMETER_KEY_MAX, { error: "parameter names are 1–50 characters (botocore AutomationParameterKey)" }), z.array(z.string().max(512)).max(10))
        .default({}),
});

export const windowTaskSchema = strictObject({
    /** Task name, `^[a-zA-Z0-9_\-.]{3,128}$`. */
    name: mwName("botocore MaintenanceWindowName"),
    /** 1–128 characters. */
    description: mwDescription("botocore MaintenanceWindowDescription").optional(),
    /** RUN_COMMAND or AUTOMATION. */
    type: oneOf(MW_CONFIG_TASK_TYPES, "maintenance window task types this program registers from config"),
    /** Lower runs first; tasks of equal priority run in parallel. @default 1 */
    priority: z.number({ error: "must be a whole number ≥ 0" }).int({ error: "must be a whole number ≥ 0" }).min(0, { error: "must be ≥ 0 (botocore MaintenanceWindowTaskPriority)" }).default(1),
    /** Names of this window's targets the task runs on. @default every target of the window */
    targets: z.array(z.string({ error: "must be target names" })).optional(),
    /** Targets run in parallel. @default 10% */
    maxConcurrency: maxConcurrencySchema.default("10%"),
    /** Errors before the task stops being scheduled. @default 2% */
    maxErrors: maxErrorsSchema.default("2%"),
    /** What a running task does at the cutoff. @default CONTINUE_TASK */
    cutoffBehavior: oneOf(MW_CUTOFF_BEHAVIORS, "botocore MaintenanceWindowTaskCutoffBehavior").default("CONTINUE_TASK"),
    /** Settings of a RUN_COMMAND task. */
    runCommand: runCommandSchema.optional(),
    /** Settings of an AUTOMATION task. */
    automation: automationSchema.optional(),
});

export const windowNotificationsSchema = strictObject({
    /** Run Command statuses that notify. @default [Failed, TimedOut, Cancelled] */
    events: z
        .array(oneOf(NOTIFICATION_EVENTS, "botocore NotificationEvent"))
        .min(1, { error: "needs at least one event" })
        .default(["Failed", "TimedOut", "Cancelled"]),
    /** Command: one message per command; Invocation: one per instance. @default Command */
    type: oneOf(NOTIFICATION_TYPES, "botocore NotificationType").default("Command"),
    /** KMS key encrypting the topic. @default alias/aws/sns */
    kmsMasterKeyId: matching(KMS_KEY_REF_PATTERN, "a KMS key id, key ARN, alias/name or alias ARN").default("alias/aws/sns"),
    /** Email addresses subscribed to the topic (each confirms by email). */
    emails: z.array(matching(EMAIL_PATTERN, "an email address")).default([]),
});

export const maintenanceWindowSchema = strictObject({
    /** Window name, `^[a-zA-Z0-9_\-.]{3,128}$`, unique in the stack. */
    name: mwName("botocore MaintenanceWindowName"),
    /** 1–128 characters. */
    description: mwDescription("botocore MaintenanceWindowDescription").optional(),
    ...windowScheduleFields,
    /** Allow tasks without registered targets to run on unregistered instances. @default false */
    allowUnassociatedTargets: z.boolean({ error: "must be true or false" }).default(false),
    /** Registered targets, at most 5 key/value entries each. */
    targets: z.array(windowTargetSchema, { error: "must be a list of targets" }).default([]),
    /** Tasks, run by priority. */
    tasks: z.array(windowTaskSchema, { error: "must be a list of tasks" }).min(1, { error: "a window needs at least one task" }),
    /** SNS notifications on Run Command task failures. */
    notifications: windowNotificationsSchema.optional(),
    /** Extra tags for the window and its role, merged over the stack tags. */
    tags: tagsSchema.default({}),
});

export type WindowTargetConfig = z.infer<typeof windowTargetSchema>;
export type WindowTaskConfig = z.infer<typeof windowTaskSchema>;
export type WindowNotificationsConfig = z.infer<typeof windowNotificationsSchema>;
export type MaintenanceWindowConfig = z.infer<typeof maintenanceWindowSchema>;

export const maintenanceWindowsSchema = z.array(maintenanceWindowSchema, { error: "must be a list of maintenance windows" }).default([]);

/** Number of key/value entries a target registers (botocore Targets: at most 5). */
export function targetEntryCount(t: Record<string, unknown>): number {
    return Object.keys(asRecord(t.tags)).length + (t.tagKeys ? 1 : 0) + (t.instanceIds ? 1 : 0) + (t.resourceGroup ? 1 + (asRecord(t.resourceGroup).resourceTypes ? 1 : 0) : 0);
}

/** Cross-field rules of a window's time fields (shared with the orchestrator's window). */
export function checkWindowSchedule(sink: IssueSink, base: string, w: Record<string, unknown>): void {
    // Only when both are in range on their own (an out-of-range cutoff is reported once, by its schema).
    if (typeof w.duration === "number" && typeof w.cutoff === "number" && w.cutoff <= MW_CUTOFF_MAX && w.duration <= MW_DURATION_MAX && w.cutoff >= w.duration) {
        sink.add(`${base}.cutoff`, `must be less than the duration (${w.duration} h): the cutoff is the number of hours before the end of the window when no new task starts`, w.cutoff);
    }
    if (w.scheduleOffset !== undefined && typeof w.schedule === "string" && !w.schedule.trim().startsWith("cron(")) {
        sink.add(`${base}.scheduleOffset`, `applies to cron schedules only; the schedule is ${w.schedule}`, w.scheduleOffset);
    }
    if (typeof w.startDate === "string" && typeof w.endDate === "string" && isIso8601(w.startDate) && isIso8601(w.endDate)) {
        if (isoInstant(w.endDate) <= isoInstant(w.startDate)) sink.add(`${base}.endDate`, `must be after startDate (${w.startDate})`, w.endDate);
    }
}

function checkTarget(sink: IssueSink, base: string, t: Record<string, unknown>): void {
    const kinds = ["tags", "tagKeys", "instanceIds", "resourceGroup"].filter((k) => t[k] !== undefined);
    if (kinds.length === 0) sink.add(base, "a target needs tags, tagKeys, instanceIds or resourceGroup");
    const instanceKinds = kinds.filter((k) => k !== "resourceGroup");
    if (t.resourceGroup !== undefined && instanceKinds.length > 0) {
        sink.add(base, `resourceGroup (ResourceType RESOURCE_GROUP) cannot be combined with ${instanceKinds.join(", ")} (ResourceType INSTANCE); register two targets`);
    }
    if (t.instanceIds !== undefined && (t.tags !== undefined || t.tagKeys !== undefined)) {
        sink.add(base, "instanceIds cannot be combined with tags or tagKeys in one target (Run Command targets either by id or by tag)");
    }
    if (t.tags !== undefined && Object.keys(asRecord(t.tags)).length === 0) sink.add(`${base}.tags`, "needs at least one tag key", t.tags);
    const entries = targetEntryCount(t);
    if (entries > MW_MAX_TARGET_ENTRIES) sink.add(base, `registers ${entries} key/value entries; a target takes at most ${MW_MAX_TARGET_ENTRIES} (botocore Targets)`);
}

/** Cross-field rules of `patching:maintenanceWindows`; reads the raw input so every error is reported at once. */
export function checkMaintenanceWindows(sink: IssueSink, path: string, raw: unknown): void {
    const names = new Map<string, number>();
    asArray(raw).forEach((w0, i) => {
        const base = `${path}[${i}]`;
        const w = asRecord(w0);
        if (typeof w.name === "string") {
            const first = names.get(w.name);
            if (first !== undefined) sink.add(`${base}.name`, `duplicate window name; already used by ${path}[${first}]`, w.name);
            else names.set(w.name, i);
        }
        checkWindowSchedule(sink, base, w);

        const targetNames = new Map<string, number>();
        asArray(w.targets).forEach((t0, j) => {
            const t = asRecord(t0);
            checkTarget(sink, `${base}.targets[${j}]`, t);
            if (typeof t.name === "string") {
                if (targetNames.has(t.name)) sink.add(`${base}.targets[${j}].name`, `duplicate target name in this window; already used by targets[${targetNames.get(t.name)}]`, t.name);
                else targetNames.set(t.name, j);
            }
        });

        const taskNames = new Map<string, number>();
        asArray(w.tasks).forEach((k0, j) => {
            const k = asRecord(k0);
            const tbase = `${base}.tasks[${j}]`;
            if (typeof k.name === "string") {
                if (taskNames.has(k.name)) sink.add(`${tbase}.name`, `duplicate task name in this window; already used by tasks[${taskNames.get(k.name)}]`, k.name);
                else taskNames.set(k.name, j);
            }
            asArray(k.targets).forEach((ref, r) => {
                if (typeof ref === "string" && !targetNames.has(ref)) {
                    sink.add(`${tbase}.targets[${r}]`, `is not a target of this window; targets: ${[...targetNames.keys()].join(", ") || "(none)"}`, ref);
                }
            });
            const explicitTargets = Array.isArray(k.targets) ? k.targets.length : targetNames.size;
            if (k.type === "RUN_COMMAND") {
                if (k.runCommand === undefined) sink.add(tbase, "a RUN_COMMAND task needs runCommand settings");
                if (k.automation !== undefined) sink.add(`${tbase}.automation`, "applies to AUTOMATION tasks only", k.automation);
                if (explicitTargets === 0) sink.add(`${tbase}.targets`, "a RUN_COMMAND task needs at least one target; register targets on the window", k.targets ?? []);
                const rc = asRecord(k.runCommand);
                const doc = typeof rc.documentName === "string" ? rc.documentName : "AWS-RunPatchBaseline";
                const isPatchDoc = /(^|\/)AWS-RunPatchBaseline$/.test(doc);
                if (k.runCommand !== undefined && isPatchDoc && rc.operation === undefined) {
                    sink.add(`${tbase}.runCommand.operation`, "AWS-RunPatchBaseline needs an operation: Install or Scan");
                }
                if (!isPatchDoc) {
                    for (const key of ["operation", "rebootOption"]) {
                        if (rc[key] !== undefined) sink.add(`${tbase}.runCommand.${key}`, `is an AWS-RunPatchBaseline parameter; the task runs ${doc} (set it in parameters instead)`, rc[key]);
                    }
                }
                for (const key of Object.keys(asRecord(rc.parameters))) {
                    if (isPatchDoc && (key === "Operation" || key === "RebootOption")) {
                        sink.add(`${tbase}.runCommand.parameters.${key}`, `set ${key === "Operation" ? "operation" : "rebootOption"} instead of the raw parameter`, key);
                    }
                }
            } else if (k.type === "AUTOMATION") {
                if (k.automation === undefined) sink.add(tbase, "an AUTOMATION task needs automation settings (documentName, assumeRoleArn)");
                if (k.runCommand !== undefined) sink.add(`${tbase}.runCommand`, "applies to RUN_COMMAND tasks only", k.runCommand);
                if ("AutomationAssumeRole" in asRecord(asRecord(k.automation).parameters)) {
                    sink.add(`${tbase}.automation.parameters.AutomationAssumeRole`, "is set from assumeRoleArn; remove it from parameters", "AutomationAssumeRole");
                }
            }
        });
    });
}
