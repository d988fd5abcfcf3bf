import { expect } from "chai";
import { AutomationDocument, documentContent, documentProblems, parseDocument } from "../core/automationDocument";

const accepts = (doc: AutomationDocument, param: string, value: string) => new RegExp(doc.parameters![param].allowedPattern!).test(value);

describe("Automation documents (documents/*.yaml)", () => {
    describe("patch-with-snapshots.yaml", () => {
        const content = documentContent("patch-with-snapshots.yaml");
        const doc = parseDocument(content);
        it("parses, and every step name, target, {{ }} reference and output resolves", () => {
            expect(documentProblems(doc, content)).to.deep.equal([]);
            expect(doc.assumeRole).to.equal("{{AutomationAssumeRole}}");
        });
        it("snapshots (DescribeInstances → CreateSnapshots) before it installs, and a failed snapshot aborts", () => {
            expect(doc.mainSteps.map((s) => [s.name, s.action, s.onFailure ?? "-"])).to.deep.equal([
                ["chooseSnapshot", "aws:branch", "-"],
                ["describeInstance", "aws:executeAwsApi", "Abort"],
                ["selectDataVolumes", "aws:executeScript", "Abort"],
                ["createSnapshots", "aws:executeAwsApi", "Abort"],
                ["installPatches", "aws:runCommand", "Abort"],
            ]);
            const create = doc.mainSteps[3].inputs as Record<string, any>;
            expect(create.Api).to.equal("CreateSnapshots");
            // EC2 CreateSnapshots excludes data volumes by id (InstanceSpecification.ExcludeDataVolumeIds): the ids come from describeInstance.
            expect(create.InstanceSpecification).to.deep.equal({ InstanceId: "{{InstanceId}}", ExcludeBootVolume: false, ExcludeDataVolumeIds: "{{selectDataVolumes.ExcludeIds}}" });
            expect((doc.mainSteps[2].inputs as Record<string, any>).InputPayload).to.deep.equal({
                ExcludeDataVolumes: "{{ExcludeDataVolumes}}",
                RootDeviceName: "{{describeInstance.RootDeviceName}}",
                DeviceNames: "{{describeInstance.DeviceNames}}",
                VolumeIds: "{{describeInstance.VolumeIds}}",
            });
            expect(create.TagSpecifications[0].Tags.map((t: { Key: string }) => t.Key)).to.deep.equal([
                "PatchSnapshot",
                "PatchInstanceId",
                "PatchRootDevice",
                "PatchAutomationExecution",
                "PatchStack",
                "RetentionDays",
            ]);
            expect(doc.mainSteps[4].inputs).to.deep.include({ DocumentName: "AWS-RunPatchBaseline" });
            expect((doc.mainSteps[4].inputs as Record<string, any>).Parameters).to.deep.equal({
                Operation: "Install",
                RebootOption: "{{RebootOption}}",
                InstallOverrideList: "{{InstallOverrideList}}",
                BaselineOverride: "{{BaselineOverride}}",
            });
        });
        it("hybrid nodes, and TakeSnapshots false, skip the snapshot steps", () => {
            expect(doc.mainSteps[0].inputs).to.deep.equal({
                Choices: [
                    { NextStep: "installPatches", Variable: "{{InstanceId}}", StartsWith: "mi-" },
                    { NextStep: "installPatches", Variable: "{{TakeSnapshots}}", BooleanEquals: false },
                ],
                Default: "describeInstance",
            });
        });
        it("parameter patterns accept what the program passes and reject the rest", () => {
            expect(accepts(doc, "InstanceId", "i-0123456789abcdef0")).to.equal(true);
            expect(accepts(doc, "InstanceId", "mi-0123456789abcdef0")).to.equal(true);
            expect(accepts(doc, "InstanceId", "i-xyz")).to.equal(false);
            expect(accepts(doc, "InstallOverrideList", "")).to.equal(true);
            expect(accepts(doc, "InstallOverrideList", "s3://patching-artifacts/install-override-list/prod.yaml")).to.equal(true);
            expect(accepts(doc, "InstallOverrideList", "ftp://x/y")).to.equal(false);
            expect(accepts(doc, "BaselineOverride", "")).to.equal(true);
            expect(accepts(doc, "BaselineOverride", "s3://patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json")).to.equal(true);
            expect(accepts(doc, "BaselineOverride", "https://example.com/o.json")).to.equal(false);
            for (const d of ["1", "14", "99", "365"]) expect(accepts(doc, "RetentionDays", d), d).to.equal(true);
            for (const d of ["0", "366", "014", "x"]) expect(accepts(doc, "RetentionDays", d), d).to.equal(false);
            expect(accepts(doc, "AutomationAssumeRole", "arn:aws:iam::123456789012:role/patching-prod-snapshot-install")).to.equal(true);
            expect(accepts(doc, "AutomationAssumeRole", "arn:aws:iam::1234:role/x")).to.equal(false);
        });
    });

    describe("rollback-root-volume.yaml", () => {
        const content = documentContent("rollback-root-volume.yaml");
        const doc = parseDocument(content);
        it("parses, and every reference resolves", () => {
            expect(documentProblems(doc, content)).to.deep.equal([]);
        });
        it("checks the snapshot is this instance's completed pre-patch snapshot, replaces the root volume, keeps the old one, waits for the agent", () => {
            expect(doc.mainSteps.map((s) => [s.name, s.action])).to.deep.equal([
                ["checkSnapshot", "aws:assertAwsResourceProperty"],
                ["checkInstanceRunning", "aws:assertAwsResourceProperty"],
                ["replaceRootVolume", "aws:executeAwsApi"],
                ["waitForReplacement", "aws:waitForAwsResourceProperty"],
                ["assertReplaced", "aws:assertAwsResourceProperty"],
                ["waitForAgent", "aws:waitForAwsResourceProperty"],
            ]);
            expect((doc.mainSteps[0].inputs as Record<string, any>).Filters).to.deep.equal([
                { Name: "tag:PatchInstanceId", Values: ["{{InstanceId}}"] },
                { Name: "tag:PatchSnapshot", Values: ["pre-patch"] },
            ]);
            expect(doc.mainSteps[2].inputs).to.deep.include({ Api: "CreateReplaceRootVolumeTask", InstanceId: "{{InstanceId}}", SnapshotId: "{{SnapshotId}}", DeleteReplacedRootVolume: false });
            expect((doc.mainSteps[3].inputs as Record<string, any>).DesiredValues).to.deep.equal(["succeeded", "failed", "failed-detached"]);
            expect((doc.mainSteps[4].inputs as Record<string, any>).DesiredValues).to.deep.equal(["succeeded"]);
            expect(accepts(doc, "SnapshotId", "snap-0123456789abcdef0")).to.equal(true);
            expect(accepts(doc, "InstanceId", "mi-0123456789abcdef0")).to.equal(false);
        });
    });

    describe("the checker finds what the service would reject", () => {
        const base = (): AutomationDocument => parseDocument(documentContent("patch-with-snapshots.yaml"));
        it("duplicate and malformed step names", () => {
            const doc = base();
            doc.mainSteps[1].name = "createSnapshots";
            doc.mainSteps[0].name = "check-node";
            expect(documentProblems(doc)).to.include.members(["step createSnapshots: duplicate step name", 'step 0: name "check-node" must match [a-zA-Z0-9_]+']);
        });
        it("onFailure, nextStep and branch targets that do not exist", () => {
            const doc = base();
            doc.mainSteps[1].onFailure = "step:rollback";
            doc.mainSteps[3].nextStep = "nowhere";
            (doc.mainSteps[0].inputs as { Default: string }).Default = "missing";
            expect(documentProblems(doc)).to.deep.equal([
                'step chooseSnapshot: Default "missing" does not name a step',
                'step describeInstance: onFailure "step:rollback" does not name a step (or Abort, Continue)',
                'step createSnapshots: nextStep "nowhere" does not name a step',
            ]);
        });
        it("references to unknown parameters, missing outputs and later steps", () => {
            const doc = base();
            (doc.mainSteps[1].inputs as Record<string, unknown>).Extra = "{{ InstanceIdd }} {{createSnapshots.SnapshotIds}} {{describeInstance.Nope}}";
            doc.outputs = ["installPatches.Missing"];
            expect(documentProblems(doc)).to.deep.equal([
                "step describeInstance: {{ InstanceIdd }} is neither a parameter, a system variable nor a step output",
                "step describeInstance: {{ createSnapshots.SnapshotIds }} refers to a later step",
                "step describeInstance: {{ describeInstance.Nope }}: step describeInstance has no output Nope (has RootDeviceName, InstanceState, DeviceNames, VolumeIds)",
                "outputs: {{ installPatches.Missing }}: step installPatches has no output Missing (has CommandId, Status, ResponseCode, Output)",
            ]);
        });
        it("schema version, parameter types and defaults, runCommand inputs", () => {
            const doc = base();
            doc.schemaVersion = "2.2";
            doc.parameters!.RetentionDays.default = "0";
            doc.parameters!.ExcludeDataVolumes.default = "true";
            delete (doc.mainSteps[4].inputs as Record<string, unknown>).InstanceIds;
            expect(documentProblems(doc)).to.deep.equal([
                'schemaVersion must be "0.3" for Automation, got "2.2"',
                'parameter ExcludeDataVolumes: default "true" is not a Boolean',
                'parameter RetentionDays: default "0" does not match its allowedPattern',
                "step installPatches: aws:runCommand needs InstanceIds or Targets",
            ]);
        });
    });
});
