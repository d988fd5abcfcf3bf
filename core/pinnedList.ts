/**
 * Pinned list: the patches dev actually installed become prod's `InstallOverrideList`, so prod
 * installs exactly those — the same KB ids, and on Linux the same package versions — not
 * whatever is newest when prod's window opens.
 *
 * Source: `DescribeInstancePatches` per dev instance, states `Installed` and
 * `InstalledPendingReboot` (the patches Patch Manager installed from the baseline). Not
 * `InstalledOther` (installed outside the baseline: base packages, manual installs) nor
 * `InstalledRejected`. Only patches whose `InstalledTime` falls inside the look-back window (the
 * current release cycle and the ones before it) are listed; a patch without an install time
 * cannot be dated and is counted, not listed.
 *
 * Format (user guide, "InstallOverrideList", sample in seed 004):
 *   patches:
 *     - id: 'KB5034441'                 # Windows: the KB id only
 *     - id: 'openssl-libs.x86_64'       # Linux: name.arch …
 *       title: '1:3.0.8-1.amzn2023.0.12' # … and epoch:version-release, the version dev got
 * Entries for another operating system match nothing on a node and are skipped by
 * AWS-RunPatchBaseline, so one list serves a mixed fleet.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeInstancePatchesCommand, PatchComplianceData, SSMClient } from "@aws-sdk/client-ssm";
import { createHash } from "crypto";
import { CycleDefinition, cycleOf, DEFAULT_CYCLE } from "./calendar";
import { errorName, mapLimit } from "./awsClients";
import { DevSummary, holdReason, readDevInstances, summarise } from "./devState";

export interface OverrideEntry {
    id: string;
    title?: string;
}

/** Single-quoted YAML scalar (`'` doubled). */
function q(s: string): string {
    return `'${s.replace(/'/g, "''")}'`;
}

/** The InstallOverrideList YAML for `entries` (sorted, deduplicated), with a provenance header. */
export function renderOverrideList(entries: OverrideEntry[], header: string[] = []): string {
    const unique = new Map(entries.map((e) => [`${e.id}\u0000${e.title ?? ""}`, e]));
    const sorted = [...unique.values()].sort((a, b) => a.id.localeCompare(b.id) || (a.title ?? "").localeCompare(b.title ?? ""));
    const lines = header.map((h) => `# ${h}`);
    lines.push(sorted.length === 0 ? "patches: []" : "patches:");
    for (const e of sorted) {
        lines.push(`  - id: ${q(e.id)}`);
        if (e.title) lines.push(`    title: ${q(e.title)}`);
    }
    return lines.join("\n") + "\n";
}

/**
 * The override entry of one installed patch: Windows KB ids alone; Linux `name.arch` with the
 * `epoch:version-release` taken from the title (`name.arch:epoch:version-release`).
 */
export function entryOf(p: Pick<PatchComplianceData, "KBId" | "Title">): OverrideEntry | undefined {
    const id = p.KBId?.trim();
    if (!id) return undefined;
    if (/^KB\d+$/i.test(id)) return { id: id.toUpperCase() };
    const title = p.Title ?? "";
    const version = title.startsWith(`${id}:`) ? title.slice(id.length + 1) : undefined;
    return version ? { id, title: version } : { id };
}

export interface PinnedListClients {
    devSsm: SSMClient;
    s3: S3Client;
}

export interface PinnedListOptions {
    stack: string;
    devPatchGroups: string[];
    bucket: string;
    /** The key prod's install reads. */
    objectKey: string;
    /** Release cycles looked back over, the current one included. @default 2 */
    lookbackCycles?: number;
    cycle?: CycleDefinition;
    now: Date;
    log?: (line: string) => void;
}

export interface PinnedListRecord {
    strategy: "pinnedList";
    stack: string;
    at: string;
    action: "written" | "unchanged" | "held" | "failed";
    reason: string;
    /** Installed since (the start of the look-back window). */
    since?: string;
    cycle?: string;
    dev: DevSummary;
    patches: number;
    /** Installed patches without an install time (not listed). */
    undated: number;
    objectKey: string;
    sha256?: string;
}

const INSTALLED_STATES = ["Installed", "InstalledPendingReboot"];

/** Every installed patch of one instance (paginated). */
async function installedPatches(ssm: SSMClient, instanceId: string): Promise<PatchComplianceData[]> {
    const out: PatchComplianceData[] = [];
    let token: string | undefined;
    do {
        const page = await ssm.send(new DescribeInstancePatchesCommand({ InstanceId: instanceId, Filters: [{ Key: "State", Values: INSTALLED_STATES }], MaxResults: 100, NextToken: token }));
        out.push(...(page.Patches ?? []));
        token = page.NextToken || undefined;
    } while (token);
    return out;
}

async function currentSha256(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
    try {
        const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const text = (await obj.Body?.transformToString()) ?? "";
        return createHash("sha256").update(text).digest("hex");
    } catch (err) {
        if (["NoSuchKey", "NotFound"].includes(errorName(err))) return undefined;
        throw err;
    }
}

/** The start of the look-back window: the start of the cycle `lookbackCycles − 1` before now's. */
export function lookbackStart(now: Date, lookbackCycles: number, def: CycleDefinition = DEFAULT_CYCLE): { since: Date; cycle: string } {
    const current = cycleOf(now, def);
    let c = current;
    for (let i = 1; i < lookbackCycles; i++) c = cycleOf(new Date(c.start.getTime() - 1), def);
    return { since: c.start, cycle: current.id };
}

/**
 * One export run: read dev's instances (held unless every one is green), collect what they
 * installed inside the window, and write the list when its content changed (a dated copy per
 * cycle too). Nothing installed yet → the previous list stays.
 */
export async function runPinnedListExport(clients: PinnedListClients, options: PinnedListOptions): Promise<PinnedListRecord> {
    const log = options.log ?? ((l: string) => console.log(l));
    const { since, cycle } = lookbackStart(options.now, options.lookbackCycles ?? 2, options.cycle);
    const base = { strategy: "pinnedList" as const, stack: options.stack, at: options.now.toISOString(), since: since.toISOString(), cycle, objectKey: options.objectKey };
    let dev = summarise(options.devPatchGroups, []);
    let record: PinnedListRecord;
    try {
        const instances = await readDevInstances(clients.devSsm, options.devPatchGroups);
        dev = summarise(options.devPatchGroups, instances);
        const hold = holdReason(dev, 1, 100);
        if (hold) {
            record = { ...base, action: "held", reason: `dev is not green, the list is kept: ${hold}`, dev, patches: 0, undated: 0 };
        } else {
            const perInstance = await mapLimit(instances, 4, (i) => installedPatches(clients.devSsm, i.instanceId));
            const entries: OverrideEntry[] = [];
            let undated = 0;
            for (const p of perInstance.flat()) {
                if (!p.InstalledTime) {
                    undated++;
                    continue;
                }
                if (p.InstalledTime.getTime() < since.getTime()) continue;
                const e = entryOf(p);
                if (e) entries.push(e);
            }
            if (entries.length === 0) {
                record = { ...base, action: "held", reason: `dev installed nothing since ${since.toISOString()}; the previous list is kept`, dev, patches: 0, undated };
            } else {
                const body = renderOverrideList(entries, [
                    `InstallOverrideList for ${options.stack}: what ${options.devPatchGroups.join(", ")} installed since ${since.toISOString()}`,
                    `cycle ${cycle}; written ${options.now.toISOString()} by the patching program (pinned-list promotion)`,
                ]);
                const patches = body.split("\n").filter((l) => l.startsWith("  - id:")).length;
                const sha256 = createHash("sha256").update(body).digest("hex");
                if ((await currentSha256(clients.s3, options.bucket, options.objectKey)) === sha256) {
                    record = { ...base, action: "unchanged", reason: "the list already holds these patches", dev, patches, undated, sha256 };
                } else {
                    const dated = `history/${options.objectKey.replace(/\.ya?ml$/, "")}/${cycle}.yaml`;
                    for (const key of [dated, options.objectKey]) {
                        await clients.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body, ContentType: "application/yaml", Metadata: { "content-sha256": sha256 } }));
                    }
                    record = { ...base, action: "written", reason: `${patches} patch(es) dev installed`, dev, patches, undated, sha256 };
                }
            }
        }
    } catch (err) {
        record = { ...base, action: "failed", reason: `${errorName(err)}: ${err instanceof Error ? err.message : String(err)}`, dev, patches: 0, undated: 0 };
        log(JSON.stringify({ level: "error", ...record }));
        throw err;
    }
    log(JSON.stringify({ level: record.action === "held" ? "warn" : "info", ...record }));
    await clients.s3.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: `promotion/${options.stack}/pinned-list-latest.json`, Body: JSON.stringify(record, null, 2) + "\n", ContentType: "application/json" }),
    );
    return record;
}
