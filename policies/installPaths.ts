/**
 * `install-paths-disjoint`: no node is installed (and rebooted) by two mechanisms. The program
 * keeps its install-path model (config/installPaths.ts) in a `pulumi:index:Stash` resource; this
 * policy judges it with core/installPaths.ts — the same analysis the review prints.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { analyzeInstallPaths, describePair, INSTALL_PATHS_STASH, InstallPathModel, STASH_TYPE } from "../core/installPaths";
import { configOf } from "./util";

export interface InstallPathsDisjointConfig {
    /** Also report pairs the config cannot decide (different tag keys, unknown resource groups). @default true */
    reportMayOverlap: boolean;
    /** Months of schedules compared for collisions. @default 12 */
    horizonMonths: number;
}

export const installPathsDisjoint: StackValidationPolicy = {
    name: "install-paths-disjoint",
    description:
        "Every node has one install path: no two install mechanisms (patch policy, gated install, automation schedule, maintenance window, orchestrator) select the same node in the same account and Region, unless patching:installPaths declares them disjoint with a reason.",
    severity: "high",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            reportMayOverlap: { type: "boolean", default: true },
            horizonMonths: { type: "number", minimum: 1, maximum: 36, default: 12 },
        },
    },
    validateStack: (args, report) => {
        const cfg = configOf<InstallPathsDisjointConfig>(args, { reportMayOverlap: true, horizonMonths: 12 });
        const stash = args.resources.find((r) => r.type === STASH_TYPE && r.name === INSTALL_PATHS_STASH);
        const model = stash?.props.input as InstallPathModel | undefined;
        if (!stash || !model || !Array.isArray(model.paths)) return;
        const analysis = analyzeInstallPaths(model, { from: new Date(), months: cfg.horizonMonths });
        for (const pair of analysis.problems) {
            if (pair.verdict === "may-overlap" && !cfg.reportMayOverlap) continue;
            report(
                `Install paths ${describePair(pair, model.settings.minHoursApart)}. A node on two install paths is patched and rebooted twice, by baselines and schedules that drift apart. ` +
                    `Fix: give each mechanism its own fleet (one tag key, e.g. patching:installPaths.fleetKey: PatchFleet, with a different value per path), or declare the pair in patching:installPaths.disjoint with the reason no node matches both.`,
                stash.urn,
            );
        }
    },
};
