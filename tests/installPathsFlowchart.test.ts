/**
 * Each stack's install mechanisms as a Mermaid flowchart (the Markdown report draws it): every path
 * points at the fleet it installs on, overlaps are drawn between the two paths, and every chart is
 * parsed by Mermaid's own parser.
 */
import { expect } from "chai";
import * as path from "path";
import { parseConfig } from "../config";
import { installPathModel } from "../config/installPaths";
import { readStackValues, stackFileLoader } from "../config/source";
import { analyzeInstallPaths } from "../core/installPaths";
import { installPathsFlowchart } from "../review/installPathsSection";
import { ROOT } from "./harness";
import { parseMermaid } from "./support/mermaid";

const FROM = new Date("2026-03-01T00:00:00Z");

function flowchart(file: string, stack: string): { lines: string[]; paths: string[] } {
    const cfg = parseConfig(readStackValues(path.join(ROOT, file)), { project: "patching", stack, loadStack: stackFileLoader(ROOT), now: FROM });
    const analysis = analyzeInstallPaths(installPathModel(cfg), { from: FROM });
    return { lines: installPathsFlowchart(analysis), paths: analysis.model.paths.map((p) => p.id) };
}

describe("install mechanisms as a Mermaid flowchart", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: each path points at its own PatchFleet, no overlap is drawn, and Mermaid parses it`, async () => {
            const { lines, paths } = flowchart(`Pulumi.${stack}.yaml`, stack);
            expect(lines[0]).to.equal("flowchart LR");
            const edges = lines.filter((l) => l.includes(" -->|"));
            expect(edges).to.have.length(paths.length);
            const fleets = edges.map((l) => l.trim().split(" ").pop());
            expect(fleets.every((f) => f!.startsWith("fleet_PatchFleet_"))).to.equal(true);
            expect(lines.some((l) => l.includes("overlap"))).to.equal(false);
            expect(await parseMermaid(lines)).to.equal("flowchart-v2");
        });
    }

    it("the overlap fixture: overlapping paths are joined by an `overlap` link naming both, and Mermaid parses it", async () => {
        const { lines } = flowchart("tests/fixtures/install-paths-overlap.yaml", "qa");
        const overlaps = lines.filter((l) => l.includes('|"overlap"|'));
        expect(overlaps.length).to.be.greaterThan(0);
        expect(overlaps[0]).to.match(/path_\w+ <==>\|"overlap"\| path_\w+/);
        expect(lines.some((l) => l.includes('|"may overlap"|'))).to.equal(true);
        expect(await parseMermaid(lines)).to.equal("flowchart-v2");
    });
});
