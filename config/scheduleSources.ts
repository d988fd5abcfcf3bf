/**
 * Every schedule of a stack as the release calendar reads it: one adapter per config section that
 * schedules scans, installs or maintenance windows. A section added later adds its adapter here.
 */
import type { ScheduleSource } from "../core/calendar";
import type { SectionsConfig } from "./index";

/** The gated install of `patching:changeSafety` (an install, in UTC like every association). */
export function gatedInstallSources(stack: string, cfg: Pick<SectionsConfig, "changeSafety">): ScheduleSource[] {
    const install = cfg.changeSafety?.gatedInstall;
    if (!install) return [];
    return [{ stack, source: "changeSafety.gatedInstall", operation: "install", expression: install.schedule, offsetDays: install.scheduleOffset }];
}

/** Every scan, install and window schedule of a stack's config. */
export function scheduleSources(stack: string, cfg: SectionsConfig): ScheduleSource[] {
    return [...gatedInstallSources(stack, cfg)];
}
