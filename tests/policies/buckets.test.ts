import { expect } from "chai";
import { s3AccessLogging, s3DefaultEncryption, s3PublicAccessBlocked, s3TlsOnly, s3Versioning } from "../../policies/buckets";
import { messages, res } from "./util";

const bucket = res("aws:s3/bucket:Bucket", "b", { bucket: "my-bucket" });
const dep = { bucket: [bucket] };
const pab = (v = true) => res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { blockPublicAcls: true, blockPublicPolicy: v, ignorePublicAcls: true, restrictPublicBuckets: true }, dep);
const enc = res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "enc", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }, dep);
const ver = res("aws:s3/bucketVersioning:BucketVersioning", "ver", { versioningConfiguration: { status: "Enabled" } }, dep);
const tls = {
    Version: "2012-10-17",
    Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
};
const pol = (doc: unknown) => res("aws:s3/bucketPolicy:BucketPolicy", "pol", { policy: JSON.stringify(doc) }, dep);
const logBucket = res("aws:s3/bucket:Bucket", "logs", { bucket: "my-logs" });
const logging = res("aws:s3/bucketLogging:BucketLogging", "logging", { targetPrefix: "" }, { bucket: [bucket], targetBucket: [logBucket] });

describe("policies: buckets", () => {
    it("s3-public-access-blocked: passes all four on; reports missing or partial blocks", async () => {
        expect(await messages(s3PublicAccessBlocked, [bucket, pab()])).to.deep.equal([]);
        expect(await messages(s3PublicAccessBlocked, [bucket])).to.deep.equal(['Bucket "b": has no public access block. Fix: add aws.s3.BucketPublicAccessBlock with all four settings true (HardenedBucket does).']);
        expect(await messages(s3PublicAccessBlocked, [bucket, pab(false)])).to.deep.equal(['Bucket "b": public access block leaves blockPublicPolicy off. Fix: set them to true.']);
    });
    it("matches companions by bucket name when the name is known", async () => {
        const byName = res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab2", { bucket: "my-bucket", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(await messages(s3PublicAccessBlocked, [bucket, byName])).to.deep.equal([]);
    });
    it("s3-default-encryption", async () => {
        expect(await messages(s3DefaultEncryption, [bucket, enc])).to.deep.equal([]);
        expect(await messages(s3DefaultEncryption, [bucket])).to.have.length(1);
    });
    it("s3-versioning", async () => {
        expect(await messages(s3Versioning, [bucket, ver])).to.deep.equal([]);
        const suspended = res("aws:s3/bucketVersioning:BucketVersioning", "v", { versioningConfiguration: { status: "Suspended" } }, dep);
        expect(await messages(s3Versioning, [bucket, suspended])).to.deep.equal(['Bucket "b": is not versioned. Fix: add aws.s3.BucketVersioning with status Enabled.']);
    });
    it("s3-tls-only: passes the deny statement; reports policies without it or scoped to the bucket only", async () => {
        expect(await messages(s3TlsOnly, [bucket, pol(tls)])).to.deep.equal([]);
        expect(await messages(s3TlsOnly, [bucket, pol({ Statement: [] })])).to.have.length(1);
        const bucketOnly = { Statement: [{ ...tls.Statement[0], Resource: ["arn:aws:s3:::my-bucket"] }] };
        expect(await messages(s3TlsOnly, [bucket, pol(bucketOnly)])).to.have.length(1);
        expect((await messages(s3TlsOnly, [bucket]))[0]).to.contain("denying non-TLS requests");
    });
    it("s3-access-logging: passes logged buckets and the log bucket itself", async () => {
        expect(await messages(s3AccessLogging, [bucket, logBucket, logging])).to.deep.equal([]);
        expect(await messages(s3AccessLogging, [bucket])).to.deep.equal(['Bucket "b": has no server access logging. Fix: add aws.s3.BucketLogging to a log bucket.']);
    });
    it("ignores resources of other types", async () => {
        expect(await messages(s3Versioning, [res("aws:sns/topic:Topic", "t", {})])).to.deep.equal([]);
    });
});
