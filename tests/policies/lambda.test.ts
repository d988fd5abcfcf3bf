import { expect } from "chai";
import { lambdaCurrentRuntime, lambdaLogRetention, lambdaNoSecretsInEnvironment } from "../../policies/lambda";
import { messages, res } from "./util";

const FN = "aws:lambda/function:Function";
const LG = "aws:cloudwatch/logGroup:LogGroup";

describe("policies: Lambda", () => {
    it("lambda-current-runtime", async () => {
        expect(await messages(lambdaCurrentRuntime, [res(FN, "f", { runtime: "nodejs24.x" }), res(LG, "l", {})])).to.deep.equal([]);
        expect(await messages(lambdaCurrentRuntime, [res(FN, "f", { runtime: "nodejs16.x" })])).to.deep.equal([
            'Function "f" uses runtime nodejs16.x. Fix: use one of nodejs22.x, nodejs24.x, python3.12, python3.13, python3.14.',
        ]);
        expect(await messages(lambdaCurrentRuntime, [res(FN, "f", { runtime: "nodejs22.x" })], { allowedRuntimes: ["nodejs24.x"] })).to.have.length(1);
    });
    it("lambda-no-secrets-in-environment", async () => {
        expect(await messages(lambdaNoSecretsInEnvironment, [res(FN, "f", { environment: { variables: { BUCKET: "b", OBJECT_KEY: "k" } } })])).to.deep.equal([]);
        const msgs = await messages(lambdaNoSecretsInEnvironment, [res(FN, "f", { environment: { variables: { DB_PASSWORD: "x", SLACK_TOKEN: "y", CREDS: "AKIAABCDEFGHIJKLMNOP" } } })]);
        expect(msgs.map((m) => m.split(":")[1].trim().split(" ")[2])).to.deep.equal(["DB_PASSWORD", "SLACK_TOKEN", "CREDS"]);
    });
    it("lambda-log-retention", async () => {
        const fn = res(FN, "f", { name: "patching-remediate", loggingConfig: { logGroup: "/aws/lambda/patching-remediate" } });
        expect(await messages(lambdaLogRetention, [fn, res(LG, "l", { name: "/aws/lambda/patching-remediate", retentionInDays: 30 })])).to.deep.equal([]);
        expect(await messages(lambdaLogRetention, [fn, res(LG, "l", { name: "/aws/lambda/patching-remediate" })])).to.deep.equal([
            'Function "f": log group /aws/lambda/patching-remediate has no retention. Fix: set retentionInDays (e.g. 30).',
        ]);
        expect((await messages(lambdaLogRetention, [fn]))[0]).to.contain("has no log group in this stack");
    });
});
