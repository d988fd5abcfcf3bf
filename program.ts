/**
 * The program: reads and validates the stack's config, then composes the components. `index.ts`
 * runs it under the Pulumi engine; the offline review and the tests run the very same function
 * under the mock engine.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PatchingConfig } from "./config";
import { readEngineConfig } from "./config/source";
import type { BaselineOverrideRef } from "./components/overrideRef";
import { AutomationManagement } from "./components/automationManagement";
import { AutomationMember } from "./components/automationMember";
import { PatchCompliance } from "./components/compliance";
import { PatchBaseline } from "./components/patchBaseline";
import { PatchPolicy, PolicyBaseline } from "./components/patchPolicy";
import { RegionalNativeProviders, RegionalProviders } from "./components/regions";
import { stackTags } from "./components/tags";
import { isManagement, isMember } from "./config/multiAccount";
import { roleArn } from "./core/multiAccount";

/** What a patch policy exports. */
export interface PatchPolicyOutputs {
    mode: "owned" | "managed";
    regions: string[];
    /** The instance profile to give EC2 instances (owned mode). */
    instanceProfileName?: pulumi.Output<string>;
    /** The role to register hybrid nodes with (`ssm create-activation --iam-role`). */
    hybridServiceRoleName?: pulumi.Output<string>;
    /** Where command output goes. */
    outputBucketName?: pulumi.Output<string>;
    /** The Quick Setup configuration manager (managed mode). */
    managerArn?: pulumi.Output<string>;
}

/** What the stack exports. */
export interface ProgramOutputs {
    /** Baseline ids by baseline name. */
    baselineIds: pulumi.Output<Record<string, string>>;
    /** Patch group → { operating system → baseline name }. */
    patchGroups: Record<string, Record<string, string>>;
    /** Patch policies by name. */
    patchPolicies: Record<string, PatchPolicyOutputs>;
    /** Seeing compliance (when `patching:compliance` is set). */
    compliance?: {
        bucketName?: pulumi.Output<string>;
        syncDestination?: pulumi.Output<string>;
        notificationTopicArn?: pulumi.Output<string>;
        patchingLogGroup: pulumi.Output<string>;
        dashboardName?: pulumi.Output<string>;
    };
    /** Multi-account automation (when `patching:multiAccount` is set). */
    automation?: MultiAccountOutputs;
}

/** What the multi-account automation exports. */
export interface MultiAccountOutputs {
    /** `management`, `member` or `both`. */
    accountRole: string;
    /** Management: the administration role (AutomationAssumeRole of the runbook). */
    administrationRoleArn?: pulumi.Output<string>;
    /** Management: the runbook's name. */
    documentName?: pulumi.Output<string>;
    /** Management: schedule ARNs by schedule name. */
    scheduleArns?: pulumi.Output<Record<string, string>>;
    /** Management in org mode: the StackSet rolling out member roles. */
    memberStackSetName?: pulumi.Output<string>;
    /** Member: the execution role. */
    executionRoleArn?: pulumi.Output<string>;
}

/** Composes the multi-account automation: management side, member side, or both. */
export function deployMultiAccount(cfg: PatchingConfig, tags: Record<string, string>, providers: RegionalProviders): MultiAccountOutputs | undefined {
    const m = cfg.multiAccount;
    if (!m) return undefined;
    const out: MultiAccountOutputs = { accountRole: m.accountRole };
    const memberRegions = m.memberRegions ?? [cfg.region];

    let management: AutomationManagement | undefined;
    if (isManagement(m.accountRole)) {
        management = new AutomationManagement(`${cfg.environment}-automation`, {
            config: m,
            region: cfg.region,
            namePrefix: `${cfg.project}-${cfg.environment}`,
            ownAccountRegions: m.accountRole === "both" ? memberRegions : undefined,
            tags,
        });
        out.administrationRoleArn = management.administrationRoleArn;
        out.documentName = management.documentName;
        out.scheduleArns = management.scheduleArns;
        out.memberStackSetName = management.memberStackSet?.stackSetName;
    }

    if (isMember(m.accountRole)) {
        const partition = aws.getPartitionOutput().partition;
        const managementAccountId: pulumi.Input<string> = m.managementAccountId ?? aws.getCallerIdentityOutput().accountId;
        const member = new AutomationMember(`${cfg.environment}-automation-member`, {
            executionRoleName: m.executionRoleName,
            documentName: m.documentName,
            administrationRoleArn: management
                ? management.administrationRoleArn
                : pulumi.all([partition, managementAccountId]).apply(([p, a]) => roleArn(p, a, m.administrationRoleName)),
            managementAccountId,
            resourceGroups: m.resourceGroups,
            regions: memberRegions,
            providers,
            tags,
        });
        out.executionRoleArn = member.executionRoleArn;
    }
    return out;
}

/**
 * Composes every component from an already validated config. `overrideRef` is the baseline-override
 * store's object (`patching:overrideStore`); patch policies with `useBaselineOverride` read it.
 */
export function deployPatching(cfg: PatchingConfig, overrideRef?: BaselineOverrideRef): ProgramOutputs {
    const tags = stackTags(cfg);
    // One explicit provider per region, shared by every component (aws, and aws-native for patch policies).
    const providers = new RegionalProviders();
    const nativeProviders = new RegionalNativeProviders();

    const baselines = cfg.baselines.map((b) => new PatchBaseline(b.name, { baseline: b, tags }));
    const automation = deployMultiAccount(cfg, tags, providers);

    const patchGroups: Record<string, Record<string, string>> = {};
    for (const b of cfg.baselines) {
        for (const g of b.patchGroups) (patchGroups[g] ??= {})[b.operatingSystem] = b.name;
    }

    const policyBaselines: PolicyBaseline[] = cfg.baselines.map((b, i) => ({
        name: b.name,
        operatingSystem: b.operatingSystem,
        description: b.description,
        tags: { ...tags, ...b.tags },
        id: baselines[i].baselineId,
        arn: baselines[i].baselineArn,
    }));
    const patchPolicies: Record<string, PatchPolicyOutputs> = {};
    for (const p of cfg.patchPolicies) {
        const policy = new PatchPolicy(p.name, { policy: p, homeRegion: cfg.region, providers, nativeProviders, overrideRef, baselines: policyBaselines, tags });
        patchPolicies[p.name] = {
            mode: policy.mode,
            regions: policy.regions,
            instanceProfileName: policy.permissions?.instanceProfile?.name,
            hybridServiceRoleName: policy.permissions?.hybridServiceRole?.name,
            outputBucketName: policy.outputBucketName,
            managerArn: policy.configurationManager?.managerArn,
        };
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

    return {
        compliance: compliance && {
            bucketName: compliance.bucket?.bucketName,
            syncDestination: compliance.syncDestination,
            notificationTopicArn: compliance.topicArn,
            patchingLogGroup: compliance.logGroupName,
            dashboardName: compliance.dashboardName,
        },
        baselineIds: pulumi.output(Object.fromEntries(baselines.map((b, i) => [cfg.baselines[i].name, b.baselineId]))),
        patchGroups,
        patchPolicies,
        ...(automation ? { automation } : {}),
    };
}

/**
 * The whole program: config from the engine, validated before anything is registered (throws
 * `ConfigValidationError` listing every problem), then the components.
 */
export function main(): { config: PatchingConfig; outputs: ProgramOutputs } {
    const config = parseConfig(readEngineConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() });
    // The baseline-override store (patching:overrideStore, another component) passes its
    // BaselineOverrideRef here once it exists; until then useBaselineOverride is rejected by the config model.
    return { config, outputs: deployPatching(config) };
}
