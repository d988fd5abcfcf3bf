/**
 * Cross-account fleet coordinator → a location's fleet run, as the location role
 * (`patchOrchestrators[].crossAccount`; core/orchestrator/crossAccount.ts). The coordinator's
 * `<name>-locations` Lambda assumes the location role (proven by the role → role edge, strangers
 * included) and then, as that role, calls states:StartExecution on the location's `<name>-run`
 * and states:DescribeExecution on its executions (Step Functions developer guide, "IAM policies
 * for starting new executions": https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html).
 * A location role is found by its trust: a principal role named `<name>-locations` with the
 * `<name>-run` state machine in the plan. Strangers: the same role stopping the run (it must not
 * be able to interrupt a location before its restore), starting another state machine of the
 * account, and starting the run in another Region.
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { roleCall } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html";
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function locationRunEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const role of plan.ofType("aws:iam/role:Role")) {
        const trust = plan.trustPolicy(role);
        const roleArn = plan.arnOf(role)!;
        const statements = trust ? ((Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement]) as { Principal?: { AWS?: unknown } }[]) : [];
        const coordinators = statements.flatMap((s) => list(s.Principal?.AWS)).filter((p) => /^arn:[^:]+:iam::\d{12}:role\/.+-locations$/.test(p));
        for (const coordinator of coordinators) {
            const orchestrator = coordinator.split("/").pop()!.replace(/-locations$/, "");
            const machine = plan.ofType("aws:sfn/stateMachine:StateMachine").find((m) => String(m.inputs.name ?? m.name) === `${orchestrator}-run`);
            if (!machine) continue;
            const runArn = plan.arnOf(machine)!;
            const execution = `${runArn.replace(":stateMachine:", ":execution:")}:coordinator-run-${plan.account}-${plan.region}`;
            const otherRegion = plan.region === "us-west-2" ? "eu-west-1" : "us-west-2";
            edges.push({
                id: `location:${role.name}->${orchestrator}-run`,
                kind: "coordinator → location run (as the location role)",
                from: `Role ${roleArn} (assumed by ${coordinator})`,
                to: plan.label(runArn),
                requests: [roleCall(plan, roleArn, "states:StartExecution", runArn), roleCall(plan, roleArn, "states:DescribeExecution", execution)],
                strangers: [
                    { ...roleCall(plan, roleArn, "states:StopExecution", execution), stranger: "the location role stopping the run (before its restore)" },
                    { ...roleCall(plan, roleArn, "states:StartExecution", runArn.replace(/:stateMachine:.*$/, `:stateMachine:${orchestrator}-other`)), stranger: "another state machine of the account" },
                    { ...roleCall(plan, roleArn, "states:StartExecution", runArn.replace(`:states:${plan.region}:`, `:states:${otherRegion}:`)), stranger: "the run in another Region" },
                ],
                source: SOURCE,
            });
        }
    }
    return edges;
}
