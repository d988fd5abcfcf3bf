/**
 * Run-level decisions: priority ordering and batches, the error budget, when to stop, and how a
 * finished batch is folded into the run. Pure functions of their inputs (and an injected clock).
 */
import { closedDetail, GateCheck } from "./gate";
import type { BatchInput, InstanceRecord, OrchestratorSettings, RunInfo, RunState, StepError, TargetInstance } from "./types";

/** The current time; injected so tests never depend on (or wait for) the real clock. */
export type Clock = () => Date;

/**
 * Rank of an instance type in the priority list: its index, or the list's length when it is not
 * listed. `m5.*` matches the whole family; an exact entry wins over an earlier family entry only
 * by position (the list is read top to bottom).
 */
export function priorityRank(instanceType: string, priorityTypes: string[]): number {
    const i = priorityTypes.findIndex((p) => (p.endsWith(".*") ? instanceType.startsWith(p.slice(0, -1)) : p === instanceType));
    return i === -1 ? priorityTypes.length : i;
}

/**
 * Orders targets for patching: priority instance types first, in list order; within one rank by
 * Name tag, then instance id, so the plan is the same every run for the same fleet.
 */
export function orderByPriority<T extends TargetInstance>(instances: T[], priorityTypes: string[]): T[] {
    return [...instances].sort(
        (a, b) =>
            priorityRank(a.instanceType, priorityTypes) - priorityRank(b.instanceType, priorityTypes) ||
            a.name.localeCompare(b.name) ||
            a.instanceId.localeCompare(b.instanceId),
    );
}

/** Splits into consecutive batches of `size`; the last batch holds the remainder. */
export function splitIntoBatches<T>(items: T[], size: number): T[][] {
    if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive whole number, got ${size}`);
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

/**
 * How many failed instances the run tolerates: a count, or a percentage of the targets rounded
 * down (as Run Command reads MaxErrors). The run stops scheduling batches once failures exceed it.
 */
export function errorBudget(maxErrors: string, targets: number): number {
    const pct = /^(\d{1,3})%$/.exec(maxErrors);
    if (pct) return Math.floor((targets * Number(pct[1])) / 100);
    if (/^\d+$/.test(maxErrors)) return Number(maxErrors);
    throw new Error(`maxErrors must be a count or a percentage, got ${maxErrors}`);
}

/**
 * A run's identity and limits, for both run kinds: the window execution that started it (when the
 * window substituted it), when it started and the deadline after which no batch starts.
 */
export function runInfo(args: { runId: string; windowExecutionId?: string; settings: OrchestratorSettings; now: Date }): RunInfo {
    const { settings, now } = args;
    return {
        runId: args.runId,
        orchestrator: settings.orchestrator,
        ...(args.windowExecutionId && !args.windowExecutionId.includes("{{") ? { windowExecutionId: args.windowExecutionId } : {}),
        startedAt: now.toISOString(),
        deadline: new Date(now.getTime() + settings.maxRuntimeMinutes * 60_000).toISOString(),
        settings,
    };
}

/** Largest number of discovered instances one run handles (the run state travels in the 256 KB Step Functions payload). */
export const MAX_RUN_INSTANCES = 500;

/** Builds the run: records each instance's original state, orders by priority and plans batches. */
export function planRun(args: { runId: string; windowExecutionId?: string; settings: OrchestratorSettings; targets: TargetInstance[]; now: Date }): RunState {
    const { settings, now } = args;
    if (args.targets.length > MAX_RUN_INSTANCES) {
        throw new Error(
            `${args.targets.length} target instances exceed the ${MAX_RUN_INSTANCES} one run handles; split the fleet into several orchestrators (by tag)`,
        );
    }
    const ordered = orderByPriority(args.targets, settings.priorityInstanceTypes);
    const instances: Record<string, InstanceRecord> = {};
    for (const t of ordered) instances[t.instanceId] = { ...t, status: "pending" };
    const run = runInfo(args);
    const state: RunState = {
        run,
        instances,
        batches: splitIntoBatches(
            ordered.map((t) => t.instanceId),
            settings.batchSize,
        ),
        cursor: 0,
        next: { action: "finish", reason: "no-targets" },
    };
    return { ...state, next: decideNext(state, now) };
}

/** Failed instances so far. */
export function failedCount(state: Pick<RunState, "instances">): number {
    return Object.values(state.instances).filter((i) => i.status === "failed").length;
}

/** The batch at the cursor as the child state machine's input. */
function batchInput(state: RunState): BatchInput {
    return {
        run: state.run,
        batchIndex: state.cursor,
        batchCount: state.batches.length,
        instances: state.batches[state.cursor].map((id) => state.instances[id]),
    };
}

/**
 * What happens after the batches so far: the next batch, or the end of the run — all batches
 * done, the error budget exceeded, or the run's time used up (no batch starts after the deadline,
 * so none runs on after the maintenance window).
 */
export function decideNext(state: RunState, now: Date): RunState["next"] {
    const total = Object.keys(state.instances).length;
    if (total === 0) return { action: "finish", reason: "no-targets", detail: "no running or stopped instance matched the targets" };
    const failed = failedCount(state);
    const budget = errorBudget(state.run.settings.maxErrors, total);
    if (failed > budget) {
        return { action: "finish", reason: "error-threshold", detail: `${failed} failed instance(s) exceed maxErrors ${state.run.settings.maxErrors} (${budget} of ${total})` };
    }
    if (state.cursor >= state.batches.length) return { action: "finish", reason: "done" };
    if (now.getTime() >= Date.parse(state.run.deadline)) {
        return { action: "finish", reason: "deadline", detail: `no batch starts after ${state.run.deadline} (maxRuntimeMinutes ${state.run.settings.maxRuntimeMinutes})` };
    }
    return { action: "batch", batch: batchInput(state) };
}

/** Short text of a Step Functions error for an instance's reason. */
export function errorText(error: StepError | undefined): string {
    if (!error) return "unknown error";
    let cause = error.Cause ?? "";
    try {
        const parsed = JSON.parse(cause) as { errorMessage?: string; Error?: string; Cause?: string };
        cause = parsed.errorMessage ?? parsed.Cause ?? cause;
    } catch {
        // Cause is plain text.
    }
    const text = [error.Error, cause].filter((x) => x && x.length > 0).join(": ");
    return text.length > 300 ? `${text.slice(0, 297)}...` : text || "unknown error";
}

/**
 * Folds a finished batch into the run. `batchResult` is the child execution's output (its
 * instances with final statuses); when the child execution itself failed, `error` is set and the
 * batch's instances still pending are counted failed. Remaining batches are skipped with the
 * reason when the run stops early.
 */
export function recordBatch(state: RunState, batchResult: { instances?: InstanceRecord[] } | undefined, error: StepError | undefined, now: Date): RunState {
    const instances = { ...state.instances };
    const ids = state.batches[state.cursor] ?? [];
    for (const r of batchResult?.instances ?? []) if (ids.includes(r.instanceId)) instances[r.instanceId] = r;
    for (const id of ids) {
        if (instances[id].status === "pending") {
            instances[id] = { ...instances[id], status: "failed", reason: `batch execution failed: ${errorText(error)}` };
        }
    }
    const advanced: RunState = { ...state, instances, cursor: state.cursor + 1, lastBatchError: undefined };
    return finishEarly(advanced, decideNext(advanced, now));
}

/**
 * Sets what is next; when the run ends before its last batch, the instances of the batches not
 * attempted are skipped with the reason.
 */
export function finishEarly(state: RunState, next: RunState["next"]): RunState {
    if (next.action !== "finish" || next.reason === "done") return { ...state, next };
    const instances = { ...state.instances };
    for (const batch of state.batches.slice(state.cursor)) {
        for (const id of batch) {
            if (instances[id].status === "pending") instances[id] = { ...instances[id], status: "skipped", reason: `not attempted: ${next.detail ?? next.reason}` };
        }
    }
    return { ...state, instances, next };
}

/**
 * The approval gate's answer applied to a decided run: when a batch would start next and the
 * calendar is closed, the run finishes (`calendar-closed`) instead.
 */
export function applyGate(state: RunState, gate: GateCheck): RunState {
    const withGate = { ...state, gate };
    if (state.next.action !== "batch" || gate.open) return withGate;
    return finishEarly(withGate, { action: "finish", reason: "calendar-closed", detail: closedDetail(gate) });
}
