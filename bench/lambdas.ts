/**
 * Lambda bundles: size (target < 1 MB) and cold `require` in a fresh process (target < 200 ms),
 * judged on its CPU time (the wall time is printed beside it: on a busy shared machine other
 * processes stretch it).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleLambda } from "../components/nodeLambda";
import type { Row } from "./run";

const ROOT = path.resolve(__dirname, "..");
/** Fresh processes per bundle; the median is reported. */
const RUNS = 5;

export function lambdas(rows: Row[]): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-bench-"));
    const entries = fs.readdirSync(path.join(ROOT, "lambda")).filter((f) => f.endsWith(".ts")).sort();
    for (const f of entries) {
        const entry = `lambda/${f}`;
        const bundle = bundleLambda(entry);
        const file = path.join(dir, `${path.basename(f, ".ts")}.js`);
        fs.writeFileSync(file, bundle.code);
        const runs = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(process.execPath, [path.join(__dirname, "lambdaWorker.js"), file], { encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } })) as { requireMs: number; requireCpuMs: number; hasHandler: boolean });
        const median = (k: "requireMs" | "requireCpuMs") => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
        const cpu = median("requireCpuMs");
        rows.push({ benchmark: "lambda", case: `${entry} bundle size`, value: Math.round(bundle.bytes / 1024), unit: "KiB", target: "< 1024 KiB", ok: bundle.bytes < 1024 * 1024 });
        rows.push({ benchmark: "lambda", case: `${entry} cold require, CPU time (median of ${RUNS})`, value: cpu, unit: "ms", target: "< 200 ms", ok: cpu < 200 && runs.every((r) => r.hasHandler) });
        rows.push({ benchmark: "lambda", case: `${entry} cold require, wall time (median of ${RUNS})`, value: median("requireMs"), unit: "ms" });
    }
}
