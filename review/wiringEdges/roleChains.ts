/**
 * Role → role (sts:AssumeRole): the multi-account administration role → each member account's
 * execution role (Systems Manager user guide, "Running automations in multiple AWS Regions and
 * accounts": https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html),
 * Quick Setup's local deployment administration role → its execution role. A same- or
 * cross-account AssumeRole needs the caller's identity policy AND the target's trust policy (IAM
 * user guide, "Cross-account policy evaluation logic":
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 * A target role outside the plan is read from the CloudFormation StackSet template that creates
 * it in the member accounts. In a member stack, whose administration role lives in the
 * management account, the caller's policy is assumed to grant exactly this AssumeRole (noted).
 * Strangers: a role of another account and another role of the caller's account, each with the
 * caller's identity policy, so that only the trust can refuse them.
 */
import { documentTree } from "../../core/automationDocument";
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { PolicyDocument } from "../iamEngine";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html";
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const statements = (p: PolicyDocument) => (Array.isArray(p.Statement) ? p.Statement : [p.Statement]) as Record<string, any>[];

/** Resolves `Fn::Sub` (string form) in a CloudFormation value; other intrinsics are left as they are. */
function sub(value: unknown, vars: Record<string, string>): unknown {
    if (Array.isArray(value)) return value.map((v) => sub(v, vars));
    if (value === null || typeof value !== "object") return value;
    const fn = (value as Record<string, unknown>)["Fn::Sub"];
    if (typeof fn === "string") return fn.replace(/\$\{([^}]+)\}/g, (m, k: string) => vars[k] ?? m);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v, vars)]));
}

type Template = { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };

/** The trust policy a StackSet of the plan gives role `roleArn` in the role's account, if one creates it. */
function stackSetTrust(plan: WiringPlan, roleArn: string): PolicyDocument | undefined {
    const [, partition, , , account, resource] = roleArn.split(":");
    const roleName = resource.split("/").pop();
    for (const set of plan.ofType("aws:cloudformation/stackSet:StackSet")) {
        let template: Template;
        try {
            const body = String(set.inputs.templateBody);
            // Parsed once per text (and frozen) for the process: the trust of every role pair outside
            // the plan is looked up in the same templates. Read only: sub builds new values.
            template = documentTree(body) as Template;
        } catch {
            continue;
        }
        const vars = { ...((set.inputs.parameters as Record<string, string> | undefined) ?? {}), "AWS::AccountId": account, "AWS::Partition": partition, "AWS::Region": plan.region };
        for (const r of Object.values(template.Resources ?? {})) {
            if (r.Type === "AWS::IAM::Role" && sub(r.Properties?.RoleName, vars) === roleName) return sub(r.Properties?.AssumeRolePolicyDocument, vars) as PolicyDocument;
        }
    }
    return undefined;
}

function edge(plan: WiringPlan, callerArn: string, targetArn: string, trust: PolicyDocument, identity: EdgeRequest["request"]["identityPolicies"], unproven?: string[]): WiringEdge {
    const call = (arn: string) => roleCall(plan, arn, "sts:AssumeRole", targetArn, { resourcePolicy: trust, resourceAccount: targetArn.split(":")[4], identityPolicies: identity });
    const otherRole = callerArn.replace(/role\/.*$/, "role/wiring-stranger");
    return {
        id: `assume:${callerArn.split("/").pop()}->${targetArn.split(":")[4]}/${targetArn.split("/").pop()}`,
        kind: targetArn.split(":")[4] === callerArn.split(":")[4] ? "role → role (same account)" : "role → role (cross-account)",
        from: plan.role(callerArn) ? plan.label(callerArn) : `Role ${callerArn}`,
        to: plan.role(targetArn) ? plan.label(targetArn) : `Role ${targetArn}`,
        requests: [call(callerArn)],
        strangers: [
            { ...call(inAccount(callerArn, STRANGER_ACCOUNT)), stranger: "the same role name in another account" },
            { ...call(otherRole), stranger: "another role of the caller's account" },
        ],
        source: SOURCE,
        ...(unproven?.length ? { unproven } : {}),
    };
}

/**
 * The (administration role, execution role) pairs multi-account Automation runs the program
 * starts will assume: each AutomationAssumeRole × each account of its TargetLocations ×
 * ExecutionRoleName (Systems Manager API reference, StartAutomationExecution, TargetLocation).
 * Organizational units cannot be resolved to accounts offline and are left out.
 */
function targetLocationPairs(plan: WiringPlan): [string, string][] {
    const pairs: [string, string][] = [];
    for (const schedule of plan.ofType("aws:scheduler/schedule:Schedule")) {
        const target = schedule.inputs.target as { arn?: string; input?: string } | undefined;
        if (!/:aws-sdk:ssm:startAutomationExecution$/.test(target?.arn ?? "")) continue;
        let input: { Parameters?: { AutomationAssumeRole?: string[] }; TargetLocations?: { Accounts?: string[]; ExecutionRoleName?: string }[] };
        try {
            input = JSON.parse(target!.input ?? "{}");
        } catch {
            continue;
        }
        for (const admin of input.Parameters?.AutomationAssumeRole ?? []) {
            for (const location of input.TargetLocations ?? []) {
                const roleName = location.ExecutionRoleName ?? "AWS-SystemsManager-AutomationExecutionRole";
                for (const account of (location.Accounts ?? []).filter((a) => /^\d{12}$/.test(a))) pairs.push([admin, `arn:${plan.partition}:iam::${account}:role/${roleName}`]);
            }
        }
    }
    return pairs;
}

export function roleChainEdges(plan: WiringPlan): WiringEdge[] {
    const edges = new Map<string, WiringEdge>();
    const add = (e: WiringEdge) => edges.set(e.id, e);
    // Roles of the plan granted sts:AssumeRole on a named role, and the execution roles multi-account runs assume.
    const pairs: [string, string][] = [...targetLocationPairs(plan)];
    for (const role of plan.ofType("aws:iam/role:Role")) {
        for (const { policy } of plan.identityPolicies(role)) {
            for (const s of statements(policy)) {
                if (s.Effect !== "Allow" || !list(s.Action).includes("sts:AssumeRole")) continue;
                for (const targetArn of list(s.Resource).filter((r) => /^arn:[^:]+:iam::\d{12}:role\/[^*]+$/.test(r))) pairs.push([plan.arnOf(role)!, targetArn]);
            }
        }
    }
    for (const [callerArn, targetArn] of pairs) {
        const caller = plan.role(callerArn);
        if (!caller) continue;
        const target = plan.role(targetArn);
        const trust = target ? plan.trustPolicy(target) : stackSetTrust(plan, targetArn);
        if (trust) add(edge(plan, callerArn, targetArn, trust, plan.identityPolicies(caller)));
    }
    // Roles of the plan that trust a role outside it (a member stack: the administration role is in the management account).
    for (const role of plan.ofType("aws:iam/role:Role")) {
        const targetArn = plan.arnOf(role)!;
        const trust = plan.trustPolicy(role);
        if (!trust) continue;
        for (const s of statements(trust)) {
            for (const callerArn of list(s.Principal?.AWS).filter((p) => /^arn:[^:]+:iam::\d{12}:role\//.test(p) && !plan.role(p))) {
                const assumed = [{ name: `assumed: ${callerArn.split("/").pop()}'s own policy (not in this plan)`, policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: targetArn }] } }];
                add(edge(plan, callerArn, targetArn, trust, assumed, [`${callerArn} is not in this plan: its identity policy is assumed to allow sts:AssumeRole on ${targetArn}; the trust policy is proven`]));
            }
        }
    }
    return [...edges.values()];
}
