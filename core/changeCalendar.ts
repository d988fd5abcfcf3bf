/**
 * SSM Change Calendar content (iCalendar 2.0, document type ChangeCalendar, format TEXT) for the
 * approval gate: a DEFAULT_CLOSED calendar in which each event is an approved period — the only
 * time prod's gated install may start. Approving appends an event; closing early ends the events
 * in progress; old events are pruned so the content stays far below the 64 KB document limit.
 *
 * Events written here use UTC (`DTSTART:20261216T090000Z`); events added in the console with a
 * `TZID` are read with that zone.
 */
import { zonedTimeToUtc } from "./schedule";

export interface CalendarEvent {
    uid: string;
    start: Date;
    end: Date;
    summary: string;
    description?: string;
    /** The authenticated principal (STS caller identity ARN) that approved (`X-PATCHING-APPROVER`). */
    approver?: string;
    /** The release cycle approved (`X-PATCHING-CYCLE`, e.g. `2026-12`). */
    cycle?: string;
}

const CRLF = "\r\n";

/** `20261216T090000Z`. */
export function icsTime(d: Date): string {
    return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** Escapes TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma, newline. */
function escapeText(s: string): string {
    return s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}
function unescapeText(s: string): string {
    return s.replace(/\\n/gi, "\n").replace(/\\([\\;,])/g, "$1");
}

/** The calendar with `events` (none: closed at all times). */
export function renderCalendarContent(description: string, events: CalendarEvent[]): string {
    const lines = ["BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", "X-CALENDAR-TYPE:DEFAULT_CLOSED", `X-WR-CALDESC:${escapeText(description)}`, "X-CALENDAR-CMEVENTS:DISABLED"];
    for (const e of [...events].sort((a, b) => a.start.getTime() - b.start.getTime())) {
        lines.push(
            "BEGIN:VEVENT",
            `UID:${e.uid}`,
            "SEQUENCE:0",
            `DTSTAMP:${icsTime(e.start)}`,
            `DTSTART:${icsTime(e.start)}`,
            `DTEND:${icsTime(e.end)}`,
            `SUMMARY:${escapeText(e.summary)}`,
            ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
            ...(e.approver ? [`X-PATCHING-APPROVER:${escapeText(e.approver)}`] : []),
            ...(e.cycle ? [`X-PATCHING-CYCLE:${escapeText(e.cycle)}`] : []),
            "END:VEVENT",
        );
    }
    lines.push("END:VCALENDAR");
    return lines.join(CRLF) + CRLF;
}

function parseIcsTime(value: string, params: string): Date | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value.trim());
    if (!m) return undefined;
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
    if (m[7] === "Z") return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    const tz = /TZID=([^;:]+)/.exec(params)?.[1];
    return zonedTimeToUtc(y, mo - 1, d, h, mi, tz ?? "UTC");
}

/** The events of calendar content (folded lines unfolded; events without start/end skipped). */
export function parseCalendarEvents(content: string): CalendarEvent[] {
    const lines = content.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
    const events: CalendarEvent[] = [];
    let current: Partial<CalendarEvent> | undefined;
    for (const line of lines) {
        if (line === "BEGIN:VEVENT") current = {};
        else if (line === "END:VEVENT") {
            if (current?.start && current.end) events.push({ uid: current.uid ?? "", summary: current.summary ?? "", ...current } as CalendarEvent);
            current = undefined;
        } else if (current) {
            const idx = line.indexOf(":");
            if (idx < 0) continue;
            const [nameAndParams, value] = [line.slice(0, idx), line.slice(idx + 1)];
            const [name, ...params] = nameAndParams.split(";");
            if (name === "UID") current.uid = value;
            else if (name === "SUMMARY") current.summary = unescapeText(value);
            else if (name === "DESCRIPTION") current.description = unescapeText(value);
            else if (name === "X-PATCHING-APPROVER") current.approver = unescapeText(value);
            else if (name === "X-PATCHING-CYCLE") current.cycle = unescapeText(value);
            else if (name === "DTSTART") current.start = parseIcsTime(value, params.join(";"));
            else if (name === "DTEND") current.end = parseIcsTime(value, params.join(";"));
        }
    }
    return events;
}

/** The calendar description (X-WR-CALDESC). */
export function calendarDescription(content: string): string {
    const m = /^X-WR-CALDESC:(.*)$/m.exec(content.replace(/\r/g, ""));
    return m ? unescapeText(m[1]) : "";
}

/** Whether a DEFAULT_CLOSED calendar is open at `at` (inside an event). */
export function isOpenAt(events: CalendarEvent[], at: Date): boolean {
    return events.some((e) => e.start.getTime() <= at.getTime() && at.getTime() < e.end.getTime());
}

const DAY = 86400000;
/** Events that ended more than `days` ago are dropped. */
export function pruneEvents(events: CalendarEvent[], now: Date, days = 180): CalendarEvent[] {
    return events.filter((e) => e.end.getTime() >= now.getTime() - days * DAY);
}

/** Content with one more approved period `[start, start + hours)`. */
export function withApproval(content: string, approval: { start: Date; hours: number; by: string; reason: string; uid: string; now: Date; approver?: string; cycle?: string }): string {
    const events = pruneEvents(parseCalendarEvents(content), approval.now);
    events.push({
        uid: approval.uid,
        start: approval.start,
        end: new Date(approval.start.getTime() + approval.hours * 3600000),
        summary: `Approved by ${approval.by}`,
        description: approval.reason,
        ...(approval.approver ? { approver: approval.approver } : {}),
        ...(approval.cycle ? { cycle: approval.cycle } : {}),
    });
    return renderCalendarContent(calendarDescription(content), events);
}

/** Content with every period in progress or ahead ended at `now` (the gate closes at once). */
export function closedNow(content: string, now: Date, by: string): { content: string; closed: number } {
    let closed = 0;
    const events = pruneEvents(parseCalendarEvents(content), now)
        .map((e) => {
            if (e.end.getTime() <= now.getTime()) return e;
            closed++;
            if (e.start.getTime() >= now.getTime()) return undefined; // a future approval is withdrawn
            return { ...e, end: now, description: `${e.description ?? ""}${e.description ? "\n" : ""}Closed early by ${by} at ${now.toISOString()}` };
        })
        .filter((e): e is CalendarEvent => e !== undefined);
    return { content: renderCalendarContent(calendarDescription(content), events), closed };
}

/**
 * The first approval opened at or after `requestedAt` and open at `installAt` (when the install
 * starts). An approval that ended before the request, or that opened before it (an earlier
 * request's), or that is closed when the install starts, does not count. Event-level rules only;
 * {@link evaluateApproval} adds the calendar's version history (when it was really written, and
 * whether it was edited afterwards), the cycle and the approver.
 */
export function approvalSince(events: CalendarEvent[], requestedAt: Date, installAt: Date): CalendarEvent | undefined {
    return events
        .filter((e) => e.start.getTime() >= requestedAt.getTime() && e.start.getTime() <= installAt.getTime() && installAt.getTime() < e.end.getTime())
        .sort((a, b) => a.start.getTime() - b.start.getTime())[0];
}

/** One version of the calendar document (ListDocumentVersions `CreatedDate`: set by AWS, not by the editor). */
export interface CalendarVersion {
    version: string;
    createdAt: Date;
    content: string;
}

/** What {@link evaluateApproval} needs to know about the request. */
export interface ApprovalRequest {
    /** When the request was made (the gate state's `requestedAt`). */
    requestedAt: Date;
    /** The request's release cycle id (`2026-12`). */
    cycleId: string;
    /** The cycle an event without `X-PATCHING-CYCLE` belongs to (by its start). */
    cycleOf: (at: Date) => string;
    now: Date;
    /** When the held install starts next; the approval must be open then. */
    installAt?: Date;
    /** The approver role's ARN: only its sessions count as approvers. */
    approverRoleArn?: string;
    /** Who asked (a principal ARN, recorded from STS when the request was made), for the two-person rule. */
    requestedBy?: string;
    /** The approver must not be the requester. */
    twoPersonRule?: boolean;
    /**
     * Who wrote each calendar version, by version: the `userIdentity.arn` of the version's
     * `UpdateDocument` event in CloudTrail ({@link calendarWriters} in core/approvalGate.ts). The
     * approver is this principal — never the `X-PATCHING-APPROVER` text, which whoever writes the
     * calendar controls. A version without an entry is not verified (yet): its approvals wait.
     */
    writers: ReadonlyMap<string, string>;
}

export interface ApprovalRejection {
    uid: string;
    reason: string;
    /** Not (yet) verifiable: no CloudTrail event for the version that wrote it; checked again next time. */
    pending?: true;
}

export interface ApprovalVerdict {
    approval?: CalendarEvent & { approver: string; version: string; writtenAt: Date };
    rejected: ApprovalRejection[];
}

/** The person behind a principal ARN: an assumed-role session name, or the last path segment. */
export function principalName(arn: string): string {
    const m = /^arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+\/(.+)$/.exec(arn);
    return (m ? m[1] : arn.split("/").pop() ?? arn).toLowerCase();
}

/**
 * The principal an ARN authenticates, for comparing two of them: an assumed-role session is its
 * role (account, role name) and session name; an IAM user is the user; anything else is the ARN.
 * IAM role and user names are unique case-insensitively; session names are compared as written.
 */
export function principalKey(arn: string): string {
    const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
    if (session) return `${session[1]}:${session[2]}:role/${session[3].toLowerCase()}/session/${session[4]}`;
    const user = /^arn:([^:]+):iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (user) return `${user[1]}:${user[2]}:user/${user[3].toLowerCase()}`;
    return arn;
}

/** Why `approver` may not approve what `requester` asked for under the two-person rule, or undefined when they are two people. */
export function samePersonReason(approver: string, requester: string): string | undefined {
    if (principalKey(approver) === principalKey(requester)) return `two-person rule: ${approver} is the principal that requested this install (${requester}) and cannot approve it`;
    if (principalName(approver) === principalName(requester)) return `two-person rule: ${approver} requested this install and cannot approve it (same person as ${requester}, under another role)`;
    return undefined;
}

/** Whether `arn` is a session of the role `roleArn` (`arn:aws:sts::<account>:assumed-role/<role name>/<session>`). */
export function isSessionOf(arn: string, roleArn: string): boolean {
    const role = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
    return !!role && !!session && role[1] === session[1] && role[2] === session[2] && role[3] === session[3];
}

const sameWindow = (a: CalendarEvent, b: CalendarEvent) =>
    a.start.getTime() === b.start.getTime() && a.summary === b.summary && a.approver === b.approver && a.cycle === b.cycle && b.end.getTime() <= a.end.getTime();

/**
 * Which approval, if any, releases the install — judged on the calendar's version history, not
 * only on what the current content claims:
 * - opened after the request: the version that first holds the event was created (by AWS's clock)
 *   at or after `requestedAt`, and its period starts at or after it too;
 * - not edited after the fact: every later version holds the event unchanged (closing it early,
 *   which only moves its end earlier, is the one allowed edit);
 * - of this cycle, not expired, open when the install starts;
 * - approved by an authenticated principal: the caller CloudTrail recorded for the version that
 *   wrote the event (`r.writers`), a session of the approver role when one is given, and not the
 *   requester under the two-person rule. An `X-PATCHING-APPROVER` that names someone else is a
 *   forgery and rejected; a version CloudTrail has no event for yet is pending, not counted.
 * Every event that does not count is returned with the reason.
 */
export function evaluateApproval(history: CalendarVersion[], r: ApprovalRequest): ApprovalVerdict {
    const versions = [...history].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || Number(a.version) - Number(b.version));
    const parsed = versions.map((v) => ({ ...v, events: parseCalendarEvents(v.content) }));
    const latest = parsed[parsed.length - 1];
    const rejected: ApprovalRejection[] = [];
    const accepted: NonNullable<ApprovalVerdict["approval"]>[] = [];
    for (const e of latest?.events ?? []) {
        const reject = (reason: string) => void rejected.push({ uid: e.uid, reason });
        const firstIndex = parsed.findIndex((v) => v.events.some((x) => x.uid === e.uid));
        const first = parsed[firstIndex];
        const original = first.events.find((x) => x.uid === e.uid)!;
        const edited = parsed.slice(firstIndex + 1).find((v) => {
            const later = v.events.find((x) => x.uid === e.uid);
            return later !== undefined && !sameWindow(original, later);
        });
        const cycle = e.cycle ?? r.cycleOf(e.start);
        if (edited) reject(`edited after the fact in calendar version ${edited.version} (${edited.createdAt.toISOString()}): an approval cannot be moved, extended or re-attributed; approve again`);
        else if (first.createdAt.getTime() < r.requestedAt.getTime())
            reject(`opened before the request: written in calendar version ${first.version} at ${first.createdAt.toISOString()}, the request was made at ${r.requestedAt.toISOString()}`);
        else if (e.start.getTime() < r.requestedAt.getTime()) reject(`its period starts at ${e.start.toISOString()}, before the request (${r.requestedAt.toISOString()})`);
        else if (cycle !== r.cycleId) reject(`approves cycle ${cycle}, not the requested cycle ${r.cycleId}`);
        else if (e.end.getTime() <= r.now.getTime()) reject(`expired at ${e.end.toISOString()}`);
        else if (r.installAt && !(e.start.getTime() <= r.installAt.getTime() && r.installAt.getTime() < e.end.getTime()))
            reject(`open ${e.start.toISOString()} – ${e.end.toISOString()}, not when the install starts (${r.installAt.toISOString()})`);
        else if (!r.writers.get(first.version))
            rejected.push({
                uid: e.uid,
                reason: `pending verification: CloudTrail has no UpdateDocument event (yet) for calendar version ${first.version} (${first.createdAt.toISOString()}), so who wrote it is not known; not counted until it is (CloudTrail delivers events within minutes, not guaranteed)`,
                pending: true,
            });
        else {
            const approver = r.writers.get(first.version)!;
            const twoPerson = r.twoPersonRule ? (r.requestedBy ? samePersonReason(approver, r.requestedBy) : "two-person rule: the requester was not recorded, so the approver cannot be shown to be someone else") : undefined;
            if (e.approver && principalKey(e.approver) !== principalKey(approver))
                reject(`the event names approver ${e.approver}, but CloudTrail records ${approver} as the writer of calendar version ${first.version}: a forged approver is not counted`);
            else if (r.approverRoleArn && !isSessionOf(approver, r.approverRoleArn)) reject(`approved by ${approver}, which is not a session of the approver role ${r.approverRoleArn}`);
            else if (twoPerson) reject(twoPerson);
            else accepted.push({ ...e, approver, version: first.version, writtenAt: first.createdAt });
        }
    }
    return { approval: accepted.sort((a, b) => a.start.getTime() - b.start.getTime())[0], rejected };
}
