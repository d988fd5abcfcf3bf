/**
 * The plan, indexed for the wiring proof: every resource's ARN (from the mock engine's state, the
 * same values a deployment computes), each role's trust and identity policies, and the resource
 * policies (topic, bucket, key) that take part when something calls a resource.
 */
import { mockState, MockEnvironment, PlanResource } from "./engine";
import type { PolicyDocument } from "./iamEngine";

const parse = (v: unknown): PolicyDocument | undefined => {
    if (typeof v !== "string") return v && typeof v === "object" ? (v as PolicyDocument) : undefined;
    try {
        return JSON.parse(v) as PolicyDocument;
    } catch {
        return undefined;
    }
};

/**
 * The default access policy SNS gives a topic without one (SNS developer guide, "Amazon SNS access
 * control: default policy"): principals of the owning account (AWS:SourceOwner) may publish.
 */
export function defaultTopicPolicy(topicArn: string, account: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "__default_statement_ID", Effect: "Allow", Principal: { AWS: "*" }, Action: "SNS:Publish", Resource: topicArn, Condition: { StringEquals: { "AWS:SourceOwner": account } } }],
    };
}

/**
 * The key policy of the AWS managed key `aws/sns` (AWS KMS developer guide, "AWS managed keys":
 * usable only through SNS by principals of the account, and not editable).
 */
export function awsManagedSnsKeyPolicy(account: string, region: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Allow access through SNS for all principals in the account that are authorized to use SNS",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey"],
                Resource: "*",
                Condition: { StringEquals: { "kms:CallerAccount": account, "kms:ViaService": `sns.${region}.amazonaws.com` } },
            },
        ],
    };
}

/** The default key policy (AWS KMS developer guide, "Default key policy"): the account delegates to IAM. */
export function defaultKeyPolicy(account: string, partition: string): PolicyDocument {
    return { Version: "2012-10-17", Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }] };
}

export class WiringPlan {
    readonly partition: string;
    private readonly arns = new Map<string, string>();
    private readonly byArn = new Map<string, PlanResource>();
    private readonly byUrn = new Map<string, PlanResource>();

    constructor(
        readonly resources: PlanResource[],
        readonly env: MockEnvironment,
    ) {
        this.partition = env.partition ?? "aws";
        for (const r of resources) this.byUrn.set(r.urn, r);
        for (const r of resources) {
            if (!r.custom) continue;
            const arn = mockState(r.type, r.name, r.inputs, env).arn;
            // A resource that takes another's ARN as its `arn` input (a TopicPolicy) is not that resource.
            if (typeof arn === "string" && r.inputs.arn !== arn) {
                this.arns.set(r.urn, arn);
                this.byArn.set(arn, r);
            }
        }
    }

    get account(): string {
        return this.env.accountId;
    }
    get region(): string {
        return this.env.region;
    }
    ofType(type: string): PlanResource[] {
        return this.resources.filter((r) => r.type === type);
    }
    arnOf(r: PlanResource): string | undefined {
        return this.arns.get(r.urn);
    }
    resourceAt(arn: string): PlanResource | undefined {
        return this.byArn.get(arn);
    }
    /** A short label for a resource in reports and diagrams. */
    label(arn: string): string {
        const r = this.byArn.get(arn);
        return r ? `${r.type.split(":").pop()!.split("/").pop()} ${r.name}` : arn;
    }

    /** The role a role ARN names, if the plan creates it. */
    role(arn: string): PlanResource | undefined {
        const r = this.byArn.get(arn);
        return r?.type === "aws:iam/role:Role" ? r : undefined;
    }
    trustPolicy(role: PlanResource): PolicyDocument | undefined {
        return parse(role.inputs.assumeRolePolicy);
    }
    /** The role's identity policies: inline (RolePolicy, inlinePolicies) and customer managed policies attached to it. */
    identityPolicies(role: PlanResource): { name: string; policy: PolicyDocument }[] {
        const out: { name: string; policy: PolicyDocument }[] = [];
        const onRole = (r: PlanResource, key: string) => (r.propertyDependencies[key] ?? []).includes(role.urn);
        for (const p of this.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => onRole(p, "role"))) {
            const doc = parse(p.inputs.policy);
            if (doc) out.push({ name: p.name, policy: doc });
        }
        for (const [i, p] of ((role.inputs.inlinePolicies as { name?: string; policy?: string }[] | undefined) ?? []).entries()) {
            const doc = parse(p.policy);
            if (doc) out.push({ name: p.name ?? `${role.name}-inline-${i}`, policy: doc });
        }
        for (const a of this.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => onRole(a, "role"))) {
            const policy = this.byArn.get(String(a.inputs.policyArn));
            const doc = policy && parse(policy.inputs.policy);
            if (doc) out.push({ name: policy!.name, policy: doc });
        }
        return out;
    }
    /** The topic's access policy: its TopicPolicy, its `policy` input, or SNS's default. */
    topicPolicy(topicArn: string): PolicyDocument {
        const explicit = this.ofType("aws:sns/topicPolicy:TopicPolicy").find((p) => p.inputs.arn === topicArn);
        const topic = this.byArn.get(topicArn);
        return parse(explicit?.inputs.policy) ?? parse(topic?.inputs.policy) ?? defaultTopicPolicy(topicArn, this.account);
    }
    /**
     * The key encrypting a topic and its policy: undefined when the topic is not encrypted;
     * `policy` undefined when the key is not in the plan (its policy cannot be read offline).
     */
    topicKey(topicArn: string): { keyArn: string; policy?: PolicyDocument } | undefined {
        const id = this.byArn.get(topicArn)?.inputs.kmsMasterKeyId;
        if (typeof id !== "string" || id === "") return undefined;
        if (id === "alias/aws/sns") return { keyArn: `arn:${this.partition}:kms:${this.region}:${this.account}:key/aws-managed-sns`, policy: awsManagedSnsKeyPolicy(this.account, this.region) };
        const policy = this.keyPolicy(id);
        return policy ? { keyArn: id, policy } : { keyArn: id };
    }
    /** The resource an input of `r` refers to (by its property dependency), if the plan creates it. */
    dependency(r: PlanResource, input: string, type?: string): PlanResource | undefined {
        return (r.propertyDependencies[input] ?? []).map((u) => this.byUrn.get(u)).find((d): d is PlanResource => d !== undefined && (!type || d.type === type));
    }
    /** The plan's bucket of this name (S3 bucket names are global: `arn:aws:s3:::name`). */
    bucketNamed(name: string): PlanResource | undefined {
        const r = this.byArn.get(`arn:${this.partition}:s3:::${name}`);
        return r && (r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2") ? r : undefined;
    }
    /** The bucket policy of a bucket of the plan (undefined: none, so identity policies alone decide). */
    bucketPolicy(bucketName: string): PolicyDocument | undefined {
        const bucket = this.bucketNamed(bucketName);
        const p = this.ofType("aws:s3/bucketPolicy:BucketPolicy").find((x) => x.inputs.bucket === bucketName || (!!bucket && (x.propertyDependencies.bucket ?? []).includes(bucket.urn)));
        return parse(p?.inputs.policy);
    }
    /**
     * The default encryption of a bucket of the plan: `sseAlgorithm` (AES256, aws:kms, aws:kms:dsse)
     * and, for a customer managed key, the key and its policy (undefined when the key is not in the plan).
     */
    bucketEncryption(bucketName: string): { sseAlgorithm: string; bucketKey: boolean; keyArn?: string; policy?: PolicyDocument } | undefined {
        const bucket = this.bucketNamed(bucketName);
        const config = bucket && this.ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((c) => (c.propertyDependencies.bucket ?? []).includes(bucket.urn));
        const first = (config?.inputs.rules as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string }; bucketKeyEnabled?: boolean }[] | undefined)?.[0];
        const rule = first?.applyServerSideEncryptionByDefault;
        if (!rule?.sseAlgorithm) return undefined;
        const keyArn = rule.kmsMasterKeyId;
        const policy = keyArn ? this.keyPolicy(keyArn) : undefined;
        return { sseAlgorithm: rule.sseAlgorithm, bucketKey: first?.bucketKeyEnabled === true, ...(keyArn ? { keyArn } : {}), ...(policy ? { policy } : {}) };
    }
    /** The policy of a key of the plan (its `policy` input, or KMS's default key policy); undefined for a key outside the plan. */
    keyPolicy(keyArn: string): PolicyDocument | undefined {
        const key = this.byArn.get(keyArn);
        return key?.type === "aws:kms/key:Key" ? (parse(key.inputs.policy) ?? defaultKeyPolicy(this.account, this.partition)) : undefined;
    }
    /** The role session ARN a service makes when it acts as `roleArn` (what `aws:PrincipalArn` then names). */
    session(roleArn: string): string {
        const [, partition, , , account, rest] = roleArn.split(":");
        return `arn:${partition}:sts::${account}:assumed-role/${rest.split("/").pop()}/wiring`;
    }
}
