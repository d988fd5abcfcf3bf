import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_OBJECT_KEY, deriveOverrideBucketName, overrideFunctionName, PRINCIPAL_TAG_PREFIX, schedulePeriodMinutes } from "../config/overrideStore";
import { canonicalJson, sha256Hex, syncWorstCaseMs } from "../core/overrides";
import { BaselineOverrides } from "./baselineOverridesProvider";
import { BucketAccessLogging, HardenedBucket } from "./hardenedBucket";
import { alarmTopic } from "./alarmTopic";
import { NodeLambda } from "./nodeLambda";
import { schedulerRole } from "./schedulerRole";
import type { BaselineOverrideRef } from "./overrideRef";

/** The remediation Lambda's timeout: the core's worst case (core/overrides.ts syncWorstCaseMs) plus 30 s. */
export const REMEDIATION_TIMEOUT_SECONDS = Math.ceil(syncWorstCaseMs() / 1000) + 30;

/** Who may read the override object (Quick Setup's TargetEntities). */
export type OverrideTarget =
    /** Principals of this account. */
    | { type: "LOCAL" }
    /** Principals of accounts under these OUs (`aws:PrincipalOrgPaths`). */
    | { type: "OU"; organizationId: string; ouIds: string[] }
    /** Principals of every account of the organization (`aws:PrincipalOrgID`). */
    | { type: "ENTIRE_ORG"; organizationId: string };

/** A baseline that goes into the override object. */
export interface OverrideBaseline {
    /** Display name (config name, or the id/ARN of a predefined baseline). */
    name: string;
    /** What `GetPatchBaseline` is called with: `pb-…` id, or the ARN for AWS-managed baselines. */
    id: pulumi.Input<string>;
    /** The baseline ARN, for the remediation role's `ssm:GetPatchBaseline` grant. @default derived from a `pb-…` id in this account and region */
    arn?: pulumi.Input<string>;
    /** The stack's definition of the baseline (fingerprinted: an edit re-syncs the object). */
    definition?: unknown;
}

/** The remediation Lambda and its schedule. */
export interface OverrideRemediation {
    /** EventBridge Scheduler rate expression. @default rate(1 hour) */
    scheduleExpression?: string;
    /** Retention of the function's log group, days. @default 30 */
    logRetentionDays?: number;
    /** Existing SNS topic for failure alarms. @default a topic created here */
    alarmTopicArn?: pulumi.Input<string>;
    /** Email subscribed to the created topic. */
    alarmEmail?: string;
}

/** Arguments of {@link BaselineOverrideStore}. */
export interface BaselineOverrideStoreArgs {
    /** Store id (Quick Setup's configuration id): bucket name, principal tag `QSConfigId-<id>`, Lambda name. */
    configId: string;
    /** Region of the bucket and the baselines (the stack's region). */
    region: string;
    /** Exact bucket name. @default patching-overrides-<account>-<region>-<configId> */
    bucketName?: string;
    /** Object key. @default baseline_overrides.json */
    objectKey?: string;
    /** Default encryption; SSE_KMS without a key ARN creates a rotating key here. @default { type: "SSE_S3" } */
    encryption?: { type: "SSE_S3" } | { type: "SSE_KMS"; kmsKeyArn?: string };
    /** Days noncurrent versions of the object are kept. @default 90 */
    noncurrentVersionDays?: number;
    /** Server access logging. @default { mode: "create" } */
    accessLogging?: BucketAccessLogging;
    /** Who may read the object. @default { type: "LOCAL" } */
    target?: OverrideTarget;
    /** Baselines in the object (at least one). */
    baselines: OverrideBaseline[];
    /** Existing instance roles of this account to admit and grant read access. @default [] */
    instanceRoleNames?: string[];
    /** The remediation Lambda and its schedule; `false` deploys none. @default {} (hourly) */
    remediation?: OverrideRemediation | false;
    /** Writer id stored with each version, shared by the provider and the Lambda, e.g. `patching/dev/dev01`. */
    writer: string;
    /** Protect the bucket and a created key from deletion. @default false */
    protect?: boolean;
    /** Tags for every taggable resource. */
    tags: Record<string, string>;
}

/**
 * The `aws:PrincipalArn` values that match the identity running the deployment, from its
 * `sts:GetCallerIdentity` ARN. An assumed-role session is matched through its role (with or
 * without a path: role names are unique in an account); users and root as they are.
 */
export function principalArnPatterns(callerArn: string): string[] {
    const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
    if (m) return roleArnPatterns(m[1], m[2], m[3]);
    return [callerArn];
}

/** ARN patterns matching the role `name` of `account` whatever its path. */
export function roleArnPatterns(partition: string, account: string, name: string): string[] {
    return [`arn:${partition}:iam::${account}:role/${name}`, `arn:${partition}:iam::${account}:role/*/${name}`];
}

/** The bucket policy statement admitting the target's principals (Quick Setup's `Target`). */
export function targetStatement(target: OverrideTarget, objectArn: pulumi.Input<string>, partition: pulumi.Input<string>, account: pulumi.Input<string>): aws.iam.PolicyStatement {
    const base = { Sid: "Target", Effect: "Allow" as const, Action: "s3:GetObject", Resource: objectArn };
    switch (target.type) {
        case "LOCAL":
            return { ...base, Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` } };
        case "OU":
            return {
                ...base,
                Principal: "*",
                Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": target.ouIds.map((ou) => `${target.organizationId}/*/${ou}/*`) } },
            };
        case "ENTIRE_ORG":
            return { ...base, Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": target.organizationId } } };
    }
}

/**
 * Quick Setup's baseline-override store as code: a hardened bucket (owner-enforced, public access
 * blocked, versioned, encrypted, access-logged, TLS-only) with a lifecycle rule expiring noncurrent
 * versions of the object, a bucket policy that denies the object to every principal without the
 * principal tag except this stack's automation and the named instance roles, and admits the
 * target (this account, OUs, or the organization); the object itself as a `BaselineOverrides`
 * dynamic resource; the named instance roles' read grants; and the scheduled remediation Lambda
 * with its failure alarm.
 */
export class BaselineOverrideStore extends pulumi.ComponentResource {
    /** What patch policies and instance roles need: the object's URL and ARN, the principal tag, the key. */
    public readonly ref: BaselineOverrideRef;
    public readonly bucket: HardenedBucket;
    public readonly object: BaselineOverrides;
    public readonly bucketName: pulumi.Output<string>;
    public readonly objectArn: pulumi.Output<string>;
    public readonly s3Url: pulumi.Output<string>;
    /** The remediation function, when enabled. */
    public readonly remediation?: NodeLambda;
    /** Topic receiving remediation failures, when remediation is enabled. */
    public readonly alarmTopicArn?: pulumi.Output<string>;

    constructor(name: string, args: BaselineOverrideStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:overrides:BaselineOverrideStore", name, {}, opts);
        if (args.baselines.length === 0) throw new Error(`BaselineOverrideStore ${name}: at least one baseline is required`);
        const key = args.objectKey ?? DEFAULT_OBJECT_KEY;
        const target = args.target ?? { type: "LOCAL" };
        const encryption = args.encryption ?? { type: "SSE_S3" };
        const tagKey = `${PRINCIPAL_TAG_PREFIX}${args.configId}`;
        const functionName = overrideFunctionName(args.configId);
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = identity.accountId;

        this.bucketName = args.bucketName ? pulumi.output(args.bucketName) : account.apply((a) => deriveOverrideBucketName(a, args.region, args.configId));
        const bucketArn = pulumi.interpolate`arn:${partition}:s3:::${this.bucketName}`;
        const baselineArns = args.baselines.map((b) => b.arn ?? pulumi.interpolate`arn:${partition}:ssm:${args.region}:${account}:patchbaseline/${b.id}`);
        this.objectArn = pulumi.interpolate`${bucketArn}/${key}`;

        // A key created here (not by HardenedBucket) so the Lambda, the instance grants and the ref know it up front.
        let kmsKeyArn: pulumi.Output<string> | undefined;
        if (encryption.type === "SSE_KMS") {
            kmsKeyArn = encryption.kmsKeyArn
                ? pulumi.output(encryption.kmsKeyArn)
                : new aws.kms.Key(
                      `${name}-key`,
                      { description: `Encrypts the baseline-override store ${args.configId}`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags },
                      { parent: this, protect: args.protect },
                  ).arn;
        }
        // Readers decrypt through S3 only.
        const decryptViaS3 = (actions: string[]): aws.iam.PolicyStatement[] =>
            kmsKeyArn
                ? [{ Sid: "DecryptOverridesViaS3", Effect: "Allow", Action: actions, Resource: kmsKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } } }]
                : [];

        const remediation = args.remediation === false ? undefined : (args.remediation ?? {});
        let alarmTopicArn: pulumi.Output<string> | undefined;
        let alarmTopicKeyArn: pulumi.Output<string> | undefined;
        if (remediation) {
            if (remediation.alarmTopicArn) alarmTopicArn = pulumi.output(remediation.alarmTopicArn);
            else {
                const { topic, key } = alarmTopic(`${name}-alarms`, { topicName: `${functionName}-alarms`, region: args.region, accountId: account, partition, tags: args.tags }, { parent: this });
                if (remediation.alarmEmail) {
                    new aws.sns.TopicSubscription(`${name}-alarms-email`, { topic: topic.arn, protocol: "email", endpoint: remediation.alarmEmail }, { parent: this });
                }
                alarmTopicKeyArn = key.arn;
                alarmTopicArn = topic.arn;
            }
            this.remediation = new NodeLambda(
                `${name}-remediation`,
                {
                    entry: "lambda/remediateOverrides.ts",
                    functionName,
                    description: `Keeps s3://…/${key} equal to its ${args.baselines.length} patch baseline(s) (baseline-override store ${args.configId})`,
                    statements: pulumi.all([baselineArns, alarmTopicKeyArn]).apply(([arns, topicKeyArn]): aws.iam.PolicyStatement[] => [
                        { Sid: "ReadListedBaselines", Effect: "Allow", Action: ["ssm:GetPatchBaseline"], Resource: arns },
                        { Sid: "ReadWriteOverrideObject", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: this.objectArn },
                        // Without ListBucket, S3 answers 403 instead of 404 for a missing object.
                        { Sid: "TellMissingFromDenied", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
                        ...decryptViaS3(["kms:Decrypt", "kms:GenerateDataKey"]),
                        { Sid: "ReportFailures", Effect: "Allow", Action: ["sns:Publish"], Resource: alarmTopicArn! },
                        ...(topicKeyArn ? [{ Sid: "EncryptFailureReports", Effect: "Allow" as const, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: topicKeyArn }] : []),
                    ]),
                    environment: {
                        OVERRIDE_BUCKET: this.bucketName,
                        OVERRIDE_KEY: key,
                        OVERRIDE_BASELINE_IDS: pulumi.jsonStringify(args.baselines.map((b) => b.id)),
                        OVERRIDE_WRITER: args.writer,
                    },
                    // A whole run with every attempt of every call hanging until its timeout still ends in
                    // the core's TimeoutError, not in Lambda killing the function.
                    timeoutSeconds: REMEDIATION_TIMEOUT_SECONDS,
                    logRetentionDays: remediation.logRetentionDays ?? 30,
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        // Principals the tag deny does not apply to: the stack's automation (the remediation role,
        // the deploying identity, which runs the BaselineOverrides provider) and the named roles.
        const admitted = pulumi
            .all([partition, account, identity.arn, this.remediation?.role.arn])
            .apply(([p, a, caller, lambdaRole]) => [
                ...(lambdaRole ? [lambdaRole] : []),
                ...principalArnPatterns(caller),
                ...(args.instanceRoleNames ?? []).flatMap((r) => roleArnPatterns(p, a, r)),
            ]);

        this.bucket = new HardenedBucket(
            `${name}-bucket`,
            {
                bucketName: this.bucketName,
                encryption: kmsKeyArn ? { type: "SSE_KMS", kmsKeyArn } : { type: "SSE_S3" },
                accessLogging: args.accessLogging,
                lifecycleRules: [
                    {
                        id: "ExpireNoncurrentOverrides",
                        status: "Enabled",
                        filter: { prefix: key },
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 },
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                ],
                policyStatements: () => [
                    {
                        Sid: "DenyAllButPrincipalsWithTag",
                        Effect: "Deny",
                        Principal: { AWS: "*" },
                        Action: "s3:GetObject",
                        Resource: this.objectArn,
                        Condition: { StringNotEquals: { [`aws:PrincipalTag/${tagKey}`]: args.configId }, ArnNotLike: { "aws:PrincipalArn": admitted } },
                    },
                    targetStatement(target, this.objectArn, partition, account),
                ],
                protect: args.protect,
                tags: args.tags,
            },
            { parent: this },
        );

        // Existing instance roles: read exactly the object ("Access Denied … baseline_overrides.json").
        for (const role of args.instanceRoleNames ?? []) {
            new aws.iam.RolePolicy(
                `${name}-read-${role}`,
                {
                    role,
                    name: `baseline-overrides-read-${args.configId}`,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [{ Sid: "ReadBaselineOverrides", Effect: "Allow", Action: ["s3:GetObject"], Resource: this.objectArn }, ...decryptViaS3(["kms:Decrypt"])],
                    }),
                },
                { parent: this },
            );
        }

        const definitions = args.baselines.map((b) => ({ name: b.name, definition: b.definition ?? null }));
        this.object = new BaselineOverrides(
            `${name}-object`,
            {
                region: args.region,
                bucket: this.bucketName,
                key,
                baselineIds: args.baselines.map((b) => b.id),
                writer: args.writer,
                definitionsSha256: sha256Hex(canonicalJson(definitions)),
            },
            // The bucket, its policy and encryption exist before the first write; a protected
            // store protects its object too, so a destroy cannot empty it and then stop at the bucket.
            { parent: this, dependsOn: [this.bucket], protect: args.protect },
        );
        // Carries the dependency on the object: a patch policy using the URL waits for the first write.
        this.s3Url = pulumi.all([this.bucketName, this.object.id]).apply(([b]) => `s3://${b}/${key}`);

        if (remediation && this.remediation) {
            const fn = this.remediation.function;
            const schedule = remediation.scheduleExpression ?? "rate(1 hour)";
            // A group of the function's own: the scheduler role trusts exactly its schedule.
            const group = new aws.scheduler.ScheduleGroup(`${name}-schedules`, { name: functionName, tags: args.tags }, { parent: this });
            const { role: invokerRole } = schedulerRole(
                { role: `${name}-scheduler`, policy: `${name}-scheduler-policy` },
                {
                    groupName: group.name,
                    region: args.region,
                    accountId: account,
                    partition,
                    description: `Lets EventBridge Scheduler invoke ${functionName}`,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [{ Sid: "InvokeRemediation", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.arn }],
                    }),
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.lambda.FunctionEventInvokeConfig(
                `${name}-async`,
                {
                    functionName: fn.name,
                    maximumRetryAttempts: 1,
                    maximumEventAgeInSeconds: 3600,
                    destinationConfig: { onFailure: { destination: alarmTopicArn! } },
                },
                { parent: this },
            );
            new aws.scheduler.Schedule(
                `${name}-schedule`,
                {
                    name: functionName,
                    groupName: group.name,
                    description: `Re-syncs ${key} with its patch baselines (Quick Setup's BaselineRemediation)`,
                    scheduleExpression: schedule,
                    flexibleTimeWindow: { mode: "OFF" },
                    state: "ENABLED",
                    target: {
                        arn: fn.arn,
                        roleArn: invokerRole.arn,
                        input: JSON.stringify({ source: "patching.overrides.schedule", configId: args.configId }),
                        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
                    },
                },
                // Destroyed before the object, so no run rewrites it while the stack is torn down.
                { parent: this, dependsOn: [this.object] },
            );
            const minutes = schedulePeriodMinutes(schedule);
            if (minutes === undefined) throw new Error(`BaselineOverrideStore ${name}: ${schedule} is not a rate or cron expression`);
            // One alarm period per run: the alarm stays in ALARM until a run succeeds.
            const periodSeconds = Math.min(86400, minutes * 60);
            new aws.cloudwatch.MetricAlarm(
                `${name}-errors`,
                {
                    name: `${functionName}-errors`,
                    alarmDescription: `baseline_overrides.json remediation (${args.configId}) failed: see the function's log group; the previous object is kept`,
                    namespace: "AWS/Lambda",
                    metricName: "Errors",
                    dimensions: { FunctionName: fn.name },
                    statistic: "Sum",
                    period: periodSeconds,
                    evaluationPeriods: 1,
                    threshold: 1,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: [alarmTopicArn!],
                    okActions: [alarmTopicArn!],
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        this.alarmTopicArn = alarmTopicArn;
        this.ref = {
            s3Url: this.s3Url,
            bucketName: this.bucket.bucketName,
            bucketArn: this.bucket.bucketArn,
            objectKey: key,
            objectArn: this.objectArn,
            kmsKeyArn,
            principalTag: { key: tagKey, value: args.configId },
        };
        this.registerOutputs({
            bucketName: this.bucketName,
            objectArn: this.objectArn,
            s3Url: this.s3Url,
            versionId: this.object.versionId,
            sha256: this.object.sha256,
            functionArn: this.remediation?.function.arn,
            alarmTopicArn: this.alarmTopicArn,
        });
    }
}
