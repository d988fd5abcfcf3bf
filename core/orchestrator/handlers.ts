/**
 * The four Lambda entry points of the orchestrator as plain functions of (event, dependencies):
 * `lambda/orchestrator*.ts` pass real SDK clients and the real clock; tests pass mocked clients
 * and a fake clock. Each state machine Task invokes one of them with `{ action, state }`.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { checkAgents, checkVolumes, evaluateExtend, evaluatePatch, evaluatePreflight, pollCommand, sendCommand, startBatch } from "./batch";
import { FleetRunState, FleetStore, writeBatchResult } from "./fleet";
import { fleetRestoreRun } from "./fleetRestore";
import { fleetSummary } from "./fleetSummary";
import { needStore, StepEvent, UnknownActionError } from "./planHandlers";
import type { Clock } from "./plan";
import { restoreBatch, restoreFailedBatch, restoreRun } from "./restore";
import { buildSummary, publishSummary, runFailed, SummaryInput, writeSummaryLog } from "./summary";
import type { BatchState, OrchestratorEnvironment, RunState } from "./types";

export { fleetPlanHandler, planHandler, UnknownActionError } from "./planHandlers";
export type { PlanDeps, StepEvent } from "./planHandlers";

/** Batch Lambda: every step of the child state machine but the restore. */
export async function batchHandler(event: StepEvent, deps: { ec2: EC2Client; ssm: SSMClient; env: OrchestratorEnvironment; clock: Clock }): Promise<BatchState> {
    const state = event.state as BatchState;
    const now = deps.clock();
    switch (event.action) {
        case "start":
            return startBatch(state, deps.ec2, now);
        case "checkAgents":
            return checkAgents(state, deps.ssm, now);
        case "sendPreflight":
            return sendCommand(state, "preflight", deps.ssm, deps.env, now);
        case "sendExtend":
            return sendCommand(state, "extend", deps.ssm, deps.env, now);
        case "sendPatch":
            return sendCommand(state, "patch", deps.ssm, deps.env, now);
        case "pollCommand":
            return pollCommand(state, deps.ssm, now);
        case "evaluatePreflight":
            return evaluatePreflight(state, deps.ec2, now);
        case "checkVolumes":
            return checkVolumes(state, deps.ec2, now);
        case "evaluateExtend":
            return evaluateExtend(state);
        case "evaluatePatch":
            return evaluatePatch(state);
        default:
            throw new UnknownActionError(event.action, "batch");
    }
}

/** Restore Lambda: the batch's restore, a failed batch's restore (parent), the run's final sweep; in fleet mode the batch's restore also records its results. */
export async function restoreHandler(event: StepEvent, deps: { ec2: EC2Client; store?: FleetStore }): Promise<BatchState | RunState | FleetRunState> {
    switch (event.action) {
        case "fleetRestoreBatch":
            return writeBatchResult(await restoreBatch(event.state as BatchState, deps.ec2), needStore(deps.store, event.action));
        case "fleetRestore":
            return fleetRestoreRun(event.state as FleetRunState, needStore(deps.store, event.action), deps.ec2);
        case "restoreBatch":
            return restoreBatch(event.state as BatchState, deps.ec2);
        case "restoreFailedBatch":
            return restoreFailedBatch(event.state as RunState, deps.ec2);
        case "restoreRun":
            return restoreRun(event.state as RunState, deps.ec2);
        default:
            throw new UnknownActionError(event.action, "restore");
    }
}

/** Summary Lambda: builds the summary, writes it to the log group and publishes it to SNS. */
export async function summaryHandler(
    event: StepEvent,
    deps: { logs: CloudWatchLogsClient; sns: SNSClient; env: OrchestratorEnvironment; clock: Clock; log?: (line: string) => void; store?: FleetStore },
): Promise<{ runFailed: boolean; failedWithinBudget: boolean; counts: ReturnType<typeof buildSummary>["counts"]; logStream: string; messageId?: string }> {
    if (event.action !== "publish" && event.action !== "fleetPublish") throw new UnknownActionError(event.action, "summary");
    const now = deps.clock();
    const summary =
        event.action === "fleetPublish"
            ? await fleetSummary({ ...(event.state as Partial<FleetRunState>), executionName: event.executionName }, needStore(deps.store, event.action), now)
            : buildSummary({ ...(event.state as SummaryInput), executionName: event.executionName }, now);
    (deps.log ?? ((l: string) => console.log(l)))(JSON.stringify({ message: "patch run summary", ...summary, instances: summary.instances.length > 500 ? `${summary.instances.length} instances (see the log stream and summary.json)` : summary.instances }));
    const logStream = await writeSummaryLog(deps.logs, deps.env.logGroupName, summary, now);
    const messageId = deps.env.topicArn ? await publishSummary(deps.sns, deps.env.topicArn, summary) : undefined;
    // Instances failed but the run went on within its error budget (a cross-account coordinator does not count such a location as failed).
    const failedWithinBudget = runFailed(summary) && summary.reason !== "error" && summary.reason !== "error-threshold";
    return { runFailed: runFailed(summary), failedWithinBudget, counts: summary.counts, logStream, ...(messageId ? { messageId } : {}) };
}
