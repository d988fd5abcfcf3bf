/** install-paths-gated (policies/installGates.ts): every scheduled install is held by the approval gate; mandatory in prod. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseConfig } from "../../config";
import { withGates } from "../../config/approvalCalendars";
import { installPathModel } from "../../config/installPaths";
import { readStackValues, stackFileLoader } from "../../config/source";
import { INSTALL_PATHS_STASH, STASH_TYPE } from "../../core/installPaths";
import { installPathsGated } from "../../policies/installGates";
import { readPolicyConfig } from "../../review/policies";
import { runCli } from "../../review/cli";
import { ROOT } from "../harness";
import { check, messages, res } from "./util";

const prodValues = () => readStackValues(path.join(ROOT, "Pulumi.prod.yaml"));
/** The stash the program registers (deployPatching: the model with each path's gate). */
function stashOf(values: Record<string, unknown>, stack: string) {
    const cfg = parseConfig(values, { project: "patching", stack, loadStack: stackFileLoader(ROOT) });
    return res(STASH_TYPE, INSTALL_PATHS_STASH, { input: withGates(cfg, installPathModel(cfg)) });
}
/** Prod with one ungated install path: a maintenance-window Automation task (it runs any runbook). */
function ungatedFixture(): Record<string, unknown> {
    const values = prodValues() as Record<string, any>;
    values["patching:maintenanceWindows"][0].tasks.push({ name: "vendor-patch", type: "AUTOMATION", priority: 2, automation: { documentName: "Vendor-PatchRunbook", assumeRoleArn: "arn:aws:iam::123456789012:role/vendor-patch" } });
    return values;
}

describe("policies: install-paths-gated", () => {
    it("passes the shipped prod stack: every install path is held", async () => {
        expect(await messages(installPathsGated, [stashOf(prodValues(), "prod")])).to.deep.equal([]);
    });

    it("reports the one ungated path of the fixture, naming it, its config key and the fix", async () => {
        const found = await messages(installPathsGated, [stashOf(ungatedFixture(), "prod")]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/^Install path maintenanceWindows\/prod-critical-install \(Install \(RebootIfNeeded\), Automation, patching:maintenanceWindows\[0\]\) is not held by the approval gate/);
        expect(found[0]).to.contain("Fix: give the stack patching:changeSafety.approvalGate");
    });

    it("without an approval gate every install is reported; scans and emergency patching are never judged", async () => {
        const values = prodValues() as Record<string, any>;
        delete values["patching:changeSafety"].approvalGate;
        const found = await messages(installPathsGated, [stashOf(values, "prod")]);
        expect(found.map((m) => m.split(" ")[2])).to.deep.equal(["patchPolicies/prod-patching", "changeSafety/gatedInstall", "multiAccount/prod-web-install", "maintenanceWindows/prod-critical-install", "patchOrchestrators/prod-fleet"]);
        expect(found.join("\n")).to.not.contain("emergency/");
        expect(found.join("\n")).to.not.contain("prod-daily-scan");
    });

    it("is mandatory in the prod preset and disabled in dev (dev installs without approval by design)", async () => {
        const prodPreset = readPolicyConfig(path.join(ROOT, "policies/presets/prod.json"))["install-paths-gated"] as string;
        expect(prodPreset).to.equal("mandatory");
        const r = await check(installPathsGated, [stashOf(ungatedFixture(), "prod")], prodPreset);
        expect(r.map((x) => x.enforcementLevel)).to.deep.equal(["mandatory"]);
        expect(readPolicyConfig(path.join(ROOT, "policies/presets/dev.json"))["install-paths-gated"]).to.equal("disabled");
    });

    it("the review of the ungated fixture exits 2 under the prod preset", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ungated-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, YAML.stringify({ config: ungatedFixture() }));
        let out = "";
        const code = await runCli(["--config", file, "--stack", "prod", "--policy-config", path.join(ROOT, "policies/presets/prod.json")], (s) => (out += s));
        expect(out).to.contain("✗ [mandatory/high] install-paths-gated: Install path maintenanceWindows/prod-critical-install");
        expect(code).to.equal(2);
    });
});
