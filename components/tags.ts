import type { PatchingConfig } from "../config";
import { mergeTags, stackTagSet } from "../config/resourceTags";

export { mergeTags };

/** Tags every taggable resource of the stack carries: standard keys plus the stack's own tags (config/resourceTags.ts, the set the config check counts). */
export function stackTags(cfg: Pick<PatchingConfig, "project" | "stack" | "environment" | "tags">): Record<string, string> {
    return stackTagSet(cfg);
}
