import { expect } from "chai";
import { addMonths, computeCalendar, cycleOf, cycleOrders, cyclesBetween, cycleStart, findInversions, renderCalendar, ScheduleSource } from "../core/calendar";

const iso = (d: Date | undefined) => d?.toISOString().replace(":00.000Z", "Z");
const install = (stack: string, source: string, expression: string, extra: Partial<ScheduleSource> = {}): ScheduleSource => ({ stack, source, operation: "install", expression, ...extra });

describe("core/calendar", () => {
    describe("release cycles", () => {
        it("start on Patch Tuesday at 10:00 Pacific: 18:00 UTC in winter, 17:00 UTC in summer", () => {
            expect(iso(cycleStart(2026, 11))).to.equal("2026-12-08T18:00Z");
            expect(iso(cycleStart(2027, 6))).to.equal("2027-07-13T17:00Z");
            // March 2028: Patch Tuesday (14th) is after US DST starts (12th).
            expect(iso(cycleStart(2028, 2))).to.equal("2028-03-14T17:00Z");
        });
        it("take another release time and zone", () => {
            expect(iso(cycleStart(2026, 11, { time: "00:00", timezone: "UTC" }))).to.equal("2026-12-08T00:00Z");
            expect(iso(cycleStart(2026, 11, { time: "09:00", timezone: "Asia/Tokyo" }))).to.equal("2026-12-08T00:00Z");
        });
        it("an instant before this month's release belongs to the previous month's cycle (month and year boundaries)", () => {
            const c = cycleOf(new Date("2027-01-05T00:00:00Z"));
            expect(c.id).to.equal("2026-12");
            expect([iso(c.start), iso(c.end)]).to.deep.equal(["2026-12-08T18:00Z", "2027-01-12T18:00Z"]);
            expect(cycleOf(new Date("2027-01-12T17:59:59Z")).id).to.equal("2026-12");
            expect(cycleOf(new Date("2027-01-12T18:00:00Z")).id).to.equal("2027-01");
            expect(cycleOf(new Date("2026-12-31T23:59:00Z")).id).to.equal("2026-12");
        });
        it("an install at 02:00 UTC on Patch Tuesday runs before the release: previous cycle", () => {
            expect(cycleOf(new Date("2026-12-08T02:00:00Z")).id).to.equal("2026-11");
        });
        it("lists consecutive cycles without gaps, across a leap February", () => {
            const cycles = cyclesBetween(new Date("2028-01-01T00:00:00Z"), new Date("2028-04-01T00:00:00Z"));
            expect(cycles.map((c) => c.id)).to.deep.equal(["2027-12", "2028-01", "2028-02", "2028-03"]);
            for (let i = 1; i < cycles.length; i++) expect(cycles[i].start.getTime()).to.equal(cycles[i - 1].end.getTime());
            expect(iso(cycles[2].patchTuesday)).to.equal("2028-02-08T00:00Z");
            expect(iso(cycles[2].end)).to.equal("2028-03-14T17:00Z");
        });
        it("addMonths clamps to the month's last day, leap years included", () => {
            expect(iso(addMonths(new Date("2028-01-31T05:00:00Z"), 1))).to.equal("2028-02-29T05:00Z");
            expect(iso(addMonths(new Date("2027-01-31T05:00:00Z"), 1))).to.equal("2027-02-28T05:00Z");
            expect(iso(addMonths(new Date("2026-11-20T00:00:00Z"), 12))).to.equal("2027-11-20T00:00Z");
        });
    });

    describe("computeCalendar", () => {
        const from = new Date("2026-11-20T00:00:00Z");
        it("computes 12 months of runs per source and judges the cycles that start inside the horizon", () => {
            const cal = computeCalendar(
                [install("dev", "dev install", "cron(0 2 ? * TUE#2 *)", { offsetDays: 2 }), { stack: "dev", source: "dev scan", operation: "scan", expression: "cron(0 1 * * ? *)" }],
                { from },
            );
            expect(cal.cycles.map((c) => c.id)).to.deep.equal(["2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06", "2027-07", "2027-08", "2027-09", "2027-10", "2027-11"]);
            const installs = cal.runs.filter((r) => r.source === "dev install");
            expect(installs.map((r) => iso(r.at)).slice(0, 3)).to.deep.equal(["2026-12-10T02:00Z", "2027-01-14T02:00Z", "2027-02-11T02:00Z"]);
            expect(installs.map((r) => r.cycle).slice(0, 3)).to.deep.equal(["2026-12", "2027-01", "2027-02"]);
            // Runs continue to the end of the last judged cycle (2027-12-14 18:00 UTC).
            expect(iso(cal.runs[cal.runs.length - 1].at)).to.equal("2027-12-14T01:00Z");
            expect(cal.runs.filter((r) => r.source === "dev scan")).to.have.length(390);
            expect(cal.problems).to.deep.equal([]);
        });
        it("reports a source it cannot evaluate instead of failing", () => {
            const cal = computeCalendar([install("dev", "bad", "cron(0 2 ? * TUE#9 *)")], { from });
            expect(cal.problems).to.have.length(1);
            expect(cal.problems[0].message).to.contain("occurrence must be 1–5");
        });
    });

    describe("inversions", () => {
        const from = new Date("2026-11-20T00:00:00Z");
        it("dev on Patch Tuesday + 2, prod on Patch Tuesday + 9: in order every cycle, 7 days apart", () => {
            const cal = computeCalendar([install("dev", "d", "cron(0 2 ? * TUE#2 *)", { offsetDays: 2 }), install("prod", "p", "cron(0 2 ? * TUE#3 *)", { offsetDays: 2 })], { from });
            const orders = cycleOrders(cal, { earlier: "dev", later: "prod", minDaysAfter: 7 });
            expect(orders).to.have.length(12);
            expect(orders.every((o) => o.gapDays === 7 && o.problem === undefined)).to.equal(true);
        });
        it("the classic bug: prod on the second Sunday is before dev's Thursday after Patch Tuesday or too close", () => {
            const cal = computeCalendar([install("dev", "d", "cron(0 2 ? * TUE#2 *)", { offsetDays: 2 }), install("prod", "p", "cron(0 2 ? * SUN#2 *)")], { from });
            const bad = findInversions(cal, { earlier: "dev", later: "prod", minDaysAfter: 7 });
            expect(bad.map((o) => o.cycle.id)).to.deep.equal(["2026-12", "2027-02", "2027-03", "2027-06", "2027-11"]);
            expect(bad[0].problem).to.equal(
                "prod installs at Sun 2026-12-13 02:00 UTC (p), only 3 day(s) after dev at Thu 2026-12-10 02:00 UTC (d); at least 7 required",
            );
        });
        it("prod before dev in the same cycle", () => {
            // Third Wednesday vs third Sunday: in months starting Mon–Wed the Wednesday comes first.
            const cal = computeCalendar([install("dev", "d", "cron(0 2 ? * SUN#3 *)"), install("prod", "p", "cron(0 2 ? * WED#3 *)")], { from });
            const bad = findInversions(cal, { earlier: "dev", later: "prod" });
            expect(bad.map((o) => o.cycle.id)).to.deep.equal(["2026-12", "2027-02", "2027-03", "2027-06", "2027-09", "2027-11"]);
            expect(bad[1].problem).to.equal("prod installs at Wed 2027-02-17 02:00 UTC (p), before dev at Sun 2027-02-21 02:00 UTC (d)");
        });
        it("time zones: a dev window at 22:00 New York is 03:00 UTC in winter and 02:00 UTC in summer", () => {
            const cal = computeCalendar(
                [
                    install("dev", "dev window", "cron(0 22 ? * TUE#2 *)", { timezone: "America/New_York", offsetDays: 1 }),
                    install("prod", "prod association", "cron(30 2 ? * TUE#2 *)", { offsetDays: 2 }),
                ],
                { from },
            );
            const orders = cycleOrders(cal, { earlier: "dev", later: "prod" });
            expect(orders.filter((o) => o.problem).map((o) => o.cycle.id)).to.deep.equal(["2026-12", "2027-01", "2027-02", "2027-03", "2027-11"]);
            const march = orders.find((o) => o.cycle.id === "2027-03")!;
            expect([iso(march.earlier?.at), iso(march.later?.at)]).to.deep.equal(["2027-03-11T03:00Z", "2027-03-11T02:30Z"]);
            const april = orders.find((o) => o.cycle.id === "2027-04")!;
            expect([iso(april.earlier?.at), iso(april.later?.at), april.gapDays]).to.deep.equal(["2027-04-15T02:00Z", "2027-04-15T02:30Z", 0.02]);
        });
        it("leap years: dev on the 29th misses February 2027 but not February 2028", () => {
            const cal = computeCalendar([install("dev", "d", "cron(0 3 29 * ? *)"), install("prod", "p", "cron(0 3 1 * ? *)")], { from: new Date("2027-01-20T00:00:00Z"), months: 14 });
            const bad = findInversions(cal, { earlier: "dev", later: "prod" });
            expect(bad.map((o) => o.cycle.id)).to.deep.equal(["2027-02"]);
            expect(bad[0].problem).to.contain("prod installs at Mon 2027-03-01 03:00 UTC (p) but dev does not install in cycle 2027-02");
            const feb2028 = cycleOrders(cal, { earlier: "dev", later: "prod" }).find((o) => o.cycle.id === "2028-02")!;
            expect([iso(feb2028.earlier?.at), iso(feb2028.later?.at), feb2028.gapDays]).to.deep.equal(["2028-02-29T03:00Z", "2028-03-01T03:00Z", 1]);
        });
        it("a cycle in which prod does not install is not an inversion", () => {
            const cal = computeCalendar([install("dev", "d", "cron(0 2 ? * TUE#2 *)", { offsetDays: 2 }), install("prod", "p", "at(2027-03-20T02:00:00)")], { from });
            const orders = cycleOrders(cal, { earlier: "dev", later: "prod", minDaysAfter: 7 });
            expect(orders.filter((o) => o.later).map((o) => [o.cycle.id, o.gapDays])).to.deep.equal([["2027-03", 9]]);
            expect(orders.some((o) => o.problem)).to.equal(false);
        });
        it("scans and windows never count as installs", () => {
            const cal = computeCalendar(
                [install("dev", "d", "cron(0 2 ? * TUE#3 *)"), { stack: "prod", source: "scan", operation: "scan", expression: "cron(0 1 * * ? *)" }, { stack: "prod", source: "w", operation: "window", expression: "cron(0 1 * * ? *)" }],
                { from },
            );
            expect(findInversions(cal, { earlier: "dev", later: "prod" })).to.deep.equal([]);
        });
    });

    it("renders dev and prod side by side with the check per cycle", () => {
        const cal = computeCalendar([install("dev", "d", "cron(0 2 ? * TUE#2 *)", { offsetDays: 2 }), install("prod", "p", "cron(0 2 ? * SUN#2 *)")], { from: new Date("2026-11-20T00:00:00Z"), months: 3 });
        const lines = renderCalendar(cal, ["dev", "prod"], { earlier: "dev", later: "prod", minDaysAfter: 7 });
        expect(lines[1]).to.equal("cycle    patch tuesday  dev install       prod install      gap      check");
        expect(lines[2]).to.equal("2026-12  Tue 2026-12-08 Thu 12-10 02:00   Sun 12-13 02:00   +3d      ✗ INVERTED");
        expect(lines[3]).to.equal("2027-01  Tue 2027-01-12 Thu 01-14 02:00   —                 —        · no install");
        expect(lines).to.include("✗ cycle 2026-12: prod installs at Sun 2026-12-13 02:00 UTC (p), only 3 day(s) after dev at Thu 2026-12-10 02:00 UTC (d); at least 7 required");
        expect(lines.find((l) => l.includes("prod   install p:"))).to.equal(
            "  prod   install p: cron(0 2 ? * SUN#2 *) — 3 run(s); next Sun 2026-12-13 02:00 UTC, Sun 2027-01-10 02:00 UTC, Sun 2027-02-14 02:00 UTC",
        );
        const tokyo = renderCalendar(cal, ["dev", "prod"], undefined, "Asia/Tokyo");
        expect(tokyo[2]).to.equal("2026-12  Tue 2026-12-08 Thu 12-10 11:00   Sun 12-13 11:00");
    });
});
