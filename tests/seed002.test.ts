/**
 * Seed 002 (AWS-RunPatchBaselineAssociation user guide page) replayed: its own `create-association`
 * example — `--association-name "MyPatchAssociation"`, `--parameters "Operation=Scan"` (no
 * BaselineTags), `--sync-compliance MANUAL`, instance-id targets — must be accepted and deployed as given.
 */
import { expect } from "chai";
import { expectIssue, minimalConfig, parse, named, ofType, runProgram } from "./harness";

const ASSOC = "aws-native:ssm:Association";
const P = "patching:patchPolicies[0]";

const seedPolicy = {
    name: "seed002",
    document: "AWS-RunPatchBaselineAssociation",
    // The seed's ids with EXAMPLE replaced by hex digits.
    targets: { instanceIds: ["i-02573cafcf0123456", "i-07782c72fa0123456"] },
    // The seed writes cron(0 */30 * * * ? *) (seven fields); State Manager takes six: every 30 minutes.
    scan: { schedule: "cron(0/30 * * * ? *)", associationName: "MyPatchAssociation", syncCompliance: "MANUAL" },
};
const config = (policy: Record<string, unknown>, more: Record<string, unknown>[] = []) => minimalConfig({ "patching:patchPolicies": [{ ...seedPolicy, ...policy }, ...more] });

describe("seed 002: AWS-RunPatchBaselineAssociation without BaselineTags, exact association names", () => {
    it("the seed's association validates and deploys with its exact name and only Operation (+ explicit NoReboot)", async () => {
        expect(parse(config({})).patchPolicies[0].scan.associationName).to.equal("MyPatchAssociation");
        const { resources } = await runProgram(config({}));
        const scan = named(resources, ASSOC, "seed002-us-east-1-scan").inputs as Record<string, unknown>;
        expect(scan).to.deep.include({
            associationName: "MyPatchAssociation",
            name: "AWS-RunPatchBaselineAssociation",
            parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] },
            syncCompliance: "MANUAL",
            scheduleExpression: "cron(0/30 * * * ? *)",
        });
        expect(scan.parameters).to.not.have.property("BaselineTags");
        // Without BaselineTags the instance role needs no baseline-reading permissions (seed 002 asks them only with BaselineTags).
        const policies = ofType(resources, "aws:iam/policy:Policy").map((r) => String(r.inputs.policy));
        for (const p of policies) expect(p).to.not.contain("ssm:DescribePatchBaselines");
    });

    it("without a name, the association keeps <policy>-ScanForPatches / -InstallPatches", async () => {
        const { resources } = await runProgram(config({ scan: { schedule: "cron(0 1 * * ? *)" }, install: { schedule: "cron(0 2 ? * SUN *)", associationName: "Seed002Install" } }));
        expect(named(resources, ASSOC, "seed002-us-east-1-scan").inputs.associationName).to.equal("seed002-ScanForPatches");
        expect(named(resources, ASSOC, "seed002-us-east-1-install").inputs.associationName).to.equal("Seed002Install");
    });

    it("names are checked: botocore AssociationName, unique in the stack, owned mode only", () => {
        expectIssue(config({ scan: { ...seedPolicy.scan, associationName: "My Patch" } }), `${P}.scan.associationName`, "botocore AssociationName", "My Patch");
        expectIssue(
            config({ install: { schedule: "cron(0 2 ? * SUN *)", associationName: "MyPatchAssociation" } }),
            `${P}.install.associationName`,
            `duplicate association name MyPatchAssociation; already used by ${P}.scan`,
            "MyPatchAssociation",
        );
        expectIssue(
            config({}, [{ name: "other", targets: { allManagedNodes: true }, scan: { schedule: "cron(0 1 * * ? *)", associationName: "MyPatchAssociation" } }]),
            "patching:patchPolicies[1].scan.associationName",
            `duplicate association name MyPatchAssociation; already used by ${P}.scan`,
            "MyPatchAssociation",
        );
        expectIssue(
            minimalConfig({ "patching:patchPolicies": [{ name: "qs", mode: "managed", targets: { allManagedNodes: true }, scan: { schedule: "cron(0 1 * * ? *)", associationName: "Mine" } }] }),
            "patching:patchPolicies[0].scan.associationName",
            "managed mode: Quick Setup sets this itself",
        );
    });
});
