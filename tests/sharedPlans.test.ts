/**
 * tests/support/sharedPlans.ts: a plan computed once per test run across mocha's workers. Each
 * test uses its own folder; "another worker" is a second caller of this process (it waits on the
 * first's claim, as a worker does) or a claim left by a process that has exited.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mochaGlobalSetup, mochaGlobalTeardown, planKey, SHARED_PLANS_ENV, sharedPlan } from "./support/sharedPlans";

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), "shared-plans-test-"));

describe("plans shared by the mocha workers (tests/support/sharedPlans.ts)", () => {
    it("computes a plan once for callers asking at the same time; each gets the same JSON value", async () => {
        const dir = folder();
        let computed = 0;
        const compute = async () => {
            computed++;
            await new Promise((resolve) => setImmediate(resolve));
            return { stack: "dev", count: 3, gone: undefined, when: new Date("2026-12-01T00:00:00Z") };
        };
        const [first, second] = await Promise.all([sharedPlan("k", compute, dir), sharedPlan("k", compute, dir)]);
        expect(computed).to.equal(1);
        // Both as read back from JSON: no undefined member, a date as its text.
        expect(first).to.deep.equal({ stack: "dev", count: 3, when: "2026-12-01T00:00:00.000Z" });
        expect(second).to.deep.equal(first);
        expect(second).to.not.equal(first);
        // A later caller reads the file; nothing is left claimed.
        expect(await sharedPlan("k", compute, dir)).to.deep.equal(first);
        expect(computed).to.equal(1);
        expect(fs.readdirSync(dir).filter((f) => !f.endsWith(".json"))).to.deep.equal([]);
    });

    it("keeps plans of different keys apart", async () => {
        const dir = folder();
        expect(await sharedPlan("a", async () => 1, dir)).to.equal(1);
        expect(await sharedPlan("b", async () => 2, dir)).to.equal(2);
        expect(await sharedPlan("a", async () => 3, dir)).to.equal(1);
    });

    it("takes over the claim of a process that died, and computes the plan itself", async () => {
        const dir = folder();
        // Claim the key as a process that has exited would have left it.
        const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
        await sharedPlan("k", async () => "probe", dir);
        const [file] = fs.readdirSync(dir);
        fs.rmSync(path.join(dir, file));
        fs.writeFileSync(path.join(dir, `${file}.claim`), dead.stdout);
        expect(await sharedPlan("k", async () => "computed again", dir)).to.equal("computed again");
        expect(fs.existsSync(path.join(dir, `${file}.claim`))).to.equal(false);
    });

    it("a failed computation releases its claim and fails its caller; the next caller computes", async () => {
        const dir = folder();
        let err: unknown;
        await sharedPlan(
            "k",
            async () => {
                throw new Error("plan failed");
            },
            dir,
        ).catch((e) => (err = e));
        expect(String(err)).to.contain("plan failed");
        expect(fs.readdirSync(dir)).to.deep.equal([]);
        expect(await sharedPlan("k", async () => "ok", dir)).to.equal("ok");
    });

    it("without a folder, computes in this process and still hands out the JSON value", async () => {
        expect(await sharedPlan("k", async () => ({ a: 1, b: undefined }), path.join(folder(), "missing"))).to.deep.equal({ a: 1 });
    });

    it("keys a plan by the text of its files: a stack file rewritten in place is another plan", () => {
        const file = path.join(folder(), "Pulumi.x.yaml");
        fs.writeFileSync(file, "config: {}\n");
        const before = planKey(["review", "x"], [file]);
        expect(planKey(["review", "x"], [file])).to.equal(before);
        fs.writeFileSync(file, "config: {a: 1}\n");
        expect(planKey(["review", "x"], [file])).to.not.equal(before);
        expect(planKey(["review", "y"], [file])).to.not.equal(planKey(["review", "x"], [file]));
        fs.rmSync(file);
        expect(planKey(["review", "x"], [file])).to.contain("missing");
    });

    it("mocha's global setup makes a new folder for each run, even when one is set; the teardown removes it", () => {
        const saved = process.env[SHARED_PLANS_ENV];
        try {
            const stale = folder();
            process.env[SHARED_PLANS_ENV] = stale;
            mochaGlobalSetup();
            const dir = process.env[SHARED_PLANS_ENV]!;
            expect(dir).to.not.equal(stale);
            expect(fs.statSync(dir).isDirectory()).to.equal(true);
            expect(fs.readdirSync(dir)).to.deep.equal([]);
            fs.writeFileSync(path.join(dir, "plan.json"), "{}");
            mochaGlobalTeardown();
            expect(fs.existsSync(dir)).to.equal(false);
            // A folder the setup did not make is never removed.
            const other = folder();
            process.env[SHARED_PLANS_ENV] = other;
            mochaGlobalTeardown();
            expect(fs.existsSync(other)).to.equal(true);
        } finally {
            if (saved === undefined) delete process.env[SHARED_PLANS_ENV];
            else process.env[SHARED_PLANS_ENV] = saved;
        }
    });
});
