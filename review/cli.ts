/**
 * `npm start -- [--stack NAME]… [--config FILE] [--json FILE] [--markdown FILE] [--account-id ID]`
 *
 * Offline review of a stack: runs the program under the mock engine (no Pulumi CLI, no AWS
 * credentials, no network), checks it with the policy pack and prints the plan. Exit codes: 0 valid,
 * 1 invalid config (every problem listed, nothing planned), 2 a mandatory policy is violated,
 * 3 usage error.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { hasMandatoryViolation, renderMarkdown, renderText, toJsonPlan } from "./render";
import { calendarView } from "./calendarSection";
import type { Review, ReviewOptions } from "./review";
import type { PlannedStack } from "./plannedReview";
import { CheckedStack, checkStack, invalidReview } from "./validate";
import { StackFileError } from "../config/issues";

export interface CliOptions {
    /** The first (or only) stack. */
    stack: string;
    /** Every `--stack` given, in order (one entry when a single stack is reviewed). */
    stacks: string[];
    config?: string;
    json?: string;
    markdown?: string;
    accountId?: string;
    policyConfig?: string;
    quiet: boolean;
    /** `--fleet-size N`: print whether N instances fit each orchestrator's window. */
    fleetSize?: string;
    /** `--now ISO`: the moment next runs and calendars count from (default: the current time). */
    now?: string;
    /** `--no-cache`: compute every plan afresh; neither read nor write the review cache (review/reviewCache.ts). */
    noCache?: boolean;
}

export const USAGE = `usage: npm start -- [--stack NAME] [--config FILE] [--json FILE] [--markdown FILE] [--policy-config FILE] [--account-id 123456789012] [--quiet]
  --stack NAME       stack to review; reads Pulumi.NAME.yaml (default: dev). Repeat it
                     (--stack dev --stack prod) to review several stacks and print their
                     release calendars side by side
  --config FILE      review this stack config file instead of Pulumi.NAME.yaml
  --json FILE        also write the machine-readable plan to FILE
  --markdown FILE    also write a Markdown report for a pull request to FILE
  --policy-config F  policy configuration for the policy pack (default: policies/presets/NAME.json if present)
  --account-id ID    account the mock engine deploys to (default: 123456789012)
  --quiet            print the review only when the config is invalid, a policy reports or a wiring edge is broken
  --fleet-size N     also print whether N instances fit each orchestrator's window (simulated)
  --now TIME         review as of this moment (ISO 8601, e.g. 2026-12-01T09:00:00Z; default: now)
  --no-cache         plan every stack afresh: neither read nor write the review cache (.build/reviews)
exit codes: 0 valid, 1 invalid config, 2 a mandatory policy is violated, a wiring edge is broken or a contract check fails, 3 usage error`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
    const opts: CliOptions = { stack: "dev", stacks: [], quiet: false };
    const takes = { "--stack": "stack", "--config": "config", "--json": "json", "--markdown": "markdown", "--account-id": "accountId", "--policy-config": "policyConfig", "--fleet-size": "fleetSize", "--now": "now" } as const;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--quiet") {
            opts.quiet = true;
            continue;
        }
        if (arg === "--no-cache") {
            opts.noCache = true;
            continue;
        }
        if (arg === "--help" || arg === "-h") throw new UsageError(USAGE);
        const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        const key = (takes as Record<string, keyof CliOptions>)[flag];
        if (!key) throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value\n${USAGE}`);
        if (key === "stack") opts.stacks.push(value);
        else (opts as unknown as Record<string, string>)[key] = value;
    }
    if (opts.stacks.length === 0) opts.stacks.push("dev");
    opts.stack = opts.stacks[0];
    if (new Set(opts.stacks).size !== opts.stacks.length) throw new UsageError(`each --stack once, got ${opts.stacks.join(", ")}`);
    if (opts.stacks.length > 1 && opts.config) throw new UsageError("--config reviews one stack; with several --stack flags each reads Pulumi.<stack>.yaml");
    if (opts.accountId !== undefined && !/^\d{12}$/.test(opts.accountId)) throw new UsageError(`--account-id must be 12 digits, got ${opts.accountId}`);
    if (opts.now !== undefined && !(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(opts.now) && !isNaN(Date.parse(opts.now)))) throw new UsageError(`--now must be an ISO 8601 time with its offset (e.g. 2026-12-01T09:00:00Z), got ${opts.now}`);
    if (opts.fleetSize !== undefined && !(/^[1-9]\d{0,5}$/.test(opts.fleetSize) && Number(opts.fleetSize) <= 100_000)) throw new UsageError(`--fleet-size must be a whole number from 1 to 100000, got ${opts.fleetSize}`);
    return opts;
}

/**
 * How a valid stack's plan is computed: review/review.ts `planChecked` unless one is given. The
 * tests hand in theirs, which computes each plan once per test run (tests/harness.ts `cachedPlan`).
 */
export type Planner = (checked: CheckedStack) => Promise<PlannedStack>;

/**
 * Runs the command. `projectDir` (for tests) is the folder holding Pulumi.yaml and the stack files
 * (default: the repository root); `planner` (for tests) computes the plans ({@link Planner}).
 */
export async function runCli(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), projectDir?: string, planner?: Planner): Promise<number> {
    let opts: CliOptions;
    try {
        opts = parseArgs(argv);
    } catch (err) {
        if (err instanceof UsageError) {
            out(`${err.message}\n`);
            return argv.includes("--help") || argv.includes("-h") ? 0 : 3;
        }
        throw err;
    }
    if (opts.stacks.length > 1) return runMany(opts, out, projectDir, planner);
    const now = opts.now ? new Date(opts.now) : undefined;
    const [review] = await reviewStacks([{ stack: opts.stack, configPath: opts.config, accountId: opts.accountId, policyConfigPath: opts.policyConfig, projectDir, now }], { noCache: opts.noCache, planner });
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(toJsonPlan(review), null, 2) + "\n");
    if (opts.markdown) fs.writeFileSync(opts.markdown, renderMarkdown(review));
    if (!opts.quiet || needsAttention(review)) out(renderText(review));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (opts.fleetSize) out((require("./fleetSection") as typeof import("./fleetSection")).fleetLines(review.config, Number(opts.fleetSize)).join("\n"));
    return exitCode(review);
}

/**
 * Validates every stack first (config/ only), and loads the Pulumi SDK, the providers and the mock
 * engine (review/review.ts) only when at least one config is valid and its plan is not in the
 * review cache: an invalid config is answered without them, and so is a stack whose plan the
 * precompiled review has kept (review/reviewCache.ts; the policies and the sections that count
 * from `now` are computed on every run).
 */
export async function reviewStacks(options: ReviewOptions[], cacheOptions: { noCache?: boolean; planner?: Planner } = {}): Promise<Review[]> {
    const checked: CheckedStack[] = options.map(checkStack);
    if (checked.every((c) => !c.config)) return checked.map((c) => invalidReview(c));
    const { completeReview } = await import("./plannedReview");
    const cache = await openReviewCache(cacheOptions.noCache === true);
    let planChecked: Planner | undefined;
    const reviews: Review[] = [];
    for (const c of checked) {
        if (!c.config) {
            reviews.push(invalidReview(c));
            continue;
        }
        const kept = cache.cache?.lookup(c);
        traceCache(`${c.stack} ${kept ? ("planned" in kept ? "hit" : `miss (${kept.miss})`) : `off (${cache.off})`}`);
        if (kept && "planned" in kept) {
            reviews.push(await completeReview(c, kept.planned));
            continue;
        }
        if (!planChecked) {
            planChecked = cacheOptions.planner ?? (await import("./review")).planChecked;
            // Run from the precompiled bundle (.build/cli.js): the dynamic provider's closure is serialised once per bundle.
            if (bundled()) (await import("./closureCache")).cacheSerializedClosures(__filename, path.join(path.dirname(__filename), "closures"));
        }
        const planned = await planChecked(c);
        cache.cache?.store(c, planned);
        reviews.push(await completeReview(c, planned));
    }
    return reviews;
}

/** True when this code runs from the precompiled bundle (.build/cli.js, scripts/run.js). */
function bundled(): boolean {
    return path.basename(path.dirname(__filename)) === ".build";
}

/**
 * The review cache, when this process can use it: run from the bundle by scripts/run.js, which
 * records the files the process reads from its start (scripts/file-reads.js), and not `--no-cache`.
 * `PATCHING_REVIEW_CACHE_DIR` puts the entries elsewhere (tests) than `.build/reviews`.
 */
async function openReviewCache(noCache: boolean): Promise<{ cache?: import("./reviewCache").ReviewCache; off?: string }> {
    if (noCache) return { off: "--no-cache" };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const recorder = (require("../scripts/file-reads") as { fileReads(): { root: string; files: Set<string> } | undefined }).fileReads();
    if (!bundled() || !recorder) return { off: "not the precompiled review" };
    const { ReviewCache } = await import("./reviewCache");
    const root = path.resolve(path.dirname(__filename), "..");
    const code = createHash("sha256").update(fs.readFileSync(__filename)).digest("hex");
    const dir = process.env.PATCHING_REVIEW_CACHE_DIR || path.join(path.dirname(__filename), "reviews");
    return { cache: new ReviewCache({ dir, root, code, reads: () => recorder.files }) };
}

/** `PATCHING_REVIEW_CACHE_TRACE=1`: one line per stack on stderr, whether its plan came from the cache. */
function traceCache(line: string): void {
    if (process.env.PATCHING_REVIEW_CACHE_TRACE === "1") process.stderr.write(`review cache: ${line}\n`);
}

/** 0 valid, 1 invalid config, 2 a mandatory policy is violated, a wiring edge is broken or a contract check failed. */
export function exitCode(review: Review): number {
    return review.configErrors.length > 0 ? 1 : hasMandatoryViolation(review) || (review.wiring?.broken ?? 0) > 0 || contractProblems(review) > 0 ? 2 : 0;
}

/** Problems the contract checks found (unknown IAM actions, condition keys, ARN types, API members). */
export function contractProblems(review: Review): number {
    return review.contracts ? review.contracts.iam.problems.length + review.contracts.api.problems.length : 0;
}

/** What `--quiet` still prints: an invalid config, a policy report, a broken wiring edge or a contract problem. */
function needsAttention(review: Review): boolean {
    return review.configErrors.length > 0 || review.policyResults.length > 0 || (review.wiring?.broken ?? 0) > 0 || contractProblems(review) > 0;
}

/** The exit code of several stacks: the worst (highest) of theirs. */
export function worstExitCode(reviews: Review[]): number {
    return Math.max(0, ...reviews.map(exitCode));
}

/**
 * Several stacks: each plan in turn, then one release calendar of all of them side by side (with
 * each stack's promotion rule). JSON: `{ stacks: [plan…], calendar: [lines] }`. Exit code: the
 * worst of the stacks'.
 */
async function runMany(opts: CliOptions, out: (s: string) => void, projectDir?: string, planner?: Planner): Promise<number> {
    const now = opts.now ? new Date(opts.now) : new Date();
    const reviews = await reviewStacks(
        opts.stacks.map((stack) => ({ stack, accountId: opts.accountId, policyConfigPath: opts.policyConfig, now, projectDir })),
        { noCache: opts.noCache, planner },
    );
    for (const review of reviews) {
        if (!opts.quiet || needsAttention(review)) out(renderText(review) + "\n");
    }
    const valid = reviews.filter((r) => r.config).map((r) => r.config!);
    const title = `Release calendar across stacks ${opts.stacks.join(", ")}`;
    const view = calendarView(valid, now, reviews.filter((r) => !r.config).map((r) => `! stack ${r.stack} not shown: its config is invalid`));
    const calendar = view?.lines ?? ["No scan, install or window schedules in these stacks."];
    out([title, "-".repeat(title.length), ...calendar, ""].join("\n"));
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ stacks: reviews.map(toJsonPlan), calendar }, null, 2) + "\n");
    if (opts.markdown) fs.writeFileSync(opts.markdown, [...reviews.map(renderMarkdown), `## ${title}`, "", "```text", ...calendar, "```", ""].join("\n"));
    return worstExitCode(reviews);
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            // A stack file that is not valid YAML: file:line:col and the problem, no stack trace (config/source.ts).
            if (err instanceof StackFileError) {
                process.stderr.write(`${err.message}\n`);
                process.exit(1);
            }
            process.stderr.write(`review failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
            process.exit(4);
        },
    );
}
