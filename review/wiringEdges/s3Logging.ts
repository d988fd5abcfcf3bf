/**
 * S3 server access logging → the log bucket. S3 delivers the logs as `logging.s3.amazonaws.com`
 * (s3:PutObject under the target prefix) with `aws:SourceArn` = the SOURCE bucket's ARN and
 * `aws:SourceAccount` = its account, and the log bucket must grant it in its bucket policy; its
 * default encryption may only be SSE-S3 (S3 user guide, "Enabling Amazon S3 server access
 * logging", bucket policy form and destination bucket requirements:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { serviceCaller, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html";

export function s3LoggingEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const logging of plan.ofType("aws:s3/bucketLogging:BucketLogging")) {
        const source = plan.dependency(logging, "bucket", "aws:s3/bucket:Bucket") ?? plan.dependency(logging, "bucket", "aws:s3/bucketV2:BucketV2");
        const target = plan.dependency(logging, "targetBucket", "aws:s3/bucket:Bucket") ?? plan.bucketNamed(String(logging.inputs.targetBucket));
        if (!source || !target) continue; // a log bucket of another stack: its policy is not in this plan
        const sourceArn = plan.arnOf(source)!;
        const targetName = plan.arnOf(target)!.split(":::")[1];
        const object = `arn:${plan.partition}:s3:::${targetName}/${logging.inputs.targetPrefix ?? ""}2026-01-01-00-00-00-0123456789ABCDEF`;
        const deliver = (account: string, arn: string) =>
            serviceCaller(plan, "logging.s3.amazonaws.com", { "aws:SourceAccount": account, "aws:SourceArn": arn })("s3:PutObject", object, { "aws:SecureTransport": "true" }, plan.bucketPolicy(targetName));
        const sse = plan.bucketEncryption(targetName);
        const name = sourceArn.split(":::")[1];
        edges.push({
            id: `s3-logging:${name}->${targetName}`,
            kind: "S3 server access logging → log bucket",
            from: `Bucket ${name}`,
            to: `s3://${targetName}`,
            requests: [deliver(plan.account, sourceArn)],
            strangers: [
                { ...deliver(plan.account, `arn:${plan.partition}:s3:::${name}-other`), stranger: "another bucket of the account" },
                { ...deliver(STRANGER_ACCOUNT, `arn:${plan.partition}:s3:::${name}-stranger`), stranger: "a bucket of another account" },
            ],
            source: SOURCE,
            ...(sse && sse.sseAlgorithm !== "AES256" ? { contract: [`log bucket ${targetName} uses default encryption ${sse.sseAlgorithm}: S3 delivers server access logs only to a bucket with SSE-S3 (AES256) default encryption`] } : {}),
        });
    }
    return edges;
}
