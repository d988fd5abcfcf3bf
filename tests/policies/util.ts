/**
 * Policy test helpers in the spirit of awsguard's tests/util.ts: build resources by type and
 * props, run one policy through the same runner the offline review uses, collect violations.
 */
import type { Policy, PolicyPackConfig } from "@pulumi/policy";
import type { PlanResource } from "../../review/engine";
import { PolicyResult, runPolicies } from "../../review/policies";

/** A custom resource of `type` named `name` with these inputs; `deps` maps an input to resources it came from. */
export function res(type: string, name: string, inputs: Record<string, unknown>, deps: Record<string, PlanResource[]> = {}): PlanResource {
    return {
        urn: `urn:pulumi:test::patching::${type}::${name}`,
        type,
        name,
        custom: true,
        inputs,
        options: {},
        propertyDependencies: Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.map((r) => r.urn)])),
    };
}

/** Runs one policy (with optional config for it) and returns its violations. */
export async function check(policy: Policy, resources: PlanResource[], config?: Record<string, unknown> | string): Promise<PolicyResult[]> {
    const packConfig: PolicyPackConfig = config === undefined ? {} : ({ [policy.name]: config } as PolicyPackConfig);
    return runPolicies(resources, packConfig, [policy]);
}

export async function messages(policy: Policy, resources: PlanResource[], config?: Record<string, unknown> | string): Promise<string[]> {
    return (await check(policy, resources, config)).map((r) => r.message);
}
