/**
 * A person's request of a release cycle (issue 17, two-person rule), end to end through real SDK
 * clients (S3, SSM, STS, CloudTrail) over the in-memory transport (tests/fakeAws.ts), with the
 * shipped prod stack (approvers: PatchApprover, requesters: PatchRequester, twoPersonRule): the
 * operator command (`npm run approve -- --request`, then another person's approval), the gate
 * Lambda's scheduled request and hourly check, and the S3 preconditions that keep two writers of
 * the gate state from overwriting each other.
 */
import * as path from "path";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { callerArn, checkApproval, GateClients, GateOptions, GateState, openCalendar, personRequestReason, recordPersonRequest, requestApproval } from "../core/approvalGate";
import { DEFAULT_CYCLE } from "../core/calendar";
import { isOpenAt, parseCalendarEvents, renderCalendarContent } from "../core/changeCalendar";
import { runApprove } from "../scripts/approve";
import { FakeAws } from "./fakeAws";
import { CALENDAR, APPROVALS, BUCKET, KEY, APPROVER_ROLE, REQUESTER_ROLE, GATE, session, BOB_REQUESTS, ALICE_APPROVES } from "./support/approvalGateFixture";

/** The repository root (not from ./harness: that loads the whole program, which a mutation run would then reload per mutant). */
const ROOT = path.join(__dirname, "..");

const CAROL_REQUESTS = session("patching-prod-requester", "carol");
const ALICE_REQUESTS = session("patching-prod-requester", "alice");
// Monday before prod's gated install (Thu 2026-12-17 02:00 UTC); the approval is written 5 minutes later, checked an hour later.
const NOW = new Date("2026-12-14T09:00:00Z");
const WRITTEN = new Date("2026-12-14T09:05:00Z");
const CHECK = new Date("2026-12-14T10:00:00Z");

function setup() {
    const fake = new FakeAws();
    fake.putDocument(CALENDAR, renderCalendarContent("Approval gate of prod's patch install", []), new Date("2026-11-01T00:00:00Z"));
    fake.putDocument(APPROVALS, renderCalendarContent("Approvals of prod's patch install", []), new Date("2026-11-01T00:00:00Z"));
    fake.clock = () => WRITTEN;
    const config = (region = "us-east-1") => ({ ...fake.clientConfig(region), maxAttempts: 1 });
    /** The operator command as `who` (the STS caller identity it authenticates; CloudTrail records the same caller for its calendar writes). */
    const cli = async (who: string, argv: string[]) => {
        let out = "";
        fake.callerArn = who;
        fake.documentWriter = who;
        const deps = { ssm: (r: string) => new SSMClient(config(r)), s3: (r: string) => new S3Client(config(r)), whoAmI: (r: string) => callerArn(new STSClient(config(r))), now: NOW, projectDir: ROOT };
        const code = await runApprove(argv, deps, (s) => void (out += s));
        return { code, out };
    };
    const request = (who: string, reason = "CAB-1234") => cli(who, ["--request", "--stack", "prod", "--bucket", BUCKET, "--reason", reason]);
    const approve = (who: string) => cli(who, ["--stack", "prod", "--reason", "CAB-1234", "--hours", "72", "--bucket", BUCKET]);
    const sent: string[] = [];
    const clients: GateClients = { ssm: new SSMClient(config()), s3: new S3Client(config()), cloudTrail: new CloudTrailClient(config()), sts: new STSClient(config()), notify: async (subject) => void sent.push(subject) };
    /** The gate Lambda's options as components/changeSafety.ts configures prod's function. */
    const gate = (now: Date): GateOptions => ({
        stack: "prod",
        calendarName: CALENDAR,
        approvalCalendarName: APPROVALS,
        bucket: BUCKET,
        timeout: { action: "skip", afterHours: 36 },
        openHours: 24,
        install: { expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 },
        cycle: DEFAULT_CYCLE,
        approverRoleArn: APPROVER_ROLE,
        requesterRoleArn: REQUESTER_ROLE,
        twoPersonRule: true,
        now,
        log: () => undefined,
    });
    /** The gate function runs as its own role. */
    const asGate = <T>(run: () => Promise<T>) => {
        fake.callerArn = GATE;
        return run();
    };
    const state = () => JSON.parse(fake.current(BUCKET, KEY)!.body!.toString()) as GateState;
    const statePuts = () => fake.requests.filter((r) => r.service === "s3" && r.operation === "PutObject");
    const calendarEvents = (name = CALENDAR) => {
        const doc = fake.documents.get(name)!;
        return parseCalendarEvents(doc.versions.find((v) => v.version === doc.defaultVersion)!.content);
    };
    /** Runs `before` just before the next PutObject of the gate state reaches S3 (another writer winning the race). */
    const beforeNextStateWrite = (before: () => void) => {
        const handle = fake.requestHandler.handle;
        let done = false;
        (fake.requestHandler as { handle: typeof handle }).handle = (req) => {
            if (!done && req.method === "PUT" && req.path.includes("approval-gate/")) {
                done = true;
                before();
            }
            return handle(req);
        };
    };
    return { fake, cli, request, approve, clients, gate, asGate, state, statePuts, calendarEvents, beforeNextStateWrite, sent };
}

describe("approval gate: a person requests, another approves (npm run approve -- --request; real clients over tests/fakeAws.ts)", () => {
    it("bob requests, alice approves: the gate releases the install, recording both from STS and CloudTrail", async () => {
        const t = setup();
        const r = await t.request(BOB_REQUESTS);
        expect(r.code, r.out).to.equal(0);
        expect(r.out.split("\n")[0]).to.equal(`cycle 2026-12 of prod: requested by ${BOB_REQUESTS} at 2026-12-14T09:00:00.000Z (CAB-1234) — recorded in s3://artifacts/${KEY}`);
        // The first write of the cycle's state: only if there is none.
        expect(t.statePuts().map((p) => [p.headers["if-none-match"], p.headers["if-match"]])).to.deep.equal([["*", undefined]]);
        expect(t.state()).to.deep.equal({ stack: "prod", cycle: "2026-12", requestedAt: NOW.toISOString(), status: "requested", requestedBy: BOB_REQUESTS, requestedVia: "person", requestReason: "CAB-1234" });
        const a = await t.approve(ALICE_APPROVES);
        expect(a.code, a.out).to.equal(0);
        // The approval is in the approver's calendar; the installs' calendar stays closed until the gate releases it.
        expect(t.calendarEvents(APPROVALS)).to.have.length(1);
        expect(t.calendarEvents()).to.deep.equal([]);
        expect(a.out).to.contain(`the approval gate releases it to ${CALENDAR} (what the installs check)`);
        const check = await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        expect(check.action).to.equal("approved");
        expect(t.state()).to.deep.include({ status: "approved", requestedBy: BOB_REQUESTS, by: ALICE_APPROVES, calendarVersion: "2" });
        // Released: the installs' calendar is open when the install starts (Thu 02:00 UTC), with the approval's window, written once by the gate.
        const [approved] = t.calendarEvents(APPROVALS);
        const [released] = t.calendarEvents();
        expect([released.uid, released.start, released.end]).to.deep.equal([approved.uid, approved.start, approved.end]);
        expect(isOpenAt(t.calendarEvents(), new Date("2026-12-17T02:00:00Z"))).to.equal(true);
        expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(2);
        expect(t.fake.documents.get(APPROVALS)!.versions).to.have.length(2);
        // The check's write is conditional on what it read.
        expect(t.statePuts().at(-1)!.headers["if-match"]).to.equal(t.fake.objects.get(`${BUCKET}/${KEY}`)!.at(-2)!.etag);
    });

    it("alice requests and approves: the command refuses before the calendar opens; written around the command, the gate holds it with the reason", async () => {
        const t = setup();
        expect((await t.request(ALICE_REQUESTS)).code).to.equal(0);
        const refused = await t.approve(ALICE_APPROVES);
        expect(refused.code).to.equal(1);
        expect(refused.out).to.equal(`not approved, the calendar is unchanged — two-person rule: ${ALICE_APPROVES} requested this install and cannot approve it (same person as ${ALICE_REQUESTS}, under another role)\n`);
        expect(t.fake.count("UpdateDocument")).to.equal(0);
        // Alice writes her calendar herself (the approver role may; the release calendar it may not — tests/wiring.operatorRoles.test.ts): the gate does not count it.
        t.fake.documentWriter = ALICE_APPROVES;
        await openCalendar(t.clients.ssm, APPROVALS, { start: NOW, hours: 72, by: ALICE_APPROVES, approver: ALICE_APPROVES, cycle: "2026-12", reason: "CAB-1234", now: WRITTEN });
        const check = await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        expect(check.action).to.equal("waiting");
        expect(t.state().status).to.equal("requested");
        expect(t.state().rejected?.map((x) => x.reason)).to.deep.equal([`two-person rule: ${ALICE_APPROVES} requested this install and cannot approve it (same person as ${ALICE_REQUESTS}, under another role)`]);
        expect(t.sent).to.deep.equal(["[patching/prod] Approval not accepted: 2026-12 install"]);
        // Her period never reaches the installs' calendar: it stays closed, so the install (Thu 02:00) does not start.
        expect(isOpenAt(t.calendarEvents(APPROVALS), new Date("2026-12-17T02:00:00Z"))).to.equal(true);
        expect(t.calendarEvents()).to.deep.equal([]);
        expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(1);
    });

    it("the scheduled request alone: the install is held (no person requested this cycle), the approve command refuses, and the timeout skips", async () => {
        const t = setup();
        const scheduled = await t.asGate(() => requestApproval(t.clients, t.gate(NOW)));
        expect(scheduled.state).to.deep.include({ requestedBy: GATE, requestedVia: "schedule" });
        expect(t.sent).to.deep.equal(["[patching/prod] Request needed for the 2026-12 install"]);
        const refused = await t.approve(ALICE_APPROVES);
        expect(refused.code).to.equal(1);
        expect(refused.out).to.match(/^not approved, the calendar is unchanged — no person requested this cycle: requested by .*patching-prod-approval-gate, which is not a session of the requester role arn:aws:iam::123456789012:role\/patching-prod-requester; a person requests it with npm run approve -- --request --stack prod/);
        // An approval written around the command is not even looked at: held, with the reason recorded once and sent once,
        // and the installs' calendar never opens for it (the approver writes its own calendar only).
        t.fake.documentWriter = ALICE_APPROVES;
        await openCalendar(t.clients.ssm, APPROVALS, { start: NOW, hours: 72, by: ALICE_APPROVES, approver: ALICE_APPROVES, cycle: "2026-12", reason: "CAB-1234", now: WRITTEN });
        expect(isOpenAt(t.calendarEvents(APPROVALS), CHECK)).to.equal(true);
        expect(isOpenAt(t.calendarEvents(), CHECK)).to.equal(false);
        for (const at of [CHECK, new Date("2026-12-14T11:00:00Z")]) {
            const held = await t.asGate(() => checkApproval(t.clients, t.gate(at)));
            expect(held.action).to.equal("held");
            expect(held.state?.held).to.match(/^no person requested this cycle: /);
        }
        expect(t.state()).to.deep.include({ status: "requested", requestedBy: GATE });
        expect(t.sent.slice(1)).to.deep.equal(["[patching/prod] Held: 2026-12 install (no person requested)"]);
        expect(t.fake.count("LookupEvents")).to.equal(0);
        expect(t.calendarEvents()).to.deep.equal([]);
        expect(isOpenAt(t.calendarEvents(), new Date("2026-12-17T02:00:00Z"))).to.equal(false);
        // Never written: nothing was released.
        expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(1);
        // 36 hours after the request, still nobody: skipped — never opened, whatever the calendar holds.
        const late = await t.asGate(() => checkApproval(t.clients, t.gate(new Date("2026-12-15T21:00:00Z"))));
        expect(late.action).to.equal("skipped");
        expect(t.state()).to.deep.include({ status: "skipped", by: "timeout policy (no person requested within 36 h)" });
    });

    it("a person's request replaces the scheduled one (If-Match its ETag), keeping it on record; then the rule is satisfied", async () => {
        const t = setup();
        await t.asGate(() => requestApproval(t.clients, t.gate(NOW)));
        const scheduledEtag = t.fake.current(BUCKET, KEY)!.etag;
        const r = await t.request(BOB_REQUESTS);
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("(replacing the scheduled request of 2026-12-14T09:00:00.000Z)");
        expect(t.statePuts().at(-1)!.headers["if-match"]).to.equal(scheduledEtag);
        expect(t.state()).to.deep.include({ requestedBy: BOB_REQUESTS, requestedVia: "person", scheduledRequest: { requestedAt: NOW.toISOString(), requestedBy: GATE } });
        expect((await t.approve(ALICE_APPROVES)).code).to.equal(0);
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)))).action).to.equal("approved");
    });

    it("the scheduled run never overwrites a person's request: not when it is there, not when it lands between the run's read and write", async () => {
        const t = setup();
        expect((await t.request(BOB_REQUESTS)).code).to.equal(0);
        expect((await t.asGate(() => requestApproval(t.clients, t.gate(NOW)))).action).to.equal("already-requested");
        expect(t.statePuts()).to.have.length(1);
        // The race: the function read no state; bob's request lands before its write, whose If-None-Match fails.
        const race = setup();
        const bobs: GateState = { stack: "prod", cycle: "2026-12", requestedAt: NOW.toISOString(), status: "requested", requestedBy: BOB_REQUESTS, requestedVia: "person", requestReason: "CAB-9" };
        race.beforeNextStateWrite(() => race.fake.put(BUCKET, KEY, JSON.stringify(bobs)));
        const r = await race.asGate(() => requestApproval(race.clients, race.gate(NOW)));
        expect(r.action).to.equal("already-requested");
        expect(race.state()).to.deep.equal(bobs);
        expect(race.sent).to.deep.equal([]);
        // The hourly check read the scheduled request; bob's lands before its write (If-Match fails): bob's stays.
        const check = setup();
        await check.asGate(() => requestApproval(check.clients, check.gate(NOW)));
        check.beforeNextStateWrite(() => check.fake.put(BUCKET, KEY, JSON.stringify(bobs)));
        expect((await check.asGate(() => checkApproval(check.clients, check.gate(CHECK)))).action).to.equal("waiting");
        expect(check.state()).to.deep.equal(bobs);
    });

    it("two concurrent requests: one wins by the precondition, the other is told who won and nothing of it is written", async () => {
        // Deterministic interleaving: carol's request lands between bob's read and bob's write.
        const t = setup();
        const carols: GateState = { stack: "prod", cycle: "2026-12", requestedAt: NOW.toISOString(), status: "requested", requestedBy: CAROL_REQUESTS, requestedVia: "person", requestReason: "CAB-7" };
        t.beforeNextStateWrite(() => t.fake.put(BUCKET, KEY, JSON.stringify(carols)));
        const bob = await t.request(BOB_REQUESTS);
        expect(bob.code).to.equal(1);
        expect(bob.out).to.equal(
            `cycle 2026-12 of prod: another request of cycle 2026-12 was written at the same time (by ${CAROL_REQUESTS} at ${NOW.toISOString()}); yours was not recorded (s3://artifacts/${KEY} was changed by another writer since it was read (PreconditionFailed): nothing was written)\n`,
        );
        expect(t.state()).to.deep.equal(carols);
        // The same race over the scheduled request (If-Match): the loser's ETag is stale.
        const s = setup();
        await s.asGate(() => requestApproval(s.clients, s.gate(NOW)));
        s.beforeNextStateWrite(() => s.fake.put(BUCKET, KEY, JSON.stringify(carols)));
        expect((await s.request(BOB_REQUESTS)).code).to.equal(1);
        expect(s.state()).to.deep.equal(carols);
        // Two requests really at once: exactly one is recorded, the other exits 1.
        const both = setup();
        const codes = await Promise.all([both.request(BOB_REQUESTS), both.request(CAROL_REQUESTS)].map((p) => p.then((x) => x.code)));
        expect(codes.sort()).to.deep.equal([0, 1]);
        expect(both.fake.objects.get(`${BUCKET}/${KEY}`)).to.have.length(1);
    });

    it("who may request: only a session of the requester role; a second request by another person is refused, by the same one is a no-op; a decided cycle takes none", async () => {
        const t = setup();
        const stranger = await t.request(session("Admin", "mallory"));
        expect(stranger.code).to.equal(1);
        expect(stranger.out).to.contain("is not a session of the requester role patching-prod-requester");
        expect(t.statePuts()).to.have.length(0);
        // The approver role is no requester either.
        expect((await t.request(ALICE_APPROVES)).code).to.equal(1);
        expect((await t.request(BOB_REQUESTS)).code).to.equal(0);
        const again = await t.request(BOB_REQUESTS, "CAB-2");
        expect([again.code, again.out]).to.deep.equal([0, `cycle 2026-12 of prod was already requested by ${BOB_REQUESTS} at ${NOW.toISOString()} (you): nothing to do\n`]);
        const carol = await t.request(CAROL_REQUESTS);
        expect([carol.code, carol.out]).to.deep.equal([1, `cycle 2026-12 of prod was already requested by ${BOB_REQUESTS} at ${NOW.toISOString()}: your request was not recorded\n`]);
        expect(t.state().requestReason).to.equal("CAB-1234");
        expect((await t.approve(ALICE_APPROVES)).code).to.equal(0);
        await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        const late = await t.request(CAROL_REQUESTS);
        expect(late.code).to.equal(1);
        expect(late.out).to.contain(`is already decided (approved by ${ALICE_APPROVES}`);
    });

    it("whose request counts under the rule (personRequestReason): a requester role session; not the function, not an unrecorded requester, not another role", () => {
        const at = NOW.toISOString();
        const withRole = { requesterRoleArn: REQUESTER_ROLE, stack: "prod" };
        expect(personRequestReason({ requestedAt: at, requestedBy: BOB_REQUESTS }, withRole)).to.equal(undefined);
        expect(personRequestReason({ requestedAt: at }, withRole)).to.match(/^no person requested this cycle: the request of 2026-12-14T09:00:00.000Z records no requester; a person requests it with npm run approve -- --request --stack prod/);
        expect(personRequestReason({ requestedAt: at, requestedBy: ALICE_APPROVES }, withRole)).to.contain(`requested by ${ALICE_APPROVES}, which is not a session of the requester role ${REQUESTER_ROLE}`);
        // Without a requester role (the config requires one under the rule; the core still fails closed): anyone but the function's own role.
        const own = { ownArn: GATE.replace(/[^/]+$/, "another-invocation"), stack: "prod" };
        expect(personRequestReason({ requestedAt: at, requestedBy: GATE }, own)).to.contain(`requested by the gate function itself (${GATE})`);
        expect(personRequestReason({ requestedAt: at, requestedBy: BOB_REQUESTS }, own)).to.equal(undefined);
        expect(personRequestReason({ requestedAt: at, requestedBy: BOB_REQUESTS }, { stack: "prod" })).to.contain("requested by the gate function itself");
    });

    it("no ETag on the state read (a stripping proxy): nothing is written without a precondition, and the error says why", async () => {
        const t = setup();
        await t.asGate(() => requestApproval(t.clients, t.gate(NOW)));
        t.fake.dropResponseHeaders.add("etag");
        const puts = t.statePuts().length;
        let err: Error | undefined;
        await recordPersonRequest(t.clients.s3, { bucket: BUCKET, stack: "prod", cycle: "2026-12", now: NOW, requester: BOB_REQUESTS, reason: "CAB-1", isPerson: () => false }).catch((e: Error) => (err = e));
        expect(err?.message).to.equal(`s3://artifacts/${KEY}: GetObject returned no ETag, so a conditional write is impossible; not writing`);
        await t.asGate(() => checkApproval(t.clients, t.gate(CHECK))).catch((e: Error) => (err = e));
        expect(err?.message).to.contain("GetObject returned no ETag");
        expect(t.statePuts()).to.have.length(puts);
        expect(t.state().requestedBy).to.equal(GATE);
    });

    it("usage: --request needs --bucket and --reason; approving under the rule needs --bucket (exit 3, nothing written)", async () => {
        const t = setup();
        expect((await t.cli(BOB_REQUESTS, ["--request", "--stack", "prod", "--reason", "x"])).code).to.equal(3);
        expect((await t.cli(BOB_REQUESTS, ["--request", "--stack", "prod", "--bucket", BUCKET])).code).to.equal(3);
        expect((await t.cli(BOB_REQUESTS, ["--request", "--stack", "prod", "--bucket", BUCKET, "--reason", "x", "--hours", "4"])).code).to.equal(3);
        const noBucket = await t.cli(ALICE_APPROVES, ["--stack", "prod", "--reason", "CAB-1"]);
        expect(noBucket.code).to.equal(3);
        expect(noBucket.out).to.contain("the two-person rule is on: give --bucket");
        expect(t.fake.requests.filter((r) => r.service !== "sts")).to.deep.equal([]);
    });
});

describe("approval gate, two-person rule: the approver's calendar and the release calendar the installs check (real clients over tests/fakeAws.ts)", () => {
    const INSTALL = new Date("2026-12-17T02:00:00Z");
    /** bob requests, alice approves through the command: the approval is in the approver's calendar only. */
    const approved = async () => {
        const t = setup();
        expect((await t.request(BOB_REQUESTS)).code).to.equal(0);
        expect((await t.approve(ALICE_APPROVES)).code).to.equal(0);
        return t;
    };

    it("a direct approver write with no request at all: nothing is released, the installs stay held", async () => {
        const t = setup();
        t.fake.documentWriter = ALICE_APPROVES;
        await openCalendar(t.clients.ssm, APPROVALS, { start: NOW, hours: 72, by: ALICE_APPROVES, approver: ALICE_APPROVES, cycle: "2026-12", reason: "self-service", now: WRITTEN });
        const check = await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        expect(check.action).to.equal("nothing-requested");
        expect(isOpenAt(t.calendarEvents(), INSTALL)).to.equal(false);
        expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(1);
        // Even a forged request in the state (not a requester role session) releases nothing.
        t.fake.put(BUCKET, KEY, JSON.stringify({ stack: "prod", cycle: "2026-12", requestedAt: NOW.toISOString(), status: "requested", requestedBy: session("Admin", "mallory"), requestedVia: "person" }));
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)))).action).to.equal("held");
        expect(t.calendarEvents()).to.deep.equal([]);
    });

    it("an approval opened before the request (last cycle's habit) is not released", async () => {
        const t = setup();
        // Opened before the request (last cycle's habit): written at WRITTEN, the request comes after.
        t.fake.documentWriter = ALICE_APPROVES;
        await openCalendar(t.clients.ssm, APPROVALS, { start: WRITTEN, hours: 72, by: ALICE_APPROVES, approver: ALICE_APPROVES, cycle: "2026-12", reason: "early", now: WRITTEN });
        const later = new Date("2026-12-14T09:30:00Z");
        t.fake.put(BUCKET, KEY, JSON.stringify({ stack: "prod", cycle: "2026-12", requestedAt: later.toISOString(), status: "requested", requestedBy: BOB_REQUESTS, requestedVia: "person" }));
        const check = await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        expect(check.action).to.equal("waiting");
        expect(t.state().rejected?.map((r) => r.reason)[0]).to.match(/^opened before the request/);
        expect(t.calendarEvents()).to.deep.equal([]);
    });

    it("withdrawn with --close: the next check ends the release period at once; a new approval is released again", async () => {
        const t = await approved();
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)))).action).to.equal("approved");
        expect(isOpenAt(t.calendarEvents(), INSTALL)).to.equal(true);
        // A later check with nothing changed writes nothing.
        const versions = t.fake.documents.get(CALENDAR)!.versions.length;
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(new Date("2026-12-14T11:00:00Z"))))).action).to.equal("approved");
        expect(t.fake.documents.get(CALENDAR)!.versions).to.have.length(versions);
        // Alice withdraws her approval in her calendar (the command ends it now).
        const close = await t.cli(ALICE_APPROVES, ["--stack", "prod", "--close"]);
        expect(close.code, close.out).to.equal(0);
        expect(close.out).to.equal(`${APPROVALS}: 1 approval(s) closed or withdrawn; the approval gate ends the release in ${CALENDAR} at its next check (within the hour, minutes after CloudTrail delivers this change) — a run already started finishes; stop it with aws ssm stop-automation-execution.\n`);
        const at = new Date("2026-12-14T12:00:00Z");
        const withdrawn = await t.asGate(() => checkApproval(t.clients, t.gate(at)));
        expect(withdrawn.action).to.equal("withdrawn");
        expect(t.state()).to.deep.include({ status: "approved", withdrawnAt: at.toISOString(), openUntil: at.toISOString() });
        const [ended] = t.calendarEvents();
        expect(ended.end.toISOString()).to.equal(at.toISOString());
        expect(ended.description).to.contain("Ended by the approval gate at 2026-12-14T12:00:00.000Z: the approval is withdrawn, edited or no longer counted");
        expect(isOpenAt(t.calendarEvents(), INSTALL)).to.equal(false);
        expect(t.sent.at(-1)).to.equal("[patching/prod] Withdrawn: 2026-12 install");
        // Checked again: nothing more to do.
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(new Date("2026-12-14T13:00:00Z"))))).action).to.equal("withdrawn");
        // Carol approves anew: released with her window.
        const carol = session("patching-prod-approver", "carol");
        t.fake.clock = () => new Date("2026-12-14T13:10:00Z");
        expect((await t.cli(carol, ["--stack", "prod", "--reason", "CAB-1234", "--hours", "72", "--bucket", BUCKET, "--start", "2026-12-14T14:00:00Z"])).code).to.equal(0);
        const again = await t.asGate(() => checkApproval(t.clients, t.gate(new Date("2026-12-14T14:00:00Z"))));
        expect(again.action).to.equal("approved");
        expect(t.state()).to.deep.include({ by: carol, openUntil: "2026-12-17T14:00:00.000Z" });
        expect(t.state().withdrawnAt).to.equal(undefined);
        expect(isOpenAt(t.calendarEvents(), INSTALL)).to.equal(true);
    });

    it("edited after the fact (the approver extends the window in place): the release ends", async () => {
        const t = await approved();
        await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        const doc = t.fake.documents.get(APPROVALS)!;
        const content = doc.versions.find((v) => v.version === doc.defaultVersion)!.content;
        const [e] = parseCalendarEvents(content);
        t.fake.documentWriter = ALICE_APPROVES;
        const { writeCalendar } = await import("../core/approvalGate");
        await writeCalendar(t.clients.ssm, APPROVALS, renderCalendarContent("Approvals", [{ ...e, end: new Date(e.end.getTime() + 7 * 86400000) }]));
        const at = new Date("2026-12-14T11:00:00Z");
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(at)))).action).to.equal("withdrawn");
        expect(t.calendarEvents()[0].end.toISOString()).to.equal(at.toISOString());
    });

    it("after the released period, the check reads nothing", async () => {
        const t = await approved();
        await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        const reads = t.fake.count("GetDocument");
        expect((await t.asGate(() => checkApproval(t.clients, t.gate(new Date("2026-12-18T00:00:00Z"))))).action).to.equal("approved");
        expect(t.fake.count("GetDocument")).to.equal(reads);
    });

    it("--status shows both calendars: the approval, and what the installs check", async () => {
        const t = await approved();
        const before = await t.cli(ALICE_APPROVES, ["--stack", "prod", "--status"]);
        expect(before.out.split("\n").slice(0, 3)).to.deep.equal([
            "approvals (written by the approver role; no install checks this calendar):",
            `${APPROVALS}: OPEN now (${NOW.toISOString()})`,
            `  open ${NOW.toISOString()} – 2026-12-17T09:00:00.000Z: Approved by ${ALICE_APPROVES} (CAB-1234)`,
        ]);
        expect(before.out).to.contain(`${CALENDAR}: CLOSED now`);
        expect(before.out).to.contain("the calendar is closed then: it will not run");
        await t.asGate(() => checkApproval(t.clients, t.gate(CHECK)));
        expect((await t.cli(ALICE_APPROVES, ["--stack", "prod", "--status"])).out).to.contain("inside an open period: it will run");
    });
});
