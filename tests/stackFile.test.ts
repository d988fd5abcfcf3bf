/** Broken YAML in a stack file: `file:line:col`, the problem, exit 1, no stack trace (through the CLI entry). */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { parseStackYaml, StackFileError } from "../config/source";

const ROOT = path.join(__dirname, "..");

function review(fixture: string) {
    // The precompiled `npm start` (scripts/run.js): an invalid stack file is answered before Pulumi loads.
    return spawnSync(process.execPath, ["scripts/run.js", "review/cli.ts", "--config", `tests/fixtures/${fixture}`], { cwd: ROOT, encoding: "utf8" });
}

describe("stack files that are not valid YAML", function () {
    this.timeout(180_000); // spawns the CLI: slow on a busy machine, not a speed test
    it("a duplicate key is an error at its line and column, not a silent last-wins", () => {
        expect(() => parseStackYaml("x.yaml", "config:\n  a: 1\n  a: 2\n")).to.throw(StackFileError, "x.yaml:3:3: duplicate key");
    });
    it("a syntax error names the line and column", () => {
        try {
            parseStackYaml("y.yaml", "config:\n  k: [1, 2\n");
            expect.fail("no error");
        } catch (err) {
            expect(err).to.be.instanceOf(StackFileError);
            const e = err as StackFileError;
            expect(e.problems[0].line).to.be.greaterThan(1);
            expect(e.message).to.match(/^y\.yaml:\d+:\d+: .+\(YAML [A-Z_]+\)/);
        }
    });
    for (const [fixture, where, what] of [
        ["duplicate-key.yaml", "duplicate-key.yaml:4:3", "duplicate key"],
        ["broken-syntax.yaml", "broken-syntax.yaml:3:27", "Flow sequence"],
    ] as const) {
        it(`the review CLI prints ${where}, exits 1, no stack trace (${fixture})`, () => {
            const r = review(fixture);
            expect(r.status, r.stderr).to.equal(1);
            expect(r.stderr).to.contain(`tests/fixtures/${where}: ${what}`);
            expect(r.stderr).to.not.match(/\n\s+at /);
            expect(r.stderr).to.not.contain("YAMLParseError");
        });
    }
});
