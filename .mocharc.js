/**
 * Mocha configuration. The whole suite runs when no test file is named, in 2 parallel worker
 * processes (`MOCHA_JOBS=1` runs it in one process); `npm run unit -- tests/x.test.ts` (or
 * `npx mocha tests/x.test.ts`) runs only the files named, in this process, instead of adding them
 * to the suite's glob. Each stack's plan is computed once per run, by whichever worker asks first,
 * and read by the other (tests/harness.ts, tests/support/sharedPlans.ts: its global setup and
 * teardown make and remove the run's folder of plans).
 *
 * The timeout only catches a hung test: it is far above what any test takes on an idle machine,
 * so a loaded one (a review computed under a load of 20 on 2 cores took over 30 s) slows the suite
 * without failing it. Nothing asserts a duration.
 */
"use strict";
const named = process.argv.slice(2).filter((arg) => !arg.startsWith("-") && /\.test\.[cm]?[jt]s$/.test(arg));
const jobs = Number(process.env.MOCHA_JOBS ?? 2);

module.exports = {
    // fastStacks: stacks of errors the Pulumi SDK creates by the thousand are not source-mapped.
    // register.js: SWC with ts-node's options for tsconfig.json, source-mapped (tests/support/register.js).
    // tmpRoot: one temporary folder per run (TMPDIR for the workers and every process they start), removed at the end.
    // sharedPlans: the workers' plans computed once per run (its mocha global setup and teardown).
    require: ["./tests/support/register.js", "./tests/support/fastStacks.ts", "./tests/support/tmpRoot.ts", "./tests/support/sharedPlans.ts"],
    extension: ["ts"],
    spec: named.length > 0 ? [] : ["tests/**/*.test.ts"],
    ...(named.length === 0 && jobs > 1 ? { parallel: true, jobs } : {}),
    // A larger young generation: the workers keep every plan they computed (hundreds of MB), and
    // with V8's default (16 MB semi-spaces) short-lived objects of later tests are promoted and
    // collected by full collections over that heap; 64 MB cut the suite's CPU by about 8%.
    "node-option": ["max-semi-space-size=64"],
    timeout: 180000,
    reporter: "./tests/reporter.ts",
};
