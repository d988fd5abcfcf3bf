import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { CLOSED_FILTER_VALUES, OperatingSystem, OS_WITHOUT_APPROVAL_DELAY, productFamilyOf } from "../config/rules";
import { ConfigIssue, ConfigValidationError } from "../config";
import { expectIssue, issuesOf, minimalConfig, parse, ROOT } from "./harness";

/** AWS's own predefined baselines (user guide table, transcribed in the fixture): an independent truth for filter values. */
const predefined = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/predefined-baselines.json"), "utf8")) as {
    baselines: { name: string; operatingSystem: OperatingSystem; rules: Record<string, string[]>[] }[];
};

const B = "patching:baselines[0]";

/** The issues of a config, or none when it is accepted. */
function problems(values: Record<string, unknown>): ConfigIssue[] {
    try {
        parse(values);
        return [];
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
}

function baseline(os: string, filters: Record<string, unknown>) {
    const delay = OS_WITHOUT_APPROVAL_DELAY.includes(os as OperatingSystem) ? {} : { approveAfterDays: 7 };
    return minimalConfig({ "patching:baselines": [{ name: "b-test", operatingSystem: os, approvalRules: [{ patchFilters: filters, ...delay }], patchGroups: ["g"] }] });
}

describe("patch filter values per operating system (issue 15 item 2)", () => {
    for (const b of predefined.baselines) {
        it(`accepts the filters of AWS's own ${b.name} on ${b.operatingSystem}`, () => {
            const values = minimalConfig({
                "patching:baselines": [
                    {
                        name: "copy-of-predefined",
                        operatingSystem: b.operatingSystem,
                        approvalRules: b.rules.map((f) => ({ patchFilters: f, ...(OS_WITHOUT_APPROVAL_DELAY.includes(b.operatingSystem) ? {} : { approveAfterDays: 7 }) })),
                        patchGroups: ["g"],
                    },
                ],
            });
            expect(problems(values)).to.deep.equal([]);
        });
    }

    it("every value AWS uses in a predefined baseline is in that family's closed set (the tables are not narrower than AWS)", () => {
        for (const b of predefined.baselines) {
            for (const rule of b.rules) {
                for (const [key, values] of Object.entries(rule)) {
                    const closed = CLOSED_FILTER_VALUES[b.operatingSystem]?.[key];
                    expect(closed, `${b.operatingSystem} ${key} is closed`).to.not.equal(undefined);
                    for (const v of values) expect(closed, `${b.name} ${key}`).to.include(v);
                }
            }
        }
    });

    it("rejects a Windows classification on an Amazon Linux baseline, naming the value, its family and the allowed values", () => {
        expectIssue(baseline("AMAZON_LINUX_2", { CLASSIFICATION: ["SecurityUpdates"] }), `${B}.approvalRules[0].patchFilters.CLASSIFICATION[0]`, "CLASSIFICATION values of WINDOWS", "SecurityUpdates");
        expectIssue(baseline("AMAZON_LINUX_2", { CLASSIFICATION: ["SecurityUpdates"] }), `${B}.approvalRules[0].patchFilters.CLASSIFICATION[0]`, "allowed: Security, Bugfix, Enhancement, Recommended, Newpackage or *");
    });

    it("rejects a Linux classification of another family (SUSE's Yast on RHEL) and a Linux classification on Windows", () => {
        expectIssue(baseline("REDHAT_ENTERPRISE_LINUX", { CLASSIFICATION: ["Yast"] }), `${B}.approvalRules[0].patchFilters.CLASSIFICATION[0]`, "CLASSIFICATION values of SUSE", "Yast");
        expectIssue(baseline("WINDOWS", { CLASSIFICATION: ["Bugfix"] }), `${B}.approvalRules[0].patchFilters.CLASSIFICATION[0]`, "allowed: CriticalUpdates", "Bugfix");
    });

    it("rejects a SEVERITY outside the family's set: Red Hat's Moderate on Amazon Linux, Amazon Linux's Medium on RHEL, a made-up High", () => {
        expectIssue(baseline("AMAZON_LINUX_2023", { SEVERITY: ["Moderate"] }), `${B}.approvalRules[0].patchFilters.SEVERITY[0]`, "allowed: Critical, Important, Medium, Low or *", "Moderate");
        expectIssue(baseline("ROCKY_LINUX", { SEVERITY: ["Medium"] }), `${B}.approvalRules[0].patchFilters.SEVERITY[0]`, "allowed: Critical, Important, Moderate, Low or *", "Medium");
        expectIssue(baseline("SUSE", { SEVERITY: ["High"] }), `${B}.approvalRules[0].patchFilters.SEVERITY[0]`, "is not a SEVERITY value for SUSE", "High");
    });

    it("rejects a Windows product on an Amazon Linux baseline and a Linux product on Windows, and AL2023 products on AL2", () => {
        expectIssue(baseline("AMAZON_LINUX_2", { PRODUCT: ["WindowsServer2019"] }), `${B}.approvalRules[0].patchFilters.PRODUCT[0]`, "is a WINDOWS product, not a AMAZON_LINUX_2 one; AMAZON_LINUX_2 PRODUCT values are its own releases such as AmazonLinux2", "WindowsServer2019");
        expectIssue(baseline("WINDOWS", { PRODUCT: ["Ubuntu22.04"] }), `${B}.approvalRules[0].patchFilters.PRODUCT[0]`, "is a UBUNTU product", "Ubuntu22.04");
        expectIssue(baseline("AMAZON_LINUX_2", { PRODUCT: ["AmazonLinux2023"] }), `${B}.approvalRules[0].patchFilters.PRODUCT[0]`, "is a AMAZON_LINUX_2023 product", "AmazonLinux2023");
    });

    it("leaves open sets open: unknown product names of the family, future releases, Ubuntu sections, macOS classifications", () => {
        for (const [os, filters] of [
            ["AMAZON_LINUX_2", { PRODUCT: ["AmazonLinux2", "AmazonLinux2.0"] }],
            ["AMAZON_LINUX_2023", { PRODUCT: ["AmazonLinux2023"] }],
            ["WINDOWS", { PRODUCT: ["WindowsServer2025", "Office 2016", "MicrosoftDefenderAntivirus"], PRODUCT_FAMILY: ["Windows", "Office"] }],
            ["UBUNTU", { PRODUCT: ["Ubuntu26.04"], SECTION: ["Ubuntu22.04:main", "universe"] }],
            ["MACOS", { PRODUCT: ["macOS15.0"], CLASSIFICATION: ["Security"] }],
            ["REDHAT_ENTERPRISE_LINUX", { PRODUCT: ["RedhatEnterpriseLinux9.4", "some-unknown-product"] }],
        ] as const) {
            expect(problems(baseline(os, filters)), `${os} ${JSON.stringify(filters)}`).to.deep.equal([]);
        }
    });

    it("checks global filters the same way as approval rules, and reports every bad value at once", () => {
        const values = minimalConfig({
            "patching:baselines": [
                {
                    name: "b-test",
                    operatingSystem: "AMAZON_LINUX_2023",
                    globalFilters: { PRODUCT: ["WindowsServer2022"], SEVERITY: ["Moderate"] },
                    approvalRules: [{ patchFilters: { CLASSIFICATION: ["Drivers", "Security"] }, approveAfterDays: 1 }],
                },
            ],
        });
        expect(issuesOf(values).map((i) => i.path)).to.deep.equal([
            `${B}.approvalRules[0].patchFilters.CLASSIFICATION[0]`,
            `${B}.globalFilters.PRODUCT[0]`,
            `${B}.globalFilters.SEVERITY[0]`,
        ]);
    });

    it("recognises each family's product names and leaves unknown names to the open set", () => {
        expect(productFamilyOf("WindowsServer2022")?.os).to.deep.equal(["WINDOWS"]);
        expect(productFamilyOf("AmazonLinux2018.03")?.os).to.deep.equal(["AMAZON_LINUX"]);
        expect(productFamilyOf("AmazonLinux2.0")?.os).to.deep.equal(["AMAZON_LINUX_2"]);
        expect(productFamilyOf("CentOSStream9")?.os).to.deep.equal(["CENTOS"]);
        expect(productFamilyOf("my-product")).to.equal(undefined);
    });
});
