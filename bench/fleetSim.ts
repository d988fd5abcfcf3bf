/**
 * Fleet simulator (issue 18): the orchestrator's real decision code — priority order and groups
 * (`orderByPriority`, `priorityRank`), batches (`splitIntoBatches`), the error budget
 * (`errorBudget`), token-bucket pacing and backoff (`core/orchestrator/pacing.ts`) — driven over a
 * simulated fleet on a virtual clock (an event queue; no wall-clock time anywhere). The same fleet
 * is run through the program's other install paths and seed 003's original design.
 *
 * Model (parameters and sources: BENCHMARKS.md, "Fleet"): each instance's install + reboot time
 * is lognormal (median 12 min, p95 45 min); a share is stopped (started by the orchestrator, its
 * agent Online after a lognormal delay); a share fails preflight or install. AWS rate limits are
 * token buckets per account and Region on the service side; a call finding the bucket empty is
 * throttled and retried with capped exponential backoff.
 */
import { errorBudget, orderByPriority, priorityRank, splitIntoBatches } from "../core/orchestrator/plan";
import { backoffMs, BackoffSpec, BucketSpec, BucketState, DEFAULT_BACKOFF, DEFAULT_PACING, fullBucket, PacedApi, take } from "../core/orchestrator/pacing";
import type { TargetInstance } from "../core/orchestrator/types";
import { LOCATION_POLL_SECONDS } from "../core/orchestrator/coordinatorMachine";
import { expandLocations, MIN_RUNTIME_MINUTES } from "../core/orchestrator/crossAccount";
import { EventQueue } from "./support/eventQueue";
import { groupBy } from "../core/collections";

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
const Z95 = 1.6448536269514722;
function normal(r: () => number): number {
    const u = Math.max(r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}
/** A lognormal sampler from its median and 95th percentile (seconds). */
export function lognormal(median: number, p95: number, r: () => number): () => number {
    const sigma = Math.log(p95 / median) / Z95;
    return () => median * Math.exp(sigma * normal(r));
}
/** The mean of that lognormal. */
export const lognormalMean = (median: number, p95: number) => median * Math.exp((Math.log(p95 / median) / Z95) ** 2 / 2);

export interface SimInstance extends TargetInstance {
    location: string;
    /** Seconds install + reboot take. */
    installSeconds: number;
    /** Seconds after StartInstances until the agent is Online (stopped instances). */
    agentSeconds: number;
    failsPreflight: boolean;
    failsInstall: boolean;
}

export interface FleetSpec {
    instances: number;
    accounts: number;
    regions: number;
    seed: number;
    install: { medianSeconds: number; p95Seconds: number };
    agent: { medianSeconds: number; p95Seconds: number };
    stoppedShare: number;
    preflightFailShare: number;
    installFailShare: number;
    /** Share of instances whose type is in the priority list (patched first). */
    priorityShare: number;
}
export const DEFAULT_FLEET: Omit<FleetSpec, "instances"> = {
    accounts: 1,
    regions: 1,
    seed: 18,
    install: { medianSeconds: 12 * 60, p95Seconds: 45 * 60 },
    agent: { medianSeconds: 90, p95Seconds: 300 },
    stoppedShare: 0.2,
    preflightFailShare: 0.005,
    installFailShare: 0.01,
    priorityShare: 0,
};

export function makeFleet(spec: FleetSpec): SimInstance[] {
    const r = rng(spec.seed);
    const install = lognormal(spec.install.medianSeconds, spec.install.p95Seconds, r);
    const agent = lognormal(spec.agent.medianSeconds, spec.agent.p95Seconds, r);
    const locations = spec.accounts * spec.regions;
    return Array.from({ length: spec.instances }, (_, i) => {
        const loc = i % locations;
        return {
            instanceId: `i-${i.toString(16).padStart(17, "0")}`,
            instanceType: r() < spec.priorityShare ? "m5.large" : "t3.large",
            name: `host-${i}`,
            platform: "Windows",
            originalState: r() < spec.stoppedShare ? "stopped" : "running",
            location: `${String(100000000000 + Math.floor(loc / spec.regions))}/region-${loc % spec.regions}`,
            installSeconds: install(),
            agentSeconds: agent(),
            failsPreflight: r() < spec.preflightFailShare,
            failsInstall: r() < spec.installFailShare,
        };
    });
}

/** Service-side token buckets per account and Region (what AWS enforces; BENCHMARKS.md cites them). */
export const SERVICE_LIMITS: Record<PacedApi, BucketSpec> = {
    StartInstances: { capacity: 50, ratePerSecond: 5 },
    StopInstances: { capacity: 50, ratePerSecond: 5 },
    SendCommand: { capacity: 20, ratePerSecond: 5 },
};

/** The decision model's virtual clock: events in time order (ties: in the order scheduled). */
class Clock {
    now = 0;
    private queue = new EventQueue<() => void>();
    at(t: number, fn: () => void): void {
        this.queue.push(Math.max(t, this.now), fn);
    }
    run(): void {
        for (let e = this.queue.pop(); e; e = this.queue.pop()) {
            this.now = e.t;
            e.value();
        }
    }
}

export interface ApiStats {
    calls: number;
    throttles: number;
    /** Throttling errors that exhausted the retries and reached the run. */
    surfaced: number;
}

/** An AWS API of one account/Region: our pacer (optional) in front of the service's bucket. */
class Api {
    private service: BucketState;
    private pacer?: BucketState;
    constructor(
        private readonly clock: Clock,
        private readonly serviceSpec: BucketSpec,
        private readonly pacerSpec: BucketSpec | undefined,
        private readonly backoff: BackoffSpec,
        private readonly random: () => number,
        readonly stats: ApiStats,
    ) {
        this.service = fullBucket(serviceSpec, 0);
        if (pacerSpec) this.pacer = fullBucket(pacerSpec, 0);
    }
    /** Calls the API; `done(ok)` once it succeeded (or the retries ran out). */
    call(done: (ok: boolean) => void, attempt = 0): void {
        const nowMs = this.clock.now * 1000;
        if (this.pacerSpec && this.pacer) {
            const p = take(this.pacerSpec, this.pacer, nowMs);
            this.pacer = p.state;
            if (!p.ok) {
                this.clock.at(this.clock.now + p.waitMs / 1000, () => this.call(done, attempt));
                return;
            }
        }
        this.stats.calls++;
        const s = take(this.serviceSpec, this.service, nowMs);
        this.service = s.state;
        if (s.ok) return done(true);
        this.stats.throttles++;
        if (attempt + 1 >= this.backoff.maxAttempts) {
            this.stats.surfaced++;
            return done(false);
        }
        this.clock.at(this.clock.now + backoffMs(this.backoff, attempt, this.random()) / 1000, () => this.call(done, attempt + 1));
    }
}

export interface SimResult {
    mechanism: string;
    /** Seconds until the last instance was done (patched, failed or skipped) and restored. */
    wallSeconds: number;
    patched: number;
    failed: number;
    notPatched: number;
    patchedWithinWindow: number;
    api: Record<PacedApi, ApiStats>;
    /** Originally stopped instances left running at the end (must be 0). */
    leftRunning: number;
    /** Instances in patch order (for tests: the priority order). */
    order: string[];
    stoppedByBudget: boolean;
    /** Orchestrator, more than one location: each location's run (start, end, when the coordinator noticed it; not started past the threshold or the deadline). */
    locations?: { location: string; start: number; end: number; noticed: number; stoppedByBudget: boolean; started: boolean }[];
    /** Orchestrator batches: location, priority group, start and end (virtual seconds). */
    batches: { location: string; group: number; instanceIds: string[]; start: number; end: number }[];
}

export interface OrchestratorSimSettings {
    batchSize: number;
    /** Child executions (batches) in flight per account and Region. */
    batchesInFlight: number;
    maxErrors: string;
    priorityInstanceTypes: string[];
    agentWaitSeconds: number;
    /** Preflight command duration (s). */
    preflightSeconds: number;
    /** Seconds between a command finishing and the poll that sees it (Wait state interval). */
    pollSeconds: number;
    /** Pace start/stop/send with our token buckets (false: fire at once, as the seed does). */
    pacing: boolean;
    pacer?: Partial<Record<PacedApi, BucketSpec>>;
    service?: Partial<Record<PacedApi, BucketSpec>>;
    backoff?: BackoffSpec;
    windowSeconds: number;
    /** Pause before a slot takes its next batch (the run state machine's WaitBetweenBatches). @default 0 */
    waitBetweenBatchesSeconds?: number;
    /**
     * More than one location (account × Region): the cross-account coordinator as deployed
     * (core/orchestrator/coordinatorMachine.ts): locations in its start order, `locationConcurrency`
     * runs at once, each run's end noticed at the next poll, no new location once failed locations
     * exceed `locationMaxErrors` or with less than 10 minutes of the window left.
     * @default every location at once, nothing tolerated beyond the location count, 300 s polls
     */
    coordinator?: SimCoordinator;
}

/** The cross-account coordinator's settings in the simulator (the Distributed Map over locations). */
export interface SimCoordinator {
    /** Map MaxConcurrency (resolved `crossAccount.locationConcurrency`). */
    locationConcurrency: number;
    /** Map ToleratedFailureCount (resolved `crossAccount.locationMaxErrors`). */
    locationMaxErrors: number;
    /** Seconds between two checks of a location's run (LOCATION_POLL_SECONDS). */
    pollSeconds: number;
}
export const DEFAULT_ORCHESTRATOR_SIM: OrchestratorSimSettings = {
    batchSize: 50,
    batchesInFlight: 40,
    maxErrors: "10%",
    priorityInstanceTypes: [],
    agentWaitSeconds: 600,
    preflightSeconds: 120,
    pollSeconds: 60,
    pacing: true,
    windowSeconds: 4 * 3600,
};

/**
 * The coordinator's start order of the simulated locations (`<account>/region-<r>`): Region by
 * Region, accounts in order — core/orchestrator/crossAccount.ts `expandLocations` over them.
 */
export function coordinatorOrder(keys: string[]): string[] {
    const accounts = [...new Set(keys.map((k) => k.split("/")[0]))].sort();
    const regions = [...new Set(keys.map((k) => k.split("/")[1]))].sort();
    return expandLocations([{ accounts, regions }])
        .map((l) => `${l.account}/${l.region}`)
        .filter((k) => keys.includes(k));
}

const emptyStats = (): Record<PacedApi, ApiStats> => ({
    StartInstances: { calls: 0, throttles: 0, surfaced: 0 },
    StopInstances: { calls: 0, throttles: 0, surfaced: 0 },
    SendCommand: { calls: 0, throttles: 0, surfaced: 0 },
});

/**
 * The fleet orchestrator: per account and Region (target location) its own Distributed Map; priority
 * groups one after another; `batchesInFlight` batches at once; the error budget (of the location's
 * targets) checked before each batch; each batch starts its stopped instances (one paced call
 * each), waits for agents, runs the preflight, patches (one SendCommand for the batch; every
 * instance finishes on its own time) and stops again what it started.
 */
export function simulateOrchestrator(fleet: SimInstance[], settings: OrchestratorSimSettings = DEFAULT_ORCHESTRATOR_SIM): SimResult {
    const clock = new Clock();
    const random = rng(7);
    const stats = emptyStats();
    const result: SimResult = { mechanism: "orchestrator", wallSeconds: 0, patched: 0, failed: 0, notPatched: 0, patchedWithinWindow: 0, api: stats, leftRunning: 0, order: [], stoppedByBudget: false, batches: [] };
    const byLocation = groupBy(fleet, (i) => i.location);
    const running = new Set(fleet.filter((i) => i.originalState === "running").map((i) => i.instanceId));
    const finish = (t: number) => (result.wallSeconds = Math.max(result.wallSeconds, t));

    // The coordinator over the locations (one location: just its run). Each location paces its own
    // account's and Region's API buckets; the coordinator starts them in its order.
    const order = coordinatorOrder([...byLocation.keys()]);
    const coordinator: SimCoordinator = settings.coordinator ?? { locationConcurrency: order.length, locationMaxErrors: order.length, pollSeconds: LOCATION_POLL_SECONDS };
    let nextLocation = 0;
    let locationsRunning = 0;
    let failedLocations = 0;
    const locationLog: NonNullable<SimResult["locations"]> = [];
    result.locations = locationLog;
    const startLocations = () => {
        while (locationsRunning < coordinator.locationConcurrency && nextLocation < order.length && failedLocations <= coordinator.locationMaxErrors) {
            const key = order[nextLocation++];
            const startedAt = clock.now;
            if (order.length > 1 && settings.windowSeconds - startedAt < MIN_RUNTIME_MINUTES * 60) {
                locationLog.push({ location: key, start: startedAt, end: startedAt, noticed: startedAt, stoppedByBudget: false, started: false });
                continue;
            }
            locationsRunning++;
            runLocation(byLocation.get(key)!, (stoppedByBudget) => {
                // The coordinator sees the end at its next poll of the location's run.
                const polls = order.length > 1 ? Math.max(1, Math.ceil((clock.now - startedAt) / coordinator.pollSeconds)) : 0;
                const noticed = startedAt + polls * coordinator.pollSeconds;
                locationLog.push({ location: key, start: startedAt, end: clock.now, noticed, stoppedByBudget, started: true });
                if (order.length > 1) finish(noticed);
                clock.at(noticed, () => {
                    locationsRunning--;
                    if (stoppedByBudget) failedLocations++;
                    startLocations();
                });
            });
        }
    };

    function runLocation(instances: SimInstance[], onDone: (stoppedByBudget: boolean) => void): void {
        const api = (name: PacedApi) =>
            new Api(clock, settings.service?.[name] ?? SERVICE_LIMITS[name], settings.pacing ? (settings.pacer?.[name] ?? DEFAULT_PACING[name]) : undefined, settings.backoff ?? DEFAULT_BACKOFF, random, stats[name]);
        const apis = { StartInstances: api("StartInstances"), StopInstances: api("StopInstances"), SendCommand: api("SendCommand") };
        const ordered = orderByPriority(instances, settings.priorityInstanceTypes);
        const groups: SimInstance[][] = [];
        for (const i of ordered) (groups[priorityRank(i.instanceType, settings.priorityInstanceTypes)] ??= []).push(i);
        const batchesByGroup = groups.filter(Boolean).map((g) => splitIntoBatches(g, settings.batchSize));
        const budget = errorBudget(settings.maxErrors, instances.length);
        let failed = 0;
        let group = 0;
        let next = 0;
        let inFlight = 0;

        const runBatch = (batch: SimInstance[]) => {
            inFlight++;
            const t0 = clock.now;
            const log = { location: batch[0].location, group, instanceIds: batch.map((i) => i.instanceId), start: t0, end: t0 };
            result.batches.push(log);
            const toStart = batch.filter((i) => i.originalState === "stopped");
            let pending = toStart.length;
            let agentsAt = t0;
            const afterStart = () => {
                // Agents: Online after their delay; those past agentWaitSeconds fail.
                const ready = batch.filter((i) => i.originalState === "running" || i.agentSeconds <= settings.agentWaitSeconds);
                const offline = batch.length - ready.length;
                failed += offline;
                result.failed += offline;
                const waitUntil = Math.max(agentsAt, ...toStart.filter((i) => ready.includes(i)).map((i) => startedAt.get(i.instanceId)! + i.agentSeconds));
                const anyOffline = ready.length < batch.length;
                const agentsDone = anyOffline ? Math.max(waitUntil, t0 + settings.agentWaitSeconds) : waitUntil;
                clock.at(Math.ceil(agentsDone / 20) * 20, () =>
                    apis.SendCommand.call(() => {
                        const preflightDone = clock.now + settings.preflightSeconds + settings.pollSeconds / 2;
                        const ok = ready.filter((i) => !i.failsPreflight);
                        failed += ready.length - ok.length;
                        result.failed += ready.length - ok.length;
                        clock.at(preflightDone, () =>
                            apis.SendCommand.call(() => {
                                const sent = clock.now;
                                let last = sent;
                                for (const i of ok) {
                                    const done = sent + i.installSeconds;
                                    last = Math.max(last, done);
                                    result.order.push(i.instanceId);
                                    if (i.failsInstall) {
                                        failed++;
                                        result.failed++;
                                    }
                                    else {
                                        result.patched++;
                                        if (done <= settings.windowSeconds) result.patchedWithinWindow++;
                                    }
                                    finish(done);
                                }
                                // The batch ends at the poll after its slowest instance, then restores.
                                clock.at(last + settings.pollSeconds / 2, () => {
                                    let stops = toStart.length;
                                    const end = () => {
                                        finish(clock.now);
                                        log.end = clock.now;
                                        const pause = settings.waitBetweenBatchesSeconds ?? 0;
                                        clock.at(clock.now + pause, () => {
                                            inFlight--;
                                            schedule();
                                        });
                                    };
                                    if (stops === 0) return end();
                                    for (const i of toStart)
                                        apis.StopInstances.call((stoppedOk) => {
                                            if (stoppedOk) running.delete(i.instanceId);
                                            if (--stops === 0) end();
                                        });
                                });
                            }),
                        );
                    }),
                );
            };
            const startedAt = new Map<string, number>();
            if (pending === 0) return afterStart();
            for (const i of toStart)
                apis.StartInstances.call((ok) => {
                    startedAt.set(i.instanceId, clock.now);
                    if (ok) running.add(i.instanceId);
                    agentsAt = Math.max(agentsAt, clock.now);
                    if (--pending === 0) afterStart();
                });
        };
        let ended = false;
        let overBudget = false;
        const schedule = () => {
            while (inFlight < settings.batchesInFlight) {
                if (failed > budget) {
                    result.stoppedByBudget = true;
                    overBudget = true;
                    break;
                }
                const batches = batchesByGroup[group];
                if (!batches) break;
                if (next >= batches.length) {
                    // A higher-priority group finishes before the next starts.
                    if (inFlight > 0) return;
                    group++;
                    next = 0;
                    continue;
                }
                runBatch(batches[next++]);
            }
            if (inFlight === 0 && !ended) {
                ended = true;
                onDone(overBudget);
            }
        };
        clock.at(clock.now, schedule);
    }
    clock.at(0, startLocations);
    clock.run();
    result.notPatched = fleet.length - result.patched;
    result.leftRunning = fleet.filter((i) => i.originalState === "stopped" && running.has(i.instanceId)).length;
    return result;
}

/**
 * A rate-controlled Run Command / association over running instances only (patch policies,
 * maintenance-window tasks, the multi-account runbook per target location): at most
 * `concurrency` instances at once per location; stopped instances are never patched.
 */
export function simulateRateControlled(mechanism: string, fleet: SimInstance[], concurrencyOf: (locationSize: number) => number, opts: { windowSeconds: number; locationsInParallel?: number; cutoffSeconds?: number }): SimResult {
    const stats = emptyStats();
    const result: SimResult = { mechanism, wallSeconds: 0, patched: 0, failed: 0, notPatched: 0, patchedWithinWindow: 0, api: stats, leftRunning: 0, order: [], stoppedByBudget: false, batches: [] };
    const byLocation = groupBy(fleet, (i) => i.location);
    const locationEnds: number[] = [];
    const lanes = opts.locationsInParallel ?? byLocation.size;
    const laneFree = Array(lanes).fill(0);
    for (const instances of byLocation.values()) {
        const lane = laneFree.indexOf(Math.min(...laneFree));
        const t0 = laneFree[lane];
        const live = instances.filter((i) => i.originalState === "running");
        const c = Math.max(1, concurrencyOf(live.length));
        const slots = Array(c).fill(t0);
        stats.SendCommand.calls++;
        for (const i of live) {
            const s = slots.indexOf(Math.min(...slots));
            if (opts.cutoffSeconds !== undefined && slots[s] > opts.cutoffSeconds) continue; // no new invocation after the cutoff
            const done = slots[s] + i.installSeconds;
            slots[s] = done;
            result.order.push(i.instanceId);
            if (i.failsInstall || i.failsPreflight) result.failed++;
            else {
                result.patched++;
                if (done <= opts.windowSeconds) result.patchedWithinWindow++;
            }
            result.wallSeconds = Math.max(result.wallSeconds, done);
        }
        locationEnds.push(Math.max(...slots));
        laneFree[lane] = Math.max(...slots);
    }
    result.notPatched = fleet.length - result.patched;
    return result;
}

/**
 * Seed 003 as shipped: the window's AUTOMATION task targets the resource group, so one run of the
 * parent runbook per instance (window MaxConcurrency at a time); each waits for its batches
 * inside one `aws:executeScript`, which ends after 600 s — so a run starts only the batches it
 * reaches within 600 s (the first, and a second only if the first took < 480 s). Every run picks
 * the same first batches. StartInstances for a batch at once, unpaced.
 */
export function simulateSeed003(fleet: SimInstance[], opts: { batchSize: number; waitBetweenBatches: number; windowSeconds: number; windowConcurrency: number }): SimResult {
    const stats = emptyStats();
    const result: SimResult = { mechanism: "seed 003", wallSeconds: 0, patched: 0, failed: 0, notPatched: 0, patchedWithinWindow: 0, api: stats, leftRunning: 0, order: [], stoppedByBudget: false, batches: [] };
    const byLocation = groupBy(fleet, (i) => i.location);
    for (const instances of byLocation.values()) {
        const ordered = orderByPriority(instances, ["m5.large", "m5.xlarge", "c5.large"]);
        const batches = splitIntoBatches(ordered, opts.batchSize);
        const copies = Math.min(instances.length, opts.windowConcurrency);
        let t = 0;
        const patched = new Set<string>();
        for (const batch of batches) {
            if (t >= 600) break; // the executeScript waiting for the batches has ended
            const stopped = batch.filter((i) => i.originalState === "stopped");
            stats.StartInstances.calls += stopped.length > 0 ? copies : 0;
            // Throttled when `copies` identical runs start the same batch at once beyond the service bucket.
            stats.StartInstances.throttles += Math.max(0, (stopped.length > 0 ? copies : 0) - SERVICE_LIMITS.StartInstances.capacity);
            stats.SendCommand.calls += copies * 3;
            stats.SendCommand.throttles += Math.max(0, copies * 3 - SERVICE_LIMITS.SendCommand.capacity);
            const end = t + 120 + Math.max(...batch.map((i) => i.installSeconds)) + 30;
            for (const i of batch) {
                if (patched.has(i.instanceId)) continue;
                patched.add(i.instanceId);
                result.order.push(i.instanceId);
                if (i.failsInstall || i.failsPreflight) result.failed++;
                else {
                    result.patched++;
                    if (t + 120 + i.installSeconds <= opts.windowSeconds) result.patchedWithinWindow++;
                }
            }
            // The seed skips its restore when patching fails: the stopped instance stays running.
            result.leftRunning += stopped.filter((i) => i.failsInstall).length;
            result.wallSeconds = Math.max(result.wallSeconds, end);
            t = end + opts.waitBetweenBatches;
        }
    }
    result.notPatched = fleet.length - result.patched;
    return result;
}

/** `max(longest single instance, total work / allowed concurrency)` (seconds). */
export function lowerBound(fleet: SimInstance[], concurrency: number): number {
    const work = fleet.reduce((s, i) => s + i.installSeconds, 0);
    return Math.max(Math.max(...fleet.map((i) => i.installSeconds)), work / concurrency);
}
