import { expect } from "chai";
import {
    associationScheduleProblems,
    formatRun,
    isTimeZone,
    maintenanceWindowScheduleProblems,
    nextRuns,
    parseSchedule,
    patchTuesday,
    ScheduleError,
    zonedTimeToUtc,
} from "../core/schedule";

const iso = (ds: Date[]) => ds.map((d) => d.toISOString().replace(":00.000Z", "Z"));

describe("core/schedule", () => {
    describe("parseSchedule", () => {
        it("parses cron, rate and at", () => {
            const c = parseSchedule("cron(55 22 ? * * *)");
            expect(c.kind).to.equal("cron");
            if (c.kind === "cron") {
                expect(c.fields.minutes).to.deep.equal([55]);
                expect(c.fields.hours).to.deep.equal([22]);
                expect(c.fields.dayOfWeek).to.deep.equal({ kind: "days", days: [1, 2, 3, 4, 5, 6, 7] });
            }
            expect(parseSchedule("rate(30 minutes)")).to.include({ kind: "rate", minutes: 30 });
            expect(parseSchedule("rate(1 day)")).to.include({ kind: "rate", minutes: 1440 });
            const at = parseSchedule("at(2026-12-08T02:00:00)");
            expect(at.kind === "at" && at.at.toISOString()).to.equal("2026-12-08T02:00:00.000Z");
        });
        it("accepts a leading seconds field of 0 only", () => {
            expect(parseSchedule("cron(0 0/30 * ? * * *)").kind).to.equal("cron");
            expect(() => parseSchedule("cron(5 0/30 * ? * * *)")).to.throw(ScheduleError, "seconds field must be 0");
        });
        const bad: [string, string][] = [
            ["daily", "must be cron(...), rate(...) or at(...)"],
            ["cron(0 2 * * SUN *)", 'exactly one of day-of-month and day-of-week must be "?"'],
            ["cron(0 2 ? * * )", "cron takes 6 fields"],
            ["cron(60 2 ? * * *)", 'minutes value "60" is out of range 0–59'],
            ["cron(0 24 ? * * *)", 'hours value "24"'],
            ["cron(0 2 ? * FUNDAY *)", 'day-of-week value "FUNDAY"'],
            ["cron(0 2 ? * TUE#6 *)", "occurrence must be 1–5"],
            ["cron(0 2 ? * TUE#2,THU#2 *)", "lists are not allowed with #"],
            ["cron(0 2 ? 13 MON *)", 'month value "13"'],
            ["cron(0 5-2 ? * MON *)", "runs backwards"],
            ["rate(1 hours)", "singular unit for 1: rate(1 hour)"],
            ["rate(2 hour)", "plural unit for 2: rate(2 hours)"],
            ["rate(0 minutes)", "positive"],
            ["rate(5 weeks)", "<number> <minute(s)|hour(s)|day(s)>"],
            ["at(2026-02-30T00:00:00)", "not a real date"],
            ["at(2026-02-03 00:00)", "yyyy-mm-ddThh:mm:ss"],
        ];
        for (const [expr, msg] of bad) {
            it(`rejects ${expr}`, () => expect(() => parseSchedule(expr)).to.throw(ScheduleError, msg));
        }
    });

    describe("association schedules", () => {
        it("accepts what State Manager accepts", () => {
            for (const ok of [
                "cron(0 2 ? * SUN *)",
                "cron(0 0 ? * THU#2 *)",
                "cron(0/30 * * * ? *)",
                "cron(0 0/4 * * ? *)",
                "cron(15 */12 * * ? *)",
                "cron(0 2 ? * 5L *)",
                "rate(30 minutes)",
                "rate(1 hour)",
                "rate(30 days)",
                "at(2026-12-08T02:00:00)",
            ]) {
                expect(associationScheduleProblems(ok), ok).to.deep.equal([]);
            }
        });
        it("rejects months, years, odd frequencies and out-of-range rates", () => {
            expect(associationScheduleProblems("cron(0 2 ? JAN SUN *)")[0]).to.contain("do not support months");
            expect(associationScheduleProblems("cron(0 2 ? * SUN 2027)")[0]).to.contain("year field");
            expect(associationScheduleProblems("cron(0 0/3 * * ? *)")[0]).to.contain("every 1, 2, 4, 8 or 12 hours");
            expect(associationScheduleProblems("cron(0/15 * * * ? *)")[0]).to.contain("every 30 minutes");
            expect(associationScheduleProblems("rate(15 minutes)")).to.deep.equal(["a rate must be at least 30 minutes, got rate(15 minutes)"]);
            expect(associationScheduleProblems("rate(31 days)")).to.deep.equal(["a rate must be less than 31 days, got rate(31 days)"]);
            expect(associationScheduleProblems("cron(bad)")[0]).to.contain("cron takes 6 fields");
        });
    });

    describe("maintenance window schedules", () => {
        it("accept the full cron syntax", () => {
            for (const ok of ["cron(55 22 ? * * *)", "cron(30 23 ? * TUE#3 *)", "cron(0 4 L * ? *)", "cron(0 4 15W * ? *)", "cron(0 0 ? JAN,JUL MON 2027)", "rate(2 days)"]) {
                expect(maintenanceWindowScheduleProblems(ok), ok).to.deep.equal([]);
            }
            expect(maintenanceWindowScheduleProblems("rate(10 minutes)")[0]).to.contain("at least 30 minutes");
        });
        it("know IANA time zones", () => {
            expect(isTimeZone("Asia/Tokyo")).to.equal(true);
            expect(isTimeZone("America/New_York")).to.equal(true);
            expect(isTimeZone("Mars/Olympus")).to.equal(false);
            expect(isTimeZone("+09:00")).to.equal(false);
        });
    });

    describe("nextRuns", () => {
        const from = new Date("2026-11-25T12:00:00Z");
        it("daily cron in UTC", () => {
            expect(iso(nextRuns("cron(55 22 ? * * *)", { from, count: 3 }))).to.deep.equal(["2026-11-25T22:55Z", "2026-11-26T22:55Z", "2026-11-27T22:55Z"]);
        });
        it("runs are strictly after `from`: an occurrence exactly at `from` is not returned (cron, rate, at, time zone)", () => {
            const onTheDot = new Date("2026-11-25T22:55:00Z");
            expect(iso(nextRuns("cron(55 22 ? * * *)", { from: onTheDot, count: 2 }))).to.deep.equal(["2026-11-26T22:55Z", "2026-11-27T22:55Z"]);
            // One millisecond earlier, the same occurrence is the first run.
            expect(iso(nextRuns("cron(55 22 ? * * *)", { from: new Date(onTheDot.getTime() - 1), count: 1 }))).to.deep.equal(["2026-11-25T22:55Z"]);
            expect(iso(nextRuns("rate(1 hour)", { from: onTheDot, count: 1 }))).to.deep.equal(["2026-11-25T23:55Z"]);
            expect(nextRuns("at(2026-11-25T22:55:00)", { from: onTheDot, count: 1 })).to.deep.equal([]);
            // 23:00 Tokyo on Patch Tuesday is 14:00 UTC: from exactly then, the next is January's.
            expect(iso(nextRuns("cron(0 23 ? * TUE#2 *)", { from: new Date("2026-12-08T14:00:00Z"), count: 1, timezone: "Asia/Tokyo" }))).to.deep.equal(["2027-01-12T14:00Z"]);
        });
        it("weekly on Sunday", () => {
            expect(iso(nextRuns("cron(0 2 ? * SUN *)", { from, count: 2 }))).to.deep.equal(["2026-11-29T02:00Z", "2026-12-06T02:00Z"]);
        });
        it("second Tuesday (Patch Tuesday) across a year boundary", () => {
            expect(iso(nextRuns("cron(0 18 ? * TUE#2 *)", { from, count: 3 }))).to.deep.equal(["2026-12-08T18:00Z", "2027-01-12T18:00Z", "2027-02-09T18:00Z"]);
        });
        it("schedule offset: second Thursday + 3 days is the following Sunday", () => {
            expect(iso(nextRuns("cron(0 0 ? * THU#2 *)", { from, count: 2, offsetDays: 3 }))).to.deep.equal(["2026-12-13T00:00Z", "2027-01-17T00:00Z"]);
        });
        it("an occurrence already past is not run even if its offset day is ahead", () => {
            // THU#2 of November 2026 is the 12th; +14 would be the 26th, after `from`, but is skipped.
            const runs = nextRuns("cron(0 0 ? * THU#2 *)", { from, count: 1, offsetDays: 6 });
            expect(iso(runs)).to.deep.equal(["2026-12-16T00:00Z"]);
        });
        it("reads cron fields in a time zone, across DST changes", () => {
            // 02:30 in New York: EST (UTC-5) in winter, EDT (UTC-4) after 8 March 2027.
            const runs = nextRuns("cron(30 2 ? * SUN *)", { from: new Date("2027-02-27T00:00:00Z"), count: 3, timezone: "America/New_York" });
            // 2027-03-14 02:30 does not exist (clocks jump to 03:00): it moves forward to 03:30 EDT.
            expect(iso(runs)).to.deep.equal(["2027-02-28T07:30Z", "2027-03-07T07:30Z", "2027-03-14T07:30Z"]);
            expect(iso(nextRuns("cron(0 23 ? * TUE#2 *)", { from, count: 1, timezone: "Asia/Tokyo" }))).to.deep.equal(["2026-12-08T14:00Z"]);
        });
        it("last day of month, leap years and last weekday", () => {
            expect(iso(nextRuns("cron(0 4 L * ? *)", { from: new Date("2028-01-31T12:00:00Z"), count: 2 }))).to.deep.equal(["2028-02-29T04:00Z", "2028-03-31T04:00Z"]);
            expect(iso(nextRuns("cron(0 4 L * ? *)", { from: new Date("2027-01-31T12:00:00Z"), count: 1 }))).to.deep.equal(["2027-02-28T04:00Z"]);
            // The last Friday of January 2027 is the 29th.
            expect(iso(nextRuns("cron(0 4 ? * 6L *)", { from: new Date("2027-01-01T00:00:00Z"), count: 1 }))).to.deep.equal(["2027-01-29T04:00Z"]);
            // Last weekday of July 2027: the 31st is a Saturday, so Friday the 30th.
            expect(iso(nextRuns("cron(0 4 LW * ? *)", { from: new Date("2027-07-01T00:00:00Z"), count: 1 }))).to.deep.equal(["2027-07-30T04:00Z"]);
        });
        it("steps, lists and ranges", () => {
            expect(iso(nextRuns("cron(0 0/8 * * ? *)", { from, count: 3 }))).to.deep.equal(["2026-11-25T16:00Z", "2026-11-26T00:00Z", "2026-11-26T08:00Z"]);
            expect(iso(nextRuns("cron(0 3 ? * MON-WED *)", { from, count: 3 }))).to.deep.equal(["2026-11-30T03:00Z", "2026-12-01T03:00Z", "2026-12-02T03:00Z"]);
        });
        it("rate from now, at once, and the until bound", () => {
            expect(iso(nextRuns("rate(12 hours)", { from, count: 2 }))).to.deep.equal(["2026-11-26T00:00Z", "2026-11-26T12:00Z"]);
            expect(iso(nextRuns("at(2026-12-08T02:00:00)", { from, count: 5 }))).to.deep.equal(["2026-12-08T02:00Z"]);
            expect(nextRuns("at(2025-12-08T02:00:00)", { from, count: 5 })).to.deep.equal([]);
            expect(nextRuns("cron(0 2 ? * SUN *)", { from, count: 100, until: new Date("2026-12-31T00:00:00Z") })).to.have.length(5);
        });
        it("a year of weekly runs is exactly 52 or 53", () => {
            expect(nextRuns("cron(0 2 ? * SUN *)", { from: new Date("2027-01-01T00:00:00Z"), count: 1000, until: new Date("2027-12-31T23:59:59Z") })).to.have.length(52);
        });
    });

    it("patchTuesday is the second Tuesday", () => {
        expect(patchTuesday(2026, 11).toISOString().slice(0, 10)).to.equal("2026-12-08");
        expect(patchTuesday(2027, 1).toISOString().slice(0, 10)).to.equal("2027-02-09");
        expect(patchTuesday(2026, 8).toISOString().slice(0, 10)).to.equal("2026-09-08"); // 1 Sep 2026 is a Tuesday
    });

    it("formats runs in a zone and converts wall clock to UTC", () => {
        expect(formatRun(new Date("2026-12-08T02:00:00Z"))).to.equal("Tue 2026-12-08 02:00 UTC");
        expect(formatRun(new Date("2026-12-08T02:00:00Z"), "Asia/Tokyo")).to.equal("Tue 2026-12-08 11:00 Asia/Tokyo");
        expect(zonedTimeToUtc(2026, 6, 1, 9, 0, "Europe/Berlin").toISOString()).to.equal("2026-07-01T07:00:00.000Z");
    });
});
