/**
 * Every API request a deployed resource makes on the program's behalf, in every stack (dev, prod,
 * member-example, the example and every valid fixture stack), matches the AWS SDK's model of that
 * API (review/contracts/sdkModel.ts): the Automation documents the program generates or ships, each
 * EventBridge Scheduler universal target's Input, each Step Functions task (AWS SDK and optimized
 * integrations) and Distributed Map ItemReader. Requests found by review/contracts/apiRequests.ts
 * in the cached plans the wiring proof reads too.
 */
import { expect } from "chai";
import { automationRequests, planApiRequests, stateMachineRequests } from "../review/contracts/apiRequests";
import { requestsProblems } from "../review/contracts";
import type { PlanResource } from "../review/engine";
import { cachedReview } from "./harness";
import { forEveryStack, PROD_VARIANTS, prodVariant, STACKS } from "./support/stacks";

const problemsOf = requestsProblems;

describe("Contracts: API requests of generated documents, schedules and state machines against the AWS SDK models", () => {
    let prod: PlanResource[];
    before(async () => {
        prod = (await cachedReview({ stack: "prod", configPath: STACKS.find(([s]) => s === "prod")![1] })).resources;
    });
    /** The plan with one resource's input changed. */
    const mutate = (type: string, name: RegExp, change: (inputs: Record<string, any>) => void): PlanResource[] =>
        prod.map((r) => {
            if (r.type !== type || !name.test(r.name)) return r;
            const copy = JSON.parse(JSON.stringify(r)) as PlanResource;
            change(copy.inputs);
            return copy;
        });

    it("finds every kind in prod: Automation steps of deployed documents, Scheduler universal targets, Step Functions tasks", () => {
        const kinds = planApiRequests(prod).map((r) => `${r.kind} ${r.service}:${r.operation}`);
        expect(kinds).to.include.members([
            "automation ec2:CreateSnapshots",
            "automation ec2:CreateReplaceRootVolumeTask",
            "scheduler ssm:startAutomationExecution",
            "stepfunctions lambda:invoke",
            "stepfunctions sfn:startExecution",
        ]);
    });

    describe("each kind of request is refused when it does not match the model", () => {
        it("a generated Automation document's step with a member the API lacks", () => {
            const broken = mutate("aws:ssm/document:Document", /-change-safety-patch-document$/, (i) => {
                i.content = (i.content as string).replace("ExcludeBootVolume: false", "ExcludeBootVolume: false\n        ExcludeDataVolumes: true");
            });
            expect(problemsOf(planApiRequests(broken)).join("\n")).to.match(/step createSnapshots \(ec2:CreateSnapshots\).*InstanceSpecification has no member ExcludeDataVolumes/);
            const nested = automationRequests("doc", {
                mainSteps: [{ name: "loop", action: "aws:loop", inputs: { Steps: [{ name: "get", action: "aws:executeAwsApi", inputs: { Service: "ssm", Api: "GetParameter", Nam: "x" } }] } }],
            });
            expect(problemsOf(nested)).to.deep.equal(["doc step get (ssm:GetParameter): GetParameterRequest has no member Nam (members: Name, WithDecryption)", "doc step get (ssm:GetParameter): required member Name is missing"]);
        });
        it("a Scheduler universal target: an unknown member, a camelCase member, a PascalCase operation, an unknown operation", () => {
            const target = (change: (t: { arn: string; input: string }) => void) =>
                problemsOf(
                    planApiRequests(
                        mutate("aws:scheduler/schedule:Schedule", /^prod-automation-prod-web-install$/, (i) => {
                            change(i.target);
                        }),
                    ),
                ).join("\n");
            expect(target((t) => (t.input = JSON.stringify({ ...JSON.parse(t.input), MaxConcurency: "10%" })))).to.match(/StartAutomationExecutionRequest has no member MaxConcurency/);
            expect(target((t) => (t.input = JSON.stringify({ ...JSON.parse(t.input), documentName: JSON.parse(t.input).DocumentName })))).to.match(/has no member documentName/);
            expect(target((t) => (t.arn = t.arn.replace("startAutomationExecution", "StartAutomationExecution")))).to.match(/Scheduler names the operation in camelCase \(startAutomationExecution\)/);
            expect(target((t) => (t.arn = t.arn.replace("startAutomationExecution", "startAutomationRun")))).to.match(/ssm has no operation startAutomationRun/);
            expect(target((t) => (t.input = JSON.stringify({ ...JSON.parse(t.input), DocumentName: undefined })))).to.match(/required member DocumentName is missing/);
        });
        it("a Step Functions task: the SDK's camelCase member where Step Functions wants PascalCase, a missing required member, an AWS SDK integration", () => {
            const broken = mutate("aws:sfn/stateMachine:StateMachine", /-fleet-run$/, (i) => {
                i.definition = (i.definition as string).replace('"StateMachineArn"', '"stateMachineArn"');
            });
            expect(problemsOf(planApiRequests(broken)).join("\n")).to.match(/state RunBatch .*StartExecutionInput has no member stateMachineArn[^\n]*\n.*required member StateMachineArn is missing/);
            const definition = (resource: string, parameters: object) => ({ StartAt: "A", States: { A: { Type: "Task", Resource: resource, Parameters: parameters, End: true } } });
            expect(problemsOf(stateMachineRequests("sm", definition("arn:aws:states:::lambda:invoke", { Payload: { "a.$": "$" } })))).to.deep.equal([
                "sm state A (arn:aws:states:::lambda:invoke): required member FunctionName is missing",
            ]);
            expect(problemsOf(stateMachineRequests("sm", definition("arn:aws:states:::aws-sdk:ec2:describeInstances", { "InstanceIds.$": "$.ids", MaxResults: 5 })))).to.deep.equal([]);
            const sdk = problemsOf(stateMachineRequests("sm", definition("arn:aws:states:::aws-sdk:ec2:DescribeInstances", { InstanceId: ["i-1"] })));
            expect(sdk).to.have.length(2);
            expect(sdk[0]).to.equal("sm state A (arn:aws:states:::aws-sdk:ec2:DescribeInstances): Step Functions names the operation in camelCase (describeInstances), not DescribeInstances");
            expect(sdk[1]).to.match(/^sm state A \(arn:aws:states:::aws-sdk:ec2:DescribeInstances\): DescribeInstancesRequest has no member InstanceId \(members: InstanceIds, /);
            // Inside a Distributed Map: the ItemReader and the child workflow's tasks.
            const map = { StartAt: "M", States: { M: { Type: "Map", ItemReader: { Resource: "arn:aws:states:::s3:getObject", Parameters: { Bucket: "b", Keys: "k" } }, ItemProcessor: definition("arn:aws:states:::lambda:invoke", { FunctionName: "f", Payloads: {} }), End: true } } };
            const inMap = problemsOf(stateMachineRequests("sm", map));
            expect(inMap).to.have.length(3);
            expect(inMap[0]).to.match(/^sm state M ItemReader \(arn:aws:states:::s3:getObject\): GetObjectRequest has no member Keys /);
            expect(inMap[1]).to.equal("sm state M ItemReader (arn:aws:states:::s3:getObject): required member Key is missing");
            expect(inMap[2]).to.match(/^sm state M\.ItemProcessor\.A \(arn:aws:states:::lambda:invoke\): InvocationRequest has no member Payloads /);
        });
    });

    describe("every stack: every request matches the model", () => {
        forEveryStack((r, stack) => {
            // The review's own report (review/contracts, computed once per planned stack).
            const report = r.contracts!.api;
            expect(report.problems, stack).to.deep.equal([]);
            if (stack === "dev" || stack === "prod") expect(report.requests, stack).to.be.greaterThan(20);
        });
    });

    describe("variants of prod that switch on what the stack files leave off", () => {
        for (const name of Object.keys(PROD_VARIANTS)) {
            it(name, async function () {
                this.timeout(120_000);
                expect(problemsOf(planApiRequests(await prodVariant(name))), name).to.deep.equal([]);
            });
        }
    });
});
