import { expect } from "chai";
import * as fc from "fast-check";
import { memo } from "../core/memo";
import { formatRun, isTimeZone, nextRuns, zonedTimeToUtc } from "../core/schedule";

/** The answers without any memo, computed from Intl as the functions did before they kept them. */
const intlFormatRun = (run: Date, timezone: string) => {
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-GB", { timeZone: timezone, weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
            .formatToParts(run)
            .map((p) => [p.type, p.value]),
    );
    return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timezone}`;
};
/** The wall clock of `instant` in `tz`, read from Intl: what zonedTimeToUtc must invert. */
const wallClock = (instant: Date, tz: string) => {
    const p = Object.fromEntries(
        new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
            .formatToParts(instant)
            .map((x) => [x.type, Number(x.value)]),
    );
    return [p.year, p.month - 1, p.day, p.hour, p.minute];
};

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns"];
const instants = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2040-12-31T23:59:59Z"), noInvalidDate: true });

describe("core/memo", () => {
    it("computes once per key and returns the kept answer, falsy answers included", () => {
        const map = new Map<string, unknown>();
        let calls = 0;
        for (const [key, value] of [["a", 1], ["f", false], ["z", 0], ["u", undefined], ["n", null]] as const) {
            expect(memo(map, key, () => (calls++, value))).to.equal(value);
            expect(memo(map, key, () => (calls++, "recomputed"))).to.equal(value);
        }
        expect(calls).to.equal(5);
    });

    it("keeps nothing when the computation throws", () => {
        const map = new Map<string, number>();
        expect(() => memo(map, "k", () => { throw new RangeError("bad"); })).to.throw(RangeError, "bad");
        expect(map.has("k")).to.equal(false);
        expect(memo(map, "k", () => 7)).to.equal(7);
    });

    it("empties the map when it reaches the limit, then keeps the new answer", () => {
        const map = new Map<number, number>();
        for (let i = 0; i < 3; i++) memo(map, i, () => i * 10, 3);
        expect([...map.keys()]).to.deep.equal([0, 1, 2]);
        expect(memo(map, 3, () => 30, 3)).to.equal(30);
        expect([...map.entries()]).to.deep.equal([[3, 30]]);
        expect(memo(map, 0, () => -1, 3)).to.equal(-1); // computed again after the clear
    });
});

describe("core/schedule memoised answers equal Intl's", () => {
    it("isTimeZone: the same answer on every call, as Intl decides", () => {
        for (const tz of [...ZONES, "Europe/Nowhere", "", "+02:00", "-05:00", "utc", "Etc/GMT+5", "Not a zone"]) {
            let intl: boolean;
            try {
                new Intl.DateTimeFormat("en-US", { timeZone: tz });
                intl = tz.length > 0 && !/^[+-]/.test(tz);
            } catch {
                intl = false;
            }
            expect(isTimeZone(tz), tz).to.equal(intl);
            expect(isTimeZone(tz), `${tz} again`).to.equal(intl);
        }
        expect(isTimeZone("Europe/Nowhere")).to.equal(false);
        expect(isTimeZone("Asia/Tokyo")).to.equal(true);
    });

    it("formatRun: the zone's wall clock as a fresh Intl.DateTimeFormat prints it, first and later calls alike", () => {
        fc.assert(
            fc.property(instants, fc.constantFrom(...ZONES), (run, tz) => {
                const expected = intlFormatRun(run, tz);
                expect(formatRun(run, tz)).to.equal(expected);
                expect(formatRun(run, tz)).to.equal(expected);
            }),
            { numRuns: 300 },
        );
        expect(formatRun(new Date("2026-12-08T02:00:00Z"))).to.equal("Tue 2026-12-08 02:00 UTC");
        expect(() => formatRun(new Date("2026-12-08T02:00:00Z"), "Europe/Nowhere")).to.throw(RangeError);
        expect(() => formatRun(new Date(NaN))).to.throw(RangeError);
    });

    it("formatRun in UTC (read from the Date, not Intl): what Intl prints, to the minute, from year 1 on", () => {
        const anyInstant = fc.date({ min: new Date("-000100-01-01T00:00:00Z"), max: new Date("+012000-01-01T00:00:00Z"), noInvalidDate: true });
        fc.assert(
            fc.property(fc.oneof(instants, anyInstant), (run) => {
                expect(formatRun(run)).to.equal(intlFormatRun(run, "UTC"));
                expect(formatRun(run, "UTC")).to.equal(intlFormatRun(run, "UTC"));
            }),
            { numRuns: 1000 },
        );
        // The edges of the fast path, and a minute before midnight on New Year's Eve.
        for (const iso of ["0001-01-01T00:00:00Z", "0999-12-31T23:59:00Z", "9999-12-31T23:59:59Z", "+010000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "0000-12-31T23:59:00Z", "-000001-06-01T00:00:00Z", "2026-12-31T23:59:59.999Z", "2028-02-29T12:07:00Z"]) {
            expect(formatRun(new Date(iso)), iso).to.equal(intlFormatRun(new Date(iso), "UTC"));
        }
        expect(() => formatRun(new Date(NaN), "UTC")).to.throw(RangeError);
    });

    it("zonedTimeToUtc: the instant whose wall clock in the zone is the one asked (outside DST gaps), on repeated calls", () => {
        fc.assert(
            fc.property(instants, fc.constantFrom(...ZONES), (instant, tz) => {
                const whole = new Date(Math.floor(instant.getTime() / 60_000) * 60_000);
                const [y, m, d, h, mi] = wallClock(whole, tz);
                const back = zonedTimeToUtc(y, m, d, h, mi, tz);
                // An ambiguous wall clock (the hour repeated when DST ends) has two instants: either is that wall clock.
                expect(wallClock(back, tz)).to.deep.equal([y, m, d, h, mi]);
                expect(zonedTimeToUtc(y, m, d, h, mi, tz).getTime()).to.equal(back.getTime());
            }),
            { numRuns: 300 },
        );
    });

    it("nextRuns in a zone: the same runs when asked again (offsets kept) and each run at the zone's wall clock", () => {
        const from = new Date("2027-03-01T00:00:00Z");
        for (const tz of ZONES) {
            const first = nextRuns("cron(30 2 ? * SUN *)", { from, count: 12, timezone: tz });
            const again = nextRuns("cron(30 2 ? * SUN *)", { from, count: 12, timezone: tz });
            expect(again.map((d) => d.getTime()), tz).to.deep.equal(first.map((d) => d.getTime()));
            expect(first).to.have.length(12);
            for (const run of first) {
                const [, , , h, mi] = wallClock(run, tz);
                // 02:30 on the Sunday DST starts does not exist in some zones: cron runs it after the gap.
                expect([`${h}:${mi}`, "3:30"], `${tz} ${run.toISOString()}`).to.include(`${h}:${mi}`);
                expect(new Intl.DateTimeFormat("en-US", { timeZone: tz, weekday: "short" }).format(run)).to.equal("Sun");
            }
        }
    });
});
