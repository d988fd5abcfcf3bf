/**
 * Property-based tests of the config model (issue 15, item 6) with fast-check.
 *
 * 1. Random VALID stack configs, built by generators of the sections most users write
 *    (baselines, patchPolicies, overrideStore), are all accepted by `parseConfig`.
 * 2. A random single MUTATION of such a config (out-of-range number, wrong enum value, over-long
 *    string, malformed instance id, schedule in another dialect, rate control over 100% or longer
 *    than 7 characters) is rejected, and one of the issues names exactly the mutated key.
 *
 * The generators do not read the model's own schemas: rate controls come from the botocore SSM
 * patterns (tests/fixtures/ssm-model/constraints.json), limits and enums from the botocore model and
 * the user guide as written below, so a rule that drifts from AWS is caught rather than restated.
 *
 * `npm test` runs a modest number of cases with a fixed seed (reproducible, a few seconds);
 * `npm run test:fuzz` runs FUZZ_RUNS cases (default there 2000) with a random seed, printed on
 * failure; FUZZ_SEED replays one run.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { ConfigIssue, ConfigValidationError, parseConfig } from "../config";
import { expectIssue, minimalConfig } from "./harness";

/** A fixed seed for `npm test`; `npm run test:fuzz` draws a fresh one unless FUZZ_SEED is set. */
const FIXED_SEED = 0x15b6;
/** Cases per property in `npm test` (about two seconds on an idle machine; nothing here is timed). */
const VALID_RUNS = 150;
const MUTATION_RUNS = 400;
const fuzzRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
const fuzzSeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
if (fuzzRuns !== undefined && !(Number.isInteger(fuzzRuns) && fuzzRuns > 0)) throw new Error(`FUZZ_RUNS must be a positive whole number, got ${process.env.FUZZ_RUNS}`);
if (fuzzSeed !== undefined && !Number.isInteger(fuzzSeed)) throw new Error(`FUZZ_SEED must be a whole number, got ${process.env.FUZZ_SEED}`);

function params(defaultRuns: number): fc.Parameters<unknown> {
    const seed = fuzzSeed ?? (fuzzRuns === undefined ? FIXED_SEED : undefined);
    return { numRuns: fuzzRuns ?? defaultRuns, ...(seed === undefined ? {} : { seed }) };
}

// ── Independent truth: botocore's SSM model and the user guide ──────────────────────────────────

const model = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "ssm-model", "constraints.json"), "utf8")) as {
    shapes: Record<string, { min?: number; max?: number; pattern?: string }>;
};
function shape(name: string) {
    const s = model.shapes[name];
    if (!s) throw new Error(`botocore shape ${name} missing from the fixture`);
    return s;
}
/** Values botocore accepts for a rate-control shape: its pattern, within its length bounds. */
function botocoreRateControl(name: "MaxConcurrency" | "MaxErrors"): fc.Arbitrary<string> {
    const s = shape(name);
    return fc.stringMatching(new RegExp(s.pattern!)).filter((v) => v.length >= (s.min ?? 0) && v.length <= (s.max ?? Infinity));
}
const APPROVE_AFTER_DAYS = shape("ApproveAfterDays"); // integer 0–360
const BASELINE_NAME_MAX = shape("BaselineName").max!; // 128
const BASELINE_DESCRIPTION_MAX = shape("BaselineDescription").max!; // 1024
const PATCH_GROUP_MAX = shape("PatchGroup").max!; // 256
const TAG_VALUE_MAX = shape("TagValue").max!; // 256
const PATCH_FILTER_VALUE_MAX = shape("PatchFilterValue").max!; // 64

/** botocore SSM OperatingSystem and PatchComplianceLevel / PatchAction enums. */
const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"];
const REJECTED_ACTIONS = ["ALLOW_AS_DEPENDENCY", "BLOCK"];
/** AWS-RunPatchBaseline RebootOption allowed values. */
const REBOOT_OPTIONS = ["RebootIfNeeded", "NoReboot"];
/** CloudWatch Logs PutRetentionPolicy retentionInDays. */
const LOG_RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * One approval-rule filter group per operating system family that the user guide documents
 * ("Patch baseline filters"; DescribePatchProperties), and whether rules take an approval delay
 * (Ubuntu and Debian do not).
 */
const OS_PROFILES = [
    { os: "AMAZON_LINUX_2023", delay: true, filters: { CLASSIFICATION: ["Security", "Bugfix"], SEVERITY: ["Critical", "Important", "Medium", "Low"] } },
    { os: "AMAZON_LINUX_2", delay: true, filters: { CLASSIFICATION: ["Security", "Bugfix"], SEVERITY: ["Critical", "Important"] } },
    { os: "REDHAT_ENTERPRISE_LINUX", delay: true, filters: { PRODUCT: ["*"], CLASSIFICATION: ["Security"], SEVERITY: ["Critical", "Important"] } },
    { os: "ROCKY_LINUX", delay: true, filters: { CLASSIFICATION: ["Security"], SEVERITY: ["Critical", "Important"] } },
    {
        os: "WINDOWS",
        delay: true,
        filters: { PRODUCT: ["WindowsServer2019", "WindowsServer2022"], CLASSIFICATION: ["CriticalUpdates", "SecurityUpdates", "Updates"], MSRC_SEVERITY: ["Critical", "Important", "Moderate"] },
    },
    { os: "UBUNTU", delay: false, filters: { PRODUCT: ["Ubuntu22.04", "Ubuntu24.04"], PRIORITY: ["Required", "Important", "Standard"], SECTION: ["*"] } },
    { os: "DEBIAN", delay: false, filters: { PRIORITY: ["Required", "Important"] } },
] as const;

// ── Generators of valid sections ────────────────────────────────────────────────────────────────

const lower = "abcdefghijklmnopqrstuvwxyz";
const alnum = `${lower}0123456789`;
const hex = "0123456789abcdef";
/**
 * Strings over `chars`. Kept per alphabet and length range: arbitraries are immutable, and building
 * `fc.string` tokenizes fast-check's dictionary of edge-case strings each time (over a second of
 * this file's CPU when the mutation generators built one per value).
 */
function word(chars: string, min: number, max: number): fc.Arbitrary<string> {
    const key = `${chars}\u0000${min}\u0000${max}`;
    let arb = words.get(key);
    if (!arb) words.set(key, (arb = fc.string({ unit: fc.constantFrom(...chars.split("")), minLength: min, maxLength: max })));
    return arb;
}
const words = new Map<string, fc.Arbitrary<string>>();
/** A non-empty subset of `values`, in their order. */
function someOf<T>(values: readonly T[]): fc.Arbitrary<T[]> {
    return fc.subarray([...values], { minLength: 1 });
}

/** A tag key/value of the botocore TagKey/TagValue alphabet, never `aws:` nor a standard tag key. */
const tagKey = fc.tuple(fc.constantFrom("Team", "Owner", "CostCenter", "App", "Tier"), word(`${alnum}_.:/=+-@ `, 0, 20)).map(([a, b]) => `${a}${b}`);
const tagValue = word(`${alnum}ABCDEFXYZ_.:/=+-@ `, 0, 40);
const tagMap = fc.dictionary(tagKey, tagValue, { maxKeys: 4 });

/** Valid State Manager association schedules (user guide, "Reference: Cron and rate expressions for Systems Manager"). */
const stateManagerSchedule = fc.oneof(
    fc.integer({ min: 30, max: 44639 }).map((n) => `rate(${n} minutes)`),
    fc.integer({ min: 1, max: 743 }).map((n) => (n === 1 ? "rate(1 hour)" : `rate(${n} hours)`)),
    fc.integer({ min: 1, max: 30 }).map((n) => (n === 1 ? "rate(1 day)" : `rate(${n} days)`)),
    fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "TUE#2", "SAT#3", "*"))
        .map(([m, h, dow]) => (dow === "*" ? `cron(${m} ${h} * * ? *)` : `cron(${m} ${h} ? * ${dow} *)`)),
    fc.tuple(fc.integer({ min: 0, max: 59 }), fc.constantFrom(1, 2, 4, 8, 12)).map(([m, n]) => `cron(${m} 0/${n} * * ? *)`),
    fc.constant("cron(0/30 * * * ? *)"),
    fc.date({ min: new Date("2027-01-01T00:00:00Z"), max: new Date("2030-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => `at(${d.toISOString().slice(0, 19)})`),
);

/** Valid EventBridge Scheduler schedules at least 15 minutes apart (the remediation Lambda's floor). */
const schedulerSchedule = fc.oneof(
    fc.integer({ min: 15, max: 10000 }).map((n) => `rate(${n} minutes)`),
    fc.integer({ min: 1, max: 72 }).map((n) => (n === 1 ? "rate(1 hour)" : `rate(${n} hours)`)),
    fc.integer({ min: 1, max: 30 }).map((n) => (n === 1 ? "rate(1 day)" : `rate(${n} days)`)),
    fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 })).map(([m, h]) => `cron(${m} ${h} * * ? *)`),
    fc.integer({ min: 0, max: 59 }).map((m) => `cron(${m} * * * ? *)`),
);

const ec2Id = fc.oneof(word(hex, 8, 8), word(hex, 17, 17)).map((h) => `i-${h}`);
const hybridId = word(hex, 17, 17).map((h) => `mi-${h}`);

const approvalRule = (profile: (typeof OS_PROFILES)[number]) =>
    fc.record(
        {
            patchFilters: fc.record(Object.fromEntries(Object.entries(profile.filters).map(([k, vs]) => [k, someOf(vs)])), { requiredKeys: [Object.keys(profile.filters)[0]] }),
            approveAfterDays: profile.delay ? fc.integer({ min: APPROVE_AFTER_DAYS.min!, max: APPROVE_AFTER_DAYS.max! }) : fc.constant(undefined),
            complianceLevel: fc.constantFrom(...COMPLIANCE_LEVELS),
        },
        { requiredKeys: ["patchFilters"] },
    ).map((r) => (profile.delay ? { approveAfterDays: 0, ...r } : r));

/** A baseline; `i` keeps names and patch groups unique across the list. */
const baseline = (i: number) =>
    fc.constantFrom(...OS_PROFILES).chain((profile) =>
        fc.record(
            {
                name: word(`${alnum}_.-`, 0, 40).map((s) => `b${i}-${s}`),
                operatingSystem: fc.constant(profile.os),
                description: word(`${alnum} -`, 1, 200),
                approvalRules: fc.array(approvalRule(profile), { minLength: 1, maxLength: 3 }),
                rejectedPatchesAction: fc.constantFrom(...REJECTED_ACTIONS),
                approvedPatchesComplianceLevel: fc.constantFrom(...COMPLIANCE_LEVELS),
                patchGroups: fc.uniqueArray(word(`${alnum}_.:/=+-@ `, 0, 30).map((s) => `g${i}${s}`), { maxLength: 3 }),
                tags: tagMap,
            },
            { requiredKeys: ["name", "operatingSystem", "approvalRules"] },
        ),
    );

const targets = fc.oneof(
    fc.constant({ allManagedNodes: true }),
    fc.record({ tags: fc.dictionary(tagKey, fc.uniqueArray(tagValue.filter((v) => v.length > 0), { minLength: 1, maxLength: 5 }), { minKeys: 1, maxKeys: 4 }) }),
    fc.record({ tagKeys: fc.uniqueArray(tagKey, { minLength: 1, maxLength: 5 }) }),
    fc.record({ resourceGroup: word(`${alnum}_.-`, 0, 60).map((s) => `rg-${s}`) }),
    fc.record({ instanceIds: fc.uniqueArray(fc.oneof(ec2Id, hybridId), { minLength: 1, maxLength: 10 }) }),
);

const rateControl = fc.record({ maxConcurrency: botocoreRateControl("MaxConcurrency"), maxErrors: botocoreRateControl("MaxErrors") }, { requiredKeys: [] });
/** When an operation runs: a schedule, or Patch Tuesday + 0–20 days at a UTC time (HH:MM). */
const when = fc.oneof(
    stateManagerSchedule.map((schedule) => ({ schedule })),
    fc
        .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([d, h, m]) => ({ patchTuesdayPlusDays: d, time: `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}` })),
);
const operation = fc.tuple(when, rateControl).map(([w, rc]) => ({ ...w, ...rc }));
const installOverrideList = fc.oneof(
    word(`${alnum}/.-`, 1, 60).map((p) => `https://example.com/${p}`),
    fc.tuple(word(alnum, 3, 20), word(`${alnum}-_`, 1, 30)).map(([b, k]) => `s3://${b}/lists/${k}.yaml`),
);
const install = fc.record(
    { op: operation, rebootOption: fc.constantFrom(...REBOOT_OPTIONS), installOverrideList },
    { requiredKeys: ["op"] },
).map(({ op, ...rest }) => ({ ...op, ...rest }));

const patchPolicy = (i: number) =>
    fc.record(
        {
            name: word(`${alnum}_.-`, 0, 30).map((s) => `p${i}-${s}`),
            targets,
            scan: operation,
            install,
            instancePermissions: fc.record({ schedule: stateManagerSchedule }),
            tags: tagMap,
        },
        { requiredKeys: ["name", "targets", "scan"] },
    );

const overrideStore = (baselines: { name: string; operatingSystem: string }[]) => {
    const onePerOs = [...new Map(baselines.map((b) => [b.operatingSystem, b.name])).values()];
    return fc.record(
        {
            configId: fc.oneof(word(alnum, 1, 1), fc.tuple(word(alnum, 1, 1), word(`${alnum}-`, 0, 8), word(alnum, 1, 1)).map((p) => p.join(""))),
            baselines: someOf(onePerOs),
            predefinedBaselines: fc.uniqueArray(word(hex, 17, 17).map((h) => `pb-${h}`), { maxLength: 3 }),
            noncurrentVersionDays: fc.integer({ min: 1, max: 36500 }),
            instanceRoleNames: fc.uniqueArray(word(`${alnum}+=,.@_-`, 1, 60), { maxLength: 3 }),
            remediation: fc.record({ schedule: schedulerSchedule, logRetentionDays: fc.constantFrom(...LOG_RETENTION) }, { requiredKeys: [] }),
        },
        { requiredKeys: ["configId", "baselines"] },
    );
};

type Values = Record<string, unknown>;

/** A whole valid stack config: engine-style keys, objects as parsed from YAML. */
const validConfig: fc.Arbitrary<Values> = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constantFrom("us-east-1", "eu-west-1", "ap-southeast-2"))
    .chain(([nb, np, withStore, region]) =>
        fc
            .tuple(fc.tuple(...Array.from({ length: nb }, (_, i) => baseline(i))), np === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: np }, (_, i) => patchPolicy(i))))
            .chain(([bs, ps]) =>
                (withStore ? overrideStore(bs) : fc.constant(undefined)).map((store) => ({
                    "aws:region": region,
                    "patching:environment": "test",
                    "patching:baselines": bs,
                    "patching:patchPolicies": ps,
                    ...(store ? { "patching:overrideStore": store } : {}),
                })),
            ),
    );

/** The issues of a config, or [] when it is accepted. */
function issuesOf(values: Values): ConfigIssue[] {
    try {
        parseConfig(structuredClone(values), { project: "patching", stack: "test", now: new Date("2026-06-01T00:00:00Z") });
        return [];
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
}

/** Every key and kind of mistake {@link mutations} produces; the fixed-seed run must reach each one. */
const MUTATION_SITES: readonly string[] = [
    "patching:baselines.approvalRules.approveAfterDays (out-of-range number)",
    "patching:baselines.approvalRules.complianceLevel (wrong enum)",
    "patching:baselines.approvalRules.patchFilters.* (over-long string)",
    "patching:baselines.approvedPatchesComplianceLevel (wrong enum)",
    "patching:baselines.description (over-long string)",
    "patching:baselines.name (over-long string)",
    "patching:baselines.operatingSystem (wrong enum)",
    "patching:baselines.patchGroups (over-long string)",
    "patching:baselines.rejectedPatchesAction (wrong enum)",
    "patching:baselines.tags.* (over-long string)",
    "patching:overrideStore.configId (over-long string (derived bucket name))",
    "patching:overrideStore.instanceRoleNames (over-long string)",
    "patching:overrideStore.noncurrentVersionDays (out-of-range number)",
    "patching:overrideStore.predefinedBaselines (malformed baseline id)",
    "patching:overrideStore.remediation.logRetentionDays (not a retention value)",
    "patching:overrideStore.remediation.schedule (schedule in another dialect)",
    "patching:patchPolicies.install.installOverrideList (URL of another scheme)",
    "patching:patchPolicies.install.maxConcurrency (maxConcurrency out of range or over 7 characters)",
    "patching:patchPolicies.install.maxErrors (maxErrors over 100% or over 7 characters)",
    "patching:patchPolicies.install.patchTuesdayPlusDays (out-of-range number)",
    "patching:patchPolicies.install.rebootOption (wrong enum)",
    "patching:patchPolicies.install.schedule (schedule in another dialect)",
    "patching:patchPolicies.install.time (malformed time of day)",
    "patching:patchPolicies.instancePermissions.schedule (schedule in another dialect)",
    "patching:patchPolicies.name (over-long string)",
    "patching:patchPolicies.scan.maxConcurrency (maxConcurrency out of range or over 7 characters)",
    "patching:patchPolicies.scan.maxErrors (maxErrors over 100% or over 7 characters)",
    "patching:patchPolicies.scan.patchTuesdayPlusDays (out-of-range number)",
    "patching:patchPolicies.scan.schedule (schedule in another dialect)",
    "patching:patchPolicies.scan.time (malformed time of day)",
    "patching:patchPolicies.targets.instanceIds (malformed instance id)",
    "patching:patchPolicies.targets.resourceGroup (over-long string)",
    "patching:patchPolicies.targets.tagKeys (over-long string)",
    "patching:patchPolicies.targets.tags.* (over-long string)",
];

// ── Mutations: one key of a valid config set to a value AWS rejects ─────────────────────────────

type Key = (string | number)[];
interface Mutation {
    /** Where: the engine key, then object keys and list indexes. */
    at: Key;
    /** What kind of mistake (for the counterexample report). */
    kind: string;
    /** The key without list indexes, tag keys or filter keys, and the kind: `patching:patchPolicies.install.maxErrors (…)`. */
    site: string;
    value: unknown;
}

/** The key path as the model reports it: `patching:patchPolicies[0].install.maxErrors`. */
function keyPath(at: Key): string {
    const [root, ...rest] = at;
    return rest.reduce<string>((out, p) => (typeof p === "number" ? `${out}[${p}]` : /^[A-Za-z_]\w*$/.test(p) ? `${out}.${p}` : `${out}[${JSON.stringify(p)}]`), String(root));
}

function mutate(values: Values, m: Mutation): Values {
    const copy = structuredClone(values);
    let node = copy as Record<string | number, unknown>;
    // A missing parent object (an omitted optional section) is created: the mutated key is still the only change that matters.
    for (const p of m.at.slice(0, -1)) node = (node[p] ??= {}) as Record<string | number, unknown>;
    node[m.at[m.at.length - 1]] = m.value;
    return copy;
}

const overLong = (chars: string, min: number) => word(chars, min, min + 40);
const wrongEnum = fc.oneof(word(`${lower}_`, 1, 12), fc.constantFrom("critical", "Block", "REBOOT", "AmazonLinux2023", "windows", ""));
/** Over 100%, or longer than 7 characters though it matches the pattern (botocore min/max). */
const badMaxErrors = fc.oneof(
    fc.integer({ min: 101, max: 99999 }).map((n) => `${n}%`),
    fc.stringMatching(/^[1-9][0-9]{7,10}$/),
    fc.constantFrom("-1", "1.5", "10 %", "05", "all"),
);
const badMaxConcurrency = fc.oneof(badMaxErrors, fc.constantFrom("0", "0%"));
/** Ids EC2/SSM reject: wrong length, upper case, wrong prefix, hybrid id of EC2 length. */
const badInstanceId = fc.oneof(
    word(hex, 1, 7).map((h) => `i-${h}`),
    word(hex, 9, 16).map((h) => `i-${h}`),
    word(hex, 18, 25).map((h) => `i-${h}`),
    word("ABCDEF", 8, 8).map((h) => `i-${h}`),
    word(hex, 8, 8).map((h) => `mi-${h}`),
    word(hex, 17, 17).map((h) => `x-${h}`),
    word(hex, 17, 17),
);
/** Schedules valid in another dialect, not in a State Manager association: too frequent, months, years, non-zero seconds. */
const notStateManager = fc.oneof(
    fc.integer({ min: 1, max: 29 }).map((n) => (n === 1 ? "rate(1 minute)" : `rate(${n} minutes)`)),
    fc.integer({ min: 1, max: 29 }).map((n) => `cron(0/${n === 1 ? 5 : n} * * * ? *)`),
    fc.constantFrom("JAN", "6", "1-6", "MAR,SEP").map((mo) => `cron(0 2 1 ${mo} ? *)`),
    fc.integer({ min: 2027, max: 2030 }).map((y) => `cron(0 2 ? * SUN ${y})`),
    fc.constantFrom("cron(0 2 ? * SUN)", "cron(0 2 * * *)", "0 2 * * 0", "rate(1 week)", "rate(31 days)"),
);
/** Schedules valid elsewhere (a maintenance window's 7-field cron, cron without "?") but not in EventBridge Scheduler. */
const notScheduler = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 })).map(([m, h]) => `cron(0 ${m} ${h} ? * SUN *)`),
    fc.constantFrom("cron(0 * * * *)", "0 * * * *", "rate(1 hours)", "rate(2 hour)", "every 1 hour"),
);

function mutations(values: Values): fc.Arbitrary<Mutation> {
    // Grouped by site so a rare key (one resourceGroup) is picked as often as a frequent one (many tag values).
    const options = new Map<string, fc.Arbitrary<Mutation>[]>();
    const add = (at: Key, kind: string, value: fc.Arbitrary<unknown>) => {
        const generic = at.filter((p) => typeof p === "string").map((p, i, all) => (i > 0 && ["tags", "patchFilters"].includes(all[i - 1] as string) ? "*" : p));
        const site = `${generic.join(".")} (${kind})`;
        options.set(site, [...(options.get(site) ?? []), value.map((v) => ({ at, kind, site, value: v }))]);
    };
    const baselines = values["patching:baselines"] as Values[];
    baselines.forEach((b, i) => {
        const at = (...k: Key): Key => ["patching:baselines", i, ...k];
        add(at("operatingSystem"), "wrong enum", wrongEnum);
        add(at("rejectedPatchesAction"), "wrong enum", wrongEnum);
        add(at("approvedPatchesComplianceLevel"), "wrong enum", wrongEnum);
        add(at("name"), "over-long string", overLong(alnum, BASELINE_NAME_MAX + 1));
        add(at("description"), "over-long string", overLong(`${alnum} `, BASELINE_DESCRIPTION_MAX + 1));
        (b.approvalRules as Values[]).forEach((r, j) => {
            add(at("approvalRules", j, "complianceLevel"), "wrong enum", wrongEnum);
            for (const [key, vs] of Object.entries(r.patchFilters as Record<string, string[]>)) {
                vs.forEach((_, k) => add(at("approvalRules", j, "patchFilters", key, k), "over-long string", overLong(alnum, PATCH_FILTER_VALUE_MAX + 1)));
            }
            if (r.approveAfterDays !== undefined) {
                add(
                    at("approvalRules", j, "approveAfterDays"),
                    "out-of-range number",
                    fc.oneof(fc.integer({ min: APPROVE_AFTER_DAYS.max! + 1, max: 100000 }), fc.integer({ min: -1000, max: -1 }), fc.constantFrom(0.5, 7.25, Number.NaN)),
                );
            }
        });
        (b.patchGroups as string[] | undefined)?.forEach((_, k) => add(at("patchGroups", k), "over-long string", overLong(alnum, PATCH_GROUP_MAX + 1)));
        Object.keys((b.tags as Values | undefined) ?? {}).forEach((k) => add(at("tags", k), "over-long string", overLong(alnum, TAG_VALUE_MAX + 1)));
    });
    (values["patching:patchPolicies"] as Values[]).forEach((p, i) => {
        const at = (...k: Key): Key => ["patching:patchPolicies", i, ...k];
        add(at("name"), "over-long string", overLong(alnum, 41));
        for (const op of ["scan", "install"] as const) {
            const o = p[op] as Values | undefined;
            if (!o) continue;
            add(at(op, "maxErrors"), "maxErrors over 100% or over 7 characters", badMaxErrors);
            add(at(op, "maxConcurrency"), "maxConcurrency out of range or over 7 characters", badMaxConcurrency);
            if (o.schedule !== undefined) add(at(op, "schedule"), "schedule in another dialect", notStateManager);
            if (o.patchTuesdayPlusDays !== undefined) {
                add(at(op, "patchTuesdayPlusDays"), "out-of-range number", fc.oneof(fc.integer({ min: 21, max: 400 }), fc.integer({ min: -30, max: -1 }), fc.constant(1.5)));
                add(at(op, "time"), "malformed time of day", fc.constantFrom("24:00", "2:00", "12:60", "0300", "3 am", "12:00:00"));
            }
            if (op === "install") {
                add(at(op, "rebootOption"), "wrong enum", wrongEnum);
                add(
                    at(op, "installOverrideList"),
                    "URL of another scheme",
                    fc.oneof(word(alnum, 1, 20).map((h) => `http://${h}.example.com/list.yaml`), word(alnum, 3, 20).map((b) => `s3://${b}`), fc.constantFrom("ftp://host/list.yaml", "list.yaml", "s3:/b/k")),
                );
            }
        }
        const perms = p.instancePermissions as Values | undefined;
        if (perms?.schedule !== undefined) add(at("instancePermissions", "schedule"), "schedule in another dialect", notStateManager);
        const t = p.targets as Values;
        (t.instanceIds as string[] | undefined)?.forEach((_, k) => add(at("targets", "instanceIds", k), "malformed instance id", badInstanceId));
        if (t.resourceGroup !== undefined) add(at("targets", "resourceGroup"), "over-long string", overLong(alnum, 129));
        (t.tagKeys as string[] | undefined)?.forEach((_, k) => add(at("targets", "tagKeys", k), "over-long string", overLong(alnum, 129)));
        Object.entries((t.tags as Record<string, string[]> | undefined) ?? {}).forEach(([key, vs]) =>
            vs.forEach((_, k) => add(at("targets", "tags", key, k), "over-long string", overLong(alnum, TAG_VALUE_MAX + 1))),
        );
    });
    const store = values["patching:overrideStore"] as Values | undefined;
    if (store) {
        const at = (...k: Key): Key => ["patching:overrideStore", ...k];
        add(at("noncurrentVersionDays"), "out-of-range number", fc.oneof(fc.integer({ min: 36501, max: 10 ** 7 }), fc.integer({ min: -100, max: 0 })));
        add(at("remediation", "logRetentionDays"), "not a retention value", fc.integer({ min: 0, max: 4000 }).filter((d) => !LOG_RETENTION.includes(d)));
        // The bucket patching-overrides-<12-digit account>-<region>-<configId> must fit S3's 63 characters.
        add(at("configId"), "over-long string (derived bucket name)", overLong(alnum, 64 - "patching-overrides-123456789012-us-east-1-".length));
        if (store.remediation !== undefined) add(at("remediation", "schedule"), "schedule in another dialect", notScheduler);
        (store.predefinedBaselines as string[] | undefined)?.forEach((_, k) => add(at("predefinedBaselines", k), "malformed baseline id", word(hex, 1, 16).map((h) => `pb-${h}`)));
        (store.instanceRoleNames as string[] | undefined)?.forEach((_, k) => add(at("instanceRoleNames", k), "over-long string", overLong(alnum, 65)));
    }
    return fc.oneof(...[...options.values()].map((list) => fc.oneof(...list)));
}

describe("config model: property-based (fast-check)", () => {
    it("accepts every generated valid config (baselines, patch policies, override store)", () => {
        fc.assert(
            fc.property(validConfig, (values) => {
                const issues = issuesOf(values);
                expect(issues, JSON.stringify(issues, null, 1)).to.deep.equal([]);
            }),
            params(VALID_RUNS),
        );
    });

    it("rejects a single mutation of a valid config with an issue at exactly the mutated key", () => {
        const exercised = new Set<string>();
        fc.assert(
            fc.property(
                validConfig.chain((values) => mutations(values).map((m) => ({ values, m }))),
                ({ values, m }) => {
                    const issues = issuesOf(mutate(values, m));
                    const want = keyPath(m.at);
                    expect(issues.map((i) => i.path), `${m.kind} ${JSON.stringify(m.value)} at ${want}: ${JSON.stringify(issues, null, 1)}`).to.include(want);
                    exercised.add(m.site);
                },
            ),
            params(MUTATION_RUNS),
        );
        // The run reached every kind of mistake at every key the generators can mutate (a generator
        // that stops producing a section would otherwise pass silently); a short fuzz run may not.
        if ((fuzzRuns ?? MUTATION_RUNS) >= MUTATION_RUNS) expect([...MUTATION_SITES].filter((site) => !exercised.has(site)), `exercised: ${[...exercised].sort().join("\n")}`).to.deep.equal([]);
    });

    describe("counterexamples the properties found (kept as plain tests)", () => {
        // Seed 927903860 of `npm run test:fuzz`: operatingSystem "__proto__" made checkBaselines look the
        // name up in a plain object, find Object.prototype and crash with a TypeError instead of
        // reporting the key. The OS is now checked against the botocore enum itself.
        for (const os of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
            it(`reports operatingSystem ${JSON.stringify(os)} at its key instead of crashing`, () => {
                const values = minimalConfig();
                const [b] = values["patching:baselines"] as Values[];
                expectIssue({ ...values, "patching:baselines": [{ ...b, operatingSystem: os }] }, "patching:baselines[0].operatingSystem", "must be one of WINDOWS, AMAZON_LINUX", os);
            });
        }
    });
});
