/**
 * A valid stack's review in two halves:
 *
 * - the plan ({@link PlannedStack}: the program under the mock engine, the wiring proof, the
 *   contract checks and their sections), a function of the code, the stack's files and the
 *   installed packages only, computed by review/review.ts (`planChecked`) or read back from the
 *   review cache (review/reviewCache.ts);
 * - what depends on the moment of the review or is cheap to redo ({@link completeReview}): the
 *   policy pack (one policy reads the clock) and the sections that count from `now`.
 *
 * No Pulumi SDK here beyond what the policy pack loads: a review answered from the cache runs
 * only this half.
 */
import type { PatchingConfig } from "../config";
import { stackFileLoader } from "../config/source";
import type { ContractsReport } from "./contracts";
import type { PlanResource } from "./engine";
import { readPolicyConfig, runPolicies } from "./policies";
import type { Review } from "./review";
import { buildSections, ReviewSection } from "./sections";
import { reviewedStack, type CheckedStack } from "./validate";
import type { WiringReport } from "./wiring";

/** The part of a valid stack's review that does not depend on the clock. Plain JSON. */
export interface PlannedStack {
    resources: PlanResource[];
    wiring: WiringReport;
    contracts: ContractsReport;
    /** The sections of the wiring proof and the contracts, which do not depend on `now` either. */
    fixedSections: ReviewSection[];
}

/** The sections that count from `now` (schedules, calendars, windows…). */
export function timedSections(config: PatchingConfig, resources: PlanResource[], now: Date, projectDir: string): ReviewSection[] {
    return buildSections({ config, resources, now, loadStack: stackFileLoader(projectDir) });
}

/** The review of a checked, valid stack from its plan: the policy pack and the sections at `now`. */
export async function completeReview(checked: CheckedStack, planned: PlannedStack): Promise<Review> {
    const config = checked.config!;
    const policyConfig = checked.policyConfigPath ? readPolicyConfig(checked.policyConfigPath) : {};
    const policyResults = await runPolicies(planned.resources, policyConfig);
    const sections = [...timedSections(config, planned.resources, checked.options.now ?? new Date(), checked.projectDir), ...planned.fixedSections];
    return {
        ...reviewedStack(checked),
        configErrors: [],
        resources: planned.resources,
        config,
        sections,
        policyResults,
        wiring: planned.wiring,
        contracts: planned.contracts,
    };
}
