/**
 * The approval gate: prod's gated install is held by a DEFAULT_CLOSED SSM Change Calendar (State
 * Manager does not start an association whose calendar is closed). Each release cycle:
 *
 * 1. `request` (scheduled): an SNS message asks for approval, with dev's latest promotion record
 *    and the exact command to approve; the request is recorded in S3
 *    (`approval-gate/<stack>/<cycle>.json`). Under the two-person rule the scheduled request only
 *    asks: a person requests the cycle (`npm run approve -- --request`, {@link recordPersonRequest},
 *    the requester role's session recorded from STS) and another person approves. Every write of
 *    the state is conditional (`If-None-Match: *` / `If-Match: <ETag>`): no writer overwrites
 *    another's request unseen.
 * 2. An authenticated operator approves with `npm run approve -- --stack prod --hours 24 --reason …`
 *    (their own IAM credentials: ssm:UpdateDocument on the calendar, recorded by CloudTrail) —
 *    which adds an event (an open period) to the calendar. There is no URL to click. Under the
 *    two-person rule the approver writes its own calendar, which no install checks; the check
 *    releases the approval that counts to the installs' (release) calendar with the same window
 *    ({@link mirrorRelease}) and ends the release when the approval is withdrawn.
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
import { ApprovalRejection, calendarDescription, CalendarEvent, CalendarVersion, closedNow, evaluateApproval, isSessionOf, parseCalendarEvents, principalKey, pruneEvents, renderCalendarContent, withApproval } from "./changeCalendar";
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
    /** Change calendar document name: the calendar the installs check (under the two-person rule, the release calendar only this gate writes). */
    calendarName: string;
    /**
     * The calendar the approver role writes, when it is not the installs' one (two-person rule,
     * config/changeSafety.ts `separateApprovalCalendar`): approvals are judged on it, and a period
     * of {@link calendarName} is opened only for the one that passes every check, with its window;
     * withdrawn when it is. @default approvals are written to calendarName itself
     */
    approvalCalendarName?: string;
    bucket: string;
    timeout: { action: "skip" | "open"; afterHours: number };
    openHours: number;
    /** The gated install's schedule, to say when it runs next. */
    install: { expression: string; offsetDays?: number };
    cycle?: CycleDefinition;
    /** The approver role: only its sessions' approvals count (config changeSafety.approvers). */
    approverRoleArn?: string;
    /** The requester role: under the two-person rule only its sessions' requests count (approvers.requesters). */
    requesterRoleArn?: string;
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
    /** How the request was made: the scheduled gate function, or a person (`npm run approve -- --request`). */
    requestedVia?: "schedule" | "person";
    /** A person's reason for the request (change ticket), as they typed it: shown, never trusted for identity. */
    requestReason?: string;
    /** The scheduled request a person's request replaced (its time and principal), kept for the record. */
    scheduledRequest?: { requestedAt: string; requestedBy?: string };
    /** Why the install is held although the calendar may hold an approval (two-person rule: no person requested). */
    held?: string;
    /** The calendar version that holds the approval (CloudTrail has its UpdateDocument call and caller). */
    calendarVersion?: string;
    /** Approvals found in the calendar that do not count, with the reason (latest check). */
    rejected?: ApprovalRejection[];
    /** The open period, when there is one. */
    openUntil?: string;
    /** Separate calendars: when the gate ended the release period because the approval was withdrawn (closed, edited, removed). */
    withdrawnAt?: string;
}

export interface GateResult {
    action: "requested" | "already-requested" | "approved" | "opened-automatically" | "skipped" | "waiting" | "held" | "nothing-requested" | "withdrawn";
    state?: GateState;
}

export const stateKey = (stack: string, cycle: string) => `approval-gate/${stack}/${cycle}.json`;

async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
    return (await readVersioned<T>(s3, bucket, key))?.value;
}

/** An object's JSON and its ETag (the precondition of the next write), or undefined when there is none. */
async function readVersioned<T>(s3: S3Client, bucket: string, key: string): Promise<{ value: T; etag: string } | undefined> {
    try {
        const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const value = JSON.parse((await obj.Body?.transformToString()) ?? "null") ?? undefined;
        if (value === undefined) return undefined;
        // Without an ETag the next write could not be conditional: refuse rather than overwrite blindly.
        if (!obj.ETag) throw new Error(`s3://${bucket}/${key}: GetObject returned no ETag, so a conditional write is impossible; not writing`);
        return { value, etag: obj.ETag };
    } catch (err) {
        if (["NoSuchKey", "NotFound"].includes(errorName(err))) return undefined;
        throw err;
    }
}

/** The cycle's gate state and its ETag. */
export async function readGateState(s3: S3Client, bucket: string, stack: string, cycle: string): Promise<{ state: GateState; etag: string } | undefined> {
    const r = await readVersioned<GateState>(s3, bucket, stateKey(stack, cycle));
    return r && { state: r.value, etag: r.etag };
}

/** Another writer changed the gate state between this writer's read and its write (S3 412 on the precondition). */
export class GateStateConflict extends Error {
    readonly name = "GateStateConflict";
}

/** S3 refused the precondition (412 PreconditionFailed; 409 ConditionalRequestConflict while another conditional write of the key is in flight). */
function preconditionFailed(err: unknown): boolean {
    const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    return ["PreconditionFailed", "ConditionalRequestConflict"].includes(errorName(err)) || status === 412 || status === 409;
}

/**
 * Writes the cycle's state only if the object is still what this writer read: `If-Match` its
 * ETag, or `If-None-Match: *` (S3 conditional writes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html)
 * when there was none. A refused precondition is a {@link GateStateConflict}.
 */
async function writeState(s3: S3Client, bucket: string, state: GateState, etag: string | undefined): Promise<void> {
    const key = stateKey(state.stack, state.cycle);
    try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(state, null, 2) + "\n", ContentType: "application/json", ...(etag ? { IfMatch: etag } : { IfNoneMatch: "*" }) }));
    } catch (err) {
        if (preconditionFailed(err)) throw new GateStateConflict(`s3://${bucket}/${key} was changed by another writer since it was read (${errorName(err)}): nothing was written`);
        throw err;
    }
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

/** The command a person runs to request the cycle's install (two-person rule). */
export function requestCommand(stack: string): string {
    return `npm run approve -- --request --stack ${stack} --bucket <artifact bucket> --reason "<change ticket>"`;
}

/**
 * Under the two-person rule, why the cycle's request does not count as a person's, or undefined
 * when it does: a request must name its requester, and the requester must be a session of the
 * requester role (without one configured: anyone but the gate function's own role, `ownArn`).
 * The scheduled request of the gate function never counts — fail closed.
 */
export function personRequestReason(state: Pick<GateState, "requestedBy" | "requestedAt">, o: { requesterRoleArn?: string; ownArn?: string; stack: string }): string | undefined {
    const ask = `a person requests it with ${requestCommand(o.stack)}, then another person approves`;
    if (!state.requestedBy) return `no person requested this cycle: the request of ${state.requestedAt} records no requester; ${ask}`;
    if (o.requesterRoleArn && !isSessionOf(state.requestedBy, o.requesterRoleArn))
        return `no person requested this cycle: requested by ${state.requestedBy}, which is not a session of the requester role ${o.requesterRoleArn}; ${ask}`;
    if (!o.requesterRoleArn && (!o.ownArn || principalKey(state.requestedBy).replace(/\/session\/.*$/, "") === principalKey(o.ownArn).replace(/\/session\/.*$/, "")))
        return `no person requested this cycle: requested by the gate function itself (${state.requestedBy}); ${ask}`;
    return undefined;
}

/** Sends the cycle's approval request (once per cycle); never overwrites a request already there (a person's, or an earlier run's). */
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
        o.timeout.action === "skip" || o.twoPersonRule
            ? `Without an approval within ${o.timeout.afterHours} hour(s) the install of cycle ${cycle.id} is skipped (the calendar stays closed).`
            : `Without an approval within ${o.timeout.afterHours} hour(s) the calendar opens automatically for ${o.openHours} hour(s) (timeout policy "open").`;
    const message = [
        `Stack ${o.stack}, release cycle ${cycle.id} (Patch Tuesday ${formatRun(cycle.patchTuesday).slice(0, 14)}).`,
        `The gated install runs next at ${next ? formatRun(next) : "(no run scheduled)"} — only while change calendar ${o.calendarName} is open.`,
        `Dev: ${dev ? `${dev.action} at ${dev.at}: ${dev.reason}` : "no promotion record yet"}.`,
        "",
        ...(o.twoPersonRule
            ? [
                  "Two-person rule: this scheduled message is not a request. A person requests the install (as the requester role; recorded from STS):",
                  `  ${requestCommand(o.stack)}`,
                  "then another person approves (as the approver role; opens the calendar):",
              ]
            : ["To approve (authenticated with your AWS credentials; opens the calendar):"]),
        `  ${approveCommand(o.stack, o.openHours)}`,
        "To refuse: do nothing, or close any open period:",
        `  npm run approve -- --stack ${o.stack} --close`,
        "",
        timeout,
    ].join("\n");
    // The requester is the authenticated caller making the request (two-person rule), never a typed name.
    const state: GateState = { stack: o.stack, cycle: cycle.id, requestedAt: o.now.toISOString(), status: "requested", requestedBy: await callerArn(clients.sts), requestedVia: "schedule" };
    try {
        // Only if there is still no state: a person's request written since the read stays as it is.
        await writeState(clients.s3, o.bucket, state, undefined);
    } catch (err) {
        if (!(err instanceof GateStateConflict)) throw err;
        const now = await readJson<GateState>(clients.s3, o.bucket, stateKey(o.stack, cycle.id));
        log(JSON.stringify({ level: "info", gate: "already-requested", ...now }));
        return { action: "already-requested", state: now };
    }
    await clients.notify(`[patching/${o.stack}] ${o.twoPersonRule ? "Request" : "Approval"} needed for the ${cycle.id} install`, message);
    log(JSON.stringify({ level: "info", gate: "requested", ...state }));
    return { action: "requested", state };
}

/** What {@link recordPersonRequest} did. */
export type PersonRequestOutcome =
    /** The cycle had no request: this person's is recorded. */
    | { outcome: "requested"; state: GateState }
    /** The cycle had only the scheduled (function's) request: this person's replaces it (kept in `scheduledRequest`). */
    | { outcome: "replaced-scheduled"; state: GateState }
    /** A person already requested the cycle (maybe this one): nothing written. */
    | { outcome: "already-requested"; state: GateState }
    /** The cycle is decided (approved, skipped, opened): nothing written. */
    | { outcome: "decided"; state: GateState }
    /** Another request was written between this one's read and write: nothing written; `state` is the winner's. */
    | { outcome: "conflict"; state?: GateState; message: string };

/**
 * A person requests the cycle's install: the caller's STS identity (`requester`, from
 * GetCallerIdentity, never typed) becomes the cycle's requester, written with a precondition —
 * `If-None-Match: *` when there is no state, `If-Match` the scheduled request's ETag when there is
 * only that — so of two concurrent requests one wins and the other is told so.
 */
export async function recordPersonRequest(
    s3: S3Client,
    o: { bucket: string; stack: string; cycle: string; now: Date; requester: string; reason: string; isPerson: (state: GateState) => boolean },
): Promise<PersonRequestOutcome> {
    const current = await readGateState(s3, o.bucket, o.stack, o.cycle);
    const mine: GateState = { stack: o.stack, cycle: o.cycle, requestedAt: o.now.toISOString(), status: "requested", requestedBy: o.requester, requestedVia: "person", requestReason: o.reason };
    if (current && current.state.status !== "requested") return { outcome: "decided", state: current.state };
    if (current && o.isPerson(current.state)) return { outcome: "already-requested", state: current.state };
    const state: GateState = current ? { ...mine, scheduledRequest: { requestedAt: current.state.requestedAt, ...(current.state.requestedBy ? { requestedBy: current.state.requestedBy } : {}) } } : mine;
    try {
        await writeState(s3, o.bucket, state, current?.etag);
    } catch (err) {
        if (!(err instanceof GateStateConflict)) throw err;
        const winner = await readGateState(s3, o.bucket, o.stack, o.cycle).catch(() => undefined);
        return {
            outcome: "conflict",
            ...(winner ? { state: winner.state } : {}),
            message: `another request of cycle ${o.cycle} was written at the same time${winner?.state.requestedBy ? ` (by ${winner.state.requestedBy} at ${winner.state.requestedAt})` : ""}; yours was not recorded (${err.message})`,
        };
    }
    return { outcome: current ? "replaced-scheduled" : "requested", state };
}

/**
 * Two-person rule: ends now (or withdraws, when not started yet) the calendar's periods `pick`
 * selects that are open now or later — the approvals the gate does not count — in the home
 * calendar and every Region's copy, so the calendar stops holding the installs open for them.
 * Returns how many; writes nothing when there are none.
 */
export async function withdrawPeriods(clients: Pick<GateClients, "ssm" | "replicas">, name: string, pick: (e: CalendarEvent) => boolean, now: Date, why: string): Promise<number> {
    const content = await readCalendar(clients.ssm, name);
    let n = 0;
    const kept = parseCalendarEvents(content).flatMap((e) => {
        if (!pick(e) || e.end.getTime() <= now.getTime()) return [e];
        n++;
        if (e.start.getTime() >= now.getTime()) return [];
        return [{ ...e, end: now, description: `${e.description ?? ""}${e.description ? "\n" : ""}Withdrawn by the approval gate at ${now.toISOString()}: ${why}` }];
    });
    if (n === 0) return 0;
    await writeCalendar(clients.ssm, name, renderCalendarContent(calendarDescription(content), kept));
    if (clients.replicas?.length) await syncReplicas(clients.ssm, clients.replicas, name);
    return n;
}

/** The approval the gate counts, as {@link evaluateApproval} returns it. */
type CountedApproval = NonNullable<ReturnType<typeof evaluateApproval>["approval"]>;

/**
 * Separate calendars (two-person rule): makes the release calendar hold, for `cycleId`, exactly the
 * counted `approval`'s window (same start and end, same uid) — or nothing when there is none.
 * Periods of the cycle that are open now or later and are not that window are ended now (or
 * withdrawn when not started); other cycles' periods and past ones are kept. Every Region's copy
 * follows. Returns whether the calendar changed; writes nothing when it already holds the window.
 */
export async function mirrorRelease(
    clients: Pick<GateClients, "ssm" | "replicas">,
    o: { releaseName: string; approvalName: string; cycleId: string; cycleOf: (at: Date) => string; now: Date; requestedBy?: string },
    approval: CountedApproval | undefined,
): Promise<boolean> {
    const content = await readCalendar(clients.ssm, o.releaseName);
    const events = parseCalendarEvents(content);
    const live = (e: CalendarEvent) => (e.cycle ?? o.cycleOf(e.start)) === o.cycleId && e.end.getTime() > o.now.getTime();
    const same = (e: CalendarEvent) => approval !== undefined && e.uid === approval.uid && e.start.getTime() === approval.start.getTime() && e.end.getTime() === approval.end.getTime();
    const current = events.filter(live);
    if (approval ? current.length === 1 && same(current[0]) : current.length === 0) return false;
    const why = approval ? `replaced by approval ${approval.uid}` : "the approval is withdrawn, edited or no longer counted";
    const kept = events.flatMap((e) => {
        if (!live(e)) return [e];
        if (approval && e.uid === approval.uid) return [];
        if (e.start.getTime() >= o.now.getTime()) return [];
        return [{ ...e, end: o.now, description: `${e.description ?? ""}${e.description ? "\n" : ""}Ended by the approval gate at ${o.now.toISOString()}: ${why}` }];
    });
    if (approval) {
        kept.push({
            uid: approval.uid,
            start: approval.start,
            end: approval.end,
            summary: `Released by the approval gate: approved by ${approval.approver}`,
            description: `${o.approvalName} version ${approval.version} (written ${approval.writtenAt.toISOString()} by ${approval.approver}, per CloudTrail)${o.requestedBy ? `; requested by ${o.requestedBy}` : ""}${approval.description ? `: ${approval.description}` : ""}`,
            approver: approval.approver,
            cycle: o.cycleId,
        });
    }
    await writeCalendar(clients.ssm, o.releaseName, renderCalendarContent(calendarDescription(content), pruneEvents(kept, o.now)));
    if (clients.replicas?.length) await syncReplicas(clients.ssm, clients.replicas, o.releaseName);
    return true;
}

/** Writes `next` over the state read (`etag`); another writer's change in between leaves both as they are (the next check decides again). */
async function writeChecked(clients: GateClients, o: GateOptions, next: GateState, etag: string, log: (l: string) => void): Promise<boolean> {
    try {
        await writeState(clients.s3, o.bucket, next, etag);
        return true;
    } catch (err) {
        if (!(err instanceof GateStateConflict)) throw err;
        log(JSON.stringify({ level: "warn", gate: "state-changed", cycle: next.cycle, message: err.message }));
        return false;
    }
}

/** Hourly: records an approval, or applies the timeout policy once it has passed. */
export async function checkApproval(clients: GateClients, o: GateOptions): Promise<GateResult> {
    const log = o.log ?? ((l: string) => console.log(l));
    const cycle = cycleOf(o.now, o.cycle ?? DEFAULT_CYCLE);
    const read = await readGateState(clients.s3, o.bucket, o.stack, cycle.id);
    if (!read) return { action: "nothing-requested" };
    const { state, etag } = read;
    // Separate calendars: approvals are judged on the approver's calendar, and only the one that counts is released to the installs' calendar.
    const approvalName = o.approvalCalendarName ?? o.calendarName;
    const split = approvalName !== o.calendarName;
    const cycleFn = (at: Date) => cycleOf(at, o.cycle ?? DEFAULT_CYCLE).id;
    const mirror = { releaseName: o.calendarName, approvalName, cycleId: cycle.id, cycleOf: cycleFn, now: o.now, requestedBy: state.requestedBy };
    const judge = async () => {
        const installAt = nextRuns(o.install.expression, { from: o.now, count: 1, offsetDays: o.install.offsetDays })[0];
        const history = await readCalendarHistory(clients.ssm, approvalName, new Date(state.requestedAt));
        const writers = await calendarWriters(
            clients.cloudTrail,
            approvalName,
            history.filter((v) => v.createdAt.getTime() >= new Date(state.requestedAt).getTime()),
            o.now,
        );
        return evaluateApproval(history, {
            requestedAt: new Date(state.requestedAt),
            cycleId: cycle.id,
            cycleOf: cycleFn,
            now: o.now,
            installAt,
            approverRoleArn: o.approverRoleArn,
            requestedBy: state.requestedBy,
            twoPersonRule: o.twoPersonRule,
            writers,
        });
    };
    if (split && state.status === "approved") return recheckRelease(clients, o, { state, etag, judge, mirror, log });
    if (state.status !== "requested") return { action: state.status, state };
    const requestedAt = new Date(state.requestedAt);
    const timedOut = o.now.getTime() >= requestedAt.getTime() + o.timeout.afterHours * 3600000;
    if (o.twoPersonRule) {
        // Fail closed: without a person's request no approval counts, and the timeout never opens the calendar.
        const held = personRequestReason(state, { requesterRoleArn: o.requesterRoleArn, ownArn: o.requesterRoleArn ? undefined : await callerArn(clients.sts), stack: o.stack });
        if (held) {
            // Whatever the calendar holds for this cycle is not an approval yet: it must not keep the installs open.
            const thisCycle = (e: CalendarEvent) => (e.cycle ?? cycleOf(e.start, o.cycle ?? DEFAULT_CYCLE).id) === cycle.id;
            const withdrawn = await withdrawPeriods(clients, o.calendarName, thisCycle, o.now, "no person requested this cycle (two-person rule)");
            if (withdrawn > 0) {
                log(JSON.stringify({ level: "warn", gate: "withdrawn", cycle: cycle.id, periods: withdrawn, reason: held }));
                await clients.notify(`[patching/${o.stack}] Withdrawn: ${withdrawn} open period(s) of the ${cycle.id} install`, `${held}. The change calendar ${o.calendarName} held ${withdrawn} open period(s) for cycle ${cycle.id}; the gate ended or withdrew them.`);
            }
            if (timedOut) {
                const skipped: GateState = { ...state, status: "skipped", decidedAt: o.now.toISOString(), by: `timeout policy (no person requested within ${o.timeout.afterHours} h)`, held };
                if (!(await writeChecked(clients, o, skipped, etag, log))) return { action: "waiting", state };
                await clients.notify(`[patching/${o.stack}] Skipped: ${cycle.id} install`, `${held}. Nobody requested within ${o.timeout.afterHours} hour(s); the change calendar stays closed and the ${cycle.id} install does not run.`);
                log(JSON.stringify({ level: "warn", gate: "skipped", ...skipped }));
                return { action: "skipped", state: skipped };
            }
            if (state.held === held) return { action: "held", state };
            const holding: GateState = { ...state, held };
            if (!(await writeChecked(clients, o, holding, etag, log))) return { action: "waiting", state };
            await clients.notify(`[patching/${o.stack}] Held: ${cycle.id} install (no person requested)`, held);
            log(JSON.stringify({ level: "warn", gate: "held", ...holding }));
            return { action: "held", state: holding };
        }
    }
    const { approval, rejected } = await judge();
    for (const r of rejected) log(JSON.stringify({ level: "warn", gate: "approval-rejected", cycle: cycle.id, ...r }));
    // Released first: the state never claims a release that did not happen (a failure here is retried next check).
    // Without a counted approval the release calendar holds nothing of this cycle, whatever the approver's calendar holds.
    if (split && (await mirrorRelease(clients, mirror, approval)) && approval) log(JSON.stringify({ level: "info", gate: "released", cycle: cycle.id, uid: approval.uid, start: approval.start, end: approval.end }));
    if (o.twoPersonRule && !approval && !split) {
        // A self-approval must not keep the calendar open: the rule is enforced on the calendar, not only in this record.
        const selfApproved = new Set(rejected.filter((r) => r.reason.startsWith("two-person rule:")).map((r) => r.uid));
        if (selfApproved.size > 0) {
            const withdrawn = await withdrawPeriods(clients, o.calendarName, (e) => selfApproved.has(e.uid), o.now, "approved by the requester (two-person rule)");
            if (withdrawn > 0) log(JSON.stringify({ level: "warn", gate: "withdrawn", cycle: cycle.id, periods: withdrawn, uids: [...selfApproved] }));
        }
    }
    let next: GateState | undefined;
    const { held: _held, ...unheld } = state;
    if (approval) {
        next = { ...unheld, status: "approved", decidedAt: o.now.toISOString(), by: approval.approver, calendarVersion: approval.version, openUntil: approval.end.toISOString(), ...(rejected.length ? { rejected } : {}) };
    } else if (timedOut) {
        if (o.timeout.action === "open" && !o.twoPersonRule) {
            const by = `timeout policy (no decision within ${o.timeout.afterHours} h)`;
            next = { ...unheld, status: "opened-automatically", decidedAt: o.now.toISOString(), by, openUntil: new Date(o.now.getTime() + o.openHours * 3600000).toISOString() };
        } else {
            next = { ...unheld, status: "skipped", decidedAt: o.now.toISOString(), by: `timeout policy (no decision within ${o.timeout.afterHours} h)` };
        }
    }
    if (!next) {
        if (rejected.length === 0 && !state.held) return { action: "waiting", state };
        // Record why the approvals found do not count (once per change), so the operator can see it.
        if (JSON.stringify(state.rejected ?? []) === JSON.stringify(rejected) && !state.held) return { action: "waiting", state };
        const waiting: GateState = { ...unheld, ...(rejected.length ? { rejected } : {}) };
        if (!(await writeChecked(clients, o, waiting, etag, log))) return { action: "waiting", state };
        if (rejected.length) await clients.notify(`[patching/${o.stack}] Approval not accepted: ${cycle.id} install`, rejected.map((r) => `${r.uid}: ${r.reason}`).join("\n"));
        return { action: "waiting", state: waiting };
    }
    if (next.status === "opened-automatically") {
        // Opened first: the state never claims an opening that did not happen (a failure here is retried next hour).
        await openCalendar(clients.ssm, o.calendarName, { start: o.now, hours: o.openHours, by: next.by!, reason: `Opened automatically for cycle ${cycle.id}`, now: o.now });
        if (clients.replicas?.length) await syncReplicas(clients.ssm, clients.replicas, o.calendarName);
    }
    // Conditional: a request replaced meanwhile (a person's over the scheduled one) is judged again next hour, and nothing is announced for the old one.
    if (!(await writeChecked(clients, o, next, etag, log))) return { action: "waiting", state };
    if (approval) {
        await clients.notify(
            `[patching/${o.stack}] Approved: ${cycle.id} install`,
            `Approved by ${approval.approver} (calendar ${approvalName} version ${approval.version}, written ${approval.writtenAt.toISOString()}) — ${split ? `released to ${o.calendarName}: ` : ""}open ${approval.start.toISOString()} to ${approval.end.toISOString()}. ${approval.description ?? ""}`.trim(),
        );
    } else if (next.status === "opened-automatically") {
        await clients.notify(`[patching/${o.stack}] Opened automatically: ${cycle.id} install`, `Nobody approved within ${o.timeout.afterHours} hour(s); the change calendar is open until ${next.openUntil}. To stop it: npm run approve -- --stack ${o.stack} --close`);
    } else {
        await clients.notify(
            `[patching/${o.stack}] Skipped: ${cycle.id} install`,
            `Nobody approved within ${o.timeout.afterHours} hour(s); the change calendar stays closed and the ${cycle.id} install does not run. To install anyway: ${approveCommand(o.stack, o.openHours)}`,
        );
    }
    log(JSON.stringify({ level: next.status === "skipped" ? "warn" : "info", gate: next.status, ...next }));
    return { action: next.status, state: next };
}

/**
 * Separate calendars, a cycle already approved: the release follows the approval. While the
 * released period lasts, each check judges the approver's calendar again; an approval withdrawn
 * (closed early, edited, removed) ends the release period at once, and an approval that counts
 * again (a new one) is released with its window. After the period, nothing is read.
 */
async function recheckRelease(
    clients: GateClients,
    o: GateOptions,
    c: { state: GateState; etag: string; judge: () => Promise<ReturnType<typeof evaluateApproval>>; mirror: Parameters<typeof mirrorRelease>[1]; log: (l: string) => void },
): Promise<GateResult> {
    const { state, etag, mirror, log } = c;
    if (!state.withdrawnAt && state.openUntil && o.now.getTime() >= new Date(state.openUntil).getTime()) return { action: "approved", state };
    const { approval } = await c.judge();
    await mirrorRelease(clients, mirror, approval);
    if (approval) {
        if (!state.withdrawnAt && state.calendarVersion === approval.version && state.openUntil === approval.end.toISOString()) return { action: "approved", state };
        const { withdrawnAt: _w, ...rest } = state;
        const next: GateState = { ...rest, decidedAt: o.now.toISOString(), by: approval.approver, calendarVersion: approval.version, openUntil: approval.end.toISOString() };
        if (!(await writeChecked(clients, o, next, etag, log))) return { action: "waiting", state };
        await clients.notify(`[patching/${o.stack}] Approved: ${mirror.cycleId} install`, `Approved by ${approval.approver} (calendar ${mirror.approvalName} version ${approval.version}) — released to ${o.calendarName}: open ${approval.start.toISOString()} to ${approval.end.toISOString()}.`);
        log(JSON.stringify({ level: "info", gate: "approved", ...next }));
        return { action: "approved", state: next };
    }
    if (state.withdrawnAt) return { action: "withdrawn", state };
    const next: GateState = { ...state, withdrawnAt: o.now.toISOString(), openUntil: o.now.toISOString() };
    if (!(await writeChecked(clients, o, next, etag, log))) return { action: "waiting", state };
    await clients.notify(
        `[patching/${o.stack}] Withdrawn: ${mirror.cycleId} install`,
        `The approval by ${state.by} (calendar ${mirror.approvalName} version ${state.calendarVersion}) no longer counts (closed, edited or removed): the release calendar ${o.calendarName} is closed for cycle ${mirror.cycleId} from ${o.now.toISOString()}.`,
    );
    log(JSON.stringify({ level: "warn", gate: "withdrawn", ...next }));
    return { action: "withdrawn", state: next };
}
