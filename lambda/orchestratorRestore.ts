/** Orchestrator step Lambda: restores original instance states (stops what was stopped). */
import { EC2Client } from "@aws-sdk/client-ec2";
import { restoreHandler, StepEvent } from "../core/orchestrator/handlers";

const ec2 = new EC2Client({});

export const handler = (event: StepEvent) => restoreHandler(event, { ec2 });
