/**
 * Resource data sync → the sync bucket. Systems Manager writes as `ssm.amazonaws.com`:
 * s3:GetBucketAcl on the bucket, then s3:PutObject under `<prefix>/<data type>/accountid=<account>/…`
 * with the header `x-amz-acl: bucket-owner-full-control`, each with `aws:SourceAccount` and
 * `aws:SourceArn` = the sync's ARN (`arn:aws:ssm:<region>:<account>:resource-data-sync/<name>`);
 * a bucket encrypted with a customer managed key needs the key to admit `ssm.amazonaws.com`
 * for kms:GenerateDataKey (Systems Manager user guide, "Configuring resource data sync for
 * Inventory": https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-create-resource-data-sync.html).
 */
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, serviceCaller, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-create-resource-data-sync.html";

export function dataSyncEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const sync of plan.ofType("aws:ssm/resourceDataSync:ResourceDataSync")) {
        const dest = sync.inputs.s3Destination as { bucketName: string; prefix?: string; region?: string; kmsKeyArn?: string } | undefined;
        if (!dest || !plan.bucketNamed(dest.bucketName)) continue; // a bucket of another stack (the management account's): its policy is there
        const name = String(sync.inputs.name ?? sync.name);
        const syncArn = `arn:${plan.partition}:ssm:${plan.region}:${plan.account}:resource-data-sync/${name}`;
        const bucketArn = `arn:${plan.partition}:s3:::${dest.bucketName}`;
        const object = (account: string) =>
            `${bucketArn}/${dest.prefix ? `${dest.prefix}/` : ""}AWS:ComplianceItem/accountid=${account}/region=${plan.region}/resourcetype=ManagedInstanceInventory/i-0123456789abcdef0.json`;
        const policy = plan.bucketPolicy(dest.bucketName);
        const write = (account: string, arn: string): EdgeRequest[] => {
            const ssm = serviceCaller(plan, "ssm.amazonaws.com", { "aws:SourceAccount": account, "aws:SourceArn": arn });
            const out = [
                ssm("s3:GetBucketAcl", bucketArn, { "aws:SecureTransport": "true" }, policy),
                ssm("s3:PutObject", object(plan.account), { "aws:SecureTransport": "true", "s3:x-amz-acl": "bucket-owner-full-control" }, policy),
            ];
            const sse = plan.bucketEncryption(dest.bucketName);
            const keyArn = dest.kmsKeyArn ?? sse?.keyArn;
            const keyPolicy = keyArn ? plan.keyPolicy(keyArn) : undefined;
            if (keyArn && keyPolicy) out.push(ssm("kms:GenerateDataKey", keyArn, { "kms:EncryptionContext:aws:s3:arn": sse?.bucketKey ? bucketArn : object(plan.account) }, keyPolicy));
            return out;
        };
        const strangerSync = inAccount(syncArn, STRANGER_ACCOUNT);
        edges.push({
            id: `data-sync:${name}->${dest.bucketName}`,
            kind: "resource data sync → S3",
            from: `ResourceDataSync ${name}`,
            to: `s3://${dest.bucketName}/${dest.prefix ?? ""}`,
            requests: write(plan.account, syncArn),
            strangers: [{ ...write(STRANGER_ACCOUNT, strangerSync)[1], stranger: "a sync of another account writing under this account's prefix" }],
            source: SOURCE,
        });
    }
    return edges;
}
