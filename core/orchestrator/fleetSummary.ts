/** The fleet run's summary, built from the run's objects in the bucket (kept apart from fleet.ts so the plan Lambda bundles no Logs/SNS client). */
import { attemptedGroups, FleetItem, FleetRunState, FleetStore, resultsPrefix } from "./fleet";
import { buildSummary } from "./summary";
import type { InstanceRecord, RunSummary } from "./types";

/**
 * The run's summary from the store: every target with its final record (batch results over the
 * plan's records; batches without a result failed; groups not attempted skipped), the final
 * sweep's restores applied. Written to `summary.json`.
 */
export async function fleetSummary(state: Partial<FleetRunState> & { executionName?: string }, store: FleetStore, now: Date): Promise<RunSummary> {
    const instances: Record<string, InstanceRecord> = {};
    const fleet = state.run?.fleet;
    if (fleet && state.groups) {
        const attempted = new Set(attemptedGroups(state as FleetRunState).map((g) => g.index));
        const stopDetail = state.next?.action === "finish" ? (state.next.detail ?? state.next.reason) : "the run ended early";
        for (const g of state.groups) {
            for (const { batchIndex: _b, startSlotSeconds: _s, ...r } of JSON.parse(await store.get(g.key)) as FleetItem[]) {
                instances[r.instanceId] = attempted.has(g.index)
                    ? { ...r, status: "failed", reason: "batch execution failed before its results were recorded" }
                    : { ...r, status: "skipped", reason: `not attempted: ${stopDetail}` };
            }
        }
        for (const k of await store.list(resultsPrefix(fleet.prefix))) {
            for (const r of JSON.parse(await store.get(k)) as InstanceRecord[]) instances[r.instanceId] = r;
        }
        if (state.finalRestore) {
            const restored = JSON.parse(await store.get(state.finalRestore.key)) as { stopped: string[]; failed: { instanceId: string; reason: string }[] };
            for (const id of restored.stopped) if (instances[id]) instances[id] = { ...instances[id], restore: "stopped" };
            for (const f of restored.failed) if (instances[f.instanceId]) instances[f.instanceId] = { ...instances[f.instanceId], restore: "stop-failed", warnings: [...(instances[f.instanceId].warnings ?? []), `could not be stopped again: ${f.reason}`] };
        }
    }
    const summary = buildSummary({ run: state.run, instances, next: state.next?.action === "finish" ? state.next : undefined, error: state.error ?? state.groupError, finalRestoreError: state.finalRestoreError, executionName: state.executionName }, now);
    if (fleet) await store.put(`${fleet.prefix}summary.json`, JSON.stringify(summary));
    return summary;
}
