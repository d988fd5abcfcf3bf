import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { OperationConfig, PatchPolicyConfig, PatchTargetsConfig } from "../config";
import { compileSchedule, NAME_TAG_KEY_PREFIX, policyRegions } from "../config/patchPolicies";
import { HardenedBucket } from "./hardenedBucket";
import { NAME_TAG_DOCUMENT_FILE, NameTagAssociations } from "./nameTags";
import type { BaselineOverrideRef } from "./overrideRef";
import { PatchInstancePermissions } from "./patchInstancePermissions";
import { RegionalNativeProviders, RegionalProviders } from "./regions";
import { ssmAutomationTrustStatement } from "../core/iam";
import { PATCH_POLICY_TAG_KEY } from "../config/resourceTags";
import { mergeTags } from "./tags";
import {
    QUICK_SETUP_DEPLOYMENT_TARGET_PARAMETERS,
    QUICK_SETUP_PATCH_POLICY_PARAMETERS,
    QuickSetupPatchPolicyParameter,
    selectedPatchBaselines,
} from "../core/quickSetup";

/** Where the SSM documents this program ships live. */
export const DOCUMENTS_DIR = path.resolve(__dirname, "..", "documents");

/** A document of `documents/`, with a version name derived from its content. */
export function shippedDocument(file: string): { content: string; versionName: string } {
    const content = fs.readFileSync(path.join(DOCUMENTS_DIR, file), "utf8");
    // A new version name per content: document updates need one (pulumi-aws #2555), and an
    // unchanged file keeps its version (no spurious update).
    return { content, versionName: `v-${crypto.createHash("sha256").update(content).digest("hex").slice(0, 16)}` };
}

/** A baseline of this stack, as a patch policy refers to it. */
export interface PolicyBaseline {
    name: string;
    operatingSystem: string;
    description?: string;
    tags: Record<string, string>;
    id: pulumi.Input<string>;
    arn: pulumi.Input<string>;
}

/** Arguments of {@link PatchPolicy}. */
export interface PatchPolicyArgs {
    /** The validated policy (`patching:patchPolicies[n]`). */
    policy: PatchPolicyConfig;
    /** `aws:region`: where baselines, the output bucket and (managed mode) the configuration manager live. */
    homeRegion: string;
    /** Shared explicit AWS providers, one per region. */
    providers: RegionalProviders;
    /** Shared explicit aws-native providers, one per region. */
    nativeProviders: RegionalNativeProviders;
    /** The baseline-override store's object, when the stack has one (`useBaselineOverride`). */
    overrideRef?: BaselineOverrideRef;
    /** The stack's baselines (BaselineTags and managed-mode selection refer to them). @default [] */
    baselines?: PolicyBaseline[];
    /** Tags for every taggable resource (the policy's own tags are merged over them). */
    tags: Record<string, string>;
    /**
     * Change safety of the stack (owned mode): the pinned InstallOverrideList (what the earlier
     * stage installed) for an install that names no list of its own, and the approval change
     * calendar that holds the install association — its copy in each Region (a calendar is read
     * in the association's own Region), by Region. @default none
     */
    changeSafety?: { installOverrideList?: pulumi.Input<string>; calendarArns?: Record<string, pulumi.Input<string>> };
}

/** A State Manager target as the association receives it. */
export interface AssociationTarget {
    key: string;
    values: string[];
}

/**
 * The association targets for a policy's targets: `InstanceIds=*`, `InstanceIds=<ids>`,
 * `resource-groups:Name=<group>`, or one `tag:<key>` target per tag plus one `tag-key` target.
 */
export function associationTargets(t: PatchTargetsConfig): AssociationTarget[] {
    if (t.allManagedNodes) return [{ key: "InstanceIds", values: ["*"] }];
    if (t.instanceIds) return [{ key: "InstanceIds", values: t.instanceIds }];
    if (t.resourceGroup) return [{ key: "resource-groups:Name", values: [t.resourceGroup] }];
    return [
        ...Object.entries(t.tags ?? {}).map(([key, values]) => ({ key: `tag:${key}`, values })),
        ...(t.tagKeys ? [{ key: "tag-key", values: t.tagKeys }] : []),
    ];
}

/**
 * The same selection as EC2 DescribeInstances filters (filters AND, values OR, like the targets),
 * for the attach automation; `undefined` when no EC2 instance can match (only `mi-` ids listed).
 */
export function ec2InstanceFilters(t: PatchTargetsConfig): { Name: string; Values: string[] }[] | undefined {
    if (t.instanceIds) {
        const ids = t.instanceIds.filter((id) => id.startsWith("i-"));
        return ids.length > 0 ? [{ Name: "instance-id", Values: ids }] : undefined;
    }
    return [
        ...Object.entries(t.tags ?? {}).map(([key, values]) => ({ Name: `tag:${key}`, Values: values })),
        ...(t.tagKeys ? [{ Name: "tag-key", Values: t.tagKeys }] : []),
    ];
}

/** The selection as SSM DescribeInstanceInformation filters, for hybrid nodes; `undefined` when none can match. */
export function hybridNodeFilters(t: PatchTargetsConfig): { Key: string; Values: string[] }[] | undefined {
    if (t.instanceIds) {
        const ids = t.instanceIds.filter((id) => id.startsWith("mi-"));
        return ids.length > 0 ? [{ Key: "InstanceIds", Values: ids }] : undefined;
    }
    return [
        ...Object.entries(t.tags ?? {}).map(([key, values]) => ({ Key: `tag:${key}`, Values: values })),
        ...(t.tagKeys ? [{ Key: "tag-key", Values: t.tagKeys }] : []),
    ];
}

/** The document each operation runs: hooks wrap the install only (hooks do not run during Scan). */
export function operationDocument(policy: Pick<PatchPolicyConfig, "document">, operation: "Scan" | "Install"): string {
    if (policy.document === "AWS-RunPatchBaselineWithHooks" && operation === "Scan") return "AWS-RunPatchBaseline";
    return policy.document;
}

/** The document parameters of one operation (aws-native form: every value is a list). */
export function operationParameters(
    policy: PatchPolicyConfig,
    operation: "Scan" | "Install",
    overrideUrl?: pulumi.Input<string>,
    /** The change-safety pinned list, for an install without its own list. */
    pinnedList?: pulumi.Input<string>,
): Record<string, pulumi.Input<string>[]> {
    const doc = operationDocument(policy, operation);
    const params: Record<string, pulumi.Input<string>[]> = { Operation: [operation] };
    // Scan never reboots; say so explicitly rather than rely on the document's default.
    params.RebootOption = [operation === "Install" ? (policy.install?.rebootOption ?? "RebootIfNeeded") : "NoReboot"];
    if (overrideUrl && doc !== "AWS-RunPatchBaselineAssociation") params.BaselineOverride = [overrideUrl];
    if (policy.snapshotId && doc !== "AWS-RunPatchBaselineAssociation") params.SnapshotId = [policy.snapshotId];
    // Scan ignores InstallOverrideList (compliance follows the baseline), so it goes to Install only.
    if (operation === "Install" && policy.install?.installOverrideList) params.InstallOverrideList = [policy.install.installOverrideList];
    else if (operation === "Install" && pinnedList) params.InstallOverrideList = [pinnedList];
    if (doc === "AWS-RunPatchBaselineAssociation" && policy.baselineTags) {
        params.BaselineTags = [`Key=${policy.baselineTags.key},Values=${policy.baselineTags.values.join(",")}`];
    }
    if (doc === "AWS-RunPatchBaselineWithHooks" && policy.hooks) {
        if (policy.hooks.preInstall) params.PreInstallHookDocName = [policy.hooks.preInstall];
        if (policy.hooks.postInstall) params.PostInstallHookDocName = [policy.hooks.postInstall];
        if (policy.hooks.onExit) params.OnExitHookDocName = [policy.hooks.onExit];
    }
    return params;
}

/** `s3://bucket/key` → the object ARN. */
function s3UrlToObjectArn(url: string, partition: pulumi.Input<string>): pulumi.Output<string> | undefined {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    return m ? pulumi.interpolate`arn:${partition}:s3:::${m[1]}/${m[2]}` : undefined;
}

/** Tags in the aws-native list form. */
function nativeTags(tags: Record<string, string>): { key: string; value: string }[] {
    return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/**
 * The Quick Setup `TargetType` family of parameters for a policy's targets. The console sends
 * `TargetType` with organizational units too (user guide, quick-setup-api: `Tags` with an OU).
 */
export function quickSetupTargetParameters(t: PatchTargetsConfig): Record<string, string> {
    if (t.allManagedNodes) return { TargetType: "*" };
    if (t.instanceIds) return { TargetType: "InstanceIds", TargetInstances: t.instanceIds.join(",") };
    if (t.resourceGroup) return { TargetType: "ResourceGroups", ResourceGroupName: t.resourceGroup };
    const [key, values] = Object.entries(t.tags ?? {})[0] ?? [];
    return { TargetType: "Tags", TargetTagKey: key ?? "", TargetTagValue: values?.[0] ?? "" };
}

/**
 * The full `AWSQuickSetupType-PatchPolicy` parameter set: every declared parameter, `''` where
 * this policy does not use it, `HasDeletedBaseline: 'false'` (no deleted custom baseline: the
 * policy only names baselines of this stack), `ConfigurationOptionsInstallNextInterval: 'false'`
 * and `RebootOption: 'NoReboot'` for a scan-only policy (a scan never reboots). Throws on a name
 * outside the declared set.
 */
export function quickSetupPatchPolicyParameters(given: Partial<Record<QuickSetupPatchPolicyParameter, pulumi.Input<string>>>): Record<string, pulumi.Input<string>> {
    const declared = new Set<string>([...QUICK_SETUP_PATCH_POLICY_PARAMETERS, ...QUICK_SETUP_DEPLOYMENT_TARGET_PARAMETERS]);
    const undeclared = Object.keys(given).filter((k) => !declared.has(k));
    if (undeclared.length > 0) throw new Error(`AWSQuickSetupType-PatchPolicy declares no parameter ${undeclared.join(", ")}`);
    const defaults: Partial<Record<QuickSetupPatchPolicyParameter, string>> = {
        HasDeletedBaseline: "false",
        ConfigurationOptionsInstallNextInterval: "false",
        RebootOption: "NoReboot",
    };
    const out: Record<string, pulumi.Input<string>> = {};
    for (const name of QUICK_SETUP_PATCH_POLICY_PARAMETERS) out[name] = given[name] ?? defaults[name] ?? "";
    const where = QUICK_SETUP_DEPLOYMENT_TARGET_PARAMETERS.filter((k) => given[k] !== undefined);
    if (where.length !== 1) throw new Error(`AWSQuickSetupType-PatchPolicy needs exactly one of ${QUICK_SETUP_DEPLOYMENT_TARGET_PARAMETERS.join(", ")}`);
    out[where[0]] = given[where[0]]!;
    return out;
}

/**
 * A Quick Setup-style patch policy.
 *
 * Owned mode: in every region of the policy, a scan association and (optionally) an install
 * association running AWS-RunPatchBaseline (or …WithHooks / …Association) on their own
 * schedules, targets, rate control and S3 output; the association that gives the policy's
 * instance profile to EC2 instances without one (and, when allowed, its policies to existing
 * roles) from a document shipped in `documents/`; the same for hybrid nodes' service roles; and
 * AWS-EnableExplorer when asked. The IAM side lives in {@link PatchInstancePermissions}.
 *
 * Managed mode: the genuine Quick Setup patch policy, an `AWSQuickSetupType-PatchPolicy`
 * configuration manager (aws-native), with the local deployment roles it requires.
 */
export class PatchPolicy extends pulumi.ComponentResource {
    public readonly mode: "owned" | "managed";
    public readonly regions: string[];
    /** Scan and install associations by region (owned mode). */
    public readonly associations: Record<string, { scan: awsNative.ssm.Association; install?: awsNative.ssm.Association }> = {};
    public readonly permissions?: PatchInstancePermissions;
    public readonly outputBucket?: HardenedBucket;
    /** The bucket command output goes to, when any. */
    public readonly outputBucketName?: pulumi.Output<string>;
    /** The Quick Setup configuration manager (managed mode). */
    public readonly configurationManager?: awsNative.ssmquicksetup.ConfigurationManager;
    /** Quick Setup's AddRemoveNameTag / NameTagRemediation associations (owned mode, `nameTags.enabled`). */
    public nameTags?: NameTagAssociations;

    constructor(name: string, args: PatchPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:ssm:PatchPolicy", name, {}, opts);
        const policy = args.policy;
        const tags = mergeTags(args.tags, policy.tags, { [PATCH_POLICY_TAG_KEY]: policy.name });
        this.mode = policy.mode;
        this.regions = policyRegions(policy, args.homeRegion);
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        // Command output: a hardened bucket of this policy, or one given by name.
        const s3 = policy.output?.s3;
        if (s3?.create) {
            this.outputBucket = new HardenedBucket(
                `${name}-output`,
                {
                    bucketName: s3.bucketName,
                    lifecycleRules: [
                        {
                            id: "ExpireCommandOutput",
                            status: "Enabled",
                            filter: { prefix: `${s3.keyPrefix}/` },
                            expiration: { days: s3.retentionDays ?? 90 },
                            noncurrentVersionExpiration: { noncurrentDays: 1 },
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            this.outputBucketName = this.outputBucket.bucketName;
        } else if (s3?.bucketName) {
            this.outputBucketName = pulumi.output(s3.bucketName);
        }
        const bucketArn = this.outputBucket ? this.outputBucket.bucketArn : s3?.bucketName ? pulumi.interpolate`arn:${partition}:s3:::${s3.bucketName}` : undefined;

        if (policy.mode === "managed") {
            this.configurationManager = this.managed(name, args, tags, account, partition);
        } else {
            this.permissions = this.owned(name, args, tags, account, partition, bucketArn);
        }

        this.registerOutputs({
            mode: this.mode,
            regions: this.regions,
            outputBucketName: this.outputBucketName,
            instanceProfileName: this.permissions?.instanceProfile?.name,
            managerArn: this.configurationManager?.managerArn,
        });
    }

    /** The `<keyPrefix>/<policy>/<operation>/<account>/<region>` output prefix. */
    private outputLocation(policy: PatchPolicyConfig, operation: "scan" | "install", region: string, homeRegion: string, account: pulumi.Output<string>) {
        const s3 = policy.output?.s3;
        if (!s3 || !this.outputBucketName) return undefined;
        return {
            s3Location: {
                outputS3BucketName: this.outputBucketName,
                outputS3KeyPrefix: pulumi.interpolate`${s3.keyPrefix}/${policy.name}/${operation}/${account}/${region}`,
                outputS3Region: homeRegion,
            },
        };
    }

    private owned(
        name: string,
        args: PatchPolicyArgs,
        tags: Record<string, string>,
        account: pulumi.Output<string>,
        partition: pulumi.Output<string>,
        bucketArn: pulumi.Output<string> | undefined,
    ): PatchInstancePermissions {
        const policy = args.policy;
        const ref = policy.useBaselineOverride ? args.overrideRef : undefined;
        if (policy.useBaselineOverride && !ref) {
            // The config model rejects useBaselineOverride without a store; a caller bypassing it gets this.
            throw new Error(`patch policy ${policy.name}: useBaselineOverride needs the override store's BaselineOverrideRef`);
        }

        // Exactly what nodes of this policy need beyond AmazonSSMManagedInstanceCore.
        const statements: aws.iam.PolicyStatement[] = [];
        if (ref) {
            statements.push({ Sid: "ReadBaselineOverride", Effect: "Allow", Action: "s3:GetObject", Resource: ref.objectArn });
            if (ref.kmsKeyArn) {
                statements.push({
                    Sid: "DecryptBaselineOverride",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: ref.kmsKeyArn,
                    // With an S3 bucket key the context is the bucket ARN, without it the object ARN.
                    Condition: { StringEquals: { "kms:EncryptionContext:aws:s3:arn": [ref.bucketArn, ref.objectArn] } },
                });
            }
        }
        const overrideList = policy.install?.installOverrideList;
        const overrideListArn = overrideList ? s3UrlToObjectArn(overrideList, partition) : undefined;
        if (overrideListArn) statements.push({ Sid: "ReadInstallOverrideList", Effect: "Allow", Action: "s3:GetObject", Resource: overrideListArn });
        if (bucketArn && policy.output?.s3) {
            // What SSM Agent needs to upload command output (user guide, "Create a custom S3 bucket policy for an instance profile").
            statements.push(
                {
                    Sid: "WriteCommandOutput",
                    Effect: "Allow",
                    Action: ["s3:PutObject", "s3:PutObjectAcl"],
                    Resource: pulumi.interpolate`${bucketArn}/${policy.output.s3.keyPrefix}/${policy.name}/*`,
                },
                { Sid: "ReadOutputBucketEncryption", Effect: "Allow", Action: "s3:GetEncryptionConfiguration", Resource: bucketArn },
            );
        }
        if (policy.document === "AWS-RunPatchBaselineAssociation" && policy.baselineTags) {
            // The extra instance permissions BaselineTags needs (user guide, AWS-RunPatchBaselineAssociation, seed 002).
            const key = policy.baselineTags.key;
            const tagged = (args.baselines ?? []).filter((b) => policy.baselineTags!.values.includes(b.tags[key]));
            statements.push(
                { Sid: "FindTaggedBaselines", Effect: "Allow", Action: ["ssm:DescribePatchBaselines", "tag:GetResources"], Resource: "*" },
                { Sid: "ReadTaggedBaselines", Effect: "Allow", Action: ["ssm:GetPatchBaseline", "ssm:DescribeEffectivePatchesForPatchBaseline"], Resource: tagged.map((b) => b.arn) },
            );
        }

        const perms = policy.instancePermissions;
        const ec2Filters = ec2InstanceFilters(policy.targets);
        const nodeFilters = hybridNodeFilters(policy.targets);
        const attachEc2 = ec2Filters !== undefined && ((perms.createInstanceProfile && perms.attachToInstancesWithoutProfile) || perms.isPolicyAttachAllowed);
        const attachHybrid = policy.hybrid !== undefined && nodeFilters !== undefined && perms.isPolicyAttachAllowed;
        const permissions = new PatchInstancePermissions(
            `${name}-iam`,
            {
                policyName: policy.name,
                accessStatements: statements,
                createInstanceProfile: perms.createInstanceProfile,
                hybridServiceRoleRegions: policy.hybrid?.createServiceRole ? this.regions : [],
                automation: { ec2: attachEc2, hybrid: attachHybrid, isPolicyAttachAllowed: perms.isPolicyAttachAllowed, resourceGroup: policy.targets.resourceGroup },
                principalTag: ref?.principalTag,
                tags,
            },
            { parent: this },
        );

        let explorerRole: aws.iam.Role | undefined;
        if (policy.enableExplorer) explorerRole = this.explorerRole(name, tags, account, partition);

        const targets = associationTargets(policy.targets);
        const ec2Doc = attachEc2 ? shippedDocument("attach-instance-profile.yaml") : undefined;
        const hybridDoc = attachHybrid ? shippedDocument("attach-hybrid-role-policies.yaml") : undefined;
        const roleTag = ref?.principalTag;

        for (const region of this.regions) {
            const provider = args.nativeProviders.get(region);
            const classic = args.providers.get(region);
            const association = (suffix: string, operation: "Scan" | "Install", op: OperationConfig) => {
                const kind = operation === "Scan" ? "scan" : "install";
                const schedule = compileSchedule(op, kind);
                const doc = operationDocument(policy, operation);
                return new awsNative.ssm.Association(
                    `${name}-${region}-${kind}`,
                    {
                        // The user's exact name (seed 002's MyPatchAssociation), else `<policy>-ScanForPatches` / `-InstallPatches`.
                        associationName: op.associationName ?? `${policy.name}-${suffix}`,
                        name: doc,
                        targets,
                        parameters: operationParameters(policy, operation, ref?.s3Url, args.changeSafety?.installOverrideList),
                        // The approval gate holds installs only (scans keep reporting compliance), each
                        // with the calendar's copy in its own Region.
                        calendarNames: operation === "Install" && args.changeSafety?.calendarArns?.[region] ? [args.changeSafety.calendarArns[region]] : undefined,
                        scheduleExpression: schedule.expression,
                        scheduleOffset: schedule.offsetDays,
                        applyOnlyAtCronInterval: schedule.applyOnlyAtCronInterval,
                        maxConcurrency: op.maxConcurrency,
                        maxErrors: op.maxErrors,
                        complianceSeverity: (op.complianceSeverity ?? "UNSPECIFIED") as awsNative.types.enums.ssm.AssociationComplianceSeverity,
                        // AWS-RunPatchBaselineAssociation reports compliance itself (PutComplianceItems with its AssociationId).
                        syncCompliance: (op.syncCompliance ?? (doc === "AWS-RunPatchBaselineAssociation" ? "MANUAL" : "AUTO")) as awsNative.types.enums.ssm.AssociationSyncCompliance,
                        outputLocation: this.outputLocation(policy, kind, region, args.homeRegion, account),
                        tags: nativeTags(tags),
                    },
                    // Nodes need their permissions before the first run.
                    { parent: this, provider, dependsOn: [permissions] },
                );
            };
            this.associations[region] = {
                scan: association("ScanForPatches", "Scan", policy.scan),
                install: policy.install ? association("InstallPatches", "Install", policy.install) : undefined,
            };

            const automationParams: Record<string, pulumi.Input<pulumi.Input<string>[]>> = {};
            if (permissions.automationRole) automationParams.AutomationAssumeRole = [permissions.automationRole.arn];
            if (policy.targets.resourceGroup) automationParams.ResourceGroupName = [policy.targets.resourceGroup];
            if (roleTag && perms.isPolicyAttachAllowed) {
                automationParams.RoleTagKey = [roleTag.key];
                automationParams.RoleTagValue = [roleTag.value];
            }

            if (ec2Doc && ec2Filters) {
                const doc = new aws.ssm.Document(
                    `${name}-${region}-attach-ec2`,
                    {
                        name: `${policy.name}-AttachIAMToEc2Instance`,
                        documentType: "Automation",
                        documentFormat: "YAML",
                        content: ec2Doc.content,
                        versionName: ec2Doc.versionName,
                        tags,
                    },
                    { parent: this, provider: classic },
                );
                new awsNative.ssm.Association(
                    `${name}-${region}-attach-ec2`,
                    {
                        associationName: `${policy.name}-AttachIAMToEc2Instance`,
                        name: doc.name,
                        parameters: {
                            ...automationParams,
                            InstanceFilters: [JSON.stringify(ec2Filters)],
                            IsPolicyAttachAllowed: [String(perms.isPolicyAttachAllowed)],
                            ...(permissions.instanceProfile && perms.attachToInstancesWithoutProfile ? { InstanceProfileName: [permissions.instanceProfile.name] } : {}),
                            // Required by the document; read only when IsPolicyAttachAllowed is "true".
                            PolicyArns: permissions.policyArns,
                        },
                        scheduleExpression: perms.schedule,
                        tags: nativeTags(tags),
                    },
                    { parent: this, provider, dependsOn: [permissions] },
                );
            }
            if (hybridDoc && nodeFilters) {
                const doc = new aws.ssm.Document(
                    `${name}-${region}-attach-hybrid`,
                    {
                        name: `${policy.name}-AttachIAMToHybridInstance`,
                        documentType: "Automation",
                        documentFormat: "YAML",
                        content: hybridDoc.content,
                        versionName: hybridDoc.versionName,
                        tags,
                    },
                    { parent: this, provider: classic },
                );
                new awsNative.ssm.Association(
                    `${name}-${region}-attach-hybrid`,
                    {
                        associationName: `${policy.name}-AttachIAMToHybridInstance`,
                        name: doc.name,
                        parameters: { ...automationParams, NodeFilters: [JSON.stringify(nodeFilters)], PolicyArns: permissions.policyArns },
                        scheduleExpression: perms.schedule,
                        tags: nativeTags(tags),
                    },
                    { parent: this, provider, dependsOn: [permissions] },
                );
            }
            if (explorerRole) {
                // Runs once (no schedule), like Quick Setup's EnableExplorer association.
                new awsNative.ssm.Association(
                    `${name}-${region}-explorer`,
                    {
                        associationName: `${policy.name}-EnableExplorer`,
                        name: "AWS-EnableExplorer",
                        parameters: { AutomationAssumeRole: [explorerRole.arn] },
                        tags: nativeTags(tags),
                    },
                    { parent: this, provider, dependsOn: [explorerRole] },
                );
            }
        }
        if (policy.nameTags?.enabled) this.nameTags = this.nameTagAssociations(name, args, tags);
        return permissions;
    }

    /** Quick Setup's name-tag associations, on the policy's own targets (seed 000). */
    private nameTagAssociations(name: string, args: PatchPolicyArgs, tags: Record<string, string>): NameTagAssociations {
        const policy = args.policy;
        // The config model requires configId unless the override store gives one.
        const configId = policy.nameTags?.configId ?? args.overrideRef?.principalTag.value;
        if (!configId) throw new Error(`patch policy ${policy.name}: nameTags needs a configId (or the override store's)`);
        return new NameTagAssociations(
            `${name}-name-tags`,
            {
                policyName: policy.name,
                tagKey: `${NAME_TAG_KEY_PREFIX}${configId}`,
                tagValue: policy.nameTags?.configName ?? policy.name,
                instanceFilters: ec2InstanceFilters(policy.targets),
                nodeFilters: hybridNodeFilters(policy.targets),
                resourceGroup: policy.targets.resourceGroup,
                regions: this.regions,
                document: shippedDocument(NAME_TAG_DOCUMENT_FILE),
                providers: args.providers,
                nativeProviders: args.nativeProviders,
                tags,
            },
            { parent: this },
        );
    }

    /**
     * The role AWS-EnableExplorer assumes: the read calls and Explorer service settings that
     * Quick Setup's own boundary (AWSQuickSetupPatchPolicyPermissionsBoundary) grants for it,
     * limited to this account and the policy's regions.
     */
    private explorerRole(name: string, tags: Record<string, string>, account: pulumi.Output<string>, partition: pulumi.Output<string>): aws.iam.Role {
        const settings = [
            "ssm/opsitem/ssm-patchmanager",
            "ssm/opsitem/EC2",
            "ssm/opsdata/ExplorerOnboarded",
            "ssm/opsdata/Association",
            "ssm/opsdata/ComputeOptimizer",
            "ssm/opsdata/ConfigCompliance",
            "ssm/opsdata/OpsData-TrustedAdvisor",
            "ssm/opsdata/SupportCenterCase",
        ];
        const role = new aws.iam.Role(
            `${name}-explorer`,
            {
                description: `Role AWS-EnableExplorer assumes for patch policy ${name}`,
                assumeRolePolicy: pulumi
                    .all([account, partition])
                    .apply(([a, p]) => JSON.stringify({ Version: "2012-10-17", Statement: [ssmAutomationTrustStatement(a, p)] })),
                tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-explorer`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ReadWhatExplorerShows",
                            Effect: "Allow",
                            Action: ["iam:ListRoles", "config:DescribeConfigurationRecorders", "compute-optimizer:GetEnrollmentStatus", "support:DescribeTrustedAdvisorChecks"],
                            Resource: "*",
                        },
                        {
                            Sid: "ExplorerServiceSettings",
                            Effect: "Allow",
                            Action: ["ssm:GetServiceSetting", "ssm:UpdateServiceSetting"],
                            Resource: this.regions.flatMap((r) => settings.map((s) => pulumi.interpolate`arn:${partition}:ssm:${r}:${account}:servicesetting/${s}`)),
                        },
                    ],
                }),
            },
            { parent: this },
        );
        return role;
    }

    private managed(
        name: string,
        args: PatchPolicyArgs,
        tags: Record<string, string>,
        account: pulumi.Output<string>,
        partition: pulumi.Output<string>,
    ): awsNative.ssmquicksetup.ConfigurationManager {
        const policy = args.policy;
        const home = args.homeRegion;

        // The local deployment roles Quick Setup requires for a patch policy (CloudFormation
        // StackSets self-managed model): the administration role, trusted by CloudFormation for
        // Quick Setup's stack sets in this account, may only assume the execution role, which
        // carries AWS's AWSQuickSetupPatchPolicyDeploymentRolePolicy.
        const admin = new aws.iam.Role(
            `${name}-qs-admin`,
            {
                description: `Quick Setup local deployment administration role of patch policy ${policy.name}`,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "cloudformation.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: {
                                StringEquals: { "aws:SourceAccount": account },
                                StringLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:cloudformation:*:${account}:stackset/AWS-QuickSetup-*` },
                            },
                        },
                    ],
                }),
                tags,
            },
            { parent: this },
        );
        const exec = new aws.iam.Role(
            `${name}-qs-exec`,
            {
                description: `Quick Setup local deployment execution role of patch policy ${policy.name}`,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { AWS: admin.arn }, Action: "sts:AssumeRole" }],
                }),
                tags,
            },
            { parent: this },
        );
        const execPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-qs-exec`,
            { role: exec.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy` },
            { parent: this },
        );
        const adminPolicy = new aws.iam.RolePolicy(
            `${name}-qs-admin`,
            {
                role: admin.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "AssumeTheExecutionRoleOnly", Effect: "Allow", Action: "sts:AssumeRole", Resource: exec.arn }],
                }),
            },
            { parent: this },
        );

        // SelectedPatchBaselines: every operating system the console lists, the stack baseline this
        // policy names for it or else AWS's predefined default by ARN (core/quickSetup.ts).
        const listed = (policy.baselines ?? []).map((n) => {
            const b = (args.baselines ?? []).find((x) => x.name === n);
            if (!b) throw new Error(`patch policy ${policy.name}: baseline ${n} is not a baseline of this stack`);
            return b;
        });
        const awsOwned = aws.ssm.getPatchBaselinesOutput({ filters: [{ key: "OWNER", values: ["AWS"] }] }, { parent: this, provider: args.providers.get(home) });
        const listedIds = pulumi.all(listed.map((b) => pulumi.output(b.id)));
        const selected = pulumi.all([awsOwned.baselineIdentities, listedIds]).apply(([identities, ids]) =>
            JSON.stringify(
                selectedPatchBaselines(
                    identities,
                    listed.map((b, i) => ({ name: b.name, operatingSystem: b.operatingSystem, description: b.description, id: ids[i] })),
                    home,
                ),
            ),
        );

        const scan = compileSchedule(policy.scan, "scan");
        const install = policy.install ? compileSchedule(policy.install, "install") : undefined;
        const s3 = policy.output?.s3;
        const ous = policy.organizationalUnits;
        const parameters = quickSetupPatchPolicyParameters({
            PatchPolicyName: policy.name,
            SelectedPatchBaselines: selected,
            PatchBaselineUseDefault: listed.length > 0 ? "custom" : "default",
            PatchBaselineRegion: home,
            ConfigurationOptionsPatchOperation: install ? "ScanAndInstall" : "Scan",
            ConfigurationOptionsScanValue: scan.expression,
            ConfigurationOptionsScanNextInterval: String(scan.applyOnlyAtCronInterval),
            ...(install && policy.install
                ? {
                      ConfigurationOptionsInstallValue: install.expression,
                      ConfigurationOptionsInstallNextInterval: String(install.applyOnlyAtCronInterval),
                      RebootOption: policy.install.rebootOption,
                  }
                : {}),
            IsPolicyAttachAllowed: String(policy.instancePermissions.isPolicyAttachAllowed),
            RateControlConcurrency: policy.scan.maxConcurrency,
            RateControlErrorThreshold: policy.scan.maxErrors,
            OutputLogEnableS3: String(s3 !== undefined),
            ...(s3 && this.outputBucketName
                ? { OutputS3BucketName: this.outputBucketName, OutputS3KeyPrefix: `${s3.keyPrefix}/${policy.name}`, OutputBucketRegion: home }
                : {}),
            ...quickSetupTargetParameters(policy.targets),
            ...(ous ? { TargetOrganizationalUnits: ous.join(",") } : { TargetAccounts: account }),
            TargetRegions: this.regions.join(","),
        });

        return new awsNative.ssmquicksetup.ConfigurationManager(
            name,
            {
                name: policy.name,
                description: `Quick Setup patch policy ${policy.name}, managed as code (Pulumi)`,
                configurationDefinitions: [
                    {
                        type: "AWSQuickSetupType-PatchPolicy",
                        localDeploymentAdministrationRoleArn: admin.arn,
                        localDeploymentExecutionRoleName: exec.name,
                        parameters,
                    },
                ],
                tags,
            },
            { parent: this, provider: args.nativeProviders.get(home), dependsOn: [execPolicy, adminPolicy] },
        );
    }
}
