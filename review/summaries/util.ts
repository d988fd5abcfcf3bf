/** Helpers shared by the per-area summarisers. */
export type Inputs = Record<string, any>;
export type Summarisers = Record<string, (inputs: Inputs) => string[]>;

/** `KEY=v1,v2 KEY2=v3` for a provider-style filter list. */
export function filters(list: Inputs[] | undefined): string {
    return (list ?? []).map((f) => `${f.key}=${(f.values ?? []).join(",")}`).join(" ");
}

/** The resource name behind a mock id (`<name>-id`) or a URN. */
export function refName(urnOrId: unknown): string {
    return typeof urnOrId === "string" ? urnOrId.split("::").pop()!.replace(/-id$/, "") : String(urnOrId);
}
