/**
 * Quick Setup's name-tag associations (issue 16) as an owned-mode opt-in: what the genuine patch
 * policy creates (seed 000, "8 State Manager associations"):
 *   AWS-QuickSetup-PatchPolicy-AddRemoveNameTag-<ID>: document AWSQuickSetup-AddOrRemoveTag-PatchPolicy-<ID>,
 *     targets EC2 and non-EC2 instances, every 30 days; adds QSConfigName-<ID> = <configuration name>
 *     (removing a previous value first);
 *   AWS-QuickSetup-PatchPolicy-NameTagRemediation-<ID>: document AWSQuickSetup-NameTagRemediation-<ID>,
 *     EC2 and non-EC2 instances, every day; removes the tag from nodes no longer targeted.
 * The genuine automation role may CreateTags/DeleteTags only with aws:TagKeys = QSConfigName-<ID>.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DOCUMENTS_DIR } from "../components/patchPolicy";
import { NAME_TAG_DOCUMENT_FILE } from "../components/nameTags";
import type { PlanResource } from "../review/engine";
import { decide } from "../review/iamEngine";
import { summarise } from "../review/summaries";
import { ACCOUNT, issuesOf, minimalConfig, named, ofType, runProgram } from "./harness";
import { python, runScript, ScriptCall } from "./support/runScript";
import { requestProblems } from "../review/contracts/sdkModel";

const ASSOC = "aws-native:ssm:Association";
/** The seed's schedules: AddRemoveNameTag 30 days, NameTagRemediation 1 day (seed 000). */
const SEED = { AddRemoveNameTag: "rate(30 days)", NameTagRemediation: "rate(1 day)" };

function policy(extra: Record<string, unknown> = {}) {
    return {
        name: "web",
        targets: { tags: { Environment: ["test"] } },
        scan: { schedule: "rate(1 day)" },
        hybrid: {},
        ...extra,
    };
}
const stack = (p: Record<string, unknown>, extra: Record<string, unknown> = {}) => minimalConfig({ "patching:patchPolicies": [p], ...extra });
const nameTagResources = (r: PlanResource[]) => r.filter((x) => /NameTag/.test(String(x.inputs.associationName ?? x.inputs.name ?? "")));

describe("patch policy nameTags (Quick Setup's AddRemoveNameTag / NameTagRemediation)", () => {
    it("is off by default: no name-tag association, document or role", async () => {
        const { resources } = await runProgram(stack(policy()));
        expect(nameTagResources(resources)).to.deep.equal([]);
        expect(resources.filter((r) => r.type === "patching:ssm:NameTagAssociations")).to.deep.equal([]);
        const { resources: off } = await runProgram(stack(policy({ nameTags: { enabled: false, configId: "bbmzi" } })));
        expect(nameTagResources(off)).to.deep.equal([]);
    });

    it("config: managed mode rejects it (Quick Setup creates its own); owned needs a configId unless the override store gives one", () => {
        const managed = issuesOf(stack(policy({ mode: "managed", hybrid: undefined, nameTags: { enabled: true, configId: "bbmzi" } })));
        expect(managed.find((i) => i.path === "patching:patchPolicies[0].nameTags")?.message).to.match(/genuine Quick Setup policy creates its own AddRemoveNameTag and NameTagRemediation/);
        const noId = issuesOf(stack(policy({ nameTags: { enabled: true } })));
        expect(noId.map((i) => [i.path, i.message])).to.deep.equal([["patching:patchPolicies[0].nameTags.configId", "is required without patching:overrideStore: it names the tag key QSConfigName-<configId> your automation reads"]]);
        const bad = issuesOf(stack(policy({ nameTags: { enabled: true, configId: "BBMZI", configName: "bad|name" } })));
        expect(bad.map((i) => i.path)).to.deep.equal(["patching:patchPolicies[0].nameTags.configId", "patching:patchPolicies[0].nameTags.configName"]);
    });

    describe("on", () => {
        let resources: PlanResource[];
        before(async () => {
            ({ resources } = await runProgram(stack(policy({ regions: ["us-east-1", "us-west-2"], acceptRegionDefaultBaselines: true, nameTags: { enabled: true, configId: "bbmzi", configName: "MasterPatchPolicyConfig" } }))));
        });

        it("creates exactly the seed's two associations in every Region, on the seed's schedules", () => {
            const assocs = ofType(resources, ASSOC).filter((a) => /NameTag/.test(String(a.inputs.associationName)));
            expect(assocs.map((a) => [a.inputs.associationName, a.inputs.scheduleExpression, a.options.provider?.split("::")[3]])).to.deep.equal([
                ["web-AddRemoveNameTag", SEED.AddRemoveNameTag, "aws-native-us-east-1"],
                ["web-NameTagRemediation", SEED.NameTagRemediation, "aws-native-us-east-1"],
                ["web-AddRemoveNameTag", SEED.AddRemoveNameTag, "aws-native-us-west-2"],
                ["web-NameTagRemediation", SEED.NameTagRemediation, "aws-native-us-west-2"],
            ]);
        });

        it("passes the tag QSConfigName-<id> = <name> and the policy's EC2 and hybrid targets, as a CreateAssociation the SSM model accepts", () => {
            const doc = YAML.parse(fs.readFileSync(path.join(DOCUMENTS_DIR, NAME_TAG_DOCUMENT_FILE), "utf8")) as { parameters: Record<string, { default?: unknown; allowedValues?: string[]; allowedPattern?: string }> };
            for (const [suffix, action] of [["AddRemoveNameTag", "Add"], ["NameTagRemediation", "Remediate"]]) {
                const a = named(resources, ASSOC, `web-name-tags-us-east-1-${suffix}`).inputs;
                const params = a.parameters as Record<string, string[]>;
                expect(params).to.deep.equal({
                    AutomationAssumeRole: [params.AutomationAssumeRole[0]],
                    Action: [action],
                    TagKey: ["QSConfigName-bbmzi"],
                    TagValue: ["MasterPatchPolicyConfig"],
                    // The same selection as the scan association's tag:Environment=test target, for EC2 and hybrid nodes.
                    InstanceFilters: ['[{"Name":"tag:Environment","Values":["test"]}]'],
                    NodeFilters: ['[{"Key":"tag:Environment","Values":["test"]}]'],
                    ResourceGroupName: [""],
                });
                expect(params.AutomationAssumeRole[0]).to.match(/^arn:aws:iam::123456789012:role\//);
                expect(a.name).to.equal("web-QuickSetupNameTag");
                // Every parameter is declared by the document and passes its allowedValues / allowedPattern; every required one is given.
                for (const [k, [v]] of Object.entries(params)) {
                    expect(doc.parameters, k).to.have.property(k);
                    if (doc.parameters[k].allowedValues) expect(doc.parameters[k].allowedValues).to.include(v);
                    if (doc.parameters[k].allowedPattern) expect(v).to.match(new RegExp(doc.parameters[k].allowedPattern!));
                }
                for (const [k, d] of Object.entries(doc.parameters)) if (d.default === undefined) expect(params, k).to.have.property(k);
                const request = { Name: a.name, AssociationName: a.associationName, Parameters: params, ScheduleExpression: a.scheduleExpression };
                expect(requestProblems("ssm", "CreateAssociation", request)).to.deep.equal([]);
            }
        });

        it("the review shows both associations with their document, schedule and tag", () => {
            const lines = ofType(resources, ASSOC)
                .filter((a) => /NameTag/.test(String(a.inputs.associationName)) && a.options.provider?.includes("us-east-1"))
                .flatMap((a) => summarise(ASSOC, a.inputs));
            const shown = lines.filter((l) => /runs |^schedule|^Action=|^TagKey=|^TagValue=/.test(l)).map((l) => l.replace(/;.*$/, ""));
            expect(shown).to.deep.equal([
                "web-AddRemoveNameTag runs web-QuickSetupNameTag",
                "schedule rate(30 days)",
                "Action=Add",
                "TagKey=QSConfigName-bbmzi",
                "TagValue=MasterPatchPolicyConfig",
                "web-NameTagRemediation runs web-QuickSetupNameTag",
                "schedule rate(1 day)",
                "Action=Remediate",
                "TagKey=QSConfigName-bbmzi",
                "TagValue=MasterPatchPolicyConfig",
            ]);
        });

        it("the role may write and delete only the QSConfigName-<id> key (real IAM engine)", async () => {
            const role = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.includes("name-tags"))!;
            const identity = [{ name: "name-tags", policy: JSON.parse(role.inputs.policy as string) }];
            const ask = (action: string, resource: string, tagKeys?: string[]) =>
                decide({
                    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/name-tags/session`,
                    action,
                    resource,
                    resourceAccount: ACCOUNT,
                    context: tagKeys ? { "aws:TagKeys": tagKeys } : {},
                    identityPolicies: identity,
                });
            const instance = `arn:aws:ec2:us-west-2:${ACCOUNT}:instance/i-0123456789abcdef0`;
            const node = `arn:aws:ssm:us-east-1:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`;
            expect((await ask("ec2:CreateTags", instance, ["QSConfigName-bbmzi"])).allowed).to.equal(true);
            expect((await ask("ec2:DeleteTags", instance, ["QSConfigName-bbmzi"])).allowed).to.equal(true);
            expect((await ask("ssm:AddTagsToResource", node, ["QSConfigName-bbmzi"])).allowed).to.equal(true);
            expect((await ask("ec2:CreateTags", instance, ["Name"])).allowed).to.equal(false);
            expect((await ask("ec2:CreateTags", instance, ["QSConfigName-bbmzi", "QSConfigName-other"])).allowed).to.equal(false);
            expect((await ask("ssm:RemoveTagsFromResource", node, ["QSConfigName-other"])).allowed).to.equal(false);
            // DeleteTags naming no key deletes every tag: refused.
            expect((await ask("ec2:DeleteTags", instance)).allowed).to.equal(false);
        });
    });

    it("takes the id from the override store and the value from the policy name by default; targets a resource group by its members", async () => {
        const { resources } = await runProgram(
            stack(policy({ targets: { resourceGroup: "web-servers" }, hybrid: undefined, nameTags: { enabled: true } }), { "patching:overrideStore": { configId: "abc12", baselines: ["test-al2023"] } }),
        );
        const add = ofType(resources, ASSOC).find((a) => a.inputs.associationName === "web-AddRemoveNameTag")!;
        const params = add.inputs.parameters as Record<string, string[]>;
        expect([params.TagKey, params.TagValue, params.InstanceFilters, params.NodeFilters, params.ResourceGroupName]).to.deep.equal([["QSConfigName-abc12"], ["web"], ["[]"], ["[]"], ["web-servers"]]);
        const statements = JSON.parse(resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.includes("name-tags"))!.inputs.policy as string).Statement;
        expect(statements.find((s: { Sid: string }) => s.Sid === "ListTargetGroup").Resource).to.equal(`arn:aws:resource-groups:*:${ACCOUNT}:group/web-servers`);
    });
});

describe("quick-setup-name-tag.yaml script (python3, fake boto3)", function () {
    before(function () {
        if (!python()) this.skip();
    });
    const writes = (calls: ScriptCall[]) => calls.filter(([, op]) => /create_tags|delete_tags|add_tags|remove_tags/.test(op));
    const events = (action: string) => ({
        Action: action,
        TagKey: "QSConfigName-bbmzi",
        TagValue: "web",
        InstanceFilters: '[{"Name":"tag:Environment","Values":["test"]}]',
        NodeFilters: '[{"Key":"tag:Environment","Values":["test"]}]',
        ResourceGroupName: "",
    });
    const instance = (id: string, tags: Record<string, string>) => ({ InstanceId: id, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });

    it("Add: tags untagged targets, replaces a stale value, leaves a correct one, on EC2 and hybrid nodes", () => {
        const out = runScript(NAME_TAG_DOCUMENT_FILE, {
            events: events("Add"),
            pages: {
                "ec2.describe_instances": [{ Reservations: [{ Instances: [instance("i-1", {}), instance("i-2", { "QSConfigName-bbmzi": "old" }), instance("i-3", { "QSConfigName-bbmzi": "web" })] }] }],
                "ssm.describe_instance_information": [{ InstanceInformationList: [{ InstanceId: "mi-1" }] }],
            },
            responses: { "ssm.list_tags_for_resource": { TagList: [] } },
        });
        expect(out.error).to.equal(undefined);
        expect(out.result).to.deep.equal({ changed: ["i-1", "i-2", "mi-1"] });
        expect(writes(out.calls)).to.deep.equal([
            ["ec2", "create_tags", { Resources: ["i-1"], Tags: [{ Key: "QSConfigName-bbmzi", Value: "web" }] }],
            ["ec2", "delete_tags", { Resources: ["i-2"], Tags: [{ Key: "QSConfigName-bbmzi" }] }],
            ["ec2", "create_tags", { Resources: ["i-2"], Tags: [{ Key: "QSConfigName-bbmzi", Value: "web" }] }],
            ["ssm", "add_tags_to_resource", { ResourceType: "ManagedInstance", ResourceId: "mi-1", Tags: [{ Key: "QSConfigName-bbmzi", Value: "web" }] }],
        ]);
        expect(out.calls[0]).to.deep.equal([
            "ec2",
            "describe_instances",
            { Filters: [{ Name: "tag:Environment", Values: ["test"] }, { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }] },
        ]);
    });

    it("Remediate: removes the key only from tagged nodes that are no longer targeted", () => {
        const out = runScript(NAME_TAG_DOCUMENT_FILE, {
            events: events("Remediate"),
            pages: {
                "ec2.describe_instances": {
                    byCall: [
                        [{ Reservations: [{ Instances: [instance("i-1", { "QSConfigName-bbmzi": "web" })] }] }],
                        [{ Reservations: [{ Instances: [instance("i-1", { "QSConfigName-bbmzi": "web" }), instance("i-9", { "QSConfigName-bbmzi": "web" })] }] }],
                    ],
                },
                "ssm.describe_instance_information": { byCall: [[{ InstanceInformationList: [] }], [{ InstanceInformationList: [{ InstanceId: "mi-9" }] }]] },
            },
        });
        expect(out.result).to.deep.equal({ changed: ["i-9", "mi-9"] });
        expect(writes(out.calls)).to.deep.equal([
            ["ec2", "delete_tags", { Resources: ["i-9"], Tags: [{ Key: "QSConfigName-bbmzi" }] }],
            ["ssm", "remove_tags_from_resource", { ResourceType: "ManagedInstance", ResourceId: "mi-9", TagKeys: ["QSConfigName-bbmzi"] }],
        ]);
        expect(out.calls.filter(([, op]) => op === "describe_instances")[1][2].Filters).to.deep.equal([
            { Name: "tag-key", Values: ["QSConfigName-bbmzi"] },
            { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
        ]);
    });

    it("keeps going past a failing node and reports every failure at the end", () => {
        const out = runScript(NAME_TAG_DOCUMENT_FILE, {
            events: { ...events("Add"), NodeFilters: "" },
            pages: { "ec2.describe_instances": [{ Reservations: [{ Instances: [instance("i-1", {}), instance("i-2", {})] }] }] },
            failures: [{ call: "ec2.create_tags", when: "i-1", message: "UnauthorizedOperation" }],
        });
        expect(out.error).to.equal('Add QSConfigName-bbmzi: changed ["i-2"]; failed for 1 node(s): i-1: UnauthorizedOperation');
        expect(out.calls.some(([s]) => s === "ssm")).to.equal(false);
    });
});
