/**
 * The wiring proof (review/wiring.ts) over every shipped and valid fixture stack: each run-time
 * call between services is allowed by an IAM policy engine and each stranger is denied; the five
 * wiring defects of issue 14 stay fixed; breaking each kind of wire on purpose makes the review
 * exit 2 naming the edge.
 */
import { expect } from "chai";
import * as path from "path";
import { exitCode } from "../review/cli";
import type { PlanResource } from "../review/engine";
import type { Review } from "../review/review";
import type { WiringReport } from "../review/wiring";
import { cachedReview, ROOT } from "./harness";
import { expectBroken as expectWireBroken, mutate as mutatePlan } from "./support/wiringBreak";
import { STACKS } from "./support/stacks";
import { aslValidationErrors } from "../bench/support/asl";

describe("asl-validator (used on every state machine of every stack below)", () => {
    it("rejects a definition AWS would reject", () => {
        expect(aslValidationErrors({ StartAt: "Missing", States: { A: { Type: "Bogus" } } })).to.not.deep.equal([]);
        expect(aslValidationErrors({ StartAt: "A", States: { A: { Type: "Succeed" } } })).to.deep.equal([]);
    });
});

const broken = (w: WiringReport) => w.verdicts.filter((v) => !v.ok).map((v) => `${v.edge.id}: ${v.problems.join(" | ")}`);
const edge = (w: WiringReport, id: RegExp) => {
    const found = w.verdicts.filter((v) => id.test(v.edge.id));
    expect(found.length, `an edge matching ${id}`).to.be.greaterThan(0);
    return found;
};

describe("Wiring proof: every run-time call between services, decided by an IAM policy engine", () => {
    for (const [stack, configPath] of STACKS) {
        it(`${stack}: 0 broken edges`, async () => {
            const r = await cachedReview({ stack, configPath });
            if (stack.startsWith("fixture-") && r.configErrors.length > 0) return; // an invalid fixture plans nothing
            expect(r.configErrors, stack).to.deep.equal([]);
            // dev and prod run scheduled jobs, alarms and notifications; a member stack may have none.
            if (stack === "dev" || stack === "prod") expect(r.wiring!.verdicts.length, `${stack}: edges found`).to.be.greaterThan(10);
            expect(broken(r.wiring!), stack).to.deep.equal([]);
            expect(exitCode(r)).to.not.equal(2);
            // Every state machine definition is valid Amazon States Language (asl-validator, an external validator).
            for (const sm of r.resources.filter((x) => x.type === "aws:sfn/stateMachine:StateMachine")) {
                expect(aslValidationErrors(JSON.parse(sm.inputs.definition as string)), `${stack}: ${sm.name}`).to.deep.equal([]);
            }
            expect(r.sections.find((s) => s.title.startsWith("Wiring"))!.lines[0]).to.match(/^\d+ edge\(s\) proven, 0 broken/);
        });
    }

    describe("prod: the defects of issue 14 stay fixed, and each kind of broken wire is caught", () => {
        let review: Review;
        before(async () => {
            review = await cachedReview({ stack: "prod", configPath: path.join(ROOT, "Pulumi.prod.yaml") });
        });
        const mutate = (type: string, name: RegExp, change: (inputs: Record<string, any>) => void): PlanResource[] => mutatePlan(review.resources, type, name, change);
        const expectBroken = (resources: PlanResource[], id: RegExp, why: RegExp) => expectWireBroken(review, resources, id, why);

        it("defect 2: the scheduled jobs' roles are assumable by Scheduler (aws:SourceArn is the schedule group), not by other groups or accounts", () => {
            for (const id of [/^scheduler:prod-change-safety-retention-/, /^scheduler:prod-change-safety-pinned-list-/, /^scheduler:prod-change-safety-gate-/, /^scheduler:overrides-.*-schedule$/]) {
                for (const v of edge(review.wiring!, id)) expect(v.problems, v.edge.id).to.deep.equal([]);
            }
        });
        it("defect 3: CloudWatch alarms reach the change-safety and override-store topics (customer managed keys admitting CloudWatch)", () => {
            for (const id of [/^alarm:patching-prod-snapshot-retention-errors->patching-prod-change-safety$/, /^alarm:baseline-overrides-.*-errors->baseline-overrides-.*-alarms$/]) {
                for (const v of edge(review.wiring!, id)) {
                    expect(v.problems, v.edge.id).to.deep.equal([]);
                    expect(v.edge.requests.map((r) => r.request.action)).to.deep.equal(["sns:Publish", "kms:GenerateDataKey"]);
                }
            }
        });
        it("defect 4: the retention and export Lambdas' failure records reach the topic (sns:Publish and the key)", () => {
            for (const id of [/^destination:patching-prod-snapshot-retention:onFailure$/, /^destination:patching-prod-export-installed-patches:onFailure$/]) {
                for (const v of edge(review.wiring!, id)) expect(v.problems, v.edge.id).to.deep.equal([]);
            }
        });
        it("defect 5: EventBridge may use the notification key only for the notification topic", async () => {
            const key = review.resources.find((r) => r.type === "aws:kms/key:Key" && r.name.endsWith("-notifications-key"))!;
            const { decide } = await import("../review/iamEngine");
            const ask = (topic: string) =>
                decide({
                    principal: "events.amazonaws.com",
                    action: "kms:GenerateDataKey",
                    resource: `arn:aws:kms:us-east-1:${review.accountId}:key/${key.name}-id`,
                    resourceAccount: review.accountId,
                    context: { "kms:EncryptionContext:aws:sns:topicArn": topic },
                    resourcePolicy: JSON.parse(key.inputs.policy as string),
                });
            const topic = review.resources.find((r) => r.type === "aws:sns/topic:Topic" && r.inputs.kmsMasterKeyId === `arn:aws:kms:us-east-1:${review.accountId}:key/${key.name}-id`)!;
            expect((await ask(`arn:aws:sns:us-east-1:${review.accountId}:${topic.inputs.name}`)).allowed).to.equal(true);
            expect((await ask(`arn:aws:sns:us-east-1:999999999999:someone-elses-topic`)).allowed).to.equal(false);
        });

        it("a wrong aws:SourceArn (the schedule instead of its group) breaks the schedule's edge", async () => {
            const resources = mutate("aws:iam/role:Role", /^prod-change-safety-retention-scheduler$/, (i) => {
                i.assumeRolePolicy = (i.assumeRolePolicy as string).replace(/schedule-group\/([^"]+)/, "schedule/default/$1-*");
            });
            await expectBroken(resources, /scheduler:prod-change-safety-retention-/, /assume prod-change-safety-retention-scheduler: scheduler\.amazonaws\.com sts:AssumeRole .* ImplicitlyDenied/);
        });
        it("a missing sns:Publish breaks the failure destination", async () => {
            const resources = mutate("aws:iam/rolePolicy:RolePolicy", /^prod-change-safety-retention-policy$/, (i) => {
                const doc = JSON.parse(i.policy as string);
                doc.Statement = doc.Statement.filter((s: { Sid?: string }) => s.Sid !== "ReportFailures");
                i.policy = JSON.stringify(doc);
            });
            await expectBroken(resources, /destination:patching-prod-snapshot-retention:onFailure/, /sns:Publish on .* is ImplicitlyDenied/);
        });
        it("a key policy without the service breaks the alarm's edge (the AWS managed aws/sns key too)", async () => {
            const resources = mutate("aws:kms/key:Key", /^prod-change-safety-topic-key$/, (i) => {
                const doc = JSON.parse(i.policy as string);
                doc.Statement = doc.Statement.filter((s: { Sid?: string }) => s.Sid !== "CloudWatchAlarmsPublish");
                i.policy = JSON.stringify(doc);
            });
            await expectBroken(resources, /alarm:patching-prod-snapshot-retention-errors->patching-prod-change-safety/, /kms:GenerateDataKey .* is ImplicitlyDenied/);
            const managed = mutate("aws:sns/topic:Topic", /^prod-change-safety-topic$/, (i) => (i.kmsMasterKeyId = "alias/aws/sns"));
            await expectBroken(managed, /alarm:patching-prod-snapshot-retention-errors->patching-prod-change-safety/, /kms:GenerateDataKey .* is ImplicitlyDenied/);
        });
        it("a bucket policy denying the reader breaks the reader's edge", async () => {
            const s3 = review.wiring!.verdicts.find((v) => v.edge.kind === "role → S3 (s3:GetObject)")!;
            const bucket = s3.edge.to.replace(/^s3:\/\//, "").split("/")[0];
            const resources = review.resources.map((r) => {
                if (r.type !== "aws:s3/bucketPolicy:BucketPolicy" || typeof r.inputs.policy !== "string" || !r.inputs.policy.includes(`arn:aws:s3:::${bucket}`)) return r;
                const copy = JSON.parse(JSON.stringify(r)) as PlanResource;
                const doc = JSON.parse(copy.inputs.policy as string);
                doc.Statement.push({ Sid: "DenyEveryReader", Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` });
                copy.inputs.policy = JSON.stringify(doc);
                return copy;
            });
            await expectBroken(resources, new RegExp(s3.edge.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), /ExplicitlyDenied .*DenyEveryReader/);
        });
    });
});
