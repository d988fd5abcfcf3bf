/** The fleet run's final sweep (kept apart from fleet.ts so the plan Lambda bundles no restore code). */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { attemptedGroups, FleetRunState, FleetStore, readGroups } from "./fleet";
import { restoreInstances } from "./restore";

/** StopInstances ids per call in the run's final sweep. */
export const RESTORE_CHUNK = 100;

/**
 * The run's safety net: every originally stopped instance of every attempted group is stopped if
 * it is running (read from the target lists, in chunks). Writes the full result to the store;
 * the state keeps counts only.
 */
export async function fleetRestoreRun(state: FleetRunState, store: FleetStore, ec2: EC2Client): Promise<FleetRunState> {
    const records = (await readGroups(store, attemptedGroups(state))).filter((r) => r.originalState === "stopped");
    const total = { stopped: [] as string[], alreadyStopped: [] as string[], leftRunning: [] as string[], failed: [] as { instanceId: string; reason: string }[] };
    for (let i = 0; i < records.length; i += RESTORE_CHUNK) {
        const r = await restoreInstances(ec2, records.slice(i, i + RESTORE_CHUNK));
        total.stopped.push(...r.stopped);
        total.alreadyStopped.push(...r.alreadyStopped);
        total.leftRunning.push(...r.leftRunning);
        total.failed.push(...r.failed);
    }
    const key = `${state.run.fleet.prefix}restore.json`;
    await store.put(key, JSON.stringify(total));
    return { ...state, finalRestore: { stopped: total.stopped.length, alreadyStopped: total.alreadyStopped.length, leftRunning: total.leftRunning.length, failed: total.failed.length, key } };
}
