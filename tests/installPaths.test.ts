import { expect } from "chai";
import {
    analyzeInstallPaths,
    InstallPath,
    InstallPathModel,
    locationOverlap,
    NodeTerm,
    scheduleCollisions,
    selectorOverlap,
    termOverlap,
} from "../core/installPaths";
import { path } from "./support/installPathFixture";

function model(paths: InstallPath[], settings: Partial<InstallPathModel["settings"]> = {}): InstallPathModel {
    return { stack: "test", settings: { minHoursApart: 24, disjoint: [], ...settings }, paths };
}

const FROM = new Date(Date.UTC(2026, 11, 1));

describe("install paths: overlap rules", () => {
    it("exact overlap: the same tag key with intersecting values, naming the common values", () => {
        const j = termOverlap({ tags: { PatchFleet: ["web", "batch"] } }, { tags: { PatchFleet: ["batch"], Role: ["api"] } });
        expect(j).to.deep.equal({ verdict: "overlap", reason: "both select PatchFleet=batch" });
    });

    it("exact overlap: all managed nodes against anything, the same instance id, the same unknown resource group", () => {
        expect(termOverlap({ tags: {} }, { tags: { PatchFleet: ["web"] } }).verdict).to.equal("overlap");
        expect(termOverlap({ tags: {}, instanceIds: ["i-0123456789abcdef0", "i-01234567"] }, { tags: {}, instanceIds: ["i-01234567"] })).to.deep.equal({
            verdict: "overlap",
            reason: "the same instance id i-01234567",
        });
        expect(termOverlap({ tags: {}, opaqueGroup: "Legacy" }, { tags: {}, opaqueGroup: "Legacy" }).verdict).to.equal("overlap");
    });

    it("exact disjoint: a shared tag key without a common value, whatever else is selected", () => {
        expect(termOverlap({ tags: { PatchFleet: ["web"], Environment: ["dev"] } }, { tags: { PatchFleet: ["batch"], PatchGroup: ["dev"] } })).to.deep.equal({
            verdict: "disjoint",
            reason: "PatchFleet=web vs PatchFleet=batch",
        });
        expect(termOverlap({ tags: {}, instanceIds: ["i-01234567"] }, { tags: {}, instanceIds: ["i-89abcdef"] }).verdict).to.equal("disjoint");
        expect(termOverlap({ tags: {}, kinds: ["ec2"] }, { tags: {}, kinds: ["hybrid"] }).verdict).to.equal("disjoint");
    });

    it("may overlap: different tag keys, instance ids against tags, a resource group whose query is unknown", () => {
        const j = termOverlap({ tags: { Environment: ["dev"] } }, { tags: { PatchGroup: ["dev"] } });
        expect(j.verdict).to.equal("may-overlap");
        expect(j.reason).to.equal("different tag keys (Environment=dev vs PatchGroup=dev): a node carrying both is installed by both");
        expect(termOverlap({ tags: {}, instanceIds: ["i-01234567"] }, { tags: { Environment: ["dev"] } }).verdict).to.equal("may-overlap");
        expect(termOverlap({ tags: {}, opaqueGroup: "Legacy" }, { tags: { Environment: ["dev"] } }).reason).to.contain("resource group Legacy is not defined in this stack");
    });

    it("a tag-key condition (any value) meets every value of that key", () => {
        expect(termOverlap({ tags: { PatchFleet: [] } }, { tags: { PatchFleet: ["web"] } })).to.deep.equal({ verdict: "overlap", reason: "both select PatchFleet=web" });
    });

    it("selectors are unions: the worst pair of terms decides", () => {
        const a = { label: "a", terms: [{ tags: { PatchFleet: ["web"] } }, { tags: { PatchFleet: ["batch"] } }] };
        expect(selectorOverlap(a, { label: "b", terms: [{ tags: { PatchFleet: ["batch"] } }] }).verdict).to.equal("overlap");
        expect(selectorOverlap(a, { label: "c", terms: [{ tags: { PatchFleet: ["windows-legacy"] } }] }).verdict).to.equal("disjoint");
    });

    it("locations: no common Region is disjoint; an OU or this stack's own account against listed accounts may overlap", () => {
        expect(locationOverlap({ accounts: ["self"], regions: ["us-east-1"] }, { accounts: ["self"], regions: ["eu-west-1"] }).verdict).to.equal("disjoint");
        expect(locationOverlap({ accounts: ["444455556666"], regions: ["us-east-1"] }, { accounts: ["777788889999"], regions: ["us-east-1"] }).verdict).to.equal("disjoint");
        expect(locationOverlap({ accounts: ["444455556666"], regions: ["us-east-1"] }, { accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }).verdict).to.equal("may-overlap");
        expect(locationOverlap({ accounts: ["self"], regions: ["us-east-1"] }, { accounts: ["444455556666"], regions: ["us-east-1"] }).verdict).to.equal("may-overlap");
        expect(locationOverlap({ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"], exclude: ["444455556666"] }, { accounts: ["444455556666"], regions: ["us-east-1"] }).verdict).to.equal("may-overlap");
        expect(locationOverlap({ accounts: ["444455556666"], regions: ["us-east-1", "us-west-2"] }, { accounts: ["444455556666"], regions: ["us-west-2"] })).to.deep.equal({
            verdict: "overlap",
            reason: "444455556666 in us-west-2",
        });
    });

    it("a pair is judged by the weaker of where and which nodes; exactly disjoint pairs are not listed", () => {
        const a = path("a", { tags: { PatchFleet: ["web"] } });
        const b = path("b", { tags: { PatchFleet: ["web"] } }, "cron(0 2 ? * SUN *)", { locations: [{ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }] });
        const c = path("c", { tags: { PatchFleet: ["batch"] } });
        const analysis = analyzeInstallPaths(model([a, b, c]), { from: FROM });
        expect(analysis.pairs.map((p) => [p.a, p.b, p.verdict])).to.deep.equal([["a", "b", "may-overlap"]]);
    });

    it("declared disjoint: the pair is shown with its reason and no longer counts", () => {
        const a = path("patchPolicies/web", { tags: { Environment: ["dev"] } });
        const b = path("patchOrchestrators/dev-fleet", { tags: { PatchGroup: ["dev"] } });
        const reason = "dev web servers never carry PatchGroup=dev: the launch template sets PatchGroup=web";
        const analysis = analyzeInstallPaths(model([a, b], { disjoint: [{ path: b.id, disjointFrom: a.id, reason }] }), { from: FROM });
        expect(analysis.problems).to.deep.equal([]);
        expect(analysis.pairs).to.have.length(1);
        expect(analysis.pairs[0].verdict).to.equal("declared-disjoint");
        expect(analysis.pairs[0].reason).to.contain(reason);
    });

    it("on-demand paths (emergency patching) are listed but never judged", () => {
        const emergency: InstallPath = { ...path("emergency/run-now", []), onDemand: true, schedule: undefined, locations: [] };
        const analysis = analyzeInstallPaths(model([path("a", { tags: {} }), emergency]), { from: FROM });
        expect(analysis.pairs).to.deep.equal([]);
    });
});

describe("install paths: schedule collisions", () => {
    it("two installs on the same nodes less than minHoursApart apart collide, with the instants", () => {
        // Sunday 02:00 and Saturday 22:55 UTC: 3 h 05 min apart every week.
        const a = path("a", { tags: { Environment: ["dev"] } }, "cron(0 2 ? * SUN *)");
        const b = path("b", { tags: { Environment: ["dev"] } }, "cron(55 22 ? * SAT *)");
        const c = scheduleCollisions(a, b, 24, { from: FROM, months: 1 });
        expect(c.length).to.be.at.least(4);
        expect(c[0]).to.deep.equal({ a: new Date("2026-12-06T02:00:00Z"), b: new Date("2026-12-05T22:55:00Z"), hoursApart: 3.1 });
        expect(scheduleCollisions(a, b, 3, { from: FROM, months: 1 })).to.deep.equal([]);
    });

    it("a run inside the other path's window collides even when the limit is shorter than the window", () => {
        const win = path("win", { tags: {} }, "cron(0 22 ? * FRI *)", { windowHours: 6 });
        const other = path("other", { tags: {} }, "cron(0 3 ? * SAT *)");
        expect(scheduleCollisions(win, other, 1, { from: FROM, months: 1 }).map((x) => x.hoursApart)).to.include(5);
        // A run before the window opens is judged by the limit only.
        const before = path("before", { tags: {} }, "cron(0 20 ? * FRI *)");
        expect(scheduleCollisions(win, before, 1, { from: FROM, months: 1 })).to.deep.equal([]);
    });

    it("the analysis attaches collisions to overlapping pairs and names both paths", () => {
        const a = path("patchPolicies/dev", { tags: { Environment: ["dev"] } }, "cron(0 2 ? * SUN *)");
        const b = path("patchOrchestrators/dev-fleet", { tags: { Environment: ["dev"] } }, "cron(55 22 ? * * *)", { windowHours: 4 });
        const [pair] = analyzeInstallPaths(model([a, b]), { from: FROM, months: 1 }).problems;
        expect(pair.verdict).to.equal("overlap");
        expect(pair.collisions.length).to.be.greaterThan(0);
    });
});

/**
 * Independent truth: a brute-force matcher over every node of a small tag universe (each of three
 * keys absent or one of three values). A node matches a term when it carries every key with an
 * accepted value — the rule the AWS docs give for targets (any value of a key, every key). The
 * verdicts must agree with it: `disjoint` ⇒ no node matches both; `overlap` ⇒ some node matches
 * both, and the narrower selector constrains every key of the wider one; `may-overlap` ⇒ some
 * node matches both (whether the fleet has one is what the config cannot tell).
 */
describe("install paths: verdicts against a brute-force matcher", () => {
    const KEYS = ["A", "B", "C"];
    const VALUES = ["1", "2", "3"];
    const nodes: Record<string, string>[] = [{}];
    for (const k of KEYS) {
        const next: Record<string, string>[] = [];
        for (const n of nodes) {
            next.push(n);
            for (const v of VALUES) next.push({ ...n, [k]: v });
        }
        nodes.splice(0, nodes.length, ...next);
    }
    const matches = (node: Record<string, string>, t: NodeTerm) => Object.entries(t.tags).every(([k, vs]) => k in node && (vs.length === 0 || vs.includes(node[k])));
    // Every term over the universe: per key absent, any value, or a non-empty subset of values.
    const conditions: (string[] | undefined)[] = [undefined, [], ["1"], ["2"], ["1", "2"], ["2", "3"]];
    const terms: NodeTerm[] = [];
    for (const a of conditions) for (const b of conditions) for (const c of conditions) {
        const tags: Record<string, string[]> = {};
        [a, b, c].forEach((v, i) => v !== undefined && (tags[KEYS[i]] = v));
        terms.push({ tags });
    }

    it(`agrees on all ${terms.length * terms.length} pairs of ${terms.length} terms over ${nodes.length} nodes`, () => {
        let checked = 0;
        for (const x of terms) {
            for (const y of terms) {
                const verdict = termOverlap(x, y).verdict;
                const both = nodes.some((n) => matches(n, x) && matches(n, y));
                if (verdict === "disjoint") expect(both, JSON.stringify([x, y])).to.equal(false);
                else expect(both, JSON.stringify([x, y, verdict])).to.equal(true);
                if (verdict === "overlap") {
                    const kx = Object.keys(x.tags);
                    const ky = Object.keys(y.tags);
                    const [narrow, wide] = kx.every((k) => ky.includes(k)) ? [y, x] : [x, y];
                    // Every key of the wider selector is constrained by the narrower one too.
                    expect(Object.keys(wide.tags).every((k) => k in narrow.tags)).to.equal(true);
                }
                checked++;
            }
        }
        expect(checked).to.equal(terms.length * terms.length);
    });
});
