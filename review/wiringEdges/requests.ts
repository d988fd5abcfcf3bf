/** Request builders the edge derivers share. */
import type { EdgeRequest } from "../wiring";
import type { EngineRequest } from "../iamEngine";
import type { WiringPlan } from "../wiringPlan";

export const STRANGER_ACCOUNT = "999999999999";

/** Replaces the account field of an ARN (a stranger's copy of the same resource). */
export const inAccount = (arn: string, account: string) => arn.split(":").map((p, i) => (i === 4 ? account : p)).join(":");

/** `principal` assumes `roleArn` (sts:AssumeRole, decided by the role's trust policy). */
export function assumeRequest(plan: WiringPlan, roleArn: string, principal: string, context: Record<string, string | string[]>): EdgeRequest {
    const role = plan.role(roleArn);
    return {
        step: `assume ${role?.name ?? roleArn}`,
        request: { principal, action: "sts:AssumeRole", resource: roleArn, resourceAccount: roleArn.split(":")[4], context, resourcePolicy: role ? plan.trustPolicy(role) : undefined },
    };
}

/** A session of `roleArn` calls `action` on `resource` (identity policies of the role + the resource's policy). */
export function roleCall(plan: WiringPlan, roleArn: string, action: string, resource: string, extra: Partial<EngineRequest> = {}): EdgeRequest {
    const role = plan.role(roleArn);
    return {
        step: `${action} on ${plan.label(resource)}`,
        request: {
            principal: plan.session(roleArn),
            action,
            resource,
            resourceAccount: resource.split(":")[4] || plan.account,
            ...extra,
            context: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": roleArn.split(":")[4], "aws:SecureTransport": "true", ...(extra.context ?? {}) },
            identityPolicies: role ? plan.identityPolicies(role) : [],
        },
    };
}

/**
 * A request builder for an AWS service principal calling on a resource's behalf (a `who` for
 * {@link publishRequests}): each request carries the source context the service documents
 * (`aws:SourceAccount`, `aws:SourceArn`) — on every action, or only on the actions `sourceOn`
 * accepts (EventBridge sets it on its SNS call; the KMS call SNS then makes is bound by the
 * encryption context instead).
 */
export function serviceCaller(plan: WiringPlan, principal: string, source: Record<string, string>, sourceOn: (action: string) => boolean = () => true) {
    return (action: string, resource: string, context: Record<string, string>, resourcePolicy: EngineRequest["resourcePolicy"]): EdgeRequest => ({
        step: `${action} on ${plan.label(resource)}`,
        request: { principal, action, resource, resourceAccount: resource.split(":")[4], context: sourceOn(action) ? { ...context, ...source } : context, resourcePolicy },
    });
}

/**
 * Publishing to a topic: sns:Publish (topic policy), and for an encrypted topic the KMS request SNS
 * makes for the publisher: kms:GenerateDataKey with the encryption context `aws:sns:topicArn` (SNS
 * developer guide, "Key management": https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 * `who` builds one request for the publisher (a service principal or a role session).
 */
export function publishRequests(
    plan: WiringPlan,
    topicArn: string,
    who: (action: string, resource: string, context: Record<string, string>, resourcePolicy: EngineRequest["resourcePolicy"]) => EdgeRequest,
    unproven: string[],
    /** A role session of the account, or an AWS service principal (which has no caller account here). */
    caller: "role" | "service",
): EdgeRequest[] {
    const out = [who("sns:Publish", topicArn, { "aws:SecureTransport": "true" }, plan.topicPolicy(topicArn))];
    const key = plan.topicKey(topicArn);
    if (key?.policy) {
        out.push(
            who(
                "kms:GenerateDataKey",
                key.keyArn,
                {
                    "kms:EncryptionContext:aws:sns:topicArn": topicArn,
                    "kms:ViaService": `sns.${plan.region}.amazonaws.com`,
                    ...(caller === "role" ? { "kms:CallerAccount": plan.account } : {}),
                },
                key.policy,
            ),
        );
    } else if (key) unproven.push(`${topicArn} is encrypted with ${key.keyArn}, which is not in the plan: its key policy cannot be read offline`);
    return out;
}
