/**
 * Lambda asynchronous invocation destination → SNS. Lambda sends the record with the function's
 * execution role (Lambda developer guide, "Capturing records of Lambda asynchronous invocations":
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html — the role
 * needs sns:Publish on the topic, and the key of an encrypted topic).
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { inAccount, publishRequests, roleCall, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html";

export function lambdaDestinationEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const config of plan.ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")) {
        const fn = plan.ofType("aws:lambda/function:Function").find((f) => (f.inputs.name ?? f.name) === config.inputs.functionName);
        const roleArn = fn?.inputs.role as string | undefined;
        const destinations = config.inputs.destinationConfig as { onFailure?: { destination?: string }; onSuccess?: { destination?: string } } | undefined;
        for (const [when, d] of Object.entries(destinations ?? {})) {
            const topicArn = d?.destination;
            if (!fn || !roleArn || !topicArn || topicArn.split(":")[2] !== "sns") continue;
            const unproven: string[] = [];
            const as = (role: string) => (action: string, resource: string, context: Record<string, string>, resourcePolicy: unknown) =>
                roleCall(plan, role, action, resource, { context, resourcePolicy: resourcePolicy as never });
            const stranger = inAccount(roleArn, STRANGER_ACCOUNT);
            edges.push({
                id: `destination:${fn.inputs.name ?? fn.name}:${when}`,
                kind: "Lambda destination → SNS",
                from: `Function ${fn.inputs.name ?? fn.name} (${when})`,
                to: plan.label(topicArn),
                requests: publishRequests(plan, topicArn, as(roleArn), unproven, "role"),
                strangers: [{ ...roleCall(plan, stranger, "sns:Publish", topicArn, { resourcePolicy: plan.topicPolicy(topicArn) }), stranger: "a role of another account" }],
                source: SOURCE,
                ...(unproven.length ? { unproven } : {}),
            });
        }
    }
    return edges;
}
