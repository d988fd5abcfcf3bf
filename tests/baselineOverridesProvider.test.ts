import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetPatchBaselineCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import {
    BaselineOverridesInputs,
    BaselineOverridesOutputs,
    BaselineOverridesProvider,
    PROVIDER_VERSION,
    UNKNOWN,
} from "../components/baselineOverridesProvider";
import * as core from "../core/overrides";
import { sha256Hex } from "../core/overrides";
import { baselineResponse, FakeAws, FAKE_CREDENTIALS } from "./fakeAws";
import { REGION, ROOT } from "./harness";

const BUCKET = "patching-overrides-123456789012-us-east-1-test1";
const KEY = "baseline_overrides.json";
const WIN = "pb-0000000000000000a";
const AL = "pb-0000000000000000b";

const inputs = (changes: Partial<BaselineOverridesInputs> = {}): BaselineOverridesInputs => ({
    region: REGION,
    bucket: BUCKET,
    key: KEY,
    baselineIds: [WIN, AL],
    writer: "patching/test/test1",
    definitionsSha256: "d1",
    providerVersion: PROVIDER_VERSION,
    ...changes,
});

function awsError(name: string, status: number): Error {
    return Object.assign(new Error(`${name} (mock)`), { name, $metadata: { httpStatusCode: status } });
}
function body(text: string) {
    return { transformToByteArray: async () => new Uint8Array(Buffer.from(text)), transformToString: async () => text } as never;
}

describe("BaselineOverrides dynamic provider", () => {
    // The provider creates its own clients: mock the client classes, restore them afterwards.
    let ssm: AwsStub<any, any, any>;
    let s3: AwsStub<any, any, any>;
    const provider = new BaselineOverridesProvider();

    beforeEach(() => {
        ssm = mockClient(SSMClient);
        s3 = mockClient(S3Client);
        ssm.on(GetPatchBaselineCommand, { BaselineId: WIN }).resolves({ BaselineId: WIN, OperatingSystem: "WINDOWS", ApprovalRules: { PatchRules: [] } });
        ssm.on(GetPatchBaselineCommand, { BaselineId: AL }).resolves({ BaselineId: AL, OperatingSystem: "AMAZON_LINUX_2023", ApprovalRules: { PatchRules: [] } });
        s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
        s3.on(PutObjectCommand).resolves({ ETag: '"e1"', VersionId: "v1" });
    });
    afterEach(() => {
        ssm.restore();
        s3.restore();
    });
    const sdkCalls = () => ssm.calls().length + s3.calls().length;

    describe("check", () => {
        it("accepts valid inputs and reports each invalid one", async () => {
            expect(await provider.check(inputs(), inputs())).to.deep.equal({ inputs: inputs() });
            const bad = await provider.check(inputs(), inputs({ baselineIds: [], bucket: "" }));
            expect(bad.failures).to.deep.equal([
                { property: "bucket", reason: "bucket must be a non-empty string" },
                { property: "baselineIds", reason: "baselineIds must be a non-empty list of baseline ids or ARNs" },
            ]);
            expect((await provider.check(inputs(), inputs({ baselineIds: [WIN, WIN] }))).failures).to.deep.equal([{ property: "baselineIds", reason: "baselineIds lists a baseline twice" }]);
        });
        it("lets unknown values through during preview, with no AWS call", async () => {
            expect(await provider.check(inputs(), inputs({ bucket: UNKNOWN, baselineIds: [UNKNOWN, AL] }))).to.deep.equal({ inputs: inputs({ bucket: UNKNOWN, baselineIds: [UNKNOWN, AL] }) });
            expect(sdkCalls()).to.equal(0);
        });
        it("reports a value of the wrong type (null, a number, a non-string id) rather than failing on it", async () => {
            const bad = await provider.check(inputs(), { ...inputs(), region: 5, bucket: null, baselineIds: [WIN, 7] } as unknown as BaselineOverridesInputs);
            expect(bad.failures).to.deep.equal([
                { property: "region", reason: "region must be a non-empty string" },
                { property: "bucket", reason: "bucket must be a non-empty string" },
                { property: "baselineIds", reason: "baselineIds must be a non-empty list of baseline ids or ARNs" },
            ]);
            expect((await provider.check(inputs(), inputs({ baselineIds: [WIN, ""] }))).failures).to.deep.equal([
                { property: "baselineIds", reason: "baselineIds must be a non-empty list of baseline ids or ARNs" },
            ]);
        });
        it("a whole list not known yet passes too", async () => {
            expect(await provider.check(inputs(), { ...inputs(), baselineIds: UNKNOWN } as unknown as BaselineOverridesInputs)).to.not.have.property("failures");
        });
    });

    describe("diff", () => {
        const olds = (changes: Partial<BaselineOverridesOutputs> = {}): BaselineOverridesOutputs => ({
            ...inputs(),
            s3Url: `s3://${BUCKET}/${KEY}`,
            versionId: "v1",
            sha256: "s1",
            baselineCount: 2,
            operatingSystems: ["AMAZON_LINUX_2023", "WINDOWS"],
            drift: "none",
            ...changes,
        });

        it("reports no change for the same inputs, in any baseline order", async () => {
            expect(await provider.diff("id", olds(), inputs({ baselineIds: [AL, WIN] }))).to.deep.equal({ changes: false, replaces: [], changedInputs: [], deleteBeforeReplace: false });
        });
        it("names exactly the inputs that changed", async () => {
            expect(await provider.diff("id", olds(), inputs({ baselineIds: [WIN], definitionsSha256: "d2" }))).to.deep.include({ changes: true, replaces: [], changedInputs: ["baselineIds", "definitionsSha256"] });
            expect((await provider.diff("id", olds(), inputs({ providerVersion: "9.9.9" }))).changedInputs).to.deep.equal(["providerVersion"]);
            expect((await provider.diff("id", olds(), inputs({ writer: "other" }))).changedInputs).to.deep.equal(["writer"]);
        });
        it("replaces when the object's address changes", async () => {
            expect(await provider.diff("id", olds(), inputs({ bucket: "other-bucket", key: "o.json" }))).to.deep.include({ changes: true, replaces: ["bucket", "key"], changedInputs: ["bucket", "key"] });
        });
        it("treats unknown values as changes (and the address as a replacement) without calling AWS", async () => {
            expect(await provider.diff("id", olds(), inputs({ baselineIds: [UNKNOWN, AL] }))).to.deep.include({ changes: true, replaces: [], changedInputs: ["baselineIds"] });
            expect(await provider.diff("id", olds(), inputs({ bucket: UNKNOWN }))).to.deep.include({ changes: true, replaces: ["bucket"] });
            expect(sdkCalls()).to.equal(0);
        });
        it("state without a drift field (written before refreshes recorded it) is no change", async () => {
            const { drift: _drift, ...state } = olds();
            expect(await provider.diff("id", state as BaselineOverridesOutputs, inputs())).to.deep.include({ changes: false, changedInputs: [] });
        });
        it("turns drift found by a refresh into an update", async () => {
            expect(await provider.diff("id", olds({ drift: "edited", observedSha256: "x" }), inputs())).to.deep.include({ changes: true, replaces: [], changedInputs: ["drift"] });
            expect((await provider.diff("id", olds({ drift: "missing" }), inputs())).changedInputs).to.deep.equal(["drift"]);
        });
    });

    describe("create / update", () => {
        it("create writes the object (IfNoneMatch: *) and returns key, version, sha256 and count", async () => {
            const r = await provider.create(inputs());
            const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
            expect(put).to.deep.include({ Bucket: BUCKET, Key: KEY, IfNoneMatch: "*" });
            expect(r).to.deep.equal({
                id: `${BUCKET}/${KEY}`,
                outs: {
                    ...inputs(),
                    s3Url: `s3://${BUCKET}/${KEY}`,
                    versionId: "v1",
                    sha256: sha256Hex(put.Body as string),
                    baselineCount: 2,
                    operatingSystems: ["AMAZON_LINUX_2023", "WINDOWS"],
                    drift: "none",
                },
            });
        });
        it("create adopts an object that already holds the same content, without writing", async () => {
            const first = await provider.create(inputs());
            const doc = s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string;
            s3.reset();
            s3.on(GetObjectCommand).resolves({ Body: body(doc), ETag: '"e1"', VersionId: "v1" });
            const again = await provider.create(inputs());
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
            expect(again.outs).to.deep.equal(first.outs);
        });
        it("update rewrites only when the content changed, conditionally on the stored ETag", async () => {
            s3.on(GetObjectCommand).resolves({ Body: body("[]\n"), ETag: '"e0"', VersionId: "v0" });
            s3.on(PutObjectCommand).resolves({ ETag: '"e2"', VersionId: "v2" });
            const r = await provider.update(`${BUCKET}/${KEY}`, { ...inputs(), s3Url: "", versionId: "v0", sha256: sha256Hex("[]\n"), baselineCount: 0, operatingSystems: [], drift: "none" }, inputs());
            expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.IfMatch).to.equal('"e0"');
            expect(r.outs).to.deep.include({ versionId: "v2", baselineCount: 2, drift: "none" });
        });
        it("fails with every missing id and writes nothing", async () => {
            ssm.on(GetPatchBaselineCommand, { BaselineId: AL }).rejects(awsError("DoesNotExistException", 400));
            const err = await provider.create(inputs()).catch((e) => e);
            expect(err.message).to.contain(`1 of 2 patch baselines not found: ${AL}`);
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
        });
        it("never writes with unknown inputs", async () => {
            const err = await provider.create(inputs({ baselineIds: [UNKNOWN] })).catch((e) => e);
            expect(err.message).to.contain("nothing is written during a preview");
            expect(sdkCalls()).to.equal(0);
            const region = await provider.create(inputs({ region: UNKNOWN })).catch((e) => e);
            expect(region.message).to.contain("nothing is written during a preview");
            expect(sdkCalls()).to.equal(0);
        });
    });

    describe("read (refresh)", () => {
        async function created() {
            const r = await provider.create(inputs());
            const doc = s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string;
            s3.reset();
            return { outs: r.outs!, doc };
        }
        it("reports no drift when the object is what Pulumi wrote", async () => {
            const { outs, doc } = await created();
            s3.on(GetObjectCommand).resolves({ Body: body(doc), ETag: '"e1"', VersionId: "v1" });
            expect(await provider.read(`${BUCKET}/${KEY}`, outs)).to.deep.equal({ id: `${BUCKET}/${KEY}`, props: outs });
        });
        it("detects an object edited outside Pulumi, and the next up rewrites it", async () => {
            const { outs } = await created();
            s3.on(GetObjectCommand).resolves({ Body: body("[] # edited\n"), ETag: '"e9"', VersionId: "v9" });
            const r = await provider.read(`${BUCKET}/${KEY}`, outs);
            expect(r.props).to.deep.equal({ ...outs, drift: "edited", observedSha256: sha256Hex("[] # edited\n") });
            expect((await provider.diff(`${BUCKET}/${KEY}`, r.props!, inputs())).changes).to.equal(true);
        });
        it("cannot refresh without state (no import)", async () => {
            const err = await provider.read(`${BUCKET}/${KEY}`).catch((e) => e);
            expect(err.message).to.equal(`BaselineOverrides ${BUCKET}/${KEY}: cannot refresh without state (import is not supported)`);
            expect(sdkCalls()).to.equal(0);
        });
        it("detects a deleted object", async () => {
            const { outs } = await created();
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            expect((await provider.read(`${BUCKET}/${KEY}`, outs)).props).to.deep.equal({ ...outs, drift: "missing" });
        });
    });

    describe("through real SDK clients over the in-memory AWS (tests/fakeAws.ts)", () => {
        // A provider given its client factory (the constructor's seam): core.createOverrideClients
        // with the fake's request handler, so every call goes through the real clients'
        // (de)serialisation and the version id comes from the x-amz-version-id response header.
        let fake: FakeAws;
        let provider: BaselineOverridesProvider;
        beforeEach(() => {
            // The real client classes, not aws-sdk-client-mock's stubs from the outer beforeEach.
            ssm.restore();
            s3.restore();
            fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.baselines.set(AL, baselineResponse(AL, { OperatingSystem: "AMAZON_LINUX_2023" }));
            provider = new BaselineOverridesProvider((options) =>
                core.createOverrideClients({ ...options, maxAttempts: 1, clientConfig: { requestHandler: fake.requestHandler, credentials: FAKE_CREDENTIALS } }),
            );
        });
        const ID = `${BUCKET}/${KEY}`;
        const storedText = () => fake.current(BUCKET, KEY)!.body!.toString();

        it("same content under a new version id: no drift, and the verified version id is recorded", async () => {
            const { outs } = (await provider.create(inputs())) as { outs: BaselineOverridesOutputs };
            expect(outs.versionId).to.equal("v1");
            // Someone re-uploads the identical bytes (a copy, a restore from backup): S3 makes a new version.
            const again = fake.put(BUCKET, KEY, storedText(), { "written-by": "someone-else" });
            expect(again.versionId).to.equal("v2");
            const r = await provider.read(ID, outs);
            expect(r).to.deep.equal({ id: ID, props: { ...outs, versionId: "v2", drift: "none" } });
            expect((await provider.diff(ID, r.props!, inputs())).changes).to.equal(false);
            expect(fake.count("PutObject")).to.equal(1);
        });

        it("an edited object restored to the expected content: the drift a refresh found is cleared", async () => {
            const { outs } = (await provider.create(inputs())) as { outs: BaselineOverridesOutputs };
            const expected = storedText();
            fake.put(BUCKET, KEY, "[] # edited by hand\n");
            const edited = await provider.read(ID, outs);
            expect(edited.props).to.deep.equal({ ...outs, drift: "edited", observedSha256: sha256Hex("[] # edited by hand\n") });
            // Put back by hand (or by the remediation Lambda) before the next `pulumi up`.
            const restored = fake.put(BUCKET, KEY, expected);
            const r = await provider.read(ID, edited.props!);
            // No `observedSha256` left over, drift back to none, the restored version recorded.
            expect(r).to.deep.equal({ id: ID, props: { ...outs, versionId: restored.versionId, drift: "none" } });
            expect((await provider.diff(ID, r.props!, inputs())).changes).to.equal(false);
        });

        it("an edit found by a refresh is rewritten by update (conditionally on the edit's ETag); delete removes only this writer's versions", async () => {
            const { outs } = (await provider.create(inputs())) as { outs: BaselineOverridesOutputs };
            const expected = storedText();
            const edit = fake.put(BUCKET, KEY, "[] # edited by hand\n", { "written-by": "someone-else" });
            const edited = await provider.read(ID, outs);
            expect((await provider.diff(ID, edited.props!, inputs())).changedInputs).to.deep.equal(["drift"]);
            const updated = await provider.update(ID, edited.props!, inputs());
            const put = fake.requests.filter((q) => q.operation === "PutObject");
            expect(put.map((q) => [q.headers["if-none-match"], q.headers["if-match"]])).to.deep.equal([
                ["*", undefined],
                [undefined, edit.etag],
            ]);
            expect(storedText()).to.equal(expected);
            expect(updated.outs).to.deep.equal({ ...outs, versionId: fake.current(BUCKET, KEY)!.versionId, drift: "none" });

            await provider.delete(ID, updated.outs!);
            // The object is hidden by a delete marker; the other writer's version is all that is left.
            expect(fake.current(BUCKET, KEY)).to.equal(undefined);
            expect(fake.objects.get(ID)!.filter((v) => !v.deleteMarker).map((v) => v.versionId)).to.deep.equal([edit.versionId]);
        });
    });

    describe("delete", () => {
        it("removes the versions this store wrote and leaves others", async () => {
            s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: KEY, VersionId: "v1" }, { Key: KEY, VersionId: "v2" }] });
            s3.on(HeadObjectCommand, { VersionId: "v1" }).resolves({ Metadata: { "written-by": "patching/test/test1" } });
            s3.on(HeadObjectCommand, { VersionId: "v2" }).resolves({ Metadata: {} });
            s3.on(DeleteObjectCommand).resolves({});
            await provider.delete(`${BUCKET}/${KEY}`, { ...inputs(), s3Url: "", versionId: "v1", sha256: "s", baselineCount: 2, operatingSystems: [], drift: "none" });
            expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.VersionId)).to.deep.equal(["v1"]);
        });
    });

    describe("the default provider (what the BaselineOverrides resource registers)", () => {
        it("builds its clients with core.createOverrideClients, in the resource's Region, for every method that calls AWS", async () => {
            const region = "eu-west-3";
            const created = await provider.create(inputs({ region }));
            const doc = s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string;
            s3.on(GetObjectCommand).resolves({ Body: body(doc), ETag: '"e1"', VersionId: "v1" });
            await provider.read(`${BUCKET}/${KEY}`, created.outs!);
            await provider.update(`${BUCKET}/${KEY}`, created.outs!, inputs({ region }));
            s3.on(ListObjectVersionsCommand).resolves({ Versions: [] });
            await provider.delete(`${BUCKET}/${KEY}`, created.outs!);
            expect(new Set(s3.calls().map((c) => c.args[0].constructor.name))).to.deep.equal(new Set(["GetObjectCommand", "PutObjectCommand", "ListObjectVersionsCommand"]));
            // What only createOverrideClients gives a client: the SDK's ConfiguredRetryStrategy with
            // the core's attempts (a client built without it has 3 attempts and the standard strategy).
            for (const call of [...ssm.calls(), ...s3.calls()]) {
                const config = (call.thisValue as SSMClient | S3Client).config;
                expect(await config.region()).to.equal(region);
                expect(await config.maxAttempts()).to.equal(core.DEFAULT_MAX_ATTEMPTS);
                const strategy = await (config.retryStrategy as unknown as () => Promise<object>)();
                expect(strategy.constructor.name).to.equal("ConfiguredRetryStrategy");
            }
        });

        it("holds no state of its own, so Pulumi serialises it as a stateless object (review/closureCache.ts caches only those)", () => {
            expect(Object.keys(new BaselineOverridesProvider())).to.deep.equal([]);
            expect(Object.keys(new BaselineOverridesProvider(core.createOverrideClients))).to.have.length(1);
        });
    });

    describe("as `pulumi up` serialises it", () => {
        // `pulumi up` runs the program with TypeScript's emit (@pulumi/pulumi's cmd/run/run.js
        // registers ts-node with the `typescript` compiler and the project's tsconfig.json), not with
        // this process's SWC (tests/support/register.js): what the engine receives is serialised in a
        // child process that loads the component that way, and loaded in another, as the
        // dynamic-provider host does. Both run from files: under `node -e`, `exports` is a global,
        // which the serialiser does not capture.
        let dir: string;
        /** Runs `source` as a module file in a new Node process, with the project as its cwd. */
        function node(name: string, source: string) {
            fs.writeFileSync(path.join(dir, name), source);
            return spawnSync(process.execPath, [path.join(dir, name)], { cwd: ROOT, encoding: "utf8" });
        }
        let text: string;
        let registered: { type: string; inputs: Record<string, unknown> };
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-"));
            const program = `
                const fromRoot = (m) => require(require.resolve(m, { paths: [process.cwd()] }));
                fromRoot("ts-node").register({ transpileOnly: true, swc: false, project: ${JSON.stringify(path.join(ROOT, "tsconfig.json"))} });
                const pulumi = fromRoot("@pulumi/pulumi");
                const registered = [];
                (async () => {
                    await pulumi.runtime.setMocks({ newResource: (a) => (registered.push({ type: a.type, inputs: a.inputs }), { id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "patching", "test", false);
                    const { BaselineOverrides } = require(${JSON.stringify(path.join(ROOT, "components", "baselineOverridesProvider.ts"))});
                    new BaselineOverrides("overrides", { region: "${REGION}", bucket: "${BUCKET}", key: "${KEY}", baselineIds: ["${WIN}", "${AL}"], writer: "patching/test/test1", definitionsSha256: "d1" });
                })().catch((e) => { console.error(e); process.exit(2); });
                let written = false;
                process.on("beforeExit", () => {
                    if (written) return;
                    written = true;
                    require("fs").writeFileSync(${JSON.stringify(path.join(dir, "registered.json"))}, JSON.stringify(registered));
                });`;
            const child = node("program.js", program);
            expect(child.status, child.stderr).to.equal(0);
            const all = JSON.parse(fs.readFileSync(path.join(dir, "registered.json"), "utf8")) as (typeof registered)[];
            expect(all).to.have.length(1);
            registered = all[0];
            text = registered.inputs.__provider as string;
            fs.writeFileSync(path.join(dir, "provider.js"), text);
        });

        it("registers its inputs with the provider version and the serialised provider", () => {
            expect(registered.type).to.equal("pulumi-nodejs:dynamic/patching:BaselineOverrides");
            const { __provider: _p, ...rest } = registered.inputs;
            expect(rest).to.deep.equal({ ...inputs() });
            expect(text).to.match(/^exports\.handler = /);
            // Only package and built-in requires: a relative require would fail in the provider host.
            const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
            expect([...new Set(requires)].sort()).to.deep.equal(["@aws-sdk/client-s3", "@aws-sdk/client-ssm", "@smithy/core/retry", "@smithy/node-http-handler/dist-cjs/index.js", "crypto"]);
            expect(text).not.to.contain(ROOT);
            expect(text).not.to.match(/AKIA|aws_secret|accessKeyId/i);
        });

        it("loads in a fresh Node process the way the dynamic-provider host does; its methods work, with clients from core.createOverrideClients", () => {
            // The host: `requireFromString(props.__provider).handler()` (cmd/dynamic-provider/index.js), cwd = the project.
            const script = `
                const fromRoot = (m) => require(require.resolve(m, { paths: [process.cwd()] }));
                const requireFromString = fromRoot("require-from-string");
                const provider = requireFromString(require("fs").readFileSync(${JSON.stringify(path.join(dir, "provider.js"))}, "utf8")).handler();
                const { mockClient } = fromRoot("aws-sdk-client-mock");
                const { SSMClient, GetPatchBaselineCommand } = fromRoot("@aws-sdk/client-ssm");
                const { S3Client, GetObjectCommand, PutObjectCommand } = fromRoot("@aws-sdk/client-s3");
                (async () => {
                    const methods = ["check", "diff", "create", "read", "update", "delete"].filter((m) => typeof provider[m] === "function");
                    const inputs = ${JSON.stringify(inputs())};
                    const diff = await provider.diff("id", { ...inputs, drift: "none" }, { ...inputs, baselineIds: ["${UNKNOWN}"] });
                    const ssm = mockClient(SSMClient);
                    const s3 = mockClient(S3Client);
                    ssm.on(GetPatchBaselineCommand).callsFake(async (i) => ({ BaselineId: i.BaselineId, OperatingSystem: i.BaselineId === "${WIN}" ? "WINDOWS" : "AMAZON_LINUX_2023" }));
                    s3.on(GetObjectCommand).rejects(Object.assign(new Error("no key"), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } }));
                    s3.on(PutObjectCommand).resolves({ VersionId: "v-child" });
                    const created = await provider.create({ ...inputs, region: "eu-west-3" });
                    const clients = await Promise.all([...ssm.calls(), ...s3.calls()].map(async (c) => {
                        const config = c.thisValue.config;
                        return { region: await config.region(), maxAttempts: await config.maxAttempts(), retry: (await config.retryStrategy()).constructor.name };
                    }));
                    console.log(JSON.stringify({ methods, diff, created, clients, puts: s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.IfNoneMatch) }));
                })().catch((e) => { console.error(e); process.exit(2); });`;
            const child = node("host.js", script);
            expect(child.status, child.stderr).to.equal(0);
            const out = JSON.parse(child.stdout.trim().split("\n").pop()!);
            expect(out.methods).to.deep.equal(["check", "diff", "create", "read", "update", "delete"]);
            expect(out.diff).to.deep.equal({ changes: true, replaces: [], changedInputs: ["baselineIds"], deleteBeforeReplace: false });
            expect(out.created.id).to.equal(`${BUCKET}/${KEY}`);
            expect(out.created.outs).to.deep.include({ region: "eu-west-3", versionId: "v-child", baselineCount: 2, drift: "none" });
            expect(out.puts).to.deep.equal(["*"]);
            // Two GetPatchBaseline, GetObject and PutObject: every client as createOverrideClients builds it, in the resource's Region.
            expect(out.clients).to.have.length(4);
            for (const c of out.clients) expect(c).to.deep.equal({ region: "eu-west-3", maxAttempts: core.DEFAULT_MAX_ATTEMPTS, retry: "ConfiguredRetryStrategy" });
        });
    });
});
