/**
 * `npm start -- --fleet-size N`: whether N instances fit each orchestrator's maintenance window,
 * from the fleet simulator (bench/fleetSim.ts: lognormal install times, median 12 min, p95 45 min;
 * model and limits in BENCHMARKS.md, "Fleet"). Loaded only when the flag is given.
 */
import type { PatchingConfig } from "../config";
import { DEFAULT_FLEET_SETTINGS } from "../core/orchestrator/settings";

export function fleetLines(config: PatchingConfig | undefined, instances: number): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fleetEstimate } = require("../bench/fleet") as typeof import("../bench/fleet");
    const windows = (config?.patchOrchestrators ?? []).map((o) => ({
        name: o.name,
        hours: (o.maxRuntimeMinutes ?? o.window.duration * 60) / 60,
        fleet: o.scale === "fleet",
        // What the deployed run state machine does: fleet mode, its batches in flight (no pause between batches);
        // standard, one batch at a time with the pause between batches.
        run:
            o.scale === "fleet"
                ? { batchSize: o.batchSize, batchesInFlight: o.fleet?.batchesInFlight ?? DEFAULT_FLEET_SETTINGS.batchesInFlight, waitBetweenBatchesSeconds: 0, maxErrors: o.maxErrors, priorityInstanceTypes: o.priorityInstanceTypes }
                : { batchSize: o.batchSize, batchesInFlight: 1, waitBetweenBatchesSeconds: o.waitBetweenBatchesSeconds, maxErrors: o.maxErrors, priorityInstanceTypes: o.priorityInstanceTypes },
    }));
    const title = `Fleet estimate for ${instances} instances (simulated; see BENCHMARKS.md "Fleet")`;
    const lines = [title, "-".repeat(title.length)];
    const line = (name: string, hours: number, e: ReturnType<typeof fleetEstimate>) =>
        `${name}: fits the window: ${e.fits ? "yes" : "no"}, expected finish ${e.finishMinutes} min after the start (window ${Math.round(hours * 60)} min; lower bound ${e.boundMinutes} min; ${e.patchedInWindow} of ${instances} patched inside the window)`;
    for (const w of windows) {
        const how = w.fleet ? `fleet mode, batches of ${w.run.batchSize}, ${w.run.batchesInFlight} in flight` : `batches of ${w.run.batchSize}, one at a time`;
        lines.push(line(`${w.name} (${how})`, w.hours, fleetEstimate(instances, w.hours, w.run)));
    }
    const hours = windows[0]?.hours ?? 4;
    if (!windows.some((w) => w.fleet)) lines.push(line(`fleet mode (Distributed Map, batches of 50, every batch in flight)`, hours, fleetEstimate(instances, hours)));
    return [...lines, ""];
}
