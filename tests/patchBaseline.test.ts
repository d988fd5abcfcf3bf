import { expect } from "chai";
import { minimalConfig, named, ofType, runProgram } from "./harness";

describe("PatchBaseline component", () => {
    const windows = {
        name: "t-windows",
        operatingSystem: "WINDOWS",
        description: "Windows security",
        approvalRules: [
            {
                patchFilters: { PRODUCT: ["WindowsServer2022"], CLASSIFICATION: ["SecurityUpdates"], MSRC_SEVERITY: ["Critical"] },
                approveAfterDays: 7,
                complianceLevel: "CRITICAL",
            },
            { patchFilters: { CLASSIFICATION: ["Updates"] }, approveUntilDate: "2026-03-01" },
        ],
        globalFilters: { PRODUCT: ["WindowsServer2022"] },
        approvedPatches: ["KB5000001"],
        approvedPatchesComplianceLevel: "HIGH",
        rejectedPatches: ["KB5034441"],
        rejectedPatchesAction: "BLOCK",
        availableSecurityUpdatesComplianceStatus: "NON_COMPLIANT",
        patchGroups: ["web", "app"],
        defaultForOperatingSystem: true,
        tags: { Team: "windows" },
    };

    it("registers the baseline with exactly the configured inputs", async () => {
        const { resources } = await runProgram(minimalConfig({ "patching:baselines": [windows], "patching:tags": { Owner: "ops" } }));
        const b = named(resources, "aws:ssm/patchBaseline:PatchBaseline", "t-windows");
        expect(b.inputs).to.deep.include({
            name: "t-windows",
            operatingSystem: "WINDOWS",
            description: "Windows security",
            approvedPatches: ["KB5000001"],
            approvedPatchesComplianceLevel: "HIGH",
            rejectedPatches: ["KB5034441"],
            rejectedPatchesAction: "BLOCK",
            availableSecurityUpdatesComplianceStatus: "NON_COMPLIANT",
        });
        expect(b.inputs.approvalRules).to.deep.equal([
            {
                patchFilters: [
                    { key: "PRODUCT", values: ["WindowsServer2022"] },
                    { key: "CLASSIFICATION", values: ["SecurityUpdates"] },
                    { key: "MSRC_SEVERITY", values: ["Critical"] },
                ],
                approveAfterDays: 7,
                complianceLevel: "CRITICAL",
            },
            { patchFilters: [{ key: "CLASSIFICATION", values: ["Updates"] }], approveUntilDate: "2026-03-01", complianceLevel: "UNSPECIFIED" },
        ]);
        expect(b.inputs.globalFilters).to.deep.equal([{ key: "PRODUCT", values: ["WindowsServer2022"] }]);
        expect(b.inputs.tags).to.deep.equal({ Owner: "ops", Team: "windows", Project: "patching", Environment: "test", Stack: "test", ManagedBy: "pulumi" });
    });

    it("registers each patch group and the default baseline against the baseline id", async () => {
        const { resources } = await runProgram(minimalConfig({ "patching:baselines": [windows] }));
        const groups = ofType(resources, "aws:ssm/patchGroup:PatchGroup");
        expect(groups.map((g) => [g.name, g.inputs])).to.deep.equal([
            ["t-windows-pg-app", { baselineId: "t-windows-id", patchGroup: "app" }],
            ["t-windows-pg-web", { baselineId: "t-windows-id", patchGroup: "web" }],
        ]);
        const def = named(resources, "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline", "t-windows-default");
        expect(def.inputs).to.deep.equal({ baselineId: "t-windows-id", operatingSystem: "WINDOWS" });
    });

    it("parents every child to its component", async () => {
        const { resources } = await runProgram(minimalConfig({ "patching:baselines": [windows] }));
        const component = named(resources, "patching:ssm:PatchBaseline", "t-windows");
        expect(component.parent).to.equal(undefined);
        const children = resources.filter((r) => r.custom);
        expect(children).to.have.length(4);
        for (const c of children) expect(c.parent, c.name).to.equal(component.urn);
    });

    it("creates no default registration or patch groups unless configured", async () => {
        const base = { ...windows, patchGroups: [], defaultForOperatingSystem: false };
        const { resources } = await runProgram(minimalConfig({ "patching:baselines": [base] }));
        expect(ofType(resources, "aws:ssm/patchGroup:PatchGroup")).to.have.length(0);
        expect(ofType(resources, "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline")).to.have.length(0);
        expect(resources.map((r) => r.type)).to.deep.equal(["patching:ssm:PatchBaseline", "aws:ssm/patchBaseline:PatchBaseline"]);
    });

    it("passes Linux alternative sources and non-security flags through", async () => {
        const linux = {
            name: "t-al2",
            operatingSystem: "AMAZON_LINUX_2",
            approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 3, enableNonSecurity: true }],
            approvedPatchesEnableNonSecurity: true,
            sources: [{ name: "epel", products: ["AmazonLinux2"], configuration: "[epel]\nname=EPEL\nenabled=1" }],
        };
        const { resources } = await runProgram(minimalConfig({ "patching:baselines": [linux] }));
        const b = named(resources, "aws:ssm/patchBaseline:PatchBaseline", "t-al2");
        expect(b.inputs.sources).to.deep.equal(linux.sources);
        expect(b.inputs.approvedPatchesEnableNonSecurity).to.equal(true);
        expect((b.inputs.approvalRules as { enableNonSecurity: boolean }[])[0].enableNonSecurity).to.equal(true);
    });

    it("registers nothing when the config is invalid", async () => {
        let thrown: unknown;
        const { resources } = await runProgram(minimalConfig({ "patching:environment": "BAD" })).catch((e) => {
            thrown = e;
            return { resources: [] };
        });
        expect(String(thrown)).to.contain("patching:environment");
        expect(resources).to.have.length(0);
    });
});
