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
export function withApproval(content: string, approval: { start: Date; hours: number; by: string; reason: string; uid: string; now: Date }): string {
    const events = pruneEvents(parseCalendarEvents(content), approval.now);
    events.push({
        uid: approval.uid,
        start: approval.start,
        end: new Date(approval.start.getTime() + approval.hours * 3600000),
        summary: `Approved by ${approval.by}`,
        description: approval.reason,
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

/** An event that started at or after `since` (an approval or an automatic opening for this request). */
export function approvalSince(events: CalendarEvent[], since: Date): CalendarEvent | undefined {
    return events.filter((e) => e.start.getTime() >= since.getTime() - 60_000 || (e.start.getTime() < since.getTime() && e.end.getTime() > since.getTime())).sort((a, b) => a.start.getTime() - b.start.getTime())[0];
}
