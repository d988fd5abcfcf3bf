/**
 * The install-path section of the review: one row per install path (path, operation, selector,
 * schedule, where, overlaps) with overlapping rows marked, each overlapping pair explained, and the
 * installs per fleet over the calendar horizon (what a node of each fleet goes through, whichever
 * mechanism installs it).
 */
import { installPathModel } from "../config/installPaths";
import { computeCalendar, ScheduleSource } from "../core/calendar";
import { analyzeInstallPaths, describePair, fleetsOf, InstallPath, InstallPathAnalysis } from "../core/installPaths";
import { formatRun } from "../core/schedule";
import type { ReviewSection, SectionInput } from "./sections";
import { groupBy } from "../core/collections";

const MARK = { overlap: "✗", "may-overlap": "?", "declared-disjoint": "·" } as const;

function scheduleText(p: InstallPath): string {
    if (!p.schedule) return "on demand";
    const s = p.schedule;
    const extra = [s.offsetDays ? `+${s.offsetDays}d` : "", s.timezone && s.timezone !== "UTC" ? s.timezone : "", p.windowHours ? `${p.windowHours}h window` : ""].filter(Boolean).join(", ");
    return `${s.expression}${extra ? ` (${extra})` : ""}`;
}

function whereText(p: InstallPath): string {
    if (p.onDemand) return "--accounts/--regions given at run time";
    return p.locations.map((l) => `${l.accounts.join(",")}${l.exclude && l.exclude.length > 0 ? ` minus ${l.exclude.join(",")}` : ""} @ ${l.regions.join(",")}`).join("; ");
}

/** Text table: every column as wide as its widest cell. */
function table(header: string[], rows: string[][]): string[] {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), ...rows.map(line)];
}

/** Fleet name of a path: its fleetKey values, or its selector when the stack has no fleet key. */
function fleetName(p: InstallPath, fleetKey: string | undefined): string {
    const fleets = fleetsOf(p.selector, fleetKey);
    return fleets ? `${fleetKey}=${fleets.join("|")}` : p.selector.label;
}

/** Installs per fleet over the horizon: count and the next runs, each with the path that runs it. */
export function fleetCalendarLines(analysis: InstallPathAnalysis, months: number, display = "UTC"): string[] {
    const { model } = analysis;
    const scheduled = model.paths.filter((p) => p.schedule && !p.onDemand);
    if (scheduled.length === 0) return [];
    const sources: ScheduleSource[] = scheduled.map((p) => ({ stack: model.stack, source: p.id, operation: "install", ...p.schedule! }));
    const calendar = computeCalendar(sources, { from: analysis.from, months });
    const byFleet = groupBy(scheduled, (p) => fleetName(p, model.settings.fleetKey));
    const rows = [...byFleet.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([fleet, paths]) => {
            const runs = calendar.runs.filter((r) => r.at.getTime() < calendar.until.getTime() && paths.some((p) => p.id === r.source));
            const next = runs.slice(0, 3).map((r) => `${formatRun(r.at, display)}${paths.length > 1 ? ` [${r.source}]` : ""}`);
            return [fleet, paths.map((p) => p.id).join(", "), String(runs.length), next.join("; ") || "none"];
        });
    return [`Installs per fleet (${months} months from ${formatRun(analysis.from, display)}):`, ...table(["fleet", "installed by", "installs", "next"], rows).map((l) => `  ${l}`)];
}

/** A Mermaid node id from any text (ids take letters, digits and `_`). */
function mermaidId(prefix: string, text: string): string {
    return `${prefix}_${text.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** A Mermaid label: quoted, so any character but `"` is text; `"` becomes `'`. */
function mermaidLabel(text: string): string {
    return `"${text.replace(/"/g, "'")}"`;
}

/**
 * The stack's install mechanisms as a Mermaid flowchart: each path (mechanism, name, schedule)
 * points at the fleet it installs on; two paths that overlap are joined by a thick `overlap` link,
 * a possible overlap by a dotted `may overlap` one, so a reviewer sees at once which nodes two
 * mechanisms share.
 */
export function installPathsFlowchart(analysis: InstallPathAnalysis): string[] {
    const { model } = analysis;
    const lines = ["flowchart LR"];
    const fleets = new Map<string, string>();
    for (const p of model.paths) {
        const fleet = fleetName(p, model.settings.fleetKey);
        if (!fleets.has(fleet)) fleets.set(fleet, mermaidId("fleet", fleet));
    }
    for (const [fleet, id] of fleets) lines.push(`    ${id}[(${mermaidLabel(fleet)})]`);
    for (const p of model.paths) {
        lines.push(`    ${mermaidId("path", p.id)}[${mermaidLabel(`${p.mechanism}: ${p.id}`)}]`);
        lines.push(`    ${mermaidId("path", p.id)} -->|${mermaidLabel(`${p.operation} · ${scheduleText(p)}`)}| ${fleets.get(fleetName(p, model.settings.fleetKey))}`);
    }
    for (const pair of analysis.pairs) {
        if (pair.verdict === "overlap") lines.push(`    ${mermaidId("path", pair.a)} <==>|"overlap"| ${mermaidId("path", pair.b)}`);
        if (pair.verdict === "may-overlap") lines.push(`    ${mermaidId("path", pair.a)} <-.->|"may overlap"| ${mermaidId("path", pair.b)}`);
    }
    return lines;
}

/** The section for one stack. */
export function installPathsSection(input: SectionInput): ReviewSection | undefined {
    const cfg = input.config;
    const model = installPathModel(cfg);
    if (model.paths.length === 0) return undefined;
    const months = cfg.changeSafety?.calendarMonths ?? 12;
    const analysis = analyzeInstallPaths(model, { from: input.now, months });
    const marks = new Map<string, string>();
    const others = new Map<string, string[]>();
    for (const pair of analysis.pairs) {
        for (const [self, other] of [
            [pair.a, pair.b],
            [pair.b, pair.a],
        ]) {
            const mark = MARK[pair.verdict as keyof typeof MARK];
            if (pair.verdict !== "declared-disjoint" && marks.get(self) !== "✗") marks.set(self, mark);
            others.set(self, [...(others.get(self) ?? []), `${mark} ${other}`]);
        }
    }
    const rows = model.paths.map((p) => [marks.get(p.id) ?? " ", p.id, p.operation, p.selector.label, scheduleText(p), whereText(p), p.onDemand ? "not judged (on demand)" : (others.get(p.id) ?? []).join(", ") || "none"]);
    const lines = table([" ", "path", "operation", "selector", "schedule", "accounts @ Regions", "overlaps"], rows);
    const overlaps = analysis.problems.filter((p) => p.verdict === "overlap").length;
    const may = analysis.problems.filter((p) => p.verdict === "may-overlap").length;
    lines.push(
        `${overlaps} overlap(s), ${may} possible overlap(s), ${analysis.pairs.length - analysis.problems.length} pair(s) declared disjoint` +
            `${model.settings.fleetKey ? `; fleet key ${model.settings.fleetKey}` : ""}; installs on the same nodes must be ≥ ${model.settings.minHoursApart} h apart.`,
    );
    for (const pair of analysis.pairs) lines.push(`${MARK[pair.verdict as keyof typeof MARK]} ${describePair(pair, model.settings.minHoursApart)}`);
    lines.push(...fleetCalendarLines(analysis, months, cfg.changeSafety?.displayTimezone ?? "UTC"));
    return { title: `Install paths (${model.paths.length}): one install path per node`, lines, mermaid: installPathsFlowchart(analysis) };
}
