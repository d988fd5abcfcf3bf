import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import type { ChangeSafetyConfig, GatedInstallConfig } from "../config";
import { changeSafetyNames, defaultOverrideListKey, separateApprovalCalendar } from "../config/changeSafety";
import { documentContent } from "../core/automationDocument";
import { renderCalendarContent } from "../core/changeCalendar";
import { ssmAutomationTrustStatement } from "../core/iam";
import { ApproverRole, RequesterRole } from "./approverRole";
import { runbookContent, RUN_PATCH_BASELINE } from "../core/multiAccount";
import type { WindowApprovalGate } from "./windowGate";
import { HardenedBucket } from "./hardenedBucket";
import { alarmTopic } from "./alarmTopic";
import { ScheduledLambda } from "./scheduledLambda";
import { CHANGE_SAFETY_SCHEDULES } from "../config/resourceNames";

/** A baseline of this stack, as the promotion needs it. */
export interface PromotedBaseline {
    name: string;
    id: pulumi.Input<string>;
    arn: pulumi.Input<string>;
}

/** Arguments of {@link ChangeSafety}. */
export interface ChangeSafetyArgs {
    /** The validated `patching:changeSafety` section. */
    config: ChangeSafetyConfig;
    project: string;
    stack: string;
    /** The stack's region (every resource here is regional to it). */
    region: string;
    /** Baselines named by `promotion.approvalDate.baselines`, with their ids and ARNs. */
    promotedBaselines: PromotedBaseline[];
    /** Tags for every taggable resource. */
    tags: Record<string, string>;
    /** Protect the artifact bucket from deletion. @default false */
    protect?: boolean;
    /**
     * Principals of other accounts (by account id, or the whole organization) whose instances read
     * the install lists (multi-account installs). Their instance roles also need s3:GetObject on
     * the lists. @default this account only
     */
    listReaders?: { accounts: string[]; organizationId?: string };
    /** The override store's `s3://…/baseline_overrides.json`: the gated install patches with the stack's baselines. @default none */
    baselineOverride?: pulumi.Input<string>;
    /**
     * Other installs of the stack the approval calendar holds (owned-mode patch policies), as
     * their associations are scheduled: the gate's messages name the next one. @default []
     */
    heldInstalls?: { expression: string; offsetDays?: number }[];
    /**
     * Every Region whose installs the approval calendar holds (config/approvalCalendars.ts
     * `calendarRegions`): the calendar exists in each, under one name, with one content (a Change
     * Calendar is a Regional document, read in its own Region). @default [region]
     */
    calendarRegions?: string[];
    /**
     * Accounts and OUs the calendars are shared with, read-only (the multi-account runbook's
     * GetCalendarState in the target accounts). OUs are resolved to their accounts. @default none
     */
    calendarShares?: { accounts: string[]; organizationalUnits: string[] };
    /**
     * The stack has maintenance windows with AWS-RunPatchBaseline Install tasks: create the gated
     * runbook they run instead (components/windowGate.ts) and its role. @default false
     */
    gateWindowInstalls?: boolean;
}

/** Pulumi's `{ key, value }[]` tags for aws-native resources. */
function nativeTags(tags: Record<string, string>): { key: string; value: string }[] {
    return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** `tag:<key>` targets as IAM conditions on the instance resource (empty when any target is not a tag). */
export function targetTagConditions(install: GatedInstallConfig, conditionKey: (tagKey: string) => string): Record<string, string[]> | undefined {
    if (!install.targets.every((t) => t.key.startsWith("tag:"))) return undefined;
    return Object.fromEntries(install.targets.map((t) => [conditionKey(t.key.slice(4)), t.values]));
}

/**
 * Change safety for one stack: what holds its installs to what the earlier stage proved.
 * - **artifact bucket** (hardened): promotion records, the pinned InstallOverrideList, approval
 *   state, emergency lists and install command output;
 * - **promotion** (one of): approval-date (a Lambda moving prod baselines' approveUntilDate) or
 *   pinned list (a Lambda exporting what dev installed);
 * - **approval gate**: a DEFAULT_CLOSED change calendar holding the gated install, an SNS topic
 *   with email subscriptions, and a Lambda that requests approval and applies the timeout policy;
 * - **gated install**: the patch-with-snapshots and rollback Automation documents, their
 *   least-privilege automation role, the State Manager association (gated by the calendar, with
 *   the pinned list) and the daily retention sweep of pre-patch snapshots.
 * Children exist only for what the config enables.
 */
export class ChangeSafety extends pulumi.ComponentResource {
    public readonly bucket?: HardenedBucket;
    public readonly topic?: aws.sns.Topic;
    /** The customer managed key encrypting {@link topic}. */
    public readonly topicKey?: aws.kms.Key;
    /** The calendar every install path checks (under the two-person rule: the release calendar, written by the gate function only). */
    public readonly calendar?: aws.ssm.Document;
    /** Two-person rule: the calendar the approver role writes; no install checks it (the gate releases what counts). */
    public readonly approverCalendar?: aws.ssm.Document;
    public readonly approverCalendarArn?: pulumi.Output<string>;
    /** The calendar's ARN in every Region it holds installs in (home Region included), by Region. */
    public readonly calendarArns: Record<string, pulumi.Output<string>> = {};
    /** What maintenance windows' Install tasks run instead, held by the calendar (gateWindowInstalls). */
    public windowGate?: WindowApprovalGate;
    /** The approver role (approvalGate.approvers): the only principal allowed to change the calendar. */
    public readonly approverRole?: ApproverRole;
    /** The requester role (approvalGate.approvers.requesters): the only principal that writes a person's request into the gate state. */
    public readonly requesterRole?: RequesterRole;
    public readonly patchDocument?: aws.ssm.Document;
    public readonly rollbackDocument?: aws.ssm.Document;
    public readonly automationRole?: aws.iam.Role;
    public readonly association?: awsNative.ssm.Association;
    /** `s3://bucket/key` of the pinned InstallOverrideList (pinned-list strategy). */
    public readonly installOverrideListUrl?: pulumi.Output<string>;

    constructor(name: string, args: ChangeSafetyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:safety:ChangeSafety", name, {}, opts);
        const cs = args.config;
        const names = changeSafetyNames(args.project, args.stack);
        const promotion = cs.promotion;
        const strategy = promotion?.strategy ?? "calendar";
        const install = cs.gatedInstall;
        const gate = cs.approvalGate;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const arn = (service: string, resource: pulumi.Input<string>, withAccount = true) =>
            pulumi.interpolate`arn:${partition}:${service}:${args.region}:${withAccount ? account : ""}:${resource}`;
        const needsLambdas = strategy !== "calendar" || gate !== undefined || (install !== undefined && install.snapshots.volumes !== "none");
        const needsBucket = needsLambdas || install !== undefined;

        // ── Artifact bucket ─────────────────────────────────────────────────────────────────
        let bucketArn: pulumi.Output<string> | undefined;
        let bucketName: pulumi.Output<string> | undefined;
        const overrideKey = promotion?.pinnedList?.objectKey ?? defaultOverrideListKey(args.stack);
        if (needsBucket) {
            this.bucket = new HardenedBucket(
                `${name}-artifacts`,
                {
                    lifecycleRules: [
                        // Records and lists are kept a year; older versions 90 days.
                        { id: "ExpireOldArtifacts", status: "Enabled", filter: {}, expiration: { days: 365 }, noncurrentVersionExpiration: { noncurrentDays: 90 } },
                    ],
                    // Instances of this account read the pinned and emergency lists and write command output.
                    policyStatements: (b) => [
                        {
                            Sid: "InstancesReadInstallLists",
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "s3:GetObject",
                            Resource: [pulumi.interpolate`${b}/install-override-list/*`, pulumi.interpolate`${b}/emergency/*`],
                            Condition: { StringEquals: { "aws:PrincipalAccount": [account, ...(args.listReaders?.accounts ?? [])] } },
                        },
                        ...(args.listReaders?.organizationId
                            ? [
                                  {
                                      Sid: "OrganizationReadsInstallLists",
                                      Effect: "Allow" as const,
                                      Principal: { AWS: "*" },
                                      Action: "s3:GetObject",
                                      Resource: [pulumi.interpolate`${b}/install-override-list/*`, pulumi.interpolate`${b}/emergency/*`],
                                      Condition: { StringEquals: { "aws:PrincipalOrgID": args.listReaders.organizationId } },
                                  },
                              ]
                            : []),
                        {
                            Sid: "InstancesWriteCommandOutput",
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${b}/command-output/*`,
                            Condition: { StringEquals: { "aws:PrincipalAccount": account } },
                        },
                    ],
                    protect: args.protect,
                    tags: args.tags,
                },
                { parent: this },
            );
            bucketArn = this.bucket.bucketArn;
            bucketName = this.bucket.bucketName;
        }

        // ── Notifications ───────────────────────────────────────────────────────────────────
        if (needsLambdas) {
            const alarms = alarmTopic(
                `${name}-topic`,
                { topicName: names.topic, displayName: `Patching ${args.stack}: approvals and change-safety alarms`, region: args.region, accountId: account, partition, tags: args.tags },
                { parent: this },
            );
            this.topic = alarms.topic;
            this.topicKey = alarms.key;
            for (const [i, email] of (gate?.notifyEmails ?? []).entries()) {
                new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, { parent: this });
            }
        }
        const lambdaCommon = { region: args.region, accountId: account, partition, tags: args.tags, alarmTopicArn: this.topic?.arn as pulumi.Output<string>, alarmTopicKeyArn: this.topicKey?.arn };
        const readDev = promotion?.source?.readRoleArn
            ? [{ Sid: "AssumeDevReadRole", Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: promotion.source.readRoleArn }]
            : [{ Sid: "ReadDevPatchState", Effect: "Allow" as const, Action: ["ssm:DescribeInstancePatchStatesForPatchGroup", "ssm:DescribeInstancePatches"], Resource: "*" }];
        const devEnv = { STACK: args.stack, BUCKET: bucketName!, DEV_PATCH_GROUPS: (promotion?.source?.patchGroups ?? []).join(","), ...(promotion?.source?.readRoleArn ? { DEV_READ_ROLE_ARN: promotion.source.readRoleArn } : {}) };

        // ── Promotion ───────────────────────────────────────────────────────────────────────
        if (strategy === "approvalDate" && promotion?.approvalDate) {
            const a = promotion.approvalDate;
            new ScheduledLambda(
                `${name}-promote`,
                {
                    entry: "lambda/promoteApprovalDate.ts",
                    timeoutSeconds: 120,
                    functionName: names.promoteFunction,
                    description: `Moves ${args.stack} baselines' approveUntilDate to the day ${promotion.after} has proven, when ${promotion.after} is green`,
                    statements: [
                        // Same account: dev's states and baselines are read directly (read-only).
                        ...(promotion.source?.readRoleArn ? readDev : [{ ...readDev[0], Action: ["ssm:DescribeInstancePatchStatesForPatchGroup"] }]),
                        ...(promotion.source?.readRoleArn ? [] : [{ Sid: "ReadDevBaselines", Effect: "Allow" as const, Action: "ssm:GetPatchBaseline", Resource: arn("ssm", "patchbaseline/*") }]),
                        { Sid: "PromoteProdBaselines", Effect: "Allow", Action: ["ssm:GetPatchBaseline", "ssm:UpdatePatchBaseline"], Resource: args.promotedBaselines.map((b) => b.arn) },
                        { Sid: "WriteRecords", Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${bucketArn}/promotion/${args.stack}/*` },
                    ],
                    environment: {
                        ...devEnv,
                        PROD_BASELINE_IDS: pulumi.all(args.promotedBaselines.map((b) => b.id)).apply((ids) => ids.join(",")),
                        MIN_COMPLIANT_PERCENT: String(a.minCompliantPercent),
                        MIN_INSTANCES: String(a.minInstances),
                    },
                    schedules: [{ suffix: CHANGE_SAFETY_SCHEDULES.promoteFunction[0], expression: a.schedule, input: { source: "patching.promotion" }, description: `Promote ${args.stack} when ${promotion.after} is green` }],
                    ...lambdaCommon,
                },
                { parent: this },
            );
        }
        if (strategy === "pinnedList") {
            const p = promotion!.pinnedList ?? { schedule: "cron(0 5 * * ? *)" };
            this.installOverrideListUrl = pulumi.interpolate`s3://${bucketName}/${overrideKey}`;
            new ScheduledLambda(
                `${name}-pinned-list`,
                {
                    entry: "lambda/exportInstalledPatches.ts",
                    // One DescribeInstancePatches round per dev instance (4 at a time).
                    timeoutSeconds: 300,
                    functionName: names.pinnedListFunction,
                    description: `Writes what ${promotion!.after} installed as ${args.stack}'s InstallOverrideList`,
                    statements: [
                        ...readDev,
                        {
                            Sid: "ReadWriteList",
                            Effect: "Allow",
                            Action: ["s3:GetObject", "s3:PutObject"],
                            Resource: [
                                pulumi.interpolate`${bucketArn}/${overrideKey}`,
                                pulumi.interpolate`${bucketArn}/history/${overrideKey.replace(/\.ya?ml$/, "")}/*`,
                                pulumi.interpolate`${bucketArn}/promotion/${args.stack}/*`,
                            ],
                        },
                        // Without ListBucket a missing key reads as AccessDenied instead of NoSuchKey.
                        { Sid: "SeeMissingList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn!, Condition: { StringEquals: { "s3:prefix": overrideKey } } },
                    ],
                    environment: { ...devEnv, OBJECT_KEY: overrideKey, LOOKBACK_CYCLES: "2", CYCLE_TIME: cs.cycle.time, CYCLE_TIMEZONE: cs.cycle.timezone },
                    schedules: [{ suffix: CHANGE_SAFETY_SCHEDULES.pinnedListFunction[0], expression: p.schedule, input: { source: "patching.pinned-list" }, description: `Export what ${promotion!.after} installed for ${args.stack}` }],
                    ...lambdaCommon,
                },
                { parent: this },
            );
        }

        // ── Approval gate ───────────────────────────────────────────────────────────────────
        // What the gate's messages call "the next install": the gated install, else the first held policy install.
        const heldSchedule = install ? { expression: install.schedule, offsetDays: install.scheduleOffset } : args.heldInstalls?.[0];
        if (gate && heldSchedule) {
            // Shared read-only with the target accounts of the multi-account installs (each Region's copy).
            const shares = args.calendarShares ?? { accounts: [], organizationalUnits: [] };
            const ouAccounts = shares.organizationalUnits.map(
                (ou) => aws.organizations.getOrganizationalUnitDescendantAccountsOutput({ parentId: ou }, { parent: this }).accounts.apply((a) => a.map((x) => x.id)),
            );
            const shareWith = pulumi
                .all([account, pulumi.all(ouAccounts)])
                .apply(([own, fromOus]) => [...new Set([...shares.accounts, ...fromOus.flat()])].filter((a) => a !== own).sort());
            const permissions = shareWith.apply((ids) => (ids.length > 0 ? { type: "Share", accountIds: ids.join(",") } : undefined));
            const calendarDocument = (resourceName: string, region?: string) =>
                new aws.ssm.Document(
                    resourceName,
                    {
                        name: names.calendar,
                        documentType: "ChangeCalendar",
                        documentFormat: "TEXT",
                        content: renderCalendarContent(`Approval gate of ${args.stack}'s patch install: closed unless an operator approves`, []),
                        ...(region ? { region } : {}),
                        permissions,
                        tags: args.tags,
                    },
                    // Approvals are new versions written by operators and the gate Lambda: never reverted by `pulumi up`.
                    { parent: this, ignoreChanges: ["content"] },
                );
            this.calendar = calendarDocument(`${name}-calendar`);
            const regions = [...new Set([args.region, ...(args.calendarRegions ?? [])])];
            for (const region of regions) {
                const doc = region === args.region ? this.calendar : calendarDocument(`${name}-calendar-${region}`, region);
                this.calendarArns[region] = pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:document/${doc.name}`;
            }
            const calendarArn = this.calendarArns[args.region];
            const allCalendarArns = regions.map((r) => this.calendarArns[r]);
            // Two-person rule: the approver writes a calendar no install checks; the gate function alone releases a counted approval to the installs' calendars.
            if (separateApprovalCalendar(gate)) {
                this.approverCalendar = new aws.ssm.Document(
                    `${name}-approvals-calendar`,
                    {
                        name: names.approverCalendar,
                        documentType: "ChangeCalendar",
                        documentFormat: "TEXT",
                        content: renderCalendarContent(
                            `Approvals of ${args.stack}'s patch install (the approver role writes here). No install checks this calendar: the approval gate opens ${names.calendar} for an approval that passes every check`,
                            [],
                        ),
                        tags: args.tags,
                    },
                    // Approvals are new versions written by the approver role: never reverted by `pulumi up`.
                    { parent: this, ignoreChanges: ["content"] },
                );
                this.approverCalendarArn = pulumi.interpolate`arn:${partition}:ssm:${args.region}:${account}:document/${this.approverCalendar.name}`;
            }
            const approverWrites = this.approverCalendarArn ? [this.approverCalendarArn] : allCalendarArns;
            // Issue 17: the approver role, and what the gate needs to verify approvals against it.
            // The gate state (approval-gate/<stack>/*): the requester writes a person's request there; the approver reads who requested.
            const gateState = { bucketArn: bucketArn!, stack: args.stack, region: args.region, kmsKeyArn: this.bucket?.kmsKeyArn };
            if (gate.approvers) {
                const a = gate.approvers;
                this.approverRole = new ApproverRole(
                    `${name}-approver`,
                    { roleName: names.approverRole, calendarArns: approverWrites, approvers: a, ...(a.requesters ? { gateState } : {}), partition, account, tags: args.tags },
                    { parent: this },
                );
                if (a.requesters) {
                    this.requesterRole = new RequesterRole(
                        `${name}-requester`,
                        { roleName: names.requesterRole, requesters: { ...a.requesters, requireMfa: a.requireMfa }, gateState, partition, account, tags: args.tags },
                        { parent: this },
                    );
                }
            }
            if (args.gateWindowInstalls) this.windowGate = this.windowInstallRunbook(name, args, names.calendar, calendarArn, account, partition);
            const approverEnv: Record<string, pulumi.Input<string>> = this.approverRole
                ? { APPROVER_ROLE_ARN: this.approverRole.roleArn, TWO_PERSON_RULE: String(gate.approvers!.twoPersonRule), ...(this.requesterRole ? { REQUESTER_ROLE_ARN: this.requesterRole.roleArn } : {}) }
                : {};
            const stateKeys = [pulumi.interpolate`${bucketArn}/approval-gate/${args.stack}/*`];
            const writesCalendar = gate.timeout.action === "open" || gate.approvers?.twoPersonRule === true;
            new ScheduledLambda(
                `${name}-gate`,
                {
                    entry: "lambda/approvalGate.ts",
                    functionName: names.gateFunction,
                    description: `Requests approval of ${args.stack}'s install and applies the timeout policy (${gate.timeout.action} after ${gate.timeout.afterHours} h)`,
                    statements: [
                        {
                            // Writes: the open policy opens it; under the two-person rule the gate withdraws the periods it does not count.
                            Sid: gate.timeout.action === "open" ? "ReadAndOpenCalendar" : this.approverCalendar ? "ReadAndReleaseCalendar" : writesCalendar ? "ReadAndWithdrawFromCalendar" : "ReadCalendar",
                            Effect: "Allow",
                            // ListDocumentVersions: approvals are judged on the calendar's version history.
                            Action: writesCalendar
                                ? ["ssm:GetDocument", "ssm:ListDocumentVersions", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"]
                                : ["ssm:GetDocument", "ssm:ListDocumentVersions"],
                            // A write goes to every Region's copy (one content everywhere); approvals are judged on the home one.
                            Resource: writesCalendar && allCalendarArns.length > 1 ? allCalendarArns : calendarArn,
                        },
                        ...(this.approverCalendarArn
                            ? [{ Sid: "JudgeApprovals", Effect: "Allow" as const, Action: ["ssm:GetDocument", "ssm:ListDocumentVersions"], Resource: this.approverCalendarArn }]
                            : []),
                        { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: this.topic!.arn },
                        // The approver is the caller CloudTrail recorded for the calendar version (UpdateDocument event), never typed text.
                        // LookupEvents takes no resource (Service Authorization Reference; review/contracts/iamData.ts checks it).
                        { Sid: "VerifyApproverInCloudTrail", Effect: "Allow", Action: "cloudtrail:LookupEvents", Resource: "*" },
                        { Sid: "GateState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: stateKeys },
                        { Sid: "ReadPromotionRecords", Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${bucketArn}/promotion/${args.stack}/*` },
                        { Sid: "SeeMissingState", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn!, Condition: { StringLike: { "s3:prefix": [`approval-gate/${args.stack}/*`, `promotion/${args.stack}/*`] } } },
                    ],
                    environment: {
                        STACK: args.stack,
                        BUCKET: bucketName!,
                        CALENDAR_NAME: names.calendar,
                        ...(this.approverCalendar ? { APPROVAL_CALENDAR_NAME: names.approverCalendar } : {}),
                        ...(regions.length > 1 ? { CALENDAR_REPLICA_REGIONS: regions.filter((r) => r !== args.region).join(",") } : {}),
                        TOPIC_ARN: this.topic!.arn,
                        TIMEOUT_ACTION: gate.timeout.action,
                        TIMEOUT_HOURS: String(gate.timeout.afterHours),
                        OPEN_HOURS: String(gate.openHours),
                        INSTALL_SCHEDULE: heldSchedule.expression,
                        INSTALL_OFFSET_DAYS: String(heldSchedule.offsetDays ?? 0),
                        CYCLE_TIME: cs.cycle.time,
                        CYCLE_TIMEZONE: cs.cycle.timezone,
                        ...approverEnv,
                    },
                    schedules: [
                        { suffix: CHANGE_SAFETY_SCHEDULES.gateFunction[0], expression: gate.requestSchedule, input: { action: "request" }, description: `Ask for approval of ${args.stack}'s install` },
                        { suffix: CHANGE_SAFETY_SCHEDULES.gateFunction[1], expression: "rate(1 hour)", input: { action: "check" }, description: "Record approvals; apply the timeout policy" },
                    ],
                    ...lambdaCommon,
                },
                { parent: this, dependsOn: [this.calendar, ...(this.approverCalendar ? [this.approverCalendar] : [])] },
            );
        }

        // ── Gated install with snapshots ────────────────────────────────────────────────────
        if (install) {
            const created = this.gatedInstall(name, args, install, { names, arn, account, partition, bucketName: bucketName!, lambdaCommon });
            this.patchDocument = created.patchDocument;
            this.rollbackDocument = created.rollbackDocument;
            this.automationRole = created.role;
            this.association = created.association;
        }

        this.registerOutputs({
            artifactBucket: bucketName,
            topicArn: this.topic?.arn,
            calendarName: this.calendar?.name,
            calendarArn: this.calendar?.arn,
            approverCalendarName: this.approverCalendar?.name,
            approverRoleArn: this.approverRole?.roleArn,
            requesterRoleArn: this.requesterRole?.roleArn,
            patchDocument: this.patchDocument?.name,
            rollbackDocument: this.rollbackDocument?.name,
            installOverrideListUrl: this.installOverrideListUrl,
        });
    }

    /**
     * The runbook maintenance windows' Install tasks run (documents/automation-run-patch-baseline.yaml,
     * the multi-account runbook's content, in this account and Region) and the role it runs as:
     * GetCalendarState on the calendar, AWS-RunPatchBaseline on this account's nodes, nothing else.
     */
    private windowInstallRunbook(name: string, args: ChangeSafetyArgs, calendarName: string, calendarArn: pulumi.Output<string>, account: pulumi.Output<string>, partition: pulumi.Output<string>): WindowApprovalGate {
        const names = changeSafetyNames(args.project, args.stack);
        const document = new aws.ssm.Document(
            `${name}-window-runbook`,
            { name: `${names.prefix}-gated-run-patch-baseline`, documentType: "Automation", documentFormat: "YAML", content: runbookContent(), tags: args.tags },
            { parent: this },
        );
        const ssm = (resource: string, withAccount = true) => pulumi.interpolate`arn:${partition}:ssm:${args.region}:${withAccount ? account : ""}:${resource}`;
        const role = new aws.iam.Role(
            `${name}-window-install-role`,
            {
                name: `${names.prefix}-window-install`,
                description: `Runs ${names.prefix}-gated-run-patch-baseline for ${args.stack}'s maintenance-window installs: calendar check, then AWS-RunPatchBaseline`,
                assumeRolePolicy: pulumi.all([account, partition]).apply(([a, p]) => JSON.stringify({ Version: "2012-10-17", Statement: [ssmAutomationTrustStatement(a, p, args.region)] })),
                tags: args.tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-window-install-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "AssertCalendarOpen", Effect: "Allow", Action: "ssm:GetCalendarState", Resource: calendarArn },
                        {
                            Sid: "RunPatchBaseline",
                            Effect: "Allow",
                            Action: "ssm:SendCommand",
                            Resource: [ssm(`document/${RUN_PATCH_BASELINE}`, false), pulumi.interpolate`arn:${partition}:ec2:${args.region}:${account}:instance/*`, ssm("managed-instance/*")],
                        },
                        // aws:runCommand follows its command; these take no resource-level permissions.
                        { Sid: "FollowCommand", Effect: "Allow", Action: ["ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:DescribeInstanceInformation"], Resource: "*" },
                    ],
                }),
            },
            { parent: this },
        );
        // The role's policy before any window task starts the runbook.
        return { documentName: document.name, automationRoleArn: pulumi.all([role.arn, policy.id]).apply(([arn]) => arn), calendarName, owner: account };
    }

    private gatedInstall(
        name: string,
        args: ChangeSafetyArgs,
        install: GatedInstallConfig,
        ctx: {
            names: ReturnType<typeof changeSafetyNames>;
            arn: (service: string, resource: pulumi.Input<string>, withAccount?: boolean) => pulumi.Output<string>;
            account: pulumi.Output<string>;
            partition: pulumi.Output<string>;
            bucketName: pulumi.Output<string>;
            lambdaCommon: { region: string; accountId: pulumi.Output<string>; partition: pulumi.Output<string>; tags: Record<string, string>; alarmTopicArn: pulumi.Output<string>; alarmTopicKeyArn?: pulumi.Output<string> };
        },
    ): { patchDocument: aws.ssm.Document; rollbackDocument?: aws.ssm.Document; role: aws.iam.Role; association: awsNative.ssm.Association } {
        const { names, arn, account, partition } = ctx;
        const snapshots = install.snapshots.volumes !== "none";
        const document = (suffix: string, docName: string, file: string) =>
            new aws.ssm.Document(
                `${name}-${suffix}`,
                { name: docName, documentType: "Automation", documentFormat: "YAML", content: documentContent(file), tags: args.tags },
                { parent: this },
            );
        // Without snapshots the same document runs (hybrid-node path skips nothing it needs).
        const patchDocument = document("patch-document", names.patchDocument, "patch-with-snapshots.yaml");
        const rollbackDocument = snapshots ? document("rollback-document", names.rollbackDocument, "rollback-root-volume.yaml") : undefined;

        const instanceArn = arn("ec2", "instance/*");
        const hybridArn = arn("ssm", "managed-instance/*");
        const volumeArn = arn("ec2", "volume/*");
        const snapshotArn = arn("ec2", "snapshot/*", false);
        const ec2Tags = targetTagConditions(install, (k) => `aws:ResourceTag/${k}`);
        const ssmTags = targetTagConditions(install, (k) => `ssm:resourceTag/${k}`);
        const onTargets = (tags: Record<string, string[]> | undefined) => (tags ? { Condition: { StringEquals: tags } } : {});
        const statements: aws.iam.PolicyStatement[] = [
            {
                Sid: "Describe",
                Effect: "Allow",
                // Describe and command-status calls take no resource-level permissions.
                Action: ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:ListCommands", "ssm:ListCommandInvocations", ...(snapshots ? ["ec2:DescribeSnapshots", "ec2:DescribeReplaceRootVolumeTasks"] : [])],
                Resource: "*",
            },
            { Sid: "RunPatchBaselineDocument", Effect: "Allow", Action: "ssm:SendCommand", Resource: arn("ssm", "document/AWS-RunPatchBaseline", false) },
            { Sid: "RunPatchBaselineOnTargets", Effect: "Allow", Action: "ssm:SendCommand", Resource: [instanceArn, hybridArn], ...onTargets(ssmTags) },
        ];
        if (snapshots) {
            statements.push(
                { Sid: "SnapshotAndRestoreTargets", Effect: "Allow", Action: ["ec2:CreateSnapshots", "ec2:CreateReplaceRootVolumeTask"], Resource: instanceArn, ...onTargets(ec2Tags) },
                { Sid: "SnapshotAndRestoreVolumes", Effect: "Allow", Action: ["ec2:CreateSnapshots", "ec2:CreateReplaceRootVolumeTask"], Resource: [volumeArn, snapshotArn] },
                {
                    Sid: "TagOnCreate",
                    Effect: "Allow",
                    Action: "ec2:CreateTags",
                    Resource: [snapshotArn, arn("ec2", "replace-root-volume-task/*")],
                    Condition: { StringEquals: { "ec2:CreateAction": ["CreateSnapshots", "CreateReplaceRootVolumeTask"] } },
                },
            );
        }
        const role = new aws.iam.Role(
            `${name}-automation-role`,
            {
                name: names.automationRole,
                description: `Runs ${names.patchDocument}${snapshots ? ` and ${names.rollbackDocument}` : ""} for ${args.stack}`,
                // Systems Manager Automation of this account and Region only (the shared trust statement).
                assumeRolePolicy: pulumi
                    .all([account, partition])
                    .apply(([a, p]) => JSON.stringify({ Version: "2012-10-17", Statement: [ssmAutomationTrustStatement(a, p, args.region)] })),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-automation-policy`, { role: role.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) }, { parent: this });

        const provider = new awsNative.Provider(`${name}-aws-native`, { region: args.region as awsNative.Region }, { parent: this });
        const params: Record<string, pulumi.Input<pulumi.Input<string>[]>> = {
            AutomationAssumeRole: [role.arn],
            StackName: [args.stack],
            RebootOption: [install.rebootOption],
            TakeSnapshots: [String(snapshots)],
            ExcludeDataVolumes: [String(install.snapshots.volumes !== "all")],
            RetentionDays: [String(install.snapshots.retentionDays)],
            InstallOverrideList: [this.installOverrideListUrl ?? ""],
            BaselineOverride: [args.baselineOverride ?? ""],
            OutputS3BucketName: [ctx.bucketName],
            OutputS3KeyPrefix: [`command-output/${args.stack}/gated-install`],
        };
        const association = new awsNative.ssm.Association(
            `${name}-association`,
            {
                associationName: names.association,
                name: patchDocument.name,
                targets: install.targets.map((t) => ({ key: t.key, values: t.values })),
                automationTargetParameterName: "InstanceId",
                parameters: params,
                scheduleExpression: install.schedule,
                scheduleOffset: install.scheduleOffset,
                applyOnlyAtCronInterval: true,
                maxConcurrency: install.maxConcurrency,
                maxErrors: install.maxErrors,
                calendarNames: this.calendar ? [this.calendar.arn] : undefined,
                complianceSeverity: "CRITICAL",
                tags: nativeTags(args.tags),
            },
            { parent: this, provider, dependsOn: [role] },
        );

        if (snapshots) {
            new ScheduledLambda(
                `${name}-retention`,
                {
                    entry: "lambda/snapshotRetention.ts",
                    timeoutSeconds: 300,
                    functionName: names.retentionFunction,
                    description: `Deletes ${args.stack}'s pre-patch snapshots older than their RetentionDays tag`,
                    statements: [
                        { Sid: "ListSnapshots", Effect: "Allow", Action: "ec2:DescribeSnapshots", Resource: "*" },
                        {
                            Sid: "DeleteOwnPrePatchSnapshots",
                            Effect: "Allow",
                            Action: "ec2:DeleteSnapshot",
                            Resource: arn("ec2", "snapshot/*", false),
                            Condition: { StringEquals: { "aws:ResourceTag/PatchSnapshot": "pre-patch", "aws:ResourceTag/PatchStack": args.stack } },
                        },
                    ],
                    environment: { STACK: args.stack, DEFAULT_RETENTION_DAYS: String(install.snapshots.retentionDays) },
                    schedules: [{ suffix: CHANGE_SAFETY_SCHEDULES.retentionFunction[0], expression: "cron(30 4 * * ? *)", input: { source: "patching.snapshot-retention" }, description: `Expire ${args.stack}'s pre-patch snapshots` }],
                    ...ctx.lambdaCommon,
                },
                { parent: this },
            );
        }
        return { patchDocument, rollbackDocument, role, association };
    }
}
