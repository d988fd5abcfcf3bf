/**
 * The release calendar at its boundaries (surviving mutants of core/calendar.ts): a cycle starts
 * on Patch Tuesday at 10:00 Los Angeles (2026-12-08 18:00 UTC; 2027-01-12 18:00 UTC) and runs to
 * the next one, [start, end); a run exactly at a start belongs to the new cycle; a horizon without a
 * cycle start still lists its runs; runs at one instant are ordered by stack, then source.
 */
import { expect } from "chai";
import { computeCalendar, cycleOrders, cyclesBetween, firstInstall, ScheduleSource } from "../core/calendar";

const DEC = new Date("2026-12-08T18:00:00Z");
const JAN = new Date("2027-01-12T18:00:00Z");
const at = (stack: string, source: string, iso: string, operation: ScheduleSource["operation"] = "install"): ScheduleSource => ({ stack, source, operation, expression: `at(${iso})` });

describe("release calendar boundaries (core/calendar.ts)", () => {
    it("cycles overlapping [from, until): one starting exactly at until is not among them", () => {
        expect(cyclesBetween(new Date("2026-12-01T00:00:00Z"), DEC).map((c) => c.id)).to.deep.equal(["2026-11"]);
        expect(cyclesBetween(new Date("2026-12-01T00:00:00Z"), new Date(DEC.getTime() + 1)).map((c) => c.id)).to.deep.equal(["2026-11", "2026-12"]);
    });

    it("a cycle starting exactly at from is judged; a run exactly at a cycle start is that cycle's; a run at the last cycle's end is past the calendar", () => {
        const cal = computeCalendar([at("dev", "a", "2026-12-08T18:00:00"), at("dev", "b", "2027-01-12T18:00:00"), at("dev", "c", "2027-01-12T17:59:59")], { from: new Date(DEC.getTime() - 3600_000), months: 1 });
        expect(cal.cycles.map((c) => c.id)).to.deep.equal(["2026-12"]);
        expect(cal.runs.map((r) => [r.source, r.cycle])).to.deep.equal([
            ["a", "2026-12"],
            ["c", "2026-12"],
        ]);
        expect(computeCalendar([], { from: DEC, months: 1 }).cycles.map((c) => c.id)).to.deep.equal(["2026-12"]);
        expect(firstInstall(cal.runs, "dev", cal.cycles[0])!.source).to.equal("a");
        expect(firstInstall([{ stack: "dev", source: "x", operation: "install", at: JAN, cycle: "2026-12" }], "dev", cal.cycles[0])).to.equal(undefined);
        expect(firstInstall([{ stack: "dev", source: "x", operation: "scan", at: DEC, cycle: "2026-12" }], "dev", cal.cycles[0])).to.equal(undefined);
    });

    it("a horizon in which no cycle starts still lists its runs (up to the horizon)", () => {
        const cal = computeCalendar([at("dev", "a", "2027-01-01T00:00:00"), at("dev", "b", "2027-01-10T00:00:00")], { from: new Date(DEC.getTime() + 3600_000), months: 1 });
        expect(cal.cycles).to.deep.equal([]);
        expect(cal.runs.map((r) => [r.source, r.cycle])).to.deep.equal([["a", "2026-12"]]);
    });

    it("runs at one instant: by stack, then by source", () => {
        const cal = computeCalendar([at("prod", "b", "2026-12-10T02:00:00"), at("prod", "a", "2026-12-10T02:00:00"), at("dev", "z", "2026-12-10T02:00:00"), at("dev", "y", "2026-12-09T02:00:00")], { from: DEC, months: 1 });
        expect(cal.runs.map((r) => `${r.stack}/${r.source}`)).to.deep.equal(["dev/y", "dev/z", "prod/a", "prod/b"]);
    });

    it("both stages installing at the same instant is not an inversion (gap 0)", () => {
        const cal = computeCalendar([at("dev", "d", "2026-12-10T02:00:00"), at("prod", "p", "2026-12-10T02:00:00")], { from: DEC, months: 1 });
        const [order] = cycleOrders(cal, { earlier: "dev", later: "prod" });
        expect(order.gapDays).to.equal(0);
        expect(order.problem).to.equal(undefined);
        const inverted = computeCalendar([at("dev", "d", "2026-12-10T02:00:01"), at("prod", "p", "2026-12-10T02:00:00")], { from: DEC, months: 1 });
        expect(cycleOrders(inverted, { earlier: "dev", later: "prod" })[0].problem).to.match(/^prod installs at Thu 2026-12-10 02:00 UTC \(p\), before dev at Thu 2026-12-10 02:00 UTC \(d\)$/);
    });
});
