import { expect } from "chai";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetPatchBaselineCommand, GetPatchBaselineCommandOutput, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import {
    AmbiguousBaselinesError,
    canonicalJson,
    ConcurrentWriteError,
    createOverrideClients,
    deleteWrittenVersions,
    MissingBaselinesError,
    OverrideAccessDeniedError,
    OverrideCallError,
    sha256Hex,
    syncOverrides,
    toBaselineOverride,
} from "../core/overrides";
import { baselineResponse, FakeAws, FAKE_CREDENTIALS } from "./fakeAws";

const BUCKET = "patching-overrides-123456789012-us-east-1-test1";
const KEY = "baseline_overrides.json";
const WIN = "pb-0000000000000000a";
const AL = "pb-0000000000000000b";
const UBU = "pb-0000000000000000c";

/** GetPatchBaseline responses as the SDK returns them, with the volatile fields the document must drop. */
function response(id: string, fields: Record<string, unknown>): GetPatchBaselineCommandOutput {
    return {
        $metadata: { httpStatusCode: 200, requestId: `req-${id}`, attempts: 1, totalRetryDelay: 0 },
        BaselineId: id,
        Name: `name-${id}`,
        Description: "changes every edit",
        CreatedDate: new Date("2025-01-01T00:00:00Z"),
        ModifiedDate: new Date("2026-02-03T04:05:06Z"),
        PatchGroups: ["dev"],
        GlobalFilters: { PatchFilters: [] },
        ApprovalRules: { PatchRules: [] },
        ApprovedPatches: [],
        ApprovedPatchesComplianceLevel: "UNSPECIFIED",
        ApprovedPatchesEnableNonSecurity: false,
        RejectedPatches: [],
        RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
        Sources: [],
        ...fields,
    } as GetPatchBaselineCommandOutput;
}

const BASELINES: Record<string, GetPatchBaselineCommandOutput> = {
    [WIN]: response(WIN, {
        OperatingSystem: "WINDOWS",
        ApprovalRules: {
            PatchRules: [
                {
                    PatchFilterGroup: {
                        PatchFilters: [
                            { Key: "CLASSIFICATION", Values: ["CriticalUpdates", "SecurityUpdates"] },
                            { Key: "MSRC_SEVERITY", Values: ["Critical", "Important"] },
                        ],
                    },
                    ComplianceLevel: "CRITICAL",
                    ApproveAfterDays: 7,
                    EnableNonSecurity: false,
                },
            ],
        },
        RejectedPatches: ["KB5034441"],
        RejectedPatchesAction: "BLOCK",
        AvailableSecurityUpdatesComplianceStatus: "NON_COMPLIANT",
    }),
    [AL]: response(AL, {
        OperatingSystem: "AMAZON_LINUX_2023",
        GlobalFilters: { PatchFilters: [{ Key: "PRODUCT", Values: ["AmazonLinux2023"] }] },
        ApprovalRules: {
            PatchRules: [
                {
                    PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["Security"] }, { Key: "SEVERITY", Values: ["Critical", "Important"] }] },
                    ComplianceLevel: "HIGH",
                    ApproveUntilDate: "2026-03-01",
                    EnableNonSecurity: true,
                },
            ],
        },
        ApprovedPatches: ["kernel-6.1.*"],
        ApprovedPatchesComplianceLevel: "MEDIUM",
        ApprovedPatchesEnableNonSecurity: true,
        Sources: [{ Name: "internal-mirror", Products: ["AmazonLinux2023"], Configuration: "[internal]\nbaseurl=https://mirror.example/al2023" }],
    }),
    [UBU]: response(UBU, {
        OperatingSystem: "UBUNTU",
        ApprovalRules: {
            PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRIORITY", Values: ["Required", "Important"] }, { Key: "SECTION", Values: ["*"] }] }, ComplianceLevel: "HIGH", EnableNonSecurity: false }],
        },
    }),
};

/** A GetObject body, as the SDK's stream mixin exposes it. */
function body(text: string) {
    return { transformToByteArray: async () => new Uint8Array(Buffer.from(text)), transformToString: async () => text } as never;
}

function awsError(name: string, status: number, attempts = 1): Error {
    return Object.assign(new Error(`${name} (mock)`), { name, $metadata: { httpStatusCode: status, attempts } });
}

function setup() {
    const ssmClient = new SSMClient({ region: "us-east-1" });
    const s3Client = new S3Client({ region: "us-east-1" });
    const ssm = mockClient(ssmClient);
    const s3 = mockClient(s3Client);
    ssm.on(GetPatchBaselineCommand).callsFake(async (input: { BaselineId: string }) => {
        const found = BASELINES[input.BaselineId];
        if (!found) throw awsError("DoesNotExistException", 400);
        return found;
    });
    // No object until a test stores one.
    s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
    return { ssm, s3, clients: { ssm: ssmClient, s3: s3Client } };
}

const opts = (ids: string[], extra: object = {}) => ({ bucket: BUCKET, key: KEY, baselineIds: ids, writer: "patching/test/test1", ...extra });

describe("override core (core/overrides.ts)", () => {
    describe("the BaselineOverride document", () => {
        it("keeps exactly the documented fields of a Windows baseline", () => {
            expect(toBaselineOverride(BASELINES[WIN])).to.deep.equal({
                OperatingSystem: "WINDOWS",
                GlobalFilters: { PatchFilters: [] },
                ApprovalRules: {
                    PatchRules: [
                        {
                            PatchFilterGroup: {
                                PatchFilters: [
                                    { Key: "CLASSIFICATION", Values: ["CriticalUpdates", "SecurityUpdates"] },
                                    { Key: "MSRC_SEVERITY", Values: ["Critical", "Important"] },
                                ],
                            },
                            ComplianceLevel: "CRITICAL",
                            ApproveAfterDays: 7,
                            ApproveUntilDate: undefined,
                            EnableNonSecurity: false,
                        },
                    ],
                },
                ApprovedPatches: [],
                ApprovedPatchesComplianceLevel: "UNSPECIFIED",
                ApprovedPatchesEnableNonSecurity: false,
                RejectedPatches: ["KB5034441"],
                RejectedPatchesAction: "BLOCK",
                Sources: [],
                AvailableSecurityUpdatesComplianceStatus: "NON_COMPLIANT",
            });
        });

        it("serialises Windows, Amazon Linux 2023 and Ubuntu canonically, ordered by OS, nothing volatile", async () => {
            const { clients } = setup();
            const r = await syncOverrides(clients, opts([UBU, WIN, AL], { dryRun: true }));
            const doc = JSON.parse(r.document);
            expect(doc.map((b: { OperatingSystem: string }) => b.OperatingSystem)).to.deep.equal(["AMAZON_LINUX_2023", "UBUNTU", "WINDOWS"]);
            const allowed = [
                "OperatingSystem",
                "GlobalFilters",
                "ApprovalRules",
                "ApprovedPatches",
                "ApprovedPatchesComplianceLevel",
                "ApprovedPatchesEnableNonSecurity",
                "RejectedPatches",
                "RejectedPatchesAction",
                "Sources",
                "AvailableSecurityUpdatesComplianceStatus",
            ];
            for (const b of doc) {
                expect(allowed).to.include.members(Object.keys(b));
                expect(Object.keys(b)).to.deep.equal([...Object.keys(b)].sort());
            }
            expect(r.document).not.to.match(/BaselineId|CreatedDate|ModifiedDate|PatchGroups|Description|requestId|\$metadata|name-pb/);
            expect(doc[0]).to.deep.equal({
                ApprovalRules: {
                    PatchRules: [
                        {
                            ApproveUntilDate: "2026-03-01",
                            ComplianceLevel: "HIGH",
                            EnableNonSecurity: true,
                            PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["Security"] }, { Key: "SEVERITY", Values: ["Critical", "Important"] }] },
                        },
                    ],
                },
                ApprovedPatches: ["kernel-6.1.*"],
                ApprovedPatchesComplianceLevel: "MEDIUM",
                ApprovedPatchesEnableNonSecurity: true,
                GlobalFilters: { PatchFilters: [{ Key: "PRODUCT", Values: ["AmazonLinux2023"] }] },
                OperatingSystem: "AMAZON_LINUX_2023",
                RejectedPatches: [],
                RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
                Sources: [{ Configuration: "[internal]\nbaseurl=https://mirror.example/al2023", Name: "internal-mirror", Products: ["AmazonLinux2023"] }],
            });
            expect(doc[1].ApprovalRules.PatchRules[0]).to.deep.equal({
                ComplianceLevel: "HIGH",
                EnableNonSecurity: false,
                PatchFilterGroup: { PatchFilters: [{ Key: "PRIORITY", Values: ["Required", "Important"] }, { Key: "SECTION", Values: ["*"] }] },
            });
            expect(r.document.endsWith("]\n")).to.equal(true);
            expect(r.sha256).to.equal(sha256Hex(r.document));
        });

        it("gives the same bytes whatever the id order or the responses' key order", async () => {
            const a = await syncOverrides(setup().clients, opts([WIN, AL, UBU], { dryRun: true }));
            const b = await syncOverrides(setup().clients, opts([AL, UBU, WIN], { dryRun: true }));
            expect(a.document).to.equal(b.document);
            expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).to.equal('{\n  "a": {\n    "d": [\n      2,\n      1\n    ]\n  },\n  "b": 1\n}\n');
        });
    });

    describe("writing only what changed, conditionally", () => {
        it("unchanged content → no PutObject", async () => {
            const { s3, clients } = setup();
            const doc = (await syncOverrides(setup().clients, opts([WIN, AL], { dryRun: true }))).document;
            s3.on(GetObjectCommand).resolves({ Body: body(doc), ETag: '"etag-1"', VersionId: "v1" });
            const r = await syncOverrides(clients, opts([WIN, AL]));
            expect(r).to.deep.include({ action: "unchanged", versionId: "v1", previousSha256: sha256Hex(doc), baselineCount: 2 });
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
            expect(s3.commandCalls(GetObjectCommand)).to.have.length(1);
        });

        it("changed content → exactly one PutObject, conditional on the ETag read", async () => {
            const { s3, clients } = setup();
            s3.on(GetObjectCommand).resolves({ Body: body("[]\n"), ETag: '"etag-old"', VersionId: "v1" });
            s3.on(PutObjectCommand).resolves({ ETag: '"etag-new"', VersionId: "v2" });
            const r = await syncOverrides(clients, opts([WIN, AL]));
            const puts = s3.commandCalls(PutObjectCommand);
            expect(puts).to.have.length(1);
            const input = puts[0].args[0].input;
            expect(input).to.deep.include({
                Bucket: BUCKET,
                Key: KEY,
                Body: r.document,
                ContentType: "application/json",
                ChecksumAlgorithm: "SHA256",
                ChecksumSHA256: Buffer.from(r.sha256, "hex").toString("base64"),
                IfMatch: '"etag-old"',
                Metadata: { "written-by": "patching/test/test1", "content-sha256": r.sha256 },
            });
            expect(input.IfNoneMatch).to.equal(undefined);
            expect(r).to.deep.include({ action: "updated", versionId: "v2", etag: '"etag-new"', previousSha256: sha256Hex("[]\n") });
        });

        it("no object yet → one PutObject with IfNoneMatch: *", async () => {
            const { s3, clients } = setup();
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            s3.on(PutObjectCommand).resolves({ VersionId: "v1" });
            const r = await syncOverrides(clients, opts([WIN]));
            expect(r.action).to.equal("created");
            const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
            expect(input.IfNoneMatch).to.equal("*");
            expect(input.IfMatch).to.equal(undefined);
        });

        it("a concurrent writer → clear error, nothing overwritten, no second attempt", async () => {
            const { s3, clients } = setup();
            s3.on(GetObjectCommand).resolves({ Body: body("[]\n"), ETag: '"etag-old"', VersionId: "v1" });
            s3.on(PutObjectCommand).rejects(awsError("PreconditionFailed", 412));
            const err = await syncOverrides(clients, opts([WIN])).catch((e) => e);
            expect(err).to.be.instanceOf(ConcurrentWriteError);
            expect(err.message).to.equal(
                `s3://${BUCKET}/${KEY} was changed by another writer while this one was writing (expected ETag "etag-old"); ` +
                    "S3 refused the conditional write, so nothing was overwritten and the other writer's object is kept. Run again to compare with it.",
            );
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(1);
            // It looked again, found someone else's document, and kept it.
            expect(s3.commandCalls(GetObjectCommand)).to.have.length(2);
        });

        it("a concurrent writer that stored the same document → converged, no error", async () => {
            const { s3, clients } = setup();
            const doc = (await syncOverrides(setup().clients, opts([WIN], { dryRun: true }))).document;
            s3.on(GetObjectCommand).resolvesOnce({ Body: body("[]\n"), ETag: '"etag-old"', VersionId: "v1" }).resolves({ Body: body(doc), ETag: '"etag-other"', VersionId: "v2" });
            s3.on(PutObjectCommand).rejects(awsError("PreconditionFailed", 412));
            const r = await syncOverrides(clients, opts([WIN]));
            expect(r).to.deep.include({ action: "unchanged", versionId: "v2", etag: '"etag-other"' });
            expect(r.calls).to.deep.equal({ getPatchBaseline: 1, getObject: 2, putObject: 1 });
        });

        it("dry run computes and compares but never writes", async () => {
            const { s3, clients } = setup();
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            expect((await syncOverrides(clients, opts([WIN], { dryRun: true }))).action).to.equal("planned");
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
        });
    });

    describe("missing baselines", () => {
        it("writes nothing, keeps the previous object and names every missing id", async () => {
            const { s3, ssm, clients } = setup();
            s3.on(GetObjectCommand).resolves({ Body: body("[]\n"), ETag: '"e"', VersionId: "v7" });
            const err = await syncOverrides(clients, opts([WIN, "pb-00000000000000001", AL, "pb-00000000000000002"])).catch((e) => e);
            expect(err).to.be.instanceOf(MissingBaselinesError);
            expect(err.missingIds).to.deep.equal(["pb-00000000000000001", "pb-00000000000000002"]);
            expect(err.message).to.contain("2 of 4 patch baselines not found: pb-00000000000000001, pb-00000000000000002. Nothing was written;");
            expect(err.message).to.contain(`s3://${BUCKET}/${KEY} keeps its previous content (version v7, sha256 ${sha256Hex("[]\n").slice(0, 12)})`);
            expect(err.message).to.contain("must be given by its full ARN");
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
            expect(ssm.commandCalls(GetPatchBaselineCommand)).to.have.length(4);
        });
    });

    describe("errors", () => {
        it("AccessDenied on GetPatchBaseline names the action and the baseline", async () => {
            const { ssm, s3, clients } = setup();
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            ssm.on(GetPatchBaselineCommand, { BaselineId: AL }).rejects(awsError("AccessDeniedException", 400));
            const err = await syncOverrides(clients, opts([WIN, AL])).catch((e) => e);
            expect(err).to.be.instanceOf(OverrideAccessDeniedError);
            expect(err).to.include({ action: "ssm:GetPatchBaseline", resource: `patch baseline ${AL}` });
            expect(err.message).to.equal(
                `Access denied: ssm:GetPatchBaseline on patch baseline ${AL} (AccessDeniedException: AccessDeniedException (mock)). Grant ssm:GetPatchBaseline on patch baseline ${AL} to the role running this.`,
            );
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
        });

        it("AccessDenied on the object names s3:GetObject, the URL, and the 403-for-missing rule", async () => {
            const { s3, clients } = setup();
            s3.on(GetObjectCommand).rejects(awsError("AccessDenied", 403));
            const err = await syncOverrides(clients, opts([WIN])).catch((e) => e);
            expect(err).to.be.instanceOf(OverrideAccessDeniedError);
            expect(err.message).to.contain(`Access denied: s3:GetObject on s3://${BUCKET}/${KEY}`);
            expect(err.message).to.contain("S3 also answers 403 for a missing object when the caller lacks s3:ListBucket");
        });

        it("AccessDenied on PutObject names s3:PutObject", async () => {
            const { s3, clients } = setup();
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            s3.on(PutObjectCommand).rejects(awsError("AccessDenied", 403));
            const err = await syncOverrides(clients, opts([WIN])).catch((e) => e);
            expect(err).to.include({ action: "s3:PutObject", resource: `s3://${BUCKET}/${KEY}` });
        });

        it("throttling that outlasts the SDK's retries is reported with the attempts made", async () => {
            const { ssm, s3, clients } = setup();
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            ssm.on(GetPatchBaselineCommand).rejects(awsError("ThrottlingException", 400, 8));
            const err = await syncOverrides(clients, opts([WIN])).catch((e) => e);
            expect(err).to.be.instanceOf(OverrideCallError);
            expect(err.message).to.equal(`ssm:GetPatchBaseline on patch baseline ${WIN} failed after 8 attempts (SDK retry strategy): ThrottlingException: ThrottlingException (mock)`);
        });

        it("two baselines for one operating system → nothing written", async () => {
            const { ssm, s3, clients } = setup();
            ssm.on(GetPatchBaselineCommand, { BaselineId: "pb-0000000000000000d" }).resolves(response("pb-0000000000000000d", { OperatingSystem: "WINDOWS" }));
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            const err = await syncOverrides(clients, opts([WIN, "pb-0000000000000000d"])).catch((e) => e);
            expect(err).to.be.instanceOf(AmbiguousBaselinesError);
            expect(err.message).to.contain(`WINDOWS has ${WIN} and pb-0000000000000000d`);
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
        });
    });

    describe("bounded parallel fetches", () => {
        /** GetPatchBaseline calls that only resolve when the test releases them. */
        function gated(clientsSetup: ReturnType<typeof setup>) {
            let inFlight = 0;
            let maxInFlight = 0;
            const waiting: (() => void)[] = [];
            clientsSetup.ssm.on(GetPatchBaselineCommand).callsFake(async (input: { BaselineId: string }) => {
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                await new Promise<void>((resolve) => waiting.push(resolve));
                inFlight--;
                return response(input.BaselineId, { OperatingSystem: `OS_${input.BaselineId}` });
            });
            return {
                get maxInFlight() {
                    return maxInFlight;
                },
                get waiting() {
                    return waiting.length;
                },
                async drain(until: Promise<unknown>) {
                    let done = false;
                    void until.finally(() => (done = true));
                    while (!done) {
                        await new Promise((r) => setImmediate(r));
                        waiting.splice(0).forEach((release) => release());
                    }
                },
            };
        }
        const ids = Array.from({ length: 10 }, (_, i) => `pb-${String(i).padStart(17, "0")}`);

        it("runs GetPatchBaseline calls in parallel, never more than the concurrency", async () => {
            const s = setup();
            s.s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            s.s3.on(PutObjectCommand).resolves({ VersionId: "v1" });
            const gate = gated(s);
            const run = syncOverrides(s.clients, opts(ids, { concurrency: 3 }));
            await new Promise((r) => setImmediate(r));
            expect(gate.waiting).to.equal(3);
            await gate.drain(run);
            const r = await run;
            expect(gate.maxInFlight).to.equal(3);
            expect(r.baselineCount).to.equal(10);
            expect(s.ssm.commandCalls(GetPatchBaselineCommand)).to.have.length(10);
        });

        it("seed mode (Quick Setup's Remediate, for the benchmark): serial, unconditional, partial write before failing", async () => {
            const s = setup();
            s.s3.on(PutObjectCommand).resolves({ VersionId: "v9" });
            const gate = gated(s);
            const run = syncOverrides(s.clients, opts(ids, { mode: "seed" }));
            await gate.drain(run);
            expect(gate.maxInFlight).to.equal(1);
            expect((await run).action).to.equal("updated");
            expect(s.s3.commandCalls(GetObjectCommand)).to.have.length(0);
            const put = s.s3.commandCalls(PutObjectCommand)[0].args[0].input;
            expect(put.IfMatch).to.equal(undefined);
            expect(put.IfNoneMatch).to.equal(undefined);

            const seed = setup();
            seed.s3.on(PutObjectCommand).resolves({ VersionId: "v10" });
            const err = await syncOverrides(seed.clients, opts([WIN, "pb-00000000000000001"], { mode: "seed" })).catch((e) => e);
            expect(err).to.be.instanceOf(MissingBaselinesError);
            expect(err.message).to.contain("seed mode wrote the 1 found baseline(s)");
            expect(JSON.parse(seed.s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string)).to.have.length(1);
        });
    });

    describe("delete", () => {
        it("removes this writer's versions and the key's delete markers, keeps everyone else's", async () => {
            const { s3, clients } = setup();
            s3.on(ListObjectVersionsCommand)
                .resolvesOnce({
                    IsTruncated: true,
                    NextKeyMarker: KEY,
                    NextVersionIdMarker: "v2",
                    Versions: [
                        { Key: KEY, VersionId: "v1" },
                        { Key: `${KEY}.bak`, VersionId: "x1" },
                        { Key: KEY, VersionId: "v2" },
                    ],
                })
                .resolvesOnce({ IsTruncated: false, Versions: [{ Key: KEY, VersionId: "v3" }], DeleteMarkers: [{ Key: KEY, VersionId: "m1" }] });
            s3.on(HeadObjectCommand, { VersionId: "v1" }).resolves({ Metadata: { "written-by": "patching/test/test1" } });
            s3.on(HeadObjectCommand, { VersionId: "v2" }).resolves({ Metadata: { "written-by": "someone-else" } });
            s3.on(HeadObjectCommand, { VersionId: "v3" }).resolves({ Metadata: { "written-by": "patching/test/test1" } });
            s3.on(DeleteObjectCommand).resolves({});
            const r = await deleteWrittenVersions(clients.s3, { bucket: BUCKET, key: KEY, writer: "patching/test/test1" });
            expect(r).to.deep.equal({ deletedVersionIds: ["v1", "v3"], keptVersionIds: ["v2"], deletedMarkers: 1, bucketMissing: false });
            expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).to.deep.equal([
                { Bucket: BUCKET, Key: KEY, VersionId: "v1" },
                { Bucket: BUCKET, Key: KEY, VersionId: "v3" },
                { Bucket: BUCKET, Key: KEY, VersionId: "m1" },
            ]);
            expect(s3.commandCalls(ListObjectVersionsCommand)[1].args[0].input).to.deep.include({ Prefix: KEY, KeyMarker: KEY, VersionIdMarker: "v2" });
        });

        it("a bucket that is already gone leaves nothing to delete", async () => {
            const { s3, clients } = setup();
            s3.on(ListObjectVersionsCommand).rejects(awsError("NoSuchBucket", 404));
            expect(await deleteWrittenVersions(clients.s3, { bucket: BUCKET, key: KEY, writer: "w" })).to.deep.equal({
                deletedVersionIds: [],
                keptVersionIds: [],
                deletedMarkers: 0,
                bucketMissing: true,
            });
        });
    });

    describe("retries through the SDK's retry strategy (real clients, in-memory transport)", () => {
        // aws-sdk-client-mock replaces Client.send, which skips the retry middleware; these tests
        // send real requests through the SDK stack to an in-memory endpoint instead.
        async function clientsOn(fake: FakeAws, maxAttempts: number, delays: number[] = []) {
            return createOverrideClients({
                region: "us-east-1",
                maxAttempts,
                backoffMs: (attempt) => {
                    delays.push(attempt);
                    return 0;
                },
                clientConfig: { requestHandler: fake.requestHandler, credentials: FAKE_CREDENTIALS },
            });
        }

        it("configures the clients' SDK retry strategy with the given attempts", async () => {
            const clients = await createOverrideClients({ region: "eu-west-1", maxAttempts: 5 });
            for (const c of [clients.ssm, clients.s3]) {
                expect(await c.config.maxAttempts()).to.equal(5);
                const strategy = await (c.config.retryStrategy as unknown as () => Promise<{ mode: string; maxAttempts(): Promise<number> }>)();
                expect(strategy.constructor.name).to.equal("ConfiguredRetryStrategy");
                expect(await strategy.maxAttempts()).to.equal(5);
                expect(await c.config.region()).to.equal("eu-west-1");
            }
        });

        it("ThrottlingException twice, then success: retried with backoff and written once", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.failures.push({ operation: "GetPatchBaseline", status: 400, code: "ThrottlingException", times: 2 });
            const delays: number[] = [];
            const r = await syncOverrides(await clientsOn(fake, 3, delays), opts([WIN]));
            expect(r.action).to.equal("created");
            expect(fake.count("GetPatchBaseline")).to.equal(3);
            expect(fake.requests.filter((q) => q.operation === "GetPatchBaseline").map((q) => q.headers["amz-sdk-request"])).to.deep.equal([
                "attempt=1; max=3",
                "attempt=2; max=3",
                "attempt=3; max=3",
            ]);
            expect(delays).to.deep.equal([1, 2]);
            expect(fake.count("PutObject")).to.equal(1);
            expect(fake.current(BUCKET, KEY)!.body!.toString()).to.equal(r.document);
        });

        it("transient S3 errors (503 SlowDown) are retried too", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.failures.push({ operation: "PutObject", status: 503, code: "SlowDown", times: 1 });
            const r = await syncOverrides(await clientsOn(fake, 3), opts([WIN]));
            expect(r.action).to.equal("created");
            expect(fake.count("PutObject")).to.equal(2);
        });

        it("gives up after maxAttempts and says so", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.failures.push({ operation: "GetPatchBaseline", status: 400, code: "ThrottlingException", times: 10 });
            const err = await syncOverrides(await clientsOn(fake, 2), opts([WIN])).catch((e) => e);
            expect(err.message).to.match(/^ssm:GetPatchBaseline on patch baseline pb-0000000000000000a failed after 2 attempts \(SDK retry strategy\): ThrottlingException/);
            expect(fake.count("GetPatchBaseline")).to.equal(2);
            expect(fake.count("PutObject")).to.equal(0);
        });

        it("the provider and the Lambda running at once: one writes, the other sees the same document", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            const [a, b] = await Promise.all([syncOverrides(await clientsOn(fake, 3), opts([WIN])), syncOverrides(await clientsOn(fake, 3), opts([WIN]))]);
            expect([a.action, b.action].sort()).to.deep.equal(["created", "unchanged"]);
            expect(fake.count("PutObject")).to.equal(2);
            expect(fake.objects.get(`${BUCKET}/${KEY}`)).to.have.length(1);
        });

        it("a real conditional-write conflict between two writers loses nothing", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.put(BUCKET, KEY, "[]\n", { "written-by": "patching/test/test1" });
            // The other writer lands between our read and our write.
            const original = fake.requestHandler.handle;
            let raced = false;
            fake.requestHandler.handle = async (req) => {
                if (req.method === "PUT" && !raced) {
                    raced = true;
                    fake.put(BUCKET, KEY, '["other writer"]\n', { "written-by": "someone-else" });
                }
                return original(req);
            };
            const err = await syncOverrides(await clientsOn(fake, 3), opts([WIN])).catch((e) => e);
            expect(err).to.be.instanceOf(ConcurrentWriteError);
            expect(fake.current(BUCKET, KEY)!.body!.toString()).to.equal('["other writer"]\n');
            expect(fake.objects.get(`${BUCKET}/${KEY}`)).to.have.length(2);
        });
    });
});
