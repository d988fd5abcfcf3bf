/** Policies over the whole stack: coverage that no single resource can show. */
import { StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "./util";

export interface PatchGroupCoverageConfig {
    /** Operating systems every patch group must have a baseline for; empty = every OS the stack has a baseline for. */
    operatingSystems: string[];
}

export const patchGroupBaselinePerOs: StackValidationPolicy = {
    name: "patch-group-baseline-per-os",
    description:
        "Every patch group has a baseline for each operating system the stack patches; otherwise nodes of a missing OS in that group silently fall back to the default baseline.",
    severity: "high",
    enforcementLevel: "mandatory",
    configSchema: { properties: { operatingSystems: { type: "array", items: { type: "string" }, default: [] } } },
    validateStack: (args, report) => {
        const cfg = configOf<PatchGroupCoverageConfig>(args, { operatingSystems: [] });
        const baselines = args.resources.filter((r) => r.type === "aws:ssm/patchBaseline:PatchBaseline");
        const byUrn = new Map(baselines.map((b) => [b.urn, b]));
        const groups = new Map<string, { os: Set<string>; urn: string }>();
        for (const g of args.resources.filter((r) => r.type === "aws:ssm/patchGroup:PatchGroup")) {
            const baseline = (g.propertyDependencies?.baselineId ?? []).map((d) => byUrn.get(d.urn)).find((b) => b);
            if (!baseline || typeof g.props.patchGroup !== "string") continue;
            const entry = groups.get(g.props.patchGroup) ?? { os: new Set<string>(), urn: g.urn };
            entry.os.add(String(baseline.props.operatingSystem));
            groups.set(g.props.patchGroup, entry);
        }
        const required = cfg.operatingSystems.length > 0 ? cfg.operatingSystems : [...new Set(baselines.map((b) => String(b.props.operatingSystem)))];
        for (const [group, { os, urn }] of [...groups.entries()].sort()) {
            const missing = required.filter((o) => !os.has(o)).sort();
            if (missing.length > 0) {
                report(`Patch group "${group}" has no baseline for ${missing.join(", ")}; those nodes would use the default baseline. Fix: add "${group}" to the patchGroups of a baseline for each.`, urn);
            }
        }
    },
};

export const stackPolicies = [patchGroupBaselinePerOs];
