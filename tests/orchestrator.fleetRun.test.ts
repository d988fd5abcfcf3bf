/**
 * Whole fleet-mode runs (`scale: fleet`): the registered Distributed Map definition
 * (core/orchestrator/fleetMachine.ts) executed by the test interpreter (tests/support/asl.ts),
 * the real Lambda handlers, EC2/SSM mocked behind a fake fleet, the run's bucket in memory.
 * Exact outcomes at small sizes: priority order between groups, the gate before each batch, the
 * error budget across batches, a failed child execution, restore; and the payload sizes at 10,000.
 */
import { expect } from "chai";
import { fleetPlan, FleetRunState, memoryStore, parseResultKey } from "../core/orchestrator/fleet";
import { fleetDefinition, STEP_FUNCTIONS_PAYLOAD_MAX } from "../core/orchestrator/fleetMachine";
import { batchHandler, fleetPlanHandler, planHandler, restoreHandler, StepEvent, summaryHandler } from "../core/orchestrator/handlers";
import { orchestratorInput } from "../core/orchestrator/settings";
import type { OrchestratorSettings, RunSummary, TargetInstance } from "../core/orchestrator/types";
import { FakeClock, runAsl } from "./support/asl";
import { FakeFleet, FakeInstance } from "./support/fakeFleet";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-01T22:55:00Z");
const ENV = { preflightDocument: "fleet-preflight", logGroupName: "/aws/ssm/patch-manager", topicArn: "arn:aws:sns:us-east-1:123456789012:fleet-patch-summary" };
const CALENDAR = "patching-prod-install-approval";
const ARNS = { planFunctionArn: "arn:plan", batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", bucketName: "fleet-runs" };

function fleetOf(specs: Partial<FakeInstance>[]): FakeInstance[] {
    return specs.map((s, i) => ({ id: `i-${String(i + 1).padStart(17, "0")}`, type: "t3.large", name: `host-${String(i + 1).padStart(2, "0")}`, platform: "Windows", state: "running", tags: { PatchGroup: "dev" }, ...s }));
}

let fleet: FakeFleet | undefined;

async function fleetRun(instances: FakeInstance[], overrides: Partial<OrchestratorSettings>, opts: { calendar?: boolean; failGate?: (event: StepEvent) => boolean; closeAt?: number } = {}) {
    const clock = new FakeClock(START);
    fleet = new FakeFleet(clock, instances);
    if (opts.closeAt !== undefined) fleet.calendar = (at) => (at >= START + opts.closeAt! * 1000 ? "CLOSED" : "OPEN");
    const c = fleet.clients;
    const store = memoryStore();
    const approval = opts.calendar || opts.closeAt !== undefined ? { approval: { ssm: c.ssm, calendar: CALENDAR } } : {};
    const planDeps = { ec2: c.ec2, resourceGroups: c.resourceGroups, clock: clock.now, store, ...approval };
    const lambdas = {
        "arn:plan": async (p: unknown) => {
            const e = p as StepEvent;
            if (opts.failGate?.(e)) throw Object.assign(new Error("simulated gate failure"), { name: "GateBroken" });
            return e.action.startsWith("fleet") ? fleetPlanHandler(e, planDeps) : planHandler(e, planDeps);
        },
        "arn:batch": (p: unknown) => batchHandler(p as never, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: clock.now }),
        "arn:restore": (p: unknown) => restoreHandler(p as never, { ec2: c.ec2, store }),
        "arn:summary": (p: unknown) => summaryHandler(p as never, { logs: c.logs, sns: c.sns, env: ENV, clock: clock.now, log: () => undefined, store }),
    };
    const mapRuns: NonNullable<Parameters<typeof runAsl>[2]["mapRuns"]> = [];
    const def = fleetDefinition(ARNS, { batchTimeoutSeconds: 20_000 });
    const run = await runAsl(def, { windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: baseSettings({ batchesInFlight: 3, ...overrides }) }, { clock, lambdas, executionName: "run-1", objects: store.objects, mapRuns, maxTransitions: 20_000 });
    const state = run.last as FleetRunState & { summary?: { runFailed: boolean; counts: Record<string, number> } };
    const summary = JSON.parse(store.objects.get("runs/run-1/summary.json") ?? "null") as RunSummary | null;
    return { run, state, fleet, store, mapRuns, summary, status: (id: string) => summary?.instances.find((i) => i.instanceId === id) };
}

const patchCommands = (f: FakeFleet) => f.commands.filter((c) => c.document === "AWS-RunPatchBaseline");

describe("fleet run (Distributed Map definition + real handlers, mocked EC2/SSM, bucket in memory)", () => {
    afterEach(() => {
        fleet?.restore();
        fleet = undefined;
    });

    it("patches priority groups one after another, batches of batchSize, batchesInFlight asked of the Map, stopped instances stopped again", async () => {
        const instances = fleetOf([{ state: "stopped" }, { type: "m5.large" }, { state: "stopped", type: "m5.large" }, {}, { type: "m5.large" }, { state: "stopped" }, {}]);
        const { run, state, fleet: f, mapRuns, summary, store } = await fleetRun(instances, { batchSize: 2, priorityInstanceTypes: ["m5.large"] });
        expect(run.status, JSON.stringify(run.error)).to.equal("SUCCEEDED");
        const id = (n: number) => instances[n - 1].id;
        // Group 0 (m5.large, by name) then group 1; batches of 2 with an uneven last batch.
        expect(patchCommands(f).map((c) => c.instanceIds)).to.deep.equal([[id(2), id(3)], [id(5)], [id(1), id(4)], [id(6), id(7)]]);
        const lastOfFirstGroup = patchCommands(f)[1].sentAt;
        expect(Math.min(...patchCommands(f).slice(2).map((c) => c.sentAt))).to.be.greaterThan(lastOfFirstGroup);
        expect(mapRuns.map((m) => ({ items: m.items, children: m.children, failed: m.failed, maxConcurrency: m.maxConcurrency }))).to.deep.equal([
            { items: 3, children: 2, failed: 0, maxConcurrency: 3 },
            { items: 4, children: 2, failed: 0, maxConcurrency: 3 },
        ]);
        expect(f.started.sort()).to.deep.equal([id(1), id(3), id(6)].sort());
        for (const i of instances) expect(f.currentState(i.id)).to.equal(i.state);
        expect(state.counts).to.deep.equal({ targets: 7, patched: 7, failed: 0, skipped: 0 });
        expect(state.summary).to.deep.include({ runFailed: false });
        expect(summary!.counts).to.deep.include({ targets: 7, patched: 7, failed: 0, skipped: 0, startedAndStopped: 3 });
        expect(summary!.reason).to.equal("done");
        // Every batch recorded its results under a key that carries its counts; the Map wrote its manifest.
        const results = [...store.objects.keys()].filter((k) => k.includes("/results/")).map((k) => parseResultKey(k));
        expect(results.map((r) => [r!.group, r!.batchIndex, r!.patched])).to.deep.equal([[0, 0, 2], [0, 1, 1], [1, 2, 2], [1, 3, 2]]);
        expect(store.objects.has("runs/run-1/map-results/manifest.json")).to.equal(true);
    });

    it("the gate before each batch stops new batches once the run's failures exceed the error budget (across batches), and the run ends at the threshold", async () => {
        const instances = fleetOf([{ patchResult: "Failed" }, { patchResult: "Failed" }, {}, {}, {}, { state: "stopped" }]);
        const { run, state, fleet: f, summary, status } = await fleetRun(instances, { batchSize: 2, maxErrors: "1" });
        expect(run.status).to.equal("FAILED");
        expect(run.error!.Error).to.equal("PatchRunFailed");
        // The first batch failed 2 > budget 1: the next two batches were gated and started nothing.
        expect(patchCommands(f).map((c) => c.instanceIds)).to.deep.equal([[instances[0].id, instances[1].id]]);
        expect(f.started).to.deep.equal([]);
        expect(state.counts).to.deep.equal({ targets: 6, patched: 0, failed: 2, skipped: 4 });
        expect(state.next).to.deep.include({ action: "finish", reason: "error-threshold" });
        expect(status(instances[3].id)).to.deep.include({ status: "skipped", reason: "not attempted: 2 failed instance(s) exceed maxErrors 1 (1 of 6)" });
        expect(summary!.reason).to.equal("error-threshold");
    });

    it("a closed approval calendar: the gate before the group ends the run cleanly, nothing starts", async () => {
        const instances = fleetOf([{}, { state: "stopped" }, {}]);
        const { run, state, fleet: f, summary } = await fleetRun(instances, { batchSize: 2 }, { closeAt: 0 });
        expect(run.status).to.equal("SUCCEEDED");
        expect(f.commands).to.deep.equal([]);
        expect(f.started).to.deep.equal([]);
        expect(state.next).to.deep.equal({ action: "finish", reason: "calendar-closed", detail: `approval calendar ${CALENDAR} is CLOSED: no further batch starts` });
        expect(summary!.counts).to.deep.include({ targets: 3, patched: 0, skipped: 3 });
    });

    it("a calendar that closes mid-group: the batch gates stop the batches not yet started", async () => {
        const instances = fleetOf([{}, {}, {}, {}, { state: "stopped" }, {}]);
        // Batches run one after another here: the first takes minutes, so the calendar closes before the second.
        const { state, fleet: f, status } = await fleetRun(instances, { batchSize: 2 }, { closeAt: 60 });
        expect(patchCommands(f).map((c) => c.instanceIds)).to.deep.equal([[instances[0].id, instances[1].id]]);
        expect(f.started).to.deep.equal([]);
        expect(state.counts).to.deep.equal({ targets: 6, patched: 2, failed: 0, skipped: 4 });
        expect(status(instances[4].id)!.reason).to.match(/^not attempted: approval calendar .* is CLOSED/);
    });

    it("a child execution that fails is tolerated up to the error budget's percentage; its instances count failed (nothing started: the final sweep finds its stopped instance still stopped)", async () => {
        const instances = fleetOf([{}, {}, { state: "stopped" }, {}, {}, {}]);
        let gates = 0;
        // The second batch's gate breaks: that child execution fails before starting anything.
        const failGate = (e: StepEvent) => e.action === "fleetBatchGate" && ++gates === 2;
        const ok = await fleetRun(instances, { batchSize: 2, maxErrors: "50%" }, { failGate });
        expect(ok.mapRuns[0]).to.deep.include({ children: 3, failed: 1 });
        expect(ok.state.counts).to.deep.equal({ targets: 6, patched: 4, failed: 2, skipped: 0 });
        expect(ok.status(instances[2].id)).to.deep.include({ status: "failed", reason: "batch execution failed before its results were recorded" });
        expect(ok.state.finalRestore).to.deep.include({ stopped: 0, alreadyStopped: 1 });
        fleet!.restore();
        gates = 0;
        // With maxErrors 0 the Map tolerates 0 % failed children: the Map fails, the run ends at the threshold.
        const strict = await fleetRun(instances, { batchSize: 2, maxErrors: "0" }, { failGate });
        expect(strict.state.next).to.deep.include({ action: "finish", reason: "error-threshold" });
        expect((strict.state.next as { detail: string }).detail).to.match(/States\.ExceedToleratedFailureThreshold/);
        expect(strict.run.status).to.equal("FAILED");
    });
});

describe("fleet run payloads: references, never lists (Step Functions' 256 KiB limit)", () => {
    const targets = (n: number): TargetInstance[] =>
        Array.from({ length: n }, (_, i) => ({
            instanceId: `i-${i.toString(16).padStart(17, "0")}`,
            instanceType: i % 10 === 0 ? "m5.large" : "t3.large",
            name: `host-with-a-realistic-name-${String(i).padStart(5, "0")}.corp.example.com`,
            platform: "Windows",
            originalState: i % 5 === 0 ? "stopped" : "running",
            rootVolumeId: `vol-${i.toString(16).padStart(17, "0")}`,
        }));

    it("at 10,000 instances the run state is as small as at 10 (no instance list), a child execution's input holds one batch, the window task input stays ≤ 4096", async () => {
        const settings = baseSettings({ batchSize: 50, batchesInFlight: 200, priorityInstanceTypes: ["m5.large"] });
        const size = async (n: number) => {
            const store = memoryStore();
            const state = await fleetPlan({ runId: "run-1", settings, targets: targets(n), now: new Date(START), store });
            return { state, store, bytes: Buffer.byteLength(JSON.stringify(state)) };
        };
        const small = await size(10);
        const large = await size(10_000);
        expect(large.state.counts.targets).to.equal(10_000);
        expect(large.state.groups.map((g) => [g.instances, g.batches])).to.deep.equal([
            [1000, 20],
            [9000, 180],
        ]);
        // Counts and keys grow by digits only.
        expect(large.bytes - small.bytes).to.be.lessThan(64);
        expect(large.bytes).to.be.lessThan(STEP_FUNCTIONS_PAYLOAD_MAX / 16);
        // The largest child input: BatchInput (the run) + 50 records, built as the ItemBatcher builds it.
        const items = JSON.parse(large.store.objects.get(large.state.groups[1].key)!) as unknown[];
        const child = { Items: items.slice(0, 50), BatchInput: { run: large.state.run, group: 1, batchCount: 180 } };
        expect(Buffer.byteLength(JSON.stringify(child))).to.be.lessThan(STEP_FUNCTIONS_PAYLOAD_MAX / 4);
        // The standard run's state at 500 instances (its cap) for comparison is far larger than the fleet state at 10,000.
        const input = JSON.stringify(orchestratorInput({ ...settings, name: "fleet", window: { duration: 4 }, scale: "fleet", fleet: { batchesInFlight: 200 } }));
        expect(input.length).to.be.at.most(4096);
        expect(JSON.parse(input).settings.batchesInFlight).to.equal(200);
    });

    it("the standard run keeps its cap; fleet mode plans any size", async () => {
        const { planRun } = await import("../core/orchestrator/plan");
        expect(() => planRun({ runId: "r", settings: baseSettings(), targets: targets(501), now: new Date(START) })).to.throw("501 target instances exceed the 500 one run handles");
        const state = await fleetPlan({ runId: "r", settings: baseSettings(), targets: targets(501), now: new Date(START), store: memoryStore() });
        expect(state.next).to.deep.include({ action: "group" });
    });
});

describe("throttled StartInstances (many batches in flight share the account's EC2 buckets)", () => {
    afterEach(() => {
        fleet?.restore();
        fleet = undefined;
    });

    it("a throttled start fails the step (the state machine's throttling retry runs it again), never the instance; a capacity error fails only its instance", async () => {
        const clock = new FakeClock(START);
        fleet = new FakeFleet(clock, fleetOf([{ state: "stopped", startError: "RequestLimitExceeded" }, { state: "stopped" }, { state: "stopped", startError: "InsufficientInstanceCapacity" }]));
        const c = fleet.clients;
        const batch = { run: { runId: "r", orchestrator: "o", startedAt: "", deadline: "", settings: baseSettings() }, batchIndex: 0, batchCount: 1, instances: fleet.instances.map((i) => ({ instanceId: i.id, instanceType: i.type, name: i.name, platform: i.platform, originalState: i.state, status: "pending" as const })) };
        const start = (instances = batch.instances) => batchHandler({ action: "start", state: { ...batch, instances } }, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: clock.now });
        const err = await start().then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.name).to.equal("RequestLimitExceeded");
        const def = fleetDefinition(ARNS, { batchTimeoutSeconds: 20_000 });
        const startState = (def.States.PatchGroup.ItemProcessor as { States: Record<string, { Retry: { ErrorEquals: string[] }[] }> }).States.StartInstances;
        expect(startState.Retry.some((r) => r.ErrorEquals.includes("RequestLimitExceeded"))).to.equal(true);
        const without = await start(batch.instances.slice(1));
        expect(without.instances.map((r) => [r.status, r.startedByRun ?? false])).to.deep.equal([
            ["pending", true],
            ["failed", false],
        ]);
    });
});

describe("the fleet bucket through a real S3 client (tests/fakeAws.ts: the SDK's serialisation, retries and pagination)", () => {
    it("puts, gets and lists run objects page by page; a throttled list is retried by the SDK", async () => {
        const { S3Client } = await import("@aws-sdk/client-s3");
        const { FakeAws } = await import("./fakeAws");
        const { s3Store } = await import("../core/orchestrator/fleet");
        const fake = new FakeAws();
        const s3 = new S3Client({ ...fake.clientConfig(), maxAttempts: 3 });
        const store = s3Store(s3, "fleet-runs");
        const keys = Array.from({ length: 1203 }, (_, i) => `runs/r/results/g000-b${String(i).padStart(6, "0")}-p1-f0-s0-i-${i}.json`);
        for (const k of keys.slice(0, 3)) await store.put(k, "[]");
        for (const k of keys.slice(3)) fake.put("fleet-runs", k, "[]");
        fake.put("fleet-runs", "runs/other/results/x.json", "[]");
        fake.failures.push({ operation: "ListObjectsV2", status: 503, code: "SlowDown", times: 1 });
        expect(await store.list("runs/r/results/")).to.deep.equal(keys);
        // 1,203 keys: two pages of 1,000 (ListObjectsV2's default) plus the retried throttled first request.
        expect(fake.count("ListObjectsV2")).to.equal(3);
        await store.put("runs/r/targets/group-000.json", JSON.stringify([{ instanceId: "i-1" }]));
        expect(JSON.parse(await store.get("runs/r/targets/group-000.json"))).to.deep.equal([{ instanceId: "i-1" }]);
        expect(fake.requests.find((r) => r.operation === "PutObject")!.headers["content-type"]).to.equal("application/json");
    });
});
