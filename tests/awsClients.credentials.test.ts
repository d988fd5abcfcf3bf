/**
 * The client factory's helpers that tests/awsClients.test.ts does not reach (core/awsClients.ts):
 * credentials of a role in another account through a real STS client (AssumeRole over an in-memory
 * handler), refreshed only near expiry; the full-jitter backoff; attempts and names of errors;
 * mapLimit's bound on calls in flight.
 */
import { expect } from "chai";
import { Readable } from "stream";
import { assumedRoleCredentials, attemptsOf, backoffCapMs, errorName, jitterBackoffMs, mapLimit } from "../core/awsClients";

const ROLE = "arn:aws:iam::444455556666:role/patching-dev-read";

/** An STS endpoint answering AssumeRole with credentials expiring at `expiration()`; records each request body. */
function stsFake(expiration: () => Date, keys: { id?: string; secret?: string } = { id: "ASIAEXAMPLE", secret: "secret" }) {
    const bodies: URLSearchParams[] = [];
    const requestHandler = {
        handle: async (req: { body?: unknown }) => {
            bodies.push(new URLSearchParams(String(req.body)));
            const creds = `${keys.id ? `<AccessKeyId>${keys.id}${bodies.length}</AccessKeyId>` : ""}${keys.secret ? `<SecretAccessKey>${keys.secret}</SecretAccessKey>` : ""}<SessionToken>token</SessionToken><Expiration>${expiration().toISOString()}</Expiration>`;
            const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>${creds}</Credentials></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`;
            return { response: { statusCode: 200, reason: "", headers: { "content-type": "text/xml", "content-length": String(Buffer.byteLength(xml)) }, body: Readable.from([Buffer.from(xml)]) } };
        },
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
        destroy: () => undefined,
    };
    return { bodies, requestHandler };
}

describe("SDK client helpers (core/awsClients.ts)", () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    before(() => {
        // The environment's credentials sign AssumeRole (the Lambda's role in AWS).
        process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
        process.env.AWS_SECRET_ACCESS_KEY = "not-a-secret";
    });
    after(() => {
        for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    });

    it("assumes the role for an hour with the session name cut to STS's 64 characters, and reuses the credentials while more than 5 minutes remain", async () => {
        let expires = new Date(Date.now() + 3600_000);
        const sts = stsFake(() => expires);
        const provider = assumedRoleCredentials(ROLE, `patching-promotion-${"x".repeat(80)}`, { region: "us-east-1", requestHandler: sts.requestHandler, maxAttempts: 1 });
        const first = await provider();
        expect(first).to.include({ accessKeyId: "ASIAEXAMPLE1", secretAccessKey: "secret", sessionToken: "token" });
        expect(first.expiration!.toISOString()).to.equal(expires.toISOString());
        expect(sts.bodies[0].get("Action")).to.equal("AssumeRole");
        expect(sts.bodies[0].get("RoleArn")).to.equal(ROLE);
        expect(sts.bodies[0].get("RoleSessionName")).to.equal(`patching-promotion-${"x".repeat(45)}`);
        expect(sts.bodies[0].get("DurationSeconds")).to.equal("3600");
        expect((await provider()).accessKeyId).to.equal("ASIAEXAMPLE1");
        expect(sts.bodies).to.have.length(1);
        // Expiring within 5 minutes: assumed again.
        expires = new Date(Date.now() + 4 * 60_000);
        const second = assumedRoleCredentials(ROLE, "s", { region: "us-east-1", requestHandler: sts.requestHandler, maxAttempts: 1 });
        expect((await second()).accessKeyId).to.equal("ASIAEXAMPLE2");
        expect((await second()).accessKeyId).to.equal("ASIAEXAMPLE3");
        expires = new Date(Date.now() + 6 * 60_000);
        expect((await second()).accessKeyId).to.equal("ASIAEXAMPLE4");
        expect((await second()).accessKeyId).to.equal("ASIAEXAMPLE4");
    });

    it("credentials without a key id or a secret are an error naming the role", async () => {
        for (const keys of [{ secret: "secret" }, { id: "ASIAEXAMPLE" }]) {
            const sts = stsFake(() => new Date(Date.now() + 3600_000), keys);
            const err = await assumedRoleCredentials(ROLE, "s", { region: "us-east-1", requestHandler: sts.requestHandler, maxAttempts: 1 })().catch((e: Error) => e);
            expect((err as Error).message).to.equal(`sts:AssumeRole on ${ROLE} returned no credentials`);
        }
    });

    it("full-jitter backoff: a uniform draw up to the cap of the attempt", () => {
        const random = Math.random;
        try {
            Math.random = () => 0.5;
            expect(jitterBackoffMs(3)).to.equal(Math.round(0.5 * backoffCapMs(3)));
            Math.random = () => 0.999;
            expect(jitterBackoffMs(20)).to.equal(Math.round(0.999 * 20_000));
        } finally {
            Math.random = random;
        }
    });

    it("attempts of a failed call (1 when the SDK recorded none) and an error's name", () => {
        expect(attemptsOf(Object.assign(new Error("x"), { $metadata: { attempts: 4 } }))).to.equal(4);
        expect(attemptsOf(new Error("x"))).to.equal(1);
        expect(attemptsOf(undefined)).to.equal(1);
        expect(errorName(Object.assign(new Error("x"), { name: "ThrottlingException" }))).to.equal("ThrottlingException");
        expect(errorName("boom")).to.equal("Error");
    });

    it("mapLimit: results in input order, never more than the limit in flight, fewer workers than items when the limit is larger", async () => {
        let inFlight = 0;
        let most = 0;
        const out = await mapLimit([30, 10, 20, 0, 5], 2, async (ms, i) => {
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((r) => setImmediate(r));
            inFlight--;
            return `${i}:${ms}`;
        });
        expect(out).to.deep.equal(["0:30", "1:10", "2:20", "3:0", "4:5"]);
        expect(most).to.equal(2);
        const started: number[] = [];
        expect(await mapLimit([1, 2], 8, async (x) => (started.push(x), x * 2))).to.deep.equal([2, 4]);
        expect(started).to.deep.equal([1, 2]);
        expect(await mapLimit([], 3, async (x) => x)).to.deep.equal([]);
    });
});
