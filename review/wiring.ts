/**
 * The wiring proof: every call one AWS principal makes to another resource at run time, derived
 * from the plan (review/wiringEdges/*), rebuilt as the request AWS evaluates (principal, action,
 * resource, the request context the calling service documents) and decided by a real IAM policy
 * engine (review/iamEngine.ts) over the trust, identity, resource and key policies together.
 * Each edge must be allowed; each edge's stranger (another account, a schedule of another group,
 * a plain-HTTP request, …) must be denied.
 */
import type { MockEnvironment, PlanResource } from "./engine";
import { decide, EngineDecision, EngineRequest } from "./iamEngine";
import { WiringPlan } from "./wiringPlan";
import { EDGE_DERIVERS } from "./wiringEdges";

/** One request of an edge (an edge may need several: assume the role, then call; publish, then encrypt). */
export interface EdgeRequest {
    /** What this request is, e.g. "assume prod-x-scheduler". */
    step: string;
    request: EngineRequest;
}

/** One run-time call from a principal to a resource. */
export interface WiringEdge {
    /** Stable id, e.g. `scheduler:prod-gate-check`. */
    id: string;
    kind: string;
    /** Who calls (a label of the calling resource). */
    from: string;
    /** What is called. */
    to: string;
    /** Every request the call needs, in order: all must be allowed. */
    requests: EdgeRequest[];
    /** Requests from strangers that must be denied (each names who the stranger is). */
    strangers: (EdgeRequest & { stranger: string })[];
    /** The AWS page documenting the calling service's request context. */
    source: string;
    /** What could not be proven offline (e.g. a key outside the plan). */
    unproven?: string[];
    /** Requirements of the called service outside IAM that the plan breaks (each breaks the edge). */
    contract?: string[];
}

export interface EdgeVerdict {
    edge: WiringEdge;
    ok: boolean;
    /** Why not: the request (or stranger) that failed, with the engine's deciding statements. */
    problems: string[];
}

export interface WiringReport {
    verdicts: EdgeVerdict[];
    proven: number;
    broken: number;
}

/** Derives every edge of a plan. */
export function deriveEdges(resources: PlanResource[], env: MockEnvironment): WiringEdge[] {
    const plan = new WiringPlan(resources, env);
    return EDGE_DERIVERS.flatMap((d) => d(plan));
}

/**
 * AWS-owned SSM documents have no account in their ARN (`arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline`),
 * but the engine's resource-type data (`arn:${Partition}:ssm:${Region}:${Account}:document/…`)
 * requires one and refuses the request. The empty account is renamed to `aws`, in the request and
 * every policy alike, so the same ARNs and patterns still match each other and nothing else
 * (no 12-digit account equals `aws`; `*` still matches it).
 */
const OWNERLESS_DOCUMENT = /(arn:[^:"]+:ssm:[^:"]*)::(document|automation-definition)\//g;
function withOwner(r: EngineRequest): EngineRequest {
    const text = JSON.stringify(r);
    const owned = text.replace(OWNERLESS_DOCUMENT, "$1:aws:$2/");
    return owned === text ? r : (JSON.parse(owned) as EngineRequest);
}
const decideOwned = (r: EngineRequest) => decide(withOwner(r));

const show = (d: EngineDecision) => `${d.result}${d.deciding.length ? ` (${d.deciding.join("; ")})` : ""}`;

async function verdict(edge: WiringEdge): Promise<EdgeVerdict> {
    const problems: string[] = [...(edge.contract ?? [])];
    for (const r of edge.requests) {
        const d = await decideOwned(r.request);
        if (!d.allowed) problems.push(`${r.step}: ${r.request.principal} ${r.request.action} on ${r.request.resource} is ${show(d)}`);
    }
    for (const s of edge.strangers) {
        const d = await decideOwned(s.request);
        if (d.allowed || d.result === "Error") problems.push(`stranger (${s.stranger}) ${s.step}: ${s.request.action} on ${s.request.resource} is ${show(d)}, must be denied`);
    }
    return { edge, ok: problems.length === 0, problems };
}

/** Evaluates every edge of the plan once. */
export async function proveWiring(resources: PlanResource[], env: MockEnvironment): Promise<WiringReport> {
    const verdicts: EdgeVerdict[] = [];
    for (const edge of deriveEdges(resources, env)) verdicts.push(await verdict(edge));
    const broken = verdicts.filter((v) => !v.ok).length;
    return { verdicts, proven: verdicts.length - broken, broken };
}
