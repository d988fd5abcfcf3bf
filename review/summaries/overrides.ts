/**
 * Summaries of the baseline-override store's resources that no other area summarises: the
 * `BaselineOverrides` object, bucket versioning and ownership, the remediation Lambda, its
 * schedule, async-invoke config and alarm (policies, roles, lifecycle, encryption, topics and keys
 * are summarised in summaries/compliance.ts), and the review section of the store.
 */
import type { ReviewSection, SectionInput } from "../sections";
import { Inputs, Summarisers } from "./util";

function list(v: unknown): string {
    return Array.isArray(v) ? v.join(", ") : String(v);
}

export const overrideSummarisers: Summarisers = {
    "pulumi-nodejs:dynamic/patching:BaselineOverrides": (i) => [
        `s3://${i.bucket}/${i.key} ← ${(i.baselineIds ?? []).length} baseline(s): ${list(i.baselineIds ?? [])}`,
        `writer ${i.writer}, provider ${i.providerVersion}${typeof i.__provider === "string" ? ` (serialised closure, ${i.__provider.length} chars)` : ""}, definitions sha256 ${String(i.definitionsSha256).slice(0, 12)}`,
        "create/update: write if the sha256 changed (conditional PutObject); refresh: reports drift; delete: this store's versions",
    ],
    "aws:s3/bucketVersioning:BucketVersioning": (i) => [`versioning ${i.versioningConfiguration?.status}`],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (i) => [`object ownership ${i.rule?.objectOwnership} (ACLs disabled)`],
    "aws:lambda/function:Function": (i) => [
        `${i.name}: ${i.runtime} ${list(i.architectures)}, ${i.memorySize} MB, timeout ${i.timeout}s, handler ${i.handler}`,
        ...(i.environment?.variables ? [`environment: ${Object.entries(i.environment.variables as Inputs).map(([k, v]) => `${k}=${v}`).join(" ")}`] : []),
        ...(typeof i.code === "object" ? [`code ${JSON.stringify(i.code)}`] : []),
    ],
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (i) => [
        `async invocations of ${i.functionName}: ${i.maximumRetryAttempts} retr${i.maximumRetryAttempts === 1 ? "y" : "ies"}, events expire after ${i.maximumEventAgeInSeconds}s`,
        ...(i.destinationConfig?.onFailure ? [`on failure → ${i.destinationConfig.onFailure.destination}`] : []),
    ],
    "aws:scheduler/schedule:Schedule": (i) => [
        `${i.name}: ${i.scheduleExpression}${i.scheduleExpressionTimezone ? ` (${i.scheduleExpressionTimezone})` : ""}, ${i.state ?? "ENABLED"}, flexible window ${i.flexibleTimeWindow?.mode}`,
        `target ${i.target?.arn} as ${i.target?.roleArn}; retries ${i.target?.retryPolicy?.maximumRetryAttempts ?? "default"}, max event age ${i.target?.retryPolicy?.maximumEventAgeInSeconds ?? "default"}s`,
    ],
    "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => [
        `${i.name}: ${i.namespace} ${i.metricName} ${i.statistic} ${i.comparisonOperator === "GreaterThanOrEqualToThreshold" ? "≥" : i.comparisonOperator} ${i.threshold} over ${i.evaluationPeriods}×${i.period}s (${list(i.dimensions ? Object.values(i.dimensions) : [])})`,
        `alarm → ${list(i.alarmActions ?? [])}; missing data ${i.treatMissingData ?? "missing"}`,
    ],
};

/** The review section: where the object is, what is in it, who may read it, how it is kept true. */
export function overrideStoreSection(input: SectionInput): ReviewSection | undefined {
    const store = input.config.overrideStore;
    if (!store?.enabled) return undefined;
    const object = input.resources.find((r) => r.type === "pulumi-nodejs:dynamic/patching:BaselineOverrides");
    const os = new Map(input.config.baselines.map((b) => [b.name, b.operatingSystem]));
    const t = store.target;
    const target =
        t.type === "LOCAL" ? "LOCAL (this account)" : t.type === "OU" ? `OU ${t.ouIds.join(", ")} of ${t.organizationId} (aws:PrincipalOrgPaths)` : `ENTIRE_ORG ${t.organizationId} (aws:PrincipalOrgID)`;
    const lines = [
        `BaselineOverride parameter: s3://${object?.inputs.bucket ?? "?"}/${store.objectKey}`,
        `baselines: ${[...store.baselines.map((n) => `${n} (${os.get(n)})`), ...store.predefinedBaselines.map((id) => `${id} (predefined)`)].join(", ")}`,
        `target: ${target}`,
        `readers: roles tagged QSConfigId-${store.configId}=${store.configId}, the remediation role, the deploying identity${
            store.instanceRoleNames.length > 0 ? `, and existing roles ${store.instanceRoleNames.join(", ")} (each granted s3:GetObject on the object)` : ""
        }`,
        `bucket: ${store.encryption.type === "SSE_KMS" ? `SSE-KMS ${store.encryption.kmsKeyArn ?? "(key created, rotating)"}` : "SSE-S3"}, versioned, noncurrent versions kept ${store.noncurrentVersionDays} days, access logs ${store.accessLogging.mode}${store.protect ? ", protected" : ""}`,
        store.remediation.enabled
            ? `remediation: ${store.remediation.schedule} (EventBridge Scheduler) → Lambda baseline-overrides-${store.configId}; writes only when the content changed; failures → ${store.remediation.alarmTopicArn ?? `SNS baseline-overrides-${store.configId}-alarms`}${store.remediation.alarmEmail ? ` (${store.remediation.alarmEmail})` : ""}`
            : "remediation: off (the object changes only on pulumi up)",
    ];
    return { title: `Baseline-override store ${store.configId}`, lines };
}
