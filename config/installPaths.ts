/**
 * `patching:installPaths`: what the stack declares about its install paths — the tag key whose
 * values partition the fleet (`fleetKey`), how far apart two installs on the same nodes must be
 * (`minHoursApart`), and pairs of paths declared disjoint with a reason — and the adapters that
 * turn every installing mechanism of the validated config into an {@link InstallPath}
 * (core/installPaths.ts judges them).
 *
 * A mechanism added later adds one entry to {@link INSTALL_PATH_ADAPTERS}.
 */
import { z } from "zod";
import { InstallPath, InstallPathModel, NodeKind, NodeSelector, NodeTerm, PathLocation } from "../core/installPaths";
import { boundedString, intInRange, strictObject } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import type { SectionsConfig } from "./index";
import { isManagement, ResourceGroupConfig } from "./multiAccount";
import { compileSchedule, PatchTargetsConfig } from "./patchPolicies";
import { TAG_KEY_MAX, TAG_PATTERN } from "./rules";

/** Path ids are `<section>/<name>`: letters, digits and `_ . - /`. */
const PATH_ID = /^[A-Za-z][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/;
const pathId = z.string({ error: "must be an install path id such as patchPolicies/dev-web" }).regex(PATH_ID, { error: "must be an install path id <section>/<name>, such as patchPolicies/dev-web or changeSafety/gatedInstall" });

export const installPathsSchema = strictObject({
    /** Tag key whose values partition the fleet (every node carries exactly one value), e.g. `PatchFleet`. Every scheduled install path must then select by it. */
    fleetKey: z
        .string({ error: "must be a tag key" })
        .min(1, { error: `tag keys are 1–${TAG_KEY_MAX} characters` })
        .max(TAG_KEY_MAX, { error: `tag keys are 1–${TAG_KEY_MAX} characters` })
        .regex(TAG_PATTERN, { error: "tag keys may contain letters, digits, spaces and _ . : / = + - @" })
        .optional(),
    /** Two installs on the same nodes closer than this many hours collide (a window's duration counts too). @default 24 */
    minHoursApart: intInRange(1, 720, "hours").default(24),
    /** Pairs of paths that never reach the same node although the selectors cannot show it. */
    disjoint: z
        .array(
            strictObject({
                /** An install path id of this stack. */
                path: pathId,
                /** The other path's id. */
                disjointFrom: pathId,
                /** Why no node is selected by both (reviewers read it). */
                reason: boundedString(10, 512, "why the two paths never reach one node"),
            }),
            { error: "must be a list of { path, disjointFrom, reason }" },
        )
        .default([]),
}).default({ minHoursApart: 24, disjoint: [] });

export type InstallPathsConfig = z.infer<typeof installPathsSchema>;

/** What the adapters read besides the sections. */
export interface PathContext {
    /** `aws:region`. */
    region: string;
    /** Resource groups whose tag query this stack defines, by name. */
    groups: Map<string, ResourceGroupConfig>;
}

const KINDS: Record<string, NodeKind> = { "AWS::EC2::Instance": "ec2", "AWS::SSM::ManagedInstance": "hybrid" };

function tagsLabel(tags: Record<string, string[]>): string {
    return Object.entries(tags)
        .map(([k, v]) => (v.length === 0 ? `${k}=*` : `${k}=${v.join("|")}`))
        .join(" AND ");
}

/** `tag-key` values are alternatives (a node has any of the keys): one term per key. */
function withTagKeys(base: NodeTerm, tagKeys: string[] | undefined): NodeTerm[] {
    if (!tagKeys || tagKeys.length === 0) return [base];
    return tagKeys.map((k) => ({ ...base, tags: { ...base.tags, [k]: base.tags[k] ?? [] } }));
}

/** A resource group as a term: its tag query when the stack defines it, else opaque. */
function groupTerm(name: string, ctx: PathContext, extra: Record<string, string[]> = {}, kinds?: NodeKind[]): { term: NodeTerm; label: string } {
    const g = ctx.groups.get(name);
    if (!g) return { term: { tags: { ...extra }, opaqueGroup: name, kinds }, label: `resource group ${name} (query not in this stack)` };
    const groupKinds = g.resourceTypes.map((t) => KINDS[t]).filter((k): k is NodeKind => !!k);
    const merged = kinds ? groupKinds.filter((k) => kinds.includes(k)) : groupKinds;
    const tags: Record<string, string[]> = { ...extra };
    for (const [k, v] of Object.entries(g.tagFilters)) tags[k] = tags[k] ? (v.length === 0 ? tags[k] : tags[k].filter((x) => v.length === 0 || v.includes(x))) : [...v];
    return { term: { tags, kinds: merged }, label: `resource group ${name} (${tagsLabel(g.tagFilters)})` };
}

function policySelector(t: PatchTargetsConfig, ctx: PathContext): NodeSelector {
    if (t.allManagedNodes) return { label: "all managed nodes", terms: [{ tags: {} }] };
    if (t.instanceIds) return { label: `instances ${t.instanceIds.join(", ")}`, terms: [{ tags: {}, instanceIds: t.instanceIds }] };
    if (t.resourceGroup) {
        const g = groupTerm(t.resourceGroup, ctx);
        return { label: g.label, terms: [g.term] };
    }
    const tags = { ...(t.tags ?? {}) };
    const keys = t.tagKeys ? ` AND has ${t.tagKeys.join("|")}` : "";
    return { label: `tag ${tagsLabel(tags)}${keys}`.replace("tag  AND has", "has"), terms: withTagKeys({ tags }, t.tagKeys) };
}

/** Association / window targets given as `{ key, values }` (gated install). */
function keyValueSelector(targets: { key: string; values: string[] }[], ctx: PathContext): NodeSelector {
    const tags: Record<string, string[]> = {};
    let ids: string[] | undefined;
    let group: string | undefined;
    let tagKeys: string[] | undefined;
    let kinds: NodeKind[] | undefined;
    for (const t of targets) {
        if (t.key.startsWith("tag:")) tags[t.key.slice(4)] = t.values;
        else if (t.key === "tag-key") tagKeys = t.values;
        else if (t.key === "InstanceIds") ids = t.values.includes("*") ? undefined : t.values;
        else if (t.key === "resource-groups:Name") group = t.values[0];
        else if (t.key === "resource-groups:ResourceTypeFilters") kinds = t.values.map((v) => KINDS[v]).filter((k): k is NodeKind => !!k);
    }
    if (group) {
        const g = groupTerm(group, ctx, tags, kinds);
        return { label: g.label, terms: withTagKeys(g.term, tagKeys) };
    }
    if (ids) return { label: `instances ${ids.join(", ")}`, terms: [{ tags: {}, instanceIds: ids }] };
    const label = Object.keys(tags).length === 0 && !tagKeys ? "all managed nodes" : `tag ${tagsLabel(tags)}${tagKeys ? ` has ${tagKeys.join("|")}` : ""}`;
    return { label, terms: withTagKeys({ tags, kinds }, tagKeys) };
}

const self = (regions: string[]): PathLocation[] => [{ accounts: ["self"], regions }];

/** One adapter per installing mechanism. */
export const INSTALL_PATH_ADAPTERS: Record<string, (cfg: SectionsConfig, ctx: PathContext) => InstallPath[]> = {
    /** Patch policies' install associations (owned) or Quick Setup's (managed); their scans never reboot (RebootOption NoReboot). */
    patchPolicies: (cfg, ctx) =>
        cfg.patchPolicies.flatMap((p, i) => {
            if (!p.install) return [];
            const c = compileSchedule(p.install, "install");
            const accounts = p.mode === "managed" && p.organizationalUnits ? p.organizationalUnits : ["self"];
            return [
                {
                    id: `patchPolicies/${p.name}`,
                    mechanism: "patchPolicy",
                    operation: `Install (${p.install.rebootOption})`,
                    selector: policySelector(p.targets, ctx),
                    locations: [{ accounts, regions: p.regions ?? [ctx.region] }],
                    schedule: { expression: c.expression, offsetDays: c.offsetDays },
                    configPath: `patching:patchPolicies[${i}]`,
                },
            ];
        }),
    /** The change-safety gated install (snapshots, then AWS-RunPatchBaseline Install). */
    gatedInstall: (cfg, ctx) => {
        const g = cfg.changeSafety?.gatedInstall;
        if (!g) return [];
        return [
            {
                id: "changeSafety/gatedInstall",
                mechanism: "gatedInstall",
                operation: `Install (${g.rebootOption})`,
                selector: keyValueSelector(g.targets, ctx),
                locations: self([ctx.region]),
                schedule: { expression: g.schedule, offsetDays: g.scheduleOffset },
                configPath: "patching:changeSafety.gatedInstall",
            },
        ];
    },
    /** The multi-account runbook's schedules: installs, and scans that may reboot (RebootIfNeeded). */
    automationSchedules: (cfg, ctx) => {
        const m = cfg.multiAccount;
        if (!m || !isManagement(m.accountRole)) return [];
        const locations: PathLocation[] =
            m.targetLocations.length > 0
                ? m.targetLocations.map((l) => ({ accounts: l.accounts, regions: l.regions, exclude: l.excludeAccounts }))
                : self(m.memberRegions ?? [ctx.region]);
        return m.schedules.flatMap((s, i) => {
            if (!s.enabled || (s.operation === "Scan" && s.rebootOption === "NoReboot")) return [];
            const g = groupTerm(s.resourceGroup, ctx);
            return [
                {
                    id: `multiAccount/${s.name}`,
                    mechanism: "automationSchedule",
                    operation: s.operation === "Install" ? `Install (${s.rebootOption})` : "Scan (RebootIfNeeded)",
                    selector: { label: g.label, terms: [g.term] },
                    locations,
                    schedule: { expression: s.schedule, timezone: s.timezone },
                    configPath: `patching:multiAccount.schedules[${i}]`,
                },
            ];
        });
    },
    /** Maintenance windows with an Install task, a Scan task that may reboot, or an Automation task (which may patch). */
    maintenanceWindows: (cfg, ctx) =>
        cfg.maintenanceWindows.flatMap((w, i) => {
            const installing = w.tasks.filter(
                (t) => t.automation !== undefined || t.runCommand?.operation === "Install" || (t.runCommand?.operation === "Scan" && t.runCommand.rebootOption === "RebootIfNeeded"),
            );
            if (installing.length === 0) return [];
            const names = new Set(installing.flatMap((t) => t.targets ?? w.targets.map((x) => x.name)));
            const targets = w.targets.filter((t) => names.has(t.name));
            const parts = targets.map((t) => {
                if (t.resourceGroup) {
                    const kinds = t.resourceGroup.resourceTypes?.map((r) => KINDS[r]).filter((k): k is NodeKind => !!k);
                    return groupTerm(t.resourceGroup.name, ctx, {}, kinds && kinds.length > 0 ? kinds : undefined);
                }
                if (t.instanceIds) return { term: { tags: {}, instanceIds: t.instanceIds } as NodeTerm, label: `instances ${t.instanceIds.join(", ")}` };
                const tags = { ...(t.tags ?? {}) };
                return { term: { tags } as NodeTerm, label: `tag ${tagsLabel(tags)}${t.tagKeys ? ` has ${t.tagKeys.join("|")}` : ""}`, tagKeys: t.tagKeys };
            });
            // A targetless Automation task picks its own nodes: unknown here.
            const terms = parts.length > 0 ? parts.flatMap((p) => withTagKeys(p.term, (p as { tagKeys?: string[] }).tagKeys)) : [{ tags: {}, opaqueGroup: `(nodes chosen by window ${w.name}'s runbook)` }];
            const ops = [...new Set(installing.map((t) => (t.automation ? "Automation" : t.runCommand?.operation === "Install" ? `Install (${t.runCommand.rebootOption ?? "RebootIfNeeded"})` : "Scan (RebootIfNeeded)")))];
            return [
                {
                    id: `maintenanceWindows/${w.name}`,
                    mechanism: "maintenanceWindow",
                    operation: ops.join(", "),
                    selector: { label: parts.length > 0 ? parts.map((p) => p.label).join(" OR ") : "chosen by the runbook", terms },
                    locations: self([ctx.region]),
                    schedule: { expression: w.schedule, timezone: w.scheduleTimezone, offsetDays: w.scheduleOffset },
                    windowHours: w.duration,
                    configPath: `patching:maintenanceWindows[${i}]`,
                },
            ];
        }),
    /** Batch orchestrators: EC2 instances (running and stopped) by tags AND resource group. */
    patchOrchestrators: (cfg, ctx) =>
        cfg.patchOrchestrators.flatMap((o, i) => {
            if (o.patch.operation === "Scan" && o.patch.rebootOption === "NoReboot") return [];
            const tags = { ...(o.targets.tags ?? {}) };
            const g = o.targets.resourceGroup ? groupTerm(o.targets.resourceGroup, ctx, tags, ["ec2"]) : undefined;
            const term: NodeTerm = g ? g.term : { tags, kinds: ["ec2"] };
            const label = [Object.keys(tags).length > 0 ? `tag ${tagsLabel(tags)}` : "", g ? g.label : ""].filter(Boolean).join(" AND ");
            return [
                {
                    id: `patchOrchestrators/${o.name}`,
                    mechanism: "patchOrchestrator",
                    operation: o.patch.operation === "Install" ? `Install (${o.patch.rebootOption})` : "Scan (RebootIfNeeded)",
                    selector: { label: `${label} (EC2, running and stopped)`, terms: [term] },
                    locations: self([ctx.region]),
                    schedule: { expression: o.window.schedule, timezone: o.window.scheduleTimezone, offsetDays: o.window.scheduleOffset },
                    windowHours: o.window.duration,
                    configPath: `patching:patchOrchestrators[${i}]`,
                },
            ];
        }),
    /** Emergency patching (`npm run emergency`) starts the runbook on demand, on the targets given then. */
    emergency: (cfg) => {
        const m = cfg.multiAccount;
        if (!m || !isManagement(m.accountRole)) return [];
        return [
            {
                id: "emergency/run-now",
                mechanism: "emergency",
                operation: "Install (--reboot, default RebootIfNeeded)",
                selector: { label: "--targets given at run time", terms: [] },
                locations: [],
                onDemand: true,
                configPath: "patching:multiAccount",
            },
        ];
    },
};

/** Every install path of a validated config. */
export function installPathsOf(cfg: SectionsConfig, region: string): InstallPath[] {
    // Groups whose tag query the stack defines: the multi-account ones and those patching:resourceGroups creates.
    const defined = [...(cfg.multiAccount?.resourceGroups ?? []), ...(cfg.resourceGroups ?? [])];
    const ctx: PathContext = { region, groups: new Map(defined.map((g) => [g.name, g])) };
    return Object.values(INSTALL_PATH_ADAPTERS).flatMap((adapter) => adapter(cfg, ctx));
}

/** The model the review shows, the program stashes and the policy judges. */
export function installPathModel(cfg: SectionsConfig & { stack: string; region: string }): InstallPathModel {
    // Configs built by hand (tests, tools) may lack the section: its defaults then apply.
    const s = cfg.installPaths ?? { minHoursApart: 24, disjoint: [] };
    return { stack: cfg.stack, settings: { fleetKey: s.fleetKey, minHoursApart: s.minHoursApart, disjoint: s.disjoint }, paths: installPathsOf(cfg, cfg.region) };
}

/**
 * Rules that need the whole validated config: declarations name existing, different paths, once;
 * with a fleetKey every scheduled path selects by it (so every overlap is decidable).
 */
export function checkInstallPaths(sink: IssueSink, path: string, raw: unknown, cfg: SectionsConfig, region: string): void {
    const paths = installPathsOf(cfg, region);
    const ids = paths.map((p) => p.id);
    const known = ids.join(", ") || "none";
    const seen = new Set<string>();
    asArray(asRecord(raw).disjoint).forEach((d0, i) => {
        const d = asRecord(d0);
        const at = `${path}.disjoint[${i}]`;
        for (const key of ["path", "disjointFrom"] as const) {
            const v = d[key];
            if (typeof v === "string" && !ids.includes(v)) sink.add(`${at}.${key}`, `is not an install path of this stack; install paths: ${known}`, v);
            const p = paths.find((x) => x.id === v);
            if (p?.onDemand) sink.add(`${at}.${key}`, "is an on-demand path (started by an operator on the targets given then); it is never judged, so there is nothing to declare", v);
        }
        if (typeof d.path === "string" && d.path === d.disjointFrom) sink.add(`${at}.disjointFrom`, "names the same path as path; name the other path", d.disjointFrom);
        const key = [d.path, d.disjointFrom].map(String).sort().join(" ");
        if (seen.has(key)) sink.add(at, "declares a pair already declared; declare each pair once", [d.path, d.disjointFrom]);
        seen.add(key);
    });
    const fleetKey = cfg.installPaths.fleetKey;
    if (fleetKey) {
        for (const p of paths.filter((x) => !x.onDemand)) {
            const missing = p.selector.terms.some((t) => !(fleetKey in t.tags) || t.tags[fleetKey].length === 0);
            if (missing) {
                sink.add(
                    `${path}.fleetKey`,
                    `install path ${p.id} (${p.configPath}) selects ${p.selector.label} without a value of ${fleetKey}; with a fleetKey every scheduled install path selects its fleet by it (add ${fleetKey}: [<fleet>] to its targets or its resource group's tagFilters)`,
                    fleetKey,
                );
            }
        }
    }
}
