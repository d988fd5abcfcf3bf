/**
 * Run settings of the orchestrator: built from validated config for the maintenance window task
 * (the Step Functions input), and read back defensively by the Lambdas, since an operator may also
 * start an execution by hand with different values (e.g. `batchSize: 2` for a careful rerun).
 */
import type { OrchestratorSettings } from "./types";

/** Most child executions a Distributed Map runs at once (Step Functions quotas, "Distributed Map state": MaxConcurrency up to 10,000). */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;

/** Fleet mode defaults (the config model documents them). */
export const DEFAULT_FLEET_SETTINGS = { batchesInFlight: 20, retentionDays: 30 };

/** The defaults the config model documents (tests assert they agree). */
export const DEFAULT_SETTINGS: Omit<OrchestratorSettings, "orchestrator" | "targets" | "maxRuntimeMinutes"> = {
    batchSize: 5,
    priorityInstanceTypes: [],
    waitBetweenBatchesSeconds: 120,
    agentWaitSeconds: 600,
    maxErrors: "20%",
    preflight: {
        enabled: true,
        minFreeGbWindows: 20,
        minFreeGbLinux: 5,
        cleanup: true,
        dismResetBase: false,
        windowsUpdateChecks: true,
        windowsUpdateEndpoints: ["update.microsoft.com", "windowsupdate.microsoft.com"],
        skipOnWindowsUpdateProblems: false,
        timeoutSeconds: 1800,
        volumeExpansion: { enabled: false, incrementGb: 20, maxVolumeSizeGb: 512, untaggedVolumes: false },
    },
    patch: { operation: "Install", rebootOption: "RebootIfNeeded", timeoutSeconds: 7200 },
};

/** The config fields the settings are made of (a structural subset of OrchestratorConfig). */
export interface OrchestratorSettingsSource {
    name: string;
    window: { duration: number };
    targets: { tags?: Record<string, string[]>; resourceGroup?: string };
    batchSize: number;
    priorityInstanceTypes: string[];
    waitBetweenBatchesSeconds: number;
    agentWaitSeconds: number;
    maxErrors: string;
    maxRuntimeMinutes?: number;
    /** `fleet`: the Distributed Map run (batchesInFlight child executions at once). */
    scale?: "standard" | "fleet";
    fleet?: { batchesInFlight: number };
    preflight: OrchestratorSettings["preflight"];
    patch: OrchestratorSettings["patch"];
}

export function settingsFromConfig(cfg: OrchestratorSettingsSource): OrchestratorSettings {
    return {
        orchestrator: cfg.name,
        targets: { tags: cfg.targets.tags ?? {}, ...(cfg.targets.resourceGroup ? { resourceGroup: cfg.targets.resourceGroup } : {}) },
        batchSize: cfg.batchSize,
        priorityInstanceTypes: cfg.priorityInstanceTypes,
        waitBetweenBatchesSeconds: cfg.waitBetweenBatchesSeconds,
        agentWaitSeconds: cfg.agentWaitSeconds,
        maxErrors: cfg.maxErrors,
        maxRuntimeMinutes: cfg.maxRuntimeMinutes ?? cfg.window.duration * 60,
        ...(cfg.scale === "fleet" ? { batchesInFlight: cfg.fleet?.batchesInFlight ?? DEFAULT_FLEET_SETTINGS.batchesInFlight } : {}),
        preflight: cfg.preflight,
        patch: cfg.patch,
    };
}

/**
 * The maintenance window task's Step Functions input. `{{WINDOW_EXECUTION_ID}}` is a maintenance
 * window pseudo parameter, replaced when the task runs, so every run can be traced to its window.
 */
export function orchestratorInput(cfg: OrchestratorSettingsSource): { windowExecutionId: string; settings: OrchestratorSettings } {
    return { windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: settingsFromConfig(cfg) };
}

export class InvalidSettingsError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid orchestrator settings: ${problems.join("; ")}`);
        this.name = "InvalidSettings";
    }
}

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);

/**
 * Reads settings from an execution input, filling defaults and rejecting values the state machine
 * could not run with (a negative wait, a batch larger than SendCommand accepts, …).
 */
export function normaliseSettings(raw: unknown): OrchestratorSettings {
    const problems: string[] = [];
    const s = isRecord(raw) ? raw : {};
    const int = (v: unknown, d: number, min: number, max: number, key: string): number => {
        if (v === undefined) return d;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            problems.push(`${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
            return d;
        }
        return v;
    };
    const bool = (v: unknown, d: boolean, key: string): boolean => {
        if (v === undefined) return d;
        if (typeof v !== "boolean") {
            problems.push(`${key} must be true or false (got ${JSON.stringify(v)})`);
            return d;
        }
        return v;
    };
    const strings = (v: unknown, d: string[], key: string): string[] => {
        if (v === undefined) return d;
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
            problems.push(`${key} must be a list of strings`);
            return d;
        }
        return v as string[];
    };
    if (typeof s.orchestrator !== "string" || s.orchestrator === "") problems.push("orchestrator (name) is required");
    const targets = isRecord(s.targets) ? s.targets : {};
    const tags: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(isRecord(targets.tags) ? targets.tags : {})) tags[k] = strings(v, [], `targets.tags.${k}`);
    const resourceGroup = typeof targets.resourceGroup === "string" && targets.resourceGroup !== "" ? targets.resourceGroup : undefined;
    if (Object.keys(tags).length === 0 && !resourceGroup) problems.push("targets needs tags or resourceGroup");
    const maxErrors = s.maxErrors === undefined ? DEFAULT_SETTINGS.maxErrors : s.maxErrors;
    if (typeof maxErrors !== "string" || !/^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/.test(maxErrors)) {
        problems.push(`maxErrors must be a count or a percentage such as 3 or 20% (got ${JSON.stringify(maxErrors)})`);
    }
    const pf = isRecord(s.preflight) ? s.preflight : {};
    const dpf = DEFAULT_SETTINGS.preflight;
    const ve = isRecord(pf.volumeExpansion) ? pf.volumeExpansion : {};
    const patch = isRecord(s.patch) ? s.patch : {};
    const operation = patch.operation === undefined ? "Install" : patch.operation;
    if (operation !== "Install" && operation !== "Scan") problems.push(`patch.operation must be Install or Scan (got ${JSON.stringify(operation)})`);
    const rebootOption = patch.rebootOption === undefined ? "RebootIfNeeded" : patch.rebootOption;
    if (rebootOption !== "RebootIfNeeded" && rebootOption !== "NoReboot") problems.push(`patch.rebootOption must be RebootIfNeeded or NoReboot (got ${JSON.stringify(rebootOption)})`);

    const settings: OrchestratorSettings = {
        orchestrator: typeof s.orchestrator === "string" ? s.orchestrator : "",
        targets: { tags, ...(resourceGroup ? { resourceGroup } : {}) },
        batchSize: int(s.batchSize, DEFAULT_SETTINGS.batchSize, 1, 50, "batchSize"),
        priorityInstanceTypes: strings(s.priorityInstanceTypes, [], "priorityInstanceTypes"),
        waitBetweenBatchesSeconds: int(s.waitBetweenBatchesSeconds, DEFAULT_SETTINGS.waitBetweenBatchesSeconds, 0, 3600, "waitBetweenBatchesSeconds"),
        agentWaitSeconds: int(s.agentWaitSeconds, DEFAULT_SETTINGS.agentWaitSeconds, 60, 3600, "agentWaitSeconds"),
        maxErrors: typeof maxErrors === "string" ? maxErrors : DEFAULT_SETTINGS.maxErrors,
        maxRuntimeMinutes: int(s.maxRuntimeMinutes, 240, 10, 1440, "maxRuntimeMinutes"),
        ...(s.batchesInFlight !== undefined ? { batchesInFlight: int(s.batchesInFlight, 1, 1, DISTRIBUTED_MAP_MAX_CONCURRENCY, "batchesInFlight") } : {}),
        preflight: {
            enabled: bool(pf.enabled, dpf.enabled, "preflight.enabled"),
            minFreeGbWindows: int(pf.minFreeGbWindows, dpf.minFreeGbWindows, 1, 1024, "preflight.minFreeGbWindows"),
            minFreeGbLinux: int(pf.minFreeGbLinux, dpf.minFreeGbLinux, 1, 1024, "preflight.minFreeGbLinux"),
            cleanup: bool(pf.cleanup, dpf.cleanup, "preflight.cleanup"),
            dismResetBase: bool(pf.dismResetBase, dpf.dismResetBase, "preflight.dismResetBase"),
            windowsUpdateChecks: bool(pf.windowsUpdateChecks, dpf.windowsUpdateChecks, "preflight.windowsUpdateChecks"),
            windowsUpdateEndpoints: strings(pf.windowsUpdateEndpoints, dpf.windowsUpdateEndpoints, "preflight.windowsUpdateEndpoints"),
            skipOnWindowsUpdateProblems: bool(pf.skipOnWindowsUpdateProblems, dpf.skipOnWindowsUpdateProblems, "preflight.skipOnWindowsUpdateProblems"),
            timeoutSeconds: int(pf.timeoutSeconds, dpf.timeoutSeconds, 120, 7200, "preflight.timeoutSeconds"),
            volumeExpansion: {
                enabled: bool(ve.enabled, dpf.volumeExpansion.enabled, "preflight.volumeExpansion.enabled"),
                incrementGb: int(ve.incrementGb, dpf.volumeExpansion.incrementGb, 1, 1024, "preflight.volumeExpansion.incrementGb"),
                maxVolumeSizeGb: int(ve.maxVolumeSizeGb, dpf.volumeExpansion.maxVolumeSizeGb, 8, 16384, "preflight.volumeExpansion.maxVolumeSizeGb"),
                untaggedVolumes: bool(ve.untaggedVolumes, false, "preflight.volumeExpansion.untaggedVolumes"),
            },
        },
        patch: {
            operation: operation === "Scan" ? "Scan" : "Install",
            rebootOption: rebootOption === "NoReboot" ? "NoReboot" : "RebootIfNeeded",
            timeoutSeconds: int(patch.timeoutSeconds, DEFAULT_SETTINGS.patch.timeoutSeconds, 600, 172800, "patch.timeoutSeconds"),
        },
    };
    if (problems.length > 0) throw new InvalidSettingsError(problems);
    return settings;
}
