/** Policies for IAM: no wildcard actions, scoped trust, no wildcard PassRole. */
import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { Statement, statementLabel, statementsOf } from "./util";

/** Every policy document a resource carries, with where it came from. */
function documentsOf(args: ResourceValidationArgs): { where: string; statements: Statement[] }[] {
    switch (args.type) {
        case "aws:iam/role:Role":
            return (args.props.inlinePolicies ?? []).map((p: { name?: string; policy?: unknown }, i: number) => ({ where: `inline policy ${p.name ?? i}`, statements: statementsOf(p.policy) }));
        case "aws:iam/rolePolicy:RolePolicy":
        case "aws:iam/policy:Policy":
        case "aws:iam/userPolicy:UserPolicy":
        case "aws:iam/groupPolicy:GroupPolicy":
            return [{ where: "policy", statements: statementsOf(args.props.policy) }];
        default:
            return [];
    }
}

/** AWS managed policies that amount to `Action: "*"`. */
const ADMIN_POLICIES = [/:policy\/AdministratorAccess$/, /:policy\/PowerUserAccess$/, /:policy\/IAMFullAccess$/];

export const iamNoStarAction: ResourceValidationPolicy = {
    name: "iam-no-star-action",
    description: 'No IAM policy allows Action "*" (or attaches an administrator policy): every role gets the actions it needs.',
    severity: "critical",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        for (const doc of documentsOf(args)) {
            doc.statements.forEach((s, i) => {
                if (s.Effect !== "Allow") return;
                if (s.Action.includes("*")) {
                    report(`${args.type.split(":").pop()} "${args.name}": ${doc.where} ${statementLabel(s, i)} allows Action "*". Fix: list the actions the role needs (e.g. ssm:SendCommand on the patch document).`);
                } else if (s.NotAction.length > 0) {
                    report(`${args.type.split(":").pop()} "${args.name}": ${doc.where} ${statementLabel(s, i)} allows NotAction, i.e. everything else. Fix: allow named actions instead.`);
                }
            });
        }
        if (args.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && ADMIN_POLICIES.some((re) => re.test(String(args.props.policyArn)))) {
            report(`RolePolicyAttachment "${args.name}" attaches ${args.props.policyArn}, which allows (nearly) every action. Fix: attach a least-privilege policy.`);
        }
    },
};

function principals(p: unknown, kind: "AWS" | "Service" | "Federated"): string[] {
    if (p === "*") return kind === "AWS" ? ["*"] : [];
    const v = (p as Record<string, unknown> | undefined)?.[kind];
    return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

export const iamNoStarPrincipalTrust: ResourceValidationPolicy = {
    name: "iam-no-star-principal-trust",
    description: 'No role can be assumed by Principal "*".',
    severity: "critical",
    enforcementLevel: "mandatory",
    validateResource: validateRole((role, args, report) => {
        statementsOf(role.assumeRolePolicy).forEach((s, i) => {
            if (s.Effect === "Allow" && principals(s.Principal, "AWS").includes("*")) {
                report(`Role "${args.name}": trust ${statementLabel(s, i)} lets any principal assume the role. Fix: name the role ARNs or service principals that may assume it.`);
            }
        });
    }),
};

/**
 * The role ARNs an account-root trust is narrowed to by its condition on `aws:PrincipalArn`
 * (ArnEquals/ArnLike/StringEquals/StringLike), e.g. the roles Identity Center provisions for a
 * permission set (`…:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_<set>_*`), which have no
 * fixed ARN to name in `Principal`; undefined when there is no such condition, or a pattern
 * admits every role or user of the account.
 */
function namedByPrincipalArn(condition: unknown): string[] | undefined {
    const c = (condition ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const values = ["ArnEquals", "ArnLike", "StringEquals", "StringLike"].flatMap((op) => {
        const v = c[op]?.["aws:PrincipalArn"];
        return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    });
    if (values.length === 0) return undefined;
    // A role ARN of one account whose name (the last path segment) keeps a literal of at least 3 characters besides wildcards.
    const named = (v: string) => /^arn:[^:*?]+:iam::\d{12}:role\//.test(v) && (v.split("/").pop() ?? "").replace(/[*?]/g, "").length >= 3;
    return values.every(named) ? values : undefined;
}

export const iamTrustNamedRoles: ResourceValidationPolicy = {
    name: "iam-trust-named-roles",
    description: "Roles trusted by other AWS principals trust named role ARNs, not whole accounts (account root or account id) — unless the trust names the roles by an aws:PrincipalArn condition (Identity Center permission sets).",
    severity: "high",
    enforcementLevel: "mandatory",
    validateResource: validateRole((role, args, report) => {
        statementsOf(role.assumeRolePolicy).forEach((s, i) => {
            if (s.Effect !== "Allow") return;
            for (const p of principals(s.Principal, "AWS")) {
                if (p === "*") continue; // iam-no-star-principal-trust reports it
                if ((/^\d{12}$/.test(p) || /:root$/.test(p)) && !namedByPrincipalArn((s as { Condition?: unknown }).Condition)) {
                    report(`Role "${args.name}": trust ${statementLabel(s, i)} trusts the whole account ${p}; any principal there allowed sts:AssumeRole can assume it. Fix: trust the administration role ARN (arn:aws:iam::<account>:role/<name>).`);
                }
            }
        });
    }),
};

export const iamNoWildcardPassRole: ResourceValidationPolicy = {
    name: "iam-no-wildcard-passrole",
    description: "iam:PassRole names the roles it may pass; a wildcard lets the holder escalate to any role.",
    severity: "critical",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        for (const doc of documentsOf(args)) {
            doc.statements.forEach((s, i) => {
                const passes = s.Effect === "Allow" && s.Action.some((a) => a === "iam:PassRole" || a === "iam:*" || a === "iam:Pass*");
                if (passes && s.Resource.some((r) => r === "*" || /:role\/\*$/.test(r))) {
                    report(`${args.type.split(":").pop()} "${args.name}": ${doc.where} ${statementLabel(s, i)} allows iam:PassRole on ${s.Resource.join(", ")}. Fix: name the role ARNs and add Condition StringEquals iam:PassedToService.`);
                }
            });
        }
    },
};

function validateRole(check: (role: aws.iam.RoleArgs & { assumeRolePolicy?: unknown }, args: ResourceValidationArgs, report: (m: string) => void) => void) {
    return (args: ResourceValidationArgs, report: (m: string) => void) => {
        if (args.type === "aws:iam/role:Role") check(args.props as aws.iam.RoleArgs, args, report);
    };
}

export const iamPolicies = [iamNoStarAction, iamNoStarPrincipalTrust, iamTrustNamedRoles, iamNoWildcardPassRole];
