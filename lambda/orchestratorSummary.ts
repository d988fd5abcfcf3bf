/** Orchestrator step Lambda: writes the run summary to the log group and publishes it to SNS (fleet mode: built from the run's S3 lists, the full summary written next to them). */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { s3Store } from "../core/orchestrator/fleet";
import { StepEvent, summaryHandler } from "../core/orchestrator/handlers";
import { orchestratorEnv } from "../core/orchestrator/env";

const logs = new CloudWatchLogsClient({});
const sns = new SNSClient({});
const bucket = process.env.FLEET_BUCKET;
const store = bucket ? s3Store(new S3Client({}), bucket) : undefined;

export const handler = (event: StepEvent) => summaryHandler(event, { logs, sns, env: orchestratorEnv(), clock: () => new Date(), ...(store ? { store } : {}) });
