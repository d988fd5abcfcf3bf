/**
 * `npm run bench` fleet section (issue 18): simulated time to patch a fleet with the orchestrator
 * — the registered fleet state machine run by the ASL interpreter with the real handlers
 * (bench/fleetAsl.ts) — against the lower bound `max(longest instance, total work / allowed
 * concurrency)`; beside it the decision model (bench/fleetSim.ts: the orchestrator's decisions with
 * the pacer of core/orchestrator/pacing.ts), the program's other install paths and seed 003's
 * original design, all on the same fleet and virtual clock.
 */
import {
    DEFAULT_FLEET,
    DEFAULT_ORCHESTRATOR_SIM,
    lowerBound,
    makeFleet,
    OrchestratorSimSettings,
    SimInstance,
    SimResult,
    simulateOrchestrator,
    simulateRateControlled,
    simulateSeed003,
} from "./fleetSim";
import { execFileSync } from "child_process";
import * as path from "path";
import { runFleetStateMachine, AslFleetResult } from "./fleetAsl";
import type { Row } from "./run";

const WINDOW = 4 * 3600;

/** Batches in flight per location so that every instance of a location can be in flight (≤ Distributed Map's 10,000 children). */
export function fleetSettings(instancesPerLocation: number, batchSize = DEFAULT_ORCHESTRATOR_SIM.batchSize): OrchestratorSimSettings {
    return { ...DEFAULT_ORCHESTRATOR_SIM, batchesInFlight: Math.min(Math.ceil(10_000 / batchSize), Math.max(1, Math.ceil(instancesPerLocation / batchSize))) };
}

/** The estimate the review prints for `--fleet-size N` (one account and Region, the default fleet model). */
export function fleetEstimate(
    instances: number,
    windowHours: number,
    run: Partial<Pick<OrchestratorSimSettings, "batchSize" | "batchesInFlight" | "waitBetweenBatchesSeconds" | "maxErrors" | "priorityInstanceTypes">> = {},
): { fits: boolean; finishMinutes: number; boundMinutes: number; patchedInWindow: number; patched: number } {
    const fleet = makeFleet({ ...DEFAULT_FLEET, instances });
    const settings = { ...fleetSettings(instances, run.batchSize), ...run, windowSeconds: windowHours * 3600 };
    const r = simulateOrchestrator(fleet, settings);
    const bound = lowerBound(fleet, settings.batchSize * settings.batchesInFlight);
    return { fits: r.wallSeconds <= windowHours * 3600, finishMinutes: Math.round(r.wallSeconds / 60), boundMinutes: Math.round(bound / 60), patchedInWindow: r.patchedWithinWindow, patched: r.patched };
}

function mechanisms(fleet: SimInstance[], locations: number): SimResult[] {
    const perLocation = Math.ceil(fleet.length / locations);
    return [
        simulateOrchestrator(fleet, fleetSettings(perLocation)),
        // Patch policy install association, rate control MaxConcurrency 10% per account and Region.
        simulateRateControlled("patch policy (10%)", fleet, (n) => Math.ceil(n * 0.1), { windowSeconds: WINDOW }),
        // Maintenance window Run Command task, MaxConcurrency 10%, cutoff 1 h before the 4 h window ends.
        simulateRateControlled("maintenance window (10%, cutoff 1 h)", fleet, (n) => Math.ceil(n * 0.1), { windowSeconds: WINDOW, cutoffSeconds: 3 * 3600 }),
        // Multi-account runbook: target locations 5 at a time, MaxConcurrency 10% within each.
        simulateRateControlled("multi-account runbook (5 locations, 10%)", fleet, (n) => Math.ceil(n * 0.1), { windowSeconds: WINDOW, locationsInParallel: Math.min(5, locations) }),
        simulateSeed003(fleet, { batchSize: 5, waitBetweenBatches: 120, windowSeconds: WINDOW, windowConcurrency: 10 }),
    ];
}

/** Distributed Map's child execution input limit (bytes): the run passes references, never lists. */
const PAYLOAD_MAX = 262_144;

/** Rows of the fleet state machine run through the interpreter (bench/fleetAsl.ts). */
function stateMachineRows(add: (c: string, value: number | string, unit: string, target?: string, ok?: boolean) => void, r: AslFleetResult, instances: number, bound: number, realMs: number): void {
    const reasons = [...new Set(r.summaries.map((s) => s.reason))];
    const ratio = Number((r.wallSeconds / bound).toFixed(3));
    add("simulated wall time (every location's run ended)", Math.round(r.wallSeconds / 60), "min");
    add("patched inside 4 h (share of all targets)", Number(((100 * r.patchedWithinWindow) / instances).toFixed(1)), "%");
    add("failed (preflight, install, or its batch failed)", Number(((100 * r.failed) / instances).toFixed(1)), "%");
    if (r.skipped > 0) add("skipped (not attempted)", Number(((100 * r.skipped) / instances).toFixed(1)), "%");
    add("lower bound", Math.round(bound / 60), "min");
    // The ratio means something only for a run that went through every group (reason "done").
    const ended = reasons.join(", ");
    add("run ended (summary reason)", ended, "", "done", ended === "done");
    add("time / lower bound", ratio, "×", instances >= 10_000 ? "≤ 1.15" : undefined, instances >= 10_000 ? ratio <= 1.15 && ended === "done" : undefined);
    add("API calls (start/stop/send, every attempt)", Object.values(r.api).reduce((s, a) => s + a.calls, 0), "calls");
    add("throttled attempts (retried by the SDK or the state machine)", Object.values(r.api).reduce((s, a) => s + a.throttles, 0), "throttles");
    add("throttling errors surfaced to the run (no Retry absorbed them)", r.surfacedThrottles, "errors", "0", r.surfacedThrottles === 0);
    add("originally stopped left running", r.leftRunning, "instances", "0", r.leftRunning === 0);
    add("child executions in flight, peak / MaxConcurrency", `${r.peakInFlight} / ${r.maxConcurrency}`, "");
    add("largest child execution input", Math.round(r.largestChildInput / 1024), "KiB", "< 256 KiB", r.largestChildInput < PAYLOAD_MAX);
    add("interpreter: real time for this run", realMs, "ms");
}

export async function fleet(rows: Row[], quick: boolean): Promise<void> {
    const cases: [number, number, number][] = quick ? [[100, 1, 1], [1000, 1, 1]] : [[100, 1, 1], [1000, 1, 1], [10_000, 1, 1], [10_000, 20, 3]];
    for (const [instances, accounts, regions] of cases) {
        const label = accounts * regions > 1 ? `${instances} (${accounts} accounts × ${regions} Regions)` : `${instances}`;
        const f = makeFleet({ ...DEFAULT_FLEET, instances, accounts, regions });
        const settings = fleetSettings(Math.ceil(instances / (accounts * regions)));
        const bound = lowerBound(f, settings.batchSize * settings.batchesInFlight * accounts * regions);
        const started = Date.now();
        const sm = await runFleetStateMachine(f, settings);
        stateMachineRows((c, value, unit, target, ok) => rows.push({ benchmark: `fleet ${label}`, case: `${sm.mechanism}: ${c}`, value, unit, target, ok }), sm, instances, bound, Date.now() - started);
        for (const r of mechanisms(f, accounts * regions)) {
            const orchestrator = r.mechanism === "orchestrator";
            const name = orchestrator ? "decision model (pacer of pacing.ts)" : r.mechanism;
            const add = (c: string, value: number | string, unit: string, target?: string, ok?: boolean) => rows.push({ benchmark: `fleet ${label}`, case: `${name}: ${c}`, value, unit, target, ok });
            add("simulated wall time (last instance done)", Math.round(r.wallSeconds / 60), "min");
            add("patched inside 4 h (share of all targets)", Number(((100 * r.patchedWithinWindow) / instances).toFixed(1)), "%");
            // Why a path that finishes inside the window still patches less: it never starts stopped instances, and failures stay failed.
            const stopped = f.filter((i) => i.originalState === "stopped").length;
            if (!orchestrator && r.mechanism !== "seed 003") add("out of reach (stopped, never started by this path)", Number(((100 * stopped) / instances).toFixed(1)), "%");
            add("failed (preflight or install)", Number(((100 * r.failed) / instances).toFixed(1)), "%");
            if (orchestrator) {
                add("time / lower bound", Number((r.wallSeconds / bound).toFixed(3)), "×");
                add("throttled attempts (retried)", Object.values(r.api).reduce((s, a) => s + a.throttles, 0), "throttles");
                add("throttling errors surfaced", Object.values(r.api).reduce((s, a) => s + a.surfaced, 0), "errors");
            }
            if (r.mechanism === "seed 003") add("originally stopped left running", r.leftRunning, "instances");
        }
    }
    fleetMemory(rows, quick ? 1000 : 10_000, quick ? 10_000 : 100_000);
    estimateScaling(rows);
}

/** CPU of one call, best of `runs` (the first call also warms the code). */
function bestCpuMs(runs: number, fn: () => void): number {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
        const started = process.cpuUsage();
        fn();
        const used = process.cpuUsage(started);
        best = Math.min(best, (used.user + used.system) / 1000);
    }
    return best;
}

/**
 * `npm start -- --fleet-size N` (review/fleetSection.ts) simulates N instances through the
 * orchestrator model, up to 100,000 (the largest size the flag accepts). The simulation's work
 * follows its simulated events (batches, polls, retries under throttling), not N alone: from 1,000
 * to 10,000 instances it grows about 50× (the window fills, batches wait on the API buckets), from
 * 10,000 to 100,000 under 2×, so the row compares those two. The simulators' grouping by location,
 * which copied a location's list per instance (before core/collections.ts), took 35 s at 20,000,
 * 187 s at 40,000 and over 15 minutes at 100,000. Both sizes in `--quick` too: about 5 s.
 */
function estimateScaling(rows: Row[]): void {
    const small = 10_000;
    const large = 100_000;
    const cpu = (n: number) => bestCpuMs(2, () => fleetEstimate(n, 4));
    const smallMs = cpu(small);
    const largeMs = cpu(large);
    const ratio = Number((largeMs / Math.max(smallMs, 0.1)).toFixed(1));
    const bench = `fleet estimate scaling ${large}`;
    rows.push({ benchmark: bench, case: `fleetEstimate CPU at ${small} instances (best of 2)`, value: Math.round(smallMs), unit: "ms" });
    rows.push({ benchmark: bench, case: `fleetEstimate CPU at ${large} instances (best of 2)`, value: Math.round(largeMs), unit: "ms" });
    rows.push({ benchmark: bench, case: "fleetEstimate (npm start --fleet-size) CPU ratio for 10× the instances", value: ratio, unit: "×", target: "< 20× (measured under 2×; the copying grouping: over 500×)", ok: ratio < 20 });
}

/** Memory each fleet-mode Lambda is deployed with (components/nodeLambda.ts default). */
const LAMBDA_MEMORY_MB = 256;

/**
 * Peak heap of the real fleet-mode Lambda actions at `instances` (bench/fleetMemoryWorker.ts, a
 * fresh `node --expose-gc` process), against the Lambda's configured memory.
 */
export function fleetMemory(rows: Row[], instances: number, planInstances: number): void {
    const out = execFileSync(process.execPath, ["--expose-gc", "-r", "ts-node/register/transpile-only", path.join(__dirname, "fleetMemoryWorker.ts"), String(instances), String(planInstances)], {
        encoding: "utf8",
        cwd: path.resolve(__dirname, ".."),
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { peaks: Record<string, number>; planCpuMs: { small: number; large: number; smallInstances: number; instances: number } };
    for (const [action, bytes] of Object.entries(r.peaks)) {
        const mib = Number((bytes / 1024 / 1024).toFixed(1));
        rows.push({ benchmark: `fleet lambda memory ${instances}`, case: `${action}: peak heap above baseline`, value: mib, unit: "MiB", target: `< ${LAMBDA_MEMORY_MB / 4} MiB (¼ of ${LAMBDA_MEMORY_MB} MB)`, ok: mib < LAMBDA_MEMORY_MB / 4 });
    }
    // A plan linear in the fleet (up to its sort's log factor and the collector) stays under 20× the
    // CPU for 10× the instances (5.8–17× measured). The grouping that copied its group's list per instance took 0.26 s at
    // 10,000 and had not finished after 5 minutes at 100,000 (over 1,000×; the plan Lambda's timeout is 120 s).
    const large = r.planCpuMs.instances;
    const ratio = Number((r.planCpuMs.large / Math.max(r.planCpuMs.small, 0.1)).toFixed(1));
    const bench = `fleet plan scaling ${large}`;
    rows.push({ benchmark: bench, case: `fleetPlan CPU at ${r.planCpuMs.smallInstances} instances (best of 3)`, value: Math.round(r.planCpuMs.small), unit: "ms" });
    rows.push({ benchmark: bench, case: `fleetPlan CPU at ${large} instances (best of 3)`, value: Math.round(r.planCpuMs.large), unit: "ms" });
    rows.push({ benchmark: bench, case: "fleetPlan CPU ratio for 10× the instances", value: ratio, unit: "×", target: "< 40× (a linear plan: under 20×; the quadratic grouping: over 1,000×)", ok: ratio < 40 });
}
