/**
 * `npm start -- --fleet-size N`: whether N instances fit each orchestrator's maintenance window,
 * from the fleet simulator (bench/fleetSim.ts: lognormal install times, median 12 min, p95 45 min;
 * model and limits in BENCHMARKS.md, "Fleet"). Loaded only when the flag is given.
 */
import type { PatchingConfig } from "../config";

export function fleetLines(config: PatchingConfig | undefined, instances: number): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fleetEstimate } = require("../bench/fleet") as typeof import("../bench/fleet");
    const windows = (config?.patchOrchestrators ?? []).map((o) => ({
        name: o.name,
        hours: (o.maxRuntimeMinutes ?? o.window.duration * 60) / 60,
        // What the deployed run state machine does today: one batch at a time, the pause between batches.
        run: { batchSize: o.batchSize, batchesInFlight: 1, waitBetweenBatchesSeconds: o.waitBetweenBatchesSeconds, maxErrors: o.maxErrors, priorityInstanceTypes: o.priorityInstanceTypes },
    }));
    const title = `Fleet estimate for ${instances} instances (simulated; see BENCHMARKS.md "Fleet")`;
    const lines = [title, "-".repeat(title.length)];
    const line = (name: string, hours: number, e: ReturnType<typeof fleetEstimate>) =>
        `${name}: fits the window: ${e.fits ? "yes" : "no"}, expected finish ${e.finishMinutes} min after the start (window ${Math.round(hours * 60)} min; lower bound ${e.boundMinutes} min; ${e.patchedInWindow} of ${instances} patched inside the window)`;
    for (const w of windows) lines.push(line(`${w.name} (batches of ${w.run.batchSize}, one at a time)`, w.hours, fleetEstimate(instances, w.hours, w.run)));
    const hours = windows[0]?.hours ?? 4;
    lines.push(line(`fleet mode (Distributed Map, batches of 50, every batch in flight)`, hours, fleetEstimate(instances, hours)));
    return [...lines, ""];
}
