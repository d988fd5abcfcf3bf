/**
 * The program: reads and validates the stack's config, then composes the components. `index.ts`
 * runs it under the Pulumi engine; the offline review and the tests run the very same function
 * under the mock engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PatchingConfig } from "./config";
import { readEngineConfig, stackFileLoader } from "./config/source";
import { ChangeSafety } from "./components/changeSafety";
import { PatchCompliance } from "./components/compliance";
import { PatchBaseline } from "./components/patchBaseline";
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
    /** Change safety (when `patching:changeSafety` is set). */
    changeSafety?: {
        artifactBucket?: pulumi.Output<string>;
        approvalCalendar?: pulumi.Output<string>;
        patchDocument?: pulumi.Output<string>;
        rollbackDocument?: pulumi.Output<string>;
        installOverrideListUrl?: pulumi.Output<string>;
    };
}

/** Composes every component from an already validated config. */
export function deployPatching(cfg: PatchingConfig): ProgramOutputs {
    const tags = stackTags(cfg);

    const promoted = new Set(cfg.changeSafety?.promotion?.strategy === "approvalDate" ? (cfg.changeSafety.promotion.approvalDate?.baselines ?? []) : []);
    const baselines = cfg.baselines.map((b) => new PatchBaseline(b.name, { baseline: b, tags, promotedByApprovalDate: promoted.has(b.name) }));

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

    const safety = cfg.changeSafety
        ? new ChangeSafety(`${cfg.environment}-change-safety`, {
              config: cfg.changeSafety,
              project: cfg.project,
              stack: cfg.stack,
              region: cfg.region,
              promotedBaselines: cfg.baselines.flatMap((b, i) => (promoted.has(b.name) ? [{ name: b.name, id: baselines[i].baselineId, arn: baselines[i].baselineArn }] : [])),
              tags,
          })
        : undefined;

    return {
        changeSafety: safety && {
            artifactBucket: safety.bucket?.bucketName,
            approvalCalendar: safety.calendar?.name,
            patchDocument: safety.patchDocument?.name,
            rollbackDocument: safety.rollbackDocument?.name,
            installOverrideListUrl: safety.installOverrideListUrl,
        },
        compliance: compliance && {
            bucketName: compliance.bucket?.bucketName,
            syncDestination: compliance.syncDestination,
            notificationTopicArn: compliance.topicArn,
            patchingLogGroup: compliance.logGroupName,
            dashboardName: compliance.dashboardName,
        },
        baselineIds: pulumi.output(Object.fromEntries(baselines.map((b, i) => [cfg.baselines[i].name, b.baselineId]))),
        patchGroups,
    };
}

/** Where the program runs from. */
export interface MainOptions {
    /** Folder holding `Pulumi.yaml` and the stack files (read for cross-stack rules). @default this file's folder */
    projectDir?: string;
    /** The moment release calendars are computed from. @default now */
    now?: Date;
}

/**
 * The whole program: config from the engine, validated before anything is registered (throws
 * `ConfigValidationError` listing every problem), then the components.
 */
export function main(options: MainOptions = {}): { config: PatchingConfig; outputs: ProgramOutputs } {
    const config = parseConfig(readEngineConfig(), {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        loadStack: stackFileLoader(options.projectDir ?? __dirname),
        now: options.now,
    });
    return { config, outputs: deployPatching(config) };
}
