/**
 * Whole orchestrator runs: the real state machine definitions (core/orchestrator/stateMachine.ts)
 * executed by a test interpreter, the real Lambda handlers, and EC2/SSM/SNS/Logs clients mocked
 * by aws-sdk-client-mock behind a fake fleet. Hours of Wait states pass on a fake clock.
 */
import { expect } from "chai";
import { batchHandler, planHandler, restoreHandler, summaryHandler } from "../core/orchestrator/handlers";
import { batchDefinition, runDefinition } from "../core/orchestrator/stateMachine";
import type { InstanceRecord, OrchestratorSettings, RunState } from "../core/orchestrator/types";
import { FakeClock, runAsl } from "./support/asl";
import { FakeFleet, FakeInstance } from "./support/fakeFleet";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-01T22:55:00Z");
const ENV = { preflightDocument: "dev-fleet-preflight", logGroupName: "/aws/ssm/patch-manager", topicArn: "arn:aws:sns:us-east-1:123456789012:dev-fleet-patch-summary" };

function fleetOf(specs: Partial<FakeInstance>[]): FakeInstance[] {
    return specs.map((s, i) => ({ id: `i-${String(i + 1).padStart(17, "0")}`, type: "t3.large", name: `host-${i + 1}`, platform: "Windows", state: "running", tags: { PatchGroup: "dev" }, ...s }));
}

let fleet: FakeFleet | undefined;

async function orchestrate(instances: FakeInstance[], overrides: Partial<OrchestratorSettings> = {}, opts: { batchTimeoutSeconds?: number; groups?: Record<string, string[]> } = {}) {
    const clock = new FakeClock(START);
    fleet = new FakeFleet(clock, instances);
    if (opts.groups) fleet.groups = opts.groups;
    const c = fleet.clients;
    const lambdas = {
        "arn:plan": (p: unknown) => planHandler(p as never, { ec2: c.ec2, resourceGroups: c.resourceGroups, clock: clock.now }),
        "arn:batch": (p: unknown) => batchHandler(p as never, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: clock.now }),
        "arn:restore": (p: unknown) => restoreHandler(p as never, { ec2: c.ec2 }),
        "arn:summary": (p: unknown) => summaryHandler(p as never, { logs: c.logs, sns: c.sns, env: ENV, clock: clock.now, log: () => undefined }),
    };
    const machines = { "arn:batch-sm": batchDefinition({ batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore" }, { timeoutSeconds: opts.batchTimeoutSeconds ?? 20_000 }) };
    const def = runDefinition({ planFunctionArn: "arn:plan", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", batchStateMachineArn: "arn:batch-sm" });
    const run = await runAsl(def, { windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: baseSettings(overrides) }, { clock, lambdas, machines, executionName: "run-1" });
    const state = run.last as (RunState & { summary: { runFailed: boolean; counts: Record<string, number>; logStream: string } }) | undefined;
    return { run, state, fleet, clock, instances: (state?.instances ?? {}) as Record<string, InstanceRecord> };
}

const patchCommands = (f: FakeFleet) => f.commands.filter((c) => c.document === "AWS-RunPatchBaseline");
const preflightCommands = (f: FakeFleet) => f.commands.filter((c) => c.document === ENV.preflightDocument);

describe("orchestrator run (state machines + Lambdas, mocked EC2/SSM)", () => {
    afterEach(() => {
        fleet?.restore();
        fleet = undefined;
    });

    it("patches running and stopped instances in priority batches, then stops what was stopped", async () => {
        const instances = fleetOf([
            { state: "stopped" },
            { type: "m5.large" },
            { state: "stopped", type: "m5.large" },
            {},
            { type: "c5.large", platform: "Linux" },
            { state: "stopped" },
            {},
        ]);
        const { run, state, fleet: f, clock, instances: rec } = await orchestrate(instances, { batchSize: 5, priorityInstanceTypes: ["m5.large", "c5.large"] });
        expect(run.status, JSON.stringify(run.error)).to.equal("SUCCEEDED");
        const id = (n: number) => instances[n - 1].id;
        // Priority types first (m5.large, then c5.large), then by name; 5 + an uneven last batch of 2.
        expect(state!.batches).to.deep.equal([[id(2), id(3), id(5), id(1), id(4)], [id(6), id(7)]]);
        expect(patchCommands(f).map((c) => c.instanceIds)).to.deep.equal(state!.batches);
        expect(patchCommands(f)[0].parameters).to.deep.equal({ Operation: ["Install"], RebootOption: ["RebootIfNeeded"] });
        expect(preflightCommands(f).map((c) => c.instanceIds)).to.deep.equal(state!.batches);
        // Exactly the stopped instances were started, batch by batch, and stopped again after their batch.
        expect(f.started.sort()).to.deep.equal([id(1), id(3), id(6)].sort());
        expect(f.stopped).to.deep.equal([[id(3), id(1)], [id(6)]]);
        for (const i of instances) expect(f.currentState(i.id)).to.equal(i.state);
        expect(Object.values(rec).map((r) => r.status)).to.deep.equal(Array(7).fill("patched"));
        expect(rec[id(1)]).to.deep.include({ startedByRun: true, restore: "stopped" });
        expect(rec[id(2)].restore).to.equal("left-running");
        expect(rec[id(5)].platform).to.equal("Linux");
        // The second batch began only after the wait between batches.
        const gap = patchCommands(f)[1].sentAt - patchCommands(f)[0].sentAt;
        expect(gap).to.be.greaterThan(120_000);
        expect(clock.now().getTime() - START).to.be.lessThan(4 * 3600_000);
        expect(state!.summary).to.deep.equal({
            runFailed: false,
            counts: { targets: 7, patched: 7, failed: 0, skipped: 0, pending: 0, startedAndStopped: 3 },
            logStream: "orchestrator/dev-fleet/run-1",
        });
        expect(f.published).to.have.length(1);
        expect(f.published[0].subject).to.equal("[OK] dev-fleet patching: 7 patched, 0 failed, 0 skipped");
        expect(f.logEvents.map((e) => e.stream)).to.deep.equal(["orchestrator/dev-fleet/run-1", "orchestrator/dev-fleet/run-1"]);
        expect(JSON.parse(f.logEvents[1].message).counts.patched).to.equal(7);
    });

    it("stops an instance it started again even when its patching failed; the run ends Failed with the reason", async () => {
        const instances = fleetOf([{ state: "stopped", patchResult: "Failed" }, {}]);
        const { run, fleet: f, instances: rec } = await orchestrate(instances, { maxErrors: "50%" });
        expect(run.status).to.equal("FAILED");
        expect(run.error).to.deep.equal({ Error: "PatchRunFailed", Cause: "Instances failed or the run stopped early; see the summary in SNS and the log group" });
        expect(run.path.slice(-3)).to.deep.equal(["PublishSummary", "Outcome", "RunFailed"]);
        const failed = rec[instances[0].id];
        expect(failed).to.deep.include({ status: "failed", restore: "stopped", startedByRun: true });
        expect(failed.reason).to.equal("AWS-RunPatchBaseline Failed: Failed to install package: KB5040000 (0x80070643)");
        expect(f.currentState(instances[0].id)).to.equal("stopped");
        expect(rec[instances[1].id].status).to.equal("patched");
        expect(f.published[0].subject).to.equal("[FAILED] dev-fleet patching: 1 patched, 1 failed, 0 skipped");
        expect(f.published[0].message).to.contain(`FAILED   ${instances[0].id} host-1 (t3.large, was stopped, restore: stopped): AWS-RunPatchBaseline Failed`);
    });

    it("restores the batch when a step fails outright (SendCommand denied): instances stopped again, marked failed with the error", async () => {
        const instances = fleetOf([{ state: "stopped" }, { state: "stopped" }]);
        const clock = new FakeClock(START);
        fleet = new FakeFleet(clock, instances);
        const { SendCommandCommand } = await import("@aws-sdk/client-ssm");
        fleet.ssm.on(SendCommandCommand).rejects(Object.assign(new Error("not authorized to perform ssm:SendCommand"), { name: "AccessDeniedException" }));
        const c = fleet.clients;
        const lambdas = {
            "arn:plan": (p: unknown) => planHandler(p as never, { ec2: c.ec2, resourceGroups: c.resourceGroups, clock: clock.now }),
            "arn:batch": (p: unknown) => batchHandler(p as never, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: clock.now }),
            "arn:restore": (p: unknown) => restoreHandler(p as never, { ec2: c.ec2 }),
            "arn:summary": (p: unknown) => summaryHandler(p as never, { logs: c.logs, sns: c.sns, env: ENV, clock: clock.now, log: () => undefined }),
        };
        const machines = { "arn:batch-sm": batchDefinition({ batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore" }, { timeoutSeconds: 20_000 }) };
        const run = await runAsl(
            runDefinition({ planFunctionArn: "arn:plan", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", batchStateMachineArn: "arn:batch-sm" }),
            { settings: baseSettings() },
            { clock, lambdas, machines },
        );
        expect(run.status).to.equal("FAILED");
        expect(fleet.started.sort()).to.deep.equal(instances.map((i) => i.id).sort());
        expect(fleet.stopped).to.deep.equal([instances.map((i) => i.id)]);
        for (const i of instances) expect(fleet.currentState(i.id)).to.equal("stopped");
        expect(fleet.published[0].message).to.contain("batch interrupted: AccessDeniedException: not authorized to perform ssm:SendCommand");
    });

    it("gives up on an agent that never reports Online after agentWaitSeconds, patches the others, stops the instance again", async () => {
        const instances = fleetOf([{ state: "stopped", agentDelaySeconds: Infinity }, { state: "stopped", agentDelaySeconds: 120 }, {}]);
        const { fleet: f, instances: rec, clock } = await orchestrate(instances, { agentWaitSeconds: 600, maxErrors: "1" });
        expect(rec[instances[0].id]).to.deep.include({ status: "failed", reason: "SSM agent did not report Online within 600 s (ping status: ConnectionLost)", restore: "stopped" });
        expect(rec[instances[1].id].status).to.equal("patched");
        expect(patchCommands(f)[0].instanceIds).to.deep.equal([instances[1].id, instances[2].id]);
        // The patch command went out only after the agent wait was over (≥ 600 s after the start).
        expect(patchCommands(f)[0].sentAt - START).to.be.at.least(600_000);
        expect(f.currentState(instances[0].id)).to.equal("stopped");
        expect(clock.now().getTime()).to.be.greaterThan(START);
    });

    it("stops scheduling batches once failures exceed maxErrors; later batches are skipped and never started", async () => {
        const instances = fleetOf([{ patchResult: "Failed" }, {}, { state: "stopped" }, { state: "stopped" }]);
        const { run, fleet: f, instances: rec, state } = await orchestrate(instances, { batchSize: 2, maxErrors: "0" });
        expect(run.status).to.equal("FAILED");
        expect(patchCommands(f)).to.have.length(1);
        expect(f.started).to.deep.equal([]);
        expect(state!.next).to.deep.equal({ action: "finish", reason: "error-threshold", detail: "1 failed instance(s) exceed maxErrors 0 (0 of 4)" });
        expect(rec[instances[2].id]).to.deep.include({ status: "skipped", reason: "not attempted: 1 failed instance(s) exceed maxErrors 0 (0 of 4)" });
        expect(rec[instances[2].id].restore).to.equal(undefined);
    });

    it("continues past an instance that cannot start (capacity) and patches the rest of the batch", async () => {
        const instances = fleetOf([{ state: "stopped", startError: "InsufficientInstanceCapacity" }, { state: "stopped" }]);
        const { fleet: f, instances: rec } = await orchestrate(instances, { maxErrors: "1" });
        expect(rec[instances[0].id]).to.deep.include({ status: "failed", reason: "could not start: InsufficientInstanceCapacity: cannot start " + instances[0].id });
        expect(rec[instances[1].id].status).to.equal("patched");
        expect(patchCommands(f)[0].instanceIds).to.deep.equal([instances[1].id]);
        expect(f.stopped).to.deep.equal([[instances[1].id]]);
    });

    it("grows the root volume when cleanup is not enough (opt-in), extends the partition, then patches", async () => {
        const instances = fleetOf([{ freeGb: 8, freeGbAfterCleanup: 12, volumeSizeGb: 30 }, {}]);
        const settings = baseSettings();
        settings.preflight.volumeExpansion = { enabled: true, incrementGb: 20, maxVolumeSizeGb: 100, untaggedVolumes: false };
        const { fleet: f, instances: rec } = await orchestrate(instances, settings);
        const grown = instances[0];
        expect(f.modified.map((m) => ({ volumeId: m.volumeId, size: m.size }))).to.deep.equal([{ volumeId: `vol-${grown.id.slice(2)}`, size: 50 }]);
        const extend = f.commands.find((c) => c.parameters.Operation?.[0] === "Extend")!;
        expect(extend.instanceIds).to.deep.equal([grown.id]);
        expect(extend.sentAt - f.modified[0].at, "the partition is extended once the volume is optimizing").to.be.at.least(60_000);
        expect(rec[grown.id].status).to.equal("patched");
        expect(rec[grown.id].disk).to.deep.equal({ action: "ok", freeGb: 32, requiredGb: 20 });
        expect(rec[grown.id].warnings).to.deep.equal([`cleanup ran: 8 → 12 GiB free`, `root volume vol-${grown.id.slice(2)} grown from 30 to 50 GiB`]);
        expect(patchCommands(f)[0].instanceIds).to.deep.equal(instances.map((i) => i.id));
    });

    it("skips (does not patch) an instance still short of space when expansion is off, and says why", async () => {
        const instances = fleetOf([{ freeGb: 8, freeGbAfterCleanup: 12 }, {}]);
        const { fleet: f, instances: rec, run } = await orchestrate(instances);
        expect(rec[instances[0].id]).to.deep.include({ status: "skipped", reason: "12 GiB free after cleanup, 20 GiB required; volume expansion is disabled" });
        expect(f.modified).to.deep.equal([]);
        expect(patchCommands(f)[0].instanceIds).to.deep.equal([instances[1].id]);
        expect(run.status, "a skip is reported, not a failure").to.equal("SUCCEEDED");
    });

    it("restores a batch whose child execution timed out (patch command hanging), from the parent", async () => {
        const instances = fleetOf([{ state: "stopped", patchResult: "Hang" }]);
        const { run, fleet: f, instances: rec } = await orchestrate(instances, { maxErrors: "1" }, { batchTimeoutSeconds: 1200 });
        expect(run.path).to.include("RestoreFailedBatch");
        expect(rec[instances[0].id]).to.deep.include({ status: "failed", restore: "stopped" });
        expect(rec[instances[0].id].reason).to.match(/^batch execution failed: States.TaskFailed/);
        expect(f.currentState(instances[0].id)).to.equal("stopped");
    });

    it("cancels a patch command still running at its deadline and counts it failed", async () => {
        const instances = fleetOf([{ patchResult: "Hang" }]);
        const settings = baseSettings({ maxErrors: "1" });
        settings.patch.timeoutSeconds = 600;
        const { fleet: f, instances: rec } = await orchestrate(instances, settings);
        expect(patchCommands(f)[0].cancelled).to.equal(true);
        expect(rec[instances[0].id]).to.deep.include({ status: "failed", reason: "AWS-RunPatchBaseline TimedOut: still InProgress after the patch deadline; cancelled" });
    });

    it("finds targets through a resource group, still only running and stopped ones matching the tags", async () => {
        const instances = fleetOf([{}, { state: "stopped" }, { tags: { PatchGroup: "prod" } }]);
        const { instances: rec } = await orchestrate(instances, { targets: { tags: { PatchGroup: ["dev"] }, resourceGroup: "dev-patch-targets" } }, { groups: { "dev-patch-targets": instances.map((i) => i.id) } });
        expect(Object.keys(rec).sort()).to.deep.equal([instances[0].id, instances[1].id].sort());
    });

    it("reports invalid execution input as a failed run with a summary, touching no instance", async () => {
        const instances = fleetOf([{ state: "stopped" }]);
        const { run, fleet: f } = await orchestrate(instances, { batchSize: 0 });
        expect(run.status).to.equal("FAILED");
        expect(run.path).to.deep.equal(["Plan", "PublishSummary", "Outcome", "RunFailed"]);
        expect(f.started).to.deep.equal([]);
        expect(f.published[0].message).to.contain("ended: error (InvalidSettings: invalid orchestrator settings: batchSize must be a whole number from 1 to 50 (got 0))");
    });
});
