/**
 * `patching:changeSafety`: how a patch travels from an earlier stage (dev) to this stack, and what
 * holds it back — the release-calendar order check, the promotion strategy (approval-date
 * promotion or a pinned install list), the approval gate, and the gated install that snapshots
 * volumes first.
 *
 * The cross-stack rule (this stack never installs before the earlier stage of the same release
 * cycle) needs the earlier stack's config; {@link checkPromotionOrder} receives it already parsed
 * through the same model (`config/index.ts` loads `Pulumi.<after>.yaml`).
 */
import { z } from "zod";
import { computeCalendar, DEFAULT_CYCLE, findInversions, ScheduleSource } from "../core/calendar";
import { formatRun, isTimeZone, parseSchedule } from "../core/schedule";
import { maxConcurrencySchema, maxErrorsSchema, patchGroupNameSchema, schedulerScheduleSchema, stateManagerScheduleSchema, targetValueList, targetValueProblems } from "./fields";
import { intInRange, matching, oneOf, strictObject } from "./common";
import { promotionFixText, suggestPromotionFix } from "./promotionFix";
import { asArray, asRecord, IssueSink } from "./issues";
import {
    CLOCK_TIME_PATTERN,
    EMAIL_PATTERN,
    MAX_ASSOCIATION_TARGETS,
    OS_WITHOUT_APPROVAL_DELAY,
    ROLE_ARN_PATTERN,
    S3_OBJECT_KEY_MAX,
    S3_OBJECT_KEY_PATTERN,
    SNAPSHOT_RETENTION_MAX_DAYS,
    STACK_NAME_PATTERN,
    TARGET_KEY_PATTERN,
} from "./rules";

/** EventBridge Scheduler expressions (scheduled Lambdas) and State Manager schedules: one grammar each (config/fields.ts). */
const schedulerExpression = schedulerScheduleSchema;
const associationSchedule = stateManagerScheduleSchema;

const timeZone = z.string({ error: "must be an IANA time zone such as UTC or Europe/Berlin" }).refine(isTimeZone, { error: "must be an IANA time zone such as UTC, Asia/Tokyo or America/New_York" });

const stackName = matching(STACK_NAME_PATTERN, "a stack name: 1–100 letters, digits, _ . - (the stack file is Pulumi.<name>.yaml)");

export const cycleSchema = strictObject({
    /** Wall-clock release time on Patch Tuesday. @default "10:00" */
    time: matching(CLOCK_TIME_PATTERN, "a 24-hour time HH:MM").default(DEFAULT_CYCLE.time),
    /** Zone of `time`. @default "America/Los_Angeles" (Microsoft's release time) */
    timezone: timeZone.default(DEFAULT_CYCLE.timezone),
});

export const approvalDateSchema = strictObject({
    /** Names of this stack's baselines whose approveUntilDate the promotion Lambda moves forward. */
    baselines: z
        .array(z.string({ error: "must be a baseline name" }), { error: "must be a list of baseline names of this stack" })
        .min(1, { error: "needs at least one baseline of this stack to promote" })
        .max(50, { error: "at most 50 baselines" }),
    /** When the promotion Lambda checks dev (EventBridge Scheduler, UTC). @default "cron(0 6 * * ? *)" */
    schedule: schedulerExpression.default("cron(0 6 * * ? *)"),
    /** Share of dev instances that must be compliant for the promotion. @default 100 */
    minCompliantPercent: intInRange(1, 100, "percent of dev instances").default(100),
    /** Dev instances that must report patch compliance at all. @default 1 */
    minInstances: intInRange(1, 100000, "dev instances").default(1),
});

export const pinnedListSchema = strictObject({
    /** When the export Lambda reads what dev installed (EventBridge Scheduler, UTC). @default "cron(0 5 * * ? *)" */
    schedule: schedulerExpression.default("cron(0 5 * * ? *)"),
    /** Key of the InstallOverrideList this stack's install reads. @default "install-override-list/<stack>.yaml" */
    objectKey: z
        .string({ error: "must be an S3 object key" })
        .max(S3_OBJECT_KEY_MAX, { error: `must be at most ${S3_OBJECT_KEY_MAX} characters (S3 object key)` })
        .regex(S3_OBJECT_KEY_PATTERN, { error: "must be an S3 key of letters, digits and ! _ . * ' ( ) - separated by /" })
        .refine((k) => /\.ya?ml$/.test(k), { error: "must end in .yaml or .yml (AWS-RunPatchBaseline reads the list as YAML)" })
        .optional(),
});

export const promotionSchema = strictObject({
    /** The stage that installs first (its stack file `Pulumi.<after>.yaml` must be in the project). */
    after: stackName,
    /** Days this stack's first install of a cycle waits after the earlier stage's; a cycle lasts 28 or 35 days, so 28 and more fit no monthly schedule (the order check says so). @default 0 */
    minDaysAfter: intInRange(0, 60, "days").default(0),
    /** `calendar`: only the order check; `approvalDate` or `pinnedList`: also promote what dev proved. @default "calendar" */
    strategy: oneOf(["calendar", "approvalDate", "pinnedList"] as const, "promotion strategy").default("calendar"),
    /** Where the earlier stage's patch state is read. Required by approvalDate and pinnedList. */
    source: strictObject({
        /** Patch groups (values of the PatchGroup tag) of the earlier stage's instances. */
        patchGroups: z
            .array(patchGroupNameSchema, { error: "must be a list of patch groups" })
            .min(1, { error: "needs at least one patch group of the earlier stage" })
            .max(10, { error: "at most 10 patch groups" }),
        /** Role in the earlier stage's account to read its patch state (cross-account); same account when absent. */
        readRoleArn: matching(ROLE_ARN_PATTERN, "an IAM role ARN, arn:aws:iam::<12 digits>:role/<name>").optional(),
    }).optional(),
    approvalDate: approvalDateSchema.optional(),
    pinnedList: pinnedListSchema.optional(),
});

/** An IAM user or role ARN (a principal that may assume the approver role). */
export const IAM_PRINCIPAL_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(user|role)\/[\w+=,.@/-]{1,512}$/;
/** An IAM Identity Center permission set name (1–32 characters: letters, digits, + = , . @ -). */
export const PERMISSION_SET_NAME_PATTERN = /^[\w+=,.@-]{1,32}$/;

/** IAM users or roles (ARNs) that may assume an operator role (approver or requester). */
const operatorPrincipals = z.array(matching(IAM_PRINCIPAL_ARN_PATTERN, "an IAM user or role ARN, arn:aws:iam::<12 digits>:user/<name> or …:role/<name>"), { error: "must be a list of IAM user or role ARNs" }).max(20, { error: "at most 20 principals" }).default([]);
/** IAM Identity Center permission set names whose users may assume an operator role. */
const operatorPermissionSets = z.array(matching(PERMISSION_SET_NAME_PATTERN, "a permission set name (1–32 letters, digits, + = , . @ - _)"), { error: "must be a list of permission set names" }).max(10, { error: "at most 10 permission sets" }).default([]);

/** Who may request a release cycle's install: the principals trusted by the stack's dedicated requester role. */
export const requestersSchema = strictObject({
    /** IAM users or roles (ARNs) that may assume the requester role (`npm run approve -- --request`). */
    principals: operatorPrincipals,
    /** IAM Identity Center permission sets whose users may assume the requester role (same role pattern as the approvers'). */
    identityCenterPermissionSets: operatorPermissionSets,
});

/** Who may approve: the principals trusted by the stack's dedicated approver role. */
export const approversSchema = strictObject({
    /** IAM users or roles (ARNs) that may assume the approver role. */
    principals: operatorPrincipals,
    /**
     * IAM Identity Center permission sets whose users may assume it (in this account: the roles
     * `aws-reserved/sso.amazonaws.com/…/AWSReservedSSO_<name>_<suffix>` Identity Center provisions).
     */
    identityCenterPermissionSets: operatorPermissionSets,
    /** Require `aws:MultiFactorAuthPresent` of IAM users and roles assuming it (Identity Center enforces MFA at sign-in). @default true */
    requireMfa: z.boolean({ error: "must be true or false" }).default(true),
    /**
     * Two-person rule: the approver (the principal CloudTrail records for the approving calendar
     * change) must not be the requester (the STS caller identity that made the request): same role
     * session or IAM user, or the same session/user name under another role, is rejected, and so is
     * an approval when the requester was not recorded. @default false
     */
    twoPersonRule: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * Who may request a cycle's install as a person (a dedicated requester role, `requireMfa`
     * applies to it too). Required by `twoPersonRule`: under the rule only a session of this role
     * counts as a requester, never the gate function's scheduled request.
     */
    requesters: requestersSchema.optional(),
});

export const approvalGateSchema = strictObject({
    /** The dedicated approver role and who may assume it; without it, approvals are not authenticated (the review says so). */
    approvers: approversSchema.optional(),
    /** Addresses subscribed (email) to approval requests; each must confirm the subscription. */
    notifyEmails: z.array(matching(EMAIL_PATTERN, "an email address"), { error: "must be a list of email addresses" }).max(10, { error: "at most 10 addresses" }).default([]),
    /** When the approval request is sent (EventBridge Scheduler, UTC), e.g. the day dev installs. */
    requestSchedule: schedulerExpression,
    /** What happens when nobody approves within `afterHours` of the request. */
    timeout: strictObject({
        /** `skip`: the cycle's install does not run; `open`: the calendar opens by itself (audited). */
        action: oneOf(["skip", "open"] as const, "timeout action"),
        /** Hours after the request. @default 48 */
        afterHours: intInRange(1, 336, "hours").default(48),
    }).default({ action: "skip", afterHours: 48 }),
    /** Hours an approval (or an automatic opening) keeps the change calendar open. @default 24 */
    openHours: intInRange(1, 168, "hours").default(24),
});

export const gatedInstallSchema = strictObject({
    /** State Manager schedule of the install (UTC), e.g. "cron(0 2 ? * TUE#3 *)". */
    schedule: associationSchedule,
    /** Days after each cron occurrence (ScheduleOffset 1–6). */
    scheduleOffset: intInRange(1, 6, "botocore ScheduleOffset").optional(),
    /** Instances to install on (at most 5 targets). */
    targets: z
        .array(
            strictObject({
                key: matching(TARGET_KEY_PATTERN, "tag:<key>, tag-key, InstanceIds, resource-groups:Name or resource-groups:ResourceTypeFilters (botocore Target)"),
                values: targetValueList(z.string({ error: "target values are strings" }), "target values"),
            }).superRefine((t, ctx) => {
                // The key decides what its values must be (instance ids, group names, tag values).
                for (const p of targetValueProblems(t.key, t.values)) ctx.addIssue({ code: "custom", path: ["values", p.index], message: `${p.message} (${t.key} target)`, input: t.values[p.index] });
            }),
        )
        .min(1, { error: "needs 1–5 targets" })
        .max(MAX_ASSOCIATION_TARGETS, { error: "at most 5 targets (botocore Targets)" }),
    /** Instances patched at once. @default "10%" */
    maxConcurrency: maxConcurrencySchema.default("10%"),
    /** Failures before the install stops. @default "1" */
    maxErrors: maxErrorsSchema.default("1"),
    /** @default "RebootIfNeeded" */
    rebootOption: oneOf(["RebootIfNeeded", "NoReboot"] as const, "AWS-RunPatchBaseline RebootOption").default("RebootIfNeeded"),
    /** EBS snapshots taken before the install. */
    snapshots: strictObject({
        /** `root`: the root volume; `all`: every attached volume; `none`: no snapshot. @default "root" */
        volumes: oneOf(["root", "all", "none"] as const, "volumes to snapshot").default("root"),
        /** Days a pre-patch snapshot is kept before the retention sweep deletes it. @default 14 */
        retentionDays: intInRange(1, SNAPSHOT_RETENTION_MAX_DAYS, "days").default(14),
    }).default({ volumes: "root", retentionDays: 14 }),
});

export const changeSafetySchema = strictObject({
    /** Where release cycles start. @default Patch Tuesday 10:00 America/Los_Angeles */
    cycle: cycleSchema.default(DEFAULT_CYCLE),
    /** Months of runs the review shows and the order check covers. @default 12 */
    calendarMonths: intInRange(1, 36, "months").default(12),
    /** Zone the review shows the calendar in. @default "UTC" */
    displayTimezone: timeZone.default("UTC"),
    promotion: promotionSchema.optional(),
    approvalGate: approvalGateSchema.optional(),
    gatedInstall: gatedInstallSchema.optional(),
}).optional();

export type ChangeSafetyConfig = NonNullable<z.infer<typeof changeSafetySchema>>;
export type PromotionConfig = NonNullable<ChangeSafetyConfig["promotion"]>;
export type ApprovalGateConfig = NonNullable<ChangeSafetyConfig["approvalGate"]>;
export type GatedInstallConfig = NonNullable<ChangeSafetyConfig["gatedInstall"]>;

/** Names of what the change-safety components deploy (AWS names; also used by the operator scripts). */
export function changeSafetyNames(project: string, stack: string) {
    const p = `${project}-${stack}`;
    return {
        prefix: p,
        /**
         * Change calendar (ChangeCalendar document) holding the gated install — what every install
         * path checks. Under the two-person rule it is the release calendar: only the gate function
         * writes it, opening a period for an approval that passes every check.
         */
        calendar: `${p}-install-approval`,
        /** Under the two-person rule, the calendar the approver role writes (the approvals the gate judges and releases). */
        approverCalendar: `${p}-approvals`,
        patchDocument: `${p}-patch-with-snapshots`,
        rollbackDocument: `${p}-rollback-root-volume`,
        automationRole: `${p}-snapshot-install`,
        association: `${p}-gated-install`,
        topic: `${p}-change-safety`,
        promoteFunction: `${p}-promote-approval-date`,
        pinnedListFunction: `${p}-export-installed-patches`,
        gateFunction: `${p}-approval-gate`,
        /** The approver role: the only principal that may change the calendar. */
        approverRole: `${p}-approver`,
        /** The requester role: the only principal that may write a person's request into the gate state. */
        requesterRole: `${p}-requester`,
        retentionFunction: `${p}-snapshot-retention`,
    };
}

/**
 * Whether the approver writes a calendar of its own that no install checks (the two-person rule):
 * the gate function alone then opens the installs' calendar ({@link changeSafetyNames} `calendar`,
 * the release calendar), for approvals that pass every check. Without the rule the approver opens
 * the installs' calendar itself.
 */
export function separateApprovalCalendar(gate: { approvers?: { twoPersonRule?: boolean } } | undefined): boolean {
    return gate?.approvers?.twoPersonRule === true;
}

/** Default key of the pinned InstallOverrideList of a stack. */
export function defaultOverrideListKey(stack: string): string {
    return `install-override-list/${stack}.yaml`;
}

/**
 * Cross-field rules within this stack: the strategy's section and source are present, promoted
 * baselines exist and approve by date, the gate has an install to hold, the snapshot install has
 * what it needs. Reads raw input defensively so every problem is reported at once.
 */
export function checkChangeSafety(sink: IssueSink, path: string, raw: unknown, rawBaselines: unknown, stack: string, _project?: string, _rawPolicies?: unknown): void {
    const cs = asRecord(raw);
    // The names derived from <project>-<stack> are checked at their final length by config/resourceNames.ts.
    const promotion = cs.promotion === undefined ? undefined : asRecord(cs.promotion);
    if (promotion) {
        const p = `${path}.promotion`;
        if (promotion.after === stack) {
            sink.add(`${p}.after`, "names this stack itself; name the stage that installs before it (e.g. dev)", promotion.after);
        }
        const strategy = promotion.strategy ?? "calendar";
        if ((strategy === "approvalDate" || strategy === "pinnedList") && promotion.source === undefined) {
            sink.add(`${p}.source`, `is required by strategy ${strategy}: the earlier stage's patch groups whose patch state is read`);
        }
        if (strategy !== "approvalDate" && promotion.approvalDate !== undefined) {
            sink.add(`${p}.approvalDate`, `only applies to strategy approvalDate (strategy is ${String(strategy)})`, promotion.approvalDate);
        }
        if (strategy !== "pinnedList" && promotion.pinnedList !== undefined) {
            sink.add(`${p}.pinnedList`, `only applies to strategy pinnedList (strategy is ${String(strategy)})`, promotion.pinnedList);
        }
        if (strategy === "approvalDate") {
            if (promotion.approvalDate === undefined) sink.add(`${p}.approvalDate`, "is required by strategy approvalDate: the baselines to promote");
            const byName = new Map(asArray(rawBaselines).map((b) => [asRecord(b).name, asRecord(b)] as const));
            asArray(asRecord(promotion.approvalDate).baselines).forEach((name, i) => {
                const bp = `${p}.approvalDate.baselines[${i}]`;
                const b = byName.get(name);
                if (b === undefined) {
                    sink.add(bp, `is not a baseline of this stack; known: ${[...byName.keys()].filter((n) => typeof n === "string").join(", ") || "none"}`, name);
                    return;
                }
                if ((OS_WITHOUT_APPROVAL_DELAY as readonly unknown[]).includes(b.operatingSystem)) {
                    sink.add(bp, `${b.operatingSystem} baselines take no approveUntilDate, so they cannot be promoted by date; use strategy pinnedList for them`, name);
                    return;
                }
                const rules = asArray(b.approvalRules);
                if (rules.length === 0) sink.add(bp, "has no approval rules; promotion moves the approveUntilDate of its rules", name);
                rules.forEach((r, j) => {
                    if (asRecord(r).approveUntilDate === undefined) {
                        sink.add(bp, `approval rule ${j} uses ${asRecord(r).approveAfterDays !== undefined ? "approveAfterDays" : "no date"}; promoted baselines approve by approveUntilDate (set an initial date, the Lambda moves it)`, name);
                    }
                });
            });
        }
    }
    const gate = cs.approvalGate === undefined ? undefined : asRecord(cs.approvalGate);
    // An approval gate holding nothing is reported by checkApprovalGateHolds (config/approvalCalendars.ts) on the validated config.
    const approvers = gate?.approvers === undefined ? undefined : asRecord(gate.approvers);
    if (approvers && asArray(approvers.principals).length === 0 && asArray(approvers.identityCenterPermissionSets).length === 0) {
        sink.add(`${path}.approvalGate.approvers`, "trusts nobody: list principals (IAM user or role ARNs) and/or identityCenterPermissionSets that may assume the approver role");
    }
    const requesters = approvers?.requesters === undefined ? undefined : asRecord(approvers.requesters);
    if (requesters && asArray(requesters.principals).length === 0 && asArray(requesters.identityCenterPermissionSets).length === 0) {
        sink.add(`${path}.approvalGate.approvers.requesters`, "trusts nobody: list principals (IAM user or role ARNs) and/or identityCenterPermissionSets that may assume the requester role");
    }
    if (approvers?.twoPersonRule === true) {
        if (approvers.requesters === undefined) {
            sink.add(`${path}.approvalGate.approvers.twoPersonRule`, "needs approvers.requesters: under the rule a person requests each cycle (npm run approve -- --request) through the requester role, and another approves; without it no request can count and every install stays held", true);
        }
        if (asRecord(gate?.timeout).action === "open") {
            sink.add(`${path}.approvalGate.timeout.action`, "cannot be open with approvers.twoPersonRule: an automatic opening is approved by nobody; use skip", "open");
        }
    }
    const install = cs.gatedInstall === undefined ? undefined : asRecord(cs.gatedInstall);
    if (install && install.scheduleOffset !== undefined && typeof install.schedule === "string") {
        try {
            if (parseSchedule(install.schedule).kind !== "cron") sink.add(`${path}.gatedInstall.scheduleOffset`, "needs a cron schedule; rate and at schedules take no offset (botocore ScheduleOffset)", install.scheduleOffset);
        } catch {
            // the schedule's own error is reported by the schema
        }
    }
}

/** A stack's schedules, as the calendar reads them. */
export type SourcesOf = (stack: string, config: unknown) => ScheduleSource[];

/**
 * The cross-stack rule: over the calendar horizon, this stack's first install of every release
 * cycle comes after the earlier stage's (and at least `minDaysAfter` days after). Reports the
 * first inverted cycle with both schedules, and a fix proven on the same calendar
 * (config/promotionFix.ts): valid schedules that keep the order, or why none can.
 */
export function checkPromotionOrder(
    sink: IssueSink,
    path: string,
    opts: { stack: string; promotion: PromotionConfig; cs: ChangeSafetyConfig; sources: ScheduleSource[]; earlierSources: ScheduleSource[]; now: Date },
): void {
    const { stack, promotion, cs } = opts;
    const installs = (list: ScheduleSource[]) => list.filter((s) => s.operation === "install");
    if (installs(opts.sources).length === 0) return;
    const calendar = computeCalendar([...opts.earlierSources, ...opts.sources], { from: opts.now, months: cs.calendarMonths, cycle: cs.cycle });
    const inversions = findInversions(calendar, { earlier: promotion.after, later: stack, minDaysAfter: promotion.minDaysAfter });
    if (inversions.length === 0) return;
    const first = inversions[0];
    const describe = (list: ScheduleSource[]) =>
        installs(list)
            .map((s) => `${s.source} ${s.expression}${s.offsetDays ? ` +${s.offsetDays}d` : ""}${s.timezone && s.timezone !== "UTC" ? ` ${s.timezone}` : ""}`)
            .join("; ") || "none";
    sink.add(
        path,
        `${stack} can install before ${promotion.after} has proven the patches: ${inversions.length} of ${calendar.cycles.length} release cycle(s) are out of order. ` +
            `First: cycle ${first.cycle.id} (Patch Tuesday ${formatRun(first.cycle.patchTuesday).slice(0, 14)}): ${first.problem}. ` +
            `Schedules — ${promotion.after}: ${describe(opts.earlierSources)}; ${stack}: ${describe(opts.sources)}. ` +
            promotionFixText(suggestPromotionFix({ earlier: promotion.after, later: stack, minDaysAfter: promotion.minDaysAfter, earlierSources: opts.earlierSources, now: opts.now, cycle: cs.cycle }), {
                earlier: promotion.after,
                later: stack,
                minDaysAfter: promotion.minDaysAfter,
            }),
        inversions.map((i) => i.cycle.id),
    );
}
