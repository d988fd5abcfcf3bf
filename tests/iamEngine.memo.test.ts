import { expect } from "chai";
import * as path from "path";
import { decide, evaluate, memoiseResourceTypes } from "../review/iamEngine";

type Lookup = (service: string, action: string, resource: string) => Promise<{ key?: string; arn?: string }[]>;

/** The engine's own module, as review/iamEngine.ts reaches it. */
function engineModule(): { getResourceTypesForAction: Lookup & { unmemoised?: Lookup } } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(path.dirname(require.resolve("@cloud-copilot/iam-simulate")), "simulation_engine", "resourceTypes.js"));
}

const CASES: [string, string, string][] = [
    ["s3", "GetObject", "arn:aws:s3:::bucket/key.json"],
    ["s3", "GetObject", "arn:aws:s3:::bucket/*"],
    ["s3", "ListBucket", "arn:aws:s3:::bucket"],
    ["ssm", "SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline"],
    ["ssm", "SendCommand", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"],
    ["sts", "AssumeRole", "arn:aws:iam::123456789012:role/x"],
    ["kms", "Decrypt", "arn:aws:kms:us-east-1:123456789012:key/1234"],
    ["sns", "Publish", "arn:aws:sns:us-east-1:123456789012:topic"],
];

describe("review/iamEngine: the engine's resource type lookup, memoised", () => {
    it("is installed on the engine's module (a later engine that moves it would be decided unmemoised: this test says so)", () => {
        expect(memoiseResourceTypes()).to.equal(true);
        expect(engineModule().getResourceTypesForAction.unmemoised).to.be.a("function");
    });

    it("answers as the engine's own lookup, on the first and later calls, each time with an array of its own", async () => {
        memoiseResourceTypes();
        const lookup = engineModule().getResourceTypesForAction;
        const unmemoised = lookup.unmemoised!;
        for (const [service, action, resource] of CASES) {
            const expected = await unmemoised(service, action, resource);
            const first = await lookup(service, action, resource);
            const again = await lookup(service, action, resource);
            expect(first, `${service}:${action} ${resource}`).to.deep.equal(expected);
            expect(again).to.deep.equal(expected);
            expect(again).not.to.equal(first);
            first.length = 0; // a caller emptying its copy does not change the next answer
            expect(await lookup(service, action, resource)).to.deep.equal(expected);
        }
    });

    it("rejects an unknown action as the engine does, every time", async () => {
        const lookup = engineModule().getResourceTypesForAction;
        const messages: string[] = [];
        for (const fn of [lookup.unmemoised!, lookup, lookup]) await fn("s3", "NoSuchAction", "arn:aws:s3:::b").catch((e: Error) => messages.push(e.message));
        expect(messages).to.have.length(3);
        expect(new Set(messages).size).to.equal(1);
    });

    it("decides the same request the same way when asked again", async () => {
        const request = {
            principal: "arn:aws:iam::123456789012:role/reader",
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/baseline_overrides.json",
            resourceAccount: "123456789012",
            context: {},
            identityPolicies: [{ name: "read", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }] } }],
        };
        const first = await decide(request);
        expect(first.allowed).to.equal(true);
        expect(await decide(request)).to.deep.equal(first);
        const denied = await decide({ ...request, resource: "arn:aws:s3:::other/baseline_overrides.json" });
        expect(denied.allowed).to.equal(false);
        expect(await decide({ ...request, resource: "arn:aws:s3:::other/baseline_overrides.json" })).to.deep.equal(denied);
    });

    describe("decide: the engine's decision kept per request", () => {
        const ACCOUNT = "123456789012";
        const base = {
            principal: `arn:aws:iam::${ACCOUNT}:role/reader`,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/baseline_overrides.json",
            resourceAccount: ACCOUNT,
            context: {} as Record<string, string>,
            identityPolicies: [{ name: "read", policy: { Version: "2012-10-17", Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }] } }],
        };
        const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:alarms`;
        const requests = [
            base,
            { ...base, resource: "arn:aws:s3:::other/baseline_overrides.json" },
            { ...base, identityPolicies: [...base.identityPolicies, { name: "deny", policy: { Version: "2012-10-17", Statement: [{ Sid: "No", Effect: "Deny", Action: "s3:*", Resource: "*" }] } }] },
            {
                principal: "cloudwatch.amazonaws.com",
                action: "sns:Publish",
                resource: topic,
                resourceAccount: ACCOUNT,
                context: { "aws:SourceAccount": ACCOUNT },
                resourcePolicy: { Version: "2012-10-17", Statement: [{ Sid: "Alarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topic, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }] },
            },
        ];

        it("answers as the engine asked afresh, on the first and later calls, for allowed, denied and explicitly denied requests", async () => {
            for (const r of requests) {
                const expected = await evaluate(r);
                expect(await decide(r), JSON.stringify(r)).to.deep.equal(expected);
                expect(await decide(r)).to.deep.equal(expected);
            }
            expect((await Promise.all(requests.map(decide))).map((d) => d.result)).to.deep.equal(["Allowed", "ImplicitlyDenied", "ExplicitlyDenied", "Allowed"]);
        });

        it("tells apart requests that differ in one context value, and hands each caller its own reasons", async () => {
            const publish = requests[3];
            const otherAccount = { ...publish, context: { "aws:SourceAccount": "210987654321" } };
            expect((await decide(publish)).allowed).to.equal(true);
            expect(await decide(otherAccount)).to.deep.equal(await evaluate(otherAccount));
            expect((await decide(otherAccount)).allowed).to.equal(false);
            const mine = await decide(base);
            mine.deciding.push("changed by a caller");
            mine.allowed = false;
            expect(await decide(base)).to.deep.equal(await evaluate(base));
        });
    });
});
