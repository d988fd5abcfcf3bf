/**
 * EventBridge rule → its target. To an SNS topic EventBridge publishes as `events.amazonaws.com`
 * with `aws:SourceArn` = the rule's ARN and `aws:SourceAccount` (EventBridge user guide, "Using
 * IAM policy conditions": https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html);
 * to a target with a role (SSM Automation, …) it assumes the role with the same keys.
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { assumeRequest, inAccount, publishRequests, serviceCaller, startAutomationRequests, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html";

/**
 * An SSM Automation target (`arn:aws:ssm:<region>:<account>:automation-definition/<document>:<version>`):
 * the rule's role starts the runbook, passing the role the input names (`AutomationAssumeRole`, or
 * `assumeRole` in AWS-owned runbooks such as AWS-ExportPatchReportToS3) (EventBridge user guide,
 * "Systems Manager Automation targets": the role needs ssm:StartAutomationExecution and iam:PassRole).
 */
function automationTarget(plan: WiringPlan, roleArn: string, arn: string, input: string | undefined, unproven: string[]) {
    const m = /^(arn:[^:]+:ssm:[^:]*:[^:]*:)automation-definition\/([^:]+)(?::(.+))?$/.exec(arn);
    if (!m) return [];
    let parameters: Record<string, string[]> = {};
    try {
        parameters = JSON.parse(input ?? "{}");
    } catch {
        // an input that is not JSON passes no role
    }
    const passed = Object.entries(parameters).flatMap(([k, v]) => (/^(AutomationAssumeRole|assumeRole)$/i.test(k) ? v : []));
    return startAutomationRequests(plan, roleArn, `${m[1]}document/${m[2]}`, m[3], passed, unproven);
}

export function eventRuleEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const target of plan.ofType("aws:cloudwatch/eventTarget:EventTarget")) {
        const ruleName = String(target.inputs.rule);
        const ruleArn = `arn:${plan.partition}:events:${plan.region}:${plan.account}:rule/${ruleName}`;
        const strangerRule = inAccount(ruleArn, STRANGER_ACCOUNT);
        const arn = String(target.inputs.arn);
        const roleArn = target.inputs.roleArn as string | undefined;
        const context = { "aws:SourceAccount": plan.account, "aws:SourceArn": ruleArn };
        if (roleArn) {
            const unproven: string[] = [];
            edges.push({
                id: `rule:${ruleName}->${target.inputs.targetId ?? target.name}`,
                kind: "EventBridge rule → role",
                from: `Rule ${ruleName}`,
                to: plan.label(roleArn),
                requests: [assumeRequest(plan, roleArn, "events.amazonaws.com", context), ...automationTarget(plan, roleArn, arn, target.inputs.input as string | undefined, unproven)],
                strangers: [{ ...assumeRequest(plan, roleArn, "events.amazonaws.com", { "aws:SourceAccount": STRANGER_ACCOUNT, "aws:SourceArn": strangerRule }), stranger: "a rule of another account" }],
                source: SOURCE,
                ...(unproven.length ? { unproven } : {}),
            });
        } else if (arn.split(":")[2] === "sns") {
            const unproven: string[] = [];
            // The SNS request carries the rule (aws:SourceArn); KMS is bound by the encryption context.
            const as = (src: Record<string, string>) => serviceCaller(plan, "events.amazonaws.com", src, (action) => action.startsWith("sns:"));
            edges.push({
                id: `rule:${ruleName}->${arn.split(":").pop()}`,
                kind: "EventBridge rule → SNS",
                from: `Rule ${ruleName}`,
                to: plan.label(arn),
                requests: publishRequests(plan, arn, as(context), unproven, "service"),
                strangers: [{ ...publishRequests(plan, arn, as({ "aws:SourceAccount": STRANGER_ACCOUNT, "aws:SourceArn": strangerRule }), [], "service")[0], stranger: "a rule of another account" }],
                source: SOURCE,
                ...(unproven.length ? { unproven } : {}),
            });
        }
    }
    return edges;
}
