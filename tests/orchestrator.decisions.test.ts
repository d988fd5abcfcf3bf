/**
 * The run's decisions, summary and restore on their edge cases: boundaries (exactly the deadline,
 * exactly the budget, exactly the size limit), errors the steps turn into reasons, what a summary
 * says and how it is cut to fit SNS and CloudWatch Logs, and what each restore touches.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInstancesCommand, EC2Client, InstanceStateName, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import * as fc from "fast-check";
import { applyGate, errorBudget, errorText, MAX_RUN_INSTANCES, planRun, priorityRank, recordBatch, runInfo, splitIntoBatches } from "../core/orchestrator/plan";
import { InstancesStillStartingError, restoreFailedBatch, restoreInstances, restoreRun } from "../core/orchestrator/restore";
import { buildSummary, formatSummary, LOG_EVENT_TEXT_MAX, publishSummary, runFailed, summaryJson, summaryMessage, writeSummaryLog } from "../core/orchestrator/summary";
import type { InstanceRecord, RunState, RunSummary, TargetInstance } from "../core/orchestrator/types";
import { settings } from "./support/settings";

const NOW = new Date("2026-12-01T22:55:00Z");
const target = (id: string, extra: Partial<TargetInstance> = {}): TargetInstance => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Linux", originalState: "running", ...extra });
const rec = (id: string, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({ ...target(id), status: "pending", ...extra });
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe("orchestrator decisions: plan edge cases", () => {
    it("an instance type family (m5.*) matches its members only, from the start of the type", () => {
        expect(priorityRank("m5.large", ["c5.large", "m5.*"])).to.equal(1);
        expect(priorityRank("m5d.large", ["m5.*"])).to.equal(1);
        expect(priorityRank("xm5.large", ["m5.*"])).to.equal(1);
        expect(priorityRank("m5.*", ["m5.large"])).to.equal(1);
    });

    it("batches of 1 are allowed; a batch size below 1 or not whole is refused with the value", () => {
        expect(splitIntoBatches(["a", "b"], 1)).to.deep.equal([["a"], ["b"]]);
        expect(() => splitIntoBatches(["a"], 0)).to.throw("batch size must be a positive whole number, got 0");
        expect(() => splitIntoBatches(["a"], 1.5)).to.throw("batch size must be a positive whole number, got 1.5");
    });

    it("maxErrors: counts of several digits, percentages of 1–3 digits; anything else is refused with the value", () => {
        expect(errorBudget("12", 100)).to.equal(12);
        expect(errorBudget("5%", 100)).to.equal(5);
        expect(errorBudget("100%", 3)).to.equal(3);
        for (const bad of ["12a", "a12", "20%x", "x20%", "1000%", "%", ""]) expect(() => errorBudget(bad, 10), bad).to.throw(`maxErrors must be a count or a percentage, got ${bad}`);
    });

    it("records the window execution that started the run, never the unsubstituted placeholder", () => {
        expect(runInfo({ runId: "r", windowExecutionId: "0a1b2c3d-1111-2222-3333-444455556666", settings: settings(), now: NOW }).windowExecutionId).to.equal("0a1b2c3d-1111-2222-3333-444455556666");
        expect(runInfo({ runId: "r", windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: settings(), now: NOW })).to.not.have.property("windowExecutionId");
    });

    it(`takes up to ${MAX_RUN_INSTANCES} instances in one run, and refuses one more`, () => {
        const many = (n: number) => Array.from({ length: n }, (_, i) => target(`i-${String(i).padStart(17, "0")}`));
        expect(planRun({ runId: "r", settings: settings({ batchSize: 50 }), targets: many(MAX_RUN_INSTANCES), now: NOW }).batches).to.have.length(10);
        expect(() => planRun({ runId: "r", settings: settings(), targets: many(MAX_RUN_INSTANCES + 1), now: NOW })).to.throw(`501 target instances exceed the ${MAX_RUN_INSTANCES} one run handles`);
    });

    it("nothing matched: the run finishes at once, saying why", () => {
        expect(planRun({ runId: "r", settings: settings(), targets: [], now: NOW }).next).to.deep.equal({ action: "finish", reason: "no-targets", detail: "no running or stopped instance matched the targets" });
    });

    it("at exactly the deadline no batch starts; a result for an instance of another batch is ignored", () => {
        let run = planRun({ runId: "r", settings: settings({ batchSize: 1, maxRuntimeMinutes: 60 }), targets: [target("i-1"), target("i-2")], now: NOW });
        run = recordBatch(run, { instances: [rec("i-1", { status: "patched" }), rec("i-2", { status: "failed", reason: "not its batch" })] }, undefined, new Date(Date.parse(run.run.deadline)));
        expect(run.next).to.deep.include({ action: "finish", reason: "deadline" });
        expect(run.instances["i-2"]).to.deep.include({ status: "skipped", reason: "not attempted: no batch starts after 2026-12-01T23:55:00.000Z (maxRuntimeMinutes 60)" });
    });

    it("a finished run does not skip anything; the last batch's pending instances are failed", () => {
        let run = planRun({ runId: "r", settings: settings({ batchSize: 2, maxErrors: "100%" }), targets: [target("i-1"), target("i-2")], now: NOW });
        run = recordBatch(run, { instances: [rec("i-1", { status: "patched" })] }, undefined, NOW);
        expect(run.next).to.deep.equal({ action: "finish", reason: "done" });
        expect(run.instances["i-2"]).to.deep.include({ status: "failed", reason: "batch execution failed: unknown error" });
    });

    it("the approval gate: a closed calendar before a batch ends the run, skipping the rest with the calendar and its next change; open, or already finishing, changes nothing", () => {
        const run = planRun({ runId: "r", settings: settings({ batchSize: 1 }), targets: [target("i-1"), target("i-2")], now: NOW });
        const closed = { open: false, calendar: "dev-approvals", nextTransitionTime: "2026-12-02T06:00:00Z" };
        const stopped = applyGate(run, closed);
        const detail = "approval calendar dev-approvals is CLOSED (next change 2026-12-02T06:00:00Z): no further batch starts";
        expect(stopped.next).to.deep.equal({ action: "finish", reason: "calendar-closed", detail });
        expect(stopped.instances["i-1"]).to.deep.include({ status: "skipped", reason: `not attempted: ${detail}` });
        expect(stopped.gate).to.deep.equal(closed);
        expect(applyGate(run, { open: true, calendar: "dev-approvals" })).to.deep.equal({ ...run, gate: { open: true, calendar: "dev-approvals" } });
        const finishing: RunState = { ...run, next: { action: "finish", reason: "done" } };
        expect(applyGate(finishing, closed)).to.deep.equal({ ...finishing, gate: closed });
    });

    it("an error's text: Lambda's errorMessage or a nested Cause, else the plain cause; empty parts left out; at most 300 characters", () => {
        expect(errorText(undefined)).to.equal("unknown error");
        expect(errorText({})).to.equal("unknown error");
        expect(errorText({ Error: "States.Timeout" })).to.equal("States.Timeout");
        expect(errorText({ Error: "", Cause: "plain text" })).to.equal("plain text");
        expect(errorText({ Error: "States.TaskFailed", Cause: JSON.stringify({ Error: "X", Cause: "the child's cause" }) })).to.equal("States.TaskFailed: the child's cause");
        expect(errorText({ Error: "E", Cause: "c".repeat(297) })).to.equal(`E: ${"c".repeat(297)}`);
        const long = errorText({ Error: "E", Cause: "c".repeat(298) });
        expect(long).to.have.length(300);
        expect(long).to.equal(`E: ${"c".repeat(294)}...`);
    });
});

describe("orchestrator decisions: the summary", () => {
    const run = { runId: "run-1", orchestrator: "dev-fleet", startedAt: "2026-12-01T22:55:00.000Z", deadline: "x", settings: settings() };
    const at = new Date("2026-12-02T01:00:00Z");

    it("says why the run ended, with the final restore's failure added; counts started-and-stopped only when the run started it AND stopped it", () => {
        const instances = {
            a: rec("a", { status: "patched", startedByRun: true, restore: "stopped" }),
            b: rec("b", { status: "patched", startedByRun: true, restore: "stop-failed" }),
            c: rec("c", { status: "patched", restore: "stopped", warnings: [] }),
        };
        const s = buildSummary({ run, instances, next: { action: "finish", reason: "deadline", detail: "no batch starts after x" }, finalRestoreError: { Error: "Lambda.Unknown", Cause: "boom" } }, at);
        expect(s).to.deep.include({ reason: "deadline", detail: "no batch starts after x; final restore failed: Lambda.Unknown: boom" });
        expect(s.counts.startedAndStopped).to.equal(1);
        expect(s.instances.find((i) => i.instanceId === "c")).to.not.have.property("warnings");
        const onlyRestore = buildSummary({ run, instances, next: { action: "finish", reason: "done" }, finalRestoreError: { Error: "X" } }, at);
        expect(onlyRestore).to.deep.include({ reason: "done", detail: "final restore failed: X" });
        expect(runFailed(onlyRestore)).to.equal(false);
        const noDetail = buildSummary({ run, instances, next: { action: "finish", reason: "done" } }, at);
        expect(noDetail).to.not.have.property("detail");
    });

    it("a run cut short by an error fails, and so does one stopped at its error threshold even with no failed instance counted", () => {
        const s = buildSummary({ run, instances: {}, next: { action: "finish", reason: "error-threshold", detail: "d" } }, at);
        expect(runFailed(s)).to.equal(true);
        expect(runFailed(buildSummary({ run, instances: {} }, at))).to.equal(true);
        expect(buildSummary({ run, instances: {} }, at).reason).to.equal("error");
        expect(buildSummary({ instances: {} }, at)).to.deep.include({ runId: "unknown", orchestrator: "unknown", startedAt: at.toISOString() });
    });

    it("the text names the instances not reached", () => {
        const s = buildSummary({ run, instances: { a: rec("a"), b: rec("b", { status: "patched" }) }, next: { action: "finish", reason: "done" } }, at);
        expect(formatSummary(s).split("\n")[2]).to.equal("2 targets: 1 patched, 0 failed, 0 skipped, 1 not reached; 0 started for patching and stopped again");
        expect(formatSummary(s).split("\n")[4]).to.match(/^PENDING {2}a /);
    });

    const big = (n: number, name = "web"): RunSummary =>
        buildSummary(
            {
                run,
                instances: Object.fromEntries(Array.from({ length: n }, (_, i) => [`i-${i}`, rec(`i-${i}`, { name, status: i % 10 === 0 ? "failed" : "patched", ...(i % 10 === 0 ? { reason: "AWS-RunPatchBaseline Failed" } : {}) })])),
                next: { action: "finish", reason: "done" },
            },
            at,
        );

    it("the JSON for the log: whole when it fits (also exactly), else without the patched instances, else without any", () => {
        const s = big(50);
        const full = JSON.stringify(s);
        expect(summaryJson(s, Buffer.byteLength(full))).to.equal(full);
        const failing = JSON.parse(summaryJson(s, Buffer.byteLength(full) - 1)) as RunSummary & { instancesOmitted: string };
        expect(failing.instancesOmitted).to.equal("patched");
        expect(failing.instances.map((i) => i.status)).to.deep.equal(Array(5).fill("failed"));
        const none = JSON.parse(summaryJson(s, 300)) as RunSummary & { instancesOmitted: string };
        expect(none).to.deep.include({ instancesOmitted: "all", instances: [] });
        expect(none.counts).to.deep.equal(s.counts);
        const exactShort = JSON.stringify({ ...s, instances: s.instances.filter((i) => i.status !== "patched"), instancesOmitted: "patched" });
        expect(summaryJson(s, Buffer.byteLength(exactShort))).to.equal(exactShort);
    });

    it("the message is never longer than its limit in UTF-8 bytes (Name tags need not be ASCII): whole, failures only, or cut with a note", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 400 }), fc.constantFrom("web", "ウェブサーバー", "Ünïcödé-名前"), fc.integer({ min: 60, max: 40_000 }), (n, name, maxBytes) => {
                const s = big(n, name);
                const m = summaryMessage(s, maxBytes);
                expect(Buffer.byteLength(m)).to.be.at.most(maxBytes);
                expect(m).to.not.contain("\uFFFD");
                if (Buffer.byteLength(formatSummary(s)) <= maxBytes) expect(m).to.equal(formatSummary(s));
                else expect(m).to.not.contain("PATCHED ");
            }),
            { numRuns: 60, seed: 19 },
        );
        const s = big(400, "ウェブサーバー");
        const cut = summaryMessage(s, 2000);
        expect(cut.endsWith("\n(truncated; see the log)")).to.equal(true);
        expect(cut.startsWith("Patch orchestrator dev-fleet, run run-1\n")).to.equal(true);
        const failuresOnly = summaryMessage(s, 20_000);
        expect(failuresOnly.endsWith("\n(patched instances omitted; see the log)")).to.equal(true);
        expect(failuresOnly.match(/^FAILED /gm)).to.have.length(40);
    });

    describe("log and topic", () => {
        let logs: AwsClientStub<CloudWatchLogsClient>;
        let sns: AwsClientStub<SNSClient>;
        before(() => {
            logs = mockClient(CloudWatchLogsClient);
            sns = mockClient(SNSClient);
        });
        beforeEach(() => [logs, sns].forEach((m) => m.reset()));
        after(() => [logs, sns].forEach((m) => m.restore()));

        it("the log stream is orchestrator/<name>/<run id> without the characters CloudWatch Logs refuses (: and *), at most 512 long; created once", async () => {
            logs.on(PutLogEventsCommand).resolves({});
            logs.on(CreateLogStreamCommand).resolves({});
            const s = buildSummary({ run: { ...run, runId: `arn:aws:states:x*${"r".repeat(600)}` }, instances: {}, next: { action: "finish", reason: "done" } }, at);
            const stream = await writeSummaryLog(new CloudWatchLogsClient({ region: "us-east-1" }), "/aws/ssm/patch-manager", s, at);
            expect(stream).to.have.length(512);
            expect(stream.startsWith("orchestrator/dev-fleet/arn-aws-states-x-rrr")).to.equal(true);
            expect(logs.commandCalls(CreateLogStreamCommand).map((c) => c.args[0].input)).to.deep.equal([{ logGroupName: "/aws/ssm/patch-manager", logStreamName: stream }]);
            const put = logs.commandCalls(PutLogEventsCommand)[0].args[0].input;
            expect(put.logStreamName).to.equal(stream);
            expect(put.logEvents!.map((e) => e.message)).to.deep.equal([summaryMessage(s, LOG_EVENT_TEXT_MAX), summaryJson(s, LOG_EVENT_TEXT_MAX)]);
        });

        it("any other CreateLogStream error fails the step (nothing is written)", async () => {
            logs.on(CreateLogStreamCommand).rejects(awsError("AccessDeniedException", "logs:CreateLogStream denied"));
            const s = buildSummary({ run, instances: {} }, at);
            let err: Error | undefined;
            await writeSummaryLog(new CloudWatchLogsClient({ region: "us-east-1" }), "g", s, at).catch((e: Error) => (err = e));
            expect(err?.name).to.equal("AccessDeniedException");
            expect(logs.commandCalls(PutLogEventsCommand)).to.have.length(0);
        });

        it("a run that went well is published with outcome OK", async () => {
            sns.on(PublishCommand).resolves({ MessageId: "m-2" });
            const s = buildSummary({ run, instances: { a: rec("a", { status: "patched" }) }, next: { action: "finish", reason: "done" } }, at);
            await publishSummary(new SNSClient({ region: "us-east-1" }), "arn:aws:sns:us-east-1:123456789012:t", s);
            const input = sns.commandCalls(PublishCommand)[0].args[0].input;
            expect(input.MessageAttributes!.outcome).to.deep.equal({ DataType: "String", StringValue: "OK" });
            expect(input.Subject).to.equal("[OK] dev-fleet patching: 1 patched, 0 failed, 0 skipped");
        });
    });
});

describe("orchestrator decisions: restore", () => {
    let ec2Mock: AwsClientStub<EC2Client>;
    const ec2 = new EC2Client({ region: "us-east-1" });
    before(() => (ec2Mock = mockClient(EC2Client)));
    beforeEach(() => ec2Mock.reset());
    after(() => ec2Mock.restore());
    /** DescribeInstances by instance-id filter over a table of current states; State left out for ids mapped to undefined. */
    const world = (current: Record<string, string | undefined>) =>
        ec2Mock.on(DescribeInstancesCommand).callsFake((input: { Filters?: { Values?: string[] }[] }) => ({
            Reservations: [{ Instances: (input.Filters?.[0].Values ?? []).filter((id) => id in current).map((id) => ({ InstanceId: id, ...(current[id] ? { State: { Name: current[id] as InstanceStateName } } : {}) })) }],
        }));

    it("asks EC2 about 200 instances at a time (the filter's limit), following every page", async () => {
        const ids = Array.from({ length: 201 }, (_, i) => `i-${String(i).padStart(17, "0")}`);
        ec2Mock
            .on(DescribeInstancesCommand)
            .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: ids[0], State: { Name: "running" } }] }], NextToken: "page-2" })
            .resolvesOnce({ Reservations: [{ Instances: ids.slice(1, 200).map((InstanceId) => ({ InstanceId, State: { Name: "stopped" as InstanceStateName } })) }] })
            .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: ids[200], State: { Name: "running" } }] }] });
        ec2Mock.on(StopInstancesCommand).resolves({});
        const result = await restoreInstances(ec2, ids.map((instanceId) => ({ instanceId, originalState: "stopped" as const })));
        const calls = ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
        expect(calls.map((c) => [c.Filters![0].Values!.length, c.NextToken])).to.deep.equal([
            [200, undefined],
            [200, "page-2"],
            [1, undefined],
        ]);
        expect(result.stopped).to.deep.equal([ids[0], ids[200]]);
        expect(result.alreadyStopped).to.have.length(199);
    });

    it("calls EC2 not at all when nothing was stopped before the run", async () => {
        const result = await restoreInstances(ec2, [{ instanceId: "i-1", originalState: "running" }]);
        expect(ec2Mock.calls()).to.have.length(0);
        expect(result).to.deep.equal({ stopped: [], alreadyStopped: [], leftRunning: ["i-1"], failed: [] });
    });

    it("an instance EC2 no longer returns a state for counts as already stopped; one still pending asks for a retry, naming it", async () => {
        world({ "i-nostate": undefined, "i-pending": "pending" });
        let err: Error | undefined;
        await restoreInstances(ec2, [
            { instanceId: "i-nostate", originalState: "stopped" },
            { instanceId: "i-pending", originalState: "stopped" },
        ]).catch((e: Error) => (err = e));
        expect(err).to.be.instanceOf(InstancesStillStartingError);
        expect(err!.message).to.equal("instances still starting, retry the restore: i-pending");
    });

    it("the batch's restore records what it did per instance, and a stop that failed as a warning", async () => {
        const { restoreBatch } = await import("../core/orchestrator/restore");
        world({ "i-a": "running", "i-b": "running", "i-c": "stopped" });
        ec2Mock.on(StopInstancesCommand, { InstanceIds: ["i-a", "i-b"] }).rejects(awsError("UnauthorizedOperation", "no"));
        ec2Mock.on(StopInstancesCommand, { InstanceIds: ["i-a"] }).resolves({});
        ec2Mock.on(StopInstancesCommand, { InstanceIds: ["i-b"] }).rejects(awsError("UnauthorizedOperation", "denied for i-b"));
        const out = await restoreBatch(
            {
                run: { runId: "r", orchestrator: "o", startedAt: "s", deadline: "d", settings: settings() },
                batchIndex: 0,
                batchCount: 1,
                instances: [rec("i-a", { originalState: "stopped", status: "patched" }), rec("i-b", { originalState: "stopped", status: "patched", warnings: ["a reboot was pending before patching"] }), rec("i-c", { originalState: "stopped", status: "patched" }), rec("i-d", { status: "patched" })],
            },
            ec2,
        );
        expect(out.instances.map((r) => [r.instanceId, r.restore])).to.deep.equal([
            ["i-a", "stopped"],
            ["i-b", "stop-failed"],
            ["i-c", "already-stopped"],
            ["i-d", "left-running"],
        ]);
        expect(out.instances[1].warnings).to.deep.equal(["a reboot was pending before patching", "could not be stopped again: UnauthorizedOperation: denied for i-b"]);
        expect(out.instances[0].warnings).to.equal(undefined);
    });

    const runState = (next: RunState["next"], cursor: number, instances: InstanceRecord[]): RunState => ({
        run: { runId: "r", orchestrator: "o", startedAt: "s", deadline: "d", settings: settings() },
        instances: Object.fromEntries(instances.map((r) => [r.instanceId, r])),
        batches: [["i-1"], ["i-2"], ["i-3"]],
        cursor,
        next,
    });

    it("the run's final sweep: the batches before the cursor and the one at it when it was running; a batch's 'stopped' is kept over the sweep's 'already-stopped'", async () => {
        world({ "i-1": "stopped", "i-2": "running", "i-3": "running" });
        ec2Mock.on(StopInstancesCommand).resolves({});
        const instances = [rec("i-1", { originalState: "stopped", restore: "stopped" }), rec("i-2", { originalState: "stopped" }), rec("i-3", { originalState: "stopped" })];
        const during = await restoreRun(runState({ action: "batch", batch: { run: runState({ action: "finish", reason: "done" }, 0, []).run, batchIndex: 1, batchCount: 3, instances: [] } }, 1, instances), ec2);
        expect(ec2Mock.commandCalls(StopInstancesCommand).map((c) => c.args[0].input.InstanceIds)).to.deep.equal([["i-2"]]);
        expect(during.instances["i-1"].restore).to.equal("stopped");
        expect(during.instances["i-3"].restore).to.equal(undefined);
        ec2Mock.resetHistory();
        await restoreRun(runState({ action: "finish", reason: "error" }, 1, instances), ec2);
        expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters![0].Values).to.deep.equal(["i-1"]);
    });

    it("a failed batch execution is restored at once from the run's latest records; with no batch next, nothing is touched", async () => {
        world({ "i-2": "running" });
        ec2Mock.on(StopInstancesCommand).resolves({});
        const latest = rec("i-2", { originalState: "stopped", status: "failed", reason: "batch execution failed" });
        const base = runState({ action: "finish", reason: "done" }, 1, [rec("i-1"), latest]);
        const next: RunState["next"] = { action: "batch", batch: { run: base.run, batchIndex: 1, batchCount: 3, instances: [rec("i-2", { originalState: "stopped" }), rec("i-9", { originalState: "running" })] } };
        const out = await restoreFailedBatch({ ...base, next }, ec2);
        expect(out.instances["i-2"]).to.deep.include({ status: "failed", reason: "batch execution failed", restore: "stopped" });
        expect(out.instances["i-9"]).to.deep.include({ restore: "left-running" });
        expect(out.instances["i-1"]).to.deep.equal(rec("i-1"));
        ec2Mock.resetHistory();
        expect(await restoreFailedBatch(base, ec2)).to.deep.equal(base);
        expect(ec2Mock.calls()).to.have.length(0);
    });
});
