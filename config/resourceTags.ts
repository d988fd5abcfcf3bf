/**
 * The tags each resource receives, merged in ONE place: the components call {@link mergeTags} and
 * {@link stackTagSet} to tag what they create, and {@link checkMergedTags} (run by parseConfig
 * before anything is registered) merges the same layers from the stack config to check the set
 * each resource receives against AWS's per-resource tag limit, and that no section overrides a
 * tag the program sets.
 *
 * No Pulumi, no SDK: the review validates before loading either.
 */
import { asArray, asRecord, IssueSink } from "./issues";
import { PRINCIPAL_TAG_PREFIX } from "./overrideStore";
import { MAX_TAGS } from "./rules";

/** Tag keys the program sets on every taggable resource; no section's tags may override them. */
export const STANDARD_TAG_KEYS = ["Project", "Environment", "Stack", "ManagedBy"] as const;
/** The tag a patch policy's resources carry with the policy's name (components/patchPolicy.ts). */
export const PATCH_POLICY_TAG_KEY = "PatchPolicy";

/** The standard tags of a stack. */
export function standardTags(project: string, environment: string, stack: string): Record<string, string> {
    return { Project: project, Environment: environment, Stack: stack, ManagedBy: "pulumi" };
}

/**
 * A resource's tags: the stack's, then the section's own, then the ones the program sets for this
 * resource (`fixed`, e.g. PatchPolicy or the override store's principal tag). Later layers win;
 * the config check rejects a section tag that would override a program-set key, so nothing is
 * silently replaced.
 */
export function mergeTags(stack: Record<string, string>, own: Record<string, string> = {}, fixed: Record<string, string> = {}): Record<string, string> {
    return { ...stack, ...own, ...fixed };
}

/** The tags every taggable resource of the stack carries: `patching:tags` under the standard tags. */
export function stackTagSet(cfg: { project: string; stack: string; environment: string; tags: Record<string, string> }): Record<string, string> {
    return mergeTags(cfg.tags, {}, standardTags(cfg.project, cfg.environment, cfg.stack));
}

/**
 * Every `patching:` section whose entries carry their own resource tags, merged over the stack
 * tags by its component, and the keys its component sets on top.
 */
export const TAGGED_SECTIONS: readonly { section: string; fixedKeys: readonly string[]; principalTag: boolean }[] = [
    { section: "baselines", fixedKeys: [], principalTag: false },
    { section: "patchPolicies", fixedKeys: [PATCH_POLICY_TAG_KEY], principalTag: true },
    { section: "maintenanceWindows", fixedKeys: [], principalTag: false },
    { section: "patchOrchestrators", fixedKeys: [], principalTag: true },
];

function keysOf(x: unknown): string[] {
    return Object.keys(asRecord(x));
}

/**
 * Reserved keys and merged tag counts, for the stack tags and every section that accepts tags.
 * Reads raw config so it runs even where other keys failed. Reports the key that pushed a set
 * over the limit: `patching:tags` when the stack tags alone do, else the section's `tags`.
 */
export function checkMergedTags(sink: IssueSink, ns: string, raw: Record<string, unknown>): void {
    const reserved = (key: string, extra: readonly string[]) =>
        (STANDARD_TAG_KEYS as readonly string[]).includes(key) || extra.includes(key) || key.startsWith(PRINCIPAL_TAG_PREFIX);
    const why = (extra: readonly string[]) =>
        `is set by the program; reserved tag keys: ${[...STANDARD_TAG_KEYS, ...extra].join(", ")} and ${PRINCIPAL_TAG_PREFIX}<configId> (the override store's reader tag)`;

    const rootKeys = keysOf(raw.tags);
    for (const key of rootKeys) if (reserved(key, [])) sink.add(`${ns}:tags.${key}`, why([]), key);
    const stackKeys = new Set([...rootKeys, ...STANDARD_TAG_KEYS]);
    // A map of more than MAX_TAGS keys is already reported by the tags schema (config/common.ts).
    if (stackKeys.size > MAX_TAGS && rootKeys.length <= MAX_TAGS) {
        sink.add(
            `${ns}:tags`,
            `every resource receives ${stackKeys.size} tags (${STANDARD_TAG_KEYS.length} standard + ${rootKeys.filter((k) => !reserved(k, [])).length} from ${ns}:tags); AWS allows at most ${MAX_TAGS} tags per resource (IAM, S3, SSM, Lambda, SNS, KMS, Scheduler, Step Functions, CloudWatch)`,
            rootKeys.length,
        );
    }
    const store = asRecord(raw.overrideStore);
    const principal = store.enabled !== false && typeof store.configId === "string" ? `${PRINCIPAL_TAG_PREFIX}${store.configId}` : undefined;

    for (const { section, fixedKeys, principalTag } of TAGGED_SECTIONS) {
        asArray(raw[section]).forEach((entry, i) => {
            const own = asRecord(entry).tags;
            const path = `${ns}:${section}[${i}].tags`;
            const ownKeys = keysOf(own);
            for (const key of ownKeys) if (reserved(key, fixedKeys)) sink.add(`${path}.${key}`, why(fixedKeys), key);
            const fixed = [...fixedKeys, ...(principalTag && principal ? [principal] : [])];
            const merged = new Set([...stackKeys, ...ownKeys, ...fixed]);
            if (merged.size <= MAX_TAGS || stackKeys.size > MAX_TAGS || ownKeys.length > MAX_TAGS) return;
            const added = ownKeys.filter((k) => !stackKeys.has(k) && !fixed.includes(k)).length;
            const byProgram = fixed.length > 0 ? ` + ${fixed.join(", ")} set by the program` : "";
            if (added > 0) {
                sink.add(
                    path,
                    `pushes the tags of this entry's resources to ${merged.size}: ${stackKeys.size} stack tags (standard + ${ns}:tags) + ${added} of its own${byProgram}; AWS allows at most ${MAX_TAGS} tags per resource`,
                    ownKeys.length,
                );
            } else {
                // The entry adds nothing of its own: the stack tags leave no room for the program's tags.
                sink.add(
                    `${ns}:tags`,
                    `the resources of ${ns}:${section}[${i}] receive ${merged.size} tags: ${stackKeys.size} stack tags (standard + ${ns}:tags)${byProgram}; AWS allows at most ${MAX_TAGS} tags per resource`,
                    rootKeys.length,
                );
            }
        });
    }
}
