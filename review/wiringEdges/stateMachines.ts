/**
 * Step Functions state machine → what its Task states call, as the state machine's role. Step
 * Functions assumes the role as `states.amazonaws.com` with `aws:SourceArn` = the state machine's
 * ARN and `aws:SourceAccount` (Step Functions developer guide, "Cross-service confused deputy
 * prevention": https://docs.aws.amazon.com/step-functions/latest/dg/cross-service-confused-deputy-prevention.html),
 * then: lambda:InvokeFunction on each Task's function (developer guide, "Invoke an AWS Lambda
 * function with Step Functions": https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html);
 * for a child execution states:StartExecution on the child state machine, and for `.sync`
 * states:DescribeExecution / StopExecution on its executions plus events:PutTargets / PutRule /
 * DescribeRule on the managed rule (developer guide, "IAM policies for starting new executions":
 * https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html).
 */
import type { EdgeRequest, WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { assumeRequest, inAccount, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/step-functions/latest/dg/cross-service-confused-deputy-prevention.html";

interface TaskState {
    Type?: string;
    Resource?: string;
    Parameters?: Record<string, unknown>;
    Arguments?: Record<string, unknown>;
    Branches?: { States: Record<string, TaskState> }[];
    ItemProcessor?: { States: Record<string, TaskState> };
    Iterator?: { States: Record<string, TaskState> };
}

/** Every Task state of a definition, nested ones (Parallel branches, Map processors) included. */
function tasks(states: Record<string, TaskState>): TaskState[] {
    return Object.values(states).flatMap((s) => [
        ...(s.Type === "Task" ? [s] : []),
        ...(s.Branches ?? []).flatMap((b) => tasks(b.States)),
        ...[s.ItemProcessor, s.Iterator].flatMap((p) => (p ? tasks(p.States) : [])),
    ]);
}

/** What one Task calls: a target label and the requests its role must be allowed. */
function taskCalls(plan: WiringPlan, roleArn: string, task: TaskState): { target: string; calls: EdgeRequest[] } | undefined {
    const resource = task.Resource ?? "";
    const args = task.Parameters ?? task.Arguments ?? {};
    const fn = /^arn:[^:]+:lambda:/.test(resource) ? resource : /^arn:[^:]+:states:::lambda:invoke/.test(resource) ? (args.FunctionName as string | undefined) : undefined;
    if (fn !== undefined) {
        if (typeof fn !== "string" || fn.includes("$")) return undefined; // chosen at run time
        const arn = fn.startsWith("arn:") ? fn : `arn:${plan.partition}:lambda:${plan.region}:${plan.account}:function:${fn}`;
        return { target: arn, calls: [roleCall(plan, roleArn, "lambda:InvokeFunction", arn)] };
    }
    const child = /^arn:[^:]+:states:::states:startExecution(\.sync(:2)?|\.waitForTaskToken)?$/.exec(resource);
    if (child) {
        const sm = args.StateMachineArn as string | undefined;
        if (typeof sm !== "string") return undefined;
        const calls = [roleCall(plan, roleArn, "states:StartExecution", sm)];
        if (child[1]?.startsWith(".sync")) {
            const execution = `${sm.replace(":stateMachine:", ":execution:")}:wiring-execution`;
            const rule = `arn:${plan.partition}:events:${plan.region}:${plan.account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
            calls.push(
                roleCall(plan, roleArn, "states:DescribeExecution", execution),
                roleCall(plan, roleArn, "states:StopExecution", execution),
                ...["events:PutTargets", "events:PutRule", "events:DescribeRule"].map((a) => roleCall(plan, roleArn, a, rule)),
            );
        }
        return { target: sm, calls };
    }
    return undefined;
}

export function stateMachineEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const sm of plan.ofType("aws:sfn/stateMachine:StateMachine")) {
        const smArn = plan.arnOf(sm)!;
        const roleArn = String(sm.inputs.roleArn);
        let definition: { States?: Record<string, TaskState> };
        try {
            definition = JSON.parse(String(sm.inputs.definition));
        } catch {
            continue; // not JSON: the state machine checks report it
        }
        const byTarget = new Map<string, EdgeRequest[]>();
        for (const t of tasks(definition.States ?? {})) {
            const found = taskCalls(plan, roleArn, t);
            if (!found) continue;
            const known = byTarget.get(found.target) ?? [];
            for (const c of found.calls) if (!known.some((k) => k.request.action === c.request.action && k.request.resource === c.request.resource)) known.push(c);
            byTarget.set(found.target, known);
        }
        const name = String(sm.inputs.name ?? sm.name);
        const assume = (context: Record<string, string>) => assumeRequest(plan, roleArn, "states.amazonaws.com", context);
        const otherMachine = smArn.replace(/:stateMachine:.*$/, `:stateMachine:${name}-other`);
        for (const [target, calls] of byTarget) {
            edges.push({
                id: `sfn:${name}->${target.split(":").slice(5).join(":")}`,
                kind: target.split(":")[2] === "lambda" ? "Step Functions → Lambda" : "Step Functions → child execution",
                from: `StateMachine ${name}`,
                to: plan.label(target),
                requests: [assume({ "aws:SourceAccount": plan.account, "aws:SourceArn": smArn }), ...calls],
                strangers: [
                    { ...assume({ "aws:SourceAccount": plan.account, "aws:SourceArn": otherMachine }), stranger: "another state machine of the account" },
                    { ...assume({ "aws:SourceAccount": STRANGER_ACCOUNT, "aws:SourceArn": inAccount(smArn, STRANGER_ACCOUNT) }), stranger: "a state machine of another account" },
                ],
                source: SOURCE,
            });
        }
    }
    return edges;
}
