/**
 * Runs the CrossGuard policy pack (the same policy objects `policies/index.ts` hands to the Pulumi
 * CLI) against a plan recorded by the mock engine: builds the arguments the analyzer would build,
 * applies the policy configuration, and collects violations.
 */
import * as fs from "fs";
import type {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyPackConfig,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { ALL_POLICIES } from "../policies/all";
import type { PlanResource } from "./engine";

export interface PolicyResult {
    policy: string;
    enforcementLevel: EnforcementLevel;
    severity: string;
    /** URN of the violating resource; absent for a stack-wide violation. */
    urn?: string;
    message: string;
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** Reads a policy configuration file (`pulumi preview --policy-pack-config` format). */
export function readPolicyConfig(file: string): PolicyPackConfig {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${file}: a policy configuration is a JSON object keyed by policy name`);
    const known = new Set(["all", ...ALL_POLICIES.map((p) => p.name)]);
    const unknown = Object.keys(parsed).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new Error(`${file}: unknown policy name(s) ${unknown.join(", ")}; known: ${[...known].join(", ")}`);
    return parsed as PolicyPackConfig;
}

/** The enforcement level of `policy` under `config` (per-policy setting, then `all`, then the policy's own). */
export function enforcementOf(policy: Policy, config: PolicyPackConfig): EnforcementLevel {
    const c = config[policy.name] as unknown;
    if (typeof c === "string") return c as EnforcementLevel;
    if (c && typeof c === "object" && "enforcementLevel" in c && (c as { enforcementLevel?: EnforcementLevel }).enforcementLevel) {
        return (c as { enforcementLevel: EnforcementLevel }).enforcementLevel;
    }
    const all = (config as Record<string, unknown>).all;
    if (typeof all === "string") return all as EnforcementLevel;
    return policy.enforcementLevel ?? "advisory";
}

/** The policy's configuration properties: schema defaults, then the file's values. */
export function propertiesOf(policy: Policy, config: PolicyPackConfig): Record<string, unknown> {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
            .map(([k, schema]) => [k, (schema as { default?: unknown }).default]),
    );
    const c = config[policy.name] as unknown;
    const given = c && typeof c === "object" ? { ...(c as Record<string, unknown>) } : {};
    delete given.enforcementLevel;
    return { ...defaults, ...given };
}

/** `isType` / `asType` as the analyzer provides them: by the class's Pulumi type token. */
function typeHelpers(type: string, props: Record<string, unknown>) {
    return {
        isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
        asType: (cls: { __pulumiType?: string }) => (cls.__pulumiType === type ? props : undefined),
    };
}

/** PolicyResources for a stack validation, with parents and dependencies resolved. */
export function toPolicyResources(plan: PlanResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out = plan.map((r) => {
        const pr = {
            type: r.type,
            props: r.inputs,
            urn: r.urn,
            name: r.name,
            opts: { protect: !!r.options.protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: r.parent },
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
            ...typeHelpers(r.type, r.inputs),
        } as unknown as PolicyResource;
        byUrn.set(r.urn, pr);
        return pr;
    });
    plan.forEach((r, i) => {
        const pr = out[i] as { parent?: PolicyResource; dependencies: PolicyResource[]; propertyDependencies: Record<string, PolicyResource[]> };
        if (r.parent) pr.parent = byUrn.get(r.parent);
        pr.dependencies = (r.options.dependsOn ?? []).map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            pr.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
        }
    });
    return out;
}

/** Runs `policies` over a plan under `config`; violations sorted mandatory first, then by severity. */
export async function runPolicies(plan: PlanResource[], config: PolicyPackConfig = {}, policies: Policies = ALL_POLICIES, stackTags = new Map<string, string>()): Promise<PolicyResult[]> {
    const results: PolicyResult[] = [];
    const resources = toPolicyResources(plan);
    for (const policy of policies) {
        const enforcementLevel = enforcementOf(policy, config);
        if (enforcementLevel === "disabled") continue;
        const properties = propertiesOf(policy, config);
        const severity = policy.severity ?? "medium";
        const push = (message: string, urn?: string) => results.push({ policy: policy.name, enforcementLevel: enforcementLevel === "remediate" ? "mandatory" : enforcementLevel, severity, urn, message });
        const getConfig = <T extends object>() => properties as T;
        const validateResource = (policy as ResourceValidationPolicy).validateResource;
        if (validateResource) {
            const validations = Array.isArray(validateResource) ? validateResource : [validateResource];
            for (const r of plan.filter((x) => x.custom)) {
                const args: ResourceValidationArgs = {
                    type: r.type,
                    props: r.inputs,
                    urn: r.urn,
                    name: r.name,
                    opts: resources.find((x) => x.urn === r.urn)!.opts,
                    stackTags,
                    ...typeHelpers(r.type, r.inputs),
                    getConfig,
                    notApplicable,
                } as ResourceValidationArgs;
                for (const v of validations) {
                    try {
                        await v(args, (message) => push(message, r.urn));
                    } catch (err) {
                        if (!(err instanceof NotApplicable)) throw err;
                    }
                }
            }
        }
        if ((policy as StackValidationPolicy).validateStack) {
            try {
                await (policy as StackValidationPolicy).validateStack({ resources, stackTags, getConfig, notApplicable }, (message, urn) => push(message, urn));
            } catch (err) {
                if (!(err instanceof NotApplicable)) throw err;
            }
        }
    }
    const levelRank = (l: string) => (l === "mandatory" ? 0 : 1);
    const sevRank = (s: string) => ["critical", "high", "medium", "low"].indexOf(s);
    return results.sort((a, b) => levelRank(a.enforcementLevel) - levelRank(b.enforcementLevel) || sevRank(a.severity) - sevRank(b.severity) || a.policy.localeCompare(b.policy));
}

export type { ResourceValidationPolicy };
