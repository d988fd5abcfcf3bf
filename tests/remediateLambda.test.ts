import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetPatchBaselineCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { bundleLambda } from "../components/nodeLambda";
import { createHandler, readEnvironment } from "../lambda/remediateOverrides";
import { baselineResponse, FakeAws, FAKE_CREDENTIALS } from "./fakeAws";

const BUCKET = "patching-overrides-123456789012-us-east-1-test1";
const KEY = "baseline_overrides.json";
const WIN = "pb-0000000000000000a";
const AL = "pb-0000000000000000b";
const ENV = {
    AWS_REGION: "us-east-1",
    OVERRIDE_BUCKET: BUCKET,
    OVERRIDE_KEY: KEY,
    OVERRIDE_BASELINE_IDS: JSON.stringify([WIN, AL]),
    OVERRIDE_WRITER: "patching/test/test1",
};

function awsError(name: string, status: number): Error {
    return Object.assign(new Error(`${name} (mock)`), { name, $metadata: { httpStatusCode: status } });
}

describe("remediation Lambda (lambda/remediateOverrides.ts)", () => {
    describe("handler, against aws-sdk-client-mock", () => {
        let ssm: AwsStub<any, any, any>;
        let s3: AwsStub<any, any, any>;
        beforeEach(() => {
            ssm = mockClient(SSMClient);
            s3 = mockClient(S3Client);
            ssm.on(GetPatchBaselineCommand, { BaselineId: WIN }).resolves({ OperatingSystem: "WINDOWS", ApprovalRules: { PatchRules: [] } });
            ssm.on(GetPatchBaselineCommand, { BaselineId: AL }).resolves({ OperatingSystem: "AMAZON_LINUX_2023", ApprovalRules: { PatchRules: [] } });
            s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", 404));
            s3.on(PutObjectCommand).resolves({ VersionId: "v1", ETag: '"e1"' });
        });
        afterEach(() => {
            ssm.restore();
            s3.restore();
        });

        it("writes the object once and logs one JSON line", async () => {
            const lines: string[] = [];
            const outcome = await createHandler({ env: ENV, log: (l) => lines.push(l) })();
            expect(outcome).to.deep.include({ action: "created", s3Url: `s3://${BUCKET}/${KEY}`, versionId: "v1", baselineCount: 2, operatingSystems: ["AMAZON_LINUX_2023", "WINDOWS"] });
            expect(outcome.calls).to.deep.equal({ getPatchBaseline: 2, getObject: 1, putObject: 1 });
            expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).to.deep.include({ Bucket: BUCKET, Key: KEY, IfNoneMatch: "*", Metadata: { "written-by": "patching/test/test1", "content-sha256": outcome.sha256 } });
            expect(JSON.parse(lines[0])).to.deep.include({ level: "INFO", message: "baseline overrides remediated", action: "created" });
        });

        it("fails the invocation with every missing id and writes nothing (the alarm fires)", async () => {
            ssm.on(GetPatchBaselineCommand, { BaselineId: AL }).rejects(awsError("DoesNotExistException", 400));
            const lines: string[] = [];
            const err = await createHandler({ env: ENV, log: (l) => lines.push(l) })().catch((e) => e);
            expect(err.name).to.equal("MissingBaselinesError");
            expect(err.message).to.contain(`1 of 2 patch baselines not found: ${AL}`);
            expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
            expect(JSON.parse(lines[0])).to.deep.include({ level: "ERROR", error: "MissingBaselinesError" });
        });

        it("refuses a misconfigured environment by name", () => {
            expect(() => readEnvironment({ ...ENV, OVERRIDE_BUCKET: undefined })).to.throw("environment variable OVERRIDE_BUCKET is not set");
            expect(() => readEnvironment({ ...ENV, OVERRIDE_BASELINE_IDS: "[]" })).to.throw("non-empty JSON list");
            expect(readEnvironment({ ...ENV, OVERRIDE_CONCURRENCY: "6" }).concurrency).to.equal(6);
        });
    });

    describe("the esbuild bundle, invoked locally", () => {
        type Bundle = typeof import("../lambda/remediateOverrides");
        let bundle: Bundle;
        let code: string;

        before(function () {
            this.timeout(60000);
            code = bundleLambda("lambda/remediateOverrides.ts").code;
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "remediate-")), "index.js");
            fs.writeFileSync(file, code);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            bundle = require(file) as Bundle;
        });

        it("is self-contained: the SDK and the core are inside, nothing is required from node_modules", () => {
            expect(typeof bundle.handler).to.equal("function");
            const external = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !m.startsWith("node:") && !/^[a-z_]+$/.test(m));
            // S3's optional SigV4a signer (multi-Region access points only), loaded in a try/catch.
            expect([...new Set(external)]).to.deep.equal(["@aws-sdk/signature-v4-crt"]);
        });

        it("runs against an in-memory SSM and S3: throttled, retried, written once; unchanged on the next run", async () => {
            const fake = new FakeAws();
            fake.baselines.set(WIN, baselineResponse(WIN, { OperatingSystem: "WINDOWS" }));
            fake.baselines.set(AL, baselineResponse(AL, { OperatingSystem: "AMAZON_LINUX_2023" }));
            fake.failures.push({ operation: "GetPatchBaseline", status: 400, code: "ThrottlingException", times: 1 });
            const handler = bundle.createHandler({
                env: ENV,
                log: () => undefined,
                clients: {
                    maxAttempts: 3,
                    backoffMs: () => 0,
                    clientConfig: { requestHandler: fake.requestHandler, credentials: FAKE_CREDENTIALS },
                },
            });
            const first = await handler();
            expect(first).to.deep.include({ action: "created", baselineCount: 2 });
            expect(fake.count("GetPatchBaseline")).to.equal(3);
            expect(fake.count("PutObject")).to.equal(1);
            const stored = fake.current(BUCKET, KEY)!;
            expect(JSON.parse(stored.body!.toString()).map((b: { OperatingSystem: string }) => b.OperatingSystem)).to.deep.equal(["AMAZON_LINUX_2023", "WINDOWS"]);
            expect(stored.metadata).to.deep.equal({ "written-by": "patching/test/test1", "content-sha256": first.sha256 });

            const second = await handler();
            expect(second).to.deep.include({ action: "unchanged", sha256: first.sha256, versionId: stored.versionId });
            expect(fake.count("PutObject")).to.equal(1);
        });
    });
});
