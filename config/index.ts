/**
 * The one config model of the program.
 *
 * Stack config (`Pulumi.<stack>.yaml`, namespace `patching:`) is read as structured objects and
 * validated here, before a single resource is registered. `parseConfig` reports every problem at
 * once, each with its key path, the value given and what is allowed; components only ever receive
 * the typed, validated {@link PatchingConfig}. Each section lives in its own file of this folder
 * and is composed below. No Pulumi import: the review command, tests and policy pack use it too.
 */
import { z } from "zod";
import { baselinesSchema, checkBaselines } from "./baselines";
import { changeSafetySchema, checkChangeSafety, checkPromotionOrder } from "./changeSafety";
import { checkCompliance, complianceSchema } from "./compliance";
import { checkInstallPaths, installPathsSchema } from "./installPaths";
import { checkApprovalGateHolds } from "./approvalCalendars";
import { checkMaintenanceWindows, maintenanceWindowsSchema } from "./maintenanceWindows";
import { checkPatchOrchestrators, checkSharedNames, patchOrchestratorsSchema } from "./patchOrchestrators";
import { checkCrossAccountOrchestrators } from "./crossAccountOrchestrator";
import { matching, strictObject, tagsSchema } from "./common";
import { asRecord, ConfigIssue, ConfigValidationError, IssueSink, joinPath } from "./issues";
import { checkMultiAccount, multiAccountSchema } from "./multiAccount";
import { checkOverrideStore, overrideStoreSchema } from "./overrideStore";
import { checkPatchPolicies, patchPoliciesSchema } from "./patchPolicies";
import { REGION_PATTERN } from "./rules";
import { scheduleSources } from "./scheduleSources";
import { agentUpdatesSchema, checkAgentUpdates } from "./agentUpdates";
import { checkDerivedNames } from "./resourceNames";
import { checkMergedTags, standardTags } from "./resourceTags";
import { checkResourceGroups, resourceGroupsSchema } from "./resourceGroups";

export { ConfigIssue, ConfigValidationError, formatIssue } from "./issues";
export type { ApprovalRuleConfig, BaselineConfig } from "./baselines";
export type { ApprovalGateConfig, ChangeSafetyConfig, GatedInstallConfig, PromotionConfig } from "./changeSafety";
export type { PatchPolicyConfig, PatchTargetsConfig, ScanConfig, InstallConfig, OperationConfig, CompiledSchedule } from "./patchPolicies";
export type { OverrideStoreConfig, OverrideTargetConfig } from "./overrideStore";
export type { ComplianceConfig } from "./compliance";
export type {
    AccountRole,
    AutomationScheduleConfig,
    MultiAccountConfig,
    OrganizationDeploymentConfig,
    ResourceGroupConfig,
    TargetLocationConfig,
} from "./multiAccount";
export type { MaintenanceWindowConfig } from "./maintenanceWindows";
export type { OrchestratorConfig } from "./patchOrchestrators";
export type { InstallPathsConfig } from "./installPaths";
export type { AgentUpdateConfig, AgentUpdatesConfig } from "./agentUpdates";

/** Namespace of this program's keys in stack config (the project name in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "patching";

/** Tag keys the program sets on every taggable resource; user tags may not override them (config/resourceTags.ts). */
export { STANDARD_TAG_KEYS } from "./resourceTags";

/** The `patching:` keys of a stack file, one schema each. */
const sectionSchemas = {
    /** Environment name used in tags and names, e.g. `dev`, `prod`. */
    environment: matching(/^[a-z][a-z0-9-]{1,30}$/, "2–31 lowercase letters, digits or -, starting with a letter"),
    /** Extra tags for every taggable resource. */
    tags: tagsSchema.default({}),
    /** Patch baselines to create, with their patch groups. */
    baselines: baselinesSchema,
    /** Release calendar order, promotion from an earlier stage, approval gate, gated install with snapshots. */
    changeSafety: changeSafetySchema,
    /** Quick Setup-style patch policies: scan/install associations, instance permissions, or the managed Quick Setup policy. */
    patchPolicies: patchPoliciesSchema,
    /** The baseline-override store (bucket, baseline_overrides.json, remediation Lambda). */
    overrideStore: overrideStoreSchema.optional(),
    /** Seeing compliance: inventory, resource data sync, patch report, notifications, dashboard. */
    compliance: complianceSchema.optional(),
    /** Multi-account / multi-Region patching with Automation (issue 6). */
    multiAccount: multiAccountSchema.optional(),
    /** Maintenance windows with targets, Run Command / Automation tasks and failure notifications. */
    maintenanceWindows: maintenanceWindowsSchema,
    /** Batch patch orchestrators (stopped instances, priority batches, preflight, state restore). */
    patchOrchestrators: patchOrchestratorsSchema,
    /** Install paths: the fleet tag key, the minimum hours between installs on one node, paths declared disjoint (issue 21). */
    installPaths: installPathsSchema,
    /** Agent updates (seed 004): SSM Agent, CloudWatch agent, EC2Launch, each on its own schedule and targets. */
    agentUpdates: agentUpdatesSchema.optional(),
    /** Resource groups created from a tag query (seed 003's PatchTargets) for maintenance-window targets and orchestrators that name them. */
    resourceGroups: resourceGroupsSchema,
};

const rootSchema = strictObject(sectionSchemas);
/** The `patching:` model as one zod schema (config/fields.ts tests, JSON Schema generator). */
export const configModelSchema = rootSchema;
const awsSchema = z.object({
    region: matching(REGION_PATTERN, "an AWS region name such as us-east-1 or eu-west-1"),
});

/** Where the program runs: from the Pulumi engine (or the mock engine of the review). */
export interface StackContext {
    project: string;
    stack: string;
    /**
     * Raw config values (as given to {@link parseConfig}) of another stack of the project, or
     * `undefined` when it has no stack file; used by cross-stack rules (changeSafety.promotion).
     * Without it those rules are not checked.
     */
    loadStack?: (stack: string) => Record<string, unknown> | undefined;
    /** The moment calendars are computed from. @default now */
    now?: Date;
}

export type SectionsConfig = z.infer<typeof rootSchema>;

/** The validated, typed configuration every component receives. */
export interface PatchingConfig extends SectionsConfig {
    project: string;
    stack: string;
    /** `aws:region`: the stack's home region. */
    region: string;
}

function zodIssues(prefix: string, error: z.ZodError): ConfigIssue[] {
    return error.issues.flatMap((iss): ConfigIssue | ConfigIssue[] => {
        const path = joinPath(prefix, iss.path);
        if (iss.code === "unrecognized_keys") return { path, message: iss.message };
        // A union ("all" or a tag map): when one branch took the value's type, its own issues say what is wrong inside.
        if (iss.code === "invalid_union" && !("note" in iss && iss.note)) {
            const typed = iss.errors.filter((errs) => errs.length > 0 && !errs.every((e) => e.path.length === 0 && (e.code === "invalid_type" || e.code === "invalid_value")));
            if (typed.length === 1) return zodIssues(path, new z.ZodError(typed[0] as z.core.$ZodIssue[]));
        }
        // A bad record key (e.g. a tag key) carries the key's own problems inside.
        if (iss.code === "invalid_key") return { path, message: iss.issues.map((i) => i.message).join("; "), value: iss.input };
        if (iss.input === undefined) return { path, message: iss.message.includes("must") ? `is required; it ${iss.message}` : iss.message };
        return { path, message: iss.message, value: iss.input };
    });
}

/** Splits flat stack-config keys (`patching:baselines`, `aws:region`) by namespace. */
function namespace(values: Record<string, unknown>, ns: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        if (key.startsWith(`${ns}:`)) out[key.slice(ns.length + 1)] = value;
    }
    return out;
}

/** Rules that need another stack's config: the earlier stage of changeSafety.promotion. */
function checkCrossStack(sink: IssueSink, data: SectionsConfig, ctx: StackContext): void {
    const promotion = data.changeSafety?.promotion;
    if (!promotion || !ctx.loadStack || promotion.after === ctx.stack) return;
    const path = `${CONFIG_NAMESPACE}:changeSafety.promotion`;
    const values = ctx.loadStack(promotion.after);
    if (values === undefined) {
        sink.add(`${path}.after`, `has no stack file Pulumi.${promotion.after}.yaml in the project; the earlier stage's schedules are read from it`, promotion.after);
        return;
    }
    let earlier: PatchingConfig;
    try {
        // The earlier stack is parsed by the same model, without its own cross-stack rules.
        earlier = parseConfig(values, { project: ctx.project, stack: promotion.after });
    } catch (err) {
        if (!(err instanceof ConfigValidationError)) throw err;
        sink.add(`${path}.after`, `stack ${promotion.after} has an invalid config (${err.issues.length} problem(s), first: ${err.issues[0] ? `${err.issues[0].path}: ${err.issues[0].message}` : "?"}); fix it before its schedules can be compared`, promotion.after);
        return;
    }
    checkPromotionOrder(sink, path, {
        stack: ctx.stack,
        promotion,
        cs: data.changeSafety!,
        sources: scheduleSources(ctx.stack, data),
        earlierSources: scheduleSources(promotion.after, earlier),
        now: ctx.now ?? new Date(),
    });
}

/**
 * How a stack config is parsed: each issue carries the offending input (the messages quote it),
 * and without zod's JIT. zod compiles a parser for each object schema with `new Function` on its
 * first parse; a process validates a config once or a few times (`pulumi up`, the review, a
 * Lambda), and V8's code cache cannot keep a function made at run time, so the compilation was
 * paid on every run and never repaid (measured on 2 cores: the invalid-config answer of `npm start`
 * 0.53 → 0.46 s of CPU, a dev review's validation 130–170 → about 90 ms). The result is the same
 * either way (zod's own interpreter; tests/configJitless.test.ts compares them on every stack file
 * and fixture, and on random damage to them).
 */
export const PARSE_OPTIONS = { reportInput: true, jitless: true } as const;

/**
 * Validates stack config values (keys with their namespace, values already parsed from JSON) and
 * returns the typed config, or throws {@link ConfigValidationError} listing every problem.
 */
export function parseConfig(values: Record<string, unknown>, ctx: StackContext): PatchingConfig {
    const raw = namespace(values, CONFIG_NAMESPACE);
    const issues: ConfigIssue[] = [];

    const parsed = rootSchema.safeParse(raw, PARSE_OPTIONS);
    if (!parsed.success) issues.push(...zodIssues(CONFIG_NAMESPACE, parsed.error));
    const aws = awsSchema.safeParse(namespace(values, "aws"), PARSE_OPTIONS);
    if (!aws.success) issues.push(...zodIssues("aws", aws.error).map((i) => ({ ...i, path: i.path.replace(/^aws\./, "aws:") })));

    const sink = new IssueSink();
    checkBaselines(sink, `${CONFIG_NAMESPACE}:baselines`, raw.baselines);
    checkChangeSafety(sink, `${CONFIG_NAMESPACE}:changeSafety`, raw.changeSafety, raw.baselines, ctx.stack, ctx.project, raw.patchPolicies);
    if (parsed.success) checkCrossStack(sink, parsed.data, ctx);
    if (parsed.success && aws.success) checkInstallPaths(sink, `${CONFIG_NAMESPACE}:installPaths`, raw.installPaths, parsed.data, aws.data.region);
    if (parsed.success && aws.success) checkApprovalGateHolds(sink, `${CONFIG_NAMESPACE}:changeSafety`, { ...parsed.data, region: aws.data.region });
    checkOverrideStore(sink, `${CONFIG_NAMESPACE}:overrideStore`, raw.overrideStore, { baselines: raw.baselines, region: values["aws:region"] });
    checkPatchPolicies(sink, `${CONFIG_NAMESPACE}:patchPolicies`, raw.patchPolicies, {
        baselines: raw.baselines,
        overrideStore: raw.overrideStore,
        homeRegion: namespace(values, "aws").region,
        // What every baseline is tagged with besides its own tags (components/tags.ts stackTags).
        stackTags: { ...asRecord(raw.tags), ...standardTags(ctx.project, raw.environment as string, ctx.stack) },
    });
    checkCompliance(sink, `${CONFIG_NAMESPACE}:compliance`, raw.compliance);
    checkMultiAccount(sink, `${CONFIG_NAMESPACE}:multiAccount`, raw.multiAccount);
    checkMaintenanceWindows(sink, `${CONFIG_NAMESPACE}:maintenanceWindows`, raw.maintenanceWindows);
    checkAgentUpdates(sink, `${CONFIG_NAMESPACE}:agentUpdates`, raw.agentUpdates);
    checkResourceGroups(sink, `${CONFIG_NAMESPACE}:resourceGroups`, raw.resourceGroups, {
        region: values["aws:region"],
        multiAccount: raw.multiAccount,
        maintenanceWindows: { path: `${CONFIG_NAMESPACE}:maintenanceWindows`, raw: raw.maintenanceWindows },
        patchOrchestrators: { path: `${CONFIG_NAMESPACE}:patchOrchestrators`, raw: raw.patchOrchestrators },
    });
    checkPatchOrchestrators(sink, `${CONFIG_NAMESPACE}:patchOrchestrators`, raw.patchOrchestrators, parsed.success ? parsed.data.patchOrchestrators : undefined, raw.patchPolicies);
    checkCrossAccountOrchestrators(sink, `${CONFIG_NAMESPACE}:patchOrchestrators`, raw.patchOrchestrators, raw.multiAccount);
    checkSharedNames(sink, `${CONFIG_NAMESPACE}:maintenanceWindows`, raw.maintenanceWindows, `${CONFIG_NAMESPACE}:patchOrchestrators`, raw.patchOrchestrators, {
        path: `${CONFIG_NAMESPACE}:compliance`,
        raw: raw.compliance,
    });
    // Merged tag sets and reserved tag keys in every section that takes tags; final names after prefixes and suffixes.
    checkMergedTags(sink, CONFIG_NAMESPACE, raw);
    if (parsed.success) checkDerivedNames(sink, CONFIG_NAMESPACE, parsed.data, ctx.project, ctx.stack, raw.changeSafety !== undefined);
    issues.push(...sink.issues);

    // zod reports the namespace root as "patching"; present top-level keys as "patching:key".
    const normalised = issues
        .map((i) => ({ ...i, path: i.path.replace(new RegExp(`^${CONFIG_NAMESPACE}\\.`), `${CONFIG_NAMESPACE}:`) }))
        .sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
    if (normalised.length > 0 || !parsed.success || !aws.success) throw new ConfigValidationError(normalised);
    return { ...parsed.data, project: ctx.project, stack: ctx.stack, region: aws.data.region };
}
