/**
 * State Manager association running an Automation runbook → the role it assumes → what the
 * runbook's steps call as that role. Automation assumes the AutomationAssumeRole as
 * `ssm.amazonaws.com` with `aws:SourceAccount` and `aws:SourceArn` = the execution's ARN
 * (`arn:aws:ssm:<region>:<account>:automation-execution/<id>`) (Systems Manager user guide,
 * "Configure a service role (assume role) access for automations":
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html). The
 * steps of a runbook the program creates are read from its content: aws:runCommand needs
 * ssm:SendCommand on the document and the target instance (with the tags the association
 * targets); aws:executeAwsApi / aws:waitForAwsResourceProperty / aws:assertAwsResourceProperty
 * need `<service>:<Api>` on what they name (Systems Manager Automation actions reference:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html).
 */
import { documentTree } from "../../core/automationDocument";
import type { PlanResource } from "../engine";
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { automationAssume, instanceTarget, roleCall, sendCommandRequests, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html";

interface Step {
    name: string;
    action: string;
    inputs?: Record<string, any>;
}

/** A parameter's first value: aws-native associations give lists, aws classic ones strings. */
const first = (v: unknown): string | undefined => (Array.isArray(v) ? (v[0] as string | undefined) : typeof v === "string" ? v : undefined);

/** The API steps an instance-scoped EC2 action is authorized on besides the instance (IAM service authorization reference, Amazon EC2). */
const EC2_ALSO: Record<string, string[]> = {
    CreateSnapshots: ["volume/vol-0123456789abcdef0", "snapshot/snap-0123456789abcdef0"],
    CreateReplaceRootVolumeTask: ["volume/vol-0123456789abcdef0", "snapshot/snap-0123456789abcdef0"],
};

function stepCalls(plan: WiringPlan, roleArn: string, step: Step, target: ReturnType<typeof instanceTarget>, unproven: string[]): EdgeRequest[] {
    const inputs = step.inputs ?? {};
    if (step.action === "aws:runCommand") {
        const document = String(inputs.DocumentName ?? "");
        if (document.includes("{{")) {
            unproven.push(`step ${step.name} runs a document chosen at run time (${document})`);
            return [];
        }
        return sendCommandRequests(plan, roleArn, document, target);
    }
    if (["aws:executeAwsApi", "aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty"].includes(step.action)) {
        const service = String(inputs.Service).toLowerCase();
        const api = String(inputs.Api);
        const action = `${service}:${api.charAt(0).toUpperCase()}${api.slice(1)}`;
        if (/^(Describe|List|Get)/.test(api)) return [roleCall(plan, roleArn, action, "*")];
        const onInstance = service === "ec2" && (inputs.InstanceId ?? inputs.InstanceIds ?? inputs.InstanceSpecification?.InstanceId) !== undefined;
        if (!onInstance) {
            unproven.push(`step ${step.name} calls ${action} on resources the plan cannot name`);
            return [];
        }
        const ec2 = (path: string) => `arn:${plan.partition}:ec2:${plan.region}:${path.startsWith("snapshot/") ? "" : plan.account}:${path}`;
        const calls = [roleCall(plan, roleArn, action, target.arn, { context: target.context }), ...(EC2_ALSO[api] ?? []).map((p) => roleCall(plan, roleArn, action, ec2(p)))];
        if (inputs.TagSpecifications) {
            const tagged = (EC2_ALSO[api] ?? []).filter((p) => p.startsWith("snapshot/")).map(ec2);
            calls.push(...tagged.map((r) => roleCall(plan, roleArn, "ec2:CreateTags", r, { context: { "ec2:CreateAction": api } })));
        }
        return calls;
    }
    if (step.action === "aws:executeScript") unproven.push(`step ${step.name} runs a script: the calls it makes are not in the plan`);
    return [];
}

function runbook(plan: WiringPlan, name: string): Step[] | undefined {
    const doc = plan.ofType("aws:ssm/document:Document").find((d) => (d.inputs.name ?? d.name) === name);
    if (!doc) return undefined;
    try {
        return ((documentTree(String(doc.inputs.content)) as { mainSteps?: Step[] }).mainSteps ?? []) as Step[];
    } catch {
        return undefined;
    }
}

export function associationEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    const associations: PlanResource[] = [...plan.ofType("aws-native:ssm:Association"), ...plan.ofType("aws:ssm/association:Association")];
    for (const a of associations) {
        const parameters = (a.inputs.parameters ?? {}) as Record<string, unknown>;
        const roleArn = first(parameters.AutomationAssumeRole);
        if (!roleArn || roleArn.includes("{{")) continue; // not an Automation association with a role of its own
        const name = String(a.inputs.associationName ?? a.name);
        const document = String(a.inputs.name);
        const target = instanceTarget(plan, a.inputs.targets as { key: string; values: string[] }[] | undefined);
        const unproven: string[] = [];
        const steps = runbook(plan, document);
        if (!steps) unproven.push(`runbook ${document} is not in the plan (AWS-owned): the calls its steps make are AWS's to document`);
        const calls: EdgeRequest[] = [];
        for (const step of steps ?? []) {
            for (const c of stepCalls(plan, roleArn, step, target, unproven)) {
                if (!calls.some((k) => k.request.action === c.request.action && k.request.resource === c.request.resource)) calls.push(c);
            }
        }
        const assume = (account: string) => automationAssume(plan, roleArn, account);
        edges.push({
            id: `association:${name}`,
            kind: "association → Automation role",
            from: `Association ${name}`,
            to: `${plan.label(roleArn)} (runbook ${document})`,
            requests: [assume(plan.account), ...calls],
            strangers: [{ ...assume(STRANGER_ACCOUNT), stranger: "an automation of another account" }],
            source: SOURCE,
            ...(unproven.length ? { unproven } : {}),
        });
    }
    return edges;
}
