/**
 * A small IAM evaluator for the tests: enough of the policy evaluation logic (IAM user guide,
 * "Policy evaluation logic": explicit deny wins; same account needs an allow from the identity or
 * the resource policy; another account needs both) and of the condition operators the stack uses
 * to decide whether a principal can read the override object.
 */

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

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM wildcard match: `*` any run of characters, `?` one character. */
export function like(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(value);
}

function contextValues(caller: Caller, key: string): string[] | undefined {
    if (key.startsWith("aws:PrincipalTag/")) {
        const v = caller.tags?.[key.slice("aws:PrincipalTag/".length)];
        return v === undefined ? undefined : [v];
    }
    switch (key) {
        case "aws:PrincipalArn":
            return [caller.principalArn];
        case "aws:PrincipalAccount":
            return [caller.account];
        case "aws:PrincipalOrgID":
            return caller.orgId ? [caller.orgId] : undefined;
        case "aws:PrincipalOrgPaths":
            return caller.orgPaths;
        case "aws:SecureTransport":
            return [String(caller.secureTransport ?? true)];
        default:
            throw new Error(`policySim: condition key ${key} is not modelled`);
    }
}

function conditionHolds(op: string, key: string, expected: string[], caller: Caller): boolean {
    const actual = contextValues(caller, key);
    const anyValue = op.startsWith("ForAnyValue:");
    const base = op.replace(/^ForAnyValue:/, "");
    const match = (a: string) => {
        switch (base) {
            case "StringEquals":
            case "StringNotEquals":
            case "ArnEquals":
            case "ArnNotEquals":
            case "Bool":
                return expected.includes(a);
            case "StringLike":
            case "StringNotLike":
            case "ArnLike":
            case "ArnNotLike":
                return expected.some((e) => like(e, a));
            default:
                throw new Error(`policySim: operator ${op} is not modelled`);
        }
    };
    const negated = /Not/.test(base);
    // A missing key: positive operators are false, negated ones true.
    if (actual === undefined || actual.length === 0) return negated;
    const matched = anyValue ? actual.some(match) : actual.every(match);
    return negated ? !matched : matched;
}

/** How a resource-policy statement names the caller: directly, or through its account (delegation to IAM). */
function principalMatch(s: Statement, caller: Caller): "direct" | "account" | undefined {
    const p = s.Principal;
    const principals = p === "*" ? ["*"] : list(p?.AWS);
    if (principals.some((x) => x === "*" || x === caller.principalArn)) return "direct";
    if (principals.some((x) => x === caller.account || /^arn:[^:]+:iam::(\d{12}):root$/.exec(x)?.[1] === caller.account)) return "account";
    return undefined;
}

function applies(s: Statement, action: string, resource: string, caller: Caller): boolean {
    if (!list(s.Action).some((a) => like(a, action))) return false;
    if (!list(s.Resource).some((r) => like(r, resource))) return false;
    return Object.entries(s.Condition ?? {}).every(([op, kv]) => Object.entries(kv).every(([k, v]) => conditionHolds(op, k, list(v), caller)));
}

/** Can `caller` perform `action` on `resource`, given its identity policies and the bucket policy? */
export function allowed(opts: { caller: Caller; action: string; resource: string; identity: Statement[]; bucketPolicy: Statement[]; bucketAccount: string }): boolean {
    const { caller, action, resource } = opts;
    const identity = opts.identity.filter((s) => applies(s, action, resource, caller));
    const bucket = opts.bucketPolicy.filter((s) => principalMatch(s, caller) !== undefined && applies(s, action, resource, caller));
    if ([...identity, ...bucket].some((s) => s.Effect === "Deny")) return false;
    const byIdentity = identity.some((s) => s.Effect === "Allow");
    const bucketAllows = bucket.filter((s) => s.Effect === "Allow");
    // Naming the account delegates to the account's IAM policies: it grants nothing by itself.
    if (caller.account === opts.bucketAccount) return byIdentity || bucketAllows.some((s) => principalMatch(s, caller) === "direct");
    return byIdentity && bucketAllows.length > 0;
}
