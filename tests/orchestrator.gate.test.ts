/**
 * The orchestrator's approval gate (issue 17): before each batch the run reads the stack's approval
 * change calendar (GetCalendarState); a calendar that closes mid-run stops the run cleanly, with
 * instance states restored. And `restoreRun` called directly on the states a run can stop in.
 */
import { expect } from "chai";
import { batchHandler, planHandler, restoreHandler, summaryHandler } from "../core/orchestrator/handlers";
import { planRun, recordBatch } from "../core/orchestrator/plan";
import { restoreRun } from "../core/orchestrator/restore";
import { batchDefinition, runDefinition } from "../core/orchestrator/stateMachine";
import type { InstanceRecord, RunState } from "../core/orchestrator/types";
import { FakeClock, runAsl } from "./support/asl";
import { FakeFleet, FakeInstance } from "./support/fakeFleet";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-01T22:55:00Z");
const ENV = { preflightDocument: "dev-fleet-preflight", logGroupName: "/aws/ssm/patch-manager" };
const CALENDAR = "patching-prod-install-approval";

const fleetOf = (specs: Partial<FakeInstance>[]): FakeInstance[] =>
    specs.map((s, i) => ({ id: `i-${String(i + 1).padStart(17, "0")}`, type: "t3.large", name: `host-${i + 1}`, platform: "Windows", state: "running", tags: { PatchGroup: "dev" }, ...s }));

let fleet: FakeFleet | undefined;
afterEach(() => {
    fleet?.restore();
    fleet = undefined;
});

async function orchestrate(instances: FakeInstance[], calendar: (at: number) => "OPEN" | "CLOSED", batchSize = 2) {
    const clock = new FakeClock(START);
    fleet = new FakeFleet(clock, instances);
    fleet.calendar = calendar;
    const c = fleet.clients;
    const lambdas = {
        "arn:plan": (p: unknown) => planHandler(p as never, { ec2: c.ec2, resourceGroups: c.resourceGroups, clock: clock.now, approval: { ssm: c.ssm, calendar: CALENDAR } }),
        "arn:batch": (p: unknown) => batchHandler(p as never, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: clock.now }),
        "arn:restore": (p: unknown) => restoreHandler(p as never, { ec2: c.ec2 }),
        "arn:summary": (p: unknown) => summaryHandler(p as never, { logs: c.logs, sns: c.sns, env: ENV, clock: clock.now, log: () => undefined }),
    };
    const machines = { "arn:batch-sm": batchDefinition({ batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore" }, { timeoutSeconds: 20_000 }) };
    const def = runDefinition({ planFunctionArn: "arn:plan", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", batchStateMachineArn: "arn:batch-sm" });
    const run = await runAsl(def, { settings: baseSettings({ batchSize, maxErrors: "100%" }) }, { clock, lambdas, machines, executionName: "run-1" });
    return { run, state: run.last as RunState & { summary: { runFailed: boolean; counts: Record<string, number> } }, f: fleet };
}

describe("orchestrator approval gate (change calendar before each batch)", () => {
    it("checks the calendar before every batch and patches all batches while it is open", async () => {
        const instances = fleetOf([{}, { state: "stopped" }, {}, {}]);
        const { run, state, f } = await orchestrate(instances, () => "OPEN");
        expect(run.status, JSON.stringify(run.error)).to.equal("SUCCEEDED");
        expect(f.calendarChecks.map((c) => c.names)).to.deep.equal([[CALENDAR], [CALENDAR]]);
        expect(state.gate).to.deep.equal({ open: true, calendar: CALENDAR });
        expect(Object.values(state.instances).map((r) => r.status)).to.deep.equal(["patched", "patched", "patched", "patched"]);
    });

    it("stops cleanly when the calendar closes mid-run: no further batch starts, what it started is stopped again, the rest is skipped with the reason", async () => {
        // Batch 1 (hosts 1, 2) starts while open; the calendar closes a minute into the run, while batch 1 patches.
        const instances = fleetOf([{}, { state: "stopped" }, { state: "stopped" }, {}]);
        const closesAt = START + 60_000;
        const { run, state, f } = await orchestrate(instances, (at) => (at < closesAt ? "OPEN" : "CLOSED"));
        const ids = instances.map((i) => i.id);
        expect(run.status, "a closed calendar is a clean stop, not a failure").to.equal("SUCCEEDED");
        expect(f.calendarChecks).to.have.length(2);
        expect(f.calendarChecks[1].at).to.be.at.least(closesAt);
        expect(state.next).to.deep.equal({ action: "finish", reason: "calendar-closed", detail: `approval calendar ${CALENDAR} is CLOSED: no further batch starts` });
        expect(f.commands.filter((c) => c.document === "AWS-RunPatchBaseline").map((c) => c.instanceIds)).to.deep.equal([[ids[0], ids[1]]]);
        expect(f.started, "host-3 (stopped, batch 2) is never started").to.deep.equal([ids[1]]);
        expect(f.stopped).to.deep.equal([[ids[1]]]);
        for (const i of instances) expect(f.currentState(i.id)).to.equal(i.state);
        expect(state.instances[ids[2]]).to.deep.include({ status: "skipped", reason: `not attempted: approval calendar ${CALENDAR} is CLOSED: no further batch starts` });
        expect(state.summary.counts).to.deep.include({ patched: 2, skipped: 2, failed: 0, startedAndStopped: 1 });
        expect(run.path).to.include("FinalRestore");
    });

    it("starts nothing when the calendar is closed at the start of the run", async () => {
        const instances = fleetOf([{ state: "stopped" }, {}]);
        const { state, f } = await orchestrate(instances, () => "CLOSED");
        expect(f.started).to.deep.equal([]);
        expect(f.commands).to.deep.equal([]);
        expect(state.next).to.deep.include({ action: "finish", reason: "calendar-closed" });
        expect(Object.values(state.instances).map((r) => r.status)).to.deep.equal(["skipped", "skipped"]);
    });

    it("fails the step (and so restores) when GetCalendarState answers without a state", async () => {
        const instances = fleetOf([{ state: "stopped" }, {}, { state: "stopped" }]);
        const { run, f } = await orchestrate(instances, (at) => (at < START + 60_000 ? "OPEN" : (undefined as unknown as "CLOSED")));
        expect(run.status).to.equal("FAILED");
        expect(run.path).to.include.members(["ApprovalGate", "FinalRestore"]);
        for (const i of instances) expect(f.currentState(i.id)).to.equal(i.state);
        expect(f.started).to.deep.equal([instances[0].id]);
    });
});

describe("restoreRun (called directly)", () => {
    const instances = fleetOf([{ state: "stopped" }, {}, { state: "stopped" }, {}, { state: "stopped" }, {}]);
    const ids = instances.map((i) => i.id);
    const targets = instances.map((i) => ({ instanceId: i.id, instanceType: i.type, name: i.name, platform: i.platform, originalState: i.state }));
    const planned = () => planRun({ runId: "run-1", settings: baseSettings({ batchSize: 2, maxErrors: "100%" }), targets, now: new Date(START) });

    /** A fleet where the run already started `running` (originally stopped) instances. */
    async function fleetWith(running: string[]) {
        const clock = new FakeClock(START);
        fleet = new FakeFleet(clock, instances);
        for (const id of running) await fleet.clients.ec2.send(new (await import("@aws-sdk/client-ec2")).StartInstancesCommand({ InstanceIds: [id] }));
        clock.advance(60); // past `pending`
        fleet.started.length = 0;
        return fleet;
    }

    it("stops the in-flight batch's originally stopped instance when the run fails between batches (record step failed)", async () => {
        // Batch 1 (ids 0,1) done and recorded; batch 2 (ids 2,3) ran, its record step failed: cursor still at batch 2, next = batch.
        const afterFirst = recordBatch(planned(), { instances: [{ ...planned().instances[ids[0]], status: "patched", restore: "stopped" }, { ...planned().instances[ids[1]], status: "patched" }] }, undefined, new Date(START + 3600_000));
        expect(afterFirst.cursor).to.equal(1);
        expect(afterFirst.next.action).to.equal("batch");
        const f = await fleetWith([ids[2]]);
        const out = await restoreRun(afterFirst, f.clients.ec2);
        expect(f.stopped).to.deep.equal([[ids[2]]]);
        expect(f.currentState(ids[2])).to.equal("stopped");
        expect(out.finalRestore).to.deep.equal({ stopped: [ids[2]], alreadyStopped: [ids[0]], leftRunning: [ids[1], ids[3]], failed: [] });
        expect(out.instances[ids[2]].restore).to.equal("stopped");
        expect(out.instances[ids[0]].restore, "a batch's own 'stopped' is kept over the sweep's 'already-stopped'").to.equal("stopped");
        expect(out.instances[ids[4]].restore, "batch 3 never started: not touched").to.equal(undefined);
    });

    it("stops the batch that just ran when the run stops between batches (error threshold, calendar closed, deadline)", async () => {
        const first = planned();
        const afterFirst = recordBatch(first, { instances: [{ ...first.instances[ids[0]], status: "patched" }, { ...first.instances[ids[1]], status: "patched" }] }, undefined, new Date(START + 60_000));
        // Batch 2's child execution failed outright (its restore did not run); the record step counts it failed and the deadline has passed.
        const stopped = recordBatch(afterFirst, undefined, { Error: "States.Timeout" }, new Date(START + 5 * 3600_000));
        expect(stopped.next).to.deep.include({ action: "finish", reason: "deadline" });
        expect(stopped.cursor).to.equal(2);
        const f = await fleetWith([ids[0], ids[2]]);
        const out = await restoreRun(stopped, f.clients.ec2);
        expect(f.stopped).to.deep.equal([[ids[0], ids[2]]]);
        expect(out.instances[ids[2]]).to.deep.include({ status: "failed", restore: "stopped" });
        expect(out.instances[ids[4]]).to.deep.include({ status: "skipped" });
        expect(f.currentState(ids[4])).to.equal("stopped");
        expect(f.started).to.deep.equal([]);
    });

    it("stops an instance the run started even outside the attempted batches (startedByRun), and never starts anything", async () => {
        const state: RunState = planned();
        const instancesWithFlag: Record<string, InstanceRecord> = { ...state.instances, [ids[4]]: { ...state.instances[ids[4]], startedByRun: true } };
        const f = await fleetWith([ids[4]]);
        const out = await restoreRun({ ...state, instances: instancesWithFlag }, f.clients.ec2);
        expect(f.stopped).to.deep.equal([[ids[0], ids[4]].filter((id) => id === ids[4])]);
        expect(out.finalRestore!.stopped).to.deep.equal([ids[4]]);
    });
});
