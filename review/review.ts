/**
 * The offline review of one stack: load its stack file, run the program under the mock engine,
 * and collect what a reviewer needs (resources, config errors). Renderers and later checks
 * (policies, calendars) work on the {@link Review} this returns.
 */
import type { ConfigIssue, PatchingConfig } from "../config";
import { deployPatching } from "../program";
import { MockEnvironment, PlanResource, runUnderMocks } from "./engine";
import { proveWiring, WiringReport } from "./wiring";
import { wiringSection } from "./wiringSection";
import { checkContracts, contractsSection, ContractsReport } from "./contracts";
import type { PolicyResult } from "./policies";
import type { ReviewSection } from "./sections";
import { completeReview, PlannedStack, timedSections } from "./plannedReview";
import { CheckedStack, checkStack, invalidReview } from "./validate";

export interface ReviewOptions {
    /** Stack name; also picks `Pulumi.<stack>.yaml` when `configPath` is not given. */
    stack: string;
    /** A stack config file to use instead of `Pulumi.<stack>.yaml`. */
    configPath?: string;
    /** Folder holding `Pulumi.yaml` and the stack files. @default the repository root */
    projectDir?: string;
    /** The account the mock engine pretends to deploy to. @default 123456789012 */
    accountId?: string;
    /** The moment schedules' next runs are computed from. @default now */
    now?: Date;
    /**
     * Policy configuration file (`--policy-pack-config` format). @default `policies/presets/<stack>.json`
     * when it exists, else the policies' own defaults
     */
    policyConfigPath?: string;
}

export interface Review {
    project: string;
    stack: string;
    configPath: string;
    region?: string;
    accountId: string;
    /** Every config problem; when non-empty nothing was registered. */
    configErrors: ConfigIssue[];
    resources: PlanResource[];
    /** The validated config (absent when it is invalid). */
    config?: PatchingConfig;
    /** Extra sections (schedules, calendars, …). */
    sections: ReviewSection[];
    /** Policy violations (empty when the config is invalid: nothing was planned). */
    policyResults: PolicyResult[];
    /** The policy configuration applied, if any. */
    policyConfigPath?: string;
    /** The wiring proof (review/wiring.ts); absent when the config is invalid. */
    wiring?: WiringReport;
    /** The plan against the IAM catalogue and the AWS SDK models (review/contracts); absent when the config is invalid. */
    contracts?: ContractsReport;
}

export { DEFAULT_ACCOUNT_ID, PROJECT_DIR, projectName } from "./validate";

/** Reviews a stack: validates its config, then (when valid) plans it and checks the plan. */
export async function reviewStack(options: ReviewOptions): Promise<Review> {
    return reviewChecked(checkStack(options));
}

/**
 * Plans a stack checked by {@link checkStack}: runs the program under the mock engine, applies the
 * policy pack and builds the sections. An invalid config is returned as it is, nothing planned.
 */
export async function reviewChecked(checked: CheckedStack): Promise<Review> {
    if (!checked.config) return invalidReview(checked);
    return completeReview(checked, await planChecked(checked));
}

/**
 * The part of a valid stack's review that does not depend on the clock (review/plannedReview.ts):
 * the program under the mock engine, the wiring proof and the contract checks.
 */
export async function planChecked(checked: CheckedStack): Promise<PlannedStack> {
    const env: MockEnvironment = { accountId: checked.accountId, region: checked.region ?? "us-east-1" };
    const config = checked.config!;
    // The config validated by checkStack, from the same values the engine hands the program, goes
    // straight to the components: program.ts main() would parse it a second time.
    const run = await runUnderMocks({
        project: checked.project,
        stack: checked.stack,
        config: checked.engineConfig,
        env,
        program: () => deployPatching(config),
    });
    const wiring = await proveWiring(run.resources, env);
    const contracts = await checkContracts(run.resources, env);
    return { resources: run.resources, wiring, contracts, fixedSections: fixedSections(wiring, contracts) };
}

/**
 * The review's sections of a planned stack, from the moment `now` (the only input of a review that
 * changes with the clock): tests/harness.ts recomputes just these for another `now`.
 */
export function reviewSections(config: PatchingConfig, resources: PlanResource[], wiring: WiringReport, now: Date, projectDir: string, contracts?: ContractsReport): ReviewSection[] {
    return [...timedSections(config, resources, now, projectDir), ...fixedSections(wiring, contracts)];
}

/** The sections that do not depend on `now`: the wiring proof and the contracts. */
export function fixedSections(wiring: WiringReport, contracts?: ContractsReport): ReviewSection[] {
    return [wiringSection(wiring), ...(contracts ? [contractsSection(contracts)] : [])];
}
