/**
 * The wiring proof's edge kinds beyond Scheduler / alarms / destinations / rules / S3 readers:
 * maintenance window tasks, Step Functions tasks and child executions, Automation associations,
 * S3 server access logging, resource data sync, role chains (multi-account administration →
 * execution role), Quick Setup's local deployment roles and the KMS key of an SSE-KMS bucket.
 * Each is checked for the request AWS documents (principal, action, resource, request context),
 * proven on the shipped stacks, and broken on purpose: the review must exit 2 naming the edge.
 * Uses the cached reviews (tests/harness.ts) of the same stacks tests/wiring.test.ts proves.
 */
import { expect } from "chai";
import * as path from "path";
import type { PlanResource } from "../review/engine";
import type { Review } from "../review/review";
import type { EdgeVerdict, WiringEdge } from "../review/wiring";
import { wiringMermaid } from "../review/wiringSection";
import { cachedReview, ROOT } from "./harness";
import { parseMermaid } from "./support/mermaid";
import { expectBroken, mutate, mutatePolicy, withoutSid } from "./support/wiringBreak";

const ACCOUNT = "123456789012";
const stack = (name: string, file: string) => cachedReview({ stack: name, configPath: path.join(ROOT, file) });

/** Every request of an edge as `action resource`. */
const calls = (e: WiringEdge) => e.requests.map((r) => `${r.request.action} ${r.request.resource}`);
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

describe("Wiring proof: every edge kind, its documented request, and each kind broken on purpose", function () {
    this.timeout(120_000);
    let prod: Review;
    let dev: Review;
    let member: Review;
    let qs: Review;
    let runCommand: Review;
    before(async () => {
        // One at a time: a review runs the program under Pulumi's process-wide mocks.
        prod = await stack("prod", "Pulumi.prod.yaml");
        dev = await stack("dev", "Pulumi.dev.yaml");
        member = await stack("member-example", "Pulumi.member-example.yaml");
        qs = await stack("fixture-managed-policy", "tests/fixtures/managed-policy.yaml");
        // prod's Install task is held by the approval gate (an Automation task); this fixture keeps an ungated Run Command one.
        runCommand = await stack("fixture-window-run-command", "tests/fixtures/window-run-command.yaml");
    });
    const one = (r: Review, id: RegExp): EdgeVerdict => {
        const found = r.wiring!.verdicts.filter((v) => id.test(v.edge.id));
        expect(found.map((v) => v.edge.id), `one edge matching ${id}`).to.have.length(1);
        return found[0];
    };

    it("the shipped stacks have every edge kind, each proven with at least one stranger denied", () => {
        const verdicts = [prod, dev, member, qs, runCommand].flatMap((r) => r.wiring!.verdicts);
        expect([...new Set(verdicts.map((v) => v.edge.kind))].sort()).to.include.members([
            "Scheduler → target",
            "CloudWatch alarm → SNS",
            "Lambda destination → SNS",
            "EventBridge rule → SNS",
            "EventBridge rule → role",
            "role → S3 (s3:GetObject)",
            "role → S3 (s3:PutObject)",
            "maintenance window → step functions task",
            "maintenance window → run command task",
            "maintenance window → automation task",
            "Step Functions → Lambda",
            "Step Functions → child execution",
            "association → Automation role",
            "S3 server access logging → log bucket",
            "resource data sync → S3",
            "role → role (same account)",
            "role → role (cross-account)",
            "Quick Setup (StackSets) → administration role",
            "role → SNS (sns:Publish)",
        ]);
        for (const v of verdicts) {
            expect(v.problems, v.edge.id).to.deep.equal([]);
            expect(v.edge.strangers.length, `${v.edge.id}: strangers`).to.be.greaterThan(0);
            expect(v.edge.source, v.edge.id).to.match(/^https:\/\/docs\.aws\.amazon\.com\//);
        }
    });

    it("the Mermaid flowchart draws every edge (Mermaid's parser accepts it)", async () => {
        for (const r of [prod, dev, member, qs]) {
            const chart = wiringMermaid(r.wiring!);
            expect(await parseMermaid(chart)).to.equal("flowchart-v2");
            expect(chart.filter((l) => l.includes("-->|") || l.includes("-.->|"))).to.have.length(r.wiring!.verdicts.length);
        }
    });

    describe("maintenance window → service role → task", () => {
        it("SSM assumes the role for the window (aws:SourceArn = the window's ARN), then the task's calls", () => {
            const sfn = one(prod, /^window:prod-fleet-window\/start-orchestration$/).edge;
            expect(sfn.requests[0].request).to.include({ principal: "ssm.amazonaws.com", action: "sts:AssumeRole" });
            expect(sfn.requests[0].request.context).to.deep.equal({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:ssm:us-east-1:${ACCOUNT}:maintenancewindow/prod-fleet-window-id` });
            expect(calls(sfn).slice(1)).to.deep.equal([
                `states:StartExecution arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:prod-fleet-run`,
                `states:DescribeExecution arn:aws:states:us-east-1:${ACCOUNT}:execution:prod-fleet-run:wiring-execution`,
            ]);
            const run = one(runCommand, /^window:window-critical-install\/install$/).edge;
            expect(calls(run)).to.include.members([
                "ssm:SendCommand arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline",
                `iam:PassRole arn:aws:iam::${ACCOUNT}:role/window-critical-install-role`,
                `sns:Publish arn:aws:sns:us-east-1:${ACCOUNT}:window-critical-install-task-failures`,
            ]);
            // The instance is one the window's registered target selects (tag PatchFleet = window-critical).
            expect(run.requests.find((r) => r.request.resource.includes(":instance/"))!.request.context).to.include({ "ssm:resourceTag/PatchFleet": "window-critical" });
            // prod's Install task is held by the approval gate: the window starts the gated runbook, passing its role, which Automation assumes.
            const gated = one(prod, /^window:prod-critical-install\/install$/).edge;
            expect(calls(gated)).to.include.members([
                `ssm:StartAutomationExecution arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/patching-prod-gated-run-patch-baseline:$DEFAULT`,
                `iam:PassRole arn:aws:iam::${ACCOUNT}:role/patching-prod-window-install`,
                `sts:AssumeRole arn:aws:iam::${ACCOUNT}:role/patching-prod-window-install`,
            ]);
        });
        it("a trust that does not admit the window's aws:SourceArn breaks it", async () => {
            const resources = mutatePolicy(prod.resources, ROLE, /^prod-fleet-window-role$/, "assumeRolePolicy", (d) => {
                d.Statement[0].Condition.ArnLike["aws:SourceArn"] = `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-execution/*`;
            });
            await expectBroken(prod, resources, /^window:prod-fleet-window\/start-orchestration$/, /assume prod-fleet-window-role: ssm\.amazonaws\.com sts:AssumeRole .* ImplicitlyDenied/);
        });
        it("a role without states:StartExecution, or without sns:Publish for its notifications, breaks it", async () => {
            await expectBroken(prod, mutatePolicy(prod.resources, ROLE_POLICY, /^prod-fleet-window-role-policy$/, "policy", withoutSid("StartStateMachines")), /^window:prod-fleet-window\//, /states:StartExecution .* ImplicitlyDenied/);
            await expectBroken(runCommand, mutatePolicy(runCommand.resources, ROLE_POLICY, /^window-critical-install-role-policy$/, "policy", withoutSid("PublishTaskNotifications")), /^window:window-critical-install\/install$/, /sns:Publish .* ImplicitlyDenied/);
        });
    });

    describe("Step Functions → Lambda and child executions", () => {
        it("each Task's function and the child state machine (.sync:2) with what following it needs", () => {
            const lambdas = prod.wiring!.verdicts.filter((v) => v.edge.kind === "Step Functions → Lambda").map((v) => v.edge.id);
            expect(lambdas).to.have.members([
                "sfn:prod-fleet-batch->function:prod-fleet-batch",
                "sfn:prod-fleet-batch->function:prod-fleet-restore",
                "sfn:prod-fleet-run->function:prod-fleet-plan",
                "sfn:prod-fleet-run->function:prod-fleet-restore",
                "sfn:prod-fleet-run->function:prod-fleet-summary",
            ]);
            const child = one(prod, /^sfn:prod-fleet-run->stateMachine:prod-fleet-batch$/).edge;
            expect(child.requests[0].request).to.include({ principal: "states.amazonaws.com", action: "sts:AssumeRole" });
            expect(child.requests[0].request.context["aws:SourceArn"]).to.equal(`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:prod-fleet-run`);
            const rule = `arn:aws:events:us-east-1:${ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
            expect(calls(child).slice(1)).to.deep.equal([
                `states:StartExecution arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:prod-fleet-batch`,
                `states:DescribeExecution arn:aws:states:us-east-1:${ACCOUNT}:execution:prod-fleet-batch:wiring-execution`,
                `states:StopExecution arn:aws:states:us-east-1:${ACCOUNT}:execution:prod-fleet-batch:wiring-execution`,
                `events:PutTargets ${rule}`,
                `events:PutRule ${rule}`,
                `events:DescribeRule ${rule}`,
            ]);
        });
        it("a trust naming another state machine, a role without the child's permissions, or a trust admitting any state machine breaks it", async () => {
            const otherMachine = mutatePolicy(prod.resources, ROLE, /^prod-fleet-batch-sm-role$/, "assumeRolePolicy", (d) => {
                d.Statement[0].Condition.ArnLike["aws:SourceArn"] += "-old";
            });
            await expectBroken(prod, otherMachine, /^sfn:prod-fleet-batch->function:prod-fleet-batch$/, /assume prod-fleet-batch-sm-role: states\.amazonaws\.com sts:AssumeRole .* ImplicitlyDenied/);
            await expectBroken(prod, mutatePolicy(prod.resources, ROLE_POLICY, /^prod-fleet-run-sm-policy$/, "policy", withoutSid("FollowBatchExecutions")), /^sfn:prod-fleet-run->stateMachine:prod-fleet-batch$/, /states:DescribeExecution .* ImplicitlyDenied/);
            const anyMachine = mutatePolicy(prod.resources, ROLE, /^prod-fleet-run-sm-role$/, "assumeRolePolicy", (d) => delete d.Statement[0].Condition);
            await expectBroken(prod, anyMachine, /^sfn:prod-fleet-run->function:prod-fleet-plan$/, /stranger \(another state machine of the account\) assume prod-fleet-run-sm-role: .* is Allowed .* must be denied/);
        });
    });

    describe("association → Automation role → the runbook's calls", () => {
        it("Automation assumes the role (aws:SourceArn = an automation execution); the runbook's steps are read from the document", () => {
            const gated = one(prod, /^association:patching-prod-gated-install$/).edge;
            expect(gated.requests[0].request).to.include({ principal: "ssm.amazonaws.com", action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/patching-prod-snapshot-install` });
            expect(gated.requests[0].request.context["aws:SourceArn"]).to.match(new RegExp(`^arn:aws:ssm:us-east-1:${ACCOUNT}:automation-execution/[0-9a-f-]+$`));
            const snapshot = gated.requests.find((r) => r.request.action === "ec2:CreateSnapshots" && r.request.resource.includes(":instance/"))!;
            expect(snapshot.request.context).to.include({ "aws:ResourceTag/PatchFleet": "windows-legacy" });
            expect(calls(gated)).to.include.members(["ssm:SendCommand arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline", "ec2:DescribeInstances *"]);
            expect(gated.unproven!.join("\n")).to.match(/selectDataVolumes runs a script/);
        });
        it("the Scheduler's runbook start is followed by Automation assuming the administration role", () => {
            const scheduled = prod.wiring!.verdicts.find((v) => v.edge.requests.some((r) => r.request.action === "ssm:StartAutomationExecution"))!.edge;
            const assume = scheduled.requests.filter((r) => r.request.principal === "ssm.amazonaws.com");
            expect(assume.map((r) => r.request.resource)).to.deep.equal([`arn:aws:iam::${ACCOUNT}:role/AWS-SystemsManager-AutomationAdministrationRole`]);
        });
        it("a role that may not snapshot its targets, or whose trust names another source, breaks it", async () => {
            await expectBroken(prod, mutatePolicy(prod.resources, ROLE_POLICY, /^prod-change-safety-automation-policy$/, "policy", withoutSid("SnapshotAndRestoreTargets")), /^association:patching-prod-gated-install$/, /ec2:CreateSnapshots .* ImplicitlyDenied/);
            const trust = mutatePolicy(prod.resources, ROLE, /^prod-automation-admin-role$/, "assumeRolePolicy", (d) => {
                d.Statement[0].Condition.ArnLike["aws:SourceArn"] = `arn:aws:ssm:*:${ACCOUNT}:automation-definition/*`;
            });
            await expectBroken(prod, trust, /^scheduler:prod-automation-/, /assume prod-automation-admin-role: ssm\.amazonaws\.com sts:AssumeRole .* ImplicitlyDenied/);
        });
    });

    describe("EventBridge rule → role → SSM Automation, and the runbook role's notification", () => {
        it("the rule's role starts the runbook and passes the export role, which Automation then assumes; the export role may publish", () => {
            const rule = one(prod, /^rule:AWS-SystemsManager-PatchManager-PatchReport-weekly->export-patch-report$/).edge;
            expect(calls(rule).slice(1)).to.deep.equal([
                `ssm:StartAutomationExecution arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/AWS-ExportPatchReportToS3:$DEFAULT`,
                `iam:PassRole arn:aws:iam::${ACCOUNT}:role/prod-compliance-report-export-role`,
                `sts:AssumeRole arn:aws:iam::${ACCOUNT}:role/prod-compliance-report-export-role`,
            ]);
            const publish = one(prod, /^sns:prod-compliance-report-export-role->patching-prod-patch-notifications$/).edge;
            expect(publish.requests.map((r) => r.request.action)).to.deep.equal(["sns:Publish", "kms:GenerateDataKey"]);
        });
        it("a rule role that may not pass the export role, or an export role without the key, breaks it", async () => {
            await expectBroken(prod, mutatePolicy(prod.resources, ROLE_POLICY, /^prod-compliance-report-schedule-policy$/, "policy", withoutSid("PassExportRole")), /^rule:AWS-SystemsManager-PatchManager-PatchReport-weekly->/, /iam:PassRole .* ImplicitlyDenied/);
            await expectBroken(prod, mutatePolicy(prod.resources, ROLE_POLICY, /^prod-compliance-report-export-policy$/, "policy", withoutSid("EncryptNotification")), /^sns:prod-compliance-report-export-role->/, /kms:GenerateDataKey .* ImplicitlyDenied/);
        });
    });

    describe("S3 server access logging → log bucket", () => {
        it("logging.s3.amazonaws.com puts the log object with aws:SourceArn = the source bucket", () => {
            const edge = one(prod, /^s3-logging:prod-patching-output-bucket->/).edge;
            expect(edge.requests).to.have.length(1);
            expect(edge.requests[0].request).to.include({ principal: "logging.s3.amazonaws.com", action: "s3:PutObject" });
            expect(edge.requests[0].request.resource).to.match(/^arn:aws:s3:::prod-patching-output-access-logs-bucket\//);
            expect(edge.requests[0].request.context).to.include({ "aws:SourceArn": "arn:aws:s3:::prod-patching-output-bucket", "aws:SourceAccount": ACCOUNT });
        });
        it("a log bucket policy for another source bucket, or a log bucket under SSE-KMS, breaks it", async () => {
            const policy = mutatePolicy(prod.resources, "aws:s3/bucketPolicy:BucketPolicy", /^prod-patching-output-access-logs-policy$/, "policy", (d) => {
                d.Statement.find((s) => s.Sid === "AllowServerAccessLogDelivery")!.Condition.ArnLike["aws:SourceArn"] = "arn:aws:s3:::some-other-bucket";
            });
            await expectBroken(prod, policy, /^s3-logging:prod-patching-output-bucket->/, /logging\.s3\.amazonaws\.com s3:PutObject .* ImplicitlyDenied/);
            const kms = mutate(prod.resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", /^prod-patching-output-access-logs-encryption$/, (i) => {
                i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }];
            });
            await expectBroken(prod, kms, /^s3-logging:prod-patching-output-bucket->/, /only to a bucket with SSE-S3/);
        });
    });

    describe("resource data sync → sync bucket", () => {
        it("ssm.amazonaws.com reads the bucket ACL and writes under the account's prefix with bucket-owner-full-control", () => {
            const edge = one(prod, /^data-sync:patching-prod-compliance->/).edge;
            expect(calls(edge)[0]).to.equal("s3:GetBucketAcl arn:aws:s3:::example-patching-compliance-prod");
            expect(calls(edge)[1]).to.match(new RegExp(`^s3:PutObject arn:aws:s3:::example-patching-compliance-prod/resource-data-sync/.*/accountid=${ACCOUNT}/`));
            expect(edge.requests[1].request.context).to.include({ "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": `arn:aws:ssm:us-east-1:${ACCOUNT}:resource-data-sync/patching-prod-compliance` });
            expect(edge.strangers[0].stranger).to.match(/another account/);
        });
        it("a bucket policy without the ACL check breaks it", async () => {
            await expectBroken(prod, mutatePolicy(prod.resources, "aws:s3/bucketPolicy:BucketPolicy", /^prod-compliance-bucket-policy$/, "policy", withoutSid("SSMBucketPermissionsCheck")), /^data-sync:patching-prod-compliance->/, /s3:GetBucketAcl .* ImplicitlyDenied/);
        });
    });

    describe("administration role → member execution role (sts:AssumeRole)", () => {
        it("prod: to each member account's execution role, whose trust is read from the StackSet template", () => {
            const ids = prod.wiring!.verdicts.filter((v) => v.edge.kind === "role → role (cross-account)").map((v) => v.edge.id);
            expect(ids).to.have.members([
                "assume:AWS-SystemsManager-AutomationAdministrationRole->444455556666/AWS-SystemsManager-AutomationExecutionRole",
                "assume:AWS-SystemsManager-AutomationAdministrationRole->777788889999/AWS-SystemsManager-AutomationExecutionRole",
            ]);
        });
        it("dev (same account) and the member stack (administration role in the management account, its policy noted as assumed)", () => {
            expect(one(dev, /^assume:AWS-SystemsManager-AutomationAdministrationRole->123456789012\//).edge.kind).to.equal("role → role (same account)");
            const m = one(member, /^assume:AWS-SystemsManager-AutomationAdministrationRole->/).edge;
            expect(m.requests[0].request.principal).to.equal("arn:aws:sts::111122223333:assumed-role/AWS-SystemsManager-AutomationAdministrationRole/wiring");
            expect(m.unproven!.join()).to.match(/not in this plan/);
        });
        it("an administration policy without the grant, a template trusting another role, or a member trust without the administration role breaks it", async () => {
            const id = /^assume:AWS-SystemsManager-AutomationAdministrationRole->444455556666\//;
            await expectBroken(prod, mutatePolicy(prod.resources, ROLE_POLICY, /^prod-automation-admin-policy$/, "policy", withoutSid("AssumeExecutionRoleInTargetAccounts")), id, /sts:AssumeRole .* ImplicitlyDenied/);
            const otherAdmin = mutate(prod.resources, "aws:cloudformation/stackSet:StackSet", /./, (i) => {
                i.parameters.AdministrationRoleArn = `arn:aws:iam::${ACCOUNT}:role/SomeOtherRole`;
            });
            await expectBroken(prod, otherAdmin, id, /ImplicitlyDenied/);
            const devTrust = mutatePolicy(dev.resources, ROLE, /^dev-automation-member-execution-role$/, "assumeRolePolicy", (d) => {
                d.Statement[0].Principal.AWS = `arn:aws:iam::${ACCOUNT}:role/SomeOtherRole`;
            });
            await expectBroken(dev, devTrust, /^assume:AWS-SystemsManager-AutomationAdministrationRole->123456789012\//, /ImplicitlyDenied/);
        });
    });

    describe("Quick Setup (managed mode) → local deployment roles", () => {
        it("CloudFormation StackSets assumes the administration role for a Quick Setup stack set; it may assume the execution role", () => {
            const admin = one(qs, /^quick-setup:qs-fleet->qs-fleet-qs-admin$/).edge;
            expect(admin.requests[0].request).to.include({ principal: "cloudformation.amazonaws.com", action: "sts:AssumeRole" });
            expect(admin.requests[0].request.context["aws:SourceArn"]).to.match(new RegExp(`^arn:aws:cloudformation:us-east-1:${ACCOUNT}:stackset/AWS-QuickSetup-`));
            expect(one(qs, /^assume:qs-fleet-qs-admin->123456789012\/qs-fleet-qs-exec$/).ok).to.equal(true);
        });
        it("a trust admitting other stack sets only breaks it", async () => {
            const trust = mutatePolicy(qs.resources, ROLE, /^qs-fleet-qs-admin$/, "assumeRolePolicy", (d) => {
                d.Statement[0].Condition.StringLike["aws:SourceArn"] = `arn:aws:cloudformation:*:${ACCOUNT}:stackset/Other-*`;
            });
            await expectBroken(qs, trust, /^quick-setup:qs-fleet->qs-fleet-qs-admin$/, /cloudformation\.amazonaws\.com sts:AssumeRole .* ImplicitlyDenied/);
        });
    });

    describe("instance role → KMS key of the override bucket", () => {
        it("reading the SSE-KMS override object needs kms:Decrypt with the S3 encryption context (the bucket's ARN: S3 Bucket Key on)", () => {
            const read = prod.wiring!.verdicts.filter((v) => v.edge.id === "s3:prod-patching-iam-instance:s3:GetObject:patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json");
            expect(read.length).to.be.greaterThan(0);
            for (const v of read) {
                const kms = v.edge.requests.find((r) => r.request.action === "kms:Decrypt")!;
                expect(kms.request.resource).to.equal(`arn:aws:kms:us-east-1:${ACCOUNT}:key/overrides-prod01-key-id`);
                expect(kms.request.context).to.include({ "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::patching-overrides-123456789012-us-east-1-prod01", "kms:ViaService": "s3.us-east-1.amazonaws.com" });
            }
        });
        it("an instance policy without kms:Decrypt breaks the read", async () => {
            let resources: PlanResource[] = mutatePolicy(prod.resources, "aws:iam/policy:Policy", /^prod-patching-iam-access$/, "policy", withoutSid("DecryptBaselineOverride"));
            resources = mutatePolicy(resources, "aws:iam/policy:Policy", /^prod-fleet-instance-policy$/, "policy", withoutSid("DecryptBaselineOverride"));
            await expectBroken(prod, resources, /^s3:prod-patching-iam-instance:s3:GetObject:patching-overrides-/, /kms:Decrypt on .* ImplicitlyDenied/);
        });
    });
});
