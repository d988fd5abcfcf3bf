import { expect } from "chai";
import * as path from "path";
import { installPathModel } from "../config/installPaths";
import { readStackValues, stackFileLoader } from "../config/source";
import { parseConfig } from "../config";
import { analyzeInstallPaths } from "../core/installPaths";
import { expectIssue, minimalConfig, parse, ROOT } from "./harness";

const P = "patching:installPaths";

/** Two installing mechanisms: a patch policy on PatchFleet=app and an orchestrator on `orchestratorTags`. */
function twoPaths(orchestratorTags: Record<string, string[]>, installPaths?: unknown): Record<string, unknown> {
    return minimalConfig({
        "patching:patchPolicies": [
            {
                name: "app-patching",
                targets: { tags: { PatchFleet: ["app"] } },
                scan: { schedule: "cron(0 1 * * ? *)" },
                install: { schedule: "cron(0 2 ? * SUN *)" },
                output: { s3: { create: true } },
            },
        ],
        "patching:patchOrchestrators": [{ name: "batch", window: { schedule: "cron(0 22 ? * SAT *)", duration: 4, cutoff: 1 }, targets: { tags: orchestratorTags } }],
        ...(installPaths === undefined ? {} : { "patching:installPaths": installPaths }),
    });
}

const FROM = new Date(Date.UTC(2026, 11, 1));

describe("patching:installPaths (config)", () => {
    it("derives one path per installing mechanism from the validated config", () => {
        const cfg = parse(twoPaths({ PatchFleet: ["batch"] }));
        const model = installPathModel(cfg);
        expect(model.paths.map((p) => [p.id, p.operation, p.selector.label, p.configPath])).to.deep.equal([
            ["patchPolicies/app-patching", "Install (RebootIfNeeded)", "tag PatchFleet=app", "patching:patchPolicies[0]"],
            ["patchOrchestrators/batch", "Install (RebootIfNeeded)", "tag PatchFleet=batch (EC2, running and stopped)", "patching:patchOrchestrators[0]"],
        ]);
        expect(model.settings).to.deep.equal({ fleetKey: undefined, minHoursApart: 24, disjoint: [] });
        expect(analyzeInstallPaths(model, { from: FROM }).pairs).to.deep.equal([]);
    });

    it("a declared-disjoint pair must name two different install paths of the stack, once, with a reason", () => {
        const reason = "batch hosts are never tagged PatchFleet";
        expectIssue(twoPaths({ Role: ["batch"] }, { disjoint: [{ path: "patchPolicies/app", disjointFrom: "patchOrchestrators/batch", reason }] }), `${P}.disjoint[0].path`, "is not an install path of this stack; install paths: patchPolicies/app-patching, patchOrchestrators/batch", "patchPolicies/app");
        expectIssue(twoPaths({ Role: ["batch"] }, { disjoint: [{ path: "patchOrchestrators/batch", disjointFrom: "patchOrchestrators/batch", reason }] }), `${P}.disjoint[0].disjointFrom`, "names the same path");
        expectIssue(twoPaths({ Role: ["batch"] }, { disjoint: [{ path: "patchOrchestrators/batch", disjointFrom: "patchPolicies/app-patching", reason: "short" }] }), `${P}.disjoint[0].reason`, "at least 10 characters", "short");
        const pair = { path: "patchOrchestrators/batch", disjointFrom: "patchPolicies/app-patching", reason };
        expectIssue(twoPaths({ Role: ["batch"] }, { disjoint: [pair, { ...pair, path: pair.disjointFrom, disjointFrom: pair.path }] }), `${P}.disjoint[1]`, "already declared");
        expectIssue(twoPaths({ Role: ["batch"] }, { disjoint: [{ ...pair, path: "not a path" }] }), `${P}.disjoint[0].path`, "<section>/<name>", "not a path");
    });

    it("a valid declaration turns a may-overlap into a declared-disjoint pair", () => {
        const reason = "batch hosts are never tagged PatchFleet";
        const undeclared = analyzeInstallPaths(installPathModel(parse(twoPaths({ Role: ["batch"] }))), { from: FROM });
        expect(undeclared.problems.map((p) => p.verdict)).to.deep.equal(["may-overlap"]);
        const declared = analyzeInstallPaths(installPathModel(parse(twoPaths({ Role: ["batch"] }, { disjoint: [{ path: "patchOrchestrators/batch", disjointFrom: "patchPolicies/app-patching", reason }] }))), { from: FROM });
        expect(declared.problems).to.deep.equal([]);
        expect(declared.pairs.map((p) => p.verdict)).to.deep.equal(["declared-disjoint"]);
    });

    it("with a fleetKey every scheduled install path must select by it (key-named error naming the path)", () => {
        expectIssue(
            twoPaths({ Role: ["batch"] }, { fleetKey: "PatchFleet" }),
            `${P}.fleetKey`,
            "install path patchOrchestrators/batch (patching:patchOrchestrators[0]) selects tag Role=batch (EC2, running and stopped) without a value of PatchFleet",
            "PatchFleet",
        );
        expect(() => parse(twoPaths({ PatchFleet: ["batch"] }, { fleetKey: "PatchFleet" }))).not.to.throw();
    });

    it("minHoursApart is 1–720 hours, default 24", () => {
        expectIssue(twoPaths({ PatchFleet: ["batch"] }, { minHoursApart: 0 }), `${P}.minHoursApart`, "from 1 to 720", 0);
        expect(parse(twoPaths({ PatchFleet: ["batch"] }, { minHoursApart: 48 })).installPaths.minHoursApart).to.equal(48);
    });

    it("scans that may reboot are install paths; scans with NoReboot are not", () => {
        const values = minimalConfig({
            "patching:multiAccount": {
                accountRole: "both",
                resourceGroups: [{ name: "all-nodes", tagFilters: { PatchFleet: [] } }],
                schedules: [
                    { name: "scan-reboot", operation: "Scan", resourceGroup: "all-nodes", schedule: "cron(0 1 * * ? *)" },
                    { name: "scan-only", operation: "Scan", rebootOption: "NoReboot", resourceGroup: "all-nodes", schedule: "cron(0 1 * * ? *)" },
                ],
            },
        });
        const ids = installPathModel(parse(values)).paths.map((p) => [p.id, p.operation]);
        expect(ids).to.deep.equal([
            ["multiAccount/scan-reboot", "Scan (RebootIfNeeded)"],
            ["emergency/run-now", "Install (--reboot, default RebootIfNeeded)"],
        ]);
    });

    it("a resource group's tag query is used when the stack defines it; another group is opaque", () => {
        const values = minimalConfig({
            "patching:multiAccount": {
                accountRole: "both",
                resourceGroups: [{ name: "web", resourceTypes: ["AWS::EC2::Instance"], tagFilters: { PatchFleet: ["web"] } }],
                schedules: [{ name: "web-install", operation: "Install", resourceGroup: "web", schedule: "cron(0 3 ? * TUE *)" }],
            },
            "patching:patchOrchestrators": [{ name: "legacy", window: { schedule: "cron(0 22 ? * SAT *)", duration: 4, cutoff: 1 }, targets: { resourceGroup: "Legacy" } }],
        });
        const model = installPathModel(parse(values));
        expect(model.paths[0].selector).to.deep.equal({ label: "resource group web (PatchFleet=web)", terms: [{ tags: { PatchFleet: ["web"] }, kinds: ["ec2"] }] });
        const [pair] = analyzeInstallPaths(model, { from: FROM }).problems;
        expect(pair.a).to.equal("multiAccount/web-install");
        expect(pair.b).to.equal("patchOrchestrators/legacy");
        expect(pair.reason).to.contain("resource group Legacy is not defined in this stack");
    });
});

describe("the shipped stacks: one install path per node", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every mechanism patches its own PatchFleet, 0 overlaps`, () => {
            const cfg = parseConfig(readStackValues(path.join(ROOT, `Pulumi.${stack}.yaml`)), { project: "patching", stack, loadStack: stackFileLoader(ROOT), now: FROM });
            const model = installPathModel(cfg);
            expect(model.settings.fleetKey).to.equal("PatchFleet");
            const fleets = model.paths.filter((p) => !p.onDemand).map((p) => p.selector.terms.map((t) => t.tags.PatchFleet).flat());
            // One fleet per path, none shared.
            expect(fleets.every((f) => f.length === 1)).to.equal(true);
            expect(new Set(fleets.flat()).size).to.equal(fleets.length);
            expect(analyzeInstallPaths(model, { from: FROM }).pairs).to.deep.equal([]);
        });
    }

    it("the overlap fixture (the dev stack before issue 21) keeps every dev mechanism and overlaps", () => {
        const cfg = parseConfig(readStackValues(path.join(ROOT, "tests/fixtures/install-paths-overlap.yaml")), { project: "patching", stack: "qa", now: FROM });
        const analysis = analyzeInstallPaths(installPathModel(cfg), { from: FROM });
        expect(analysis.model.paths.map((p) => p.mechanism)).to.deep.equal(["patchPolicy", "gatedInstall", "automationSchedule", "patchOrchestrator", "emergency"]);
        expect(analysis.problems.filter((p) => p.verdict === "overlap").map((p) => [p.a, p.b])).to.deep.equal([["patchPolicies/dev-patching", "changeSafety/gatedInstall"]]);
        expect(analysis.problems.filter((p) => p.verdict === "may-overlap")).to.have.length(5);
    });
});

describe("review: install-path section", () => {
    it("dev: one row per path, no marks, and the installs per fleet (not per mechanism)", async () => {
        const { installPathsSection } = await import("../review/installPathsSection");
        const config = parseConfig(readStackValues(path.join(ROOT, "Pulumi.dev.yaml")), { project: "patching", stack: "dev", now: FROM });
        const section = installPathsSection({ config, resources: [], now: FROM })!;
        expect(section.title).to.equal("Install paths (5): one install path per node");
        const rows = section.lines.slice(1, 6);
        expect(rows.map((l) => l.slice(0, 3).trim())).to.deep.equal(["", "", "", "", ""]);
        expect(rows[0]).to.match(/^ {3}patchPolicies\/dev-patching +Install \(RebootIfNeeded\) +tag PatchFleet=app +cron\(0 2 \? \* SUN \*\) +self @ us-east-1 +none$/);
        expect(rows[4]).to.contain("not judged (on demand)");
        expect(section.lines).to.include("0 overlap(s), 0 possible overlap(s), 0 pair(s) declared disjoint; fleet key PatchFleet; installs on the same nodes must be ≥ 24 h apart.");
        const fleets = section.lines.slice(section.lines.findIndex((l) => l.startsWith("Installs per fleet")) + 2).map((l) => l.trim().split(/\s{2,}/));
        expect(fleets.map((f) => [f[0], f[1]])).to.deep.equal([
            ["PatchFleet=app", "patchPolicies/dev-patching"],
            ["PatchFleet=batch", "patchOrchestrators/dev-fleet"],
            ["PatchFleet=web", "multiAccount/dev-web-install"],
            ["PatchFleet=windows-legacy", "changeSafety/gatedInstall"],
        ]);
        // Weekly Sunday installs over 12 months from 2026-12-01: 52.
        expect(fleets[0][2]).to.equal("52");
        expect(fleets[0][3]).to.match(/^Sun 2026-12-06 02:00 UTC; Sun 2026-12-13 02:00 UTC; Sun 2026-12-20 02:00 UTC$/);
    });

    it("the overlap fixture: overlapping rows marked, fleets named by selector, two mechanisms on one fleet", async () => {
        const { installPathsSection } = await import("../review/installPathsSection");
        const config = parseConfig(readStackValues(path.join(ROOT, "tests/fixtures/install-paths-overlap.yaml")), { project: "patching", stack: "qa", now: FROM });
        const lines = installPathsSection({ config, resources: [], now: FROM })!.lines;
        expect(lines.slice(1, 5).map((l) => l[0])).to.deep.equal(["✗", "✗", "?", "?"]);
        expect(lines.find((l) => l.trim().startsWith("tag Environment=dev "))).to.contain("patchPolicies/dev-patching, changeSafety/gatedInstall");
    });
});
