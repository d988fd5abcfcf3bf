/**
 * `npm run bench [-- --quick]`: speed and size figures as ratios measured in one run, printed as a
 * table and written to bench/results.json. See BENCHMARKS.md for how to read them. Nothing here is
 * asserted in CI: `--quick` is a smoke test that every benchmark still runs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { lambdas } from "./lambdas";
import { remediation } from "./remediation";

const ROOT = path.resolve(__dirname, "..");
const quick = process.argv.includes("--quick");

export interface Row {
    benchmark: string;
    case: string;
    value: number | string;
    unit: string;
    target?: string;
    ok?: boolean;
}

function programScale(rows: Row[]): void {
    const scales = quick ? [1, 10] : [1, 10, 100];
    const results = scales.map((scale) => {
        const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "scaleWorker.ts"), String(scale)], { cwd: ROOT, encoding: "utf8" });
        return JSON.parse(out.trim().split("\n").pop()!) as { scale: number; resources: number; ms: number; peakRssMb: number };
    });
    for (const [i, r] of results.entries()) {
        rows.push({ benchmark: "program scale", case: `${r.scale}x resources`, value: r.resources, unit: "resources" });
        const big = r.resources >= 2000;
        rows.push({ benchmark: "program scale", case: `${r.scale}x wall time`, value: r.ms, unit: "ms", target: big ? "< 10000 ms at ~2,000 resources" : undefined, ok: big ? r.ms < 10000 : undefined });
        rows.push({ benchmark: "program scale", case: `${r.scale}x peak RSS`, value: r.peakRssMb, unit: "MiB", target: big ? "< 1024 MiB" : undefined, ok: big ? r.peakRssMb < 1024 : undefined });
        if (i > 0) {
            const prev = results[i - 1];
            const ratio = r.ms / prev.ms;
            rows.push({ benchmark: "program scale", case: `time ratio ${prev.scale}x→${r.scale}x`, value: Number(ratio.toFixed(2)), unit: "×", target: "≈ 10 (linear) or less" });
        }
    }
}

export const BENCHMARKS: ((rows: Row[], quick: boolean) => void | Promise<void>)[] = [remediation, programScale, lambdas];

async function main(): Promise<void> {
    const rows: Row[] = [];
    for (const b of BENCHMARKS) await b(rows, quick);
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
