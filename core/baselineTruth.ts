/**
 * One baseline truth: for every mechanism of a stack that installs (or scans) patches, and every
 * Region it patches, which baseline applies. A path is `pinned` when it cannot fall back to a
 * Region's default baseline: it passes the override store's `BaselineOverride` (the stack's
 * baselines, whatever the Region), it is a Quick Setup policy (Quick Setup's own override file),
 * or it selects the stack's baselines by tag in the Region where they exist. Everything else is
 * reported as the fallback it is. The batch orchestrator is reported by its own component.
 */
import type { PatchingConfig } from "../config";
import { isManagement } from "../config/multiAccount";
import { policyRegions } from "../config/patchPolicies";

export type BaselineSource =
    /** The override store's baseline_overrides.json as BaselineOverride. */
    | "override"
    /** Quick Setup's SelectedPatchBaselines, carried by Quick Setup's own override file. */
    | "quick-setup"
    /** AWS-RunPatchBaselineAssociation BaselineTags selecting the stack's tagged baselines. */
    | "baseline-tags"
    /** The node's patch group or the Region's default baseline (no override). */
    | "region-default"
    /** The same fallback, explicitly accepted (acceptRegionDefaultBaselines). */
    | "region-default-accepted";

export interface BaselinePath {
    /** patch policy, multi-account runbook, maintenance window, gated install, emergency patching. */
    mechanism: string;
    /** The policy / schedule / window task this row is about. */
    name: string;
    operation: string;
    region: string;
    source: BaselineSource;
    /** What a reader sees: which baseline applies there. */
    baseline: string;
    /** True when the path cannot fall back to a Region default. */
    pinned: boolean;
}

const STORE_URL = "the stack's baselines (BaselineOverride baseline_overrides.json)";

/**
 * Whether the multi-account runbook can pass the override store's object: the store must admit
 * the accounts it runs in. A LOCAL store admits this account only, so it is passed only when the
 * runbook runs in this account alone (no target locations: `accountRole: both`); an OU or
 * ENTIRE_ORG store admits the organization (its readers also need the store's principal tag).
 * Passing an object the instances cannot read would fail every command in those accounts.
 */
export function runbookOverrideReaches(cfg: PatchingConfig): boolean {
    const store = cfg.overrideStore;
    if (!store?.enabled || !cfg.multiAccount) return false;
    return store.target.type !== "LOCAL" || cfg.multiAccount.targetLocations.length === 0;
}

function row(mechanism: string, name: string, operation: string, region: string, source: BaselineSource, baseline: string): BaselinePath {
    return { mechanism, name, operation, region, source, baseline, pinned: source !== "region-default" && source !== "region-default-accepted" };
}

/** Every install/scan path of the validated config, one row per Region. */
export function baselinePaths(cfg: PatchingConfig): BaselinePath[] {
    const home = cfg.region;
    const store = cfg.overrideStore?.enabled === true;
    const rows: BaselinePath[] = [];
    const fallback = (region: string) => `patch group or ${region}'s default baseline`;

    for (const p of cfg.patchPolicies) {
        const ops = [p.scan ? "Scan" : undefined, p.install ? "Install" : undefined].filter((o): o is string => o !== undefined);
        for (const region of policyRegions(p, home)) {
            for (const op of ops) {
                if (p.mode === "managed") {
                    rows.push(row("patch policy (Quick Setup)", p.name, op, region, "quick-setup", `SelectedPatchBaselines from ${home}, Quick Setup's override file`));
                } else if (p.document === "AWS-RunPatchBaselineAssociation") {
                    rows.push(
                        p.baselineTags && region === home
                            ? row("patch policy", p.name, op, region, "baseline-tags", `the stack's baselines tagged ${p.baselineTags.key}=${p.baselineTags.values.join("|")}`)
                            : row("patch policy", p.name, op, region, "region-default", fallback(region)),
                    );
                } else if (p.useBaselineOverride) {
                    rows.push(row("patch policy", p.name, op, region, "override", STORE_URL));
                } else {
                    rows.push(row("patch policy", p.name, op, region, p.acceptRegionDefaultBaselines ? "region-default-accepted" : "region-default", fallback(region)));
                }
            }
        }
    }

    const m = cfg.multiAccount;
    if (m && isManagement(m.accountRole)) {
        const regions = [...new Set(m.targetLocations.length > 0 ? m.targetLocations.flatMap((l) => l.regions) : (m.memberRegions ?? [home]))];
        const reaches = runbookOverrideReaches(cfg);
        const why = store ? " (the override store admits this account only: set overrideStore.target to OU or ENTIRE_ORG)" : " (no override store)";
        for (const s of m.schedules) {
            for (const region of regions) {
                rows.push(row("multi-account runbook", s.name, s.operation, region, reaches ? "override" : "region-default", reaches ? STORE_URL : `${fallback(region)} in each target account${why}`));
            }
        }
    }

    for (const w of cfg.maintenanceWindows) {
        for (const t of w.tasks) {
            const rc = t.type === "RUN_COMMAND" ? t.runCommand : undefined;
            if (!rc?.operation) continue;
            const own = rc.parameters.BaselineOverride;
            const source: BaselineSource = own !== undefined || store ? "override" : "region-default";
            rows.push(row("maintenance window", `${w.name}/${t.name}`, rc.operation, home, source, own ? `BaselineOverride ${own.join(",")}` : store ? STORE_URL : fallback(home)));
        }
    }

    if (cfg.changeSafety?.gatedInstall) {
        rows.push(row("gated install", "gatedInstall", "Install", home, store ? "override" : "region-default", store ? STORE_URL : fallback(home)));
    }
    if (cfg.changeSafety) {
        rows.push(
            row(
                "emergency patching",
                "npm run emergency",
                "Install",
                "every Region given",
                store ? "override" : "region-default",
                store ? "the stack's baselines: pass --baseline-override <stack output baselineOverrides.s3Url>" : "each Region's default baseline (no override store)",
            ),
        );
    }
    return rows;
}
