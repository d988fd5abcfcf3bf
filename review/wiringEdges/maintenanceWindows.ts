/**
 * Maintenance window task → its service role → what the task calls. Systems Manager assumes the
 * task's role as `ssm.amazonaws.com` with `aws:SourceAccount` = the window's account and
 * `aws:SourceArn` = an ARN of the account's Systems Manager resources — here the window's
 * (`arn:aws:ssm:<region>:<account>:maintenancewindow/<window-id>`) (Systems Manager user guide,
 * "Cross-service confused deputy prevention":
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html),
 * then calls the task as that role (user guide, "Setting up maintenance windows", custom service
 * role permissions: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-maintenance-perm-console.html):
 * states:StartExecution / DescribeExecution for a Step Functions task, ssm:SendCommand on the
 * document and the targets for Run Command (and iam:PassRole of the notification role, which then
 * publishes to the topic), ssm:StartAutomationExecution for Automation, lambda:InvokeFunction.
 */
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { assumeRequest, inAccount, instanceTarget, publishRequests, roleCall, sendCommandRequests, startAutomationRequests, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html";

interface RunCommandParameters {
    serviceRoleArn?: string;
    notificationConfig?: { notificationArn?: string };
}

export function maintenanceWindowEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const task of plan.ofType("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
        const roleArn = task.inputs.serviceRoleArn as string | undefined;
        if (!roleArn) continue; // the service-linked role: AWS owns its trust and permissions
        const window = plan.dependency(task, "windowId", "aws:ssm/maintenanceWindow:MaintenanceWindow");
        const windowName = String(window?.inputs.name ?? task.inputs.windowId);
        const windowArn = `arn:${plan.partition}:ssm:${plan.region}:${plan.account}:maintenancewindow/${task.inputs.windowId}`;
        const taskArn = String(task.inputs.taskArn);
        const invocation = (task.inputs.taskInvocationParameters ?? {}) as Record<string, any>;
        const windowTargets = (task.inputs.targets as { key: string; values: string[] }[] | undefined) ?? [];
        const registered = plan.dependency(task, "targets", "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget");
        const target = instanceTarget(plan, (registered?.inputs.targets as { key: string; values: string[] }[] | undefined) ?? windowTargets);
        const unproven: string[] = [];
        const calls: EdgeRequest[] = [];
        switch (task.inputs.taskType) {
            case "STEP_FUNCTIONS": {
                const execution = `${taskArn.replace(":stateMachine:", ":execution:")}:wiring-execution`;
                calls.push(roleCall(plan, roleArn, "states:StartExecution", taskArn), roleCall(plan, roleArn, "states:DescribeExecution", execution));
                break;
            }
            case "RUN_COMMAND": {
                calls.push(...sendCommandRequests(plan, roleArn, taskArn, target));
                const run = (invocation.runCommandParameters ?? {}) as RunCommandParameters;
                const topicArn = run.notificationConfig?.notificationArn;
                if (topicArn && run.serviceRoleArn) {
                    const notifier = run.serviceRoleArn;
                    calls.push(roleCall(plan, roleArn, "iam:PassRole", notifier, { context: { "iam:PassedToService": "ssm.amazonaws.com" } }));
                    calls.push(...publishRequests(plan, topicArn, (action, resource, context, resourcePolicy) => roleCall(plan, notifier, action, resource, { context, resourcePolicy }), unproven, "role"));
                }
                break;
            }
            case "AUTOMATION": {
                const automation = (invocation.automationParameters ?? {}) as { documentVersion?: string; parameters?: { name: string; values: string[] }[] };
                const passed = (automation.parameters ?? []).filter((p) => p.name === "AutomationAssumeRole").flatMap((p) => p.values);
                calls.push(...startAutomationRequests(plan, roleArn, taskArn, automation.documentVersion, passed, unproven));
                break;
            }
            case "LAMBDA":
                calls.push(roleCall(plan, roleArn, "lambda:InvokeFunction", taskArn));
                break;
        }
        const strangerWindow = inAccount(windowArn, STRANGER_ACCOUNT);
        edges.push({
            id: `window:${windowName}/${task.inputs.name ?? task.name}`,
            kind: `maintenance window → ${String(task.inputs.taskType).replace("_", " ").toLowerCase()} task`,
            from: `Window ${windowName}`,
            to: plan.label(taskArn),
            requests: [assumeRequest(plan, roleArn, "ssm.amazonaws.com", { "aws:SourceAccount": plan.account, "aws:SourceArn": windowArn }), ...calls],
            strangers: [{ ...assumeRequest(plan, roleArn, "ssm.amazonaws.com", { "aws:SourceAccount": STRANGER_ACCOUNT, "aws:SourceArn": strangerWindow }), stranger: "a maintenance window of another account" }],
            source: SOURCE,
            ...(unproven.length ? { unproven } : {}),
        });
    }
    return edges;
}
