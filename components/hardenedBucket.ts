import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Default encryption of a {@link HardenedBucket}. */
export type BucketEncryption =
    /** SSE-S3 (AES256). */
    | { type: "SSE_S3" }
    /** SSE-KMS with the given key, or a key created (with rotation) for this bucket. */
    | { type: "SSE_KMS"; kmsKeyArn?: pulumi.Input<string> };

/** Server access logging of a {@link HardenedBucket}. */
export type BucketAccessLogging =
    /** Create a dedicated, hardened log bucket next to this one. */
    | { mode: "create"; retentionDays?: number }
    /** Deliver to an existing log bucket. */
    | { mode: "existing"; targetBucket: pulumi.Input<string>; targetPrefix?: string }
    | { mode: "off" };

/** Arguments of {@link HardenedBucket}. */
export interface HardenedBucketArgs {
    /** Exact bucket name (already validated against S3 naming rules). @default auto-named from the resource name */
    bucketName?: pulumi.Input<string>;
    /** @default { type: "SSE_S3" } */
    encryption?: BucketEncryption;
    /** @default { mode: "create" } */
    accessLogging?: BucketAccessLogging;
    /** Lifecycle rules (provider form); e.g. expire noncurrent versions of one key. */
    lifecycleRules?: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule[]>;
    /** Statements added to the bucket policy after the always-present `DenyInsecureTransport`, built from the bucket ARN. */
    policyStatements?: (bucketArn: pulumi.Output<string>) => pulumi.Input<pulumi.Input<aws.iam.PolicyStatement>[]>;
    /** Protect the bucket from `pulumi destroy` (production). @default false */
    protect?: boolean;
    /** Tags for every resource of the component. */
    tags: Record<string, string>;
}

/** The statement every bucket of this program carries: no request without TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>): aws.iam.PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/**
 * An S3 bucket hardened the way Quick Setup's override bucket is, and then some: owner-enforced
 * object ownership (no ACLs), all public access blocked, versioning, default encryption (SSE-S3 or
 * SSE-KMS with a bucket key), server access logging, lifecycle rules and a TLS-only bucket policy.
 */
export class HardenedBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The KMS key encrypting the bucket, when SSE-KMS. */
    public readonly kmsKeyArn?: pulumi.Output<string>;
    /** The access-log bucket, when created here. */
    public readonly logBucket?: HardenedBucket;

    constructor(name: string, args: HardenedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:s3:HardenedBucket", name, {}, opts);
        const encryption = args.encryption ?? { type: "SSE_S3" };
        const logging = args.accessLogging ?? { mode: "create" };

        this.bucket = new aws.s3.Bucket(
            name,
            { bucket: args.bucketName, bucketPrefix: args.bucketName ? undefined : `${name.slice(0, 30)}-`, tags: args.tags },
            { parent: this, protect: args.protect },
        );
        const bucketId = this.bucket.id;

        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucketId, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucketId, versioningConfiguration: { status: "Enabled" } }, { parent: this });

        let kmsKeyArn: pulumi.Output<string> | undefined;
        if (encryption.type === "SSE_KMS") {
            kmsKeyArn = encryption.kmsKeyArn
                ? pulumi.output(encryption.kmsKeyArn)
                : new aws.kms.Key(
                      `${name}-key`,
                      { description: `Encrypts the ${name} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags },
                      { parent: this, protect: args.protect },
                  ).arn;
        }
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketId,
                rules: [
                    kmsKeyArn
                        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            { parent: this },
        );

        if (args.lifecycleRules) {
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucketId, rules: args.lifecycleRules }, { parent: this });
        }

        if (logging.mode === "create") {
            const retention = logging.retentionDays ?? 365;
            this.logBucket = new HardenedBucket(
                `${name}-access-logs`,
                {
                    accessLogging: { mode: "off" },
                    lifecycleRules: [{ id: "ExpireAccessLogs", status: "Enabled", filter: {}, expiration: { days: retention }, noncurrentVersionExpiration: { noncurrentDays: 1 } }],
                    // S3 server access logs are delivered by the logging service principal, from this account only.
                    policyStatements: (logArn) => [
                        {
                            Sid: "AllowServerAccessLogDelivery",
                            Effect: "Allow",
                            Principal: { Service: "logging.s3.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${logArn}/*`,
                            Condition: { ArnLike: { "aws:SourceArn": this.bucket.arn }, StringEquals: { "aws:SourceAccount": aws.getCallerIdentityOutput({}, { parent: this }).accountId } },
                        },
                    ],
                    protect: args.protect,
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        if (logging.mode !== "off") {
            new aws.s3.BucketLogging(
                `${name}-logging`,
                {
                    bucket: bucketId,
                    targetBucket: logging.mode === "create" ? this.logBucket!.bucketName : logging.targetBucket,
                    targetPrefix: logging.mode === "existing" ? (logging.targetPrefix ?? `${name}/`) : "",
                },
                { parent: this },
            );
        }

        const extra = args.policyStatements ? args.policyStatements(this.bucket.arn) : [];
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucketId,
                policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: pulumi.output(extra).apply((s) => [denyInsecureTransport(this.bucket.arn), ...s]) }),
            },
            // A policy is only accepted once the public access block is in place.
            { parent: this, dependsOn: [publicAccess] },
        );

        this.bucketName = this.bucket.bucket;
        this.bucketArn = this.bucket.arn;
        this.kmsKeyArn = kmsKeyArn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
    }
}
