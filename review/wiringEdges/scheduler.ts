/**
 * EventBridge Scheduler → its target. Scheduler assumes the schedule's role with `aws:SourceArn` =
 * the schedule GROUP's ARN and `aws:SourceAccount` = the schedule's account (EventBridge Scheduler
 * user guide, "Confused deputy prevention":
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html),
 * then calls the target as that role: lambda:InvokeFunction on a function, or the universal
 * target's API (`arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`, user guide "Using universal
 * targets": the role needs `<service>:<ApiAction>`).
 */
import type { PlanResource } from "../engine";
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { assumeRequest, inAccount, roleCall, startAutomationRequests, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html";

function targetCalls(plan: WiringPlan, roleArn: string, target: { arn: string; input?: string }, unproven: string[]) {
    const universal = /^arn:[^:]+:scheduler:::aws-sdk:([^:]+):(.+)$/.exec(target.arn);
    if (!universal) return [roleCall(plan, roleArn, "lambda:InvokeFunction", target.arn)];
    const [, service, api] = universal;
    const action = `${service}:${api.charAt(0).toUpperCase()}${api.slice(1)}`;
    const input = (() => {
        try {
            return JSON.parse(target.input ?? "{}") as Record<string, any>;
        } catch {
            return {};
        }
    })();
    if (action === "ssm:StartAutomationExecution") return startAutomationRequests(plan, roleArn, String(input.DocumentName), input.DocumentVersion, input.Parameters?.AutomationAssumeRole ?? [], unproven);
    return [roleCall(plan, roleArn, action, "*")];
}

export function schedulerEdges(plan: WiringPlan): WiringEdge[] {
    return plan.ofType("aws:scheduler/schedule:Schedule").map((s: PlanResource) => {
        const target = s.inputs.target as { arn: string; roleArn: string; input?: string };
        const group = String(s.inputs.groupName ?? "default");
        const groupArn = `arn:${plan.partition}:scheduler:${plan.region}:${plan.account}:schedule-group/${group}`;
        const context = { "aws:SourceAccount": plan.account, "aws:SourceArn": groupArn };
        const otherGroup = `arn:${plan.partition}:scheduler:${plan.region}:${plan.account}:schedule-group/${group === "other-group" ? "another-group" : "other-group"}`;
        const unproven: string[] = [];
        return {
            id: `scheduler:${s.name}`,
            kind: "Scheduler → target",
            from: `Schedule ${s.inputs.name ?? s.name} (group ${group})`,
            to: plan.label(target.arn),
            requests: [assumeRequest(plan, target.roleArn, "scheduler.amazonaws.com", context), ...targetCalls(plan, target.roleArn, target, unproven)],
            strangers: [
                { ...assumeRequest(plan, target.roleArn, "scheduler.amazonaws.com", { ...context, "aws:SourceArn": otherGroup }), stranger: "a schedule in another group" },
                {
                    ...assumeRequest(plan, target.roleArn, "scheduler.amazonaws.com", { "aws:SourceAccount": STRANGER_ACCOUNT, "aws:SourceArn": inAccount(groupArn, STRANGER_ACCOUNT) }),
                    stranger: "a schedule of another account",
                },
            ],
            source: SOURCE,
            ...(unproven.length ? { unproven } : {}),
        };
    });
}
