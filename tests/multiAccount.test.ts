import { expect } from "chai";
import * as crypto from "crypto";
import { resolveCfnSub, runbookContent } from "../core/multiAccount";
import type { PlanResource } from "../review/engine";
import { ACCOUNT, minimalConfig, named, ofType, runProgram, runStackFile } from "./harness";

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const ADMIN = "AWS-SystemsManager-AutomationAdministrationRole";
const EXEC = "AWS-SystemsManager-AutomationExecutionRole";
const MGMT = "111122223333";

const webServers = { name: "WebServers", tagFilters: { Name: ["WebServers"] } };
const prodGroup = { name: "prod-patch-group", resourceTypes: ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"], tagFilters: { PatchGroup: ["prod", "prod-critical"] } };

function management(changes: Record<string, unknown> = {}) {
    return minimalConfig({
        "patching:multiAccount": {
            accountRole: "management",
            organizationId: "o-a1b2c3d4e5",
            resourceGroups: [webServers],
            targetLocations: [
                { accounts: ["777788889999", "444455556666"], regions: ["us-east-1", "us-west-2"], maxConcurrency: "1", maxErrors: "0" },
                { accounts: ["ou-ab12-34cd56ef"], regions: ["eu-west-1"], excludeAccounts: ["999988887777"], maxConcurrency: "25%", maxErrors: "1" },
            ],
            schedules: [
                {
                    name: "weekly-install",
                    description: "Weekly install",
                    operation: "Install",
                    rebootOption: "NoReboot",
                    resourceGroup: "WebServers",
                    schedule: "cron(0 3 ? * SUN *)",
                    timezone: "Asia/Tokyo",
                    maxConcurrency: "20%",
                    maxErrors: "2",
                    installOverrideList: "s3://patch-lists/prod/list.yaml",
                },
            ],
            ...changes,
        },
    });
}

function member(changes: Record<string, unknown> = {}) {
    return minimalConfig({
        "patching:multiAccount": { accountRole: "member", managementAccountId: MGMT, memberRegions: ["us-east-1", "us-west-2"], resourceGroups: [webServers, prodGroup], ...changes },
    });
}

function json(r: PlanResource, key: string): any {
    return JSON.parse(r.inputs[key] as string);
}

/** Every policy document of the multi-account automation: role trust, inline policies and StackSet template roles. */
function allPolicies(all: PlanResource[]): { where: string; doc: any; trust: boolean }[] {
    const resources = all.filter((r) => r.urn.includes("patching:automation:"));
    const out: { where: string; doc: any; trust: boolean }[] = [];
    for (const r of ofType(resources, ROLE)) out.push({ where: r.name, doc: json(r, "assumeRolePolicy"), trust: true });
    for (const r of ofType(resources, POLICY)) out.push({ where: r.name, doc: json(r, "policy"), trust: false });
    for (const s of ofType(resources, "aws:cloudformation/stackSet:StackSet")) {
        for (const [id, res] of Object.entries(json(s, "templateBody").Resources) as [string, any][]) {
            if (res.Type !== "AWS::IAM::Role") continue;
            out.push({ where: `${s.name}/${id}`, doc: res.Properties.AssumeRolePolicyDocument, trust: true });
            for (const p of res.Properties.Policies) out.push({ where: `${s.name}/${id}/${p.PolicyName}`, doc: p.PolicyDocument, trust: false });
        }
    }
    return out;
}

function actions(doc: any): string[] {
    return doc.Statement.flatMap((s: any) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

const ADMIN_TRUST = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "AutomationInThisAccount",
            Effect: "Allow",
            Principal: { Service: "ssm.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${ACCOUNT}:automation-execution/*` },
            },
        },
    ],
};

/** The execution role's permissions for a member account, statement by statement. */
function executionPolicy(account: string, management: string, groups: string[]) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ResolveResourceGroupTargets",
                Effect: "Allow",
                Action: "resource-groups:ListGroupResources",
                Resource: groups.map((g) => `arn:aws:resource-groups:*:${account}:group/${g}`),
            },
            { Sid: "ReadTaggedInstances", Effect: "Allow", Action: ["tag:GetResources", "ec2:DescribeInstances", "ssm:DescribeInstanceInformation"], Resource: "*" },
            {
                Sid: "RunPatchBaselineOnThisAccountsNodes",
                Effect: "Allow",
                Action: "ssm:SendCommand",
                Resource: ["arn:aws:ssm:*::document/AWS-RunPatchBaseline", `arn:aws:ec2:*:${account}:instance/*`, `arn:aws:ssm:*:${account}:managed-instance/*`],
            },
            {
                Sid: "FollowCommands",
                Effect: "Allow",
                Action: ["ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation", "ssm:CancelCommand"],
                Resource: "*",
            },
            {
                Sid: "StartChildExecutionsOfThisRunbook",
                Effect: "Allow",
                Action: "ssm:StartAutomationExecution",
                Resource: [
                    `arn:aws:ssm:*:${management}:document/Automation-RunPatchBaseline`,
                    `arn:aws:ssm:*:${management}:automation-definition/Automation-RunPatchBaseline:*`,
                    `arn:aws:ssm:*:${account}:automation-execution/*`,
                ],
            },
            {
                Sid: "FollowOwnExecutions",
                Effect: "Allow",
                Action: ["ssm:GetAutomationExecution", "ssm:DescribeAutomationStepExecutions", "ssm:StopAutomationExecution"],
                Resource: `arn:aws:ssm:*:${account}:automation-execution/*`,
            },
            {
                // The runbook's assertChangeCalendarOpen: the management account's shared approval calendars, read-only.
                Sid: "ReadManagementApprovalCalendars",
                Effect: "Allow",
                Action: "ssm:GetCalendarState",
                Resource: `arn:aws:ssm:*:${management}:document/*-install-approval`,
            },
            {
                Sid: "PassOnlyThisRoleToAutomation",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: `arn:aws:iam::${account}:role/${EXEC}`,
                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            },
        ],
    };
}

function executionTrust(account: string, adminArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "AdministrationRoleOfManagementAccount", Effect: "Allow", Principal: { AWS: adminArn }, Action: "sts:AssumeRole" },
            {
                Sid: "AutomationInThisAccount",
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": account },
                    ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${account}:automation-execution/*` },
                },
            },
        ],
    };
}

describe("multi-account automation: management stack", () => {
    it("creates the administration role trusted by Systems Manager for this account only", async () => {
        const { resources } = await runProgram(management());
        const role = named(resources, ROLE, "test-automation-admin-role");
        expect(role.inputs.name).to.equal(ADMIN);
        expect(json(role, "assumeRolePolicy")).to.deep.equal(ADMIN_TRUST);
        expect((role.inputs.tags as Record<string, string>).ManagedBy).to.equal("pulumi");
    });

    it("lets it assume only the execution role: by ARN in listed accounts, by name inside the organization for OUs", async () => {
        const { resources } = await runProgram(management());
        const policy = named(resources, POLICY, "test-automation-admin-policy");
        expect(policy.inputs.role).to.equal(ADMIN);
        expect(json(policy, "policy")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AssumeExecutionRoleInTargetAccounts",
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Resource: [`arn:aws:iam::444455556666:role/${EXEC}`, `arn:aws:iam::777788889999:role/${EXEC}`],
                },
                {
                    Sid: "AssumeExecutionRoleInOrganization",
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Resource: `arn:aws:iam::*:role/${EXEC}`,
                    Condition: { StringEquals: { "aws:ResourceOrgID": "o-a1b2c3d4e5" } },
                },
                { Sid: "ListAccountsOfTargetOUs", Effect: "Allow", Action: "organizations:ListAccountsForParent", Resource: "*" },
            ],
        });
    });

    it("without OU targets, grants no wildcard-account assume and no Organizations access", async () => {
        const { resources } = await runProgram(management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1"] }] }));
        expect(json(named(resources, POLICY, "test-automation-admin-policy"), "policy").Statement).to.deep.equal([
            { Sid: "AssumeExecutionRoleInTargetAccounts", Effect: "Allow", Action: "sts:AssumeRole", Resource: [`arn:aws:iam::444455556666:role/${EXEC}`] },
        ]);
    });

    it("deploys the runbook from documents/ as a YAML Automation document with a content-derived version name", async () => {
        const { resources } = await runProgram(management());
        const doc = named(resources, "aws:ssm/document:Document", "test-automation-runbook");
        const content = runbookContent();
        expect(doc.inputs).to.deep.include({
            name: "Automation-RunPatchBaseline",
            documentType: "Automation",
            documentFormat: "YAML",
            content,
            versionName: `sha-${crypto.createHash("sha256").update(content).digest("hex").slice(0, 16)}`,
        });
    });

    it("schedules StartAutomationExecution with the resource-group target, rate control and target locations", async () => {
        const { resources } = await runProgram(management());
        const s = named(resources, "aws:scheduler/schedule:Schedule", "test-automation-weekly-install");
        expect(s.inputs).to.deep.include({
            name: "weekly-install",
            groupName: "patching-test-automation",
            description: "Weekly install",
            scheduleExpression: "cron(0 3 ? * SUN *)",
            scheduleExpressionTimezone: "Asia/Tokyo",
            state: "ENABLED",
            flexibleTimeWindow: { mode: "OFF" },
        });
        const target = s.inputs.target as Record<string, any>;
        expect(target.arn).to.equal("arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution");
        expect(target.roleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/test-automation-scheduler-role`);
        expect(target.retryPolicy).to.deep.equal({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 });
        expect(JSON.parse(target.input)).to.deep.equal({
            DocumentName: "Automation-RunPatchBaseline",
            DocumentVersion: "$DEFAULT",
            Parameters: {
                AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/${ADMIN}`],
                Operation: ["Install"],
                RebootOption: ["NoReboot"],
                InstallOverrideList: ["s3://patch-lists/prod/list.yaml"],
                // No approval gate in this stack: the Install says so explicitly (the runbook stops an Install naming no calendar).
                ChangeCalendarName: ["UNGATED"],
            },
            TargetParameterName: "InstanceId",
            Targets: [{ Key: "ResourceGroup", Values: ["WebServers"] }],
            MaxConcurrency: "20%",
            MaxErrors: "2",
            TargetLocations: [
                {
                    Accounts: ["777788889999", "444455556666"],
                    Regions: ["us-east-1", "us-west-2"],
                    ExecutionRoleName: EXEC,
                    TargetLocationMaxConcurrency: "1",
                    TargetLocationMaxErrors: "0",
                },
                {
                    Accounts: ["ou-ab12-34cd56ef"],
                    Regions: ["eu-west-1"],
                    ExecutionRoleName: EXEC,
                    TargetLocationMaxConcurrency: "25%",
                    TargetLocationMaxErrors: "1",
                    ExcludeAccounts: ["999988887777"],
                },
            ],
        });
        // The schedule waits for its role's permissions.
        expect(s.options.dependsOn).to.include(named(resources, POLICY, "test-automation-scheduler-policy").urn);
    });

    it("gives the scheduler role only StartAutomationExecution on the runbook and PassRole on the administration role", async () => {
        const { resources } = await runProgram(management());
        expect(json(named(resources, ROLE, "test-automation-scheduler-role"), "assumeRolePolicy")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "SchedulesOfThisGroup",
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: {
                            "aws:SourceAccount": ACCOUNT,
                            "aws:SourceArn": `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule-group/patching-test-automation`,
                        },
                    },
                },
            ],
        });
        expect(json(named(resources, POLICY, "test-automation-scheduler-policy"), "policy")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "StartPatchRunbook",
                    Effect: "Allow",
                    Action: "ssm:StartAutomationExecution",
                    Resource: [
                        `arn:aws:ssm:us-east-1:${ACCOUNT}:document/Automation-RunPatchBaseline`,
                        `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/Automation-RunPatchBaseline:*`,
                        `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-execution/*`,
                    ],
                },
                {
                    Sid: "PassAdministrationRoleToAutomation",
                    Effect: "Allow",
                    Action: "iam:PassRole",
                    Resource: `arn:aws:iam::${ACCOUNT}:role/${ADMIN}`,
                    Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                },
            ],
        });
    });

    it("creates the schedule group, role and policy only when schedules are configured", async () => {
        const { resources } = await runProgram(management({ schedules: [] }));
        expect(ofType(resources, "aws:scheduler/schedule:Schedule")).to.have.length(0);
        expect(ofType(resources, "aws:scheduler/scheduleGroup:ScheduleGroup")).to.have.length(0);
        expect(ofType(resources, ROLE).map((r) => r.name)).to.deep.equal(["test-automation-admin-role"]);
    });

    it("creates no member role, resource groups or StackSet on a management-only stack without org mode", async () => {
        const { resources } = await runProgram(management());
        expect(ofType(resources, "aws:resourcegroups/group:Group")).to.have.length(0);
        expect(ofType(resources, "aws:cloudformation/stackSet:StackSet")).to.have.length(0);
        expect(resources.filter((r) => r.type.startsWith("patching:automation:")).map((r) => r.type)).to.deep.equal(["patching:automation:Management"]);
    });

    it("parents every child to the Management component", async () => {
        const { resources } = await runProgram(management());
        const component = named(resources, "patching:automation:Management", "test-automation");
        const children = resources.filter((r) => r.name.startsWith("test-automation") && r !== component);
        expect(children.map((c) => c.type).sort()).to.deep.equal([
            "aws:iam/role:Role",
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:scheduler/schedule:Schedule",
            "aws:scheduler/scheduleGroup:ScheduleGroup",
            "aws:ssm/document:Document",
        ]);
        for (const c of children) expect(c.parent, c.name).to.equal(component.urn);
    });
});

describe("multi-account automation: member stack", () => {
    it("creates the execution role trusted by exactly the management account's administration role and Systems Manager", async () => {
        const { resources } = await runProgram(member());
        const role = named(resources, ROLE, "test-automation-member-execution-role");
        expect(role.inputs.name).to.equal(EXEC);
        expect(json(role, "assumeRolePolicy")).to.deep.equal(executionTrust(ACCOUNT, `arn:aws:iam::${MGMT}:role/${ADMIN}`));
    });

    it("gives it least privilege for the runbook, statement by statement", async () => {
        const { resources } = await runProgram(member());
        const policy = named(resources, POLICY, "test-automation-member-execution-policy");
        expect(policy.inputs.name).to.equal("PatchingAutomationExecution");
        expect(policy.inputs.role).to.equal(EXEC);
        expect(json(policy, "policy")).to.deep.equal(executionPolicy(ACCOUNT, MGMT, ["WebServers", "prod-patch-group"]));
    });

    it("follows a custom administration role name", async () => {
        const { resources } = await runProgram(member({ administrationRoleName: "PatchingAdmin" }));
        const trust = json(named(resources, ROLE, "test-automation-member-execution-role"), "assumeRolePolicy");
        expect(trust.Statement[0].Principal).to.deep.equal({ AWS: `arn:aws:iam::${MGMT}:role/PatchingAdmin` });
    });

    it("creates each resource group in each member Region through that Region's provider", async () => {
        const { resources } = await runProgram(member());
        const groups = ofType(resources, "aws:resourcegroups/group:Group");
        expect(groups.map((g) => g.name).sort()).to.deep.equal([
            "test-automation-member-WebServers-us-east-1",
            "test-automation-member-WebServers-us-west-2",
            "test-automation-member-prod-patch-group-us-east-1",
            "test-automation-member-prod-patch-group-us-west-2",
        ]);
        for (const g of groups) {
            const region = g.name.endsWith("us-west-2") ? "us-west-2" : "us-east-1";
            expect(g.options.provider, g.name).to.contain(`pulumi:providers:aws::aws-${region}::`);
        }
        const prod = named(resources, "aws:resourcegroups/group:Group", "test-automation-member-prod-patch-group-us-west-2");
        expect(prod.inputs.name).to.equal("prod-patch-group");
        expect((prod.inputs.resourceQuery as any).type).to.equal("TAG_FILTERS_1_0");
        expect(JSON.parse((prod.inputs.resourceQuery as any).query)).to.deep.equal({
            ResourceTypeFilters: ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"],
            TagFilters: [{ Key: "PatchGroup", Values: ["prod", "prod-critical"] }],
        });
        const providers = ofType(resources, "pulumi:providers:aws");
        expect(providers.map((p) => [p.name, p.inputs.region])).to.deep.equal([
            ["aws-us-east-1", "us-east-1"],
            ["aws-us-west-2", "us-west-2"],
        ]);
    });

    it("defaults the member Regions to aws:region", async () => {
        const { resources } = await runProgram(member({ memberRegions: undefined, resourceGroups: [webServers] }));
        expect(ofType(resources, "aws:resourcegroups/group:Group").map((g) => g.name)).to.deep.equal(["test-automation-member-WebServers-us-east-1"]);
    });

    it("creates no management resources", async () => {
        const { resources } = await runProgram(member());
        for (const t of ["aws:ssm/document:Document", "aws:scheduler/schedule:Schedule", "aws:cloudformation/stackSet:StackSet"]) expect(ofType(resources, t), t).to.have.length(0);
        expect(ofType(resources, ROLE).map((r) => r.inputs.name)).to.deep.equal([EXEC]);
    });
});

describe("multi-account automation: single-account (both) stack", () => {
    const both = () =>
        minimalConfig({
            "patching:multiAccount": {
                accountRole: "both",
                memberRegions: ["us-east-1", "ap-northeast-1"],
                resourceGroups: [webServers],
                schedules: [{ name: "daily-scan", operation: "Scan", resourceGroup: "WebServers", schedule: "rate(1 day)" }],
            },
        });

    it("trusts its own administration role and targets its own account in its member Regions", async () => {
        const { resources } = await runProgram(both());
        const adminArn = `arn:aws:iam::${ACCOUNT}:role/${ADMIN}`;
        expect(json(named(resources, ROLE, "test-automation-member-execution-role"), "assumeRolePolicy")).to.deep.equal(executionTrust(ACCOUNT, adminArn));
        expect(json(named(resources, POLICY, "test-automation-member-execution-policy"), "policy")).to.deep.equal(executionPolicy(ACCOUNT, ACCOUNT, ["WebServers"]));
        expect(json(named(resources, POLICY, "test-automation-admin-policy"), "policy").Statement).to.deep.equal([
            { Sid: "AssumeExecutionRoleInTargetAccounts", Effect: "Allow", Action: "sts:AssumeRole", Resource: [`arn:aws:iam::${ACCOUNT}:role/${EXEC}`] },
        ]);
        const input = JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", "test-automation-daily-scan").inputs.target as any).input);
        expect(input.TargetLocations).to.deep.equal([
            { Accounts: [ACCOUNT], Regions: ["us-east-1", "ap-northeast-1"], ExecutionRoleName: EXEC, TargetLocationMaxConcurrency: "10%", TargetLocationMaxErrors: "0" },
        ]);
        expect(input.Parameters).to.deep.equal({ AutomationAssumeRole: [adminArn], Operation: ["Scan"], RebootOption: ["RebootIfNeeded"] });
    });

    it("creates the management and member components side by side", async () => {
        const { resources } = await runProgram(both());
        expect(resources.filter((r) => r.type.startsWith("patching:automation:")).map((r) => r.name)).to.deep.equal(["test-automation", "test-automation-member"]);
        expect(ofType(resources, ROLE).map((r) => r.inputs.name ?? "(auto)").sort()).to.deep.equal(["(auto)", ADMIN, EXEC]);
    });
});

describe("multi-account automation: org mode (StackSet)", () => {
    const orgMode = () =>
        management({
            resourceGroups: [webServers, prodGroup],
            organizationDeployment: {
                organizationalUnits: ["ou-ab12-34cd56ef", "r-ab12"],
                regions: ["us-west-2", "us-east-1", "eu-west-1"],
                callAs: "DELEGATED_ADMIN",
                maxConcurrentPercentage: 50,
                failureTolerancePercentage: 10,
            },
        });

    it("deploys a service-managed StackSet with auto-deployment and the member template", async () => {
        const { resources } = await runProgram(orgMode());
        const ss = named(resources, "aws:cloudformation/stackSet:StackSet", "test-automation-members-stackset");
        expect(ss.inputs).to.deep.include({
            name: "patching-test-automation-members",
            permissionModel: "SERVICE_MANAGED",
            autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
            callAs: "DELEGATED_ADMIN",
            capabilities: ["CAPABILITY_NAMED_IAM"],
            managedExecution: { active: true },
            operationPreferences: { maxConcurrentPercentage: 50, failureTolerancePercentage: 10, regionConcurrencyType: "PARALLEL" },
            parameters: { AdministrationRoleArn: `arn:aws:iam::${ACCOUNT}:role/${ADMIN}`, ManagementAccountId: ACCOUNT, RoleRegion: "us-east-1" },
        });
        const template = json(ss, "templateBody");
        expect(Object.keys(template.Resources)).to.deep.equal(["ExecutionRole", "ResourceGroupWebServers", "ResourceGroupprodpatchgroup"]);
        expect(template.Resources.ExecutionRole.Condition).to.equal("CreateRole");
        expect(template.Conditions).to.deep.equal({ CreateRole: { "Fn::Equals": [{ Ref: "AWS::Region" }, { Ref: "RoleRegion" }] } });
    });

    it("creates one stack instance per Region for the OUs, the home Region (which creates the role) first", async () => {
        const { resources } = await runProgram(orgMode());
        const instances = ofType(resources, "aws:cloudformation/stackSetInstance:StackSetInstance");
        expect(instances.map((i) => i.inputs.stackSetInstanceRegion).sort()).to.deep.equal(["eu-west-1", "us-east-1", "us-west-2"]);
        for (const i of instances) {
            expect(i.inputs).to.deep.include({
                stackSetName: "patching-test-automation-members",
                callAs: "DELEGATED_ADMIN",
                deploymentTargets: { organizationalUnitIds: ["ou-ab12-34cd56ef", "r-ab12"] },
                operationPreferences: { maxConcurrentPercentage: 50, failureTolerancePercentage: 10 },
            });
            expect(i.parent).to.equal(named(resources, "patching:automation:MemberStackSet", "test-automation-members").urn);
        }
    });

    it("its template's role and groups equal a member stack's, statement by statement", async () => {
        const org = await runProgram(orgMode());
        const template = json(named(org.resources, "aws:cloudformation/stackSet:StackSet", "test-automation-members-stackset"), "templateBody");
        const adminArn = `arn:aws:iam::${MGMT}:role/${ADMIN}`;
        const resolved = resolveCfnSub(template.Resources, {
            "AWS::Partition": "aws",
            "AWS::AccountId": ACCOUNT,
            AdministrationRoleArn: adminArn,
            ManagementAccountId: MGMT,
        }) as Record<string, any>;

        const m = await runProgram(member({ memberRegions: ["us-east-1"] }));
        const role = named(m.resources, ROLE, "test-automation-member-execution-role");
        const policy = named(m.resources, POLICY, "test-automation-member-execution-policy");
        const props = resolved.ExecutionRole.Properties;
        expect(props.RoleName).to.equal(role.inputs.name);
        expect(props.Description).to.equal(role.inputs.description);
        expect(props.AssumeRolePolicyDocument).to.deep.equal(json(role, "assumeRolePolicy"));
        expect(props.Policies).to.deep.equal([{ PolicyName: policy.inputs.name, PolicyDocument: json(policy, "policy") }]);
        // And the same documents as the expected least-privilege ones.
        expect(props.AssumeRolePolicyDocument).to.deep.equal(executionTrust(ACCOUNT, adminArn));
        expect(props.Policies[0].PolicyDocument).to.deep.equal(executionPolicy(ACCOUNT, MGMT, ["WebServers", "prod-patch-group"]));

        for (const g of ofType(m.resources, "aws:resourcegroups/group:Group")) {
            const inTemplate = Object.values(resolved).find((r: any) => r.Type === "AWS::ResourceGroups::Group" && r.Properties.Name === g.inputs.name) as any;
            expect(inTemplate, String(g.inputs.name)).to.not.equal(undefined);
            expect(inTemplate.Properties.ResourceQuery).to.deep.equal({ Type: (g.inputs.resourceQuery as any).type, Query: JSON.parse((g.inputs.resourceQuery as any).query) });
        }
    });

    it("uses Fn::Sub only for the partition, account and the two parameters", async () => {
        const { resources } = await runProgram(orgMode());
        const body = named(resources, "aws:cloudformation/stackSet:StackSet", "test-automation-members-stackset").inputs.templateBody as string;
        const refs = new Set([...body.matchAll(/\$\{([^}]+)\}/g)].map((x) => x[1]));
        expect([...refs].sort()).to.deep.equal(["AWS::AccountId", "AWS::Partition", "AdministrationRoleArn", "ManagementAccountId"]);
    });
});

describe("multi-account automation: least privilege across the shipped stacks", () => {
    const stacks: [string, string][] = [
        ["Pulumi.dev.yaml", "dev"],
        ["Pulumi.prod.yaml", "prod"],
        ["Pulumi.member-example.yaml", "member-example"],
    ];

    for (const [file, stack] of stacks) {
        it(`${stack}: no * or service:* action, no NotAction, no Deny-less wildcard trust`, async () => {
            const { resources } = await runStackFile(file, stack);
            const policies = allPolicies(resources);
            expect(policies.length).to.be.greaterThan(1);
            for (const { where, doc } of policies) {
                for (const a of actions(doc)) {
                    expect(a, where).to.not.equal("*");
                    expect(a, where).to.not.match(/:\*$/);
                    expect(a, where).to.match(/^[a-z0-9-]+:[A-Za-z]+$/);
                }
                for (const s of doc.Statement) {
                    expect(s, where).to.not.have.property("NotAction");
                    expect(s.Effect, where).to.equal("Allow");
                }
            }
        });

        it(`${stack}: trust principals are exactly the administration role and named services`, async () => {
            const { resources } = await runStackFile(file, stack);
            for (const { where, doc, trust } of allPolicies(resources)) {
                if (!trust) continue;
                for (const s of doc.Statement) {
                    expect(s.Action, where).to.equal("sts:AssumeRole");
                    const p = s.Principal;
                    if (p.AWS !== undefined) {
                        const arn = typeof p.AWS === "string" ? p.AWS : p.AWS["Fn::Sub"];
                        expect(arn, where).to.match(/^(arn:aws:iam::\d{12}:role\/AWS-SystemsManager-AutomationAdministrationRole|\$\{AdministrationRoleArn\})$/);
                        expect(arn, where).to.not.contain(":root");
                    } else {
                        expect(["ssm.amazonaws.com", "scheduler.amazonaws.com"], where).to.include(p.Service);
                        expect(s.Condition.StringEquals, where).to.have.property("aws:SourceAccount");
                    }
                }
            }
        });
    }
});

describe("multi-account automation: stack outputs", () => {
    it("exports the roles, runbook, schedules and StackSet name through index.ts", async () => {
        const { runUnderMocks } = await import("../review/engine");
        const { engineValues, REGION } = await import("./harness");
        let exported: { automation?: Record<string, any> } | undefined;
        await runUnderMocks({
            project: "patching",
            stack: "test",
            config: { values: engineValues(management({ organizationDeployment: { organizationalUnits: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] } })), secretKeys: [] },
            env: { accountId: ACCOUNT, region: REGION },
            // Load index.ts afresh (another test may have loaded it already): its top level runs the program.
            program: () => {
                delete require.cache[require.resolve("../index")];
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                exported = require("../index");
            },
        });
        const a = exported!.automation!;
        const value = (o: any) => new Promise((resolve) => o.apply(resolve));
        expect(a.accountRole).to.equal("management");
        expect(await value(a.administrationRoleArn)).to.equal(`arn:aws:iam::${ACCOUNT}:role/${ADMIN}`);
        expect(await value(a.documentName)).to.equal("Automation-RunPatchBaseline");
        expect(Object.keys((await value(a.scheduleArns)) as object)).to.deep.equal(["weekly-install"]);
        expect(await value(a.memberStackSetName)).to.equal("patching-test-automation-members");
        expect(a.executionRoleArn).to.equal(undefined);
    });
});
