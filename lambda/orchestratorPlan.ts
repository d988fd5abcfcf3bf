/** Orchestrator step Lambda: `plan` (discover targets, order, batch) and `record` (fold a batch in). */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { planHandler, StepEvent } from "../core/orchestrator/handlers";

const ec2 = new EC2Client({});
const resourceGroups = new ResourceGroupsClient({});

export const handler = (event: StepEvent) => planHandler(event, { ec2, resourceGroups, clock: () => new Date() });
