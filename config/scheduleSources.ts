/**
 * Every schedule of a stack as the release calendar reads it: one adapter per config section that
 * schedules scans, installs or maintenance windows. A section added later adds its adapter here.
 */
import type { ScheduleSource } from "../core/calendar";
import type { SectionsConfig } from "./index";
import { isManagement } from "./multiAccount";
import { compileSchedule } from "./patchPolicies";

/** The gated install of `patching:changeSafety` (an install, in UTC like every association). */
export function gatedInstallSources(stack: string, cfg: Pick<SectionsConfig, "changeSafety">): ScheduleSource[] {
    const install = cfg.changeSafety?.gatedInstall;
    if (!install) return [];
    return [{ stack, source: "changeSafety.gatedInstall", operation: "install", expression: install.schedule, offsetDays: install.scheduleOffset }];
}

/**
 * The multi-account automation's enabled schedules (management side: EventBridge Scheduler runs
 * Automation-RunPatchBaseline in the target accounts, in the schedule's time zone). Their installs
 * are this stage's installs, wherever the instances are.
 */
export function multiAccountSources(stack: string, cfg: Pick<SectionsConfig, "multiAccount">): ScheduleSource[] {
    const m = cfg.multiAccount;
    if (!m || !isManagement(m.accountRole)) return [];
    return m.schedules
        .filter((s) => s.enabled)
        .map((s) => ({ stack, source: `multiAccount.schedules ${s.name}`, operation: s.operation === "Install" ? "install" : "scan", expression: s.schedule, timezone: s.timezone }));
}

/**
 * The patch policies' scan and install associations (owned mode) or Quick Setup's (managed mode),
 * compiled the way the associations receive them: Patch Tuesday + N days becomes TUE#k with a
 * schedule offset; State Manager reads cron in UTC.
 */
export function patchPolicySources(stack: string, cfg: Pick<SectionsConfig, "patchPolicies">): ScheduleSource[] {
    return cfg.patchPolicies.flatMap((p) => {
        const ops = [["scan", p.scan], ["install", p.install]] as const;
        return ops.flatMap(([kind, op]) => {
            if (!op) return [];
            const c = compileSchedule(op, kind);
            return [{ stack, source: `patchPolicies ${p.name} ${kind}`, operation: kind, expression: c.expression, offsetDays: c.offsetDays }];
        });
    });
}

/**
 * Maintenance windows, in their ScheduleTimezone with their ScheduleOffset: an `install` source
 * when a task runs AWS-RunPatchBaseline Install (or an Automation task, which may patch), `scan`
 * when its patch tasks only scan, else `window`.
 */
export function maintenanceWindowSources(stack: string, cfg: Pick<SectionsConfig, "maintenanceWindows">): ScheduleSource[] {
    return cfg.maintenanceWindows.map((w) => {
        const installs = w.tasks.some((t) => t.runCommand?.operation === "Install" || t.automation !== undefined);
        const scans = w.tasks.some((t) => t.runCommand?.operation === "Scan");
        const operation = installs ? "install" : scans ? "scan" : "window";
        return { stack, source: `maintenanceWindows ${w.name}`, operation, expression: w.schedule, timezone: w.scheduleTimezone, offsetDays: w.scheduleOffset, durationHours: w.duration };
    });
}

/** The batch orchestrators' windows: each run patches (Install, or Scan when configured so). */
export function orchestratorSources(stack: string, cfg: Pick<SectionsConfig, "patchOrchestrators">): ScheduleSource[] {
    return cfg.patchOrchestrators.map((o) => ({
        stack,
        source: `patchOrchestrators ${o.name}`,
        operation: o.patch.operation === "Install" ? "install" : "scan",
        expression: o.window.schedule,
        timezone: o.window.scheduleTimezone,
        offsetDays: o.window.scheduleOffset,
        durationHours: o.window.duration,
    }));
}

/** Every scan, install and window schedule of a stack's config. */
export function scheduleSources(stack: string, cfg: SectionsConfig): ScheduleSource[] {
    return [
        ...gatedInstallSources(stack, cfg),
        ...patchPolicySources(stack, cfg),
        ...multiAccountSources(stack, cfg),
        ...maintenanceWindowSources(stack, cfg),
        ...orchestratorSources(stack, cfg),
    ];
}
