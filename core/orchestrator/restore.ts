/**
 * Restoring original instance states: everything the run found stopped is stopped again, whether
 * its patching succeeded, failed or never happened. It runs at the end of every batch (also after
 * a caught error) and once more for the whole run, so a failed batch cannot leave instances
 * running (and billing) — the seed's child runbook skipped its restore step when patching failed.
 */
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { finalizeBatch } from "./batch";
import type { BatchState, InstanceRecord, RestoreResult, RunState } from "./types";

/** Thrown while an instance to stop is still `pending` (it cannot be stopped yet); Step Functions retries. */
export class InstancesStillStartingError extends Error {
    constructor(readonly instanceIds: string[]) {
        super(`instances still starting, retry the restore: ${instanceIds.join(", ")}`);
        this.name = "InstancesStillStarting";
    }
}

/** What the restore must do, from the original and the current states. */
export function restorePlan(records: Pick<InstanceRecord, "instanceId" | "originalState">[], current: Map<string, string>) {
    const stop: string[] = [];
    const alreadyStopped: string[] = [];
    const leftRunning: string[] = [];
    const wait: string[] = [];
    for (const r of records) {
        if (r.originalState === "running") {
            leftRunning.push(r.instanceId);
            continue;
        }
        const state = current.get(r.instanceId);
        if (state === "running") stop.push(r.instanceId);
        else if (state === "pending") wait.push(r.instanceId);
        else alreadyStopped.push(r.instanceId); // stopped, stopping, terminated, or gone
    }
    return { stop, alreadyStopped, leftRunning, wait };
}

async function currentStates(ec2: EC2Client, ids: string[]): Promise<Map<string, string>> {
    const states = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 200) {
        let token: string | undefined;
        do {
            const page = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: ids.slice(i, i + 200) }], NextToken: token }));
            for (const r of page.Reservations ?? []) for (const inst of r.Instances ?? []) if (inst.InstanceId) states.set(inst.InstanceId, inst.State?.Name ?? "unknown");
            token = page.NextToken;
        } while (token);
    }
    return states;
}

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Stops the instances that were stopped before the run and are running now. One StopInstances
 * call for all; if it fails, one call per instance so a single refusal does not keep the others
 * running. Instances still `pending` make it throw {@link InstancesStillStartingError} after the
 * others were stopped (Step Functions retries the step).
 */
export async function restoreInstances(ec2: EC2Client, records: Pick<InstanceRecord, "instanceId" | "originalState">[]): Promise<RestoreResult> {
    const wasStopped = records.filter((r) => r.originalState === "stopped").map((r) => r.instanceId);
    const current = wasStopped.length > 0 ? await currentStates(ec2, wasStopped) : new Map<string, string>();
    const plan = restorePlan(records, current);
    const result: RestoreResult = { stopped: [], alreadyStopped: plan.alreadyStopped, leftRunning: plan.leftRunning, failed: [] };
    if (plan.stop.length > 0) {
        try {
            await ec2.send(new StopInstancesCommand({ InstanceIds: plan.stop }));
            result.stopped.push(...plan.stop);
        } catch {
            for (const id of plan.stop) {
                try {
                    await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
                    result.stopped.push(id);
                } catch (err) {
                    result.failed.push({ instanceId: id, reason: message(err) });
                }
            }
        }
    }
    if (plan.wait.length > 0) throw new InstancesStillStartingError(plan.wait);
    return result;
}

function applyRestore(records: InstanceRecord[], result: RestoreResult): InstanceRecord[] {
    const failed = new Map(result.failed.map((f) => [f.instanceId, f.reason]));
    return records.map((r) => {
        if (result.stopped.includes(r.instanceId)) return { ...r, restore: "stopped" };
        if (result.alreadyStopped.includes(r.instanceId)) return { ...r, restore: "already-stopped" };
        if (result.leftRunning.includes(r.instanceId)) return { ...r, restore: "left-running" };
        if (failed.has(r.instanceId)) return { ...r, restore: "stop-failed", warnings: [...(r.warnings ?? []), `could not be stopped again: ${failed.get(r.instanceId)}`] };
        return r;
    });
}

/** The batch's last step: what is still pending is failed, then original states are restored. */
export async function restoreBatch(input: BatchState, ec2: EC2Client): Promise<BatchState> {
    const state = finalizeBatch(input);
    const result = await restoreInstances(ec2, state.instances);
    return { ...state, instances: applyRestore(state.instances, result), restoreResult: result };
}

/**
 * The run's safety net after the last batch (or an error): every instance of every batch that was
 * started, found stopped before the run, is stopped if it is running. Batches never started are
 * not touched.
 */
export async function restoreRun(state: RunState, ec2: EC2Client): Promise<RunState> {
    // Batches before the cursor ran; the one at the cursor may have been running when an error struck.
    const attempted = new Set(state.batches.slice(0, state.cursor + (state.next?.action === "batch" ? 1 : 0)).flat());
    const records = Object.values(state.instances).filter((r) => attempted.has(r.instanceId) || r.startedByRun);
    const result = await restoreInstances(ec2, records);
    const updated = applyRestore(records, result);
    const instances = { ...state.instances };
    for (const r of updated) {
        // Keep a batch's more specific outcome ("stopped") over the sweep's "already-stopped".
        if (!(instances[r.instanceId].restore === "stopped" && r.restore === "already-stopped")) instances[r.instanceId] = r;
    }
    return { ...state, instances, finalRestore: result };
}

/**
 * After the parent caught a failed batch execution (it timed out, or its own restore could not
 * finish): restores that batch's instances right away rather than at the end of the run.
 */
export async function restoreFailedBatch(state: RunState, ec2: EC2Client): Promise<RunState> {
    if (state.next.action !== "batch") return state;
    const records = state.next.batch.instances.map((r) => state.instances[r.instanceId] ?? r);
    const result = await restoreInstances(ec2, records);
    const instances = { ...state.instances };
    for (const r of applyRestore(records, result)) instances[r.instanceId] = r;
    return { ...state, instances };
}
