/** Orchestrator step Lambda: the steps of one batch (start, agent checks, commands, evaluations). */
import { EC2Client } from "@aws-sdk/client-ec2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { batchHandler, StepEvent } from "../core/orchestrator/handlers";
import { orchestratorEnv } from "../core/orchestrator/env";

const ec2 = new EC2Client({});
const ssm = new SSMClient({});

export const handler = (event: StepEvent) => batchHandler(event, { ec2, ssm, env: orchestratorEnv(), clock: () => new Date() });
