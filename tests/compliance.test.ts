import { expect } from "chai";
import { complianceDashboardBody, dashboardMetrics, EVENTS_METRICS, EVENTS_NAMESPACE, RUN_COMMAND_METRICS, RUN_COMMAND_NAMESPACE, SNS_METRICS, SNS_NAMESPACE } from "../core/complianceDashboard";
import { INVENTORY_DOCUMENT, notificationRules, PATCH_DOCUMENTS } from "../core/complianceEvents";
import { matchesPattern } from "../core/eventPattern";
import { PlanResource } from "../review/engine";
import { ACCOUNT, minimalConfig, named, ofType, REGION, runProgram } from "./harness";
import * as fs from "fs";
import * as path from "path";

const N = "test-compliance"; // component name: `<environment>-compliance`
const P = "patching-test"; // AWS name prefix: `<project>-<environment>`
const BUCKET = "acme-patch-compliance-test";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

async function deploy(compliance: unknown) {
    const { resources } = await runProgram(minimalConfig({ "patching:compliance": compliance }));
    return resources;
}

const json = (r: PlanResource, field: string) => JSON.parse(r.inputs[field] as string);
const types = (resources: PlanResource[]) => resources.filter((r) => r.type.startsWith("aws:") && r.urn.includes("PatchCompliance")).map((r) => r.type);
const count = (resources: PlanResource[], type: string) => ofType(resources, type).length;

describe("PatchCompliance component", () => {
    describe("a management-account stack with everything on", () => {
        let resources: PlanResource[];
        before(async () => {
            resources = await deploy({
                bucket: { name: BUCKET, protect: true, admitAccounts: ["210987654321", "345678901234"], admitOrganization: "o-a1b2c3d4e5" },
                inventory: { schedule: "rate(30 minutes)", targets: "all" },
                dataSync: { prefix: "resource-data-sync" },
                patchReport: { name: "weekly", schedule: "rate(7 days)", notify: true },
                notifications: { emails: ["patching@example.com", "secops@example.com"], rules: { runCommandInvocationFailed: true }, severities: ["CRITICAL", "HIGH"] },
                logs: { retentionDays: 90 },
                athena: { enabled: true },
                securityHub: { patchFindings: "on" },
            });
        });

        it("creates the component with its children parented", () => {
            const component = named(resources, "patching:compliance:PatchCompliance", N);
            for (const t of ["aws:ssm/association:Association", "aws:ssm/resourceDataSync:ResourceDataSync", "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard"]) {
                expect(ofType(resources, t)[0].parent, t).to.equal(component.urn);
            }
            expect(named(resources, "patching:s3:HardenedBucket", `${N}-bucket`).parent).to.equal(component.urn);
        });

        it("collects software inventory on the schedule from every managed node", () => {
            const a = named(resources, "aws:ssm/association:Association", `${N}-inventory`);
            expect(a.inputs).to.deep.include({
                name: "AWS-GatherSoftwareInventory",
                associationName: `${P}-software-inventory`,
                scheduleExpression: "rate(30 minutes)",
                targets: [{ key: "InstanceIds", values: ["*"] }],
                parameters: {
                    applications: "Enabled",
                    awsComponents: "Enabled",
                    customInventory: "Enabled",
                    instanceDetailedInformation: "Enabled",
                    networkConfig: "Enabled",
                    services: "Enabled",
                    windowsRoles: "Enabled",
                    windowsUpdates: "Enabled",
                },
            });
        });

        it("syncs inventory and compliance to the hardened bucket as JsonSerDe, after the bucket policy", () => {
            const sync = named(resources, "aws:ssm/resourceDataSync:ResourceDataSync", `${N}-sync`);
            expect(sync.inputs).to.deep.equal({
                name: `${P}-compliance`,
                s3Destination: { bucketName: BUCKET, region: REGION, prefix: "resource-data-sync", syncFormat: "JsonSerDe" },
            });
            // dependsOn the bucket component waits for all of its children, the bucket policy included.
            expect(sync.options.dependsOn).to.include(named(resources, "aws:s3/bucketPolicy:BucketPolicy", `${N}-bucket-policy`).urn);
        });

        it("hardens the bucket (owner-enforced, versioned, encrypted, logged, protected) and expires replaced versions", () => {
            expect(named(resources, "aws:s3/bucket:Bucket", `${N}-bucket`).inputs).to.deep.include({ bucket: BUCKET });
            expect(named(resources, "aws:s3/bucket:Bucket", `${N}-bucket`).options.protect).to.equal(true);
            expect(named(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${N}-bucket-ownership`).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
            expect(named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${N}-bucket-lifecycle`).inputs.rules).to.deep.equal([
                { id: "ExpireReplacedVersions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
                { id: "ExpireAthenaResults", status: "Enabled", filter: { prefix: "athena-results/" }, expiration: { days: 30 } },
            ]);
        });

        it("admits Systems Manager's syncs: this account and each admitted account under its own accountid= prefix, and the organization", () => {
            const policy = json(named(resources, "aws:s3/bucketPolicy:BucketPolicy", `${N}-bucket-policy`), "policy");
            const ssm = { Service: "ssm.amazonaws.com" };
            const delivery = (acct: string) => ({
                Sid: `SSMBucketDelivery${acct}`,
                Effect: "Allow",
                Principal: ssm,
                Action: "s3:PutObject",
                Resource: `${BUCKET_ARN}/resource-data-sync/*/accountid=${acct}/*`,
                Condition: { StringEquals: { "aws:SourceAccount": acct }, ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${acct}:resource-data-sync/*` } },
            });
            expect(policy.Statement).to.deep.equal([
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                {
                    Sid: "SSMBucketPermissionsCheck",
                    Effect: "Allow",
                    Principal: ssm,
                    Action: "s3:GetBucketAcl",
                    Resource: BUCKET_ARN,
                    Condition: { StringEquals: { "aws:SourceAccount": [ACCOUNT, "210987654321", "345678901234"] } },
                },
                delivery(ACCOUNT),
                delivery("210987654321"),
                delivery("345678901234"),
                {
                    Sid: "SSMBucketPermissionsCheckOrganization",
                    Effect: "Allow",
                    Principal: ssm,
                    Action: "s3:GetBucketAcl",
                    Resource: BUCKET_ARN,
                    Condition: { StringEquals: { "aws:SourceOrgID": "o-a1b2c3d4e5" } },
                },
                {
                    Sid: "SSMBucketDeliveryOrganization",
                    Effect: "Allow",
                    Principal: ssm,
                    Action: "s3:PutObject",
                    Resource: `${BUCKET_ARN}/resource-data-sync/*/accountid=*/*`,
                    Condition: { StringEquals: { "aws:SourceOrgID": "o-a1b2c3d4e5" }, ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:*:resource-data-sync/*" } },
                },
            ]);
            // No ACL condition: the bucket enforces owner ownership.
            expect(JSON.stringify(policy)).not.to.contain("x-amz-acl");
        });

        it("keeps patching output in a log group with the configured retention", () => {
            expect(named(resources, "aws:cloudwatch/logGroup:LogGroup", `${N}-patching-logs`).inputs).to.deep.include({ name: "/aws/ssm/patch-manager", retentionInDays: 90 });
        });

        it("creates one rule per enabled notification, with the patterns the sample events were tested against", () => {
            const specs = notificationRules({ documents: [...PATCH_DOCUMENTS, INVENTORY_DOCUMENT], automationDocuments: [], severities: ["CRITICAL", "HIGH"] });
            const rules = ofType(resources, "aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs.eventPattern);
            expect(rules.map((r) => r.inputs.name).sort()).to.deep.equal(
                [`${P}-association-failed`, `${P}-automation-failed`, `${P}-invocation-failed`, `${P}-patch-noncompliant`, `${P}-run-command-failed`].sort(),
            );
            for (const spec of Object.values(specs)) {
                const rule = named(resources, "aws:cloudwatch/eventRule:EventRule", `${N}-${spec.nameSuffix}`);
                expect(json(rule, "eventPattern"), spec.key).to.deep.equal(spec.pattern);
                expect(rule.inputs.state).to.equal("ENABLED");
                const target = named(resources, "aws:cloudwatch/eventTarget:EventTarget", `${N}-${spec.nameSuffix}-sns`);
                expect(target.inputs).to.deep.equal({
                    rule: rule.inputs.name,
                    targetId: "sns",
                    arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${P}-patch-notifications`,
                    inputTransformer: { inputPaths: spec.inputPaths, inputTemplate: spec.inputTemplate },
                });
            }
            // The deployed severity filter still matches the documented critical event.
            const deployed = json(named(resources, "aws:cloudwatch/eventRule:EventRule", `${N}-patch-noncompliant`), "eventPattern");
            const sample = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/events/patch-non-compliant.json"), "utf8"));
            expect(matchesPattern(deployed, sample)).to.equal(true);
        });

        it("delivers to a KMS-encrypted topic that only these rules may publish to, over TLS", () => {
            const topic = named(resources, "aws:sns/topic:Topic", `${N}-notifications`);
            expect(topic.inputs).to.deep.include({ name: `${P}-patch-notifications`, kmsMasterKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${N}-notifications-key-id` });
            const policy = json(named(resources, "aws:sns/topicPolicy:TopicPolicy", `${N}-notifications-policy`), "policy");
            const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${P}-patch-notifications`;
            expect(policy.Statement).to.deep.equal([
                {
                    Sid: "AllowPatchingRules",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: topicArn,
                    Condition: {
                        ArnEquals: {
                            "aws:SourceArn": ["patch-noncompliant", "run-command-failed", "invocation-failed", "automation-failed", "association-failed"].map(
                                (s) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${P}-${s}`,
                            ),
                        },
                    },
                },
                { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
            ]);
        });

        it("lets EventBridge use the rotating notification key; the account administers it without kms:*", () => {
            const key = named(resources, "aws:kms/key:Key", `${N}-notifications-key`);
            expect(key.inputs).to.deep.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            const policy = json(key, "policy");
            expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["AccountAdministersKey", "IamGrantsKeyUse", "EventBridgePublishesToEncryptedTopic"]);
            // Bound to this one topic by the encryption context SNS sends (SNS developer guide, "Key management").
            expect(policy.Statement[2]).to.deep.equal({
                Sid: "EventBridgePublishesToEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:${REGION}:${ACCOUNT}:${P}-patch-notifications` } },
            });
            for (const s of policy.Statement) expect(s.Action).not.to.include("kms:*");
            expect(policy.Statement[0].Principal).to.deep.equal({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
            expect(named(resources, "aws:kms/alias:Alias", `${N}-notifications-key-alias`).inputs).to.deep.equal({ name: `alias/${P}-patch-notifications`, targetKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${N}-notifications-key-id` });
        });

        it("subscribes each configured email", () => {
            const subs = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
            expect(subs.map((s) => s.inputs.endpoint).sort()).to.deep.equal(["patching@example.com", "secops@example.com"]);
            for (const s of subs) expect(s.inputs).to.deep.include({ protocol: "email", topic: `arn:aws:sns:${REGION}:${ACCOUNT}:${P}-patch-notifications` });
        });

        it("schedules the patch report the way Patch Manager's console does: an EventBridge rule starting AWS-ExportPatchReportToS3", () => {
            const rule = named(resources, "aws:cloudwatch/eventRule:EventRule", `${N}-patch-report`);
            expect(rule.inputs).to.deep.include({ name: "AWS-SystemsManager-PatchManager-PatchReport-weekly", scheduleExpression: "rate(7 days)", state: "ENABLED" });
            expect(rule.inputs.eventPattern).to.equal(undefined);
            const target = named(resources, "aws:cloudwatch/eventTarget:EventTarget", `${N}-patch-report-target`);
            expect(target.inputs).to.deep.include({
                rule: "AWS-SystemsManager-PatchManager-PatchReport-weekly",
                targetId: "export-patch-report",
                arn: `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-definition/AWS-ExportPatchReportToS3:$DEFAULT`,
                roleArn: `arn:aws:iam::${ACCOUNT}:role/${N}-report-schedule-role`,
            });
            expect(json(target, "input")).to.deep.equal({
                assumeRole: [`arn:aws:iam::${ACCOUNT}:role/${N}-report-export-role`],
                reportName: ["weekly"],
                s3BucketName: [BUCKET],
                targets: ["instanceids=*"],
                snsTopicArn: [`arn:aws:sns:${REGION}:${ACCOUNT}:${P}-patch-notifications`],
            });
        });

        it("gives the report runbook a role Automation may assume only for this account, that reads patch states and writes reports but never synced data", () => {
            const role = named(resources, "aws:iam/role:Role", `${N}-report-export-role`);
            expect(json(role, "assumeRolePolicy").Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-execution/*` } },
                },
            ]);
            expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", `${N}-report-export-policy`), "policy").Statement).to.deep.equal([
                {
                    Sid: "ReadPatchCompliance",
                    Effect: "Allow",
                    Action: ["ssm:DescribeInstanceInformation", "ssm:DescribeInstancePatchStates", "ssm:DescribeInstancePatches", "ec2:DescribeInstances"],
                    Resource: "*",
                },
                { Sid: "FindReportBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: BUCKET_ARN },
                { Sid: "WriteReports", Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET_ARN}/*` },
                { Sid: "NeverWriteSyncedData", Effect: "Deny", Action: "s3:PutObject", Resource: [`${BUCKET_ARN}/resource-data-sync/*`, `${BUCKET_ARN}/athena-results/*`] },
                { Sid: "NotifyReportWritten", Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:${P}-patch-notifications` },
                { Sid: "EncryptNotification", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${N}-notifications-key-id` },
            ]);
        });

        it("lets only the report rule start only that runbook, passing only the export role to Systems Manager", () => {
            const role = named(resources, "aws:iam/role:Role", `${N}-report-schedule-role`);
            expect(json(role, "assumeRolePolicy").Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:events:${REGION}:${ACCOUNT}:rule/AWS-SystemsManager-PatchManager-PatchReport-weekly` },
                    },
                },
            ]);
            const definition = `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-definition/AWS-ExportPatchReportToS3`;
            expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", `${N}-report-schedule-policy`), "policy").Statement).to.deep.equal([
                { Sid: "StartPatchReport", Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: `${definition}:*` },
                {
                    Sid: "PassExportRole",
                    Effect: "Allow",
                    Action: "iam:PassRole",
                    Resource: `arn:aws:iam::${ACCOUNT}:role/${N}-report-export-role`,
                    Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                },
            ]);
        });

        it("builds a dashboard of real metrics: the rules, Run Command, SNS delivery and the patching log", () => {
            const dashboard = named(resources, "aws:cloudwatch/dashboard:Dashboard", `${N}-dashboard`);
            expect(dashboard.inputs.dashboardName).to.equal(`${P}-patch-compliance`);
            const body = json(dashboard, "dashboardBody");
            const documented = new Set([
                ...RUN_COMMAND_METRICS.map((m) => `${RUN_COMMAND_NAMESPACE} ${m}`),
                ...EVENTS_METRICS.map((m) => `${EVENTS_NAMESPACE} ${m}`),
                ...SNS_METRICS.map((m) => `${SNS_NAMESPACE} ${m}`),
            ]);
            const used = dashboardMetrics(body);
            expect(used).to.deep.equal([
                "AWS/Events FailedInvocations",
                "AWS/Events TriggeredRules",
                "AWS/SNS NumberOfMessagesPublished",
                "AWS/SNS NumberOfNotificationsFailed",
                "AWS/SSM-RunCommand CommandsDeliveryTimedOut",
                "AWS/SSM-RunCommand CommandsFailed",
                "AWS/SSM-RunCommand CommandsSucceeded",
            ]);
            for (const m of used) expect(documented.has(m), m).to.equal(true);
            expect(JSON.stringify(body)).not.to.contain("CommandsTimedOut");
            const titles = body.widgets.map((w: { properties: { title?: string } }) => w.properties.title).filter(Boolean);
            expect(titles).to.deep.equal([
                "Nodes turning patch non-compliant (per hour)",
                "Run Command results, all documents",
                "Patching failures notified",
                "Notification delivery",
                "Patch report export (scheduled)",
                "Patching output with errors (/aws/ssm/patch-manager)",
            ]);
            const nonCompliant = body.widgets.find((w: { properties: { title?: string } }) => w.properties.title === "Nodes turning patch non-compliant (per hour)");
            expect(nonCompliant.properties).to.deep.include({ region: REGION, stat: "Sum", period: 3600 });
            expect(nonCompliant.properties.metrics).to.deep.equal([["AWS/Events", "TriggeredRules", "RuleName", `${P}-patch-noncompliant`, { label: "Patch non-compliant" }]]);
            const log = body.widgets.find((w: { type: string }) => w.type === "log");
            expect(log.properties.query).to.match(/^SOURCE '\/aws\/ssm\/patch-manager' \| fields @timestamp/);
            // Widgets stay on the 24-column grid without overlapping.
            for (const w of body.widgets) expect(w.x + w.width, JSON.stringify(w)).to.be.at.most(24);
            const cells = new Set<string>();
            for (const w of body.widgets) {
                for (let x = w.x; x < w.x + w.width; x++) {
                    for (let y = w.y; y < w.y + w.height; y++) {
                        expect(cells.has(`${x},${y}`), `overlap at ${x},${y}`).to.equal(false);
                        cells.add(`${x},${y}`);
                    }
                }
            }
        });

        it("creates an enforced Athena workgroup writing encrypted results next to the data", () => {
            expect(named(resources, "aws:athena/workgroup:Workgroup", `${N}-athena`).inputs).to.deep.include({
                name: `${P}-compliance`,
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: 1_024_000_000,
                    resultConfiguration: { outputLocation: `s3://${BUCKET}/athena-results/`, encryptionConfiguration: { encryptionOption: "SSE_S3" } },
                },
            });
        });

        it("turns on Patch Manager's Security Hub integration (the ssm-patch-manager product subscription)", () => {
            expect(named(resources, "aws:securityhub/productSubscription:ProductSubscription", `${N}-security-hub-patch-findings`).inputs).to.deep.equal({
                productArn: `arn:aws:securityhub:${REGION}::product/aws/ssm-patch-manager`,
            });
            expect(count(resources, "aws:securityhub/account:Account")).to.equal(0);
        });

        it("tags every taggable resource", () => {
            for (const t of ["aws:ssm/association:Association", "aws:sns/topic:Topic", "aws:kms/key:Key", "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:athena/workgroup:Workgroup"]) {
                for (const r of ofType(resources, t)) expect(r.inputs.tags, `${t} ${r.name}`).to.deep.include({ Environment: "test", ManagedBy: "pulumi", Project: "patching", Stack: "test" });
            }
        });
    });

    it("a member stack syncs into the management account's central bucket and creates no bucket of its own", async () => {
        const resources = await deploy({ dataSync: { centralBucket: { name: "acme-central-compliance", region: "eu-west-1" } }, patchReport: { enabled: false } });
        expect(count(resources, "patching:s3:HardenedBucket")).to.equal(0);
        expect(count(resources, "aws:s3/bucket:Bucket")).to.equal(0);
        const sync = named(resources, "aws:ssm/resourceDataSync:ResourceDataSync", `${N}-sync`);
        expect(sync.inputs).to.deep.equal({
            name: `${P}-compliance`,
            s3Destination: { bucketName: "acme-central-compliance", region: "eu-west-1", prefix: "resource-data-sync", syncFormat: "JsonSerDe" },
        });
        expect(sync.options.dependsOn).to.equal(undefined);
        expect(count(resources, "aws:cloudwatch/eventRule:EventRule")).to.equal(4);
    });

    it("a member stack with reports keeps them in its own bucket, which admits no sync", async () => {
        const resources = await deploy({ dataSync: { centralBucket: { name: "acme-central-compliance", region: "us-east-1" } }, notifications: { enabled: false }, dashboard: { enabled: false } });
        const policy = json(named(resources, "aws:s3/bucketPolicy:BucketPolicy", `${N}-bucket-policy`), "policy");
        expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["DenyInsecureTransport"]);
        const exportPolicy = json(named(resources, "aws:iam/rolePolicy:RolePolicy", `${N}-report-export-policy`), "policy");
        expect(exportPolicy.Statement.find((s: { Sid: string }) => s.Sid === "NeverWriteSyncedData").Resource).to.deep.equal([`arn:aws:s3:::${N}-bucket-bucket/athena-results/*`]);
        expect(exportPolicy.Statement.map((s: { Sid: string }) => s.Sid)).not.to.include("NotifyReportWritten");
        expect(json(named(resources, "aws:cloudwatch/eventTarget:EventTarget", `${N}-patch-report-target`), "input")).not.to.have.property("snsTopicArn");
        for (const t of ["aws:sns/topic:Topic", "aws:kms/key:Key", "aws:cloudwatch/dashboard:Dashboard", "aws:sns/topicPolicy:TopicPolicy"]) expect(count(resources, t), t).to.equal(0);
    });

    it("defaults: inventory, local sync, weekly report, four rules, dashboard, 30-day logs; no Athena, no Security Hub, no emails", async () => {
        const resources = await deploy({});
        expect(types(resources).sort()).to.deep.equal(
            [
                "aws:cloudwatch/dashboard:Dashboard",
                ...Array(5).fill("aws:cloudwatch/eventRule:EventRule"),
                ...Array(5).fill("aws:cloudwatch/eventTarget:EventTarget"),
                "aws:cloudwatch/logGroup:LogGroup",
                ...Array(2).fill("aws:iam/role:Role"),
                ...Array(2).fill("aws:iam/rolePolicy:RolePolicy"),
                "aws:kms/alias:Alias",
                "aws:kms/key:Key",
                "aws:sns/topic:Topic",
                "aws:sns/topicPolicy:TopicPolicy",
                "aws:ssm/association:Association",
                "aws:ssm/resourceDataSync:ResourceDataSync",
            ].sort(),
        );
        expect(named(resources, "aws:cloudwatch/logGroup:LogGroup", `${N}-patching-logs`).inputs.retentionInDays).to.equal(30);
        // The bucket is auto-named from the component when no name is configured.
        expect(named(resources, "aws:s3/bucket:Bucket", `${N}-bucket`).inputs.bucketPrefix).to.equal(`${N}-bucket-`);
    });

    it("targets tagged nodes and collects only the chosen inventory types", async () => {
        const resources = await deploy({ inventory: { targets: { PatchGroup: ["prod", "prod-critical"] }, collect: { windowsRoles: false, services: false }, associationName: "prod-inventory" } });
        const a = named(resources, "aws:ssm/association:Association", `${N}-inventory`);
        expect(a.inputs.targets).to.deep.equal([{ key: "tag:PatchGroup", values: ["prod", "prod-critical"] }]);
        expect(a.inputs.associationName).to.equal("prod-inventory");
        expect(a.inputs.parameters).to.deep.include({ windowsRoles: "Disabled", services: "Disabled", applications: "Enabled" });
    });

    it("creates only what is on", async () => {
        const resources = await deploy({
            inventory: { enabled: false },
            dataSync: { enabled: false },
            patchReport: { enabled: false },
            notifications: { enabled: false },
            dashboard: { enabled: false },
        });
        expect(types(resources)).to.deep.equal(["aws:cloudwatch/logGroup:LogGroup"]);
    });

    it("leaves dashboard widgets out for what is off", () => {
        const body = complianceDashboardBody({ region: "eu-west-1", title: "t", failureRules: [] });
        expect(body.widgets.map((w) => w.properties.title ?? w.type)).to.deep.equal(["text", "Run Command results, all documents"]);
        expect(body.widgets[1].properties.region).to.equal("eu-west-1");
    });
});
