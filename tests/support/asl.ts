/**
 * A small Amazon States Language interpreter for tests: runs the orchestrator's real state
 * machine definitions against fake Lambda functions (the real handlers with mocked SDK clients)
 * and a fake clock, so whole runs — including waits of hours — execute instantly and
 * deterministically. It supports what the orchestrator's definitions use: Task (lambda:invoke,
 * states:startExecution.sync:2) with Parameters/ResultSelector/ResultPath/OutputPath, Retry and
 * Catch; Choice (BooleanEquals, StringEquals, NumericGreaterThan); Wait (Seconds, SecondsPath);
 * Succeed; Fail; TimeoutSeconds; and a DISTRIBUTED Map as the fleet run uses it (ItemReader
 * s3:getObject JSON, ItemBatcher with MaxItemsPerBatch(Path) and BatchInput, MaxConcurrency(Path),
 * ToleratedFailurePercentage(Path) / ToleratedFailureCount(Path), ResultWriter s3:putObject; or
 * items from the input with ItemsPath and ItemSelector ($$.Map.Item); child executions run one
 * after another on the fake clock); Pass with Parameters or Result. Anything else throws, so a definition using more is noticed.
 */
import type { AslDefinition, AslState } from "../../core/orchestrator/stateMachine";

export class FakeClock {
    constructor(private t: number) {}
    now = (): Date => new Date(this.t);
    advance(seconds: number): void {
        this.t += seconds * 1000;
    }
}

export interface AslRun {
    status: "SUCCEEDED" | "FAILED";
    output?: unknown;
    error?: { Error: string; Cause: string };
    /** States entered, in order. */
    path: string[];
    /** The data when the execution ended (also after a Fail state, which has no output in AWS). */
    last?: unknown;
}

export interface AslEnvironment {
    clock: FakeClock;
    lambdas: Record<string, (payload: unknown) => Promise<unknown>>;
    /** Child state machines for startExecution.sync:2, by ARN. */
    machines?: Record<string, AslDefinition>;
    executionName?: string;
    maxTransitions?: number;
    /** The bucket objects a Distributed Map reads (ItemReader) and writes (ResultWriter), by key. */
    objects?: Map<string, string>;
    /** What Distributed Maps did: child executions, their inputs' sizes, the concurrency asked for. */
    mapRuns?: { state: string; items: number; children: number; failed: number; maxConcurrency: number; largestChildInput: number }[];
}

class StatesError extends Error {
    constructor(
        readonly error: string,
        readonly cause: string,
    ) {
        super(`${error}: ${cause}`);
    }
}

function get(data: unknown, path: string, context: Record<string, unknown>): unknown {
    const [root, rest] = path.startsWith("$$") ? [context, path.slice(2)] : [data, path.slice(1)];
    let cur: unknown = root;
    for (const part of rest.split(".").filter(Boolean)) {
        if (cur === null || typeof cur !== "object" || !(part in (cur as object))) throw new StatesError("States.Runtime", `path ${path} not found`);
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}

function resolve(template: unknown, data: unknown, context: Record<string, unknown>): unknown {
    if (Array.isArray(template)) return template.map((t) => resolve(t, data, context));
    if (template === null || typeof template !== "object") return template;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) {
        if (k.endsWith(".$")) out[k.slice(0, -2)] = get(data, v as string, context);
        else out[k] = resolve(v, data, context);
    }
    return out;
}

function setPath(data: unknown, path: string | null | undefined, value: unknown): unknown {
    if (path === null) return data;
    if (path === undefined || path === "$") return value;
    const parts = path.slice(2).split(".");
    const copy = JSON.parse(JSON.stringify(data ?? {})) as Record<string, unknown>;
    let cur = copy;
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    cur[parts[parts.length - 1]] = value;
    return copy;
}

const matches = (errorEquals: string[], name: string) => errorEquals.includes(name) || (errorEquals.includes("States.ALL") && !name.startsWith("States.Runtime"));

function choose(state: AslState, data: unknown, context: Record<string, unknown>): string {
    for (const c of state.Choices as Record<string, unknown>[]) {
        const v = get(data, c.Variable as string, context);
        if ("BooleanEquals" in c && v === c.BooleanEquals) return c.Next as string;
        if ("StringEquals" in c && v === c.StringEquals) return c.Next as string;
        if ("NumericGreaterThan" in c && typeof v === "number" && v > (c.NumericGreaterThan as number)) return c.Next as string;
        if (!["BooleanEquals", "StringEquals", "NumericGreaterThan"].some((k) => k in c)) throw new Error(`unsupported choice rule ${JSON.stringify(c)}`);
    }
    if (!state.Default) throw new StatesError("States.NoChoiceMatched", "no choice matched");
    return state.Default as string;
}

async function invoke(state: AslState, params: Record<string, unknown>, env: AslEnvironment, parentId: string): Promise<unknown> {
    if (state.Resource === "arn:aws:states:::lambda:invoke") {
        const fn = env.lambdas[params.FunctionName as string];
        if (!fn) throw new Error(`no fake Lambda ${String(params.FunctionName)}`);
        try {
            const payload = await fn(JSON.parse(JSON.stringify(params.Payload)));
            return { Payload: JSON.parse(JSON.stringify(payload ?? null)), StatusCode: 200 };
        } catch (err) {
            const e = err as Error;
            throw new StatesError(e.name || "Error", JSON.stringify({ errorType: e.name, errorMessage: e.message }));
        }
    }
    if (state.Resource === "arn:aws:states:::states:startExecution.sync:2") {
        const child = env.machines?.[params.StateMachineArn as string];
        if (!child) throw new Error(`no child machine ${String(params.StateMachineArn)}`);
        const run = await runAsl(child, params.Input, { ...env, executionName: `${parentId}-child` });
        if (run.status !== "SUCCEEDED") throw new StatesError("States.TaskFailed", JSON.stringify(run.error));
        return { Output: run.output, Status: "SUCCEEDED" };
    }
    throw new Error(`unsupported resource ${String(state.Resource)}`);
}

const numberAt = (state: AslState, field: string, data: unknown, context: Record<string, unknown>): number | undefined => {
    const v = state[`${field}Path`] !== undefined ? get(data, state[`${field}Path`] as string, context) : state[field];
    if (v === undefined) return undefined;
    if (typeof v !== "number") throw new StatesError("States.Runtime", `${field} is not a number: ${JSON.stringify(v)}`);
    return v;
};

/** A DISTRIBUTED Map: items from S3, batched, one child execution per batch (sequential here). */
async function distributedMap(name: string, state: AslState, data: unknown, context: Record<string, unknown>, env: AslEnvironment, parentId: string): Promise<unknown> {
    const processor = state.ItemProcessor as AslDefinition & { ProcessorConfig?: { Mode?: string } };
    if (processor.ProcessorConfig?.Mode !== "DISTRIBUTED") throw new Error(`${name}: only DISTRIBUTED maps are supported`);
    let items: unknown[];
    if (state.ItemReader === undefined) {
        // Items from the state input (ItemsPath), each shaped by ItemSelector with $$.Map.Item.
        const found = get(data, (state.ItemsPath as string | undefined) ?? "$", context);
        if (!Array.isArray(found)) throw new StatesError("States.Runtime", `${name}: ItemsPath is not an array`);
        items = found;
    } else {
        const reader = state.ItemReader as { Resource: string; ReaderConfig?: { InputType?: string }; Parameters: Record<string, unknown> };
        if (reader.Resource !== "arn:aws:states:::s3:getObject" || reader.ReaderConfig?.InputType !== "JSON") throw new Error(`${name}: unsupported ItemReader`);
        const where = resolve(reader.Parameters, data, context) as { Bucket: string; Key: string };
        const text = env.objects?.get(where.Key);
        if (text === undefined) throw new StatesError("States.ItemReaderFailed", `no object ${where.Bucket}/${where.Key}`);
        items = JSON.parse(text) as unknown[];
        if (!Array.isArray(items)) throw new StatesError("States.ItemReaderFailed", "the JSON file is not an array");
    }
    if (state.ItemSelector !== undefined) {
        items = items.map((value, index) => resolve(state.ItemSelector, data, { ...context, Map: { Item: { Value: value, Index: index } } }));
    }
    const batcher = state.ItemBatcher as (AslState & { BatchInput?: unknown }) | undefined;
    const size = batcher ? (numberAt(batcher, "MaxItemsPerBatch", data, context) ?? items.length) : 1;
    const batchInput = batcher?.BatchInput ? resolve(batcher.BatchInput, data, context) : undefined;
    const inputs: unknown[] = [];
    for (let i = 0; i < items.length; i += size) inputs.push(batcher ? { Items: items.slice(i, i + size), ...(batchInput ? { BatchInput: batchInput } : {}) } : items[i]);
    const maxConcurrency = numberAt(state, "MaxConcurrency", data, context) ?? 0;
    const toleratedPercentage = numberAt(state, "ToleratedFailurePercentage", data, context);
    const toleratedCount = numberAt(state, "ToleratedFailureCount", data, context);
    const tolerated = toleratedPercentage ?? (toleratedCount === undefined ? 0 : 100);
    const log = { state: name, items: items.length, children: 0, failed: 0, maxConcurrency, largestChildInput: 0 };
    env.mapRuns?.push(log);
    const results: unknown[] = [];
    for (const [i, input] of inputs.entries()) {
        log.largestChildInput = Math.max(log.largestChildInput, Buffer.byteLength(JSON.stringify(input)));
        const child = await runAsl({ Comment: "", StartAt: processor.StartAt, States: processor.States }, input, { ...env, executionName: `${parentId}-${name}-${i}` });
        log.children++;
        results.push(child);
        if (child.status !== "SUCCEEDED") {
            log.failed++;
            if ((100 * log.failed) / inputs.length > tolerated || (toleratedCount !== undefined && log.failed > toleratedCount)) {
                const allowed = toleratedCount !== undefined ? `${toleratedCount}` : `${tolerated} %`;
                throw new StatesError("States.ExceedToleratedFailureThreshold", `${log.failed} of ${inputs.length} child executions failed (tolerated ${allowed})`);
            }
        }
    }
    const writer = state.ResultWriter as { Resource: string; Parameters: Record<string, unknown> } | undefined;
    if (!writer) return results.map((r) => (r as AslRun).output);
    const target = resolve(writer.Parameters, data, context) as { Bucket: string; Prefix: string };
    const key = `${target.Prefix}/manifest.json`;
    env.objects?.set(key, JSON.stringify({ results: results.map((r) => ({ status: (r as AslRun).status })) }));
    return { MapRunArn: `arn:aws:states:us-east-1:123456789012:mapRun:test/${name}:1`, ResultWriterDetails: { Bucket: target.Bucket, Key: key } };
}

/** Runs `def` on `input`; never waits on real time (Wait states advance the fake clock). */
export async function runAsl(def: AslDefinition, input: unknown, env: AslEnvironment): Promise<AslRun> {
    const name = env.executionName ?? "test-execution";
    const started = env.clock.now().getTime();
    const context = { Execution: { Name: name, Id: `arn:aws:states:us-east-1:123456789012:execution:test:${name}`, StartTime: new Date(started).toISOString() } };
    const path: string[] = [];
    let current = def.StartAt;
    let data: unknown = JSON.parse(JSON.stringify(input));
    for (let n = 0; n < (env.maxTransitions ?? 5000); n++) {
        if (def.TimeoutSeconds && env.clock.now().getTime() - started > def.TimeoutSeconds * 1000) {
            return { status: "FAILED", error: { Error: "States.Timeout", Cause: "execution timed out" }, path };
        }
        const state = def.States[current];
        if (!state) throw new Error(`no state ${current}`);
        path.push(current);
        try {
            switch (state.Type) {
                case "Succeed":
                    return { status: "SUCCEEDED", output: data, path, last: data };
                case "Fail":
                    return { status: "FAILED", error: { Error: state.Error as string, Cause: state.Cause as string }, path, last: data };
                case "Choice":
                    current = choose(state, data, context);
                    continue;
                case "Wait": {
                    const seconds = state.SecondsPath ? (get(data, state.SecondsPath as string, context) as number) : (state.Seconds as number);
                    env.clock.advance(seconds);
                    current = state.Next as string;
                    continue;
                }
                case "Pass":
                    if (state.Parameters !== undefined || state.Result !== undefined) {
                        data = setPath(data, state.ResultPath as string | undefined, state.Parameters !== undefined ? resolve(state.Parameters, data, context) : state.Result);
                    }
                    current = state.Next as string;
                    continue;
                case "Task": {
                    const params = resolve(state.Parameters, data, context) as Record<string, unknown>;
                    let result: unknown;
                    let attempt = 0;
                    for (;;) {
                        try {
                            result = await invoke(state, params, env, name);
                            break;
                        } catch (err) {
                            if (!(err instanceof StatesError)) throw err;
                            const retry = ((state.Retry as Record<string, unknown>[]) ?? []).find((r) => matches(r.ErrorEquals as string[], err.error));
                            if (!retry || attempt >= ((retry.MaxAttempts as number) ?? 3)) throw err;
                            env.clock.advance(((retry.IntervalSeconds as number) ?? 1) * Math.pow((retry.BackoffRate as number) ?? 2, attempt));
                            attempt++;
                        }
                    }
                    if (state.ResultSelector) result = resolve(state.ResultSelector, result, context);
                    data = setPath(data, state.ResultPath as string | undefined, result);
                    if (state.OutputPath) data = get(data, state.OutputPath as string, context);
                    current = state.Next as string;
                    continue;
                }
                case "Map": {
                    const result = await distributedMap(current, state, data, context, env, name);
                    data = setPath(data, state.ResultPath as string | undefined, result);
                    current = state.Next as string;
                    continue;
                }
                default:
                    throw new Error(`unsupported state type ${state.Type}`);
            }
        } catch (err) {
            if (!(err instanceof StatesError)) throw err;
            const handler = ((state.Catch as Record<string, unknown>[]) ?? []).find((c) => matches(c.ErrorEquals as string[], err.error));
            if (!handler) return { status: "FAILED", error: { Error: err.error, Cause: err.cause }, path, last: data };
            data = setPath(data, (handler.ResultPath as string | undefined) ?? "$", { Error: err.error, Cause: err.cause });
            current = handler.Next as string;
        }
    }
    throw new Error(`more than ${env.maxTransitions ?? 5000} transitions: a loop without end?`);
}

/** `asl-validator` (the AWS States Language JSON schema and checks): its error messages for `def`, none when valid. */
export function aslValidationErrors(def: unknown): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const validate = require("asl-validator") as (d: unknown, o?: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string; errors: unknown[] };
    const result = validate(JSON.parse(JSON.stringify(def)), { checkPaths: true, checkArn: true });
    return result.isValid ? [] : result.errorsText("\n").split("\n");
}
