import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PlanResource } from "../review/engine";
import { definitionProblems } from "../core/orchestrator/stateMachine";
import { orchestratorInput } from "../core/orchestrator/settings";
import { ACCOUNT, minimalConfig, named, ofType, parse, REGION, ROOT, runProgram, runStackFile } from "./harness";

const ARN = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
const FN = (n: string) => ARN("lambda", `function:seed-fleet-${n}`);

function orchestrator(extra: Record<string, unknown> = {}) {
    return {
        name: "seed-fleet",
        description: "Seed 003 fleet",
        window: { schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 },
        targets: { tags: { PatchGroup: ["Windows"] } },
        priorityInstanceTypes: ["m5.large", "m5.xlarge", "c5.large"],
        ...extra,
    };
}
async function deploy(o: Record<string, unknown> = orchestrator()) {
    const values = minimalConfig({ "patching:patchOrchestrators": [o] });
    const { resources } = await runProgram(values);
    return { resources, cfg: parse(values).patchOrchestrators[0] };
}
const statements = (r: PlanResource[], type: string, name: string) => JSON.parse(named(r, type, name).inputs.policy as string).Statement;
const lambdaPolicy = (r: PlanResource[], n: string) => statements(r, "aws:iam/rolePolicy:RolePolicy", `seed-fleet-${n}-policy`);
const ownLogs = (n: string) => ({
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: ARN("logs", `log-group:/aws/lambda/seed-fleet-${n}:*`),
});

describe("PatchOrchestrator component", () => {
    it("starts the run state machine from a targetless STEP_FUNCTIONS task of the seed's window", async () => {
        const { resources: r, cfg } = await deploy();
        expect(named(r, "aws:ssm/maintenanceWindow:MaintenanceWindow", "seed-fleet-window").inputs).to.deep.include({
            name: "seed-fleet-window",
            description: "Seed 003 fleet",
            schedule: "cron(55 22 ? * * *)",
            duration: 4,
            cutoff: 0,
            allowUnassociatedTargets: false,
        });
        const task = named(r, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "seed-fleet-window-task-start-orchestration");
        expect(task.inputs).to.deep.equal({
            windowId: "seed-fleet-window-id",
            name: "start-orchestration",
            description: "Starts seed-fleet-run: batch patching with state restore",
            priority: 1,
            serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/seed-fleet-window-role`,
            taskType: "STEP_FUNCTIONS",
            taskArn: ARN("states", "stateMachine:seed-fleet-run"),
            taskInvocationParameters: { stepFunctionsParameters: { input: JSON.stringify(orchestratorInput(cfg)) } },
        });
        const input = JSON.parse((task.inputs.taskInvocationParameters as { stepFunctionsParameters: { input: string } }).stepFunctionsParameters.input);
        expect(input.windowExecutionId).to.equal("{{WINDOW_EXECUTION_ID}}");
        expect(input.settings).to.deep.include({ orchestrator: "seed-fleet", batchSize: 5, priorityInstanceTypes: ["m5.large", "m5.xlarge", "c5.large"], waitBetweenBatchesSeconds: 120, agentWaitSeconds: 600, maxRuntimeMinutes: 240 });
        expect(ofType(r, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget"), "the task runs once per window, not once per instance").to.deep.equal([]);
        expect(statements(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-window-role-policy")).to.deep.equal([
            { Sid: "StartStateMachines", Effect: "Allow", Action: ["states:StartExecution"], Resource: [ARN("states", "stateMachine:seed-fleet-run")] },
            { Sid: "TrackStateMachineExecutions", Effect: "Allow", Action: ["states:DescribeExecution"], Resource: [ARN("states", "execution:seed-fleet-run:*")] },
        ]);
    });

    it("deploys both state machines with valid definitions wired to the four Lambdas and the child machine", async () => {
        const { resources: r } = await deploy();
        const batch = named(r, "aws:sfn/stateMachine:StateMachine", "seed-fleet-batch");
        const run = named(r, "aws:sfn/stateMachine:StateMachine", "seed-fleet-run");
        expect(batch.inputs).to.deep.include({ name: "seed-fleet-batch", type: "STANDARD", roleArn: `arn:aws:iam::${ACCOUNT}:role/seed-fleet-batch-sm-role` });
        expect(run.inputs).to.deep.include({ name: "seed-fleet-run", type: "STANDARD", roleArn: `arn:aws:iam::${ACCOUNT}:role/seed-fleet-run-sm-role` });
        const batchDef = JSON.parse(batch.inputs.definition as string);
        const runDef = JSON.parse(run.inputs.definition as string);
        expect(definitionProblems(batchDef)).to.deep.equal([]);
        expect(definitionProblems(runDef)).to.deep.equal([]);
        const fns = (def: { States: Record<string, { Parameters?: { FunctionName?: string } }> }) => [...new Set(Object.values(def.States).map((s) => s.Parameters?.FunctionName).filter(Boolean))].sort();
        expect(fns(batchDef)).to.deep.equal([FN("batch"), FN("restore")]);
        expect(fns(runDef)).to.deep.equal([FN("plan"), FN("restore"), FN("summary")]);
        expect(runDef.States.RunBatch.Parameters.StateMachineArn).to.equal(ARN("states", "stateMachine:seed-fleet-batch"));
        // agent wait + 2 × preflight + volume wait + patch + margin
        expect(batchDef.TimeoutSeconds).to.equal(600 + 2 * 1800 + 900 + 7200 + 1800);
    });

    it("state machine roles: trusted by Step Functions for that machine only; invoke exactly their Lambdas", async () => {
        const { resources: r } = await deploy();
        for (const [role, machine] of [
            ["seed-fleet-batch-sm-role", "seed-fleet-batch"],
            ["seed-fleet-run-sm-role", "seed-fleet-run"],
        ]) {
            expect(JSON.parse(named(r, "aws:iam/role:Role", role).inputs.assumeRolePolicy as string).Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "states.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": ARN("states", `stateMachine:${machine}`) } },
                },
            ]);
        }
        expect(statements(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-batch-sm-policy")).to.deep.equal([
            { Sid: "InvokeBatchSteps", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [FN("batch"), FN("restore")] },
        ]);
        expect(statements(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-run-sm-policy")).to.deep.equal([
            { Sid: "InvokeRunSteps", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [FN("plan"), FN("restore"), FN("summary")] },
            { Sid: "StartBatchExecutions", Effect: "Allow", Action: ["states:StartExecution"], Resource: ARN("states", "stateMachine:seed-fleet-batch") },
            { Sid: "FollowBatchExecutions", Effect: "Allow", Action: ["states:DescribeExecution", "states:StopExecution"], Resource: ARN("states", "execution:seed-fleet-batch:*") },
            {
                Sid: "SyncExecutionEvents",
                Effect: "Allow",
                Action: ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                Resource: ARN("events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),
            },
        ]);
    });

    it("Lambda roles, statement by statement: discovery reads; start/stop/SendCommand only on instances carrying the target tag", async () => {
        const { resources: r } = await deploy();
        expect(lambdaPolicy(r, "plan")).to.deep.equal([{ Sid: "DiscoverInstances", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" }, ownLogs("plan")]);
        expect(lambdaPolicy(r, "batch")).to.deep.equal([
            { Sid: "StartTargetInstances", Effect: "Allow", Action: ["ec2:StartInstances"], Resource: ARN("ec2", "instance/*"), Condition: { StringEquals: { "aws:ResourceTag/PatchGroup": ["Windows"] } } },
            { Sid: "ReadInstancesAndAgents", Effect: "Allow", Action: ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation", "ssm:ListCommandInvocations"], Resource: "*" },
            { Sid: "SendPreflightAndPatchDocuments", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: [ARN("ssm", "document/seed-fleet-preflight"), `arn:aws:ssm:${REGION}::document/AWS-RunPatchBaseline`] },
            { Sid: "SendToTargetInstances", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: ARN("ec2", "instance/*"), Condition: { StringEquals: { "ssm:resourceTag/PatchGroup": ["Windows"] } } },
            { Sid: "CancelTimedOutCommands", Effect: "Allow", Action: ["ssm:CancelCommand"], Resource: "*" },
            ownLogs("batch"),
        ]);
        expect(lambdaPolicy(r, "restore")).to.deep.equal([
            { Sid: "ReadInstanceStates", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
            { Sid: "StopTargetInstances", Effect: "Allow", Action: ["ec2:StopInstances"], Resource: ARN("ec2", "instance/*"), Condition: { StringEquals: { "aws:ResourceTag/PatchGroup": ["Windows"] } } },
            ownLogs("restore"),
        ]);
        expect(lambdaPolicy(r, "summary")).to.deep.equal([
            { Sid: "WriteRunSummaries", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: ARN("logs", "log-group:/aws/ssm/patch-manager:log-stream:orchestrator/*") },
            { Sid: "PublishRunSummaries", Effect: "Allow", Action: ["sns:Publish"], Resource: ARN("sns", "seed-fleet-patch-summary") },
            ownLogs("summary"),
        ]);
    });

    it("wires the Lambdas' environment: preflight document, log group, topic", async () => {
        const { resources: r } = await deploy();
        const env = { variables: { PREFLIGHT_DOCUMENT: "seed-fleet-preflight", LOG_GROUP_NAME: "/aws/ssm/patch-manager", TOPIC_ARN: ARN("sns", "seed-fleet-patch-summary") } };
        expect(named(r, "aws:lambda/function:Function", "seed-fleet-batch").inputs.environment).to.deep.equal(env);
        expect(named(r, "aws:lambda/function:Function", "seed-fleet-summary").inputs.environment).to.deep.equal(env);
        expect(named(r, "aws:lambda/function:Function", "seed-fleet-plan").inputs.environment).to.equal(undefined);
        expect(named(r, "aws:lambda/function:Function", "seed-fleet-restore").inputs).to.deep.include({ timeout: 120, handler: "index.handler" });
    });

    it("volume expansion (opt-in) adds ec2:ModifyVolume to the batch Lambda only, on volumes carrying the tag", async () => {
        const { resources: r } = await deploy(orchestrator({ preflight: { volumeExpansion: { enabled: true, volumeTag: { key: "PatchVolume", value: "allowed" } } } }));
        const batch = lambdaPolicy(r, "batch");
        expect(batch.filter((s: { Sid: string }) => ["GrowTaggedRootVolumes", "ReadVolumes"].includes(s.Sid))).to.deep.equal([
            { Sid: "GrowTaggedRootVolumes", Effect: "Allow", Action: ["ec2:ModifyVolume"], Resource: ARN("ec2", "volume/*"), Condition: { StringEquals: { "aws:ResourceTag/PatchVolume": ["allowed"] } } },
            { Sid: "ReadVolumes", Effect: "Allow", Action: ["ec2:DescribeVolumes", "ec2:DescribeVolumesModifications"], Resource: "*" },
        ]);
        const everyPolicy = [...ofType(r, "aws:iam/rolePolicy:RolePolicy"), ...ofType(r, "aws:iam/policy:Policy")].filter((p) => p.name !== "seed-fleet-batch-policy");
        for (const p of everyPolicy) expect(String(p.inputs.policy), p.name).to.not.contain("ec2:ModifyVolume");
    });

    it("without expansion nothing may modify volumes, and the default volume tag is the first target tag", async () => {
        const { resources: r } = await deploy();
        for (const p of ofType(r, "aws:iam/rolePolicy:RolePolicy")) expect(String(p.inputs.policy), p.name).to.not.contain("ModifyVolume");
        const { resources: r2 } = await deploy(orchestrator({ preflight: { volumeExpansion: { enabled: true } } }));
        expect(lambdaPolicy(r2, "batch").find((s: { Sid: string }) => s.Sid === "GrowTaggedRootVolumes").Condition).to.deep.equal({ StringEquals: { "aws:ResourceTag/PatchGroup": ["Windows"] } });
    });

    it("a resource-group target adds ListGroupResources on that group; without tags start/stop are not tag-scoped", async () => {
        const { resources: r } = await deploy(orchestrator({ targets: { resourceGroup: "seed-patch-targets" } }));
        expect(lambdaPolicy(r, "plan").slice(0, 3)).to.deep.equal([
            { Sid: "DiscoverInstances", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
            { Sid: "ListTargetGroup", Effect: "Allow", Action: ["resource-groups:ListGroupResources"], Resource: ARN("resource-groups", "group/seed-patch-targets") },
            { Sid: "ResolveGroupMembers", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*" },
        ]);
        expect(lambdaPolicy(r, "restore")[1]).to.deep.equal({ Sid: "StopTargetInstances", Effect: "Allow", Action: ["ec2:StopInstances"], Resource: ARN("ec2", "instance/*") });
    });

    it("customer-managed EBS keys: the batch Lambda may create grants for EC2 on exactly those keys", async () => {
        const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { resources: r } = await deploy(orchestrator({ ebsKmsKeyArns: [key] }));
        expect(lambdaPolicy(r, "batch").find((s: { Sid: string }) => s.Sid === "StartInstancesWithEncryptedVolumes")).to.deep.equal({
            Sid: "StartInstancesWithEncryptedVolumes",
            Effect: "Allow",
            Action: ["kms:CreateGrant"],
            Resource: [key],
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        });
    });

    it("ships the preflight document (YAML, versioned by content) and the log group with 30-day retention", async () => {
        const { resources: r } = await deploy();
        const doc = named(r, "aws:ssm/document:Document", "seed-fleet-preflight");
        expect(doc.inputs).to.deep.include({ name: "seed-fleet-preflight", documentType: "Command", documentFormat: "YAML", targetType: "/AWS::EC2::Instance" });
        expect(doc.inputs.versionName).to.match(/^v-[0-9a-f]{16}$/);
        expect(String(doc.inputs.content)).to.contain("schemaVersion: \"2.2\"");
        expect(named(r, "aws:cloudwatch/logGroup:LogGroup", "seed-fleet-logs").inputs).to.deep.include({ name: "/aws/ssm/patch-manager", retentionInDays: 30 });
        expect(named(r, "aws:sns/topic:Topic", "seed-fleet-summary").inputs).to.deep.include({ name: "seed-fleet-patch-summary", kmsMasterKeyId: "alias/aws/sns" });
    });

    it("logGroup.create false: uses the named log group (e.g. the compliance one) without creating it", async () => {
        const { resources: r } = await deploy(orchestrator({ logGroup: { name: "/aws/ssm/shared", create: false } }));
        expect(ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.name)).to.not.include("/aws/ssm/shared");
        expect(lambdaPolicy(r, "summary")[0].Resource).to.equal(ARN("logs", "log-group:/aws/ssm/shared:log-stream:orchestrator/*"));
        expect((named(r, "aws:lambda/function:Function", "seed-fleet-batch").inputs.environment as { variables: Record<string, string> }).variables.LOG_GROUP_NAME).to.equal("/aws/ssm/shared");
    });

    it("instance role, mode policy (default): a managed policy for command output and agent metrics, attached to named roles", async () => {
        const { resources: r } = await deploy(orchestrator({ instanceRole: { attachToRoles: ["app-instance-role"] } }));
        const policy = named(r, "aws:iam/policy:Policy", "seed-fleet-instance-policy");
        expect(JSON.parse(policy.inputs.policy as string).Statement).to.deep.equal([
            { Sid: "WriteCommandOutput", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], Resource: ARN("logs", "log-group:/aws/ssm/patch-manager:*") },
            { Sid: "FindCommandOutputGroup", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
            { Sid: "PublishAgentMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "CWAgent" } } },
            { Sid: "AgentMetricDimensions", Effect: "Allow", Action: ["ec2:DescribeTags"], Resource: "*" },
            { Sid: "ReadAgentConfiguration", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: ARN("ssm", "parameter/AmazonCloudWatch-*") },
        ]);
        expect(named(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "seed-fleet-instance-policy-app-instance-role").inputs).to.deep.equal({
            role: "app-instance-role",
            policyArn: `arn:aws:iam::${ACCOUNT}:policy/seed-fleet-instance-policy`,
        });
        expect(ofType(r, "aws:iam/instanceProfile:InstanceProfile")).to.deep.equal([]);
    });

    it("instance role, mode create: role + SSM core + the additions + instance profile; none: nothing", async () => {
        const { resources: r } = await deploy(orchestrator({ instanceRole: { mode: "create", cloudWatchAgent: false } }));
        expect(JSON.parse(named(r, "aws:iam/role:Role", "seed-fleet-instance-role").inputs.assumeRolePolicy as string).Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        expect(named(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "seed-fleet-instance-core").inputs.policyArn).to.equal("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        expect(statements(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-instance-policy").map((s: { Sid: string }) => s.Sid)).to.deep.equal(["WriteCommandOutput", "FindCommandOutputGroup"]);
        expect(named(r, "aws:iam/instanceProfile:InstanceProfile", "seed-fleet-instance-profile").inputs).to.deep.include({ role: "seed-fleet-instance-role", namePrefix: "seed-fleet-instance-" });
        const { resources: none } = await deploy(orchestrator({ instanceRole: { mode: "none" } }));
        expect(none.filter((x) => x.name.startsWith("seed-fleet-instance"))).to.deep.equal([]);
    });
});

describe("least privilege across the shipped stacks", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no window or orchestrator policy allows "*" or service:* actions, and every role trust names a service`, async () => {
            const { resources: all } = await runStackFile(`Pulumi.${stack}.yaml`, stack);
            // This area's resources: their names start with a window's or an orchestrator's name.
            const config = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
            const prefixes = [...(config["patching:maintenanceWindows"] ?? []), ...config["patching:patchOrchestrators"]].map((x: { name: string }) => `${x.name}-`);
            const resources = all.filter((r) => prefixes.some((p) => r.name.startsWith(p)));
            const policies = [...ofType(resources, "aws:iam/rolePolicy:RolePolicy"), ...ofType(resources, "aws:iam/policy:Policy")];
            expect(policies.length).to.be.at.least(8);
            for (const p of policies) {
                for (const s of JSON.parse(p.inputs.policy as string).Statement) {
                    for (const a of [s.Action].flat()) expect(a, `${p.name} ${s.Sid}`).to.match(/^[a-z0-9-]+:[A-Za-z]+\*?$/).and.not.match(/:\*$/);
                    if (s.Action.includes("iam:PassRole")) {
                        expect(s.Resource, `${p.name}: PassRole on named roles only`).to.not.equal("*");
                        expect(s.Condition.StringEquals["iam:PassedToService"]).to.equal("ssm.amazonaws.com");
                    }
                }
            }
            for (const role of ofType(resources, "aws:iam/role:Role")) {
                for (const s of JSON.parse(role.inputs.assumeRolePolicy as string).Statement) expect(Object.keys(s.Principal), role.name).to.deep.equal(["Service"]);
            }
        });
    }
});
