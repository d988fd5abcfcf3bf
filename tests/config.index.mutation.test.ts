/**
 * How parseConfig (config/index.ts) reports problems as a user reads them: every one at once, at
 * `namespace:key` paths, ordered by key with indexes in numeric order, a missing key said to be
 * required, a given value echoed. Written for the StrykerJS survivors of the configIndex group.
 */
import { expect } from "chai";
import { ConfigValidationError, parseConfig } from "../config";
import { issuesOf, minimalConfig } from "./harness";

describe("parseConfig: problems as the user reads them (mutation testing)", () => {
    it("a missing key is required (no value echoed); an unknown key lists the allowed ones; aws: keys keep their namespace", () => {
        const values = minimalConfig({ "patching:bogus": 1, "aws:region": "nowhere-1" });
        delete values["patching:environment"];
        const issues = issuesOf(values);
        expect(issues.map((i) => i.path)).to.deep.equal(["aws:region", "patching", "patching:environment"]);
        expect(issues[0]).to.deep.equal({ path: "aws:region", message: "must be an AWS region name such as us-east-1 or eu-west-1", value: "nowhere-1" });
        expect(issues[1]).to.not.have.property("value");
        expect(issues[1].message).to.match(/^unknown key "bogus"; allowed keys: environment, tags, baselines, /);
        expect(issues[2]).to.deep.equal({ path: "patching:environment", message: "is required; it must be a string: 2–31 lowercase letters, digits or -, starting with a letter" });
    });

    it("issues are ordered by key, indexes in numeric order ([2] before [10])", () => {
        const window = (i: number) => ({
            name: `window-${i}`,
            schedule: "cron(0 2 ? * SUN *)",
            duration: 4,
            cutoff: i === 2 || i === 10 ? 4 : 1,
            targets: [{ name: "web", tags: { Role: ["web"] } }],
            tasks: [{ name: "scan", type: "RUN_COMMAND", priority: 1, runCommand: { operation: "Scan" } }],
        });
        const issues = issuesOf(minimalConfig({ "patching:maintenanceWindows": Array.from({ length: 12 }, (_, i) => window(i)) }));
        expect(issues.map((i) => i.path)).to.deep.equal(["patching:maintenanceWindows[2].cutoff", "patching:maintenanceWindows[10].cutoff"]);
    });

    it("a valid config returns the typed sections with the project, stack and region", () => {
        const cfg = parseConfig(minimalConfig(), { project: "patching", stack: "test" });
        expect([cfg.project, cfg.stack, cfg.region]).to.deep.equal(["patching", "test", "us-east-1"]);
        expect(() => parseConfig(minimalConfig({ "aws:region": 7 }), { project: "patching", stack: "test" })).to.throw(ConfigValidationError, "aws:region");
    });
});
