/** Lambda bundles: size (target < 1 MB) and cold `require` time in a fresh process (target < 200 ms). */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleLambda } from "../components/nodeLambda";
import type { Row } from "./run";

const ROOT = path.resolve(__dirname, "..");

export function lambdas(rows: Row[]): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-bench-"));
    const entries = fs.readdirSync(path.join(ROOT, "lambda")).filter((f) => f.endsWith(".ts")).sort();
    for (const f of entries) {
        const entry = `lambda/${f}`;
        const bundle = bundleLambda(entry);
        const file = path.join(dir, `${path.basename(f, ".ts")}.js`);
        fs.writeFileSync(file, bundle.code);
        const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [path.join(__dirname, "lambdaWorker.js"), file], { encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } })) as { requireMs: number; hasHandler: boolean });
        const median = runs.map((r) => r.requireMs).sort((a, b) => a - b)[1];
        rows.push({ benchmark: "lambda", case: `${entry} bundle size`, value: Math.round(bundle.bytes / 1024), unit: "KiB", target: "< 1024 KiB", ok: bundle.bytes < 1024 * 1024 });
        rows.push({ benchmark: "lambda", case: `${entry} cold require (median of 3)`, value: median, unit: "ms", target: "< 200 ms", ok: median < 200 && runs[0].hasHandler });
    }
}
