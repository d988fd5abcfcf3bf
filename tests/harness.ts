/**
 * Test helpers: run the real program (or a component) under the mock engine with a given stack
 * config and look at what it registered. Built on review/engine.ts, the same harness the offline
 * review uses, so tests and reviewers see the same registrations.
 */
import * as path from "path";
import { expect } from "chai";
import { ConfigIssue, ConfigValidationError, parseConfig, PatchingConfig } from "../config";
import { readStackFile } from "../config/source";
import { PlanResource, runUnderMocks } from "../review/engine";
import { planChecked, Review, ReviewOptions } from "../review/review";
import { completeReview, PlannedStack } from "../review/plannedReview";
import { checkStack, CheckedStack, invalidReview } from "../review/validate";
import { main } from "../program";
import { planKey as sharedPlanKey, sharedPlan } from "./support/sharedPlans";

export const ROOT = path.resolve(__dirname, "..");
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/** Engine-style config values (objects as JSON text) from plain values. */
export function engineValues(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** A small valid config: one Amazon Linux 2023 baseline. Tests override what they exercise. */
export function minimalConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        "aws:region": REGION,
        "patching:environment": "test",
        "patching:baselines": [
            {
                name: "test-al2023",
                operatingSystem: "AMAZON_LINUX_2023",
                approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 0 }],
                patchGroups: ["test"],
            },
        ],
        ...overrides,
    };
}

/** Parses config values the way the program does (throws ConfigValidationError). */
export function parse(values: Record<string, unknown>): PatchingConfig {
    return parseConfig(values, { project: "patching", stack: "test" });
}

/** Runs `program.ts` under mocks with these config values. */
export async function runProgram(values: Record<string, unknown>, stack = "test") {
    return runUnderMocks({
        project: "patching",
        stack,
        config: { values: engineValues(values), secretKeys: [] },
        env: { accountId: ACCOUNT, region: String(values["aws:region"] ?? REGION) },
        program: main,
    });
}

/** `runUnderMocks` settings for running a single component: no stack config, the test account. */
export const COMPONENT_RUN = {
    project: "patching",
    stack: "test",
    config: { values: {} as Record<string, string>, secretKeys: [] as string[] },
    env: { accountId: ACCOUNT, region: REGION },
};

const stackRuns = new Map<string, Promise<PlanResource[]>>();

/**
 * Runs `program.ts` under mocks with a stack file of this repository and returns what it
 * registered. Computed once per file and stack in a test run, across the mocha workers
 * (tests/support/sharedPlans.ts), and shared by every test that asks (the plans are read, never
 * changed); each caller gets its own copy of the resource list.
 */
export async function runStackFile(file: string, stack: string): Promise<{ resources: PlanResource[] }> {
    const key = `${file}\0${stack}`;
    let run = stackRuns.get(key);
    if (!run) {
        const configPath = path.join(ROOT, file);
        const config = readStackFile(configPath);
        run = sharedPlan(sharedPlanKey(["program", key], [configPath]), async () => (await runUnderMocks({ project: "patching", stack, config, env: { accountId: ACCOUNT, region: REGION }, program: main })).resources);
        stackRuns.set(key, run);
    }
    return { resources: [...(await run)] };
}

const reviews = new Map<string, Promise<Review>>();
/** Planned stacks (program, wiring proof, contracts) by what they depend on: see {@link cachedPlan}. */
const plans = new Map<string, Promise<PlannedStack>>();

/**
 * The plan of a checked (valid) stack (the program under mocks, the wiring proof, the contracts:
 * review/review.ts `planChecked`), computed once per stack, stack file, project folder and account
 * however the options named them (`{ stack: "prod" }` and `{ stack: "prod", configPath:
 * <root>/Pulumi.prod.yaml }` are one plan), and once per test run across the mocha workers
 * (tests/support/sharedPlans.ts). Hand it to `runCli` as its planner so a CLI test reuses it.
 */
export function cachedPlan(checked: CheckedStack): Promise<PlannedStack> {
    const key = JSON.stringify([checked.stack, checked.configPath, checked.projectDir, checked.accountId]);
    let plan = plans.get(key);
    if (!plan) {
        const files = [checked.configPath, path.join(checked.projectDir, "Pulumi.yaml")];
        plan = sharedPlan(sharedPlanKey(["review", key], files), () => planChecked(checked));
        plans.set(key, plan);
    }
    return plan;
}

/**
 * `reviewStack` computed once per set of options (stack, config file, `now`, policy config) in a
 * test process and shared: a review of dev or prod is read by a dozen test files. Treat the result
 * as read-only. The expensive part, the plan, is {@link cachedPlan}'s; another `now` or policy
 * config only re-validates the config and reruns the policy pack and the sections
 * (review/plannedReview.ts `completeReview`, what `reviewStack` itself does after planning).
 */
export function cachedReview(options: ReviewOptions): Promise<Review> {
    const key = JSON.stringify({ ...options, now: options.now?.toISOString() });
    let review = reviews.get(key);
    if (!review) {
        review = new Promise<Review>((resolve) => {
            const checked = checkStack(options);
            if (!checked.config) return resolve(invalidReview(checked));
            resolve(cachedPlan(checked).then((planned) => completeReview(checked, planned)));
        });
        reviews.set(key, review);
    }
    return review;
}

/** `npm start` with these arguments in this process (review/cli.ts `runCli`), its plans from {@link cachedPlan}. */
export async function runCliCached(args: string[], projectDir?: string): Promise<{ code: number; out: string }> {
    // Imported here, not at the top: a bundle of a module importing this harness (bench/scaleWorker.ts)
    // would include review/cli.ts, whose `require.main === module` block runs in a bundle's entry.
    const { runCli } = await import("../review/cli");
    let out = "";
    const code = await runCli(args, (s) => (out += s), projectDir, cachedPlan);
    return { code, out };
}

export function ofType(resources: PlanResource[], type: string): PlanResource[] {
    return resources.filter((r) => r.type === type);
}

export function named(resources: PlanResource[], type: string, name: string): PlanResource {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have: ${resources.map((r) => `${r.type}/${r.name}`).join(", ")}`);
    return found;
}

/** Every issue of a config that must be rejected (fails the test if it is accepted). */
export function issuesOf(values: Record<string, unknown>): ConfigIssue[] {
    try {
        parse(values);
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
    throw new Error("expected the config to be rejected");
}

/** Asserts exactly one issue at `path` whose message contains `text` (and, if given, the value). */
export function expectIssue(values: Record<string, unknown>, path: string, text: string, value?: unknown): void {
    const issues = issuesOf(values);
    const at = issues.filter((i) => i.path === path);
    expect(at, `issues: ${JSON.stringify(issues, null, 1)}`).to.have.length(1);
    expect(at[0].message).to.contain(text);
    if (value !== undefined) expect(at[0].value).to.deep.equal(value);
}
