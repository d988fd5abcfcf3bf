/**
 * The program: reads and validates the stack's config, then composes the components. `index.ts`
 * runs it under the Pulumi engine; the offline review and the tests run the very same function
 * under the mock engine.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, PatchingConfig } from "./config";
import { readEngineConfig, stackFileLoader } from "./config/source";
import { ChangeSafety } from "./components/changeSafety";
import { AutomationManagement } from "./components/automationManagement";
import { AutomationMember } from "./components/automationMember";
import { BaselineOverrideStore, OverrideBaseline } from "./components/overrideStore";
import type { BaselineOverrideRef } from "./components/overrideRef";
import { runbookOverrideReaches } from "./core/baselineTruth";
import { AgentUpdates } from "./components/agentUpdates";
import { PatchCompliance } from "./components/compliance";
import { MaintenanceWindow, windowArgsFromConfig } from "./components/maintenanceWindow";
import { PatchBaseline } from "./components/patchBaseline";
import { PatchOrchestrator } from "./components/patchOrchestrator";
import { FleetCoordinator, LocationRole } from "./components/fleetCoordinator";
import { resolveCrossAccount } from "./config/crossAccountOrchestrator";
import { coordinatorPlan } from "./core/orchestrator/crossAccount";
import { PatchPolicy, PolicyBaseline } from "./components/patchPolicy";
import { PatchTargetGroups } from "./components/resourceGroups";
import { RegionalNativeProviders, RegionalProviders } from "./components/regions";
import { mergeTags, stackTags } from "./components/tags";
import { isManagement, isMember } from "./config/multiAccount";
import { roleArn } from "./core/multiAccount";
import { PATCH_BASELINE_ARN_PATTERN } from "./config/rules";
import { installPathModel } from "./config/installPaths";
import { INSTALL_PATHS_STASH } from "./core/installPaths";
import { stackNamePrefix } from "./config/resourceNames";
import { automationInstalls, calendarRegions, calendarShares, heldInstalls, windowInstalls, withGates } from "./config/approvalCalendars";

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
    /** The baseline-override store, when `patching:overrideStore` is enabled. */
    baselineOverrides?: {
        bucketName: pulumi.Output<string>;
        /** The value of AWS-RunPatchBaseline's `BaselineOverride` parameter. */
        s3Url: pulumi.Output<string>;
        objectArn: pulumi.Output<string>;
        /** The tag instance roles carry to be admitted: `{ key: "QSConfigId-<id>", value: "<id>" }`. */
        principalTag: { key: string; value: string };
        remediationFunction?: pulumi.Output<string>;
    };
    /** What patch policies and instance roles use to read the override object. */
    overrideRef?: BaselineOverrideRef;
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
    /** Multi-account automation (when `patching:multiAccount` is set). */
    automation?: MultiAccountOutputs;
    /** Maintenance window ids by window name (configured windows and orchestrator windows). */
    maintenanceWindowIds: pulumi.Output<Record<string, string>>;
    /** Per orchestrator: its run state machine, summary topic, log group and instance profile/policy. */
    patchOrchestrators: pulumi.Output<Record<string, { runStateMachineArn: string; topicArn: string; logGroupName: string; instanceProfileName?: string; instancePolicyArn?: string }>>;
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
export function deployMultiAccount(
    cfg: PatchingConfig,
    tags: Record<string, string>,
    providers: RegionalProviders,
    /** The pinned list (change safety) for Install schedules that name none. */
    defaultInstallOverrideList?: pulumi.Input<string>,
    /** The override store's object: the runbook's BaselineOverride in every account and Region. */
    baselineOverride?: pulumi.Input<string>,
    /** The approval calendar the runbook's Installs assert OPEN (its name, in every target Region). @default UNGATED */
    changeCalendar?: { name: pulumi.Input<string>; owner: pulumi.Input<string> },
): MultiAccountOutputs | undefined {
    const m = cfg.multiAccount;
    if (!m) return undefined;
    const out: MultiAccountOutputs = { accountRole: m.accountRole };
    const memberRegions = m.memberRegions ?? [cfg.region];

    let management: AutomationManagement | undefined;
    if (isManagement(m.accountRole)) {
        management = new AutomationManagement(`${cfg.environment}-automation`, {
            config: m,
            region: cfg.region,
            namePrefix: stackNamePrefix(cfg.project, cfg.environment),
            ownAccountRegions: m.accountRole === "both" ? memberRegions : undefined,
            defaultInstallOverrideList,
            baselineOverride,
            changeCalendar,
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
 * Accounts outside this one whose instances install from the artifact bucket's lists: the target
 * accounts (and organization) of the multi-account automation this stack manages.
 */
function listReaders(cfg: PatchingConfig): { accounts: string[]; organizationId?: string } | undefined {
    const m = cfg.multiAccount;
    if (!m || !isManagement(m.accountRole)) return undefined;
    const accounts = [...new Set(m.targetLocations.flatMap((l) => l.accounts).filter((a) => /^\d{12}$/.test(a)))];
    const organizationId = m.targetLocations.some((l) => l.accounts.some((a) => !/^\d{12}$/.test(a))) ? m.organizationId : undefined;
    return accounts.length > 0 || organizationId ? { accounts, organizationId } : undefined;
}

/**
 * The override store's baselines: the stack's own (by name, with their definition, so editing one
 * re-syncs the object) and predefined ones (a `pb-…` id of this account, or an ARN).
 */
function overrideBaselines(cfg: PatchingConfig, byName: Map<string, PatchBaseline>): OverrideBaseline[] {
    const store = cfg.overrideStore!;
    const own = store.baselines.map((n) => {
        // Only what reaches the override document: renaming, tagging or regrouping does not re-sync.
        const { name: _n, description: _d, patchGroups: _g, defaultForOperatingSystem: _o, tags: _t, ...definition } = cfg.baselines.find((b) => b.name === n)!;
        return { name: n, id: byName.get(n)!.baselineId, arn: byName.get(n)!.baselineArn, definition };
    });
    const predefined = store.predefinedBaselines.map((id) => ({ name: id, id, arn: PATCH_BASELINE_ARN_PATTERN.test(id) ? id : undefined }));
    return [...own, ...predefined];
}

/** The baseline-override store from its config section. */
function deployOverrideStore(cfg: PatchingConfig, byName: Map<string, PatchBaseline>, tags: Record<string, string>): BaselineOverrideStore {
    const s = cfg.overrideStore!;
    return new BaselineOverrideStore(`overrides-${s.configId}`, {
        configId: s.configId,
        region: cfg.region,
        bucketName: s.bucketName,
        objectKey: s.objectKey,
        encryption: s.encryption,
        noncurrentVersionDays: s.noncurrentVersionDays,
        accessLogging:
            s.accessLogging.mode === "create"
                ? { mode: "create", retentionDays: s.accessLogging.retentionDays }
                : s.accessLogging.mode === "existing"
                  ? { mode: "existing", targetBucket: s.accessLogging.targetBucket, targetPrefix: s.accessLogging.targetPrefix }
                  : { mode: "off" },
        target: s.target,
        baselines: overrideBaselines(cfg, byName),
        instanceRoleNames: s.instanceRoleNames,
        remediation: s.remediation.enabled
            ? { scheduleExpression: s.remediation.schedule, logRetentionDays: s.remediation.logRetentionDays, alarmTopicArn: s.remediation.alarmTopicArn, alarmEmail: s.remediation.alarmEmail }
            : false,
        writer: `${cfg.project}/${cfg.stack}/${s.configId}`,
        protect: s.protect,
        tags,
    });
}

/**
 * Composes every component from an already validated config. Patch policies with
 * `useBaselineOverride` read the override store's object (its `BaselineOverrideRef`).
 */
export function deployPatching(cfg: PatchingConfig): ProgramOutputs {
    // The stack's install paths, kept in the state so the policy pack judges exactly what the
    // review shows (install-paths-disjoint reads this resource's input).
    // Each path carries the gate that holds it (install-paths-gated reads it).
    const installPaths = withGates(cfg, installPathModel(cfg));
    if (installPaths.paths.length > 0) new pulumi.Stash(INSTALL_PATHS_STASH, { input: installPaths });
    const tags = stackTags(cfg);
    // One explicit provider per region, shared by every component (aws, and aws-native for patch policies).
    const promoted = new Set(cfg.changeSafety?.promotion?.strategy === "approvalDate" ? (cfg.changeSafety.promotion.approvalDate?.baselines ?? []) : []);
    const baselines = cfg.baselines.map((b) => new PatchBaseline(b.name, { baseline: b, tags, promotedByApprovalDate: promoted.has(b.name) }));
    const providers = new RegionalProviders();
    const nativeProviders = new RegionalNativeProviders();
    // The override store first: every install path passes its object as BaselineOverride.
    const byName = new Map(cfg.baselines.map((b, i) => [b.name, baselines[i]]));
    const store = cfg.overrideStore?.enabled ? deployOverrideStore(cfg, byName, tags) : undefined;

    const safety = cfg.changeSafety
        ? new ChangeSafety(`${cfg.environment}-change-safety`, {
              config: cfg.changeSafety,
              project: cfg.project,
              stack: cfg.stack,
              region: cfg.region,
              promotedBaselines: cfg.baselines.flatMap((b, i) => (promoted.has(b.name) ? [{ name: b.name, id: baselines[i].baselineId, arn: baselines[i].baselineArn }] : [])),
              listReaders: listReaders(cfg),
              heldInstalls: heldInstalls(cfg),
              calendarRegions: calendarRegions(cfg),
              calendarShares: calendarShares(cfg),
              gateWindowInstalls: windowInstalls(cfg).length > 0,
              baselineOverride: store?.s3Url,
              tags,
          })
        : undefined;
    // The runbook's Installs assert the approval calendar (shared with the target accounts) is OPEN.
    const changeCalendar =
        safety?.calendar && automationInstalls(cfg).length > 0 ? { name: safety.calendar.name, owner: aws.getCallerIdentityOutput().accountId } : undefined;
    const automation = deployMultiAccount(cfg, tags, providers, safety?.installOverrideListUrl, runbookOverrideReaches(cfg) ? store?.s3Url : undefined, changeCalendar);

    const patchGroups: Record<string, Record<string, string>> = {};
    for (const b of cfg.baselines) {
        for (const g of b.patchGroups) (patchGroups[g] ??= {})[b.operatingSystem] = b.name;
    }

    const policyBaselines: PolicyBaseline[] = cfg.baselines.map((b, i) => ({
        name: b.name,
        operatingSystem: b.operatingSystem,
        description: b.description,
        tags: mergeTags(tags, b.tags),
        id: baselines[i].baselineId,
        arn: baselines[i].baselineArn,
    }));
    const patchPolicies: Record<string, PatchPolicyOutputs> = {};
    const policyInstanceRoles = new Map<string, pulumi.Output<string>>();
    for (const p of cfg.patchPolicies) {
        const policy = new PatchPolicy(p.name, {
            policy: p,
            homeRegion: cfg.region,
            providers,
            nativeProviders,
            overrideRef: store?.ref,
            baselines: policyBaselines,
            changeSafety: safety && { installOverrideList: safety.installOverrideListUrl, calendarArns: safety.calendarArns },
            tags,
        });
        if (policy.permissions?.instanceRole) policyInstanceRoles.set(p.name, policy.permissions.instanceRole.name);
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
              namePrefix: stackNamePrefix(cfg.project, cfg.environment),
              region: cfg.region,
              environment: cfg.environment,
              tags,
          })
        : undefined;

    if (cfg.agentUpdates) {
        new AgentUpdates(`${cfg.environment}-agent-updates`, { config: cfg.agentUpdates, namePrefix: stackNamePrefix(cfg.project, cfg.environment), region: cfg.region, nativeProviders, tags });
    }
    // Resource groups created from config: targets naming one use it (and wait for it).
    const createdGroups = cfg.resourceGroups.length > 0 ? new PatchTargetGroups(`${cfg.environment}-target-groups`, { groups: cfg.resourceGroups, tags }).groups : {};
    const windows = cfg.maintenanceWindows.map((w) => new MaintenanceWindow(w.name, { ...windowArgsFromConfig(w, tags), baselineOverride: store?.s3Url, createdGroups, approvalGate: safety?.windowGate }));
    // Fleet mode across accounts and Regions: the coordinator here (management account), and/or this
    // location's orchestrator (window off) with the role the coordinator assumes.
    const crossAccount = new Map(cfg.patchOrchestrators.flatMap((o) => (o.crossAccount ? [[o.name, resolveCrossAccount(o.name, o.crossAccount, cfg.multiAccount)] as const] : [])));
    const coordinators = cfg.patchOrchestrators.flatMap((o) => {
        const c = crossAccount.get(o.name);
        if (!c?.coordinator) return [];
        const plan = coordinatorPlan(c.coordinator.groups, c.coordinator.locationConcurrency, c.coordinator.locationMaxErrors);
        return [{ config: o, coordinator: new FleetCoordinator(`${o.name}-coordinator`, { orchestrator: o, plan, memberRoleName: c.memberRoleName, tags }) }];
    });
    for (const o of cfg.patchOrchestrators) {
        const c = crossAccount.get(o.name);
        if (!c?.location) continue;
        // Role both: the trust names this account's coordinator role, which must exist first.
        const own = coordinators.find((x) => x.config.name === o.name)?.coordinator;
        new LocationRole(`${o.name}-location`, { orchestrator: o.name, memberRoleName: c.memberRoleName, managementAccountId: c.location.managementAccountId, tags }, own ? { dependsOn: [own] } : undefined);
    }
    // A coordinator-only stack (management account) patches nothing itself.
    const localOrchestrators = cfg.patchOrchestrators.filter((o) => !crossAccount.get(o.name)?.coordinator || crossAccount.get(o.name)?.location);
    const orchestrators = localOrchestrators.map((o) => {
        // The orchestrated instances run with a patch policy's instance profile: give its role the additions too.
        const attachToRoles: Record<string, pulumi.Output<string>> = {};
        for (const p of o.instanceRole.attachToPatchPolicies) {
            const role = policyInstanceRoles.get(p);
            if (!role) throw new Error(`patching:patchOrchestrators ${o.name}: patch policy ${p} creates no instance role (instancePermissions.createInstanceProfile is off)`);
            attachToRoles[p] = role;
        }
        const approvalCalendar = safety?.calendar ? { name: safety.calendar.name, arn: safety.calendar.arn } : undefined;
        const createdGroup = o.targets.resourceGroup ? createdGroups[o.targets.resourceGroup] : undefined;
        return new PatchOrchestrator(o.name, { orchestrator: o, tags, attachToRoles, approvalCalendar, overrideRef: store?.ref, createdGroup, startedByCoordinator: crossAccount.get(o.name)?.location !== undefined });
    });

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
        maintenanceWindowIds: pulumi.output(
            Object.fromEntries<pulumi.Output<string>>([
                ...windows.map((w, i): [string, pulumi.Output<string>] => [cfg.maintenanceWindows[i].name, w.windowId]),
                ...orchestrators.map((o, i): [string, pulumi.Output<string>] => [localOrchestrators[i].window.name ?? `${localOrchestrators[i].name}-window`, o.windowId]),
                ...coordinators.map(({ config: o, coordinator }): [string, pulumi.Output<string>] => [`${o.window.name ?? `${o.name}-window`} (coordinator)`, coordinator.windowId]),
            ]),
        ),
        patchOrchestrators: pulumi.output(
            Object.fromEntries(
                orchestrators.map((o, i) => [
                    localOrchestrators[i].name,
                    { runStateMachineArn: o.runStateMachineArn, topicArn: o.topicArn, logGroupName: o.logGroupName, instanceProfileName: o.instanceProfileName, instancePolicyArn: o.instancePolicyArn },
                ]),
            ),
        ),
        baselineIds: pulumi.output(Object.fromEntries(baselines.map((b, i) => [cfg.baselines[i].name, b.baselineId]))),
        patchGroups,
        patchPolicies,
        ...(automation ? { automation } : {}),
        baselineOverrides: store && {
            bucketName: store.bucketName,
            s3Url: store.s3Url,
            objectArn: store.objectArn,
            principalTag: store.ref.principalTag,
            remediationFunction: store.remediation?.function.name,
        },
        overrideRef: store?.ref,
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
