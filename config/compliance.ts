/**
 * `patching:compliance` — seeing compliance: software inventory, resource data sync, the patch
 * report export, notifications, the dashboard, log retention and the Security Hub integration.
 * Structural rules are in the schema; rules across fields (schedules, bucket ownership,
 * multi-account admission) in {@link checkCompliance}, which reads the raw input defensively so
 * every problem is reported at once.
 */
import { z } from "zod";
import { eventBridgeRuleScheduleProblems } from "../core/schedule";
import { eventBridgeRuleScheduleSchema, stateManagerScheduleSchema, tagTargetSchema } from "./fields";
import { INVENTORY_DOCUMENT, NOTIFICATION_RULE_KEYS, PATCH_DOCUMENTS } from "../core/complianceEvents";
import { boundedString, intInRange, matching, oneOf, strictObject } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import {
    ACCOUNT_ID_PATTERN,
    ASSOCIATION_NAME_PATTERN,
    ATHENA_MIN_BYTES_SCANNED_CUTOFF,
    COMPLIANCE_LEVELS,
    DOCUMENT_NAME_PATTERN,
    EMAIL_MAX,
    EMAIL_PATTERN,
    EVENT_RULE_NAME_PATTERN,
    LOG_GROUP_NAME_PATTERN,
    LOG_RETENTION_DAYS,
    MAX_ASSOCIATION_TARGETS,
    ORGANIZATION_ID_PATTERN,
    PATCH_REPORT_RULE_PREFIX,
    REGION_PATTERN,
    RESOURCE_DATA_SYNC_NAME_MAX,
    RESOURCE_DATA_SYNC_PREFIX_MAX,
    s3BucketNameProblems,
} from "./rules";

const bool = () => z.boolean({ error: "must be true or false" });

/**
 * At most this many accounts are admitted one by one: each gets its own bucket-policy statement
 * (its account id bound to its own `accountid=` prefix), and a bucket policy is at most 20 KB (S3
 * user guide, "Bucket policy examples"/quotas). Larger fleets admit the organization.
 */
export const MAX_ADMITTED_ACCOUNTS = 40;
/** The longest report name that keeps the rule name within EventBridge's 64 characters. */
export const PATCH_REPORT_NAME_MAX = 64 - PATCH_REPORT_RULE_PREFIX.length;
/** S3 key prefix written by the sync: path segments of safe characters, no leading or trailing `/`. */
const S3_PREFIX_PATTERN = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
/** Where Athena writes query results in the compliance bucket (kept out of the sync prefix). */
export const ATHENA_RESULTS_PREFIX = "athena-results";

/** The inventory types AWS-GatherSoftwareInventory collects, each `Enabled`/`Disabled`. */
export const INVENTORY_TYPES = [
    "applications",
    "awsComponents",
    "networkConfig",
    "windowsUpdates",
    "instanceDetailedInformation",
    "services",
    "windowsRoles",
    "customInventory",
] as const;

const bucketSchema = strictObject({
    /** Exact bucket name (S3 naming rules). @default auto-named `<stack name>-compliance-…` */
    name: z.string({ error: "must be a bucket name" }).optional(),
    /** Days a replaced object version is kept; the sync rewrites its files at every inventory run. @default 30 */
    noncurrentVersionDays: intInRange(1, 3650, "days a replaced version is kept").default(30),
    /** Protect the bucket from `pulumi destroy`. @default false */
    protect: bool().default(false),
    /** Other accounts whose resource data syncs may write here (12-digit ids). */
    admitAccounts: z.array(z.string({ error: "account ids are strings of 12 digits" }), { error: "must be a list of account ids" }).default([]),
    /** An organization (`o-…`) all of whose accounts' syncs may write here. */
    admitOrganization: matching(ORGANIZATION_ID_PATTERN, "an organization id such as o-a1b2c3d4e5 (Organizations OrganizationId)").optional(),
});

const inventorySchema = strictObject({
    /** A node takes one inventory association: turn off where Quick Setup already gathers inventory. @default true */
    enabled: bool().default(true),
    /** State Manager association name. @default `<stack prefix>-software-inventory` */
    associationName: matching(ASSOCIATION_NAME_PATTERN, "3–128 letters, digits, _ - . (botocore AssociationName)").optional(),
    /** State Manager schedule. @default rate(30 minutes), as Quick Setup's host management */
    schedule: stateManagerScheduleSchema.default("rate(30 minutes)"),
    /** `all` (every managed node) or tag key → values. @default all */
    targets: z
        .union([z.literal("all"), tagTargetSchema], {
            error: 'must be "all" (every managed node) or a map of tag key to values, e.g. { "Patch Group": [prod] }',
        })
        .default("all"),
    /** Inventory types to collect. @default all true */
    collect: strictObject({
        applications: bool().default(true),
        awsComponents: bool().default(true),
        networkConfig: bool().default(true),
        windowsUpdates: bool().default(true),
        instanceDetailedInformation: bool().default(true),
        services: bool().default(true),
        windowsRoles: bool().default(true),
        customInventory: bool().default(true),
    }).prefault({}),
});

const dataSyncSchema = strictObject({
    /** @default true */
    enabled: bool().default(true),
    /** Resource data sync name (1–64 characters, unique per account and Region). @default `<stack prefix>-compliance` */
    name: boundedString(1, RESOURCE_DATA_SYNC_NAME_MAX, "botocore ResourceDataSyncName").optional(),
    /** S3 key prefix the sync writes under. @default resource-data-sync */
    prefix: boundedString(1, RESOURCE_DATA_SYNC_PREFIX_MAX, "botocore ResourceDataSyncS3Prefix").default("resource-data-sync"),
    /** A member stack: sync into this central bucket (owned by the management account) instead of this account's bucket. */
    centralBucket: strictObject({
        /** The central bucket's name. */
        name: z.string({ error: "must be a bucket name" }),
        /** The central bucket's Region. */
        region: matching(REGION_PATTERN, "an AWS region name such as us-east-1"),
    }).optional(),
});

const patchReportSchema = strictObject({
    /** @default true */
    enabled: bool().default(true),
    /** Report name; the schedule rule is `AWS-SystemsManager-PatchManager-PatchReport-<name>`. @default weekly */
    name: z.string({ error: "must be a report name" }).default("weekly"),
    /** EventBridge schedule expression. @default rate(7 days), as the console's weekly report */
    schedule: eventBridgeRuleScheduleSchema.default("rate(7 days)"),
    /** Also publish to the notification topic when a report is written. @default false */
    notify: bool().default(false),
});

const notificationsSchema = strictObject({
    /** @default true */
    enabled: bool().default(true),
    /** Email addresses subscribed to the topic (each confirms by email). */
    emails: z.array(z.string({ error: "must be an email address" }), { error: "must be a list of email addresses" }).default([]),
    /** Which rules to create. */
    rules: strictObject({
        /** Patch compliance state changes to non-compliant. @default true */
        patchNonCompliant: bool().default(true),
        /** Run Command commands of the watched documents that fail or time out. @default true */
        runCommandFailed: bool().default(true),
        /** The same per managed node (one message per node). @default false */
        runCommandInvocationFailed: bool().default(false),
        /** Automations that fail, time out or complete with failures. @default true */
        automationFailed: bool().default(true),
        /** State Manager associations of the watched documents that fail. @default true */
        associationFailed: bool().default(true),
    }).prefault({}),
    /** Only these patch compliance severities are notified. @default all */
    severities: z.array(oneOf(COMPLIANCE_LEVELS, "botocore PatchComplianceLevel"), { error: "must be a list of severities" }).default([]),
    /** Documents whose Run Command and association failures are notified. @default the patching documents and AWS-GatherSoftwareInventory */
    documents: z.array(z.string({ error: "document names are strings" }), { error: "must be a list of document names" }).default([...PATCH_DOCUMENTS, INVENTORY_DOCUMENT]),
    /** Automation runbooks whose failures are notified (exact names or `prefix*`). @default every automation */
    automationDocuments: z.array(z.string({ error: "runbook names are strings" }), { error: "must be a list of runbook names" }).default([]),
});

const logsSchema = strictObject({
    /** Log group patching commands send their output to (CloudWatchOutputConfig). @default /aws/ssm/patch-manager */
    groupName: matching(LOG_GROUP_NAME_PATTERN, "1–512 letters, digits and . - _ / # (CloudWatch Logs LogGroupName)").default("/aws/ssm/patch-manager"),
    /** Retention in days. @default 30 */
    retentionDays: z
        .number({ error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs PutRetentionPolicy)` })
        .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs PutRetentionPolicy)` })
        .default(30),
});

const athenaSchema = strictObject({
    /** Create an Athena workgroup for querying the synced data. @default false */
    enabled: bool().default(false),
    /** Per-query scan limit in MB. @default 1024 */
    bytesScannedCutoffMb: intInRange(ATHENA_MIN_BYTES_SCANNED_CUTOFF / 1_000_000, 1_000_000, "Athena BytesScannedCutoffPerQuery in MB").default(1024),
});

/**
 * Patch Manager's Security Hub integration: `unmanaged` leaves it as it is (on by default once
 * Security Hub is enabled); `on` manages the product subscription, so the stack turns it on where it
 * was turned off, and switching back to `unmanaged` after `on` removes it (stops the findings).
 */
export const SECURITY_HUB_MODES = ["unmanaged", "on"] as const;

export const complianceSchema = strictObject({
    /** This account's compliance bucket (sync target and/or patch reports). */
    bucket: bucketSchema.prefault({}),
    /** Software inventory association (AWS-GatherSoftwareInventory). */
    inventory: inventorySchema.prefault({}),
    /** Resource data sync of inventory and compliance to S3. */
    dataSync: dataSyncSchema.prefault({}),
    /** Scheduled patch compliance report export (AWS-ExportPatchReportToS3). */
    patchReport: patchReportSchema.prefault({}),
    /** EventBridge rules → KMS-encrypted SNS topic → email. */
    notifications: notificationsSchema.prefault({}),
    /** Log group for patching command output. */
    logs: logsSchema.prefault({}),
    /** CloudWatch dashboard. */
    dashboard: strictObject({ /** @default true */ enabled: bool().default(true) }).prefault({}),
    /** Athena workgroup over the synced data. */
    athena: athenaSchema.prefault({}),
    /** Patch Manager → Security Hub findings (see {@link SECURITY_HUB_MODES}). @default unmanaged */
    securityHub: strictObject({ patchFindings: oneOf(SECURITY_HUB_MODES, "Patch Manager Security Hub integration").default("unmanaged") }).prefault({}),
});

export type ComplianceConfig = z.infer<typeof complianceSchema>;

/** Whether this account gets its own compliance bucket. */
export function needsLocalBucket(c: Pick<ComplianceConfig, "dataSync" | "patchReport" | "athena">): boolean {
    return (c.dataSync.enabled && !c.dataSync.centralBucket) || c.patchReport.enabled || c.athena.enabled;
}

/** Problems with `expression` as an EventBridge rule schedule: the EventBridge rule dialect of core/schedule.ts. */
export const eventBridgeScheduleProblems = eventBridgeRuleScheduleProblems;

function checkBucketName(sink: IssueSink, path: string, name: unknown): void {
    if (typeof name !== "string") return;
    const problems = s3BucketNameProblems(name);
    if (problems.length > 0) sink.add(path, `is not a valid S3 bucket name: ${problems.join("; ")} (S3 bucket naming rules)`, name);
}

function checkDocumentList(sink: IssueSink, path: string, list: unknown, allowPrefix: boolean): void {
    const seen = new Set<string>();
    asArray(list).forEach((d, i) => {
        if (typeof d !== "string") return;
        const name = allowPrefix && d.endsWith("*") ? d.slice(0, -1) : d;
        const ok = allowPrefix && d.endsWith("*") ? /^[a-zA-Z0-9_\-.:/]{1,127}$/.test(name) : DOCUMENT_NAME_PATTERN.test(name);
        if (!ok) sink.add(`${path}[${i}]`, `must be a document name of 3–128 letters, digits, _ - . : /${allowPrefix ? ", or a prefix ending in *" : ""} (botocore DocumentARN)`, d);
        if (seen.has(d)) sink.add(`${path}[${i}]`, "is listed twice", d);
        seen.add(d);
    });
}

/**
 * Cross-field rules of `patching:compliance`, read from the raw input so they run even where the
 * structural schema failed elsewhere.
 */
export function checkCompliance(sink: IssueSink, path: string, raw: unknown): void {
    if (raw === undefined) return;
    const c = asRecord(raw);
    const bucket = asRecord(c.bucket);
    const inventory = asRecord(c.inventory);
    const dataSync = asRecord(c.dataSync);
    const report = asRecord(c.patchReport);
    const notifications = asRecord(c.notifications);
    const athena = asRecord(c.athena);
    const on = (section: Record<string, unknown>, dflt: boolean) => (typeof section.enabled === "boolean" ? section.enabled : dflt);
    const central = dataSync.centralBucket !== undefined;
    const syncOn = on(dataSync, true);
    const reportOn = on(report, true);
    const athenaOn = on(athena, false);
    const notificationsOn = on(notifications, true);
    const localBucket = (syncOn && !central) || reportOn || athenaOn;

    // Bucket
    checkBucketName(sink, `${path}.bucket.name`, bucket.name);
    if (bucket.name !== undefined && !localBucket) {
        sink.add(`${path}.bucket.name`, "no bucket is created in this account: the sync writes to dataSync.centralBucket and the patch report and Athena are off; remove bucket.name", bucket.name);
    }
    const accounts = asArray(bucket.admitAccounts);
    const seenAccounts = new Set<string>();
    accounts.forEach((a, i) => {
        if (typeof a === "string" && !ACCOUNT_ID_PATTERN.test(a)) sink.add(`${path}.bucket.admitAccounts[${i}]`, "must be a 12-digit AWS account id", a);
        if (typeof a === "string" && seenAccounts.has(a)) sink.add(`${path}.bucket.admitAccounts[${i}]`, "is listed twice", a);
        if (typeof a === "string") seenAccounts.add(a);
    });
    if (accounts.length > MAX_ADMITTED_ACCOUNTS) {
        sink.add(`${path}.bucket.admitAccounts`, `at most ${MAX_ADMITTED_ACCOUNTS} accounts one by one (one bucket-policy statement each, 20 KB policy limit); admit the organization with admitOrganization instead`, accounts.length);
    }
    if (central && (accounts.length > 0 || bucket.admitOrganization !== undefined)) {
        sink.add(
            `${path}.bucket`,
            "admitAccounts/admitOrganization open this account's bucket to other accounts' syncs, but this stack syncs into dataSync.centralBucket; set them on the stack that owns the central bucket",
            { admitAccounts: bucket.admitAccounts, admitOrganization: bucket.admitOrganization },
        );
    }

    // Inventory
    const targets = inventory.targets;
    if (targets !== undefined && targets !== "all" && typeof targets === "object" && targets !== null && !Array.isArray(targets)) {
        const entries = Object.entries(targets as Record<string, unknown>);
        if (entries.length === 0) sink.add(`${path}.inventory.targets`, 'needs at least one tag key, or "all"', targets);
        if (entries.length > MAX_ASSOCIATION_TARGETS) sink.add(`${path}.inventory.targets`, `at most ${MAX_ASSOCIATION_TARGETS} tag keys (botocore Targets)`, entries.length);
    }
    const collect = asRecord(inventory.collect);
    if (INVENTORY_TYPES.every((t) => collect[t] === false)) sink.add(`${path}.inventory.collect`, "collects nothing; enable at least one inventory type or set inventory.enabled: false", collect);

    // Resource data sync
    if (typeof dataSync.prefix === "string" && !S3_PREFIX_PATTERN.test(dataSync.prefix)) {
        sink.add(`${path}.dataSync.prefix`, "must be S3 key segments of letters, digits and ! _ . * ' ( ) - separated by /, without a leading or trailing /", dataSync.prefix);
    }
    if (typeof dataSync.prefix === "string" && (dataSync.prefix === ATHENA_RESULTS_PREFIX || dataSync.prefix.startsWith(`${ATHENA_RESULTS_PREFIX}/`))) {
        sink.add(`${path}.dataSync.prefix`, `${ATHENA_RESULTS_PREFIX}/ holds Athena query results; choose another prefix`, dataSync.prefix);
    }
    checkBucketName(sink, `${path}.dataSync.centralBucket.name`, asRecord(dataSync.centralBucket).name);

    // Patch report
    if (typeof report.name === "string" && !EVENT_RULE_NAME_PATTERN.test(`${PATCH_REPORT_RULE_PREFIX}${report.name}`)) {
        sink.add(
            `${path}.patchReport.name`,
            `must be 1–${PATCH_REPORT_NAME_MAX} letters, digits, . - _ so that the rule name ${PATCH_REPORT_RULE_PREFIX}<name> fits EventBridge's 64 characters`,
            report.name,
        );
    }
    if (typeof report.name === "string" && report.name.length === 0) sink.add(`${path}.patchReport.name`, "must not be empty", report.name);
    if (reportOn && report.notify === true && !notificationsOn) {
        sink.add(`${path}.patchReport.notify`, "needs the notification topic: set notifications.enabled: true, or notify: false", true);
    }

    // Notifications
    const seenEmails = new Set<string>();
    asArray(notifications.emails).forEach((e, i) => {
        if (typeof e !== "string") return;
        if (e.length > EMAIL_MAX || !EMAIL_PATTERN.test(e)) sink.add(`${path}.notifications.emails[${i}]`, "is not an email address SNS can deliver to (name@example.com)", e);
        if (seenEmails.has(e.toLowerCase())) sink.add(`${path}.notifications.emails[${i}]`, "is listed twice", e);
        seenEmails.add(e.toLowerCase());
    });
    if (notificationsOn) {
        const rules = asRecord(notifications.rules);
        const defaults: Record<string, boolean> = { runCommandInvocationFailed: false };
        if (NOTIFICATION_RULE_KEYS.every((k) => (typeof rules[k] === "boolean" ? rules[k] : (defaults[k] ?? true)) === false)) {
            sink.add(`${path}.notifications.rules`, "every rule is off; turn one on or set notifications.enabled: false", rules);
        }
        if (notifications.documents !== undefined && asArray(notifications.documents).length === 0) {
            sink.add(`${path}.notifications.documents`, "needs at least one document whose failures are reported", notifications.documents);
        }
    }
    checkDocumentList(sink, `${path}.notifications.documents`, notifications.documents, false);
    checkDocumentList(sink, `${path}.notifications.automationDocuments`, notifications.automationDocuments, true);
    const seenSeverities = new Set<unknown>();
    asArray(notifications.severities).forEach((s, i) => {
        if (seenSeverities.has(s)) sink.add(`${path}.notifications.severities[${i}]`, "is listed twice", s);
        seenSeverities.add(s);
    });

    // Athena
    if (athenaOn && (!syncOn || central)) {
        sink.add(`${path}.athena.enabled`, "queries the synced data in this account's bucket: needs dataSync.enabled and no dataSync.centralBucket (query on the stack that owns the central bucket)", true);
    }
}

/** The name of the EventBridge rule that runs the report (Patch Manager console convention). */
export function patchReportRuleName(reportName: string): string {
    return `${PATCH_REPORT_RULE_PREFIX}${reportName}`;
}

/** Association targets for the inventory association (`InstanceIds=*` or `tag:<key>`). */
export function inventoryTargets(targets: ComplianceConfig["inventory"]["targets"]): { key: string; values: string[] }[] {
    if (targets === "all") return [{ key: "InstanceIds", values: ["*"] }];
    return Object.entries(targets).map(([key, values]) => ({ key: `tag:${key}`, values }));
}
