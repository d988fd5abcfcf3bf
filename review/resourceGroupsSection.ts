/**
 * Review section: the resource groups maintenance-window targets and orchestrators patch — the
 * ones the stack creates (`patching:resourceGroups`, with the exact query each registered group
 * sends) and the ones they name that must already exist.
 */
import type { ReviewSection, SectionInput } from "./sections";
import { tagQuery } from "./summaries/multiAccount";

const GROUP_TYPE = "aws:resourcegroups/group:Group";
const PARENT_TYPE = "patching:resourcegroups:PatchTargetGroups";

/** Who targets each group by name: `maintenance window w target t` / `orchestrator o`. */
function groupUsers(input: SectionInput): Map<string, string[]> {
    const users = new Map<string, string[]>();
    const add = (group: string, who: string) => users.set(group, [...(users.get(group) ?? []), who]);
    for (const w of input.config.maintenanceWindows) {
        for (const t of w.targets) if (t.resourceGroup) add(t.resourceGroup.name, `maintenance window ${w.name} target ${t.name}${t.resourceGroup.resourceTypes ? ` (${t.resourceGroup.resourceTypes.join(", ")} only)` : ""}`);
    }
    for (const o of input.config.patchOrchestrators) if (o.targets.resourceGroup) add(o.targets.resourceGroup, `orchestrator ${o.name} (EC2 instances, running and stopped)`);
    return users;
}

export function resourceGroupsSection(input: SectionInput): ReviewSection | undefined {
    const users = groupUsers(input);
    const parents = new Set(input.resources.filter((r) => r.type === PARENT_TYPE).map((r) => r.urn));
    const created = input.resources.filter((r) => r.type === GROUP_TYPE && r.parent !== undefined && parents.has(r.parent));
    if (created.length === 0 && users.size === 0) return undefined;
    const lines: string[] = [];
    const createdNames = new Set<string>();
    for (const g of created) {
        const name = String(g.inputs.name);
        createdNames.add(name);
        const q = g.inputs.resourceQuery as { type?: string; query?: string } | undefined;
        lines.push(`${name}: created in ${input.config.region}${g.inputs.description ? ` — ${g.inputs.description}` : ""}`);
        lines.push(`  ${q?.type} ${tagQuery(q?.query ?? "{}")}`);
        lines.push(`  query ${q?.query}`);
        const who = users.get(name) ?? [];
        lines.push(who.length > 0 ? `  used by ${who.join("; ")}` : "  used by no target of this stack");
    }
    for (const [name, who] of users) {
        if (createdNames.has(name)) continue;
        lines.push(`${name}: must already exist in ${input.config.region} (not in patching:resourceGroups); used by ${who.join("; ")}`);
    }
    return { title: "Resource groups: created and referenced", lines };
}
