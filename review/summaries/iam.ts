/** Summaries of IAM roles and inline policies: every trust and permission statement, in full. */
import { Inputs, Summarisers } from "./util";

type Statement = {
    Sid?: string;
    Effect?: string;
    Principal?: Record<string, string | string[]> | string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
};

/** A value as text; CloudFormation `{ "Fn::Sub": "…${X}…" }` shows as its template string. */
function text(v: unknown): string {
    if (typeof v === "string") return v;
    if (v !== null && typeof v === "object" && typeof (v as Record<string, unknown>)["Fn::Sub"] === "string") return (v as Record<string, string>)["Fn::Sub"];
    return JSON.stringify(v);
}

function list(x: unknown): string {
    return Array.isArray(x) ? x.map(text).join(", ") : text(x);
}

function conditions(c: Statement["Condition"]): string {
    if (!c) return "";
    const parts = Object.entries(c).flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${op} ${k}=${list(v)}`));
    return ` if ${parts.join(" and ")}`;
}

function principal(p: Statement["Principal"]): string {
    if (p === undefined) return "";
    if (typeof p === "string") return p;
    return Object.entries(p)
        .map(([kind, v]) => `${kind} ${list(v)}`)
        .join(" + ");
}

/** Parses a policy document given as JSON text (or an object); `undefined` when not known yet. */
export function parsePolicy(doc: unknown): { Statement: Statement[] } | undefined {
    if (typeof doc === "string") {
        try {
            return JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    return doc !== null && typeof doc === "object" ? (doc as { Statement: Statement[] }) : undefined;
}

/** One line per statement: `Sid: Allow a, b on r [if …]` (permissions) or `Sid: Allow a by P [if …]` (trust). */
export function statementLines(doc: unknown, prefix = ""): string[] {
    const parsed = parsePolicy(doc);
    if (!parsed) return [`${prefix}${String(doc)}`];
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.map((s) => {
        const sid = s.Sid ? `${s.Sid}: ` : "";
        const actions = s.Action !== undefined ? list(s.Action) : `NOT ${list(s.NotAction)}`;
        const who = s.Principal !== undefined ? ` by ${principal(s.Principal)}` : "";
        const on = s.Resource !== undefined ? ` on ${list(s.Resource)}` : "";
        return `${prefix}${sid}${s.Effect} ${actions}${who}${on}${conditions(s.Condition)}`;
    });
}

export const iamSummarisers: Summarisers = {
    "aws:iam/role:Role": (i: Inputs) => [
        `role ${i.name ?? "(auto-named)"}${i.description ? ` — ${i.description}` : ""}`,
        ...statementLines(i.assumeRolePolicy, "trust: "),
        ...(i.managedPolicyArns?.length ? [`managed policies: ${i.managedPolicyArns.join(", ")}`] : []),
    ],
    "aws:iam/rolePolicy:RolePolicy": (i: Inputs) => [`inline policy ${i.name ?? "(auto-named)"} of role ${i.role}`, ...statementLines(i.policy, "allow: ")],
    "aws:iam/policy:Policy": (i: Inputs) => [`managed policy ${i.name ?? `${i.namePrefix ?? ""}*`}${i.description ? ` — ${i.description}` : ""}`, ...statementLines(i.policy, "allow: ")],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i: Inputs) => [`attach ${i.policyArn} → role ${i.role}`],
    "aws:iam/instanceProfile:InstanceProfile": (i: Inputs) => [`instance profile ${i.name ?? `${i.namePrefix}*`} → role ${i.role}`],
};
