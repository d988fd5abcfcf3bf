import { DEFAULT_SETTINGS } from "../../core/orchestrator/settings";
import type { OrchestratorSettings } from "../../core/orchestrator/types";

/** Orchestrator settings for tests: the documented defaults for a dev fleet, with overrides. */
export function settings(overrides: Partial<OrchestratorSettings> = {}): OrchestratorSettings {
    return { orchestrator: "dev-fleet", targets: { tags: { PatchGroup: ["dev"] } }, ...structuredClone(DEFAULT_SETTINGS), maxRuntimeMinutes: 240, ...overrides };
}
