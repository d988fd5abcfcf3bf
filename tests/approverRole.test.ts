/**
 * The approver role (components/approverRole.ts): who may assume it, with MFA where it applies,
 * and that it may change the approval calendar and nothing else; its config, and its wiring into
 * the change-safety component and the gate Lambda.
 */
import { expect } from "chai";
import * as path from "path";
import { approverPermissions, approverTrustPolicy, identityCenterRolePattern, requesterPermissions } from "../components/approverRole";
import { ACCOUNT, expectIssue, named, REGION, ROOT, runStackFile } from "./harness";
import * as YAML from "yaml";
import * as fs from "fs";

const USER = "arn:aws:iam::123456789012:user/alice";
const ROLE = "arn:aws:iam::123456789012:role/BreakGlass";
const CALENDAR = "arn:aws:ssm:us-east-1:123456789012:document/patching-prod-install-approval";
const approvers = (over: object = {}) => ({ principals: [USER, ROLE], identityCenterPermissionSets: ["PatchApprover"], requireMfa: true, twoPersonRule: false, ...over });

describe("approver role", () => {
    it("trusts named users (MFA, session named after the user), named roles (MFA) and Identity Center permission sets", () => {
        const trust = approverTrustPolicy(approvers(), "aws", "123456789012");
        expect(trust.Statement).to.deep.equal([
            {
                Sid: "NamedUsers",
                Effect: "Allow",
                Principal: { AWS: [USER] },
                Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
                Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, StringEquals: { "sts:RoleSessionName": "${aws:username}" } },
            },
            { Sid: "NamedRoles", Effect: "Allow", Principal: { AWS: [ROLE] }, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } },
            {
                Sid: "IdentityCenterPermissionSets",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
                Condition: { ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_PatchApprover_*"] } },
            },
        ]);
        const noMfa = approverTrustPolicy(approvers({ requireMfa: false, identityCenterPermissionSets: [] }), "aws", "123456789012");
        expect(noMfa.Statement.map((s) => s.Condition)).to.deep.equal([{ StringEquals: { "sts:RoleSessionName": "${aws:username}" } }, undefined]);
    });

    it("the Identity Center pattern matches the role Identity Center provisions, with or without a Region path", () => {
        const glob = identityCenterRolePattern("aws", "123456789012", "PatchApprover");
        const re = new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`);
        expect(re.test("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PatchApprover_0123456789abcdef")).to.equal(true);
        expect(re.test("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PatchApprover_0123456789abcdef")).to.equal(true);
        expect(re.test("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123")).to.equal(false);
    });

    it("may read and change the calendar only", () => {
        expect(approverPermissions(CALENDAR).Statement).to.deep.equal([
            {
                Sid: "ApproveOnTheCalendar",
                Effect: "Allow",
                Action: ["ssm:GetDocument", "ssm:DescribeDocument", "ssm:ListDocumentVersions", "ssm:GetCalendarState", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
                Resource: CALENDAR,
            },
        ]);
    });

    describe("config (patching:changeSafety.approvalGate.approvers)", () => {
        const prod = () => YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config as Record<string, any>;
        const withApprovers = (a: unknown) => {
            const cfg = prod();
            cfg["patching:changeSafety"].approvalGate.approvers = a;
            return cfg;
        };
        it("rejects an approver list that trusts nobody, naming the key", () => {
            expectIssue(withApprovers({}), "patching:changeSafety.approvalGate.approvers", "trusts nobody");
        });
        it("rejects a principal that is not an IAM user or role ARN, and a bad permission set name", () => {
            expectIssue(withApprovers({ principals: ["alice"] }), "patching:changeSafety.approvalGate.approvers.principals[0]", "IAM user or role ARN", "alice");
            expectIssue(withApprovers({ identityCenterPermissionSets: ["has space"] }), "patching:changeSafety.approvalGate.approvers.identityCenterPermissionSets[0]", "permission set name", "has space");
        });
        it("rejects a two-person rule without requesters, with the open timeout policy, and requesters that trust nobody", () => {
            const cfg = prod();
            delete cfg["patching:changeSafety"].approvalGate.approvers.requesters;
            expectIssue(cfg, "patching:changeSafety.approvalGate.approvers.twoPersonRule", "needs approvers.requesters", true);
            const open = prod();
            open["patching:changeSafety"].approvalGate.timeout = { action: "open", afterHours: 24 };
            expectIssue(open, "patching:changeSafety.approvalGate.timeout.action", "an automatic opening is approved by nobody", "open");
            expectIssue(withApprovers({ identityCenterPermissionSets: ["PatchApprover"], requesters: {} }), "patching:changeSafety.approvalGate.approvers.requesters", "trusts nobody");
        });
        it("deploys both roles of the shipped prod stack and hands them to the gate Lambda", async function () {
            this.timeout(180_000);
            // The shipped prod stack under mocks, computed once per test process (tests/harness.ts).
            const { resources } = await runStackFile("Pulumi.prod.yaml", "prod");
            const role = named(resources, "aws:iam/role:Role", "prod-change-safety-approver-role");
            expect(role.inputs.name).to.equal("patching-prod-approver");
            const requester = named(resources, "aws:iam/role:Role", "prod-change-safety-requester-role");
            expect(requester.inputs.name).to.equal("patching-prod-requester");
            // Trusted like the approver role (the shared helper), by its own permission set.
            expect(JSON.parse(requester.inputs.assumeRolePolicy as string)).to.deep.equal(approverTrustPolicy({ principals: [], identityCenterPermissionSets: ["PatchRequester"], requireMfa: true }, "aws", ACCOUNT));
            const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "prod-change-safety-requester-gate-state").inputs.policy as string);
            expect(policy.Statement.map((st: { Action: unknown }) => st.Action)).to.deep.equal([["s3:GetObject", "s3:PutObject"], "s3:ListBucket"]);
            expect(policy.Statement[0].Resource).to.match(/^arn:aws:s3:::.+\/approval-gate\/prod\/\*$/);
            const approverPolicy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "prod-change-safety-approver-calendar").inputs.policy as string);
            expect(approverPolicy.Statement.map((st: { Sid: string }) => st.Sid)).to.deep.equal(["ApproveOnTheCalendar", "ReadGateState", "SeeMissingGateState"]);
            expect(approverPolicy.Statement[1].Action).to.deep.equal(["s3:GetObject"]);
            // Two-person rule: the approver writes its own calendar only, never the release calendars the installs check (the gate releases).
            expect(approverPolicy.Statement[0].Resource).to.equal(`arn:aws:ssm:${REGION}:${ACCOUNT}:document/patching-prod-approvals`);
            expect(JSON.stringify(approverPolicy)).not.to.contain("install-approval");
            const fn = resources.find((r) => r.type === "aws:lambda/function:Function" && (r.inputs.name as string) === "patching-prod-approval-gate")!;
            const vars = (fn.inputs.environment as { variables: Record<string, string> }).variables;
            expect(vars.TWO_PERSON_RULE).to.equal("true");
            expect([vars.CALENDAR_NAME, vars.APPROVAL_CALENDAR_NAME]).to.deep.equal(["patching-prod-install-approval", "patching-prod-approvals"]);
            expect(vars.APPROVER_ROLE_ARN).to.be.a("string");
            expect(vars.REQUESTER_ROLE_ARN).to.be.a("string");
        });
    });

    it("the requester may read and write its stack's gate state only; with a customer managed key, that key through S3 only", () => {
        const gate = { bucketArn: "arn:aws:s3:::artifacts", stack: "prod", region: "us-east-1" };
        expect(requesterPermissions(gate).Statement).to.deep.equal([
            { Sid: "RequestInGateState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::artifacts/approval-gate/prod/*" },
            { Sid: "SeeMissingGateState", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::artifacts", Condition: { StringLike: { "s3:prefix": ["approval-gate/prod/*"] } } },
        ]);
        const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        expect(requesterPermissions({ ...gate, kmsKeyArn: key }).Statement[2]).to.deep.equal({
            Sid: "GateStateKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: key,
            Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
        });
        // The approver reads (who requested), never writes; no calendar action for the requester.
        expect(approverPermissions(CALENDAR, { ...gate, kmsKeyArn: key }).Statement.slice(1).map((st) => st.Action)).to.deep.equal([["s3:GetObject"], "s3:ListBucket", ["kms:Decrypt"]]);
        expect(JSON.stringify(requesterPermissions(gate))).not.to.contain("ssm:");
    });
});
