/**
 * tests/support/tmpRoot.ts: the run's one temporary folder. Its setup points TMPDIR (TMP, TEMP) at
 * a new folder that processes started from the run inherit; its teardown removes the folder with
 * whatever was left in it and puts the variables back.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mochaGlobalSetup, mochaGlobalTeardown, TMP_ROOT_PREFIX } from "./support/tmpRoot";

const KEYS = ["TMPDIR", "TMP", "TEMP", "PATCHING_TEST_TMP_ROOT"];
const snapshot = () => Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
function restore(env: Record<string, string | undefined>): void {
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
}

describe("the test run's temporary folder (tests/support/tmpRoot.ts)", () => {
    it("this run's scratch folders are inside it, when mocha ran the global setup", function () {
        if (!process.env.PATCHING_TEST_TMP_ROOT) this.skip(); // a runner without global fixtures (Stryker)
        expect(path.basename(os.tmpdir())).to.match(new RegExp(`^${TMP_ROOT_PREFIX}`));
        expect(fs.mkdtempSync(path.join(os.tmpdir(), "x-")).startsWith(os.tmpdir() + path.sep)).to.equal(true);
    });

    it("the setup makes a new folder that child processes inherit; the teardown removes it with what was left, and restores the variables", () => {
        const before = snapshot();
        const outer = os.tmpdir();
        try {
            mochaGlobalSetup();
            const root = os.tmpdir();
            expect(root).to.not.equal(outer);
            expect(path.dirname(root)).to.equal(outer);
            expect(path.basename(root)).to.match(new RegExp(`^${TMP_ROOT_PREFIX}`));
            const child = spawnSync(process.execPath, ["-e", "process.stdout.write(require('os').tmpdir())"], { encoding: "utf8" });
            expect(child.stdout).to.equal(root);
            const left = fs.mkdtempSync(path.join(os.tmpdir(), "left-behind-"));
            fs.writeFileSync(path.join(left, "file.txt"), "x");
            mochaGlobalTeardown();
            expect(fs.existsSync(root)).to.equal(false);
            expect(snapshot()).to.deep.equal(before);
            expect(os.tmpdir()).to.equal(outer);
            // Without a setup, the teardown changes nothing.
            delete process.env.PATCHING_TEST_TMP_ROOT;
            const bare = snapshot();
            mochaGlobalTeardown();
            expect(snapshot()).to.deep.equal(bare);
        } finally {
            restore(before);
        }
    });
});
