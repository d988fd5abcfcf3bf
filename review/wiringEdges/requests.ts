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
            identityPolicies: extra.identityPolicies ?? (role ? plan.identityPolicies(role) : []),
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
        request: { principal, action, resource, resourceAccount: resource.split(":")[4] || plan.account, context: sourceOn(action) ? { ...context, ...source } : context, resourcePolicy },
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

/**
 * The ARN of an SSM document as IAM sees it: AWS-owned documents (`AWS-…`, `AmazonCloudWatch-…`)
 * have no account (`arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline`); the account's own
 * documents carry it (IAM service authorization reference, AWS Systems Manager, resource type `document`).
 */
export function documentArn(plan: WiringPlan, name: string): string {
    if (name.startsWith("arn:")) return name;
    const owned = /^(AWS|Amazon)/.test(name) && !plan.ofType("aws:ssm/document:Document").some((d) => (d.inputs.name ?? d.name) === name);
    return `arn:${plan.partition}:ssm:${plan.region}:${owned ? "" : plan.account}:document/${name}`;
}

/**
 * Automation assumes a runbook's AutomationAssumeRole as `ssm.amazonaws.com` with
 * `aws:SourceAccount` and `aws:SourceArn` = the execution's ARN (Systems Manager user guide,
 * "Configure a service role (assume role) access for automations":
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html).
 * `account` is the account the execution runs in (another one for a stranger).
 */
export function automationAssume(plan: WiringPlan, roleArn: string, account: string): EdgeRequest {
    const execution = `arn:${plan.partition}:ssm:${plan.region}:${account}:automation-execution/0123abcd-0123-abcd-0123-0123456789ab`;
    return assumeRequest(plan, roleArn, "ssm.amazonaws.com", { "aws:SourceAccount": account, "aws:SourceArn": execution });
}

/**
 * A session of `roleArn` starts an Automation runbook: ssm:StartAutomationExecution is authorized
 * on the automation definition (`automation-definition/<document>:<version>` in the caller's
 * account and Region, IAM service authorization reference, AWS Systems Manager), and each
 * AutomationAssumeRole it names is passed to SSM (iam:PassRole with iam:PassedToService =
 * ssm.amazonaws.com), which then assumes it ({@link automationAssume}); a passed role outside the
 * plan is noted in `unproven` (its trust cannot be read offline).
 */
export function startAutomationRequests(plan: WiringPlan, roleArn: string, document: string, version: string | undefined, passedRoles: string[], unproven: string[]): EdgeRequest[] {
    const definition = document.startsWith("arn:")
        ? `${document.replace(":document/", ":automation-definition/")}:${version ?? "$DEFAULT"}`
        : `arn:${plan.partition}:ssm:${plan.region}:${plan.account}:automation-definition/${document}:${version ?? "$DEFAULT"}`;
    const out = [roleCall(plan, roleArn, "ssm:StartAutomationExecution", definition)];
    for (const passed of passedRoles) {
        out.push(roleCall(plan, roleArn, "iam:PassRole", passed, { context: { "iam:PassedToService": "ssm.amazonaws.com" } }));
        if (plan.role(passed)) out.push(automationAssume(plan, passed, plan.account));
        else unproven.push(`${passed} is not in the plan: whether Automation may assume it (its trust policy) cannot be read offline`);
    }
    return out;
}

/**
 * An instance a command or runbook targets, as IAM sees it: `instance/<id>` in the plan's account
 * and Region, with the tags the targets select on as `ssm:resourceTag/<key>` (SendCommand) and
 * `aws:ResourceTag/<key>` (EC2 actions) (IAM user guide, "Controlling access to AWS resources
 * using tags"). Targets by instance id (`InstanceIds`, `*`) carry no tag.
 */
export function instanceTarget(plan: WiringPlan, targets: { key?: string; values?: string[] }[] | undefined): { arn: string; context: Record<string, string> } {
    const context: Record<string, string> = {};
    for (const t of targets ?? []) {
        const tag = /^tag:(.+)$/.exec(t.key ?? "");
        if (tag && t.values?.[0] !== undefined) {
            context[`ssm:resourceTag/${tag[1]}`] = t.values[0];
            context[`aws:ResourceTag/${tag[1]}`] = t.values[0];
        }
    }
    return { arn: `arn:${plan.partition}:ec2:${plan.region}:${plan.account}:instance/i-0123456789abcdef0`, context };
}

/** A session of `roleArn` runs a command document on an instance: ssm:SendCommand is authorized on both. */
export function sendCommandRequests(plan: WiringPlan, roleArn: string, document: string, target: { arn: string; context: Record<string, string> }): EdgeRequest[] {
    return [roleCall(plan, roleArn, "ssm:SendCommand", documentArn(plan, document)), roleCall(plan, roleArn, "ssm:SendCommand", target.arn, { context: target.context })];
}
