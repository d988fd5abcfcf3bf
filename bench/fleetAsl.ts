/**
 * The fleet run as deployed, at scale (issue 18, item 3): the registered fleet state machine
 * (`fleetDefinition`, the same ASL JSON components/patchOrchestrator.ts deploys) executed by the
 * ASL interpreter (bench/support/asl.ts) on a virtual clock, child executions really concurrent
 * (Distributed Map MaxConcurrency, ItemBatcher, ToleratedFailurePercentage), driving the real
 * Lambda handlers (core/orchestrator/handlers.ts) against a simulated fleet per account and Region:
 * the same instances as bench/fleetSim.ts (install + reboot time, stopped instances and their
 * agent delay, preflight and install failures) and the same service-side token buckets, a call
 * finding its bucket empty being throttled.
 *
 * The deployed Lambdas' SDK clients retry throttling themselves (`maxAttempts: 8`); that retry is
 * modelled here (the SDK's throttling backoff: full jitter, base 500 ms, cap 20 s), so what
 * reaches the state machine is what the Lambda would raise; the state machine's own Retry
 * (THROTTLE_RETRY) then takes over. "Surfaced" throttling is a throttling error no Retry absorbed.
 *
 * Every target location (account × Region) runs its own fleet execution, all on one clock (the
 * "per-account orchestrators started centrally" model of bench/fleetSim.ts).
 */
import { DescribeInstancesCommand, Filter, StartInstancesCommand, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { CancelCommandCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand } from "@aws-sdk/client-ssm";
import { memoryStore } from "../core/orchestrator/fleet";
import { fleetDefinition } from "../core/orchestrator/fleetMachine";
import { batchHandler, fleetPlanHandler, restoreHandler, StepEvent, summaryHandler } from "../core/orchestrator/handlers";
import { BucketSpec, BucketState, fullBucket, PacedApi, take, THROTTLING_ERRORS } from "../core/orchestrator/pacing";
import { normaliseSettings } from "../core/orchestrator/settings";
import type { RunSummary } from "../core/orchestrator/types";
import { ApiStats, OrchestratorSimSettings, rng, SERVICE_LIMITS, SimInstance } from "./fleetSim";
import { AslRun, runAslTogether, VirtualClock } from "./support/asl";
import { groupBy } from "../core/collections";

/** The batch and restore Lambdas' SDK clients (lambda/orchestratorBatch.ts, orchestratorRestore.ts): attempts per call. */
export const SDK_MAX_ATTEMPTS = 8;
/** The SDK's retry backoff for throttling errors (@smithy/util-retry: THROTTLING_RETRY_DELAY_BASE, MAXIMUM_RETRY_DELAY). */
export const SDK_THROTTLING_BASE_MS = 500;
export const SDK_MAX_DELAY_MS = 20_000;
/** Seconds a started instance stays `pending`. */
export const PENDING_SECONDS = 30;
/** Seconds each Task takes (Lambda invocation and state transition). */
export const TASK_SECONDS = 0.2;

const T0 = Date.parse("2026-12-01T00:00:00Z");
const ENV = { preflightDocument: "fleet-preflight", logGroupName: "/aws/ssm/patch-manager", topicArn: "arn:aws:sns:us-east-1:123456789012:fleet-patch-summary" };
const ARNS = { planFunctionArn: "arn:plan", batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", bucketName: "fleet-runs" };
const TAG = { key: "PatchGroup", value: "fleet" };

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: name === "RequestLimitExceeded" ? 503 : 400 } });

interface SimCommand {
    id: string;
    document: string;
    instanceIds: string[];
    sentAt: number;
    cancelled: boolean;
}

/**
 * One account and Region: its instances, EC2 and SSM as the handlers see them (objects with the
 * SDK clients' `send`), the service's token buckets for StartInstances, StopInstances and
 * SendCommand, and the SDK's own retry of throttling in front of them.
 */
export class SimLocation {
    readonly byId: Map<string, SimInstance>;
    private readonly state = new Map<string, "running" | "stopped">();
    private readonly startedAt = new Map<string, number>();
    private readonly commands = new Map<string, SimCommand>();
    /** When each instance's patch command finished (virtual ms), for "patched inside the window". */
    readonly patchDoneAt = new Map<string, number>();
    private readonly buckets: Record<PacedApi, BucketState>;

    constructor(
        private readonly clock: VirtualClock,
        readonly instances: SimInstance[],
        private readonly service: Record<PacedApi, BucketSpec>,
        private readonly preflightSeconds: number,
        private readonly random: () => number,
        readonly stats: Record<PacedApi, ApiStats>,
    ) {
        this.byId = new Map(instances.map((i) => [i.instanceId, i]));
        for (const i of instances) this.state.set(i.instanceId, i.originalState);
        const now = clock.nowMs();
        this.buckets = { StartInstances: fullBucket(service.StartInstances, now), StopInstances: fullBucket(service.StopInstances, now), SendCommand: fullBucket(service.SendCommand, now) };
    }

    /** A paced API call with the SDK's retry: throttled attempts back off (virtual time) until the attempts run out. */
    private async paced<T>(api: PacedApi, call: () => T): Promise<T> {
        for (let attempt = 0; ; attempt++) {
            this.stats[api].calls++;
            const got = take(this.service[api], this.buckets[api], this.clock.nowMs());
            this.buckets[api] = got.state;
            if (got.ok) return call();
            this.stats[api].throttles++;
            if (attempt + 1 >= SDK_MAX_ATTEMPTS) throw api === "SendCommand" ? awsError("ThrottlingException", "Rate exceeded") : awsError("RequestLimitExceeded", "Request limit exceeded.");
            await this.clock.sleep(Math.min(SDK_MAX_DELAY_MS, this.random() * 2 ** attempt * SDK_THROTTLING_BASE_MS) / 1000);
        }
    }

    currentState(id: string): string {
        const s = this.state.get(id)!;
        const at = this.startedAt.get(id);
        return s === "running" && at !== undefined && this.clock.nowMs() - at < PENDING_SECONDS * 1000 ? "pending" : s;
    }
    /** Originally stopped instances that are not stopped now. */
    leftRunning(): number {
        return this.instances.filter((i) => i.originalState === "stopped" && this.state.get(i.instanceId) !== "stopped").length;
    }
    private online(i: SimInstance): boolean {
        if (this.currentState(i.instanceId) !== "running") return false;
        const since = this.startedAt.get(i.instanceId);
        return since === undefined || this.clock.nowMs() - since >= i.agentSeconds * 1000;
    }
    private instance(id: string): SimInstance {
        const i = this.byId.get(id);
        if (!i) throw awsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
        return i;
    }
    private command(id: string): SimCommand {
        const c = this.commands.get(id);
        if (!c) throw awsError("InvalidCommandId", id);
        return c;
    }
    private isPatch(c: SimCommand): boolean {
        return c.document === "AWS-RunPatchBaseline";
    }
    private invocationStatus(c: SimCommand, i: SimInstance): string {
        if (c.cancelled) return "Cancelled";
        const seconds = this.isPatch(c) ? i.installSeconds : this.preflightSeconds;
        if (this.clock.nowMs() - c.sentAt < seconds * 1000) return "InProgress";
        return (this.isPatch(c) ? i.failsInstall : i.failsPreflight) ? "Failed" : "Success";
    }

    private describeInstances(input: { Filters?: Filter[]; NextToken?: string; MaxResults?: number }) {
        const matching = this.instances.filter((i) =>
            (input.Filters ?? []).every((f) => {
                const values = f.Values ?? [];
                if (f.Name === "instance-state-name") return values.includes(this.currentState(i.instanceId));
                if (f.Name === "instance-id") return values.includes(i.instanceId);
                if (f.Name === `tag:${TAG.key}`) return values.includes(TAG.value);
                throw new Error(`simulated DescribeInstances does not know filter ${f.Name}`);
            }),
        );
        const from = Number(input.NextToken ?? 0);
        const page = matching.slice(from, from + (input.MaxResults ?? 1000));
        const next = from + page.length < matching.length ? String(from + page.length) : undefined;
        return {
            Reservations: [
                {
                    Instances: page.map((i) => ({
                        InstanceId: i.instanceId,
                        InstanceType: i.instanceType,
                        State: { Name: this.currentState(i.instanceId) },
                        Tags: [{ Key: "Name", Value: i.name }, { Key: TAG.key, Value: TAG.value }],
                        Platform: "windows",
                        PlatformDetails: "Windows",
                        RootDeviceName: "/dev/sda1",
                        BlockDeviceMappings: [{ DeviceName: "/dev/sda1", Ebs: { VolumeId: `vol-${i.instanceId.slice(2)}` } }],
                    })),
                },
            ],
            ...(next ? { NextToken: next } : {}),
        };
    }

    /** EC2 as the handlers call it. */
    readonly ec2 = {
        send: async (command: unknown): Promise<unknown> => {
            if (command instanceof DescribeInstancesCommand) return this.describeInstances(command.input);
            if (command instanceof StartInstancesCommand) {
                const ids = command.input.InstanceIds ?? [];
                return this.paced("StartInstances", () => {
                    for (const id of ids) this.instance(id);
                    for (const id of ids) {
                        if (this.state.get(id) === "stopped") {
                            this.state.set(id, "running");
                            this.startedAt.set(id, this.clock.nowMs());
                        }
                    }
                    return { StartingInstances: ids.map((InstanceId) => ({ InstanceId })) };
                });
            }
            if (command instanceof StopInstancesCommand) {
                const ids = command.input.InstanceIds ?? [];
                return this.paced("StopInstances", () => {
                    for (const id of ids) {
                        this.state.set(id, "stopped");
                        this.startedAt.delete(id);
                    }
                    return { StoppingInstances: ids.map((InstanceId) => ({ InstanceId })) };
                });
            }
            throw new Error(`simulated EC2 does not implement ${(command as object).constructor.name}`);
        },
    };

    /** SSM as the handlers call it. */
    readonly ssm = {
        send: async (command: unknown): Promise<unknown> => {
            if (command instanceof DescribeInstanceInformationCommand) {
                const ids = command.input.Filters?.find((f) => f.Key === "InstanceIds")?.Values ?? [];
                return { InstanceInformationList: ids.map((id) => this.instance(id)).map((i) => ({ InstanceId: i.instanceId, PingStatus: this.online(i) ? "Online" : "ConnectionLost", PlatformType: "Windows" })) };
            }
            if (command instanceof SendCommandCommand) {
                const input = command.input;
                return this.paced("SendCommand", () => {
                    const c: SimCommand = { id: `cmd-${this.commands.size + 1}`, document: input.DocumentName!, instanceIds: input.InstanceIds ?? [], sentAt: this.clock.nowMs(), cancelled: false };
                    this.commands.set(c.id, c);
                    if (this.isPatch(c)) for (const id of c.instanceIds) this.patchDoneAt.set(id, c.sentAt + this.instance(id).installSeconds * 1000);
                    return { Command: { CommandId: c.id } };
                });
            }
            if (command instanceof ListCommandInvocationsCommand) {
                const c = this.command(command.input.CommandId!);
                return { CommandInvocations: c.instanceIds.map((id) => ({ CommandId: c.id, InstanceId: id, Status: this.invocationStatus(c, this.instance(id)) })) };
            }
            if (command instanceof GetCommandInvocationCommand) {
                const c = this.command(command.input.CommandId!);
                const i = this.instance(command.input.InstanceId!);
                const status = this.invocationStatus(c, i);
                if (status !== "Success") return { Status: status, StandardOutputContent: "", StandardErrorContent: this.isPatch(c) ? "Failed to install package: KB5040000 (0x80070643)" : "preflight check failed" };
                const report = { platform: "Windows", operation: "Check", freeGbBefore: 50, freeGb: 50, sizeGb: 80, cleanupRan: false, servicesNotRunning: [], endpointsUnreachable: [], rebootPending: false };
                return { Status: status, StandardOutputContent: this.isPatch(c) ? "" : `Preflight Check\nPREFLIGHT_RESULT ${JSON.stringify(report)}\n` };
            }
            if (command instanceof CancelCommandCommand) {
                this.command(command.input.CommandId!).cancelled = true;
                return {};
            }
            throw new Error(`simulated SSM does not implement ${(command as object).constructor.name}`);
        },
    };
}

const emptyStats = (): Record<PacedApi, ApiStats> => ({
    StartInstances: { calls: 0, throttles: 0, surfaced: 0 },
    StopInstances: { calls: 0, throttles: 0, surfaced: 0 },
    SendCommand: { calls: 0, throttles: 0, surfaced: 0 },
});

export interface AslFleetResult {
    mechanism: "orchestrator (state machine)";
    /** Virtual seconds until the last location's execution ended (its summary published). */
    wallSeconds: number;
    patched: number;
    failed: number;
    skipped: number;
    patchedWithinWindow: number;
    api: Record<PacedApi, ApiStats>;
    /** Throttling errors no Retry absorbed: they reached a Catch or ended an execution. */
    surfacedThrottles: number;
    /** Every error that reached a Catch or ended an execution, by name (all locations). */
    caught: Record<string, number>;
    leftRunning: number;
    /** Executions by status (one per location). */
    executions: Record<AslRun["status"], number>;
    /** Most child executions in flight at once in one Map Run, and the MaxConcurrency asked. */
    peakInFlight: number;
    maxConcurrency: number;
    /** Largest child execution input (bytes): references, not lists, at any size. */
    largestChildInput: number;
    /** Each location's run summary (summary.json, as the summary Lambda wrote it). */
    summaries: RunSummary[];
    /** Timer events the virtual clock processed (a measure of the simulation's work). */
    events: number;
}

/**
 * The design before StartInstances was paced (for comparison): the batch gate goes straight to
 * StartInstances, so every batch the Map starts together calls at once.
 */
export function unpacedDefinition() {
    const def = fleetDefinition(ARNS, { batchTimeoutSeconds: 86_400 + 7200 });
    const processor = def.States.PatchGroup.ItemProcessor as { States: Record<string, { Default?: string }> };
    processor.States.BatchGateOpen.Default = "StartInstances";
    delete processor.States.PaceStart;
    return def;
}

/** Settings of the run as the execution input carries them (validated by the plan Lambda as deployed). */
export function runSettings(settings: OrchestratorSimSettings) {
    return normaliseSettings({
        orchestrator: "fleet-bench",
        targets: { tags: { [TAG.key]: [TAG.value] } },
        batchSize: settings.batchSize,
        batchesInFlight: settings.batchesInFlight,
        maxErrors: settings.maxErrors,
        priorityInstanceTypes: settings.priorityInstanceTypes,
        agentWaitSeconds: settings.agentWaitSeconds,
        waitBetweenBatchesSeconds: settings.waitBetweenBatchesSeconds ?? 0,
        // The model has no deadline (the simulator starts every batch) and lets every install finish.
        maxRuntimeMinutes: 1440,
        preflight: { timeoutSeconds: 1800 },
        patch: { timeoutSeconds: 86_400 },
    });
}

/**
 * Runs the fleet state machine once per location of `fleet`, concurrently on one virtual clock,
 * and sums what the bench reports. `windowSeconds` counts the instances patched inside the window.
 */
export async function runFleetStateMachine(fleet: SimInstance[], settings: OrchestratorSimSettings, opts: { taskSeconds?: number; seed?: number; unpaced?: boolean } = {}): Promise<AslFleetResult> {
    const clock = new VirtualClock(T0);
    const random = rng(opts.seed ?? 7);
    const stats = emptyStats();
    const byLocation = groupBy(fleet, (i) => i.location);
    const service = { ...SERVICE_LIMITS, ...settings.service };
    const input = { windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: runSettings(settings) };
    const def = opts.unpaced ? unpacedDefinition() : fleetDefinition(ARNS, { batchTimeoutSeconds: 86_400 + 7200 });
    const caught: { state: string; error: string }[] = [];
    const mapRuns: { state: string; items: number; children: number; failed: number; maxConcurrency: number; largestChildInput: number; peakInFlight: number; aborted: number }[] = [];
    const locations = [...byLocation.entries()].map(([name, instances], n) => {
        const where = new SimLocation(clock, instances, service, settings.preflightSeconds, random, stats);
        const store = memoryStore();
        const now = () => clock.now();
        const none = { send: async () => ({}) };
        const noResourceGroups = {
            send: async () => {
                throw new Error("the bench targets tags, not a resource group");
            },
        };
        const planDeps = { ec2: where.ec2 as never, resourceGroups: noResourceGroups as never, clock: now, store };
        const lambdas = {
            "arn:plan": (p: unknown) => fleetPlanHandler(p as StepEvent, planDeps),
            "arn:batch": (p: unknown) => batchHandler(p as StepEvent, { ec2: where.ec2 as never, ssm: where.ssm as never, env: ENV, clock: now }),
            "arn:restore": (p: unknown) => restoreHandler(p as StepEvent, { ec2: where.ec2 as never, store }),
            "arn:summary": (p: unknown) => summaryHandler(p as StepEvent, { logs: none as never, sns: { send: async () => ({ MessageId: "m" }) } as never, env: ENV, clock: now, log: () => undefined, store }),
        };
        const env = { lambdas, executionName: `run-${n}`, objects: store.objects, maxTransitions: 1_000_000, taskSeconds: opts.taskSeconds ?? TASK_SECONDS, random, caught, mapRuns };
        return { name, where, store, env };
    });
    const runs = await runAslTogether(
        clock,
        locations.map((l) => ({ def, input, env: l.env })),
    );
    const result: AslFleetResult = {
        mechanism: "orchestrator (state machine)",
        wallSeconds: Math.max(0, ...runs.map((r) => ((r.endedAt ?? T0) - T0) / 1000)),
        patched: 0,
        failed: 0,
        skipped: 0,
        patchedWithinWindow: 0,
        api: stats,
        surfacedThrottles: caught.filter((c) => THROTTLING_ERRORS.includes(c.error)).length,
        caught: {},
        leftRunning: 0,
        executions: { SUCCEEDED: 0, FAILED: 0, ABORTED: 0 },
        peakInFlight: Math.max(0, ...mapRuns.map((m) => m.peakInFlight)),
        maxConcurrency: Math.max(0, ...mapRuns.map((m) => m.maxConcurrency)),
        largestChildInput: Math.max(0, ...mapRuns.map((m) => m.largestChildInput)),
        summaries: [],
        events: clock.events,
    };
    for (const c of caught) result.caught[c.error] = (result.caught[c.error] ?? 0) + 1;
    for (const [n, l] of locations.entries()) {
        result.executions[runs[n].status]++;
        result.leftRunning += l.where.leftRunning();
        const summary = JSON.parse(l.store.objects.get(`runs/run-${n}/summary.json`) ?? "null") as RunSummary | null;
        if (!summary) throw new Error(`location ${l.name}: the run wrote no summary (${runs[n].status}: ${JSON.stringify(runs[n].error)})`);
        result.summaries.push(summary);
        for (const i of summary.instances) {
            if (i.status === "patched") {
                result.patched++;
                const done = l.where.patchDoneAt.get(i.instanceId);
                if (done !== undefined && done - T0 <= settings.windowSeconds * 1000) result.patchedWithinWindow++;
            } else if (i.status === "failed") result.failed++;
            else result.skipped++;
        }
    }
    return result;
}

