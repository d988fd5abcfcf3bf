/**
 * A role of the plan → an S3 object it is granted to read or write in a bucket of the plan (the
 * instance role → override object, install-override list, command output; a Lambda → its records).
 * The request is the role session's s3 call over HTTPS, with the role's tags as
 * `aws:PrincipalTag/…` (IAM user guide, "AWS global condition context keys":
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * decided by the role's identity policies and the bucket policy together. Strangers: the same
 * session over plain HTTP, and a role of another account.
 */
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";
const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"];
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * The KMS request S3 makes for the caller when the bucket's default encryption is a customer
 * managed key: kms:Decrypt to read, kms:GenerateDataKey to write, with the encryption context
 * `aws:s3:arn` = the object's ARN, or the bucket's ARN when an S3 Bucket Key is on (S3 user guide,
 * "Using server-side encryption with AWS KMS keys", encryption context:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).
 */
function kmsRequest(plan: WiringPlan, action: string, bucket: string, object: string, call: (action: string, resource: string, context: Record<string, string>, policy: unknown) => EdgeRequest, unproven: string[]): EdgeRequest[] {
    const sse = plan.bucketEncryption(bucket);
    if (!sse?.keyArn) return [];
    if (!sse.policy) {
        unproven.push(`s3://${bucket} is encrypted with ${sse.keyArn}, which is not in the plan: its key policy cannot be read offline`);
        return [];
    }
    const context = {
        "kms:EncryptionContext:aws:s3:arn": sse.bucketKey ? `arn:${plan.partition}:s3:::${bucket}` : object,
        "kms:ViaService": `s3.${plan.region}.amazonaws.com`,
        "kms:CallerAccount": plan.account,
    };
    return [call(action === "s3:GetObject" ? "kms:Decrypt" : "kms:GenerateDataKey", sse.keyArn, context, sse.policy)];
}

export function s3ObjectEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const role of plan.ofType("aws:iam/role:Role")) {
        const roleArn = plan.arnOf(role)!;
        const tags = Object.fromEntries(Object.entries((role.inputs.tags as Record<string, string> | undefined) ?? {}).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
        for (const { name, policy } of plan.identityPolicies(role)) {
            const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Record<string, unknown>[];
            for (const s of statements) {
                if (s.Effect !== "Allow" || s.Condition) continue;
                for (const action of list(s.Action).filter((a) => OBJECT_ACTIONS.includes(a))) {
                    for (const resource of list(s.Resource)) {
                        const m = /^arn:[^:]+:s3:::([^/]+)\/(.+)$/.exec(resource);
                        if (!m || !plan.bucketNamed(m[1])) continue;
                        const object = resource.replace(/\*/g, "wiring-example");
                        const bp = plan.bucketPolicy(m[1]);
                        const call = (arn: string, ctx: Record<string, string>) => roleCall(plan, arn, action, object, { context: { ...tags, ...ctx }, resourcePolicy: bp, resourceAccount: plan.account });
                        const unproven: string[] = [];
                        const key = kmsRequest(plan, action, m[1], object, (a, r, ctx, p) => roleCall(plan, roleArn, a, r, { context: { ...tags, ...ctx }, resourcePolicy: p as never }), unproven);
                        edges.push({
                            id: `s3:${role.name}:${action}:${m[1]}/${m[2]}`,
                            kind: `role → S3 (${action})`,
                            from: `Role ${role.name}`,
                            to: `s3://${m[1]}/${m[2]}`,
                            requests: [call(roleArn, {}), ...key],
                            strangers: [
                                { ...call(roleArn, { "aws:SecureTransport": "false" }), stranger: "a plain-HTTP request" },
                                { ...call(inAccount(roleArn, STRANGER_ACCOUNT), { "aws:PrincipalAccount": STRANGER_ACCOUNT }), stranger: "a role of another account" },
                            ],
                            source: `${SOURCE} (policy ${name})`,
                            ...(unproven.length ? { unproven } : {}),
                        });
                    }
                }
            }
        }
    }
    return edges;
}
