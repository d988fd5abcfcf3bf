/**
 * Approval-date promotion: prod's baselines approve patches released up to an `approveUntilDate`;
 * this moves that date forward to the last day dev has proven — and only when dev's patch
 * compliance for its patch groups is green.
 *
 * "Proven until" for one green dev instance: its last operation (Scan or Install) started at `T`
 * with its baseline approving patches released `d` days before (ApproveAfterDays) or up to a date
 * (ApproveUntilDate); every patch released before `T − d` (or up to that date) was installed and
 * reported. The promoted date is the earliest such cutoff over the green instances, rounded down
 * to the last whole UTC day before it. It never moves backward.
 *
 * Every run writes a record (`promotion/<stack>/latest.json` and a dated copy) and logs one JSON
 * line: promoted, unchanged or held, with why.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetPatchBaselineCommand, GetPatchBaselineResult, PatchRule, SSMClient, UpdatePatchBaselineCommand } from "@aws-sdk/client-ssm";
import { errorName, mapLimit } from "./awsClients";
import { DevInstance, DevSummary, holdReason, lastWholeDayBefore, notGreenReasons, readDevInstances, summarise } from "./devState";

export interface PromotionClients {
    /** Reads dev's patch state and dev baselines (dev's account: a read role when it differs). */
    devSsm: SSMClient;
    /** Reads and updates prod's baselines. */
    prodSsm: SSMClient;
    /** Writes the record. */
    s3: S3Client;
}

export interface ApprovalDateOptions {
    stack: string;
    /** Dev patch groups whose compliance gates the promotion. */
    devPatchGroups: string[];
    /** Prod baselines whose rules' ApproveUntilDate moves. */
    prodBaselineIds: string[];
    /** @default 100 */
    minCompliantPercent?: number;
    /** @default 1 */
    minInstances?: number;
    /** Where records go. */
    bucket: string;
    now: Date;
    /** One JSON line per run (default: console.log). */
    log?: (line: string) => void;
}

export interface BaselineUpdate {
    baselineId: string;
    name?: string;
    /** The earliest ApproveUntilDate of its rules before the run. */
    from?: string;
    to: string;
}

export interface PromotionRecord {
    strategy: "approvalDate";
    stack: string;
    at: string;
    action: "promoted" | "unchanged" | "held" | "failed";
    reason: string;
    /** The date dev has proven (absent when held before it could be computed). */
    provenUntil?: string;
    dev: DevSummary;
    updates: BaselineUpdate[];
}

/** Rules of dev baselines that decide how far back a report proves patches. */
type Rules = Pick<PatchRule, "ApproveAfterDays" | "ApproveUntilDate">[];

const DAY = 86400000;

/** The instant up to which one green instance proves releases (see the module comment). */
export function provenCutoff(instance: DevInstance, rules: Rules): Date {
    let cutoff = instance.operationStartTime.getTime();
    for (const r of rules) {
        if (r.ApproveAfterDays !== undefined) cutoff = Math.min(cutoff, instance.operationStartTime.getTime() - r.ApproveAfterDays * DAY);
        // ApproveUntilDate approves releases on or before that day: proven to its end.
        if (r.ApproveUntilDate) cutoff = Math.min(cutoff, Date.parse(`${r.ApproveUntilDate}T00:00:00Z`) + DAY - 1);
    }
    return new Date(cutoff);
}

/** The date dev has proven: the earliest cutoff of the green instances, as a whole day. */
export function provenUntil(instances: DevInstance[], rulesByBaseline: Map<string, Rules>): string | undefined {
    const green = instances.filter((i) => notGreenReasons(i).length === 0);
    if (green.length === 0) return undefined;
    const earliest = Math.min(...green.map((i) => provenCutoff(i, rulesByBaseline.get(i.baselineId) ?? []).getTime()));
    return lastWholeDayBefore(new Date(earliest));
}

/** The rules with every ApproveUntilDate before `date` moved to `date` (others untouched). */
export function promotedRules(rules: PatchRule[], date: string): PatchRule[] {
    return rules.map((r) => (r.ApproveUntilDate !== undefined && r.ApproveUntilDate < date ? { ...r, ApproveUntilDate: date } : r));
}

async function getBaseline(ssm: SSMClient, id: string, side: string): Promise<GetPatchBaselineResult> {
    try {
        return await ssm.send(new GetPatchBaselineCommand({ BaselineId: id }));
    } catch (err) {
        if (errorName(err) === "DoesNotExistException") throw new Error(`${side} patch baseline ${id} does not exist (ssm:GetPatchBaseline)`);
        throw err;
    }
}

async function writeRecord(s3: S3Client, bucket: string, record: PromotionRecord): Promise<void> {
    const body = JSON.stringify(record, null, 2) + "\n";
    const dated = `promotion/${record.stack}/${record.at.slice(0, 7)}/${record.at.replace(/[:.]/g, "-")}.json`;
    for (const key of [dated, `promotion/${record.stack}/latest.json`]) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" }));
    }
}

/**
 * One promotion run: read dev, decide, update prod's baselines (only forward), record. Throws
 * after recording `failed` when an AWS call fails for good (the SDK retries throttling first).
 */
export async function runApprovalDatePromotion(clients: PromotionClients, options: ApprovalDateOptions): Promise<PromotionRecord> {
    const log = options.log ?? ((l: string) => console.log(l));
    const base = { strategy: "approvalDate" as const, stack: options.stack, at: options.now.toISOString() };
    let dev: DevSummary = summarise(options.devPatchGroups, []);
    let record: PromotionRecord;
    try {
        const instances = await readDevInstances(clients.devSsm, options.devPatchGroups);
        dev = summarise(options.devPatchGroups, instances);
        const hold = holdReason(dev, options.minInstances ?? 1, options.minCompliantPercent ?? 100);
        if (hold) {
            record = { ...base, action: "held", reason: `dev is not green: ${hold}`, dev, updates: [] };
        } else {
            // Each dev baseline once: how far back its reports prove releases.
            const devBaselineIds = [...new Set(instances.map((i) => i.baselineId).filter(Boolean))];
            const devBaselines = await mapLimit(devBaselineIds, 4, (id) => getBaseline(clients.devSsm, id, "dev"));
            const rules = new Map(devBaselines.map((b, i) => [devBaselineIds[i], b.ApprovalRules?.PatchRules ?? []]));
            const date = provenUntil(instances, rules)!;
            const prod = await mapLimit(options.prodBaselineIds, 4, (id) => getBaseline(clients.prodSsm, id, "prod"));
            const updates: BaselineUpdate[] = [];
            for (const [i, b] of prod.entries()) {
                const current = b.ApprovalRules?.PatchRules ?? [];
                const dates = current.map((r) => r.ApproveUntilDate).filter((d): d is string => !!d);
                const from = dates.length > 0 ? dates.sort()[0] : undefined;
                const next = promotedRules(current, date);
                if (JSON.stringify(next) === JSON.stringify(current)) continue;
                await clients.prodSsm.send(new UpdatePatchBaselineCommand({ BaselineId: options.prodBaselineIds[i], ApprovalRules: { PatchRules: next } }));
                updates.push({ baselineId: options.prodBaselineIds[i], name: b.Name, from, to: date });
            }
            record =
                updates.length > 0
                    ? { ...base, action: "promoted", reason: `dev is green (${dev.green}/${dev.instances}) and proven until ${date}`, provenUntil: date, dev, updates }
                    : { ...base, action: "unchanged", reason: `prod already approves until ${date} or later`, provenUntil: date, dev, updates };
        }
    } catch (err) {
        record = { ...base, action: "failed", reason: `${errorName(err)}: ${err instanceof Error ? err.message : String(err)}`, dev, updates: [] };
        log(JSON.stringify({ level: "error", ...record }));
        await writeRecord(clients.s3, options.bucket, record).catch(() => undefined);
        throw err;
    }
    log(JSON.stringify({ level: record.action === "held" ? "warn" : "info", ...record }));
    await writeRecord(clients.s3, options.bucket, record);
    return record;
}
