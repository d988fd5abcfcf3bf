/**
 * Every AWS API call the Automation documents make matches the AWS SDK's own model of that API
 * (review/contracts/sdkModel.ts): the service and operation exist, every member exists, required
 * members are present, booleans/numbers/lists/structures have their type, known enums hold.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { documentContent, parseDocument } from "../core/automationDocument";
import { startAutomationRequest } from "../core/multiAccount";
import { automationRequests } from "../review/contracts/apiRequests";
import { requestProblems } from "../review/contracts/sdkModel";
import { python, runScript } from "./support/runScript";

export function documentApiProblems(file: string, content: string): string[] {
    return automationRequests(file, content).flatMap((r) => requestProblems(r.service, r.operation, r.input, r.where));
}

describe("Contracts: Automation documents against the AWS SDK models", () => {
    const files = fs.readdirSync(path.join(__dirname, "..", "documents")).filter((f) => f.endsWith(".yaml"));
    it("finds the shipped documents and their API steps", () => {
        expect(files).to.include.members(["patch-with-snapshots.yaml", "rollback-root-volume.yaml"]);
        const steps = files.flatMap((f) => automationRequests(f, documentContent(f)));
        expect(steps.length).to.be.greaterThan(5);
    });
    for (const file of files) {
        it(`${file}: every aws:executeAwsApi / waitFor / assert step is a valid request`, () => {
            expect(documentApiProblems(file, documentContent(file))).to.deep.equal([]);
        });
    }
    it("regression: createSnapshots excludes data volumes by id (EC2 has no InstanceSpecification.ExcludeDataVolumes)", () => {
        const doc = parseDocument(documentContent("patch-with-snapshots.yaml"));
        const create = doc.mainSteps.find((s) => s.name === "createSnapshots")!.inputs as Record<string, any>;
        expect(create.InstanceSpecification).to.deep.equal({ InstanceId: "{{InstanceId}}", ExcludeBootVolume: false, ExcludeDataVolumeIds: "{{selectDataVolumes.ExcludeIds}}" });
        // The old shape, checked the same way, is refused by the model.
        const old = documentContent("patch-with-snapshots.yaml").replace("ExcludeDataVolumeIds: \"{{selectDataVolumes.ExcludeIds}}\"", 'ExcludeDataVolumes: "{{ExcludeDataVolumes}}"');
        expect(documentApiProblems("old", old).join("\n")).to.match(/InstanceSpecification has no member ExcludeDataVolumes \(members: InstanceId, ExcludeBootVolume, ExcludeDataVolumeIds\)/);
    });
    it("catches a missing required member, a wrong type and an unknown enum value", () => {
        expect(requestProblems("ec2", "CreateSnapshots", { Description: "x" })).to.deep.equal(["ec2:CreateSnapshots: required member InstanceSpecification is missing"]);
        expect(requestProblems("ec2", "CreateSnapshots", { InstanceSpecification: { InstanceId: "i-1", ExcludeBootVolume: "no" } })[0]).to.match(/ExcludeBootVolume: expected a boolean/);
        expect(requestProblems("ec2", "CreateSnapshots", { InstanceSpecification: { InstanceId: "i-1" }, CopyTagsFromSource: "all" })[0]).to.match(/"all" is not one of volume/);
        expect(requestProblems("ec2", "CreateSnapshotz", {})[0]).to.match(/ec2 has no operation CreateSnapshotz/);
    });
    it("the Scheduler universal target input (ssm:startAutomationExecution) is a valid StartAutomationExecution request", () => {
        const request = startAutomationRequest({
            documentName: "patching-prod-Automation-RunPatchBaseline",
            administrationRoleArn: "arn:aws:iam::123456789012:role/patching-admin",
            operation: "Install",
            rebootOption: "RebootIfNeeded",
            installOverrideList: "s3://b/k.yaml",
            resourceGroup: "patch-prod",
            maxConcurrency: "10%",
            maxErrors: "5%",
            executionRoleName: "patching-exec",
            changeCalendar: { name: "patching-prod-install-approval", owner: "123456789012" },
            targetLocations: [{ accounts: ["111122223333"], regions: ["us-east-1"], excludeAccounts: ["444455556666"], maxConcurrency: "1", maxErrors: "1" }],
        });
        expect(requestProblems("ssm", "startAutomationExecution", request)).to.deep.equal([]);
    });
    describe("selectDataVolumes (python3): the ids CreateSnapshots may exclude", function () {
        before(function () {
            if (!python()) this.skip();
        });
        const run = (events: object): unknown => runScript("patch-with-snapshots.yaml", { events }, "selectDataVolumes").result;
        const instance = { RootDeviceName: "/dev/xvda", DeviceNames: ["/dev/xvdf", "/dev/xvda", "/dev/xvdg"], VolumeIds: ["vol-data1", "vol-root", "vol-data2"] };
        it("root only: every attached volume but the root one (naming the root volume would fail the call)", () => {
            expect(run({ ExcludeDataVolumes: true, ...instance })).to.deep.equal({ ExcludeIds: ["vol-data1", "vol-data2"] });
            expect(run({ ExcludeDataVolumes: "true", ...instance })).to.deep.equal({ ExcludeIds: ["vol-data1", "vol-data2"] });
        });
        it("all volumes: nothing excluded", () => {
            expect(run({ ExcludeDataVolumes: false, ...instance })).to.deep.equal({ ExcludeIds: [] });
        });
    });
});
