/**
 * The spec reporter, plus the slowest test files (sum of their tests' durations, the first test of
 * a file paying for the plans it computes) and one closing line `N passed, N failed, N skipped`
 * that CI systems read whatever the test runner. `TEST_FILE_TIMES=N` lists N files (default 10, 0: none).
 */
import * as Mocha from "mocha";
import * as path from "path";

class SpecWithSummary extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        const perFile = new Map<string, number>();
        runner.on(Mocha.Runner.constants.EVENT_TEST_END, (test: Mocha.Test) => {
            const file = test.file ?? test.parent?.file ?? "?";
            perFile.set(file, (perFile.get(file) ?? 0) + (test.duration ?? 0));
        });
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const s = runner.stats!;
            const shown = Number(process.env.TEST_FILE_TIMES ?? 10);
            if (shown > 0 && perFile.size > 1) {
                const slowest = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, shown);
                process.stdout.write(`\nslowest test files (sum of test durations):\n${slowest.map(([f, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${path.relative(process.cwd(), f)}`).join("\n")}\n`);
            }
            process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
        });
    }
}

export = SpecWithSummary;
