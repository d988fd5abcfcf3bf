/**
 * The approval gate's calendar writes and decisions that the end-to-end tests pass through without
 * pinning (surviving mutants of core/approvalGate.ts): which periods a withdrawal ends, removes or
 * keeps (the [start, end) boundaries at "now"); what the release calendar holds after a mirror;
 * which calendar versions an approval is judged on; the two-person rule's holds and skips; the
 * structured log lines an operator queries; S3's precondition refusals by status code. Real SDK
 * clients over the in-memory transport (tests/fakeAws.ts).
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import {
    calendarWriters,
    checkApproval,
    GateClients,
    GateOptions,
    GateState,
    mirrorRelease,
    openCalendar,
    readCalendarHistory,
    recordPersonRequest,
    requestApproval,
    syncReplicas,
    withdrawPeriods,
} from "../core/approvalGate";
import { CalendarEvent, calendarDescription, parseCalendarEvents, renderCalendarContent } from "../core/changeCalendar";
import { FakeAws } from "./fakeAws";
import { ACCOUNT, CALENDAR, APPROVALS, BUCKET, KEY, APPROVER_ROLE, REQUESTER_ROLE, GATE, session, BOB_REQUESTS, ALICE_APPROVES } from "./support/approvalGateFixture";

const CAROL_APPROVES = session("patching-prod-approver", "carol");
const DESCRIPTION = "Approval gate of prod's patch install";
/** Monday before prod's gated install (Thu 2026-12-17 02:00 UTC, the third Tuesday + 2 days). */
const REQUEST_AT = new Date("2026-12-14T09:00:00Z");
const WRITTEN = new Date("2026-12-14T09:05:00Z");
const CHECK = new Date("2026-12-14T10:00:00Z");
const h = (iso: string) => new Date(`2026-12-${iso}Z`);

function setup(over: { separate?: boolean } = {}) {
    const fake = new FakeAws();
    fake.putDocument(CALENDAR, renderCalendarContent(DESCRIPTION, []), new Date("2026-11-01T00:00:00Z"));
    fake.putDocument(APPROVALS, renderCalendarContent("Approvals of prod's patch install", []), new Date("2026-11-01T00:00:00Z"));
    fake.clock = () => WRITTEN;
    const config = { ...fake.clientConfig(), maxAttempts: 1 };
    const sent: { subject: string; message: string }[] = [];
    const logs: Record<string, unknown>[] = [];
    const clients: GateClients = {
        ssm: new SSMClient(config),
        s3: new S3Client(config),
        cloudTrail: new CloudTrailClient(config),
        sts: new STSClient(config),
        notify: async (subject, message) => void sent.push({ subject, message }),
    };
    const options = (now: Date, o: Partial<GateOptions> = {}): GateOptions => ({
        stack: "prod",
        calendarName: CALENDAR,
        ...(over.separate ? { approvalCalendarName: APPROVALS } : {}),
        bucket: BUCKET,
        timeout: { action: "skip", afterHours: 48 },
        openHours: 24,
        install: { expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 },
        approverRoleArn: APPROVER_ROLE,
        requesterRoleArn: REQUESTER_ROLE,
        twoPersonRule: true,
        now,
        log: (line) => void logs.push(JSON.parse(line)),
        ...o,
    });
    const events = (name = CALENDAR) => {
        const doc = fake.documents.get(name)!;
        return parseCalendarEvents(doc.versions.find((v) => v.version === doc.defaultVersion)!.content);
    };
    const content = (name = CALENDAR) => {
        const doc = fake.documents.get(name)!;
        return doc.versions.find((v) => v.version === doc.defaultVersion)!.content;
    };
    const setEvents = (list: CalendarEvent[], name = CALENDAR) => fake.putDocument(name, renderCalendarContent(DESCRIPTION, list), new Date("2026-11-01T00:00:00Z"));
    const state = () => JSON.parse(fake.current(BUCKET, KEY)!.body!.toString()) as GateState;
    const putState = (s: Partial<GateState>) => fake.put(BUCKET, KEY, JSON.stringify({ stack: "prod", cycle: "2026-12", requestedAt: REQUEST_AT.toISOString(), status: "requested", ...s }));
    const statePuts = () => fake.requests.filter((r) => r.service === "s3" && r.operation === "PutObject").length;
    /** `who` writes an approval of `hours` from `start` into `name` (CloudTrail records `who` as the writer). */
    const approve = (who: string, o: { name?: string; start?: Date; hours?: number; cycle?: string; reason?: string } = {}) => {
        fake.documentWriter = who;
        return openCalendar(clients.ssm, o.name ?? CALENDAR, { start: o.start ?? WRITTEN, hours: o.hours ?? 72, by: who, approver: who, cycle: o.cycle ?? "2026-12", reason: o.reason ?? "CAB-1234", now: WRITTEN });
    };
    const gates = () => logs.map((l) => `${l.level} ${l.gate}`);
    return { fake, clients, options, events, content, setEvents, state, putState, statePuts, approve, sent, logs, gates };
}

const event = (uid: string, start: Date, end: Date, extra: Partial<CalendarEvent> = {}): CalendarEvent => ({ uid, start, end, summary: `Approved ${uid}`, ...extra });

describe("approval gate: calendar writes and decisions, pinned (core/approvalGate.ts)", () => {
    describe("withdrawPeriods", () => {
        const NOW = h("14T13:00:00");

        it("ends the picked periods in progress now, removes picked future ones (one starting now too), keeps ended and unpicked ones", async () => {
            const t = setup();
            t.setEvents([
                event("past", h("10T00:00:00"), h("11T00:00:00")),
                event("ends-now", h("14T00:00:00"), NOW),
                event("live", h("14T12:00:00"), h("15T12:00:00"), { description: "CAB-1", approver: ALICE_APPROVES, cycle: "2026-12" }),
                event("live-bare", h("14T10:00:00"), h("14T20:00:00")),
                event("starts-now", NOW, h("14T18:00:00")),
                event("future", h("15T00:00:00"), h("16T00:00:00")),
                event("other", h("14T12:00:00"), h("15T00:00:00")),
            ]);
            const n = await withdrawPeriods(t.clients, CALENDAR, (e) => e.uid !== "other", NOW, "no person requested");
            expect(n).to.equal(4);
            const after = new Map(t.events().map((e) => [e.uid, e]));
            expect([...after.keys()].sort()).to.deep.equal(["ends-now", "live", "live-bare", "other", "past"]);
            expect(after.get("past")!.end).to.deep.equal(h("11T00:00:00"));
            expect(after.get("ends-now")!.end).to.deep.equal(NOW);
            expect(after.get("ends-now")!.description).to.equal(undefined);
            expect(after.get("other")!.end).to.deep.equal(h("15T00:00:00"));
            expect(after.get("live")!.end).to.deep.equal(NOW);
            expect(after.get("live")!.description).to.equal("CAB-1\nWithdrawn by the approval gate at 2026-12-14T13:00:00.000Z: no person requested");
            expect(after.get("live")!.approver).to.equal(ALICE_APPROVES);
            expect(after.get("live-bare")!.end).to.deep.equal(NOW);
            expect(after.get("live-bare")!.description).to.equal("Withdrawn by the approval gate at 2026-12-14T13:00:00.000Z: no person requested");
            expect(calendarDescription(t.content())).to.equal(DESCRIPTION);
            expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(2);
        });

        it("nothing picked (or only ended periods): returns 0 and writes no version", async () => {
            const t = setup();
            t.setEvents([event("past", h("10T00:00:00"), h("11T00:00:00")), event("live", h("14T12:00:00"), h("15T12:00:00"))]);
            expect(await withdrawPeriods(t.clients, CALENDAR, (e) => e.uid === "past", NOW, "x")).to.equal(0);
            expect(await withdrawPeriods(t.clients, CALENDAR, () => false, NOW, "x")).to.equal(0);
            expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(1);
        });

        it("every Region's copy follows the home calendar", async () => {
            const t = setup();
            const replica = new FakeAws();
            replica.putDocument(CALENDAR, renderCalendarContent(DESCRIPTION, []), new Date("2026-11-01T00:00:00Z"));
            t.setEvents([event("live", h("14T12:00:00"), h("15T12:00:00"))]);
            const replicas = [{ region: "eu-west-1", ssm: new SSMClient({ ...replica.clientConfig("eu-west-1"), maxAttempts: 1 }) }];
            expect(await withdrawPeriods({ ...t.clients, replicas }, CALENDAR, () => true, NOW, "x")).to.equal(1);
            const copy = replica.documents.get(CALENDAR)!;
            expect(copy.versions.find((v) => v.version === copy.defaultVersion)!.content).to.equal(t.content());
        });
    });

    describe("syncReplicas", () => {
        it("writes only the copies that differ, reports the others unchanged, and names every Region it could not write", async () => {
            const t = setup();
            t.setEvents([event("live", h("14T12:00:00"), h("15T12:00:00"))]);
            const same = new FakeAws();
            same.putDocument(CALENDAR, t.content(), new Date("2026-11-01T00:00:00Z"));
            const stale = new FakeAws();
            stale.putDocument(CALENDAR, renderCalendarContent(DESCRIPTION, []), new Date("2026-11-01T00:00:00Z"));
            const ssm = (f: FakeAws, region: string) => new SSMClient({ ...f.clientConfig(region), maxAttempts: 1 });
            const out = await syncReplicas(t.clients.ssm, [
                { region: "eu-west-1", ssm: ssm(same, "eu-west-1") },
                { region: "ap-southeast-2", ssm: ssm(stale, "ap-southeast-2") },
            ], CALENDAR);
            expect(out).to.deep.equal([
                { region: "eu-west-1", version: "unchanged" },
                { region: "ap-southeast-2", version: "2" },
            ]);
            expect(same.documents.get(CALENDAR)!.versions).to.have.length(1);
            const broken = new FakeAws();
            broken.failures.push({ operation: "GetDocument", status: 400, code: "AccessDeniedException", times: 1 });
            const err = await syncReplicas(t.clients.ssm, [{ region: "us-west-2", ssm: ssm(broken, "us-west-2") }, { region: "eu-west-1", ssm: ssm(same, "eu-west-1") }], CALENDAR).catch((e: Error) => e);
            expect((err as Error).message).to.equal(
                `calendar ${CALENDAR}: the home Region was written but these Regions' copies were not (run the command again): us-west-2: AccessDeniedException AccessDeniedException (fake)`,
            );
        });
    });

    describe("mirrorRelease", () => {
        const NOW = h("14T13:00:00");
        const cycleOf = (at: Date) => (at.getTime() < h("08T17:00:00").getTime() ? "2026-11" : "2026-12");
        const mirror = { releaseName: CALENDAR, approvalName: APPROVALS, cycleId: "2026-12", cycleOf, now: NOW, requestedBy: BOB_REQUESTS };
        const approval = { uid: "approval-1", start: h("14T12:00:00"), end: h("17T12:00:00"), approver: ALICE_APPROVES, version: "3", writtenAt: WRITTEN, description: "CAB-1234", summary: "Approved" };

        it("the release calendar holds exactly the counted approval's window for the cycle; other cycles' and ended periods stay", async () => {
            const t = setup();
            t.setEvents([
                event("last-cycle", h("01T00:00:00"), h("20T00:00:00"), { cycle: "2026-11" }),
                event("last-cycle-by-start", h("05T00:00:00"), h("20T00:00:00")),
                event("ended", h("14T09:00:00"), h("14T11:00:00"), { cycle: "2026-12" }),
                event("stale", h("14T10:00:00"), h("16T00:00:00"), { cycle: "2026-12", description: "old" }),
                event("stale-bare", h("14T11:00:00"), h("15T00:00:00")),
                event("future", h("15T00:00:00"), h("16T00:00:00"), { cycle: "2026-12" }),
            ]);
            expect(await mirrorRelease(t.clients, mirror, approval as never)).to.equal(true);
            const after = new Map(t.events().map((e) => [e.uid, e]));
            expect([...after.keys()].sort()).to.deep.equal(["approval-1", "ended", "last-cycle", "last-cycle-by-start", "stale", "stale-bare"]);
            expect(after.get("last-cycle")!.end).to.deep.equal(h("20T00:00:00"));
            expect(after.get("last-cycle-by-start")!.end).to.deep.equal(h("20T00:00:00"));
            expect(after.get("ended")!.end).to.deep.equal(h("14T11:00:00"));
            expect(after.get("stale")!.end).to.deep.equal(NOW);
            expect(after.get("stale")!.description).to.equal("old\nEnded by the approval gate at 2026-12-14T13:00:00.000Z: replaced by approval approval-1");
            expect(after.get("stale-bare")!.description).to.equal("Ended by the approval gate at 2026-12-14T13:00:00.000Z: replaced by approval approval-1");
            const released = after.get("approval-1")!;
            expect([released.start, released.end]).to.deep.equal([approval.start, approval.end]);
            expect(released.summary).to.equal(`Released by the approval gate: approved by ${ALICE_APPROVES}`);
            expect(released.description).to.equal(`${APPROVALS} version 3 (written ${WRITTEN.toISOString()} by ${ALICE_APPROVES}, per CloudTrail); requested by ${BOB_REQUESTS}: CAB-1234`);
            expect(released.approver).to.equal(ALICE_APPROVES);
            expect(released.cycle).to.equal("2026-12");
            expect(calendarDescription(t.content())).to.equal(DESCRIPTION);
        });

        it("already holding exactly the window: writes nothing; the same uid with another window is replaced", async () => {
            const t = setup();
            t.setEvents([event("approval-1", approval.start, approval.end, { cycle: "2026-12" })]);
            expect(await mirrorRelease(t.clients, mirror, approval as never)).to.equal(false);
            expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(1);
            for (const [start, end] of [
                [approval.start, h("16T12:00:00")],
                [h("14T12:30:00"), approval.end],
            ]) {
                t.setEvents([event("approval-1", start, end, { cycle: "2026-12" })]);
                expect(await mirrorRelease(t.clients, mirror, approval as never)).to.equal(true);
                expect(t.events().map((e) => [e.uid, e.start.toISOString(), e.end.toISOString()])).to.deep.equal([["approval-1", approval.start.toISOString(), approval.end.toISOString()]]);
            }
            // The same window under another uid is another period: ended, and the approval released.
            t.setEvents([event("approval-2", approval.start, approval.end, { cycle: "2026-12" })]);
            expect(await mirrorRelease(t.clients, mirror, approval as never)).to.equal(true);
            expect(t.events().map((e) => [e.uid, e.end.toISOString()])).to.deep.equal([
                ["approval-2", NOW.toISOString()],
                ["approval-1", approval.end.toISOString()],
            ]);
            // The window plus another live period of the cycle: the other one ends.
            t.setEvents([event("approval-1", approval.start, approval.end, { cycle: "2026-12" }), event("extra", h("14T12:30:00"), h("15T00:00:00"), { cycle: "2026-12" })]);
            expect(await mirrorRelease(t.clients, mirror, approval as never)).to.equal(true);
            expect(t.events().map((e) => [e.uid, e.end.toISOString()])).to.deep.equal([
                ["approval-1", approval.end.toISOString()],
                ["extra", NOW.toISOString()],
            ]);
        });

        it("no counted approval: the cycle's live periods end, nothing is released; nothing live: nothing written; the description says who requested only when known", async () => {
            const t = setup();
            t.setEvents([event("ended", h("14T09:00:00"), h("14T11:00:00"), { cycle: "2026-12" })]);
            expect(await mirrorRelease(t.clients, mirror, undefined)).to.equal(false);
            t.setEvents([event("live", h("14T12:00:00"), h("15T00:00:00"), { cycle: "2026-12" })]);
            expect(await mirrorRelease(t.clients, mirror, undefined)).to.equal(true);
            expect(t.events().map((e) => [e.uid, e.end.toISOString(), e.description])).to.deep.equal([["live", NOW.toISOString(), "Ended by the approval gate at 2026-12-14T13:00:00.000Z: the approval is withdrawn, edited or no longer counted"]]);
            const u = setup();
            expect(await mirrorRelease(u.clients, { ...mirror, requestedBy: undefined }, { ...approval, description: undefined } as never)).to.equal(true);
            expect(u.events()[0].description).to.equal(`${APPROVALS} version 3 (written ${WRITTEN.toISOString()} by ${ALICE_APPROVES}, per CloudTrail)`);
        });
    });

    describe("readCalendarHistory", () => {
        it("the version current at the request and every later one, up to the default version (a newer non-default version is not the calendar's state)", async () => {
            const t = setup();
            const doc = t.fake.documents.get(CALENDAR)!;
            doc.versions.push(
                { version: "2", content: "v2", createdAt: h("13T00:00:00") },
                { version: "3", content: "v3", createdAt: REQUEST_AT },
                { version: "4", content: "v4", createdAt: h("14T12:00:00") },
                { version: "5", content: "v5", createdAt: h("14T12:30:00") },
            );
            doc.defaultVersion = "4";
            const history = await readCalendarHistory(t.clients.ssm, CALENDAR, REQUEST_AT);
            // Version 3 was created exactly at the request: it is "at or after", so version 2 is the one current before.
            expect(history.map((v) => [v.version, v.content])).to.deep.equal([
                ["2", "v2"],
                ["3", "v3"],
                ["4", "v4"],
            ]);
            expect(history[1].createdAt).to.deep.equal(REQUEST_AT);
            doc.defaultVersion = "1";
            expect((await readCalendarHistory(t.clients.ssm, CALENDAR, REQUEST_AT)).map((v) => v.version)).to.deep.equal(["1"]);
            doc.defaultVersion = "5";
            expect((await readCalendarHistory(t.clients.ssm, CALENDAR, h("14T12:00:00"))).map((v) => v.version)).to.deep.equal(["3", "4", "5"]);
        });
    });

    describe("calendarWriters", () => {
        const versions = [{ version: "2", createdAt: WRITTEN, content: "" }];
        const record = (over: Record<string, unknown>) => ({
            eventTime: WRITTEN.toISOString(),
            eventName: "UpdateDocument",
            userIdentity: { arn: ALICE_APPROVES },
            requestParameters: { name: CALENDAR },
            responseElements: { documentDescription: { documentVersion: "2" } },
            ...over,
        });

        it("takes the event's own time, or the listed EventTime when the record has none; a version exactly a minute off still matches, and an event without a caller verifies nobody", async () => {
            const t = setup();
            const ct = t.clients.cloudTrail;
            t.fake.trail.push({ eventName: "UpdateDocument", eventTime: new Date(WRITTEN.getTime() + 60_000), record: record({ eventTime: undefined, responseElements: null }) });
            expect([...(await calendarWriters(ct, CALENDAR, versions, CHECK)).entries()]).to.deep.equal([["2", ALICE_APPROVES]]);
            t.fake.trail.length = 0;
            t.fake.trail.push({ eventName: "UpdateDocument", eventTime: WRITTEN, record: record({ userIdentity: {} }) });
            expect((await calendarWriters(ct, CALENDAR, versions, CHECK)).size).to.equal(0);
            t.fake.trail.length = 0;
            t.fake.trail.push({ eventName: "UpdateDocument", eventTime: WRITTEN, record: record({ requestParameters: {} }) });
            expect((await calendarWriters(ct, CALENDAR, versions, CHECK)).size).to.equal(0);
            t.fake.trail.length = 0;
            t.fake.trail.push({ eventName: "UpdateDocument", eventTime: WRITTEN, record: record({ requestParameters: { name: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/${CALENDAR}` } }) });
            expect([...(await calendarWriters(ct, CALENDAR, versions, CHECK)).values()]).to.deep.equal([ALICE_APPROVES]);
        });

        it("follows every page of LookupEvents", async () => {
            const t = setup();
            for (let i = 0; i < 60; i++) t.fake.trail.push({ eventName: "UpdateDocument", eventTime: new Date(WRITTEN.getTime() - i * 100), record: record({ requestParameters: { name: "other" } }) });
            t.fake.trail.push({ eventName: "UpdateDocument", eventTime: new Date(WRITTEN.getTime() - 30_000), record: record({}) });
            expect([...(await calendarWriters(t.clients.cloudTrail, CALENDAR, versions, CHECK)).values()]).to.deep.equal([ALICE_APPROVES]);
            expect(t.fake.count("LookupEvents")).to.equal(2);
        });
    });

    describe("requestApproval", () => {
        it("without the two-person rule and with policy open: asks for an approval and says the calendar opens by itself; logs the request", async () => {
            const t = setup();
            t.fake.callerArn = GATE;
            const r = await requestApproval(t.clients, t.options(REQUEST_AT, { twoPersonRule: false, timeout: { action: "open", afterHours: 36 }, openHours: 12 }));
            expect(r.action).to.equal("requested");
            expect(t.sent[0].subject).to.equal("[patching/prod] Approval needed for the 2026-12 install");
            const lines = t.sent[0].message.split("\n");
            expect(lines).to.include("To approve (authenticated with your AWS credentials; opens the calendar):");
            expect(lines).to.include(`  npm run approve -- --stack prod --hours 12 --reason "<change ticket>"`);
            expect(lines.at(-1)).to.equal(`Without an approval within 36 hour(s) the calendar opens automatically for 12 hour(s) (timeout policy "open").`);
            expect(lines[2]).to.equal("Dev: no promotion record yet.");
            expect(t.logs).to.deep.equal([{ level: "info", gate: "requested", ...t.state() }]);
        });

        it("two-person rule: the scheduled message is not a request and says who must request and approve; the timeout only skips", async () => {
            const t = setup();
            t.fake.callerArn = GATE;
            t.fake.put(BUCKET, "promotion/prod/pinned-list-latest.json", JSON.stringify({ action: "exported", at: "2026-12-10T00:00:00Z", reason: "dev green" }));
            await requestApproval(t.clients, t.options(REQUEST_AT, { timeout: { action: "open", afterHours: 48 } }));
            expect(t.sent[0].subject).to.equal("[patching/prod] Request needed for the 2026-12 install");
            const lines = t.sent[0].message.split("\n");
            expect(lines[2]).to.equal("Dev: exported at 2026-12-10T00:00:00Z: dev green.");
            expect(lines.slice(4, 8)).to.deep.equal([
                "Two-person rule: this scheduled message is not a request. A person requests the install (as the requester role; recorded from STS):",
                `  npm run approve -- --request --stack prod --bucket <artifact bucket> --reason "<change ticket>"`,
                "then another person approves (as the approver role; opens the calendar):",
                `  npm run approve -- --stack prod --hours 24 --reason "<change ticket>"`,
            ]);
            expect(lines.at(-1)).to.equal("Without an approval within 48 hour(s) the install of cycle 2026-12 is skipped (the calendar stays closed).");
        });

        it("a request already there (or written between the read and the write) is left alone and logged as such", async () => {
            const t = setup();
            t.putState({ requestedBy: BOB_REQUESTS, requestedVia: "person" });
            const r = await requestApproval(t.clients, t.options(REQUEST_AT));
            expect(r.action).to.equal("already-requested");
            expect(t.logs).to.deep.equal([{ level: "info", gate: "already-requested", ...t.state() }]);
            expect(t.sent).to.deep.equal([]);
        });
    });

    describe("S3 preconditions", () => {
        it("a 412 or 409 refusal is a conflict even without its error code: the person is told, nothing is written", async () => {
            for (const [status, code] of [
                [412, "SomethingElse"],
                [409, "OperationAborted"],
            ] as const) {
                const t = setup();
                t.fake.failures.push({ operation: "PutObject", status, code, times: 1 });
                const r = await recordPersonRequest(t.clients.s3, { bucket: BUCKET, stack: "prod", cycle: "2026-12", now: REQUEST_AT, requester: BOB_REQUESTS, reason: "CAB-1", isPerson: () => true });
                expect(r.outcome, String(status)).to.equal("conflict");
                expect((r as { message: string }).message).to.equal(`another request of cycle 2026-12 was written at the same time; yours was not recorded (s3://${BUCKET}/${KEY} was changed by another writer since it was read (${code}): nothing was written)`);
                expect(t.fake.current(BUCKET, KEY)).to.equal(undefined);
            }
        });

        it("any other write failure is not a conflict: it is thrown as it is", async () => {
            const t = setup();
            t.fake.failures.push({ operation: "PutObject", status: 403, code: "AccessDenied", times: 1 });
            const err = await recordPersonRequest(t.clients.s3, { bucket: BUCKET, stack: "prod", cycle: "2026-12", now: REQUEST_AT, requester: BOB_REQUESTS, reason: "CAB-1", isPerson: () => true }).catch((e: Error) => e);
            expect((err as Error).name).to.equal("AccessDenied");
        });
    });

    describe("checkApproval, two-person rule on one calendar", () => {
        it("no person requested: the cycle's open periods are withdrawn (another cycle's stay), the hold is recorded and announced once", async () => {
            const t = setup();
            t.putState({ requestedBy: GATE, requestedVia: "schedule" });
            t.setEvents([event("early", h("14T09:30:00"), h("17T09:30:00"), { cycle: "2026-12", approver: ALICE_APPROVES }), event("november", h("05T00:00:00"), h("20T00:00:00"), { cycle: "2026-11" })]);
            const r = await checkApproval(t.clients, t.options(CHECK));
            expect(r.action).to.equal("held");
            const held = `no person requested this cycle: requested by ${GATE}, which is not a session of the requester role ${REQUESTER_ROLE}; a person requests it with npm run approve -- --request --stack prod --bucket <artifact bucket> --reason "<change ticket>", then another person approves`;
            expect(t.state().held).to.equal(held);
            expect(t.events().map((e) => [e.uid, e.end.toISOString()])).to.deep.equal([
                ["november", h("20T00:00:00").toISOString()],
                ["early", CHECK.toISOString()],
            ]);
            expect(t.sent.map((s) => s.subject)).to.deep.equal(["[patching/prod] Withdrawn: 1 open period(s) of the 2026-12 install", "[patching/prod] Held: 2026-12 install (no person requested)"]);
            expect(t.sent[0].message).to.equal(`${held}. The change calendar ${CALENDAR} held 1 open period(s) for cycle 2026-12; the gate ended or withdrew them.`);
            expect(t.sent[1].message).to.equal(held);
            expect(t.gates()).to.deep.equal(["warn withdrawn", "warn held"]);
            expect(t.logs[0]).to.deep.equal({ level: "warn", gate: "withdrawn", cycle: "2026-12", periods: 1, reason: held });
            expect(t.logs[1]).to.deep.equal({ level: "warn", gate: "held", ...t.state() });
            // The next check: same hold, nothing to withdraw: no write, no message.
            const puts = t.statePuts();
            expect((await checkApproval(t.clients, t.options(new Date(CHECK.getTime() + 3600_000)))).action).to.equal("held");
            expect(t.statePuts()).to.equal(puts);
            expect(t.sent).to.have.length(2);
        });

        it("no person requested and the timeout passed: skipped, saying nobody requested", async () => {
            const t = setup();
            t.putState({ requestedBy: GATE, requestedVia: "schedule" });
            const at = new Date(REQUEST_AT.getTime() + 48 * 3600_000);
            const r = await checkApproval(t.clients, t.options(at));
            expect(r.action).to.equal("skipped");
            expect(t.state()).to.include({ status: "skipped", by: "timeout policy (no person requested within 48 h)", decidedAt: at.toISOString() });
            expect(t.sent.map((s) => s.subject)).to.deep.equal(["[patching/prod] Skipped: 2026-12 install"]);
            expect(t.sent[0].message).to.match(/\. Nobody requested within 48 hour\(s\); the change calendar stays closed and the 2026-12 install does not run\.$/);
            expect(t.gates()).to.deep.equal(["warn skipped"]);
            // One millisecond before the timeout: still held.
            const u = setup();
            u.putState({ requestedBy: GATE, requestedVia: "schedule" });
            expect((await checkApproval(u.clients, u.options(new Date(at.getTime() - 1)))).action).to.equal("held");
        });

        it("without a requester role, the gate function's own request (any session of its role) never counts", async () => {
            const t = setup();
            t.fake.callerArn = GATE;
            t.putState({ requestedBy: GATE.replace(/[^/]+$/, "another-session"), requestedVia: "schedule" });
            const r = await checkApproval(t.clients, t.options(CHECK, { requesterRoleArn: undefined }));
            expect(r.action).to.equal("held");
            expect(r.state!.held).to.match(/^no person requested this cycle: requested by the gate function itself/);
        });

        it("the requester approves their own request: that period is withdrawn from the calendar, the refusal recorded and announced once", async () => {
            const t = setup();
            const bob = session("patching-prod-requester", "bob");
            t.putState({ requestedBy: bob, requestedVia: "person" });
            // bob, as the approver role's session with the same name, is another principal; the requester session itself is the same.
            await t.approve(bob, { cycle: "2026-12" });
            await t.approve(ALICE_APPROVES, { start: h("20T00:00:00"), hours: 1, cycle: "2026-12", reason: "too late" });
            const r = await checkApproval(t.clients, t.options(CHECK, { approverRoleArn: undefined }));
            expect(r.action).to.equal("waiting");
            const mine = t.events().find((e) => e.approver === bob)!;
            expect(mine.end).to.deep.equal(CHECK);
            expect(mine.description).to.match(/Withdrawn by the approval gate at 2026-12-14T10:00:00.000Z: approved by the requester \(two-person rule\)$/);
            expect(t.events().find((e) => e.approver === ALICE_APPROVES)!.end).to.deep.equal(h("20T01:00:00"));
            const rejected = t.state().rejected!;
            expect(rejected.map((x) => x.uid)).to.deep.equal([mine.uid, t.events().find((e) => e.approver === ALICE_APPROVES)!.uid].filter((u) => rejected.some((x) => x.uid === u)));
            expect(rejected.some((x) => x.uid === mine.uid && x.reason.startsWith("two-person rule:"))).to.equal(true);
            expect(t.sent.map((s) => s.subject)).to.deep.equal(["[patching/prod] Approval not accepted: 2026-12 install"]);
            expect(t.sent[0].message.split("\n")).to.deep.equal(rejected.map((x) => `${x.uid}: ${x.reason}`));
            const withdrawnLog = t.logs.find((l) => l.gate === "withdrawn")!;
            expect(withdrawnLog).to.deep.equal({ level: "warn", gate: "withdrawn", cycle: "2026-12", periods: 1, uids: [mine.uid] });
            expect(t.logs.filter((l) => l.gate === "approval-rejected")).to.have.length(rejected.length);
            expect(t.logs.find((l) => l.gate === "approval-rejected")).to.include({ level: "warn", cycle: "2026-12" });
            // Same refusals at the next check: no write, no message.
            const puts = t.statePuts();
            expect((await checkApproval(t.clients, t.options(new Date(CHECK.getTime() + 3600_000), { approverRoleArn: undefined }))).action).to.equal("waiting");
            // The withdrawn period has ended now: a new reason, recorded and announced once more; then nothing changes.
            expect(t.statePuts()).to.equal(puts + 1);
            expect(t.sent).to.have.length(2);
            expect((await checkApproval(t.clients, t.options(new Date(CHECK.getTime() + 7200_000), { approverRoleArn: undefined }))).action).to.equal("waiting");
            expect(t.statePuts()).to.equal(puts + 1);
            expect(t.sent).to.have.length(2);
        });

        it("an approval by another person: approved, announced with the approver, the calendar version and the window; logged at info", async () => {
            const t = setup();
            t.putState({ requestedBy: BOB_REQUESTS, requestedVia: "person", held: "earlier hold" });
            const version = await t.approve(ALICE_APPROVES);
            const r = await checkApproval(t.clients, t.options(CHECK));
            expect(r.action).to.equal("approved");
            expect(t.state()).to.not.have.property("held");
            expect(t.state()).to.include({ status: "approved", by: ALICE_APPROVES, calendarVersion: version, openUntil: "2026-12-17T09:05:00.000Z" });
            expect(t.sent).to.deep.equal([
                {
                    subject: "[patching/prod] Approved: 2026-12 install",
                    message: `Approved by ${ALICE_APPROVES} (calendar ${CALENDAR} version ${version}, written ${WRITTEN.toISOString()}) — open 2026-12-14T09:05:00.000Z to 2026-12-17T09:05:00.000Z. CAB-1234`,
                },
            ]);
            expect(t.logs.at(-1)).to.deep.equal({ level: "info", gate: "approved", ...t.state() });
        });

        it("a held request with no calendar period is not re-announced; the hold clears once a person requests", async () => {
            const t = setup();
            t.putState({ requestedBy: BOB_REQUESTS, requestedVia: "person", held: "no person requested this cycle: …" });
            const r = await checkApproval(t.clients, t.options(CHECK));
            expect(r.action).to.equal("waiting");
            expect(t.state()).to.not.have.property("held");
            expect(t.sent).to.deep.equal([]);
        });
    });

    describe("checkApproval, separate calendars (the approver's and the release calendar)", () => {
        const approved = async () => {
            const t = setup({ separate: true });
            t.putState({ requestedBy: BOB_REQUESTS, requestedVia: "person" });
            const version = await t.approve(ALICE_APPROVES, { name: APPROVALS });
            const r = await checkApproval(t.clients, t.options(CHECK));
            expect(r.action).to.equal("approved");
            return { t, version };
        };

        it("the approval is released to the release calendar and the announcement says so; logged as released", async () => {
            const { t, version } = await approved();
            expect(t.sent[0].message).to.equal(
                `Approved by ${ALICE_APPROVES} (calendar ${APPROVALS} version ${version}, written ${WRITTEN.toISOString()}) — released to ${CALENDAR}: open 2026-12-14T09:05:00.000Z to 2026-12-17T09:05:00.000Z. CAB-1234`,
            );
            const released = t.logs.find((l) => l.gate === "released")!;
            expect(released).to.include({ level: "info", cycle: "2026-12" });
            expect(t.events().map((e) => e.approver)).to.deep.equal([ALICE_APPROVES]);
        });

        it("re-checked while the release lasts: unchanged approval, nothing written; the period over (at its very end), nothing read", async () => {
            const { t } = await approved();
            const puts = t.statePuts();
            const gets = t.fake.count("ListDocumentVersions");
            expect((await checkApproval(t.clients, t.options(new Date(CHECK.getTime() + 3600_000)))).action).to.equal("approved");
            expect(t.statePuts()).to.equal(puts);
            expect(t.fake.count("ListDocumentVersions")).to.equal(gets + 1);
            expect((await checkApproval(t.clients, t.options(new Date("2026-12-17T09:05:00.000Z")))).action).to.equal("approved");
            expect(t.fake.count("ListDocumentVersions")).to.equal(gets + 1);
        });

        it("withdrawn, then approved again by someone else: each change is written, announced and logged once", async () => {
            const { t } = await approved();
            const closeAt = new Date(CHECK.getTime() + 3600_000);
            t.fake.clock = () => closeAt;
            t.fake.documentWriter = ALICE_APPROVES;
            const doc = t.fake.documents.get(APPROVALS)!;
            const current = doc.versions.find((v) => v.version === doc.defaultVersion)!.content;
            // The approval removed from the approver's calendar.
            const { writeCalendar } = await import("../core/approvalGate");
            await writeCalendar(t.clients.ssm, APPROVALS, renderCalendarContent(calendarDescription(current), []));
            const w = await checkApproval(t.clients, t.options(closeAt));
            expect(w.action).to.equal("withdrawn");
            expect(t.state()).to.include({ withdrawnAt: closeAt.toISOString(), openUntil: closeAt.toISOString() });
            expect(t.sent.at(-1)!.subject).to.equal("[patching/prod] Withdrawn: 2026-12 install");
            expect(t.sent.at(-1)!.message).to.equal(
                `The approval by ${ALICE_APPROVES} (calendar ${APPROVALS} version ${t.state().calendarVersion}) no longer counts (closed, edited or removed): the release calendar ${CALENDAR} is closed for cycle 2026-12 from ${closeAt.toISOString()}.`,
            );
            expect(t.logs.at(-1)).to.deep.equal({ level: "warn", gate: "withdrawn", ...t.state() });
            // Still withdrawn an hour later (after the former openUntil too): nothing written or announced.
            const puts = t.statePuts();
            const sent = t.sent.length;
            expect((await checkApproval(t.clients, t.options(new Date(closeAt.getTime() + 3600_000)))).action).to.equal("withdrawn");
            expect(t.statePuts()).to.equal(puts);
            expect(t.sent).to.have.length(sent);
            // carol approves anew: released again, the withdrawal cleared.
            const againAt = new Date(closeAt.getTime() + 2 * 3600_000);
            t.fake.clock = () => againAt;
            t.fake.documentWriter = CAROL_APPROVES;
            await openCalendar(t.clients.ssm, APPROVALS, { start: againAt, hours: 72, by: CAROL_APPROVES, approver: CAROL_APPROVES, cycle: "2026-12", reason: "CAB-99", now: againAt });
            const a = await checkApproval(t.clients, t.options(new Date(againAt.getTime() + 60_000)));
            expect(a.action).to.equal("approved");
            expect(t.state()).to.not.have.property("withdrawnAt");
            expect(t.state()).to.include({ by: CAROL_APPROVES, openUntil: new Date(againAt.getTime() + 72 * 3600_000).toISOString() });
            expect(t.sent.at(-1)!.subject).to.equal("[patching/prod] Approved: 2026-12 install");
            expect(t.sent.at(-1)!.message).to.match(new RegExp(`^Approved by ${CAROL_APPROVES.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(calendar ${APPROVALS} version \\d+\\) — released to ${CALENDAR}: open `));
            expect(t.logs.at(-1)).to.deep.equal({ level: "info", gate: "approved", ...t.state() });
        });
    });

    describe("checkApproval, timeout policies", () => {
        it("skip: logged at warn; open: logged at info, opened for openHours in every Region's copy", async () => {
            const t = setup();
            t.putState({ requestedBy: GATE });
            const at = new Date(REQUEST_AT.getTime() + 48 * 3600_000);
            await checkApproval(t.clients, t.options(at, { twoPersonRule: false }));
            expect(t.gates()).to.deep.equal(["warn skipped"]);
            expect(t.sent[0].message).to.equal(
                `Nobody approved within 48 hour(s); the change calendar stays closed and the 2026-12 install does not run. To install anyway: npm run approve -- --stack prod --hours 24 --reason "<change ticket>"`,
            );
            const u = setup();
            u.putState({ requestedBy: GATE });
            const replica = new FakeAws();
            replica.putDocument(CALENDAR, renderCalendarContent(DESCRIPTION, []), new Date("2026-11-01T00:00:00Z"));
            const replicas = [{ region: "eu-west-1", ssm: new SSMClient({ ...replica.clientConfig("eu-west-1"), maxAttempts: 1 }) }];
            await checkApproval({ ...u.clients, replicas }, u.options(at, { twoPersonRule: false, timeout: { action: "open", afterHours: 48 }, openHours: 6 }));
            expect(u.gates()).to.deep.equal(["info opened-automatically"]);
            const opened = u.events();
            expect(opened.map((e) => [e.start.toISOString(), e.end.toISOString()])).to.deep.equal([[at.toISOString(), new Date(at.getTime() + 6 * 3600_000).toISOString()]]);
            expect(opened[0].summary + (opened[0].description ?? "")).to.contain("Opened automatically for cycle 2026-12");
            const copy = replica.documents.get(CALENDAR)!;
            expect(copy.versions.find((v) => v.version === copy.defaultVersion)!.content).to.equal(u.content());
        });
    });
});
