/**
 * The four Lambda entry points of the orchestrator as plain functions of (event, dependencies):
 * `lambda/orchestrator*.ts` pass real SDK clients and the real clock; tests pass mocked clients
 * and a fake clock. Each state machine Task invokes one of them with `{ action, state }`.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { checkAgents, checkVolumes, evaluateExtend, evaluatePatch, evaluatePreflight, pollCommand, sendCommand, startBatch } from "./batch";
import { discoverTargets } from "./discovery";
import { applyFleetGate, FleetBatchEvent, fleetBatchGate, fleetPlan, fleetRecord, fleetRestoreRun, FleetRunState, FleetStore, fleetSummary, writeBatchResult } from "./fleet";
import { checkApprovalCalendar } from "./gate";
import { applyGate, Clock, planRun, recordBatch } from "./plan";
import { restoreBatch, restoreFailedBatch, restoreRun } from "./restore";
import { normaliseSettings } from "./settings";
import { buildSummary, publishSummary, runFailed, SummaryInput, writeSummaryLog } from "./summary";
import type { BatchState, InstanceRecord, OrchestratorEnvironment, RunState, StepError } from "./types";

export interface StepEvent<S = unknown> {
    action: string;
    state: S;
    executionName?: string;
}

export class UnknownActionError extends Error {
    constructor(action: string, handler: string) {
        super(`${handler} has no action "${action}"`);
        this.name = "UnknownAction";
    }
}

/** Dependencies of the plan Lambda. */
export interface PlanDeps {
    ec2: EC2Client;
    resourceGroups: ResourceGroupsClient;
    clock: Clock;
    /** The stack's approval calendar (name or ARN) and the SSM client that reads it; absent: no approval gate. */
    approval?: { ssm: SSMClient; calendar: string };
    /** Fleet mode: the run's bucket (target lists, results). */
    store?: FleetStore;
}

function needStore(store: FleetStore | undefined, action: string): FleetStore {
    if (!store) throw new Error(`${action} needs the fleet bucket (FLEET_BUCKET); this orchestrator is not deployed with scale: fleet`);
    return store;
}

/** Before a batch starts: the approval calendar must be open (when the stack has one). */
async function gated(state: RunState, deps: PlanDeps): Promise<RunState> {
    if (!deps.approval || state.next.action !== "batch") return state;
    return applyGate(state, await checkApprovalCalendar(deps.approval.ssm, deps.approval.calendar, deps.clock()));
}

/**
 * Plan Lambda: `plan` (discover, order, batch), `record` (fold a batch in, decide what is next)
 * and `gate` (right before a batch starts: the approval calendar must be open).
 */
export async function planHandler(event: StepEvent, deps: PlanDeps): Promise<RunState> {
    if (event.action === "plan") {
        const input = (event.state ?? {}) as { settings?: unknown; windowExecutionId?: string };
        const settings = normaliseSettings(input.settings);
        const targets = await discoverTargets({ ec2: deps.ec2, resourceGroups: deps.resourceGroups }, settings.targets);
        return planRun({ runId: event.executionName ?? `run-${deps.clock().getTime()}`, windowExecutionId: input.windowExecutionId, settings, targets, now: deps.clock() });
    }
    if (event.action === "record") {
        const state = event.state as RunState & { batchResult?: { instances?: InstanceRecord[] }; lastBatchError?: StepError; restoreError?: StepError };
        const { batchResult, restoreError, ...rest } = state;
        return recordBatch(rest, batchResult, state.lastBatchError ?? restoreError, deps.clock());
    }
    if (event.action === "gate") return gated(event.state as RunState, deps);
    throw new UnknownActionError(event.action, "plan");
}

/**
 * Plan Lambda in fleet mode: `fleetPlan` (discover, order, write each priority group's target list
 * to S3), `fleetGate` (approval calendar before each group), `fleetBatchGate` (first state of each
 * child execution: calendar, the run's error budget, the deadline), `fleetRecord` (fold a group in).
 */
export async function fleetPlanHandler(event: StepEvent, deps: PlanDeps): Promise<FleetRunState | BatchState> {
    const store = needStore(deps.store, event.action);
    const calendar = deps.approval ? () => checkApprovalCalendar(deps.approval!.ssm, deps.approval!.calendar, deps.clock()) : undefined;
    switch (event.action) {
        case "fleetPlan": {
            const input = (event.state ?? {}) as { settings?: unknown; windowExecutionId?: string };
            const settings = normaliseSettings(input.settings);
            const targets = await discoverTargets({ ec2: deps.ec2, resourceGroups: deps.resourceGroups }, settings.targets);
            return fleetPlan({ runId: event.executionName ?? `run-${deps.clock().getTime()}`, windowExecutionId: input.windowExecutionId, settings, targets, now: deps.clock(), store });
        }
        case "fleetGate": {
            const state = event.state as FleetRunState;
            if (!calendar || state.next.action !== "group") return state;
            return applyFleetGate(state, await calendar());
        }
        case "fleetBatchGate":
            return fleetBatchGate(event.state as FleetBatchEvent, { store, now: deps.clock(), ...(calendar ? { gate: calendar } : {}) });
        case "fleetRecord":
            return fleetRecord(event.state as FleetRunState, store, deps.clock());
        default:
            throw new UnknownActionError(event.action, "plan");
    }
}

/** Batch Lambda: every step of the child state machine but the restore. */
export async function batchHandler(event: StepEvent, deps: { ec2: EC2Client; ssm: SSMClient; env: OrchestratorEnvironment; clock: Clock }): Promise<BatchState> {
    const state = event.state as BatchState;
    const now = deps.clock();
    switch (event.action) {
        case "start":
            return startBatch(state, deps.ec2, now);
        case "checkAgents":
            return checkAgents(state, deps.ssm, now);
        case "sendPreflight":
            return sendCommand(state, "preflight", deps.ssm, deps.env, now);
        case "sendExtend":
            return sendCommand(state, "extend", deps.ssm, deps.env, now);
        case "sendPatch":
            return sendCommand(state, "patch", deps.ssm, deps.env, now);
        case "pollCommand":
            return pollCommand(state, deps.ssm, now);
        case "evaluatePreflight":
            return evaluatePreflight(state, deps.ec2, now);
        case "checkVolumes":
            return checkVolumes(state, deps.ec2, now);
        case "evaluateExtend":
            return evaluateExtend(state);
        case "evaluatePatch":
            return evaluatePatch(state);
        default:
            throw new UnknownActionError(event.action, "batch");
    }
}

/** Restore Lambda: the batch's restore, a failed batch's restore (parent), the run's final sweep; in fleet mode the batch's restore also records its results. */
export async function restoreHandler(event: StepEvent, deps: { ec2: EC2Client; store?: FleetStore }): Promise<BatchState | RunState | FleetRunState> {
    switch (event.action) {
        case "fleetRestoreBatch":
            return writeBatchResult(await restoreBatch(event.state as BatchState, deps.ec2), needStore(deps.store, event.action));
        case "fleetRestore":
            return fleetRestoreRun(event.state as FleetRunState, needStore(deps.store, event.action), deps.ec2);
        case "restoreBatch":
            return restoreBatch(event.state as BatchState, deps.ec2);
        case "restoreFailedBatch":
            return restoreFailedBatch(event.state as RunState, deps.ec2);
        case "restoreRun":
            return restoreRun(event.state as RunState, deps.ec2);
        default:
            throw new UnknownActionError(event.action, "restore");
    }
}

/** Summary Lambda: builds the summary, writes it to the log group and publishes it to SNS. */
export async function summaryHandler(
    event: StepEvent,
    deps: { logs: CloudWatchLogsClient; sns: SNSClient; env: OrchestratorEnvironment; clock: Clock; log?: (line: string) => void; store?: FleetStore },
): Promise<{ runFailed: boolean; counts: ReturnType<typeof buildSummary>["counts"]; logStream: string; messageId?: string }> {
    if (event.action !== "publish" && event.action !== "fleetPublish") throw new UnknownActionError(event.action, "summary");
    const now = deps.clock();
    const summary =
        event.action === "fleetPublish"
            ? await fleetSummary({ ...(event.state as Partial<FleetRunState>), executionName: event.executionName }, needStore(deps.store, event.action), now)
            : buildSummary({ ...(event.state as SummaryInput), executionName: event.executionName }, now);
    (deps.log ?? ((l: string) => console.log(l)))(JSON.stringify({ message: "patch run summary", ...summary, instances: summary.instances.length > 500 ? `${summary.instances.length} instances (see the log stream and summary.json)` : summary.instances }));
    const logStream = await writeSummaryLog(deps.logs, deps.env.logGroupName, summary, now);
    const messageId = deps.env.topicArn ? await publishSummary(deps.sns, deps.env.topicArn, summary) : undefined;
    return { runFailed: runFailed(summary), counts: summary.counts, logStream, ...(messageId ? { messageId } : {}) };
}
