import { filters, Inputs, refName, Summarisers } from "./util";

export const baselineSummarisers: Summarisers = {
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
    "aws:ssm/patchGroup:PatchGroup": (i) => [`patch group "${i.patchGroup}" → baseline ${refName(i.baselineId)}`],
    "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": (i) => [`default ${i.operatingSystem} baseline → ${refName(i.baselineId)}`],
};
