/**
 * `patching:overrideStore` — the baseline-override store: a hardened bucket holding
 * `baseline_overrides.json` (the file AWS-RunPatchBaseline's `BaselineOverride` parameter points
 * at), kept true by a dynamic provider at deploy time and by a scheduled remediation Lambda.
 *
 * Mirrors Quick Setup's patch-policy bucket (seed 000: bucket `aws-quicksetup-patchpolicy-<account>-<id>`,
 * principal tag `QSConfigId-<id>`, target LOCAL / OU / ENTIRE_ORG, noncurrent versions kept 90
 * days, hourly BaselineRemediation) and validates everything that can be checked before AWS sees it.
 */
import { z } from "zod";
import { nextRuns, parseSchedule, ScheduleError } from "../core/schedule";
import { schedulerScheduleSchema } from "./fields";
import { boundedString, intInRange, matching, strictObject } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import {
    EMAIL_PATTERN,
    IAM_ROLE_NAME_PATTERN,
    KMS_KEY_ARN_PATTERN,
    LAMBDA_FUNCTION_NAME_PATTERN,
    LOG_RETENTION_DAYS,
    ORGANIZATION_ID_PATTERN,
    OU_ID_PATTERN,
    PATCH_BASELINE_ARN_PATTERN,
    PATCH_BASELINE_ID_PATTERN,
    S3_KEY_MAX_BYTES,
    S3_SAFE_KEY_PATTERN,
    s3BucketNameProblems,
    SNS_TOPIC_ARN_PATTERN,
} from "./rules";

/** Prefix of the derived bucket name: `patching-overrides-<account>-<region>-<configId>`. */
export const OVERRIDE_BUCKET_PREFIX = "patching-overrides-";
/** Prefix of the remediation Lambda's name (Quick Setup: `baseline-overrides-bbfd-<id>`). */
export const OVERRIDE_FUNCTION_PREFIX = "baseline-overrides-";
/** Quick Setup's principal-tag key prefix: instance roles carry `QSConfigId-<id>` = `<id>`. */
export const PRINCIPAL_TAG_PREFIX = "QSConfigId-";
export const DEFAULT_OBJECT_KEY = "baseline_overrides.json";
/** The longest AWS account id: always 12 digits. */
const ACCOUNT_ID_LENGTH = 12;

/** The bucket name derived from the account, region and config id (Quick Setup: account + id). */
export function deriveOverrideBucketName(accountId: string, region: string, configId: string): string {
    return `${OVERRIDE_BUCKET_PREFIX}${accountId}-${region}-${configId}`;
}

/** The remediation Lambda's function name. */
export function overrideFunctionName(configId: string): string {
    return `${OVERRIDE_FUNCTION_PREFIX}${configId}`;
}

const s3BucketName = (what: string) =>
    z.string({ error: `must be an S3 bucket name (${what})` }).superRefine((name, ctx) => {
        const problems = s3BucketNameProblems(name);
        if (problems.length > 0) ctx.addIssue({ code: "custom", message: `is not a valid S3 bucket name: ${problems.join("; ")} (S3 bucket naming rules)` });
    });

const encryptionSchema = z.discriminatedUnion(
    "type",
    [
        strictObject({
            /** SSE-S3 (AES256), as Quick Setup's bucket. */
            type: z.literal("SSE_S3"),
        }),
        strictObject({
            /** SSE-KMS with a bucket key. */
            type: z.literal("SSE_KMS"),
            /** Key ARN; a rotating key is created for the bucket when omitted (LOCAL target only). */
            kmsKeyArn: matching(KMS_KEY_ARN_PATTERN, "a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<key id> (aliases are not accepted: IAM grants need the key ARN)").optional(),
        }),
    ],
    { error: () => "must have type SSE_S3 or SSE_KMS (with an optional kmsKeyArn)" },
);

const accessLoggingSchema = z.discriminatedUnion(
    "mode",
    [
        strictObject({
            /** Create a dedicated hardened log bucket next to the store. */
            mode: z.literal("create"),
            /** Days access logs are kept. @default 365 */
            retentionDays: intInRange(1, 3650, "days access logs are kept").default(365),
        }),
        strictObject({
            /** Deliver to an existing log bucket (it must admit logging.s3.amazonaws.com from this bucket). */
            mode: z.literal("existing"),
            targetBucket: s3BucketName("the existing log bucket"),
            /** @default "<bucket name>/" */
            targetPrefix: boundedString(0, 512, "log object key prefix").optional(),
        }),
        strictObject({ mode: z.literal("off") }),
    ],
    { error: () => "must have mode create (with retentionDays), existing (with targetBucket, targetPrefix) or off" },
);

const organizationId = matching(ORGANIZATION_ID_PATTERN, "an organization id, o- and 10–32 lowercase letters or digits (Organizations OrganizationId)");

const targetSchema = z.discriminatedUnion(
    "type",
    [
        strictObject({
            /** Only principals of this account (Quick Setup's LOCAL). */
            type: z.literal("LOCAL"),
        }),
        strictObject({
            /** Principals of accounts under these OUs (`aws:PrincipalOrgPaths`). */
            type: z.literal("OU"),
            organizationId,
            ouIds: z
                .array(matching(OU_ID_PATTERN, "an OU id, ou-<root part 4–32>-<8–32 lowercase letters or digits> (Organizations OrganizationalUnitId)"), {
                    error: "must be a list of OU ids",
                })
                .min(1, { error: "an OU target needs at least one OU id (Quick Setup: 'Was expecting at least one OU')" }),
        }),
        strictObject({
            /** Principals of every account of the organization (`aws:PrincipalOrgID`). */
            type: z.literal("ENTIRE_ORG"),
            organizationId,
        }),
    ],
    { error: () => "must have type LOCAL, OU (with organizationId and ouIds) or ENTIRE_ORG (with organizationId)" },
);

const remediationSchema = strictObject({
    /** Run the remediation Lambda on a schedule (Quick Setup's hourly BaselineRemediation). @default true */
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    /** EventBridge Scheduler rate or cron expression (UTC), e.g. Quick Setup's on-the-hour `cron(0 * * * ? *)`. @default rate(1 hour) */
    schedule: schedulerScheduleSchema.default("rate(1 hour)"),
    /** Retention of the Lambda's log group, in days (a CloudWatch Logs retention value). @default 30 */
    logRetentionDays: z
        .number({ error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retentionInDays)` })
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retentionInDays)` })
        .default(30),
    /** Send failure alarms to this existing SNS topic instead of a topic created by the stack. */
    alarmTopicArn: matching(SNS_TOPIC_ARN_PATTERN, "an SNS topic ARN, arn:<partition>:sns:<region>:<account>:<name>").optional(),
    /** Subscribe this address to the created alarm topic (not with alarmTopicArn). */
    alarmEmail: matching(EMAIL_PATTERN, "an email address").max(254, { error: "must be at most 254 characters" }).optional(),
});

export const overrideStoreSchema = strictObject({
    /** Deploy the store. @default true */
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    /**
     * Short id of this store (Quick Setup's configuration id): names the bucket
     * (`patching-overrides-<account>-<region>-<configId>`), the Lambda and the principal tag
     * `QSConfigId-<configId>` instance roles carry.
     */
    configId: matching(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "lowercase letters, digits and -, starting and ending with a letter or digit"),
    /** Exact bucket name instead of the derived one. */
    bucketName: s3BucketName("bucketName").optional(),
    /** Default encryption. @default { type: SSE_S3 } */
    encryption: encryptionSchema.default({ type: "SSE_S3" }),
    /** Days noncurrent versions of the override object are kept. @default 90 (Quick Setup) */
    noncurrentVersionDays: intInRange(1, 36500, "S3 NoncurrentDays").default(90),
    /** Server access logging. @default { mode: create, retentionDays: 365 } */
    accessLogging: accessLoggingSchema.default({ mode: "create", retentionDays: 365 }),
    /** Who may read the object. @default { type: LOCAL } */
    target: targetSchema.default({ type: "LOCAL" }),
    /** Names of baselines in `patching:baselines` to put in the object. */
    baselines: z.array(z.string({ error: "baseline names must be strings" }), { error: "must be a list of baseline names from patching:baselines" }).default([]),
    /** Baselines this stack does not manage: `pb-…` ids of this account, or ARNs (required for AWS-managed baselines). */
    predefinedBaselines: z
        .array(
            z.string({ error: "must be a baseline id or ARN" }).refine((s) => PATCH_BASELINE_ID_PATTERN.test(s) || PATCH_BASELINE_ARN_PATTERN.test(s), {
                error: "must be a patch baseline id pb-<17 hex digits> or its ARN arn:<partition>:ssm:<region>:<account>:patchbaseline/pb-… (botocore SSM BaselineId)",
            }),
            { error: "must be a list of baseline ids or ARNs" },
        )
        .default([]),
    /** Key of the object. @default baseline_overrides.json */
    objectKey: z
        .string({ error: "must be an S3 object key" })
        .refine((k) => Buffer.byteLength(k, "utf8") <= S3_KEY_MAX_BYTES, { error: `must be at most ${S3_KEY_MAX_BYTES} bytes (S3 object key)` })
        .refine((k) => S3_SAFE_KEY_PATTERN.test(k), {
            error: "may contain only letters, digits and ! - _ . * ' ( ) separated by single /, with no leading or trailing / (S3 safe characters)",
        })
        .default(DEFAULT_OBJECT_KEY),
    /** The remediation Lambda and its schedule. */
    remediation: remediationSchema.default({ enabled: true, schedule: "rate(1 hour)", logRetentionDays: 30 }),
    /** Protect the bucket (and a created KMS key) from `pulumi destroy`. @default false */
    protect: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * Existing instance roles (names, this account) that do not carry the principal tag: the bucket
     * policy admits them and each gets an inline policy reading exactly the object.
     */
    instanceRoleNames: z
        .array(matching(IAM_ROLE_NAME_PATTERN, "an IAM role name, 1–64 of letters, digits and + = , . @ _ - (IAM RoleName)"), { error: "must be a list of IAM role names" })
        .default([]),
});

export type OverrideStoreConfig = z.infer<typeof overrideStoreSchema>;
export type OverrideTargetConfig = OverrideStoreConfig["target"];

/**
 * Minutes in one period of a rate expression (`core/schedule.ts` parses it; EventBridge Scheduler
 * takes the same `rate(value unit)` form, singular for 1), or undefined if it is not one.
 */
export function rateMinutes(expr: string): number | undefined {
    try {
        const parsed = parseSchedule(expr);
        return parsed.kind === "rate" ? parsed.minutes : undefined;
    } catch (err) {
        if (err instanceof ScheduleError) return undefined;
        throw err;
    }
}
/** Gaps in minutes between the next 200 runs of a cron expression from 2026-01-01 (UTC). */
function cronGaps(expr: string): number[] {
    const runs = nextRuns(expr, { from: new Date(Date.UTC(2026, 0, 1)), count: 200 });
    return runs.slice(1).map((r, i) => (r.getTime() - runs[i].getTime()) / 60000);
}

/** The shortest gap between two runs of a cron expression. */
export function cronShortestGapMinutes(expr: string): number | undefined {
    const gaps = cronGaps(expr);
    return gaps.length > 0 ? Math.min(...gaps) : undefined;
}

/**
 * The period a run is expected in: a rate's period, or a cron's longest gap between runs (so
 * every alarm period of that length holds a run); undefined for anything else.
 */
export function schedulePeriodMinutes(expr: string): number | undefined {
    const rate = rateMinutes(expr);
    if (rate !== undefined) return rate;
    try {
        const gaps = parseSchedule(expr).kind === "cron" ? cronGaps(expr) : [];
        return gaps.length > 0 ? Math.max(...gaps) : undefined;
    } catch (err) {
        if (err instanceof ScheduleError) return undefined;
        throw err;
    }
}

/** The shortest remediation period accepted: GetPatchBaseline is a throttled control-plane API. */
export const MIN_REMEDIATION_MINUTES = 15;

function duplicates(sink: IssueSink, path: string, list: unknown[], what: string): void {
    const seen = new Map<string, number>();
    list.forEach((v, i) => {
        if (typeof v !== "string") return;
        const first = seen.get(v);
        if (first !== undefined) sink.add(`${path}[${i}]`, `duplicate ${what}; already listed at ${path}[${first}]`, v);
        else seen.set(v, i);
    });
}

/**
 * Cross-field rules of `patching:overrideStore`. Reads the raw input defensively so every problem
 * is reported at once, even where another field failed the structural schema.
 */
export function checkOverrideStore(sink: IssueSink, path: string, raw: unknown, ctx: { baselines: unknown; region: unknown }): void {
    if (raw === undefined) return;
    const store = asRecord(raw);
    if (store.enabled === false) return;
    const region = typeof ctx.region === "string" ? ctx.region : undefined;

    // Baselines: every name exists, one baseline per operating system, at least one in total.
    const known = new Map<string, string>();
    for (const b of asArray(ctx.baselines)) {
        const r = asRecord(b);
        if (typeof r.name === "string") known.set(r.name, typeof r.operatingSystem === "string" ? r.operatingSystem : "?");
    }
    const names = asArray(store.baselines);
    const byOs = new Map<string, number>();
    names.forEach((n, i) => {
        if (typeof n !== "string") return;
        const os = known.get(n);
        if (os === undefined) {
            sink.add(`${path}.baselines[${i}]`, `is not a baseline of patching:baselines; known: ${[...known.keys()].join(", ") || "(none)"}`, n);
            return;
        }
        const first = byOs.get(os);
        if (first !== undefined && names[first] !== n) {
            sink.add(
                `${path}.baselines[${i}]`,
                `${path}.baselines[${first}] (${String(names[first])}) is already the ${os} baseline; an override file holds one baseline per operating system (AWS-RunPatchBaseline picks the one matching the node)`,
                n,
            );
        } else byOs.set(os, i);
    });
    duplicates(sink, `${path}.baselines`, names, "baseline");
    const predefined = asArray(store.predefinedBaselines);
    duplicates(sink, `${path}.predefinedBaselines`, predefined, "baseline");
    predefined.forEach((id, i) => {
        if (typeof id !== "string") return;
        const m = PATCH_BASELINE_ARN_PATTERN.exec(id);
        if (m && region && m[2] !== region) {
            sink.add(`${path}.predefinedBaselines[${i}]`, `is in ${m[2]}, but the store is in ${region}; GetPatchBaseline reads baselines of its own region`, id);
        }
    });
    const wellFormed = (x: unknown) => x === undefined || Array.isArray(x);
    if (wellFormed(store.baselines) && wellFormed(store.predefinedBaselines) && names.length + predefined.length === 0) {
        sink.add(path, "lists no baselines: set baselines (names from patching:baselines) and/or predefinedBaselines, otherwise the override file is empty");
    }

    // Names derived from the config id: bucket (unless given) and Lambda function. (The principal
    // tag key QSConfigId-<id> stays under 128 characters whenever the function name fits 64.)
    const configId = typeof store.configId === "string" && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(store.configId) ? store.configId : undefined;
    if (configId !== undefined) {
        if (store.bucketName === undefined && region) {
            const derived = deriveOverrideBucketName("0".repeat(ACCOUNT_ID_LENGTH), region, configId);
            const problems = s3BucketNameProblems(derived);
            if (problems.length > 0) {
                sink.add(
                    `${path}.configId`,
                    `derives the bucket name ${deriveOverrideBucketName("<account>", region, configId)} (${derived.length} characters), which ${problems.join("; ")}; shorten configId or set bucketName`,
                    configId,
                );
            }
        }
        const fn = overrideFunctionName(configId);
        if (!LAMBDA_FUNCTION_NAME_PATTERN.test(fn)) {
            sink.add(`${path}.configId`, `derives the Lambda function name ${fn} (${fn.length} characters); Lambda function names are at most 64 characters`, configId);
        }
    }

    // Encryption: the key must live in the bucket's region; a key created here trusts only this account.
    const encryption = asRecord(store.encryption);
    const target = asRecord(store.target);
    if (encryption.type === "SSE_KMS") {
        if (typeof encryption.kmsKeyArn === "string") {
            const m = KMS_KEY_ARN_PATTERN.exec(encryption.kmsKeyArn);
            if (m && region && m[2] !== region) {
                sink.add(`${path}.encryption.kmsKeyArn`, `is in ${m[2]}; S3 default encryption needs a key in the bucket's region ${region}`, encryption.kmsKeyArn);
            }
        } else if (target.type === "OU" || target.type === "ENTIRE_ORG") {
            sink.add(
                `${path}.encryption`,
                `a key created by the stack trusts only this account, so ${target.type} readers in other accounts could not decrypt the object; give kmsKeyArn of a key whose policy admits the organization, or use SSE_S3`,
                store.encryption,
            );
        }
    }

    // Access logs go to another bucket.
    const logging = asRecord(store.accessLogging);
    if (logging.mode === "existing" && typeof logging.targetBucket === "string" && logging.targetBucket === store.bucketName) {
        sink.add(`${path}.accessLogging.targetBucket`, "is the store bucket itself; S3 server access logs must go to another bucket", logging.targetBucket);
    }

    // Remediation schedule and alarm destination.
    const remediation = asRecord(store.remediation);
    if (typeof remediation.schedule === "string") {
        const at = `${path}.remediation.schedule`;
        try {
            const parsed = parseSchedule(remediation.schedule);
            const shortestCronGap = parsed.kind === "cron" ? cronShortestGapMinutes(remediation.schedule) : undefined;
            if (parsed.kind === "at" || (parsed.kind === "cron" && parsed.hasSeconds)) {
                sink.add(at, "must be an EventBridge Scheduler rate(<n> minute|minutes|hour|hours|day|days) or six-field cron(…) expression, e.g. rate(1 hour) or cron(0 * * * ? *)", remediation.schedule);
            } else if (shortestCronGap !== undefined && shortestCronGap < MIN_REMEDIATION_MINUTES) {
                sink.add(at, `runs ${shortestCronGap} minute(s) apart at times; at least ${MIN_REMEDIATION_MINUTES} minutes: GetPatchBaseline is throttled and baselines rarely change (Quick Setup: hourly)`, remediation.schedule);
            } else if (parsed.kind === "rate" && parsed.minutes < MIN_REMEDIATION_MINUTES) {
                sink.add(at, `runs more often than every ${MIN_REMEDIATION_MINUTES} minutes; GetPatchBaseline is throttled and baselines rarely change (Quick Setup: hourly)`, remediation.schedule);
            }
        } catch (err) {
            // A malformed expression is reported by the schema (schedulerScheduleSchema).
            if (!(err instanceof ScheduleError)) throw err;
        }
    }
    if (remediation.alarmTopicArn !== undefined && remediation.alarmEmail !== undefined) {
        sink.add(`${path}.remediation.alarmEmail`, "subscribes to a topic the stack creates; with alarmTopicArn, subscribe to that topic instead", remediation.alarmEmail);
    }

    duplicates(sink, `${path}.instanceRoleNames`, asArray(store.instanceRoleNames), "role");
}
