/** Orchestrator step Lambda: the steps of one batch (start, agent checks, commands, evaluations). */
import { EC2Client } from "@aws-sdk/client-ec2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { batchHandler, StepEvent } from "../core/orchestrator/handlers";
import { orchestratorEnv } from "../core/orchestrator/env";

// Adaptive retry: the SDK's client-side token bucket slows this container down on throttling
// (many batches in flight share the account's EC2 request buckets).
const ec2 = new EC2Client({ retryMode: "adaptive", maxAttempts: 8 });
const ssm = new SSMClient({ retryMode: "adaptive", maxAttempts: 8 });

export const handler = (event: StepEvent) => batchHandler(event, { ec2, ssm, env: orchestratorEnv(), clock: () => new Date() });
