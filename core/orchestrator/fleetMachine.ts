/**
 * The fleet-scale run (issue 18): Step Functions' Distributed Map patches ≥ 10,000 instances in
 * one run, one child workflow execution per batch, with payloads that carry references only.
 *
 *   FleetPlan        discover, order by priority, split into batches; write one JSON array of
 *                    batches per priority group to S3 (`<prefix>/group-<n>.json`); return the
 *                    group keys and counts (never the instance lists)
 *   NextGroup        groups run one after another, so a higher-priority group finishes before the
 *                    next starts; inside a group `batchesInFlight` batches run at once
 *   ApprovalGate     approval calendar (and error budget) before each group
 *   PatchGroup       DISTRIBUTED Map: ItemReader = the group's S3 file; each item (one batch of
 *                    ≤ 50 instances) is a child execution running the batch states (start, agents,
 *                    preflight, volumes, patch, restore); ToleratedFailurePercentage from the
 *                    error budget; ResultWriter to S3
 *   RecordGroup      reads the ResultWriter manifest, folds failures into the error budget
 *   FinalRestore     stops again every originally stopped instance of the run that is running
 *   PublishSummary
 *
 * Limits that bound it (sources in BENCHMARKS.md, "Fleet"): Distributed Map runs up to 10,000
 * child executions in parallel (MaxConcurrency); execution input/output and state payloads are at
 * most 256 KiB; SendCommand takes at most 50 instance ids.
 */
import { AslDefinition, AslState, batchDefinition, LAMBDA_RETRY, THROTTLE_RETRY, STILL_STARTING_RETRY } from "./stateMachine";

export interface FleetMachineArns {
    planFunctionArn: string;
    batchFunctionArn: string;
    restoreFunctionArn: string;
    summaryFunctionArn: string;
    /** Bucket holding the run's target lists and the Map results. */
    bucketName: string;
}

/** Most child executions Distributed Map runs at once (Step Functions quotas). */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;
/** Largest payload of a state's input or output, and of an execution's input (bytes). */
export const STEP_FUNCTIONS_PAYLOAD_MAX = 262_144;

function task(fn: string, action: string, next: string, catchTo: string, extra: Partial<AslState> = {}): AslState {
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
    return {
        Comment: "Fleet patch run: priority groups one after another, each a Distributed Map of batch child executions over the group's target list in S3",
        StartAt: "FleetPlan",
        States: {
            FleetPlan: {
                ...task(arns.planFunctionArn, "fleetPlan", "NextGroup", "PublishSummary", { Comment: "Discover, order, batch; write each priority group's batches to S3; return references" }),
                Parameters: { FunctionName: arns.planFunctionArn, Payload: { action: "fleetPlan", "state.$": "$", "executionName.$": "$$.Execution.Name" } },
            },
            NextGroup: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "group", Next: "ApprovalGate" }],
                Default: "FinalRestore",
            },
            ApprovalGate: task(arns.planFunctionArn, "fleetGate", "GateOpen", "FinalRestore", { Comment: "Approval calendar OPEN and error budget left, before each group" }),
            GateOpen: {
                Type: "Choice",
                Choices: [{ Variable: "$.next.action", StringEquals: "group", Next: "PatchGroup" }],
                Default: "FinalRestore",
            },
            PatchGroup: {
                Type: "Map",
                Comment: "One child execution per batch of the group; batchesInFlight at once",
                ItemReader: {
                    Resource: "arn:aws:states:::s3:getObject",
                    ReaderConfig: { InputType: "JSON" },
                    Parameters: { Bucket: arns.bucketName, "Key.$": "$.next.group.key" },
                },
                ItemSelector: {
                    "run.$": "$.run",
                    "batchIndex.$": "$$.Map.Item.Value.batchIndex",
                    "batchCount.$": "$.next.group.batches",
                    "instances.$": "$$.Map.Item.Value.instances",
                },
                MaxConcurrencyPath: "$.run.fleet.batchesInFlight",
                ToleratedFailurePercentagePath: "$.next.group.toleratedFailurePercentage",
                ItemProcessor: {
                    ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
                    StartAt: batch.StartAt,
                    States: batch.States,
                },
                ResultWriter: {
                    Resource: "arn:aws:states:::s3:putObject",
                    Parameters: { Bucket: arns.bucketName, "Prefix.$": "$.run.fleet.resultsPrefix" },
                },
                ResultPath: "$.groupResult",
                Retry: [{ ErrorEquals: ["States.ItemReaderFailed", "States.ResultWriterFailed"], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.groupError", Next: "RecordGroup" }],
                Next: "RecordGroup",
            },
            RecordGroup: task(arns.planFunctionArn, "fleetRecord", "NextGroup", "FinalRestore", { Comment: "Read the ResultWriter manifest; fold failures into the error budget; next group or finish" }),
            FinalRestore: {
                ...task(arns.restoreFunctionArn, "fleetRestore", "PublishSummary", "PublishSummary", { Comment: "Every originally stopped instance of the run that is running is stopped (read from the run's S3 lists)" }),
                Retry: [LAMBDA_RETRY, STILL_STARTING_RETRY, THROTTLE_RETRY],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.finalRestoreError", Next: "PublishSummary" }],
            },
            PublishSummary: {
                ...task(arns.summaryFunctionArn, "fleetPublish", "Outcome", "SummaryFailed"),
                OutputPath: undefined,
                ResultSelector: { "runFailed.$": "$.Payload.runFailed", "counts.$": "$.Payload.counts" },
                ResultPath: "$.summary",
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.summaryError", Next: "SummaryFailed" }],
            },
            Outcome: { Type: "Choice", Choices: [{ Variable: "$.summary.runFailed", BooleanEquals: true, Next: "RunFailed" }], Default: "RunSucceeded" },
            RunFailed: { Type: "Fail", Error: "PatchRunFailed", Cause: "Instances failed or the run stopped early; see the summary" },
            SummaryFailed: { Type: "Fail", Error: "SummaryFailed", Cause: "The summary could not be published" },
            RunSucceeded: { Type: "Succeed" },
        },
    };
}

/** Every IAM action a state of the fleet definition makes Step Functions call, for the role's least-privilege policy. */
export function fleetMachineActions(): string[] {
    return [
        "lambda:InvokeFunction", // Task lambda:invoke (plan, batch, restore, summary)
        "s3:GetObject", // ItemReader s3:getObject
        "s3:PutObject", // ResultWriter
        "states:StartExecution", // Distributed Map child executions (on the state machine itself)
        "states:DescribeExecution",
        "states:StopExecution",
    ];
}
