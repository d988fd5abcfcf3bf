/**
 * The review section that shows when every patch policy really runs: for each policy, region and
 * operation, the schedule as the association (or Quick Setup) receives it and its next runs with
 * dates, computed by core/schedule.ts (offsets included, UTC as State Manager reads cron).
 */
import { compileSchedule, policyRegions } from "../config/patchPolicies";
import { formatRun, nextRuns } from "../core/schedule";
import type { ReviewSection, SectionInput } from "./sections";

/** How many runs of each schedule the review lists. */
export const NEXT_RUNS = 5;

export function patchPolicySchedulesSection(input: SectionInput): ReviewSection | undefined {
    const policies = input.config.patchPolicies ?? [];
    if (policies.length === 0) return undefined;
    const lines: string[] = [];
    for (const policy of policies) {
        for (const region of policyRegions(policy, input.config.region)) {
            const ops = [
                ["scan", policy.scan],
                ...(policy.install ? [["install", policy.install] as const] : []),
            ] as const;
            for (const [kind, op] of ops) {
                const s = compileSchedule(op, kind);
                const offset = s.offsetDays ? ` + ${s.offsetDays}d offset` : "";
                const described = s.description !== s.expression ? ` — ${s.description}` : "";
                lines.push(`${policy.name} · ${region} · ${kind} (${policy.mode}): ${s.expression}${offset}${described}`);
                const runs = nextRuns(s.expression, { from: input.now, count: NEXT_RUNS, offsetDays: s.offsetDays });
                if (runs.length === 0) lines.push("    no further runs");
                for (const run of runs) lines.push(`    ${formatRun(run)}`);
                if (s.expression.startsWith("rate(")) lines.push("    (a rate counts from when the association is created; shown from now)");
                else if (s.expression.startsWith("cron(") && !s.applyOnlyAtCronInterval) lines.push("    (also runs once when the association is created or updated)");
            }
        }
    }
    return { title: `Patch policy schedules: next ${NEXT_RUNS} runs (UTC) from ${formatRun(input.now)}`, lines };
}
