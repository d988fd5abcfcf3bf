import { z } from "zod";
import { patchGroupNameSchema } from "./fields";
import { boundedString, intInRange, isCalendarDate, matching, oneOf, strictObject, tagsSchema } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import {
    APPROVE_AFTER_DAYS_MAX,
    AVAILABLE_SECURITY_UPDATES_STATUSES,
    BASELINE_DESCRIPTION_MAX,
    BASELINE_NAME_PATTERN,
    CLOSED_FILTER_VALUES,
    COMPLIANCE_LEVELS,
    FILTER_KEYS_BY_OS,
    isLinux,
    MAX_APPROVAL_RULES,
    MAX_FILTER_VALUE_LENGTH,
    MAX_FILTER_VALUES,
    MAX_FILTERS_PER_GROUP,
    MAX_PATCH_ID_LENGTH,
    MAX_PATCH_LIST,
    MAX_SOURCE_CONFIGURATION_LENGTH,
    MAX_SOURCE_PRODUCT_LENGTH,
    MAX_SOURCE_PRODUCTS,
    MAX_SOURCES,
    OPERATING_SYSTEMS,
    OperatingSystem,
    OS_WITHOUT_APPROVAL_DELAY,
    PRODUCT_NAME_FAMILIES,
    productFamilyOf,
    REJECTED_PATCHES_ACTIONS,
    SOURCE_NAME_PATTERN,
} from "./rules";

/**
 * A filter group written as a map from filter key to values, e.g.
 * `{ CLASSIFICATION: [SecurityUpdates], MSRC_SEVERITY: [Critical, Important] }`.
 * Which keys and values an OS accepts is checked in {@link checkBaselines}.
 */
const filterGroupSchema = z
    .record(
        z.string(),
        z
            .array(
                z
                    .string({ error: "filter values must be strings" })
                    .min(1, { error: "filter values must be 1–64 characters" })
                    .max(MAX_FILTER_VALUE_LENGTH, { error: "filter values must be 1–64 characters (botocore PatchFilterValue)" }),
                { error: "must be a list of values" },
            )
            .min(1, { error: "a filter needs 1–20 values" })
            .max(MAX_FILTER_VALUES, { error: "a filter takes at most 20 values (botocore PatchFilterValueList)" }),
        { error: "must be a map of filter key to a list of values" },
    )
    .refine((g) => Object.keys(g).length >= 1 && Object.keys(g).length <= MAX_FILTERS_PER_GROUP, {
        error: `a filter group holds 1–${MAX_FILTERS_PER_GROUP} filters (botocore PatchFilterList)`,
    });

const complianceLevel = oneOf(COMPLIANCE_LEVELS, "botocore PatchComplianceLevel");

const patchIdList = z
    .array(boundedString(1, MAX_PATCH_ID_LENGTH, "botocore PatchId"), { error: "must be a list of patch ids" })
    .max(MAX_PATCH_LIST, { error: `at most ${MAX_PATCH_LIST} patches (botocore PatchIdList)` });

export const approvalRuleSchema = strictObject({
    /** Filters a patch must match to be approved by this rule. */
    patchFilters: filterGroupSchema,
    /** Days after release before a matching patch is approved (0–360). Not with approveUntilDate. */
    approveAfterDays: intInRange(0, APPROVE_AFTER_DAYS_MAX, "botocore ApproveAfterDays").optional(),
    /** Approve matching patches released on or before this date (YYYY-MM-DD). Not with approveAfterDays. */
    approveUntilDate: z
        .string({ error: "must be a date written YYYY-MM-DD" })
        .refine(isCalendarDate, { error: "must be a real calendar date written YYYY-MM-DD (botocore PatchStringDateTime)" })
        .optional(),
    /** Compliance severity reported for patches approved by this rule. @default UNSPECIFIED */
    complianceLevel: complianceLevel.default("UNSPECIFIED"),
    /** Linux only: also install non-security updates that match the rule. @default false */
    enableNonSecurity: z.boolean({ error: "must be true or false" }).optional(),
});

export const patchSourceSchema = strictObject({
    /** Repository name, `^[a-zA-Z0-9_\-.]{3,50}$`. */
    name: matching(SOURCE_NAME_PATTERN, "3–50 letters, digits, _ - . (botocore PatchSourceName)"),
    /** Products the repository applies to, e.g. `AmazonLinux2023`. */
    products: z
        .array(boundedString(1, MAX_SOURCE_PRODUCT_LENGTH, "botocore PatchSourceProduct"))
        .min(1, { error: "needs 1–20 products (botocore PatchSourceProductList)" })
        .max(MAX_SOURCE_PRODUCTS, { error: "needs 1–20 products (botocore PatchSourceProductList)" }),
    /** Repository configuration (yum .repo or apt sources.list content). */
    configuration: boundedString(1, MAX_SOURCE_CONFIGURATION_LENGTH, "botocore PatchSourceConfiguration"),
});

export const baselineSchema = strictObject({
    /** Baseline name in AWS, `^[a-zA-Z0-9_\-.]{3,128}$`; also the Pulumi resource name. */
    name: matching(BASELINE_NAME_PATTERN, "3–128 letters, digits, _ - . (botocore BaselineName)"),
    /** Operating system the baseline applies to. */
    operatingSystem: oneOf(OPERATING_SYSTEMS, "botocore OperatingSystem"),
    /** Free text, 1–1024 characters. */
    description: boundedString(1, BASELINE_DESCRIPTION_MAX, "botocore BaselineDescription").optional(),
    /** Auto-approval rules, at most 10. */
    approvalRules: z
        .array(approvalRuleSchema, { error: "must be a list of approval rules" })
        .max(MAX_APPROVAL_RULES, { error: `at most ${MAX_APPROVAL_RULES} approval rules (botocore PatchRuleList)` })
        .default([]),
    /** Filters every patch must pass before any rule sees it. */
    globalFilters: filterGroupSchema.optional(),
    /** Patches approved regardless of the rules (KB ids, package names). */
    approvedPatches: patchIdList.default([]),
    /** Compliance severity for explicitly approved patches. @default UNSPECIFIED */
    approvedPatchesComplianceLevel: complianceLevel.default("UNSPECIFIED"),
    /** Linux only: approved patches may be non-security updates. @default false */
    approvedPatchesEnableNonSecurity: z.boolean({ error: "must be true or false" }).optional(),
    /** Patches never installed. */
    rejectedPatches: patchIdList.default([]),
    /** BLOCK (never installed, even as a dependency) or ALLOW_AS_DEPENDENCY. @default BLOCK */
    rejectedPatchesAction: oneOf(REJECTED_PATCHES_ACTIONS, "botocore PatchAction").default("BLOCK"),
    /** Linux only: alternative package repositories. */
    sources: z
        .array(patchSourceSchema, { error: "must be a list of sources" })
        .max(MAX_SOURCES, { error: `at most ${MAX_SOURCES} sources (botocore PatchSourceList)` })
        .default([]),
    /** Windows only: how missing security updates that are not approved are reported. */
    availableSecurityUpdatesComplianceStatus: oneOf(AVAILABLE_SECURITY_UPDATES_STATUSES, "botocore PatchComplianceStatus").optional(),
    /** Patch groups (values of the `Patch Group`/`PatchGroup` tag) that use this baseline. */
    patchGroups: z
        .array(
            patchGroupNameSchema,
            { error: "must be a list of patch group names" },
        )
        .default([]),
    /** Register this baseline as the account/region default for its operating system. @default false */
    defaultForOperatingSystem: z.boolean({ error: "must be true or false" }).default(false),
    /** Extra tags for this baseline, merged over the stack tags. */
    tags: tagsSchema.default({}),
});

export type ApprovalRuleConfig = z.infer<typeof approvalRuleSchema>;
export type BaselineConfig = z.infer<typeof baselineSchema>;

export const baselinesSchema = z.array(baselineSchema, { error: "must be a list of patch baselines" }).default([]);

function isOs(x: unknown): x is OperatingSystem {
    // The enum itself, not a map lookup: "__proto__" or "toString" would find Object.prototype's members.
    return typeof x === "string" && (OPERATING_SYSTEMS as readonly string[]).includes(x);
}

function checkFilterGroup(sink: IssueSink, path: string, group: unknown, os: OperatingSystem): void {
    const allowedKeys = FILTER_KEYS_BY_OS[os];
    for (const [key, values] of Object.entries(asRecord(group))) {
        if (!allowedKeys.includes(key)) {
            sink.add(
                `${path}.${key}`,
                `filter key ${key} is not accepted for ${os}; allowed keys: ${allowedKeys.join(", ")} (DescribePatchProperties)`,
                key,
            );
            continue;
        }
        const closed = CLOSED_FILTER_VALUES[os]?.[key];
        asArray(values).forEach((v, i) => {
            if (typeof v !== "string") return;
            if (v.toLowerCase() === "all") {
                sink.add(`${path}.${key}[${i}]`, `"${v}" is not a patch property value; use "*" to match every value`, v);
            } else if (closed && v !== "*" && !closed.includes(v)) {
                const other = otherFamilies(key, v, os);
                sink.add(
                    `${path}.${key}[${i}]`,
                    `is not a ${key} value for ${os}${other ? ` (it is one of ${other})` : ""}; allowed: ${closed.join(", ")} or * (PatchFilter, DescribePatchProperties)`,
                    v,
                );
            } else if (key === "PRODUCT" && v !== "*") {
                const family = productFamilyOf(v);
                if (family && !family.os.includes(os)) {
                    const own = PRODUCT_NAME_FAMILIES.filter((f) => f.os.includes(os)).map((f) => f.example);
                    sink.add(
                        `${path}.${key}[${i}]`,
                        `is a ${family.os.join("/")} product, not a ${os} one; ${os} PRODUCT values are its own releases${own.length > 0 ? ` such as ${own.join(", ")}` : ""} or * (the set is open: DescribePatchProperties lists the current ones)`,
                        v,
                    );
                }
            }
        });
    }
}

/** The other operating systems whose closed set for `key` holds `value` (a value of another family), for the message. */
function otherFamilies(key: string, value: string, os: OperatingSystem): string | undefined {
    const owners = OPERATING_SYSTEMS.filter((o) => o !== os && CLOSED_FILTER_VALUES[o]?.[key]?.includes(value));
    return owners.length > 0 ? `the ${key} values of ${owners.join(", ")}` : undefined;
}

/**
 * Cross-field rules the structural schema cannot express. They read the raw config defensively so
 * they still run where another field of the same baseline failed: every error is reported at once.
 */
export function checkBaselines(sink: IssueSink, path: string, raw: unknown): void {
    const names = new Map<string, number>();
    const groupOs = new Map<string, string>();
    const defaults = new Map<string, string>();
    asArray(raw).forEach((b, i) => {
        const base = `${path}[${i}]`;
        const baseline = asRecord(b);
        if (typeof baseline.name === "string") {
            const first = names.get(baseline.name);
            if (first !== undefined) {
                sink.add(`${base}.name`, `duplicate baseline name; already used by ${path}[${first}]`, baseline.name);
            } else names.set(baseline.name, i);
        }
        const rules = asArray(baseline.approvalRules);
        const approved = asArray(baseline.approvedPatches);
        if (rules.length === 0 && approved.length === 0) {
            sink.add(base, "a baseline needs approvalRules or approvedPatches, otherwise it approves nothing (CreatePatchBaseline)");
        }
        const os = baseline.operatingSystem;
        rules.forEach((r, j) => {
            const rule = asRecord(r);
            const rpath = `${base}.approvalRules[${j}]`;
            const hasDays = rule.approveAfterDays !== undefined;
            const hasDate = rule.approveUntilDate !== undefined;
            if (hasDays && hasDate) {
                sink.add(rpath, "approveAfterDays and approveUntilDate are mutually exclusive; set one of them (CreatePatchBaseline PatchRule)", {
                    approveAfterDays: rule.approveAfterDays,
                    approveUntilDate: rule.approveUntilDate,
                });
            }
            if (isOs(os)) {
                checkFilterGroup(sink, `${rpath}.patchFilters`, rule.patchFilters, os);
                if (OS_WITHOUT_APPROVAL_DELAY.includes(os) && (hasDays || hasDate)) {
                    sink.add(
                        rpath,
                        `${os} baselines do not support approveAfterDays or approveUntilDate; remove them (patches are approved as soon as they match)`,
                        hasDays ? rule.approveAfterDays : rule.approveUntilDate,
                    );
                } else if (!OS_WITHOUT_APPROVAL_DELAY.includes(os) && !hasDays && !hasDate) {
                    sink.add(rpath, `${os} approval rules need approveAfterDays (0–${APPROVE_AFTER_DAYS_MAX}) or approveUntilDate (YYYY-MM-DD)`);
                }
                if (rule.enableNonSecurity !== undefined && !isLinux(os)) {
                    sink.add(`${rpath}.enableNonSecurity`, `applies to Linux baselines only, not ${os}`, rule.enableNonSecurity);
                }
            }
        });
        if (isOs(os)) {
            if (baseline.globalFilters !== undefined) checkFilterGroup(sink, `${base}.globalFilters`, baseline.globalFilters, os);
            if (!isLinux(os)) {
                if (baseline.approvedPatchesEnableNonSecurity !== undefined) {
                    sink.add(`${base}.approvedPatchesEnableNonSecurity`, `applies to Linux baselines only, not ${os}`, baseline.approvedPatchesEnableNonSecurity);
                }
                if (asArray(baseline.sources).length > 0) {
                    sink.add(`${base}.sources`, `alternative patch sources apply to Linux baselines only, not ${os}`, baseline.sources);
                }
            }
            if (os !== "WINDOWS" && baseline.availableSecurityUpdatesComplianceStatus !== undefined) {
                sink.add(`${base}.availableSecurityUpdatesComplianceStatus`, `applies to WINDOWS baselines only, not ${os}`, baseline.availableSecurityUpdatesComplianceStatus);
            }
            asArray(baseline.patchGroups).forEach((g, k) => {
                if (typeof g !== "string") return;
                const key = `${g}\u0000${os}`;
                const owner = groupOs.get(key);
                if (owner !== undefined) {
                    sink.add(
                        `${base}.patchGroups[${k}]`,
                        `patch group "${g}" already has a ${os} baseline (${owner}); a patch group takes at most one baseline per operating system`,
                        g,
                    );
                } else groupOs.set(key, `${path}[${i}]`);
            });
            if (baseline.defaultForOperatingSystem === true) {
                const owner = defaults.get(os);
                if (owner !== undefined) {
                    sink.add(`${base}.defaultForOperatingSystem`, `${owner} is already the default ${os} baseline; only one default per operating system`, true);
                } else defaults.set(os, `${path}[${i}]`);
            }
        }
    });
}
