/**
 * Peak heap of the fleet-mode Lambda handlers on a simulated fleet (run by bench/fleet.ts in a
 * fresh `node --expose-gc` process): the real code of each Lambda action (core/orchestrator/fleet.ts,
 * restore.ts, summary.ts) over an in-memory bucket and a stub EC2 client, N instances, batches of
 * 50, 1 % failed and 20 % originally stopped. Before each action the heap is collected; during it
 * the heap is sampled at every bucket and EC2 call (every await point of the action); the peak
 * above the baseline is printed per action as JSON `{ action: bytes }`. Beside it, the CPU time of
 * `fleetPlan` at M/10 and at M instances (M the second argument, 10·N by default; best of 3 each,
 * after a warm-up), which bench/fleet.ts turns into a ratio: a plan linear in the fleet stays
 * under 20× for 10× the instances, a quadratic one is far above it.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { failuresSoFar, FleetBatchEvent, fleetBatchGate, FleetItem, fleetPlan, fleetRecord, FleetRunState, FleetStore, memoryStore, writeBatchResult } from "../core/orchestrator/fleet";
import { fleetRestoreRun } from "../core/orchestrator/fleetRestore";
import { fleetSummary } from "../core/orchestrator/fleetSummary";
import { summaryJson, summaryMessage, LOG_EVENT_TEXT_MAX } from "../core/orchestrator/summary";
import type { TargetInstance } from "../core/orchestrator/types";
import { settings as baseSettings } from "../tests/support/settings";

const n = Number(process.argv[2] ?? 10_000);
/** The larger fleet of the plan's CPU scaling (the smaller is a tenth of it). */
const planSize = Number(process.argv[3] ?? 10 * n);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().heapUsed));
function sampled(store: FleetStore): FleetStore {
    return {
        put: async (k, b) => (sample(), store.put(k, b)),
        get: async (k) => (sample(), store.get(k)),
        list: async (p) => (sample(), store.list(p)),
    };
}
/** EC2 as the final sweep sees it: every originally stopped instance is stopped again already but one in 20 still running. */
const ec2 = {
    send: async (cmd: { constructor: { name: string }; input: { Filters?: { Values?: string[] }[]; InstanceIds?: string[] } }) => {
        sample();
        if (cmd.constructor.name === "DescribeInstancesCommand") {
            const ids = cmd.input.Filters?.[0]?.Values ?? [];
            return { Reservations: [{ Instances: ids.map((id, i) => ({ InstanceId: id, State: { Name: i % 20 === 0 ? "running" : "stopped" } })) }] };
        }
        return {};
    },
} as unknown as EC2Client;

async function measure(name: string, out: Record<string, number>, fn: () => Promise<unknown>): Promise<void> {
    gc!();
    const base = process.memoryUsage().heapUsed;
    peak = base;
    const result = await fn();
    sample();
    out[name] = Math.max(0, peak - base);
    void result;
}

/** N instances: 10 % of the priority type, 20 % originally stopped. */
function fleetTargets(count: number): TargetInstance[] {
    return Array.from({ length: count }, (_, i) => ({
        instanceId: `i-${i.toString(16).padStart(17, "0")}`,
        instanceType: i % 10 === 0 ? "m5.large" : "t3.large",
        name: `host-${String(i).padStart(5, "0")}.corp.example.com`,
        platform: "Windows",
        originalState: i % 5 === 0 ? "stopped" : "running",
        rootVolumeId: `vol-${i.toString(16).padStart(17, "0")}`,
    }));
}

/** CPU time (ms) of one `fleetPlan` over `count` instances: the best of 3, after one warm-up run. */
async function planCpu(count: number, settings: Parameters<typeof fleetPlan>[0]["settings"], now: Date): Promise<number> {
    const targets = fleetTargets(count);
    const once = async () => {
        gc!();
        const started = process.cpuUsage();
        await fleetPlan({ runId: "bench-cpu", settings, targets, now, store: memoryStore() });
        const used = process.cpuUsage(started);
        return (used.user + used.system) / 1000;
    };
    await once();
    return Math.min(await once(), await once(), await once());
}

async function main(): Promise<void> {
    const raw = memoryStore();
    const store = sampled(raw);
    const now = new Date("2026-12-01T22:00:00Z");
    const settings = baseSettings({ batchSize: 50, batchesInFlight: 200, maxErrors: "10%", priorityInstanceTypes: ["m5.large"] });
    const targets = fleetTargets(n);
    const out: Record<string, number> = {};
    let state!: FleetRunState;
    await measure("plan: fleetPlan", out, async () => (state = await fleetPlan({ runId: "bench", settings, targets, now, store })));
    // Every batch's child execution: the gate, then the restore that records its results.
    const groups = state.groups.map((g) => JSON.parse(raw.objects.get(g.key)!) as FleetItem[]);
    let gateChecked = false;
    for (const [gi, items] of groups.entries()) {
        for (let i = 0; i < items.length; i += settings.batchSize) {
            const event: FleetBatchEvent = { Items: items.slice(i, i + settings.batchSize), BatchInput: { run: state.run, group: gi, batchCount: state.groups[gi].batches } };
            const finished = (s: Awaited<ReturnType<typeof fleetBatchGate>>) => ({
                ...s,
                instances: s.instances.map((r, j) => ({ ...r, status: (j + i) % 100 === 7 ? ("failed" as const) : ("patched" as const), ...(r.originalState === "stopped" ? { startedByRun: true, restore: "stopped" as const } : {}) })),
            });
            if (!gateChecked && gi === groups.length - 1) {
                // The last group's first gate lists every result key of the run so far (the worst case).
                await measure("plan: fleetBatchGate", out, () => fleetBatchGate(event, { store, now }));
                gateChecked = true;
            }
            const gated = await fleetBatchGate(event, { store: raw, now });
            await writeBatchResult(finished(gated), raw);
        }
        await measure(gi === 0 ? "plan: fleetRecord" : "plan: fleetRecord (last group)", out, async () => (state = await fleetRecord(state, store, now)));
    }
    await measure("restore: fleetRestoreBatch (results write)", out, async () => {
        const items = groups[groups.length - 1].slice(0, 50);
        return writeBatchResult({ run: state.run, group: 0, batchIndex: 999_999, batchCount: 1, instances: items }, store);
    });
    await measure("restore: fleetRestore (final sweep)", out, async () => (state = await fleetRestoreRun(state, store, ec2)));
    await measure("summary: fleetPublish (summary, log and SNS texts)", out, async () => {
        const s = await fleetSummary(state, store, now);
        return [summaryMessage(s), summaryJson(s, LOG_EVENT_TEXT_MAX), summaryMessage(s, LOG_EVENT_TEXT_MAX)];
    });
    const failed = await failuresSoFar(raw, state.run.fleet.prefix);
    const smallSize = Math.max(1, Math.round(planSize / 10));
    const planCpuMs = { small: await planCpu(smallSize, settings, now), large: await planCpu(planSize, settings, now), smallInstances: smallSize, instances: planSize };
    process.stdout.write(`${JSON.stringify({ instances: n, failed, counts: state.counts, peaks: out, planCpuMs })}\n`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
