/**
 * `npm start` both ways, side by side in one run: the TypeScript sources under ts-node (how
 * `npm start` ran before the precompiled launcher) and `node scripts/run.js` (the esbuild bundle,
 * cached by source hash, that validates the config before loading Pulumi). Cases: an invalid
 * config (answered from config/ alone), the dev and the prod review. Runs alternate between the
 * two paths so a change in machine load hits both alike; each row is the median of the runs, in
 * wall time and in the process's own CPU time (user + system), with the ratio ts-node / precompiled.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import type { Row } from "./run";

const ROOT = path.resolve(__dirname, "..");

const CASES: { name: string; args: string[]; exit: number; target?: { ms: number; text: string } }[] = [
    { name: "invalid config", args: ["--config", "tests/fixtures/invalid.yaml"], exit: 1, target: { ms: 500, text: "< 500 ms (2 cores, idle)" } },
    { name: "dev review", args: ["--stack", "dev", "--quiet"], exit: 0, target: { ms: 2000, text: "< 2000 ms (2 cores, idle)" } },
    { name: "prod review", args: ["--stack", "prod", "--quiet"], exit: 0, target: { ms: 2000, text: "< 2000 ms (2 cores, idle)" } },
];

const PATHS = {
    "ts-node": ["-r", "ts-node/register/transpile-only", "review/cli.ts"],
    precompiled: ["scripts/run.js", "review/cli.ts"],
} as const;

interface Sample {
    wallMs: number;
    cpuMs: number;
}

function once(runner: keyof typeof PATHS, args: string[], exit: number): Sample {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-r", path.join(__dirname, "cpuReport.js"), ...PATHS[runner], ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== exit) throw new Error(`${runner} ${args.join(" ")}: exit ${r.status}, expected ${exit}\n${r.stderr}`);
    const cpu = /bench-cpu-ms (\d+)\s*$/.exec(r.stderr);
    return { wallMs: Math.round(wallMs), cpuMs: cpu ? Number(cpu[1]) : NaN };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}

export function reviewStartup(rows: Row[], quick: boolean): void {
    // `--runs N` (default 5, 1 with --quick): fewer alternating runs per path on a busy machine.
    const runsArg = process.argv.indexOf("--runs");
    const runs = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : quick ? 1 : 5;
    // Warm-up, not measured: builds the launcher's bundle and the Lambda bundle cache if stale, as
    // `npm ci` (prepare) and the first run do once.
    once("precompiled", CASES[2].args, 0);
    for (const c of CASES) {
        const samples: Record<keyof typeof PATHS, Sample[]> = { "ts-node": [], precompiled: [] };
        for (let i = 0; i < runs; i++) {
            samples["ts-node"].push(once("ts-node", c.args, c.exit));
            samples.precompiled.push(once("precompiled", c.args, c.exit));
        }
        const m = (runner: keyof typeof PATHS, k: keyof Sample) => median(samples[runner].map((s) => s[k]));
        const add = (kase: string, value: number, unit: string, target?: string, ok?: boolean) => rows.push({ benchmark: "npm start", case: `${c.name}: ${kase}`, value, unit, target, ok });
        add(`ts-node wall (median of ${runs})`, m("ts-node", "wallMs"), "ms");
        add(`precompiled wall (median of ${runs})`, m("precompiled", "wallMs"), "ms", c.target?.text, c.target ? m("precompiled", "wallMs") < c.target.ms : undefined);
        add("ts-node CPU", m("ts-node", "cpuMs"), "ms");
        add("precompiled CPU", m("precompiled", "cpuMs"), "ms");
        add("ratio ts-node / precompiled (wall)", Number((m("ts-node", "wallMs") / m("precompiled", "wallMs")).toFixed(2)), "×");
        add("ratio ts-node / precompiled (CPU)", Number((m("ts-node", "cpuMs") / m("precompiled", "cpuMs")).toFixed(2)), "×");
    }
}
