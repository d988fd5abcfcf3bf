/**
 * Review section: when each maintenance window (configured and orchestrator windows) opens next,
 * in its own time zone with its schedule offset, and when its cutoff falls.
 */
import type { PatchingConfig } from "../config";
import { formatRun, nextRuns } from "../core/schedule";
import type { ReviewSection, SectionInput } from "./sections";

interface WindowTimes {
    name: string;
    kind: string;
    schedule: string;
    scheduleTimezone?: string;
    scheduleOffset?: number;
    duration: number;
    cutoff: number;
    enabled: boolean;
}

export function windowTimes(cfg: PatchingConfig): WindowTimes[] {
    return [
        ...cfg.maintenanceWindows.map((w) => ({ ...w, kind: `${w.tasks.length} task(s)` })),
        ...cfg.patchOrchestrators.map((o) => ({ ...o.window, name: o.window.name ?? `${o.name}-window`, kind: `orchestrator ${o.name}` })),
    ];
}

export function maintenanceWindowSection({ config, now }: SectionInput): ReviewSection | undefined {
    const windows = windowTimes(config);
    if (windows.length === 0) return undefined;
    const lines: string[] = [];
    for (const w of windows) {
        const tz = w.scheduleTimezone ?? "UTC";
        lines.push(`${w.name} (${w.kind}): ${w.schedule} ${tz}${w.scheduleOffset ? ` +${w.scheduleOffset} d` : ""}, ${w.duration} h, no new task in the last ${w.cutoff} h${w.enabled ? "" : " — DISABLED"}`);
        for (const run of nextRuns(w.schedule, { from: now, count: 3, timezone: tz, offsetDays: w.scheduleOffset })) {
            const cutoff = new Date(run.getTime() + (w.duration - w.cutoff) * 3600_000);
            lines.push(`  opens ${formatRun(run, tz)} · cutoff ${formatRun(cutoff, tz)} · closes ${formatRun(new Date(run.getTime() + w.duration * 3600_000), tz)}`);
        }
    }
    return { title: "Maintenance windows: next runs", lines };
}
