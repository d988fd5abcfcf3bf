import { expect } from "chai";
import { ConfigValidationError } from "../config";
import { expectIssue, issuesOf, minimalConfig, parse } from "./harness";

/** A config whose single baseline is `base` merged with `changes`. */
function withBaseline(changes: Record<string, unknown>, extra: Record<string, unknown>[] = []) {
    const base = (minimalConfig()["patching:baselines"] as Record<string, unknown>[])[0];
    return minimalConfig({ "patching:baselines": [{ ...base, ...changes }, ...extra] });
}



describe("config model", () => {
    it("accepts a valid config and fills documented defaults", () => {
        const cfg = parse(minimalConfig());
        expect(cfg.environment).to.equal("test");
        expect(cfg.region).to.equal("us-east-1");
        expect(cfg.tags).to.deep.equal({});
        const b = cfg.baselines[0];
        expect(b.rejectedPatchesAction).to.equal("BLOCK");
        expect(b.approvedPatchesComplianceLevel).to.equal("UNSPECIFIED");
        expect(b.approvalRules[0].complianceLevel).to.equal("UNSPECIFIED");
        expect(b.defaultForOperatingSystem).to.equal(false);
        expect(b.approvedPatches).to.deep.equal([]);
    });

    it("reports every problem at once, sorted by key path", () => {
        const issues = issuesOf({
            "aws:region": "us-east-1",
            "patching:environment": "dev",
            "patching:baselines": [
                { name: "bad-os", operatingSystem: "WINDOWS_2022", approvalRules: [{ patchFilters: { CLASSIFICATION: ["SecurityUpdates"] }, approveAfterDays: 1 }] },
                {
                    name: "bad-rules",
                    operatingSystem: "AMAZON_LINUX_2023",
                    approvalRules: [
                        { patchFilters: { MSRC_SEVERITY: ["Critical"] }, approveAfterDays: 400 },
                        { patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 7, approveUntilDate: "2026-01-15" },
                    ],
                },
            ],
        });
        expect(issues.map((i) => i.path)).to.deep.equal([
            "patching:baselines[0].operatingSystem",
            "patching:baselines[1].approvalRules[0].approveAfterDays",
            "patching:baselines[1].approvalRules[0].patchFilters.MSRC_SEVERITY",
            "patching:baselines[1].approvalRules[1]",
        ]);
        const err = new ConfigValidationError(issues);
        expect(err.message).to.contain("4 problems");
        expect(err.message).to.contain('(got "WINDOWS_2022")');
    });

    describe("stack keys", () => {
        it("rejects unknown patching: keys and names the allowed ones", () => {
            expectIssue(minimalConfig({ "patching:baseline": [] }), "patching", 'unknown key "baseline"; allowed keys: environment, tags, baselines');
        });
        it("requires environment", () => {
            const values = minimalConfig();
            delete values["patching:environment"];
            expectIssue(values, "patching:environment", "is required");
        });
        it("checks the environment name pattern", () => {
            expectIssue(minimalConfig({ "patching:environment": "Prod_1" }), "patching:environment", "lowercase", "Prod_1");
        });
        it("checks aws:region", () => {
            expectIssue(minimalConfig({ "aws:region": "us-east-9x" }), "aws:region", "AWS region", "us-east-9x");
            const values = minimalConfig();
            delete values["aws:region"];
            expectIssue(values, "aws:region", "is required");
        });
    });

    describe("tags", () => {
        it("rejects reserved aws: keys", () => {
            expectIssue(minimalConfig({ "patching:tags": { "aws:cost": "x" } }), 'patching:tags["aws:cost"]', "reserved");
        });
        it("rejects keys the program sets itself", () => {
            expectIssue(minimalConfig({ "patching:tags": { Environment: "x" } }), "patching:tags.Environment", "set by the program");
        });
        it("checks tag key length and characters, value length", () => {
            expectIssue(minimalConfig({ "patching:tags": { ["k".repeat(129)]: "x" } }), `patching:tags.${"k".repeat(129)}`, "1–128");
            expectIssue(minimalConfig({ "patching:tags": { Owner: "v".repeat(257) } }), "patching:tags.Owner", "at most 256");
            expectIssue(minimalConfig({ "patching:tags": { "bad#key": "x" } }), 'patching:tags["bad#key"]', "may contain");
        });
        it("allows at most 50 tags", () => {
            const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
            expectIssue(minimalConfig({ "patching:tags": tags }), "patching:tags", "at most 50");
        });
    });

    describe("baselines", () => {
        const B = "patching:baselines[0]";
        it("checks the operating system enum", () => {
            expectIssue(withBaseline({ operatingSystem: "WINDOWS_SERVER" }), `${B}.operatingSystem`, "must be one of WINDOWS, AMAZON_LINUX", "WINDOWS_SERVER");
        });
        it("checks the baseline name pattern and length", () => {
            expectIssue(withBaseline({ name: "ab" }), `${B}.name`, "3–128 letters", "ab");
            expectIssue(withBaseline({ name: "has space" }), `${B}.name`, "3–128 letters", "has space");
            expectIssue(withBaseline({ name: "n".repeat(129) }), `${B}.name`, "3–128 letters");
        });
        it("rejects duplicate baseline names", () => {
            const base = (minimalConfig()["patching:baselines"] as object[])[0];
            expectIssue(withBaseline({}, [{ ...base, patchGroups: ["other"] }]), "patching:baselines[1].name", "duplicate baseline name; already used by patching:baselines[0]");
        });
        it("checks description length", () => {
            expectIssue(withBaseline({ description: "" }), `${B}.description`, "at least 1");
            expectIssue(withBaseline({ description: "d".repeat(1025) }), `${B}.description`, "at most 1024");
        });
        it("rejects unknown baseline keys", () => {
            expectIssue(withBaseline({ approvalRule: [] }), B, 'unknown key "approvalRule"');
        });
        it("requires approval rules or approved patches", () => {
            expectIssue(withBaseline({ approvalRules: [] }), B, "approves nothing");
            expect(() => parse(withBaseline({ approvalRules: [], approvedPatches: ["kernel"] }))).not.to.throw();
        });
        it("allows at most 10 approval rules", () => {
            const rule = { patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 1 };
            expectIssue(withBaseline({ approvalRules: Array(11).fill(rule) }), `${B}.approvalRules`, "at most 10");
        });
        it("checks approveAfterDays is a whole number in 0–360, and accepts 360", () => {
            const rule = (d: unknown) => ({ approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: d }] });
            expectIssue(withBaseline(rule(400)), `${B}.approvalRules[0].approveAfterDays`, "from 0 to 360", 400);
            expectIssue(withBaseline(rule(-1)), `${B}.approvalRules[0].approveAfterDays`, "from 0 to 360", -1);
            expectIssue(withBaseline(rule(1.5)), `${B}.approvalRules[0].approveAfterDays`, "whole number", 1.5);
            expect(parse(withBaseline(rule(360))).baselines[0].approvalRules[0].approveAfterDays).to.equal(360);
        });
        it("checks approveUntilDate is a real YYYY-MM-DD date", () => {
            const rule = (d: unknown) => ({ approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveUntilDate: d }] });
            expectIssue(withBaseline(rule("2026/01/15")), `${B}.approvalRules[0].approveUntilDate`, "YYYY-MM-DD", "2026/01/15");
            expectIssue(withBaseline(rule("2025-02-29")), `${B}.approvalRules[0].approveUntilDate`, "real calendar date", "2025-02-29");
            expect(parse(withBaseline(rule("2024-02-29"))).baselines[0].approvalRules[0].approveUntilDate).to.equal("2024-02-29");
        });
        it("makes approveAfterDays and approveUntilDate mutually exclusive", () => {
            expectIssue(
                withBaseline({ approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 7, approveUntilDate: "2026-01-15" }] }),
                `${B}.approvalRules[0]`,
                "mutually exclusive",
                { approveAfterDays: 7, approveUntilDate: "2026-01-15" },
            );
        });
        it("requires an approval delay or date where the OS supports one", () => {
            expectIssue(withBaseline({ approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] } }] }), `${B}.approvalRules[0]`, "need approveAfterDays");
        });
        it("rejects approval delays on Ubuntu and Debian", () => {
            for (const os of ["UBUNTU", "DEBIAN"]) {
                expectIssue(
                    withBaseline({ operatingSystem: os, approvalRules: [{ patchFilters: { PRIORITY: ["Required"] }, approveAfterDays: 7 }] }),
                    `${B}.approvalRules[0]`,
                    `${os} baselines do not support approveAfterDays`,
                    7,
                );
            }
            expect(() => parse(withBaseline({ operatingSystem: "UBUNTU", approvalRules: [{ patchFilters: { PRIORITY: ["Required"] } }] }))).not.to.throw();
        });
        it("checks filter keys per operating system", () => {
            const cases: [string, string, string][] = [
                ["AMAZON_LINUX_2023", "MSRC_SEVERITY", "PRODUCT, CLASSIFICATION, SEVERITY"],
                ["WINDOWS", "SEVERITY", "PATCH_SET, PRODUCT, PRODUCT_FAMILY, CLASSIFICATION, MSRC_SEVERITY"],
                ["UBUNTU", "CLASSIFICATION", "PRODUCT, PRIORITY, SECTION"],
                ["MACOS", "SEVERITY", "PRODUCT, CLASSIFICATION"],
            ];
            for (const [os, key, allowed] of cases) {
                const rule = os === "UBUNTU" ? { patchFilters: { [key]: ["x"] } } : { patchFilters: { [key]: ["x"] }, approveAfterDays: 1 };
                expectIssue(withBaseline({ operatingSystem: os, approvalRules: [rule] }), `${B}.approvalRules[0].patchFilters.${key}`, `allowed keys: ${allowed}`, key);
            }
        });
        it("checks global filter keys per operating system", () => {
            expectIssue(withBaseline({ globalFilters: { PRIORITY: ["Required"] } }), `${B}.globalFilters.PRIORITY`, "not accepted for AMAZON_LINUX_2023");
        });
        it("checks closed filter value sets and rejects 'All'", () => {
            const win = (filters: object) => withBaseline({ operatingSystem: "WINDOWS", approvalRules: [{ patchFilters: filters, approveAfterDays: 0 }] });
            expectIssue(win({ CLASSIFICATION: ["Security"] }), `${B}.approvalRules[0].patchFilters.CLASSIFICATION[0]`, "allowed: CriticalUpdates", "Security");
            expectIssue(win({ MSRC_SEVERITY: ["High"] }), `${B}.approvalRules[0].patchFilters.MSRC_SEVERITY[0]`, "Critical, Important, Moderate, Low, Unspecified");
            expectIssue(win({ PATCH_SET: ["Office"] }), `${B}.approvalRules[0].patchFilters.PATCH_SET[0]`, "OS, APPLICATION");
            expectIssue(win({ PRODUCT: ["All"] }), `${B}.approvalRules[0].patchFilters.PRODUCT[0]`, 'use "*"');
            expectIssue(
                withBaseline({ operatingSystem: "UBUNTU", approvalRules: [{ patchFilters: { PRIORITY: ["Urgent"] } }] }),
                `${B}.approvalRules[0].patchFilters.PRIORITY[0]`,
                "Required, Important, Standard, Optional, Extra",
            );
            expect(() => parse(win({ CLASSIFICATION: ["*"], MSRC_SEVERITY: ["Critical"] }))).not.to.throw();
        });
        it("limits filters per group and values per filter", () => {
            const five = { PRODUCT: ["a"], CLASSIFICATION: ["Security"], SEVERITY: ["Low"], A: ["x"], B: ["y"] };
            expectIssue(withBaseline({ approvalRules: [{ patchFilters: five, approveAfterDays: 0 }] }), `${B}.approvalRules[0].patchFilters`, "1–4 filters");
            const many = { PRODUCT: Array.from({ length: 21 }, (_, i) => `p${i}`) };
            expectIssue(withBaseline({ approvalRules: [{ patchFilters: many, approveAfterDays: 0 }] }), `${B}.approvalRules[0].patchFilters.PRODUCT`, "at most 20 values");
            expectIssue(withBaseline({ approvalRules: [{ patchFilters: { PRODUCT: [] }, approveAfterDays: 0 }] }), `${B}.approvalRules[0].patchFilters.PRODUCT`, "1–20 values");
            expectIssue(withBaseline({ approvalRules: [{ patchFilters: { PRODUCT: ["p".repeat(65)] }, approveAfterDays: 0 }] }), `${B}.approvalRules[0].patchFilters.PRODUCT[0]`, "1–64 characters");
        });
        it("checks compliance level and rejected-patches action enums", () => {
            expectIssue(
                withBaseline({ approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 0, complianceLevel: "SEVERE" }] }),
                `${B}.approvalRules[0].complianceLevel`,
                "CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED",
                "SEVERE",
            );
            expectIssue(withBaseline({ approvedPatchesComplianceLevel: "URGENT" }), `${B}.approvedPatchesComplianceLevel`, "CRITICAL, HIGH");
            expectIssue(withBaseline({ rejectedPatchesAction: "DENY" }), `${B}.rejectedPatchesAction`, "ALLOW_AS_DEPENDENCY, BLOCK", "DENY");
        });
        it("limits approved and rejected patch lists", () => {
            expectIssue(withBaseline({ approvedPatches: Array.from({ length: 51 }, (_, i) => `KB${i}`) }), `${B}.approvedPatches`, "at most 50");
            expectIssue(withBaseline({ rejectedPatches: ["x".repeat(101)] }), `${B}.rejectedPatches[0]`, "at most 100");
        });
        it("keeps Linux-only settings off Windows and macOS", () => {
            const win = { operatingSystem: "WINDOWS", approvalRules: [{ patchFilters: { CLASSIFICATION: ["SecurityUpdates"] }, approveAfterDays: 0, enableNonSecurity: true }] };
            expectIssue(withBaseline(win), `${B}.approvalRules[0].enableNonSecurity`, "Linux baselines only, not WINDOWS");
            expectIssue(withBaseline({ operatingSystem: "MACOS", approvalRules: [{ patchFilters: { CLASSIFICATION: ["*"] }, approveAfterDays: 0 }], approvedPatchesEnableNonSecurity: true }), `${B}.approvedPatchesEnableNonSecurity`, "Linux baselines only, not MACOS");
            const source = { name: "epel", products: ["AmazonLinux2023"], configuration: "[epel]" };
            expectIssue(withBaseline({ ...win, approvalRules: [{ patchFilters: { CLASSIFICATION: ["SecurityUpdates"] }, approveAfterDays: 0 }], sources: [source] }), `${B}.sources`, "Linux baselines only");
        });
        it("keeps availableSecurityUpdatesComplianceStatus to Windows", () => {
            expectIssue(withBaseline({ availableSecurityUpdatesComplianceStatus: "NON_COMPLIANT" }), `${B}.availableSecurityUpdatesComplianceStatus`, "WINDOWS baselines only");
            expectIssue(withBaseline({ operatingSystem: "WINDOWS", approvalRules: [{ patchFilters: { CLASSIFICATION: ["SecurityUpdates"] }, approveAfterDays: 0 }], availableSecurityUpdatesComplianceStatus: "MAYBE" }), `${B}.availableSecurityUpdatesComplianceStatus`, "COMPLIANT, NON_COMPLIANT");
        });
        it("checks alternative source names, products and configuration", () => {
            expectIssue(withBaseline({ sources: [{ name: "e", products: ["AmazonLinux2023"], configuration: "x" }] }), `${B}.sources[0].name`, "3–50");
            expectIssue(withBaseline({ sources: [{ name: "epel", products: [], configuration: "x" }] }), `${B}.sources[0].products`, "1–20 products");
            expectIssue(withBaseline({ sources: [{ name: "epel", products: ["a"], configuration: "c".repeat(1025) }] }), `${B}.sources[0].configuration`, "at most 1024");
        });
        it("checks patch group names", () => {
            expectIssue(withBaseline({ patchGroups: [""] }), `${B}.patchGroups[0]`, "1–256");
            expectIssue(withBaseline({ patchGroups: ["g".repeat(257)] }), `${B}.patchGroups[0]`, "1–256");
            expectIssue(withBaseline({ patchGroups: ["web*"] }), `${B}.patchGroups[0]`, "may contain");
        });
        it("allows at most one baseline per operating system per patch group", () => {
            const base = (minimalConfig()["patching:baselines"] as object[])[0];
            expectIssue(withBaseline({}, [{ ...base, name: "second-al2023" }]), "patching:baselines[1].patchGroups[0]", 'patch group "test" already has a AMAZON_LINUX_2023 baseline (patching:baselines[0])');
            const win = { name: "test-windows", operatingSystem: "WINDOWS", approvalRules: [{ patchFilters: { CLASSIFICATION: ["SecurityUpdates"] }, approveAfterDays: 0 }], patchGroups: ["test"] };
            expect(() => parse(withBaseline({}, [win]))).not.to.throw();
        });
        it("allows one default baseline per operating system", () => {
            const base = (minimalConfig()["patching:baselines"] as object[])[0];
            expectIssue(
                withBaseline({ defaultForOperatingSystem: true }, [{ ...base, name: "other", patchGroups: ["other"], defaultForOperatingSystem: true }]),
                "patching:baselines[1].defaultForOperatingSystem",
                "already the default AMAZON_LINUX_2023 baseline",
            );
        });
    });
});
