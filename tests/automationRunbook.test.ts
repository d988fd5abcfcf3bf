import { expect } from "chai";
import * as YAML from "yaml";
import { CREATE_DOCUMENT_NAME_PATTERN, INSTALL_OVERRIDE_LIST_PATTERN } from "../config/rules";
import { runbookContent, RUN_PATCH_BASELINE } from "../core/multiAccount";

/** The shipped runbook, documents/automation-run-patch-baseline.yaml, as SSM would read it. */
interface Parameter {
    type: string;
    description?: string;
    default?: string;
    allowedValues?: string[];
    allowedPattern?: string;
}
interface Step {
    name: string;
    action: string;
    maxAttempts?: number;
    timeoutSeconds?: number;
    onFailure?: string;
    isEnd?: boolean;
    inputs: Record<string, any>;
}
interface Runbook {
    schemaVersion: string;
    description: string;
    assumeRole: string;
    parameters: Record<string, Parameter>;
    mainSteps: Step[];
    outputs: string[];
}

const content = runbookContent();
const doc = YAML.parse(content) as Runbook;

/** SSM evaluates allowedPattern against the whole value (Java regex; these are JS-compatible). */
function accepts(param: string, value: string): boolean {
    return new RegExp(doc.parameters[param].allowedPattern!).test(value);
}

/** Every `{{ … }}` reference in a value, recursively. */
function references(value: unknown): string[] {
    if (typeof value === "string") return [...value.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
    if (Array.isArray(value)) return value.flatMap(references);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(references);
    return [];
}

/** Outputs each action documents (Systems Manager Automation actions reference). */
const ACTION_OUTPUTS: Record<string, string[]> = { "aws:runCommand": ["CommandId", "Status", "ResponseCode", "Output"] };

describe("Automation-RunPatchBaseline runbook (documents/automation-run-patch-baseline.yaml)", () => {
    it("parses as an Automation document of schema 0.3 within the 64 KB content limit", () => {
        expect(doc.schemaVersion).to.equal("0.3");
        expect(Object.keys(doc)).to.have.members(["schemaVersion", "description", "assumeRole", "parameters", "mainSteps", "outputs"]);
        expect(Buffer.byteLength(content)).to.be.below(64 * 1024);
        expect(doc.assumeRole).to.equal("{{AutomationAssumeRole}}");
    });

    it("has exactly the seed's parameters plus RebootOption and BaselineOverride, with their types and defaults", () => {
        expect(Object.keys(doc.parameters)).to.include.members(["AutomationAssumeRole", "Operation", "SnapshotId", "InstanceId", "InstallOverrideList", "RebootOption", "BaselineOverride"]);
        expect(doc.parameters.BaselineOverride.default).to.equal("");
        for (const p of Object.values(doc.parameters)) expect(p.type).to.equal("String");
        expect(doc.parameters.AutomationAssumeRole.default).to.equal("");
        expect(doc.parameters.Operation).to.not.have.property("default");
        expect(doc.parameters.Operation.allowedValues).to.deep.equal(["Scan", "Install"]);
        expect(doc.parameters.SnapshotId.default).to.equal("");
        expect(doc.parameters.InstanceId).to.not.have.property("default");
        expect(doc.parameters.InstallOverrideList.default).to.equal("");
        expect(doc.parameters.RebootOption).to.deep.include({ default: "RebootIfNeeded", allowedValues: ["RebootIfNeeded", "NoReboot"] });
    });

    it("keeps the seed's allowedPattern values for SnapshotId and InstallOverrideList", () => {
        expect(doc.parameters.SnapshotId.allowedPattern).to.equal("(^$)|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
        expect(doc.parameters.InstallOverrideList.allowedPattern).to.equal("(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$");
        // The config model validates installOverrideList with the same pattern.
        expect(INSTALL_OVERRIDE_LIST_PATTERN.source).to.equal("(^$)|^https:\\/\\/.+$|^s3:\\/\\/([^/]+)\\/(.*?([^/]+))$");
    });

    it("SnapshotId accepts empty and a UUID, rejects anything else", () => {
        for (const ok of ["", "9f2a3c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5b", "ABCDEF01-2345-6789-ABCD-EF0123456789"]) expect(accepts("SnapshotId", ok), ok).to.equal(true);
        for (const bad of ["snapshot-1", "9f2a3c4e1b2d4e5f8a9b0c1d2e3f4a5b", "9f2a3c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5", "g f2a3c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"]) {
            expect(accepts("SnapshotId", bad), bad).to.equal(false);
        }
    });

    it("InstallOverrideList accepts empty, https:// and s3://bucket/key; rejects other schemes and bucket-only URLs", () => {
        for (const ok of ["", "https://example.com/patches/list.yaml", "s3://patch-lists/prod/override.yaml", "s3://patch-lists/list.yaml"]) {
            expect(accepts("InstallOverrideList", ok), ok).to.equal(true);
        }
        for (const bad of ["http://example.com/list.yaml", "ftp://example.com/list.yaml", "s3://patch-lists/", "s3://patch-lists", "patch-lists/list.yaml"]) {
            expect(accepts("InstallOverrideList", bad), bad).to.equal(false);
        }
    });

    it("AutomationAssumeRole accepts empty and role ARNs of every partition, nothing else", () => {
        for (const ok of ["", "arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole", "arn:aws-cn:iam::111122223333:role/path/Role", "arn:aws-us-gov:iam::111122223333:role/R"]) {
            expect(accepts("AutomationAssumeRole", ok), ok).to.equal(true);
        }
        for (const bad of ["AWS-SystemsManager-AutomationAdministrationRole", "arn:aws:iam::1111:role/R", "arn:aws:iam::111122223333:user/admin", "arn:aws:iam::111122223333:role/"]) {
            expect(accepts("AutomationAssumeRole", bad), bad).to.equal(false);
        }
    });

    it("BaselineOverride accepts empty and an s3://bucket/key URL (what the override store publishes), nothing else", () => {
        for (const ok of ["", "s3://patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json"]) expect(accepts("BaselineOverride", ok), ok).to.equal(true);
        for (const bad of ["https://example.com/o.json", "s3://bucket-only", "baseline_overrides.json"]) expect(accepts("BaselineOverride", bad), bad).to.equal(false);
    });

    it("InstanceId accepts EC2 instance ids and hybrid managed-node ids, nothing else", () => {
        for (const ok of ["i-0123456789abcdef0", "i-01234567", "mi-0123456789abcdef0"]) expect(accepts("InstanceId", ok), ok).to.equal(true);
        for (const bad of ["", "i-XYZ", "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", "i-0123456789abcdef0 ", "WebServers"]) {
            expect(accepts("InstanceId", bad), bad).to.equal(false);
        }
    });

    it("holds Installs by the approval calendar, then runs AWS-RunPatchBaseline with retries and a timeout", () => {
        expect(doc.mainSteps.map((s) => [s.name, s.action])).to.deep.equal([
            ["holdInstalls", "aws:branch"],
            ["assertChangeCalendarOpen", "aws:assertAwsResourceProperty"],
            ["runPatchBaseline", "aws:runCommand"],
        ]);
        // The user guide's "Adding Change Calendar dependencies to Automation runbooks" step, on the
        // calendar of the Region the child execution runs in, owned (and shared) by the management account.
        expect(doc.mainSteps[1]).to.deep.include({ onFailure: "Abort", nextStep: "runPatchBaseline" });
        expect(doc.mainSteps[1].inputs).to.deep.equal({
            Service: "ssm",
            Api: "GetCalendarState",
            CalendarNames: ["arn:{{global:AWS_PARTITION}}:ssm:{{global:REGION}}:{{ChangeCalendarOwner}}:document/{{ChangeCalendarName}}"],
            PropertySelector: "$.State",
            DesiredValues: ["OPEN"],
        });
        const step = doc.mainSteps[2];
        expect(step).to.deep.equal({
            name: "runPatchBaseline",
            action: "aws:runCommand",
            maxAttempts: 3,
            timeoutSeconds: 7200,
            onFailure: "Abort",
            isEnd: true,
            inputs: {
                DocumentName: RUN_PATCH_BASELINE,
                InstanceIds: ["{{InstanceId}}"],
                TimeoutSeconds: 600,
                Parameters: {
                    Operation: "{{Operation}}",
                    SnapshotId: "{{SnapshotId}}",
                    InstallOverrideList: "{{InstallOverrideList}}",
                    RebootOption: "{{RebootOption}}",
                    // The stack's baselines in every account and Region (issue 16).
                    BaselineOverride: "{{BaselineOverride}}",
                },
            },
        });
        for (const s of doc.mainSteps) expect(s.name).to.match(/^[a-zA-Z0-9_]+$/);
        // aws:runCommand: TimeoutSeconds 30–2592000; InstanceIds at most 50.
        expect(step.inputs.TimeoutSeconds).to.be.within(30, 2592000);
    });

    describe("which steps run (aws:branch choices in order, StringEquals, else Default)", () => {
        /** The steps an execution runs, following branch choices and nextStep as Automation does. */
        function run(params: Record<string, string>): { steps: string[]; calendarArn?: string } {
            const values: Record<string, string> = { ...Object.fromEntries(Object.entries(doc.parameters).map(([k, p]) => [k, p.default ?? ""])), ...params };
            const sub = (v: string) => v.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, name: string) => values[name] ?? `{{${name}}}`);
            const steps: string[] = [];
            let calendarArn: string | undefined;
            let i = 0;
            while (i >= 0 && i < doc.mainSteps.length) {
                const s = doc.mainSteps[i] as Step & { nextStep?: string };
                steps.push(s.name);
                let next: string | undefined = s.nextStep;
                if (s.action === "aws:branch") {
                    const choice = (s.inputs.Choices as { NextStep: string; Variable: string; StringEquals: string }[]).find((c) => sub(c.Variable) === c.StringEquals);
                    next = choice ? choice.NextStep : s.inputs.Default;
                }
                if (s.action === "aws:assertAwsResourceProperty") calendarArn = sub(s.inputs.CalendarNames[0]);
                if (s.isEnd) break;
                i = next ? doc.mainSteps.findIndex((x) => x.name === next) : i + 1;
            }
            return { steps, calendarArn };
        }
        const globals = { "global:AWS_PARTITION": "aws", "global:REGION": "eu-west-1" };
        it("a Scan is never held", () => {
            expect(run({ Operation: "Scan", ...globals }).steps).to.deep.equal(["holdInstalls", "runPatchBaseline"]);
            expect(run({ Operation: "Scan", ChangeCalendarName: "patching-prod-install-approval", ChangeCalendarOwner: "111122223333", ...globals }).steps).to.deep.equal(["holdInstalls", "runPatchBaseline"]);
        });
        it("an Install asserts the calendar of its own Region, owned by the management account, before the command", () => {
            const r = run({ Operation: "Install", ChangeCalendarName: "patching-prod-install-approval", ChangeCalendarOwner: "111122223333", ...globals });
            expect(r.steps).to.deep.equal(["holdInstalls", "assertChangeCalendarOpen", "runPatchBaseline"]);
            expect(r.calendarArn).to.equal("arn:aws:ssm:eu-west-1:111122223333:document/patching-prod-install-approval");
        });
        it("an Install that names no calendar still asserts — on no document, so it stops (fail closed)", () => {
            const r = run({ Operation: "Install", ...globals });
            expect(r.steps).to.include("assertChangeCalendarOpen");
            expect(r.calendarArn).to.equal("arn:aws:ssm:eu-west-1::document/");
        });
        it("only the explicit UNGATED skips the assertion", () => {
            expect(run({ Operation: "Install", ChangeCalendarName: "UNGATED", ...globals }).steps).to.deep.equal(["holdInstalls", "runPatchBaseline"]);
        });
        it("ChangeCalendarName takes SSM document names (and UNGATED); ChangeCalendarOwner an account id", () => {
            for (const ok of ["", "UNGATED", "patching-prod-install-approval"]) expect(accepts("ChangeCalendarName", ok), ok).to.equal(true);
            for (const bad of ["a b", "arn:aws:ssm:us-east-1:111122223333:document/x", "ab"]) expect(accepts("ChangeCalendarName", bad), bad).to.equal(false);
            for (const ok of ["", "111122223333"]) expect(accepts("ChangeCalendarOwner", ok), ok).to.equal(true);
            for (const bad of ["1111", "arn:aws:iam::111122223333:root"]) expect(accepts("ChangeCalendarOwner", bad), bad).to.equal(false);
        });
    });

    it("every {{ }} reference resolves to a parameter or a step output, and every parameter is used", () => {
        const params = Object.keys(doc.parameters);
        const stepOutputs = doc.mainSteps.flatMap((s) => (ACTION_OUTPUTS[s.action] ?? []).map((o) => `${s.name}.${o}`));
        const refs = references({ assumeRole: doc.assumeRole, mainSteps: doc.mainSteps });
        expect(refs.length).to.equal(13);
        // Automation system variables (user guide, "Automation system variables").
        const system = ["global:AWS_PARTITION", "global:REGION"];
        for (const r of refs) expect([...params, ...stepOutputs, ...system], r).to.include(r);
        for (const o of doc.outputs) expect(stepOutputs, o).to.include(o);
        expect(doc.outputs).to.deep.equal(["runPatchBaseline.CommandId", "runPatchBaseline.Status", "runPatchBaseline.Output"]);
        for (const p of params) expect(refs, `parameter ${p} is never used`).to.include(p);
    });

    it("passes every parameter the command takes straight through", () => {
        const passed = doc.mainSteps.find((s) => s.name === "runPatchBaseline")!.inputs.Parameters as Record<string, string>;
        for (const [k, v] of Object.entries(passed)) expect(v).to.equal(`{{${k}}}`);
    });

    it("its default name is a valid, non-reserved document name", () => {
        expect(CREATE_DOCUMENT_NAME_PATTERN.test("Automation-RunPatchBaseline")).to.equal(true);
    });
});
