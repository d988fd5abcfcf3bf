/**
 * Which stacks a pull request must review, from the files it changes:
 *
 *   git diff --name-only origin/main...HEAD | npm run --silent pr:stacks [-- --json]
 *
 * prints `--stack dev --stack prod` (arguments for `npm start`), or a JSON array with `--json`
 * (a GitHub Actions matrix). Rules:
 * - a change to anything a plan is built from (program, components, config model, documents,
 *   policies, lambdas, package files) reviews every stack: each plan may change;
 * - a change to `Pulumi.<stack>.yaml` reviews that stack and every stack promoted after it
 *   (`patching:changeSafety.promotion.after`), since their release-calendar rules read its file;
 * - docs, tests, benchmarks and workflows change no plan: no stack, and the workflow says so.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** Paths whose change cannot alter a plan. */
const NO_PLAN_CHANGE = [/\.md$/, /^docs\//, /^tests\//, /^bench\//, /^\.github\//, /^\.ci\//, /^LICENSE/, /^\.gitignore$/, /^BENCHMARKS/, /^TESTING/];
const STACK_FILE = /^Pulumi\.([^./]+)\.yaml$/;

/** The stack a promotion rule waits for (`patching:changeSafety.promotion.after`), if any. */
export function promotedAfter(stackConfig: unknown): string | undefined {
    const config = (stackConfig as { config?: Record<string, unknown> } | undefined)?.config;
    const changeSafety = config?.["patching:changeSafety"] as { promotion?: { after?: unknown } } | undefined;
    const after = changeSafety?.promotion?.after;
    return typeof after === "string" ? after : undefined;
}

/**
 * @param changed files the pull request changes (repository-relative)
 * @param stacks every stack in the repository after the change, with its parsed stack file
 */
export function stacksToReview(changed: string[], stacks: Record<string, unknown>): string[] {
    const all = Object.keys(stacks).sort();
    const selected = new Set<string>();
    for (const file of changed.map((f) => f.trim()).filter(Boolean)) {
        const stack = STACK_FILE.exec(file)?.[1];
        if (stack !== undefined) {
            if (stack in stacks) selected.add(stack); // a deleted stack file has nothing left to review
            continue;
        }
        if (!NO_PLAN_CHANGE.some((re) => re.test(file))) return all;
    }
    // Stacks promoted after a selected one read its schedules: review them too (to a fixed point).
    for (let grew = true; grew; ) {
        grew = false;
        for (const stack of all) {
            const after = promotedAfter(stacks[stack]);
            if (!selected.has(stack) && after !== undefined && selected.has(after)) {
                selected.add(stack);
                grew = true;
            }
        }
    }
    return all.filter((s) => selected.has(s));
}

/** Every `Pulumi.<stack>.yaml` in a project folder, parsed. */
export function readStacks(projectDir: string): Record<string, unknown> {
    const stacks: Record<string, unknown> = {};
    for (const file of fs.readdirSync(projectDir).sort()) {
        const stack = STACK_FILE.exec(file)?.[1];
        if (stack !== undefined) stacks[stack] = YAML.parse(fs.readFileSync(path.join(projectDir, file), "utf8"));
    }
    return stacks;
}

if (require.main === module) {
    const json = process.argv.includes("--json");
    const changed = fs.readFileSync(0, "utf8").split("\n");
    const stacks = stacksToReview(changed, readStacks(path.join(__dirname, "..")));
    process.stdout.write((json ? JSON.stringify(stacks) : stacks.map((s) => `--stack ${s}`).join(" ")) + "\n");
}
