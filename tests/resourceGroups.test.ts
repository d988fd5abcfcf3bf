/**
 * `patching:resourceGroups` (issue 16): resource groups created from a tag query for the
 * maintenance-window targets and orchestrators that name them (seed 003's
 * `${AWS::StackName}-PatchTargets`, seed 004's patch group), instead of requiring them to exist.
 */
import { expect } from "chai";
import { QueryType } from "@aws-sdk/client-resource-groups";
import type { PlanResource } from "../review/engine";
import { resourceGroupsSection } from "../review/resourceGroupsSection";
import { installPathsOf } from "../config/installPaths";
import { ACCOUNT, issuesOf, minimalConfig, named, ofType, parse, REGION, runProgram } from "./harness";
import { requestProblems } from "../review/contracts/sdkModel";

const GROUP = "aws:resourcegroups/group:Group";
const GROUP_ARN = (n: string) => `arn:aws:resource-groups:${REGION}:${ACCOUNT}:group/${n}`;

/** Seed 003's PatchTargetResourceGroup with its parameter defaults (TagKey PatchGroup, TagValue Windows). */
const seedGroup = {
    name: "seed003-PatchTargets",
    description: "Target instances for patch management",
    resourceTypes: ["AWS::EC2::Instance"],
    tagFilters: { PatchGroup: ["Windows"] },
};

/** Seed 003's window: cron(55 22 ? * * *), 4 h, cutoff 0, a RESOURCE_GROUP target naming the group. */
function seedWindow(targets: Record<string, unknown>[] = [{ name: "patch-targets", resourceGroup: { name: seedGroup.name } }]) {
    return {
        name: "seed003-PatchWindow",
        schedule: "cron(55 22 ? * * *)",
        duration: 4,
        cutoff: 0,
        targets,
        tasks: [{ name: "install", type: "RUN_COMMAND", runCommand: { operation: "Install" } }],
    };
}

function orchestrator(resourceGroup: string) {
    return { name: "seed-fleet", window: { schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 }, targets: { resourceGroup } };
}

/** Exactly these issues (path and message), every one at once. */
function expectIssues(values: Record<string, unknown>, expected: [string, RegExp][]): void {
    const issues = issuesOf(values);
    expect(issues.map((i) => i.path), JSON.stringify(issues, null, 1)).to.deep.equal(expected.map(([p]) => p));
    expected.forEach(([, message], i) => expect(issues[i].message).to.match(message));
}

const groupOf = (r: PlanResource[], name: string) => r.find((x) => x.type === GROUP && x.inputs.name === name)!;
const policyOf = (r: PlanResource[], type: string, name: string) => JSON.parse(named(r, type, name).inputs.policy as string).Statement as Record<string, unknown>[];

describe("patching:resourceGroups: config", () => {
    it("accepts seed 003's group and defaults the resource types to EC2 instances", () => {
        const cfg = parse(minimalConfig({ "patching:resourceGroups": [{ name: "g1", tagFilters: { PatchGroup: ["Windows"] } }] }));
        expect(cfg.resourceGroups).to.deep.equal([{ name: "g1", resourceTypes: ["AWS::EC2::Instance"], tagFilters: { PatchGroup: ["Windows"] } }]);
        expect(parse(minimalConfig()).resourceGroups).to.deep.equal([]);
    });

    it("reports every field error at its key with the shared field rules", () => {
        expectIssues(
            minimalConfig({
                "patching:resourceGroups": [
                    { name: "AWS-Patch", tagFilters: { PatchGroup: ["Windows"] } },
                    { name: "x".repeat(129), tagFilters: { PatchGroup: ["Windows"] } },
                    { name: "ok-1", resourceTypes: ["AWS::S3::Bucket"], tagFilters: { "aws:cloudformation:stack-name": ["s"] } },
                    { name: "ok-2", tagFilters: {} },
                    { name: "ok-3", tagFilters: { PatchGroup: Array.from({ length: 21 }, (_, i) => `v${i}`) } },
                    { name: "ok-4", description: "bad: colon", tagFilters: { PatchGroup: [""] } },
                ],
            }),
            [
                ["patching:resourceGroups[0].name", /may not start with "AWS"/],
                ["patching:resourceGroups[1].name", /1–128 letters, digits, _ \. -/],
                ["patching:resourceGroups[2].resourceTypes[0]", /AWS::EC2::Instance, AWS::SSM::ManagedInstance/],
                ['patching:resourceGroups[2].tagFilters["aws:cloudformation:stack-name"]', /reserved by AWS/],
                ["patching:resourceGroups[3].tagFilters", /at least one tag key/],
                ["patching:resourceGroups[4].tagFilters.PatchGroup", /at most 20 values/],
                ["patching:resourceGroups[5].description", /Resource Groups GroupDescription/],
                ["patching:resourceGroups[5].tagFilters.PatchGroup[0]", /1–256/],
            ],
        );
    });

    it("rejects duplicate names, repeated types, a filter the created group cannot match and an orchestrator on a group without EC2 instances", () => {
        expectIssues(
            minimalConfig({
                "patching:resourceGroups": [
                    { name: "hybrid", resourceTypes: ["AWS::SSM::ManagedInstance", "AWS::SSM::ManagedInstance"], tagFilters: { Fleet: ["onprem"] } },
                    { name: "hybrid", tagFilters: { Fleet: ["ec2"] } },
                ],
                "patching:maintenanceWindows": [seedWindow([{ name: "onprem", resourceGroup: { name: "hybrid", resourceTypes: ["AWS::EC2::Instance"] } }])],
                "patching:patchOrchestrators": [orchestrator("hybrid")],
            }),
            [
                ["patching:maintenanceWindows[0].targets[0].resourceGroup.resourceTypes[0]", /selects nothing: the created group hybrid holds only AWS::SSM::ManagedInstance/],
                ["patching:patchOrchestrators[0].targets.resourceGroup", /holds no AWS::EC2::Instance/],
                ["patching:resourceGroups[0].resourceTypes[1]", /listed twice/],
                ["patching:resourceGroups[1].name", /duplicate resource group name; already used by patching:resourceGroups\[0\]/],
            ],
        );
    });

    it("rejects a group patching:multiAccount already creates in this Region", () => {
        expectIssues(
            minimalConfig({
                "patching:multiAccount": {
                    accountRole: "member",
                    managementAccountId: "210987654321",
                    resourceGroups: [{ name: "WebServers", tagFilters: { Name: ["WebServers"] } }],
                },
                "patching:resourceGroups": [{ name: "WebServers", tagFilters: { Name: ["WebServers"] } }],
            }),
            [["patching:resourceGroups[0].name", /also created by patching:multiAccount.resourceGroups in us-east-1/]],
        );
    });
});

describe("patching:resourceGroups: install paths", () => {
    it("a window on a created group is judged by the group's tag query, a pre-existing group stays opaque", () => {
        const cfg = parse(
            minimalConfig({
                "patching:resourceGroups": [seedGroup],
                "patching:maintenanceWindows": [seedWindow(), { ...seedWindow([{ name: "legacy-group", resourceGroup: { name: "existing-web-servers" } }]), name: "legacy-window" }],
            }),
        );
        const [created, legacy] = installPathsOf(cfg, REGION).map((p) => p.selector);
        expect(created.terms).to.deep.equal([{ tags: { PatchGroup: ["Windows"] }, kinds: ["ec2"] }]);
        expect(legacy.label).to.contain("query not in this stack");
    });
});

/** One stack naming a group it creates and one that already exists, from a window and an orchestrator. */
const bothGroups = minimalConfig({
    "patching:resourceGroups": [seedGroup],
    "patching:maintenanceWindows": [
        seedWindow([
            { name: "patch-targets", resourceGroup: { name: seedGroup.name } },
            { name: "legacy-group", resourceGroup: { name: "existing-web-servers" } },
        ]),
    ],
    "patching:patchOrchestrators": [orchestrator(seedGroup.name)],
});

describe("patching:resourceGroups: deployed", () => {
    let resources: PlanResource[];
    before(async () => {
        ({ resources } = await runProgram(bothGroups));
    });

    it("registers exactly one group, seed 003's query, as a CreateGroup request the Resource Groups model accepts", () => {
        const groups = ofType(resources, GROUP);
        expect(groups.map((g) => g.inputs.name)).to.deep.equal([seedGroup.name]);
        const g = groups[0];
        const q = g.inputs.resourceQuery as { type: string; query: string };
        const request = { Name: g.inputs.name, Description: g.inputs.description, ResourceQuery: { Type: q.type, Query: q.query }, Tags: g.inputs.tags };
        expect(requestProblems("resource-groups", "CreateGroup", request)).to.deep.equal([]);
        expect(Object.values(QueryType)).to.include(q.type);
        // TAG_FILTERS_1_0: "a JSON syntax ... as supported by the AWS Tagging API GetResources operation" (ResourceQuery).
        const query = JSON.parse(q.query);
        expect(requestProblems("resource-groups-tagging-api", "GetResources", query)).to.deep.equal([]);
        // The seed's CloudFormation ResourceQuery.Query, member for member.
        expect(query).to.deep.equal({ ResourceTypeFilters: ["AWS::EC2::Instance"], TagFilters: [{ Key: "PatchGroup", Values: ["Windows"] }] });
    });

    it("the model check fails on a query the API would not take (the check can fail)", () => {
        expect(requestProblems("resource-groups-tagging-api", "GetResources", { TagFilter: [{ Key: "k" }] })).to.not.deep.equal([]);
        expect(requestProblems("resource-groups", "CreateGroup", { Name: "g", ResourceQuery: { Type: "TAG_FILTERS_1_0", Query: 1 } })).to.not.deep.equal([]);
        expect(requestProblems("resource-groups", "CreateGroup", { Name: "g", ResourceQuery: { Type: "TAG_FILTERS_1_0" } })).to.not.deep.equal([]);
        expect(Object.values(QueryType)).to.not.include("TAG_FILTERS_2_0");
    });

    it("points the window target at the created group and makes it wait for the group", () => {
        const group = groupOf(resources, seedGroup.name);
        const target = named(resources, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", "seed003-PatchWindow-target-patch-targets");
        expect(target.inputs.resourceType).to.equal("RESOURCE_GROUP");
        expect(target.inputs.targets).to.deep.equal([{ key: "resource-groups:Name", values: [seedGroup.name] }]);
        expect(target.propertyDependencies.targets).to.include(group.urn);
    });

    it("keeps a pre-existing group a plain name with no dependency, in the same window", () => {
        const group = groupOf(resources, seedGroup.name);
        const legacy = named(resources, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", "seed003-PatchWindow-target-legacy-group");
        expect(legacy.inputs.targets).to.deep.equal([{ key: "resource-groups:Name", values: ["existing-web-servers"] }]);
        expect(legacy.propertyDependencies.targets ?? []).to.not.include(group.urn);
    });

    it("grants the window role ListGroupResources on the created group's ARN (from the group) and on the existing group's", () => {
        const group = groupOf(resources, seedGroup.name);
        const statements = policyOf(resources, "aws:iam/rolePolicy:RolePolicy", "seed003-PatchWindow-role-policy");
        expect(statements.find((s) => s.Sid === "ResolveResourceGroupTargets")).to.deep.include({
            Action: ["resource-groups:ListGroupResources"],
            Resource: [GROUP_ARN(seedGroup.name), GROUP_ARN("existing-web-servers")],
        });
        expect(named(resources, "aws:iam/rolePolicy:RolePolicy", "seed003-PatchWindow-role-policy").propertyDependencies.policy).to.include(group.urn);
    });

    it("points the orchestrator at the created group: discovery's IAM on its ARN, the window task's input naming it and waiting for it", () => {
        const group = groupOf(resources, seedGroup.name);
        const plan = named(resources, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-plan-policy");
        const list = (JSON.parse(plan.inputs.policy as string).Statement as Record<string, unknown>[]).find((s) => s.Sid === "ListTargetGroup");
        expect(list).to.deep.include({ Action: ["resource-groups:ListGroupResources"], Resource: GROUP_ARN(seedGroup.name) });
        expect(plan.propertyDependencies.policy).to.include(group.urn);
        const task = named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "seed-fleet-window-task-start-orchestration");
        const input = JSON.parse((task.inputs.taskInvocationParameters as any).stepFunctionsParameters.input);
        expect(input.settings.targets.resourceGroup).to.equal(seedGroup.name);
        expect(task.propertyDependencies.taskInvocationParameters).to.include(group.urn);
    });

    it("an orchestrator on a pre-existing group keeps the name-built ARN and no group dependency", async () => {
        const { resources: r } = await runProgram(minimalConfig({ "patching:patchOrchestrators": [orchestrator("existing-web-servers")] }));
        expect(ofType(r, GROUP)).to.deep.equal([]);
        const list = policyOf(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-plan-policy").find((s) => s.Sid === "ListTargetGroup");
        expect(list!.Resource).to.equal(GROUP_ARN("existing-web-servers"));
    });

    it("the review shows the created group with its query and users, and the group that must already exist", () => {
        const config = parse(bothGroups);
        const section = resourceGroupsSection({ config, resources, now: new Date("2026-01-01T00:00:00Z") })!;
        expect(section.title).to.equal("Resource groups: created and referenced");
        expect(section.lines).to.deep.equal([
            `${seedGroup.name}: created in us-east-1 — Target instances for patch management`,
            "  TAG_FILTERS_1_0 AWS::EC2::Instance where PatchGroup in [Windows]",
            `  query {"ResourceTypeFilters":["AWS::EC2::Instance"],"TagFilters":[{"Key":"PatchGroup","Values":["Windows"]}]}`,
            `  used by maintenance window seed003-PatchWindow target patch-targets; orchestrator seed-fleet (EC2 instances, running and stopped)`,
            "existing-web-servers: must already exist in us-east-1 (not in patching:resourceGroups); used by maintenance window seed003-PatchWindow target legacy-group",
        ]);
    });
});
