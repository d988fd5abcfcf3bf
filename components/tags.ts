import type { PatchingConfig } from "../config";

/** Tags every taggable resource of the stack carries: standard keys plus the stack's own tags. */
export function stackTags(cfg: Pick<PatchingConfig, "project" | "stack" | "environment" | "tags">): Record<string, string> {
    return {
        ...cfg.tags,
        Project: cfg.project,
        Environment: cfg.environment,
        Stack: cfg.stack,
        ManagedBy: "pulumi",
    };
}
