/**
 * `npm start` every way, side by side in one run:
 * - `ts-node`: the TypeScript sources under ts-node (how `npm start` ran before the precompiled launcher);
 * - `cold`: `node scripts/run.js` (the esbuild bundle, cached by source hash, config validated before
 *   Pulumi loads, unused SDK modules deferred, AWS SDK models read from .build/sdk-models, V8
 *   bytecode from .build/code-cache as `prepare` leaves it) with
 *   `--no-cache`: the plan computed afresh, as after a config change (the bundle, hence the
 *   serialised-closure cache, unchanged);
 * - `warm`: the same with the review cache hit (review/reviewCache.ts): only the policies and the
 *   sections that count from `now` computed.
 * Cases: an invalid config (answered from config/ alone: no cache involved), the dev and the prod
 * review. Runs alternate between the paths so a change in machine load hits all alike; each row is
 * the median of the runs, in wall time and in the process's own CPU time (user + system), with the
 * ratios. The machine's load average (1 min) before and after is recorded: on a shared machine the
 * wall figures are only comparable with it; the CPU figures and ratios much less depend on it.
 * The targets (< 2 s dev and prod, < 0.5 s invalid, idle 2 cores) are judged on the cold path: a
 * warm hit alone never meets them.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import type { Row } from "./run";

const ROOT = path.resolve(__dirname, "..");

const CASES: { name: string; args: string[]; exit: number; cached: boolean; target: { ms: number; text: string } }[] = [
    { name: "invalid config", args: ["--config", "tests/fixtures/invalid.yaml"], exit: 1, cached: false, target: { ms: 500, text: "< 500 ms (2 cores, idle)" } },
    { name: "dev review", args: ["--stack", "dev", "--quiet"], exit: 0, cached: true, target: { ms: 2000, text: "< 2000 ms (2 cores, idle), cold" } },
    { name: "prod review", args: ["--stack", "prod", "--quiet"], exit: 0, cached: true, target: { ms: 2000, text: "< 2000 ms (2 cores, idle), cold" } },
];

const PATHS = {
    "ts-node": { argv: ["-r", "ts-node/register/transpile-only", "review/cli.ts"], extra: [] as string[] },
    cold: { argv: ["scripts/run.js", "review/cli.ts"], extra: ["--no-cache"] },
    warm: { argv: ["scripts/run.js", "review/cli.ts"], extra: [] as string[] },
} as const;
type PathName = keyof typeof PATHS;

interface Sample {
    wallMs: number;
    cpuMs: number;
    /** Modules V8 compiled from the review's code cache (scripts/code-cache.js), if it was used. */
    codeCached?: number;
}

function once(runner: PathName, args: string[], exit: number, warmUp = false): Sample {
    const start = process.hrtime.bigint();
    const p = PATHS[runner];
    const r = spawnSync(process.execPath, ["-r", path.join(__dirname, "cpuReport.js"), ...p.argv, ...args, ...p.extra], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, PATCHING_REVIEW_CACHE_TRACE: "1", PATCHING_CODE_CACHE_TRACE: "1" },
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== exit) throw new Error(`${runner} ${args.join(" ")}: exit ${r.status}, expected ${exit}\n${r.stderr}`);
    // A warm run must be a hit and a cold one must not read the cache, or the row measures something else.
    if (runner === "warm" && !warmUp && exit === 0 && !/review cache: \S+ hit/.test(r.stderr)) throw new Error(`warm ${args.join(" ")}: not a cache hit\n${r.stderr}`);
    if (runner === "cold" && exit === 0 && !/review cache: \S+ off \(--no-cache\)/.test(r.stderr)) throw new Error(`cold ${args.join(" ")}: the cache was not bypassed\n${r.stderr}`);
    const cpu = /bench-cpu-ms (\d+)\s*$/m.exec(r.stderr);
    const codeCached = /code cache: (\d+) accepted/.exec(r.stderr);
    return { wallMs: Math.round(wallMs), cpuMs: cpu ? Number(cpu[1]) : NaN, codeCached: codeCached ? Number(codeCached[1]) : undefined };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}

export function reviewStartup(rows: Row[], quick: boolean): void {
    // `--runs N` (default 5, 1 with --quick): fewer alternating runs per path on a busy machine.
    const runsArg = process.argv.indexOf("--runs");
    const runs = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : quick ? 1 : 5;
    const load = (when: string) => rows.push({ benchmark: "npm start", case: `load average (1 min) ${when}`, value: Number(os.loadavg()[0].toFixed(2)), unit: `on ${os.cpus().length} cores` });
    load("before");
    // Warm-up, not measured: builds the launcher's bundle, the SDK models and the Lambda bundle
    // cache if stale (as `npm ci`'s prepare and the first run do once) and fills the review cache.
    for (const c of CASES) if (c.cached) once("warm", c.args, c.exit, true);
    for (const c of CASES) {
        const paths: PathName[] = c.cached ? ["ts-node", "cold", "warm"] : ["ts-node", "cold"];
        const samples = Object.fromEntries(paths.map((p) => [p, [] as Sample[]])) as Record<PathName, Sample[]>;
        for (let i = 0; i < runs; i++) for (const p of paths) samples[p].push(once(p, c.args, c.exit));
        const m = (runner: PathName, k: "wallMs" | "cpuMs") => median(samples[runner].map((s) => s[k]));
        const add = (kase: string, value: number, unit: string, target?: string, ok?: boolean) => rows.push({ benchmark: "npm start", case: `${c.name}: ${kase}`, value, unit, target, ok });
        const ratio = (a: PathName, b: PathName, k: "wallMs" | "cpuMs") => Number((m(a, k) / m(b, k)).toFixed(2));
        add(`ts-node wall (median of ${runs})`, m("ts-node", "wallMs"), "ms");
        add(`precompiled cold wall (median of ${runs})`, m("cold", "wallMs"), "ms", c.target.text, m("cold", "wallMs") < c.target.ms);
        if (c.cached) add(`precompiled warm (cache hit) wall (median of ${runs})`, m("warm", "wallMs"), "ms");
        add("ts-node CPU", m("ts-node", "cpuMs"), "ms");
        add("precompiled cold CPU", m("cold", "cpuMs"), "ms");
        if (c.cached) add("precompiled warm CPU", m("warm", "cpuMs"), "ms");
        // What the cold path really ran: modules V8 took from the code cache `prepare` filled (last run).
        add("precompiled cold: modules compiled from the V8 code cache", samples.cold[samples.cold.length - 1].codeCached ?? 0, "modules");
        add("ratio ts-node / cold (wall)", ratio("ts-node", "cold", "wallMs"), "×");
        add("ratio ts-node / cold (CPU)", ratio("ts-node", "cold", "cpuMs"), "×");
        if (c.cached) add("ratio cold / warm (CPU)", ratio("cold", "warm", "cpuMs"), "×");
    }
    load("after");
}
