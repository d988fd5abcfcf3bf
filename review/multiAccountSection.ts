/**
 * Review section "Multi-account automation": what this stack is in the multi-account setup, where
 * and when the runbook runs, what the StackSet rolls out, and what must be deployed before it.
 */
import { DEFAULT_LOCATION_RATE } from "../config/multiAccount";
import { formatRun, nextRuns } from "../core/schedule";
import type { SectionBuilder } from "./sections";

/** How many upcoming runs the review lists per schedule. */
export const NEXT_RUNS = 3;

export const multiAccountSection: SectionBuilder = ({ config, resources, now }) => {
    const m = config.multiAccount;
    if (!m) return undefined;
    const lines: string[] = [`account role: ${m.accountRole}`];
    const memberRegions = m.memberRegions ?? [config.region];

    if (m.accountRole !== "member") {
        lines.push(
            `runbook ${m.documentName} in ${config.region}, run as ${m.administrationRoleName}, which assumes ${m.executionRoleName} in each target account`,
            "target locations:",
        );
        const locations =
            m.targetLocations.length > 0
                ? m.targetLocations
                : [{ accounts: ["(this account)"], regions: memberRegions, excludeAccounts: [], ...DEFAULT_LOCATION_RATE }];
        locations.forEach((l, n) =>
            lines.push(
                `  ${n + 1}. ${l.accounts.join(", ")}${l.excludeAccounts.length ? ` excluding ${l.excludeAccounts.join(", ")}` : ""} × ${l.regions.join(", ")} — ${l.maxConcurrency} locations at once, max errors ${l.maxErrors}`,
            ),
        );
        if (m.schedules.length === 0) lines.push("schedules: none (start the runbook by hand: aws ssm start-automation-execution)");
        else lines.push("schedules (EventBridge Scheduler → ssm:StartAutomationExecution):");
        for (const s of m.schedules) {
            lines.push(
                `  ${s.name}: ${s.operation}${s.operation === "Install" ? ` (${s.rebootOption})` : ""} of resource group ${s.resourceGroup} at ${s.schedule} ${s.timezone}${s.enabled ? "" : " [disabled]"} — ${s.maxConcurrency} of instances at once, max errors ${s.maxErrors}${s.installOverrideList ? `, install list ${s.installOverrideList}` : ""}`,
            );
            const runs = nextRuns(s.schedule, { from: now, count: NEXT_RUNS, timezone: s.timezone });
            lines.push(`    next: ${runs.length > 0 ? runs.map((r) => formatRun(r, s.timezone)).join(", ") : "none"}`);
        }
        if (m.organizationDeployment) {
            const d = m.organizationDeployment;
            const instances = resources.filter((r) => r.type === "aws:cloudformation/stackSetInstance:StackSetInstance").length;
            lines.push(
                `org mode: StackSet (SERVICE_MANAGED, auto-deployment) → ${d.organizationalUnits.join(", ")} × ${instances} Region(s): role ${m.executionRoleName} in ${config.region}, resource groups ${m.resourceGroups.map((g) => g.name).join(", ")} in every Region`,
                "  (StackSets never deploy to the organization's management account: give it a member stack if it is a target)",
            );
        }
    }
    if (m.accountRole !== "management") {
        lines.push(
            `member: role ${m.executionRoleName} trusts ${m.accountRole === "both" ? "this stack's" : `account ${m.managementAccountId}'s`} ${m.administrationRoleName}; resource groups ${m.resourceGroups.map((g) => g.name).join(", ")} in ${memberRegions.join(", ")}`,
        );
    }
    if (m.accountRole === "member") lines.push(`deploy after the management stack of account ${m.managementAccountId} (IAM rejects a trust policy naming a role that does not exist yet)`);
    if (m.accountRole === "management") lines.push("deploy this stack first, then each member stack (Pulumi.<account>.yaml) with that account's credentials");
    return { title: "Multi-account automation", lines };
};
