import { expect } from "chai";
import * as vm from "vm";
import { bundleLambda, LAMBDA_RUNTIME, NodeLambda } from "../components/nodeLambda";
import { runUnderMocks } from "../review/engine";
import { ACCOUNT, named, REGION, COMPONENT_RUN } from "./harness";

async function deploy() {
    return runUnderMocks({
        ...COMPONENT_RUN,
        program: () =>
            new NodeLambda("echo", {
                entry: "tests/fixtures/lambda/echo.ts",
                functionName: "patching-test-echo",
                description: "echo",
                statements: [{ Sid: "ReadOne", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/k"] }],
                environment: { BUCKET: "b" },
                logRetentionDays: 14,
                tags: { Project: "patching" },
            }),
    });
}

describe("NodeLambda component", () => {
    it("bundles the handler into one runnable CommonJS file", async () => {
        const b = bundleLambda("tests/fixtures/lambda/echo.ts");
        expect(b.sha256).to.match(/^[0-9a-f]{64}$/);
        const mod: { exports: { handler?: (e: unknown) => Promise<unknown> } } = { exports: {} };
        vm.runInNewContext(b.code, { module: mod, exports: mod.exports, require });
        expect(await mod.exports.handler!({ a: 1 })).to.deep.equal({ echo: { a: 1 } });
    });

    it("deploys an arm64 function on the current runtime with its log group, role and scoped policy", async () => {
        const { resources } = await deploy();
        const fn = named(resources, "aws:lambda/function:Function", "echo");
        expect(fn.inputs).to.deep.include({ name: "patching-test-echo", runtime: LAMBDA_RUNTIME, handler: "index.handler", architectures: ["arm64"], timeout: 60, memorySize: 256 });
        expect(fn.inputs.environment).to.deep.equal({ variables: { BUCKET: "b" } });
        expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: "/aws/lambda/patching-test-echo" });
        expect(JSON.stringify(fn.inputs.code)).to.match(/\[asset \d+ bytes sha256:[0-9a-f]{12}\]/);

        const logs = named(resources, "aws:cloudwatch/logGroup:LogGroup", "echo-logs");
        expect(logs.inputs).to.deep.include({ name: "/aws/lambda/patching-test-echo", retentionInDays: 14 });

        const role = named(resources, "aws:iam/role:Role", "echo-role");
        expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "echo-policy").inputs.policy as string);
        expect(policy.Statement).to.deep.equal([
            { Sid: "ReadOne", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/k"] },
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/patching-test-echo:*`,
            },
        ]);
    });
});
