/**
 * The mock engine's lean `debuggablePromise` (review/engine.ts skipSdkDebugging): RPC promises are
 * tracked in the SDK's leak candidates as the SDK tracks them, without the labels, so the SDK's
 * exit check still fails a run that leaves one unsettled.
 */
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { runUnderMocks } from "../review/engine";
import { COMPONENT_RUN, ROOT } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>; __unlabelled?: true };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>> } };

describe("mock engine: RPC promises tracked for the SDK's leak check, unlabelled (review/engine.ts)", function () {
    this.timeout(120_000); // one test spawns node with ts-node: slow on a busy machine, nothing timed

    before(async () => {
        // A plan through the engine installs the lean tracking (and sends its first promise through the SDK's own function).
        const run = await runUnderMocks({ ...COMPONENT_RUN, program: () => new aws.sns.Topic("t", { name: "leak-check" }) });
        expect(run.resources.map((r) => r.type)).to.deep.equal(["aws:sns/topic:Topic"]);
    });

    it("leaves no candidate once a plan has settled", () => {
        expect(debuggable.__unlabelled).to.equal(true);
        expect(state.getStore().leakCandidates.size).to.equal(0);
    });

    it("tracks a promise until it resolves, and passes its value on", async () => {
        let resolve!: (v: string) => void;
        const p = new Promise<string>((r) => (resolve = r));
        const tracked = debuggable.debuggablePromise(p, "ctx");
        expect(state.getStore().leakCandidates.has(p)).to.equal(true);
        resolve("value");
        expect(await tracked).to.equal("value");
        expect(state.getStore().leakCandidates.has(p)).to.equal(false);
    });

    it("tracks a promise until it rejects, and passes its error on with the promise attached, as the SDK does", async () => {
        const err = new Error("boom");
        const p = Promise.reject(err);
        const tracked = debuggable.debuggablePromise(p, "ctx");
        expect(state.getStore().leakCandidates.has(p)).to.equal(true);
        const caught = await tracked.then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(caught).to.equal(err);
        expect((caught as { promise?: unknown }).promise).to.equal(p);
        expect(state.getStore().leakCandidates.has(p)).to.equal(false);
    });

    it("a run that leaves an RPC promise unsettled still fails at exit with the SDK's leak message", () => {
        const engine = path.join(ROOT, "review", "engine.ts");
        const script = `
            const aws = require("@pulumi/aws");
            const { runUnderMocks } = require(${JSON.stringify(engine)});
            runUnderMocks({ project: "patching", stack: "test", config: { values: { "aws:region": "us-east-1" }, secretKeys: [] }, env: { accountId: "123456789012", region: "us-east-1" }, program: () => new aws.sns.Topic("t", { name: "leak-check" }) })
                .then(() => {
                    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
                    debuggable.debuggablePromise(new Promise(() => undefined), "never settles");
                    console.log("planned");
                });`;
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, encoding: "utf8" });
        expect(r.stdout).to.contain("planned");
        expect(r.status, r.stderr).to.equal(1);
        expect(r.stderr).to.contain("The Pulumi runtime detected that 1 promise was still active");
    });
});
