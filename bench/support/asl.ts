/**
 * A small Amazon States Language interpreter for tests and the bench: runs the orchestrator's real
 * state machine definitions against fake Lambda functions (the real handlers with fake SDK
 * clients) and a fake clock, so whole runs — including waits of hours — execute instantly and
 * deterministically.
 *
 * Two clocks. With a {@link FakeClock} everything runs one step after another: a Wait advances the
 * clock, and a Distributed Map runs its child executions one after another. With a
 * {@link VirtualClock} it is a discrete-event simulation: a Wait (and a Retry's backoff, and a
 * Task's `taskSeconds`) suspends only its own execution until the virtual time comes, so a
 * Distributed Map runs up to MaxConcurrency child executions at once, interleaved in virtual time,
 * and stops them all when more fail than ToleratedFailurePercentage allows (the Map Run fails;
 * here a child in flight stops at its next transition, so a Wait it is in runs to its end). It supports what the orchestrator's definitions use: Task (lambda:invoke,
 * states:startExecution.sync:2) with Parameters/ResultSelector/ResultPath/OutputPath, Retry and
 * Catch; Choice (BooleanEquals, StringEquals, NumericGreaterThan); Wait (Seconds, SecondsPath);
 * Succeed; Fail; End; TimeoutSeconds; Pass with Parameters or Result; and a DISTRIBUTED Map as the fleet run uses it (ItemReader
 * s3:getObject JSON, ItemBatcher with MaxItemsPerBatch(Path) and BatchInput, MaxConcurrency(Path),
 * ToleratedFailurePercentage(Path) / ToleratedFailureCount(Path), ResultWriter s3:putObject; or items
 * from the input with ItemsPath and ItemSelector ($$.Map.Item)); Retry with IntervalSeconds,
 * BackoffRate, MaxAttempts, MaxDelaySeconds and JitterStrategy FULL (with `random`). Anything else
 * throws, so a definition using more is noticed.
 */
import * as path from "path";
import type { AslDefinition, AslState } from "../../core/orchestrator/stateMachine";
import { EventQueue } from "./eventQueue";

export class FakeClock {
    constructor(private t: number) {}
    now = (): Date => new Date(this.t);
    advance(seconds: number): void {
        this.t += seconds * 1000;
    }
}


/**
 * A virtual clock for concurrent executions (a discrete-event scheduler). `sleep(s)` suspends the
 * caller until the clock reaches now + s; `drive(p)` runs the simulation: it lets every ready
 * continuation run (all work is promise continuations: no real timer or I/O may be involved),
 * then moves the clock to the earliest sleeper and wakes every sleeper due at that instant, in
 * the order they went to sleep, and so on until `p` settles. Deterministic: the same program
 * gives the same interleaving.
 */
export class VirtualClock {
    private queue = new EventQueue<() => void>();
    private driving = false;
    /** Timer events processed so far. */
    events = 0;
    constructor(private t: number) {}
    now = (): Date => new Date(this.t);
    nowMs(): number {
        return this.t;
    }
    /** Resolves when the clock reaches now + seconds (at once, after everything ready, for 0). */
    sleep(seconds: number): Promise<void> {
        return new Promise((wake) => this.queue.push(this.t + Math.max(0, seconds) * 1000, wake));
    }
    /** Runs the simulation until `work` settles; throws when nothing is scheduled but `work` still waits (a deadlock). */
    async drive<T>(work: Promise<T>): Promise<T> {
        if (this.driving) return work;
        this.driving = true;
        let settled = false;
        const watched = work.then(
            (v) => ((settled = true), v),
            (e: unknown) => {
                settled = true;
                throw e;
            },
        );
        watched.catch(() => undefined);
        try {
            for (;;) {
                await new Promise<void>((r) => setImmediate(r));
                if (settled) return await watched;
                const first = this.queue.pop();
                if (!first) throw new Error("virtual clock: nothing is scheduled, yet the run has not ended (a deadlock)");
                this.t = Math.max(this.t, first.t);
                const due = [first.value];
                while (this.queue.size > 0 && this.queue.peekTime()! <= this.t) due.push(this.queue.pop()!.value);
                this.events += due.length;
                for (const wake of due) wake();
            }
        } finally {
            this.driving = false;
        }
    }
}

/** Waits `seconds` on the environment's clock: advances a FakeClock, suspends on a VirtualClock. */
async function pause(env: AslEnvironment, seconds: number): Promise<void> {
    if (env.clock instanceof VirtualClock) await env.clock.sleep(seconds);
    else env.clock.advance(seconds);
}

export interface AslRun {
    /** ABORTED: stopped because its Distributed Map's run failed (VirtualClock only). */
    status: "SUCCEEDED" | "FAILED" | "ABORTED";
    output?: unknown;
    error?: { Error: string; Cause: string };
    /** States entered, in order. */
    path: string[];
    /** The data when the execution ended (also after a Fail state, which has no output in AWS). */
    last?: unknown;
    /** When it ended (epoch ms; runAslTogether only). */
    endedAt?: number;
}

export interface AslEnvironment {
    clock: FakeClock | VirtualClock;
    lambdas: Record<string, (payload: unknown) => Promise<unknown>>;
    /** Child state machines for startExecution.sync:2, by ARN. */
    machines?: Record<string, AslDefinition>;
    executionName?: string;
    maxTransitions?: number;
    /** The bucket objects a Distributed Map reads (ItemReader) and writes (ResultWriter), by key. */
    objects?: Map<string, string>;
    /** What Distributed Maps did: child executions, their inputs' sizes, the concurrency asked for. */
    mapRuns?: { state: string; items: number; children: number; failed: number; maxConcurrency: number; largestChildInput: number; peakInFlight: number; aborted: number }[];
    /** Seconds each Task takes before its result is there (VirtualClock only: Lambda and state transition latency). @default 0 */
    taskSeconds?: number;
    /** Random source in [0, 1) for Retry's JitterStrategy FULL; without it the full interval is waited. */
    random?: () => number;
    /** Errors that were not retried (went to a Catch, or ended an execution): state and error name. */
    caught?: { state: string; error: string }[];
    /** Errors a Retry retried: state and error name. */
    retried?: { state: string; error: string }[];
    /** True once the execution's Map Run failed: the execution stops at its next transition (set by the interpreter). */
    aborted?: () => boolean;
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
        const run = await runInner(child, params.Input, { ...env, executionName: `${parentId}-child` });
        if (run.status !== "SUCCEEDED") throw new StatesError("States.TaskFailed", JSON.stringify(run.error));
        return { Output: run.output, Status: "SUCCEEDED" };
    }
    throw new Error(`unsupported resource ${String(state.Resource)}`);
}

/** A Retry's wait before attempt `attempt + 1`: IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, FULL jitter when asked and `random` is given. */
export function retryDelay(retry: Record<string, unknown>, attempt: number, random?: () => number): number {
    const base = ((retry.IntervalSeconds as number) ?? 1) * Math.pow((retry.BackoffRate as number) ?? 2, attempt);
    const capped = retry.MaxDelaySeconds !== undefined ? Math.min(base, retry.MaxDelaySeconds as number) : base;
    return retry.JitterStrategy === "FULL" && random ? capped * random() : capped;
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
    const log = { state: name, items: items.length, children: 0, failed: 0, maxConcurrency, largestChildInput: 0, peakInFlight: 0, aborted: 0 };
    env.mapRuns?.push(log);
    const results: AslRun[] = [];
    const childDef: AslDefinition = { Comment: "", StartAt: processor.StartAt, States: processor.States };
    let exceeded: StatesError | undefined;
    let inFlight = 0;
    const runChild = async (i: number) => {
        const input = inputs[i];
        log.largestChildInput = Math.max(log.largestChildInput, Buffer.byteLength(JSON.stringify(input)));
        inFlight++;
        log.peakInFlight = Math.max(log.peakInFlight, inFlight);
        const child = await runInner(childDef, input, { ...env, executionName: `${parentId}-${name}-${i}`, aborted: () => exceeded !== undefined });
        inFlight--;
        log.children++;
        results[i] = child;
        if (child.status === "ABORTED") log.aborted++;
        else if (child.status !== "SUCCEEDED") {
            log.failed++;
            if (!exceeded && ((100 * log.failed) / inputs.length > tolerated || (toleratedCount !== undefined && log.failed > toleratedCount))) {
                const allowed = toleratedCount !== undefined ? `${toleratedCount}` : `${tolerated} %`;
                exceeded = new StatesError("States.ExceedToleratedFailureThreshold", `${log.failed} of ${inputs.length} child executions failed (tolerated ${allowed})`);
            }
        }
    };
    if (env.clock instanceof VirtualClock) {
        // Up to MaxConcurrency children at once (0: no limit); a failed Map Run starts no more and stops those running.
        let next = 0;
        const slot = async () => {
            while (!exceeded && next < inputs.length) await runChild(next++);
        };
        const slots = Math.min(inputs.length, maxConcurrency > 0 ? maxConcurrency : inputs.length);
        await Promise.all(Array.from({ length: slots }, slot));
    } else {
        for (let i = 0; i < inputs.length && !exceeded; i++) await runChild(i);
    }
    if (exceeded) throw exceeded;
    const writer = state.ResultWriter as { Resource: string; Parameters: Record<string, unknown> } | undefined;
    if (!writer) return results.map((r) => r.output);
    const target = resolve(writer.Parameters, data, context) as { Bucket: string; Prefix: string };
    const key = `${target.Prefix}/manifest.json`;
    env.objects?.set(key, JSON.stringify({ results: results.map((r) => ({ status: r.status })) }));
    return { MapRunArn: `arn:aws:states:us-east-1:123456789012:mapRun:test/${name}:1`, ResultWriterDetails: { Bucket: target.Bucket, Key: key } };
}

/**
 * Runs `def` on `input`; never waits on real time (Wait states advance the fake clock, or suspend
 * the execution on the virtual clock, which this drives until the execution ends).
 */
export async function runAsl(def: AslDefinition, input: unknown, env: AslEnvironment): Promise<AslRun> {
    const run = runInner(def, input, env);
    return env.clock instanceof VirtualClock ? env.clock.drive(run) : run;
}

/** Runs many executions at once on one virtual clock (e.g. one per account and Region), until all have ended. */
export async function runAslTogether(clock: VirtualClock, runs: { def: AslDefinition; input: unknown; env: Omit<AslEnvironment, "clock"> }[]): Promise<AslRun[]> {
    return clock.drive(Promise.all(runs.map(async (r) => ({ ...(await runInner(r.def, r.input, { ...r.env, clock })), endedAt: clock.nowMs() }))));
}

async function runInner(def: AslDefinition, input: unknown, env: AslEnvironment): Promise<AslRun> {
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
        if (env.aborted?.()) return { status: "ABORTED", error: { Error: "States.Aborted", Cause: "the Map Run failed" }, path, last: data };
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
                    await pause(env, seconds);
                    if (state.End) return { status: "SUCCEEDED", output: data, path, last: data };
                    current = state.Next as string;
                    continue;
                }
                case "Pass":
                    if (state.Parameters !== undefined || state.Result !== undefined) {
                        data = setPath(data, state.ResultPath as string | undefined, state.Parameters !== undefined ? resolve(state.Parameters, data, context) : state.Result);
                    }
                    if (state.End) return { status: "SUCCEEDED", output: data, path, last: data };
                    current = state.Next as string;
                    continue;
                case "Task": {
                    const params = resolve(state.Parameters, data, context) as Record<string, unknown>;
                    let result: unknown;
                    let attempt = 0;
                    for (;;) {
                        try {
                            if (env.taskSeconds && env.clock instanceof VirtualClock) await env.clock.sleep(env.taskSeconds);
                            result = await invoke(state, params, env, name);
                            break;
                        } catch (err) {
                            if (!(err instanceof StatesError)) throw err;
                            const retry = ((state.Retry as Record<string, unknown>[]) ?? []).find((r) => matches(r.ErrorEquals as string[], err.error));
                            if (!retry || attempt >= ((retry.MaxAttempts as number) ?? 3)) throw err;
                            env.retried?.push({ state: current, error: err.error });
                            await pause(env, retryDelay(retry, attempt, env.random));
                            attempt++;
                        }
                    }
                    if (state.ResultSelector) result = resolve(state.ResultSelector, result, context);
                    data = setPath(data, state.ResultPath as string | undefined, result);
                    if (state.OutputPath) data = get(data, state.OutputPath as string, context);
                    if (state.End) return { status: "SUCCEEDED", output: data, path, last: data };
                    current = state.Next as string;
                    continue;
                }
                case "Map": {
                    const result = await distributedMap(current, state, data, context, env, name);
                    data = setPath(data, state.ResultPath as string | undefined, result);
                    if (state.End) return { status: "SUCCEEDED", output: data, path, last: data };
                    current = state.Next as string;
                    continue;
                }
                default:
                    throw new Error(`unsupported state type ${state.Type}`);
            }
        } catch (err) {
            if (!(err instanceof StatesError)) throw err;
            env.caught?.push({ state: current, error: err.error });
            const handler = ((state.Catch as Record<string, unknown>[]) ?? []).find((c) => matches(c.ErrorEquals as string[], err.error));
            if (!handler) return { status: "FAILED", error: { Error: err.error, Cause: err.cause }, path, last: data };
            data = setPath(data, (handler.ResultPath as string | undefined) ?? "$", { Error: err.error, Cause: err.cause });
            current = handler.Next as string;
        }
    }
    throw new Error(`more than ${env.maxTransitions ?? 5000} transitions: a loop without end?`);
}

/** Answers of {@link aslValidationErrors} by definition text (bounded: the oldest is dropped first). */
const aslVerdicts = new Map<string, readonly string[]>();
const ASL_VERDICTS_KEPT = 256;
/** The options every validation here runs with (asl-validator's defaults, stated). */
const ASL_OPTIONS = { checkPaths: true, checkArn: true };

type AslValidate = (d: unknown, o?: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string; errors: unknown[] };
type AjvLike = { addFormat(...a: unknown[]): unknown; addKeyword(...a: unknown[]): unknown };
type AjvClass = new (opts: unknown) => AjvLike;

/** The Ajv asl-validator compiled its schemas into, kept for the process (see {@link keptAjvValidator}). */
let keptAjv: AjvLike | undefined;
/** How many Ajv instances asl-validator has had built through {@link keptAjvValidator} (tests/asl.validation.test.ts). */
export const aslAjvBuilds = { count: 0 };

/**
 * asl-validator as it is, except that the Ajv it builds on every call (its 15 JSON schemas
 * compiled anew, 0.3–0.7 s of CPU each time) is built once per process and handed back on the next
 * calls. asl-validator's `jsonSchemaErrors` reads `require("ajv").default` when it runs, builds an
 * Ajv with the same schemas, adds the same formats and keywords (the same functions for the same
 * options: this module always passes {@link ASL_OPTIONS}) and validates against its state-machine
 * schema. For the length of one call, that export is a constructor returning the kept Ajv, whose
 * formats and keywords are already there: adding them again is skipped (Ajv would refuse a keyword
 * twice). The export is restored before the call returns. If a new asl-validator stops building
 * its Ajv this way, the kept one is simply not used (the count in {@link aslAjvBuilds} says so, and
 * tests/asl.validation.test.ts fails); its verdicts are compared there with asl-validator's own.
 */
function keptAjvValidator(): (definition: unknown) => ReturnType<AslValidate> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const validate = require("asl-validator") as AslValidate;
    // The ajv asl-validator itself resolves.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ajvModule = require(require.resolve("ajv", { paths: [path.dirname(require.resolve("asl-validator/package.json"))] })) as { default: AjvClass };
    return (definition) => {
        const Ajv = ajvModule.default;
        function KeptAjv(opts: unknown): AjvLike {
            if (keptAjv) {
                // Set up already: what the caller adds again is there.
                return new Proxy(keptAjv, { get: (target, key, receiver) => (key === "addFormat" || key === "addKeyword" ? () => receiver : Reflect.get(target, key, target)) });
            }
            aslAjvBuilds.count++;
            keptAjv = new Ajv(opts);
            return keptAjv;
        }
        ajvModule.default = KeptAjv as unknown as AjvClass;
        try {
            return validate(definition, ASL_OPTIONS);
        } finally {
            ajvModule.default = Ajv;
        }
    };
}
let aslValidate: ((definition: unknown) => ReturnType<AslValidate>) | undefined;

/**
 * `asl-validator` (the AWS States Language JSON schema and checks): its error messages for `def`,
 * none when valid. Its answer depends only on the definition: it is kept per definition text for
 * the process (the suite validates the same orchestrator definitions from several test files),
 * and asl-validator runs with its schemas compiled once per process ({@link keptAjvValidator}).
 */
export function aslValidationErrors(def: unknown): string[] {
    const text = JSON.stringify(def);
    let errors = aslVerdicts.get(text);
    if (!errors) {
        aslValidate ??= keptAjvValidator();
        const result = aslValidate(JSON.parse(text));
        errors = result.isValid ? [] : result.errorsText("\n").split("\n");
        if (aslVerdicts.size >= ASL_VERDICTS_KEPT) aslVerdicts.delete(aslVerdicts.keys().next().value!);
        aslVerdicts.set(text, errors);
    }
    return [...errors];
}
