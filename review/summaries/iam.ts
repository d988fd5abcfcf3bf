import { Inputs, Summarisers } from "./util";

type StatementLike = { Sid?: string; Effect?: string; Action?: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };

const list = (x: string | string[] | undefined) => (Array.isArray(x) ? x : x === undefined ? [] : [x]);

function conditionText(c: StatementLike["Condition"]): string {
    if (!c) return "";
    const parts = Object.entries(c).flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${Array.isArray(v) ? v.join("|") : String(v)}`));
    return parts.length > 0 ? ` when ${parts.join(" and ")}` : "";
}

/** One line per statement: `Sid: Allow a, b on r1, r2 when key Op value`. */
export function statementLines(policy: unknown): string[] {
    let doc: { Statement?: StatementLike[] | StatementLike } | undefined;
    try {
        doc = typeof policy === "string" ? JSON.parse(policy) : (policy as typeof doc);
    } catch {
        return [`policy: ${String(policy)}`];
    }
    const statements = Array.isArray(doc?.Statement) ? doc!.Statement : doc?.Statement ? [doc.Statement] : [];
    return statements.map((s) => {
        const principal = s.Principal ? ` for ${JSON.stringify(s.Principal)}` : "";
        return `${s.Sid ? `${s.Sid}: ` : ""}${s.Effect} ${list(s.Action).join(", ")}${principal}${s.Resource !== undefined ? ` on ${list(s.Resource).join(", ")}` : ""}${conditionText(s.Condition)}`;
    });
}

export const iamSummarisers: Summarisers = {
    "aws:iam/role:Role": (i: Inputs) => [
        `${i.name ?? (i.namePrefix ? `${i.namePrefix}*` : "(auto-named)")}${i.description ? ` — ${i.description}` : ""}`,
        ...statementLines(i.assumeRolePolicy).map((l) => `trust: ${l}`),
    ],
    "aws:iam/rolePolicy:RolePolicy": (i: Inputs) => statementLines(i.policy),
    "aws:iam/policy:Policy": (i: Inputs) => [`${i.name ?? `${i.namePrefix ?? ""}*`}${i.description ? ` — ${i.description}` : ""}`, ...statementLines(i.policy)],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i: Inputs) => [`attach ${i.policyArn} → role ${i.role}`],
    "aws:iam/instanceProfile:InstanceProfile": (i: Inputs) => [`instance profile ${i.name ?? `${i.namePrefix}*`} → role ${i.role}`],
};
