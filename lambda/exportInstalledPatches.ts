/**
 * Scheduled (EventBridge Scheduler): pinned-list promotion. Writes what dev installed in the
 * current release cycles as the InstallOverrideList prod's gated install reads. Logic:
 * core/pinnedList.ts.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { assumedRoleCredentials, clientConfig } from "../core/awsClients";
import { PinnedListRecord, runPinnedListExport } from "../core/pinnedList";
import { env, envInt, envList, envOptional } from "../core/lambdaEnv";

export async function handler(): Promise<PinnedListRecord> {
    const region = env("AWS_REGION");
    const readRole = envOptional("DEV_READ_ROLE_ARN");
    const devCredentials = readRole ? assumedRoleCredentials(readRole, `patching-pinned-list-${env("STACK")}`, { region }) : undefined;
    return runPinnedListExport(
        { devSsm: new SSMClient(clientConfig({ region, credentials: devCredentials })), s3: new S3Client(clientConfig({ region })) },
        {
            stack: env("STACK"),
            devPatchGroups: envList("DEV_PATCH_GROUPS"),
            bucket: env("BUCKET"),
            objectKey: env("OBJECT_KEY"),
            lookbackCycles: envInt("LOOKBACK_CYCLES", 2),
            cycle: { time: env("CYCLE_TIME"), timezone: env("CYCLE_TIMEZONE") },
            now: new Date(),
        },
    );
}
