import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ATHENA_RESULTS_PREFIX, ComplianceConfig, inventoryTargets, needsLocalBucket, patchReportRuleName } from "../config/compliance";
import { complianceDashboardBody, DashboardRule } from "../core/complianceDashboard";
import { INVENTORY_DOCUMENT, NOTIFICATION_RULE_KEYS, notificationRules, NotificationRuleKey, PATCH_REPORT_DOCUMENT } from "../core/complianceEvents";
import { HardenedBucket } from "./hardenedBucket";
import { keyAccountStatements, ssmAutomationTrustStatement, topicPublisherKeyStatement } from "../core/iam";
import { complianceNames } from "../config/resourceNames";

/** Arguments of {@link PatchCompliance}. */
export interface PatchComplianceArgs {
    /** The validated `patching:compliance` section. */
    compliance: ComplianceConfig;
    /** Prefix of AWS names (rules, topic, dashboard, sync, association), e.g. `patching-prod`. */
    namePrefix: string;
    /** The stack's Region (`aws:region`): where the sync, rules and dashboard live. */
    region: string;
    /** Shown in the dashboard title, e.g. `prod`. */
    environment: string;
    /** Tags for every taggable resource. */
    tags: Record<string, string>;
}

/** Systems Manager's service principal (resource data sync, Automation). */
const SSM_PRINCIPAL = "ssm.amazonaws.com";
/** Security Hub product of Patch Manager findings (user guide, "Integrating Patch Manager with AWS Security Hub"). */
export function patchManagerProductArn(partition: string, region: string): string {
    return `arn:${partition}:securityhub:${region}::product/aws/ssm-patch-manager`;
}

export interface SyncBucketPolicyInput {
    bucketArn: string;
    /** The sync's key prefix. */
    prefix: string;
    partition: string;
    /** This stack's account: its own sync always writes here. */
    ownAccount: string;
    /** Other accounts admitted one by one. */
    accounts: string[];
    /** An organization admitted as a whole. */
    organizationId?: string;
}

/**
 * Bucket-policy statements that let resource data syncs write into the bucket, from the user
 * guide's "Configuring resource data sync for Inventory" policy, tightened:
 * - each admitted account may write only under its own `accountid=<id>` prefix, and only for
 *   a sync of that account (`aws:SourceAccount` + `aws:SourceArn` of its resource data syncs);
 * - an admitted organization is matched with `aws:SourceOrgID` (IAM global condition key for
 *   service principals acting for an account of the organization);
 * - the documented `s3:x-amz-acl = bucket-owner-full-control` condition is dropped: the bucket
 *   enforces owner ownership (ACLs disabled), so every object belongs to the bucket owner anyway.
 */
export function syncBucketStatements(i: SyncBucketPolicyInput): aws.iam.PolicyStatement[] {
    const accounts = [i.ownAccount, ...i.accounts.filter((a) => a !== i.ownAccount)];
    const syncArn = (account: string) => `arn:${i.partition}:ssm:*:${account}:resource-data-sync/*`;
    const statements: aws.iam.PolicyStatement[] = [
        {
            Sid: "SSMBucketPermissionsCheck",
            Effect: "Allow",
            Principal: { Service: SSM_PRINCIPAL },
            Action: "s3:GetBucketAcl",
            Resource: i.bucketArn,
            Condition: { StringEquals: { "aws:SourceAccount": accounts } },
        },
        ...accounts.map(
            (account): aws.iam.PolicyStatement => ({
                Sid: `SSMBucketDelivery${account}`,
                Effect: "Allow",
                Principal: { Service: SSM_PRINCIPAL },
                Action: "s3:PutObject",
                Resource: `${i.bucketArn}/${i.prefix}/*/accountid=${account}/*`,
                Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": syncArn(account) } },
            }),
        ),
    ];
    if (i.organizationId) {
        statements.push(
            {
                Sid: "SSMBucketPermissionsCheckOrganization",
                Effect: "Allow",
                Principal: { Service: SSM_PRINCIPAL },
                Action: "s3:GetBucketAcl",
                Resource: i.bucketArn,
                Condition: { StringEquals: { "aws:SourceOrgID": i.organizationId } },
            },
            {
                Sid: "SSMBucketDeliveryOrganization",
                Effect: "Allow",
                Principal: { Service: SSM_PRINCIPAL },
                Action: "s3:PutObject",
                Resource: `${i.bucketArn}/${i.prefix}/*/accountid=*/*`,
                Condition: { StringEquals: { "aws:SourceOrgID": i.organizationId }, ArnLike: { "aws:SourceArn": `arn:${i.partition}:ssm:*:*:resource-data-sync/*` } },
            },
        );
    }
    return statements;
}

/**
 * Seeing compliance, for one account and Region: a software inventory association, a resource
 * data sync of inventory and compliance to a hardened bucket (this account's, or the management
 * account's central bucket), the scheduled patch compliance report export, EventBridge
 * notifications to a KMS-encrypted SNS topic, a CloudWatch dashboard, the patching log group and,
 * optionally, Patch Manager's Security Hub integration and an Athena workgroup.
 */
export class PatchCompliance extends pulumi.ComponentResource {
    /** This account's compliance bucket, when one is created. */
    public readonly bucket?: HardenedBucket;
    /** Where the sync writes (`s3://bucket/prefix`), when the sync is on. */
    public readonly syncDestination?: pulumi.Output<string>;
    /** The notification topic, when notifications are on. */
    public readonly topicArn?: pulumi.Output<string>;
    /** The patching log group (give it to CloudWatchOutputConfig of patching commands). */
    public readonly logGroupName: pulumi.Output<string>;
    /** The dashboard name, when the dashboard is on. */
    public readonly dashboardName?: pulumi.Output<string>;
    /** EventBridge rule names by purpose. */
    public readonly ruleNames: Record<string, string>;

    constructor(name: string, args: PatchComplianceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:compliance:PatchCompliance", name, {}, opts);
        const c = args.compliance;
        const { namePrefix, region, tags } = args;
        const names = complianceNames(namePrefix);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        this.ruleNames = {};

        // Patching output: commands send their output here (CloudWatchOutputConfig), kept for a set time.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-patching-logs`,
            { name: c.logs.groupName, retentionInDays: c.logs.retentionDays, tags },
            { parent: this },
        );
        this.logGroupName = logGroup.name;

        // This account's compliance bucket: sync target (unless syncing centrally) and patch reports.
        const syncLocal = c.dataSync.enabled && !c.dataSync.centralBucket;
        if (needsLocalBucket(c)) {
            const lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
                {
                    // The sync rewrites every node's files at each inventory run: keep replaced versions briefly.
                    id: "ExpireReplacedVersions",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: c.bucket.noncurrentVersionDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ];
            if (c.athena.enabled) {
                lifecycleRules.push({ id: "ExpireAthenaResults", status: "Enabled", filter: { prefix: `${ATHENA_RESULTS_PREFIX}/` }, expiration: { days: 30 } });
            }
            this.bucket = new HardenedBucket(
                `${name}-bucket`,
                {
                    bucketName: c.bucket.name,
                    lifecycleRules,
                    policyStatements: syncLocal
                        ? (bucketArn) =>
                              pulumi.all([bucketArn, account, partition]).apply(([arn, own, p]) =>
                                  syncBucketStatements({
                                      bucketArn: arn,
                                      prefix: c.dataSync.prefix,
                                      partition: p,
                                      ownAccount: own,
                                      accounts: c.bucket.admitAccounts,
                                      organizationId: c.bucket.admitOrganization,
                                  }),
                              )
                        : undefined,
                    protect: c.bucket.protect,
                    tags,
                },
                { parent: this },
            );
        }

        // Resource data sync of inventory and compliance (AWS:ComplianceItem, AWS:PatchSummary, …).
        if (c.dataSync.enabled) {
            const bucketName = c.dataSync.centralBucket ? pulumi.output(c.dataSync.centralBucket.name) : this.bucket!.bucketName;
            const bucketRegion = c.dataSync.centralBucket?.region ?? region;
            new aws.ssm.ResourceDataSync(
                `${name}-sync`,
                {
                    name: c.dataSync.name ?? names.dataSync,
                    s3Destination: { bucketName, region: bucketRegion, prefix: c.dataSync.prefix, syncFormat: "JsonSerDe" },
                },
                // The bucket policy must admit the sync before it is created (the service checks it).
                { parent: this, dependsOn: this.bucket ? [this.bucket] : [] },
            );
            this.syncDestination = pulumi.interpolate`s3://${bucketName}/${c.dataSync.prefix}`;
        }

        // Software inventory, so inventory and compliance can be queried and synced.
        if (c.inventory.enabled) {
            new aws.ssm.Association(
                `${name}-inventory`,
                {
                    name: INVENTORY_DOCUMENT,
                    associationName: c.inventory.associationName ?? names.inventoryAssociation,
                    scheduleExpression: c.inventory.schedule,
                    targets: inventoryTargets(c.inventory.targets),
                    parameters: Object.fromEntries(Object.entries(c.inventory.collect).map(([k, on]) => [k, on ? "Enabled" : "Disabled"])),
                    tags,
                },
                { parent: this },
            );
        }

        // Notifications: EventBridge rules → KMS-encrypted SNS topic → email.
        let topic: aws.sns.Topic | undefined;
        let key: aws.kms.Key | undefined;
        const dashboardRules: { nonCompliant?: DashboardRule; failures: DashboardRule[] } = { failures: [] };
        if (c.notifications.enabled) {
            key = new aws.kms.Key(
                `${name}-notifications-key`,
                {
                    description: `Encrypts the ${namePrefix} patching notification topic`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    policy: pulumi.all([account, partition]).apply(([acct, p]) => JSON.stringify(notificationKeyPolicy(acct, p, region, names.topic))),
                    tags,
                },
                { parent: this },
            );
            new aws.kms.Alias(`${name}-notifications-key-alias`, { name: names.keyAlias, targetKeyId: key.arn }, { parent: this });
            const topicName = names.topic;
            topic = new aws.sns.Topic(
                `${name}-notifications`,
                { name: topicName, displayName: `Patching ${args.environment}`, kmsMasterKeyId: key.arn, tags },
                { parent: this },
            );
            this.topicArn = topic.arn;

            const specs = notificationRules({
                documents: c.notifications.documents,
                automationDocuments: c.notifications.automationDocuments,
                severities: c.notifications.severities,
            });
            const rules: aws.cloudwatch.EventRule[] = [];
            for (const k of NOTIFICATION_RULE_KEYS.filter((k) => c.notifications.rules[k])) {
                const spec = specs[k];
                const ruleName = names.rule(spec.nameSuffix);
                const rule = new aws.cloudwatch.EventRule(
                    `${name}-${spec.nameSuffix}`,
                    { name: ruleName, description: spec.description, eventPattern: JSON.stringify(spec.pattern), state: "ENABLED", tags },
                    { parent: this },
                );
                new aws.cloudwatch.EventTarget(
                    `${name}-${spec.nameSuffix}-sns`,
                    { rule: rule.name, targetId: "sns", arn: topic.arn, inputTransformer: { inputPaths: spec.inputPaths, inputTemplate: spec.inputTemplate } },
                    { parent: this },
                );
                rules.push(rule);
                this.ruleNames[k] = ruleName;
                const label = RULE_LABELS[k];
                if (k === "patchNonCompliant") dashboardRules.nonCompliant = { label, ruleName };
                else dashboardRules.failures.push({ label, ruleName });
            }
            new aws.sns.TopicPolicy(
                `${name}-notifications-policy`,
                {
                    arn: topic.arn,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "AllowPatchingRules",
                                Effect: "Allow",
                                Principal: { Service: "events.amazonaws.com" },
                                Action: "sns:Publish",
                                Resource: topic.arn,
                                Condition: { ArnEquals: { "aws:SourceArn": rules.map((r) => r.arn) } },
                            },
                            {
                                Sid: "DenyInsecureTransport",
                                Effect: "Deny",
                                Principal: "*",
                                Action: "sns:Publish",
                                Resource: topic.arn,
                                Condition: { Bool: { "aws:SecureTransport": "false" } },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
            for (const email of c.notifications.emails) {
                new aws.sns.TopicSubscription(`${name}-email-${email.toLowerCase()}`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: this });
            }
        }

        // The patch compliance report (Patch Manager → Compliance reporting → Export to S3), on a schedule.
        let reportRule: DashboardRule | undefined;
        if (c.patchReport.enabled) {
            const bucket = this.bucket!;
            const ruleName = patchReportRuleName(c.patchReport.name);
            const ruleArn = pulumi.interpolate`arn:${partition}:events:${region}:${account}:rule/${ruleName}`;
            const exportRole = new aws.iam.Role(
                `${name}-report-export-role`,
                {
                    description: `Automation role of ${PATCH_REPORT_DOCUMENT} for the ${namePrefix} patch report`,
                    assumeRolePolicy: pulumi
                        .all([account, partition, region])
                        .apply(([a, p, r]) => JSON.stringify({ Version: "2012-10-17", Statement: [ssmAutomationTrustStatement(a, p, r)] })),
                    tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-report-export-policy`,
                {
                    role: exportRole.id,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: reportExportStatements({
                            bucketArn: bucket.bucketArn,
                            protectedPrefixes: [...(c.dataSync.enabled && !c.dataSync.centralBucket ? [c.dataSync.prefix] : []), ATHENA_RESULTS_PREFIX],
                            topicArn: c.patchReport.notify ? topic?.arn : undefined,
                            keyArn: c.patchReport.notify ? key?.arn : undefined,
                        }),
                    }),
                },
                { parent: this },
            );
            const eventsRole = new aws.iam.Role(
                `${name}-report-schedule-role`,
                {
                    description: `Lets the ${ruleName} rule start ${PATCH_REPORT_DOCUMENT}`,
                    assumeRolePolicy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "events.amazonaws.com" },
                                Action: "sts:AssumeRole",
                                Condition: { StringEquals: { "aws:SourceAccount": account, "aws:SourceArn": ruleArn } },
                            },
                        ],
                    }),
                    tags,
                },
                { parent: this },
            );
            // StartAutomationExecution is authorized on the runbook's version (`automation-definition/<name>:<version>`,
            // Service Authorization Reference): an ARN without the version matches nothing.
            const definition = pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:automation-definition/${PATCH_REPORT_DOCUMENT}`;
            new aws.iam.RolePolicy(
                `${name}-report-schedule-policy`,
                {
                    role: eventsRole.id,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Sid: "StartPatchReport", Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: pulumi.interpolate`${definition}:*` },
                            {
                                Sid: "PassExportRole",
                                Effect: "Allow",
                                Action: "iam:PassRole",
                                Resource: exportRole.arn,
                                Condition: { StringEquals: { "iam:PassedToService": SSM_PRINCIPAL } },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
            const schedule = new aws.cloudwatch.EventRule(
                `${name}-patch-report`,
                { name: ruleName, description: "Schedule recurring patch reporting", scheduleExpression: c.patchReport.schedule, state: "ENABLED", tags },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(
                `${name}-patch-report-target`,
                {
                    rule: schedule.name,
                    targetId: "export-patch-report",
                    arn: pulumi.interpolate`${definition}:$DEFAULT`,
                    roleArn: eventsRole.arn,
                    input: pulumi.jsonStringify({
                        assumeRole: [exportRole.arn],
                        reportName: [c.patchReport.name],
                        s3BucketName: [bucket.bucketName],
                        targets: ["instanceids=*"],
                        ...(c.patchReport.notify && topic ? { snsTopicArn: [topic.arn] } : {}),
                    }),
                },
                { parent: this },
            );
            this.ruleNames.patchReport = ruleName;
            reportRule = { label: "Patch report", ruleName };
        }

        // Athena: an enforced workgroup writing encrypted results next to the data.
        if (c.athena.enabled) {
            new aws.athena.Workgroup(
                `${name}-athena`,
                {
                    name: names.workGroup,
                    description: "Queries the resource data sync of patch compliance and inventory",
                    configuration: {
                        enforceWorkgroupConfiguration: true,
                        publishCloudwatchMetricsEnabled: true,
                        bytesScannedCutoffPerQuery: c.athena.bytesScannedCutoffMb * 1_000_000,
                        resultConfiguration: {
                            outputLocation: pulumi.interpolate`s3://${this.bucket!.bucketName}/${ATHENA_RESULTS_PREFIX}/`,
                            encryptionConfiguration: { encryptionOption: "SSE_S3" },
                        },
                    },
                    tags,
                },
                { parent: this },
            );
        }

        if (c.dashboard.enabled) {
            const body = complianceDashboardBody({
                region,
                title: `Patch compliance — ${args.environment}`,
                nonCompliantRule: dashboardRules.nonCompliant,
                failureRules: dashboardRules.failures,
                reportRule,
                topicName: topic ? names.topic : undefined,
                logGroupName: c.logs.groupName,
            });
            const dashboard = new aws.cloudwatch.Dashboard(
                `${name}-dashboard`,
                { dashboardName: names.dashboard, dashboardBody: JSON.stringify(body) },
                { parent: this },
            );
            this.dashboardName = dashboard.dashboardName;
        }

        // Patch Manager → Security Hub: the product subscription is the switch the console's
        // "Export to Security Hub" turns on (Security Hub itself must be enabled in the account).
        if (c.securityHub.patchFindings === "on") {
            new aws.securityhub.ProductSubscription(
                `${name}-security-hub-patch-findings`,
                { productArn: partition.apply((p) => patchManagerProductArn(p, region)) },
                { parent: this },
            );
        }

        this.registerOutputs({
            bucketName: this.bucket?.bucketName,
            syncDestination: this.syncDestination,
            topicArn: this.topicArn,
            logGroupName: this.logGroupName,
            dashboardName: this.dashboardName,
        });
    }
}

const RULE_LABELS: Record<NotificationRuleKey, string> = {
    patchNonCompliant: "Patch non-compliant",
    runCommandFailed: "Run Command failed",
    runCommandInvocationFailed: "Node command failed",
    automationFailed: "Automation failed",
    associationFailed: "Association failed",
};

/**
 * The notification key's policy. The account administers the key and lets IAM grant its use
 * ({@link keyAccountStatements}); EventBridge may use it to publish to the encrypted topic (SNS
 * developer guide, "Enable compatibility between event sources from AWS services and encrypted
 * topics"), bound to this one topic by the encryption context SNS sends with every KMS call
 * (`kms:EncryptionContext:aws:sns:topicArn`). No `aws:SourceArn`/`aws:SourceAccount` here: those
 * identify the rule on the SNS request, which the topic policy checks; they are not documented for
 * the KMS request SNS makes on EventBridge's behalf, and a condition on an absent key drops every
 * notification. Which rules may publish is decided by the topic policy (`aws:SourceArn`).
 */
export function notificationKeyPolicy(account: string, partition: string, region: string, topicName: string) {
    const topicArn = `arn:${partition}:sns:${region}:${account}:${topicName}`;
    return {
        Version: "2012-10-17",
        Statement: [...keyAccountStatements(account, partition), topicPublisherKeyStatement({ sid: "EventBridgePublishesToEncryptedTopic", service: "events.amazonaws.com", topicArn })],
    };
}

/**
 * What AWS-ExportPatchReportToS3 needs: read patch states and node details (these Describe calls
 * take no resource-level permissions: IAM service authorization reference, Systems Manager), write
 * the CSV into the bucket — and explicitly not into the sync's or Athena's prefixes — and, when
 * asked, publish its completion to the (encrypted) topic.
 */
export function reportExportStatements(i: {
    bucketArn: pulumi.Input<string>;
    protectedPrefixes: string[];
    topicArn?: pulumi.Input<string>;
    keyArn?: pulumi.Input<string>;
}): aws.iam.PolicyStatement[] {
    const statements: aws.iam.PolicyStatement[] = [
        {
            Sid: "ReadPatchCompliance",
            Effect: "Allow",
            Action: ["ssm:DescribeInstanceInformation", "ssm:DescribeInstancePatchStates", "ssm:DescribeInstancePatches", "ec2:DescribeInstances"],
            Resource: "*",
        },
        { Sid: "FindReportBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: i.bucketArn },
        { Sid: "WriteReports", Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${i.bucketArn}/*` },
        {
            Sid: "NeverWriteSyncedData",
            Effect: "Deny",
            Action: "s3:PutObject",
            Resource: i.protectedPrefixes.map((p) => pulumi.interpolate`${i.bucketArn}/${p}/*`),
        },
    ];
    if (i.topicArn && i.keyArn) {
        statements.push(
            { Sid: "NotifyReportWritten", Effect: "Allow", Action: "sns:Publish", Resource: i.topicArn },
            { Sid: "EncryptNotification", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: i.keyArn },
        );
    }
    return statements;
}
