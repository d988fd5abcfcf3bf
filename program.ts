/**
 * The program: reads and validates the stack's config, then composes the components. `index.ts`
 * runs it under the Pulumi engine; the offline review and the tests run the very same function
 * under the mock engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PatchingConfig } from "./config";
import { readEngineConfig } from "./config/source";
import { PatchCompliance } from "./components/compliance";
import { MaintenanceWindow, windowArgsFromConfig } from "./components/maintenanceWindow";
import { PatchBaseline } from "./components/patchBaseline";
import { PatchOrchestrator } from "./components/patchOrchestrator";
import { stackTags } from "./components/tags";

/** What the stack exports. */
export interface ProgramOutputs {
    /** Baseline ids by baseline name. */
    baselineIds: pulumi.Output<Record<string, string>>;
    /** Patch group → { operating system → baseline name }. */
    patchGroups: Record<string, Record<string, string>>;
    /** Seeing compliance (when `patching:compliance` is set). */
    compliance?: {
        bucketName?: pulumi.Output<string>;
        syncDestination?: pulumi.Output<string>;
        notificationTopicArn?: pulumi.Output<string>;
        patchingLogGroup: pulumi.Output<string>;
        dashboardName?: pulumi.Output<string>;
    };
    /** Maintenance window ids by window name (configured windows and orchestrator windows). */
    maintenanceWindowIds: pulumi.Output<Record<string, string>>;
    /** Per orchestrator: its run state machine, summary topic, log group and instance profile/policy. */
    patchOrchestrators: pulumi.Output<Record<string, { runStateMachineArn: string; topicArn: string; logGroupName: string; instanceProfileName?: string; instancePolicyArn?: string }>>;
}

/** Composes every component from an already validated config. */
export function deployPatching(cfg: PatchingConfig): ProgramOutputs {
    const tags = stackTags(cfg);

    const baselines = cfg.baselines.map((b) => new PatchBaseline(b.name, { baseline: b, tags }));

    const patchGroups: Record<string, Record<string, string>> = {};
    for (const b of cfg.baselines) {
        for (const g of b.patchGroups) (patchGroups[g] ??= {})[b.operatingSystem] = b.name;
    }

    const compliance = cfg.compliance
        ? new PatchCompliance(`${cfg.environment}-compliance`, {
              compliance: cfg.compliance,
              namePrefix: `${cfg.project}-${cfg.environment}`,
              region: cfg.region,
              environment: cfg.environment,
              tags,
          })
        : undefined;

    const windows = cfg.maintenanceWindows.map((w) => new MaintenanceWindow(w.name, windowArgsFromConfig(w, tags)));
    const orchestrators = cfg.patchOrchestrators.map((o) => new PatchOrchestrator(o.name, { orchestrator: o, tags }));

    return {
        compliance: compliance && {
            bucketName: compliance.bucket?.bucketName,
            syncDestination: compliance.syncDestination,
            notificationTopicArn: compliance.topicArn,
            patchingLogGroup: compliance.logGroupName,
            dashboardName: compliance.dashboardName,
        },
        maintenanceWindowIds: pulumi.output(
            Object.fromEntries<pulumi.Output<string>>([
                ...windows.map((w, i): [string, pulumi.Output<string>] => [cfg.maintenanceWindows[i].name, w.windowId]),
                ...orchestrators.map((o, i): [string, pulumi.Output<string>] => [cfg.patchOrchestrators[i].window.name ?? `${cfg.patchOrchestrators[i].name}-window`, o.windowId]),
            ]),
        ),
        patchOrchestrators: pulumi.output(
            Object.fromEntries(
                orchestrators.map((o, i) => [
                    cfg.patchOrchestrators[i].name,
                    { runStateMachineArn: o.runStateMachineArn, topicArn: o.topicArn, logGroupName: o.logGroupName, instanceProfileName: o.instanceProfileName, instancePolicyArn: o.instancePolicyArn },
                ]),
            ),
        ),
        baselineIds: pulumi.output(Object.fromEntries(baselines.map((b, i) => [cfg.baselines[i].name, b.baselineId]))),
        patchGroups,
    };
}

/**
 * The whole program: config from the engine, validated before anything is registered (throws
 * `ConfigValidationError` listing every problem), then the components.
 */
export function main(): { config: PatchingConfig; outputs: ProgramOutputs } {
    const config = parseConfig(readEngineConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() });
    return { config, outputs: deployPatching(config) };
}
