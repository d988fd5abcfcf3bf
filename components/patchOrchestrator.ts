import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { OrchestratorConfig } from "../config/patchOrchestrators";
import { preflightDocument } from "../core/orchestrator/preflightDocument";
import { orchestratorInput } from "../core/orchestrator/settings";
import { fleetDefinition } from "../core/orchestrator/fleetMachine";
import { batchDefinition, runDefinition, toJson } from "../core/orchestrator/stateMachine";
import { AwsContext, awsContext, policyDocument, serviceTrustPolicy, statesArn, Statement } from "./awsContext";
import { fleetBucket, fleetLambdaStatements, fleetMachineStatements } from "./fleetOrchestrator";
import { documentArn, MaintenanceWindow } from "./maintenanceWindow";
import { NodeLambda } from "./nodeLambda";
import type { BaselineOverrideRef } from "./overrideRef";
import { mergeTags } from "./tags";
import type { CreatedResourceGroup } from "./resourceGroups";

const ROOT = path.resolve(__dirname, "..");

/** The preflight scripts shipped in the document (read at program time). */
export function preflightScripts(): { windows: string; linux: string } {
    return {
        windows: fs.readFileSync(path.join(ROOT, "scripts/preflight-windows.ps1"), "utf8"),
        linux: fs.readFileSync(path.join(ROOT, "scripts/preflight-linux.sh"), "utf8"),
    };
}

/** The preflight Command document as YAML, and a version name derived from its content. */
export function preflightDocumentYaml(): { content: string; versionName: string } {
    const content = YAML.stringify(preflightDocument(preflightScripts()), { lineWidth: 0 });
    return { content, versionName: `v-${crypto.createHash("sha256").update(content).digest("hex").slice(0, 16)}` };
}

/** `StringEquals` on every target tag: instances must carry one of the values of each key. */
function tagCondition(prefix: "aws:ResourceTag" | "ssm:resourceTag", tags: Record<string, string[]>) {
    return Object.keys(tags).length > 0 ? { StringEquals: Object.fromEntries(Object.entries(tags).map(([k, v]) => [`${prefix}/${k}`, v])) } : undefined;
}

const instanceArns = (ctx: AwsContext) => pulumi.interpolate`arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:instance/*`;

/** The volume tag ec2:ModifyVolume is scoped to: configured, or the first target tag. */
export function expansionVolumeTag(cfg: OrchestratorConfig): { key: string; values: string[] } | undefined {
    const v = cfg.preflight.volumeExpansion.volumeTag;
    if (v) return { key: v.key, values: [v.value] };
    const first = Object.entries(cfg.targets.tags ?? {})[0];
    return first ? { key: first[0], values: first[1] } : undefined;
}

/** Plan Lambda: discovery (DescribeInstances; a resource group's members); the approval calendar's state before each batch. */
export function planStatements(
    ctx: AwsContext,
    cfg: OrchestratorConfig,
    approvalCalendarArn?: pulumi.Input<string>,
    /** The ARN of the target group when the stack creates it (`patching:resourceGroups`). */
    resourceGroupArn?: pulumi.Input<string>,
): Statement[] {
    const out: Statement[] = [{ Sid: "DiscoverInstances", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" }];
    // GetCalendarState is authorized on the calendar document (resource type `document`).
    if (approvalCalendarArn) out.push({ Sid: "ReadApprovalCalendar", Effect: "Allow", Action: ["ssm:GetCalendarState"], Resource: approvalCalendarArn });
    if (cfg.targets.resourceGroup) {
        out.push({
            Sid: "ListTargetGroup",
            Effect: "Allow",
            Action: ["resource-groups:ListGroupResources"],
            Resource: resourceGroupArn ?? pulumi.interpolate`arn:${ctx.partition}:resource-groups:${ctx.region}:${ctx.accountId}:group/${cfg.targets.resourceGroup}`,
        });
        // ListGroupResources resolves tag-query groups through the tagging API (no resource-level permissions).
        out.push({ Sid: "ResolveGroupMembers", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*" });
    }
    return out;
}

/** Batch Lambda: start target instances, check agents, send the two documents, grow tagged volumes (opt-in). */
export function batchStatements(ctx: AwsContext, cfg: OrchestratorConfig, preflightDocumentName: pulumi.Input<string>): Statement[] {
    const tags = cfg.targets.tags ?? {};
    const startCondition = tagCondition("aws:ResourceTag", tags);
    const sendCondition = tagCondition("ssm:resourceTag", tags);
    const out: Statement[] = [
        { Sid: "StartTargetInstances", Effect: "Allow", Action: ["ec2:StartInstances"], Resource: instanceArns(ctx), ...(startCondition ? { Condition: startCondition } : {}) },
        {
            Sid: "ReadInstancesAndAgents",
            Effect: "Allow",
            // Describe/List calls take no resource-level permissions.
            Action: ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation", "ssm:ListCommandInvocations"],
            Resource: "*",
        },
        {
            Sid: "SendPreflightAndPatchDocuments",
            Effect: "Allow",
            Action: ["ssm:SendCommand"],
            Resource: [pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:document/${preflightDocumentName}`, documentArn(ctx, "AWS-RunPatchBaseline")],
        },
        { Sid: "SendToTargetInstances", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: instanceArns(ctx), ...(sendCondition ? { Condition: sendCondition } : {}) },
        { Sid: "CancelTimedOutCommands", Effect: "Allow", Action: ["ssm:CancelCommand"], Resource: "*" },
    ];
    const expansion = cfg.preflight.volumeExpansion;
    const volumeTag = expansionVolumeTag(cfg);
    const volumes = pulumi.interpolate`arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:volume/*`;
    if (expansion.enabled && expansion.untaggedVolumes) {
        // Opt-in trade-off (seed 003): no IAM condition key names a volume's instance, so the grant covers
        // the account's volumes in the Region; the batch Lambda modifies only root volumes attached to its batch's instances.
        out.push({ Sid: "GrowRootVolumesOfTargets", Effect: "Allow", Action: ["ec2:ModifyVolume"], Resource: volumes });
    } else if (expansion.enabled && volumeTag) {
        out.push({
            Sid: "GrowTaggedRootVolumes",
            Effect: "Allow",
            Action: ["ec2:ModifyVolume"],
            Resource: volumes,
            Condition: { StringEquals: { [`aws:ResourceTag/${volumeTag.key}`]: volumeTag.values } },
        });
    }
    if (expansion.enabled && (expansion.untaggedVolumes || volumeTag)) {
        out.push({ Sid: "ReadVolumes", Effect: "Allow", Action: ["ec2:DescribeVolumes", "ec2:DescribeVolumesModifications"], Resource: "*" });
    }
    if (cfg.ebsKmsKeyArns.length > 0) {
        // Starting an instance whose volumes use a customer managed key creates a grant for EC2.
        out.push({
            Sid: "StartInstancesWithEncryptedVolumes",
            Effect: "Allow",
            Action: ["kms:CreateGrant"],
            Resource: cfg.ebsKmsKeyArns,
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        });
    }
    return out;
}

/** Restore Lambda: read states, stop target instances. */
export function restoreStatements(ctx: AwsContext, cfg: OrchestratorConfig): Statement[] {
    const condition = tagCondition("aws:ResourceTag", cfg.targets.tags ?? {});
    return [
        { Sid: "ReadInstanceStates", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
        { Sid: "StopTargetInstances", Effect: "Allow", Action: ["ec2:StopInstances"], Resource: instanceArns(ctx), ...(condition ? { Condition: condition } : {}) },
    ];
}

/** Summary Lambda: write to the orchestrator log group, publish to its topic. */
export function summaryStatements(logGroupArn: pulumi.Input<string>, topicArn: pulumi.Input<string>): Statement[] {
    return [
        { Sid: "WriteRunSummaries", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroupArn}:log-stream:orchestrator/*` },
        { Sid: "PublishRunSummaries", Effect: "Allow", Action: ["sns:Publish"], Resource: topicArn },
    ];
}

/** The batch state machine: invoke its two Lambdas. */
export function batchMachineStatements(functionArns: pulumi.Input<string>[]): Statement[] {
    return [{ Sid: "InvokeBatchSteps", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: functionArns }];
}

/** The run state machine: invoke its Lambdas, run the batch state machine synchronously (.sync). */
export function runMachineStatements(ctx: AwsContext, functionArns: pulumi.Input<string>[], batchMachineName: string): Statement[] {
    return [
        { Sid: "InvokeRunSteps", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: functionArns },
        {
            Sid: "StartBatchExecutions",
            Effect: "Allow",
            Action: ["states:StartExecution"],
            Resource: statesArn(ctx, `stateMachine:${batchMachineName}`),
        },
        {
            Sid: "FollowBatchExecutions",
            Effect: "Allow",
            Action: ["states:DescribeExecution", "states:StopExecution"],
            Resource: statesArn(ctx, `execution:${batchMachineName}:*`),
        },
        {
            Sid: "SyncExecutionEvents",
            Effect: "Allow",
            // The managed rule Step Functions uses to learn when a .sync child execution ends.
            Action: ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            Resource: pulumi.interpolate`arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        },
    ];
}

/** What the patched instances need: command output to the log group; the baseline-override object; CloudWatch agent metrics (opt-out). No ec2:ModifyVolume. */
export function instanceStatements(ctx: AwsContext, logGroupArn: pulumi.Input<string>, cloudWatchAgent: boolean, overrideRef?: BaselineOverrideRef): Statement[] {
    const out: Statement[] = [
        {
            Sid: "WriteCommandOutput",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${logGroupArn}:*`,
        },
        // DescribeLogGroups takes no resource type (Service Authorization Reference, CloudWatch Logs): only "*" matches its requests.
        { Sid: "FindCommandOutputGroup", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
    ];
    if (overrideRef) {
        // AWS-RunPatchBaseline downloads BaselineOverride with the instance's credentials.
        out.push({ Sid: "ReadBaselineOverride", Effect: "Allow", Action: ["s3:GetObject"], Resource: overrideRef.objectArn });
        if (overrideRef.kmsKeyArn) {
            out.push({
                Sid: "DecryptBaselineOverride",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: overrideRef.kmsKeyArn,
                // With an S3 bucket key the encryption context is the bucket ARN, without it the object ARN.
                Condition: { StringEquals: { "kms:EncryptionContext:aws:s3:arn": [overrideRef.bucketArn, overrideRef.objectArn] } },
            });
        }
    }
    if (cloudWatchAgent) {
        out.push({
            Sid: "PublishAgentMetrics",
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricData"],
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "CWAgent" } },
        });
        out.push({ Sid: "AgentMetricDimensions", Effect: "Allow", Action: ["ec2:DescribeTags"], Resource: "*" });
        out.push({
            Sid: "ReadAgentConfiguration",
            Effect: "Allow",
            Action: ["ssm:GetParameter"],
            Resource: pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter/AmazonCloudWatch-*`,
        });
    }
    return out;
}

/** Seconds the batch state machine may run at most (a backstop above every step deadline). */
export function batchTimeoutSeconds(cfg: OrchestratorConfig): number {
    return cfg.agentWaitSeconds + 2 * cfg.preflight.timeoutSeconds + 900 + cfg.patch.timeoutSeconds + 1800;
}

/** Arguments of {@link PatchOrchestrator}. */
export interface PatchOrchestratorArgs {
    /** The validated `patching:patchOrchestrators[n]` entry. */
    orchestrator: OrchestratorConfig;
    /** Tags for every resource (the orchestrator's own tags are merged over them). */
    tags: Record<string, string>;
    /** Instance roles created elsewhere in the stack (patch policies' instance roles) that get the instance policy, by a stable key. @default {} */
    attachToRoles?: Record<string, pulumi.Input<string>>;
    /**
     * The stack's approval change calendar (change safety's approval gate). When set, no batch
     * starts while it is CLOSED (GetCalendarState before each batch); a run it closes on stops
     * cleanly with instance states restored. @default no approval gate
     */
    approvalCalendar?: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
    /**
     * The stack's baseline-override object (`patching:overrideStore`). When set, every patch command
     * passes it as `BaselineOverride`, the instance additions may read it, and a created instance
     * role carries the store's principal tag. @default none: the home Region's baselines/patch groups apply
     */
    overrideRef?: BaselineOverrideRef;
    /**
     * The target group when the stack creates it (`patching:resourceGroups`): discovery's
     * ListGroupResources is granted on its ARN and the window task's input takes its name output,
     * so no run starts before the group exists. @default the group named in targets already exists
     */
    createdGroup?: CreatedResourceGroup;
    /**
     * A location of a cross-account fleet orchestrator (`crossAccount`): the management account's
     * coordinator starts the run, so the window is created disabled (enable it to run this
     * location on its own). @default false
     */
    startedByCoordinator?: boolean;
}

/**
 * The batch patch orchestrator: a maintenance window whose targetless Step Functions task starts
 * the run state machine; per batch a child execution starts stopped instances, waits for their
 * agents, runs the preflight document, grows volumes if enabled, patches with AWS-RunPatchBaseline
 * and restores original states; a summary goes to the log group and an encrypted SNS topic.
 */
export class PatchOrchestrator extends pulumi.ComponentResource {
    public readonly runStateMachineArn: pulumi.Output<string>;
    /** The child (batch) state machine; absent in fleet mode, where the Distributed Map's children are executions of the run machine. */
    public readonly batchStateMachineArn?: pulumi.Output<string>;
    /** Fleet mode: the bucket of the runs' target lists, results and summaries. */
    public readonly fleetBucketName?: pulumi.Output<string>;
    public readonly windowId: pulumi.Output<string>;
    public readonly topicArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly preflightDocumentName: pulumi.Output<string>;
    public readonly instanceProfileName?: pulumi.Output<string>;
    public readonly instancePolicyArn?: pulumi.Output<string>;

    constructor(name: string, args: PatchOrchestratorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:orchestrator:PatchOrchestrator", name, {}, opts);
        const cfg = args.orchestrator;
        const tags = mergeTags(args.tags, cfg.tags);
        const ctx = awsContext(this);

        // The command-output and summary log group: created here, or one created elsewhere (patching:compliance).
        const logGroup = cfg.logGroup.create
            ? new aws.cloudwatch.LogGroup(`${name}-logs`, { name: cfg.logGroup.name, retentionInDays: cfg.logGroup.retentionDays, tags }, { parent: this })
            : { name: pulumi.output(cfg.logGroup.name), arn: pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${cfg.logGroup.name}` };

        const topic = new aws.sns.Topic(`${name}-summary`, { name: `${name}-patch-summary`, kmsMasterKeyId: cfg.notifications.kmsMasterKeyId, tags }, { parent: this });
        cfg.notifications.emails.forEach((endpoint, i) => new aws.sns.TopicSubscription(`${name}-summary-email-${i}`, { topic: topic.arn, protocol: "email", endpoint }, { parent: this }));

        const doc = preflightDocumentYaml();
        const document = new aws.ssm.Document(
            `${name}-preflight`,
            { name: `${name}-preflight`, documentType: "Command", documentFormat: "YAML", content: doc.content, versionName: doc.versionName, targetType: "/AWS::EC2::Instance", tags },
            { parent: this },
        );

        const override = args.overrideRef;
        // Fleet mode: the run's target lists and results live in this bucket (references in the payloads).
        const bucket = cfg.scale === "fleet" ? fleetBucket(name, cfg, tags, this) : undefined;
        const fleetEnv: Record<string, pulumi.Input<string>> = bucket ? { FLEET_BUCKET: bucket.bucketName } : {};
        const fleetStatements = (which: "plan" | "restore" | "summary"): Statement[] => (bucket ? fleetLambdaStatements(which, bucket.bucketArn, bucket.kmsKeyArn!) : []);
        const env = { PREFLIGHT_DOCUMENT: document.name, LOG_GROUP_NAME: logGroup.name, TOPIC_ARN: topic.arn };
        const batchEnv = override ? { ...env, BASELINE_OVERRIDE: override.s3Url } : env;
        const fn = (suffix: string, entry: string, description: string, statements: pulumi.Input<Statement[]>, environment?: Record<string, pulumi.Input<string>>) =>
            new NodeLambda(
                `${name}-${suffix}`,
                { entry, functionName: `${name}-${suffix}`, description, statements: statements as pulumi.Input<aws.iam.PolicyStatement[]>, environment, timeoutSeconds: 120, tags },
                { parent: this },
            );
        const approval = args.approvalCalendar;
        const plan = fn(
            "plan",
            "lambda/orchestratorPlan.ts",
            "Patch orchestrator: discover running and stopped targets, plan batches, record results",
            [...planStatements(ctx, cfg, approval?.arn, args.createdGroup?.arn), ...fleetStatements("plan")],
            approval || bucket ? { ...(approval ? { APPROVAL_CALENDAR: approval.name } : {}), ...fleetEnv } : undefined,
        );
        const batch = fn("batch", "lambda/orchestratorBatch.ts", "Patch orchestrator: batch steps (start, agents, preflight, volumes, patch)", batchStatements(ctx, cfg, document.name), batchEnv);
        const restore = fn(
            "restore",
            "lambda/orchestratorRestore.ts",
            "Patch orchestrator: stop again what was stopped",
            [...restoreStatements(ctx, cfg), ...fleetStatements("restore")],
            bucket ? fleetEnv : undefined,
        );
        const summary = fn(
            "summary",
            "lambda/orchestratorSummary.ts",
            "Patch orchestrator: run summary to the log group and SNS",
            [...summaryStatements(logGroup.arn, topic.arn), ...fleetStatements("summary")],
            { ...env, ...fleetEnv },
        );

        const batchMachineName = `${name}-batch`;
        const runMachineName = `${name}-run`;
        const machineRole = (suffix: string, machine: string, statements: Statement[]) => {
            const role = new aws.iam.Role(
                `${name}-${suffix}-role`,
                {
                    namePrefix: `${name}-${suffix}-`.slice(0, 38),
                    description: `Role of the ${machine} state machine`,
                    assumeRolePolicy: serviceTrustPolicy("states.amazonaws.com", ctx, statesArn(ctx, `stateMachine:${machine}`)),
                    tags,
                },
                { parent: this },
            );
            const policy = new aws.iam.RolePolicy(`${name}-${suffix}-policy`, { role: role.id, policy: policyDocument(statements) }, { parent: this });
            return { role, policy };
        };

        /** A standard state machine of this orchestrator, run by its own role (created after the role's policy). */
        const stateMachine = (suffix: string, machine: string, role: { role: aws.iam.Role; policy: aws.iam.RolePolicy }, definition: pulumi.Input<string>) =>
            new aws.sfn.StateMachine(`${name}-${suffix}`, { name: machine, type: "STANDARD", roleArn: role.role.arn, definition, tags }, { parent: this, dependsOn: [role.policy] });

        let runMachine: aws.sfn.StateMachine;
        let batchMachine: aws.sfn.StateMachine | undefined;
        if (bucket) {
            // One state machine: its Distributed Map's child executions are executions of itself.
            const fns = [plan.function.arn, batch.function.arn, restore.function.arn, summary.function.arn];
            const runRole = machineRole("run-sm", runMachineName, fleetMachineStatements(ctx, runMachineName, fns, bucket.bucketArn, bucket.kmsKeyArn!));
            runMachine = stateMachine(
                "run",
                runMachineName,
                runRole,
                pulumi
                    .all([plan.function.arn, batch.function.arn, restore.function.arn, summary.function.arn, bucket.bucketName])
                    .apply(([planFunctionArn, batchFunctionArn, restoreFunctionArn, summaryFunctionArn, bucketName]) =>
                        toJson(fleetDefinition({ planFunctionArn, batchFunctionArn, restoreFunctionArn, summaryFunctionArn, bucketName }, { batchTimeoutSeconds: batchTimeoutSeconds(cfg) })),
                    ),
            );
        } else {
            const batchRole = machineRole("batch-sm", batchMachineName, batchMachineStatements([batch.function.arn, restore.function.arn]));
            batchMachine = stateMachine(
                "batch",
                batchMachineName,
                batchRole,
                pulumi
                    .all([batch.function.arn, restore.function.arn])
                    .apply(([batchFunctionArn, restoreFunctionArn]) => toJson(batchDefinition({ batchFunctionArn, restoreFunctionArn }, { timeoutSeconds: batchTimeoutSeconds(cfg) }))),
            );
            const runRole = machineRole("run-sm", runMachineName, runMachineStatements(ctx, [plan.function.arn, restore.function.arn, summary.function.arn], batchMachineName));
            runMachine = stateMachine(
                "run",
                runMachineName,
                runRole,
                pulumi
                    .all([plan.function.arn, restore.function.arn, summary.function.arn, batchMachine.arn])
                    .apply(([planFunctionArn, restoreFunctionArn, summaryFunctionArn, batchStateMachineArn]) =>
                        toJson(runDefinition({ planFunctionArn, restoreFunctionArn, summaryFunctionArn, batchStateMachineArn })),
                    ),
            );
        }

        const window = new MaintenanceWindow(
            `${name}-window`,
            {
                window: {
                    ...cfg.window,
                    name: cfg.window.name ?? `${name}-window`,
                    description: cfg.window.description ?? cfg.description,
                    allowUnassociatedTargets: false,
                    ...(args.startedByCoordinator ? { enabled: false } : {}),
                },
                tasks: [
                    {
                        type: "STEP_FUNCTIONS",
                        name: "start-orchestration",
                        description: `Starts ${runMachineName}: batch patching with state restore`,
                        priority: 1,
                        stateMachineArn: runMachine.arn,
                        input: args.createdGroup
                            ? args.createdGroup.name.apply((group) => JSON.stringify(orchestratorInput({ ...cfg, targets: { ...cfg.targets, resourceGroup: group } })))
                            : JSON.stringify(orchestratorInput(cfg)),
                    },
                ],
                tags,
            },
            { parent: this },
        );

        const instance = cfg.instanceRole;
        if (instance.mode !== "none") {
            const policy = policyDocument(instanceStatements(ctx, logGroup.arn, instance.cloudWatchAgent, override));
            if (instance.mode === "create") {
                const role = new aws.iam.Role(
                    `${name}-instance-role`,
                    {
                        namePrefix: `${name}-instance-`.slice(0, 38),
                        description: `EC2 instance role for instances patched by ${name}`,
                        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
                        // The override bucket admits readers by this principal tag.
                        tags: override ? mergeTags(tags, {}, { [override.principalTag.key]: override.principalTag.value }) : tags,
                    },
                    { parent: this },
                );
                new aws.iam.RolePolicyAttachment(
                    `${name}-instance-core`,
                    { role: role.name, policyArn: pulumi.interpolate`arn:${ctx.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
                    { parent: this },
                );
                new aws.iam.RolePolicy(`${name}-instance-policy`, { role: role.id, policy }, { parent: this });
                const profile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { namePrefix: `${name}-instance-`.slice(0, 38), role: role.name, tags }, { parent: this });
                this.instanceProfileName = profile.name;
            } else {
                const managed = new aws.iam.Policy(
                    `${name}-instance-policy`,
                    { namePrefix: `${name}-instance-`.slice(0, 38), description: `Additions for instances patched by ${name}: command output, CloudWatch agent metrics`, policy, tags },
                    { parent: this },
                );
                instance.attachToRoles.forEach((role) => new aws.iam.RolePolicyAttachment(`${name}-instance-policy-${role}`, { role, policyArn: managed.arn }, { parent: this }));
                for (const [key, role] of Object.entries(args.attachToRoles ?? {})) {
                    new aws.iam.RolePolicyAttachment(`${name}-instance-policy-${key}`, { role, policyArn: managed.arn }, { parent: this });
                }
                this.instancePolicyArn = managed.arn;
            }
        }

        this.runStateMachineArn = runMachine.arn;
        this.batchStateMachineArn = batchMachine?.arn;
        this.fleetBucketName = bucket?.bucketName;
        this.windowId = window.windowId;
        this.topicArn = topic.arn;
        this.logGroupName = logGroup.name;
        this.preflightDocumentName = document.name;
        this.registerOutputs({
            runStateMachineArn: this.runStateMachineArn,
            batchStateMachineArn: this.batchStateMachineArn,
            fleetBucketName: this.fleetBucketName,
            windowId: this.windowId,
            topicArn: this.topicArn,
            logGroupName: this.logGroupName,
            preflightDocumentName: this.preflightDocumentName,
            instanceProfileName: this.instanceProfileName,
            instancePolicyArn: this.instancePolicyArn,
        });
    }
}
