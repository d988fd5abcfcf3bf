/**
 * Managed mode sends exactly the `AWSQuickSetupType-PatchPolicy` parameter set the Quick Setup
 * console sends, held here independently of the code that builds it.
 */
import { expect } from "chai";
import { quickSetupPatchPolicyParameters } from "../components/patchPolicy";
import { CONSOLE_PATCH_BASELINE_DEFAULTS, selectedPatchBaselines } from "../core/quickSetup";
import { ACCOUNT, minimalConfig, named, runProgram } from "./harness";

const QS = "aws-native:ssmquicksetup:ConfigurationManager";

/**
 * The parameter names of the configuration definition the console creates, copied from the
 * Systems Manager user guide, "Using the Quick Setup API to manage configurations and deployments"
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/quick-setup-api.html), AWS CLI
 * example: an organizational deployment, so `TargetOrganizationalUnits`; a local deployment sends
 * `TargetAccounts` in its place (Quick Setup API reference, ConfigurationDefinitionInput).
 */
const CONSOLE_EXAMPLE_PARAMETERS =
    "ConfigurationOptionsInstallNextInterval ConfigurationOptionsInstallValue ConfigurationOptionsPatchOperation " +
    "ConfigurationOptionsScanNextInterval ConfigurationOptionsScanValue HasDeletedBaseline IsPolicyAttachAllowed " +
    "OutputBucketRegion OutputLogEnableS3 OutputS3BucketName OutputS3KeyPrefix PatchBaselineRegion PatchBaselineUseDefault " +
    "PatchPolicyName RateControlConcurrency RateControlErrorThreshold RebootOption ResourceGroupName SelectedPatchBaselines " +
    "TargetInstances TargetOrganizationalUnits TargetRegions TargetTagKey TargetTagValue TargetType";
/** The SelectedPatchBaselines keys of the same example (the operating systems the console lists). */
const CONSOLE_EXAMPLE_OSES = "ALMA_LINUX AMAZON_LINUX_2 AMAZON_LINUX_2023 DEBIAN MACOS ORACLE_LINUX REDHAT_ENTERPRISE_LINUX ROCKY_LINUX UBUNTU WINDOWS";

const local = (ous: boolean) =>
    CONSOLE_EXAMPLE_PARAMETERS.split(" ")
        .map((k) => (k === "TargetOrganizationalUnits" && !ous ? "TargetAccounts" : k))
        .sort();

async function parameters(policy: Record<string, unknown>): Promise<Record<string, string>> {
    const base = { name: "web", mode: "managed", targets: { tags: { Patch: ["true"] } }, scan: { schedule: "cron(0 1 * * ? *)" } };
    const { resources } = await runProgram(minimalConfig({ "patching:patchPolicies": [{ ...base, ...policy }] }));
    return (named(resources, QS, "web").inputs as { configurationDefinitions: { parameters: Record<string, string> }[] }).configurationDefinitions[0].parameters;
}

describe("Quick Setup parity: the AWSQuickSetupType-PatchPolicy parameter set", () => {
    for (const [title, policy, ous] of [
        ["scan only, one tag, this account", {}, false],
        ["scan and install, all nodes, S3 output", { targets: { allManagedNodes: true }, install: { schedule: "cron(0 2 ? * SUN *)" }, output: { s3: { bucketName: "patch-output-123" } } }, false],
        ["instance ids", { targets: { instanceIds: ["i-0123456789abcdef0"] } }, false],
        ["resource group", { targets: { resourceGroup: "web" } }, false],
        ["organizational units with a tag", { organizationalUnits: ["ou-ab12-cdef3456"], install: { patchTuesdayPlusDays: 7, time: "04:00" } }, true],
    ] as const) {
        it(`${title}: every declared parameter and no other`, async () => {
            const p = await parameters(policy);
            expect(Object.keys(p).sort()).to.deep.equal(local(ous));
            expect(p.HasDeletedBaseline).to.equal("false");
            for (const v of Object.values(p)) expect(v, "every value is a string").to.be.a("string");
        });
    }

    it("organizational units: TargetType with the OU, as in the console's example (Tags + ou-…)", async () => {
        const p = await parameters({ organizationalUnits: ["ou-ab12-cdef3456"] });
        expect(p).to.include({ TargetType: "Tags", TargetTagKey: "Patch", TargetTagValue: "true", TargetOrganizationalUnits: "ou-ab12-cdef3456" });
        const all = await parameters({ organizationalUnits: ["ou-ab12-cdef3456"], targets: { allManagedNodes: true } });
        expect(all).to.include({ TargetType: "*", TargetTagKey: "", TargetTagValue: "" });
    });

    it("this account: TargetAccounts is the caller's account", async () => {
        expect((await parameters({})).TargetAccounts).to.equal(ACCOUNT);
    });

    it("the builder rejects an undeclared name and a missing deployment target", () => {
        expect(() => quickSetupPatchPolicyParameters({ TargetAccounts: "1", OutputS3Location: "x" } as never)).to.throw("declares no parameter OutputS3Location");
        expect(() => quickSetupPatchPolicyParameters({ PatchPolicyName: "p" })).to.throw("exactly one of TargetAccounts, TargetOrganizationalUnits");
        expect(() => quickSetupPatchPolicyParameters({ TargetAccounts: "1", TargetOrganizationalUnits: "ou-x" })).to.throw("exactly one of");
    });

    describe("SelectedPatchBaselines", () => {
        it("covers every operating system the console lists, AWS-managed baselines by ARN", async () => {
            const selected = JSON.parse((await parameters({})).SelectedPatchBaselines);
            expect(Object.keys(selected).sort()).to.deep.equal(CONSOLE_EXAMPLE_OSES.split(" "));
            for (const [os, entry] of Object.entries<Record<string, unknown>>(selected)) {
                expect(entry.value, os).to.match(/^arn:aws:ssm:us-east-1:\d{12}:patchbaseline\/pb-[0-9a-f]{17}$/);
                expect(entry.label, os).to.equal(CONSOLE_PATCH_BASELINE_DEFAULTS[os]);
                expect(entry.disabled).to.equal(false);
            }
        });

        it("a stack baseline replaces its system's entry by id; another system is added", () => {
            const arn = (n: string) => `arn:aws:ssm:eu-west-1:111122223333:patchbaseline/pb-0${n.padStart(16, "0")}`;
            const owned = Object.entries(CONSOLE_PATCH_BASELINE_DEFAULTS).map(([os, name], i) => ({ operatingSystem: os, baselineName: name, baselineId: arn(String(i)) }));
            const out = selectedPatchBaselines(
                owned,
                [
                    { name: "web-al2023", operatingSystem: "AMAZON_LINUX_2023", id: "pb-0123456789abcdef0" },
                    { name: "web-suse", operatingSystem: "SUSE", description: "SUSE for web", id: "pb-0123456789abcdef1" },
                ],
                "eu-west-1",
            );
            expect(out.AMAZON_LINUX_2023).to.deep.equal({ value: "pb-0123456789abcdef0", label: "web-al2023", description: "web-al2023", disabled: false });
            expect(out.SUSE.label).to.equal("web-suse");
            expect(Object.keys(out)).to.have.length(11);
        });

        it("fails loudly when the Region lists no predefined baseline for a console system, or lists it without its ARN", () => {
            const owned = [{ operatingSystem: "WINDOWS", baselineName: "AWS-DefaultPatchBaseline", baselineId: "arn:aws:ssm:us-east-1:111122223333:patchbaseline/pb-0aaaaaaaaaaaaaaaa" }];
            expect(() => selectedPatchBaselines(owned, [], "us-east-1")).to.throw("us-east-1 lists no AWS predefined baseline AWS-AlmaLinuxDefaultPatchBaseline for ALMA_LINUX");
            const all = Object.entries(CONSOLE_PATCH_BASELINE_DEFAULTS).map(([os, name]) => ({ operatingSystem: os, baselineName: name, baselineId: "pb-0aaaaaaaaaaaaaaaa" }));
            expect(() => selectedPatchBaselines(all, [], "us-east-1")).to.throw("not as its ARN");
        });
    });
});
