/**
 * Remediation core benchmark: the override core as shipped (`safe`: parallel fetches, write only
 * when the content changed) against the same core in `seed` mode (Quick Setup's Lambda: serial
 * GetPatchBaseline, unconditional PutObject every run), both talking to the in-memory SSM/S3
 * endpoint of the tests with a fixed latency added to every call.
 */
import { createOverrideClients, syncOverrides } from "../core/overrides";
import { baselineResponse, FakeAws } from "../tests/fakeAws";
import type { Row } from "./run";

const OSES = ["WINDOWS", "AMAZON_LINUX_2023", "UBUNTU", "REDHAT_ENTERPRISE_LINUX", "AMAZON_LINUX_2", "SUSE", "CENTOS", "ORACLE_LINUX", "DEBIAN", "MACOS", "RASPBIAN", "ROCKY_LINUX", "ALMA_LINUX", "AMAZON_LINUX", "AMAZON_LINUX_2022"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(baselines: number, latencyMs: number) {
    const fake = new FakeAws();
    const ids = OSES.slice(0, baselines).map((os, i) => {
        const id = `pb-${String(i).padStart(17, "0")}`;
        fake.baselines.set(id, baselineResponse(id, { OperatingSystem: os, ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRODUCT", Values: ["*"] }] }, ApproveAfterDays: 7, ComplianceLevel: "HIGH" }] } }));
        return id;
    });
    const requestHandler = {
        ...fake.requestHandler,
        handle: async (req: Parameters<FakeAws["requestHandler"]["handle"]>[0]) => {
            await sleep(latencyMs);
            return fake.requestHandler.handle(req);
        },
    };
    const clients = await createOverrideClients({
        region: "us-east-1",
        backoffMs: () => 0,
        clientConfig: { requestHandler, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" } },
    });
    return { fake, ids, clients };
}

async function timeRun(fn: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function remediation(rows: Row[], quick: boolean): Promise<void> {
    const latency = quick ? 10 : 50;
    // Warm-up: load the SDK modules and JIT the code paths once, outside every measurement.
    const warm = await setup(15, 0);
    for (const mode of ["safe", "seed"] as const) await syncOverrides(warm.clients, { bucket: "warm", key: "k", baselineIds: warm.ids, writer: "bench", mode });
    const hours = quick ? 4 : 24;
    for (const n of quick ? [1, 15] : [1, 5, 15]) {
        const ms: Record<string, { first: number; hourly: number; puts: number }> = {};
        for (const mode of ["safe", "seed"] as const) {
            const { fake, ids, clients } = await setup(n, latency);
            const opts = { bucket: "overrides-bucket", key: "baseline_overrides.json", baselineIds: ids, writer: "bench", mode };
            const first = await timeRun(() => syncOverrides(clients, opts));
            const putsBefore = fake.count("PutObject");
            let hourly = 0;
            for (let h = 0; h < hours; h++) hourly += await timeRun(() => syncOverrides(clients, opts));
            ms[mode] = { first, hourly: hourly / hours, puts: fake.count("PutObject") - putsBefore };
        }
        const add = (c: string, v: number, unit: string, target?: string, ok?: boolean) => rows.push({ benchmark: "remediation core", case: `${n} baseline(s): ${c}`, value: v, unit, target, ok });
        add(`first write, shipped`, Math.round(ms.safe.first), "ms");
        add(`first write, seed`, Math.round(ms.seed.first), "ms");
        add(`first write ratio seed/shipped`, Number((ms.seed.first / ms.safe.first).toFixed(1)), "×");
        add(`hourly run, shipped`, Math.round(ms.safe.hourly), "ms");
        add(`hourly run, seed`, Math.round(ms.seed.hourly), "ms");
        const ratio = ms.seed.hourly / ms.safe.hourly;
        add(`hourly run ratio seed/shipped`, Number(ratio.toFixed(1)), "×", n === 15 ? "≥ 8 at 15 baselines" : undefined, n === 15 ? ratio >= 8 : undefined);
        add(`PutObject over ${hours} unchanged hourly runs, shipped`, ms.safe.puts, "PUTs", "0", ms.safe.puts === 0);
        add(`PutObject over ${hours} unchanged hourly runs, seed`, ms.seed.puts, "PUTs", String(hours), ms.seed.puts === hours);
    }
    rows.push({ benchmark: "remediation core", case: "added latency per AWS call", value: latency, unit: "ms" });
}
