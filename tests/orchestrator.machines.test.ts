/**
 * The run and batch state machines' Retry and Catch, proven by running the real definitions
 * (tests/support/asl.ts) over the real handlers and a fake fleet: every Lambda task survives a
 * Lambda service error; the steps that call throttled EC2/SSM APIs survive a throttle; a throttle
 * where no Retry covers it ends in the batch's restore, with the error as the instances' reason.
 */
import { expect } from "chai";
import { batchHandler, planHandler, restoreHandler, summaryHandler } from "../core/orchestrator/handlers";
import { batchDefinition, runDefinition } from "../core/orchestrator/stateMachine";
import type { InstanceRecord, RunState } from "../core/orchestrator/types";
import { FakeClock, runAsl } from "./support/asl";
import { FakeFleet, FakeInstance } from "./support/fakeFleet";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-01T22:55:00Z");
const ENV = { preflightDocument: "dev-fleet-preflight", logGroupName: "/aws/ssm/patch-manager" };
const instances: FakeInstance[] = [
    { id: "i-00000000000000001", type: "t3.large", name: "a", platform: "Linux", state: "stopped", tags: { PatchGroup: "dev" } },
    { id: "i-00000000000000002", type: "t3.large", name: "b", platform: "Linux", state: "running", tags: { PatchGroup: "dev" } },
];
const awsError = (name: string) => Object.assign(new Error(`${name} (injected)`), { name });

/** Runs the parent and batch machines; `fault(action, call)` may return an error to throw on that call of the action (1-based). */
async function orchestrate(fault: (action: string, call: number) => Error | undefined) {
    const clock = new FakeClock(START);
    const fleet = new FakeFleet(clock, instances);
    try {
        const c = fleet.clients;
        const calls = new Map<string, number>();
        const flaky = (fn: (p: never) => Promise<unknown>) => async (p: unknown) => {
            const action = (p as { action: string }).action;
            const n = (calls.get(action) ?? 0) + 1;
            calls.set(action, n);
            const err = fault(action, n);
            if (err) throw err;
            return fn(p as never);
        };
        const lambdas = {
            "arn:plan": flaky((p) => planHandler(p, { ec2: c.ec2, resourceGroups: c.resourceGroups, clock: clock.now })),
            "arn:batch": flaky((p) => batchHandler(p, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: clock.now })),
            "arn:restore": flaky((p) => restoreHandler(p, { ec2: c.ec2 })),
            "arn:summary": flaky((p) => summaryHandler(p, { logs: c.logs, sns: c.sns, env: ENV, clock: clock.now, log: () => undefined })),
        };
        const machines = { "arn:batch-sm": batchDefinition({ batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore" }, { timeoutSeconds: 20_000 }) };
        const def = runDefinition({ planFunctionArn: "arn:plan", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", batchStateMachineArn: "arn:batch-sm" });
        const retried: { state: string; error: string }[] = [];
        const caught: { state: string; error: string }[] = [];
        const run = await runAsl(def, { settings: baseSettings({ maxErrors: "100%" }) }, { clock, lambdas, machines, executionName: "run-1", retried, caught });
        const state = run.last as RunState & { summary?: { runFailed: boolean } };
        return { run, retried, caught, fleet, records: Object.values(state?.instances ?? {}) as InstanceRecord[] };
    } finally {
        fleet.restore();
    }
}

describe("run and batch state machines: Retry and Catch, run through the interpreter", () => {
    const throttled = ["plan", "gate", "start", "checkAgents", "pollCommand", "restoreBatch", "restoreRun", "publish"];

    it("every Lambda task retries a Lambda service error, and the run patches as if nothing happened", async () => {
        const { run, retried, records, fleet } = await orchestrate((_action, call) => (call === 1 ? awsError("Lambda.TooManyRequestsException") : undefined));
        expect(run.status, JSON.stringify(run.error)).to.equal("SUCCEEDED");
        expect(records.map((r) => r.status)).to.deep.equal(["patched", "patched"]);
        const states = new Set(retried.filter((r) => r.error === "Lambda.TooManyRequestsException").map((r) => r.state));
        for (const s of ["Plan", "ApprovalGate", "StartInstances", "CheckAgents", "SendPreflight", "PollPreflight", "EvaluatePreflight", "SendPatch", "EvaluatePatch", "RestoreBatch", "RecordBatch", "FinalRestore", "PublishSummary"]) {
            expect(states.has(s), s).to.equal(true);
        }
        expect(fleet.currentState(instances[0].id)).to.equal("stopped");
    });

    it("the steps that call throttled APIs retry a throttle (the SDK's own retries spent); the run still succeeds", async () => {
        const { run, retried, records } = await orchestrate((action, call) => (throttled.includes(action) && call === 1 ? awsError("ThrottlingException") : undefined));
        expect(run.status, JSON.stringify(run.error)).to.equal("SUCCEEDED");
        expect(records.map((r) => r.status)).to.deep.equal(["patched", "patched"]);
        expect(new Set(retried.map((r) => r.state))).to.deep.equal(new Set(["Plan", "ApprovalGate", "StartInstances", "CheckAgents", "PollPreflight", "RestoreBatch", "FinalRestore", "PublishSummary"]));
        // EC2's own throttling code is retried too.
        const ec2 = await orchestrate((action, call) => (action === "start" && call === 1 ? awsError("RequestLimitExceeded") : undefined));
        expect(ec2.run.status).to.equal("SUCCEEDED");
    });

    it("a restore that finds an instance still starting is retried until it can stop it", async () => {
        const { run, retried, fleet } = await orchestrate((action, call) => (action === "restoreBatch" && call <= 3 ? awsError("InstancesStillStarting") : undefined));
        expect(run.status).to.equal("SUCCEEDED");
        expect(retried.filter((r) => r.error === "InstancesStillStarting").map((r) => r.state)).to.deep.equal(["RestoreBatch", "RestoreBatch", "RestoreBatch"]);
        expect(fleet.currentState(instances[0].id)).to.equal("stopped");
    });

    it("a throttle no Retry covers (SendCommand) is caught into the batch's restore: nothing left running, the instances failed with the error", async () => {
        const { run, caught, records, fleet } = await orchestrate((action) => (action === "sendPatch" ? awsError("ThrottlingException") : undefined));
        expect(run.status).to.equal("FAILED");
        expect(caught.map((c) => c.state)).to.include("SendPatch");
        for (const r of records) expect(r.status).to.equal("failed");
        expect(records[0].reason).to.match(/^batch interrupted: ThrottlingException/);
        expect(fleet.currentState(instances[0].id)).to.equal("stopped");
    });

    it("a summary that cannot be published ends the run as SummaryFailed, after the final restore", async () => {
        const { run } = await orchestrate((action) => (action === "publish" ? awsError("AccessDeniedException") : undefined));
        expect(run.error).to.deep.equal({ Error: "SummaryFailed", Cause: "The summary could not be published; see $.summaryError" });
        expect(run.path.slice(-3)).to.deep.equal(["FinalRestore", "PublishSummary", "SummaryFailed"]);
    });
});
