/**
 * One schema per AWS field the program sends, used by every section that sends it.
 *
 * A rule written twice drifts: one section checks the pattern, its twin forgets the length. Each
 * field below is the only rule for its AWS field; sections import it and may wrap it only with
 * `.optional()` / `.default()` (tests/fields.test.ts walks the whole model and fails when a
 * section sends one of these fields through a different schema). Each schema carries
 * `meta({ awsField })`, the botocore shape (or AWS API field) it enforces, which that test checks
 * against the botocore SSM model (tests/fixtures/ssm-model/constraints.json).
 *
 * No Pulumi, no SDK: the review validates before loading either.
 */
import { z } from "zod";
import { SCHEDULE_DIALECTS, ScheduleDialect } from "../core/schedule";
import {
    EC2_INSTANCE_ID_PATTERN,
    INSTALL_OVERRIDE_LIST_PATTERN,
    MANAGED_INSTANCE_ID_PATTERN,
    MAX_CONCURRENCY_PATTERN,
    MAX_ERRORS_PATTERN,
    MAX_TARGET_VALUES,
    PATCH_GROUP_MAX,
    PATCH_GROUP_PATTERN,
    RATE_CONTROL_MAX_LENGTH,
    RESOURCE_GROUP_NAME_PATTERN,
    RESOURCE_TYPE_FILTER_PATTERN,
    TAG_KEY_MAX,
    TAG_PATTERN,
    TAG_VALUE_MAX,
} from "./rules";

/** Metadata key naming the AWS field a shared schema enforces (read by tests and the docs generator). */
export interface FieldMeta {
    /** botocore shape or API field, e.g. `MaxConcurrency`, `PatchGroup`, `ScheduleExpression`. */
    awsField: string;
    /** The schedule dialect, for schedule expressions. */
    dialect?: ScheduleDialect;
    /** Human description shown in the JSON Schema and the config reference. */
    description?: string;
}

function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
    return schema.meta({ ...meta }) as T;
}

// ── Rate control (botocore SSM MaxConcurrency / MaxErrors, also TargetLocationMaxConcurrency/Errors) ──

/** botocore SSM `MaxConcurrency`: 1–7 characters matching `^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`. */
export const maxConcurrencySchema = field(
    z
        .string({ error: 'must be a string: a number of targets such as "10" or a percentage such as "10%" (botocore MaxConcurrency)' })
        .max(RATE_CONTROL_MAX_LENGTH, { error: `must be at most ${RATE_CONTROL_MAX_LENGTH} characters (botocore MaxConcurrency)` })
        .regex(MAX_CONCURRENCY_PATTERN, { error: "must be a count (1, 10, …) or a percentage: a number ≥ 1 or a percentage 1%–100% (botocore MaxConcurrency)" }),
    { awsField: "MaxConcurrency", description: "How many targets run at once: a number (1, 10, …) or a percentage (1%–100%), at most 7 characters." },
);

/** botocore SSM `MaxErrors`: 1–7 characters matching `^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`. */
export const maxErrorsSchema = field(
    z
        .string({ error: 'must be a string: a number of errors such as "0" or "1" or a percentage such as "5%" (botocore MaxErrors)' })
        .max(RATE_CONTROL_MAX_LENGTH, { error: `must be at most ${RATE_CONTROL_MAX_LENGTH} characters (botocore MaxErrors)` })
        .regex(MAX_ERRORS_PATTERN, { error: "must be a count (0, 1, …) or a percentage: a number ≥ 0 or a percentage 0%–100% (botocore MaxErrors)" }),
    { awsField: "MaxErrors", description: "Errors tolerated before no new target starts: a number (0, 1, …) or a percentage (0%–100%), at most 7 characters." },
);

// ── Node ids ──

/** An EC2 instance id: `i-` and 8 or 17 hex digits (botocore SSM `InstanceId`, EC2 form). */
export const ec2InstanceIdSchema = field(z.string({ error: "must be an EC2 instance id such as i-0123456789abcdef0" }).regex(EC2_INSTANCE_ID_PATTERN, { error: "must be an EC2 instance id: i- and 8 or 17 lowercase hex digits, e.g. i-0123456789abcdef0" }), {
    awsField: "InstanceId",
    description: "An EC2 instance id (i- and 8 or 17 hex digits).",
});

/** A managed node id as SSM targets take it: an EC2 id or a hybrid node id `mi-` + 17 hex (botocore SSM `InstanceId`). */
export const managedNodeIdSchema = field(
    z
        .string({ error: "must be a managed node id such as i-0123456789abcdef0 or mi-0123456789abcdef0" })
        .refine((s) => EC2_INSTANCE_ID_PATTERN.test(s) || MANAGED_INSTANCE_ID_PATTERN.test(s), {
            error: "must be an EC2 instance id (i- and 8 or 17 hex digits) or a hybrid managed-node id (mi- and 17 hex digits)",
        }),
    { awsField: "InstanceId", description: "A managed node id: EC2 (i-…) or hybrid (mi-…)." },
);

// ── Names ──

/**
 * Resource Groups `GroupName`: 1–128 of `[a-zA-Z0-9_.-]`, not starting with `aws`/`AWS` in any
 * capitalisation (Resource Groups API reference, CreateGroup). Also the value of an SSM
 * `resource-groups:Name` target.
 */
export const resourceGroupNameSchema = field(
    z
        .string({ error: "must be a resource group name: 1–128 letters, digits, _ . -" })
        .regex(RESOURCE_GROUP_NAME_PATTERN, { error: "must be 1–128 letters, digits, _ . - (Resource Groups GroupName)" })
        .refine((n) => !/^aws/i.test(n), { error: 'resource group names may not start with "AWS" in any capitalisation (reserved by Resource Groups)' }),
    { awsField: "GroupName", description: "A resource group name: 1–128 letters, digits, _ . -, not starting with aws." },
);

/** botocore SSM `PatchGroup`: 1–256 characters of `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`. */
export const patchGroupNameSchema = field(
    z
        .string({ error: "must be a patch group name (a string)" })
        .min(1, { error: `patch group names are 1–${PATCH_GROUP_MAX} characters (botocore PatchGroup)` })
        .max(PATCH_GROUP_MAX, { error: `patch group names are 1–${PATCH_GROUP_MAX} characters (botocore PatchGroup)` })
        .regex(PATCH_GROUP_PATTERN, { error: "patch group names may contain letters, digits, spaces and _ . : / = + - @ (botocore PatchGroup)" }),
    { awsField: "PatchGroup", description: "A patch group name: the value of the instances' Patch Group / PatchGroup tag." },
);

// ── Tags, as resource tags and as target criteria ──

/** botocore SSM `TagKey` (IAM, S3 alike): 1–128 characters of the tag pattern, not `aws:`. */
export const tagKeySchema = field(
    z
        .string({ error: "tag keys must be strings" })
        .min(1, { error: `tag keys must be 1–${TAG_KEY_MAX} characters` })
        .max(TAG_KEY_MAX, { error: `tag keys must be 1–${TAG_KEY_MAX} characters` })
        .regex(TAG_PATTERN, { error: "tag keys may contain only letters, digits, spaces and _ . : / = + - @" })
        .refine((k) => !k.toLowerCase().startsWith("aws:"), { error: 'tag keys starting with "aws:" are reserved by AWS' }),
    { awsField: "TagKey", description: "A tag key: 1–128 letters, digits, spaces and _ . : / = + - @." },
);

/** botocore SSM `TagValue`: 0–256 characters of the tag pattern. */
export const tagValueSchema = field(
    z
        .string({ error: "tag values must be strings of 0–256 characters" })
        .max(TAG_VALUE_MAX, { error: `tag values must be at most ${TAG_VALUE_MAX} characters` })
        .regex(TAG_PATTERN, { error: "tag values may contain only letters, digits, spaces and _ . : / = + - @" }),
    { awsField: "TagValue", description: "A tag value: 0–256 letters, digits, spaces and _ . : / = + - @." },
);

/** A tag value a `tag:<key>` target matches: a tag value, non-empty (an empty criterion matches nothing). */
export const targetTagValueSchema = field(
    z
        .string({ error: "tag values must be strings" })
        .min(1, { error: `target tag values are 1–${TAG_VALUE_MAX} characters` })
        .max(TAG_VALUE_MAX, { error: `target tag values are 1–${TAG_VALUE_MAX} characters` })
        .regex(TAG_PATTERN, { error: "tag values may contain only letters, digits, spaces and _ . : / = + - @" }),
    { awsField: "TagValue", description: "A tag value to match: 1–256 letters, digits, spaces and _ . : / = + - @." },
);

/** A list of target values: 1–50 (botocore SSM `TargetValues`). */
export function targetValueList<T extends z.ZodType>(item: T, what: string) {
    return z
        .array(item, { error: `must be a list of ${what}` })
        .min(1, { error: `needs 1–${MAX_TARGET_VALUES} ${what} (botocore TargetValues)` })
        .max(MAX_TARGET_VALUES, { error: `takes at most ${MAX_TARGET_VALUES} ${what}: at most ${MAX_TARGET_VALUES} values per target (botocore TargetValues)` });
}

/** `{ TagKey: [values] }` → `tag:<key>` targets: keys and values both checked. */
export const tagTargetSchema = field(z.record(tagKeySchema, targetValueList(targetTagValueSchema, "tag values"), { error: "must be a map of tag key to a list of values" }), {
    awsField: "Targets",
    description: "Tag key → values: instances carrying, for every key, one of its values (tag:<key> targets).",
});

/** Resource types a resource-group target filters on, e.g. `AWS::EC2::Instance`. */
export const resourceTypeFilterSchema = field(z.string({ error: "must be a resource type such as AWS::EC2::Instance" }).regex(RESOURCE_TYPE_FILTER_PATTERN, { error: "must be a CloudFormation resource type such as AWS::EC2::Instance" }), {
    awsField: "TargetValue",
    description: "A CloudFormation resource type such as AWS::EC2::Instance.",
});

/**
 * Problems with the values of one raw SSM target `{ Key, Values }` (botocore SSM `Target`): the key
 * decides what a value must be (user guide, "Targets and rate controls"; CreateAssociation Targets).
 */
export function targetValueProblems(key: string, values: readonly unknown[]): { index: number; message: string }[] {
    const check = (schema: z.ZodType) =>
        values.flatMap((v, index) => {
            const r = schema.safeParse(v);
            return r.success ? [] : [{ index, message: r.error.issues[0]?.message ?? "is invalid" }];
        });
    if (key === "InstanceIds") {
        if (values.length === 1 && values[0] === "*") return [];
        return check(managedNodeIdSchema).map((p) => ({ ...p, message: `${p.message} (or the single value * for every node)` }));
    }
    if (key === "resource-groups:Name") return check(resourceGroupNameSchema);
    if (key === "resource-groups:ResourceTypeFilters") return check(resourceTypeFilterSchema);
    if (key === "tag-key") return check(tagKeySchema);
    if (key.startsWith("tag:")) return check(targetTagValueSchema);
    return [];
}

// ── Documents ──

/** AWS-RunPatchBaseline `InstallOverrideList`: an `https://` URL or an `s3://bucket/key` URL (the document's allowedPattern). */
export const installOverrideListSchema = field(
    z
        .string({ error: "must be an https:// URL or an s3://bucket/key URL (AWS-RunPatchBaseline InstallOverrideList)" })
        .min(1, { error: "must be an https:// URL or an s3://bucket/key URL (AWS-RunPatchBaseline InstallOverrideList)" })
        .regex(INSTALL_OVERRIDE_LIST_PATTERN, { error: "must be an https:// URL or an s3://bucket/key URL (AWS-RunPatchBaseline InstallOverrideList)" }),
    { awsField: "InstallOverrideList", description: "A YAML patch list installed instead of the baseline's: an https:// or s3://bucket/key URL." },
);

// ── Schedules: one grammar per dialect (core/schedule.ts) ──

function scheduleSchema(dialect: ScheduleDialect, example: string) {
    const { label, problems } = SCHEDULE_DIALECTS[dialect];
    return field(
        z.string({ error: `must be a ${label}, e.g. ${example}` }).superRefine((expr, ctx) => {
            for (const problem of problems(expr)) ctx.addIssue({ code: "custom", message: `${problem} (${label})`, input: expr });
        }),
        { awsField: "ScheduleExpression", dialect, description: `A ${label}, e.g. ${example}.` },
    );
}

/** State Manager association schedule: cron (every 30 min; 1/2/4/8/12 h; daily/weekly at a time), rate ≥ 30 minutes, at. */
export const stateManagerScheduleSchema = scheduleSchema("stateManager", "cron(0 2 ? * SUN *) or rate(1 day)");
/** Maintenance window schedule: cron with 6 or 7 fields, rate, at. */
export const maintenanceWindowScheduleSchema = scheduleSchema("maintenanceWindow", "cron(0 2 ? * SUN *)");
/** EventBridge Scheduler: cron with exactly 6 fields, rate, at(). */
export const schedulerScheduleSchema = scheduleSchema("scheduler", "cron(0 6 * * ? *) or rate(1 hour)");
/** EventBridge rule schedule: cron with 6 fields or rate. */
export const eventBridgeRuleScheduleSchema = scheduleSchema("eventBridgeRule", "rate(7 days)");

/** Every shared field schema by name (tests and generators iterate it). */
export const FIELD_SCHEMAS = {
    maxConcurrencySchema,
    maxErrorsSchema,
    ec2InstanceIdSchema,
    managedNodeIdSchema,
    resourceGroupNameSchema,
    patchGroupNameSchema,
    tagKeySchema,
    tagValueSchema,
    targetTagValueSchema,
    tagTargetSchema,
    resourceTypeFilterSchema,
    installOverrideListSchema,
    stateManagerScheduleSchema,
    maintenanceWindowScheduleSchema,
    schedulerScheduleSchema,
    eventBridgeRuleScheduleSchema,
} as const;

/** The field metadata of a schema (unwrapping optional/default), when it is one of {@link FIELD_SCHEMAS}. */
export function fieldMeta(schema: z.ZodType): FieldMeta | undefined {
    const m = z.globalRegistry.get(schema) as FieldMeta | undefined;
    return m && typeof m.awsField === "string" ? m : undefined;
}
