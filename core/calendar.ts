/**
 * The release calendar: when every scan, install and maintenance window of every stack really
 * runs over the next months, grouped by Patch Tuesday release cycle, and whether a later stage
 * (prod) can install before the earlier stage (dev) of the same cycle has.
 *
 * Definitions (the README's "Safe rollout" section repeats them):
 * - **Release cycle k** starts at the release moment of month k's Patch Tuesday — the second
 *   Tuesday of the month at {@link CycleDefinition.time} in {@link CycleDefinition.timezone}
 *   (default 10:00 America/Los_Angeles, when Microsoft publishes, i.e. 17:00 or 18:00 UTC
 *   depending on US daylight saving time) — and ends where cycle k+1 starts. Its id is `YYYY-MM`.
 *   An install at 02:00 UTC on Patch Tuesday itself therefore belongs to the *previous* cycle:
 *   it runs before that month's patches exist.
 * - **Runs** come from {@link nextRuns} in core/schedule.ts: cron fields are read in the source's
 *   time zone (maintenance windows' ScheduleTimezone; State Manager associations are UTC), with
 *   the schedule offset (days after the cron occurrence) applied in that zone.
 * - **Inversion**: for a cycle that starts inside the horizon, let `E` be the first install of
 *   the earlier stage at or after the cycle start and `L` the later stage's first. The order is
 *   inverted when `L` exists and `E` does not, when `L` is before `E`, or when `L` is less than
 *   `minDaysAfter` days after `E`. Cycles that started before `from` are not judged (their first
 *   runs are in the past).
 *
 * Plain TypeScript, no Pulumi, no SDK: the config model, the review and the Lambdas use it.
 */
import { formatRun, nextRuns, patchTuesday, zonedTimeToUtc } from "./schedule";

/** What a schedule does. Maintenance windows that run an install task are `install` sources. */
export type ScheduleOperation = "scan" | "install" | "window";

/** One schedule of one stack. */
export interface ScheduleSource {
    /** Stack (stage) the schedule belongs to, e.g. `dev`. */
    stack: string;
    /** What defines it, e.g. `patchPolicies[0] (dev-weekly) install` or `maintenanceWindows[1]`. */
    source: string;
    operation: ScheduleOperation;
    /** cron(...), rate(...) or at(...) as the service takes it. */
    expression: string;
    /** IANA zone the cron fields are read in. @default UTC */
    timezone?: string;
    /** Days after each cron occurrence (ScheduleOffset 1–6). @default 0 */
    offsetDays?: number;
    /** Hours each run lasts (a maintenance window's Duration); absent for a run that is a moment (an association). */
    durationHours?: number;
}

/** Where a release cycle starts: Patch Tuesday at this wall-clock time in this zone. */
export interface CycleDefinition {
    /** `HH:MM`, 24-hour. @default "10:00" */
    time: string;
    /** IANA zone of `time`. @default "America/Los_Angeles" */
    timezone: string;
}

/** Microsoft's monthly release: Patch Tuesday, 10:00 Pacific time. */
export const DEFAULT_CYCLE: CycleDefinition = { time: "10:00", timezone: "America/Los_Angeles" };

export interface ReleaseCycle {
    /** `YYYY-MM` of the Patch Tuesday that opens the cycle. */
    id: string;
    /** Patch Tuesday of the cycle as a UTC date (midnight). */
    patchTuesday: Date;
    /** Release moment that opens the cycle. */
    start: Date;
    /** Release moment of the next cycle (exclusive end). */
    end: Date;
}

/** One run of one schedule, with the cycle it falls in. */
export interface CalendarRun {
    stack: string;
    source: string;
    operation: ScheduleOperation;
    at: Date;
    /** Cycle id (`YYYY-MM`). */
    cycle: string;
}

/** The release moment of the Patch Tuesday of `year`/`monthIndex0`. */
export function cycleStart(year: number, monthIndex0: number, def: CycleDefinition = DEFAULT_CYCLE): Date {
    const pt = patchTuesday(year, monthIndex0);
    const [h, m] = def.time.split(":").map(Number);
    return zonedTimeToUtc(pt.getUTCFullYear(), pt.getUTCMonth(), pt.getUTCDate(), h, m, def.timezone);
}

function cycleAt(year: number, monthIndex0: number, def: CycleDefinition): ReleaseCycle {
    const next = new Date(Date.UTC(year, monthIndex0 + 1, 1));
    return {
        id: `${year}-${String(monthIndex0 + 1).padStart(2, "0")}`,
        patchTuesday: patchTuesday(year, monthIndex0),
        start: cycleStart(year, monthIndex0, def),
        end: cycleStart(next.getUTCFullYear(), next.getUTCMonth(), def),
    };
}

/** The release cycle an instant falls in. */
export function cycleOf(instant: Date, def: CycleDefinition = DEFAULT_CYCLE): ReleaseCycle {
    let y = instant.getUTCFullYear();
    let m = instant.getUTCMonth();
    // The cycle of this calendar month starts mid-month: before it, the previous month's runs.
    if (instant.getTime() < cycleStart(y, m, def).getTime()) {
        const prev = new Date(Date.UTC(y, m - 1, 1));
        [y, m] = [prev.getUTCFullYear(), prev.getUTCMonth()];
    }
    return cycleAt(y, m, def);
}

/** Every cycle overlapping `[from, until)`, in order. */
export function cyclesBetween(from: Date, until: Date, def: CycleDefinition = DEFAULT_CYCLE): ReleaseCycle[] {
    const out: ReleaseCycle[] = [];
    let c = cycleOf(from, def);
    while (c.start.getTime() < until.getTime()) {
        out.push(c);
        const next = new Date(Date.UTC(c.patchTuesday.getUTCFullYear(), c.patchTuesday.getUTCMonth() + 1, 1));
        c = cycleAt(next.getUTCFullYear(), next.getUTCMonth(), def);
    }
    return out;
}

export interface CalendarOptions {
    /** Runs strictly after this instant. */
    from: Date;
    /** Horizon in months. @default 12 */
    months?: number;
    /** @default DEFAULT_CYCLE */
    cycle?: CycleDefinition;
}

export interface Calendar {
    from: Date;
    /** End of the horizon (from + months). */
    until: Date;
    /** Cycles that start inside the horizon (the ones judged for inversions). */
    cycles: ReleaseCycle[];
    /** Every run of every source up to the end of the last judged cycle, in time order. */
    runs: CalendarRun[];
    /** Sources whose expression could not be evaluated, with why. */
    problems: { source: ScheduleSource; message: string }[];
    sources: ScheduleSource[];
    cycleDefinition: CycleDefinition;
}

/** Adds `months` calendar months to an instant (UTC), clamping the day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(d: Date, months: number): Date {
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + months;
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
}

/** Computes every run of every source over the horizon and groups them by release cycle. */
export function computeCalendar(sources: ScheduleSource[], options: CalendarOptions): Calendar {
    const def = options.cycle ?? DEFAULT_CYCLE;
    const until = addMonths(options.from, options.months ?? 12);
    const cycles = cyclesBetween(options.from, until, def).filter((c) => c.start.getTime() >= options.from.getTime());
    // Runs up to the end of the last judged cycle, so its first installs are known.
    const runsUntil = cycles.length > 0 ? cycles[cycles.length - 1].end : until;
    const all = cyclesBetween(options.from, runsUntil, def);
    const cycleId = (at: Date): string => {
        for (let i = all.length - 1; i >= 0; i--) if (at.getTime() >= all[i].start.getTime()) return all[i].id;
        return all[0].id;
    };
    const runs: CalendarRun[] = [];
    const problems: Calendar["problems"] = [];
    for (const s of sources) {
        try {
            // Bounded: even a 30-minute rate over 13 months is < 20 000 runs.
            for (const at of nextRuns(s.expression, { from: options.from, count: 20000, timezone: s.timezone, offsetDays: s.offsetDays, until: runsUntil })) {
                if (at.getTime() >= runsUntil.getTime()) break;
                runs.push({ stack: s.stack, source: s.source, operation: s.operation, at, cycle: cycleId(at) });
            }
        } catch (err) {
            problems.push({ source: s, message: err instanceof Error ? err.message : String(err) });
        }
    }
    runs.sort((a, b) => a.at.getTime() - b.at.getTime() || a.stack.localeCompare(b.stack) || a.source.localeCompare(b.source));
    return { from: options.from, until, cycles, runs, problems, sources, cycleDefinition: def };
}

/** "prod installs only after dev has, in every cycle" (and optionally N days after). */
export interface PromotionRule {
    /** The stage that installs first, e.g. `dev`. */
    earlier: string;
    /** The stage that follows, e.g. `prod`. */
    later: string;
    /** Minimum days between the earlier stage's first install and the later's. @default 0 */
    minDaysAfter?: number;
}

export interface CycleOrder {
    cycle: ReleaseCycle;
    earlier?: CalendarRun;
    later?: CalendarRun;
    /** Days from the earlier stage's first install to the later's (negative: later first). */
    gapDays?: number;
    /** Why the order breaks the rule; undefined when it holds. */
    problem?: string;
}

/** The first install of `stack` at or after the cycle start, inside the cycle. */
export function firstInstall(runs: CalendarRun[], stack: string, cycle: ReleaseCycle): CalendarRun | undefined {
    return runs.find((r) => r.stack === stack && r.operation === "install" && r.at.getTime() >= cycle.start.getTime() && r.at.getTime() < cycle.end.getTime());
}

const DAY_MS = 86400000;

/** Judges every cycle of the calendar against the rule; see the module comment for the definition. */
export function cycleOrders(calendar: Calendar, rule: PromotionRule): CycleOrder[] {
    const minDays = rule.minDaysAfter ?? 0;
    return calendar.cycles.map((cycle) => {
        const earlier = firstInstall(calendar.runs, rule.earlier, cycle);
        const later = firstInstall(calendar.runs, rule.later, cycle);
        const out: CycleOrder = { cycle, earlier, later };
        if (earlier && later) out.gapDays = Math.round(((later.at.getTime() - earlier.at.getTime()) / DAY_MS) * 100) / 100;
        if (!later) return out;
        if (!earlier) {
            out.problem = `${rule.later} installs at ${formatRun(later.at)} (${later.source}) but ${rule.earlier} does not install in cycle ${cycle.id} (${formatRun(cycle.start)} – ${formatRun(cycle.end)})`;
        } else if (later.at.getTime() < earlier.at.getTime()) {
            out.problem = `${rule.later} installs at ${formatRun(later.at)} (${later.source}), before ${rule.earlier} at ${formatRun(earlier.at)} (${earlier.source})`;
        } else if (later.at.getTime() - earlier.at.getTime() < minDays * DAY_MS) {
            out.problem = `${rule.later} installs at ${formatRun(later.at)} (${later.source}), only ${out.gapDays} day(s) after ${rule.earlier} at ${formatRun(earlier.at)} (${earlier.source}); at least ${minDays} required`;
        }
        return out;
    });
}

/** The cycles whose order breaks the rule. */
export function findInversions(calendar: Calendar, rule: PromotionRule): CycleOrder[] {
    return cycleOrders(calendar, rule).filter((o) => o.problem !== undefined);
}

/** `Thu 2026-12-10 02:00 UTC` without the year-month repeated: `Thu 12-10 02:00`. */
function short(d: Date, timezone: string): string {
    const f = formatRun(d, timezone);
    return f.replace(/^(\w{3}) \d{4}-(\d{2}-\d{2}) (\d{2}:\d{2}) .*$/, "$1 $2 $3");
}

function pad(s: string, n: number): string {
    return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/**
 * Side-by-side text of a calendar: one row per release cycle with each stage's first install and
 * the gap, then each source's run count and next runs. `display` is the zone times are shown in.
 */
export function renderCalendar(calendar: Calendar, stacks: string[], rule?: PromotionRule, display = "UTC"): string[] {
    const lines: string[] = [];
    const def = calendar.cycleDefinition;
    lines.push(
        `Release cycles: each starts on Patch Tuesday (2nd Tuesday) at ${def.time} ${def.timezone}; times below in ${display}. Horizon ${formatRun(calendar.from, display)} – ${formatRun(calendar.until, display)}.`,
    );
    const orders = rule ? cycleOrders(calendar, rule) : [];
    const width = 17;
    lines.push(`${pad("cycle", 8)} ${pad("patch tuesday", 14)} ${stacks.map((s) => pad(`${s} install`, width)).join(" ")}${rule ? " gap      check" : ""}`.trimEnd());
    for (const cycle of calendar.cycles) {
        const cells = stacks.map((s) => {
            const r = firstInstall(calendar.runs, s, cycle);
            return pad(r ? short(r.at, display) : "—", width);
        });
        const order = orders.find((o) => o.cycle.id === cycle.id);
        const check = !rule ? "" : ` ${pad(order?.gapDays !== undefined ? `${order.gapDays >= 0 ? "+" : ""}${order.gapDays}d` : "—", 8)} ${order?.problem ? "✗ INVERTED" : order?.later ? "✓" : "· no install"}`;
        lines.push(`${pad(cycle.id, 8)} ${pad(formatRun(cycle.patchTuesday).slice(0, 14), 14)} ${cells.join(" ")}${check}`.trimEnd());
    }
    for (const o of orders.filter((x) => x.problem)) lines.push(`✗ cycle ${o.cycle.id}: ${o.problem}`);
    lines.push("Schedules:");
    for (const s of calendar.sources) {
        const runs = calendar.runs.filter((r) => r.stack === s.stack && r.source === s.source);
        const extra = [s.timezone && s.timezone !== "UTC" ? `tz ${s.timezone}` : "", s.offsetDays ? `offset +${s.offsetDays}d` : ""].filter(Boolean).join(", ");
        lines.push(
            `  ${pad(s.stack, 6)} ${pad(s.operation, 7)} ${s.source}: ${s.expression}${extra ? ` (${extra})` : ""} — ${runs.length} run(s); next ${runs
                .slice(0, 3)
                .map((r) => formatRun(r.at, display))
                .join(", ") || "none"}`,
        );
    }
    for (const p of calendar.problems) lines.push(`  ! ${p.source.stack} ${p.source.source}: ${p.message}`);
    return lines;
}

/** Options of {@link calendarGantt}. */
export interface GanttOptions {
    /** How many release cycles to draw (the text calendar lists them all). @default 3 */
    cycles?: number;
    /** Zone the wall-clock times are written in (and the title names). @default "UTC" */
    display?: string;
    /** Extra moments to mark in each cycle, e.g. the approval gate's requests. */
    markers?: { label: string; at: Date[] }[];
}

/** `2026-12-10 02:00` in `timezone`: the wall clock a Mermaid gantt reads with `dateFormat YYYY-MM-DD HH:mm`. */
function ganttTime(d: Date, timezone: string): string {
    return formatRun(d, timezone).replace(/^\w{3} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) .*$/, "$1");
}

/** A gantt task name: Mermaid ends a name at `:` and a statement at `;`, and `#` starts an entity. */
function ganttName(text: string): string {
    return text.replace(/[:;#]/g, " ").replace(/\s+/g, " ").trim();
}

/**
 * The calendar as a Mermaid gantt chart (GitHub renders `mermaid` code blocks): one section per
 * release cycle with the Patch Tuesday release as a milestone, each stage's installs (milestones
 * for associations, bars as long as the window for maintenance windows and orchestrators; a
 * later stage's install that breaks the promotion rule is marked `crit`), scans left out (daily
 * scans would drown the installs), and the given markers (the approval gate's requests).
 */
export function calendarGantt(calendar: Calendar, stacks: string[], rule?: PromotionRule, options: GanttOptions = {}): string[] {
    const display = options.display ?? "UTC";
    const cycles = calendar.cycles.slice(0, options.cycles ?? 3);
    const inverted = new Set(rule ? findInversions(calendar, rule).map((o) => o.cycle.id) : []);
    const duration = new Map(calendar.sources.map((s) => [`${s.stack}\u0000${s.source}`, s.durationHours]));
    const lines = [
        "gantt",
        `    title Release calendar ${stacks.join(" → ")} (times ${display})`,
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %m-%d",
        "    todayMarker off",
    ];
    let n = 0;
    for (const cycle of cycles) {
        lines.push(`    section ${cycle.id}`);
        lines.push(`    Patch Tuesday release :milestone, t${n++}, ${ganttTime(cycle.start, display)}, 0m`);
        for (const marker of options.markers ?? []) {
            for (const at of marker.at.filter((a) => a.getTime() >= cycle.start.getTime() && a.getTime() < cycle.end.getTime())) {
                lines.push(`    ${ganttName(marker.label)} :milestone, t${n++}, ${ganttTime(at, display)}, 0m`);
            }
        }
        const runs = calendar.runs.filter((r) => stacks.includes(r.stack) && r.operation !== "scan" && r.at.getTime() >= cycle.start.getTime() && r.at.getTime() < cycle.end.getTime());
        for (const r of runs) {
            const hours = duration.get(`${r.stack}\u0000${r.source}`);
            const tags = [rule && r.stack === rule.later && inverted.has(cycle.id) ? "crit" : "", hours ? "" : "milestone"].filter(Boolean);
            const label = ganttName(`${r.stack} ${r.operation} · ${r.source}`);
            lines.push(`    ${label} :${tags.map((t) => `${t}, `).join("")}t${n++}, ${ganttTime(r.at, display)}, ${hours ? `${hours}h` : "0m"}`);
        }
    }
    return lines;
}
