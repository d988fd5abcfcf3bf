/** Orchestrator step Lambda: `plan` (discover targets, order, batch) and `record` (fold a batch in); checks the approval calendar before each batch. In fleet mode (FLEET_BUCKET set) the `fleet*` actions: target lists to S3, the gate before each batch, groups folded in. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { s3Store } from "../core/orchestrator/fleet";
import { fleetPlanHandler, planHandler, StepEvent } from "../core/orchestrator/planHandlers";

const ec2 = new EC2Client({});
const resourceGroups = new ResourceGroupsClient({});
const calendar = process.env.APPROVAL_CALENDAR;
const approval = calendar ? { ssm: new SSMClient({}), calendar } : undefined;
const bucket = process.env.FLEET_BUCKET;
const store = bucket ? s3Store(new S3Client({}), bucket) : undefined;

export const handler = (event: StepEvent) => {
    const deps = { ec2, resourceGroups, clock: () => new Date(), ...(approval ? { approval } : {}), ...(store ? { store } : {}) };
    return event.action.startsWith("fleet") ? fleetPlanHandler(event, deps) : planHandler(event, deps);
};
