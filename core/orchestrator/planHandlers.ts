/**
 * The plan Lambda's entry points (standard and fleet mode), apart from the other handlers so its
 * bundle carries only the clients it calls (EC2, Resource Groups, SSM, S3).
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { discoverTargets } from "./discovery";
import { applyFleetGate, FleetBatchEvent, fleetBatchGate, fleetPlan, fleetRecord, FleetRunState, FleetStore, stampGroupStart } from "./fleet";
import { checkApprovalCalendar } from "./gate";
import { applyGate, Clock, planRun, recordBatch } from "./plan";
import { normaliseSettings } from "./settings";
import type { BatchState, InstanceRecord, RunState, StepError } from "./types";

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

export function needStore(store: FleetStore | undefined, action: string): FleetStore {
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
            const state = stampGroupStart(event.state as FleetRunState, deps.clock());
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

