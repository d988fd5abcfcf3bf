/**
 * A role of the plan → an S3 object it is granted to read or write in a bucket of the plan (the
 * instance role → override object, install-override list, command output; a Lambda → its records).
 * The request is the role session's s3 call over HTTPS, with the role's tags as
 * `aws:PrincipalTag/…` (IAM user guide, "AWS global condition context keys":
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * decided by the role's identity policies and the bucket policy together. Strangers: the same
 * session over plain HTTP, and a role of another account.
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";
const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"];
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function s3ObjectEdges(plan: WiringPlan): WiringEdge[] {
    const buckets = new Map<string, string>();
    for (const b of [...plan.ofType("aws:s3/bucket:Bucket"), ...plan.ofType("aws:s3/bucketV2:BucketV2")]) {
        const arn = plan.arnOf(b);
        if (arn) buckets.set(arn.split(":::")[1], b.urn);
    }
    const bucketPolicy = (bucket: string) => {
        const p = plan.ofType("aws:s3/bucketPolicy:BucketPolicy").find((x) => x.inputs.bucket === bucket || (x.propertyDependencies.bucket ?? []).includes(buckets.get(bucket)!));
        return typeof p?.inputs.policy === "string" ? JSON.parse(p.inputs.policy) : undefined;
    };
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
                        if (!m || !buckets.has(m[1])) continue;
                        const object = resource.replace(/\*/g, "wiring-example");
                        const bp = bucketPolicy(m[1]);
                        const call = (arn: string, ctx: Record<string, string>) => roleCall(plan, arn, action, object, { context: { ...tags, ...ctx }, resourcePolicy: bp, resourceAccount: plan.account });
                        edges.push({
                            id: `s3:${role.name}:${action}:${m[1]}/${m[2]}`,
                            kind: `role → S3 (${action})`,
                            from: `Role ${role.name}`,
                            to: `s3://${m[1]}/${m[2]}`,
                            requests: [call(roleArn, {})],
                            strangers: [
                                { ...call(roleArn, { "aws:SecureTransport": "false" }), stranger: "a plain-HTTP request" },
                                { ...call(inAccount(roleArn, STRANGER_ACCOUNT), { "aws:PrincipalAccount": STRANGER_ACCOUNT }), stranger: "a role of another account" },
                            ],
                            source: `${SOURCE} (policy ${name})`,
                        });
                    }
                }
            }
        }
    }
    return edges;
}
