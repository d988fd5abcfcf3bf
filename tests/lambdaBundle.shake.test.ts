import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import { bundleLambda, shakeSdkSchemas } from "../components/nodeLambda";

/** A request handler answering EC2 and SSM with fixed wire responses, recording every request as sent. */
function wire() {
    const requests: { host: string; path: string; target?: string; body: string }[] = [];
    const respond = (statusCode: number, contentType: string, body: string) => ({
        response: { statusCode, reason: "", headers: { "content-type": contentType, "content-length": String(Buffer.byteLength(body)) }, body: Readable.from([Buffer.from(body)]) },
    });
    const text = async (body: unknown) => {
        if (body === undefined || body === null) return "";
        if (typeof body === "string") return body;
        if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
        throw new Error(`unexpected body ${typeof body}`);
    };
    const ns = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
    const handler = {
        handle: async (req: { hostname: string; path: string; headers: Record<string, string>; body?: unknown }) => {
            const body = await text(req.body);
            const target = Object.entries(req.headers).find(([k]) => k.toLowerCase() === "x-amz-target")?.[1];
            requests.push({ host: req.hostname, path: req.path, ...(target ? { target } : {}), body });
            if (req.hostname.startsWith("ssm.")) return respond(200, "application/x-amz-json-1.1", JSON.stringify({ Command: { CommandId: "c-1", DocumentName: "AWS-RunPatchBaseline", InstanceIds: ["i-1"], Status: "Pending", Parameters: { Operation: ["Install"] } } }));
            const action = new URLSearchParams(body).get("Action");
            if (action === "DescribeInstances")
                return respond(
                    200,
                    "text/xml",
                    `<DescribeInstancesResponse ${ns}><requestId>r1</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet><item><instanceId>i-1</instanceId><instanceType>t3.large</instanceType><platform>windows</platform><instanceState><code>80</code><name>stopped</name></instanceState><tagSet><item><key>Patch Group</key><value>web</value></item><item><key>Name</key><value>host-1</value></item></tagSet><blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><volumeId>vol-1</volumeId><status>attached</status></ebs></item></blockDeviceMapping></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
                );
            if (action === "StartInstances" && new URLSearchParams(body).get("InstanceId.1") === "i-2")
                return respond(503, "text/xml", `<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r3</RequestID></Response>`);
            if (action === "StartInstances")
                return respond(200, "text/xml", `<StartInstancesResponse ${ns}><requestId>r2</requestId><instancesSet><item><instanceId>i-1</instanceId><currentState><code>0</code><name>pending</name></currentState><previousState><code>80</code><name>stopped</name></previousState></item></instancesSet></StartInstancesResponse>`);
            throw new Error(`unexpected request ${action}`);
        },
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
        destroy: () => undefined,
    };
    return { handler, requests };
}

type Probe = typeof import("./fixtures/lambda/sdkWire");

describe("Lambda bundles: the second pass drops unused SDK schemas and keeps the used ones (components/nodeLambda.ts)", () => {
    it("makes a schema trait key literal only for string constants declared once, only inside SDK schema modules", () => {
        const code = [
            "// node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js",
            'var _xN = "xmlName";',
            'var _dup = "a";',
            'var A$ = [3, n0, _A, 0, [0, { [_xN]: _T, [_dup]: 1, [_free]: 2 }]];',
            "// node_modules/other/index.js",
            'var _dup = "b";',
            "var o = { [_xN]: 1 };",
            'var init_x = __esm({\n  "node_modules/other/x.js"() {\n  }\n});',
        ].join("\n");
        const out = shakeSdkSchemas(code);
        expect(out.keysMadeLiteral).to.equal(1);
        expect(out.code).to.include('var A$ = [3, n0, _A, 0, [0, { "xmlName": _T, [_dup]: 1, [_free]: 2 }]];');
        expect(out.code).to.include("var o = { [_xN]: 1 };");
        expect(out.code).to.include('__esm({\n  "m0"() {');
        expect(out.code).to.not.include("node_modules/other/x.js");
    });

    it("a bundle using EC2 and SSM sends the same requests and reads the same responses as the unbundled SDK", async function () {
        this.timeout(120_000);
        const bundle = bundleLambda("tests/fixtures/lambda/sdkWire.ts");
        // The EC2 client's full schema module alone is ~540 KiB minified: far below that, it was shaken.
        expect(bundle.bytes).to.be.below(400 * 1024);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sdk-wire-")), "index.js");
        fs.writeFileSync(file, bundle.code);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const bundled = require(file) as Probe;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const source = require("./fixtures/lambda/sdkWire") as Probe;
        const a = wire();
        const b = wire();
        const fromBundle = await bundled.probe(a.handler);
        const fromSource = await source.probe(b.handler);
        expect(fromBundle).to.deep.equal(fromSource);
        expect(a.requests).to.deep.equal(b.requests);
        // And what the unbundled SDK does is what the EC2 and SSM wire formats say (independent of the bundle).
        expect(a.requests.map((r) => new URLSearchParams(r.body).get("Action") ?? r.target)).to.deep.equal(["DescribeInstances", "StartInstances", "AmazonSSM.SendCommand", "StartInstances"]);
        expect(Object.fromEntries(new URLSearchParams(a.requests[0].body))).to.include({ "InstanceId.1": "i-1", "InstanceId.2": "i-2", "Filter.1.Name": "tag:Patch Group", "Filter.1.Value.1": "web", "Filter.1.Value.2": "db" });
        const described = fromBundle as { described: { Reservations: { Instances: { InstanceId: string; State: { Name: string }; Tags: { Key: string; Value: string }[]; BlockDeviceMappings: { Ebs: { VolumeId: string } }[] }[] }[] }; started: unknown; throttled: unknown };
        const instance = described.described.Reservations[0].Instances[0];
        expect(instance.InstanceId).to.equal("i-1");
        expect(instance.State.Name).to.equal("stopped");
        expect(instance.Tags).to.deep.equal([{ Key: "Patch Group", Value: "web" }, { Key: "Name", Value: "host-1" }]);
        expect(instance.BlockDeviceMappings[0].Ebs.VolumeId).to.equal("vol-1");
        expect(described.started).to.deep.equal({ StartingInstances: [{ InstanceId: "i-1", CurrentState: { Code: 0, Name: "pending" }, PreviousState: { Code: 80, Name: "stopped" } }] });
        expect(described.throttled).to.deep.equal({ name: "RequestLimitExceeded", message: "Request limit exceeded.", status: 503 });
    });
});
