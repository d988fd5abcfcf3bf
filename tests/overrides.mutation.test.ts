/**
 * core/overrides.ts behaviours that surviving StrykerJS mutants showed untested (TESTING.md,
 * Mutation testing): a refused conditional write recognised by each signal alone, the document of a
 * baseline whose lists AWS leaves out, and what a delete leaves alone.
 */
import { expect } from "chai";
import { DeleteObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetPatchBaselineCommand, GetPatchBaselineCommandOutput, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { ConcurrentWriteError, deleteWrittenVersions, OverrideAccessDeniedError, OverrideCallError, syncOverrides, toBaselineOverride } from "../core/overrides";

const BUCKET = "patching-overrides-123456789012-us-east-1-test1";
const KEY = "baseline_overrides.json";
const BASELINE = "pb-0000000000000000a";

function awsError(name: string, status?: number): Error {
    return Object.assign(new Error(`${name} (mock)`), { name, $metadata: { httpStatusCode: status, attempts: 1 } });
}

/** A GetPatchBaseline answer with only what AWS always returns: the lists the SDK may leave out are absent. */
function sparseBaseline(): GetPatchBaselineCommandOutput {
    return { $metadata: {}, BaselineId: BASELINE, Name: "sparse", OperatingSystem: "UBUNTU" };
}

function clients() {
    const ssmClient = new SSMClient({ region: "us-east-1" });
    const s3Client = new S3Client({ region: "us-east-1" });
    const ssm = mockClient(ssmClient);
    const s3 = mockClient(s3Client);
    ssm.on(GetPatchBaselineCommand).resolves(sparseBaseline());
    return { ssm, s3, clients: { ssm: ssmClient, s3: s3Client } };
}

describe("override core: behaviours found by mutation testing", () => {
    describe("a refused conditional write is recognised by each signal alone", () => {
        const signals: [string, Error][] = [
            ["PreconditionFailed without a status", awsError("PreconditionFailed")],
            ["ConditionalRequestConflict without a status", awsError("ConditionalRequestConflict")],
            ["a 412 alone", awsError("UnknownError", 412)],
            ["a 409 alone", awsError("UnknownError", 409)],
        ];
        for (const [what, err] of signals) {
            it(`${what}: a ConcurrentWriteError that says no object was expected`, async () => {
                const { s3, clients: c } = clients();
                s3.on(PutObjectCommand).rejects(err);
                const e = await syncOverrides(c, { bucket: BUCKET, key: KEY, baselineIds: [BASELINE], writer: "w", mode: "seed" }).catch((x) => x);
                expect(e).to.be.instanceOf(ConcurrentWriteError);
                expect(e.name).to.equal("ConcurrentWriteError");
                expect(e.message).to.contain(`s3://${BUCKET}/${KEY} was changed by another writer while this one was writing (expected no object)`);
            });
        }

        it("any other failure of the write is not a conflict", async () => {
            const { s3, clients: c } = clients();
            s3.on(PutObjectCommand).rejects(awsError("InternalError", 500));
            const e = await syncOverrides(c, { bucket: BUCKET, key: KEY, baselineIds: [BASELINE], writer: "w", mode: "seed" }).catch((x) => x);
            expect(e).to.be.instanceOf(OverrideCallError);
            expect(e).to.not.be.instanceOf(ConcurrentWriteError);
        });
    });

    describe("the document of a baseline whose lists AWS leaves out", () => {
        it("absent lists become empty lists; an absent compliance status is not invented", () => {
            expect(toBaselineOverride(sparseBaseline())).to.deep.equal({
                OperatingSystem: "UBUNTU",
                GlobalFilters: { PatchFilters: [] },
                ApprovalRules: { PatchRules: [] },
                ApprovedPatches: [],
                ApprovedPatchesComplianceLevel: undefined,
                ApprovedPatchesEnableNonSecurity: undefined,
                RejectedPatches: [],
                RejectedPatchesAction: undefined,
                Sources: [],
            });
            expect(toBaselineOverride(sparseBaseline())).to.not.have.property("AvailableSecurityUpdatesComplianceStatus");
        });

        it("a rule or filter without its lists, and a source without products, keep their place with empty lists", () => {
            const doc = toBaselineOverride({
                ...sparseBaseline(),
                GlobalFilters: { PatchFilters: [{ Key: "PRODUCT", Values: undefined as unknown as string[] }] },
                ApprovalRules: { PatchRules: [{ PatchFilterGroup: undefined as never, ApproveAfterDays: 7 }] },
                Sources: [{ Name: "internal", Products: undefined as unknown as string[], Configuration: "[main]" }],
            });
            expect(doc.GlobalFilters).to.deep.equal({ PatchFilters: [{ Key: "PRODUCT", Values: [] }] });
            expect(doc.ApprovalRules?.PatchRules?.[0]).to.deep.include({ PatchFilterGroup: { PatchFilters: [] }, ApproveAfterDays: 7 });
            expect(doc.Sources).to.deep.equal([{ Name: "internal", Products: [], Configuration: "[main]" }]);
        });
    });

    describe("what a delete leaves alone", () => {
        it("delete markers of another key under the same prefix are not this key's", async () => {
            const { s3, clients: c } = clients();
            s3.on(ListObjectVersionsCommand).resolves({
                IsTruncated: false,
                Versions: [{ Key: KEY, VersionId: "v1", IsLatest: false }],
                DeleteMarkers: [
                    { Key: KEY, VersionId: "m1", IsLatest: true },
                    { Key: `${KEY}.bak`, VersionId: "mx", IsLatest: false },
                ],
            });
            s3.on(HeadObjectCommand).resolves({ Metadata: { "written-by": "w" } });
            s3.on(DeleteObjectCommand).resolves({});
            const r = await deleteWrittenVersions(c.s3, { bucket: BUCKET, key: KEY, writer: "w" });
            expect(r).to.deep.equal({ deletedVersionIds: ["v1"], keptVersionIds: [], deletedMarkers: 1, bucketMissing: false });
            expect(s3.commandCalls(DeleteObjectCommand).map((x) => x.args[0].input.VersionId)).to.deep.equal(["v1", "m1"]);
        });

        it("a listing refused for another reason than a missing bucket is reported, not taken for an empty bucket", async () => {
            const { s3, clients: c } = clients();
            s3.on(ListObjectVersionsCommand).rejects(awsError("AccessDenied", 403));
            const e = await deleteWrittenVersions(c.s3, { bucket: BUCKET, key: KEY, writer: "w" }).catch((x) => x);
            expect(e).to.be.instanceOf(OverrideAccessDeniedError);
            expect(e.message).to.match(/^Access denied: s3:ListBucketVersions on bucket patching-overrides-/);
            const other = clients();
            other.s3.on(ListObjectVersionsCommand).rejects(awsError("InternalError", 500));
            expect(await deleteWrittenVersions(other.clients.s3, { bucket: BUCKET, key: KEY, writer: "w" }).catch((x) => x)).to.be.instanceOf(OverrideCallError);
        });

        it("the current version of another writer stays current: no marker is placed and the current marker is kept", async () => {
            const { s3, clients: c } = clients();
            s3.on(ListObjectVersionsCommand).resolves({
                IsTruncated: false,
                Versions: [
                    { Key: KEY, VersionId: "theirs", IsLatest: true },
                    { Key: KEY, VersionId: "mine", IsLatest: false },
                ],
                DeleteMarkers: [{ Key: KEY, VersionId: "old-marker", IsLatest: false }],
            });
            s3.on(HeadObjectCommand, { VersionId: "theirs" }).resolves({ Metadata: { "written-by": "someone-else" } });
            s3.on(HeadObjectCommand, { VersionId: "mine" }).resolves({ Metadata: { "written-by": "w" } });
            s3.on(DeleteObjectCommand).resolves({});
            const r = await deleteWrittenVersions(c.s3, { bucket: BUCKET, key: KEY, writer: "w" });
            expect(r).to.deep.equal({ deletedVersionIds: ["mine"], keptVersionIds: ["theirs"], deletedMarkers: 1, bucketMissing: false });
            expect(s3.commandCalls(DeleteObjectCommand).map((x) => x.args[0].input.VersionId)).to.deep.equal(["mine", "old-marker"]);
        });
    });
});
