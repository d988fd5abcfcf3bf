import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import type { MultiAccountConfig, TargetLocationConfig } from "../config";
import {
    administrationRolePolicy,
    administrationRoleTrustPolicy,
    runbookContent,
    schedulerRolePolicy,
    startAutomationRequest,
    startAutomationTargetArn,
    UNGATED,
} from "../core/multiAccount";
import { DEFAULT_LOCATION_RATE } from "../config/multiAccount";
import { OU_ID_PATTERN } from "../config/rules";
import { MemberStackSet } from "./memberStackSet";
import { schedulerRole } from "./schedulerRole";
import { multiAccountNames } from "../config/resourceNames";

/** Arguments of {@link AutomationManagement}. */
export interface AutomationManagementArgs {
    /** The validated `patching:multiAccount` section. */
    config: MultiAccountConfig;
    /** The stack's home Region (`aws:region`): the runbook and the schedules live here. */
    region: string;
    /** Prefix of account-unique names (schedule group, StackSet), e.g. `patching-prod`. */
    namePrefix: string;
    /**
     * Single-account stacks: when no target location is configured, the automation targets this
     * account in these Regions. @default none (a management stack lists its targets)
     */
    ownAccountRegions?: string[];
    /**
     * InstallOverrideList for Install schedules that name none: the pinned list of the change-safety
     * promotion (prod installs what dev installed). @default none (the baselines decide)
     */
    defaultInstallOverrideList?: pulumi.Input<string>;
    /**
     * The override store's `s3://…/baseline_overrides.json`, passed as the runbook's
     * `BaselineOverride` by every schedule: the stack's baselines in every account and Region.
     * @default none (each location's own default baseline: validation only allows that when accepted)
     */
    baselineOverride?: pulumi.Input<string>;
    /**
     * The stack's approval calendar: every Install schedule passes it, and the runbook's
     * assertChangeCalendarOpen step stops the Install in a location whose copy is not OPEN. The
     * name is the same in every target Region; the owner is this (management) account, which
     * shares each copy with the target accounts. @default none: Installs pass ChangeCalendarName
     * UNGATED (the review and the policy pack show them as not held)
     */
    changeCalendar?: { name: pulumi.Input<string>; owner: pulumi.Input<string> };
    /** Tags of every taggable resource. */
    tags: Record<string, string>;
}

/** A target location whose accounts may include this account's id (known at deployment). */
interface ResolvedLocation {
    accounts: pulumi.Input<string>[];
    regions: string[];
    excludeAccounts: string[];
    maxConcurrency: string;
    maxErrors: string;
}

/** The runbook content and a version name derived from it (pulumi-aws #2555: name every version). */
export function runbook(): { content: string; versionName: string } {
    const content = runbookContent();
    return { content, versionName: `sha-${crypto.createHash("sha256").update(content).digest("hex").slice(0, 16)}` };
}

/**
 * The management side of multi-account patching (seed 001, "management account"): the automation
 * administration role, the Automation-RunPatchBaseline runbook, the EventBridge Scheduler schedules
 * that start it across accounts and Regions with target locations and rate control, and — in org
 * mode — the StackSet that gives every account of the target OUs its member role.
 */
export class AutomationManagement extends pulumi.ComponentResource {
    /** ARN of the administration role (the automation's AutomationAssumeRole). */
    public readonly administrationRoleArn: pulumi.Output<string>;
    /** Name of the runbook. */
    public readonly documentName: pulumi.Output<string>;
    /** ARNs of the schedules by schedule name. */
    public readonly scheduleArns: pulumi.Output<Record<string, string>>;
    /** The StackSet component (org mode only). */
    public readonly memberStackSet?: MemberStackSet;

    constructor(name: string, args: AutomationManagementArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:automation:Management", name, {}, opts);
        const c = args.config;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const configured: ResolvedLocation[] = c.targetLocations.map((l: TargetLocationConfig) => ({ ...l }));
        const locations: ResolvedLocation[] =
            configured.length > 0 || !args.ownAccountRegions
                ? configured
                : [{ accounts: [accountId], regions: args.ownAccountRegions, excludeAccounts: [], ...DEFAULT_LOCATION_RATE }];
        const locationsOutput = pulumi.output(locations.map((l) => pulumi.output(l.accounts).apply((accounts) => ({ ...l, accounts }))));

        const adminRole = new aws.iam.Role(
            `${name}-admin-role`,
            {
                name: c.administrationRoleName,
                description: "Systems Manager Automation administration role: starts the patching runbook in the target accounts and Regions",
                assumeRolePolicy: pulumi.all([partition, accountId]).apply(([p, a]) => JSON.stringify(administrationRoleTrustPolicy({ partition: p, accountId: a }))),
                tags: args.tags,
            },
            { parent: this },
        );

        new aws.iam.RolePolicy(
            `${name}-admin-policy`,
            {
                name: "AssumeExecutionRoleInTargets",
                role: adminRole.name,
                policy: pulumi.all([partition, accountId, locationsOutput]).apply(([p, a, locs]) =>
                    JSON.stringify(
                        administrationRolePolicy({
                            partition: p,
                            accountId: a,
                            executionRoleName: c.executionRoleName,
                            targetAccounts: locs.flatMap((l) => l.accounts).filter((x) => !OU_ID_PATTERN.test(x)),
                            organizationId: locs.some((l) => l.accounts.some((x) => OU_ID_PATTERN.test(x))) ? c.organizationId : undefined,
                        }),
                    ),
                ),
            },
            { parent: this },
        );

        const { content, versionName } = runbook();
        const document = new aws.ssm.Document(
            `${name}-runbook`,
            {
                name: c.documentName,
                documentType: "Automation",
                documentFormat: "YAML",
                content,
                versionName,
                tags: args.tags,
            },
            { parent: this },
        );

        const scheduleArns: Record<string, pulumi.Output<string>> = {};
        if (c.schedules.length > 0) {
            const groupName = multiAccountNames(args.namePrefix).scheduleGroup;
            const group = new aws.scheduler.ScheduleGroup(`${name}-schedules`, { name: groupName, tags: args.tags }, { parent: this });
            const context = pulumi.all([partition, accountId, adminRole.arn, document.name]).apply(([p, a, adminArn, doc]) => ({
                partition: p,
                accountId: a,
                region: args.region,
                documentName: doc,
                administrationRoleArn: adminArn,
                scheduleGroupName: groupName,
            }));
            const { role: schedulerRoleResource, policy: schedulerPolicy } = schedulerRole(
                { role: `${name}-scheduler-role`, policy: `${name}-scheduler-policy` },
                {
                    groupName: group.name,
                    region: args.region,
                    accountId,
                    partition,
                    description: "EventBridge Scheduler: starts the patching runbook on its schedules",
                    policyName: "StartPatchRunbook",
                    policy: context.apply((x) => JSON.stringify(schedulerRolePolicy(x))),
                    tags: args.tags,
                },
                { parent: this },
            );

            for (const s of c.schedules) {
                const overrideList = s.operation === "Install" ? (s.installOverrideList ?? args.defaultInstallOverrideList) : undefined;
                const calendar = args.changeCalendar ? pulumi.all([args.changeCalendar.name, args.changeCalendar.owner]).apply(([n, o]) => ({ name: n, owner: o })) : undefined;
                const input = pulumi.all([adminRole.arn, document.name, locationsOutput, overrideList, args.baselineOverride, calendar]).apply(([adminArn, doc, locs, list, baselineOverride, cal]) =>
                    JSON.stringify(
                        startAutomationRequest({
                            documentName: doc,
                            administrationRoleArn: adminArn,
                            operation: s.operation,
                            rebootOption: s.rebootOption,
                            installOverrideList: list,
                            baselineOverride,
                            resourceGroup: s.resourceGroup,
                            maxConcurrency: s.maxConcurrency,
                            maxErrors: s.maxErrors,
                            executionRoleName: c.executionRoleName,
                            changeCalendar: s.operation === "Install" ? (cal ?? UNGATED) : undefined,
                            targetLocations: locs,
                        }),
                    ),
                );
                const schedule = new aws.scheduler.Schedule(
                    `${name}-${s.name}`,
                    {
                        name: s.name,
                        groupName: group.name,
                        description: s.description,
                        scheduleExpression: s.schedule,
                        scheduleExpressionTimezone: s.timezone,
                        state: s.enabled ? "ENABLED" : "DISABLED",
                        flexibleTimeWindow: { mode: "OFF" },
                        target: {
                            arn: partition.apply(startAutomationTargetArn),
                            roleArn: schedulerRoleResource.arn,
                            input,
                            // A failed StartAutomationExecution is retried for an hour, never replayed later.
                            retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
                        },
                    },
                    // The role must be able to start the runbook before the first invocation.
                    { parent: this, dependsOn: [schedulerPolicy] },
                );
                scheduleArns[s.name] = schedule.arn;
            }
        }

        if (c.organizationDeployment) {
            this.memberStackSet = new MemberStackSet(
                `${name}-members`,
                {
                    stackSetName: multiAccountNames(args.namePrefix).memberStackSet,
                    executionRoleName: c.executionRoleName,
                    documentName: c.documentName,
                    resourceGroups: c.resourceGroups,
                    administrationRoleArn: adminRole.arn,
                    managementAccountId: accountId,
                    roleRegion: args.region,
                    deployment: c.organizationDeployment,
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        this.administrationRoleArn = adminRole.arn;
        this.documentName = document.name;
        this.scheduleArns = pulumi.output(scheduleArns);
        this.registerOutputs({
            administrationRoleArn: this.administrationRoleArn,
            documentName: this.documentName,
            scheduleArns: this.scheduleArns,
        });
    }
}
