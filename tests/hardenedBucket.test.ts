import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { HardenedBucket, HardenedBucketArgs } from "../components/hardenedBucket";
import { runUnderMocks } from "../review/engine";
import { ACCOUNT, named, ofType, REGION, COMPONENT_RUN } from "./harness";

async function deploy(args: Partial<HardenedBucketArgs>) {
    return runUnderMocks({
        ...COMPONENT_RUN,
        program: () => new HardenedBucket("store", { tags: { Project: "patching" }, ...args }),
    });
}

const policyOf = (resources: Awaited<ReturnType<typeof deploy>>["resources"], name: string) =>
    JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", name).inputs.policy as string);

describe("HardenedBucket component", () => {
    it("blocks public access, enforces owner, versions, encrypts SSE-S3 and denies non-TLS", async () => {
        const { resources } = await deploy({ bucketName: "my-bucket-123" });
        expect(named(resources, "aws:s3/bucket:Bucket", "store").inputs).to.deep.include({ bucket: "my-bucket-123" });
        expect(named(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "store-public-access").inputs).to.deep.include({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(named(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "store-ownership").inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        expect(named(resources, "aws:s3/bucketVersioning:BucketVersioning", "store-versioning").inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
        expect(named(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-encryption").inputs.rules).to.deep.equal([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        expect(policyOf(resources, "store-policy").Statement).to.deep.equal([
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: ["arn:aws:s3:::my-bucket-123", "arn:aws:s3:::my-bucket-123/*"],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
    });

    it("logs access to a created, hardened log bucket that admits only S3 log delivery from this bucket", async () => {
        const { resources } = await deploy({ bucketName: "my-bucket-123" });
        expect(ofType(resources, "aws:s3/bucket:Bucket")).to.have.length(2);
        const logging = named(resources, "aws:s3/bucketLogging:BucketLogging", "store-logging");
        expect(logging.inputs).to.deep.include({ targetBucket: "store-access-logs-bucket", targetPrefix: "" });
        const logPolicy = policyOf(resources, "store-access-logs-policy");
        expect(logPolicy.Statement[1]).to.deep.equal({
            Sid: "AllowServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::store-access-logs-bucket/*",
            Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::my-bucket-123" }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
        });
        // The log bucket does not log to itself.
        expect(resources.find((r) => r.name === "store-access-logs-logging")).to.equal(undefined);
    });

    it("uses SSE-KMS with a created rotating key, or the given key", async () => {
        const created = (await deploy({ encryption: { type: "SSE_KMS" }, accessLogging: { mode: "off" } })).resources;
        expect(named(created, "aws:kms/key:Key", "store-key").inputs).to.deep.include({ enableKeyRotation: true });
        expect(named(created, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-encryption").inputs.rules).to.deep.equal([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/store-key-id` }, bucketKeyEnabled: true },
        ]);
        const given = (await deploy({ encryption: { type: "SSE_KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc" }, accessLogging: { mode: "off" } })).resources;
        expect(ofType(given, "aws:kms/key:Key")).to.have.length(0);
        expect(ofType(given, "aws:s3/bucketLogging:BucketLogging")).to.have.length(0);
    });

    it("adds lifecycle rules, extra policy statements, existing log targets and protection", async () => {
        const { resources } = await deploy({
            lifecycleRules: [{ id: "r", status: "Enabled", filter: { prefix: "k" }, noncurrentVersionExpiration: { noncurrentDays: 90 } }],
            accessLogging: { mode: "existing", targetBucket: "central-logs", targetPrefix: "x/" },
            policyStatements: (arn) => [{ Sid: "Extra", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: pulumi.interpolate`${arn}/k` }],
            protect: true,
        });
        expect(named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "store-lifecycle").inputs.rules).to.deep.equal([
            { id: "r", status: "Enabled", filter: { prefix: "k" }, noncurrentVersionExpiration: { noncurrentDays: 90 } },
        ]);
        expect(named(resources, "aws:s3/bucketLogging:BucketLogging", "store-logging").inputs).to.deep.include({ targetBucket: "central-logs", targetPrefix: "x/" });
        expect(policyOf(resources, "store-policy").Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["DenyInsecureTransport", "Extra"]);
        expect(named(resources, "aws:s3/bucket:Bucket", "store").options.protect).to.equal(true);
    });
});
