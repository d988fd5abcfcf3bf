/**
 * The coordinator state machine of fleet mode across accounts and Regions (`<name>-coordinator`,
 * management account; decisions in core/orchestrator/crossAccount.ts):
 *
 *   Prepare          the run's settings and the deployed location list (in the definition)
 *   PatchLocations   DISTRIBUTED Map over the locations in order: MaxConcurrency = location
 *                    concurrency, ToleratedFailureCount = location error threshold (one more failed
 *                    location and the Map Run fails: no new location starts). Each child execution
 *                    starts the location's own fleet run (through the locations Lambda, which
 *                    assumes the member role; Step Functions has no cross-Region integrations) and
 *                    polls it until it ends; a run that ends FAILED/TIMED_OUT/ABORTED fails the child.
 *   Summarize        every location's status from its run (started before the threshold: they finish
 *                    on their own, restore included — the coordinator cannot stop them)
 *   Outcome          any location failed or not started → CoordinatorFailed (the window task shows it)
 */
import type { AslDefinition } from "./stateMachine";
import { LAMBDA_RETRY, THROTTLE_RETRY } from "./stateMachine";
import { task as lambdaTask } from "./fleetMachine";
import type { CoordinatorPlan } from "./crossAccount";

/** Seconds between two checks of a location's run (a run takes hours; 24 checks in 2 h). */
export const LOCATION_POLL_SECONDS = 300;

/** The coordinator definition for one orchestrator and its deployed locations. */
export function coordinatorDefinition(locationsFunctionArn: string, plan: CoordinatorPlan, opts: { timeoutSeconds: number }): AslDefinition {
    return {
        Comment: "Fleet patching across accounts and Regions: each location's own fleet run, locations in order, location concurrency and error threshold",
        StartAt: "Prepare",
        TimeoutSeconds: opts.timeoutSeconds,
        States: {
            Prepare: {
                Type: "Pass",
                Comment: "The window task's settings and the deployed locations (account × Region, in start order)",
                Parameters: { "settings.$": "$.settings", locations: plan.locations },
                Next: "PatchLocations",
            },
            PatchLocations: {
                Type: "Map",
                Comment: "One child execution per location; locationConcurrency at once; beyond locationMaxErrors failed locations, no new location starts",
                Label: "PatchLocations",
                ItemsPath: "$.locations",
                ItemSelector: { "location.$": "$$.Map.Item.Value", "settings.$": "$.settings", "coordinatorExecution.$": "$$.Execution.Name", "coordinatorStartTime.$": "$$.Execution.StartTime" },
                MaxConcurrency: plan.maxConcurrency,
                ToleratedFailureCount: plan.toleratedFailureCount,
                ItemProcessor: {
                    ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
                    StartAt: "StartLocationRun",
                    States: {
                        StartLocationRun: lambdaTask(locationsFunctionArn, "locationStart", "LocationRunDone", "LocationFailed", {
                            Comment: "Assume the member role; StartExecution of the location's <name>-run (idempotent by name)",
                        }),
                        WaitForLocationRun: { Type: "Wait", Seconds: LOCATION_POLL_SECONDS, Next: "CheckLocationRun" },
                        CheckLocationRun: lambdaTask(locationsFunctionArn, "locationCheck", "LocationRunDone", "LocationFailed", { Comment: "DescribeExecution of the location's run" }),
                        LocationRunDone: {
                            Type: "Choice",
                            Choices: [
                                { Variable: "$.status", StringEquals: "RUNNING", Next: "WaitForLocationRun" },
                                { Variable: "$.status", StringEquals: "SUCCEEDED", Next: "LocationSucceeded" },
                                // Instances failed within the location's own error budget: not a failed location.
                                { Variable: "$.status", StringEquals: "FAILED_WITHIN_BUDGET", Next: "LocationSucceeded" },
                            ],
                            Default: "LocationFailed",
                        },
                        LocationSucceeded: { Type: "Succeed" },
                        LocationFailed: { Type: "Fail", Error: "LocationRunFailed", Cause: "The location's run failed, timed out or was aborted, or could not be started; see its own summary" },
                    },
                },
                // The coordinator's payload stays small at any location count: the summary reads the runs.
                ResultPath: null,
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.mapError", Next: "Summarize" }],
                Next: "Summarize",
            },
            Summarize: {
                Type: "Task",
                Resource: "arn:aws:states:::lambda:invoke",
                Comment: "Every location's status from its run",
                Parameters: { FunctionName: locationsFunctionArn, Payload: { action: "locationSummary", "state.$": "$", "coordinatorExecution.$": "$$.Execution.Name" } },
                ResultSelector: { "runFailed.$": "$.Payload.runFailed", "counts.$": "$.Payload.counts", "stoppedByThreshold.$": "$.Payload.stoppedByThreshold" },
                ResultPath: "$.summary",
                Retry: [LAMBDA_RETRY, THROTTLE_RETRY],
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.summaryError", Next: "SummaryFailed" }],
                Next: "Outcome",
            },
            Outcome: { Type: "Choice", Choices: [{ Variable: "$.summary.runFailed", BooleanEquals: true, Next: "CoordinatorFailed" }], Default: "CoordinatorSucceeded" },
            CoordinatorFailed: { Type: "Fail", Error: "LocationsFailed", Cause: "A location's run failed or the location error threshold stopped new locations; see $.summary and each location's summary" },
            SummaryFailed: { Type: "Fail", Error: "SummaryFailed", Cause: "The locations' outcome could not be read; see $.summaryError" },
            CoordinatorSucceeded: { Type: "Succeed" },
        },
    };
}
