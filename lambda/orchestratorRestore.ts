/** Orchestrator step Lambda: restores original instance states (stops what was stopped); in fleet mode (FLEET_BUCKET set) records each batch's results and sweeps the run from its S3 lists. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Store } from "../core/orchestrator/fleet";
import { restoreHandler, StepEvent } from "../core/orchestrator/handlers";

const ec2 = new EC2Client({});
const bucket = process.env.FLEET_BUCKET;
const store = bucket ? s3Store(new S3Client({}), bucket) : undefined;

export const handler = (event: StepEvent) => restoreHandler(event, { ec2, ...(store ? { store } : {}) });
