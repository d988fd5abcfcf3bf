/**
 * Plans shared by mocha's worker processes. The suite runs in 2 workers (.mocharc.js), and the
 * plan-wide test files (wiring, contracts, reviews) land on both: each worker planned every stack
 * once more, 7–8 s of CPU in a cold `npm test`. Now the first worker to need a plan computes it and
 * writes it to a folder of this run; a worker needing the same plan meanwhile waits for that file
 * instead of computing it again, and reads it.
 *
 * - The folder is made by mocha's global setup (`mochaGlobalSetup`, run once in mocha's main
 *   process before any worker starts; the workers inherit its path through the environment) and
 *   removed by the global teardown. Without it (a runner that skips global fixtures) each process
 *   computes its own plans, as before.
 * - A plan is keyed by what it is computed from, including the text of its stack file, so two tests
 *   writing different configs to the same path never share one.
 * - Every caller, the computing worker included, gets the plan as read back from JSON (a plan is
 *   JSON: review/reviewCache.ts stores the same objects), so a test sees the same value whichever
 *   worker computed it.
 * - A worker that fails to compute a plan removes its claim and fails as before; one that died
 *   (its pid gone) loses its claim, and the waiting worker computes the plan itself. Waiting polls
 *   the folder: it only decides who computes, never what a test asserts.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The environment variable naming this run's folder of shared plans. */
export const SHARED_PLANS_ENV = "PATCHING_TEST_SHARED_PLANS";
const POLL_MS = 25;

/**
 * mocha global setup (main process): a new folder of shared plans for this run, whatever the
 * environment held (a folder kept from another run could hold plans of other code).
 */
export function mochaGlobalSetup(): void {
    process.env[SHARED_PLANS_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "patching-test-plans-"));
}

/** mocha global teardown (main process): the folder goes with the run. */
export function mochaGlobalTeardown(): void {
    const dir = process.env[SHARED_PLANS_ENV];
    if (dir && path.basename(dir).startsWith("patching-test-plans-")) fs.rmSync(dir, { recursive: true, force: true });
}

/** Whether the process of this pid is alive (a claim of a dead worker is void). */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The value `compute` returns for `key`, computed once per run across the worker processes (see
 * the file's comment) and handed to each caller as read back from JSON. `dir` defaults to the
 * run's folder; without one, computed in this process.
 */
export async function sharedPlan<T>(key: string, compute: () => Promise<T>, dir = process.env[SHARED_PLANS_ENV]): Promise<T> {
    if (!dir || !fs.existsSync(dir)) return roundTrip(await compute());
    const file = path.join(dir, `${crypto.createHash("sha256").update(key).digest("hex")}.json`);
    const claim = `${file}.claim`;
    for (;;) {
        if (fs.existsSync(file)) return readJson<T>(file);
        // The claim appears whole, with its pid (a hard link is made atomically, or not at all).
        const mine = `${claim}.${process.pid}`;
        fs.writeFileSync(mine, String(process.pid));
        try {
            fs.linkSync(mine, claim);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
            const owner = Number(fs.readFileSync(claim, "utf8"));
            if (!alive(owner)) fs.rmSync(claim, { force: true });
            else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
            continue;
        } finally {
            fs.rmSync(mine, { force: true });
        }
        try {
            const text = JSON.stringify(await compute());
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, text);
            fs.renameSync(tmp, file);
            return JSON.parse(text) as T;
        } finally {
            fs.rmSync(claim, { force: true });
        }
    }
}

/** The key of a plan: its parts, and the text of each file named (a stack file rewritten in place is another plan). */
export function planKey(parts: unknown[], files: string[]): string {
    const texts = files.map((f) => (fs.existsSync(f) ? crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex") : "missing"));
    return JSON.stringify([parts, texts]);
}
