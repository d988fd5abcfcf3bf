/**
 * The orchestrator's two Step Functions state machines (Amazon States Language, JSONPath), built
 * as data so they can be tested without AWS:
 *
 * - the run (parent): discover and plan → for each batch: check the approval gate, run the batch state machine, restore it
 *   if that failed, record the results, stop at the error threshold or the deadline, wait → final
 *   restore → summary;
 * - the batch (child): start stopped instances → wait for the SSM agents → preflight → grow
 *   volumes → extend partitions → patch → restore.
 *
 * Every Task retries Lambda service errors and catches everything else into the restore path, so
 * instances that were stopped are stopped again whatever happens. Waiting is done by Wait states
 * (free, up to a year), never inside a Lambda.
 */

export interface AslState {
    Type: "Task" | "Choice" | "Wait" | "Pass" | "Succeed" | "Fail" | "Map";
    Comment?: string;
    Next?: string;
    End?: boolean;
    [key: string]: unknown;
}
export interface AslDefinition {
    Comment: string;
    StartAt: string;
    TimeoutSeconds?: number;
    States: Record<string, AslState>;
}

export interface BatchMachineArns {
    batchFunctionArn: string;
    restoreFunctionArn: string;
}
export interface RunMachineArns {
    planFunctionArn: string;
    restoreFunctionArn: string;
    summaryFunctionArn: string;
    batchStateMachineArn: string;
}

/** Poll intervals of the Wait states, in seconds. */
export interface PollIntervals {
    agents: number;
    command: number;
    volumes: number;
    patch: number;
}
export const DEFAULT_POLL_INTERVALS: PollIntervals = { agents: 20, command: 30, volumes: 30, patch: 60 };

/** Lambda invocation errors worth retrying (Step Functions best practice for Lambda tasks). */
export const LAMBDA_RETRY = {
    ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: "FULL",
};
/** AWS API throttling surfacing from inside a step (the SDK already retried a few times). */
export const THROTTLE_RETRY = {
    ErrorEquals: ["ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "Throttling"],
    IntervalSeconds: 5,
    MaxAttempts: 5,
    BackoffRate: 2,
    JitterStrategy: "FULL",
};
/** A restore finding an instance still `pending` retries until it can be stopped (≈ 10 minutes). */
export const STILL_STARTING_RETRY = { ErrorEquals: ["InstancesStillStarting"], IntervalSeconds: 30, MaxAttempts: 20, BackoffRate: 1 };

function lambdaTask(functionArn: string, action: string, next: string, catchTo: string, opts: { retries?: object[]; catchResultPath?: string; comment?: string } = {}): AslState {
    return {
        Type: "Task",
        ...(opts.comment ? { Comment: opts.comment } : {}),
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: functionArn, Payload: { action, "state.$": "$" } },
        OutputPath: "$.Payload",
        Retry: [LAMBDA_RETRY, ...(opts.retries ?? [])],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: opts.catchResultPath ?? "$.error", Next: catchTo }],
        Next: next,
    };
}

/** Send → (Wait → Poll)* → Evaluate for one Run Command, with the poll loop's states named after `label`. */
function commandLoop(
    fn: string,
    label: "Preflight" | "Extend" | "Patch",
    send: string,
    evaluateNext: string,
    waitSeconds: number,
    evaluate: AslState,
): Record<string, AslState> {
    return {
        [`Send${label}`]: lambdaTask(fn, send, `${label}Done`, "RestoreBatch", { comment: `SendCommand (${label.toLowerCase()}) to the batch's eligible instances` }),
        [`${label}Done`]: {
            Type: "Choice",
            Choices: [{ Variable: "$.command.done", BooleanEquals: true, Next: `Evaluate${label}` }],
            Default: `WaitFor${label}`,
        },
        [`WaitFor${label}`]: { Type: "Wait", Seconds: waitSeconds, Next: `Poll${label}` },
        [`Poll${label}`]: lambdaTask(fn, "pollCommand", `${label}Done`, "RestoreBatch", { retries: [THROTTLE_RETRY] }),
        [`Evaluate${label}`]: { ...evaluate, Next: evaluateNext },
    };
}

/** The batch (child) state machine. */
export function batchDefinition(arns: BatchMachineArns, opts: { timeoutSeconds: number; poll?: PollIntervals }): AslDefinition {
    const p = opts.poll ?? DEFAULT_POLL_INTERVALS;
    const fn = arns.batchFunctionArn;
    return {
        Comment: "Patch one batch: start stopped instances, wait for SSM agents, preflight, grow volumes, patch, restore original states",
        StartAt: "StartInstances",
        TimeoutSeconds: opts.timeoutSeconds,
        States: {
            StartInstances: lambdaTask(fn, "start", "CheckAgents", "RestoreBatch", {
                comment: "StartInstances for the instances that were stopped, one call for the batch (each on its own if one cannot start); throttled: the step is retried and skips what is already started",
                retries: [THROTTLE_RETRY],
            }),
            CheckAgents: lambdaTask(fn, "checkAgents", "AgentsReady", "RestoreBatch", { retries: [THROTTLE_RETRY] }),
            AgentsReady: {
                Type: "Choice",
                Comment: "Every agent Online, or the agent wait (agentWaitSeconds) is over",
                Choices: [{ Variable: "$.agents.done", BooleanEquals: true, Next: "SendPreflight" }],
                Default: "WaitForAgents",
            },
            WaitForAgents: { Type: "Wait", Seconds: p.agents, Next: "CheckAgents" },
            ...commandLoop(fn, "Preflight", "sendPreflight", "VolumesReady", p.command, lambdaTask(fn, "evaluatePreflight", "VolumesReady", "RestoreBatch", { comment: "Disk decisions; ModifyVolume where expansion is needed" })),
            VolumesReady: {
                Type: "Choice",
                Comment: "Grown volumes reached optimizing/completed → extend partitions; none grown → patch",
                Choices: [
                    { Variable: "$.volumes.done", BooleanEquals: false, Next: "WaitForVolumes" },
                    { Variable: "$.volumes.count", NumericGreaterThan: 0, Next: "SendExtend" },
                ],
                Default: "SendPatch",
            },
            WaitForVolumes: { Type: "Wait", Seconds: p.volumes, Next: "CheckVolumes" },
            CheckVolumes: lambdaTask(fn, "checkVolumes", "VolumesReady", "RestoreBatch", { retries: [THROTTLE_RETRY] }),
            ...commandLoop(fn, "Extend", "sendExtend", "SendPatch", p.command, lambdaTask(fn, "evaluateExtend", "SendPatch", "RestoreBatch")),
            ...commandLoop(fn, "Patch", "sendPatch", "RestoreBatch", p.patch, lambdaTask(fn, "evaluatePatch", "RestoreBatch", "RestoreBatch")),
            RestoreBatch: lambdaTask(arns.restoreFunctionArn, "restoreBatch", "BatchDone", "BatchDone", {
                comment: "Always runs: stop again what was stopped before the run",
                retries: [STILL_STARTING_RETRY, THROTTLE_RETRY],
                catchResultPath: "$.restoreError",
            }),
            BatchDone: { Type: "Succeed" },
        },
    };
}

/** The run (parent) state machine, started by the maintenance window task. */
export function runDefinition(arns: RunMachineArns): AslDefinition {
    const plan = arns.planFunctionArn;
    return {
        Comment: "Batch patch orchestration: discover running and stopped targets, patch them batch by batch, restore original states, publish a summary",
        StartAt: "Plan",
        States: {
            Plan: {
                ...lambdaTask(plan, "plan", "HasBatches", "PublishSummary", { retries: [THROTTLE_RETRY], comment: "Discover targets (tags / resource group, running and stopped), order by priority, split into batches" }),
                Parameters: { FunctionName: plan, Payload: { action: "plan", "state.$": "$", "executionName.$": "$$.Execution.Name" } },
            },
            HasBatches: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "batch", Next: "ApprovalGate" }],
                Default: "FinalRestore",
            },
            ApprovalGate: lambdaTask(plan, "gate", "GateOpen", "FinalRestore", {
                retries: [THROTTLE_RETRY],
                comment: "Right before each batch: the stack's approval calendar must be OPEN (GetCalendarState); closed ends the run cleanly",
            }),
            GateOpen: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "batch", Next: "RunBatch" }],
                Default: "FinalRestore",
            },
            RunBatch: {
                Type: "Task",
                Comment: "One child execution per batch (its own history and graph in the console)",
                Resource: "arn:aws:states:::states:startExecution.sync:2",
                Parameters: {
                    StateMachineArn: arns.batchStateMachineArn,
                    Input: {
                        "run.$": "$.next.batch.run",
                        "batchIndex.$": "$.next.batch.batchIndex",
                        "batchCount.$": "$.next.batch.batchCount",
                        "instances.$": "$.next.batch.instances",
                        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
                    },
                },
                ResultSelector: { "instances.$": "$.Output.instances" },
                ResultPath: "$.batchResult",
                Retry: [{ ErrorEquals: ["StepFunctions.ExecutionLimitExceededException", "StepFunctions.SdkClientException"], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.lastBatchError", Next: "RestoreFailedBatch" }],
                Next: "RecordBatch",
            },
            RestoreFailedBatch: lambdaTask(arns.restoreFunctionArn, "restoreFailedBatch", "RecordBatch", "RecordBatch", {
                comment: "The batch execution failed or timed out: restore its instances now",
                retries: [STILL_STARTING_RETRY, THROTTLE_RETRY],
                catchResultPath: "$.restoreError",
            }),
            RecordBatch: lambdaTask(plan, "record", "MoreBatches", "FinalRestore", { comment: "Fold results in; stop at the error threshold or the deadline" }),
            MoreBatches: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "batch", Next: "WaitBetweenBatches" }],
                Default: "FinalRestore",
            },
            WaitBetweenBatches: { Type: "Wait", SecondsPath: "$.run.settings.waitBetweenBatchesSeconds", Next: "ApprovalGate" },
            FinalRestore: lambdaTask(arns.restoreFunctionArn, "restoreRun", "PublishSummary", "PublishSummary", {
                comment: "Safety net: every instance of every attempted batch that was stopped is stopped",
                retries: [STILL_STARTING_RETRY, THROTTLE_RETRY],
                catchResultPath: "$.finalRestoreError",
            }),
            PublishSummary: {
                ...lambdaTask(arns.summaryFunctionArn, "publish", "Outcome", "SummaryFailed", { retries: [THROTTLE_RETRY], catchResultPath: "$.summaryError" }),
                OutputPath: undefined,
                ResultSelector: { "runFailed.$": "$.Payload.runFailed", "counts.$": "$.Payload.counts", "logStream.$": "$.Payload.logStream" },
                ResultPath: "$.summary",
            },
            Outcome: {
                Type: "Choice",
                Choices: [{ Variable: "$.summary.runFailed", BooleanEquals: true, Next: "RunFailed" }],
                Default: "RunSucceeded",
            },
            RunFailed: { Type: "Fail", Error: "PatchRunFailed", Cause: "Instances failed or the run stopped early; see the summary in SNS and the log group" },
            SummaryFailed: { Type: "Fail", Error: "SummaryFailed", Cause: "The summary could not be published; see $.summaryError" },
            RunSucceeded: { Type: "Succeed" },
        },
    };
}

/** Drops `undefined` members (JSON.stringify does too; tests compare the parsed JSON). */
export function toJson(def: AslDefinition): string {
    return JSON.stringify(def);
}

/** Every state name a state can go to. */
export function transitions(state: AslState): string[] {
    const out: string[] = [];
    if (typeof state.Next === "string") out.push(state.Next);
    if (typeof state.Default === "string") out.push(state.Default);
    for (const c of (state.Choices as { Next: string }[] | undefined) ?? []) out.push(c.Next);
    for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) out.push(c.Next);
    return out;
}

/**
 * Structural problems of a definition: dangling Next/Default/Catch targets, unreachable states,
 * states that neither continue nor end, Tasks without Retry or Catch.
 */
export function definitionProblems(def: AslDefinition): string[] {
    const problems: string[] = [];
    const names = new Set(Object.keys(def.States));
    if (!names.has(def.StartAt)) problems.push(`StartAt ${def.StartAt} is not a state`);
    for (const [name, s] of Object.entries(def.States)) {
        for (const t of transitions(s)) if (!names.has(t)) problems.push(`${name} goes to ${t}, which is not a state`);
        const terminal = s.Type === "Succeed" || s.Type === "Fail" || s.End === true;
        if (!terminal && s.Type !== "Choice" && typeof s.Next !== "string") problems.push(`${name} has neither Next nor End`);
        if (s.Type === "Choice" && typeof s.Default !== "string") problems.push(`${name} (Choice) has no Default`);
        if (s.Type === "Task") {
            if (!Array.isArray(s.Retry) || s.Retry.length === 0) problems.push(`${name} (Task) has no Retry`);
            const c = s.Catch as { ErrorEquals: string[] }[] | undefined;
            if (!c || !c.some((x) => x.ErrorEquals.includes("States.ALL"))) problems.push(`${name} (Task) does not catch States.ALL`);
        }
    }
    const seen = new Set<string>();
    const walk = (n: string) => {
        if (seen.has(n) || !def.States[n]) return;
        seen.add(n);
        for (const t of transitions(def.States[n])) walk(t);
    };
    walk(def.StartAt);
    for (const n of names) if (!seen.has(n)) problems.push(`${n} is unreachable from ${def.StartAt}`);
    return problems;
}
