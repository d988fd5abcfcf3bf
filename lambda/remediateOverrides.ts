/**
 * Remediation Lambda of the baseline-override store: on its schedule, makes
 * `baseline_overrides.json` match the baselines again (Quick Setup's hourly BaselineRemediation,
 * seed 000), through the same core as the `BaselineOverrides` dynamic provider. Unlike Quick
 * Setup's Remediate it writes nothing when nothing changed, never writes a partial file, and
 * never overwrites a concurrent writer.
 *
 * Environment (set by components/overrideStore.ts):
 * - `OVERRIDE_BUCKET`, `OVERRIDE_KEY`: the object;
 * - `OVERRIDE_BASELINE_IDS`: JSON list of baseline ids / ARNs;
 * - `OVERRIDE_WRITER`: the writer id stored with each version (shared with the provider);
 * - `OVERRIDE_CONCURRENCY` (optional): parallel GetPatchBaseline calls;
 * - `AWS_REGION`: set by Lambda.
 *
 * A failure throws: the invocation fails, the failure destination and the Errors alarm fire.
 */
import { createOverrideClients, OverrideClientOptions, syncOverrides, SyncResult } from "../core/overrides";

/** The JSON line logged and returned for each run. */
export interface RemediationOutcome {
    action: SyncResult["action"];
    s3Url: string;
    sha256: string;
    previousSha256?: string;
    versionId?: string;
    baselineCount: number;
    operatingSystems: string[];
    calls: SyncResult["calls"];
}

/** Options of {@link createHandler}; the defaults are what Lambda runs. */
export interface HandlerOptions {
    /** @default process.env */
    env?: Record<string, string | undefined>;
    /** Client settings (tests: a fake transport, static credentials, zero backoff). */
    clients?: Omit<OverrideClientOptions, "region">;
    /** @default console.log of one JSON line */
    log?: (line: string) => void;
}

function required(env: Record<string, string | undefined>, name: string): string {
    const v = env[name];
    if (!v) throw new Error(`environment variable ${name} is not set; the function is misconfigured`);
    return v;
}

/** Reads and checks the environment once per cold start. */
export function readEnvironment(env: Record<string, string | undefined>) {
    const ids = JSON.parse(required(env, "OVERRIDE_BASELINE_IDS")) as unknown;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => typeof i === "string")) {
        throw new Error("OVERRIDE_BASELINE_IDS must be a non-empty JSON list of baseline ids");
    }
    const concurrency = env.OVERRIDE_CONCURRENCY ? Number(env.OVERRIDE_CONCURRENCY) : undefined;
    return {
        region: required(env, "AWS_REGION"),
        bucket: required(env, "OVERRIDE_BUCKET"),
        key: required(env, "OVERRIDE_KEY"),
        writer: required(env, "OVERRIDE_WRITER"),
        baselineIds: ids as string[],
        concurrency: concurrency !== undefined && Number.isInteger(concurrency) && concurrency > 0 ? concurrency : undefined,
    };
}

/** Builds the handler; clients are created on first use and reused while the container is warm. */
export function createHandler(options: HandlerOptions = {}) {
    const log = options.log ?? ((line: string) => console.log(line));
    let setup: ReturnType<typeof readEnvironment> | undefined;
    let clients: ReturnType<typeof createOverrideClients> | undefined;
    return async function handler(): Promise<RemediationOutcome> {
        setup ??= readEnvironment(options.env ?? process.env);
        clients ??= createOverrideClients({ region: setup.region, ...options.clients });
        try {
            const result = await syncOverrides(await clients, {
                bucket: setup.bucket,
                key: setup.key,
                baselineIds: setup.baselineIds,
                writer: setup.writer,
                concurrency: setup.concurrency,
            });
            const outcome: RemediationOutcome = {
                action: result.action,
                s3Url: result.s3Url,
                sha256: result.sha256,
                previousSha256: result.previousSha256,
                versionId: result.versionId,
                baselineCount: result.baselineCount,
                operatingSystems: result.operatingSystems,
                calls: result.calls,
            };
            log(JSON.stringify({ level: "INFO", message: "baseline overrides remediated", ...outcome }));
            return outcome;
        } catch (err) {
            log(JSON.stringify({ level: "ERROR", message: err instanceof Error ? err.message : String(err), error: err instanceof Error ? err.name : "Error" }));
            throw err;
        }
    };
}

/** The Lambda entry point (`index.handler`). */
export const handler = createHandler();
