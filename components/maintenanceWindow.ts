import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MaintenanceWindowConfig, WindowNotificationsConfig, WindowTargetConfig, WindowTaskConfig } from "../config/maintenanceWindows";
import { AwsContext, awsContext, policyDocument, serviceTrustPolicy, Statement } from "./awsContext";
import { mergeTags } from "./tags";
import type { CreatedResourceGroup } from "./resourceGroups";
import { heldInstallParameters, heldInstallStatements, isHeldInstall, WindowApprovalGate } from "./windowGate";

/** The window's own settings (schedule, duration, cutoff, dates). */
export type WindowSettings = Pick<
    MaintenanceWindowConfig,
    "name" | "description" | "schedule" | "scheduleTimezone" | "scheduleOffset" | "duration" | "cutoff" | "startDate" | "endDate" | "enabled" | "allowUnassociatedTargets"
>;

/** A Step Functions task (registered by the patch orchestrator, without targets). */
export interface StepFunctionsTask {
    type: "STEP_FUNCTIONS";
    name: string;
    description?: string;
    /** @default 1 */
    priority?: number;
    stateMachineArn: pulumi.Input<string>;
    /** Execution input, ≤ 4096 characters; pseudo parameters such as {{WINDOW_EXECUTION_ID}} allowed. */
    input: pulumi.Input<string>;
}

export type WindowTask = WindowTaskConfig | StepFunctionsTask;

/** Arguments of {@link MaintenanceWindow}. */
export interface MaintenanceWindowArgs {
    /** The window: name, schedule (cron/rate/at with time zone and offset), duration, cutoff, dates. */
    window: WindowSettings;
    /** Registered targets (instances by tag/tag key/id, or a resource group). @default [] */
    targets?: WindowTargetConfig[];
    /** Tasks: RUN_COMMAND (AWS-RunPatchBaseline …), AUTOMATION, or STEP_FUNCTIONS. */
    tasks: WindowTask[];
    /** SNS notifications of Run Command task failures; the topic is created encrypted. */
    notifications?: WindowNotificationsConfig;
    /** Tags for the window, its role, topic and log groups. */
    tags: Record<string, string>;
    /** The override store's `s3://…/baseline_overrides.json` for AWS-RunPatchBaseline tasks. @default none */
    baselineOverride?: pulumi.Input<string>;
    /**
     * Resource groups the stack creates (`patching:resourceGroups`), by name: a target naming one
     * registers the created group's name output (so it waits for the group) and the role's
     * ListGroupResources names the group's ARN. Other names are groups that already exist. @default {}
     */
    createdGroups?: Record<string, CreatedResourceGroup>;
    /** The approval gate (issue 17): AWS-RunPatchBaseline Install tasks run its runbook, which asserts the calendar OPEN first (components/windowGate.ts). @default none */
    approvalGate?: WindowApprovalGate;
}

const AWS_OWNED_DOCUMENT = /^(AWS|AWSEC2|AWSSupport|AWSConfigRemediation|Amazon)-/;

/** ARN of an SSM document as SendCommand's resource: AWS-owned documents have no account. */
export function documentArn(ctx: AwsContext, document: string): pulumi.Output<string> {
    if (document.startsWith("arn:")) return pulumi.output(document);
    return pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${AWS_OWNED_DOCUMENT.test(document) ? "" : ctx.accountId}:document/${document}`;
}

/** The Run Command parameters of a task: Operation/RebootOption for AWS-RunPatchBaseline, then the rest. */
export function runCommandParameters(
    rc: NonNullable<WindowTaskConfig["runCommand"]>,
    /** The override store's object: AWS-RunPatchBaseline tasks patch with the stack's baselines unless they name their own. */
    baselineOverride?: pulumi.Input<string>,
): { name: string; values: pulumi.Input<string>[] }[] {
    const out: { name: string; values: pulumi.Input<string>[] }[] = [];
    if (rc.operation) {
        out.push({ name: "Operation", values: [rc.operation] });
        out.push({ name: "RebootOption", values: [rc.rebootOption ?? (rc.operation === "Install" ? "RebootIfNeeded" : "NoReboot")] });
        if (baselineOverride && rc.parameters.BaselineOverride === undefined) out.push({ name: "BaselineOverride", values: [baselineOverride] });
    }
    for (const [name, values] of Object.entries(rc.parameters)) out.push({ name, values });
    return out;
}

/** Default log group of a task's command output. */
export function defaultTaskLogGroup(windowName: string, taskName: string): string {
    return `/aws/ssm/${windowName}/${taskName}`;
}

/** The window service role's statements for these tasks (least privilege: only what the tasks do). */
export function windowRoleStatements(args: {
    ctx: AwsContext;
    roleArn: pulumi.Input<string>;
    tasks: WindowTask[];
    resourceGroups: string[];
    topicArn?: pulumi.Input<string>;
    /** ARNs of created groups by name (others are built from the name). */
    groupArns?: Record<string, pulumi.Input<string>>;
    approvalGate?: WindowApprovalGate;
}): Statement[] {
    const { ctx } = args;
    const statements: Statement[] = [];
    const held = (t: WindowTask) => args.approvalGate !== undefined && isHeldInstall(t);
    const runCommand = args.tasks.filter((t): t is WindowTaskConfig => t.type === "RUN_COMMAND" && !held(t));
    if (runCommand.length > 0) {
        const docs = [...new Set(runCommand.map((t) => t.runCommand!.documentName))];
        statements.push({
            Sid: "SendTaskCommands",
            Effect: "Allow",
            Action: ["ssm:SendCommand"],
            Resource: [
                ...docs.map((d) => documentArn(ctx, d)),
                pulumi.interpolate`arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:instance/*`,
                pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:managed-instance/*`,
            ],
        });
        statements.push({
            Sid: "TrackTaskCommands",
            Effect: "Allow",
            // Command listing and cancellation take no resource-level permissions.
            Action: ["ssm:CancelCommand", "ssm:GetCommandInvocation", "ssm:ListCommandInvocations", "ssm:ListCommands"],
            Resource: "*",
        });
    }
    if (args.resourceGroups.length > 0) {
        statements.push({
            Sid: "ResolveResourceGroupTargets",
            Effect: "Allow",
            Action: ["resource-groups:ListGroupResources"],
            Resource: args.resourceGroups.map((g) => args.groupArns?.[g] ?? pulumi.interpolate`arn:${ctx.partition}:resource-groups:${ctx.region}:${ctx.accountId}:group/${g}`),
        });
        statements.push({ Sid: "ResolveGroupMembers", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*" });
    }
    const automation = args.tasks.filter((t): t is WindowTaskConfig => t.type === "AUTOMATION");
    if (automation.length > 0) {
        statements.push({
            Sid: "StartTaskRunbooks",
            Effect: "Allow",
            Action: ["ssm:StartAutomationExecution"],
            Resource: [...new Set(automation.map((t) => t.automation!.documentName))].map((d) =>
                d.startsWith("arn:") ? pulumi.output(`${d.replace(":document/", ":automation-definition/")}:*`) : pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:automation-definition/${d}:*`,
            ),
        });
        statements.push({
            Sid: "TrackTaskRunbooks",
            Effect: "Allow",
            Action: ["ssm:GetAutomationExecution"],
            Resource: pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:automation-execution/*`,
        });
        statements.push({
            Sid: "PassRunbookRoles",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: [...new Set(automation.map((t) => t.automation!.assumeRoleArn))],
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
        });
    }
    if (args.approvalGate && args.tasks.some(held)) statements.push(...heldInstallStatements(ctx, args.approvalGate));
    const stepFunctions = args.tasks.filter((t): t is StepFunctionsTask => t.type === "STEP_FUNCTIONS");
    if (stepFunctions.length > 0) {
        statements.push({ Sid: "StartStateMachines", Effect: "Allow", Action: ["states:StartExecution"], Resource: stepFunctions.map((t) => t.stateMachineArn) });
        statements.push({
            Sid: "TrackStateMachineExecutions",
            Effect: "Allow",
            Action: ["states:DescribeExecution"],
            Resource: stepFunctions.map((t) => pulumi.output(t.stateMachineArn).apply((arn) => `${arn.replace(":stateMachine:", ":execution:")}:*`)),
        });
    }
    if (args.topicArn) {
        statements.push({ Sid: "PublishTaskNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: args.topicArn });
        // Run Command publishes notifications as the role named in the task (this role): the window passes it.
        statements.push({
            Sid: "PassSelfForNotifications",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: args.roleArn,
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
        });
    }
    return statements;
}

/** The ARNs of created resource groups, by name. */
export function groupArns(created: Record<string, CreatedResourceGroup> | undefined): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(Object.entries(created ?? {}).map(([n, g]) => [n, g.arn]));
}

/** SNS topic names: `[A-Za-z0-9_-]{1,256}`. */
export function topicName(base: string): string {
    return base.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 240);
}

/**
 * A Systems Manager maintenance window with its registered targets, tasks, a service role
 * granting exactly what those tasks do, and (optionally) an encrypted SNS topic notified when a
 * Run Command task fails, times out or is cancelled.
 */
export class MaintenanceWindow extends pulumi.ComponentResource {
    public readonly windowId: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    public readonly topicArn?: pulumi.Output<string>;
    /** Window target ids by target name. */
    public readonly targetIds: Record<string, pulumi.Output<string>>;
    /** Task ids by task name. */
    public readonly taskIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: MaintenanceWindowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:ssm:MaintenanceWindow", name, {}, opts);
        const w = args.window;
        const targets = args.targets ?? [];
        const ctx = awsContext(this);

        const window = new aws.ssm.MaintenanceWindow(
            name,
            {
                name: w.name,
                description: w.description,
                schedule: w.schedule,
                scheduleTimezone: w.scheduleTimezone,
                scheduleOffset: w.scheduleOffset,
                duration: w.duration,
                cutoff: w.cutoff,
                startDate: w.startDate,
                endDate: w.endDate,
                enabled: w.enabled,
                allowUnassociatedTargets: w.allowUnassociatedTargets ?? false,
                tags: args.tags,
            },
            { parent: this },
        );

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                namePrefix: `${w.name.slice(0, 30)}-mw-`,
                description: `Service role of maintenance window ${w.name}: runs its tasks only`,
                assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", ctx, pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:*`),
                tags: args.tags,
            },
            { parent: this },
        );

        let topic: aws.sns.Topic | undefined;
        if (args.notifications) {
            topic = new aws.sns.Topic(
                `${name}-notifications`,
                { name: topicName(`${w.name}-task-failures`), kmsMasterKeyId: args.notifications.kmsMasterKeyId, tags: args.tags },
                { parent: this },
            );
            args.notifications.emails.forEach(
                (endpoint, i) => new aws.sns.TopicSubscription(`${name}-notifications-email-${i}`, { topic: topic!.arn, protocol: "email", endpoint }, { parent: this }),
            );
        }

        const resourceGroups = targets.filter((t) => t.resourceGroup).map((t) => t.resourceGroup!.name);
        const policy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            { role: role.id, policy: policyDocument(windowRoleStatements({ ctx, roleArn: role.arn, tasks: args.tasks, resourceGroups, topicArn: topic?.arn, groupArns: groupArns(args.createdGroups), approvalGate: args.approvalGate })) },
            { parent: this },
        );

        this.targetIds = {};
        for (const t of targets) {
            const entries: { key: string; values: pulumi.Input<string>[] }[] = [];
            for (const [key, values] of Object.entries(t.tags ?? {})) entries.push({ key: `tag:${key}`, values });
            if (t.tagKeys) entries.push({ key: "tag-key", values: t.tagKeys });
            if (t.instanceIds) entries.push({ key: "InstanceIds", values: t.instanceIds });
            if (t.resourceGroup) {
                entries.push({ key: "resource-groups:Name", values: [args.createdGroups?.[t.resourceGroup.name]?.name ?? t.resourceGroup.name] });
                if (t.resourceGroup.resourceTypes) entries.push({ key: "resource-groups:ResourceTypeFilters", values: t.resourceGroup.resourceTypes });
            }
            const target = new aws.ssm.MaintenanceWindowTarget(
                `${name}-target-${t.name}`,
                {
                    windowId: window.id,
                    name: t.name,
                    description: t.description,
                    ownerInformation: t.ownerInformation,
                    resourceType: t.resourceGroup ? "RESOURCE_GROUP" : "INSTANCE",
                    targets: entries,
                },
                { parent: this },
            );
            this.targetIds[t.name] = target.id;
        }

        this.taskIds = {};
        for (const task of args.tasks) {
            const common = { windowId: window.id, name: task.name, description: task.description, priority: task.priority ?? 1, serviceRoleArn: role.arn };
            let taskArgs: aws.ssm.MaintenanceWindowTaskArgs;
            if (task.type === "STEP_FUNCTIONS") {
                // Targetless: runs once per window execution (MaxConcurrency/MaxErrors must be omitted).
                taskArgs = { ...common, taskType: "STEP_FUNCTIONS", taskArn: task.stateMachineArn, taskInvocationParameters: { stepFunctionsParameters: { input: task.input } } };
            } else {
                const names = task.targets ?? targets.map((t) => t.name);
                const targeted = names.length > 0;
                const targetSpec = targeted
                    ? { targets: [{ key: "WindowTargetIds", values: names.map((n) => this.targetIds[n]) }], maxConcurrency: task.maxConcurrency, maxErrors: task.maxErrors }
                    : {};
                if (args.approvalGate && isHeldInstall(task)) {
                    // Held by the approval calendar: the gated runbook per target, calendar check first.
                    taskArgs = {
                        ...common,
                        ...targetSpec,
                        cutoffBehavior: task.cutoffBehavior,
                        taskType: "AUTOMATION",
                        taskArn: args.approvalGate.documentName,
                        taskInvocationParameters: { automationParameters: { documentVersion: "$DEFAULT", parameters: heldInstallParameters(task.runCommand!, args.approvalGate, args.baselineOverride) } },
                    };
                } else if (task.type === "RUN_COMMAND") {
                    const rc = task.runCommand!;
                    const logGroupName = rc.cloudWatchOutput ? (rc.cloudWatchOutput.logGroupName ?? defaultTaskLogGroup(w.name, task.name)) : undefined;
                    if (rc.cloudWatchOutput?.create) {
                        new aws.cloudwatch.LogGroup(`${name}-${task.name}-output`, { name: logGroupName, retentionInDays: rc.cloudWatchOutput.retentionDays, tags: args.tags }, { parent: this });
                    }
                    taskArgs = {
                        ...common,
                        ...targetSpec,
                        cutoffBehavior: task.cutoffBehavior,
                        taskType: "RUN_COMMAND",
                        taskArn: rc.documentName,
                        taskInvocationParameters: {
                            runCommandParameters: {
                                documentVersion: rc.documentVersion,
                                comment: rc.comment,
                                timeoutSeconds: rc.timeoutSeconds,
                                parameters: runCommandParameters(rc, args.baselineOverride),
                                outputS3Bucket: rc.outputS3?.bucketName,
                                outputS3KeyPrefix: rc.outputS3?.keyPrefix,
                                cloudwatchConfig: logGroupName ? { cloudwatchLogGroupName: logGroupName, cloudwatchOutputEnabled: true } : undefined,
                                ...(topic
                                    ? {
                                          serviceRoleArn: role.arn,
                                          notificationConfig: { notificationArn: topic.arn, notificationEvents: args.notifications!.events, notificationType: args.notifications!.type },
                                      }
                                    : {}),
                            },
                        },
                    };
                } else {
                    const a = task.automation!;
                    taskArgs = {
                        ...common,
                        ...targetSpec,
                        cutoffBehavior: task.cutoffBehavior,
                        taskType: "AUTOMATION",
                        taskArn: a.documentName,
                        taskInvocationParameters: {
                            automationParameters: {
                                documentVersion: a.documentVersion,
                                parameters: [{ name: "AutomationAssumeRole", values: [a.assumeRoleArn] }, ...Object.entries(a.parameters).map(([n, values]) => ({ name: n, values }))],
                            },
                        },
                    };
                }
            }
            // The role must hold its permissions before the first task runs.
            const registered = new aws.ssm.MaintenanceWindowTask(`${name}-task-${task.name}`, taskArgs, { parent: this, dependsOn: [policy] });
            this.taskIds[task.name] = registered.id;
        }

        this.windowId = window.id;
        this.roleArn = role.arn;
        this.topicArn = topic?.arn;
        this.registerOutputs({ windowId: this.windowId, roleArn: this.roleArn, topicArn: this.topicArn, targetIds: this.targetIds, taskIds: this.taskIds });
    }
}

/** The component arguments for a `patching:maintenanceWindows` entry. */
export function windowArgsFromConfig(w: MaintenanceWindowConfig, tags: Record<string, string>): MaintenanceWindowArgs {
    const { targets, tasks, notifications, tags: own, ...window } = w;
    return { window, targets, tasks, notifications, tags: mergeTags(tags, own) };
}
