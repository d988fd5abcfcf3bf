/**
 * A person → the approval gate's operator roles (issue 17): the approver role, which alone may
 * change the approval calendar, and the requester role, which alone may write a person's request
 * into the gate state. The gate function names both (its APPROVER_ROLE_ARN / REQUESTER_ROLE_ARN,
 * CALENDAR_NAME, BUCKET and STACK environment: the roles whose sessions it counts), so each edge
 * is: a person the role's trust admits assumes it (same account: the trust policy AND the
 * caller's identity policy decide, IAM user guide "Policy evaluation logic" —
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html), then
 * the role's one job. Strangers: a role of the account the trust does not name, the same person
 * from another account, a named IAM user or role without MFA (where the trust requires it), and —
 * the separation of duties — the OTHER operator role attempting this role's job.
 */
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { PolicyDocument } from "../iamEngine";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const statements = (p: PolicyDocument) => (Array.isArray(p.Statement) ? p.Statement : [p.Statement]) as Record<string, any>[];

/** A person the trust policy admits: a named user or role, or a role matching an `aws:PrincipalArn` pattern (an Identity Center permission set's role). */
interface Person {
    arn: string;
    /** The trust requires MFA of this caller (`aws:MultiFactorAuthPresent`). */
    mfa: boolean;
    /** A named IAM user must name the session after itself (`sts:RoleSessionName` = `${aws:username}`). */
    user: boolean;
}

function peopleOf(trust: PolicyDocument, account: string): Person[] {
    const out: Person[] = [];
    for (const s of statements(trust)) {
        if (s.Effect !== "Allow" || !list(s.Action).includes("sts:AssumeRole")) continue;
        const mfa = s.Condition?.Bool?.["aws:MultiFactorAuthPresent"] === "true";
        for (const p of list(s.Principal?.AWS)) {
            if (p.endsWith(":root")) {
                // A pattern of the account's roles: a concrete role that matches it (each * filled in).
                for (const pattern of list(s.Condition?.ArnLike?.["aws:PrincipalArn"])) out.push({ arn: pattern.replace(/\*/g, "wiring"), mfa, user: false });
            } else if (p.split(":")[4] === account) out.push({ arn: p, mfa, user: /:user\//.test(p) });
        }
    }
    return out;
}

/** How a person reads in the report: the permission set of an Identity Center role, else the principal's name. */
function personLabel(p: Person): string {
    const set = /AWSReservedSSO_(.+)_wiring$/.exec(p.arn)?.[1];
    return set ? `Identity Center permission set ${set}` : p.arn.split("/").pop()!;
}

/** `person` assumes `roleArn`: the role's trust policy, and the person's own policy (not in the plan: assumed to allow exactly this). */
function assume(plan: WiringPlan, person: Person, roleArn: string, mfa: boolean, trust: PolicyDocument): EdgeRequest {
    const name = person.arn.split("/").pop()!;
    const own = [{ name: `assumed: ${name}'s own policy (not in this plan)`, policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }] } }];
    // An IAM user names the session after itself (the trust requires it); a role session's name is the caller's choice.
    const context: Record<string, string> = { "aws:MultiFactorAuthPresent": String(mfa), ...(person.user ? { "aws:username": name, "sts:RoleSessionName": name } : { "sts:RoleSessionName": "wiring" }) };
    const call = roleCall(plan, person.arn, "sts:AssumeRole", roleArn, { resourcePolicy: trust, resourceAccount: roleArn.split(":")[4], identityPolicies: own, context });
    // An IAM user calls as itself, not as a role session.
    return person.user ? { ...call, request: { ...call.request, principal: person.arn } } : call;
}

/**
 * The edges of the operator roles the gate function counts. `job` is the role's one call; the
 * other role must be denied it.
 */
export function operatorRoleEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const fn of plan.ofType("aws:lambda/function:Function")) {
        const env = (fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
        const approver = env.APPROVER_ROLE_ARN;
        if (!approver || !env.CALENDAR_NAME || !env.BUCKET || !env.STACK) continue;
        const requester = env.REQUESTER_ROLE_ARN;
        const doc = (region: string, name: string) => `arn:${plan.partition}:ssm:${region}:${plan.account}:document/${name}`;
        // Two-person rule: the approver writes APPROVAL_CALENDAR_NAME; CALENDAR_NAME (every Region's copy) is the release calendar the installs check.
        const calendar = doc(plan.region, env.APPROVAL_CALENDAR_NAME ?? env.CALENDAR_NAME);
        const releases = env.APPROVAL_CALENDAR_NAME
            ? [plan.region, ...(env.CALENDAR_REPLICA_REGIONS ?? "").split(",").filter(Boolean)].map((r) => doc(r, env.CALENDAR_NAME))
            : [];
        const state = `arn:${plan.partition}:s3:::${env.BUCKET}/approval-gate/${env.STACK}/2026-12.json`;
        const bucketPolicy = plan.bucketPolicy(env.BUCKET);
        const jobs: { roleArn: string; job: (roleArn: string) => EdgeRequest; what: string; other?: string }[] = [
            { roleArn: approver, what: "approves (ssm:UpdateDocument on the calendar)", job: (r) => roleCall(plan, r, "ssm:UpdateDocument", calendar), other: requester },
            ...(requester
                ? [{ roleArn: requester, what: "requests (s3:PutObject on the gate state)", job: (r: string) => roleCall(plan, r, "s3:PutObject", state, { resourcePolicy: bucketPolicy, resourceAccount: plan.account }), other: approver }]
                : []),
        ];
        for (const { roleArn, job, what, other } of jobs) {
            const role = plan.role(roleArn);
            const trust = role && plan.trustPolicy(role);
            if (!trust) continue;
            const people = peopleOf(trust, plan.account);
            if (people.length === 0) continue;
            const requests = [...people.map((p) => ({ ...assume(plan, p, roleArn, p.mfa, trust), step: `${p.arn.split("/").pop()} assumes ${role.name}` })), job(roleArn)];
            const first = people[0];
            const strangers: (EdgeRequest & { stranger: string })[] = [
                { ...assume(plan, { arn: `arn:${plan.partition}:iam::${plan.account}:role/wiring-stranger`, mfa: true, user: false }, roleArn, true, trust), stranger: "a role of the account the trust does not name" },
                { ...assume(plan, { ...first, arn: inAccount(first.arn, STRANGER_ACCOUNT) }, roleArn, true, trust), stranger: "the same principal in another account" },
                ...people.filter((p) => p.mfa).map((p) => ({ ...assume(plan, p, roleArn, false, trust), stranger: `${p.arn} without MFA` })),
                ...(other && plan.role(other) ? [{ ...job(other), stranger: `the other operator role (${other.split("/").pop()}): separation of duties` }] : []),
                // Only the gate function releases: the approver role writing a release calendar itself (the direct-write bypass) is denied.
                ...(roleArn === approver
                    ? releases.flatMap((r) => [
                          { ...roleCall(plan, roleArn, "ssm:UpdateDocument", r), stranger: `the approver role writing the release calendar ${plan.label(r)} (only the gate function releases)` },
                          { ...roleCall(plan, roleArn, "ssm:UpdateDocumentDefaultVersion", r), stranger: `the approver role making a version of the release calendar ${plan.label(r)} current` },
                      ])
                    : []),
                ...(requester && roleArn === requester ? releases.map((r) => ({ ...roleCall(plan, roleArn, "ssm:UpdateDocument", r), stranger: `the requester role writing the release calendar ${plan.label(r)}` })) : []),
            ];
            edges.push({
                id: `operator:${roleArn.split("/").pop()}`,
                kind: "person → operator role (approval gate)",
                from: people.map(personLabel).join(", "),
                to: `${plan.label(roleArn)}, which ${what}`,
                requests,
                strangers,
                source: SOURCE,
                unproven: people.map((p) => `${p.arn} is not in this plan: its own identity policy is assumed to allow sts:AssumeRole on ${roleArn}; the trust policy is proven`),
            });
        }
        // The gate function alone releases: it may write every release calendar (its own role's policy), and a stranger role of the account may not.
        const fnRole = typeof fn.inputs.role === "string" ? fn.inputs.role : undefined;
        if (releases.length > 0 && fnRole && plan.role(fnRole)) {
            edges.push({
                id: `release:${env.CALENDAR_NAME}`,
                kind: "gate function → release calendar (approval gate)",
                from: plan.label(fnRole),
                to: `the release calendar ${env.CALENDAR_NAME} in ${releases.length} Region(s), which every install path checks`,
                requests: [
                    ...releases.flatMap((r) => [roleCall(plan, fnRole, "ssm:UpdateDocument", r), roleCall(plan, fnRole, "ssm:UpdateDocumentDefaultVersion", r)]),
                    roleCall(plan, fnRole, "ssm:GetDocument", calendar),
                    roleCall(plan, fnRole, "ssm:ListDocumentVersions", calendar),
                ],
                strangers: [{ ...roleCall(plan, fnRole, "ssm:UpdateDocument", calendar), stranger: `the gate function writing the approver's calendar ${plan.label(calendar)} (it judges approvals, never makes them)` }],
                source: SOURCE,
            });
        }
    }
    return edges;
}
