import { expect } from "chai";
import * as path from "path";
import { parseConfig } from "../../config";
import { installPathModel } from "../../config/installPaths";
import { readStackValues, stackFileLoader } from "../../config/source";
import { INSTALL_PATHS_STASH, STASH_TYPE } from "../../core/installPaths";
import { installPathsDisjoint } from "../../policies/installPaths";
import { readPolicyConfig } from "../../review/policies";
import { runCli } from "../../review/cli";
import { ROOT } from "../harness";
import { check, messages, res } from "./util";

/** The stash the program registers for a stack file, as the policy sees it. */
function stashOf(file: string, stack: string) {
    const cfg = parseConfig(readStackValues(path.join(ROOT, file)), { project: "patching", stack, loadStack: stackFileLoader(ROOT) });
    return res(STASH_TYPE, INSTALL_PATHS_STASH, { input: installPathModel(cfg) });
}

const FIXTURE = "tests/fixtures/install-paths-overlap.yaml";

describe("policies: install-paths-disjoint", () => {
    it("passes the shipped stacks (one install path per node)", async () => {
        expect(await messages(installPathsDisjoint, [stashOf("Pulumi.dev.yaml", "dev")])).to.deep.equal([]);
        expect(await messages(installPathsDisjoint, [stashOf("Pulumi.prod.yaml", "prod")])).to.deep.equal([]);
    });

    it("reports every overlapping pair of the fixture, naming both paths and the fix", async () => {
        const found = await messages(installPathsDisjoint, [stashOf(FIXTURE, "qa")]);
        expect(found).to.have.length(6);
        expect(found[0]).to.match(/^Install paths patchPolicies\/dev-patching and changeSafety\/gatedInstall overlap: both select Environment=dev\. .*Fix: give each mechanism its own fleet/);
        expect(found.filter((m) => m.includes("may overlap"))).to.have.length(5);
        expect(found.find((m) => m.includes("patchOrchestrators/dev-fleet") && m.includes("patchPolicies/dev-patching"))).to.match(/schedule collision\(s\) under 24 h apart/);
    });

    it("reportMayOverlap: false keeps only exact overlaps", async () => {
        expect(await messages(installPathsDisjoint, [stashOf(FIXTURE, "qa")], { reportMayOverlap: false })).to.have.length(1);
    });

    it("is advisory in the dev preset and mandatory in the prod preset", async () => {
        const dev = await check(installPathsDisjoint, [stashOf(FIXTURE, "qa")], readPolicyConfig(path.join(ROOT, "policies/presets/dev.json"))["install-paths-disjoint"] as string);
        expect(new Set(dev.map((r) => r.enforcementLevel))).to.deep.equal(new Set(["advisory"]));
        const prod = await check(installPathsDisjoint, [stashOf(FIXTURE, "qa")], readPolicyConfig(path.join(ROOT, "policies/presets/prod.json"))["install-paths-disjoint"] as string);
        expect(new Set(prod.map((r) => r.enforcementLevel))).to.deep.equal(new Set(["mandatory"]));
        expect(prod[0].urn).to.equal(`urn:pulumi:test::patching::${STASH_TYPE}::${INSTALL_PATHS_STASH}`);
    });

    it("a plan without the stash (no install path) has nothing to judge", async () => {
        expect(await messages(installPathsDisjoint, [res("aws:ssm/patchBaseline:PatchBaseline", "b", { operatingSystem: "WINDOWS" })])).to.deep.equal([]);
    });

    it("the review of the overlap fixture exits 2 under the prod preset and names both paths; the install-path table marks the rows", async () => {
        let out = "";
        const code = await runCli(["--config", path.join(ROOT, FIXTURE), "--stack", "qa", "--policy-config", path.join(ROOT, "policies/presets/prod.json")], (s) => (out += s));
        expect(code).to.equal(2);
        expect(out).to.contain("✗ [mandatory/high] install-paths-disjoint: Install paths patchPolicies/dev-patching and changeSafety/gatedInstall overlap: both select Environment=dev.");
        expect(out).to.match(/^✗ {2}patchPolicies\/dev-patching +Install \(RebootIfNeeded\) +tag Environment=dev /m);
        expect(out).to.match(/^\? {2}patchOrchestrators\/dev-fleet /m);
        expect(out).to.contain("1 overlap(s), 5 possible overlap(s), 0 pair(s) declared disjoint");
    });
});
