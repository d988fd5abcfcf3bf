/**
 * Where the approval gate's change calendar must exist, and with whom it is shared (issue 17).
 *
 * A Change Calendar is a Regional SSM document, and what reads it reads it in its own Region: a
 * State Manager association's `CalendarNames`, and the multi-account runbook's
 * `assertChangeCalendarOpen` step (GetCalendarState in the Region its child execution runs in).
 * SSM documents are shared "with accounts in the same AWS Region only. Cross-Region sharing isn't
 * supported" (user guide, "Sharing SSM documents"); a calendar shared with another account is
 * read-only there (user guide, "Sharing a change calendar" and "Setting up Change Calendar":
 * "Change Calendar entries that are owned by … accounts other than yours are read-only, even if
 * they're shared with your account"). So the stack keeps one calendar per Region where a held
 * install runs — same name, same content (`npm run approve` writes every one) — and shares each
 * with the accounts the multi-account runbook installs in.
 */
import type { PatchingConfig } from ".";
import { isManagement } from "./multiAccount";
import { compileSchedule, policyRegions } from "./patchPolicies";

type Cfg = Pick<PatchingConfig, "region" | "changeSafety" | "patchPolicies" | "multiAccount" | "maintenanceWindows">;

/** A schedule the calendar holds (what the gate's messages call "the next install"). */
export interface HeldInstall {
    expression: string;
    offsetDays?: number;
    timezone?: string;
}

/** The multi-account Install schedules this stack starts (management side, enabled). */
export function automationInstalls(cfg: Cfg) {
    const m = cfg.multiAccount;
    if (!m || !isManagement(m.accountRole)) return [];
    return m.schedules.filter((s) => s.enabled && s.operation === "Install");
}

/** Where the multi-account runbook runs: its target locations, or this account in memberRegions. */
function automationRegions(cfg: Cfg): string[] {
    const m = cfg.multiAccount!;
    return m.targetLocations.length > 0 ? m.targetLocations.flatMap((l) => l.regions) : (m.memberRegions ?? [cfg.region]);
}

/** Maintenance windows with an AWS-RunPatchBaseline Install task (the gate task holds them). */
export function windowInstalls(cfg: Cfg) {
    return cfg.maintenanceWindows.filter((w) => w.tasks.some((t) => t.runCommand?.operation === "Install"));
}

/**
 * The installs the approval calendar holds besides the gated install: owned-mode patch policies'
 * installs, multi-account Install schedules and maintenance windows with an Install task.
 */
export function heldInstalls(cfg: Cfg): HeldInstall[] {
    const gated = cfg.changeSafety?.gatedInstall;
    return [
        ...(gated ? [{ expression: gated.schedule, offsetDays: gated.scheduleOffset }] : []),
        ...cfg.patchPolicies.flatMap((p) => (p.mode === "owned" && p.install ? [compileSchedule(p.install, "install")] : [])).map((c) => ({ expression: c.expression, offsetDays: c.offsetDays })),
        ...automationInstalls(cfg).map((s) => ({ expression: s.schedule, timezone: s.timezone })),
        ...windowInstalls(cfg).map((w) => ({ expression: w.schedule, offsetDays: w.scheduleOffset, timezone: w.scheduleTimezone })),
    ];
}

/** Whether the stack has an approval calendar: an approval gate holding at least one install. */
export function hasApprovalCalendar(cfg: Cfg): boolean {
    return cfg.changeSafety?.approvalGate !== undefined && heldInstalls(cfg).length > 0;
}

/**
 * Every Region whose installs the calendar holds, the home Region (`aws:region`) first: owned
 * patch policies' Regions and the multi-account Install schedules' target Regions. Empty without
 * an approval calendar.
 */
export function calendarRegions(cfg: Cfg): string[] {
    if (!hasApprovalCalendar(cfg)) return [];
    const regions = new Set([cfg.region]);
    for (const p of cfg.patchPolicies) if (p.mode === "owned" && p.install) policyRegions(p, cfg.region).forEach((r) => regions.add(r));
    if (automationInstalls(cfg).length > 0) automationRegions(cfg).forEach((r) => regions.add(r));
    return [...regions];
}

/**
 * Accounts (12-digit ids) and OUs (ids) the calendars are shared with: the multi-account Install
 * schedules' target accounts. The stack's own account needs no share. OUs are resolved to their
 * accounts at deployment (ModifyDocumentPermission takes account ids only); an account that joins
 * an OU later reads no calendar until the next `pulumi up`, so its installs stop (fail closed).
 */
export function calendarShares(cfg: Cfg): { accounts: string[]; organizationalUnits: string[] } {
    const m = cfg.multiAccount;
    if (!hasApprovalCalendar(cfg) || !m || automationInstalls(cfg).length === 0) return { accounts: [], organizationalUnits: [] };
    const all = [...new Set(m.targetLocations.flatMap((l) => l.accounts))];
    return { accounts: all.filter((a) => /^\d{12}$/.test(a)), organizationalUnits: all.filter((a) => !/^\d{12}$/.test(a)) };
}
