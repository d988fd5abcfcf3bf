/**
 * The fleet run state machine (`scale: fleet`, issue 18): Step Functions' Distributed Map patches
 * ≥ 10,000 instances in one run, one child workflow execution per batch, payloads that carry
 * references only (core/orchestrator/fleet.ts has the decisions and the S3 layout).
 *
 *   FleetPlan        discover, order by priority, write each priority group's target list to S3;
 *                    return the group keys and counts (never the instance lists)
 *   NextGroup        groups run one after another, so a higher-priority group finishes before the
 *                    next starts; inside a group `batchesInFlight` batches run at once
 *   ApprovalGate     approval calendar before each group
 *   PatchGroup       DISTRIBUTED Map: ItemReader = the group's target list in S3; ItemBatcher cuts
 *                    it into batches of batchSize; each batch is a child execution: BatchGate
 *                    (calendar, the run's error budget, deadline; the batch's StartInstances
 *                    slot) → PaceStart (Wait) → the batch steps of the
 *                    one-batch-at-a-time run (start, agents, preflight, volumes, patch) → restore,
 *                    which records the batch's results in S3; ToleratedFailurePercentage from the
 *                    error budget; ResultWriter to S3
 *   RecordGroup      folds the group's results into the counts; error budget; next group or finish
 *   FinalRestore     stops again every originally stopped instance of the attempted groups
 *   PublishSummary
 *
 * Limits that bound it (sources in docs/maintenance-windows-and-orchestrator.md, "Limits"):
 * Distributed Map runs up to 10,000 child executions in parallel (MaxConcurrency); execution
 * input/output and state payloads are at most 256 KiB; SendCommand takes at most 50 instance ids.
 */
import { AslDefinition, AslState, batchDefinition, LAMBDA_RETRY, THROTTLE_RETRY, STILL_STARTING_RETRY } from "./stateMachine";
export { DISTRIBUTED_MAP_MAX_CONCURRENCY } from "./settings";

export interface FleetMachineArns {
    planFunctionArn: string;
    batchFunctionArn: string;
    restoreFunctionArn: string;
    summaryFunctionArn: string;
    /** Bucket holding the run's target lists and the Map results. */
    bucketName: string;
}

/** The fleet run's Error when instances failed but within its error budget (core/orchestrator/locationHandlers.ts reads it). */
export const FAILED_WITHIN_BUDGET_ERROR = "PatchRunFailedWithinBudget";

/** Largest payload of a state's input or output, and of an execution's input (bytes). */
export const STEP_FUNCTIONS_PAYLOAD_MAX = 262_144;

/** A Lambda step: `{ action, state }` in, the function's result out; Lambda and throttling retries; everything else caught into `catchTo`. */
export function task(fn: string, action: string, next: string, catchTo: string, extra: Partial<AslState> = {}): AslState {
    return {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: fn, Payload: { action, "state.$": "$" } },
        OutputPath: "$.Payload",
        Retry: [LAMBDA_RETRY, THROTTLE_RETRY],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: catchTo }],
        Next: next,
        ...extra,
    };
}

/** The fleet run state machine. */
export function fleetDefinition(arns: FleetMachineArns, opts: { batchTimeoutSeconds: number }): AslDefinition {
    const batch = batchDefinition({ batchFunctionArn: arns.batchFunctionArn, restoreFunctionArn: arns.restoreFunctionArn }, { timeoutSeconds: opts.batchTimeoutSeconds });
    const restoreBatch = batch.States.RestoreBatch;
    return {
        Comment: "Fleet patch run: priority groups one after another, each a Distributed Map of batch child executions over the group's target list in S3",
        StartAt: "FleetPlan",
        // A backstop above every step deadline: the run's own deadline plus one batch.
        TimeoutSeconds: opts.batchTimeoutSeconds + 1440 * 60,
        States: {
            FleetPlan: {
                ...task(arns.planFunctionArn, "fleetPlan", "NextGroup", "PublishSummary", { Comment: "Discover, order, batch; write each priority group's target list to S3; return references" }),
                Parameters: { FunctionName: arns.planFunctionArn, Payload: { action: "fleetPlan", "state.$": "$", "executionName.$": "$$.Execution.Name" } },
                Retry: [LAMBDA_RETRY, THROTTLE_RETRY],
            },
            NextGroup: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "group", Next: "ApprovalGate" }],
                Default: "FinalRestore",
            },
            ApprovalGate: task(arns.planFunctionArn, "fleetGate", "GateOpen", "FinalRestore", { Comment: "The approval calendar must be OPEN before each group (and each batch checks again)" }),
            GateOpen: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "group", Next: "PatchGroup" }],
                Default: "FinalRestore",
            },
            PatchGroup: {
                Type: "Map",
                Comment: "One child execution per batch of the group; batchesInFlight at once",
                Label: "PatchGroup",
                ItemReader: {
                    Resource: "arn:aws:states:::s3:getObject",
                    ReaderConfig: { InputType: "JSON" },
                    Parameters: { Bucket: arns.bucketName, "Key.$": "$.next.group.key" },
                },
                ItemBatcher: {
                    MaxItemsPerBatchPath: "$.run.settings.batchSize",
                    BatchInput: { "run.$": "$.run", "group.$": "$.next.group.index", "batchCount.$": "$.next.group.batches", "groupStartedAt.$": "$.next.group.startedAt" },
                },
                MaxConcurrencyPath: "$.run.fleet.batchesInFlight",
                ToleratedFailurePercentagePath: "$.next.group.toleratedFailurePercentage",
                ItemProcessor: {
                    ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
                    StartAt: "BatchGate",
                    States: {
                        BatchGate: {
                            ...task(arns.planFunctionArn, "fleetBatchGate", "BatchGateOpen", "BatchGateFailed", {
                                Comment: "Before each batch: approval calendar OPEN, the run's error budget not spent, the deadline not passed",
                            }),
                            Retry: [LAMBDA_RETRY, THROTTLE_RETRY],
                        },
                        BatchGateOpen: {
                            Type: "Choice",
                            Choices: [{ Variable: "$.gated", BooleanEquals: true, Next: "RestoreBatch" }],
                            Default: "PaceStart",
                        },
                        PaceStart: {
                            Type: "Wait",
                            Comment: "The batch's StartInstances slot (the gate's startOffsetSeconds): the batches in flight start their stopped instances at the pacing bucket's rate, not at once",
                            SecondsPath: "$.startOffsetSeconds",
                            Next: batch.StartAt,
                        },
                        BatchGateFailed: { Type: "Fail", Error: "BatchGateFailed", Cause: "The gate before the batch failed; nothing was started" },
                        ...batch.States,
                        RestoreBatch: {
                            ...restoreBatch,
                            Comment: "Always runs: stop again what was stopped before the run; record the batch's results in S3",
                            Parameters: { FunctionName: arns.restoreFunctionArn, Payload: { action: "fleetRestoreBatch", "state.$": "$" } },
                        },
                    },
                },
                ResultWriter: {
                    Resource: "arn:aws:states:::s3:putObject",
                    Parameters: { Bucket: arns.bucketName, "Prefix.$": "$.run.fleet.resultsPrefix" },
                },
                ResultPath: "$.groupResult",
                // Only a failed read is retried: nothing ran yet (retrying the Map after it ran would patch twice).
                Retry: [{ ErrorEquals: ["States.ItemReaderFailed"], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.groupError", Next: "RecordGroup" }],
                Next: "RecordGroup",
            },
            RecordGroup: task(arns.planFunctionArn, "fleetRecord", "NextGroup", "FinalRestore", { Comment: "Fold the group's results in (from S3); error budget; next group or finish" }),
            FinalRestore: {
                ...task(arns.restoreFunctionArn, "fleetRestore", "PublishSummary", "PublishSummary", { Comment: "Every originally stopped instance of the attempted groups that is running is stopped (from the run's S3 lists)" }),
                Retry: [LAMBDA_RETRY, STILL_STARTING_RETRY, THROTTLE_RETRY],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.finalRestoreError", Next: "PublishSummary" }],
            },
            PublishSummary: {
                ...task(arns.summaryFunctionArn, "fleetPublish", "Outcome", "SummaryFailed"),
                Parameters: { FunctionName: arns.summaryFunctionArn, Payload: { action: "fleetPublish", "state.$": "$", "executionName.$": "$$.Execution.Name" } },
                OutputPath: undefined,
                ResultSelector: { "runFailed.$": "$.Payload.runFailed", "failedWithinBudget.$": "$.Payload.failedWithinBudget", "counts.$": "$.Payload.counts", "logStream.$": "$.Payload.logStream" },
                ResultPath: "$.summary",
                Retry: [LAMBDA_RETRY, THROTTLE_RETRY],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.summaryError", Next: "SummaryFailed" }],
            },
            Outcome: {
                Type: "Choice",
                Choices: [
                    { Variable: "$.summary.failedWithinBudget", BooleanEquals: true, Next: "RunFailedWithinBudget" },
                    { Variable: "$.summary.runFailed", BooleanEquals: true, Next: "RunFailed" },
                ],
                Default: "RunSucceeded",
            },
            RunFailed: { Type: "Fail", Error: "PatchRunFailed", Cause: "Instances failed or the run stopped early; see the summary in SNS, the log group and summary.json in the fleet bucket" },
            // Its own Error, so a cross-account coordinator (DescribeExecution `error`) tells it from a run stopped at its error budget.
            RunFailedWithinBudget: {
                Type: "Fail",
                Error: FAILED_WITHIN_BUDGET_ERROR,
                Cause: "Some instances failed, within the run's error budget (maxErrors); see the summary in SNS, the log group and summary.json in the fleet bucket",
            },
            SummaryFailed: { Type: "Fail", Error: "SummaryFailed", Cause: "The summary could not be published; see $.summaryError" },
            RunSucceeded: { Type: "Succeed" },
        },
    };
}
