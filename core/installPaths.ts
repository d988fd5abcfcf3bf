/**
 * Install paths: every way this program can install patches (and reboot) on a node, and whether
 * two of them can reach the same node.
 *
 * An {@link InstallPath} is one mechanism's install — a patch policy's install association, the
 * gated install, a multi-account automation schedule, a maintenance window's install tasks, a batch
 * orchestrator, emergency patching — with its node selector, account × Region locations and
 * schedule. `config/installPaths.ts` derives them from the validated config (one adapter per
 * mechanism); this module judges them. Plain data in, plain data out: no Pulumi, no SDK, no config
 * import, so the review, the config checks and the CrossGuard policy (which reads the paths the
 * program stashed in the state) all run the very same analysis.
 *
 * How Systems Manager combines targets (what {@link NodeTerm} encodes):
 * - One target `Key=tag:<k>,Values=v1,v2` matches a node carrying **any** of the values ("If you
 *   specified multiple tag values, the association targets any node with at least one of those tag
 *   values", user guide "Understanding targets and rate controls in State Manager associations";
 *   API reference `Target`: `Key=tag:tag-key,Values=tag-value-1,tag-value-2`).
 * - Several key/value targets of one association or one maintenance-window target narrow each
 *   other: a node must match **every** one (API reference `Target`: targets are "search criteria"
 *   a node meets; this program's patch policies and gated install already send one target per tag
 *   key on that reading — not re-verified against a live account). Automation takes a single
 *   tag or resource-group target ("Only one resource group or tag can be specified at a time",
 *   `StartAutomationExecution`, aws/aws-cli#9028). Resource-group tag queries (`TAG_FILTERS_1_0`)
 *   AND their keys and OR each key's values.
 * - Separate maintenance-window targets are separate sets: a task registered on several targets
 *   runs on each of them (`RegisterTargetWithMaintenanceWindow`), i.e. their union.
 * - A node has at most one value per tag key (EC2 and Systems Manager tags are key-unique), so the
 *   same key with disjoint values can never match one node.
 *
 * Verdicts for two selectors in a shared account and Region:
 * - `overlap` (exact): all-nodes against anything; the same instance id; the same resource group;
 *   tag conjunctions without a conflicting key where one selector's keys are a subset of the
 *   other's (every node of the narrower one meets the wider one's condition on its keys).
 * - `disjoint` (exact): some shared tag key has no common value; no common Region or account;
 *   EC2-only against hybrid-only; different instance ids.
 * - `may-overlap`: not decidable from config — different tag keys (a node may carry both), instance
 *   ids against tags, a resource group whose query the stack does not define.
 * A pair the config declares disjoint (`patching:installPaths.disjoint`) is reported as such with
 * its reason and never counted as an overlap.
 */
import { addMonths, computeCalendar, ScheduleSource } from "./calendar";
import { formatRun } from "./schedule";

/** What a node is: an EC2 instance (`i-`) or a hybrid managed node (`mi-`). */
export type NodeKind = "ec2" | "hybrid";

/**
 * One conjunction of node conditions: a node matches when it meets every condition. An empty
 * term (no tags, no ids, no group) matches every managed node.
 */
export interface NodeTerm {
    /** Tag key → accepted values (any of them); an empty list accepts any value (`tag-key`). */
    tags: Record<string, string[]>;
    /** Exactly these nodes (`InstanceIds=…`). */
    instanceIds?: string[];
    /** A resource group whose query this stack does not define: its members are unknown. */
    opaqueGroup?: string;
    /** Kinds of node the mechanism reaches. @default both */
    kinds?: NodeKind[];
}

/** Which nodes a path installs on: the union of its terms. */
export interface NodeSelector {
    /** How a reviewer reads it, e.g. `tag PatchFleet=web` or `resource group WebServers (Name=WebServers)`. */
    label: string;
    terms: NodeTerm[];
}

/** Where a path runs: these accounts in these Regions. */
export interface PathLocation {
    /** `self` (the stack's own account), 12-digit account ids, OU ids (`ou-…`) or the root (`r-…`). */
    accounts: string[];
    regions: string[];
    /** Accounts or OUs left out of the OUs above. */
    exclude?: string[];
}

/** The mechanisms that install. A new mechanism adds its name here and one adapter in config/installPaths.ts. */
export type InstallMechanism = "patchPolicy" | "gatedInstall" | "automationSchedule" | "maintenanceWindow" | "patchOrchestrator" | "emergency" | (string & {});

export interface InstallPath {
    /** Unique in the stack, `<config section>/<name>`, e.g. `patchPolicies/dev-web`. */
    id: string;
    mechanism: InstallMechanism;
    /** `Install`, or `Scan (RebootIfNeeded)` for a scan that may reboot nodes pending a reboot. */
    operation: string;
    selector: NodeSelector;
    locations: PathLocation[];
    /** When it runs; absent for on-demand paths (emergency patching). */
    schedule?: Omit<ScheduleSource, "stack" | "operation" | "source">;
    /** Hours a run may keep installing (a maintenance window's duration). @default 0 */
    windowHours?: number;
    /** Started by an operator with targets given then: listed, never judged. */
    onDemand?: boolean;
    /** The stack key that defines it, for messages (e.g. `patching:patchPolicies[0]`). */
    configPath: string;
    /** What holds it to the approval gate (config/approvalCalendars.ts `installPathGate`); absent: nothing. */
    gate?: string;
}

/** Whether a scheduled path installs (the approval gate must hold it); a scan, even one that may reboot, does not. */
export function installs(path: Pick<InstallPath, "operation" | "mechanism" | "onDemand">): boolean {
    return path.mechanism !== "emergency" && !path.onDemand && !path.operation.startsWith("Scan");
}

/** A declaration that two paths never reach the same node, with why. */
export interface DisjointDeclaration {
    path: string;
    disjointFrom: string;
    reason: string;
}

/** What the stack says about its install paths (`patching:installPaths`). */
export interface InstallPathSettings {
    /** The tag key whose values partition the fleet, e.g. `PatchFleet`. */
    fleetKey?: string;
    /** Two installs on the same nodes closer than this collide. @default 24 */
    minHoursApart: number;
    disjoint: DisjointDeclaration[];
}

/** The install paths of a stack with the settings they are judged by (what the program stashes). */
export interface InstallPathModel {
    stack: string;
    settings: InstallPathSettings;
    paths: InstallPath[];
}

/** Name of the `pulumi:index:Stash` resource the program keeps the {@link InstallPathModel} in. */
export const INSTALL_PATHS_STASH = "install-paths";
export const STASH_TYPE = "pulumi:index:Stash";

export type Verdict = "overlap" | "may-overlap" | "disjoint";
const RANK: Record<Verdict, number> = { disjoint: 0, "may-overlap": 1, overlap: 2 };

interface Judgement {
    verdict: Verdict;
    reason: string;
}

const worst = (a: Judgement, b: Judgement): Judgement => (RANK[b.verdict] > RANK[a.verdict] ? b : a);
const least = (a: Judgement, b: Judgement): Judgement => (RANK[b.verdict] < RANK[a.verdict] ? b : a);

const isAll = (t: NodeTerm) => Object.keys(t.tags).length === 0 && !t.instanceIds && !t.opaqueGroup;

function tagText(tags: Record<string, string[]>): string {
    return Object.entries(tags)
        .map(([k, v]) => (v.length === 0 ? `${k}=*` : `${k}=${v.join("|")}`))
        .join(" AND ");
}

/** Whether two terms can reach one node. */
export function termOverlap(a: NodeTerm, b: NodeTerm): Judgement {
    if (a.kinds && b.kinds && !a.kinds.some((k) => b.kinds!.includes(k))) {
        return { verdict: "disjoint", reason: `${a.kinds.join("+")} nodes only vs ${b.kinds.join("+")} nodes only` };
    }
    // A shared tag key without a common value separates them exactly, whatever else they select.
    for (const key of Object.keys(a.tags)) {
        if (!(key in b.tags)) continue;
        const va = a.tags[key];
        const vb = b.tags[key];
        if (va.length > 0 && vb.length > 0 && !va.some((v) => vb.includes(v))) {
            return { verdict: "disjoint", reason: `${key}=${va.join("|")} vs ${key}=${vb.join("|")}` };
        }
    }
    if (a.instanceIds && b.instanceIds) {
        const common = a.instanceIds.filter((i) => b.instanceIds!.includes(i));
        return common.length > 0 ? { verdict: "overlap", reason: `the same instance id ${common.join(", ")}` } : { verdict: "disjoint", reason: "different instance ids" };
    }
    if (isAll(a) || isAll(b)) return { verdict: "overlap", reason: "all managed nodes include every node of the other" };
    if (a.opaqueGroup && a.opaqueGroup === b.opaqueGroup) return { verdict: "overlap", reason: `the same resource group ${a.opaqueGroup}` };
    if (a.opaqueGroup || b.opaqueGroup) {
        const g = a.opaqueGroup ?? b.opaqueGroup;
        return { verdict: "may-overlap", reason: `resource group ${g} is not defined in this stack, so its members are unknown` };
    }
    if (a.instanceIds || b.instanceIds) return { verdict: "may-overlap", reason: "instance ids against a tag selector: the instances' tags are not known here" };
    const ka = Object.keys(a.tags);
    const kb = Object.keys(b.tags);
    const shared = ka.filter((k) => kb.includes(k));
    if (ka.every((k) => kb.includes(k)) || kb.every((k) => ka.includes(k))) {
        const common = shared.map((k) => {
            const va = a.tags[k];
            const vb = b.tags[k];
            const both = va.length === 0 ? vb : vb.length === 0 ? va : va.filter((v) => vb.includes(v));
            return both.length === 0 ? `${k}=*` : `${k}=${both.join("|")}`;
        });
        return { verdict: "overlap", reason: `both select ${common.join(" AND ")}` };
    }
    return {
        verdict: "may-overlap",
        reason: `different tag keys (${tagText(a.tags)} vs ${tagText(b.tags)}): a node carrying both is installed by both`,
    };
}

/** Whether two selectors (unions of terms) can reach one node. */
export function selectorOverlap(a: NodeSelector, b: NodeSelector): Judgement {
    let out: Judgement | undefined;
    for (const ta of a.terms) for (const tb of b.terms) out = out ? worst(out, termOverlap(ta, tb)) : termOverlap(ta, tb);
    return out ?? { verdict: "disjoint", reason: "no nodes selected" };
}

const isOrgUnit = (a: string) => /^(ou-|r-)/.test(a);

/** Whether two locations share an account and a Region. */
export function locationOverlap(a: PathLocation, b: PathLocation): Judgement {
    const regions = a.regions.filter((r) => b.regions.includes(r));
    if (regions.length === 0) return { verdict: "disjoint", reason: `no common Region (${a.regions.join(", ")} vs ${b.regions.join(", ")})` };
    const common = a.accounts.filter((x) => b.accounts.includes(x) && !(a.exclude ?? []).includes(x) && !(b.exclude ?? []).includes(x));
    if (common.length > 0) return { verdict: "overlap", reason: `${common.join(", ")} in ${regions.join(", ")}` };
    // An OU may hold the other side's account; the stack's own account id is not in its config.
    const unsure = a.accounts.some(isOrgUnit) || b.accounts.some(isOrgUnit) || a.accounts.includes("self") !== b.accounts.includes("self");
    return unsure
        ? { verdict: "may-overlap", reason: `accounts ${a.accounts.join(", ")} vs ${b.accounts.join(", ")} may share one (an OU, or this stack's own account) in ${regions.join(", ")}` }
        : { verdict: "disjoint", reason: `no common account (${a.accounts.join(", ")} vs ${b.accounts.join(", ")})` };
}

/** Whether two paths can install on one node: same account and Region, and selectors that meet. */
export function pathOverlap(a: InstallPath, b: InstallPath): Judgement {
    let where: Judgement = { verdict: "disjoint", reason: "no common account and Region" };
    for (const la of a.locations) for (const lb of b.locations) where = worst(where, locationOverlap(la, lb));
    if (where.verdict === "disjoint") return where;
    const nodes = selectorOverlap(a.selector, b.selector);
    const verdict = least(where, nodes);
    return { verdict: verdict.verdict, reason: where.verdict === "overlap" ? nodes.reason : `${nodes.reason}; ${where.reason}` };
}

/** Two installs on the same nodes too close together. */
export interface Collision {
    a: Date;
    b: Date;
    hoursApart: number;
}

export interface PathPair {
    a: string;
    b: string;
    verdict: Verdict | "declared-disjoint";
    reason: string;
    /** Runs of the two paths closer than the limit, over the horizon. */
    collisions: Collision[];
}

export interface InstallPathAnalysis {
    model: InstallPathModel;
    /** Every pair that is not exactly disjoint (overlaps, may-overlaps, declared-disjoint pairs). */
    pairs: PathPair[];
    /** Pairs that count against the stack: overlap or may-overlap, not declared disjoint. */
    problems: PathPair[];
    from: Date;
    until: Date;
}

export interface AnalysisOptions {
    /** Runs after this instant are compared. */
    from: Date;
    /** Horizon in months. @default 12 */
    months?: number;
}

const HOUR = 3600000;

/** Every run of each scheduled path over the horizon, in time order (epoch ms), by path id. */
export function runsByPath(paths: InstallPath[], options: AnalysisOptions): Map<string, number[]> {
    const scheduled = paths.filter((p) => p.schedule && !p.onDemand);
    const sources: ScheduleSource[] = scheduled.map((p) => ({ stack: "", source: p.id, operation: "install", ...p.schedule! }));
    const calendar = computeCalendar(sources, { from: options.from, months: options.months ?? 12 });
    const out = new Map<string, number[]>(scheduled.map((p) => [p.id, []]));
    for (const r of calendar.runs) out.get(r.source)!.push(r.at.getTime());
    return out;
}

/** The runs of two paths within `limit` hours of each other (or inside the earlier one's window). */
export function scheduleCollisions(a: InstallPath, b: InstallPath, minHoursApart: number, options: AnalysisOptions, runs = runsByPath([a, b], options)): Collision[] {
    const runsA = runs.get(a.id) ?? [];
    const runsB = runs.get(b.id) ?? [];
    const out: Collision[] = [];
    const widest = Math.max(minHoursApart, a.windowHours ?? 0, b.windowHours ?? 0) * HOUR;
    let start = 0;
    // Both lists are in time order: only runs of B within the widest limit of a run of A are compared.
    for (const ta of runsA) {
        while (start < runsB.length && runsB[start] <= ta - widest) start++;
        for (let k = start; k < runsB.length && runsB[k] < ta + widest; k++) {
            const tb = runsB[k];
            const firstPath = ta <= tb ? a : b;
            const limit = Math.max(minHoursApart, firstPath.windowHours ?? 0) * HOUR;
            const gap = Math.abs(ta - tb);
            if (gap < limit) out.push({ a: new Date(ta), b: new Date(tb), hoursApart: Math.round((gap / HOUR) * 10) / 10 });
        }
    }
    return out;
}

const pairKey = (x: string, y: string) => [x, y].sort().join("\u0000");

/** Judges every pair of scheduled paths of a stack. */
export function analyzeInstallPaths(model: InstallPathModel, options: AnalysisOptions): InstallPathAnalysis {
    const declared = new Map(model.settings.disjoint.map((d) => [pairKey(d.path, d.disjointFrom), d]));
    const judged = model.paths.filter((p) => !p.onDemand);
    let runs: Map<string, number[]> | undefined;
    const pairs: PathPair[] = [];
    for (let i = 0; i < judged.length; i++) {
        for (let j = i + 1; j < judged.length; j++) {
            const [a, b] = [judged[i], judged[j]];
            const j0 = pathOverlap(a, b);
            if (j0.verdict === "disjoint") continue;
            const d = declared.get(pairKey(a.id, b.id));
            if (d) {
                pairs.push({ a: a.id, b: b.id, verdict: "declared-disjoint", reason: `declared disjoint: ${d.reason} (analysis: ${j0.verdict}, ${j0.reason})`, collisions: [] });
                continue;
            }
            pairs.push({ a: a.id, b: b.id, verdict: j0.verdict, reason: j0.reason, collisions: scheduleCollisions(a, b, model.settings.minHoursApart, options, (runs ??= runsByPath(judged, options))) });
        }
    }
    const until = addMonths(options.from, options.months ?? 12);
    return { model, pairs, problems: pairs.filter((p) => p.verdict !== "declared-disjoint"), from: options.from, until };
}

/** One line per problem pair, naming both paths, the verdict, why, and the first collision. */
export function describePair(p: PathPair, minHoursApart: number): string {
    const what = p.verdict === "overlap" ? "overlap" : p.verdict === "may-overlap" ? "may overlap" : "are declared disjoint";
    const collision =
        p.collisions.length > 0
            ? `; ${p.collisions.length} schedule collision(s) under ${minHoursApart} h apart (or inside one window), first ${formatRun(p.collisions[0].a)} and ${formatRun(p.collisions[0].b)}`
            : "";
    return `${p.a} and ${p.b} ${what}: ${p.reason}${collision}`;
}

/** The fleet values (of `fleetKey`) a selector reaches; `undefined` when it does not select by the key. */
export function fleetsOf(selector: NodeSelector, fleetKey: string | undefined): string[] | undefined {
    if (!fleetKey) return undefined;
    const values = new Set<string>();
    for (const t of selector.terms) {
        const v = t.tags[fleetKey];
        if (!v || v.length === 0) return undefined;
        v.forEach((x) => values.add(x));
    }
    return [...values].sort();
}
