import { expect } from "chai";
import * as path from "path";
import { ConfigIssue, ConfigValidationError, parseConfig } from "../config";
import { readStackValues } from "../config/source";
import { ROOT } from "./harness";
import { INVALID_FIXTURE_PATHS } from "./support/invalidFixture";

/** tests/fixtures/invalid.yaml: one mistake of each class; the review test checks the CLI, this one each issue. */
describe("the invalid-config fixture: every mistake at its key path, all at once (issue 15)", () => {
    let issues: ConfigIssue[] = [];
    before(() => {
        try {
            parseConfig(readStackValues(path.join(ROOT, "tests/fixtures/invalid.yaml")), { project: "patching", stack: "dev" });
        } catch (err) {
            if (!(err instanceof ConfigValidationError)) throw err;
            issues = err.issues;
        }
    });
    const at = (p: string) => issues.filter((i) => i.path === p);

    it("lists exactly the fixture's mistakes", () => {
        expect([...new Set(issues.map((i) => i.path))]).to.deep.equal(INVALID_FIXTURE_PATHS);
        expect(issues).to.have.length(10);
    });
    it("value class: a Windows product on an Amazon Linux 2 baseline, with what is allowed", () => {
        expect(at("patching:baselines[2].approvalRules[0].patchFilters.PRODUCT[0]")[0]).to.deep.include({ value: "WindowsServer2019" });
        expect(at("patching:baselines[2].approvalRules[0].patchFilters.PRODUCT[0]")[0].message).to.contain("is a WINDOWS product, not a AMAZON_LINUX_2 one");
    });
    it("merged-limit class: 48 stack tags + 3 of the baseline's own = 51", () => {
        expect(at("patching:baselines[2].tags")[0].message).to.contain("to 51: 48 stack tags (standard + patching:tags) + 3 of its own");
    });
    it("reserved-tag class: Environment in a section's tags", () => {
        expect(at("patching:baselines[2].tags.Environment")[0]).to.deep.include({ value: "Environment" });
    });
    it("name-length class: the Lambda name derived from configId", () => {
        expect(at("patching:overrideStore.configId")[0].message).to.contain("(69 characters); Lambda function names are at most 64");
    });
    it("dialect class: a 7-field maintenance-window cron sent to EventBridge Scheduler", () => {
        const found = at("patching:overrideStore.remediation.schedule");
        expect(found[0].value).to.equal("cron(0 0 2 ? * SUN *)");
        expect(found.map((i) => i.message).join(" ")).to.contain("EventBridge Scheduler cron takes exactly 6 fields");
    });
});
