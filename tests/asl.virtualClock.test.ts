/**
 * The ASL interpreter's discrete-event mode (bench/support/asl.ts, VirtualClock): exact virtual
 * times and orderings at small sizes — concurrent child executions of a Distributed Map capped by
 * MaxConcurrency, ItemBatcher batches, a Map Run failing past ToleratedFailurePercentage (children
 * in flight stopped, no new ones), Retry backoff with FULL jitter, Task latency, several
 * executions on one clock.
 */
import { expect } from "chai";
import type { AslDefinition } from "../core/orchestrator/stateMachine";
import { runAsl, runAslTogether, VirtualClock } from "../bench/support/asl";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const secs = (clock: VirtualClock) => (clock.nowMs() - T0) / 1000;

/** A Distributed Map over `items` in S3: each child waits `$.Items[0].wait` seconds (or `$.wait` unbatched), then calls `work`. */
function mapMachine(opts: { maxConcurrency: number; tolerated?: number; batch?: number }): AslDefinition {
    return {
        Comment: "map",
        StartAt: "Fan",
        States: {
            Fan: {
                Type: "Map",
                ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" }, Parameters: { Bucket: "b", Key: "items.json" } },
                ...(opts.batch ? { ItemBatcher: { MaxItemsPerBatch: opts.batch } } : {}),
                MaxConcurrency: opts.maxConcurrency,
                ToleratedFailurePercentage: opts.tolerated ?? 0,
                ItemProcessor: {
                    ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
                    StartAt: "Begin",
                    States: {
                        Begin: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "begin", "Payload.$": "$" }, ResultPath: null, Next: "Hold" },
                        Hold: { Type: "Wait", SecondsPath: opts.batch ? "$.Items.0.wait" : "$.wait", Next: "Work" },
                        Work: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "work", "Payload.$": "$" }, OutputPath: "$.Payload", End: true },
                    },
                },
                ResultPath: "$.out",
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.mapError", Next: "Failed" }],
                Next: "Done",
            },
            Failed: { Type: "Pass", Next: "Done" },
            Done: { Type: "Succeed" },
        },
    };
}

describe("ASL interpreter on a virtual clock (bench/support/asl.ts)", () => {
    it("wakes sleepers in time order, those due at the same instant in the order they slept, and finds a deadlock", async () => {
        const clock = new VirtualClock(T0);
        const log: string[] = [];
        const sleeper = async (name: string, s: number) => {
            await clock.sleep(s);
            log.push(`${name}@${secs(clock)}`);
        };
        await clock.drive(Promise.all([sleeper("a", 30), sleeper("b", 10), sleeper("c", 10), sleeper("d", 0)]));
        expect(log).to.deep.equal(["d@0", "b@10", "c@10", "a@30"]);
        const never = new Promise<void>(() => undefined);
        const err = await clock.drive(never).catch((e: Error) => e);
        expect((err as Error).message).to.match(/deadlock/);
    });

    it("runs MaxConcurrency child executions at once: 5 children of 100/50/10/40/30 s, 2 in flight, each slot takes the next item as it frees", async () => {
        const clock = new VirtualClock(T0);
        const starts: [number, number][] = [];
        const ends: [number, number][] = [];
        const objects = new Map([["items.json", JSON.stringify([100, 50, 10, 40, 30].map((wait, id) => ({ id, wait })))]]);
        const mapRuns: NonNullable<Parameters<typeof runAsl>[2]["mapRuns"]> = [];
        const run = await runAsl(mapMachine({ maxConcurrency: 2 }), {}, {
            clock,
            objects,
            mapRuns,
            lambdas: {
                begin: async (p) => void starts.push([(p as { id: number }).id, secs(clock)]),
                work: async (p) => (ends.push([(p as { id: number }).id, secs(clock)]), (p as { id: number }).id),
            },
        });
        expect(run.status).to.equal("SUCCEEDED");
        // Slot 1: item 0 (0–100); slot 2: item 1 (0–50), item 2 (50–60), item 3 (60–100), then item 4 (100–130) on whichever slot frees first at 100.
        expect(starts).to.deep.equal([[0, 0], [1, 0], [2, 50], [3, 60], [4, 100]]);
        expect(ends).to.deep.equal([[1, 50], [2, 60], [0, 100], [3, 100], [4, 130]]);
        expect(secs(clock)).to.equal(130);
        expect(mapRuns).to.deep.include.members([{ state: "Fan", items: 5, children: 5, failed: 0, maxConcurrency: 2, largestChildInput: 19, peakInFlight: 2, aborted: 0 }]);
        expect((run.output as { out: number[] }).out).to.deep.equal([0, 1, 2, 3, 4]);
    });

    it("MaxConcurrency 0 starts every child at once; ItemBatcher cuts the items into batches, one child each", async () => {
        const clock = new VirtualClock(T0);
        const objects = new Map([["items.json", JSON.stringify([20, 1, 40, 1, 30].map((wait, id) => ({ id, wait })))]]);
        const mapRuns: NonNullable<Parameters<typeof runAsl>[2]["mapRuns"]> = [];
        const batches: number[][] = [];
        const def = mapMachine({ maxConcurrency: 0, batch: 2 });
        // SecondsPath on the batch's first item.
        (def.States.Fan.ItemProcessor as AslDefinition).States.Hold.SecondsPath = "$.first";
        (def.States.Fan.ItemProcessor as AslDefinition).States.Begin = {
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: { FunctionName: "begin", "Payload.$": "$" },
            ResultSelector: { "first.$": "$.Payload" },
            OutputPath: "$",
            Next: "Hold",
        };
        const run = await runAsl(def, {}, {
            clock,
            objects,
            mapRuns,
            lambdas: {
                begin: async (p) => {
                    const items = (p as { Items: { id: number; wait: number }[] }).Items;
                    batches.push(items.map((i) => i.id));
                    return items[0].wait;
                },
                work: async () => secs(clock),
            },
        });
        expect(run.status).to.equal("SUCCEEDED");
        expect(batches).to.deep.equal([[0, 1], [2, 3], [4]]);
        expect((run.output as { out: number[] }).out).to.deep.equal([20, 40, 30]);
        expect(secs(clock)).to.equal(40);
        expect(mapRuns[0]).to.deep.include({ items: 5, children: 3, peakInFlight: 3, maxConcurrency: 0 });
    });

    it("a Map Run past ToleratedFailurePercentage fails: the children in flight are stopped, none is started after, the error reaches the Catch", async () => {
        const clock = new VirtualClock(T0);
        // 2 in flight, 10 % tolerated: the second failure (20 %) fails the Map Run.
        const objects = new Map([["items.json", JSON.stringify(Array.from({ length: 10 }, (_, id) => ({ id, wait: 10 * (id + 1) })))]]);
        // 10 children of 10, 20, 30 … s.
        const worked: number[] = [];
        const mapRuns: NonNullable<Parameters<typeof runAsl>[2]["mapRuns"]> = [];
        const caught: { state: string; error: string }[] = [];
        const run = await runAsl(mapMachine({ maxConcurrency: 2, tolerated: 10 }), {}, {
            clock,
            objects,
            mapRuns,
            caught,
            lambdas: {
                begin: async () => undefined,
                work: async (p) => {
                    const id = (p as { id: number }).id;
                    worked.push(id);
                    if (id === 0 || id === 2) throw Object.assign(new Error(`item ${id} broke`), { name: "Broken" });
                    return id;
                },
            },
        });
        expect(run.status).to.equal("SUCCEEDED");
        expect(run.path).to.deep.equal(["Fan", "Failed", "Done"]);
        // t=10: 0 fails (10 %, tolerated), 2 starts (until 40); t=20: 1 done, 3 starts (until 60); t=40: 2 fails (20 %) → the Map
        // Run fails; 3 is stopped at its next transition (t=60, the end of its Wait) before it calls work; 4–9 never start.
        expect(worked).to.deep.equal([0, 1, 2]);
        expect(secs(clock)).to.equal(60);
        expect(mapRuns[0]).to.deep.include({ children: 4, failed: 2, aborted: 1 });
        expect((run.output as { mapError: { Error: string } }).mapError.Error).to.equal("States.ExceedToleratedFailureThreshold");
        expect(caught.map((c) => `${c.state}:${c.error}`)).to.deep.equal(["Work:Broken", "Work:Broken", "Fan:States.ExceedToleratedFailureThreshold"]);
    });

    it("Retry waits IntervalSeconds × BackoffRate^n, scaled by FULL jitter, capped by MaxDelaySeconds; Task latency adds to every attempt", async () => {
        const clock = new VirtualClock(T0);
        let calls = 0;
        const at: number[] = [];
        const def: AslDefinition = {
            Comment: "retry",
            StartAt: "Call",
            States: {
                Call: {
                    Type: "Task",
                    Resource: "arn:aws:states:::lambda:invoke",
                    Parameters: { FunctionName: "flaky", Payload: {} },
                    Retry: [{ ErrorEquals: ["Throttled"], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 4, MaxDelaySeconds: 60, JitterStrategy: "FULL" }],
                    End: true,
                },
            },
        };
        const retried: { state: string; error: string }[] = [];
        const run = await runAsl(def, {}, {
            clock,
            taskSeconds: 1,
            random: () => 0.5,
            retried,
            lambdas: {
                flaky: async () => {
                    at.push(secs(clock));
                    if (++calls < 4) throw Object.assign(new Error("slow down"), { name: "Throttled" });
                    return "ok";
                },
            },
        });
        expect(run.status).to.equal("SUCCEEDED");
        // Attempts at 1; 1 + 5 + 1 = 7; 7 + 15 + 1 = 23; 23 + min(90, 60) × 0.5 + 1 = 54.
        expect(at).to.deep.equal([1, 7, 23, 54]);
        expect(retried).to.have.length(3);
    });

    it("runs several executions on one clock, interleaved, each ending at its own time", async () => {
        const clock = new VirtualClock(T0);
        const log: string[] = [];
        const def = (name: string, seconds: number): AslDefinition => ({
            Comment: name,
            StartAt: "Wait",
            States: {
                Wait: { Type: "Wait", Seconds: seconds, Next: "Note" },
                Note: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "note", Payload: { name } }, End: true },
            },
        });
        const lambdas = { note: async (p: unknown) => void log.push(`${(p as { name: string }).name}@${secs(clock)}`) };
        const runs = await runAslTogether(clock, [
            { def: def("slow", 300), input: {}, env: { lambdas } },
            { def: def("fast", 60), input: {}, env: { lambdas } },
        ]);
        expect(log).to.deep.equal(["fast@60", "slow@300"]);
        expect(runs.map((r) => [r.status, ((r.endedAt ?? 0) - T0) / 1000])).to.deep.equal([
            ["SUCCEEDED", 300],
            ["SUCCEEDED", 60],
        ]);
    });
});
