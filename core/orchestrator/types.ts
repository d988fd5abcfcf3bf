/**
 * The data the batch patch orchestrator passes between its Step Functions states. Plain JSON:
 * every state receives one of these objects and returns the next version of it, so an operator
 * sees the whole run in the execution's input/output panes.
 */
import type { GateCheck } from "./gate";

/** Run settings: the maintenance window task's Step Functions input (≤ 4096 characters). */
export interface OrchestratorSettings {
    /** Orchestrator name (from config). */
    orchestrator: string;
    /** Which instances: tags (all keys must match one of their values) and/or a resource group. */
    targets: { tags: Record<string, string[]>; resourceGroup?: string };
    batchSize: number;
    /** Instance types patched first, in order; `m5.*` matches a family. */
    priorityInstanceTypes: string[];
    waitBetweenBatchesSeconds: number;
    agentWaitSeconds: number;
    /** Failures tolerated before no further batch starts: a count or a percentage of the targets. */
    maxErrors: string;
    /** No batch starts after this many minutes from the start of the run. */
    maxRuntimeMinutes: number;
    /**
     * Fleet mode only (`scale: fleet`): child executions (batches) the Distributed Map runs at once.
     * Absent: the one-batch-at-a-time run.
     */
    batchesInFlight?: number;
    preflight: {
        enabled: boolean;
        minFreeGbWindows: number;
        minFreeGbLinux: number;
        cleanup: boolean;
        dismResetBase: boolean;
        windowsUpdateChecks: boolean;
        windowsUpdateEndpoints: string[];
        skipOnWindowsUpdateProblems: boolean;
        timeoutSeconds: number;
        /** `untaggedVolumes`: the IAM grant covers untagged volumes too (the Lambda grows only attached root volumes either way). */
        volumeExpansion: { enabled: boolean; incrementGb: number; maxVolumeSizeGb: number; untaggedVolumes: boolean };
    };
    patch: { operation: "Install" | "Scan"; rebootOption: "RebootIfNeeded" | "NoReboot"; timeoutSeconds: number };
}

/** Deployment wiring the Lambdas receive as environment variables (not operator input). */
export interface OrchestratorEnvironment {
    /** The preflight Command document (Windows and Linux steps). */
    preflightDocument: string;
    /** Log group for command output and summaries. */
    logGroupName: string;
    /** SNS topic for summaries. */
    topicArn?: string;
    /**
     * `s3://bucket/key` of the stack's baseline-override object, sent as AWS-RunPatchBaseline's
     * `BaselineOverride` so the stack's baselines apply, never the Region's default baseline.
     */
    baselineOverride?: string;
}

export type OriginalState = "running" | "stopped";
export type InstanceStatus = "pending" | "patched" | "failed" | "skipped";
export type Platform = "Windows" | "Linux" | "MacOS" | "Unknown";

/** An instance found by discovery. */
export interface TargetInstance {
    instanceId: string;
    instanceType: string;
    name: string;
    /** From EC2 (`Platform: windows`), refined by the SSM agent's PlatformType once Online. */
    platform: Platform;
    originalState: OriginalState;
    /** The root EBS volume (expansion target). */
    rootVolumeId?: string;
}

/** What the preflight script reported (its last `PREFLIGHT_RESULT {json}` line). */
export interface PreflightReport {
    platform: "Windows" | "Linux";
    operation: "Check" | "Extend";
    /** Free space of the system drive / root filesystem before cleanup, GiB. */
    freeGbBefore: number;
    /** Free space after cleanup (or after extending the partition), GiB. */
    freeGb: number;
    /** Size of the system drive / root filesystem, GiB. */
    sizeGb: number;
    cleanupRan: boolean;
    /** Windows Update services that are not running after the repair attempt. */
    servicesNotRunning: string[];
    /** Endpoints that could not be reached on 443. */
    endpointsUnreachable: string[];
    rebootPending: boolean;
}

/** The decision taken on an instance's disk space. */
export type DiskDecision =
    | { action: "ok"; freeGb: number; requiredGb: number }
    | { action: "expand"; volumeId: string; fromGb: number; toGb: number; freeGb: number; requiredGb: number }
    | { action: "insufficient"; freeGb: number; requiredGb: number; reason: string };

/** An instance as it moves through a run. */
export interface InstanceRecord extends TargetInstance {
    status: InstanceStatus;
    /** Why it failed or was skipped. */
    reason?: string;
    /** The run started it (it was stopped). */
    startedByRun?: boolean;
    /** SSM agent reported Online during this run. */
    online?: boolean;
    /** Preflight measurements. */
    preflight?: PreflightReport;
    disk?: DiskDecision;
    /** Non-fatal findings (pending reboot, Windows Update service problems, …). */
    warnings?: string[];
    /** What the restore did: stopped again, left running (it was running), or could not stop. */
    restore?: "stopped" | "already-stopped" | "left-running" | "stop-failed";
}

export interface RunInfo {
    runId: string;
    /** Fleet mode: where the run's lists live in S3 and its size (references, never lists). */
    fleet?: FleetRunRef;
    orchestrator: string;
    /** Maintenance window execution that started the run, when started by a window. */
    windowExecutionId?: string;
    /** ISO instant the run started. */
    startedAt: string;
    /** ISO instant after which no batch starts. */
    deadline: string;
    settings: OrchestratorSettings;
}

export type StopReason = "done" | "no-targets" | "error-threshold" | "deadline" | "calendar-closed" | "error";

/** The parent state machine's state. */
export interface RunState {
    run: RunInfo;
    /** Every target by id, with its latest record. */
    instances: Record<string, InstanceRecord>;
    /** Planned batches (instance ids), in order. */
    batches: string[][];
    /** Index of the next batch to run. */
    cursor: number;
    /** What the state machine does next. */
    next: { action: "batch"; batch: BatchInput } | { action: "finish"; reason: StopReason; detail?: string };
    /** Set when a batch execution itself failed (caught by the parent). */
    lastBatchError?: StepError;
    finalRestore?: RestoreResult;
    /** The approval calendar's state at the last check (when the stack has an approval gate). */
    gate?: GateCheck;
}

/** The child (batch) state machine's input. */
export interface BatchInput {
    run: RunInfo;
    batchIndex: number;
    batchCount: number;
    instances: InstanceRecord[];
}

/** A Run Command sent by the batch and how it is tracked. */
export interface CommandTracking {
    purpose: "preflight" | "extend" | "patch";
    commandId?: string;
    instanceIds: string[];
    sentAt: string;
    deadline: string;
    /** All invocations reached a final status (or there was nothing to send). */
    done: boolean;
    /** Final status per instance once done. */
    invocations?: Record<string, { status: string; details?: string; output?: string }>;
}

/** Fleet mode: the run's objects in the fleet bucket and its size. */
export interface FleetRunRef {
    /** `runs/<runId>/`: every object of the run is under it. */
    prefix: string;
    /** Where the Distributed Map's ResultWriter writes (`<prefix>map-results`). */
    resultsPrefix: string;
    batchesInFlight: number;
    /** Targets of the whole run and the failures it tolerates (errorBudget of maxErrors). */
    targets: number;
    budget: number;
}

/** The child state machine's state. */
export interface BatchState extends BatchInput {
    /** Fleet mode: the gate before the batch stopped it (calendar closed, error budget spent, deadline); nothing was started. */
    gated?: boolean;
    /** Fleet mode: seconds the batch waits before StartInstances (its pacing slot; core/orchestrator/fleet.ts startOffsetSeconds). */
    startOffsetSeconds?: number;
    /** Fleet mode: the priority group the batch belongs to. */
    group?: number;
    agents?: { deadline: string; done: boolean; checks: number };
    command?: CommandTracking;
    volumes?: { done: boolean; count: number; deadline: string; pending: { instanceId: string; volumeId: string; toGb: number }[] };
    /** Set by a Catch: the error that interrupted the batch. */
    error?: StepError;
    restoreResult?: RestoreResult;
}

/** Step Functions' error object (`Error`, `Cause`) as put by a Catch's ResultPath. */
export interface StepError {
    Error?: string;
    Cause?: string;
}

export interface RestoreResult {
    stopped: string[];
    alreadyStopped: string[];
    leftRunning: string[];
    failed: { instanceId: string; reason: string }[];
}

/** A run's summary (log and SNS). */
export interface RunSummary {
    orchestrator: string;
    runId: string;
    startedAt: string;
    finishedAt: string;
    reason: StopReason;
    detail?: string;
    counts: { targets: number; patched: number; failed: number; skipped: number; pending: number; startedAndStopped: number };
    instances: { instanceId: string; name: string; instanceType: string; status: InstanceStatus; reason?: string; originalState: OriginalState; restore?: string; warnings?: string[] }[];
}
