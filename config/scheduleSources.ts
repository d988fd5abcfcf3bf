/**
 * Every schedule of a stack as the release calendar reads it: one adapter per config section that
 * schedules scans, installs or maintenance windows. A section added later adds its adapter here.
 */
import type { ScheduleSource } from "../core/calendar";
import type { SectionsConfig } from "./index";
import { isManagement } from "./multiAccount";

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

/** Every scan, install and window schedule of a stack's config. */
export function scheduleSources(stack: string, cfg: SectionsConfig): ScheduleSource[] {
    return [...gatedInstallSources(stack, cfg), ...multiAccountSources(stack, cfg)];
}
