/**
 * The release-calendar section of the review: every scan, install and window schedule of the
 * stack — and of the earlier stage named by `changeSafety.promotion.after`, read from its stack
 * file — over the next months, side by side per Patch Tuesday release cycle, with the order check.
 */
import { parseConfig, PatchingConfig } from "../config";
import { scheduleSources } from "../config/scheduleSources";
import { calendarGantt, computeCalendar, DEFAULT_CYCLE, findInversions, PromotionRule, renderCalendar, ScheduleSource } from "../core/calendar";
import { nextRuns } from "../core/schedule";
import type { ReviewSection, SectionInput } from "./sections";

/** A stack's config parsed by the same model without cross-stack rules, or why it could not be. */
function loadEarlier(input: SectionInput, stack: string): PatchingConfig | string {
    const values = input.loadStack?.(stack);
    if (values === undefined) return `no stack file Pulumi.${stack}.yaml`;
    try {
        return parseConfig(values, { project: input.config.project, stack });
    } catch (err) {
        return `stack ${stack} has an invalid config: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
    }
}

/** The calendar of several stacks as text lines and as a Mermaid gantt chart. */
export interface CalendarView {
    lines: string[];
    gantt: string[];
}

/** The calendar of several stacks together, with each stack's promotion rule. */
export function calendarView(configs: PatchingConfig[], now: Date, extraNotes: string[] = []): CalendarView | undefined {
    const sources: ScheduleSource[] = configs.flatMap((c) => scheduleSources(c.stack, c));
    if (sources.length === 0) return undefined;
    // The later stage's settings decide the cycle and horizon (it is the one being protected).
    const cs = [...configs].reverse().find((c) => c.changeSafety)?.changeSafety;
    const calendar = computeCalendar(sources, { from: now, months: cs?.calendarMonths ?? 12, cycle: cs?.cycle ?? DEFAULT_CYCLE });
    const stacks = configs.map((c) => c.stack);
    const rules: PromotionRule[] = configs
        .filter((c) => c.changeSafety?.promotion && stacks.includes(c.changeSafety.promotion.after))
        .map((c) => ({ earlier: c.changeSafety!.promotion!.after, later: c.stack, minDaysAfter: c.changeSafety!.promotion!.minDaysAfter }));
    const display = cs?.displayTimezone ?? "UTC";
    const lines = renderCalendar(calendar, stacks, rules.length === 1 ? rules[0] : undefined, display);
    for (const rule of rules) {
        const min = rule.minDaysAfter ? `, at least ${rule.minDaysAfter} day(s) later` : "";
        const bad = findInversions(calendar, rule);
        lines.push(`Rule: ${rule.later} installs only after ${rule.earlier} in every cycle${min}: ${bad.length === 0 ? `holds in all ${calendar.cycles.length} cycles` : `broken in ${bad.length} cycle(s)`}.`);
        if (rules.length > 1) for (const o of bad) lines.push(`✗ cycle ${o.cycle.id}: ${o.problem}`);
    }
    // The approval gate's requests (EventBridge Scheduler, UTC): when a person is asked to approve.
    const markers = configs.flatMap((c) => {
        const gate = c.changeSafety?.approvalGate;
        return gate ? [{ label: `${c.stack} approval request`, at: nextRuns(gate.requestSchedule, { from: now, count: 400, until: calendar.until }) }] : [];
    });
    const gantt = calendarGantt(calendar, stacks, rules.length === 1 ? rules[0] : undefined, { display, markers });
    return { lines: [...extraNotes, ...lines], gantt };
}

/** The section for one stack (with its earlier stage when it has one). */
export function calendarSection(input: SectionInput): ReviewSection | undefined {
    const cfg = input.config;
    const after = cfg.changeSafety?.promotion?.after;
    const configs: PatchingConfig[] = [cfg];
    const notes: string[] = [];
    if (after) {
        const earlier = loadEarlier(input, after);
        if (typeof earlier === "string") notes.push(`! earlier stage ${after} not shown: ${earlier}`);
        else configs.unshift(earlier);
    }
    const view = calendarView(configs, input.now, notes);
    if (!view) return undefined;
    return { title: `Release calendar (${configs.map((c) => c.stack).join(" → ")})`, lines: view.lines, mermaid: view.gantt };
}
