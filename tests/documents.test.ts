import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CREATE_DOCUMENT_NAME_PATTERN, RESERVED_DOCUMENT_PREFIXES } from "../config/rules";
import { DOCUMENTS_DIR } from "../components/patchPolicy";
import { ACCOUNT, minimalConfig, named, runProgram } from "./harness";
import { python, runScript } from "./support/runScript";

/** The SSM Automation document schema 0.3 rules checked offline (aws-constraints.md, "SSM documents"). */
const TOP_LEVEL = ["schemaVersion", "description", "assumeRole", "parameters", "mainSteps", "outputs", "files"];
const PARAMETER_TYPES = ["String", "StringList", "Integer", "Boolean", "MapList", "StringMap"];
const STEP_NAME = /^[a-zA-Z0-9_]+$/;
const MAX_CONTENT = 64 * 1024;
/** Outputs an action has without declaring them (Automation actions reference). */
const BUILT_IN_OUTPUTS: Record<string, string[]> = {
    "aws:runCommand": ["CommandId", "Status", "ResponseCode", "Output"],
    "aws:executeAutomation": ["ExecutionId", "Status", "Output"],
    "aws:executeScript": ["OutputPayload"],
};

interface Step {
    name: string;
    action: string;
    onFailure?: string;
    onCancel?: string;
    nextStep?: string;
    inputs: Record<string, unknown>;
    outputs?: { Name: string; Selector: string; Type: string }[];
}
interface AutomationDocument {
    schemaVersion: string;
    assumeRole?: string;
    parameters: Record<string, { type: string; default?: unknown; allowedValues?: string[]; allowedPattern?: string }>;
    mainSteps: Step[];
    outputs?: string[];
}

const files = fs.readdirSync(DOCUMENTS_DIR).filter((f) => f.endsWith(".yaml"));
const load = (file: string) => {
    const text = fs.readFileSync(path.join(DOCUMENTS_DIR, file), "utf8");
    return { text, doc: YAML.parse(text) as AutomationDocument };
};

/** Every `{{ ref }}` in a value, recursively. */
function references(value: unknown): string[] {
    if (typeof value === "string") return [...value.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1]);
    if (Array.isArray(value)) return value.flatMap(references);
    if (value && typeof value === "object") return Object.values(value).flatMap(references);
    return [];
}

describe("shipped SSM documents (documents/*.yaml)", () => {
    it("ships the patch policies' EC2 and hybrid attach documents", () => {
        expect(files).to.include.members(["attach-hybrid-role-policies.yaml", "attach-instance-profile.yaml"]);
    });

    for (const file of files) {
        describe(file, () => {
            const { text, doc } = load(file);

            it("parses as an Automation document of schema 0.3 with only known top-level keys, under 64 KB", () => {
                expect(doc.schemaVersion).to.equal("0.3");
                expect(Object.keys(doc).filter((k) => !TOP_LEVEL.includes(k))).to.deep.equal([]);
                expect(Buffer.byteLength(text)).to.be.below(MAX_CONTENT);
            });

            it("declares parameters of valid types whose defaults satisfy their own rules", () => {
                for (const [name, p] of Object.entries(doc.parameters)) {
                    expect(PARAMETER_TYPES, name).to.include(p.type);
                    if (p.default !== undefined && p.allowedValues) expect(p.allowedValues, name).to.include(p.default);
                    if (typeof p.default === "string" && p.allowedPattern) expect(new RegExp(p.allowedPattern).test(p.default), `${name} default vs pattern`).to.equal(true);
                }
            });

            it("has uniquely named steps whose flow targets exist", () => {
                const names = doc.mainSteps.map((s) => s.name);
                expect(new Set(names).size).to.equal(names.length);
                for (const step of doc.mainSteps) {
                    expect(step.name).to.match(STEP_NAME);
                    for (const target of [step.onFailure, step.onCancel, step.nextStep]) {
                        if (!target || ["Abort", "Continue"].includes(target)) continue;
                        expect(names, `${step.name} → ${target}`).to.include(target.replace(/^step:/, ""));
                    }
                }
            });

            it("resolves every {{ }} reference to a parameter or an output of an earlier step", () => {
                const params = new Set(Object.keys(doc.parameters));
                const outputs = new Set<string>();
                const check = (ref: string, where: string) => {
                    if (ref.startsWith("global:") || ref.startsWith("automation:")) return;
                    expect(params.has(ref) || outputs.has(ref), `${where}: {{ ${ref} }}`).to.equal(true);
                };
                for (const ref of references(doc.assumeRole)) check(ref, "assumeRole");
                for (const step of doc.mainSteps) {
                    for (const ref of references(step.inputs)) check(ref, step.name);
                    for (const o of step.outputs ?? []) outputs.add(`${step.name}.${o.Name}`);
                    for (const o of BUILT_IN_OUTPUTS[step.action] ?? []) outputs.add(`${step.name}.${o}`);
                }
                for (const o of doc.outputs ?? []) expect(outputs.has(o), `document output ${o}`).to.equal(true);
                // Every parameter is used somewhere: no dead inputs.
                const used = new Set([...references(doc.assumeRole), ...doc.mainSteps.flatMap((s) => references(s.inputs))]);
                expect([...params].filter((p) => !used.has(p))).to.deep.equal([]);
            });

            it("runs its script step with a handler the script defines and the payload it declares", () => {
                for (const step of doc.mainSteps.filter((s) => s.action === "aws:executeScript")) {
                    expect(step.inputs.Runtime).to.equal("python3.11");
                    expect(step.inputs.Script as string).to.contain(`def ${step.inputs.Handler}(events, context):`);
                    for (const key of Object.keys(step.inputs.InputPayload as object)) expect(step.inputs.Script as string, key).to.contain(`"${key}"`);
                }
            });
        });
    }

    it("document names derived from policy names are valid CreateDocument names", () => {
        for (const name of ["web-AttachIAMToEc2Instance", `${"x".repeat(40)}-AttachIAMToHybridInstance`]) {
            expect(name).to.match(CREATE_DOCUMENT_NAME_PATTERN);
            expect(RESERVED_DOCUMENT_PREFIXES.some((p) => name.toLowerCase().startsWith(p.toLowerCase()))).to.equal(false);
        }
    });

    it("the associations pass every required parameter and only declared ones", async () => {
        const { resources } = await runProgram(
            minimalConfig({
                "patching:patchPolicies": [
                    { name: "web", targets: { resourceGroup: "web-servers" }, scan: { schedule: "cron(0 1 * * ? *)" }, hybrid: {}, instancePermissions: { isPolicyAttachAllowed: true } },
                ],
            }),
        );
        for (const [file, assoc] of [
            ["attach-instance-profile.yaml", "web-us-east-1-attach-ec2"],
            ["attach-hybrid-role-policies.yaml", "web-us-east-1-attach-hybrid"],
        ]) {
            const { doc } = load(file);
            const passed = Object.keys(named(resources, "aws-native:ssm:Association", assoc).inputs.parameters as object);
            const required = Object.entries(doc.parameters).filter(([, p]) => p.default === undefined).map(([n]) => n);
            expect(passed.filter((p) => !(p in doc.parameters)), `${file}: undeclared`).to.deep.equal([]);
            expect(required.filter((p) => !passed.includes(p)), `${file}: missing`).to.deep.equal([]);
        }
    });
});

const mutations = (calls: [string, string, Record<string, any>][]) => calls.filter(([, op]) => !op.startsWith("describe_") && !op.startsWith("get_instance_profile") && !op.startsWith("list_"));

describe("attach-instance-profile.yaml script (python3, fake boto3)", function () {
    before(function () {
        if (!python()) this.skip();
    });
    const policyArns = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", `arn:aws:iam::${ACCOUNT}:policy/web-access`];
    const scenario = (allowed: boolean, extra: object = {}) => ({
        events: {
            InstanceFilters: '[{"Name":"tag:Environment","Values":["test"]}]',
            ResourceGroupName: "",
            InstanceProfileName: "web-instance",
            IsPolicyAttachAllowed: String(allowed),
            PolicyArns: policyArns,
            RoleTagKey: "QSConfigId-abc12",
            RoleTagValue: "abc12",
        },
        pages: {
            "ec2.describe_instances": [{ Reservations: [{ Instances: [{ InstanceId: "i-1" }, { InstanceId: "i-2" }] }] }, { Reservations: [{ Instances: [{ InstanceId: "i-3" }, { InstanceId: "i-4" }] }] }],
            "ec2.describe_iam_instance_profile_associations": [
                {
                    IamInstanceProfileAssociations: [
                        { InstanceId: "i-2", IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/apps/legacy` } },
                        { InstanceId: "i-3", IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web-instance` } },
                        { InstanceId: "i-4", IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/legacy` } },
                    ],
                },
            ],
        },
        responses: { "iam.get_instance_profile": { argument: "InstanceProfileName", byArgument: { legacy: { InstanceProfile: { Roles: [{ RoleName: "LegacyRole" }] } } } } },
        ...extra,
    });

    it("attaches the profile only where there is none, and leaves existing roles alone unless allowed", () => {
        const out = runScript("attach-instance-profile.yaml", scenario(false));
        expect(out.result).to.deep.equal({ profilesAttached: ["i-1"], rolesUpdated: [] });
        expect(mutations(out.calls)).to.deep.equal([["ec2", "associate_iam_instance_profile", { IamInstanceProfile: { Name: "web-instance" }, InstanceId: "i-1" }]]);
        expect(out.calls[0]).to.deep.equal([
            "ec2",
            "describe_iam_instance_profile_associations",
            { Filters: [{ Name: "state", Values: ["associating", "associated"] }] },
        ]);
        expect(out.calls[1]).to.deep.equal([
            "ec2",
            "describe_instances",
            { Filters: [{ Name: "tag:Environment", Values: ["test"] }, { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }] },
        ]);
    });

    it("when allowed, attaches the policies to each existing role once and tags it", () => {
        const out = runScript("attach-instance-profile.yaml", scenario(true));
        expect(out.result).to.deep.equal({ profilesAttached: ["i-1"], rolesUpdated: ["LegacyRole"] });
        expect(mutations(out.calls)).to.deep.equal([
            ["ec2", "associate_iam_instance_profile", { IamInstanceProfile: { Name: "web-instance" }, InstanceId: "i-1" }],
            ["iam", "attach_role_policy", { RoleName: "LegacyRole", PolicyArn: policyArns[0] }],
            ["iam", "attach_role_policy", { RoleName: "LegacyRole", PolicyArn: policyArns[1] }],
            ["iam", "tag_role", { RoleName: "LegacyRole", Tags: [{ Key: "QSConfigId-abc12", Value: "abc12" }] }],
        ]);
    });

    it("keeps going past a failing instance and reports every failure at the end", () => {
        const out = runScript(
            "attach-instance-profile.yaml",
            scenario(true, { failures: [{ call: "iam.attach_role_policy", when: "LegacyRole", message: "LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10" }] }),
        );
        expect(out.error).to.equal('profiles attached to ["i-1"], roles updated []; failed for 2 instance(s): i-2: LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10; i-4: LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10');
    });

    it("resolves a resource group's instances into an instance-id filter", () => {
        const out = runScript("attach-instance-profile.yaml", {
            ...scenario(false),
            events: { ...scenario(false).events, InstanceFilters: "[]", ResourceGroupName: "web-servers" },
            pages: {
                ...scenario(false).pages,
                "resource-groups.list_group_resources": [{ Resources: [{ Identifier: { ResourceArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1` } }] }],
            },
        });
        expect(out.calls.find(([s]) => s === "resource-groups")).to.deep.equal([
            "resource-groups",
            "list_group_resources",
            { Group: "web-servers", Filters: [{ Name: "resource-type", Values: ["AWS::EC2::Instance"] }] },
        ]);
        expect(out.calls.find(([, op]) => op === "describe_instances")![2].Filters).to.deep.equal([
            { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
            { Name: "instance-id", Values: ["i-1"] },
        ]);
    });
});

describe("attach-hybrid-role-policies.yaml script (python3, fake boto3)", function () {
    before(function () {
        if (!python()) this.skip();
    });

    it("attaches the policies to every targeted hybrid node's role once, skipping nodes without a role", () => {
        const out = runScript("attach-hybrid-role-policies.yaml", {
            events: { NodeFilters: '[{"Key":"tag:Environment","Values":["test"]}]', ResourceGroupName: "", PolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"], RoleTagKey: "", RoleTagValue: "" },
            pages: {
                "ssm.describe_instance_information": [
                    { InstanceInformationList: [{ InstanceId: "mi-1", IamRole: "SSMServiceRole" }, { InstanceId: "mi-2", IamRole: "service-role/SSMServiceRole" }, { InstanceId: "mi-3" }] },
                ],
            },
        });
        expect(out.result).to.deep.equal({ rolesUpdated: ["SSMServiceRole"], nodesWithoutRole: ["mi-3"] });
        expect(out.calls[0]).to.deep.equal([
            "ssm",
            "describe_instance_information",
            { Filters: [{ Key: "tag:Environment", Values: ["test"] }, { Key: "ResourceType", Values: ["ManagedInstance"] }] },
        ]);
        expect(mutations(out.calls)).to.deep.equal([["iam", "attach_role_policy", { RoleName: "SSMServiceRole", PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }]]);
    });
});
