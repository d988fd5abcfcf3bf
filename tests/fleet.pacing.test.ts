/**
 * Pacing of StartInstances across the batches a Distributed Map runs at once (issue 18): the start
 * slots the plan gives each batch (core/orchestrator/fleet.ts startSlots, from the token bucket of
 * core/orchestrator/pacing.ts), what the gate before a batch returns of it, the retried `start`
 * that starts nothing twice, and the fleet state machine through the ASL interpreter where the
 * unpaced design throttles and the paced one does not.
 */
import { expect } from "chai";
import fc from "fast-check";
import { fleetSettings } from "../bench/fleet";
import { runFleetStateMachine } from "../bench/fleetAsl";
import { SimInstance } from "../bench/fleetSim";
import { startBatch } from "../core/orchestrator/batch";
import { FleetBatchEvent, fleetBatchGate, fleetPlan, memoryStore, startOffsetSeconds, startSlots, stampGroupStart } from "../core/orchestrator/fleet";
import { DEFAULT_PACING, paceBurst } from "../core/orchestrator/pacing";
import type { BatchState, TargetInstance } from "../core/orchestrator/types";
import { FakeClock } from "./support/asl";
import { FakeFleet, FakeInstance } from "./support/fakeFleet";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-01T22:55:00Z");

describe("StartInstances pacing: the start slots of a burst of batches (pacing.ts, fleet.ts)", () => {
    it("a bucket full at 0 gives its k-th token at max(0, (k − capacity) / rate) s (the EC2 token bucket, independently derived)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 10 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 12 }), (capacity, rate, tokens) => {
                const spec = { capacity, ratePerSecond: rate };
                const got = paceBurst(spec, tokens);
                let k = 0;
                tokens.forEach((n, i) => {
                    k += n;
                    const expected = n === 0 ? 0 : Math.max(0, ((k - capacity) / rate) * 1000);
                    // take() rounds each wait up to a whole ms (at most 1 ms per token waited for).
                    expect(got[i]).to.be.within(expected, expected + k + 1);
                });
            }),
            { numRuns: 200 },
        );
    });

    it("a burst of batches is spread at the orchestrator's StartInstances rate (bucket 20, 2.5/s): exact slots", () => {
        expect(DEFAULT_PACING.StartInstances).to.deep.equal({ capacity: 20, ratePerSecond: 2.5 });
        // Tokens 1–20 at once; the 30th at (30 − 20) / 2.5 = 4 s; a batch with none stopped calls nothing; the 35th at 6 s; 85th at 26 s.
        expect(startSlots([10, 10, 10, 0, 5, 50])).to.deep.equal([0, 0, 4, 0, 6, 26]);
    });

    it("the plan writes each batch's slot on its items; the gate returns what is left of it since the group started", async () => {
        const targets: TargetInstance[] = Array.from({ length: 12 }, (_, i) => ({
            instanceId: `i-${String(i + 1).padStart(17, "0")}`,
            instanceType: "t3.large",
            name: `h${i + 1}`,
            platform: "Windows",
            originalState: i % 4 === 3 ? "running" : "stopped",
        }));
        const store = memoryStore();
        // Batches of one instance: 9 of the 12 are stopped.
        const settings = baseSettings({ batchSize: 1, batchesInFlight: 12 });
        const plan = await fleetPlan({ runId: "r", settings, targets, now: new Date(START), store });
        const items = JSON.parse(store.objects.get(plan.groups[0].key)!) as { batchIndex: number; startSlotSeconds?: number }[];
        // 9 stopped instances, one per batch: all within the 20-token bucket → no slot at all.
        expect(items.map((i) => i.startSlotSeconds ?? 0)).to.deep.equal(Array(12).fill(0));

        const many = Array.from({ length: 30 }, (_, i) => ({ ...targets[0], instanceId: `i-${String(i + 100).padStart(17, "0")}`, originalState: "stopped" as const }));
        const planned = await fleetPlan({ runId: "r2", settings, targets: many, now: new Date(START), store });
        const slots = (JSON.parse(store.objects.get(planned.groups[0].key)!) as { startSlotSeconds?: number }[]).map((i) => i.startSlotSeconds ?? 0);
        // The 21st..30th stopped instance: (k − 20) / 2.5 s, rounded up: 0.4 → 1, 0.8 → 1, 1.2 → 2, …, 4 → 4.
        expect(slots.slice(19)).to.deep.equal([0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4]);

        const stamped = stampGroupStart(planned, new Date(START + 1000));
        expect(stamped.next.action === "group" && stamped.next.group.startedAt).to.equal(new Date(START + 1000).toISOString());
        const all = JSON.parse(store.objects.get(planned.groups[0].key)!) as FleetBatchEvent["Items"];
        const event = (b: number): FleetBatchEvent => ({ Items: [all[b]], BatchInput: { run: planned.run, group: 0, batchCount: 30, groupStartedAt: new Date(START + 1000).toISOString() } });
        // Batch 29 (slot 4): its gate runs 1.5 s after the group started → waits 4 − 1 = 3 s; 10 s after → 0; batch 0 → 0.
        const gate = async (b: number, at: number) => ((await fleetBatchGate(event(b), { store, now: new Date(START + 1000 + at) })) as BatchState).startOffsetSeconds;
        expect(await gate(29, 1500)).to.equal(3);
        expect(await gate(29, 10_000)).to.equal(0);
        expect(await gate(0, 0)).to.equal(0);
        // Without the group's start time the whole slot is waited.
        expect(startOffsetSeconds({ ...event(29), BatchInput: { ...event(29).BatchInput, groupStartedAt: undefined } }, new Date(START + 99_000))).to.equal(4);
        // A gated batch (deadline passed) waits nothing: it starts nothing.
        const late = (await fleetBatchGate(event(29), { store, now: new Date(Date.parse(planned.run.deadline) + 1) })) as BatchState;
        expect([late.gated, late.startOffsetSeconds]).to.deep.equal([true, 0]);
        // The records the batch steps get carry no pacing field.
        expect(Object.keys(late.instances[0])).to.not.include("startSlotSeconds");
    });
});

describe("StartInstances: one call per batch, a retried start starts nothing twice", () => {
    let fleet: FakeFleet | undefined;
    afterEach(() => {
        fleet?.restore();
        fleet = undefined;
    });
    const fleetOf = (specs: Partial<FakeInstance>[]): FakeInstance[] =>
        specs.map((s, i) => ({ id: `i-${String(i + 1).padStart(17, "0")}`, type: "t3.large", name: `host-${i + 1}`, platform: "Windows", state: "stopped", tags: { PatchGroup: "dev" }, ...s }));
    const batchOf = (ids: string[]): BatchState => ({
        run: { runId: "r", orchestrator: "o", startedAt: "", deadline: "", settings: baseSettings() },
        batchIndex: 0,
        batchCount: 1,
        instances: ids.map((id) => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Windows", originalState: "stopped", status: "pending" as const })),
    });

    it("starts the batch's stopped instances with one call; run again on the same input (a Retry), it calls nothing", async () => {
        const clock = new FakeClock(START);
        fleet = new FakeFleet(clock, fleetOf([{}, {}, {}]));
        const input = batchOf(fleet.instances.map((i) => i.id));
        const first = await startBatch(input, fleet.clients.ec2, clock.now());
        expect(fleet.startCalls).to.deep.equal([fleet.instances.map((i) => i.id)]);
        const again = await startBatch(input, fleet.clients.ec2, clock.now());
        expect(fleet.startCalls).to.have.length(1);
        expect(again.instances.map((r) => [r.status, r.startedByRun])).to.deep.equal(first.instances.map((r) => [r.status, r.startedByRun]));
        expect(again.instances.every((r) => r.startedByRun === true && r.status === "pending")).to.equal(true);
    });

    it("after a throttled attempt that started some of them, the retry starts only the others", async () => {
        const clock = new FakeClock(START);
        // Instance 2 was started by the attempt that was then throttled: it is running now, though stopped at plan time.
        fleet = new FakeFleet(clock, fleetOf([{}, { state: "running" }, {}]));
        const ids = fleet.instances.map((i) => i.id);
        const out = await startBatch(batchOf(ids), fleet.clients.ec2, clock.now());
        expect(fleet.startCalls).to.deep.equal([[ids[0], ids[2]]]);
        expect(out.instances.map((r) => r.startedByRun)).to.deep.equal([true, true, true]);
    });

    it("one instance that cannot start fails the multi-instance call as a whole: each is then started alone, only that one fails", async () => {
        const clock = new FakeClock(START);
        fleet = new FakeFleet(clock, fleetOf([{}, { startError: "InsufficientInstanceCapacity" }, {}]));
        const ids = fleet.instances.map((i) => i.id);
        const out = await startBatch(batchOf(ids), fleet.clients.ec2, clock.now());
        expect(fleet.startCalls).to.deep.equal([[ids[0]], [ids[2]]]);
        expect(out.instances.map((r) => [r.status, r.startedByRun ?? false])).to.deep.equal([
            ["pending", true],
            ["failed", false],
            ["pending", true],
        ]);
        expect(out.instances[1].reason).to.match(/^could not start: InsufficientInstanceCapacity/);
    });
});

describe("the fleet state machine (interpreter, virtual clock): StartInstances paced across the batches in flight", () => {
    const fleetOf = (n: number): SimInstance[] =>
        Array.from({ length: n }, (_, i) => ({
            instanceId: `i-${String(i + 1).padStart(17, "0")}`,
            instanceType: "t3.large",
            name: `host-${i + 1}`,
            platform: "Windows" as const,
            originalState: "stopped" as const,
            location: "100000000000/region-0",
            installSeconds: 600,
            agentSeconds: 60,
            failsPreflight: false,
            failsInstall: false,
        }));

    it("120 stopped instances in 120 batches at once against a bucket of 20 at 2.5/s: unpaced throttles, paced never", async function () {
        this.timeout(120_000);
        const fleet = fleetOf(120);
        const bucket = { capacity: 20, ratePerSecond: 2.5 };
        const settings = { ...fleetSettings(120), batchSize: 1, batchesInFlight: 120, maxErrors: "100%", service: { StartInstances: bucket } };
        const unpaced = await runFleetStateMachine(fleet, settings, { unpaced: true });
        const paced = await runFleetStateMachine(fleet, settings);
        // Unpaced: 120 calls at once, 100 beyond the bucket.
        expect(unpaced.api.StartInstances.throttles).to.be.greaterThan(100);
        // Paced: every call finds its token (the slots come from the same bucket), all 120 patched, all stopped again.
        expect(paced.api.StartInstances).to.deep.equal({ calls: 120, throttles: 0, surfaced: 0 });
        expect([paced.surfacedThrottles, paced.patched, paced.failed, paced.leftRunning]).to.deep.equal([0, 120, 0, 0]);
        // The last slot: the 120th token at (120 − 20) / 2.5 = 40 s.
        expect(startSlots(Array(120).fill(1)).at(-1)).to.equal(40);
    });
});
