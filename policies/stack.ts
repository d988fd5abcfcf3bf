/** Policies over the whole stack: coverage that no single resource can show. */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, statementsOf } from "./util";

export interface PatchGroupCoverageConfig {
    /** Operating systems every patch group must have a baseline for; empty = every OS the stack has a baseline for. */
    operatingSystems: string[];
}

export const patchGroupBaselinePerOs: StackValidationPolicy = {
    name: "patch-group-baseline-per-os",
    description:
        "Every patch group has a baseline for each operating system the stack patches; otherwise nodes of a missing OS in that group silently fall back to the default baseline.",
    severity: "high",
    enforcementLevel: "mandatory",
    configSchema: { properties: { operatingSystems: { type: "array", items: { type: "string" }, default: [] } } },
    validateStack: (args, report) => {
        const cfg = configOf<PatchGroupCoverageConfig>(args, { operatingSystems: [] });
        const baselines = args.resources.filter((r) => r.type === "aws:ssm/patchBaseline:PatchBaseline");
        const byUrn = new Map(baselines.map((b) => [b.urn, b]));
        const groups = new Map<string, { os: Set<string>; urn: string }>();
        for (const g of args.resources.filter((r) => r.type === "aws:ssm/patchGroup:PatchGroup")) {
            const baseline = (g.propertyDependencies?.baselineId ?? []).map((d) => byUrn.get(d.urn)).find((b) => b);
            if (!baseline || typeof g.props.patchGroup !== "string") continue;
            const entry = groups.get(g.props.patchGroup) ?? { os: new Set<string>(), urn: g.urn };
            entry.os.add(String(baseline.props.operatingSystem));
            groups.set(g.props.patchGroup, entry);
        }
        const required = cfg.operatingSystems.length > 0 ? cfg.operatingSystems : [...new Set(baselines.map((b) => String(b.props.operatingSystem)))];
        for (const [group, { os, urn }] of [...groups.entries()].sort()) {
            const missing = required.filter((o) => !os.has(o)).sort();
            if (missing.length > 0) {
                report(`Patch group "${group}" has no baseline for ${missing.join(", ")}; those nodes would use the default baseline. Fix: add "${group}" to the patchGroups of a baseline for each.`, urn);
            }
        }
    },
};


/** `arn:aws:s3:::bucket/*`-style IAM patterns (`*`, `?`) against an ARN. */
export function arnMatches(pattern: string, arn: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(arn);
}

function overrideUrl(props: Record<string, any>): string | undefined {
    const v = props.parameters?.BaselineOverride;
    const url = Array.isArray(v) ? v[0] : v;
    return typeof url === "string" && url.startsWith("s3://") ? url : undefined;
}

/** The root-level component a resource belongs to (itself when it has no parent). */
function rootOf(r: PolicyResource): PolicyResource {
    let cur = r;
    while (cur.parent) cur = cur.parent;
    return cur;
}

function trustsService(role: PolicyResource, service: string): boolean {
    return statementsOf(role.props.assumeRolePolicy).some((s) => {
        const svc = (s.Principal as { Service?: unknown } | undefined)?.Service;
        return s.Effect === "Allow" && (Array.isArray(svc) ? svc : [svc]).includes(service);
    });
}

/** Policy documents in effect for `role`: inline RolePolicies and attached managed policies of this stack. */
function policiesOfRole(role: PolicyResource, all: PolicyResource[]): unknown[] {
    const refersToRole = (r: PolicyResource) => (r.propertyDependencies?.role ?? []).some((d) => d.urn === role.urn) || (typeof role.props.name === "string" && r.props.role === role.props.name);
    const docs: unknown[] = [];
    for (const r of all) {
        if (r.type === "aws:iam/rolePolicy:RolePolicy" && refersToRole(r)) docs.push(r.props.policy);
        if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && refersToRole(r)) {
            const policy = (r.propertyDependencies?.policyArn ?? [])[0];
            if (policy?.type === "aws:iam/policy:Policy") docs.push(policy.props.policy);
        }
    }
    for (const p of role.props.inlinePolicies ?? []) docs.push(p.policy);
    return docs;
}

/** Why `role` cannot read `objectArn` given the bucket's deny statements, or undefined when it can. */
function whyUnreadable(role: PolicyResource, objectArn: string, all: PolicyResource[], bucketPolicies: PolicyResource[]): string | undefined {
    const granted = policiesOfRole(role, all).some((doc) =>
        statementsOf(doc).some((s) => s.Effect === "Allow" && s.Action.some((a) => ["s3:GetObject", "s3:Get*", "s3:*", "*"].includes(a)) && s.Resource.some((p) => arnMatches(p, objectArn))),
    );
    if (!granted) return `no policy of the role allows s3:GetObject on ${objectArn}`;
    const tags = (role.props.tags ?? {}) as Record<string, string>;
    for (const bp of bucketPolicies) {
        for (const s of statementsOf(bp.props.policy)) {
            if (s.Effect !== "Deny" || !s.Action.some((a) => a === "s3:GetObject" || a === "s3:*") || !s.Resource.some((p) => arnMatches(p, objectArn))) continue;
            if (s.Condition?.Bool?.["aws:SecureTransport"] !== undefined) continue;
            const tagConditions = Object.entries(s.Condition?.StringNotEquals ?? {}).filter(([k]) => k.startsWith("aws:PrincipalTag/"));
            const exemptArns = ([] as unknown[]).concat(s.Condition?.ArnNotLike?.["aws:PrincipalArn"] ?? []).map(String);
            const tagged = tagConditions.length > 0 && tagConditions.every(([k, v]) => tags[k.slice("aws:PrincipalTag/".length)] === String(v));
            const exempt = typeof role.props.name === "string" && exemptArns.some((p) => arnMatches(p.replace(/^arn:[^:]+:iam::\d{12}:/, "arn:*:iam::*:"), `arn:aws:iam::000000000000:role/${role.props.name}`));
            if (!tagged && !exempt) {
                const need = tagConditions.map(([k, v]) => `${k.slice("aws:PrincipalTag/".length)}=${v}`).join(", ");
                return `bucket policy statement "${s.Sid ?? "deny"}" denies it unless the role is tagged ${need || "(no tag condition)"} or listed in aws:PrincipalArn`;
            }
        }
    }
    return undefined;
}

export const overrideObjectReadable: StackValidationPolicy = {
    name: "override-object-readable",
    description:
        "Every patch policy that passes a BaselineOverride object has instance roles that can read it: an IAM grant on exactly that object and admission by the bucket policy (Quick Setup's most reported failure: Access Denied on baseline_overrides.json).",
    severity: "critical",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const all = args.resources;
        for (const assoc of all.filter((r) => /ssm(\/association)?:Association$/.test(r.type))) {
            const url = overrideUrl(assoc.props);
            if (!url) continue;
            const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(url) ?? [];
            if (!bucket) continue;
            const objectArn = `arn:aws:s3:::${bucket}/${key}`;
            const root = rootOf(assoc);
            const roles = all.filter((r) => r.type === "aws:iam/role:Role" && rootOf(r).urn === root.urn && (trustsService(r, "ec2.amazonaws.com") || trustsService(r, "ssm.amazonaws.com")));
            const created = roles.filter((r) => trustsService(r, "ec2.amazonaws.com") || policiesOfRole(r, all).some((d) => JSON.stringify(d).includes(objectArn)));
            // An association outside a patch policy (the gated install, say) runs on nodes whose roles
            // this stack does not create: the roles named in patching:overrideStore.instanceRoleNames,
            // which the store grants (an inline policy on the role by name) and its bucket policy admits.
            const declared: PolicyResource[] = all
                .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && typeof r.props.role === "string" && !(r.propertyDependencies?.role ?? []).length && JSON.stringify(r.props.policy ?? "").includes(objectArn))
                .map((r) => ({ ...r, type: "aws:iam/role:Role", name: String(r.props.role), props: { name: r.props.role, tags: {} } }));
            const instanceRoles = created.length > 0 ? created : declared;
            const bucketPolicies = all.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && statementsOf(r.props.policy).some((s) => s.Resource.some((p) => p.startsWith(`arn:aws:s3:::${bucket}`))));
            if (instanceRoles.length === 0) {
                report(`Association "${assoc.name}" passes BaselineOverride ${url}, but no instance role reads it: its patch policy creates none and patching:overrideStore.instanceRoleNames lists none. Fix: let the policy create its instance role, or list your instance roles in patching:overrideStore.instanceRoleNames.`, assoc.urn);
                continue;
            }
            for (const role of instanceRoles) {
                const why = whyUnreadable(role, objectArn, all, bucketPolicies);
                if (why) report(`Role "${role.name}" (instances of association "${assoc.name}") cannot read ${url}: ${why}. Fix: grant s3:GetObject on the object and tag the role with the store's principal tag.`, role.urn);
            }
        }
    },
};

export const stackPolicies = [patchGroupBaselinePerOs, overrideObjectReadable];
