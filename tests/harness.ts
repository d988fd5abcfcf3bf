/**
 * Test helpers: run the real program (or a component) under the mock engine with a given stack
 * config and look at what it registered. Built on review/engine.ts, the same harness the offline
 * review uses, so tests and reviewers see the same registrations.
 */
import * as path from "path";
import { expect } from "chai";
import { ConfigIssue, ConfigValidationError, parseConfig, PatchingConfig } from "../config";
import { readStackFile } from "../config/source";
import { MockRun, PlanResource, runUnderMocks } from "../review/engine";
import { PROJECT_DIR, Review, ReviewOptions, reviewSections, reviewStack } from "../review/review";
import { main, ProgramOutputs } from "../program";

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

const stackRuns = new Map<string, Promise<MockRun<{ config: PatchingConfig; outputs: ProgramOutputs }>>>();

/**
 * Runs `program.ts` under mocks with a stack file of this repository. Computed once per file and
 * stack in a test process and shared by every test that asks (the plans are read, never changed);
 * each caller gets its own copy of the resource list.
 */
export async function runStackFile(file: string, stack: string) {
    const key = `${file}\0${stack}`;
    let run = stackRuns.get(key);
    if (!run) {
        const config = readStackFile(path.join(ROOT, file));
        run = runUnderMocks({ project: "patching", stack, config, env: { accountId: ACCOUNT, region: REGION }, program: main });
        stackRuns.set(key, run);
    }
    const { resources, result } = await run;
    return { resources: [...resources], result };
}

const reviews = new Map<string, Promise<Review>>();
/** Planned reviews by their options without `now`: the plan, policies and wiring do not depend on it. */
const plans = new Map<string, Promise<Review>>();

/**
 * `reviewStack` computed once per set of options (stack, config file, `now`, policy config) in a
 * test process and shared: a review of dev or prod is read by a dozen test files. The program,
 * the policies and the wiring proof run once per stack and options other than `now`; another
 * `now` recomputes only the sections (`reviewSections`). Treat the result as read-only.
 */
export function cachedReview(options: ReviewOptions): Promise<Review> {
    const key = JSON.stringify({ ...options, now: options.now?.toISOString() });
    let review = reviews.get(key);
    if (!review) {
        const planKey = JSON.stringify({ ...options, now: undefined });
        const plan = plans.get(planKey);
        if (!plan) {
            review = reviewStack(options);
            plans.set(planKey, review);
        } else {
            review = plan.then((p) => (p.config && p.wiring ? { ...p, sections: reviewSections(p.config, p.resources, p.wiring, options.now ?? new Date(), options.projectDir ?? PROJECT_DIR, p.contracts) } : p));
        }
        reviews.set(key, review);
    }
    return review;
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
