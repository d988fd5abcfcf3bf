/**
 * The approval gate: prod's gated install is held by a DEFAULT_CLOSED SSM Change Calendar (State
 * Manager does not start an association whose calendar is closed). Each release cycle:
 *
 * 1. `request` (scheduled): an SNS message asks for approval, with dev's latest promotion record
 *    and the exact command to approve; the request is recorded in S3
 *    (`approval-gate/<stack>/<cycle>.json`).
 * 2. An authenticated operator approves with `npm run approve -- --stack prod --hours 24 --reason …`
 *    (their own IAM credentials: ssm:UpdateDocument on the calendar, recorded by CloudTrail) —
 *    which adds an event (an open period) to the calendar. There is no URL to click.
 * 3. `check` (hourly): notices the approval and records it; without one after the timeout the
 *    policy applies — `skip` (the cycle's install does not run; says so) or `open` (the calendar
 *    opens by itself for `openHours`, recorded as such).
 */
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetDocumentCommand, ListDocumentVersionsCommand, SSMClient, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from "@aws-sdk/client-ssm";
import { CycleDefinition, cycleOf, DEFAULT_CYCLE } from "./calendar";
import { errorName } from "./awsClients";
import { ApprovalRejection, CalendarVersion, closedNow, evaluateApproval, withApproval } from "./changeCalendar";
import { formatRun, nextRuns } from "./schedule";

/** Publishes one notification (SNS Publish in the Lambda; injected in tests). */
export type Notify = (subject: string, message: string) => Promise<void>;

export interface GateClients {
    ssm: SSMClient;
    s3: S3Client;
    /** Who wrote each calendar version (LookupEvents, the calendar's home Region): the only source of the approver. */
    cloudTrail: CloudTrailClient;
    /** The caller identity recorded as the requester when the request is made. */
    sts: STSClient;
    notify: Notify;
    /** The calendar's copies in the other Regions whose installs it holds (config/approvalCalendars.ts). @default none */
    replicas?: CalendarReplica[];
}

/** The calendar's copy in another Region: same name, written with the home content. */
export interface CalendarReplica {
    region: string;
    ssm: SSMClient;
}

export interface GateOptions {
    stack: string;
    /** Change calendar document name. */
    calendarName: string;
    bucket: string;
    timeout: { action: "skip" | "open"; afterHours: number };
    openHours: number;
    /** The gated install's schedule, to say when it runs next. */
    install: { expression: string; offsetDays?: number };
    cycle?: CycleDefinition;
    /** The approver role: only its sessions' approvals count (config changeSafety.approvers). */
    approverRoleArn?: string;
    /** Refuse an approval by the principal who requested the install. */
    twoPersonRule?: boolean;
    now: Date;
    log?: (line: string) => void;
}

export interface GateState {
    stack: string;
    cycle: string;
    requestedAt: string;
    status: "requested" | "approved" | "opened-automatically" | "skipped";
    decidedAt?: string;
    /** Who approved: the principal CloudTrail records as the writer of the approving calendar version, or the policy. */
    by?: string;
    /** Who made the request: the STS caller identity ARN of the requesting principal (the gate function's role session when scheduled); the two-person rule compares with it. */
    requestedBy?: string;
    /** The calendar version that holds the approval (CloudTrail has its UpdateDocument call and caller). */
    calendarVersion?: string;
    /** Approvals found in the calendar that do not count, with the reason (latest check). */
    rejected?: ApprovalRejection[];
    /** The open period, when there is one. */
    openUntil?: string;
}

export interface GateResult {
    action: "requested" | "already-requested" | "approved" | "opened-automatically" | "skipped" | "waiting" | "nothing-requested";
    state?: GateState;
}

const stateKey = (stack: string, cycle: string) => `approval-gate/${stack}/${cycle}.json`;

async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
    try {
        const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return JSON.parse((await obj.Body?.transformToString()) ?? "null") ?? undefined;
    } catch (err) {
        if (["NoSuchKey", "NotFound"].includes(errorName(err))) return undefined;
        throw err;
    }
}

async function writeState(s3: S3Client, bucket: string, state: GateState): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: stateKey(state.stack, state.cycle), Body: JSON.stringify(state, null, 2) + "\n", ContentType: "application/json" }));
}

/** The caller's identity ARN, as STS authenticated it (GetCallerIdentity needs no permission). */
export async function callerArn(sts: STSClient): Promise<string> {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    if (!id.Arn) throw new Error("sts:GetCallerIdentity returned no Arn");
    return id.Arn;
}

/** How far around a version's CreatedDate its UpdateDocument event may be (the two clocks are AWS's, within seconds). */
const WRITER_SKEW_MS = 60_000;

/**
 * Who wrote each of `versions` of the calendar: the `userIdentity.arn` (an assumed-role session
 * ARN for role sessions, the user ARN for IAM users) of the version's successful `UpdateDocument`
 * event in CloudTrail event history (LookupEvents: one lookup attribute per call, EventName; at
 * most 50 events a page; https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 * An event is the version's when its `responseElements.documentDescription.documentVersion` names
 * it; without response elements, when it is the only event for the calendar within a minute of the
 * version's CreatedDate. Versions without an event are left out: their approvals stay pending —
 * CloudTrail "typically delivers logs within an average of about 5 minutes of an API call. This
 * time is not guaranteed" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html);
 * the hourly check looks again.
 */
export async function calendarWriters(ct: CloudTrailClient, name: string, versions: CalendarVersion[], now: Date): Promise<Map<string, string>> {
    const writers = new Map<string, string>();
    if (versions.length === 0) return writers;
    // The event's time is the call's (delivery lag delays when it is listed, not its time): look only around the versions.
    const from = new Date(Math.min(...versions.map((v) => v.createdAt.getTime())) - WRITER_SKEW_MS);
    const to = new Date(Math.min(now.getTime(), Math.max(...versions.map((v) => v.createdAt.getTime())) + WRITER_SKEW_MS));
    const events: { at: Date; version?: string; arn?: string }[] = [];
    let token: string | undefined;
    do {
        const page = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateDocument" }], StartTime: from, EndTime: to, MaxResults: 50, NextToken: token }));
        for (const e of page.Events ?? []) {
            if (!e.CloudTrailEvent) continue;
            const record = JSON.parse(e.CloudTrailEvent) as {
                eventTime?: string;
                errorCode?: string;
                userIdentity?: { arn?: string };
                requestParameters?: { name?: string };
                responseElements?: { documentDescription?: { documentVersion?: string } } | null;
            };
            const doc = record.requestParameters?.name ?? "";
            if (record.errorCode || (doc !== name && !doc.endsWith(`:document/${name}`))) continue;
            events.push({ at: new Date(record.eventTime ?? e.EventTime ?? 0), version: record.responseElements?.documentDescription?.documentVersion, arn: record.userIdentity?.arn });
        }
        token = page.NextToken;
    } while (token);
    for (const v of versions) {
        const exact = events.filter((e) => e.version === v.version);
        const near = events.filter((e) => e.version === undefined && Math.abs(e.at.getTime() - v.createdAt.getTime()) <= WRITER_SKEW_MS);
        const found = exact.length > 0 ? exact : near;
        // Two candidates for one version: not known who wrote it, so not verified.
        if (found.length === 1 && found[0].arn) writers.set(v.version, found[0].arn);
    }
    return writers;
}

/** The calendar's current content (default version). */
export async function readCalendar(ssm: SSMClient, name: string): Promise<string> {
    const doc = await ssm.send(new GetDocumentCommand({ Name: name }));
    return doc.Content ?? "";
}

/** Writes new calendar content as a new version and makes it the default. */
export async function writeCalendar(ssm: SSMClient, name: string, content: string): Promise<string> {
    const updated = await ssm.send(new UpdateDocumentCommand({ Name: name, Content: content, DocumentFormat: "TEXT", DocumentVersion: "$LATEST" }));
    const version = updated.DocumentDescription?.DocumentVersion;
    if (!version) throw new Error(`ssm:UpdateDocument on ${name} returned no document version`);
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: name, DocumentVersion: version }));
    return version;
}

/**
 * The calendar's versions that matter for a request made at `since`: every version created at or
 * after it, and the one that was current then — up to the default version (the one the calendar
 * state is computed from).
 */
export async function readCalendarHistory(ssm: SSMClient, name: string, since: Date): Promise<CalendarVersion[]> {
    const listed: { version: string; createdAt: Date; isDefault: boolean }[] = [];
    let token: string | undefined;
    do {
        const page = await ssm.send(new ListDocumentVersionsCommand({ Name: name, MaxResults: 50, NextToken: token }));
        for (const v of page.DocumentVersions ?? []) if (v.DocumentVersion && v.CreatedDate) listed.push({ version: v.DocumentVersion, createdAt: v.CreatedDate, isDefault: v.IsDefaultVersion === true });
        token = page.NextToken;
    } while (token);
    listed.sort((a, b) => Number(a.version) - Number(b.version));
    const def = listed.findIndex((v) => v.isDefault);
    const upToDefault = def >= 0 ? listed.slice(0, def + 1) : listed;
    const before = upToDefault.filter((v) => v.createdAt.getTime() < since.getTime()).pop();
    const wanted = upToDefault.filter((v) => v === before || v.createdAt.getTime() >= since.getTime());
    const out: CalendarVersion[] = [];
    for (const v of wanted) {
        const doc = await ssm.send(new GetDocumentCommand({ Name: name, DocumentVersion: v.version }));
        out.push({ version: v.version, createdAt: v.createdAt, content: doc.Content ?? "" });
    }
    return out;
}

/** Opens the calendar for `[start, start + hours)`; returns the new version. `approver` is the caller's STS identity ARN. */
export async function openCalendar(ssm: SSMClient, name: string, o: { start: Date; hours: number; by: string; reason: string; now: Date; approver?: string; cycle?: string }): Promise<string> {
    const content = await readCalendar(ssm, name);
    const uid = `approval-${o.start.getTime()}-${Math.abs(hash(o.by + o.reason)).toString(36)}`;
    return writeCalendar(ssm, name, withApproval(content, { ...o, uid }));
}

/** Ends every open (and withdraws every future) period now; returns how many. */
export async function closeCalendar(ssm: SSMClient, name: string, now: Date, by: string): Promise<number> {
    const { content, closed } = closedNow(await readCalendar(ssm, name), now, by);
    if (closed > 0) await writeCalendar(ssm, name, content);
    return closed;
}

/**
 * Writes the home calendar's current content to every other Region's copy that differs (a new
 * default version there), so every Region's installs open and close together. Returns, per
 * Region, the new version or `unchanged`. A failure names the Region and leaves the others as
 * written; the caller reports it (the copy stays as it was: a closed copy holds its installs).
 */
export async function syncReplicas(home: SSMClient, replicas: CalendarReplica[], name: string): Promise<{ region: string; version: string }[]> {
    const content = await readCalendar(home, name);
    const out: { region: string; version: string }[] = [];
    const failed: string[] = [];
    for (const r of replicas) {
        try {
            const current = await readCalendar(r.ssm, name);
            out.push({ region: r.region, version: current === content ? "unchanged" : await writeCalendar(r.ssm, name, content) });
        } catch (err) {
            failed.push(`${r.region}: ${errorName(err)} ${(err as Error).message}`);
        }
    }
    if (failed.length > 0) throw new Error(`calendar ${name}: the home Region was written but these Regions' copies were not (run the command again): ${failed.join("; ")}`);
    return out;
}

function hash(s: string): number {
    let h = 0;
    for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
    return h;
}

/** The approval command an operator runs (printed in every request). */
export function approveCommand(stack: string, hours: number): string {
    return `npm run approve -- --stack ${stack} --hours ${hours} --reason "<change ticket>"`;
}

/** Sends the cycle's approval request (once per cycle). */
export async function requestApproval(clients: GateClients, o: GateOptions): Promise<GateResult> {
    const log = o.log ?? ((l: string) => console.log(l));
    const cycle = cycleOf(o.now, o.cycle ?? DEFAULT_CYCLE);
    const existing = await readJson<GateState>(clients.s3, o.bucket, stateKey(o.stack, cycle.id));
    if (existing) {
        log(JSON.stringify({ level: "info", gate: "already-requested", ...existing }));
        return { action: "already-requested", state: existing };
    }
    const next = nextRuns(o.install.expression, { from: o.now, count: 1, offsetDays: o.install.offsetDays })[0];
    const promotion = await readJson<{ action?: string; reason?: string; at?: string }>(clients.s3, o.bucket, `promotion/${o.stack}/latest.json`).catch(() => undefined);
    const pinned = await readJson<{ action?: string; reason?: string; at?: string }>(clients.s3, o.bucket, `promotion/${o.stack}/pinned-list-latest.json`).catch(() => undefined);
    const dev = promotion ?? pinned;
    const timeout =
        o.timeout.action === "skip"
            ? `Without an approval within ${o.timeout.afterHours} hour(s) the install of cycle ${cycle.id} is skipped (the calendar stays closed).`
            : `Without an approval within ${o.timeout.afterHours} hour(s) the calendar opens automatically for ${o.openHours} hour(s) (timeout policy "open").`;
    const message = [
        `Stack ${o.stack}, release cycle ${cycle.id} (Patch Tuesday ${formatRun(cycle.patchTuesday).slice(0, 14)}).`,
        `The gated install runs next at ${next ? formatRun(next) : "(no run scheduled)"} — only while change calendar ${o.calendarName} is open.`,
        `Dev: ${dev ? `${dev.action} at ${dev.at}: ${dev.reason}` : "no promotion record yet"}.`,
        "",
        "To approve (authenticated with your AWS credentials; opens the calendar):",
        `  ${approveCommand(o.stack, o.openHours)}`,
        "To refuse: do nothing, or close any open period:",
        `  npm run approve -- --stack ${o.stack} --close`,
        "",
        timeout,
    ].join("\n");
    // The requester is the authenticated caller making the request (two-person rule), never a typed name.
    const state: GateState = { stack: o.stack, cycle: cycle.id, requestedAt: o.now.toISOString(), status: "requested", requestedBy: await callerArn(clients.sts) };
    await writeState(clients.s3, o.bucket, state);
    await clients.notify(`[patching/${o.stack}] Approval needed for the ${cycle.id} install`, message);
    log(JSON.stringify({ level: "info", gate: "requested", ...state }));
    return { action: "requested", state };
}

/** Hourly: records an approval, or applies the timeout policy once it has passed. */
export async function checkApproval(clients: GateClients, o: GateOptions): Promise<GateResult> {
    const log = o.log ?? ((l: string) => console.log(l));
    const cycle = cycleOf(o.now, o.cycle ?? DEFAULT_CYCLE);
    const state = await readJson<GateState>(clients.s3, o.bucket, stateKey(o.stack, cycle.id));
    if (!state) return { action: "nothing-requested" };
    if (state.status !== "requested") return { action: state.status, state };
    const requestedAt = new Date(state.requestedAt);
    const installAt = nextRuns(o.install.expression, { from: o.now, count: 1, offsetDays: o.install.offsetDays })[0];
    const history = await readCalendarHistory(clients.ssm, o.calendarName, requestedAt);
    const writers = await calendarWriters(
        clients.cloudTrail,
        o.calendarName,
        history.filter((v) => v.createdAt.getTime() >= requestedAt.getTime()),
        o.now,
    );
    const { approval, rejected } = evaluateApproval(history, {
        requestedAt,
        cycleId: cycle.id,
        cycleOf: (at) => cycleOf(at, o.cycle ?? DEFAULT_CYCLE).id,
        now: o.now,
        installAt,
        approverRoleArn: o.approverRoleArn,
        requestedBy: state.requestedBy,
        twoPersonRule: o.twoPersonRule,
        writers,
    });
    for (const r of rejected) log(JSON.stringify({ level: "warn", gate: "approval-rejected", cycle: cycle.id, ...r }));
    let next: GateState | undefined;
    if (approval) {
        next = { ...state, status: "approved", decidedAt: o.now.toISOString(), by: approval.approver, calendarVersion: approval.version, openUntil: approval.end.toISOString(), ...(rejected.length ? { rejected } : {}) };
        await clients.notify(
            `[patching/${o.stack}] Approved: ${cycle.id} install`,
            `Approved by ${approval.approver} (calendar version ${approval.version}, written ${approval.writtenAt.toISOString()}) — open ${approval.start.toISOString()} to ${approval.end.toISOString()}. ${approval.description ?? ""}`.trim(),
        );
    } else if (o.now.getTime() >= requestedAt.getTime() + o.timeout.afterHours * 3600000) {
        if (o.timeout.action === "open") {
            const by = `timeout policy (no decision within ${o.timeout.afterHours} h)`;
            await openCalendar(clients.ssm, o.calendarName, { start: o.now, hours: o.openHours, by, reason: `Opened automatically for cycle ${cycle.id}`, now: o.now });
            if (clients.replicas?.length) await syncReplicas(clients.ssm, clients.replicas, o.calendarName);
            const until = new Date(o.now.getTime() + o.openHours * 3600000).toISOString();
            next = { ...state, status: "opened-automatically", decidedAt: o.now.toISOString(), by, openUntil: until };
            await clients.notify(`[patching/${o.stack}] Opened automatically: ${cycle.id} install`, `Nobody approved within ${o.timeout.afterHours} hour(s); the change calendar is open until ${until}. To stop it: npm run approve -- --stack ${o.stack} --close`);
        } else {
            next = { ...state, status: "skipped", decidedAt: o.now.toISOString(), by: `timeout policy (no decision within ${o.timeout.afterHours} h)` };
            await clients.notify(
                `[patching/${o.stack}] Skipped: ${cycle.id} install`,
                `Nobody approved within ${o.timeout.afterHours} hour(s); the change calendar stays closed and the ${cycle.id} install does not run. To install anyway: ${approveCommand(o.stack, o.openHours)}`,
            );
        }
    }
    if (!next) {
        if (rejected.length === 0) return { action: "waiting", state };
        // Record why the approvals found do not count (once per change), so the operator can see it.
        if (JSON.stringify(state.rejected) === JSON.stringify(rejected)) return { action: "waiting", state };
        const waiting = { ...state, rejected };
        await writeState(clients.s3, o.bucket, waiting);
        await clients.notify(`[patching/${o.stack}] Approval not accepted: ${cycle.id} install`, rejected.map((r) => `${r.uid}: ${r.reason}`).join("\n"));
        return { action: "waiting", state: waiting };
    }
    await writeState(clients.s3, o.bucket, next);
    log(JSON.stringify({ level: next.status === "skipped" ? "warn" : "info", gate: next.status, ...next }));
    return { action: next.status, state: next };
}
