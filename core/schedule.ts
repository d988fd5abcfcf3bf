/**
 * Schedule expressions as Systems Manager accepts them, and when they really run.
 *
 * Sources: Systems Manager user guide, "Reference: Cron and rate expressions for Systems Manager"
 * (cron fields and wildcards as EventBridge's, "Cron expressions reference"; schedule offsets;
 * `at(...)` one-off runs; State Manager does not support months in association cron expressions;
 * association frequencies: every 30 minutes or every 1, 2, 4, 8 or 12 hours, daily, weekly, or a
 * weekday of the month); botocore SSM `ScheduleExpression` (1–256 chars), `ScheduleOffset` (1–6),
 * `MaintenanceWindowSchedule`; rate limits: at least 30 minutes and less than 31 days, `1 hour`
 * singular, `2 hours` plural.
 *
 * Plain TypeScript, no Pulumi and no SDK: the config model, the review, the release calendar and
 * Lambdas all use it.
 */
import { memo } from "./memo";

export type ParsedSchedule =
    | { kind: "cron"; expression: string; fields: CronFields; hasSeconds: boolean }
    | { kind: "rate"; expression: string; value: number; unit: "minute" | "hour" | "day"; minutes: number }
    | { kind: "at"; expression: string; at: Date };

/** The parsed fields of a cron expression, each as the set of values it matches. */
export interface CronFields {
    minutes: number[];
    hours: number[];
    /** Day-of-month rule; `any` for `?`. */
    dayOfMonth: DomRule;
    months: number[];
    /** Day-of-week rule (1 = Sunday … 7 = Saturday); `any` for `?`. */
    dayOfWeek: DowRule;
    /** Allowed years, or `undefined` for every year. */
    years?: number[];
    /** The raw fields (minute, hour, dom, month, dow, year), for rule checks. */
    raw: [string, string, string, string, string, string];
}

type DomRule = { kind: "any" } | { kind: "days"; days: number[] } | { kind: "last"; offset: number } | { kind: "lastWeekday" } | { kind: "nearestWeekday"; day: number };
type DowRule = { kind: "any" } | { kind: "days"; days: number[] } | { kind: "nth"; day: number; nth: number } | { kind: "last"; day: number };

export class ScheduleError extends Error {}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Parses one value (number or name) of a field. */
function value(token: string, min: number, max: number, names: string[] | undefined, field: string): number {
    const upper = token.toUpperCase();
    const named = names ? names.indexOf(upper) : -1;
    const n = named >= 0 ? named + 1 : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
        throw new ScheduleError(`${field} value "${token}" is out of range ${min}–${max}${names ? ` (or ${names[0]}–${names[names.length - 1]})` : ""}`);
    }
    return n;
}

/** Expands `*`, `a`, `a-b`, `a/s`, `a-b/s`, `* /s` and comma lists into the sorted set of values. */
function expand(spec: string, min: number, max: number, names: string[] | undefined, field: string): number[] {
    const out = new Set<number>();
    for (const part of spec.split(",")) {
        if (part === "") throw new ScheduleError(`${field} has an empty list element`);
        const [range, stepText] = part.split("/");
        if (part.split("/").length > 2) throw new ScheduleError(`${field} "${part}" has more than one /`);
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`${field} step "${stepText}" must be a positive whole number`);
        let lo: number;
        let hi: number;
        if (range === "*") [lo, hi] = [min, max];
        else if (range.includes("-")) {
            const [a, b] = range.split("-");
            [lo, hi] = [value(a, min, max, names, field), value(b, min, max, names, field)];
            if (lo > hi) throw new ScheduleError(`${field} range "${range}" runs backwards`);
        } else {
            lo = value(range, min, max, names, field);
            hi = stepText === undefined ? lo : max;
        }
        for (let v = lo; v <= hi; v += step) out.add(v);
    }
    return [...out].sort((a, b) => a - b);
}

function parseDom(spec: string): DomRule {
    if (spec === "?") return { kind: "any" };
    if (spec === "L") return { kind: "last", offset: 0 };
    const lastOffset = /^L-(\d{1,2})$/.exec(spec);
    if (lastOffset) return { kind: "last", offset: value(lastOffset[1], 0, 30, undefined, "day-of-month") };
    if (spec === "LW") return { kind: "lastWeekday" };
    const w = /^(\d{1,2})W$/.exec(spec);
    if (w) return { kind: "nearestWeekday", day: value(w[1], 1, 31, undefined, "day-of-month") };
    return { kind: "days", days: expand(spec, 1, 31, undefined, "day-of-month") };
}

function parseDow(spec: string): DowRule {
    if (spec === "?") return { kind: "any" };
    const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(spec);
    if (nth) {
        const n = Number(nth[2]);
        if (n < 1 || n > 5) throw new ScheduleError(`day-of-week "${spec}": the # occurrence must be 1–5`);
        return { kind: "nth", day: value(nth[1], 1, 7, DAYS, "day-of-week"), nth: n };
    }
    if (spec.includes("#")) throw new ScheduleError(`day-of-week "${spec}": # takes one day and one occurrence (e.g. TUE#2); lists are not allowed with #`);
    if (spec === "L") return { kind: "days", days: [7] };
    const last = /^([A-Za-z]{3}|\d)L$/.exec(spec);
    if (last) return { kind: "last", day: value(last[1], 1, 7, DAYS, "day-of-week") };
    return { kind: "days", days: expand(spec, 1, 7, DAYS, "day-of-week") };
}

/**
 * Parses `cron(...)`, `rate(...)` or `at(...)`. Cron takes six fields (minutes, hours,
 * day-of-month, month, day-of-week, year) or seven with a leading seconds field, which must be 0.
 * Throws {@link ScheduleError} explaining what is wrong.
 */
export function parseSchedule(expression: string): ParsedSchedule {
    if (typeof expression !== "string" || expression.length < 1 || expression.length > 256) {
        throw new ScheduleError("a schedule expression is 1–256 characters (botocore ScheduleExpression)");
    }
    const m = /^(cron|rate|at)\((.*)\)$/.exec(expression.trim());
    if (!m) throw new ScheduleError('must be cron(...), rate(...) or at(...), e.g. "cron(0 2 ? * SUN *)" or "rate(1 day)"');
    const [, kind, body] = m;
    if (kind === "rate") {
        const r = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
        if (!r) throw new ScheduleError('rate takes "<number> <minute(s)|hour(s)|day(s)>", e.g. rate(30 minutes), rate(1 day)');
        const n = Number(r[1]);
        const unit = r[2].replace(/s$/, "") as "minute" | "hour" | "day";
        if (n < 1) throw new ScheduleError("the rate value must be a positive whole number");
        if (n === 1 && r[2].endsWith("s")) throw new ScheduleError(`use the singular unit for 1: rate(1 ${unit})`);
        if (n > 1 && !r[2].endsWith("s")) throw new ScheduleError(`use the plural unit for ${n}: rate(${n} ${unit}s)`);
        const minutes = n * (unit === "minute" ? 1 : unit === "hour" ? 60 : 1440);
        return { kind: "rate", expression, value: n, unit, minutes };
    }
    if (kind === "at") {
        const a = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
        if (!a) throw new ScheduleError("at takes a UTC timestamp yyyy-mm-ddThh:mm:ss, e.g. at(2026-12-08T02:00:00)");
        const [y, mo, d, h, mi, s] = a.slice(1).map(Number);
        const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
        if (at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new ScheduleError(`at(${body}) is not a real date and time`);
        return { kind: "at", expression, at };
    }
    const parts = body.trim().split(/\s+/);
    let hasSeconds = false;
    if (parts.length === 7) {
        if (parts[0] !== "0") throw new ScheduleError("the optional leading seconds field must be 0");
        parts.shift();
        hasSeconds = true;
    }
    if (parts.length !== 6) {
        throw new ScheduleError(`cron takes 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}: e.g. cron(0 2 ? * SUN *)`);
    }
    const [mi, h, dom, mo, dow, yr] = parts;
    if ((dom === "?") === (dow === "?")) {
        throw new ScheduleError('exactly one of day-of-month and day-of-week must be "?" (e.g. cron(0 2 ? * SUN *) or cron(0 2 1 * ? *))');
    }
    const fields: CronFields = {
        minutes: expand(mi, 0, 59, undefined, "minutes"),
        hours: expand(h, 0, 23, undefined, "hours"),
        dayOfMonth: parseDom(dom),
        months: expand(mo, 1, 12, MONTHS, "month"),
        dayOfWeek: parseDow(dow),
        years: yr === "*" ? undefined : expand(yr, 1970, 2199, undefined, "year"),
        raw: [mi, h, dom, mo, dow, yr],
    };
    return { kind: "cron", expression, fields, hasSeconds };
}

function problemsOf(fn: () => string[]): string[] {
    try {
        return fn();
    } catch (err) {
        if (err instanceof ScheduleError) return [err.message];
        throw err;
    }
}

function rateProblems(s: Extract<ParsedSchedule, { kind: "rate" }>): string[] {
    if (s.minutes < 30) return [`a rate must be at least 30 minutes, got ${s.expression}`];
    if (s.minutes >= 31 * 1440) return [`a rate must be less than 31 days, got ${s.expression}`];
    return [];
}

/** Problems with `expression` as a State Manager association schedule (empty when valid). */
export function associationScheduleProblems(expression: string): string[] {
    return problemsOf(() => {
        const s = parseSchedule(expression);
        if (s.kind === "rate") return rateProblems(s);
        if (s.kind === "at") return [];
        const [mi, h, , mo, , yr] = s.fields.raw;
        const problems: string[] = [];
        if (!["*", "1/1", "*/1"].includes(mo)) problems.push(`associations do not support months in cron expressions: use * in the month field, got "${mo}"`);
        if (yr !== "*") problems.push(`associations run every year: use * in the year field, got "${yr}"`);
        const single = (f: string) => /^\d{1,2}$/.test(f);
        const halfHour = ["0/30", "*/30"].includes(mi) && ["*", "0/1", "*/1"].includes(h);
        const everyNHours = single(mi) && (h === "*" || /^(\*|0)\/(1|2|4|8|12)$/.test(h));
        const atTime = single(mi) && single(h);
        if (!halfHour && !everyNHours && !atTime) {
            problems.push(
                `associations run every 30 minutes (cron(0/30 * * * ? *)), every 1, 2, 4, 8 or 12 hours (cron(0 0/4 * * ? *)), or at one time of day (cron(0 2 ? * SUN *)); got minutes "${mi}" hours "${h}"`,
            );
        }
        return problems;
    });
}

/** Problems with `expression` as a maintenance window schedule (empty when valid). */
export function maintenanceWindowScheduleProblems(expression: string): string[] {
    return problemsOf(() => {
        const s = parseSchedule(expression);
        return s.kind === "rate" ? rateProblems(s) : [];
    });
}

/**
 * Problems with `expression` as an EventBridge Scheduler schedule (empty when valid). EventBridge
 * Scheduler user guide, "Schedule types on EventBridge Scheduler": `cron(minutes hours
 * day-of-month month day-of-week year)` — exactly six fields, no seconds —, `rate(value unit)`
 * with a unit of minute(s), hour(s) or day(s), and one-time `at(yyyy-mm-ddThh:mm:ss)`.
 */
export function schedulerScheduleProblems(expression: string): string[] {
    return problemsOf(() => {
        const s = parseSchedule(expression);
        if (s.kind === "cron" && s.hasSeconds) {
            return ["EventBridge Scheduler cron takes exactly 6 fields (minutes hours day-of-month month day-of-week year), without seconds (maintenance windows allow a seconds field, Scheduler does not)"];
        }
        return [];
    });
}

/**
 * Problems with `expression` as an EventBridge rule schedule (empty when valid). EventBridge user
 * guide, "Creating a rule that runs on a schedule": `cron(...)` with six fields or `rate(...)`;
 * rules have no one-time `at(...)` (that is EventBridge Scheduler).
 */
export function eventBridgeRuleScheduleProblems(expression: string): string[] {
    return problemsOf(() => {
        const s = parseSchedule(expression);
        if (s.kind === "at") return ["EventBridge rules take cron(...) or rate(...), not at(...) (one-time schedules are EventBridge Scheduler's)"];
        if (s.kind === "cron" && s.hasSeconds) return ["EventBridge rule cron expressions have 6 fields (no seconds field)"];
        return [];
    });
}

/** The schedule dialects this program sends, each with its own grammar. */
export const SCHEDULE_DIALECTS = {
    /** State Manager associations (CreateAssociation ScheduleExpression). */
    stateManager: { label: "State Manager association schedule", problems: associationScheduleProblems },
    /** Maintenance windows (CreateMaintenanceWindow Schedule): cron with 6 or 7 fields, rate, at. */
    maintenanceWindow: { label: "maintenance window schedule", problems: maintenanceWindowScheduleProblems },
    /** EventBridge Scheduler (CreateSchedule ScheduleExpression). */
    scheduler: { label: "EventBridge Scheduler expression", problems: schedulerScheduleProblems },
    /** EventBridge rules (PutRule ScheduleExpression). */
    eventBridgeRule: { label: "EventBridge rule schedule", problems: eventBridgeRuleScheduleProblems },
} as const;
export type ScheduleDialect = keyof typeof SCHEDULE_DIALECTS;

// Kept per process (core/memo.ts): the runtime's time zone data does not change while it runs,
// building an `Intl.DateTimeFormat` costs far more than using one, and a review asks the same
// zones and instants again in every section.
const timeZones = new Map<string, boolean>();
/** Whether `tz` is an IANA time zone this runtime knows (maintenance windows' ScheduleTimezone). */
export function isTimeZone(tz: string): boolean {
    return memo(timeZones, tz, () => {
        try {
            new Intl.DateTimeFormat("en-US", { timeZone: tz });
            return tz.length > 0 && !/^[+-]/.test(tz);
        } catch {
            return false;
        }
    });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
/** Offset of `tz` from UTC at `instant`, in milliseconds. */
function tzOffset(instant: number, tz: string): number {
    return memo(offsets, `${tz} ${instant}`, () => {
        const f = memo(formatters, tz, () => new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }));
        const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
        const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
        return asUtc - Math.floor(instant / 1000) * 1000;
    });
}

/** The UTC instant of a wall-clock time in `tz` (a skipped DST time moves forward, like cron does). */
export function zonedTimeToUtc(y: number, monthIndex0: number, d: number, h: number, mi: number, tz: string): Date {
    const guess = Date.UTC(y, monthIndex0, d, h, mi);
    if (tz === "UTC" || tz === "Etc/UTC") return new Date(guess);
    const first = guess - tzOffset(guess, tz);
    const second = guess - tzOffset(first, tz);
    // In a DST gap the wall-clock time does not exist: `second` would land before it; take `first`,
    // which is the same wall-clock distance after the gap.
    return new Date(second + tzOffset(second, tz) === guess ? second : first);
}

/** The local calendar date of `instant` in `tz`. */
function localDate(instant: Date, tz: string): { y: number; m: number; d: number } {
    const shifted = new Date(instant.getTime() + (tz === "UTC" ? 0 : tzOffset(instant.getTime(), tz)));
    return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth(), d: shifted.getUTCDate() };
}

function daysInMonth(y: number, m: number): number {
    return new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
}
/** 1 = Sunday … 7 = Saturday. */
function weekday(y: number, m: number, d: number): number {
    return new Date(Date.UTC(y, m, d)).getUTCDay() + 1;
}

// The month's length and the weekday are computed only by the rules that read them: nextRuns asks
// these for every calendar day it walks.
function domMatches(rule: DomRule, y: number, m: number, d: number): boolean {
    switch (rule.kind) {
        case "any":
            return true;
        case "days":
            return rule.days.includes(d);
        case "last":
            return d === daysInMonth(y, m) - rule.offset;
        case "lastWeekday": {
            let t = daysInMonth(y, m);
            while ([1, 7].includes(weekday(y, m, t))) t--;
            return d === t;
        }
        case "nearestWeekday": {
            const last = daysInMonth(y, m);
            const target = Math.min(rule.day, last);
            const wd = weekday(y, m, target);
            let t = target;
            if (wd === 7) t = target === 1 ? target + 2 : target - 1;
            else if (wd === 1) t = target === last ? target - 2 : target + 1;
            return d === t;
        }
    }
}

function dowMatches(rule: DowRule, y: number, m: number, d: number): boolean {
    switch (rule.kind) {
        case "any":
            return true;
        case "days":
            return rule.days.includes(weekday(y, m, d));
        case "nth":
            return Math.ceil(d / 7) === rule.nth && weekday(y, m, d) === rule.day;
        case "last":
            return d + 7 > daysInMonth(y, m) && weekday(y, m, d) === rule.day;
    }
}

export interface NextRunsOptions {
    /** Runs strictly after this instant. */
    from: Date;
    /** How many runs at most. */
    count: number;
    /** IANA time zone the cron fields are read in. @default UTC */
    timezone?: string;
    /** Days to wait after each cron occurrence (ScheduleOffset, 1–6). @default 0 */
    offsetDays?: number;
    /** Stop at this instant. @default from + 5 years */
    until?: Date;
}

/**
 * When a schedule runs next. Cron fields are read in `timezone`; with `offsetDays` each run is
 * that many days after its cron occurrence, at the same wall-clock time, and — as the service
 * documents — an occurrence already past is not run even if its offset day is still ahead. A rate
 * runs every interval from `from` (in AWS: from when the association was created).
 */
export function nextRuns(expression: string, options: NextRunsOptions): Date[] {
    const s = parseSchedule(expression);
    const from = options.from.getTime();
    const until = (options.until ?? new Date(from + 5 * 366 * 86400000)).getTime();
    if (s.kind === "at") return s.at.getTime() > from && s.at.getTime() <= until && options.count > 0 ? [s.at] : [];
    if (s.kind === "rate") {
        const out: Date[] = [];
        for (let t = from + s.minutes * 60000; out.length < options.count && t <= until; t += s.minutes * 60000) out.push(new Date(t));
        return out;
    }
    const tz = options.timezone ?? "UTC";
    const offset = options.offsetDays ?? 0;
    const f = s.fields;
    const out: Date[] = [];
    let { y, m, d } = localDate(options.from, tz);
    let last = daysInMonth(y, m);
    // Walk local calendar days; each matching day yields its hours × minutes.
    for (let guard = 0; out.length < options.count && guard < 366 * 6; guard++) {
        if ((!f.years || f.years.includes(y)) && f.months.includes(m + 1) && domMatches(f.dayOfMonth, y, m, d) && dowMatches(f.dayOfWeek, y, m, d)) {
            for (const h of f.hours) {
                for (const mi of f.minutes) {
                    const occurrence = zonedTimeToUtc(y, m, d, h, mi, tz);
                    if (occurrence.getTime() <= from) continue;
                    const run = offset === 0 ? occurrence : zonedTimeToUtc(y, m, d + offset, h, mi, tz);
                    if (run.getTime() > until) return out;
                    out.push(run);
                    if (out.length === options.count) return out;
                }
            }
        }
        // The next calendar day, by arithmetic: a Date per day walked was most of this loop's cost.
        if (d < last) d++;
        else {
            d = 1;
            m = (m + 1) % 12;
            if (m === 0) y++;
            last = daysInMonth(y, m);
        }
        if (Date.UTC(y, m, d) - 86400000 * 2 > until) break;
    }
    return out;
}

/** Patch Tuesday (Microsoft's monthly release): the second Tuesday of the month, as a UTC date. */
export function patchTuesday(year: number, monthIndex0: number): Date {
    const firstWeekday = new Date(Date.UTC(year, monthIndex0, 1)).getUTCDay(); // 0 = Sunday
    const firstTuesday = 1 + ((2 - firstWeekday + 7) % 7);
    return new Date(Date.UTC(year, monthIndex0, firstTuesday + 7));
}

const runFormatters = new Map<string, Intl.DateTimeFormat>();
const UTC_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * `Tue 2026-12-08 02:00 UTC` (or the given zone's wall clock). In UTC, the default (every release
 * calendar judgement and its messages), the fields are read from the Date itself: what the en-GB
 * Intl format prints from year 1 on (tests/scheduleMemo.test.ts compares them), without Intl's
 * formatToParts, about 30 times dearer and called for every cycle a calendar judges.
 */
export function formatRun(run: Date, timezone = "UTC"): string {
    // Stryker disable next-line all: a shortcut to what the Intl path below prints; skipping it prints the same.
    if (timezone === "UTC") {
        const year = run.getUTCFullYear();
        // Stryker disable next-line all: as above (years before 1 and NaN take the Intl path, which names the era or throws).
        if (year >= 1) {
            return `${UTC_WEEKDAYS[run.getUTCDay()]} ${year}-${two(run.getUTCMonth() + 1)}-${two(run.getUTCDate())} ${two(run.getUTCHours())}:${two(run.getUTCMinutes())} UTC`;
        }
    }
    const format = memo(runFormatters, timezone, () => new Intl.DateTimeFormat("en-GB", { timeZone: timezone, weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }));
    const parts = Object.fromEntries(format.formatToParts(run).map((p) => [p.type, p.value]));
    return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timezone}`;
}
