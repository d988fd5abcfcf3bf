import { expect } from "chai";
import { ACCOUNT, minimalConfig, named, ofType, REGION, runProgram } from "./harness";

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/prod-install-role`;

function windowConfig(extra: Record<string, unknown> = {}) {
    return {
        name: "prod-install",
        description: "Weekly install on web servers",
        schedule: "cron(0 2 ? * TUE#2 *)",
        scheduleTimezone: "Asia/Tokyo",
        scheduleOffset: 5,
        duration: 4,
        cutoff: 1,
        startDate: "2026-01-01T00:00:00Z",
        targets: [
            { name: "web", description: "Web servers", ownerInformation: "web team", tags: { PatchGroup: ["prod"], Role: ["web", "api"] } },
            { name: "batch-group", resourceGroup: { name: "batch-servers", resourceTypes: ["AWS::EC2::Instance"] } },
        ],
        tasks: [
            {
                name: "install",
                description: "Install and reboot if needed",
                type: "RUN_COMMAND",
                priority: 2,
                targets: ["web"],
                maxConcurrency: "20%",
                maxErrors: "1",
                cutoffBehavior: "CANCEL_TASK",
                runCommand: {
                    operation: "Install",
                    timeoutSeconds: 900,
                    comment: "monthly install",
                    parameters: { BaselineOverride: ["s3://overrides/prod.json"] },
                    outputS3: { bucketName: "patch-output-123456789012", keyPrefix: "install/" },
                    cloudWatchOutput: { retentionDays: 90 },
                },
            },
            {
                name: "restart-app",
                type: "AUTOMATION",
                priority: 3,
                targets: [],
                automation: { documentName: "AWS-RestartEC2Instance", documentVersion: "$DEFAULT", assumeRoleArn: "arn:aws:iam::123456789012:role/automation", parameters: { InstanceId: ["{{RESOURCE_ID}}"] } },
            },
        ],
        notifications: { events: ["Failed", "TimedOut"], type: "Invocation", emails: ["ops@example.com"] },
        ...extra,
    };
}

async function deploy(window: Record<string, unknown> = windowConfig()) {
    const { resources } = await runProgram(minimalConfig({ "patching:maintenanceWindows": [window] }));
    return resources;
}

describe("MaintenanceWindow component", () => {
    it("registers the window with its schedule, time zone, offset, duration, cutoff and dates", async () => {
        const r = await deploy();
        const w = named(r, "aws:ssm/maintenanceWindow:MaintenanceWindow", "prod-install");
        expect(w.inputs).to.deep.include({
            name: "prod-install",
            description: "Weekly install on web servers",
            schedule: "cron(0 2 ? * TUE#2 *)",
            scheduleTimezone: "Asia/Tokyo",
            scheduleOffset: 5,
            duration: 4,
            cutoff: 1,
            startDate: "2026-01-01T00:00:00Z",
            enabled: true,
            allowUnassociatedTargets: false,
        });
        expect((w.inputs.tags as Record<string, string>).Environment).to.equal("test");
        expect(w.parent).to.equal("urn:pulumi:test::patching::patching:ssm:MaintenanceWindow::prod-install");
    });

    it("registers tag targets (INSTANCE) and resource-group targets (RESOURCE_GROUP)", async () => {
        const r = await deploy();
        expect(named(r, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", "prod-install-target-web").inputs).to.deep.equal({
            windowId: "prod-install-id",
            name: "web",
            description: "Web servers",
            ownerInformation: "web team",
            resourceType: "INSTANCE",
            targets: [
                { key: "tag:PatchGroup", values: ["prod"] },
                { key: "tag:Role", values: ["web", "api"] },
            ],
        });
        expect(named(r, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", "prod-install-target-batch-group").inputs).to.deep.equal({
            windowId: "prod-install-id",
            name: "batch-group",
            resourceType: "RESOURCE_GROUP",
            targets: [
                { key: "resource-groups:Name", values: ["batch-servers"] },
                { key: "resource-groups:ResourceTypeFilters", values: ["AWS::EC2::Instance"] },
            ],
        });
    });

    it("registers the AWS-RunPatchBaseline task with its parameters, S3 and CloudWatch output and failure notifications", async () => {
        const r = await deploy();
        const task = named(r, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "prod-install-task-install");
        expect(task.inputs).to.deep.equal({
            windowId: "prod-install-id",
            name: "install",
            description: "Install and reboot if needed",
            priority: 2,
            serviceRoleArn: ROLE_ARN,
            targets: [{ key: "WindowTargetIds", values: ["prod-install-target-web-id"] }],
            maxConcurrency: "20%",
            maxErrors: "1",
            cutoffBehavior: "CANCEL_TASK",
            taskType: "RUN_COMMAND",
            taskArn: "AWS-RunPatchBaseline",
            taskInvocationParameters: {
                runCommandParameters: {
                    comment: "monthly install",
                    timeoutSeconds: 900,
                    parameters: [
                        { name: "Operation", values: ["Install"] },
                        { name: "RebootOption", values: ["RebootIfNeeded"] },
                        { name: "BaselineOverride", values: ["s3://overrides/prod.json"] },
                    ],
                    outputS3Bucket: "patch-output-123456789012",
                    outputS3KeyPrefix: "install/",
                    cloudwatchConfig: { cloudwatchLogGroupName: "/aws/ssm/prod-install/install", cloudwatchOutputEnabled: true },
                    serviceRoleArn: ROLE_ARN,
                    notificationConfig: {
                        notificationArn: `arn:aws:sns:${REGION}:${ACCOUNT}:prod-install-task-failures`,
                        notificationEvents: ["Failed", "TimedOut"],
                        notificationType: "Invocation",
                    },
                },
            },
        });
        expect(task.options.dependsOn, "registered after the role's policy").to.include("urn:pulumi:test::patching::patching:ssm:MaintenanceWindow$aws:iam/rolePolicy:RolePolicy::prod-install-role-policy");
        expect(named(r, "aws:cloudwatch/logGroup:LogGroup", "prod-install-install-output").inputs).to.deep.include({ name: "/aws/ssm/prod-install/install", retentionInDays: 90 });
    });

    it("registers a targetless Automation task with its assume role (no MaxConcurrency/MaxErrors)", async () => {
        const r = await deploy();
        expect(named(r, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "prod-install-task-restart-app").inputs).to.deep.equal({
            windowId: "prod-install-id",
            name: "restart-app",
            priority: 3,
            serviceRoleArn: ROLE_ARN,
            cutoffBehavior: "CONTINUE_TASK",
            taskType: "AUTOMATION",
            taskArn: "AWS-RestartEC2Instance",
            taskInvocationParameters: {
                automationParameters: {
                    documentVersion: "$DEFAULT",
                    parameters: [
                        { name: "AutomationAssumeRole", values: ["arn:aws:iam::123456789012:role/automation"] },
                        { name: "InstanceId", values: ["{{RESOURCE_ID}}"] },
                    ],
                },
            },
        });
    });

    it("creates an encrypted topic with the email subscription", async () => {
        const r = await deploy();
        expect(named(r, "aws:sns/topic:Topic", "prod-install-notifications").inputs).to.deep.include({ name: "prod-install-task-failures", kmsMasterKeyId: "alias/aws/sns" });
        expect(named(r, "aws:sns/topicSubscription:TopicSubscription", "prod-install-notifications-email-0").inputs).to.deep.include({
            topic: `arn:aws:sns:${REGION}:${ACCOUNT}:prod-install-task-failures`,
            protocol: "email",
            endpoint: "ops@example.com",
        });
    });

    it("gives the window a role trusted by Systems Manager in this account only", async () => {
        const r = await deploy();
        const role = named(r, "aws:iam/role:Role", "prod-install-role");
        expect(role.inputs.namePrefix).to.equal("prod-install-mw-");
        expect(JSON.parse(role.inputs.assumeRolePolicy as string)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ssm:${REGION}:${ACCOUNT}:*` } },
                },
            ],
        });
    });

    it("grants the role exactly what its tasks do, statement by statement", async () => {
        const r = await deploy();
        const policy = JSON.parse(named(r, "aws:iam/rolePolicy:RolePolicy", "prod-install-role-policy").inputs.policy as string);
        expect(policy.Statement).to.deep.equal([
            {
                Sid: "SendTaskCommands",
                Effect: "Allow",
                Action: ["ssm:SendCommand"],
                Resource: [`arn:aws:ssm:${REGION}::document/AWS-RunPatchBaseline`, `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/*`],
            },
            { Sid: "TrackTaskCommands", Effect: "Allow", Action: ["ssm:CancelCommand", "ssm:GetCommandInvocation", "ssm:ListCommandInvocations", "ssm:ListCommands"], Resource: "*" },
            { Sid: "ResolveResourceGroupTargets", Effect: "Allow", Action: ["resource-groups:ListGroupResources"], Resource: [`arn:aws:resource-groups:${REGION}:${ACCOUNT}:group/batch-servers`] },
            { Sid: "ResolveGroupMembers", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*" },
            { Sid: "StartTaskRunbooks", Effect: "Allow", Action: ["ssm:StartAutomationExecution"], Resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:automation-definition/AWS-RestartEC2Instance:*`] },
            { Sid: "TrackTaskRunbooks", Effect: "Allow", Action: ["ssm:GetAutomationExecution"], Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-execution/*` },
            {
                Sid: "PassRunbookRoles",
                Effect: "Allow",
                Action: ["iam:PassRole"],
                Resource: ["arn:aws:iam::123456789012:role/automation"],
                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            },
            { Sid: "PublishTaskNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:prod-install-task-failures` },
            { Sid: "PassSelfForNotifications", Effect: "Allow", Action: ["iam:PassRole"], Resource: ROLE_ARN, Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } } },
        ]);
    });

    it("without notifications: no topic, no sns:Publish, no PassRole on itself, no notificationConfig", async () => {
        const w = windowConfig();
        delete (w as Record<string, unknown>).notifications;
        const r = await deploy(w);
        expect(ofType(r, "aws:sns/topic:Topic")).to.deep.equal([]);
        const sids = JSON.parse(named(r, "aws:iam/rolePolicy:RolePolicy", "prod-install-role-policy").inputs.policy as string).Statement.map((s: { Sid: string }) => s.Sid);
        expect(sids).to.not.include.members(["PublishTaskNotifications", "PassSelfForNotifications"]);
        const rc = (named(r, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "prod-install-task-install").inputs.taskInvocationParameters as { runCommandParameters: Record<string, unknown> }).runCommandParameters;
        expect(rc.notificationConfig).to.equal(undefined);
        expect(rc.serviceRoleArn).to.equal(undefined);
    });

    it("a Scan task defaults to NoReboot; a window with only Run Command tasks gets no Automation permissions", async () => {
        const r = await deploy({
            ...windowConfig(),
            targets: [{ name: "all", tagKeys: ["PatchGroup"] }],
            tasks: [{ name: "scan", type: "RUN_COMMAND", runCommand: { operation: "Scan" } }],
        });
        const task = named(r, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "prod-install-task-scan");
        expect((task.inputs.taskInvocationParameters as { runCommandParameters: { parameters: unknown } }).runCommandParameters.parameters).to.deep.equal([
            { name: "Operation", values: ["Scan"] },
            { name: "RebootOption", values: ["NoReboot"] },
        ]);
        expect(task.inputs).to.deep.include({ maxConcurrency: "10%", maxErrors: "2%", targets: [{ key: "WindowTargetIds", values: ["prod-install-target-all-id"] }] });
        expect(named(r, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", "prod-install-target-all").inputs.targets).to.deep.equal([{ key: "tag-key", values: ["PatchGroup"] }]);
        const sids = JSON.parse(named(r, "aws:iam/rolePolicy:RolePolicy", "prod-install-role-policy").inputs.policy as string).Statement.map((s: { Sid: string }) => s.Sid);
        expect(sids).to.deep.equal(["SendTaskCommands", "TrackTaskCommands", "PublishTaskNotifications", "PassSelfForNotifications"]);
    });
});
