/**
 * Retention of the pre-patch snapshots taken by documents/patch-with-snapshots.yaml. Data
 * Lifecycle Manager only expires snapshots its own policies created, so a daily sweep deletes this
 * stack's pre-patch snapshots (tags `PatchSnapshot=pre-patch`, `PatchStack=<stack>`) older than
 * their `RetentionDays` tag. A snapshot still used by an AMI (InvalidSnapshot.InUse) is kept and
 * reported; anything else that fails is reported and the sweep goes on, then fails the run.
 */
import { DeleteSnapshotCommand, DescribeSnapshotsCommand, EC2Client, Snapshot } from "@aws-sdk/client-ec2";
import { errorName } from "./awsClients";

export interface RetentionOptions {
    stack: string;
    /** Used when a snapshot has no (valid) RetentionDays tag. */
    defaultRetentionDays: number;
    now: Date;
    /** List, do not delete. @default false */
    dryRun?: boolean;
    log?: (line: string) => void;
}

export interface RetentionResult {
    examined: number;
    deleted: string[];
    kept: number;
    /** Snapshots that could not be deleted, with why. */
    failed: { snapshotId: string; error: string }[];
}

const tag = (s: Snapshot, key: string) => s.Tags?.find((t) => t.Key === key)?.Value;
const DAY = 86400000;

/** When a snapshot expires: its start time plus its RetentionDays tag (or the default). */
export function expiresAt(s: Snapshot, defaultDays: number): Date {
    const days = Number(tag(s, "RetentionDays"));
    const keep = Number.isInteger(days) && days > 0 ? days : defaultDays;
    return new Date((s.StartTime?.getTime() ?? 0) + keep * DAY);
}

export async function sweepSnapshots(ec2: EC2Client, o: RetentionOptions): Promise<RetentionResult> {
    const log = o.log ?? ((l: string) => console.log(l));
    const result: RetentionResult = { examined: 0, deleted: [], kept: 0, failed: [] };
    let token: string | undefined;
    do {
        const page = await ec2.send(
            new DescribeSnapshotsCommand({
                OwnerIds: ["self"],
                Filters: [
                    { Name: "tag:PatchSnapshot", Values: ["pre-patch"] },
                    { Name: "tag:PatchStack", Values: [o.stack] },
                ],
                MaxResults: 500,
                NextToken: token,
            }),
        );
        for (const s of page.Snapshots ?? []) {
            result.examined++;
            if (!s.SnapshotId || expiresAt(s, o.defaultRetentionDays).getTime() > o.now.getTime()) {
                result.kept++;
                continue;
            }
            if (o.dryRun) {
                result.deleted.push(s.SnapshotId);
                continue;
            }
            try {
                await ec2.send(new DeleteSnapshotCommand({ SnapshotId: s.SnapshotId }));
                result.deleted.push(s.SnapshotId);
            } catch (err) {
                result.failed.push({ snapshotId: s.SnapshotId, error: `${errorName(err)}: ${err instanceof Error ? err.message : String(err)}` });
            }
        }
        token = page.NextToken || undefined;
    } while (token);
    log(JSON.stringify({ level: result.failed.length > 0 ? "error" : "info", sweep: "pre-patch-snapshots", stack: o.stack, dryRun: !!o.dryRun, ...result }));
    return result;
}
