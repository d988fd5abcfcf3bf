/**
 * The change-safety approval section of the review: the approval calendar, the approver and
 * requester roles and who may assume them (MFA, two-person rule), and every install path of the stack with the gate that
 * holds it — or a ✗ where nothing does.
 */
import type { PatchingConfig } from "../config";
import { changeSafetyNames, separateApprovalCalendar } from "../config/changeSafety";
import { installPathModel } from "../config/installPaths";
import { installPathGate } from "../config/approvalCalendars";
import { installs } from "../core/installPaths";
import type { ReviewSection, SectionInput } from "./sections";

/** One way this stack can install patches (an install path of config/installPaths.ts), and what holds it. */
export interface GatedPath {
    /** The install path id and what it does, e.g. `patchPolicies/prod-patching (Install (RebootIfNeeded))`. */
    path: string;
    /** The gate holding it, or undefined when nothing does. */
    gate?: string;
    /** A scan that may reboot: never held (the gate holds installs). */
    scan?: boolean;
}

/**
 * Every scheduled install path of the stack (the same paths the install-path analysis judges)
 * with the gate that holds it (config/approvalCalendars.ts `installPathGate`, the answer the policy
 * pack judges too). Emergency patching is an operator command, shown apart.
 */
export function installPaths(cfg: PatchingConfig): GatedPath[] {
    return installPathModel(cfg)
        .paths.filter((p) => p.mechanism !== "emergency")
        .map((p) => ({ path: `${p.id} (${p.operation})`, gate: installPathGate(cfg, p), scan: !installs(p) }));
}

/** The section, when the stack has an approval gate or any install path. */
export function approvalSection(input: SectionInput): ReviewSection | undefined {
    const cfg = input.config;
    const gate = cfg.changeSafety?.approvalGate;
    const paths = installPaths(cfg);
    if (!gate && paths.length === 0) return undefined;
    const names = changeSafetyNames(cfg.project, cfg.stack);
    const lines: string[] = [];
    if (gate) {
        const a = gate.approvers;
        if (separateApprovalCalendar(gate)) {
            lines.push(`Approval calendar: ${names.approverCalendar} — written by the approver role only (an approval is a new calendar version); no install checks it`);
            lines.push(
                `Release calendar: ${names.calendar} (DEFAULT_CLOSED, in every Region of held installs) — what every install path checks; written by the approval gate function only, which opens it with an approval's window once the approval passes every check, and ends it when the approval is withdrawn; the approver and requester roles cannot write it`,
            );
        } else lines.push(`Approval calendar: ${names.calendar} (DEFAULT_CLOSED; an approval is a new calendar version)`);
        if (a) {
            lines.push(`Approver role: ${names.approverRole} — the only principal this program lets change the ${separateApprovalCalendar(gate) ? "approval " : ""}calendar`);
            for (const p of a.principals) lines.push(`  may assume: ${p}${a.requireMfa ? " (MFA required)" : ""}`);
            for (const ps of a.identityCenterPermissionSets) lines.push(`  may assume: Identity Center permission set ${ps} (MFA: Identity Center sign-in policy)`);
            lines.push(`Recorded approver: the approver role session that made the calendar change, as CloudTrail records it (npm run approve shows it from STS)`);
            if (a.requesters) {
                lines.push(`Requester role: ${names.requesterRole} — the only principal this program lets write a person's request (approval-gate/${cfg.stack}/* in the artifact bucket); it cannot change the calendar, and the approver role cannot write requests`);
                for (const p of a.requesters.principals) lines.push(`  may assume: ${p}${a.requireMfa ? " (MFA required)" : ""}`);
                for (const ps of a.requesters.identityCenterPermissionSets) lines.push(`  may assume: Identity Center permission set ${ps} (MFA: Identity Center sign-in policy)`);
                lines.push("Recorded requester: the requester role session that ran npm run approve -- --request (STS caller identity), written with a precondition (If-None-Match / If-Match)");
            }
            lines.push(`Two-person rule: ${a.twoPersonRule ? "on — the requester cannot approve" : "off"}`);
            if (a.twoPersonRule) {
                lines.push("  requester: the STS caller identity that made the request; compared by principal (role + session, or IAM user) and by person (session or user name)");
                lines.push("  the scheduled request of the gate function does not count: until a person requests, the install is held (no person requested this cycle)");
            }
        } else {
            lines.push("! no approver role (approvalGate.approvers): anyone allowed ssm:UpdateDocument on the calendar can approve");
        }
        lines.push(
            "Approvers verified in CloudTrail: the gate counts an approval as made by the principal CloudTrail records for the calendar change (UpdateDocument userIdentity), never the event's typed approver (one naming someone else is rejected); no event yet = pending, not counted",
        );
    }
    lines.push("Install paths:");
    for (const p of paths) lines.push(p.gate ? `  ✓ ${p.path}: held by ${p.gate}` : p.scan ? `  - ${p.path}: a scan, not held (the gate holds installs)` : `  ✗ ${p.path}: NOT held by the approval gate`);
    if (paths.length === 0) lines.push("  (none)");
    lines.push(
        "  emergency patching (npm run emergency): waits for the calendar (--change-calendar) in every location, unless --override-approval --reason bypasses it — tagged PatchingApprovalOverride (why) and PatchingApprovalOverrideAt (when) on the execution, the caller's STS identity in PatchingStartedBy and CloudTrail; every run is recorded (S3 list + Automation execution)",
    );
    return { title: "Approval gate and install paths", lines };
}

/** Install paths nothing holds (the policy pack fails prod on any). */
export function ungatedInstallPaths(cfg: PatchingConfig): string[] {
    return installPaths(cfg)
        .filter((p) => !p.gate && !p.scan)
        .map((p) => p.path);
}
