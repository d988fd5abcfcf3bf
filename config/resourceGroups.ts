/**
 * `patching:resourceGroups`: tag-query resource groups this stack creates in `aws:region` (seed
 * 003's `${AWS::StackName}-PatchTargets`, seed 004's patch group), for the maintenance-window
 * targets and batch orchestrators that name them. A target naming a group listed here uses the
 * created group (and waits for it); a name not listed here is a group that already exists.
 *
 * Each entry has the shape of `patching:multiAccount` resource groups (one schema, one query
 * builder: core/multiAccount.ts `resourceQuery`).
 */
import { z } from "zod";
import { asArray, asRecord, IssueSink } from "./issues";
import { isMember, resourceGroupSchema, resourceQueryLengthProblem } from "./multiAccount";

export const resourceGroupsSchema = z.array(resourceGroupSchema, { error: "must be a list of resource groups" }).default([]);

/** The created groups' resource types by name (raw input, defaults applied). */
export function createdGroupTypes(raw: unknown): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const g of asArray(raw).map(asRecord)) {
        if (typeof g.name === "string" && !out.has(g.name)) out.set(g.name, Array.isArray(g.resourceTypes) ? [...new Set(g.resourceTypes as string[])] : ["AWS::EC2::Instance"]);
    }
    return out;
}

/**
 * Cross-field rules of `patching:resourceGroups`: unique names, the query limit, no clash with the
 * groups `patching:multiAccount` creates in this Region, and targets that can find instances in the
 * created group they name.
 */
export function checkResourceGroups(
    sink: IssueSink,
    path: string,
    raw: unknown,
    others: { region: unknown; multiAccount: unknown; maintenanceWindows: { path: string; raw: unknown }; patchOrchestrators: { path: string; raw: unknown } },
): void {
    const seen = new Map<string, number>();
    const m = asRecord(others.multiAccount);
    const memberRegions = Array.isArray(m.memberRegions) ? m.memberRegions : [others.region];
    const memberHere = typeof m.accountRole === "string" && isMember(m.accountRole as never) && memberRegions.includes(others.region);
    const memberGroups = new Set(asArray(m.resourceGroups).map((g) => asRecord(g).name));
    asArray(raw).forEach((g0, i) => {
        const g = asRecord(g0);
        const at = `${path}[${i}]`;
        if (typeof g.name === "string") {
            if (seen.has(g.name)) sink.add(`${at}.name`, `duplicate resource group name; already used by ${path}[${seen.get(g.name)}] (names are unique per account and Region)`, g.name);
            else seen.set(g.name, i);
            if (memberHere && memberGroups.has(g.name)) {
                sink.add(`${at}.name`, `is also created by patching:multiAccount.resourceGroups in ${String(others.region)}; list it once (the multi-account one serves both)`, g.name);
            }
        }
        const tooLong = resourceQueryLengthProblem(g);
        if (tooLong) sink.add(`${at}.tagFilters`, tooLong);
        const types = asArray(g.resourceTypes);
        types.forEach((t, j) => {
            if (types.indexOf(t) !== j) sink.add(`${at}.resourceTypes[${j}]`, "is listed twice", t);
        });
    });

    const created = createdGroupTypes(raw);
    asArray(others.maintenanceWindows.raw).forEach((w, i) => {
        asArray(asRecord(w).targets).forEach((t, j) => {
            const group = asRecord(asRecord(t).resourceGroup);
            const types = typeof group.name === "string" ? created.get(group.name) : undefined;
            if (!types) return;
            asArray(group.resourceTypes).forEach((filter, k) => {
                if (typeof filter === "string" && !types.includes(filter)) {
                    sink.add(
                        `${others.maintenanceWindows.path}[${i}].targets[${j}].resourceGroup.resourceTypes[${k}]`,
                        `selects nothing: the created group ${String(group.name)} holds only ${types.join(", ")} (${path})`,
                        filter,
                    );
                }
            });
        });
    });
    asArray(others.patchOrchestrators.raw).forEach((o, i) => {
        const name = asRecord(asRecord(o).targets).resourceGroup;
        const types = typeof name === "string" ? created.get(name) : undefined;
        if (types && !types.includes("AWS::EC2::Instance")) {
            sink.add(
                `${others.patchOrchestrators.path}[${i}].targets.resourceGroup`,
                `names the created group ${name}, which holds no AWS::EC2::Instance (only ${types.join(", ")}): the orchestrator starts, stops and patches EC2 instances`,
                name,
            );
        }
    });
}
