/**
 * The fleet run's decisions (core/orchestrator/fleet.ts) on their edges: the run objects' keys and
 * the counts they carry, the error budget as the Map's tolerated percentage, what the gates decide
 * at exactly the budget and the deadline, how a group is folded in, which groups were attempted.
 */
import { expect } from "chai";
import {
    applyFleetGate,
    attemptedGroups,
    decideFleetNext,
    FleetBatchEvent,
    fleetBatchGate,
    fleetBatchState,
    fleetPlan,
    fleetRecord,
    FleetRunState,
    finishFleetEarly,
    groupKey,
    memoryStore,
    parseResultKey,
    readGroups,
    resultKey,
    resultsPrefix,
    stampGroupStart,
    startOffsetSeconds,
    toleratedFailurePercentage,
    writeBatchResult,
} from "../core/orchestrator/fleet";
import type { BatchState, InstanceRecord, TargetInstance } from "../core/orchestrator/types";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-01T22:55:00Z");
const NOW = new Date(START);
const id = (n: number) => `i-${String(n).padStart(17, "0")}`;
const target = (n: number, extra: Partial<TargetInstance> = {}): TargetInstance => ({ instanceId: id(n), instanceType: "t3.large", name: `h${n}`, platform: "Linux", originalState: "running", ...extra });
const rec = (n: number, status: InstanceRecord["status"]): InstanceRecord => ({ ...target(n), status });

async function planned(targets: TargetInstance[], overrides = {}) {
    const store = memoryStore();
    const state = await fleetPlan({ runId: "run-1", settings: baseSettings({ batchSize: 2, batchesInFlight: 4, ...overrides }), targets, now: NOW, store });
    return { store, state };
}

describe("fleet decisions: run objects", () => {
    it("target lists and results sort in group and batch order (zero-padded), under the run's prefix; a result key carries its counts", () => {
        expect([groupKey("runs/r/", 10), groupKey("runs/r/", 2)].sort()).to.deep.equal([groupKey("runs/r/", 2), groupKey("runs/r/", 10)]);
        expect(groupKey("runs/r/", 2).startsWith("runs/r/targets/")).to.equal(true);
        const records = [...Array(12).fill(0).map((_, i) => rec(i + 1, "patched")), ...Array(10).fill(0).map((_, i) => rec(i + 20, "failed")), ...Array(11).fill(0).map((_, i) => rec(i + 40, "skipped"))];
        const k10 = resultKey("runs/r/", 3, 10, records);
        const k2 = resultKey("runs/r/", 3, 2, [rec(1, "patched")]);
        expect([k10, k2].sort()).to.deep.equal([k2, k10]);
        expect(k10.startsWith(resultsPrefix("runs/r/", 3))).to.equal(true);
        expect(resultsPrefix("runs/r/", 3).startsWith(resultsPrefix("runs/r/"))).to.equal(true);
        expect(resultsPrefix("runs/r/", 3)).to.not.equal(resultsPrefix("runs/r/", 30).slice(0, resultsPrefix("runs/r/", 3).length));
        expect(parseResultKey(k10)).to.deep.equal({ group: 3, batchIndex: 10, patched: 12, failed: 10, skipped: 11 });
        // An empty batch still gets a key of its own.
        expect(parseResultKey(resultKey("runs/r/", 0, 0, []))).to.deep.equal({ group: 0, batchIndex: 0, patched: 0, failed: 0, skipped: 0 });
        expect(resultKey("runs/r/", 0, 0, [])).to.not.equal(resultKey("runs/r/", 0, 0, [rec(1, "patched")]).replace("-p1-", "-p0-"));
        expect(parseResultKey("runs/r/results/summary.json")).to.equal(undefined);
    });

    it("the in-memory store lists by prefix in key order and refuses a missing key like S3 (NoSuchKey)", async () => {
        const store = memoryStore();
        await store.put("runs/b/x", "1");
        await store.put("runs/a/y", "2");
        await store.put("runs/a/x", "3");
        expect(await store.list("runs/a/")).to.deep.equal(["runs/a/x", "runs/a/y"]);
        let err: Error | undefined;
        await store.get("runs/none").catch((e: Error) => (err = e));
        expect([err?.name, err?.message]).to.deep.equal(["NoSuchKey", "no object runs/none"]);
    });

    it("readGroups reads every listed group's items, in order", async () => {
        const { store, state } = await planned([target(1), target(2, { instanceType: "m5.large" })], { priorityInstanceTypes: ["m5.large"] });
        expect((await readGroups(store, state.groups)).map((i) => i.instanceId)).to.deep.equal([id(2), id(1)]);
    });
});

describe("fleet decisions: budget, plan and gates", () => {
    it("the Map's tolerated failure percentage is the budget's share of the targets, rounded down, 0 with no targets", () => {
        expect(toleratedFailurePercentage(0, 0)).to.equal(0);
        expect(toleratedFailurePercentage(1, 10)).to.equal(10);
        expect(toleratedFailurePercentage(3, 7)).to.equal(42);
        expect(toleratedFailurePercentage(9, 3)).to.equal(100);
    });

    it("plans the batches' start slots per batch of batchSize: the stopped instances of each batch take the bucket's tokens in turn", async () => {
        // Batches of 3, each with 3 stopped instances: 20 tokens cover 6 batches and 2 of the 7th.
        const targets = Array.from({ length: 30 }, (_, i) => target(i + 1, { originalState: "stopped" }));
        const { store, state } = await planned(targets, { batchSize: 3 });
        const items = JSON.parse(store.objects.get(state.groups[0].key)!) as { batchIndex: number; startSlotSeconds?: number }[];
        const slotOf = (b: number) => items.find((i) => i.batchIndex === b)!.startSlotSeconds ?? 0;
        // Batch k's last token is the (3k+3)-th: max(0, (3k + 3 − 20) / 2.5) s, rounded up.
        expect(Array.from({ length: 10 }, (_, b) => slotOf(b))).to.deep.equal([0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
        expect(items.filter((i) => i.batchIndex === 9)).to.have.length(3);
        // A batch with no stopped instance waits for no token.
        const mixed = await planned([...Array.from({ length: 24 }, (_, i) => target(i + 1, { originalState: "stopped" })), target(90), target(91)], { batchSize: 2 });
        const mixedItems = JSON.parse(mixed.store.objects.get(mixed.state.groups[0].key)!) as { instanceId: string; startSlotSeconds?: number }[];
        expect(mixedItems.filter((i) => i.instanceId === id(90) || i.instanceId === id(91)).map((i) => i.startSlotSeconds ?? 0)).to.deep.equal([0, 0]);
    });

    it("groups come in priority order, each with its own list; no targets or a spent budget end the run with the reason", async () => {
        const { state } = await planned([target(1), target(2, { instanceType: "c5.large" }), target(3, { instanceType: "m5.large" })], { priorityInstanceTypes: ["m5.large", "c5.large"] });
        expect(state.groups.map((g) => [g.rank, g.instances, g.batches])).to.deep.equal([
            [0, 1, 1],
            [1, 1, 1],
            [2, 1, 1],
        ]);
        expect((await planned([])).state.next).to.deep.equal({ action: "finish", reason: "no-targets", detail: "no running or stopped instance matched the targets" });
        const spent: FleetRunState = { ...state, counts: { ...state.counts, failed: 1 }, run: { ...state.run, fleet: { ...state.run.fleet, budget: 0 } } };
        expect(decideFleetNext(spent, NOW)).to.deep.equal({ action: "finish", reason: "error-threshold", detail: "1 failed instance(s) exceed maxErrors 20% (0 of 3)" });
        expect(decideFleetNext({ ...spent, counts: { ...spent.counts, failed: 0 } }, new Date(Date.parse(state.run.deadline)))).to.deep.include({ action: "finish", reason: "deadline" });
    });

    it("ending early counts the groups not attempted as skipped; ending done adds nothing", async () => {
        const { state } = await planned([target(1), target(2, { instanceType: "m5.large" }), target(3, { instanceType: "m5.large" })], { priorityInstanceTypes: ["m5.large"] });
        const atSecond = { ...state, cursor: 1 };
        expect(finishFleetEarly(atSecond, { action: "finish", reason: "deadline" }).counts.skipped).to.equal(1);
        expect(finishFleetEarly(state, { action: "finish", reason: "calendar-closed" }).counts.skipped).to.equal(3);
        expect(finishFleetEarly(atSecond, { action: "finish", reason: "done" }).counts.skipped).to.equal(0);
        expect(applyFleetGate({ ...state, next: { action: "finish", reason: "done" } }, { open: false, calendar: "c" }).counts.skipped).to.equal(0);
        expect(stampGroupStart({ ...state, next: { action: "finish", reason: "done" } }, NOW).next).to.deep.equal({ action: "finish", reason: "done" });
    });

    it("the batch gate: failures up to the budget (exactly) let the batch start, one more gates it; so does exactly the deadline", async () => {
        const { store, state } = await planned([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => target(n)), { maxErrors: "2" });
        const items = JSON.parse(store.objects.get(state.groups[0].key)!) as FleetBatchEvent["Items"];
        const event: FleetBatchEvent = { Items: items.slice(0, 2), BatchInput: { run: state.run, group: 0, batchCount: 5 } };
        await store.put(resultKey(state.run.fleet.prefix, 0, 3, [rec(7, "failed"), rec(8, "failed")]), "[]");
        expect(((await fleetBatchGate(event, { store, now: NOW })) as BatchState).gated).to.equal(false);
        expect(((await fleetBatchGate(event, { store, now: new Date(Date.parse(state.run.deadline)) })) as BatchState).instances[0]).to.deep.include({
            status: "skipped",
            reason: `not attempted: no batch starts after ${state.run.deadline} (maxRuntimeMinutes 240)`,
        });
        await store.put(resultKey(state.run.fleet.prefix, 0, 4, [rec(9, "failed")]), "[]");
        const gated = (await fleetBatchGate(event, { store, now: NOW })) as BatchState;
        expect(gated.gated).to.equal(true);
        expect(gated.instances[0].reason).to.equal("not attempted: 3 failed instance(s) exceed maxErrors 2 (2 of 10)");
    });

    it("a batch without items is refused; a batch event without Items waits no slot", () => {
        const run = { runId: "r", orchestrator: "o", startedAt: "s", deadline: "d", settings: baseSettings(), fleet: { prefix: "runs/r/", resultsPrefix: "runs/r/map-results", batchesInFlight: 1, targets: 1, budget: 0 } };
        expect(() => fleetBatchState({ Items: [], BatchInput: { run, group: 0, batchCount: 1 } })).to.throw("fleet batch without items");
        expect(() => fleetBatchState({ BatchInput: { run, group: 0, batchCount: 1 } } as unknown as FleetBatchEvent)).to.throw("fleet batch without items");
        expect(startOffsetSeconds({ BatchInput: { run, group: 0, batchCount: 1 } } as unknown as FleetBatchEvent, NOW)).to.equal(0);
    });
});

describe("fleet decisions: recording groups", () => {
    it("writing a batch's result needs a fleet run", async () => {
        const batch: BatchState = { run: { runId: "r", orchestrator: "o", startedAt: "s", deadline: "d", settings: baseSettings() }, batchIndex: 0, batchCount: 1, instances: [] };
        let err: Error | undefined;
        await writeBatchResult(batch, memoryStore()).catch((e: Error) => (err = e));
        expect(err?.message).to.equal("writeBatchResult needs a fleet run (run.fleet)");
    });

    it("folds a group's result keys into the counts (only well-formed result keys of that group); a batch with no result counts failed", async () => {
        const { store, state } = await planned([1, 2, 3, 4, 5, 6].map((n) => target(n)), { maxErrors: "100%" });
        const prefix = state.run.fleet.prefix;
        await store.put(resultKey(prefix, 0, 0, [rec(1, "patched"), rec(2, "failed")]), "[]");
        await store.put(resultKey(prefix, 0, 1, [rec(3, "skipped"), rec(4, "failed")]), "[]");
        await store.put(`${resultsPrefix(prefix, 0)}notes.json`, "[]");
        await store.put(resultKey(prefix, 1, 0, [rec(9, "failed")]), "[]");
        const out = await fleetRecord(state, store, NOW);
        // Batch 2 (instances 5 and 6) wrote nothing: 2 more failed.
        expect(out.counts).to.deep.equal({ targets: 6, patched: 1, failed: 4, skipped: 1 });
        expect(out.cursor).to.equal(1);
        expect(out.next).to.deep.equal({ action: "finish", reason: "done" });
        // Past the last group: only the decision.
        expect((await fleetRecord(out, store, NOW)).counts).to.deep.equal(out.counts);
    });

    it("a failed Map ends the run: at the threshold when it tolerated no more failures, else as an error, with its cause (200 characters)", async () => {
        const { store, state } = await planned([target(1), target(2, { instanceType: "m5.large" })], { priorityInstanceTypes: ["m5.large"], maxErrors: "100%" });
        const threshold = await fleetRecord({ ...state, groupError: { Error: "States.ExceedToleratedFailureThreshold", Cause: "c".repeat(300) } }, store, NOW);
        expect(threshold.next).to.deep.equal({ action: "finish", reason: "error-threshold", detail: `group 1/2: the Distributed Map failed (States.ExceedToleratedFailureThreshold: ${"c".repeat(200)})` });
        expect(threshold.counts.skipped, "the group not attempted").to.equal(1);
        expect(threshold).to.not.have.property("groupError");
        const other = await fleetRecord({ ...state, groupError: {} }, store, NOW);
        expect(other.next).to.deep.equal({ action: "finish", reason: "error", detail: "group 1/2: the Distributed Map failed (error)" });
    });

    it("attempted groups: those before the cursor, and the one at it while it runs", async () => {
        const { state } = await planned([target(1), target(2, { instanceType: "m5.large" }), target(3, { instanceType: "c5.large" })], { priorityInstanceTypes: ["m5.large", "c5.large"] });
        expect(attemptedGroups({ ...state, cursor: 1 }).map((g) => g.index)).to.deep.equal([0, 1]);
        expect(attemptedGroups({ ...state, cursor: 1, next: { action: "finish", reason: "error" } }).map((g) => g.index)).to.deep.equal([0]);
    });
});
