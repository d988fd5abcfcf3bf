import { expect } from "chai";
import { s3AccessLogging, s3DefaultEncryption, s3PublicAccessBlocked, s3TlsOnly, s3Versioning } from "../../policies/buckets";
import { decision, Statement } from "../policySim";
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
    describe("s3-tls-only: a TLS deny that applies to one principal only does not make the bucket TLS-only", () => {
        const ACCOUNT = "123456789012";
        const ADMIN = `arn:aws:iam::${ACCOUNT}:role/admin`;
        const OTHER = `arn:aws:iam::${ACCOUNT}:role/reader`;
        const deny = tls.Statement[0] as unknown as Statement;
        const cases: Record<string, Statement[]> = {
            "Principal names one role": [{ ...deny, Principal: { AWS: ADMIN } }],
            "Principal * narrowed to one role by aws:PrincipalArn": [{ ...deny, Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalArn": ADMIN } } }],
            "Principal * narrowed to one account by aws:PrincipalAccount": [{ ...deny, Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalAccount": "111111111111" } } }],
        };
        /** The real IAM engine's answer: may another role of the account read an object over plain HTTP? */
        const readsOverHttp = async (bucketPolicy: Statement[]) =>
            decision({
                caller: { principalArn: OTHER, account: ACCOUNT, secureTransport: false },
                action: "s3:GetObject",
                resource: "arn:aws:s3:::my-bucket/baseline_overrides.json",
                identity: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
                resourcePolicy: bucketPolicy,
                resourceAccount: ACCOUNT,
            });

        it("the IAM engine confirms the full deny refuses plain HTTP to anyone", async () => {
            expect((await readsOverHttp([deny])).result).to.equal("ExplicitlyDenied");
            expect(await messages(s3TlsOnly, [bucket, pol(tls)])).to.deep.equal([]);
        });
        for (const [name, statements] of Object.entries(cases)) {
            it(`${name}: plain HTTP still reaches the bucket, and the policy reports it`, async () => {
                // Independent truth first: the statement leaves another principal's non-TLS request allowed.
                expect((await readsOverHttp(statements)).result).to.equal("Allowed");
                expect(await messages(s3TlsOnly, [bucket, pol({ Version: "2012-10-17", Statement: statements })])).to.deep.equal([
                    'Bucket "b": has no bucket policy denying non-TLS requests. Fix: add a Deny statement for "s3:*" on the bucket and bucket/* with Principal "*" and Condition Bool aws:SecureTransport "false" as its only condition (a named principal or another condition key leaves other callers on plain HTTP).',
                ]);
            });
        }
    });
    it("s3-access-logging: passes logged buckets and the log bucket itself", async () => {
        expect(await messages(s3AccessLogging, [bucket, logBucket, logging])).to.deep.equal([]);
        expect(await messages(s3AccessLogging, [bucket])).to.deep.equal(['Bucket "b": has no server access logging. Fix: add aws.s3.BucketLogging to a log bucket.']);
    });
    it("ignores resources of other types", async () => {
        expect(await messages(s3Versioning, [res("aws:sns/topic:Topic", "t", {})])).to.deep.equal([]);
    });
});
