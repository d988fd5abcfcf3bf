import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetDocumentCommand, ListDocumentVersionsCommand, SSMClient, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { checkApproval, closeCalendar, GateOptions, GateState, openCalendar, requestApproval } from "../core/approvalGate";
import { closedNow, icsTime, isOpenAt, parseCalendarEvents, renderCalendarContent, withApproval } from "../core/changeCalendar";

const EMPTY = () => renderCalendarContent("Approval gate of prod's patch install", []);
const REQUESTED = new Date("2026-12-15T09:00:00Z");

describe("approval gate", () => {
    describe("change calendar content (core/changeCalendar)", () => {
        it("is a DEFAULT_CLOSED iCalendar with CRLF lines and no events", () => {
            expect(EMPTY()).to.equal(
                "BEGIN:VCALENDAR\r\nPRODID:-//AWS//Change Calendar 1.0//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:DEFAULT_CLOSED\r\nX-WR-CALDESC:Approval gate of prod's patch install\r\nX-CALENDAR-CMEVENTS:DISABLED\r\nEND:VCALENDAR\r\n",
            );
            expect(parseCalendarEvents(EMPTY())).to.deep.equal([]);
        });
        it("an approval adds an open period; the calendar is open only inside it", () => {
            const content = withApproval(EMPTY(), { start: REQUESTED, hours: 24, by: "arn:aws:sts::123456789012:assumed-role/Ops/alice", reason: "CAB-42, dev green", uid: "a1", now: REQUESTED });
            expect(content).to.contain("BEGIN:VEVENT\r\nUID:a1\r\nSEQUENCE:0\r\nDTSTAMP:20261215T090000Z\r\nDTSTART:20261215T090000Z\r\nDTEND:20261216T090000Z\r\n");
            expect(content).to.contain("SUMMARY:Approved by arn:aws:sts::123456789012:assumed-role/Ops/alice\r\nDESCRIPTION:CAB-42\\, dev green\r\nEND:VEVENT");
            const events = parseCalendarEvents(content);
            expect(events).to.have.length(1);
            expect(events[0].description).to.equal("CAB-42, dev green");
            expect(isOpenAt(events, new Date("2026-12-15T08:59:59Z"))).to.equal(false);
            expect(isOpenAt(events, new Date("2026-12-16T08:59:59Z"))).to.equal(true);
            expect(isOpenAt(events, new Date("2026-12-16T09:00:00Z"))).to.equal(false);
        });
        it("reads events added in the console with a time zone, and folded lines", () => {
            const content = EMPTY().replace(
                "END:VCALENDAR",
                "BEGIN:VEVENT\r\nUID:console-1\r\nDTSTART;TZID=Asia/Tokyo:20261216T090000\r\nDTEND;TZID=Asia/Tokyo:20261216T180000\r\nSUMMARY:Patch\r\n  window\r\nEND:VEVENT\r\nEND:VCALENDAR",
            );
            const [e] = parseCalendarEvents(content);
            expect([e.start.toISOString(), e.end.toISOString(), e.summary]).to.deep.equal(["2026-12-16T00:00:00.000Z", "2026-12-16T09:00:00.000Z", "Patch window"]);
        });
        it("closing ends the periods in progress, withdraws future ones, keeps the past and prunes the very old", () => {
            let content = EMPTY();
            content = withApproval(content, { start: new Date("2026-05-01T00:00:00Z"), hours: 1, by: "old", reason: "r", uid: "old", now: new Date("2026-05-01T00:00:00Z") });
            content = withApproval(content, { start: new Date("2026-12-01T00:00:00Z"), hours: 1, by: "past", reason: "r", uid: "past", now: new Date("2026-12-01T00:00:00Z") });
            content = withApproval(content, { start: new Date("2026-12-15T00:00:00Z"), hours: 48, by: "now", reason: "r", uid: "now", now: new Date("2026-12-01T00:00:00Z") });
            content = withApproval(content, { start: new Date("2026-12-20T00:00:00Z"), hours: 4, by: "future", reason: "r", uid: "future", now: new Date("2026-12-01T00:00:00Z") });
            const { content: closed, closed: n } = closedNow(content, new Date("2026-12-15T10:00:00Z"), "bob");
            expect(n).to.equal(2);
            const events = parseCalendarEvents(closed);
            expect(events.map((e) => [e.uid, icsTime(e.end)])).to.deep.equal([
                ["past", "20261201T010000Z"],
                ["now", "20261215T100000Z"],
            ]);
            expect(events[1].description).to.equal("r\nClosed early by bob at 2026-12-15T10:00:00.000Z");
        });
    });

    /** `calendar` is the current (default) version, written at `writtenAt`; version 1 (empty) predates every request. */
    function setup(calendar = EMPTY(), state?: GateState, writtenAt = new Date("2026-12-01T00:00:00Z"), writer?: string) {
        const ssm = new SSMClient({ region: "us-east-1" });
        const cloudTrail = new CloudTrailClient({ region: "us-east-1" });
        const sts = new STSClient({ region: "us-east-1" });
        mockClient(sts).on(GetCallerIdentityCommand).resolves({ Arn: GATE_ROLE_SESSION });
        // CloudTrail's record of version 2's UpdateDocument (who wrote it), when a writer is given.
        const record = { eventTime: writtenAt.toISOString(), eventName: "UpdateDocument", userIdentity: { type: "AssumedRole", arn: writer }, requestParameters: { name: "patching-prod-install-approval" }, responseElements: { documentDescription: { documentVersion: "2" } } };
        mockClient(cloudTrail).on(LookupEventsCommand).resolves({ Events: writer ? [{ EventName: "UpdateDocument", EventTime: writtenAt, CloudTrailEvent: JSON.stringify(record) }] : [] });
        const s3 = new S3Client({ region: "us-east-1" });
        const ssmMock = mockClient(ssm);
        const s3Mock = mockClient(s3);
        ssmMock.on(GetDocumentCommand).resolves({ Name: "patching-prod-install-approval", Content: calendar });
        ssmMock.on(GetDocumentCommand, { DocumentVersion: "1" }).resolves({ Name: "patching-prod-install-approval", Content: EMPTY() });
        ssmMock.on(ListDocumentVersionsCommand).resolves({
            DocumentVersions: [
                { DocumentVersion: "2", CreatedDate: writtenAt, IsDefaultVersion: true },
                { DocumentVersion: "1", CreatedDate: new Date("2026-11-01T00:00:00Z"), IsDefaultVersion: false },
            ],
        });
        ssmMock.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: "7" } });
        ssmMock.on(UpdateDocumentDefaultVersionCommand).resolves({});
        const notFound = Object.assign(new Error("no such key"), { name: "NoSuchKey" });
        s3Mock.on(GetObjectCommand).rejects(notFound);
        if (state) s3Mock.on(GetObjectCommand, { Key: `approval-gate/prod/${state.cycle}.json` }).resolves({ ETag: '"state-etag"', Body: { transformToString: async () => JSON.stringify(state) } as never });
        s3Mock.on(GetObjectCommand, { Key: "promotion/prod/latest.json" }).resolves({
            ETag: '"promotion-etag"',
            Body: { transformToString: async () => JSON.stringify({ action: "promoted", at: "2026-12-12T06:00:00.000Z", reason: "dev is green (12/12) and proven until 2026-12-09" }) } as never,
        });
        s3Mock.on(PutObjectCommand).resolves({});
        const sent: { subject: string; message: string }[] = [];
        const notify = async (subject: string, message: string) => void sent.push({ subject, message });
        const options = (now: Date, timeout: GateOptions["timeout"] = { action: "skip", afterHours: 48 }): GateOptions => ({
            stack: "prod",
            calendarName: "patching-prod-install-approval",
            bucket: "artifacts",
            timeout,
            openHours: 24,
            install: { expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 },
            now,
            log: () => undefined,
        });
        return { clients: { ssm, s3, notify, cloudTrail, sts }, ssmMock, s3Mock, sent, options };
    }
    const GATE_ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/patching-prod-gate-role/patching-prod-approval-gate";
    const requested: GateState = { stack: "prod", cycle: "2026-12", requestedAt: REQUESTED.toISOString(), status: "requested" };
    const writtenStates = (s3Mock: ReturnType<typeof setup>["s3Mock"]) => s3Mock.commandCalls(PutObjectCommand).map((c) => ({ key: c.args[0].input.Key, state: JSON.parse(String(c.args[0].input.Body)) }));

    it("request: once per cycle, with dev's record, the next install and the approve command", async () => {
        const { clients, s3Mock, sent, options } = setup();
        // Monday before the install (an occurrence already past would not run: the service's rule).
        const r = await requestApproval(clients, options(new Date("2026-12-14T09:00:00Z")));
        expect(r.action).to.equal("requested");
        expect(writtenStates(s3Mock)).to.deep.equal([{ key: "approval-gate/prod/2026-12.json", state: { ...requested, requestedAt: "2026-12-14T09:00:00.000Z", requestedBy: GATE_ROLE_SESSION, requestedVia: "schedule" } }]);
        expect(sent).to.have.length(1);
        expect(sent[0].subject).to.equal("[patching/prod] Approval needed for the 2026-12 install");
        expect(sent[0].message.split("\n")).to.deep.equal([
            "Stack prod, release cycle 2026-12 (Patch Tuesday Tue 2026-12-08).",
            "The gated install runs next at Thu 2026-12-17 02:00 UTC — only while change calendar patching-prod-install-approval is open.",
            "Dev: promoted at 2026-12-12T06:00:00.000Z: dev is green (12/12) and proven until 2026-12-09.",
            "",
            "To approve (authenticated with your AWS credentials; opens the calendar):",
            '  npm run approve -- --stack prod --hours 24 --reason "<change ticket>"',
            "To refuse: do nothing, or close any open period:",
            "  npm run approve -- --stack prod --close",
            "",
            "Without an approval within 48 hour(s) the install of cycle 2026-12 is skipped (the calendar stays closed).",
        ]);
        const again = setup(EMPTY(), requested);
        expect((await requestApproval(again.clients, again.options(new Date("2026-12-15T10:00:00Z")))).action).to.equal("already-requested");
        expect(again.sent).to.have.length(0);
    });

    const ALICE = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice@example.com";
    it("check: an approval in the calendar is recorded with the authenticated approver, its version and until when", async () => {
        // Requested on Monday; the install runs Thursday 02:00 (Patch Tuesday + 9 days).
        const monday: GateState = { ...requested, requestedAt: "2026-12-14T09:00:00.000Z" };
        const approved = withApproval(EMPTY(), { start: new Date("2026-12-14T12:00:00Z"), hours: 72, by: "alice", approver: ALICE, reason: "CAB-42", uid: "a", now: REQUESTED });
        const { clients, s3Mock, sent, options, ssmMock } = setup(approved, monday, new Date("2026-12-14T12:00:05Z"), ALICE);
        const r = await checkApproval(clients, { ...options(new Date("2026-12-14T13:00:00Z")), approverRoleArn: "arn:aws:iam::123456789012:role/patching-prod-approver" });
        expect(r.action).to.equal("approved");
        expect(writtenStates(s3Mock)[0].state).to.deep.equal({ ...monday, status: "approved", decidedAt: "2026-12-14T13:00:00.000Z", by: ALICE, calendarVersion: "2", openUntil: "2026-12-17T12:00:00.000Z" });
        expect(ssmMock.commandCalls(GetDocumentCommand).map((c) => c.args[0].input.DocumentVersion)).to.deep.equal(["1", "2"]);
        expect(sent.map((s) => s.subject)).to.deep.equal(["[patching/prod] Approved: 2026-12 install"]);
        expect(ssmMock.commandCalls(UpdateDocumentCommand)).to.have.length(0);
    });

    it("check: before the timeout, waits and writes nothing", async () => {
        const { clients, s3Mock, sent, options } = setup(EMPTY(), requested);
        expect((await checkApproval(clients, options(new Date("2026-12-17T08:59:00Z")))).action).to.equal("waiting");
        expect(s3Mock.commandCalls(PutObjectCommand)).to.have.length(0);
        expect(sent).to.have.length(0);
    });

    it("timeout policy skip: records the skip and says so; the calendar stays closed", async () => {
        const { clients, s3Mock, sent, options, ssmMock } = setup(EMPTY(), requested);
        const r = await checkApproval(clients, options(new Date("2026-12-17T09:00:00Z")));
        expect(r.action).to.equal("skipped");
        expect(writtenStates(s3Mock)[0].state).to.deep.include({ status: "skipped", by: "timeout policy (no decision within 48 h)" });
        expect(sent[0].subject).to.equal("[patching/prod] Skipped: 2026-12 install");
        expect(ssmMock.commandCalls(UpdateDocumentCommand)).to.have.length(0);
    });

    it("timeout policy open: opens the calendar (new version, made default) for openHours and records it", async () => {
        const { clients, s3Mock, sent, options, ssmMock } = setup(EMPTY(), requested);
        const now = new Date("2026-12-16T09:00:00Z");
        const r = await checkApproval(clients, options(now, { action: "open", afterHours: 24 }));
        expect(r.action).to.equal("opened-automatically");
        const update = ssmMock.commandCalls(UpdateDocumentCommand)[0].args[0].input;
        expect(update).to.deep.include({ Name: "patching-prod-install-approval", DocumentFormat: "TEXT", DocumentVersion: "$LATEST" });
        const [event] = parseCalendarEvents(String(update.Content));
        expect([event.start.toISOString(), event.end.toISOString(), event.summary]).to.deep.equal(["2026-12-16T09:00:00.000Z", "2026-12-17T09:00:00.000Z", "Approved by timeout policy (no decision within 24 h)"]);
        expect(ssmMock.commandCalls(UpdateDocumentDefaultVersionCommand)[0].args[0].input).to.deep.equal({ Name: "patching-prod-install-approval", DocumentVersion: "7" });
        expect(writtenStates(s3Mock)[0].state).to.deep.include({ status: "opened-automatically", openUntil: "2026-12-17T09:00:00.000Z" });
        expect(sent[0].message).to.contain("npm run approve -- --stack prod --close");
    });

    it("check: a decided cycle is left alone; no request, nothing to do", async () => {
        const decided = setup(EMPTY(), { ...requested, status: "skipped" });
        expect((await checkApproval(decided.clients, decided.options(new Date("2026-12-20T00:00:00Z")))).action).to.equal("skipped");
        expect(decided.ssmMock.commandCalls(GetDocumentCommand)).to.have.length(0);
        const none = setup();
        expect((await checkApproval(none.clients, none.options(new Date("2026-12-20T00:00:00Z")))).action).to.equal("nothing-requested");
    });

    it("operator commands: open appends a period, close ends it, each as a new default version", async () => {
        const { clients, ssmMock } = setup();
        await openCalendar(clients.ssm, "cal", { start: REQUESTED, hours: 12, by: "alice", reason: "CAB-1", now: REQUESTED });
        const opened = String(ssmMock.commandCalls(UpdateDocumentCommand)[0].args[0].input.Content);
        expect(parseCalendarEvents(opened).map((e) => [e.start.toISOString(), e.end.toISOString()])).to.deep.equal([["2026-12-15T09:00:00.000Z", "2026-12-15T21:00:00.000Z"]]);
        ssmMock.on(GetDocumentCommand).resolves({ Content: opened });
        expect(await closeCalendar(clients.ssm, "cal", new Date("2026-12-15T10:00:00Z"), "bob")).to.equal(1);
        const closed = String(ssmMock.commandCalls(UpdateDocumentCommand)[1].args[0].input.Content);
        expect(isOpenAt(parseCalendarEvents(closed), new Date("2026-12-15T10:30:00Z"))).to.equal(false);
        expect(ssmMock.commandCalls(UpdateDocumentDefaultVersionCommand)).to.have.length(2);
        ssmMock.on(GetDocumentCommand).resolves({ Content: closed });
        expect(await closeCalendar(clients.ssm, "cal", new Date("2026-12-15T11:00:00Z"), "bob")).to.equal(0);
        expect(ssmMock.commandCalls(UpdateDocumentCommand)).to.have.length(2);
    });
});
