/**
 * One-line summaries of a resource's key settings for the human-readable plan, by resource type.
 * Types without a summariser show their scalar inputs. Components add theirs here.
 */
type Inputs = Record<string, any>;

function filters(list: Inputs[] | undefined): string {
    return (list ?? []).map((f) => `${f.key}=${(f.values ?? []).join(",")}`).join(" ");
}

function lastSegment(urnOrId: unknown): string {
    return typeof urnOrId === "string" ? urnOrId.split("::").pop()!.replace(/-id$/, "") : String(urnOrId);
}

export const SUMMARISERS: Record<string, (i: Inputs) => string[]> = {
    "aws:ssm/patchBaseline:PatchBaseline": (i) => [
        `name=${i.name} os=${i.operatingSystem}`,
        ...(i.approvalRules ?? []).map(
            (r: Inputs, n: number) =>
                `rule ${n + 1}: ${filters(r.patchFilters)} → ${
                    r.approveUntilDate ? `until ${r.approveUntilDate}` : r.approveAfterDays !== undefined ? `after ${r.approveAfterDays}d` : "on release"
                }, compliance ${r.complianceLevel}${r.enableNonSecurity ? ", non-security too" : ""}`,
        ),
        ...(i.globalFilters ? [`global filters: ${filters(i.globalFilters)}`] : []),
        ...(i.approvedPatches ? [`approved: ${i.approvedPatches.join(", ")} (${i.approvedPatchesComplianceLevel})`] : []),
        ...(i.rejectedPatches ? [`rejected: ${i.rejectedPatches.join(", ")} (${i.rejectedPatchesAction})`] : [`rejected action ${i.rejectedPatchesAction}`]),
        ...(i.sources ? [`sources: ${i.sources.map((s: Inputs) => s.name).join(", ")}`] : []),
    ],
    "aws:ssm/patchGroup:PatchGroup": (i) => [`patch group "${i.patchGroup}" → baseline ${lastSegment(i.baselineId)}`],
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": (i) => [`default ${i.operatingSystem} baseline → ${lastSegment(i.baselineId)}`],
};

export function summarise(type: string, inputs: Inputs): string[] {
    const s = SUMMARISERS[type];
    if (s) return s(inputs);
    const scalars = Object.entries(inputs)
        .filter(([k, v]) => k !== "tags" && k !== "tagsAll" && v !== null && typeof v !== "object")
        .map(([k, v]) => `${k}=${typeof v === "string" && v.length > 60 ? `${v.slice(0, 57)}...` : v}`);
    return scalars.length > 0 ? [scalars.join(" ")] : [];
}
