/**
 * Fleet scale (issue 18): the pacing core, the Distributed Map definition (asl-validator), and the
 * fleet simulator at small sizes with exact outcomes — virtual clock only.
 */
import { expect } from "chai";
import { fleetEstimate } from "../bench/fleet";
import { DEFAULT_FLEET, DEFAULT_ORCHESTRATOR_SIM, lognormal, lowerBound, makeFleet, rng, SimInstance, simulateOrchestrator, simulateSeed003 } from "../bench/fleetSim";
import { fleetDefinition } from "../core/orchestrator/fleetMachine";
import { backoffMs, DEFAULT_PACING, fullBucket, take } from "../core/orchestrator/pacing";
import { batchDefinition, definitionProblems, runDefinition } from "../core/orchestrator/stateMachine";
import { fleetLines } from "../review/fleetSection";
import { parseArgs } from "../review/cli";
import { minimalConfig, parse } from "./harness";
import { aslValidationErrors } from "./support/asl";

const L = (n: string) => `arn:aws:lambda:us-east-1:123456789012:function:fleet-${n}`;
const FLEET_ARNS = { planFunctionArn: L("plan"), batchFunctionArn: L("batch"), restoreFunctionArn: L("restore"), summaryFunctionArn: L("summary"), bucketName: "fleet-runs" };

function inst(n: number, extra: Partial<SimInstance> = {}): SimInstance {
    return {
        instanceId: `i-${String(n).padStart(17, "0")}`,
        instanceType: "t3.large",
        name: `host-${String(n).padStart(3, "0")}`,
        platform: "Windows",
        originalState: "running",
        location: "111111111111/us-east-1",
        installSeconds: 600,
        agentSeconds: 60,
        failsPreflight: false,
        failsInstall: false,
        ...extra,
    };
}

describe("pacing (token bucket, backoff)", () => {
    it("takes tokens up to the capacity, then says exactly how long to wait for the next", () => {
        const spec = { capacity: 2, ratePerSecond: 4 };
        let s = fullBucket(spec, 0);
        for (let i = 0; i < 2; i++) {
            const r = take(spec, s, 0);
            expect(r.ok).to.equal(true);
            s = r.state;
        }
        const empty = take(spec, s, 0);
        expect(empty).to.deep.include({ ok: false, waitMs: 250 });
        expect(take(spec, empty.state, 250).ok).to.equal(true);
        expect(take(spec, empty.state, 249).ok).to.equal(false);
    });

    it("backs off exponentially with full jitter, capped", () => {
        const spec = { baseMs: 1000, capMs: 8000, maxAttempts: 5 };
        expect([0, 1, 2, 3, 4, 5].map((a) => backoffMs(spec, a, 0.999999))).to.deep.equal([999, 1999, 3999, 7999, 7999, 7999]);
        expect(backoffMs(spec, 3, 0)).to.equal(0);
    });

    it("paces below the service limits it is documented against", () => {
        expect(DEFAULT_PACING.StartInstances.ratePerSecond).to.be.at.most(5);
        expect(DEFAULT_PACING.SendCommand.ratePerSecond).to.be.at.most(5);
    });
});

describe("fleet state machine (Distributed Map)", () => {
    const def = fleetDefinition(FLEET_ARNS, { batchTimeoutSeconds: 20_000 });

    it("every orchestrator state machine is valid ASL (asl-validator), and the validator does reject a broken one", () => {
        expect(aslValidationErrors(def)).to.deep.equal([]);
        expect(aslValidationErrors(batchDefinition({ batchFunctionArn: L("batch"), restoreFunctionArn: L("restore") }, { timeoutSeconds: 100 }))).to.deep.equal([]);
        expect(aslValidationErrors(runDefinition({ planFunctionArn: L("plan"), restoreFunctionArn: L("restore"), summaryFunctionArn: L("summary"), batchStateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:fleet-batch" }))).to.deep.equal([]);
        const broken = JSON.parse(JSON.stringify(def));
        broken.States.GateOpen.Default = "NoSuchState";
        expect(aslValidationErrors(broken).length).to.be.greaterThan(0);
    });

    it("reads each group's target list from S3, batches it (ItemBatcher), runs batchesInFlight child executions, tolerates failures per the error budget, writes results to S3", () => {
        const map = def.States.PatchGroup;
        expect(map).to.deep.include({
            Type: "Map",
            MaxConcurrencyPath: "$.run.fleet.batchesInFlight",
            ToleratedFailurePercentagePath: "$.next.group.toleratedFailurePercentage",
            ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" }, Parameters: { Bucket: "fleet-runs", "Key.$": "$.next.group.key" } },
            ItemBatcher: { MaxItemsPerBatchPath: "$.run.settings.batchSize", BatchInput: { "run.$": "$.run", "group.$": "$.next.group.index", "batchCount.$": "$.next.group.batches", "groupStartedAt.$": "$.next.group.startedAt" } },
            ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: "fleet-runs", "Prefix.$": "$.run.fleet.resultsPrefix" } },
        });
        const processor = map.ItemProcessor as { ProcessorConfig: unknown; StartAt: string; States: Record<string, { Parameters?: { Payload?: { action?: string } } }> };
        expect(processor.ProcessorConfig).to.deep.equal({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
        // The gate before each batch, then the batch steps of the one-batch-at-a-time run, then a restore that records results.
        expect(processor.StartAt).to.equal("BatchGate");
        expect(processor.States.BatchGate.Parameters!.Payload!.action).to.equal("fleetBatchGate");
        expect(processor.States.RestoreBatch.Parameters!.Payload!.action).to.equal("fleetRestoreBatch");
        // An open gate leads to the batch's StartInstances slot (a Wait on the gate's startOffsetSeconds), then StartInstances.
        expect((processor.States.BatchGateOpen as { Default?: string }).Default).to.equal("PaceStart");
        expect(processor.States.PaceStart).to.deep.include({ Type: "Wait", SecondsPath: "$.startOffsetSeconds", Next: "StartInstances" });
        // Payloads carry references: no state outside the child executions passes an instance list.
        const text = JSON.stringify({ ...def.States, PatchGroup: { ...map, ItemProcessor: undefined } });
        expect(text).to.not.match(/"instances/);
        // Groups run one after another (a loop, not a parallel state): priority order between groups is kept.
        expect(def.States.RecordGroup.Next).to.equal("NextGroup");
        expect(definitionProblems(def)).to.deep.equal([]);
    });
});

describe("fleet simulator (virtual clock, small fleets, exact outcomes)", () => {
    const settings = { ...DEFAULT_ORCHESTRATOR_SIM, batchSize: 2, batchesInFlight: 2, pollSeconds: 0, preflightSeconds: 0 };

    it("patches priority groups in order: no batch of a lower group starts before the higher group's last batch ended", () => {
        const fleet = [inst(1), inst(2, { instanceType: "m5.large", installSeconds: 1800 }), inst(3), inst(4, { instanceType: "m5.large" }), inst(5), inst(6, { instanceType: "m5.large" })];
        const r = simulateOrchestrator(fleet, { ...settings, priorityInstanceTypes: ["m5.large"] });
        expect(r.order).to.deep.equal([2, 4, 6, 1, 3, 5].map((n) => inst(n).instanceId));
        const first = r.batches.filter((b) => b.group === 0);
        const second = r.batches.filter((b) => b.group === 1);
        expect(first.map((b) => b.instanceIds.length)).to.deep.equal([2, 1]);
        expect(Math.min(...second.map((b) => b.start))).to.be.at.least(Math.max(...first.map((b) => b.end)));
        expect(r.patched).to.equal(6);
    });

    it("stops every originally stopped instance again and never leaves one running", () => {
        const fleet = [inst(1, { originalState: "stopped" }), inst(2), inst(3, { originalState: "stopped", failsInstall: true }), inst(4, { originalState: "stopped", agentSeconds: 5000 })];
        const r = simulateOrchestrator(fleet, { ...settings, maxErrors: "100%" });
        expect(r.leftRunning).to.equal(0);
        expect(r.api.StartInstances.calls).to.equal(3);
        expect(r.api.StopInstances.calls).to.equal(3);
        expect({ patched: r.patched, failed: r.failed }).to.deep.equal({ patched: 2, failed: 2 });
    });

    it("stops scheduling batches once failures exceed the error budget", () => {
        const fleet = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => inst(n, { failsInstall: n <= 2 }));
        const r = simulateOrchestrator(fleet, { ...settings, batchesInFlight: 1, maxErrors: "1" });
        expect(r.stoppedByBudget).to.equal(true);
        expect(r.batches).to.have.length(1);
        expect({ patched: r.patched, failed: r.failed, notPatched: r.notPatched }).to.deep.equal({ patched: 0, failed: 2, notPatched: 8 });
    });

    it("throttling: unpaced bursts over a small service bucket are throttled and retried with backoff, none surfaces; pacing avoids them", () => {
        const fleet = Array.from({ length: 20 }, (_, i) => inst(i + 1, { originalState: "stopped" }));
        const service = { StartInstances: { capacity: 3, ratePerSecond: 1 } };
        const burst = simulateOrchestrator(fleet, { ...settings, batchSize: 10, batchesInFlight: 2, pacing: false, service });
        // 10 calls at once against 3 tokens: at least 7 throttled in the first burst; every throttled call is retried until it succeeds.
        expect(burst.api.StartInstances.throttles).to.be.at.least(7);
        expect(burst.api.StartInstances.surfaced).to.equal(0);
        expect(burst.api.StartInstances.calls).to.equal(20 + burst.api.StartInstances.throttles);
        expect(burst.patched).to.equal(20);
        expect(burst.leftRunning).to.equal(0);
        const paced = simulateOrchestrator(fleet, { ...settings, batchSize: 10, batchesInFlight: 2, pacing: true, pacer: { StartInstances: { capacity: 3, ratePerSecond: 1 } }, service });
        expect(paced.api.StartInstances).to.deep.equal({ calls: 20, throttles: 0, surfaced: 0 });
        expect(paced.patched).to.equal(20);
    });

    it("a throttle that outlasts every retry is surfaced (and counted), not hidden", () => {
        const fleet = [inst(1, { originalState: "stopped" }), inst(2, { originalState: "stopped" })];
        const r = simulateOrchestrator(fleet, { ...settings, pacing: false, service: { StartInstances: { capacity: 1, ratePerSecond: 0.0001 } }, backoff: { baseMs: 100, capMs: 100, maxAttempts: 3 } });
        expect(r.api.StartInstances).to.deep.equal({ calls: 4, throttles: 3, surfaced: 1 });
    });

    it("the lower bound and the lognormal model: median and p95 as configured (seeded, deterministic)", () => {
        const sample = lognormal(720, 2700, rng(1));
        const xs = Array.from({ length: 20_000 }, sample).sort((a, b) => a - b);
        expect(xs[10_000] / 720).to.be.within(0.95, 1.05);
        expect(xs[19_000] / 2700).to.be.within(0.93, 1.07);
        const fleet = [inst(1, { installSeconds: 100 }), inst(2, { installSeconds: 300 }), inst(3, { installSeconds: 200 })];
        expect(lowerBound(fleet, 1)).to.equal(600);
        expect(lowerBound(fleet, 3)).to.equal(300);
        expect(makeFleet({ ...DEFAULT_FLEET, instances: 50 })).to.deep.equal(makeFleet({ ...DEFAULT_FLEET, instances: 50 }));
    });

    it("seed 003's design patches only what its 600-second executeScript reaches: the first batch", () => {
        const fleet = Array.from({ length: 20 }, (_, i) => inst(i + 1));
        const r = simulateSeed003(fleet, { batchSize: 5, waitBetweenBatches: 120, windowSeconds: 14_400, windowConcurrency: 10 });
        expect(r.patched).to.equal(5);
        const o = simulateOrchestrator(fleet, settings);
        expect(o.patched).to.equal(20);
    });

    it("the review's estimate: 200 instances fit a 4-hour window; the finish is the simulated one", () => {
        const e = fleetEstimate(200, 4);
        expect(e.fits).to.equal(true);
        expect(e.finishMinutes).to.be.at.least(e.boundMinutes);
        expect(e.finishMinutes).to.be.at.most(240);
    });

    it("review --fleet-size: per orchestrator, what the deployed one-batch-at-a-time run achieves, and fleet mode", () => {
        expect(parseArgs(["--fleet-size", "2000"]).fleetSize).to.equal("2000");
        expect(() => parseArgs(["--fleet-size", "0"])).to.throw("--fleet-size must be a whole number from 1 to 100000");
        const cfg = parse(minimalConfig({ "patching:patchOrchestrators": [{ name: "fleet", window: { schedule: "cron(0 22 ? * * *)", duration: 4, cutoff: 1 }, targets: { tags: { P: ["x"] } } }] }));
        const lines = fleetLines(cfg, 2000);
        expect(lines[0]).to.equal('Fleet estimate for 2000 instances (simulated; see BENCHMARKS.md "Fleet")');
        expect(lines[2]).to.match(/^fleet \(batches of 5, one at a time\): fits the window: no, expected finish \d+ min after the start \(window 240 min;/);
        expect(lines[3]).to.match(/^fleet mode \(Distributed Map, batches of 50, every batch in flight\): fits the window: yes, expected finish \d+ min/);
    });
});

describe("review --fleet-size with an orchestrator in fleet mode", () => {
    it("estimates the deployed fleet run: its batches in flight, no pause between batches", () => {
        const cfg = parse(
            minimalConfig({
                "patching:patchOrchestrators": [
                    { name: "big", scale: "fleet", fleet: { batchesInFlight: 20 }, batchSize: 50, window: { schedule: "cron(0 22 ? * * *)", duration: 4, cutoff: 1 }, targets: { tags: { P: ["x"] } } },
                ],
            }),
        );
        // 2,000 instances in batches of 50: the simulator's own default would run all 40 batches at
        // once (bench/fleet.ts fleetSettings), so the figure shows the configured 20 in flight.
        const lines = fleetLines(cfg, 2_000);
        expect(lines).to.have.length(4);
        expect(lines[2]).to.match(/^big \(fleet mode, batches of 50, 20 in flight\): fits the window: (yes|no), expected finish \d+ min after the start \(window 240 min; lower bound \d+ min;/);
        const e = fleetEstimate(2_000, 4, { batchSize: 50, batchesInFlight: 20, waitBetweenBatchesSeconds: 0 });
        expect(lines[2]).to.contain(`expected finish ${e.finishMinutes} min`);
        expect(fleetEstimate(2_000, 4, { batchSize: 50, waitBetweenBatchesSeconds: 0 }).finishMinutes, "the default in flight gives another figure").to.not.equal(e.finishMinutes);
    });
});
