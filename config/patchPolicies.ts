/**
 * `patching:patchPolicies`: Quick Setup-style patch policies, deployed either as State Manager
 * associations this stack owns (`mode: owned`) or as the genuine Quick Setup patch policy
 * (`mode: managed`, an `AWSQuickSetupType-PatchPolicy` configuration manager).
 *
 * Sources: botocore SSM `CreateAssociation` (targets, rate control, schedule offset, output
 * location), the AWS-RunPatchBaseline / AWS-RunPatchBaselineAssociation / AWS-RunPatchBaselineWithHooks
 * parameter references in the Systems Manager user guide (seeds 002 and 004), the Quick Setup API's
 * `AWSQuickSetupType-PatchPolicy` parameter list (CloudFormation AWS::SSMQuickSetup::ConfigurationManager),
 * and `core/schedule.ts` for what State Manager accepts as a schedule.
 */
import { z } from "zod";
import { parseSchedule } from "../core/schedule";
import {
    installOverrideListSchema,
    managedNodeIdSchema,
    maxConcurrencySchema,
    maxErrorsSchema,
    resourceGroupNameSchema,
    stateManagerScheduleSchema,
    tagKeySchema,
    tagTargetSchema,
    targetTagValueSchema,
    targetValueList,
} from "./fields";
import { intInRange, matching, oneOf, strictObject, tagsSchema } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import { groupBy } from "../core/collections";
import {
    ASSOCIATION_COMPLIANCE_SEVERITIES,
    ASSOCIATION_NAME_PATTERN,
    DOCUMENT_REF_PATTERN,
    MAX_ASSOCIATION_TARGETS,
    OU_ID_PATTERN,
    PATCH_DOCUMENTS,
    PatchDocument,
    REBOOT_OPTIONS,
    REGION_PATTERN,
    RESERVED_DOCUMENT_PREFIXES,
    S3_KEY_PREFIX_MAX,
    S3_KEY_PREFIX_PATTERN,
    s3BucketNameProblems,
    SCHEDULE_OFFSET_MAX,
    SCHEDULE_OFFSET_MIN,
    SNAPSHOT_ID_PATTERN,
    SYNC_COMPLIANCE_VALUES,
} from "./rules";

/**
 * A policy name: it prefixes association names (`<name>-InstallPatches`), document names and IAM
 * role names (≤ 64 characters with Pulumi's 8-character suffix), so it is kept short and may not
 * start with a prefix AWS reserves for document names.
 */
export const POLICY_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,40}$/;

/** The `<id>` of a `QSConfigName-<id>` tag key (the key stays within the 128-character tag key limit). */
export const NAME_TAG_CONFIG_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;
/** Quick Setup's name-tag key prefix (seed 000: `QSConfigName-<Quick Setup ID>`). */
export const NAME_TAG_KEY_PREFIX = "QSConfigName-";

/**
 * Which managed nodes a policy patches: Quick Setup's four choices (all nodes, tags, a resource
 * group, instance ids) without its one-key-one-value limit. Exactly one kind per policy; `tags`
 * and `tagKeys` may be combined (a node must match every listed tag; any of a tag's values).
 */
export const targetsSchema = strictObject({
    /** Every managed node in the region, EC2 and hybrid (`InstanceIds=*`). */
    allManagedNodes: z.boolean({ error: "must be true or false" }).optional(),
    /** Tag key → accepted values (`tag:<key>` targets); a node needs every key, any of its values. */
    tags: tagTargetSchema.optional(),
    /** Tag keys a node must carry, whatever the value (one `tag-key` target). */
    tagKeys: targetValueList(tagKeySchema, "tag keys").optional(),
    /** A resource group's name (`resource-groups:Name`). */
    resourceGroup: resourceGroupNameSchema.optional(),
    /** EC2 instance ids (`i-…`) and hybrid managed-node ids (`mi-…`). */
    instanceIds: targetValueList(managedNodeIdSchema, "instance ids").optional(),
});

const clock = matching(/^([01]\d|2[0-3]):[0-5]\d$/, "a UTC time of day written HH:MM (24-hour)");

const operationFields = {
    /** A State Manager schedule: `cron(…)` (every 30 min; 1/2/4/8/12 h; daily/weekly at a time), `rate(…)` ≥ 30 minutes, or `at(…)`. */
    schedule: stateManagerScheduleSchema.optional(),
    /**
     * Patch Tuesday (the second Tuesday of the month) plus this many days (0–20), at `time` UTC.
     * Compiles to `cron(M H ? * TUE#n *)` plus a schedule offset: see {@link compileSchedule}.
     */
    patchTuesdayPlusDays: intInRange(0, 20, "days after the second Tuesday; TUE#4 is the last occurrence every month has").optional(),
    /** Time of day (UTC) for `patchTuesdayPlusDays`. */
    time: clock.optional(),
    /** Days to wait after each cron occurrence (1–6); needs applyOnlyAtCronInterval and a cron schedule. */
    scheduleOffset: intInRange(SCHEDULE_OFFSET_MIN, SCHEDULE_OFFSET_MAX, "botocore ScheduleOffset").optional(),
    /** Run only at the schedule, not right after the association is created or updated. @default false for scan, true for install (cron only) */
    applyOnlyAtCronInterval: z.boolean({ error: "must be true or false" }).optional(),
    /** How many nodes run at once: a number or a percentage. @default "10%" */
    maxConcurrency: maxConcurrencySchema.default("10%"),
    /** Errors tolerated before the run stops: a number or a percentage. @default "5%" */
    maxErrors: maxErrorsSchema.default("5%"),
    /** Severity of the association's compliance item. @default UNSPECIFIED (owned mode only) */
    complianceSeverity: oneOf(ASSOCIATION_COMPLIANCE_SEVERITIES, "botocore ComplianceSeverity").optional(),
    /** AUTO: association status is compliance; MANUAL: the document reports it. @default AUTO; MANUAL for AWS-RunPatchBaselineAssociation (owned mode only) */
    syncCompliance: oneOf(SYNC_COMPLIANCE_VALUES, "botocore AssociationSyncCompliance").optional(),
    /** The association's exact name (owned mode), e.g. seed 002's `MyPatchAssociation`. @default `<policy>-ScanForPatches` / `<policy>-InstallPatches` */
    associationName: matching(ASSOCIATION_NAME_PATTERN, "3–128 letters, digits, _ - . (botocore AssociationName)").optional(),
};

export const scanSchema = strictObject(operationFields);
export const installSchema = strictObject({
    ...operationFields,
    /** Reboot after installing when a patch needs it, or never. @default RebootIfNeeded */
    rebootOption: oneOf(REBOOT_OPTIONS, "AWS-RunPatchBaseline RebootOption").default("RebootIfNeeded"),
    /** A YAML list of patches to install instead of the baseline's (https:// or s3:// URL); Scan ignores it. */
    installOverrideList: installOverrideListSchema.optional(),
});

const documentRef = matching(DOCUMENT_REF_PATTERN, "an SSM document name or ARN, 3–128 letters, digits, _ - . : / (botocore DocumentARN)");

export const patchPolicySchema = strictObject({
    /** Policy name: 3–40 letters, digits, `_ - .`; prefixes association, document and role names. */
    name: matching(POLICY_NAME_PATTERN, "3–40 letters, digits, _ - . (it prefixes association, document and IAM role names)"),
    /** `owned`: State Manager associations this stack owns; `managed`: the genuine Quick Setup patch policy. @default owned */
    mode: oneOf(["owned", "managed"] as const, "patch policy mode").default("owned"),
    /** Regions the policy patches. @default [aws:region] */
    regions: z.array(matching(REGION_PATTERN, "an AWS region name such as us-east-1"), { error: "must be a list of region names" }).min(1, { error: "needs at least one region" }).optional(),
    /** The Command document to run. @default AWS-RunPatchBaseline */
    document: oneOf(PATCH_DOCUMENTS, "patching Command documents").default("AWS-RunPatchBaseline"),
    /** Which nodes to patch. */
    targets: targetsSchema,
    /** The scan operation (always present: compliance needs it). */
    scan: scanSchema,
    /** The install operation; absent means scan only. */
    install: installSchema.optional(),
    /** Pass the override store's `baseline_overrides.json` as `BaselineOverride` (needs `patching:overrideStore`). @default false */
    useBaselineOverride: z.boolean({ error: "must be true or false" }).default(false),
    /** AWS-RunPatchBaselineAssociation only: use the custom baseline tagged `key` = one of `values`. */
    baselineTags: strictObject({
        /** Tag key on the baselines. */
        key: tagKeySchema,
        /** Accepted tag values. */
        values: targetValueList(targetTagValueSchema, "tag values"),
    }).optional(),
    /** AWS-RunPatchBaselineWithHooks only: documents run before install, after install, and on exit (after any reboot). */
    hooks: strictObject({
        /** `PreInstallHookDocName`. @default AWS-Noop */
        preInstall: documentRef.optional(),
        /** `PostInstallHookDocName`. @default AWS-Noop */
        postInstall: documentRef.optional(),
        /** `OnExitHookDocName`. @default AWS-Noop */
        onExit: documentRef.optional(),
    }).optional(),
    /** A patch snapshot id (GUID) to pin the install to (AWS-RunPatchBaseline `SnapshotId`). */
    snapshotId: matching(SNAPSHOT_ID_PATTERN, "a GUID such as 521c3536-930c-4aa9-950e-01234c9c3f70 (AWS-RunPatchBaseline SnapshotId)").optional(),
    /** Where command output goes. */
    output: strictObject({
        /** Command output in S3, prefixed `<keyPrefix>/<policy>/<scan|install>/<account>/<region>`. */
        s3: strictObject({
            /** Create a hardened bucket for the output. @default false */
            create: z.boolean({ error: "must be true or false" }).default(false),
            /** Bucket name: required for an existing bucket; optional when `create` (auto-named). */
            bucketName: z.string({ error: "must be a bucket name" }).optional(),
            /** Key prefix before `<policy>/<operation>/<account>/<region>`. @default "patching" */
            keyPrefix: matching(S3_KEY_PREFIX_PATTERN, "path segments of letters, digits and ! _ . * ' ( ) - separated by /, no leading or trailing /").default("patching"),
            /** Days to keep output in a created bucket. @default 90 */
            retentionDays: intInRange(1, 3650, "S3 lifecycle expiration days").optional(),
        }).optional(),
        /** Not supported: associations take only an S3 output location (see the README). */
        cloudWatchLogs: z.unknown().optional(),
    }).optional(),
    /** Instance role and profile, and the association that gives them to nodes. */
    instancePermissions: strictObject({
        /** Create an instance role + profile (AmazonSSMManagedInstanceCore + this policy's access). @default true */
        createInstanceProfile: z.boolean({ error: "must be true or false" }).default(true),
        /** Attach that profile to targeted EC2 instances that have none. @default true */
        attachToInstancesWithoutProfile: z.boolean({ error: "must be true or false" }).default(true),
        /** Also attach the policies to the roles of instances that already have a profile (Quick Setup's IsPolicyAttachAllowed). @default false */
        isPolicyAttachAllowed: z.boolean({ error: "must be true or false" }).default(false),
        /** How often the attach association runs. @default rate(1 day) */
        schedule: stateManagerScheduleSchema.default("rate(1 day)"),
    }).prefault({}),
    /** Hybrid (non-EC2, `mi-`) nodes are in scope: a service role for activations, and (when allowed) policies on their existing roles. */
    hybrid: strictObject({
        /** Create the service role hybrid activations register nodes with. @default true */
        createServiceRole: z.boolean({ error: "must be true or false" }).default(true),
    }).optional(),
    /** Enable Systems Manager Explorer with AWS-EnableExplorer in each region. @default false */
    enableExplorer: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * Quick Setup's name-tag associations (seed 000: AddRemoveNameTag every 30 days,
     * NameTagRemediation every day), for automation that reads the `QSConfigName-<id>` tag: targeted
     * nodes carry `QSConfigName-<configId>` = `configName`, nodes no longer targeted lose it. Owned
     * mode only: the genuine (managed-mode) Quick Setup policy creates its own. @default off
     */
    nameTags: strictObject({
        /** Create the two associations. @default false */
        enabled: z.boolean({ error: "must be true or false" }).default(false),
        /** The `<id>` of the `QSConfigName-<id>` tag key, e.g. the Quick Setup configuration id your automation reads (`bbmzi`). @default patching:overrideStore configId */
        configId: matching(NAME_TAG_CONFIG_ID_PATTERN, "1–100 lowercase letters, digits or -, starting and ending with a letter or digit").optional(),
        /** The tag's value (Quick Setup writes the configuration name). @default the policy name */
        configName: targetTagValueSchema.optional(),
    }).optional(),
    /** Owned mode, regions other than aws:region: patch with those regions' own default baselines. @default false */
    acceptRegionDefaultBaselines: z.boolean({ error: "must be true or false" }).default(false),
    /** Managed mode: names of `patching:baselines` to select (one per operating system); other systems keep the region's default. */
    baselines: z.array(z.string({ error: "must be a baseline name" }), { error: "must be a list of baseline names" }).optional(),
    /** Managed mode: deploy to these organizational units instead of this account. */
    organizationalUnits: z.array(matching(OU_ID_PATTERN, "an OU id such as ou-ab12-cdef3456 (Organizations OrganizationalUnitId)"), { error: "must be a list of OU ids" }).min(1).optional(),
    /** Extra tags for the policy's resources. */
    tags: tagsSchema.default({}),
});

export const patchPoliciesSchema = z.array(patchPolicySchema, { error: "must be a list of patch policies" }).default([]);

export type PatchPolicyConfig = z.infer<typeof patchPolicySchema>;
export type PatchTargetsConfig = z.infer<typeof targetsSchema>;
export type ScanConfig = z.infer<typeof scanSchema>;
export type InstallConfig = z.infer<typeof installSchema>;
export type OperationConfig = ScanConfig | InstallConfig;

/** A schedule as the association receives it. */
export interface CompiledSchedule {
    /** `scheduleExpression`. */
    expression: string;
    /** `scheduleOffset` (days after each cron occurrence), when any. */
    offsetDays?: number;
    /** `applyOnlyAtCronInterval`. */
    applyOnlyAtCronInterval: boolean;
    /** How a reviewer should read it, e.g. "Patch Tuesday + 12 days at 03:00 UTC". */
    description: string;
}

/**
 * The `#` occurrence and remaining offset for "Patch Tuesday + N days": Patch Tuesday is TUE#2, so
 * N = 7k + r runs on TUE#(2+k) with a schedule offset of r days (1–6). TUE#(2+k) + r is always
 * the same day as TUE#2 + N, because consecutive Tuesdays are 7 days apart; r = 0 needs no offset.
 */
export function patchTuesdayOccurrence(plusDays: number): { nth: number; offsetDays: number } {
    return { nth: 2 + Math.floor(plusDays / 7), offsetDays: plusDays % 7 };
}

/** Turns an operation's schedule fields into what the association receives. */
export function compileSchedule(op: Pick<OperationConfig, "schedule" | "patchTuesdayPlusDays" | "time" | "scheduleOffset" | "applyOnlyAtCronInterval">, kind: "scan" | "install"): CompiledSchedule {
    if (op.patchTuesdayPlusDays !== undefined) {
        const [h, m] = (op.time ?? "00:00").split(":").map(Number);
        const { nth, offsetDays } = patchTuesdayOccurrence(op.patchTuesdayPlusDays);
        return {
            expression: `cron(${m} ${h} ? * TUE#${nth} *)`,
            offsetDays: offsetDays > 0 ? offsetDays : undefined,
            // An offset only works with ApplyOnlyAtCronInterval; installs never run at creation.
            applyOnlyAtCronInterval: offsetDays > 0 ? true : (op.applyOnlyAtCronInterval ?? kind === "install"),
            description: `Patch Tuesday + ${op.patchTuesdayPlusDays} day${op.patchTuesdayPlusDays === 1 ? "" : "s"} at ${op.time ?? "00:00"} UTC`,
        };
    }
    const expression = op.schedule ?? "";
    const isCron = expression.startsWith("cron(");
    return {
        expression,
        offsetDays: op.scheduleOffset,
        applyOnlyAtCronInterval: isCron ? (op.applyOnlyAtCronInterval ?? kind === "install") : false,
        description: op.scheduleOffset ? `${expression} + ${op.scheduleOffset} day${op.scheduleOffset === 1 ? "" : "s"}` : expression,
    };
}

/** The regions a policy deploys to. */
export function policyRegions(policy: Pick<PatchPolicyConfig, "regions">, homeRegion: string): string[] {
    return policy.regions ?? [homeRegion];
}

/** Whether a raw `patching:overrideStore` value enables the store (present, and not `enabled: false`). */
export function overrideStoreEnabled(raw: unknown): boolean {
    if (raw === undefined || raw === null || raw === false) return false;
    if (raw === true) return true;
    return asRecord(raw).enabled !== false && typeof raw === "object";
}

/** What the rest of the stack's config the patch-policy rules need to see. */
export interface PatchPolicyContext {
    /** Raw `patching:baselines`. */
    baselines: unknown;
    /** Raw `patching:overrideStore` (the baseline-override store section). */
    overrideStore: unknown;
    /** `aws:region`. */
    homeRegion: unknown;
    /** Tags every resource of the stack carries (baselines carry them too). */
    stackTags: Record<string, unknown>;
}

const isStr = (x: unknown): x is string => typeof x === "string";

function checkSchedule(sink: IssueSink, path: string, raw: unknown, kind: "scan" | "install", managed: boolean): void {
    const op = asRecord(raw);
    const hasSchedule = op.schedule !== undefined;
    const hasPt = op.patchTuesdayPlusDays !== undefined;
    if (hasSchedule && hasPt) {
        sink.add(path, "set either schedule or patchTuesdayPlusDays, not both", { schedule: op.schedule, patchTuesdayPlusDays: op.patchTuesdayPlusDays });
    } else if (!hasSchedule && !hasPt) {
        sink.add(`${path}.schedule`, `is required (or patchTuesdayPlusDays with time): when the ${kind} runs, e.g. "cron(0 2 ? * SUN *)"`);
    }
    if (hasPt && op.time === undefined) sink.add(`${path}.time`, "is required with patchTuesdayPlusDays: the UTC time of day, e.g. \"03:00\"");
    if (!hasPt && op.time !== undefined) sink.add(`${path}.time`, "only applies with patchTuesdayPlusDays; put the time in the cron expression", op.time);
    if (hasPt && op.scheduleOffset !== undefined) {
        sink.add(`${path}.scheduleOffset`, "is computed from patchTuesdayPlusDays (days beyond a whole week); remove it", op.scheduleOffset);
    }
    let isRate = false;
    try {
        isRate = isStr(op.schedule) && parseSchedule(op.schedule).kind !== "cron";
    } catch {
        /* reported by the schema (stateManagerScheduleSchema) */
    }
    if (op.scheduleOffset !== undefined) {
        if (isRate) sink.add(`${path}.scheduleOffset`, "needs a cron schedule; rate and at schedules take no offset (botocore ScheduleOffset)", op.scheduleOffset);
        else if (op.applyOnlyAtCronInterval !== true) {
            sink.add(`${path}.scheduleOffset`, "needs applyOnlyAtCronInterval: true (botocore ScheduleOffset)", op.scheduleOffset);
        }
    }
    if (isRate && op.applyOnlyAtCronInterval === true) {
        sink.add(`${path}.applyOnlyAtCronInterval`, "is not supported with rate or at schedules (botocore ApplyOnlyAtCronInterval)", true);
    }
    if (typeof op.patchTuesdayPlusDays === "number" && op.patchTuesdayPlusDays % 7 !== 0 && op.applyOnlyAtCronInterval === false) {
        sink.add(
            `${path}.applyOnlyAtCronInterval`,
            `patchTuesdayPlusDays ${op.patchTuesdayPlusDays} needs a schedule offset of ${op.patchTuesdayPlusDays % 7} day(s), which only works with applyOnlyAtCronInterval: true`,
            false,
        );
    }
    if (managed) {
        if (isRate) sink.add(`${path}.schedule`, "managed mode: Quick Setup takes a cron expression only", op.schedule);
        if (op.scheduleOffset !== undefined) sink.add(`${path}.scheduleOffset`, "managed mode: Quick Setup has no schedule offset", op.scheduleOffset);
        if (typeof op.patchTuesdayPlusDays === "number" && op.patchTuesdayPlusDays % 7 !== 0) {
            sink.add(
                `${path}.patchTuesdayPlusDays`,
                "managed mode: Quick Setup has no schedule offset, so only whole weeks after Patch Tuesday (0, 7, 14) can be expressed (TUE#2, TUE#3, TUE#4)",
                op.patchTuesdayPlusDays,
            );
        }
        for (const key of ["complianceSeverity", "syncCompliance", "associationName"]) {
            if (op[key] !== undefined) sink.add(`${path}.${key}`, "managed mode: Quick Setup sets this itself; remove it", op[key]);
        }
    }
}

export function checkTargets(sink: IssueSink, path: string, raw: unknown, managed: boolean, orgUnits: boolean): void {
    const t = asRecord(raw);
    const kinds = ["allManagedNodes", "instanceIds", "resourceGroup"].filter((k) => t[k] !== undefined && t[k] !== false);
    const hasTags = t.tags !== undefined || t.tagKeys !== undefined;
    const chosen = [...kinds, ...(hasTags ? ["tags/tagKeys"] : [])];
    if (t.allManagedNodes === false) sink.add(`${path}.allManagedNodes`, "set it to true or remove it", false);
    if (chosen.length === 0) {
        sink.add(path, "choose the nodes to patch: allManagedNodes: true, tags and/or tagKeys, resourceGroup, or instanceIds");
    } else if (chosen.length > 1) {
        sink.add(path, `choose one kind of target, got ${chosen.join(" + ")} (only tags and tagKeys combine)`, Object.keys(t));
    }
    const tags = asRecord(t.tags);
    const targetCount = Object.keys(tags).length + (t.tagKeys !== undefined ? 1 : 0);
    if (targetCount > MAX_ASSOCIATION_TARGETS) {
        sink.add(path, `at most ${MAX_ASSOCIATION_TARGETS} targets per association: ${Object.keys(tags).length} tag(s)${t.tagKeys !== undefined ? " + 1 tag-key target" : ""} (botocore Targets)`, targetCount);
    }
    if (managed) {
        const keys = Object.keys(tags);
        if (t.tagKeys !== undefined) sink.add(`${path}.tagKeys`, "managed mode: Quick Setup targets one tag key with one value (TargetTagKey/TargetTagValue); tag-key targets are owned mode only", t.tagKeys);
        if (keys.length > 1) sink.add(`${path}.tags`, `managed mode: Quick Setup targets one tag key with one value, got ${keys.length} keys; use mode: owned for several tags`, keys);
        for (const key of keys) {
            if (asArray(tags[key]).length > 1) {
                sink.add(`${path}.tags[${JSON.stringify(key)}]`, "managed mode: Quick Setup targets one tag value (TargetTagValue); use mode: owned for several values", tags[key]);
            }
        }
        if (orgUnits && (t.instanceIds !== undefined || t.resourceGroup !== undefined)) {
            sink.add(path, "managed mode with organizationalUnits: target all nodes or one tag; instance ids and resource groups exist in one account only", Object.keys(t));
        }
    }
}

/** Documents this program creates are named `<policy>-…`; CreateDocument reserves some prefixes. */
function reservedPrefix(name: string): string | undefined {
    return RESERVED_DOCUMENT_PREFIXES.find((p) => name.toLowerCase().startsWith(p.toLowerCase()));
}

/**
 * Cross-field rules of `patching:patchPolicies`, reading raw values defensively so every problem
 * is reported at once, including where the structural schema already failed.
 */
export function checkPatchPolicies(sink: IssueSink, path: string, raw: unknown, ctx: PatchPolicyContext): void {
    const home = isStr(ctx.homeRegion) ? ctx.homeRegion : undefined;
    const baselines = asArray(ctx.baselines).map(asRecord);
    const storeOn = overrideStoreEnabled(ctx.overrideStore);
    const names = new Map<string, number>();
    const associationNames = new Map<string, { at: string; explicit: boolean }>();
    asArray(raw).forEach((p, i) => {
        const base = `${path}[${i}]`;
        const policy = asRecord(p);
        const managed = policy.mode === "managed";
        const document = (isStr(policy.document) ? policy.document : "AWS-RunPatchBaseline") as PatchDocument;
        const regions = asArray(policy.regions).filter(isStr);
        const perms = asRecord(policy.instancePermissions);
        const targets = asRecord(policy.targets);
        const install = policy.install === undefined ? undefined : asRecord(policy.install);

        if (isStr(policy.name)) {
            const first = names.get(policy.name);
            if (first !== undefined) sink.add(`${base}.name`, `duplicate policy name; already used by ${path}[${first}]`, policy.name);
            else names.set(policy.name, i);
            const reserved = reservedPrefix(policy.name);
            if (reserved && !managed) {
                sink.add(`${base}.name`, `must not start with "${reserved}": it prefixes the SSM documents this policy creates, and CreateDocument reserves that prefix`, policy.name);
            }
        }
        // Exact association names: one association per name in this stack (scan, install, every policy).
        for (const [key, op] of [["scan", asRecord(policy.scan)], ["install", install ?? {}]] as const) {
            const given = op.associationName;
            const effective = isStr(given) ? given : isStr(policy.name) ? `${policy.name}-${key === "scan" ? "ScanForPatches" : "InstallPatches"}` : undefined;
            if (effective === undefined || (key === "install" && install === undefined)) continue;
            const first = associationNames.get(effective);
            // Two default names only collide when the policy names do (reported above).
            if (first !== undefined && (isStr(given) || first.explicit)) {
                sink.add(`${base}.${key}${isStr(given) ? ".associationName" : ""}`, `duplicate association name ${effective}; already used by ${first.at}`, effective);
            } else if (first === undefined) associationNames.set(effective, { at: `${base}.${key}`, explicit: isStr(given) });
        }
        const seen = new Set<string>();
        regions.forEach((r, k) => {
            if (seen.has(r)) sink.add(`${base}.regions[${k}]`, "duplicate region", r);
            seen.add(r);
        });

        checkSchedule(sink, `${base}.scan`, policy.scan, "scan", managed);
        if (install) checkSchedule(sink, `${base}.install`, install, "install", managed);
        checkTargets(sink, `${base}.targets`, policy.targets, managed, policy.organizationalUnits !== undefined);
        const nameTags = asRecord(policy.nameTags);
        if (!managed && nameTags.enabled === true && nameTags.configId === undefined && !storeOn) {
            sink.add(`${base}.nameTags.configId`, `is required without patching:overrideStore: it names the tag key ${NAME_TAG_KEY_PREFIX}<configId> your automation reads`);
        }

        // Documents and their parameters (managed mode rejects these settings below, once).
        const hooks = policy.hooks === undefined ? undefined : asRecord(policy.hooks);
        if (managed) {
            /* see the managed-mode rules */
        } else if (document === "AWS-RunPatchBaselineWithHooks") {
            if (!hooks || Object.keys(hooks).length === 0) sink.add(`${base}.hooks`, "AWS-RunPatchBaselineWithHooks needs at least one of preInstall, postInstall, onExit");
            if (!install) sink.add(`${base}.install`, "hooks run during Install only; AWS-RunPatchBaselineWithHooks needs an install operation");
        } else if (hooks) {
            sink.add(`${base}.hooks`, `hooks need document: AWS-RunPatchBaselineWithHooks (got ${document})`, Object.keys(hooks));
        }
        if (managed) {
            /* see the managed-mode rules */
        } else if (document === "AWS-RunPatchBaselineAssociation") {
            if (policy.useBaselineOverride === true) sink.add(`${base}.useBaselineOverride`, "AWS-RunPatchBaselineAssociation takes no BaselineOverride parameter; use AWS-RunPatchBaseline", true);
            if (policy.snapshotId !== undefined) sink.add(`${base}.snapshotId`, "AWS-RunPatchBaselineAssociation takes no SnapshotId parameter", policy.snapshotId);
            if (policy.hybrid !== undefined) sink.add(`${base}.hybrid`, "AWS-RunPatchBaselineAssociation does not support hybrid (non-EC2) nodes (user guide; seed 002)");
            asArray(targets.instanceIds).forEach((id, k) => {
                if (isStr(id) && id.startsWith("mi-")) sink.add(`${base}.targets.instanceIds[${k}]`, "AWS-RunPatchBaselineAssociation does not support hybrid (mi-) nodes", id);
            });
        } else if (policy.baselineTags !== undefined) {
            sink.add(`${base}.baselineTags`, `BaselineTags is a parameter of AWS-RunPatchBaselineAssociation only (got ${document})`, policy.baselineTags);
        }

        // BaselineTags: the tagged baselines must exist here, one per operating system.
        const bt = asRecord(policy.baselineTags);
        if (isStr(bt.key) && document === "AWS-RunPatchBaselineAssociation" && !managed) {
            const values = asArray(bt.values).filter(isStr);
            const tagged = baselines.filter((b) => {
                const v = { ...ctx.stackTags, ...asRecord(b.tags) }[bt.key as string];
                return isStr(v) && values.includes(v);
            });
            if (tagged.length === 0) {
                sink.add(`${base}.baselineTags`, `no baseline in patching:baselines is tagged ${bt.key}=${values.join("|")}; Patch Manager would silently fall back to patch groups or the default baseline`, policy.baselineTags);
            }
            const byOs = groupBy(
                tagged.filter((b) => isStr(b.operatingSystem)),
                (b) => String(b.operatingSystem),
            );
            for (const [os, group] of byOs) {
                const list = group.map((b) => String(b.name));
                if (list.length > 1) sink.add(`${base}.baselineTags`, `${list.length} ${os} baselines carry the tag (${list.join(", ")}); Patch Manager fails when more than one baseline per operating system matches`, policy.baselineTags);
            }
        }

        // The override store hook.
        if (policy.useBaselineOverride === true && !storeOn && !managed) {
            sink.add(`${base}.useBaselineOverride`, "needs the baseline-override store: enable patching:overrideStore, which publishes baseline_overrides.json for this policy to read", true);
        }

        // Multi-region: this program creates baselines and patch groups in aws:region only.
        if (home && !managed) {
            const away = regions.filter((r) => r !== home);
            if (away.length > 0) {
                if (document === "AWS-RunPatchBaselineAssociation") {
                    sink.add(`${base}.regions`, `baselines tagged for AWS-RunPatchBaselineAssociation exist in ${home} only; ${away.join(", ")} would fall back to their default baselines. Use AWS-RunPatchBaseline with useBaselineOverride`, away);
                } else if (policy.useBaselineOverride !== true && policy.acceptRegionDefaultBaselines !== true) {
                    sink.add(
                        `${base}.regions`,
                        `this stack's baselines and patch groups exist in ${home} only; in ${away.join(", ")} nodes would get whatever baseline that region defaults to. Set useBaselineOverride: true to carry the baselines with the policy (as Quick Setup does), or acceptRegionDefaultBaselines: true to use each region's own defaults`,
                        away,
                    );
                }
            }
        }

        // Output.
        const output = asRecord(policy.output);
        if (output.cloudWatchLogs !== undefined) {
            sink.add(
                `${base}.output.cloudWatchLogs`,
                "State Manager associations cannot send command output to CloudWatch Logs: CreateAssociation takes only an S3 OutputLocation (and Quick Setup neither). Use output.s3, or install from a maintenance window Run Command task, whose CloudWatchOutputConfig can",
                output.cloudWatchLogs,
            );
        }
        const s3 = output.s3 === undefined ? undefined : asRecord(output.s3);
        if (s3) {
            if (isStr(s3.bucketName)) {
                for (const problem of s3BucketNameProblems(s3.bucketName)) sink.add(`${base}.output.s3.bucketName`, `${problem} (S3 bucket naming rules)`, s3.bucketName);
            } else if (s3.create !== true) {
                sink.add(`${base}.output.s3.bucketName`, "is required unless create: true (the bucket command output is written to)");
            }
            if (s3.retentionDays !== undefined && s3.create !== true) sink.add(`${base}.output.s3.retentionDays`, "applies to a bucket this stack creates (create: true) only", s3.retentionDays);
            if (isStr(policy.name)) {
                const prefix = isStr(s3.keyPrefix) ? s3.keyPrefix : "patching";
                const longestRegion = Math.max(...(regions.length > 0 ? regions : [home ?? "us-east-1"]).map((r) => r.length));
                const full = prefix.length + 1 + policy.name.length + 1 + "install".length + 1 + 12 + 1 + longestRegion;
                if (full > S3_KEY_PREFIX_MAX) {
                    sink.add(`${base}.output.s3.keyPrefix`, `the full prefix <keyPrefix>/<policy>/<operation>/<account>/<region> would be ${full} characters; at most ${S3_KEY_PREFIX_MAX} (botocore S3KeyPrefix)`, prefix);
                }
            }
        }

        // Instance permissions.
        if (perms.attachToInstancesWithoutProfile === true && perms.createInstanceProfile === false) {
            sink.add(`${base}.instancePermissions.attachToInstancesWithoutProfile`, "needs createInstanceProfile: true (it attaches that profile)", true);
        }

        if (managed) {
            const unsupported: [string, string][] = [
                ["hooks", "Quick Setup runs AWS-RunPatchBaseline without hooks"],
                ["baselineTags", "Quick Setup selects baselines per operating system (baselines), not by tag"],
                ["snapshotId", "Quick Setup takes no snapshot id"],
                ["hybrid", "Quick Setup handles hybrid nodes itself (AttachIAMToHybridInstance)"],
                ["acceptRegionDefaultBaselines", "Quick Setup carries its baselines to every region in its own override file"],
            ];
            for (const [key, why] of unsupported) if (policy[key] !== undefined) sink.add(`${base}.${key}`, `managed mode: ${why}; use mode: owned`, policy[key]);
            if (policy.document !== undefined && policy.document !== "AWS-RunPatchBaseline") sink.add(`${base}.document`, "managed mode: Quick Setup always runs AWS-RunPatchBaseline; use mode: owned", policy.document);
            if (policy.useBaselineOverride === true) sink.add(`${base}.useBaselineOverride`, "managed mode: Quick Setup keeps its own baseline override file; use mode: owned to read this stack's store", true);
            if (policy.enableExplorer !== undefined) sink.add(`${base}.enableExplorer`, "managed mode: Quick Setup always enables Explorer; remove it", policy.enableExplorer);
            if (policy.nameTags !== undefined) {
                sink.add(`${base}.nameTags`, "managed mode: the genuine Quick Setup policy creates its own AddRemoveNameTag and NameTagRemediation associations (QSConfigName-<its id>); remove it", policy.nameTags);
            }
            if (install?.installOverrideList !== undefined) sink.add(`${base}.install.installOverrideList`, "managed mode: Quick Setup takes no install override list; use mode: owned", install.installOverrideList);
            for (const key of ["createInstanceProfile", "attachToInstancesWithoutProfile", "schedule"]) {
                if (perms[key] !== undefined) sink.add(`${base}.instancePermissions.${key}`, "managed mode: Quick Setup creates and attaches its own instance profile; only isPolicyAttachAllowed applies", perms[key]);
            }
            const scan = asRecord(policy.scan);
            if (install) {
                for (const [key, fallback] of [["maxConcurrency", "10%"], ["maxErrors", "5%"]]) {
                    if ((scan[key] ?? fallback) !== (install[key] ?? fallback)) {
                        sink.add(`${base}.install.${key}`, `managed mode: Quick Setup has one rate control for scan and install (RateControlConcurrency/RateControlErrorThreshold); make it equal to scan.${key}`, install[key]);
                    }
                }
            }
            const selected = asArray(policy.baselines);
            const os = new Map<string, number>();
            selected.forEach((n, k) => {
                const found = baselines.find((b) => b.name === n);
                if (!found) {
                    sink.add(`${base}.baselines[${k}]`, `no baseline named ${JSON.stringify(n)} in patching:baselines (Quick Setup reads the selected baselines from ${home ?? "aws:region"})`, n);
                } else if (isStr(found.operatingSystem)) {
                    const prior = os.get(found.operatingSystem);
                    if (prior !== undefined) sink.add(`${base}.baselines[${k}]`, `${found.operatingSystem} is already selected by baselines[${prior}]; Quick Setup takes one baseline per operating system`, n);
                    else os.set(found.operatingSystem, k);
                }
            });
        } else {
            if (policy.baselines !== undefined) {
                sink.add(`${base}.baselines`, "owned mode selects baselines through patch groups, the default baseline or useBaselineOverride; baselines is for mode: managed", policy.baselines);
            }
            if (policy.organizationalUnits !== undefined) {
                sink.add(`${base}.organizationalUnits`, "owned mode deploys to this stack's account; organization-wide deployment is mode: managed (or one stack per account)", policy.organizationalUnits);
            }
        }
    });
}
