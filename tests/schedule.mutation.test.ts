/**
 * The schedule grammar and next-run walk at their edges (surviving mutants of core/schedule.ts),
 * each against the AWS cron rules ("Reference: Cron and rate expressions for Systems Manager",
 * EventBridge "Schedule types"): a value is a whole number or a name, a range never runs backwards,
 * `W` is the nearest weekday within the month, `#` takes occurrences 1–5, a whole expression is
 * 1–256 characters; runs are strictly after `from` and at or before `until`.
 */
import { expect } from "chai";
import { associationScheduleProblems, isTimeZone, nextRuns, parseSchedule } from "../core/schedule";

const iso = (d: Date[]) => d.map((x) => x.toISOString());
const utc = (s: string) => new Date(`${s}Z`);
const err = (expression: string) => {
    try {
        parseSchedule(expression);
    } catch (e) {
        return (e as Error).message;
    }
    return "(no error)";
};

describe("schedule grammar and runs at their edges (core/schedule.ts)", () => {
    describe("values, ranges, steps and lists", () => {
        it("a value is digits or a name: signs, exponents and words are out of range, with the field's range (and names)", () => {
            expect(err("cron(+5 2 ? * SUN *)")).to.equal('minutes value "+5" is out of range 0–59');
            expect(err("cron(1e1 2 ? * SUN *)")).to.equal('minutes value "1e1" is out of range 0–59');
            expect(err("cron(abc 2 ? * SUN *)")).to.equal('minutes value "abc" is out of range 0–59');
            expect(err("cron(0 2 ? 13 SUN *)")).to.equal('month value "13" is out of range 1–12 (or JAN–DEC)');
            expect(err("cron(0 2 ? * SUX *)")).to.equal('day-of-week value "SUX" is out of range 1–7 (or SUN–SAT)');
            expect(err("cron(0 24 ? * SUN *)")).to.equal('hours value "24" is out of range 0–23');
        });

        it("ranges, steps and lists: a one-value range, an open step, sorted runs; backwards, empty and double steps refused", () => {
            expect(err("cron(5-5 2 ? * SUN *)")).to.equal("(no error)");
            expect(err("cron(9-5 2 ? * SUN *)")).to.equal('minutes range "9-5" runs backwards');
            expect(err("cron(0,,5 2 ? * SUN *)")).to.equal("minutes has an empty list element");
            expect(err("cron(0/5/2 2 ? * SUN *)")).to.equal('minutes "0/5/2" has more than one /');
            for (const step of ["0", "x", "1.5"]) expect(err(`cron(0/${step} 2 ? * SUN *)`), step).to.equal(`minutes step "${step}" must be a positive whole number`);
            const fields = parseSchedule("cron(5/15 2 ? * sun-tue *)");
            expect(fields.kind === "cron" && fields.fields.minutes).to.deep.equal([5, 20, 35, 50]);
            expect(fields.kind === "cron" && fields.fields.dayOfWeek).to.deep.equal({ kind: "days", days: [1, 2, 3] });
            // A list out of order still runs in time order.
            expect(iso(nextRuns("cron(30,10 2 * * ? *)", { from: utc("2026-12-01T00:00:00"), count: 2 }))).to.deep.equal(["2026-12-01T02:10:00.000Z", "2026-12-01T02:30:00.000Z"]);
        });
    });

    describe("day-of-month and day-of-week specials", () => {
        it("L-n is n days before the last day (0–30); nW is the nearest weekday inside the month; LW the last weekday", () => {
            expect(iso(nextRuns("cron(0 2 L-3 * ? *)", { from: utc("2026-02-01T00:00:00"), count: 2 }))).to.deep.equal(["2026-02-25T02:00:00.000Z", "2026-03-28T02:00:00.000Z"]);
            expect(err("cron(0 2 L-31 * ? *)")).to.equal('day-of-month value "31" is out of range 0–30');
            // 2026-08-15 is a Saturday: the Friday before; 2026-11-15 a Sunday: the Monday after; 2026-12-15 a Tuesday: itself.
            expect(iso(nextRuns("cron(0 2 15W * ? *)", { from: utc("2026-08-01T00:00:00"), count: 5 }))).to.deep.equal([
                "2026-08-14T02:00:00.000Z",
                "2026-09-15T02:00:00.000Z",
                "2026-10-15T02:00:00.000Z",
                "2026-11-16T02:00:00.000Z",
                "2026-12-15T02:00:00.000Z",
            ]);
            // 2026-08-01 is a Saturday: 1W is Monday the 3rd (not the 31st of July); 2026-05-31 a Sunday: 31W is Friday the 29th.
            expect(iso(nextRuns("cron(0 2 1W * ? *)", { from: utc("2026-07-31T00:00:00"), count: 1 }))).to.deep.equal(["2026-08-03T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 31W * ? *)", { from: utc("2026-05-01T00:00:00"), count: 1 }))).to.deep.equal(["2026-05-29T02:00:00.000Z"]);
            // A 30-day month: 31W is the 30th's nearest weekday (2026-09-30 is a Wednesday).
            expect(iso(nextRuns("cron(0 2 31W * ? *)", { from: utc("2026-09-01T00:00:00"), count: 1 }))).to.deep.equal(["2026-09-30T02:00:00.000Z"]);
            expect(err("cron(0 2 32W * ? *)")).to.equal('day-of-month value "32" is out of range 1–31');
            // 2026-05-31 is a Sunday: the last weekday of May is Friday the 29th.
            expect(iso(nextRuns("cron(0 2 LW * ? *)", { from: utc("2026-05-01T00:00:00"), count: 1 }))).to.deep.equal(["2026-05-29T02:00:00.000Z"]);
        });

        it("# takes one day and an occurrence 1–5; L alone is Saturday; dL the last such day of the month", () => {
            expect(err("cron(0 2 ? * TUE#0 *)")).to.equal('day-of-week "TUE#0": the # occurrence must be 1–5');
            expect(err("cron(0 2 ? * TUE#6 *)")).to.equal('day-of-week "TUE#6": the # occurrence must be 1–5');
            expect(err("cron(0 2 ? * MON,TUE#2 *)")).to.equal('day-of-week "MON,TUE#2": # takes one day and one occurrence (e.g. TUE#2); lists are not allowed with #');
            expect(iso(nextRuns("cron(0 2 ? * tue#1 *)", { from: utc("2026-12-01T03:00:00"), count: 1 }))).to.deep.equal(["2027-01-05T02:00:00.000Z"]);
            // December 2026 has five Tuesdays; November only four.
            expect(iso(nextRuns("cron(0 2 ? * 3#5 *)", { from: utc("2026-11-01T00:00:00"), count: 1 }))).to.deep.equal(["2026-12-29T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 ? * L *)", { from: utc("2026-12-01T00:00:00"), count: 1 }))).to.deep.equal(["2026-12-05T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 ? * FRIL *)", { from: utc("2026-12-01T00:00:00"), count: 2 }))).to.deep.equal(["2026-12-25T02:00:00.000Z", "2027-01-29T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 ? * 6L *)", { from: utc("2026-12-01T00:00:00"), count: 1 }))).to.deep.equal(["2026-12-25T02:00:00.000Z"]);
        });
    });

    describe("the expression", () => {
        it("is 1–256 characters, cron/rate/at with nothing around it but spaces, fields split on any run of spaces", () => {
            const minutes = "00" + ",0".repeat(118);
            const longest = `cron(${minutes} 2 ? * SUN *)`;
            expect(longest).to.have.length(256);
            expect(err(longest)).to.equal("(no error)");
            expect(err(`cron(${minutes},0 2 ? * SUN *)`)).to.equal("a schedule expression is 1–256 characters (botocore ScheduleExpression)");
            expect(err("")).to.equal("a schedule expression is 1–256 characters (botocore ScheduleExpression)");
            expect(err(" cron(0 2 ? * SUN *) ")).to.equal("(no error)");
            expect(err("cron(0  2 ? *\tSUN *)")).to.equal("(no error)");
            for (const bad of ["xcron(0 2 ? * SUN *)", "cron(0 2 ? * SUN *)x"]) expect(err(bad), bad).to.match(/^must be cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/);
        });

        it("rate: trimmed inside, nothing after the unit; at: a real UTC date and time, nothing after it", () => {
            expect(parseSchedule("rate( 30 minutes )")).to.deep.include({ kind: "rate", value: 30, unit: "minute", minutes: 30 });
            expect(err("rate(30 minutesx)")).to.match(/^rate takes "<number> <minute\(s\)\|hour\(s\)\|day\(s\)>"/);
            expect(err("rate(x30 minutes)")).to.match(/^rate takes/);
            expect(parseSchedule("at( 2026-12-08T23:59:59 )")).to.deep.include({ kind: "at", at: utc("2026-12-08T23:59:59") });
            for (const bad of ["2026-12-08T02:00:00Z", "x2026-12-08T02:00:00"]) expect(err(`at(${bad})`), bad).to.match(/^at takes a UTC timestamp/);
            for (const bad of ["2026-02-30T02:00:00", "2026-13-01T02:00:00", "2026-12-08T24:00:00", "2026-12-08T23:60:00", "2026-12-08T23:59:60"]) {
                expect(err(`at(${bad})`), bad).to.equal(`at(${bad}) is not a real date and time`);
            }
        });

        it("association schedules: every month written three ways, every 1/2/4/8/12 hours exactly", () => {
            for (const mo of ["*", "1/1", "*/1"]) expect(associationScheduleProblems(`cron(0 2 * ${mo} ? *)`), mo).to.deep.equal([]);
            for (const h of ["*", "0/1", "*/1"]) expect(associationScheduleProblems(`cron(0/30 ${h} * * ? *)`), h).to.deep.equal([]);
            expect(associationScheduleProblems("cron(*/30 * * * ? *)")).to.deep.equal([]);
            expect(associationScheduleProblems("cron(15 0/12 * * ? *)")).to.deep.equal([]);
            expect(associationScheduleProblems("cron(15 */4 * * ? *)")).to.deep.equal([]);
            for (const h of ["0/123", "10/4", "0/3"]) expect(associationScheduleProblems(`cron(15 ${h} * * ? *)`), h).to.have.length(1);
            expect(associationScheduleProblems("cron(0 2 * 1/2 ? *)")).to.deep.equal(['associations do not support months in cron expressions: use * in the month field, got "1/2"']);
            expect(associationScheduleProblems("cron(0 2 * * ? 2027)")).to.deep.equal(['associations run every year: use * in the year field, got "2027"']);
        });

        it("time zones are IANA names, not UTC offsets", () => {
            expect(isTimeZone("Europe/Berlin")).to.equal(true);
            expect(isTimeZone("+01:00")).to.equal(false);
            expect(isTimeZone("-05:00")).to.equal(false);
            expect(isTimeZone("Mars/Olympus")).to.equal(false);
        });
    });

    describe("next runs", () => {
        it("at: strictly after from, at or before until, none when no run is asked for", () => {
            const at = "at(2026-12-08T02:00:00)";
            expect(iso(nextRuns(at, { from: utc("2026-12-08T01:59:59"), count: 1 }))).to.deep.equal(["2026-12-08T02:00:00.000Z"]);
            expect(nextRuns(at, { from: utc("2026-12-08T02:00:00"), count: 1 })).to.deep.equal([]);
            expect(nextRuns(at, { from: utc("2026-12-01T00:00:00"), count: 0 })).to.deep.equal([]);
            expect(iso(nextRuns(at, { from: utc("2026-12-01T00:00:00"), count: 1, until: utc("2026-12-08T02:00:00") }))).to.have.length(1);
            expect(nextRuns(at, { from: utc("2026-12-01T00:00:00"), count: 1, until: utc("2026-12-08T01:59:59") })).to.deep.equal([]);
        });

        it("rate: every interval after from, up to count and until (inclusive)", () => {
            const from = utc("2026-12-01T00:00:00");
            expect(iso(nextRuns("rate(1 hour)", { from, count: 2 }))).to.deep.equal(["2026-12-01T01:00:00.000Z", "2026-12-01T02:00:00.000Z"]);
            expect(iso(nextRuns("rate(1 hour)", { from, count: 5, until: utc("2026-12-01T02:00:00") }))).to.deep.equal(["2026-12-01T01:00:00.000Z", "2026-12-01T02:00:00.000Z"]);
            expect(nextRuns("rate(1 hour)", { from, count: 0 })).to.deep.equal([]);
        });

        it("cron: none when none is asked for; a run exactly at until is in, one after is out; the year field limits the years", () => {
            const from = utc("2026-12-01T00:00:00");
            expect(nextRuns("cron(0 2 * * ? *)", { from, count: 0 })).to.deep.equal([]);
            expect(iso(nextRuns("cron(0 2 * * ? *)", { from, count: 5, until: utc("2026-12-02T02:00:00") }))).to.deep.equal(["2026-12-01T02:00:00.000Z", "2026-12-02T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 1 * ? 2027)", { from, count: 2 }))).to.deep.equal(["2027-01-01T02:00:00.000Z", "2027-02-01T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 1 * ? 2026)", { from, count: 3 }))).to.deep.equal(["2026-12-01T02:00:00.000Z"]);
            expect(iso(nextRuns("cron(0 2 1 JAN,JUL ? *)", { from, count: 2 }))).to.deep.equal(["2027-01-01T02:00:00.000Z", "2027-07-01T02:00:00.000Z"]);
        });

        it("a zone behind UTC: the walk starts on the zone's date, not UTC's", () => {
            // 03:00 UTC on 2 December is 19:00 on 1 December in Los Angeles: the 20:00 run that evening is next.
            expect(iso(nextRuns("cron(0 20 * * ? *)", { from: utc("2026-12-02T03:00:00"), count: 1, timezone: "America/Los_Angeles" }))).to.deep.equal(["2026-12-02T04:00:00.000Z"]);
        });
    });
});
