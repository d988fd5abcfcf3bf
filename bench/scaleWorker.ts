/**
 * One measurement of the program at a given scale, in a fresh process so peak RSS is its own:
 * prints `{ scale, resources, ms, peakRssMb }` as JSON.
 */
import { engineValues } from "../tests/harness";
import { runUnderMocks } from "../review/engine";
import { main } from "../program";
import { generateConfig } from "./generate";

async function measure(scale: number) {
    const values = engineValues(generateConfig(scale));
    const start = process.hrtime.bigint();
    const { resources } = await runUnderMocks({
        project: "patching",
        stack: "bench",
        config: { values, secretKeys: [] },
        env: { accountId: "123456789012", region: "us-east-1" },
        program: main,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { scale, resources: resources.length, ms: Math.round(ms), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

measure(Number(process.argv[2] ?? "1")).then(
    (r) => process.stdout.write(JSON.stringify(r) + "\n"),
    (err) => {
        process.stderr.write(String(err?.stack ?? err) + "\n");
        process.exit(1);
    },
);
