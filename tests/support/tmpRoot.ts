/**
 * One temporary folder per test run. Tests and the processes they start make their scratch folders
 * with `fs.mkdtempSync(path.join(os.tmpdir(), …))`, and many never remove them: one `npm test` left
 * about 250 folders in /tmp (bundles, review caches, policy packs, approval files), and a
 * developer's /tmp grew by thousands a day.
 *
 * mocha's global setup (main process, before any worker starts) makes `<tmp>/patching-test-XXXXXX`
 * and points TMPDIR (what `os.tmpdir()` reads first on POSIX; TMP and TEMP on Windows) at it; the
 * workers and every process a test spawns inherit it. The global teardown removes the folder with
 * everything in it, whatever the tests left. Registered before tests/support/sharedPlans.ts
 * (.mocharc.js), so the run's shared plans live in it too.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The run's temporary folder, named so that the teardown only ever removes one the setup made. */
export const TMP_ROOT_PREFIX = "patching-test-";
/** The environment variables `os.tmpdir()` reads (POSIX: TMPDIR; Windows: TEMP, TMP). */
const TMP_ENV = ["TMPDIR", "TMP", "TEMP"] as const;
/** Where the setup keeps the run's folder and the variables' previous values. */
const SAVED_ENV = "PATCHING_TEST_TMP_ROOT";

/** mocha global setup (main process): a new temporary folder for this run, inherited by every process. */
export function mochaGlobalSetup(): void {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), TMP_ROOT_PREFIX));
    // The previous values, this record's own included (a setup inside a run, as its test does, nests).
    const saved = Object.fromEntries([...TMP_ENV, SAVED_ENV].map((k) => [k, process.env[k] ?? null]));
    process.env[SAVED_ENV] = JSON.stringify({ root, saved });
    for (const k of TMP_ENV) process.env[k] = root;
}

/** mocha global teardown (main process): the run's folder goes, and the variables are as they were. */
export function mochaGlobalTeardown(): void {
    const text = process.env[SAVED_ENV];
    if (!text) return;
    const { root, saved } = JSON.parse(text) as { root: string; saved: Record<string, string | null> };
    for (const [k, v] of Object.entries(saved)) {
        if (v === null) delete process.env[k];
        else process.env[k] = v;
    }
    if (path.basename(root).startsWith(TMP_ROOT_PREFIX)) fs.rmSync(root, { recursive: true, force: true });
}
