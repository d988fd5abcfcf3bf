/**
 * A role of the plan → an SNS topic of the plan it is granted to publish to (a runbook's report
 * notification, a Lambda's summary, a Run Command notification role): sns:Publish as the role
 * session, decided by the role's identity policies and the topic policy, and for an encrypted
 * topic the kms:GenerateDataKey SNS makes for the publisher with the encryption context
 * `aws:sns:topicArn` (SNS developer guide, "Key management":
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). Stranger: a role of another account.
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, publishRequests, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html";
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function roleTopicEdges(plan: WiringPlan): WiringEdge[] {
    const edges = new Map<string, WiringEdge>();
    for (const role of plan.ofType("aws:iam/role:Role")) {
        const roleArn = plan.arnOf(role)!;
        for (const { policy } of plan.identityPolicies(role)) {
            const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Record<string, unknown>[];
            for (const s of statements) {
                if (s.Effect !== "Allow" || s.Condition || !list(s.Action).includes("sns:Publish")) continue;
                for (const topicArn of list(s.Resource).filter((r) => plan.resourceAt(r)?.type === "aws:sns/topic:Topic")) {
                    const unproven: string[] = [];
                    const id = `sns:${role.name}->${topicArn.split(":").pop()}`;
                    edges.set(id, {
                        id,
                        kind: "role → SNS (sns:Publish)",
                        from: `Role ${role.name}`,
                        to: plan.label(topicArn),
                        requests: publishRequests(plan, topicArn, (action, resource, context, resourcePolicy) => roleCall(plan, roleArn, action, resource, { context, resourcePolicy }), unproven, "role"),
                        strangers: [{ ...roleCall(plan, inAccount(roleArn, STRANGER_ACCOUNT), "sns:Publish", topicArn, { resourcePolicy: plan.topicPolicy(topicArn) }), stranger: "a role of another account" }],
                        source: SOURCE,
                        ...(unproven.length ? { unproven } : {}),
                    });
                }
            }
        }
    }
    return [...edges.values()];
}
