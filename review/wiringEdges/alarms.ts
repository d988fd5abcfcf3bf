/**
 * CloudWatch alarm → SNS topic. CloudWatch publishes as `cloudwatch.amazonaws.com` with
 * `aws:SourceArn` = the alarm's ARN and `aws:SourceAccount` = its account (CloudWatch user guide,
 * "Confused deputy prevention": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-confused-deputy.html);
 * an encrypted topic needs a customer managed key whose policy admits CloudWatch (CloudWatch user
 * guide, "Using Amazon CloudWatch alarms": the AWS managed SNS key does not).
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, publishRequests, serviceCaller, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-confused-deputy.html";

export function alarmEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const alarm of [...plan.ofType("aws:cloudwatch/metricAlarm:MetricAlarm"), ...plan.ofType("aws:cloudwatch/compositeAlarm:CompositeAlarm")]) {
        const name = String(alarm.inputs.name ?? alarm.inputs.alarmName ?? alarm.name);
        const alarmArn = `arn:${plan.partition}:cloudwatch:${plan.region}:${plan.account}:alarm:${name}`;
        const actions = ["alarmActions", "okActions", "insufficientDataActions"].flatMap((k) => (alarm.inputs[k] as string[] | undefined) ?? []);
        for (const topicArn of [...new Set(actions)].filter((a) => a.split(":")[2] === "sns")) {
            const unproven: string[] = [];
            const as = (account: string, arn: string) => serviceCaller(plan, "cloudwatch.amazonaws.com", { "aws:SourceAccount": account, "aws:SourceArn": arn });
            edges.push({
                id: `alarm:${name}->${topicArn.split(":").pop()}`,
                kind: "CloudWatch alarm → SNS",
                from: `Alarm ${name}`,
                to: plan.label(topicArn),
                requests: publishRequests(plan, topicArn, as(plan.account, alarmArn), unproven, "service"),
                strangers: [{ ...publishRequests(plan, topicArn, as(STRANGER_ACCOUNT, inAccount(alarmArn, STRANGER_ACCOUNT)), [], "service")[0], stranger: "an alarm of another account" }],
                source: SOURCE,
                ...(unproven.length ? { unproven } : {}),
            });
        }
    }
    return edges;
}
