/**
 * Policies for S3 buckets: public access, encryption, versioning, TLS-only access and access
 * logging. The bucket settings live on companion resources (aws.s3.BucketPublicAccessBlock, …), so
 * these are stack policies that find each bucket's companions by property dependency (or, when the
 * bucket name is known, by name).
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { statementsOf } from "./util";

const BUCKET = "aws:s3/bucket:Bucket";

/** Resources of `type` that configure `bucket` (through their `bucket` input). */
export function companions(bucket: PolicyResource, resources: PolicyResource[], type: string): PolicyResource[] {
    return resources.filter(
        (r) =>
            r.type === type &&
            ((r.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn) ||
                (typeof bucket.props.bucket === "string" && r.props.bucket === bucket.props.bucket)),
    );
}

function bucketPolicy(
    name: string,
    description: string,
    severity: "low" | "medium" | "high" | "critical",
    check: (bucket: PolicyResource, resources: PolicyResource[]) => string | undefined,
): StackValidationPolicy {
    return {
        name,
        description,
        severity,
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            for (const b of args.resources.filter((r) => r.type === BUCKET)) {
                const problem = check(b, args.resources);
                if (problem) report(`Bucket "${b.name}": ${problem}`, b.urn);
            }
        },
    };
}

export const s3PublicAccessBlocked = bucketPolicy(
    "s3-public-access-blocked",
    "Every bucket has a public access block with all four settings on.",
    "critical",
    (b, all) => {
        const pab = companions(b, all, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0];
        const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => pab?.props[k] !== true);
        if (!pab) return "has no public access block. Fix: add aws.s3.BucketPublicAccessBlock with all four settings true (HardenedBucket does).";
        return off.length > 0 ? `public access block leaves ${off.join(", ")} off. Fix: set them to true.` : undefined;
    },
);

export const s3DefaultEncryption = bucketPolicy("s3-default-encryption", "Every bucket has default encryption (SSE-S3 or SSE-KMS).", "high", (b, all) =>
    companions(b, all, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").some((e) =>
        (e.props.rules ?? []).some((r: { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } }) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(r.applyServerSideEncryptionByDefault?.sseAlgorithm ?? "")),
    )
        ? undefined
        : "has no default encryption configuration. Fix: add aws.s3.BucketServerSideEncryptionConfiguration (AES256 or aws:kms).",
);

export const s3Versioning = bucketPolicy("s3-versioning", "Every bucket keeps object versions, so an overwritten override file or report can be recovered.", "medium", (b, all) =>
    companions(b, all, "aws:s3/bucketVersioning:BucketVersioning").some((v) => v.props.versioningConfiguration?.status === "Enabled")
        ? undefined
        : "is not versioned. Fix: add aws.s3.BucketVersioning with status Enabled.",
);

/**
 * True when the statement's only condition is `Bool` `aws:SecureTransport` `"false"`. Any other
 * condition key (`aws:PrincipalArn`, `aws:PrincipalAccount`, …) narrows the deny to some callers,
 * and the rest may still use plain HTTP.
 */
function onlyInsecureTransportCondition(condition: Record<string, Record<string, unknown>> | undefined): boolean {
    const operators = Object.keys(condition ?? {});
    const bool = condition?.Bool ?? {};
    return operators.length === 1 && operators[0] === "Bool" && Object.keys(bool).length === 1 && String(bool["aws:SecureTransport"]) === "false";
}

/** True when a statement denies every request made without TLS, by any principal, to the bucket and its objects. */
function deniesInsecureTransport(doc: unknown): boolean {
    return statementsOf(doc).some((s) => {
        const principalAll = s.Principal === "*" || (s.Principal as { AWS?: unknown })?.AWS === "*";
        const insecure = onlyInsecureTransportCondition(s.Condition);
        const actions = s.Action.some((a) => a === "s3:*" || a === "*");
        const objects = s.Resource.some((r) => r.endsWith("/*"));
        return s.Effect === "Deny" && principalAll && insecure && actions && objects && s.Resource.length >= 2;
    });
}
export const s3TlsOnly = bucketPolicy("s3-tls-only", "Every bucket policy denies requests that do not use TLS (aws:SecureTransport false) on the bucket and its objects.", "high", (b, all) =>
    companions(b, all, "aws:s3/bucketPolicy:BucketPolicy").some((p) => deniesInsecureTransport(p.props.policy))
        ? undefined
        : 'has no bucket policy denying non-TLS requests. Fix: add a Deny statement for "s3:*" on the bucket and bucket/* with Principal "*" and Condition Bool aws:SecureTransport "false" as its only condition (a named principal or another condition key leaves other callers on plain HTTP).',
);

export const s3AccessLogging = bucketPolicy("s3-access-logging", "Every bucket logs access to a log bucket (log buckets themselves excepted).", "medium", (b, all) => {
    if (companions(b, all, "aws:s3/bucketLogging:BucketLogging").length > 0) return undefined;
    const isLogTarget = all.some(
        (l) => l.type === "aws:s3/bucketLogging:BucketLogging" && ((l.propertyDependencies?.targetBucket ?? []).some((d) => d.urn === b.urn) || l.props.targetBucket === b.props.bucket),
    );
    return isLogTarget ? undefined : "has no server access logging. Fix: add aws.s3.BucketLogging to a log bucket.";
});

export const bucketPolicies = [s3PublicAccessBlocked, s3DefaultEncryption, s3Versioning, s3TlsOnly, s3AccessLogging];
