/**
 * The bench's fleet state machine run (bench/fleetAsl.ts): the registered fleet definition through
 * the ASL interpreter on a virtual clock with the real handlers, over the simulated fleet of
 * bench/fleetSim.ts. Small sizes, exact outcomes: the SDK's throttling retry on the virtual clock,
 * a hand-made fleet's batches, and agreement with the decision model at 100 instances.
 */
import { expect } from "chai";
import { StartInstancesCommand } from "@aws-sdk/client-ec2";
import { fleetSettings } from "../bench/fleet";
import { runFleetStateMachine, SDK_MAX_ATTEMPTS, SimLocation } from "../bench/fleetAsl";
import { DEFAULT_FLEET, makeFleet, simulateOrchestrator, SimInstance } from "../bench/fleetSim";
import { VirtualClock } from "../bench/support/asl";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const stats = () => ({ StartInstances: { calls: 0, throttles: 0, surfaced: 0 }, StopInstances: { calls: 0, throttles: 0, surfaced: 0 }, SendCommand: { calls: 0, throttles: 0, surfaced: 0 } });

function instance(n: number, over: Partial<SimInstance> = {}): SimInstance {
    return {
        instanceId: `i-${String(n).padStart(17, "0")}`,
        instanceType: "t3.large",
        name: `host-${n}`,
        platform: "Windows",
        originalState: "running",
        location: "100000000000/region-0",
        installSeconds: 600,
        agentSeconds: 60,
        failsPreflight: false,
        failsInstall: false,
        ...over,
    };
}

describe("fleet bench: the state machine at scale (bench/fleetAsl.ts)", () => {
    it("the simulated EC2 throttles past its token bucket and the SDK's retry backs off on the virtual clock (exact)", async () => {
        const clock = new VirtualClock(T0);
        const s = stats();
        const bucket = { capacity: 2, ratePerSecond: 1 };
        const where = new SimLocation(clock, [1, 2, 3].map((n) => instance(n, { originalState: "stopped" })), { StartInstances: bucket, StopInstances: bucket, SendCommand: bucket }, 120, () => 0.5, s);
        const done: [string, number][] = [];
        await clock.drive(Promise.all([1, 2, 3].map(async (n) => {
            const id = instance(n).instanceId;
            await where.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
            done.push([id.slice(-1), (clock.nowMs() - T0) / 1000]);
        })));
        // Two tokens at t=0; the third call waits 0.5 × 2^n × 500 ms: 0.25 s (0.25 tokens), 0.5 s more (0.75), 1 s more (1.75: a token).
        expect(done).to.deep.equal([["1", 0], ["2", 0], ["3", 1.75]]);
        expect(s.StartInstances).to.deep.equal({ calls: 6, throttles: 3, surfaced: 0 });
        // A bucket that never refills: the SDK gives up after its attempts and the Lambda sees RequestLimitExceeded.
        const dryClock = new VirtualClock(T0);
        const dry = new SimLocation(dryClock, [instance(4, { originalState: "stopped" })], { StartInstances: { capacity: 0, ratePerSecond: 0.0001 }, StopInstances: bucket, SendCommand: bucket }, 120, () => 0.5, stats());
        const err = await dryClock.drive(dry.ec2.send(new StartInstancesCommand({ InstanceIds: [instance(4).instanceId] }))).catch((e: Error) => e);
        expect((err as Error).name).to.equal("RequestLimitExceeded");
        expect(dry.stats.StartInstances.calls).to.equal(SDK_MAX_ATTEMPTS);
    });

    it("a hand-made fleet: batches of 2, 2 in flight, the stopped instances started and stopped again, the failures recorded", async function () {
        this.timeout(60_000);
        const fleet = [
            instance(1, { installSeconds: 1200, originalState: "stopped", agentSeconds: 90 }),
            instance(2, { installSeconds: 300 }),
            instance(3, { installSeconds: 900, failsInstall: true }),
            instance(4, { installSeconds: 600, failsPreflight: true }),
            instance(5, { installSeconds: 600, originalState: "stopped", agentSeconds: 900 }),
        ];
        const settings = { ...fleetSettings(5), batchSize: 2, batchesInFlight: 2, maxErrors: "100%" };
        const r = await runFleetStateMachine(fleet, settings, { taskSeconds: 0 });
        const status = Object.fromEntries(r.summaries[0].instances.map((i) => [i.instanceId.slice(-1), [i.status, i.restore ?? "-"]]));
        expect(status).to.deep.equal({
            "1": ["patched", "stopped"],
            "2": ["patched", "left-running"],
            "3": ["failed", "left-running"],
            "4": ["failed", "left-running"],
            // Its agent comes Online after 900 s, past agentWaitSeconds (600): failed, and stopped again.
            "5": ["failed", "stopped"],
        });
        expect({ patched: r.patched, failed: r.failed, skipped: r.skipped, leftRunning: r.leftRunning, surfaced: r.surfacedThrottles }).to.deep.equal({ patched: 2, failed: 3, skipped: 0, leftRunning: 0, surfaced: 0 });
        expect(r.executions).to.deep.equal({ SUCCEEDED: 0, FAILED: 1, ABORTED: 0 });
        expect(r.peakInFlight).to.equal(2);
        expect(r.api.StartInstances).to.deep.equal({ calls: 2, throttles: 0, surfaced: 0 });
        // Batch [1, 2]: instance 1's agent is Online at 90 s, seen at the 100 s check (every 20 s); preflight sent at 100, done
        // at the 220 s poll (120 s, polled every 30 s); patch sent at 220, instance 1 done at 1420, seen at the 1420 s poll.
        // Batch [3, 4] in the other slot: preflight 0–120 (4 fails it), patch of 3 from 120, its failure seen at 1020; then
        // batch [5] starts at 1020, waits the full agent wait (600 s), fails 5 and stops it at 1620: the run ends at 1620.
        expect(r.wallSeconds).to.equal(1620);
    });

    it("agrees with the decision model at 100 instances: the same instances patched and failed, the wall time within 2 %", async function () {
        this.timeout(120_000);
        const fleet = makeFleet({ ...DEFAULT_FLEET, instances: 100 });
        const settings = fleetSettings(100);
        const machine = await runFleetStateMachine(fleet, settings);
        const model = simulateOrchestrator(fleet, settings);
        expect({ patched: machine.patched, failed: machine.failed, inside: machine.patchedWithinWindow, leftRunning: machine.leftRunning }).to.deep.equal({
            patched: model.patched,
            failed: model.failed,
            inside: model.patchedWithinWindow,
            leftRunning: model.leftRunning,
        });
        expect(machine.surfacedThrottles).to.equal(0);
        expect(Math.abs(machine.wallSeconds - model.wallSeconds) / model.wallSeconds).to.be.below(0.02);
        // The state machine's patched set is the model's: every instance that neither fails preflight nor install nor its agent wait.
        const patchedIds = machine.summaries[0].instances.filter((i) => i.status === "patched").map((i) => i.instanceId).sort();
        const expected = fleet.filter((i) => !i.failsPreflight && !i.failsInstall && (i.originalState === "running" || i.agentSeconds <= settings.agentWaitSeconds)).map((i) => i.instanceId).sort();
        expect(patchedIds).to.deep.equal(expected);
    });

    it("agrees with the decision model over several accounts and Regions (120 instances in 2 accounts × 2 Regions)", async function () {
        this.timeout(120_000);
        const fleet = makeFleet({ ...DEFAULT_FLEET, instances: 120, accounts: 2, regions: 2 });
        const settings = fleetSettings(30);
        const machine = await runFleetStateMachine(fleet, settings);
        // The state machine run starts every location's fleet run together, without the coordinator's
        // 300-second polls: compare with the model's coordinator polling every second.
        const model = simulateOrchestrator(fleet, { ...settings, coordinator: { locationConcurrency: 4, locationMaxErrors: 4, pollSeconds: 1 } });
        expect(machine.summaries).to.have.length(4);
        expect([machine.patched, machine.failed, machine.patchedWithinWindow, machine.leftRunning]).to.deep.equal([model.patched, model.failed, model.patchedWithinWindow, 0]);
        expect(Math.abs(machine.wallSeconds - model.wallSeconds) / model.wallSeconds).to.be.below(0.02);
    });
});
