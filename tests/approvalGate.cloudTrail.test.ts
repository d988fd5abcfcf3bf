/**
 * The gate Lambda's path through real SDK clients (SSM, S3, CloudTrail, STS) over the in-memory
 * transport (tests/fakeAws.ts): the requester is the STS caller identity at request time; the
 * approver is the principal CloudTrail records for the calendar version's UpdateDocument call —
 * never the X-PATCHING-APPROVER text; no CloudTrail event (yet) means pending, not approved.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { calendarWriters, callerArn, checkApproval, GateClients, GateOptions, GateState, openCalendar, recordPersonRequest, requestApproval } from "../core/approvalGate";
import { isSessionOf, parseCalendarEvents } from "../core/changeCalendar";
import { DEFAULT_CYCLE } from "../core/calendar";
import { renderCalendarContent } from "../core/changeCalendar";
import { createHandler } from "../lambda/approvalGate";
import { FakeAws, FAKE_CREDENTIALS } from "./fakeAws";

const CALENDAR = "patching-prod-install-approval";
const ROLE = "arn:aws:iam::123456789012:role/patching-prod-approver";
const REQUESTER_ROLE = "arn:aws:iam::123456789012:role/patching-prod-requester";
/** Bob and Alice as sessions of the requester role (a person's request, npm run approve -- --request). */
const BOB_REQ = "arn:aws:sts::123456789012:assumed-role/patching-prod-requester/bob@example.com";
const ALICE_REQ = "arn:aws:sts::123456789012:assumed-role/patching-prod-requester/alice@example.com";
const GATE = "arn:aws:sts::123456789012:assumed-role/patching-prod-gate-role/patching-prod-approval-gate";
const ALICE = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice@example.com";
const BOB = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/bob@example.com";
const REQUEST_AT = new Date("2026-12-14T09:00:00Z");
const WRITTEN_AT = new Date("2026-12-14T12:00:05Z");
const CHECK_AT = new Date("2026-12-14T13:00:00Z");

function setup() {
    const fake = new FakeAws();
    fake.putDocument(CALENDAR, renderCalendarContent("Approval gate of prod's patch install", []), new Date("2026-11-01T00:00:00Z"));
    fake.clock = () => WRITTEN_AT;
    const config = fake.clientConfig();
    const sent: string[] = [];
    const clients: GateClients = {
        ssm: new SSMClient(config),
        s3: new S3Client(config),
        cloudTrail: new CloudTrailClient(config),
        sts: new STSClient(config),
        notify: async (subject) => void sent.push(subject),
    };
    const options = (now: Date, over: Partial<GateOptions> = {}): GateOptions => ({
        stack: "prod",
        calendarName: CALENDAR,
        bucket: "artifacts",
        timeout: { action: "skip", afterHours: 48 },
        openHours: 24,
        install: { expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 },
        approverRoleArn: ROLE,
        requesterRoleArn: REQUESTER_ROLE,
        twoPersonRule: true,
        now,
        log: () => undefined,
        ...over,
    });
    /** The request, made by `requester` (the STS caller identity then): the gate function's scheduled one, or a person's (npm run approve -- --request). */
    const request = async (requester: string) => {
        fake.callerArn = requester;
        if (requester === GATE) return requestApproval(clients, options(REQUEST_AT));
        const r = await recordPersonRequest(clients.s3, { bucket: "artifacts", stack: "prod", cycle: "2026-12", now: REQUEST_AT, requester: await callerArn(clients.sts), reason: "CAB-42", isPerson: (st) => !!st.requestedBy && isSessionOf(st.requestedBy, REQUESTER_ROLE) });
        return { action: r.outcome, state: r.state };
    };
    /** `writer` runs npm run approve's write; the calendar event names `named`. */
    const approve = (writer: string | undefined, named: string) => {
        fake.documentWriter = writer;
        return openCalendar(clients.ssm, CALENDAR, { start: new Date("2026-12-14T12:00:00Z"), hours: 72, by: named, approver: named, cycle: "2026-12", reason: "CAB-42", now: WRITTEN_AT });
    };
    const state = () => JSON.parse(fake.current("artifacts", "approval-gate/prod/2026-12.json")!.body!.toString()) as GateState;
    return { fake, clients, options, request, approve, state, sent };
}

describe("approval gate: approver from CloudTrail, requester from STS (real clients over tests/fakeAws.ts)", () => {
    it("records the requester's caller identity and accepts an approval by a different principal, attributed as CloudTrail says", async () => {
        const { fake, clients, options, request, approve, state } = setup();
        expect((await request(BOB_REQ)).state?.requestedBy).to.equal(BOB_REQ);
        expect(state()).to.deep.include({ requestedBy: BOB_REQ, requestedVia: "person", requestReason: "CAB-42" });
        expect(await approve(ALICE, ALICE)).to.equal("2");
        const r = await checkApproval(clients, options(CHECK_AT));
        expect(r.action).to.equal("approved");
        expect(state()).to.deep.include({ status: "approved", by: ALICE, calendarVersion: "2", requestedBy: BOB_REQ });
        // One attribute per lookup (the API allows one), the event name; only the minute around the version's time.
        const lookup = JSON.parse(fake.requests.find((q) => q.operation === "LookupEvents")!.body!);
        expect(lookup.LookupAttributes).to.deep.equal([{ AttributeKey: "EventName", AttributeValue: "UpdateDocument" }]);
        expect([lookup.StartTime * 1000, lookup.EndTime * 1000]).to.deep.equal([WRITTEN_AT.getTime() - 60_000, WRITTEN_AT.getTime() + 60_000]);
    });

    it("two-person rule: the requester cannot approve their own request", async () => {
        const { clients, options, request, approve, state, sent } = setup();
        // Alice requests (requester role), then approves (approver role): the same person under another role.
        await request(ALICE_REQ);
        await approve(ALICE, ALICE);
        const r = await checkApproval(clients, options(CHECK_AT));
        expect(r.action).to.equal("waiting");
        expect(state().status).to.equal("requested");
        expect(state().rejected?.[0].reason).to.equal(`two-person rule: ${ALICE} requested this install and cannot approve it (same person as ${ALICE_REQ}, under another role)`);
        expect(sent).to.include("[patching/prod] Approval not accepted: 2026-12 install");
    });

    it("a forged approver name is not counted: the event says alice, CloudTrail says bob wrote it (and bob requested)", async () => {
        const { clients, options, request, approve, state } = setup();
        await request(BOB_REQ);
        await approve(BOB, ALICE);
        expect((await checkApproval(clients, options(CHECK_AT))).action).to.equal("waiting");
        expect(state().rejected?.[0].reason).to.equal(`the event names approver ${ALICE}, but CloudTrail records ${BOB} as the writer of calendar version 2: a forged approver is not counted`);
    });

    it("no CloudTrail event yet (delivery lag): pending, not counted; approved once the event is there", async () => {
        const { fake, clients, options, request, approve, state } = setup();
        await request(BOB_REQ);
        await approve(undefined, ALICE);
        expect((await checkApproval(clients, options(CHECK_AT))).action).to.equal("waiting");
        expect(state().rejected?.[0]).to.deep.include({ pending: true });
        // The event arrives (as CloudTrail delivers it later).
        fake.trail.push({
            eventName: "UpdateDocument",
            eventTime: WRITTEN_AT,
            record: { eventTime: WRITTEN_AT.toISOString(), eventName: "UpdateDocument", userIdentity: { type: "AssumedRole", arn: ALICE }, requestParameters: { name: CALENDAR }, responseElements: { documentDescription: { documentVersion: "2" } } },
        });
        expect((await checkApproval(clients, options(new Date("2026-12-14T14:00:00Z")))).action).to.equal("approved");
        expect(state().by).to.equal(ALICE);
    });

    it("ignores failed calls and other documents' events; a throttled LookupEvents is retried by the SDK", async () => {
        const { fake, clients, options, request, approve, state } = setup();
        await request(BOB_REQ);
        await approve(ALICE, ALICE);
        const other = { eventTime: WRITTEN_AT.toISOString(), eventName: "UpdateDocument", userIdentity: { arn: BOB }, requestParameters: { name: "some-other-doc" }, responseElements: { documentDescription: { documentVersion: "2" } } };
        const failed = { ...other, requestParameters: { name: CALENDAR }, errorCode: "AccessDenied", responseElements: null };
        fake.trail.push({ eventName: "UpdateDocument", eventTime: WRITTEN_AT, record: other }, { eventName: "UpdateDocument", eventTime: WRITTEN_AT, record: failed });
        fake.failures.push({ operation: "LookupEvents", status: 400, code: "ThrottlingException", times: 1 });
        expect((await checkApproval(clients, options(CHECK_AT))).action).to.equal("approved");
        expect(state().by).to.equal(ALICE);
        expect(fake.count("LookupEvents")).to.equal(2);
    });

    it("calendarWriters: an event without response elements is the version's when it is the only one within a minute; two such events verify nobody", async () => {
        const { fake, clients } = setup();
        const at = (iso: string) => new Date(iso);
        const event = (arn: string, time: string) => ({ eventName: "UpdateDocument", eventTime: at(time), record: { eventTime: time, userIdentity: { arn }, requestParameters: { name: `arn:aws:ssm:us-east-1:123456789012:document/${CALENDAR}` } } });
        fake.trail.push(event(ALICE, "2026-12-14T12:00:03Z"), event(ALICE, "2026-12-14T15:00:01Z"), event(BOB, "2026-12-14T15:00:20Z"));
        const versions = [
            { version: "2", createdAt: at("2026-12-14T12:00:05Z"), content: "" },
            { version: "3", createdAt: at("2026-12-14T15:00:10Z"), content: "" },
            { version: "4", createdAt: at("2026-12-14T18:00:00Z"), content: "" },
        ];
        const writers = await calendarWriters(clients.cloudTrail, CALENDAR, versions, at("2026-12-14T19:00:00Z"));
        expect([...writers]).to.deep.equal([["2", ALICE]]);
        expect(await calendarWriters(clients.cloudTrail, CALENDAR, [], at("2026-12-14T19:00:00Z"))).to.have.property("size", 0);
    });

    describe("the Lambda handler (lambda/approvalGate.ts), its environment as components/changeSafety.ts sets it", () => {
        const ENV = {
            AWS_REGION: "us-east-1",
            STACK: "prod",
            BUCKET: "artifacts",
            CALENDAR_NAME: CALENDAR,
            TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:patching-prod-change-safety",
            TIMEOUT_ACTION: "skip",
            TIMEOUT_HOURS: "48",
            OPEN_HOURS: "24",
            INSTALL_SCHEDULE: "cron(0 2 ? * TUE#3 *)",
            INSTALL_OFFSET_DAYS: "2",
            CYCLE_TIME: DEFAULT_CYCLE.time,
            CYCLE_TIMEZONE: DEFAULT_CYCLE.timezone,
            APPROVER_ROLE_ARN: ROLE,
            REQUESTER_ROLE_ARN: REQUESTER_ROLE,
            TWO_PERSON_RULE: "true",
        };
        const saved: Record<string, string | undefined> = {};
        beforeEach(() => {
            for (const [k, v] of Object.entries(ENV)) {
                saved[k] = process.env[k];
                process.env[k] = v;
            }
        });
        afterEach(() => {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        });
        const handlerOver = (fake: FakeAws, now: Date, sent: string[]) =>
            createHandler({ clients: { requestHandler: fake.requestHandler, credentials: FAKE_CREDENTIALS }, notify: async (subject) => void sent.push(subject), now: () => now, log: () => undefined });

        it("request records the function's STS identity; check takes the approver from CloudTrail and applies the two-person rule", async () => {
            // The scheduled request alone: no person requested, so an approval does not release the install (fail closed).
            const scheduled = setup();
            const sent: string[] = [];
            scheduled.fake.callerArn = GATE;
            expect((await handlerOver(scheduled.fake, REQUEST_AT, sent)({ action: "request" })).state?.requestedBy).to.equal(GATE);
            expect(sent).to.deep.equal(["[patching/prod] Request needed for the 2026-12 install"]);
            await scheduled.approve(ALICE, ALICE);
            const held = await handlerOver(scheduled.fake, CHECK_AT, sent)({ action: "check" });
            expect(held.action).to.equal("held");
            expect(scheduled.state()).to.deep.include({ status: "requested", requestedBy: GATE });
            expect(scheduled.state().held).to.match(new RegExp(`^no person requested this cycle: requested by ${GATE.replace(/[/.]/g, "\\$&")}, which is not a session of the requester role ${REQUESTER_ROLE.replace(/[/.]/g, "\\$&")}`));
            expect(scheduled.fake.count("LookupEvents")).to.equal(0);
            // A person's request, then the scheduled run: it leaves the person's request as it is; another person's approval releases.
            const person = setup();
            await person.request(BOB_REQ);
            person.fake.callerArn = GATE;
            expect((await handlerOver(person.fake, REQUEST_AT, sent)({ action: "request" })).action).to.equal("already-requested");
            expect(person.state()).to.deep.include({ requestedBy: BOB_REQ, requestedVia: "person" });
            await person.approve(ALICE, ALICE);
            expect((await handlerOver(person.fake, CHECK_AT, sent)({ action: "check" })).action).to.equal("approved");
            expect(person.state()).to.deep.include({ by: ALICE, requestedBy: BOB_REQ });
        });

        it("APPROVAL_CALENDAR_NAME (two-person rule): judges the approver's calendar and releases to CALENDAR_NAME with its window", async () => {
            const APPROVALS = "patching-prod-approvals";
            const t = setup();
            t.fake.putDocument(APPROVALS, renderCalendarContent("Approvals of prod's patch install", []), new Date("2026-11-01T00:00:00Z"));
            await t.request(BOB_REQ);
            // Alice writes the approvals calendar (as npm run approve does under the rule).
            t.fake.documentWriter = ALICE;
            await openCalendar(t.clients.ssm, APPROVALS, { start: new Date("2026-12-14T12:00:00Z"), hours: 72, by: ALICE, approver: ALICE, cycle: "2026-12", reason: "CAB-42", now: WRITTEN_AT });
            const sent: string[] = [];
            t.fake.callerArn = GATE;
            process.env.APPROVAL_CALENDAR_NAME = APPROVALS;
            try {
                expect((await handlerOver(t.fake, CHECK_AT, sent)({ action: "check" })).action).to.equal("approved");
            } finally {
                delete process.env.APPROVAL_CALENDAR_NAME;
            }
            const current = (name: string) => {
                const doc = t.fake.documents.get(name)!;
                return parseCalendarEvents(doc.versions.find((v) => v.version === doc.defaultVersion)!.content);
            };
            const [released] = current(CALENDAR);
            expect([released.start.toISOString(), released.end.toISOString(), released.uid]).to.deep.equal(["2026-12-14T12:00:00.000Z", "2026-12-17T12:00:00.000Z", current(APPROVALS)[0].uid]);
            expect(released.summary).to.equal(`Released by the approval gate: approved by ${ALICE}`);
        });
    });
});
