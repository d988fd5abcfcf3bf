/**
 * The fleet run (`scale: fleet`, issue 18): the same decisions as the one-batch-at-a-time run
 * (priority order, batches, error budget, deadline, approval gate, restore) for fleets of any size.
 * Lists live in S3, payloads carry references:
 *
 *   runs/<runId>/targets/group-<g>.json   the plan's target list of priority group g: one JSON
 *                                         array of instance records (each with its batch index),
 *                                         read by the Distributed Map's ItemReader and cut into
 *                                         batches by its ItemBatcher (MaxItemsPerBatch = batchSize)
 *   runs/<runId>/results/g<g>-b<i>-p<P>-f<F>-s<S>-<first id>.json
 *                                         a finished batch's records, written by its restore step;
 *                                         the counts in the key let the gate before each batch sum
 *                                         the run's failures with one ListObjectsV2, no GETs
 *   runs/<runId>/map-results/…            the Map's ResultWriter (child execution outputs)
 *   runs/<runId>/restore.json, summary.json
 *
 * Every function is a pure decision over its inputs plus the {@link FleetStore}; the Lambdas pass
 * an S3-backed store, the tests and the bench an in-memory one.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { closedDetail, GateCheck } from "./gate";
import { DEFAULT_PACING, paceBurst } from "./pacing";
import { errorBudget, orderByPriority, priorityRank, runInfo } from "./plan";
import type { BatchState, FleetRunRef, InstanceRecord, OrchestratorSettings, RunInfo, StepError, StopReason, TargetInstance } from "./types";
import { groupBy } from "../collections";

/** The objects of a run: put, get and list keys by prefix. */
export interface FleetStore {
    put(key: string, body: string): Promise<void>;
    get(key: string): Promise<string>;
    list(prefix: string): Promise<string[]>;
}

/** An in-memory store (tests, the bench). */
export function memoryStore(objects = new Map<string, string>()): FleetStore & { objects: Map<string, string> } {
    return {
        objects,
        put: async (key, body) => void objects.set(key, body),
        get: async (key) => {
            const v = objects.get(key);
            if (v === undefined) throw Object.assign(new Error(`no object ${key}`), { name: "NoSuchKey" });
            return v;
        },
        list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
    };
}

/** The fleet bucket through S3 (PutObject, GetObject, ListObjectsV2 paginated). */
export function s3Store(s3: S3Client, bucket: string): FleetStore {
    return {
        put: async (key, body) => {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" }));
        },
        get: async (key) => {
            const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            return (await out.Body?.transformToString("utf-8")) ?? "";
        },
        list: async (prefix) => {
            const keys: string[] = [];
            let token: string | undefined;
            do {
                const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
                for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
                token = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (token);
            return keys.sort();
        },
    };
}

/** One priority group: its target list in S3 and its size. */
export interface FleetGroup {
    index: number;
    key: string;
    /** priorityRank of its instance types (the list's length: not listed). */
    rank: number;
    instances: number;
    batches: number;
}

export interface FleetCounts {
    targets: number;
    patched: number;
    failed: number;
    skipped: number;
}

/** The fleet run state machine's state: constant size whatever the fleet (no instance list). */
export interface FleetRunState {
    run: RunInfo & { fleet: FleetRunRef };
    groups: FleetGroup[];
    /** The group running next (or now). */
    cursor: number;
    counts: FleetCounts;
    /** group.startedAt: set by the gate right before the group's Map starts. */
    next: { action: "group"; group: FleetGroup & { toleratedFailurePercentage: number; startedAt?: string } } | { action: "finish"; reason: StopReason; detail?: string };
    gate?: GateCheck;
    /** The Map state's output (ResultWriter details) or its error, set by the state machine. */
    groupResult?: unknown;
    groupError?: StepError;
    error?: StepError;
    finalRestore?: { stopped: number; alreadyStopped: number; leftRunning: number; failed: number; key: string };
    finalRestoreError?: StepError;
}

/**
 * A target list item: the record, the batch it belongs to and that batch's StartInstances slot:
 * seconds after its group's Map starts before the batch may start its stopped instances.
 */
export type FleetItem = InstanceRecord & { batchIndex: number; startSlotSeconds?: number };

/**
 * The StartInstances slots of a group's batches (seconds from the group's start): the batches
 * are paced, in order, through the orchestrator's StartInstances bucket (DEFAULT_PACING, a share
 * of EC2's per account and Region), one token per stopped instance — so the batches a Distributed
 * Map starts together call StartInstances at the bucket's rate, not at once. A batch with no
 * stopped instance calls nothing and has slot 0. One token per instance covers both of EC2's
 * limits on StartInstances: its request bucket (one token per call) and its resource bucket (one
 * token per instance started).
 */
export function startSlots(stoppedPerBatch: number[]): number[] {
    return paceBurst(DEFAULT_PACING.StartInstances, stoppedPerBatch).map((ms) => Math.ceil(ms / 1000));
}

export const groupKey = (prefix: string, g: number) => `${prefix}targets/group-${String(g).padStart(3, "0")}.json`;
export const resultsPrefix = (prefix: string, g?: number) => `${prefix}results/${g === undefined ? "" : `g${String(g).padStart(3, "0")}-`}`;

/** The key a finished batch's records are written under; its counts are readable from the key. */
export function resultKey(prefix: string, group: number, batchIndex: number, records: InstanceRecord[]): string {
    const n = (s: InstanceRecord["status"]) => records.filter((r) => r.status === s).length;
    const first = records[0]?.instanceId ?? "empty";
    return `${resultsPrefix(prefix, group)}b${String(batchIndex).padStart(6, "0")}-p${n("patched")}-f${n("failed")}-s${n("skipped")}-${first}.json`;
}

/** The counts a result key carries. */
export function parseResultKey(key: string): { group: number; batchIndex: number; patched: number; failed: number; skipped: number } | undefined {
    const m = /results\/g(\d+)-b(\d+)-p(\d+)-f(\d+)-s(\d+)-[^/]+\.json$/.exec(key);
    return m ? { group: Number(m[1]), batchIndex: Number(m[2]), patched: Number(m[3]), failed: Number(m[4]), skipped: Number(m[5]) } : undefined;
}

/**
 * Map's ToleratedFailurePercentage for the error budget: a child execution that fails loses its
 * whole batch (its instances count failed), so X % of batches failing is X % of instances.
 */
export function toleratedFailurePercentage(budget: number, targets: number): number {
    if (targets === 0) return 0;
    return Math.max(0, Math.min(100, Math.floor((100 * budget) / targets)));
}

function withGroup(state: FleetRunState, g: FleetGroup): FleetRunState["next"] {
    return { action: "group", group: { ...g, toleratedFailurePercentage: toleratedFailurePercentage(state.run.fleet.budget, state.run.fleet.targets) } };
}

/** What happens next: the group at the cursor, or the end (no targets, error budget spent, all done, deadline). */
export function decideFleetNext(state: FleetRunState, now: Date): FleetRunState["next"] {
    const { targets, budget } = state.run.fleet;
    if (targets === 0) return { action: "finish", reason: "no-targets", detail: "no running or stopped instance matched the targets" };
    if (state.counts.failed > budget) {
        return { action: "finish", reason: "error-threshold", detail: `${state.counts.failed} failed instance(s) exceed maxErrors ${state.run.settings.maxErrors} (${budget} of ${targets})` };
    }
    if (state.cursor >= state.groups.length) return { action: "finish", reason: "done" };
    if (now.getTime() >= Date.parse(state.run.deadline)) {
        return { action: "finish", reason: "deadline", detail: `no batch starts after ${state.run.deadline} (maxRuntimeMinutes ${state.run.settings.maxRuntimeMinutes})` };
    }
    return withGroup(state, state.groups[state.cursor]);
}

/** Sets what is next; when the run ends early, the groups not attempted are counted skipped. */
export function finishFleetEarly(state: FleetRunState, next: FleetRunState["next"]): FleetRunState {
    if (next.action !== "finish" || next.reason === "done") return { ...state, next };
    const notAttempted = state.groups.slice(state.cursor).reduce((s, g) => s + g.instances, 0);
    return { ...state, counts: { ...state.counts, skipped: state.counts.skipped + notAttempted }, next };
}

/**
 * Plans the fleet run: priority order, groups by priority rank (a higher-priority group finishes
 * before the next starts), batch indexes, one target list per group written to the store. No
 * instance-count cap: the state carries references.
 */
export async function fleetPlan(args: { runId: string; windowExecutionId?: string; settings: OrchestratorSettings; targets: TargetInstance[]; now: Date; store: FleetStore }): Promise<FleetRunState> {
    const { settings, now, store } = args;
    const prefix = `runs/${args.runId}/`;
    const ordered = orderByPriority(args.targets, settings.priorityInstanceTypes);
    const byRank = groupBy(ordered, (t) => priorityRank(t.instanceType, settings.priorityInstanceTypes));
    const groups: FleetGroup[] = [];
    let batchOffset = 0;
    // `ordered` is sorted by rank first, so the ranks come in priority order.
    for (const [rank, members] of byRank) {
        const index = groups.length;
        const batches = Math.ceil(members.length / settings.batchSize);
        const stopped = Array.from({ length: batches }, (_, b) => members.slice(b * settings.batchSize, (b + 1) * settings.batchSize).filter((t) => t.originalState === "stopped").length);
        const slots = startSlots(stopped);
        const items: FleetItem[] = members.map((t, i) => {
            const b = Math.floor(i / settings.batchSize);
            return { ...t, status: "pending", batchIndex: batchOffset + b, ...(slots[b] > 0 ? { startSlotSeconds: slots[b] } : {}) };
        });
        const key = groupKey(prefix, index);
        await store.put(key, JSON.stringify(items));
        groups.push({ index, key, rank, instances: members.length, batches });
        batchOffset += batches;
    }
    const targets = args.targets.length;
    const run: FleetRunState["run"] = {
        ...runInfo(args),
        fleet: { prefix, resultsPrefix: `${prefix}map-results`, batchesInFlight: settings.batchesInFlight ?? 1, targets, budget: errorBudget(settings.maxErrors, targets) },
    };
    const state: FleetRunState = { run, groups, cursor: 0, counts: { targets, patched: 0, failed: 0, skipped: 0 }, next: { action: "finish", reason: "no-targets" } };
    return { ...state, next: decideFleetNext(state, now) };
}

/** The approval gate before a group: closed ends the run cleanly (the groups not started are skipped). */
export function applyFleetGate(state: FleetRunState, gate: GateCheck): FleetRunState {
    const withGate = { ...state, gate };
    if (state.next.action !== "group" || gate.open) return withGate;
    return finishFleetEarly(withGate, { action: "finish", reason: "calendar-closed", detail: closedDetail(gate) });
}

/** The child execution's input as the Map's ItemBatcher builds it. */
export interface FleetBatchEvent {
    Items: FleetItem[];
    /** groupStartedAt: when the group's gate opened (the Map starts right after); batches' start slots count from it. */
    BatchInput: { run: FleetRunState["run"]; group: number; batchCount: number; groupStartedAt?: string };
}

/** Turns the batcher's `{ Items, BatchInput }` into the batch state the batch steps take. */
export function fleetBatchState(event: FleetBatchEvent): BatchState {
    const items = event.Items ?? [];
    if (items.length === 0) throw new Error("fleet batch without items");
    return {
        run: event.BatchInput.run,
        group: event.BatchInput.group,
        batchIndex: items[0].batchIndex,
        batchCount: event.BatchInput.batchCount,
        instances: items.map(({ batchIndex: _b, startSlotSeconds: _s, ...r }) => r),
    };
}

/** Failures recorded so far in the run (from the result keys: one ListObjectsV2, no GETs). */
export async function failuresSoFar(store: FleetStore, prefix: string): Promise<number> {
    return (await store.list(resultsPrefix(prefix))).reduce((s, k) => s + (parseResultKey(k)?.failed ?? 0), 0);
}

/**
 * The gate before each batch (the first state of every child execution): the approval calendar
 * is open, the run's error budget is not spent (failures of every batch finished so far, across
 * the batches in flight), the deadline has not passed. Otherwise the batch starts nothing: its
 * instances are skipped with the reason and it goes straight to its restore (which records it).
 */
export async function fleetBatchGate(event: FleetBatchEvent, deps: { store: FleetStore; now: Date; gate?: () => Promise<GateCheck> }): Promise<BatchState> {
    const state = fleetBatchState(event);
    const fleet = state.run.fleet!;
    let reason: string | undefined;
    const failed = await failuresSoFar(deps.store, fleet.prefix);
    if (failed > fleet.budget) reason = `${failed} failed instance(s) exceed maxErrors ${state.run.settings.maxErrors} (${fleet.budget} of ${fleet.targets})`;
    else if (deps.now.getTime() >= Date.parse(state.run.deadline)) reason = `no batch starts after ${state.run.deadline} (maxRuntimeMinutes ${state.run.settings.maxRuntimeMinutes})`;
    else if (deps.gate) {
        const gate = await deps.gate();
        if (!gate.open) reason = closedDetail(gate);
    }
    if (!reason) return { ...state, gated: false, startOffsetSeconds: startOffsetSeconds(event, deps.now) };
    return { ...state, gated: true, startOffsetSeconds: 0, instances: state.instances.map((r) => ({ ...r, status: "skipped", reason: `not attempted: ${reason}` })) };
}

/**
 * Seconds the batch waits (the PaceStart Wait state) before its StartInstances: what is left of
 * its slot since its group started. Batches that a Distributed Map starts together are spread at
 * the bucket's rate; a batch that starts later (a slot freed by a finished batch) waits less or not
 * at all. Without a group start time the whole slot is waited.
 */
export function startOffsetSeconds(event: FleetBatchEvent, now: Date): number {
    const slot = event.Items?.[0]?.startSlotSeconds ?? 0;
    const since = event.BatchInput.groupStartedAt ? Date.parse(event.BatchInput.groupStartedAt) : NaN;
    const elapsed = Number.isNaN(since) ? 0 : Math.floor(Math.max(0, now.getTime() - since) / 1000);
    return Math.max(0, slot - elapsed);
}

/** The group about to run, stamped with its start (the batches' start slots count from it). */
export function stampGroupStart(state: FleetRunState, now: Date): FleetRunState {
    if (state.next.action !== "group") return state;
    return { ...state, next: { ...state.next, group: { ...state.next.group, startedAt: now.toISOString() } } };
}

/** After the batch's restore: its records to the store, under a key carrying its counts. */
export async function writeBatchResult(state: BatchState, store: FleetStore): Promise<BatchState> {
    const prefix = state.run.fleet?.prefix;
    if (!prefix) throw new Error("writeBatchResult needs a fleet run (run.fleet)");
    await store.put(resultKey(prefix, state.group ?? 0, state.batchIndex, state.instances), JSON.stringify(state.instances));
    return state;
}

/**
 * Folds a finished group in (from the result keys): patched / failed / skipped; instances of
 * batches with no result (their child execution failed before its restore wrote one) count
 * failed. A Map that failed (more child executions failed than tolerated) ends the run at the
 * error threshold; otherwise the next group, or the end.
 */
export async function fleetRecord(state: FleetRunState, store: FleetStore, now: Date): Promise<FleetRunState> {
    const group = state.groups[state.cursor];
    if (!group) return { ...state, next: decideFleetNext(state, now) };
    const counts = { patched: 0, failed: 0, skipped: 0 };
    for (const k of await store.list(resultsPrefix(state.run.fleet.prefix, group.index))) {
        const c = parseResultKey(k);
        if (!c) continue;
        counts.patched += c.patched;
        counts.failed += c.failed;
        counts.skipped += c.skipped;
    }
    const missing = Math.max(0, group.instances - counts.patched - counts.failed - counts.skipped);
    const { groupError, groupResult: _r, ...rest } = state;
    const advanced: FleetRunState = {
        ...rest,
        cursor: state.cursor + 1,
        counts: {
            targets: state.counts.targets,
            patched: state.counts.patched + counts.patched,
            failed: state.counts.failed + counts.failed + missing,
            skipped: state.counts.skipped + counts.skipped,
        },
    };
    if (groupError) {
        const detail = `group ${group.index + 1}/${state.groups.length}: the Distributed Map failed (${groupError.Error ?? "error"}${groupError.Cause ? `: ${groupError.Cause.slice(0, 200)}` : ""})`;
        return finishFleetEarly(advanced, { action: "finish", reason: groupError.Error === "States.ExceedToleratedFailureThreshold" ? "error-threshold" : "error", detail });
    }
    return finishFleetEarly(advanced, decideFleetNext(advanced, now));
}

/** Groups whose batches may have started: before the cursor, and the one at it when it was running. */
export function attemptedGroups(state: FleetRunState): FleetGroup[] {
    return state.groups.slice(0, state.cursor + (state.next?.action === "group" ? 1 : 0));
}

/** Reads the target lists of `groups`. */
export async function readGroups(store: FleetStore, groups: FleetGroup[]): Promise<FleetItem[]> {
    const out: FleetItem[] = [];
    for (const g of groups) out.push(...(JSON.parse(await store.get(g.key)) as FleetItem[]));
    return out;
}
