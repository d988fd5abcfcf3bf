/**
 * Approval windows that mean what they say (core/changeCalendar.ts): only an approval opened after
 * the request, by an authenticated approver, of this cycle, unedited, and still open when the
 * install starts releases it. Each rejection is tested on its own, against the calendar logic.
 */
import { expect } from "chai";
import { cycleOf } from "../core/calendar";
import { ApprovalRequest, approvalSince, CalendarVersion, closedNow, evaluateApproval, isSessionOf, parseCalendarEvents, principalKey, principalName, samePersonReason, renderCalendarContent, withApproval } from "../core/changeCalendar";

const EMPTY = () => renderCalendarContent("Approval gate of prod's patch install", []);
const ROLE = "arn:aws:iam::123456789012:role/patching-prod-approver";
const ALICE = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice@example.com";
const BOB = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/bob@example.com";
const t = (iso: string) => new Date(iso);
const REQUESTED = t("2026-12-14T09:00:00Z");
const INSTALL = t("2026-12-17T02:00:00Z");

const request = (over: Partial<ApprovalRequest> = {}): Omit<ApprovalRequest, "writers"> & { writers?: ApprovalRequest["writers"] } => ({
    requestedAt: REQUESTED,
    cycleId: "2026-12",
    cycleOf: (at) => cycleOf(at).id,
    now: t("2026-12-14T13:00:00Z"),
    installAt: INSTALL,
    approverRoleArn: ROLE,
    ...over,
});

/**
 * As CloudTrail would say: each version was written by the approver its new events name (a version
 * adding events without one by nobody known). Tests of forgery and lag pass `writers` themselves.
 */
function evaluate(h: CalendarVersion[], r: ReturnType<typeof request>) {
    const writers = new Map<string, string>();
    h.forEach((v, i) => {
        const before = new Set(i === 0 ? [] : parseCalendarEvents(h[i - 1].content).map((e) => e.uid));
        const by = parseCalendarEvents(v.content).find((e) => !before.has(e.uid) && e.approver)?.approver;
        if (by) writers.set(v.version, by);
    });
    return evaluateApproval(h, { writers, ...r });
}

/** Version 1 (before any request) is empty; each later version adds or changes what `edit` says. */
function history(...steps: { at: string; edit: (content: string) => string }[]): CalendarVersion[] {
    const out: CalendarVersion[] = [{ version: "1", createdAt: t("2026-11-01T00:00:00Z"), content: EMPTY() }];
    for (const s of steps) out.push({ version: String(out.length + 1), createdAt: t(s.at), content: s.edit(out[out.length - 1].content) });
    return out;
}
const approve = (o: { start: string; hours: number; approver?: string; uid?: string; cycle?: string }) => (content: string) =>
    withApproval(content, { start: t(o.start), hours: o.hours, by: o.approver ?? "someone", approver: o.approver, cycle: o.cycle, reason: "CAB-42", uid: o.uid ?? "a", now: t(o.start) });

describe("approval windows (core/changeCalendar.ts)", () => {
    describe("approvalSince (event rules)", () => {
        const events = (...e: [string, string][]) => e.map(([s, end], i) => ({ uid: `e${i}`, start: t(s), end: t(end), summary: "Approved" }));

        it("an approval that ended before the request never counts (last month's approval does not release this month's install)", () => {
            expect(approvalSince(events(["2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z"]), REQUESTED, INSTALL)).to.equal(undefined);
        });
        it("an approval opened before the request and still open does not count either", () => {
            expect(approvalSince(events(["2026-12-14T08:00:00Z", "2026-12-18T00:00:00Z"]), REQUESTED, INSTALL)).to.equal(undefined);
        });
        it("an approval opened after the request that has closed when the install starts does not count", () => {
            expect(approvalSince(events(["2026-12-14T10:00:00Z", "2026-12-17T02:00:00Z"]), REQUESTED, INSTALL)).to.equal(undefined);
        });
        it("an approval opened after the request and open when the install starts counts", () => {
            expect(approvalSince(events(["2026-12-14T10:00:00Z", "2026-12-17T02:00:01Z"]), REQUESTED, INSTALL)?.uid).to.equal("e0");
        });
    });

    describe("evaluateApproval (version history, cycle, approver)", () => {
        it("accepts an approval written after the request by a session of the approver role, open at the install", () => {
            const v = evaluate(history({ at: "2026-12-14T12:00:05Z", edit: approve({ start: "2026-12-14T12:00:00Z", hours: 72, approver: ALICE }) }), request());
            expect(v.rejected).to.deep.equal([]);
            expect(v.approval).to.deep.include({ uid: "a", approver: ALICE, version: "2" });
            expect(v.approval!.writtenAt.toISOString()).to.equal("2026-12-14T12:00:05.000Z");
        });

        it("rejects an expired approval", () => {
            const v = evaluate(history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 2, approver: ALICE }) }), request());
            expect(v.approval).to.equal(undefined);
            expect(v.rejected).to.deep.equal([{ uid: "a", reason: "expired at 2026-12-14T12:00:00.000Z" }]);
        });

        it("rejects an approval of another cycle (recorded cycle, or by its start)", () => {
            const recorded = evaluate(history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE, cycle: "2027-01" }) }), request());
            expect(recorded.rejected[0].reason).to.equal("approves cycle 2027-01, not the requested cycle 2026-12");
            // Requested in the November cycle's last days; the approval opens in December's.
            const byStart = evaluate(history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) }), request({ cycleId: "2026-11" }));
            expect(byStart.rejected[0].reason).to.equal("approves cycle 2026-12, not the requested cycle 2026-11");
        });

        it("rejects an approval written before the request, even when its period starts after it", () => {
            const v = evaluate(history({ at: "2026-12-10T00:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) }), request());
            expect(v.rejected[0].reason).to.equal("opened before the request: written in calendar version 2 at 2026-12-10T00:00:00.000Z, the request was made at 2026-12-14T09:00:00.000Z");
        });

        it("rejects last month's approval edited after the request to cover this install (edited after the fact)", () => {
            const v = evaluate(
                history(
                    { at: "2026-11-19T00:00:00Z", edit: approve({ start: "2026-11-19T00:00:00Z", hours: 24, approver: ALICE }) },
                    { at: "2026-12-14T11:00:00Z", edit: (c) => c.replace("DTSTART:20261119T000000Z", "DTSTART:20261214T100000Z").replace("DTEND:20261120T000000Z", "DTEND:20261218T000000Z") },
                ),
                request(),
            );
            expect(v.approval).to.equal(undefined);
            expect(v.rejected[0].reason).to.match(/^edited after the fact in calendar version 3 \(2026-12-14T11:00:00.000Z\)/);
        });

        it("rejects an approval extended after it was written, and one re-attributed to another approver", () => {
            const extended = evaluate(
                history(
                    { at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 24, approver: ALICE }) },
                    { at: "2026-12-14T11:00:00Z", edit: (c) => c.replace("DTEND:20261215T100000Z", "DTEND:20261218T100000Z") },
                ),
                request(),
            );
            expect(extended.rejected[0].reason).to.contain("edited after the fact in calendar version 3");
            const reattributed = evaluate(
                history(
                    { at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) },
                    { at: "2026-12-14T11:00:00Z", edit: (c) => c.replace(`X-PATCHING-APPROVER:${ALICE}`, `X-PATCHING-APPROVER:${BOB}`) },
                ),
                request(),
            );
            expect(reattributed.rejected[0].reason).to.contain("edited after the fact in calendar version 3");
        });

        it("closing early is the one allowed edit: the shortened approval no longer covers the install", () => {
            const v = evaluate(
                history(
                    { at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) },
                    { at: "2026-12-14T12:00:00Z", edit: (c) => closedNow(c, t("2026-12-14T12:00:00Z"), BOB).content },
                ),
                request(),
            );
            expect(v.rejected).to.deep.equal([{ uid: "a", reason: "expired at 2026-12-14T12:00:00.000Z" }]);
        });

        it("rejects an approval that is not open when the install starts", () => {
            const v = evaluate(history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 24, approver: ALICE }) }), request());
            expect(v.rejected[0].reason).to.equal("open 2026-12-14T10:00:00.000Z – 2026-12-15T10:00:00.000Z, not when the install starts (2026-12-17T02:00:00.000Z)");
        });

        it("the approver is who CloudTrail says wrote the version: a period typed into the console counts as that principal's, not as nobody's", () => {
            const typed = history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72 }) });
            expect(evaluateApproval(typed, { ...request(), writers: new Map([["2", BOB]]) }).approval).to.deep.include({ approver: BOB, version: "2" });
            const admin = "arn:aws:sts::123456789012:assumed-role/AdministratorAccess/mallory";
            const other = evaluateApproval(typed, { ...request(), writers: new Map([["2", admin]]) });
            expect(other.rejected[0].reason).to.equal(`approved by ${admin}, which is not a session of the approver role ${ROLE}`);
        });

        it("a forged X-PATCHING-APPROVER (the event names alice; CloudTrail says mallory wrote it) is rejected", () => {
            const mallory = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/mallory@example.com";
            const h = history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) });
            const v = evaluateApproval(h, { ...request(), writers: new Map([["2", mallory]]) });
            expect(v.approval).to.equal(undefined);
            expect(v.rejected).to.deep.equal([{ uid: "a", reason: `the event names approver ${ALICE}, but CloudTrail records ${mallory} as the writer of calendar version 2: a forged approver is not counted` }]);
        });

        it("no CloudTrail event for the version (yet): pending verification, not counted", () => {
            const h = history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) });
            const v = evaluateApproval(h, { ...request(), writers: new Map() });
            expect(v.approval).to.equal(undefined);
            expect(v.rejected[0]).to.deep.include({ uid: "a", pending: true });
            expect(v.rejected[0].reason).to.match(/^pending verification: CloudTrail has no UpdateDocument event \(yet\) for calendar version 2 \(2026-12-14T10:00:00.000Z\)/);
        });

        describe("two-person rule, by principal", () => {
            const h = history({ at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE }) });
            it("rejects the requester's own principal (same role and session)", () => {
                const v = evaluate(h, request({ requestedBy: ALICE.replace("patching-prod-approver", "PATCHING-PROD-APPROVER"), twoPersonRule: true }));
                expect(v.approval).to.equal(undefined);
                expect(v.rejected[0].reason).to.equal(`two-person rule: ${ALICE} is the principal that requested this install (${ALICE.replace("patching-prod-approver", "PATCHING-PROD-APPROVER")}) and cannot approve it`);
            });
            it("accepts a different principal", () => {
                const v = evaluate(h, request({ requestedBy: BOB, twoPersonRule: true }));
                expect(v.rejected).to.deep.equal([]);
                expect(v.approval?.approver).to.equal(ALICE);
            });
            it("rejects when the requester is unknown, or the approver unverifiable", () => {
                expect(evaluate(h, request({ twoPersonRule: true })).rejected[0].reason).to.equal("two-person rule: the requester was not recorded, so the approver cannot be shown to be someone else");
                const unverified = evaluateApproval(h, { ...request({ requestedBy: BOB, twoPersonRule: true }), writers: new Map() });
                expect(unverified.approval).to.equal(undefined);
                expect(unverified.rejected[0].pending).to.equal(true);
            });
            it("principalKey: assumed role = role + session; IAM user = user", () => {
                expect(principalKey(ALICE)).to.equal("aws:123456789012:role/patching-prod-approver/session/alice@example.com");
                expect(principalKey("arn:aws:iam::123456789012:user/ops/Alice")).to.equal("aws:123456789012:user/alice");
                expect(samePersonReason(BOB, ALICE)).to.equal(undefined);
                expect(samePersonReason("arn:aws:iam::123456789012:user/carol", "arn:aws:iam::123456789012:user/path/Carol")).to.match(/is the principal that requested/);
            });
        });

        it("two-person rule: the requester cannot approve; someone else can", () => {
            const h = history(
                { at: "2026-12-14T10:00:00Z", edit: approve({ start: "2026-12-14T10:00:00Z", hours: 72, approver: ALICE, uid: "by-alice" }) },
                { at: "2026-12-14T10:30:00Z", edit: approve({ start: "2026-12-14T10:30:00Z", hours: 72, approver: BOB, uid: "by-bob" }) },
            );
            const requester = "arn:aws:sts::123456789012:assumed-role/patching-prod-deployer/Alice@example.com";
            const v = evaluate(h, request({ requestedBy: requester, twoPersonRule: true }));
            expect(v.rejected).to.deep.equal([{ uid: "by-alice", reason: `two-person rule: ${ALICE} requested this install and cannot approve it (same person as ${requester}, under another role)` }]);
            expect(v.approval?.uid).to.equal("by-bob");
            // Without the rule, the earliest valid approval counts.
            expect(evaluate(h, request({ requestedBy: requester })).approval?.uid).to.equal("by-alice");
        });

        it("round-trips the approver and cycle through the calendar content", () => {
            const [e] = parseCalendarEvents(approve({ start: "2026-12-14T10:00:00Z", hours: 1, approver: ALICE, cycle: "2026-12" })(EMPTY()));
            expect([e.approver, e.cycle]).to.deep.equal([ALICE, "2026-12"]);
        });

        it("principal names and role sessions", () => {
            expect(principalName(ALICE)).to.equal("alice@example.com");
            expect(principalName("arn:aws:iam::123456789012:user/ops/Alice@example.com")).to.equal("alice@example.com");
            expect(isSessionOf(ALICE, ROLE)).to.equal(true);
            expect(isSessionOf(ALICE, "arn:aws:iam::123456789012:role/path/patching-prod-approver")).to.equal(true);
            expect(isSessionOf(ALICE, "arn:aws:iam::210987654321:role/patching-prod-approver")).to.equal(false);
            expect(isSessionOf("arn:aws:iam::123456789012:user/patching-prod-approver", ROLE)).to.equal(false);
        });
    });
});
