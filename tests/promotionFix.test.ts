/**
 * The fix the promotion-order check suggests (config/promotionFix.ts, used by checkPromotionOrder):
 * every schedule it names is one the project's schedule grammar accepts for associations and
 * maintenance windows, and really keeps the later stage `minDaysAfter` days after the earlier one
 * in every release cycle; when no monthly schedule can, it says so. Judged here from the
 * definitions — runs from `nextRuns` (core/schedule.ts), cycles from Patch Tuesday's release
 * moment (`cycleStart`), the rule as docs/change-safety.md states it — not from the fix's own
 * search. Regression: minDaysAfter above 21 used to suggest `TUE#6`, which no cron accepts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { checkPromotionOrder, ChangeSafetyConfig } from "../config/changeSafety";
import { IssueSink } from "../config/issues";
import { describeSuggestion, PROOF_MONTHS, PromotionFix, promotionFixCandidates, promotionFixText, suggestPromotionFix, SuggestedSchedule } from "../config/promotionFix";
import { addMonths, CycleDefinition, cycleStart, DEFAULT_CYCLE, ScheduleSource } from "../core/calendar";
import { nextRuns, parseSchedule, SCHEDULE_DIALECTS } from "../core/schedule";

const DAY = 86400000;
/** `FUZZ_RUNS=500 npx mocha tests/promotionFix.test.ts` runs the property that many times with a fresh seed. */
const FUZZ_RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
const NOW = new Date("2026-12-01T00:00:00Z");

type Schedule = Pick<ScheduleSource, "expression" | "offsetDays" | "timezone">;
const install = (stack: string, expression: string, extra: Partial<ScheduleSource> = {}): ScheduleSource => ({ stack, source: `${stack} install`, operation: "install", expression, ...extra });
/** dev as the shipped stacks install it: Patch Tuesday + 2 days, 02:00 UTC. */
const DEV = [install("dev", "cron(0 2 ? * TUE#2 *)", { offsetDays: 2 })];

/** Problems with a suggested schedule, by the project's grammars and botocore's ScheduleOffset 1–6. */
function scheduleProblems(s: Schedule): string[] {
    const problems = [...SCHEDULE_DIALECTS.stateManager.problems(s.expression), ...SCHEDULE_DIALECTS.maintenanceWindow.problems(s.expression)];
    // Without an offset it is also offered for EventBridge Scheduler (multiAccount.schedules).
    if (s.offsetDays === undefined) problems.push(...SCHEDULE_DIALECTS.scheduler.problems(s.expression));
    const parsed = parseSchedule(s.expression);
    if (parsed.kind !== "cron") problems.push(`${s.expression} is not a cron expression`);
    // The # occurrence of a weekday: a month has at most five of each (EventBridge "Cron expressions reference").
    const nth = /#(\d+)/.exec(s.expression);
    if (nth && (Number(nth[1]) < 1 || Number(nth[1]) > 5)) problems.push(`${s.expression}: # occurrence ${nth[1]}`);
    if (s.offsetDays !== undefined && !(Number.isInteger(s.offsetDays) && s.offsetDays >= 1 && s.offsetDays <= 6)) problems.push(`offset ${s.offsetDays}`);
    return problems;
}

interface CycleFacts {
    start: Date;
    end: Date;
    earlier?: Date;
    later?: Date;
}

/**
 * For every release cycle starting in the horizon (Patch Tuesday's release moment to the next),
 * the first run of each stage inside it, runs counted from `now` as the services run them.
 */
function cycleFacts(earlier: Schedule[], later: Schedule[], now: Date, months: number, def: CycleDefinition): CycleFacts[] {
    const horizon = addMonths(now, months);
    const cycles: { start: Date; end: Date }[] = [];
    for (let k = -1; k <= months + 1; k++) {
        const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1));
        const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
        const start = cycleStart(month.getUTCFullYear(), month.getUTCMonth(), def);
        if (start.getTime() >= now.getTime() && start.getTime() < horizon.getTime()) cycles.push({ start, end: cycleStart(next.getUTCFullYear(), next.getUTCMonth(), def) });
    }
    const until = cycles[cycles.length - 1].end;
    const runs = (list: Schedule[]) => list.flatMap((s) => nextRuns(s.expression, { from: now, count: 100000, timezone: s.timezone, offsetDays: s.offsetDays, until }));
    const first = (list: Date[], c: { start: Date; end: Date }) =>
        list.filter((r) => r.getTime() >= c.start.getTime() && r.getTime() < c.end.getTime()).sort((a, b) => a.getTime() - b.getTime())[0];
    const e = runs(earlier);
    const l = runs(later);
    return cycles.map((c) => ({ ...c, earlier: first(e, c), later: first(l, c) }));
}

/** Why the later stage does not install in every cycle at least `minDays` after the earlier one (empty: it does). */
function orderProblems(facts: CycleFacts[], minDays: number): string[] {
    return facts.flatMap((f) => {
        if (!f.later) return [`no later install in the cycle of ${f.start.toISOString()}`];
        if (!f.earlier) return [`no earlier install in the cycle of ${f.start.toISOString()}`];
        const gap = (f.later.getTime() - f.earlier.getTime()) / DAY;
        return gap < minDays ? [`only ${gap} day(s) in the cycle of ${f.start.toISOString()}`] : [];
    });
}

/** What the fix asks the earlier stage to run: its own installs, or the suggested schedule. */
const earlierOf = (fix: { earlier?: SuggestedSchedule } | { kind: "later" }, own: ScheduleSource[]): Schedule[] =>
    "earlier" in fix && fix.earlier ? [fix.earlier] : own.filter((s) => s.operation === "install");

const fixFor = (minDaysAfter: number, earlierSources = DEV, now = NOW, cycle = DEFAULT_CYCLE) => suggestPromotionFix({ earlier: "dev", later: "prod", minDaysAfter, earlierSources, now, cycle });

/** The issue checkPromotionOrder reports for prod on the second Sunday (an inversion in most cycles). */
function issueFor(minDaysAfter: number, earlierSources = DEV): string {
    const sink = new IssueSink();
    const cs = { cycle: DEFAULT_CYCLE, calendarMonths: 12, displayTimezone: "UTC" } as ChangeSafetyConfig;
    checkPromotionOrder(sink, "patching:changeSafety.promotion", {
        stack: "prod",
        promotion: { after: "dev", minDaysAfter, strategy: "calendar" },
        cs,
        sources: [install("prod", "cron(0 2 ? * SUN#2 *)")],
        earlierSources,
        now: NOW,
    });
    expect(sink.issues, "the inversion is reported").to.have.length(1);
    return sink.issues[0].message;
}

/** Every cron in a message passes the project's association grammar (the old bug wrote TUE#6). */
function cronsIn(message: string): string[] {
    return [...message.matchAll(/cron\([^)]*\)/g)].map((m) => m[0]);
}

/** The shortest release cycle starting in the horizon, in days. */
function shortestCycleDays(now: Date, def: CycleDefinition): number {
    return Math.min(...cycleFacts([], [], now, PROOF_MONTHS, def).map((c) => (c.end.getTime() - c.start.getTime()) / DAY));
}

function expectKeepsOrder(fix: PromotionFix, minDays: number, earlierSources = DEV, now = NOW, cycle = DEFAULT_CYCLE): void {
    if (fix.kind === "none") throw new Error(`expected a fix for ${minDays} day(s), got none`);
    for (const s of [fix.later, ...(fix.kind === "both" ? [fix.earlier] : [])]) expect(scheduleProblems(s), describeSuggestion(s)).to.deep.equal([]);
    const facts = cycleFacts(earlierOf(fix, earlierSources), [fix.later], now, PROOF_MONTHS, cycle);
    expect(facts.length).to.be.greaterThan(PROOF_MONTHS - 2);
    expect(orderProblems(facts, minDays), describeSuggestion(fix.later)).to.deep.equal([]);
    if (fix.withoutOffset) {
        const plain = fix.withoutOffset.later;
        expect(plain.offsetDays).to.equal(undefined);
        expect(scheduleProblems(plain), describeSuggestion(plain)).to.deep.equal([]);
        expect(orderProblems(cycleFacts(earlierOf(fix, earlierSources), [plain], now, PROOF_MONTHS, cycle), minDays), describeSuggestion(plain)).to.deep.equal([]);
    }
}

describe("promotion order: the fix it suggests (config/promotionFix.ts)", () => {
    describe("boundary cases, dev on Patch Tuesday + 2 days", () => {
        for (const n of [0, 7, 14, 21, 22]) {
            it(`minDaysAfter ${n}: dev keeps its schedule, prod gets a valid schedule at least ${n} day(s) (and a day) after dev in every cycle`, () => {
                const fix = fixFor(n);
                expect(fix.kind).to.equal("later");
                expectKeepsOrder(fix, Math.max(n, 1));
            });
        }

        it("minDaysAfter 22: the issue names the verified schedule, and every cron it writes is valid (it used to write TUE#6)", () => {
            const fix = fixFor(22);
            const message = issueFor(22);
            expect(fix.kind).to.equal("later");
            if (fix.kind === "later") expect(message).to.contain(describeSuggestion(fix.later));
            // Its offset does not fit EventBridge Scheduler; the message gives the offset-free schedule too.
            if (fix.kind === "later" && fix.later.offsetDays !== undefined) expect(message).to.contain(`Where a schedule takes no offset (EventBridge Scheduler: multiAccount.schedules), use ${describeSuggestion(fix.withoutOffset!.later)}`);
            for (const cron of cronsIn(message)) expect(SCHEDULE_DIALECTS.stateManager.problems(cron), cron).to.deep.equal([]);
            expect(message).not.to.match(/#([06-9]|\d\d)/);
        });

        it("minDaysAfter 27: dev's Patch Tuesday + 2 leaves too little room; both schedules change, and keep 27 days in every cycle", () => {
            const fix = fixFor(27);
            expect(fix.kind).to.equal("both");
            expectKeepsOrder(fix, 27);
            expect(issueFor(27)).to.contain("Fix: no monthly schedule of prod keeps 27 day(s) after dev's installs in every release cycle");
        });

        for (const n of [28, 35, 60]) {
            it(`minDaysAfter ${n}: no monthly schedule can (a release cycle is shorter than ${n} days); the message says so and offers the longest gap there is`, () => {
                const fix = fixFor(n);
                expect(fix.kind).to.equal("none");
                if (fix.kind !== "none") return;
                // Impossible, not merely not found: dev installs after a cycle's release, prod before the next one.
                const shortest = shortestCycleDays(NOW, DEFAULT_CYCLE);
                expect(shortest).to.be.at.most(n);
                expect(fix.shortestCycleDays).to.be.closeTo(shortest, 0.01);
                // The best pair is valid, keeps the days it claims, and is within a day of the bound.
                const best = fix.best!;
                expect(best.maxDaysAfter).to.be.below(n).and.at.least(Math.floor(shortest) - 1);
                for (const s of [best.later, ...(best.earlier ? [best.earlier] : [])]) expect(scheduleProblems(s)).to.deep.equal([]);
                expect(orderProblems(cycleFacts(earlierOf(best, DEV), [best.later], NOW, PROOF_MONTHS, DEFAULT_CYCLE), best.maxDaysAfter)).to.deep.equal([]);
                // What it offers as the most that fits is a minDaysAfter it can then satisfy.
                expectKeepsOrder(fixFor(best.maxDaysAfter), best.maxDaysAfter);

                const message = issueFor(n);
                expect(message).to.contain(`No single monthly schedule can keep prod ${n} day(s) after dev`);
                expect(message).to.contain(`lower promotion.minDaysAfter to ${best.maxDaysAfter} or less`);
                for (const cron of cronsIn(message)) expect(SCHEDULE_DIALECTS.stateManager.problems(cron), cron).to.deep.equal([]);
            });
        }

        it("claims impossibility only for a gap no release cycle can hold; otherwise says only that none of the schedules tried fits", () => {
            const fix = fixFor(35);
            if (fix.kind !== "none") throw new Error("expected none");
            const names = { earlier: "dev", later: "prod" };
            // A gap shorter than the shortest cycle that the candidates missed (a cycle starting at another hour, say).
            const missed = promotionFixText({ ...fix, shortestCycleDays: 27.96 }, { ...names, minDaysAfter: 27 });
            expect(missed).to.match(/^None of the monthly schedules tried .* keeps prod 27 day\(s\) after dev in every release cycle of the next 36 months\./);
            expect(missed).not.to.contain("No single monthly schedule");
            expect(promotionFixText({ ...fix, shortestCycleDays: 27.96 }, { ...names, minDaysAfter: 28 })).to.match(/^No single monthly schedule can keep prod 28 day\(s\) after dev: .* lasts 27.96 days/);
            // Without even a best pair, the advice stands on its own.
            expect(promotionFixText({ kind: "none", shortestCycleDays: 27.96 }, { ...names, minDaysAfter: 28 })).to.match(/ Lower promotion\.minDaysAfter, or hold prod's install with changeSafety\.approvalGate/);
        });

        it("a dev stage that never installs, or installs only some months: both stages get a schedule", () => {
            const fix = fixFor(7, [install("dev", "cron(0 3 * * ? *)", { operation: "scan" })]);
            expect(fix.kind).to.equal("both");
            expectKeepsOrder(fix, 7, []);
            // The fifth Wednesday: only some months have one.
            const someMonths = [install("dev", "cron(0 2 ? * WED#5 *)")];
            const fifth = fixFor(7, someMonths);
            expect(fifth.kind).to.equal("both");
            expectKeepsOrder(fifth, 7, someMonths);
        });

        it("dev installing late in the cycle (fourth Tuesday, Tokyo time) is kept when prod still fits before the next release", () => {
            const tokyo = [install("dev", "cron(0 2 ? * TUE#4 *)", { timezone: "Asia/Tokyo" })];
            const fix = fixFor(7, tokyo);
            expect(fix.kind).to.equal("later");
            expectKeepsOrder(fix, 7, tokyo);
        });
    });

    describe("property: every suggestion is a valid schedule that keeps the order, over minDaysAfter, schedules and dates", () => {
        const day = fc.constantFrom("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
        const time = fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }));
        const zone = fc.constantFrom(undefined, "UTC", "America/New_York", "Asia/Tokyo", "Europe/Berlin");
        /** An earlier-stage install schedule, as the config sections produce them. */
        const devInstall = fc
            .oneof(
                fc.record({ t: time, d: day, nth: fc.integer({ min: 1, max: 5 }), offset: fc.integer({ min: 0, max: 6 }) }).map(({ t, d, nth, offset }) => ({ expression: `cron(${t[0]} ${t[1]} ? * ${d}#${nth} *)`, offsetDays: offset || undefined })),
                fc.record({ t: time, d: day }).map(({ t, d }) => ({ expression: `cron(${t[0]} ${t[1]} ? * ${d} *)` })),
                fc.record({ t: time, dom: fc.integer({ min: 1, max: 31 }) }).map(({ t, dom }) => ({ expression: `cron(${t[0]} ${t[1]} ${dom} * ? *)` })),
                time.map((t) => ({ expression: `cron(${t[0]} ${t[1]} * * ? *)` })),
            )
            .chain((s) => zone.map((timezone) => install("dev", s.expression, { ...s, timezone })));
        const cycle = fc.constantFrom<CycleDefinition>(DEFAULT_CYCLE, { time: "00:00", timezone: "UTC" }, { time: "09:30", timezone: "Europe/Berlin" });
        const now = fc.date({ min: new Date("2025-01-01T00:00:00Z"), max: new Date("2031-12-31T00:00:00Z"), noInvalidDate: true });

        it("valid by the project's grammars; the later stage installs in every cycle, minDaysAfter after the earlier; 'none' only when true", () => {
            fc.assert(
                fc.property(fc.integer({ min: 0, max: 60 }), fc.array(devInstall, { maxLength: 2 }), now, cycle, (minDaysAfter, earlierSources, from, def) => {
                    const fix = fixFor(minDaysAfter, earlierSources, from, def);
                    if (fix.kind !== "none") {
                        expectKeepsOrder(fix, Math.max(minDaysAfter, 1), earlierSources, from, def);
                        return;
                    }
                    const shortest = shortestCycleDays(from, def);
                    expect(fix.shortestCycleDays).to.be.closeTo(shortest, 0.01);
                    // With Microsoft's release time the search misses nothing: only a gap no cycle can hold is refused.
                    if (def === DEFAULT_CYCLE) expect(minDaysAfter).to.be.at.least(Math.floor(shortest));
                    if (fix.best) {
                        expect(fix.best.maxDaysAfter).to.be.below(minDaysAfter);
                        for (const s of [fix.best.later, ...(fix.best.earlier ? [fix.best.earlier] : [])]) expect(scheduleProblems(s)).to.deep.equal([]);
                        expect(orderProblems(cycleFacts(earlierOf(fix.best, earlierSources), [fix.best.later], from, PROOF_MONTHS, def), fix.best.maxDaysAfter)).to.deep.equal([]);
                    }
                }),
                FUZZ_RUNS ? { numRuns: FUZZ_RUNS } : { numRuns: 25, seed: 20261202 },
            );
        });
    });
});

/**
 * The release calendar of the proof horizon from NOW, by hand: Patch Tuesday is the second Tuesday
 * of the month (core/calendar.ts), released at 10:00 Pacific time. The cycles judged are those
 * released from NOW (2026-12-01) up to 36 months later: Patch Tuesdays 2026-12-08 … 2029-11-13, the
 * last one ending at 2029-12-11's release.
 */
function secondTuesday(year: number, monthIndex0: number): Date {
    const weekdayOfFirst = new Date(Date.UTC(year, monthIndex0, 1)).getUTCDay();
    return new Date(Date.UTC(year, monthIndex0, 1 + ((9 - weekdayOfFirst) % 7) + 7));
}
const PATCH_TUESDAYS = Array.from({ length: PROOF_MONTHS + 1 }, (_, k) => secondTuesday(2026, 11 + k));
const JUDGED = PATCH_TUESDAYS.slice(0, PROOF_MONTHS);
/** Day of the month of each judged Patch Tuesday, and the length of each cycle in whole days (28 or 35). */
const PT_DAYS = JUDGED.map((d) => d.getUTCDate());
const CYCLE_WEEKS = JUDGED.map((d, i) => (PATCH_TUESDAYS[i + 1].getTime() - d.getTime()) / DAY / 7);

/** The meaning of Patch Tuesday + 0 at 02:00 UTC, the last moment of a cycle (before that day's 10:00 Pacific release). */
const END_OF_CYCLE: SuggestedSchedule = { expression: "cron(0 2 ? * TUE#2 *)", meaning: "Patch Tuesday at 02:00 UTC, hours before that day's release: the end of the previous cycle" };
/** A fix as JSON shows it: keys set to undefined are absent (an offset of 0 is not). */
const asJson = <T>(fix: T): T => JSON.parse(JSON.stringify(fix)) as T;

const PT_PLUS_1: SuggestedSchedule = { expression: "cron(0 2 ? * TUE#2 *)", offsetDays: 1, meaning: "Patch Tuesday + 1 day at 02:00 UTC" };

describe("promotion order: which schedule the fix names, the gap it states, and its message (dev on Patch Tuesday + 2 days, 02:00 UTC)", () => {
    it("the horizon's calendar, as the cases below use it: Patch Tuesday on the 8th to the 14th, cycles of four and five weeks", () => {
        expect(JUDGED[0].toISOString().slice(0, 10)).to.equal("2026-12-08");
        expect(JUDGED[PROOF_MONTHS - 1].toISOString().slice(0, 10)).to.equal("2029-11-13");
        expect(Math.min(...PT_DAYS)).to.equal(8);
        expect(Math.max(...PT_DAYS)).to.equal(14);
        expect([...new Set(CYCLE_WEEKS)].sort()).to.deep.equal([4, 5]);
    });

    it("minDaysAfter 0 still asks a day: prod on Patch Tuesday + 3 (an offset), and day 17 where no offset is taken", () => {
        const fix = fixFor(0);
        expect(asJson(fix)).to.deep.include({ kind: "later", later: { expression: "cron(0 2 ? * TUE#2 *)", offsetDays: 3, meaning: "Patch Tuesday + 3 days at 02:00 UTC" }, gap: { min: 1, max: 1 } });
        // Without an offset: the first day of the month at least a day after Patch Tuesday + 2 in every
        // month is 14 + 3 = 17; it is 17 - 8 - 2 = 7 days after dev when Patch Tuesday is the 8th. On
        // average (Patch Tuesday's mean date is after the 10th) it comes before the third Tuesday (5 days after dev).
        expect(PT_DAYS.reduce((a, b) => a + b, 0) / PT_DAYS.length).to.be.above(10);
        expect(fix.kind === "later" && asJson(fix).withoutOffset).to.deep.equal({ later: { expression: "cron(0 2 17 * ? *)", meaning: "day 17 of every month at 02:00 UTC" }, gap: { min: 1, max: 7 } });
        // (prod on the second Sunday keeps a 0-day order with dev, so the check itself reports nothing here.)
        const message = promotionFixText(fix, { earlier: "dev", later: "prod", minDaysAfter: 0 });
        expect(message).to.contain(
            "Fix: keep dev's schedules and give prod's install(s) cron(0 2 ? * TUE#2 *) with scheduleOffset 3 (Patch Tuesday + 3 days at 02:00 UTC): prod then installs 1 day(s) after dev in every release cycle (checked over the next 36 months).",
        );
        expect(message).to.contain("Where a schedule takes no offset (EventBridge Scheduler: multiAccount.schedules), use cron(0 2 17 * ? *) (day 17 of every month at 02:00 UTC): 1–7 day(s) after.");
    });

    it("minDaysAfter 5: the third Tuesday, five days after dev in every cycle; it needs no offset, so no alternative is given", () => {
        const fix = fixFor(5);
        expect(asJson(fix)).to.deep.equal({ kind: "later", later: { expression: "cron(0 2 ? * TUE#3 *)", meaning: "Patch Tuesday + 7 days at 02:00 UTC" }, gap: { min: 5, max: 5 } });
        const message = issueFor(5);
        expect(message).to.contain("give prod's install(s) cron(0 2 ? * TUE#3 *) (Patch Tuesday + 7 days at 02:00 UTC): prod then installs 5 day(s) after dev");
        expect(message).to.match(/in every release cycle \(checked over the next 36 months\)\.$/);
    });

    it("minDaysAfter 18: Patch Tuesday + 20 (the fourth Tuesday + 6), the latest Patch Tuesday + N; without an offset the first Tuesday of the next month", () => {
        const fix = fixFor(18);
        expect(asJson(fix)).to.deep.include({ kind: "later", later: { expression: "cron(0 2 ? * TUE#4 *)", offsetDays: 6, meaning: "Patch Tuesday + 20 days at 02:00 UTC" }, gap: { min: 18, max: 18 } });
        // The first Tuesday is 7 days before the next Patch Tuesday: 28 - 7 - 2 = 19 or 35 - 7 - 2 = 26 days after dev.
        expect(fix.kind === "later" && asJson(fix).withoutOffset).to.deep.equal({
            later: { expression: "cron(0 2 ? * TUE#1 *)", meaning: "the first Tuesday of the month + 0 days at 02:00 UTC, 7 days before the next Patch Tuesday" },
            gap: { min: 19, max: 26 },
        });
    });

    it("minDaysAfter 19: the first Tuesday of the next month, with no offset and no alternative", () => {
        expect(asJson(fixFor(19))).to.deep.equal({
            kind: "later",
            later: { expression: "cron(0 2 ? * TUE#1 *)", meaning: "the first Tuesday of the month + 0 days at 02:00 UTC, 7 days before the next Patch Tuesday" },
            gap: { min: 19, max: 26 },
        });
    });

    it("minDaysAfter 22 and 25: the first Tuesday + 3 and + 6 (the day before the next Patch Tuesday); without an offset, the end of the cycle", () => {
        const plain = { later: END_OF_CYCLE, gap: { min: 26, max: 33 } };
        expect(asJson(fixFor(22))).to.deep.equal({
            kind: "later",
            later: { expression: "cron(0 2 ? * TUE#1 *)", offsetDays: 3, meaning: "the first Tuesday of the month + 3 days at 02:00 UTC, 4 days before the next Patch Tuesday" },
            gap: { min: 22, max: 29 },
            withoutOffset: plain,
        });
        expect(asJson(fixFor(25))).to.deep.equal({
            kind: "later",
            later: { expression: "cron(0 2 ? * TUE#1 *)", offsetDays: 6, meaning: "the first Tuesday of the month + 6 days at 02:00 UTC, 1 day before the next Patch Tuesday" },
            gap: { min: 25, max: 32 },
            withoutOffset: plain,
        });
        expect(issueFor(25)).to.contain(
            "give prod's install(s) cron(0 2 ? * TUE#1 *) with scheduleOffset 6 (the first Tuesday of the month + 6 days at 02:00 UTC, 1 day before the next Patch Tuesday): prod then installs 25–32 day(s) after dev",
        );
    });

    it("minDaysAfter 27: dev moves to Patch Tuesday + 1 and prod to the end of the cycle, 27 or 34 days later", () => {
        expect(asJson(fixFor(27))).to.deep.equal({ kind: "both", earlier: PT_PLUS_1, later: END_OF_CYCLE, gap: { min: 27, max: 34 } });
        expect(issueFor(27)).to.contain(
            "install dev on cron(0 2 ? * TUE#2 *) with scheduleOffset 1 (Patch Tuesday + 1 day at 02:00 UTC) and prod on cron(0 2 ? * TUE#2 *) (Patch Tuesday at 02:00 UTC, hours before that day's release: the end of the previous cycle): prod then installs 27–34 day(s) after dev in every cycle (checked over the next 36 months).",
        );
    });

    it("minDaysAfter 28: no monthly schedule can (2029-02-13 to 2029-03-13 lasts 28 days less the DST hour); the longest gap is dev on Patch Tuesday + 1, prod at the end of the cycle", () => {
        const fix = fixFor(28);
        // Released 2029-02-13 18:00 UTC (PST) and 2029-03-13 17:00 UTC (PDT from 2029-03-11): 27.96 days.
        expect(secondTuesday(2029, 1).toISOString().slice(0, 10)).to.equal("2029-02-13");
        expect(secondTuesday(2029, 2).toISOString().slice(0, 10)).to.equal("2029-03-13");
        expect(asJson(fix)).to.deep.equal({ kind: "none", shortestCycleDays: 27.96, best: { earlier: PT_PLUS_1, later: END_OF_CYCLE, gap: { min: 27, max: 34 }, maxDaysAfter: 27 } });
        const message = issueFor(28);
        expect(message).to.contain("the shortest cycle in the next 36 months lasts 27.96 days");
        expect(message).to.contain(
            "The longest gap kept in every cycle is 27 day(s) (dev on cron(0 2 ? * TUE#2 *) with scheduleOffset 1 (Patch Tuesday + 1 day at 02:00 UTC) and prod on cron(0 2 ? * TUE#2 *) (Patch Tuesday at 02:00 UTC, hours before that day's release: the end of the previous cycle): 27–34 day(s)).",
        );
    });

    it("minDaysAfter 28 with dev already on Patch Tuesday + 1: the longest gap keeps dev's own schedules", () => {
        const dev = [install("dev", "cron(0 2 ? * TUE#2 *)", { offsetDays: 1 })];
        expect(asJson(fixFor(28, dev))).to.deep.equal({ kind: "none", shortestCycleDays: 27.96, best: { later: END_OF_CYCLE, gap: { min: 27, max: 34 }, maxDaysAfter: 27 } });
        expect(issueFor(28, dev)).to.contain(
            "The longest gap kept in every cycle is 27 day(s) (dev's schedules with prod on cron(0 2 ? * TUE#2 *) (Patch Tuesday at 02:00 UTC, hours before that day's release: the end of the previous cycle): 27–34 day(s)).",
        );
    });

    it("the earliest schedule that fits, not the first one tried: dev on day 20 gets prod on day 21, dev on day 27 prod on day 28", () => {
        // Patch Tuesday + 13 would also fit after day 20 (Patch Tuesday on the 8th: the 21st), but is up to 7 days later.
        const day20 = [install("dev", "cron(0 2 20 * ? *)")];
        expect(asJson(fixFor(1, day20))).to.deep.equal({ kind: "later", later: { expression: "cron(0 2 21 * ? *)", meaning: "day 21 of every month at 02:00 UTC" }, gap: { min: 1, max: 1 } });
        expect(issueFor(1, day20)).to.contain("give prod's install(s) cron(0 2 21 * ? *) (day 21 of every month at 02:00 UTC): prod then installs 1 day(s) after dev");
        // Day 28, the last day every month has (the last day itself is the 28th to the 31st: 1–4 days).
        const day27 = [install("dev", "cron(0 2 27 * ? *)")];
        expect(asJson(fixFor(1, day27))).to.deep.equal({ kind: "later", later: { expression: "cron(0 2 28 * ? *)", meaning: "day 28 of every month at 02:00 UTC" }, gap: { min: 1, max: 1 } });
    });

    it("a gap exactly as long as the shortest cycle cannot be kept either: the message says no monthly schedule can", () => {
        const message = promotionFixText({ kind: "none", shortestCycleDays: 28 }, { earlier: "dev", later: "prod", minDaysAfter: 28 });
        expect(message).to.match(/^No single monthly schedule can keep prod 28 day\(s\) after dev: .* lasts 28 days/);
    });

    it("every candidate is a schedule each install path accepts, and its meaning names the time it runs", () => {
        const { earlier, later } = promotionFixCandidates();
        expect(earlier.map((s) => s.meaning)).to.deep.equal(["Patch Tuesday + 2 days at 02:00 UTC", "Patch Tuesday + 1 day at 02:00 UTC", "Patch Tuesday + 0 days at 02:00 UTC"]);
        // Patch Tuesday + 1–20, the first Tuesday + 0–6, the end of the cycle, days 1–28 and the last day.
        expect(later).to.have.length(20 + 7 + 1 + 28 + 1);
        for (const s of [...earlier, ...later]) {
            expect(scheduleProblems(s), describeSuggestion(s)).to.deep.equal([]);
            const fields = /^cron\((\d+) (\d+) /.exec(s.expression);
            expect(fields, s.expression).not.to.equal(null);
            expect(s.meaning, s.expression).to.contain(`at ${fields![2].padStart(2, "0")}:${fields![1].padStart(2, "0")} UTC`);
        }
        expect(later.filter((s) => s.expression === "cron(0 2 L * ? *)").map((s) => s.meaning)).to.deep.equal(["the last day of every month at 02:00 UTC"]);
    });
});
