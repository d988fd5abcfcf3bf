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
import { InstallPath, InstallPathModel, installs } from "../core/installPaths";
import { changeSafetyNames } from "./changeSafety";
import type { IssueSink } from "./issues";
import { isManagement } from "./multiAccount";
import { compileSchedule, policyRegions } from "./patchPolicies";

type Cfg = Pick<PatchingConfig, "region" | "changeSafety" | "patchPolicies" | "multiAccount" | "maintenanceWindows" | "patchOrchestrators">;

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

/** Whether a window task is an AWS-RunPatchBaseline Install (what the gated runbook replaces, components/windowGate.ts). */
export function isHeldInstall(task: { type: string; runCommand?: { documentName: string; operation?: string } }): boolean {
    return task.type === "RUN_COMMAND" && task.runCommand?.documentName === "AWS-RunPatchBaseline" && task.runCommand.operation === "Install";
}

/** Maintenance windows with an AWS-RunPatchBaseline Install task (run as the gated runbook). */
export function windowInstalls(cfg: Cfg) {
    return cfg.maintenanceWindows.filter((w) => w.tasks.some(isHeldInstall));
}

/**
 * The installs the approval calendar holds besides the gated install: owned-mode patch policies'
 * installs, multi-account Install schedules, maintenance windows with an Install task and the
 * batch orchestrators that install.
 */
export function heldInstalls(cfg: Cfg): HeldInstall[] {
    const gated = cfg.changeSafety?.gatedInstall;
    return [
        ...(gated ? [{ expression: gated.schedule, offsetDays: gated.scheduleOffset }] : []),
        ...cfg.patchPolicies.flatMap((p) => (p.mode === "owned" && p.install ? [compileSchedule(p.install, "install")] : [])).map((c) => ({ expression: c.expression, offsetDays: c.offsetDays })),
        ...automationInstalls(cfg).map((s) => ({ expression: s.schedule, timezone: s.timezone })),
        ...windowInstalls(cfg).map((w) => ({ expression: w.schedule, offsetDays: w.scheduleOffset, timezone: w.scheduleTimezone })),
        ...cfg.patchOrchestrators.filter((o) => o.patch.operation === "Install").map((o) => ({ expression: o.window.schedule, offsetDays: o.window.scheduleOffset, timezone: o.window.scheduleTimezone })),
    ];
}

/** An approval gate that holds no install is a mistake (the calendar would exist for nothing). */
export function checkApprovalGateHolds(sink: IssueSink, path: string, cfg: Cfg): void {
    if (cfg.changeSafety?.approvalGate && heldInstalls(cfg).length === 0) {
        sink.add(
            `${path}.approvalGate`,
            "holds nothing: the change calendar holds gatedInstall, owned-mode patch policies' installs, multi-account Install schedules, maintenance-window AWS-RunPatchBaseline Install tasks and orchestrators that install; configure one of them",
        );
    }
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

/**
 * What holds an install path of the stack (config/installPaths.ts) — the one answer the review
 * prints and the policy pack (install-paths-gated) judges — or undefined when nothing does.
 */
export function installPathGate(cfg: Cfg & Pick<PatchingConfig, "project" | "stack" | "patchOrchestrators">, path: InstallPath): string | undefined {
    if (!hasApprovalCalendar(cfg) || !installs(path)) return undefined;
    const calendar = changeSafetyNames(cfg.project, cfg.stack).calendar;
    switch (path.mechanism) {
        case "gatedInstall":
            return `change calendar ${calendar} (State Manager starts the association only while it is OPEN)`;
        case "patchPolicy": {
            // Owned mode: each Region's install association names that Region's copy. Quick Setup's own associations name none.
            const policy = cfg.patchPolicies.find((p) => path.id === `patchPolicies/${p.name}`);
            return policy?.mode === "owned" ? `change calendar ${calendar} in ${policyRegions(policy, cfg.region).join(", ")} (each Region's install association names its Region's copy)` : undefined;
        }
        case "automationSchedule":
            return `change calendar ${calendar} in every target Region (the runbook's assertChangeCalendarOpen step: GetCalendarState must be OPEN before the command)`;
        case "maintenanceWindow": {
            // AWS-RunPatchBaseline Install tasks run the gated runbook; another Install document or an Automation task (any runbook) is not held.
            const w = cfg.maintenanceWindows.find((x) => path.id === `maintenanceWindows/${x.name}`);
            const ungated = w?.tasks.some((t) => t.automation !== undefined || (t.runCommand?.operation === "Install" && !isHeldInstall(t)));
            return w && !ungated
                ? `change calendar ${calendar} (its Install tasks run ${changeSafetyNames(cfg.project, cfg.stack).prefix}-gated-run-patch-baseline per target: GetCalendarState must be OPEN before the command)`
                : undefined;
        }
        case "patchOrchestrator":
            return `change calendar ${calendar} (the run checks it before every batch; closed = the run stops cleanly and restores instance states)`;
        default:
            return undefined;
    }
}

/** The install-path model with each path's gate (what the program stashes for the policy pack). */
export function withGates(cfg: Parameters<typeof installPathGate>[0], model: InstallPathModel): InstallPathModel {
    return { ...model, paths: model.paths.map((p) => ({ ...p, gate: installPathGate(cfg, p) })) };
}
