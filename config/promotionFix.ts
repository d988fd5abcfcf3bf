/**
 * The fix the promotion-order check ({@link checkPromotionOrder} in config/changeSafety.ts)
 * suggests when a later stage (prod) can install before the earlier stage (dev) plus
 * `minDaysAfter`.
 *
 * A suggestion is never computed by arithmetic on cron fields (that once produced `TUE#6`, which
 * no cron accepts: `#` names the nth instance of a weekday within a month — EventBridge user guide,
 * "Cron expressions reference" (`3#2`, the second Tuesday), which the Systems Manager cron
 * reference follows — and a month has at most five; the Quartz grammar these expressions come
 * from rejects anything but 1–5. core/schedule.ts `parseSchedule` holds the rule).
 * It is found by trying monthly install schedules on the release calendar the check itself uses
 * (core/calendar.ts `cycleOrders`) over {@link PROOF_MONTHS} months. Every candidate
 * ({@link promotionFixCandidates}) is one the schedule grammars of every install path that takes a
 * schedule offset accept (core/schedule.ts `SCHEDULE_DIALECTS`: State Manager associations and
 * maintenance windows, and EventBridge Scheduler for those without an offset), with an offset that
 * is a botocore `ScheduleOffset` (tests/promotionFix.test.ts checks each). So every
 * suggested schedule is valid and keeps the order in every release cycle; when none does, the
 * result says so, with the longest gap monthly schedules can keep.
 *
 * Candidates, all at 02:00 UTC: Patch Tuesday + 0–20 days (`TUE#2`–`TUE#4` with a schedule offset,
 * as a patch policy's `patchTuesdayPlusDays` compiles), the first Tuesday + 0–6 days (the week
 * before the next Patch Tuesday) and days 1–28 and `L` of the month.
 */
import { computeCalendar, CycleDefinition, cycleOrders, ScheduleSource } from "../core/calendar";
import { patchTuesdayOccurrence } from "./patchPolicies";
import { SCHEDULE_OFFSET_MAX } from "./rules";

/** Months a suggestion is proven over: the longest horizon `changeSafety.calendarMonths` allows. */
export const PROOF_MONTHS = 36;

/** Patch Tuesday + N days, the latest N every month has (`TUE#4` + 6 days; patchTuesdayPlusDays 0–20). */
const MAX_PATCH_TUESDAY_PLUS_DAYS = 20;

const DAY_MS = 86400000;

/**
 * The least gap a suggestion keeps, even with `minDaysAfter` 0: the check accepts both stages at
 * the same moment, but a later stage installing together with the earlier one proves nothing.
 */
export const MIN_SUGGESTED_GAP_DAYS = 1;

/** A schedule the fix suggests: what an association or maintenance window takes. */
export interface SuggestedSchedule {
    /** A cron expression in UTC. */
    expression: string;
    /** ScheduleOffset (days after each cron occurrence), when one is needed. */
    offsetDays?: number;
    /** What it means, e.g. `Patch Tuesday + 16 days at 02:00 UTC`. */
    meaning: string;
}

/** Days from the earlier stage's first install of a cycle to the later stage's, over the proof horizon. */
export interface GapRange {
    min: number;
    max: number;
}

/**
 * - `later`: the earlier stage's schedules stay; the later stage's installs take `later`.
 * - `both`: the earlier stage's installs leave no room (or do not install in every cycle); both change.
 * - `none`: no candidate pair keeps `minDaysAfter` in every cycle. `best` is the pair with the longest
 *   gap kept in every cycle (`maxDaysAfter` whole days), and `shortestCycleDays` the shortest release
 *   cycle of the horizon: a gap of that many days or more fits no monthly schedule at all.
 */
/**
 * The later stage's schedule without a schedule offset, for install paths that take none
 * (EventBridge Scheduler: `multiAccount.schedules`); given when the suggested `later` has an offset.
 */
export interface WithoutOffset {
    later: SuggestedSchedule;
    gap: GapRange;
}

export type PromotionFix =
    | { kind: "later"; later: SuggestedSchedule; gap: GapRange; withoutOffset?: WithoutOffset }
    | { kind: "both"; earlier: SuggestedSchedule; later: SuggestedSchedule; gap: GapRange; withoutOffset?: WithoutOffset }
    | { kind: "none"; shortestCycleDays: number; best?: { earlier?: SuggestedSchedule; later: SuggestedSchedule; gap: GapRange; maxDaysAfter: number } };

export interface PromotionFixInput {
    /** The earlier stage (`promotion.after`). */
    earlier: string;
    /** This stack. */
    later: string;
    minDaysAfter: number;
    /** The earlier stage's schedules (only its installs count). */
    earlierSources: ScheduleSource[];
    now: Date;
    cycle: CycleDefinition;
}

function plural(n: number, unit: string): string {
    return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** Patch Tuesday + `days` at 02:00 UTC, the way a patch policy's patchTuesdayPlusDays compiles it. */
function patchTuesdayPlus(days: number): SuggestedSchedule {
    const { nth, offsetDays } = patchTuesdayOccurrence(days);
    return { expression: `cron(0 2 ? * TUE#${nth} *)`, offsetDays: offsetDays > 0 ? offsetDays : undefined, meaning: `Patch Tuesday + ${plural(days, "day")} at 02:00 UTC` };
}

/** The later stage's candidates, in order of preference when two are equally early. */
function laterCandidates(): SuggestedSchedule[] {
    const out: SuggestedSchedule[] = [];
    for (let days = 1; days <= MAX_PATCH_TUESDAY_PLUS_DAYS; days++) out.push(patchTuesdayPlus(days));
    for (let offset = 0; offset <= SCHEDULE_OFFSET_MAX; offset++) {
        out.push({ expression: "cron(0 2 ? * TUE#1 *)", offsetDays: offset > 0 ? offset : undefined, meaning: `the first Tuesday of the month + ${plural(offset, "day")} at 02:00 UTC, ${plural(7 - offset, "day")} before the next Patch Tuesday` });
    }
    // Patch Tuesday + 0 at 02:00 UTC comes before that day's release: the last moment of the previous cycle.
    out.push({ ...patchTuesdayPlus(0), meaning: "Patch Tuesday at 02:00 UTC, hours before that day's release: the end of the previous cycle" });
    for (let day = 1; day <= 28; day++) out.push({ expression: `cron(0 2 ${day} * ? *)`, meaning: `day ${day} of every month at 02:00 UTC` });
    out.push({ expression: "cron(0 2 L * ? *)", meaning: "the last day of every month at 02:00 UTC" });
    return out;
}

/** The earlier stage's candidates when its own schedules leave no room: soon after the release. */
function earlierCandidates(): SuggestedSchedule[] {
    // Patch Tuesday + 0 at 02:00 UTC counts only where a cycle starts before 02:00 UTC (cycle.time).
    return [patchTuesdayPlus(2), patchTuesdayPlus(1), patchTuesdayPlus(0)];
}

/** Every schedule the fix may suggest: for the earlier stage (in order of preference) and for the later one. */
export function promotionFixCandidates(): { earlier: SuggestedSchedule[]; later: SuggestedSchedule[] } {
    return { earlier: earlierCandidates(), later: laterCandidates() };
}

/** Internal stack names of the candidates on the shared calendar (never shown). */
const KEPT = "\u0000kept";
const earlierName = (i: number) => `\u0000earlier${i}`;
const laterName = (i: number) => `\u0000later${i}`;

/**
 * Finds the fix: first a later-stage schedule that keeps the order with the earlier stage's own
 * installs, then a pair of schedules, else `none` with the best pair there is. Every schedule
 * returned installs in every release cycle of {@link PROOF_MONTHS} months from `now`, and the
 * later one at least `minDaysAfter` days (and {@link MIN_SUGGESTED_GAP_DAYS}) after the earlier
 * stage's first install of that cycle (by `cycleOrders`, the check's own judgement).
 */
export function suggestPromotionFix(input: PromotionFixInput): PromotionFix {
    const laters = laterCandidates();
    const earliers = earlierCandidates();
    const source = (stack: string, s: SuggestedSchedule): ScheduleSource => ({ stack, source: stack, operation: "install", expression: s.expression, offsetDays: s.offsetDays });
    const calendar = computeCalendar(
        [
            ...input.earlierSources.filter((s) => s.operation === "install").map((s) => ({ ...s, stack: KEPT })),
            ...earliers.map((s, i) => source(earlierName(i), s)),
            ...laters.map((s, i) => source(laterName(i), s)),
        ],
        { from: input.now, months: PROOF_MONTHS, cycle: input.cycle },
    );
    const runsOf = new Map<string, typeof calendar.runs>();
    for (const run of calendar.runs) {
        const list = runsOf.get(run.stack);
        if (list) list.push(run);
        else runsOf.set(run.stack, [run]);
    }

    /**
     * The gaps of a pair when the later installs in every cycle, `minDays` or more after the earlier; else undefined.
     * `total` is their sum: every pair is judged over the same cycles (the horizon always has some), so it orders pairs as their mean does.
     */
    const judge = (earlier: string, later: string, minDays: number): (GapRange & { total: number }) | undefined => {
        const pair = { ...calendar, runs: [...(runsOf.get(earlier) ?? []), ...(runsOf.get(later) ?? [])] };
        const orders = cycleOrders(pair, { earlier, later, minDaysAfter: minDays });
        const gaps: number[] = [];
        for (const o of orders) {
            if (!o.later || !o.earlier || o.problem) return undefined;
            gaps.push((o.later.at.getTime() - o.earlier.at.getTime()) / DAY_MS);
        }
        return { min: Math.min(...gaps), max: Math.max(...gaps), total: gaps.reduce((a, b) => a + b, 0) };
    };
    /** The earliest later candidate (smallest mean gap, so smallest total) that keeps `minDays` after `earlier`. */
    const earliestAfter = (earlier: string, minDays: number, withOffset = true) => {
        let best: { later: SuggestedSchedule; gap: GapRange & { total: number } } | undefined;
        laters.forEach((later, i) => {
            if (!withOffset && later.offsetDays !== undefined) return;
            const gap = judge(earlier, laterName(i), minDays);
            if (gap && (!best || gap.total < best.gap.total)) best = { later, gap };
        });
        return best;
    };
    /** The range as the message shows it (hundredths of a day). */
    const strip = (gap: GapRange): GapRange => ({ min: Math.round(gap.min * 100) / 100, max: Math.round(gap.max * 100) / 100 });
    const need = Math.max(input.minDaysAfter, MIN_SUGGESTED_GAP_DAYS);
    /** The fix for the later stage after `earlier`, with an offset-free alternative when the fix has an offset. */
    const fixAfter = (earlier: string) => {
        const found = earliestAfter(earlier, need);
        if (!found) return undefined;
        const plain = found.later.offsetDays === undefined ? undefined : earliestAfter(earlier, need, false);
        return { later: found.later, gap: strip(found.gap), ...(plain ? { withoutOffset: { later: plain.later, gap: strip(plain.gap) } } : {}) };
    };

    const kept = fixAfter(KEPT);
    if (kept) return { kind: "later", ...kept };
    for (const [i, earlier] of earliers.entries()) {
        const pair = fixAfter(earlierName(i));
        if (pair) return { kind: "both", earlier, ...pair };
    }

    // Nothing keeps minDaysAfter: the pair with the longest gap kept in every cycle.
    let best: Extract<PromotionFix, { kind: "none" }>["best"];
    const consider = (earlierStack: string, earlier: SuggestedSchedule | undefined) => {
        laters.forEach((later, i) => {
            const gap = judge(earlierStack, laterName(i), 0);
            // Whole days from the exact gap: 26.999 days keeps 26, not the 27 it shows as.
            if (gap && (!best || Math.floor(gap.min) > best.maxDaysAfter)) best = { earlier, later, gap: strip(gap), maxDaysAfter: Math.floor(gap.min) };
        });
    };
    consider(KEPT, undefined);
    earliers.forEach((earlier, i) => consider(earlierName(i), earlier));
    const shortestCycleDays = Math.min(...calendar.cycles.map((c) => (c.end.getTime() - c.start.getTime()) / DAY_MS));
    return { kind: "none", shortestCycleDays: Math.round(shortestCycleDays * 100) / 100, best };
}

/** `cron(0 2 ? * TUE#4 *) with scheduleOffset 2 (Patch Tuesday + 16 days at 02:00 UTC)`. */
export function describeSuggestion(s: SuggestedSchedule): string {
    return `${s.expression}${s.offsetDays ? ` with scheduleOffset ${s.offsetDays}` : ""} (${s.meaning})`;
}

function gapText(gap: GapRange): string {
    return gap.min === gap.max ? `${gap.min} day(s)` : `${gap.min}–${gap.max} day(s)`;
}

function withoutOffsetText(fix: { withoutOffset?: WithoutOffset }): string {
    const w = fix.withoutOffset;
    return w ? ` Where a schedule takes no offset (EventBridge Scheduler: multiAccount.schedules), use ${describeSuggestion(w.later)}: ${gapText(w.gap)} after.` : "";
}

/** The "Fix: …" sentence of the promotion-order issue. */
export function promotionFixText(fix: PromotionFix, names: { earlier: string; later: string; minDaysAfter: number }): string {
    const { earlier, later, minDaysAfter } = names;
    const proof = `checked over the next ${PROOF_MONTHS} months`;
    if (fix.kind === "later") {
        return `Fix: keep ${earlier}'s schedules and give ${later}'s install(s) ${describeSuggestion(fix.later)}: ${later} then installs ${gapText(fix.gap)} after ${earlier} in every release cycle (${proof}).${withoutOffsetText(fix)}`;
    }
    if (fix.kind === "both") {
        return (
            `Fix: no monthly schedule of ${later} keeps ${minDaysAfter} day(s) after ${earlier}'s installs in every release cycle (they leave too little room, or miss cycles); ` +
            `install ${earlier} on ${describeSuggestion(fix.earlier)} and ${later} on ${describeSuggestion(fix.later)}: ${later} then installs ${gapText(fix.gap)} after ${earlier} in every cycle (${proof}).${withoutOffsetText(fix)}`
        );
    }
    const why =
        minDaysAfter >= fix.shortestCycleDays
            ? `No single monthly schedule can keep ${later} ${minDaysAfter} day(s) after ${earlier}: ${later}'s first install of a release cycle is compared with ${earlier}'s first install of the same cycle, and the shortest cycle in the next ${PROOF_MONTHS} months lasts ${fix.shortestCycleDays} days (from one Patch Tuesday release to the next).`
            : `None of the monthly schedules tried (Patch Tuesday + N days, the week before the next Patch Tuesday, a day of the month, at 02:00 UTC) keeps ${later} ${minDaysAfter} day(s) after ${earlier} in every release cycle of the next ${PROOF_MONTHS} months.`;
    if (!fix.best) return `${why} Lower promotion.minDaysAfter, or hold ${later}'s install with changeSafety.approvalGate until the patches have soaked long enough.`;
    const pair = fix.best.earlier ? `${earlier} on ${describeSuggestion(fix.best.earlier)} and ${later} on ${describeSuggestion(fix.best.later)}` : `${earlier}'s schedules with ${later} on ${describeSuggestion(fix.best.later)}`;
    return (
        `${why} The longest gap kept in every cycle is ${fix.best.maxDaysAfter} day(s) (${pair}: ${gapText(fix.best.gap)}). ` +
        `Fix: lower promotion.minDaysAfter to ${fix.best.maxDaysAfter} or less and use those schedules, or hold ${later}'s install with changeSafety.approvalGate until the patches have soaked long enough.`
    );
}
