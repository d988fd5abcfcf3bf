/** Orchestrator step Lambda: restores original instance states (stops what was stopped); in fleet mode (FLEET_BUCKET set) records each batch's results and sweeps the run from its S3 lists. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Store } from "../core/orchestrator/fleet";
import { restoreHandler, StepEvent } from "../core/orchestrator/handlers";

// Adaptive retry: the SDK's client-side token bucket slows this container down on throttling
// (many batches in flight share the account's EC2 request buckets).
const ec2 = new EC2Client({ retryMode: "adaptive", maxAttempts: 8 });
const bucket = process.env.FLEET_BUCKET;
const store = bucket ? s3Store(new S3Client({}), bucket) : undefined;

export const handler = (event: StepEvent) => restoreHandler(event, { ec2, ...(store ? { store } : {}) });
