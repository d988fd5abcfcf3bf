import { InstallPath, NodeTerm } from "../../core/installPaths";

/** A patch-policy install path in the home account and Region (us-east-1) with one term or several, scheduled Sundays 02:00 unless told. */
export function path(id: string, term: NodeTerm | NodeTerm[], schedule = "cron(0 2 ? * SUN *)", extra: Partial<InstallPath> = {}): InstallPath {
    return {
        id,
        mechanism: "patchPolicy",
        operation: "Install (RebootIfNeeded)",
        selector: { label: id, terms: Array.isArray(term) ? term : [term] },
        locations: [{ accounts: ["self"], regions: ["us-east-1"] }],
        schedule: { expression: schedule },
        configPath: `test:${id}`,
        ...extra,
    };
}
