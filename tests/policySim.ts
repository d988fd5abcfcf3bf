/**
 * Access questions for the tests, answered by a real IAM policy engine (review/iamEngine.ts,
 * `@cloud-copilot/iam-simulate`) over the identity policies and the resource policy together.
 * This file only turns a test's caller into the request AWS evaluates.
 */
import { decide, EngineDecision } from "../review/iamEngine";

export type Statement = {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
};

/** Who makes the request, with the request-context keys the policies read. */
export interface Caller {
    /** `aws:PrincipalArn`: the role ARN for a role session. */
    principalArn: string;
    account: string;
    tags?: Record<string, string>;
    orgId?: string;
    orgPaths?: string[];
    secureTransport?: boolean;
}

/**
 * The request a role session makes (IAM user guide, "AWS global condition context keys"): the
 * caller is `arn:…:sts::<account>:assumed-role/<role name>/<session>` (the role's path is not part
 * of it); `aws:PrincipalArn` is the role's ARN, with its path.
 */
export function sessionRequest(caller: Caller): { principal: string; context: Record<string, string | string[]> } {
    const partition = caller.principalArn.split(":")[1];
    const roleName = caller.principalArn.split("/").pop()!;
    const context: Record<string, string | string[]> = {
        "aws:PrincipalArn": caller.principalArn,
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalType": "AssumedRole",
        "aws:SecureTransport": String(caller.secureTransport ?? true),
    };
    if (caller.orgId) context["aws:PrincipalOrgID"] = caller.orgId;
    if (caller.orgPaths) context["aws:PrincipalOrgPaths"] = caller.orgPaths;
    for (const [k, v] of Object.entries(caller.tags ?? {})) context[`aws:PrincipalTag/${k}`] = v;
    return { principal: `arn:${partition}:sts::${caller.account}:assumed-role/${roleName}/session`, context };
}

/** The engine's decision on `caller` performing `action` on `resource`, given its identity policies and the resource's policy. */
export async function decision(opts: { caller: Caller; action: string; resource: string; identity: Statement[]; resourcePolicy?: Statement[]; resourceAccount: string }): Promise<EngineDecision> {
    const { principal, context } = sessionRequest(opts.caller);
    return decide({
        principal,
        action: opts.action,
        resource: opts.resource,
        resourceAccount: opts.resourceAccount,
        context,
        identityPolicies: opts.identity.length > 0 ? [{ name: "identity", policy: { Version: "2012-10-17", Statement: opts.identity } }] : [],
        resourcePolicy: opts.resourcePolicy ? { Version: "2012-10-17", Statement: opts.resourcePolicy } : undefined,
    });
}

/** Can `caller` perform `action` on `resource`, given its identity policies and the bucket policy? */
export async function allowed(opts: { caller: Caller; action: string; resource: string; identity: Statement[]; bucketPolicy: Statement[]; bucketAccount: string }): Promise<boolean> {
    const d = await decision({ ...opts, resourcePolicy: opts.bucketPolicy, resourceAccount: opts.bucketAccount });
    if (d.result === "Error") throw new Error(`IAM engine refused the request: ${d.deciding.join("; ")}`);
    return d.allowed;
}
