/**
 * `patching:multiAccount` — multi-account, multi-Region patching with Systems Manager Automation
 * (seed 001): what this account is (management, member or both), the roles, the runbook, the
 * resource groups that name what is patched, where the automation runs (accounts/OUs × Regions),
 * when it runs, and (org mode) the StackSet that rolls the member role out to OUs.
 */
import { z } from "zod";
import { resourceQuery } from "../core/multiAccount";
import { isTimeZone, schedulerScheduleProblems } from "../core/schedule";
import { installOverrideListSchema, maxConcurrencySchema, maxErrorsSchema, resourceGroupNameSchema, schedulerScheduleSchema, tagKeySchema, targetTagValueSchema } from "./fields";
import { boundedString, intInRange, matching, oneOf, strictObject } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import {
    ACCOUNT_ID_PATTERN,
    DEFAULT_ADMINISTRATION_ROLE_NAME,
    DEFAULT_EXECUTION_ROLE_NAME,
    CREATE_DOCUMENT_NAME_PATTERN,
    IAM_ROLE_NAME_PATTERN,
    MAX_TAG_FILTER_VALUES,
    MAX_TARGET_LOCATION_ACCOUNTS,
    MAX_TARGET_LOCATION_REGIONS,
    MAX_TARGET_LOCATIONS,
    ORGANIZATION_ID_PATTERN,
    OU_ID_PATTERN,
    PATCH_OPERATIONS,
    PATCHABLE_RESOURCE_TYPES,
    REBOOT_OPTIONS,
    REGION_PATTERN,
    RESERVED_DOCUMENT_PREFIXES,
    RESOURCE_GROUP_DESCRIPTION_PATTERN,
    RESOURCE_QUERY_MAX,
    ROOT_ID_PATTERN,
    SCHEDULER_DESCRIPTION_MAX,
    SCHEDULER_NAME_PATTERN,
    STACKSET_CALL_AS,
} from "./rules";

/** What a stack's account is in multi-account patching. */
export const ACCOUNT_ROLES = ["management", "member", "both"] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Rate control of a target location when none is configured (also the single-account default). */
export const DEFAULT_LOCATION_RATE = { maxConcurrency: "10%", maxErrors: "0" } as const;

const region = matching(REGION_PATTERN, "an AWS Region name such as us-east-1 or eu-west-1");
const accountId = matching(ACCOUNT_ID_PATTERN, "a 12-digit AWS account id (Organizations AccountId ^\\d{12}$)");
const accountOrOu = z
    .string({ error: "must be a 12-digit account id or an OU id (ou-…)" })
    .refine((s) => ACCOUNT_ID_PATTERN.test(s) || OU_ID_PATTERN.test(s), {
        error: "must be a 12-digit account id or an OU id matching ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$ (botocore SSM TargetLocation.Accounts)",
    });
const ouOrRoot = z
    .string({ error: "must be an OU id (ou-…) or the root id (r-…)" })
    .refine((s) => OU_ID_PATTERN.test(s) || ROOT_ID_PATTERN.test(s), {
        error: "must be an OU id matching ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$ or a root id matching ^r-[0-9a-z]{4,32}$ (CloudFormation DeploymentTargets.OrganizationalUnitIds)",
    });
const roleName = matching(IAM_ROLE_NAME_PATTERN, "an IAM role name: 1–64 letters, digits or + = , . @ _ - (IAM CreateRole RoleName)");
const regionList = (what: string) =>
    z
        .array(region, { error: "must be a list of Region names" })
        .min(1, { error: `needs 1–${MAX_TARGET_LOCATION_REGIONS} Regions (${what})` })
        .max(MAX_TARGET_LOCATION_REGIONS, { error: `takes at most ${MAX_TARGET_LOCATION_REGIONS} Regions (${what})` });

export const resourceGroupSchema = strictObject({
    /** Group name, the same in every target account and Region (the automation targets it by name). */
    name: resourceGroupNameSchema,
    /** Free text: letters, digits, spaces, _ . - only, ≤ 1024 chars. */
    description: matching(RESOURCE_GROUP_DESCRIPTION_PATTERN, "≤ 1024 letters, digits, spaces, _ . - (Resource Groups GroupDescription)").optional(),
    /** Resource types the group holds. @default ["AWS::EC2::Instance"] */
    resourceTypes: z
        .array(oneOf(PATCHABLE_RESOURCE_TYPES, "resource types Automation can patch"), { error: "must be a list of resource types" })
        .min(1, { error: "needs at least one resource type" })
        .default(["AWS::EC2::Instance"]),
    /** Tag key → accepted values (any of them; an empty list matches any value). Keys are ANDed. */
    tagFilters: z
        .record(
            tagKeySchema,
            z
                .array(targetTagValueSchema, { error: "must be a list of tag values" })
                .max(MAX_TAG_FILTER_VALUES, { error: `at most ${MAX_TAG_FILTER_VALUES} values per tag key (Resource Groups TagFilter.Values)` }),
            { error: "must be a map of tag key to a list of values, e.g. { Name: [WebServers] }" },
        )
        .refine((m) => Object.keys(m).length >= 1, { error: "needs at least one tag key: a group without tag filters would hold every instance" }),
});
export type ResourceGroupConfig = z.infer<typeof resourceGroupSchema>;

/** The `TAG_FILTERS_1_0` query text of a raw group entry, as the program sends it (defaults applied). */
export function resourceQueryText(raw: Record<string, unknown>): string {
    const types = Array.isArray(raw.resourceTypes) ? (raw.resourceTypes as string[]) : ["AWS::EC2::Instance"];
    return JSON.stringify(resourceQuery({ resourceTypes: types, tagFilters: asRecord(raw.tagFilters) as Record<string, string[]> }));
}

/** The problem with a group's query length, if any (Resource Groups ResourceQuery.Query: at most 4096 characters). */
export function resourceQueryLengthProblem(raw: Record<string, unknown>): string | undefined {
    const query = resourceQueryText(raw);
    return query.length > RESOURCE_QUERY_MAX ? `makes a resource query of ${query.length} characters; the limit is ${RESOURCE_QUERY_MAX} (Resource Groups ResourceQuery.Query)` : undefined;
}

export const targetLocationSchema = strictObject({
    /** Account ids and/or OU ids to run in. */
    accounts: z
        .array(accountOrOu, { error: "must be a list of account ids or OU ids" })
        .min(1, { error: `needs 1–${MAX_TARGET_LOCATION_ACCOUNTS} accounts or OUs (botocore SSM TargetLocation.Accounts)` })
        .max(MAX_TARGET_LOCATION_ACCOUNTS, { error: `takes at most ${MAX_TARGET_LOCATION_ACCOUNTS} accounts or OUs (botocore SSM TargetLocation.Accounts)` }),
    /** Regions to run in, in each of those accounts. */
    regions: regionList("botocore SSM TargetLocation.Regions"),
    /** Accounts or OUs to leave out (of the OUs above). */
    excludeAccounts: z.array(accountOrOu, { error: "must be a list of account ids or OU ids" }).default([]),
    /** How many account-Region pairs run at once. @default "10%" */
    maxConcurrency: maxConcurrencySchema.default(DEFAULT_LOCATION_RATE.maxConcurrency),
    /** Failed account-Region pairs before no new ones start. @default "0" */
    maxErrors: maxErrorsSchema.default(DEFAULT_LOCATION_RATE.maxErrors),
});
export type TargetLocationConfig = z.infer<typeof targetLocationSchema>;

export const automationScheduleSchema = strictObject({
    /** EventBridge Scheduler schedule name, `^[0-9a-zA-Z-_.]{1,64}$`. */
    name: matching(SCHEDULER_NAME_PATTERN, "1–64 letters, digits, _ . - (EventBridge Scheduler Name)"),
    /** Free text, ≤ 512 characters. */
    description: boundedString(1, SCHEDULER_DESCRIPTION_MAX, "EventBridge Scheduler Description").optional(),
    /** AWS-RunPatchBaseline operation. */
    operation: oneOf(PATCH_OPERATIONS, "AWS-RunPatchBaseline Operation"),
    /** Reboot after installing. @default RebootIfNeeded */
    rebootOption: oneOf(REBOOT_OPTIONS, "AWS-RunPatchBaseline RebootOption").default("RebootIfNeeded"),
    /** Name of the resource group (from `resourceGroups`) whose instances are patched. */
    resourceGroup: z.string({ error: "must name one of resourceGroups" }),
    /** `cron(m h dom mon dow y)`, `rate(n unit)` or `at(yyyy-mm-ddThh:mm:ss)` (EventBridge Scheduler). */
    schedule: schedulerScheduleSchema,
    /** IANA time zone the schedule is read in. @default UTC */
    timezone: z.string({ error: "must be an IANA time zone such as Asia/Tokyo" }).default("UTC"),
    /** Instances patched at once in each account-Region pair. @default "10%" */
    maxConcurrency: maxConcurrencySchema.default("10%"),
    /** Failed instances in an account-Region pair before no new ones start. @default "1" */
    maxErrors: maxErrorsSchema.default("1"),
    /** Install only: an https:// or s3:// URL of a patch list overriding the baseline. */
    installOverrideList: installOverrideListSchema.optional(),
    /** Create the schedule disabled when false. @default true */
    enabled: z.boolean({ error: "must be true or false" }).default(true),
});
export type AutomationScheduleConfig = z.infer<typeof automationScheduleSchema>;

export const organizationDeploymentSchema = strictObject({
    /** OUs (or the root) whose accounts get the execution role and resource groups. */
    organizationalUnits: z
        .array(ouOrRoot, { error: "must be a list of OU ids or the root id" })
        .min(1, { error: "needs at least one OU or the root id" }),
    /** Regions where the resource groups are created; the role is created once, in `aws:region`. */
    regions: regionList("CloudFormation StackSet instance Regions"),
    /** SELF from the organization's management account, DELEGATED_ADMIN from a delegated administrator. @default SELF */
    callAs: oneOf(STACKSET_CALL_AS, "CloudFormation CallAs").default("SELF"),
    /** Accounts deployed at once, in percent. @default 25 */
    maxConcurrentPercentage: intInRange(1, 100, "CloudFormation MaxConcurrentPercentage").default(25),
    /** Failed accounts tolerated per Region, in percent. @default 0 */
    failureTolerancePercentage: intInRange(0, 100, "CloudFormation FailureTolerancePercentage").default(0),
    /** Keep the member stacks when an account leaves the OUs. @default false */
    retainStacksOnAccountRemoval: z.boolean({ error: "must be true or false" }).default(false),
});
export type OrganizationDeploymentConfig = z.infer<typeof organizationDeploymentSchema>;

export const multiAccountSchema = strictObject({
    /** `management` runs the automation, `member` is patched by it, `both` is a single-account stack. */
    accountRole: oneOf(ACCOUNT_ROLES, "management, member or both"),
    /** Member stacks: the account that runs the automation. */
    managementAccountId: accountId.optional(),
    /** The AWS Organizations id; needed when OUs are targeted. */
    organizationId: matching(ORGANIZATION_ID_PATTERN, "an organization id matching ^o-[a-z0-9]{10,32}$").optional(),
    /** @default AWS-SystemsManager-AutomationAdministrationRole */
    administrationRoleName: roleName.default(DEFAULT_ADMINISTRATION_ROLE_NAME),
    /** @default AWS-SystemsManager-AutomationExecutionRole */
    executionRoleName: roleName.default(DEFAULT_EXECUTION_ROLE_NAME),
    /** Name of the Automation runbook. @default Automation-RunPatchBaseline */
    documentName: matching(CREATE_DOCUMENT_NAME_PATTERN, "3–128 letters, digits, _ - . (botocore SSM DocumentName)").default("Automation-RunPatchBaseline"),
    /** Groups of instances to patch, created in every member account and Region. */
    resourceGroups: z.array(resourceGroupSchema, { error: "must be a list of resource groups" }).default([]),
    /** Member and both: Regions where this account's resource groups are created. @default [aws:region] */
    memberRegions: regionList("Regions of this account's instances").optional(),
    /** Management: where the automation runs. Both: defaults to this account in memberRegions. */
    targetLocations: z
        .array(targetLocationSchema, { error: "must be a list of target locations" })
        .max(MAX_TARGET_LOCATIONS, { error: `at most ${MAX_TARGET_LOCATIONS} target locations (botocore SSM TargetLocations)` })
        .default([]),
    /** Management and both: when the automation starts. */
    schedules: z.array(automationScheduleSchema, { error: "must be a list of schedules" }).default([]),
    /** Management and both: roll the member role and resource groups out to OUs with a StackSet. */
    organizationDeployment: organizationDeploymentSchema.optional(),
});
export type MultiAccountConfig = z.infer<typeof multiAccountSchema>;

/** True when the stack runs the automation. */
export function isManagement(role: AccountRole): boolean {
    return role === "management" || role === "both";
}
/** True when the stack's account is patched by the automation. */
export function isMember(role: AccountRole): boolean {
    return role === "member" || role === "both";
}

/** Problems of an EventBridge Scheduler expression (empty when valid): the Scheduler dialect of core/schedule.ts. */
export const schedulerExpressionProblems = schedulerScheduleProblems;

function duplicates(values: unknown[]): Set<string> {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const v of values) {
        if (typeof v !== "string") continue;
        if (seen.has(v)) dup.add(v);
        seen.add(v);
    }
    return dup;
}

function checkUnique(sink: IssueSink, path: string, list: unknown, what: string): void {
    const items = asArray(list);
    const dup = duplicates(items);
    items.forEach((v, i) => {
        if (typeof v === "string" && dup.has(v) && items.indexOf(v) !== i) sink.add(`${path}[${i}]`, `is listed twice; each ${what} once`, v);
    });
}

/**
 * Cross-field rules of `patching:multiAccount`, read from the raw input so every problem is
 * reported even where a field failed its own schema.
 */
export function checkMultiAccount(sink: IssueSink, path: string, raw: unknown): void {
    if (raw === undefined) return;
    const m = asRecord(raw);
    const role = m.accountRole;
    const known = typeof role === "string" && (ACCOUNT_ROLES as readonly string[]).includes(role);
    const management = known && isManagement(role as AccountRole);
    const member = known && isMember(role as AccountRole);

    // Who is who.
    if (role === "member" && m.managementAccountId === undefined) {
        sink.add(`${path}.managementAccountId`, "is required for a member stack: the execution role trusts the administration role of that account");
    }
    if (management && m.managementAccountId !== undefined) {
        sink.add(`${path}.managementAccountId`, `is only read by member stacks; a ${role} stack is the management account itself`, m.managementAccountId);
    }
    const adminName = m.administrationRoleName ?? DEFAULT_ADMINISTRATION_ROLE_NAME;
    const execName = m.executionRoleName ?? DEFAULT_EXECUTION_ROLE_NAME;
    if (typeof adminName === "string" && adminName === execName) {
        sink.add(`${path}.executionRoleName`, "must differ from administrationRoleName (both roles exist in a single-account stack)", m.executionRoleName);
    }
    if (typeof m.documentName === "string") {
        const lower = m.documentName.toLowerCase();
        const reserved = RESERVED_DOCUMENT_PREFIXES.find((p) => lower.startsWith(p.toLowerCase()));
        if (reserved) sink.add(`${path}.documentName`, `must not start with "${reserved}" (reserved by AWS: aws, amazon, amzn, AWSEC2, AWSConfigRemediation, AWSSupport)`, m.documentName);
    }

    // Management-only keys on a member stack.
    if (role === "member") {
        for (const key of ["targetLocations", "schedules", "organizationDeployment"] as const) {
            const v = m[key];
            if (v !== undefined && !(Array.isArray(v) && v.length === 0)) sink.add(`${path}.${key}`, "is only read by management (or both) stacks: a member account does not start automations", v);
        }
    }
    if (role === "management" && m.memberRegions !== undefined) {
        sink.add(`${path}.memberRegions`, "is only read by member (or both) stacks; org mode takes its Regions from organizationDeployment.regions", m.memberRegions);
    }

    // Targets.
    const locations = asArray(m.targetLocations);
    if (role === "management" && locations.length === 0) {
        sink.add(`${path}.targetLocations`, "a management stack needs at least one target location (accounts or OUs × Regions)");
    }
    let targetsOus = false;
    locations.forEach((loc, i) => {
        const l = asRecord(loc);
        const at = `${path}.targetLocations[${i}]`;
        checkUnique(sink, `${at}.accounts`, l.accounts, "account or OU");
        checkUnique(sink, `${at}.regions`, l.regions, "Region");
        const accounts = asArray(l.accounts).filter((a): a is string => typeof a === "string");
        if (accounts.some((a) => OU_ID_PATTERN.test(a))) targetsOus = true;
        asArray(l.excludeAccounts).forEach((x, j) => {
            if (typeof x === "string" && accounts.includes(x)) sink.add(`${at}.excludeAccounts[${j}]`, "is also listed in accounts; an account cannot be both targeted and excluded", x);
        });
        if (asArray(l.excludeAccounts).length > 0 && !accounts.some((a) => OU_ID_PATTERN.test(a))) {
            sink.add(`${at}.excludeAccounts`, "only narrows OU targets; this location lists no OU, so list the accounts you want instead", l.excludeAccounts);
        }
    });
    if (targetsOus && m.organizationId === undefined) {
        sink.add(`${path}.organizationId`, "is required when a target location names an OU: the administration role may then assume the execution role only inside this organization (aws:ResourceOrgID)");
    }

    // Resource groups.
    const groups = asArray(m.resourceGroups);
    const groupNames = groups.map((g) => asRecord(g).name);
    if (member && groups.length === 0) {
        sink.add(`${path}.resourceGroups`, `a ${role} stack needs at least one resource group: the automation targets instances by resource group`);
    }
    if (m.organizationDeployment !== undefined && groups.length === 0) {
        sink.add(`${path}.resourceGroups`, "organizationDeployment creates the resource groups in every member account; list at least one");
    }
    const dupGroups = duplicates(groupNames);
    groups.forEach((g, i) => {
        const r = asRecord(g);
        const at = `${path}.resourceGroups[${i}]`;
        if (typeof r.name === "string") {
            if (dupGroups.has(r.name) && groupNames.indexOf(r.name) !== i) sink.add(`${at}.name`, "is used by another resource group; names are unique per account and Region", r.name);
        }
        const tooLong = resourceQueryLengthProblem(r);
        if (tooLong) sink.add(`${at}.tagFilters`, tooLong);
        checkUnique(sink, `${at}.resourceTypes`, r.resourceTypes, "resource type");
    });
    checkUnique(sink, `${path}.memberRegions`, m.memberRegions, "Region");

    // Schedules.
    const schedules = asArray(m.schedules);
    const dupSchedules = duplicates(schedules.map((s) => asRecord(s).name));
    schedules.forEach((s, i) => {
        const r = asRecord(s);
        const at = `${path}.schedules[${i}]`;
        if (typeof r.name === "string" && dupSchedules.has(r.name) && schedules.findIndex((x) => asRecord(x).name === r.name) !== i) {
            sink.add(`${at}.name`, "is used by another schedule; names are unique in the schedule group", r.name);
        }
        if (typeof r.resourceGroup === "string" && !groupNames.includes(r.resourceGroup)) {
            sink.add(`${at}.resourceGroup`, `must name one of resourceGroups (${groupNames.filter((n) => typeof n === "string").join(", ") || "none configured"})`, r.resourceGroup);
        }
        if (typeof r.timezone === "string" && !isTimeZone(r.timezone)) sink.add(`${at}.timezone`, "must be an IANA time zone name such as UTC, Asia/Tokyo or Europe/Berlin", r.timezone);
        if (r.installOverrideList !== undefined && r.operation === "Scan") {
            sink.add(`${at}.installOverrideList`, "is only used by Install; a Scan ignores it (AWS-RunPatchBaseline InstallOverrideList)", r.installOverrideList);
        }
    });

    // Org mode.
    if (m.organizationDeployment !== undefined) {
        const o = asRecord(m.organizationDeployment);
        checkUnique(sink, `${path}.organizationDeployment.organizationalUnits`, o.organizationalUnits, "OU");
        checkUnique(sink, `${path}.organizationDeployment.regions`, o.regions, "Region");
    }
}
