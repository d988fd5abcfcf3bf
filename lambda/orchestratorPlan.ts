/** Orchestrator step Lambda: `plan` (discover targets, order, batch) and `record` (fold a batch in); checks the approval calendar before each batch. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { SSMClient } from "@aws-sdk/client-ssm";
import { planHandler, StepEvent } from "../core/orchestrator/handlers";

const ec2 = new EC2Client({});
const resourceGroups = new ResourceGroupsClient({});
const calendar = process.env.APPROVAL_CALENDAR;
const approval = calendar ? { ssm: new SSMClient({}), calendar } : undefined;

export const handler = (event: StepEvent) => planHandler(event, { ec2, resourceGroups, clock: () => new Date(), ...(approval ? { approval } : {}) });
