/**
 * Scheduled (EventBridge Scheduler): approval-date promotion. Reads dev's patch state (through the
 * read role when dev is another account), moves prod's baselines' approveUntilDate forward when dev
 * is green, and records the decision in the artifact bucket. Logic: core/promotion.ts.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { assumedRoleCredentials, clientConfig } from "../core/awsClients";
import { PromotionRecord, runApprovalDatePromotion } from "../core/promotion";
import { env, envInt, envList, envOptional } from "../core/lambdaEnv";

export async function handler(): Promise<PromotionRecord> {
    const region = env("AWS_REGION");
    const readRole = envOptional("DEV_READ_ROLE_ARN");
    const devCredentials = readRole ? assumedRoleCredentials(readRole, `patching-promotion-${env("STACK")}`, { region }) : undefined;
    return runApprovalDatePromotion(
        {
            devSsm: new SSMClient(clientConfig({ region, credentials: devCredentials })),
            prodSsm: new SSMClient(clientConfig({ region })),
            s3: new S3Client(clientConfig({ region })),
        },
        {
            stack: env("STACK"),
            devPatchGroups: envList("DEV_PATCH_GROUPS"),
            prodBaselineIds: envList("PROD_BASELINE_IDS"),
            minCompliantPercent: envInt("MIN_COMPLIANT_PERCENT", 100),
            minInstances: envInt("MIN_INSTANCES", 1),
            bucket: env("BUCKET"),
            now: new Date(),
        },
    );
}
