/**
 * The install-path analysis, pinned where tests/installPaths.test.ts checks verdicts but not what
 * the review prints (surviving mutants of core/installPaths.ts): the reason given for each verdict,
 * which judgement wins a tie, the exact collision limits, the declared-disjoint and problem lines,
 * and which paths install at all.
 */
import { expect } from "chai";
import {
    analyzeInstallPaths,
    describePair,
    fleetsOf,
    installs,
    locationOverlap,
    NodeTerm,
    pathOverlap,
    runsByPath,
    scheduleCollisions,
    selectorOverlap,
    termOverlap,
} from "../core/installPaths";
import { path } from "./support/installPathFixture";

const FROM = new Date(Date.UTC(2026, 11, 1));

describe("install paths, pinned (core/installPaths.ts)", () => {
    describe("the reason of each term verdict", () => {
        const cases: [string, NodeTerm, NodeTerm, string, string][] = [
            ["kinds apart", { tags: {}, kinds: ["ec2"] }, { tags: {}, kinds: ["hybrid"] }, "disjoint", "ec2 nodes only vs hybrid nodes only"],
            ["kinds sharing one", { tags: {}, kinds: ["ec2", "hybrid"] }, { tags: {}, kinds: ["hybrid"] }, "overlap", "all managed nodes include every node of the other"],
            ["a shared key without a common value", { tags: { Fleet: ["web", "api"], Env: ["prod"] } }, { tags: { Env: ["prod"], Fleet: ["db"] } }, "disjoint", "Fleet=web|api vs Fleet=db"],
            ["the same instance ids", { tags: {}, instanceIds: ["i-1", "i-2", "i-3"] }, { tags: {}, instanceIds: ["i-3", "i-2"] }, "overlap", "the same instance id i-2, i-3"],
            ["other instance ids", { tags: {}, instanceIds: ["i-1"] }, { tags: {}, instanceIds: ["i-2"] }, "disjoint", "different instance ids"],
            ["all nodes against tags", { tags: {} }, { tags: { Env: ["prod"] } }, "overlap", "all managed nodes include every node of the other"],
            ["tags against all nodes", { tags: { Env: ["prod"] } }, { tags: {} }, "overlap", "all managed nodes include every node of the other"],
            ["the same unknown group", { tags: {}, opaqueGroup: "Web" }, { tags: {}, opaqueGroup: "Web" }, "overlap", "the same resource group Web"],
            ["tags against an unknown group", { tags: { Env: ["prod"] } }, { tags: {}, opaqueGroup: "Db" }, "may-overlap", "resource group Db is not defined in this stack, so its members are unknown"],
            ["an unknown group against tags", { tags: {}, opaqueGroup: "Db" }, { tags: { Env: ["prod"] } }, "may-overlap", "resource group Db is not defined in this stack, so its members are unknown"],
            ["ids against tags", { tags: { Env: ["prod"] }, instanceIds: ["i-1"] }, { tags: { Role: ["web"] } }, "may-overlap", "instance ids against a tag selector: the instances' tags are not known here"],
            ["tags against ids", { tags: { Role: ["web"] } }, { tags: { Env: ["prod"] }, instanceIds: ["i-1"] }, "may-overlap", "instance ids against a tag selector: the instances' tags are not known here"],
            ["a subset of keys", { tags: { Env: ["prod", "dev"] } }, { tags: { Env: ["prod"], Role: ["web"] } }, "overlap", "both select Env=prod"],
            ["a superset of keys, tag-key conditions", { tags: { Env: [], Role: ["web"], Tier: [] } }, { tags: { Env: ["prod"], Tier: [] } }, "overlap", "both select Env=prod AND Tier=*"],
            ["a tag-key against values", { tags: { Env: ["prod", "dev"] } }, { tags: { Env: [] } }, "overlap", "both select Env=prod|dev"],
            ["different keys", { tags: { Env: ["prod"], Tier: [] } }, { tags: { Role: ["web", "api"] } }, "may-overlap", "different tag keys (Env=prod AND Tier=* vs Role=web|api): a node carrying both is installed by both"],
        ];
        for (const [what, a, b, verdict, reason] of cases) {
            it(`${what}: ${verdict}, "${reason}"`, () => {
                expect(termOverlap(a, b)).to.deep.equal({ verdict, reason });
            });
        }
    });

    describe("selectors and locations", () => {
        it("a selector pair is its worst term pair; of equal ones the first found; no terms select no node", () => {
            const web = { tags: { Role: ["web"] } };
            const db = { tags: { Role: ["db"] } };
            const env = { tags: { Env: ["prod"] } };
            const tier = { tags: { Tier: ["1"] } };
            expect(selectorOverlap({ label: "a", terms: [web] }, { label: "b", terms: [db, { tags: { Role: ["web", "db"] } }] })).to.deep.equal({ verdict: "overlap", reason: "both select Role=web" });
            expect(selectorOverlap({ label: "a", terms: [env, tier] }, { label: "b", terms: [web] }).reason).to.equal("different tag keys (Env=prod vs Role=web): a node carrying both is installed by both");
            expect(selectorOverlap({ label: "a", terms: [web] }, { label: "b", terms: [db, env] }).verdict).to.equal("may-overlap");
            expect(selectorOverlap({ label: "a", terms: [web] }, { label: "b", terms: [env, db] }).verdict).to.equal("may-overlap");
            expect(selectorOverlap({ label: "a", terms: [] }, { label: "b", terms: [web] })).to.deep.equal({ verdict: "disjoint", reason: "no nodes selected" });
        });

        it("locations: the reason names the Regions and accounts; excluded accounts are not shared", () => {
            expect(locationOverlap({ accounts: ["111122223333"], regions: ["us-east-1"] }, { accounts: ["111122223333"], regions: ["eu-west-1", "us-west-2"] })).to.deep.equal({
                verdict: "disjoint",
                reason: "no common Region (us-east-1 vs eu-west-1, us-west-2)",
            });
            expect(locationOverlap({ accounts: ["111122223333", "444455556666"], regions: ["us-east-1", "eu-west-1"] }, { accounts: ["444455556666", "111122223333"], regions: ["eu-west-1", "us-east-1"] })).to.deep.equal({
                verdict: "overlap",
                reason: "111122223333, 444455556666 in us-east-1, eu-west-1",
            });
            expect(locationOverlap({ accounts: ["self"], regions: ["us-east-1"] }, { accounts: ["self"], regions: ["us-east-1"] })).to.deep.equal({ verdict: "overlap", reason: "self in us-east-1" });
            for (const [a, b] of [
                [{ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"], exclude: ["111122223333"] }, { accounts: ["111122223333", "ou-ab12-34cd56ef"], regions: ["us-east-1"] }],
                [{ accounts: ["111122223333"], regions: ["us-east-1"] }, { accounts: ["111122223333"], regions: ["us-east-1"], exclude: ["111122223333"] }],
            ]) {
                expect(locationOverlap(a, b).reason).to.not.match(/^111122223333 in/);
            }
            expect(locationOverlap({ accounts: ["111122223333"], regions: ["us-east-1"] }, { accounts: ["r-ab12"], regions: ["us-east-1"] })).to.deep.equal({
                verdict: "may-overlap",
                reason: "accounts 111122223333 vs r-ab12 may share one (an OU, or this stack's own account) in us-east-1",
            });
            expect(locationOverlap({ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }, { accounts: ["111122223333"], regions: ["us-east-1"] }).verdict).to.equal("may-overlap");
            expect(locationOverlap({ accounts: ["self"], regions: ["us-east-1"] }, { accounts: ["111122223333"], regions: ["us-east-1"] }).verdict).to.equal("may-overlap");
            expect(locationOverlap({ accounts: ["111122223333"], regions: ["us-east-1"] }, { accounts: ["444455556666"], regions: ["us-east-1"] })).to.deep.equal({
                verdict: "disjoint",
                reason: "no common account (111122223333 vs 444455556666)",
            });
        });

        it("a path pair: the weaker of where and which nodes; the reason adds where unless the location surely overlaps", () => {
            const a = path("a", { tags: { Env: ["prod"] } });
            const b = path("b", { tags: { Role: ["web"] } });
            expect(pathOverlap(a, b)).to.deep.equal({ verdict: "may-overlap", reason: "different tag keys (Env=prod vs Role=web): a node carrying both is installed by both" });
            const c = path("c", { tags: { Env: ["prod"] } }, undefined, { locations: [{ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }] });
            expect(pathOverlap(a, c)).to.deep.equal({
                verdict: "may-overlap",
                reason: "both select Env=prod; accounts self vs ou-ab12-34cd56ef may share one (an OU, or this stack's own account) in us-east-1",
            });
            const d = path("d", { tags: { Env: ["prod"] } }, undefined, { locations: [{ accounts: ["self"], regions: ["eu-west-1"] }, { accounts: ["self"], regions: ["us-east-1"] }] });
            expect(pathOverlap(a, d)).to.deep.equal({ verdict: "overlap", reason: "both select Env=prod" });
            const e = path("e", { tags: { Env: ["prod"] } }, undefined, { locations: [] });
            expect(pathOverlap(a, e)).to.deep.equal({ verdict: "disjoint", reason: "no common account and Region" });
        });
    });

    describe("schedule collisions at their limits", () => {
        it("a gap exactly the limit is no collision, a minute less is; the earlier path's window sets its limit; gaps are rounded to a tenth of an hour", () => {
            const a = path("a", { tags: {} }, "cron(0 2 ? * SUN *)");
            const b = path("b", { tags: {} }, "cron(0 4 ? * SUN *)");
            expect(scheduleCollisions(a, b, 2, { from: FROM, months: 1 })).to.deep.equal([]);
            expect(scheduleCollisions(b, a, 2, { from: FROM, months: 1 })).to.deep.equal([]);
            const close = path("close", { tags: {} }, "cron(59 3 ? * SUN *)");
            const c = scheduleCollisions(a, close, 2, { from: FROM, months: 1 });
            expect(c.map((x) => [x.a.toISOString(), x.b.toISOString(), x.hoursApart])).to.deep.equal(
                ["2026-12-06", "2026-12-13", "2026-12-20", "2026-12-27", "2027-01-03", "2027-01-10"].map((d) => [`${d}T02:00:00.000Z`, `${d}T03:59:00.000Z`, 2]),
            );
            expect(scheduleCollisions(close, a, 2, { from: FROM, months: 1 })).to.have.length(6);
            // A 3 h window of the earlier path covers a run 2 h 59 later; the same window on the later path does not.
            const win = { ...a, windowHours: 3 };
            const late = path("late", { tags: {} }, "cron(59 4 ? * SUN *)");
            expect(scheduleCollisions(win, late, 1, { from: FROM, months: 1 })).to.have.length(6);
            expect(scheduleCollisions(a, { ...late, windowHours: 3 }, 1, { from: FROM, months: 1 })).to.deep.equal([]);
            const exact = path("exact", { tags: {} }, "cron(0 5 ? * SUN *)");
            expect(scheduleCollisions(win, exact, 1, { from: FROM, months: 1 })).to.deep.equal([]);
        });

        it("runs only scheduled, not on-demand paths; a run before the other path's is found too", () => {
            const a = path("a", { tags: {} }, "cron(0 2 ? * SUN *)");
            const onDemand = path("od", { tags: {} }, "cron(0 2 ? * SUN *)", { onDemand: true });
            const unscheduled = { ...path("none", { tags: {} }), schedule: undefined };
            const runs = runsByPath([a, onDemand, unscheduled], { from: FROM, months: 1 });
            expect([...runs.keys()]).to.deep.equal(["a"]);
            expect(runs.get("a")!.map((t) => new Date(t).toISOString().slice(0, 10))).to.deep.equal(["2026-12-06", "2026-12-13", "2026-12-20", "2026-12-27", "2027-01-03", "2027-01-10"]);
            expect(runsByPath([a], { from: FROM }).get("a")!.length).to.be.within(52, 58);
            const before = path("before", { tags: {} }, "cron(30 1 ? * SUN *)");
            expect(scheduleCollisions(a, before, 1, { from: FROM, months: 1 }).map((x) => x.hoursApart)).to.deep.equal([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
        });
    });

    describe("the analysis and its lines", () => {
        it("declared disjoint pairs carry the declaration and the analysis and are no problem; the horizon defaults to 12 months", () => {
            const a = path("a", { tags: { Env: ["prod"] } });
            const b = path("b", { tags: { Env: ["prod"] } }, "cron(0 3 ? * SUN *)");
            const c = path("c", { tags: { Role: ["web"] } }, "cron(0 12 ? * WED *)");
            const analysis = analyzeInstallPaths({ stack: "t", settings: { minHoursApart: 24, disjoint: [{ path: "b", disjointFrom: "a", reason: "b runs on staging copies" }] }, paths: [a, b, c] }, { from: FROM });
            expect(analysis.pairs.map((p) => [p.a, p.b, p.verdict])).to.deep.equal([
                ["a", "b", "declared-disjoint"],
                ["a", "c", "may-overlap"],
                ["b", "c", "may-overlap"],
            ]);
            expect(analysis.pairs[0]).to.deep.equal({ a: "a", b: "b", verdict: "declared-disjoint", reason: "declared disjoint: b runs on staging copies (analysis: overlap, both select Env=prod)", collisions: [] });
            expect(analysis.problems.map((p) => `${p.a}+${p.b}`)).to.deep.equal(["a+c", "b+c"]);
            expect(analysis.until.toISOString()).to.equal("2027-12-01T00:00:00.000Z");
            expect(analyzeInstallPaths({ stack: "t", settings: { minHoursApart: 24, disjoint: [] }, paths: [a] }, { from: FROM, months: 2 }).until.toISOString()).to.equal("2027-02-01T00:00:00.000Z");
        });

        it("describePair names both paths, the verdict in words, the reason and the first collision", () => {
            const collision = { a: new Date("2026-12-06T02:00:00Z"), b: new Date("2026-12-06T03:00:00Z"), hoursApart: 1 };
            expect(describePair({ a: "x", b: "y", verdict: "overlap", reason: "both select Env=prod", collisions: [collision, collision] }, 24)).to.match(
                /^x and y overlap: both select Env=prod; 2 schedule collision\(s\) under 24 h apart \(or inside one window\), first \w{3} 2026-12-06 02:00 .* and \w{3} 2026-12-06 03:00 /,
            );
            expect(describePair({ a: "x", b: "y", verdict: "may-overlap", reason: "r", collisions: [] }, 24)).to.equal("x and y may overlap: r");
            expect(describePair({ a: "x", b: "y", verdict: "declared-disjoint", reason: "r", collisions: [] }, 24)).to.equal("x and y are declared disjoint: r");
        });

        it("fleetsOf: the sorted fleet values of every term, or none when any term does not select by the key", () => {
            const sel = (...terms: NodeTerm[]) => ({ label: "s", terms });
            expect(fleetsOf(sel({ tags: { PatchFleet: ["web", "api"] } }, { tags: { PatchFleet: ["api", "db"] } }), "PatchFleet")).to.deep.equal(["api", "db", "web"]);
            expect(fleetsOf(sel({ tags: { PatchFleet: ["web"] } }), undefined)).to.equal(undefined);
            expect(fleetsOf(sel({ tags: { PatchFleet: ["web"] } }, { tags: { Env: ["prod"] } }), "PatchFleet")).to.equal(undefined);
            expect(fleetsOf(sel({ tags: { PatchFleet: [] } }), "PatchFleet")).to.equal(undefined);
        });

        it("installs: scheduled installs do; scans (even rebooting ones), on-demand paths and emergency patching do not", () => {
            expect(installs({ operation: "Install (RebootIfNeeded)", mechanism: "patchPolicy" })).to.equal(true);
            expect(installs({ operation: "Install", mechanism: "maintenanceWindow", onDemand: false })).to.equal(true);
            expect(installs({ operation: "Scan (RebootIfNeeded)", mechanism: "patchPolicy" })).to.equal(false);
            expect(installs({ operation: "Install", mechanism: "emergency" })).to.equal(false);
            expect(installs({ operation: "Install", mechanism: "patchOrchestrator", onDemand: true })).to.equal(false);
        });
    });
});
