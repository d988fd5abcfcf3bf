/**
 * Scheduled daily (EventBridge Scheduler): deletes this stack's expired pre-patch snapshots.
 * Logic: core/snapshotRetention.ts. Fails the invocation (alarm) when a deletion failed.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { clientConfig } from "../core/awsClients";
import { RetentionResult, sweepSnapshots } from "../core/snapshotRetention";
import { env, envInt } from "../core/lambdaEnv";

export async function handler(): Promise<RetentionResult> {
    const result = await sweepSnapshots(new EC2Client(clientConfig({ region: env("AWS_REGION") })), {
        stack: env("STACK"),
        defaultRetentionDays: envInt("DEFAULT_RETENTION_DAYS", 14),
        now: new Date(),
    });
    if (result.failed.length > 0) throw new Error(`could not delete ${result.failed.length} snapshot(s): ${result.failed.map((f) => `${f.snapshotId} (${f.error})`).join("; ")}`);
    return result;
}
