/**
 * core/changeCalendar.ts behaviours that surviving StrykerJS mutants showed untested (TESTING.md,
 * Mutation testing): the iCalendar reader against RFC 5545 (date-only values, TZID, UTC times,
 * folded lines, lines outside an event), the rendered calendar's frame, and the boundaries of the
 * approval-window checks (a period is [start, end): open at its start, closed at its end).
 */
import { expect } from "chai";
import { cycleOf } from "../core/calendar";
import { approvalSince, CalendarEvent, CalendarVersion, calendarDescription, closedNow, evaluateApproval, isOpenAt, parseCalendarEvents, pruneEvents, renderCalendarContent } from "../core/changeCalendar";

const t = (iso: string) => new Date(iso);
const ics = (...lines: string[]) => ["BEGIN:VCALENDAR", "VERSION:2.0", ...lines, "END:VCALENDAR"].join("\r\n") + "\r\n";
const event = (...lines: string[]) => ["BEGIN:VEVENT", ...lines, "END:VEVENT"];
const ev = (uid: string, start: string, end: string, over: Partial<CalendarEvent> = {}): CalendarEvent => ({ uid, start: t(start), end: t(end), summary: `Approved by ${uid}`, ...over });

describe("change calendar: behaviours found by mutation testing", () => {
    describe("reading iCalendar (RFC 5545)", () => {
        it("a UTC date-time keeps its minutes and seconds; a trailing space is not part of the value", () => {
            const [e] = parseCalendarEvents(ics(...event("UID:a", "DTSTART:20261216T093015Z ", "DTEND:20261216T113045Z")));
            expect(e.start.toISOString()).to.equal("2026-12-16T09:30:15.000Z");
            expect(e.end.toISOString()).to.equal("2026-12-16T11:30:45.000Z");
        });

        it("a DATE value is midnight; a floating time without TZID is read as UTC", () => {
            const [e] = parseCalendarEvents(ics(...event("UID:a", "DTSTART;VALUE=DATE:20261216", "DTEND:20261217T060000")));
            expect(e.start.toISOString()).to.equal("2026-12-16T00:00:00.000Z");
            expect(e.end.toISOString()).to.equal("2026-12-17T06:00:00.000Z");
        });

        it("TZID converts a local time (Berlin is UTC+1 in December); a time marked Z is UTC whatever the TZID", () => {
            const [e] = parseCalendarEvents(ics(...event("UID:a", "DTSTART;TZID=Europe/Berlin:20261216T090000", "DTEND;TZID=Europe/Berlin:20261216T090000Z")));
            expect(e.start.toISOString()).to.equal("2026-12-16T08:00:00.000Z");
            expect(e.end.toISOString()).to.equal("2026-12-16T09:00:00.000Z");
        });

        it("a value that is not a whole date or date-time leaves the event without that time, so it is skipped", () => {
            for (const bad of ["20261216T0900", "x20261216T090000Z", "20261216T090000Zx", "2026-12-16"]) {
                expect(parseCalendarEvents(ics(...event("UID:a", "DTSTART:20261216T080000Z", `DTEND:${bad}`))), bad).to.deep.equal([]);
            }
        });

        it("an event needs both its start and its end", () => {
            expect(parseCalendarEvents(ics(...event("UID:a", "DTSTART:20261216T080000Z")))).to.deep.equal([]);
            expect(parseCalendarEvents(ics(...event("UID:a", "DTEND:20261216T080000Z")))).to.deep.equal([]);
        });

        it("folded lines (CRLF then a space or a tab) are unfolded; LF-only content is read too", () => {
            const folded = ics(...event("UID:a", "DTSTART:20261216T080000Z", "DTEND:20261216T100000Z", "SUMMARY:Approved by al", " ice for the", "\tDecember cycle"));
            expect(parseCalendarEvents(folded)[0].summary).to.equal("Approved by alice for theDecember cycle");
            const lf = folded.replace(/\r\n/g, "\n");
            expect(parseCalendarEvents(lf).map((e) => [e.uid, e.summary])).to.deep.equal([["a", "Approved by alice for theDecember cycle"]]);
        });

        it("properties outside an event and lines without a colon are ignored; a missing UID or SUMMARY is empty", () => {
            const content = ics("SUMMARY:not an event", "UID:stray", ...event("DTSTART:20261216T080000Z", "DTEND:20261216T100000Z", "DTENDX"));
            expect(parseCalendarEvents(content)).to.deep.equal([{ uid: "", summary: "", start: t("2026-12-16T08:00:00Z"), end: t("2026-12-16T10:00:00Z") }]);
        });

        it("the calendar description is its X-WR-CALDESC line, unescaped; none is empty", () => {
            expect(calendarDescription(ics("X-WR-CALDESC:Gate of prod\\, the install", "X-OTHER:x"))).to.equal("Gate of prod, the install");
            expect(calendarDescription(ics())).to.equal("");
        });
    });

    describe("writing the calendar", () => {
        it("a DEFAULT_CLOSED VCALENDAR with CRLF line ends, events in start order, optional properties only when set", () => {
            const content = renderCalendarContent("Gate; prod, all\\regions\nsecond line", [
                ev("late", "2026-12-18T00:00:00Z", "2026-12-18T06:00:00Z"),
                ev("early", "2026-12-16T00:00:00Z", "2026-12-16T06:00:00Z", { description: "why", approver: "alice", cycle: "2026-12" }),
            ]);
            const lines = content.split("\r\n");
            expect(lines[0]).to.equal("BEGIN:VCALENDAR");
            expect(lines.slice(-2)).to.deep.equal(["END:VCALENDAR", ""]);
            expect(content.replace(/\r\n/g, "")).to.not.contain("\n");
            expect(lines).to.include.members(["VERSION:2.0", "X-CALENDAR-TYPE:DEFAULT_CLOSED", "X-WR-CALDESC:Gate\\; prod\\, all\\\\regions\\nsecond line"]);
            expect(calendarDescription(content)).to.equal("Gate; prod, all\\regions\nsecond line");
            expect(parseCalendarEvents(content).map((e) => e.uid)).to.deep.equal(["early", "late"]);
            const late = lines.slice(lines.indexOf("UID:late") - 1, lines.lastIndexOf("END:VEVENT"));
            expect(late.some((l) => /^(DESCRIPTION|X-PATCHING-APPROVER|X-PATCHING-CYCLE):/.test(l))).to.equal(false);
            expect(lines).to.include.members(["DESCRIPTION:why", "X-PATCHING-APPROVER:alice", "X-PATCHING-CYCLE:2026-12"]);
        });
    });

    describe("periods are [start, end)", () => {
        const events = [ev("a", "2026-12-16T08:00:00Z", "2026-12-16T10:00:00Z"), ev("b", "2026-12-17T08:00:00Z", "2026-12-17T10:00:00Z")];

        it("isOpenAt: open at a period's start, closed at its end; any one period opens the calendar", () => {
            expect(isOpenAt(events, t("2026-12-16T08:00:00Z"))).to.equal(true);
            expect(isOpenAt(events, t("2026-12-16T10:00:00Z"))).to.equal(false);
            expect(isOpenAt(events, t("2026-12-17T09:00:00Z"))).to.equal(true);
        });

        it("pruneEvents keeps a period that ended exactly `days` ago", () => {
            const now = t("2026-12-20T10:00:00Z");
            expect(pruneEvents(events, now, 4).map((e) => e.uid)).to.deep.equal(["a", "b"]);
            expect(pruneEvents(events, new Date(now.getTime() + 1), 4).map((e) => e.uid)).to.deep.equal(["b"]);
        });

        it("closedNow: a period ending now is left alone, one starting now is withdrawn, one in progress ends now with a note", () => {
            const content = renderCalendarContent("gate", [
                ev("ending", "2026-12-16T06:00:00Z", "2026-12-16T08:00:00Z"),
                ev("starting", "2026-12-16T08:00:00Z", "2026-12-16T09:00:00Z"),
                ev("running", "2026-12-16T07:00:00Z", "2026-12-16T12:00:00Z"),
            ]);
            const { content: after, closed } = closedNow(content, t("2026-12-16T08:00:00Z"), "bob");
            expect(closed).to.equal(2);
            const byUid = Object.fromEntries(parseCalendarEvents(after).map((e) => [e.uid, e]));
            expect(Object.keys(byUid).sort()).to.deep.equal(["ending", "running"]);
            expect(byUid.ending.end.toISOString()).to.equal("2026-12-16T08:00:00.000Z");
            expect(byUid.ending.description).to.equal(undefined);
            expect(byUid.running.end.toISOString()).to.equal("2026-12-16T08:00:00.000Z");
            expect(byUid.running.description).to.equal("Closed early by bob at 2026-12-16T08:00:00.000Z");
        });

        it("approvalSince: a period opened at the request or at the install counts, the earliest first; one opening after the install does not", () => {
            const requested = t("2026-12-16T08:00:00Z");
            const install = t("2026-12-17T08:00:00Z");
            expect(approvalSince(events, requested, install)?.uid).to.equal("b");
            expect(approvalSince([events[1], events[0]], requested, t("2026-12-16T09:00:00Z"))?.uid).to.equal("a");
            const both = [ev("later", "2026-12-16T08:30:00Z", "2026-12-16T12:00:00Z"), ev("first", "2026-12-16T08:00:00Z", "2026-12-16T12:00:00Z")];
            expect(approvalSince(both, requested, t("2026-12-16T09:00:00Z"))?.uid).to.equal("first");
            expect(approvalSince([ev("after", "2026-12-17T09:00:00Z", "2026-12-17T12:00:00Z")], requested, install)).to.equal(undefined);
        });
    });

    describe("evaluateApproval at the boundaries", () => {
        const REQUESTED = t("2026-12-14T09:00:00Z");
        const ALICE = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice@example.com";
        const base = { cycleId: "2026-12", cycleOf: (at: Date) => cycleOf(at).id, requestedAt: REQUESTED };
        const version = (v: string, at: string, events: CalendarEvent[]): CalendarVersion => ({ version: v, createdAt: t(at), content: renderCalendarContent("gate", events) });
        const approval = ev("ok", "2026-12-14T09:00:00Z", "2026-12-14T21:00:00Z");

        it("written and opened exactly at the request, with the install at its start: accepted", () => {
            const verdict = evaluateApproval([version("1", "2026-12-14T08:00:00Z", []), version("2", "2026-12-14T09:00:00Z", [approval])], {
                ...base,
                now: t("2026-12-14T10:00:00Z"),
                installAt: t("2026-12-14T09:00:00Z"),
                writers: new Map([["2", ALICE]]),
            });
            expect(verdict.rejected).to.deep.equal([]);
            expect(verdict.approval).to.deep.include({ uid: "ok", approver: ALICE, version: "2" });
        });

        it("expired at its end; not open when the install starts at its end", () => {
            const h = [version("2", "2026-12-14T09:00:00Z", [approval])];
            const writers = new Map([["2", ALICE]]);
            expect(evaluateApproval(h, { ...base, now: t("2026-12-14T21:00:00Z"), writers }).rejected[0].reason).to.match(/^expired at/);
            expect(evaluateApproval(h, { ...base, now: t("2026-12-14T10:00:00Z"), installAt: t("2026-12-14T21:00:00Z"), writers }).rejected[0].reason).to.match(/not when the install starts/);
        });

        it("the history is read in the order AWS created the versions (then by number), not as listed", () => {
            const edited = { ...approval, summary: "moved" };
            const h = [version("3", "2026-12-14T11:00:00Z", [edited]), version("2", "2026-12-14T10:00:00Z", [approval]), version("1", "2026-12-14T10:00:00Z", [])];
            const verdict = evaluateApproval(h, { ...base, now: t("2026-12-14T12:00:00Z"), writers: new Map([["2", ALICE]]) });
            expect(verdict.approval).to.equal(undefined);
            expect(verdict.rejected.map((r) => r.reason)).to.have.length(1);
            expect(verdict.rejected[0].reason).to.match(/^edited after the fact in calendar version 3 /);
        });

        it("closing early is the one allowed edit; a changed approver, cycle or start is an edit", () => {
            const first = version("2", "2026-12-14T10:00:00Z", [{ ...approval, approver: ALICE, cycle: "2026-12" }]);
            const opts = { ...base, now: t("2026-12-14T12:00:00Z"), writers: new Map([["2", ALICE]]) };
            const closed = version("3", "2026-12-14T11:00:00Z", [{ ...approval, approver: ALICE, cycle: "2026-12", end: t("2026-12-14T13:00:00Z") }]);
            expect(evaluateApproval([first, closed], opts).approval?.uid).to.equal("ok");
            for (const change of [{ approver: "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/mallory" }, { cycle: "2027-01" }, { start: t("2026-12-14T09:30:00Z") }, { end: t("2026-12-14T22:00:00Z") }]) {
                const later = version("3", "2026-12-14T11:00:00Z", [{ ...approval, approver: ALICE, cycle: "2026-12", ...change }]);
                expect(evaluateApproval([first, later], opts).rejected[0]?.reason, JSON.stringify(change)).to.match(/^edited after the fact/);
            }
        });

        it("of several valid approvals the earliest period releases the install", () => {
            const a = ev("a", "2026-12-14T12:00:00Z", "2026-12-14T20:00:00Z");
            const b = ev("b", "2026-12-14T10:00:00Z", "2026-12-14T20:00:00Z");
            const verdict = evaluateApproval([version("2", "2026-12-14T10:00:00Z", [a, b])], { ...base, now: t("2026-12-14T13:00:00Z"), writers: new Map([["2", ALICE]]) });
            expect(verdict.approval?.uid).to.equal("b");
        });
    });
});
