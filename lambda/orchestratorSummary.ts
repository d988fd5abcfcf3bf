/** Orchestrator step Lambda: writes the run summary to the log group and publishes it to SNS. */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { SNSClient } from "@aws-sdk/client-sns";
import { StepEvent, summaryHandler } from "../core/orchestrator/handlers";
import { orchestratorEnv } from "../core/orchestrator/env";

const logs = new CloudWatchLogsClient({});
const sns = new SNSClient({});

export const handler = (event: StepEvent) => summaryHandler(event, { logs, sns, env: orchestratorEnv(), clock: () => new Date() });
