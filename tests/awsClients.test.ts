/**
 * The one client factory (core/awsClients.ts) every Lambda and script builds its SDK clients with:
 * timeouts on each attempt, retries through the SDK's strategy, and function timeouts sized so a
 * call whose every attempt hangs still ends in a clear error inside the function's time.
 */
import { expect } from "chai";
import * as net from "net";
import { GetDocumentCommand, SSMClient } from "@aws-sdk/client-ssm";
import { clientConfig, DEFAULT_HTTP_TIMEOUTS, DEFAULT_MAX_ATTEMPTS, worstCaseCallMs } from "../core/awsClients";
import { ofType, runStackFile } from "./harness";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" };

describe("shared SDK client factory (core/awsClients.ts)", () => {
    it("gives every client a NodeHttpHandler with connection and request timeouts that throw", async () => {
        const ssm = new SSMClient(clientConfig({ region: "eu-west-1" }));
        const handler = ssm.config.requestHandler as unknown as { constructor: { name: string }; configProvider: Promise<Record<string, unknown>> };
        expect(handler.constructor.name).to.equal("NodeHttpHandler");
        expect(await handler.configProvider).to.deep.include({ connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true });
        expect(await ssm.config.maxAttempts()).to.equal(DEFAULT_MAX_ATTEMPTS);
    });

    it("a hung endpoint fails fast with a TimeoutError, retried by the SDK (every attempt reaches the server)", async function () {
        this.timeout(60_000);
        const sockets: net.Socket[] = [];
        const server = net.createServer((s) => void sockets.push(s));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const ssm = new SSMClient(
                clientConfig({
                    region: "us-east-1",
                    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
                    maxAttempts: 3,
                    backoffMs: () => 0,
                    timeouts: { connectionTimeoutMs: 5_000, requestTimeoutMs: 250 },
                    credentials: CREDENTIALS,
                }),
            );
            const err = await ssm.send(new GetDocumentCommand({ Name: "prod-patching-approval" })).catch((e) => e);
            expect(err.name).to.equal("TimeoutError");
            expect(err.message).to.contain("exceeded the configured 250 ms requestTimeout");
            expect(err.$metadata.attempts).to.equal(3);
            expect(sockets).to.have.length(3);
        } finally {
            for (const s of sockets) s.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it("one call's worst case (all attempts hanging, longest backoffs) is 54.4 s with the defaults", () => {
        // 6 attempts × (2 s + 5 s) + backoff caps 0.4 + 0.8 + 1.6 + 3.2 + 6.4 s
        expect(worstCaseCallMs(DEFAULT_MAX_ATTEMPTS, DEFAULT_HTTP_TIMEOUTS)).to.equal(54_400);
    });

    for (const stack of ["dev", "prod"]) {
        it(`every Lambda function of the ${stack} stack outlasts one call's worst case`, async function () {
            this.timeout(180_000);
            const { resources } = await runStackFile(`Pulumi.${stack}.yaml`, stack);
            const functions = ofType(resources, "aws:lambda/function:Function");
            expect(functions.length).to.be.greaterThan(0);
            for (const f of functions) {
                expect((f.inputs.timeout as number) * 1000, `${f.name} timeout`).to.be.greaterThan(worstCaseCallMs(DEFAULT_MAX_ATTEMPTS));
            }
        });
    }
});
