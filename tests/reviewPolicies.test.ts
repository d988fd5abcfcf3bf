import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ALL_POLICIES } from "../policies/all";
import { enforcementOf, propertiesOf, readPolicyConfig } from "../review/policies";
import { cachedReview, ROOT, runCliCached as cli } from "./harness";

describe("policy pack in the offline review", () => {
    for (const stack of ["dev", "prod"]) {
        it(`the shipped ${stack} stack passes its preset with zero mandatory violations`, async () => {
            const review = await cachedReview({ stack });
            expect(review.policyConfigPath).to.equal(path.join(ROOT, "policies", "presets", `${stack}.json`));
            expect(review.policyResults.filter((p) => p.enforcementLevel === "mandatory")).to.deep.equal([]);
        });
    }

    it("the prod preset is stricter than dev: dev's baselines violate it", async () => {
        const review = await cachedReview({ stack: "dev", policyConfigPath: path.join(ROOT, "policies/presets/prod.json") });
        const delay = review.policyResults.filter((p) => p.policy === "baseline-min-approval-delay");
        expect(delay.length).to.be.greaterThan(0);
        expect(delay.every((p) => p.enforcementLevel === "mandatory")).to.equal(true);
    });

    it("exits 2 on a mandatory violation, naming the resource and the fix, in text, JSON and Markdown", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pol-"));
        const { code, out } = await cli([
            "--config",
            path.join(ROOT, "tests/fixtures/policy-violations.yaml"),
            "--stack",
            "prod",
            "--policy-config",
            path.join(ROOT, "policies/presets/prod.json"),
            "--json",
            path.join(dir, "p.json"),
            "--markdown",
            path.join(dir, "p.md"),
        ]);
        expect(code).to.equal(2);
        expect(out).to.contain("✗ [mandatory/high] baseline-min-approval-delay: PatchBaseline \"hasty-windows\": approval rule 1 approves patches 0 day(s) after release");
        expect(out).to.contain("✗ [mandatory/high] baseline-rejected-patches-blocked");
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "p.json"), "utf8"));
        expect(plan.policyResults).to.deep.include({
            policy: "baseline-rejected-patches-blocked",
            enforcementLevel: "mandatory",
            severity: "high",
            urn: "urn:pulumi:prod::patching::patching:ssm:PatchBaseline$aws:ssm/patchBaseline:PatchBaseline::hasty-windows",
            message: 'PatchBaseline "hasty-windows" rejects KB5034441 but with action ALLOW_AS_DEPENDENCY, so they can still be installed as dependencies. Fix: set rejectedPatchesAction: BLOCK.',
        });
        expect(fs.readFileSync(path.join(dir, "p.md"), "utf8")).to.contain("| mandatory | high | `baseline-min-approval-delay` | `hasty-windows` |");
    });

    it("the same config passes under the dev preset (advisory only)", async () => {
        const { code, out } = await cli(["--config", path.join(ROOT, "tests/fixtures/policy-violations.yaml"), "--stack", "qa", "--policy-config", path.join(ROOT, "policies/presets/dev.json")]);
        expect(code).to.equal(0);
        expect(out).to.contain("! [advisory/high] baseline-rejected-patches-blocked");
    });

    it("reads policy configuration: enforcement levels, properties over schema defaults, unknown names rejected", () => {
        const cfg = readPolicyConfig(path.join(ROOT, "policies/presets/prod.json"));
        const delay = ALL_POLICIES.find((p) => p.name === "baseline-min-approval-delay")!;
        expect(enforcementOf(delay, cfg)).to.equal("mandatory");
        expect(propertiesOf(delay, cfg)).to.deep.equal({ minApproveAfterDays: 7 });
        expect(propertiesOf(delay, {})).to.deep.equal({ minApproveAfterDays: 0 });
        expect(enforcementOf(delay, { all: "disabled" } as never)).to.equal("disabled");
        const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pol-")), "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ "no-such-policy": "mandatory" }));
        expect(() => readPolicyConfig(bad)).to.throw("unknown policy name(s) no-such-policy");
    });

    it("every policy has a kebab-case name, a description and a severity; names are unique", () => {
        const names = ALL_POLICIES.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of ALL_POLICIES) {
            expect(p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description.length, p.name).to.be.greaterThan(20);
            expect(p.severity, p.name).to.be.oneOf(["low", "medium", "high", "critical"]);
        }
        for (const preset of ["dev", "prod"]) readPolicyConfig(path.join(ROOT, `policies/presets/${preset}.json`));
    });
});

describe("policy pack packaging", () => {
    it("bundles a self-contained pack for `pulumi policy publish`", function () {
        this.timeout(60000);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { bundlePolicyPack } = require("../scripts/bundle-policy-pack") as typeof import("../scripts/bundle-policy-pack");
        const out = bundlePolicyPack(ROOT, fs.mkdtempSync(path.join(os.tmpdir(), "pack-")));
        const code = fs.readFileSync(path.join(out, "index.js"), "utf8");
        for (const p of ALL_POLICIES) expect(code, p.name).to.contain(`"${p.name}"`);
        expect(code).not.to.match(/require\("\.\.?\//);
        expect(code).to.contain('require("@pulumi/policy")');
        const pkg = JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8"));
        expect(pkg.main).to.equal("index.js");
        expect(Object.keys(pkg.dependencies)).to.deep.equal(["@pulumi/aws", "@pulumi/policy", "@pulumi/pulumi"]);
        expect(fs.existsSync(path.join(out, "PulumiPolicy.yaml"))).to.equal(true);
    });
});
