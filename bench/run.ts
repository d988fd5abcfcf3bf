/**
 * `npm run bench [-- --quick] [-- --only NAME]`: speed and size figures as ratios measured in one run, printed as a
 * table and written to bench/results.json. See BENCHMARKS.md for how to read them. Nothing here is
 * asserted in CI: `--quick` is a smoke test that every benchmark still runs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { fleet } from "./fleet";
import { lambdas } from "./lambdas";
import { remediation } from "./remediation";
import { reviewStartup } from "./review";

const ROOT = path.resolve(__dirname, "..");
const quick = process.argv.includes("--quick");
/** `--only NAME`: run one benchmark (reviewStartup, remediation, programScale, lambdas). */
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;

export interface Row {
    benchmark: string;
    case: string;
    value: number | string;
    unit: string;
    target?: string;
    ok?: boolean;
}

interface ScaleResult {
    scale: number;
    resources: number;
    ms: number;
    peakRssMb: number;
}

/**
 * The scale worker as a plain JavaScript bundle (esbuild, packages external): how a precompiled
 * program runs, without ts-node's source-map support, which Pulumi's per-resource stack capture
 * makes expensive.
 */
function compiledWorker(): string {
    // At depth 1 below the root, like the program's own folders, so `__dirname`-relative reads of
    // shipped files (documents/, scripts/) resolve the same as from components/.
    const out = path.join(ROOT, ".build", "scaleWorker.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as typeof import("esbuild");
    esbuild.buildSync({ entryPoints: [path.join(__dirname, "scaleWorker.ts")], outfile: out, bundle: true, platform: "node", target: "node20", format: "cjs", packages: "external", logLevel: "silent" });
    return out;
}

function measureScale(scale: number, runner: "ts-node" | "compiled", compiled: string): ScaleResult {
    const args = runner === "ts-node" ? ["-r", "ts-node/register/transpile-only", path.join(__dirname, "scaleWorker.ts"), String(scale)] : [compiled, String(scale)];
    const out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" }, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(out.trim().split("\n").pop()!) as ScaleResult;
}

function programScale(rows: Row[], quickRun: boolean): void {
    const compiled = compiledWorker();
    const scales = quickRun ? [1, 10] : [1, 10, 100];
    for (const runner of ["ts-node", "compiled"] as const) {
        const results = scales.map((scale) => measureScale(scale, runner, compiled));
        const add = (c: string, value: number, unit: string, target?: string, ok?: boolean) => rows.push({ benchmark: `program scale (${runner})`, case: c, value, unit, target, ok });
        for (const [i, r] of results.entries()) {
            add(`${r.scale}x resources`, r.resources, "resources");
            add(`${r.scale}x wall time`, r.ms, "ms");
            add(`${r.scale}x peak RSS`, r.peakRssMb, "MiB");
            if (i > 0) add(`time ratio ${results[i - 1].scale}x→${r.scale}x`, Number((r.ms / results[i - 1].ms).toFixed(2)), "×", "≈ 10 (linear) or less");
        }
        if (!quickRun) {
            // The scale whose config registers about 2,000 resources, from the 10x size.
            const perUnit = results[1].resources / results[1].scale;
            const target = measureScale(Math.max(1, Math.round(2000 / perUnit)), runner, compiled);
            add(`~2,000 resources (${target.scale}x = ${target.resources})`, target.ms, "ms", "< 10000 ms", target.ms < 10000);
            add(`~2,000 resources peak RSS`, target.peakRssMb, "MiB", "< 1024 MiB", target.peakRssMb < 1024);
        }
    }
}

export const BENCHMARKS: ((rows: Row[], quick: boolean) => void | Promise<void>)[] = [reviewStartup, remediation, programScale, lambdas, fleet];

async function main(): Promise<void> {
    const rows: Row[] = [];
    for (const b of BENCHMARKS) if (!only || b.name === only) await b(rows, quick);
    const width = (k: keyof Row) => Math.max(...rows.map((r) => String(r[k] ?? "").length), String(k).length);
    const cols: (keyof Row)[] = ["benchmark", "case", "value", "unit", "target", "ok"];
    const line = (r: Partial<Record<keyof Row, unknown>>) => cols.map((c) => String(r[c] ?? "").padEnd(width(c))).join("  ");
    process.stdout.write([line(Object.fromEntries(cols.map((c) => [c, c]))), ...rows.map((r) => line({ ...r, ok: r.ok === undefined ? "" : r.ok ? "yes" : "NO" }))].join("\n") + "\n");
    const out = { quick, node: process.version, when: new Date().toISOString(), rows };
    fs.writeFileSync(path.join(__dirname, "results.json"), JSON.stringify(out, null, 2) + "\n");
}

main().catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + "\n");
    process.exit(1);
});
