/**
 * The override core under faults, through real SDK clients (serialisation, retry strategy, error
 * parsing) over the in-memory transport of tests/fakeAws.ts — and, for timeouts, over a local TCP
 * server that accepts connections and never answers.
 */
import { expect } from "chai";
import * as net from "net";
import {
    ConcurrentWriteError,
    createOverrideClients,
    DEFAULT_MAX_ATTEMPTS,
    deleteWrittenVersions,
    NoBaselinesError,
    NoPreconditionError,
    OverrideCallError,
    OverrideClientOptions,
    PartialDeleteError,
    syncOverrides,
    syncWorstCaseMs,
} from "../core/overrides";
import { baselineResponse, FakeAws, FAKE_CREDENTIALS } from "./fakeAws";

const BUCKET = "patching-overrides-123456789012-us-east-1-test1";
const KEY = "baseline_overrides.json";
const WRITER = "patching/test/test1";
const WIN = "pb-0000000000000000a";

function clientsOn(fake: FakeAws, extra: Partial<OverrideClientOptions> = {}) {
    return createOverrideClients({ region: "us-east-1", maxAttempts: 2, backoffMs: () => 0, clientConfig: { requestHandler: fake.requestHandler, credentials: FAKE_CREDENTIALS }, ...extra });
}

const opts = (ids: string[]) => ({ bucket: BUCKET, key: KEY, baselineIds: ids, writer: WRITER });
const versionsOf = (fake: FakeAws) => (fake.objects.get(`${BUCKET}/${KEY}`) ?? []).map((v) => (v.deleteMarker ? `marker:${v.versionId}` : `${v.metadata["written-by"]}:${v.versionId}`));

describe("override core under faults (real SDK clients, in-memory transport)", () => {
    describe("destroy never makes older content current", () => {
        it("a delete that fails part-way leaves the object hidden, never an older version current; a second run finishes", async () => {
            const fake = new FakeAws();
            fake.put(BUCKET, KEY, "[\"old, mine\"]\n", { "written-by": WRITER }); // v1
            fake.put(BUCKET, KEY, "[\"older, someone else's\"]\n", { "written-by": "operator" }); // v2
            fake.put(BUCKET, KEY, "[\"current, mine\"]\n", { "written-by": WRITER }); // v3, current
            // v1 cannot be deleted (retries exhausted); v3 (the newer one) can.
            fake.failures.push({ operation: "DeleteObject", status: 403, code: "AccessDenied", times: 1, versionId: "v1" });
            const s3 = (await clientsOn(fake)).s3;

            const err = await deleteWrittenVersions(s3, { bucket: BUCKET, key: KEY, writer: WRITER }).catch((e) => e);
            expect(err).to.be.instanceOf(PartialDeleteError);
            expect(err.message).to.match(/^deleting s3:\/\/.*stopped after 1 of 2 version\(s\) of this writer: Access denied: s3:DeleteObjectVersion on .* version v1/);
            expect(err.remainingVersionIds).to.deep.equal(["v1"]);
            // The point of the test: neither v1 (mine, older) nor v2 (someone else's) became current.
            expect(fake.current(BUCKET, KEY)).to.equal(undefined);
            expect(versionsOf(fake)).to.deep.equal([`${WRITER}:v1`, "operator:v2", "marker:v4"]);
            // The marker went out before any version was deleted.
            const s3Ops = fake.requests.filter((r) => r.operation === "DeleteObject").map((r) => r.headers);
            expect(s3Ops).to.have.length(3);

            const done = await deleteWrittenVersions(s3, { bucket: BUCKET, key: KEY, writer: WRITER });
            expect(done).to.deep.equal({ deletedVersionIds: ["v1"], keptVersionIds: ["v2"], deletedMarkers: 0, bucketMissing: false });
            expect(fake.current(BUCKET, KEY)).to.equal(undefined);
            expect(versionsOf(fake)).to.deep.equal(["operator:v2", "marker:v4"]);
        });

        it("puts the delete marker first: the first DeleteObject carries no version id", async () => {
            const fake = new FakeAws();
            fake.put(BUCKET, KEY, "[1]\n", { "written-by": WRITER });
            fake.put(BUCKET, KEY, "[2]\n", { "written-by": WRITER });
            const seen: string[] = [];
            const original = fake.requestHandler.handle;
            fake.requestHandler.handle = async (req) => {
                if (req.method === "DELETE") seen.push(String((req.query ?? {}).versionId ?? "(marker)"));
                return original(req);
            };
            const r = await deleteWrittenVersions((await clientsOn(fake)).s3, { bucket: BUCKET, key: KEY, writer: WRITER, concurrency: 1 });
            expect(seen[0]).to.equal("(marker)");
            expect(seen.slice(1, 3).sort()).to.deep.equal(["v1", "v2"]);
            expect(r).to.deep.equal({ deletedVersionIds: ["v2", "v1"], keptVersionIds: [], deletedMarkers: 1, placedMarkerVersionId: "v3", bucketMissing: false });
            // Nothing of anyone left: the marker goes too.
            expect(fake.objects.get(`${BUCKET}/${KEY}`)).to.deep.equal([]);
        });

        it("when all versions are this writer's, a failure part-way still leaves nothing current", async () => {
            const fake = new FakeAws();
            fake.put(BUCKET, KEY, "[1]\n", { "written-by": WRITER });
            fake.put(BUCKET, KEY, "[2]\n", { "written-by": WRITER });
            fake.failures.push({ operation: "DeleteObject", status: 500, code: "InternalError", times: 5, versionId: "v1" });
            const err = await deleteWrittenVersions((await clientsOn(fake)).s3, { bucket: BUCKET, key: KEY, writer: WRITER }).catch((e) => e);
            expect(err).to.be.instanceOf(PartialDeleteError);
            expect(err.message).to.contain("failed after 2 attempts (SDK retry strategy): InternalError");
            expect(fake.current(BUCKET, KEY)).to.equal(undefined);
        });

        it("someone else's current version stays current and no marker is put", async () => {
            const fake = new FakeAws();
            fake.put(BUCKET, KEY, "[1]\n", { "written-by": WRITER });
            fake.put(BUCKET, KEY, '["operator edit"]\n', { "written-by": "operator" });
            const r = await deleteWrittenVersions((await clientsOn(fake)).s3, { bucket: BUCKET, key: KEY, writer: WRITER });
            expect(r).to.deep.equal({ deletedVersionIds: ["v1"], keptVersionIds: ["v2"], deletedMarkers: 0, bucketMissing: false });
            expect(fake.current(BUCKET, KEY)!.body!.toString()).to.equal('["operator edit"]\n');
        });

        it("an old delete marker is removed, but never the current one while a version remains under it", async () => {
            const fake = new FakeAws();
            fake.put(BUCKET, KEY, "[other]\n", { "written-by": "operator" }); // v1
            fake.objects.get(`${BUCKET}/${KEY}`)!.push({ versionId: "m-old", metadata: {}, deleteMarker: true });
            fake.put(BUCKET, KEY, "[mine]\n", { "written-by": WRITER }); // v2, current
            const r = await deleteWrittenVersions((await clientsOn(fake)).s3, { bucket: BUCKET, key: KEY, writer: WRITER });
            expect(r).to.deep.include({ deletedVersionIds: ["v2"], keptVersionIds: ["v1"], deletedMarkers: 1 });
            expect(fake.current(BUCKET, KEY)).to.equal(undefined);
            expect(versionsOf(fake)).to.deep.equal(["operator:v1", "marker:v3"]);
        });
    });

    describe("writes", () => {
        it("refuses to write without a precondition when GetObject returns no ETag", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.put(BUCKET, KEY, "[]\n", { "written-by": WRITER });
            fake.dropResponseHeaders.add("etag");
            const err = await syncOverrides(await clientsOn(fake), opts([WIN])).catch((e) => e);
            expect(err).to.be.instanceOf(NoPreconditionError);
            expect(err.message).to.match(/returned no ETag.*refusing to write without a precondition.*Nothing was written/);
            expect(fake.count("PutObject")).to.equal(0);
            expect(fake.current(BUCKET, KEY)!.body!.toString()).to.equal("[]\n");
        });

        it("refuses an empty baseline list in the core, before any call", async () => {
            const fake = new FakeAws();
            for (const mode of ["safe", "seed"] as const) {
                const err = await syncOverrides(await clientsOn(fake), { ...opts([]), mode }).catch((e) => e);
                expect(err).to.be.instanceOf(NoBaselinesError);
                expect(err.message).to.contain(`no baseline ids given for s3://${BUCKET}/${KEY}`);
            }
            expect(fake.requests).to.deep.equal([]);
        });

        it("a 412 followed by a failed re-read reports the conflict and the re-read failure", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.put(BUCKET, KEY, "[]\n", { "written-by": WRITER });
            const original = fake.requestHandler.handle;
            fake.requestHandler.handle = async (req) => {
                if (req.method === "PUT" && fake.count("PutObject") === 0) {
                    fake.put(BUCKET, KEY, '["other writer"]\n', { "written-by": "someone-else" });
                    fake.failures.push({ operation: "GetObject", status: 403, code: "AccessDenied", times: 5 });
                }
                return original(req);
            };
            const err = await syncOverrides(await clientsOn(fake), opts([WIN])).catch((e) => e);
            expect(err).to.be.instanceOf(ConcurrentWriteError);
            expect(err.code).to.equal("ConcurrentWrite");
            expect(err.message).to.match(/was changed by another writer.*Re-reading it to compare with it then failed too: Access denied: s3:GetObject/);
            expect(err.rereadError.name).to.equal("OverrideAccessDeniedError");
            expect(fake.current(BUCKET, KEY)!.body!.toString()).to.equal('["other writer"]\n');
        });
    });

    describe("timeouts", () => {
        /** A server that accepts every connection and never answers. */
        async function hungServer() {
            const sockets: net.Socket[] = [];
            const server = net.createServer((s) => void sockets.push(s));
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as net.AddressInfo).port;
            return {
                endpoint: `http://127.0.0.1:${port}`,
                connections: () => sockets.length,
                close: () => {
                    for (const s of sockets) s.destroy();
                    return new Promise<void>((resolve) => server.close(() => resolve()));
                },
            };
        }

        it("a hung endpoint fails with a TimeoutError naming the call, after the configured attempts", async function () {
            this.timeout(60_000);
            const server = await hungServer();
            try {
                const clients = await createOverrideClients({
                    region: "us-east-1",
                    maxAttempts: 2,
                    backoffMs: () => 0,
                    timeouts: { connectionTimeoutMs: 5_000, requestTimeoutMs: 300 },
                    clientConfig: { endpoint: server.endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS },
                });
                const err = await syncOverrides(clients, opts([WIN])).catch((e) => e);
                expect(err).to.be.instanceOf(OverrideCallError);
                expect(err.code).to.equal("TimeoutError");
                expect(err.message).to.match(/ failed after 2 attempts \(SDK retry strategy\): TimeoutError: .*exceeded the configured 300 ms requestTimeout.* did not answer within the client's connection\/request timeout/);
                // GetObject and GetPatchBaseline run in parallel: two attempts each reached the server.
                expect(server.connections()).to.be.at.least(2);
            } finally {
                await server.close();
            }
        });

        it("the clients carry connection and request timeouts by default", async () => {
            const clients = await createOverrideClients({ region: "us-east-1" });
            for (const c of [clients.ssm, clients.s3]) {
                const handler = c.config.requestHandler as unknown as { constructor: { name: string }; configProvider: Promise<Record<string, unknown>> };
                expect(handler.constructor.name).to.equal("NodeHttpHandler");
                expect(await handler.configProvider).to.deep.include({ connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true });
            }
        });

        it("a whole sync with every attempt hanging stays far inside the remediation Lambda's timeout", () => {
            // 3 calls in sequence × (8 attempts × 7 s + backoff caps 0.5+1+2+4+8+16+20 s) = 322.5 s.
            expect(syncWorstCaseMs(DEFAULT_MAX_ATTEMPTS)).to.equal(322_500);
        });
    });
});
