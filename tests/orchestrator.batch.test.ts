/**
 * The batch steps (core/orchestrator/batch.ts) one by one, on the paths a whole run rarely takes:
 * paginated reads, a retried or throttled start, agents that report other platforms, commands that
 * time out, fail or lose their output, preflight reports that need a volume grown (or cannot have
 * it), volumes whose modification fails, partitions that stay too small. EC2/SSM clients are mocked
 * with aws-sdk-client-mock; every SendCommand / ListCommandInvocations / DescribeInstanceInformation
 * request is also checked against botocore's SSM model (tests/fixtures/ssm-model/constraints.json).
 */
import {
    DescribeInstancesCommand,
    DescribeVolumesCommand,
    DescribeVolumesModificationsCommand,
    EC2Client,
    InstanceStateName,
    ModifyVolumeCommand,
    StartInstancesCommand,
    VolumeModificationState,
} from "@aws-sdk/client-ec2";
import {
    CancelCommandCommand,
    CommandInvocationStatus,
    DescribeInstanceInformationCommand,
    GetCommandInvocationCommand,
    ListCommandInvocationsCommand,
    PingStatus,
    PlatformType,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { checkAgents, checkVolumes, evaluateExtend, evaluatePatch, evaluatePreflight, finalizeBatch, pollCommand, sendCommand, startBatch } from "../core/orchestrator/batch";
import type { BatchState, CommandTracking, InstanceRecord, PreflightReport } from "../core/orchestrator/types";
import { settings } from "./support/settings";

interface Shape {
    type: string;
    min?: number;
    max?: number;
    pattern?: string;
    enum?: string[];
    members?: Record<string, { shape: string }>;
    member?: { shape: string };
    key?: { shape: string };
    value?: { shape: string };
}
const MODEL = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "ssm-model", "constraints.json"), "utf8")) as { operations: Record<string, string>; shapes: Record<string, Shape> };

/** What botocore's SSM model says is wrong with `input` for `operation` (lengths, ranges, patterns, enums, list sizes). */
function ssmModelProblems(operation: string, input: unknown): string[] {
    const problems: string[] = [];
    const walk = (shapeName: string, v: unknown, at: string): void => {
        const s = MODEL.shapes[shapeName];
        if (v === undefined || !s) return;
        if (s.type === "structure") {
            for (const [k, x] of Object.entries(v as object)) {
                if (s.members?.[k]) walk(s.members[k].shape, x, `${at}.${k}`);
                else problems.push(`${at}.${k}: not in the model`);
            }
        } else if (s.type === "list") {
            const list = v as unknown[];
            if (s.max !== undefined && list.length > s.max) problems.push(`${at}: ${list.length} items > ${s.max}`);
            list.forEach((x, i) => walk(s.member!.shape, x, `${at}[${i}]`));
        } else if (s.type === "map" && s.key && s.value) {
            for (const [k, x] of Object.entries(v as object)) {
                walk(s.key.shape, k, `${at} key`);
                walk(s.value.shape, x, `${at}.${k}`);
            }
        } else if (s.type === "string") {
            const str = v as string;
            if (s.max !== undefined && str.length > s.max) problems.push(`${at}: ${str.length} characters > ${s.max}`);
            if (s.min !== undefined && str.length < s.min) problems.push(`${at}: ${str.length} characters < ${s.min}`);
            if (s.pattern && !new RegExp(s.pattern, "u").test(str)) problems.push(`${at}: ${str} does not match ${s.pattern}`);
            if (s.enum && !s.enum.includes(str)) problems.push(`${at}: ${str} is not one of ${s.enum.join(", ")}`);
        } else if (s.type === "integer") {
            if ((s.min !== undefined && (v as number) < s.min) || (s.max !== undefined && (v as number) > s.max)) problems.push(`${at}: ${String(v)} outside ${s.min}..${s.max}`);
        }
    };
    walk(MODEL.operations[operation], input, operation);
    return problems;
}

let ec2Mock: AwsClientStub<EC2Client>;
let ssmMock: AwsClientStub<SSMClient>;
const ec2 = new EC2Client({ region: "us-east-1" });
const ssm = new SSMClient({ region: "us-east-1" });
/** SSM command ids are UUIDs (botocore: CommandId is 36 characters). */
const CMD = "0b9c1ba6-0f29-4f6a-9b43-6e0f1c2c0d11";
/** Instance ids as EC2 makes them (botocore's InstanceId pattern). */
const I1 = "i-0a1b2c3d4e5f60001";
const I2 = "i-0a1b2c3d4e5f60002";
const ENV = { preflightDocument: "dev-fleet-preflight", logGroupName: "/aws/ssm/patch-manager" };

const NOW = new Date("2026-12-01T23:00:00Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const rec = (id: string, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Windows", originalState: "running", status: "pending", ...extra });
function batch(instances: InstanceRecord[], extra: Partial<BatchState> = {}): BatchState {
    return { run: { runId: "run-1", orchestrator: "dev-fleet", startedAt: NOW.toISOString(), deadline: "2026-12-02T03:00:00Z", settings: settings() }, batchIndex: 0, batchCount: 2, instances, ...extra };
}
const byId = (s: BatchState) => Object.fromEntries(s.instances.map((r) => [r.instanceId, r]));
const states = (pairs: [string, string][]) => ({ Reservations: [{ Instances: pairs.map(([InstanceId, Name]) => ({ InstanceId, State: { Name: Name as InstanceStateName } })) }] });
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });
async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the step to fail");
}
const report = (r: Partial<PreflightReport>): string =>
    `Preflight\nPREFLIGHT_RESULT ${JSON.stringify({ platform: "Windows", operation: "Check", freeGbBefore: 50, freeGb: 50, sizeGb: 60, cleanupRan: false, servicesNotRunning: [], endpointsUnreachable: [], rebootPending: false, ...r })}\n`;
/** A finished command of `purpose` with the given invocations. */
const command = (purpose: CommandTracking["purpose"], invocations: NonNullable<CommandTracking["invocations"]>, instanceIds = Object.keys(invocations)): CommandTracking => ({
    purpose,
    commandId: "cmd-1",
    instanceIds,
    sentAt: NOW.toISOString(),
    deadline: at(1800).toISOString(),
    done: true,
    invocations,
});

describe("orchestrator batch steps: the paths a whole run rarely takes (mocked EC2/SSM)", () => {
    before(() => {
        ec2Mock = mockClient(EC2Client);
        ssmMock = mockClient(SSMClient);
    });
    beforeEach(() => [ec2Mock, ssmMock].forEach((m) => m.reset()));
    after(() => [ec2Mock, ssmMock].forEach((m) => m.restore()));

    describe("StartInstances", () => {
        it("starts only the pending instances that were stopped and not started yet, asking EC2 about those alone", async () => {
            ec2Mock.on(DescribeInstancesCommand).resolves(states([["i-stopped", "stopped"]]));
            ec2Mock.on(StartInstancesCommand).resolves({});
            const out = await startBatch(
                batch([rec("i-running"), rec("i-stopped", { originalState: "stopped" }), rec("i-failed", { originalState: "stopped", status: "failed" }), rec("i-started", { originalState: "stopped", startedByRun: true })]),
                ec2,
                NOW,
            );
            expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).to.deep.equal([{ Filters: [{ Name: "instance-id", Values: ["i-stopped"] }], NextToken: undefined }]);
            expect(ec2Mock.commandCalls(StartInstancesCommand).map((c) => c.args[0].input)).to.deep.equal([{ InstanceIds: ["i-stopped"] }]);
            expect(out.instances.map((r) => [r.instanceId, r.startedByRun ?? false, r.status])).to.deep.equal([
                ["i-running", false, "pending"],
                ["i-stopped", true, "pending"],
                ["i-failed", false, "failed"],
                ["i-started", true, "pending"],
            ]);
            // The agents get agentWaitSeconds (600) from the start.
            expect(out.agents!.deadline).to.equal(at(600).toISOString());
        });

        it("calls EC2 not at all when no instance of the batch is stopped", async () => {
            const out = await startBatch(batch([rec("i-1"), rec("i-2", { originalState: "stopped", startedByRun: true })]), ec2, NOW);
            expect(ec2Mock.calls()).to.have.length(0);
            expect(out.agents!.deadline).to.equal(at(600).toISOString());
        });

        it("reads the states page by page: an instance a throttled attempt already started (pending or running) is not started again", async () => {
            ec2Mock
                .on(DescribeInstancesCommand)
                .resolvesOnce({ ...states([["i-a", "stopped"]]), NextToken: "page-2" })
                .resolvesOnce(states([["i-b", "pending"], ["i-c", "running"]]));
            ec2Mock.on(StartInstancesCommand).resolves({});
            const ids = ["i-a", "i-b", "i-c"];
            const out = await startBatch(batch(ids.map((id) => rec(id, { originalState: "stopped" }))), ec2, NOW);
            expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.NextToken)).to.deep.equal([undefined, "page-2"]);
            expect(ec2Mock.commandCalls(StartInstancesCommand).map((c) => c.args[0].input.InstanceIds)).to.deep.equal([["i-a"]]);
            expect(out.instances.map((r) => r.startedByRun)).to.deep.equal([true, true, true]);
        });

        it("a throttled StartInstances fails the step (its Retry runs it again) and starts none of them one by one", async () => {
            ec2Mock.on(DescribeInstancesCommand).resolves(states([["i-a", "stopped"], ["i-b", "stopped"]]));
            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-a", "i-b"] }).rejects(awsError("RequestLimitExceeded", "Request limit exceeded."));
            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-a"] }).resolves({});
            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-b"] }).resolves({});
            const err = await rejection(startBatch(batch([rec("i-a", { originalState: "stopped" }), rec("i-b", { originalState: "stopped" })]), ec2, NOW));
            expect(err.name).to.equal("RequestLimitExceeded");
            expect(ec2Mock.commandCalls(StartInstancesCommand)).to.have.length(1);
        });

        it("after a capacity error, each instance is started alone; one that cannot start fails with EC2's error, a throttle fails the step", async () => {
            ec2Mock.on(DescribeInstancesCommand).resolves(states([["i-a", "stopped"], ["i-b", "stopped"]]));
            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-a", "i-b"] }).rejects(awsError("InsufficientInstanceCapacity", "no capacity"));
            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-a"] }).resolves({});
            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-b"] }).rejects(awsError("InsufficientInstanceCapacity", "no t3.large capacity in us-east-1a"));
            const input = batch([rec("i-a", { originalState: "stopped" }), rec("i-b", { originalState: "stopped" })]);
            const out = await startBatch(input, ec2, NOW);
            expect(byId(out)["i-a"]).to.deep.include({ status: "pending", startedByRun: true });
            expect(byId(out)["i-b"]).to.deep.include({ status: "failed", reason: "could not start: InsufficientInstanceCapacity: no t3.large capacity in us-east-1a" });

            ec2Mock.on(StartInstancesCommand, { InstanceIds: ["i-b"] }).rejects(awsError("RequestLimitExceeded", "Request limit exceeded."));
            expect((await rejection(startBatch(input, ec2, NOW))).name).to.equal("RequestLimitExceeded");
        });
    });

    describe("SSM agents", () => {
        it("reads every page of DescribeInstanceInformation and takes the platform each agent reports (Windows, Linux, macOS; none: EC2's)", async () => {
            ssmMock
                .on(DescribeInstanceInformationCommand)
                .resolvesOnce({ InstanceInformationList: [{ InstanceId: "i-w", PingStatus: PingStatus.ONLINE, PlatformType: PlatformType.WINDOWS }], NextToken: "page-2" })
                .resolvesOnce({
                    InstanceInformationList: [
                        { InstanceId: "i-l", PingStatus: PingStatus.ONLINE, PlatformType: PlatformType.LINUX },
                        { InstanceId: "i-m", PingStatus: PingStatus.ONLINE, PlatformType: PlatformType.MACOS },
                        { InstanceId: "i-u", PingStatus: PingStatus.ONLINE },
                    ],
                });
            const out = await checkAgents(
                batch([rec("i-w", { platform: "Linux" }), rec("i-l", { platform: "Windows" }), rec("i-m", { platform: "Linux" }), rec("i-u", { platform: "Unknown" })], {
                    agents: { deadline: at(600).toISOString(), done: false, checks: 0 },
                }),
                ssm,
                NOW,
            );
            const calls = ssmMock.commandCalls(DescribeInstanceInformationCommand).map((c) => c.args[0].input);
            expect(calls.map((c) => c.NextToken)).to.deep.equal([undefined, "page-2"]);
            for (const c of calls) expect(ssmModelProblems("DescribeInstanceInformation", c)).to.deep.equal([]);
            expect(out.instances.map((r) => [r.instanceId, r.online, r.platform])).to.deep.equal([
                ["i-w", true, "Windows"],
                ["i-l", true, "Linux"],
                ["i-m", true, "MacOS"],
                ["i-u", true, "Unknown"],
            ]);
            expect(out.agents!.done).to.equal(true);
        });

        it("without a start step, the agent wait counts from the first check; an agent registered without a ping status fails as Unknown", async () => {
            ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: "i-1" }] });
            const first = await checkAgents(batch([rec("i-1")]), ssm, NOW);
            expect(first.agents).to.deep.equal({ deadline: at(600).toISOString(), done: false, checks: 1 });
            const before = await checkAgents(first, ssm, at(599));
            expect(before.agents!.done).to.equal(false);
            const after = await checkAgents(before, ssm, at(600));
            expect(after.agents!.done).to.equal(true);
            expect(after.instances[0]).to.deep.include({ status: "failed", reason: "SSM agent did not report Online within 600 s (ping status: Unknown)" });
        });
    });

    describe("SendCommand", () => {
        it("the patch command: the stack's BaselineOverride, the patch timeout as its deadline, a request botocore's model accepts", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: CMD } });
            const s = batch([rec(I1, { online: true }), rec(I2, { online: true })]);
            s.run.settings.patch = { operation: "Scan", rebootOption: "NoReboot", timeoutSeconds: 7200 };
            const out = await sendCommand(s, "patch", ssm, { ...ENV, baselineOverride: "s3://dev-overrides/baseline_overrides.json" }, NOW);
            const input = ssmMock.commandCalls(SendCommandCommand)[0].args[0].input;
            expect(input.DocumentName).to.equal("AWS-RunPatchBaseline");
            expect(input.Parameters).to.deep.equal({ Operation: ["Scan"], RebootOption: ["NoReboot"], BaselineOverride: ["s3://dev-overrides/baseline_overrides.json"] });
            expect(ssmModelProblems("SendCommand", input)).to.deep.equal([]);
            expect(out.command).to.deep.include({ purpose: "patch", commandId: CMD, instanceIds: [I1, I2], deadline: at(7200).toISOString(), done: false });
        });

        it("the extend command goes to the instances whose volume is being grown, as Operation Extend", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-2" } });
            const expand = { action: "expand" as const, volumeId: "vol-1", fromGb: 30, toGb: 50, freeGb: 5, requiredGb: 20 };
            const s = batch([rec("i-grown", { online: true, disk: expand }), rec("i-ok", { online: true, disk: { action: "ok", freeGb: 40, requiredGb: 20 } }), rec("i-failed", { online: true, status: "failed", disk: expand }), rec("i-new", { online: true })]);
            const out = await sendCommand(s, "extend", ssm, ENV, NOW);
            const input = ssmMock.commandCalls(SendCommandCommand)[0].args[0].input;
            expect(input.InstanceIds).to.deep.equal(["i-grown"]);
            expect(input.Parameters!.Operation).to.deep.equal(["Extend"]);
            expect(out.command!.deadline, "the preflight timeout").to.equal(at(1800).toISOString());
        });

        it("keeps the command's Comment within SendCommand's 100 characters however long the orchestrator's name", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: CMD } });
            const s = batch([rec(I1, { online: true })]);
            s.run.orchestrator = "o".repeat(90);
            await sendCommand(s, "preflight", ssm, ENV, NOW);
            const input = ssmMock.commandCalls(SendCommandCommand)[0].args[0].input;
            expect(ssmModelProblems("SendCommand", input)).to.deep.equal([]);
            expect(input.Comment).to.have.length(100);
            expect(input.Comment).to.equal(`${"o".repeat(90)} preflight batch 1/2 run run-1`.slice(0, 100));
        });

        it("fails the step when SendCommand returns no command id (nothing could be followed)", async () => {
            ssmMock.on(SendCommandCommand).resolves({});
            const err = await rejection(sendCommand(batch([rec("i-1", { online: true })]), "patch", ssm, ENV, NOW));
            expect(err.message).to.equal("SendCommand for patch returned no command id");
        });
    });

    describe("polling a command", () => {
        const tracking = (extra: Partial<CommandTracking> = {}): CommandTracking => ({ purpose: "patch", commandId: CMD, instanceIds: ["i-1", "i-2"], sentAt: NOW.toISOString(), deadline: at(7200).toISOString(), done: false, ...extra });
        const invocation = (InstanceId: string, Status: CommandInvocationStatus, extra: object = {}) => ({ CommandId: CMD, InstanceId, Status, ...extra });

        it("asks SSM nothing for a command that is done or was never sent", async () => {
            for (const command of [tracking({ done: true, invocations: { "i-1": { status: "Success" }, "i-2": { status: "Success" } } }), tracking({ commandId: undefined, instanceIds: [], done: true }), undefined]) {
                const s = batch([rec("i-1"), rec("i-2")], command ? { command } : {});
                expect(await pollCommand(s, ssm, at(9000))).to.deep.equal(s);
            }
            expect(ssmMock.calls()).to.have.length(0);
        });

        it("reads every page of invocations; waits while one is in progress or not delivered yet", async () => {
            ssmMock
                .on(ListCommandInvocationsCommand)
                .resolvesOnce({ CommandInvocations: [invocation("i-1", CommandInvocationStatus.SUCCESS)], NextToken: "page-2" })
                .resolvesOnce({ CommandInvocations: [invocation("i-2", CommandInvocationStatus.IN_PROGRESS)] })
                .resolves({ CommandInvocations: [invocation("i-1", CommandInvocationStatus.SUCCESS)] });
            const s = batch([rec("i-1"), rec("i-2")], { command: tracking() });
            const waiting = await pollCommand(s, ssm, at(60));
            const calls = ssmMock.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input);
            expect(calls.map((c) => c.NextToken)).to.deep.equal([undefined, "page-2"]);
            for (const c of calls) expect(ssmModelProblems("ListCommandInvocations", c)).to.deep.equal([]);
            expect(waiting.command).to.deep.equal(tracking());
            // i-2 not delivered yet (no invocation): still waiting before the deadline.
            expect((await pollCommand(s, ssm, at(7199))).command!.done).to.equal(false);
        });

        it("at the deadline, cancels the command and records what had not finished as TimedOut (also an undelivered one)", async () => {
            ssmMock.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [invocation("i-1", CommandInvocationStatus.IN_PROGRESS)] });
            ssmMock.on(CancelCommandCommand).rejects(awsError("InvalidCommandId", "already finished"));
            const out = await pollCommand(batch([rec("i-1"), rec("i-2")], { command: tracking() }), ssm, at(7200));
            expect(ssmMock.commandCalls(CancelCommandCommand).map((c) => c.args[0].input)).to.deep.equal([{ CommandId: CMD }]);
            expect(out.command).to.deep.include({ done: true });
            expect(out.command!.invocations).to.deep.equal({
                "i-1": { status: "TimedOut", details: "still InProgress after the patch deadline; cancelled" },
                "i-2": { status: "TimedOut", details: "still undelivered after the patch deadline; cancelled" },
            });
        });

        it("keeps no output of a successful patch (the state stays small); a failure gets its status details and the end of stderr", async () => {
            const stderr = `${"x".repeat(300)}Failed to install package: KB5040000 (0x80070643)\n`;
            ssmMock.on(ListCommandInvocationsCommand).resolves({
                CommandInvocations: [invocation("i-1", CommandInvocationStatus.SUCCESS), invocation("i-2", CommandInvocationStatus.FAILED, { StatusDetails: "Failed" })],
            });
            ssmMock.on(GetCommandInvocationCommand, { InstanceId: "i-2" }).resolves({ Status: CommandInvocationStatus.FAILED, StandardErrorContent: stderr });
            const out = await pollCommand(batch([rec("i-1"), rec("i-2")], { command: tracking() }), ssm, at(120));
            expect(ssmMock.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input)).to.deep.equal([{ CommandId: CMD, InstanceId: "i-2" }]);
            expect(ssmMock.commandCalls(CancelCommandCommand)).to.have.length(0);
            const details = out.command!.invocations!["i-2"].details!;
            expect(out.command!.invocations!["i-1"]).to.deep.equal({ status: "Success" });
            // "Failed: …" + the last 200 characters of stderr, trimmed.
            expect(details).to.equal(`Failed: …${stderr.slice(-200).trim()}`);
            expect(details.length).to.equal("Failed: …".length + 199);
        });

        it("a stderr of up to 200 characters is kept whole (trimmed); a failure without status details or stderr is just its status", async () => {
            ssmMock.on(ListCommandInvocationsCommand).resolves({
                CommandInvocations: [invocation("i-1", CommandInvocationStatus.FAILED), invocation("i-2", CommandInvocationStatus.CANCELLED, { StatusDetails: "Cancelled" })],
            });
            ssmMock.on(GetCommandInvocationCommand, { InstanceId: "i-1" }).resolves({ StandardErrorContent: `  ${"e".repeat(197)}\n` });
            ssmMock.on(GetCommandInvocationCommand, { InstanceId: "i-2" }).resolves({ StandardErrorContent: "" });
            const out = await pollCommand(batch([rec("i-1"), rec("i-2")], { command: tracking() }), ssm, at(120));
            expect(out.command!.invocations).to.deep.equal({ "i-1": { status: "Failed", details: "e".repeat(197) }, "i-2": { status: "Cancelled", details: "Cancelled" } });
        });

        it("a preflight's output that cannot be read is empty, and the details say why", async () => {
            ssmMock.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [invocation("i-1", CommandInvocationStatus.SUCCESS), invocation("i-2", CommandInvocationStatus.FAILED)] });
            ssmMock.on(GetCommandInvocationCommand).rejects(awsError("InvocationDoesNotExist", "gone"));
            const out = await pollCommand(batch([rec("i-1"), rec("i-2")], { command: tracking({ purpose: "preflight" }) }), ssm, at(120));
            expect(out.command!.invocations).to.deep.equal({
                "i-1": { status: "Success", output: "", details: "Success (output unavailable: InvocationDoesNotExist: gone)" },
                "i-2": { status: "Failed", details: "Failed (output unavailable: InvocationDoesNotExist: gone)" },
            });
        });

        it("keeps a successful preflight's output (its report)", async () => {
            ssmMock.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [invocation("i-1", CommandInvocationStatus.SUCCESS)] });
            ssmMock.on(GetCommandInvocationCommand).resolves({ StandardOutputContent: report({}) });
            const out = await pollCommand(batch([rec("i-1")], { command: tracking({ purpose: "preflight", instanceIds: ["i-1"] }) }), ssm, at(120));
            expect(out.command!.invocations).to.deep.equal({ "i-1": { status: "Success", output: report({}) } });
        });
    });

    describe("preflight evaluation", () => {
        const expansionOn = (s: BatchState) => {
            s.run.settings.preflight.volumeExpansion = { enabled: true, incrementGb: 20, maxVolumeSizeGb: 512, untaggedVolumes: false };
            return s;
        };

        it("fails an instance whose preflight failed, did not run or printed no report, with the reason", async () => {
            const s = batch([rec("i-failed"), rec("i-missing"), rec("i-noreport"), rec("i-timedout")], {
                command: command("preflight", { "i-failed": { status: "Failed", details: "script exited 1" }, "i-noreport": { status: "Success", output: "no marker" }, "i-timedout": { status: "TimedOut" } }, ["i-failed", "i-missing", "i-noreport", "i-timedout"]),
            });
            const out = byId(await evaluatePreflight(s, ec2, NOW));
            expect(out["i-failed"]).to.deep.include({ status: "failed", reason: "preflight Failed: script exited 1" });
            expect(out["i-missing"]).to.deep.include({ status: "failed", reason: "preflight missing" });
            expect(out["i-noreport"]).to.deep.include({ status: "failed", reason: "preflight output has no PREFLIGHT_RESULT line" });
            expect(out["i-timedout"]).to.deep.include({ status: "failed", reason: "preflight TimedOut" });
            expect(ec2Mock.calls()).to.have.length(0);
        });

        it("reads only a preflight command: after another command nothing changes", async () => {
            const s = batch([rec("i-1")], { command: command("patch", { "i-1": { status: "Failed" } }) });
            expect(byId(await evaluatePreflight(s, ec2, NOW))["i-1"]).to.deep.equal(rec("i-1"));
            expect(byId(evaluateExtend(s))["i-1"]).to.deep.equal(rec("i-1"));
            const p = batch([rec("i-1")], { command: command("preflight", { "i-1": { status: "Failed" } }) });
            expect(byId(evaluatePatch(p))["i-1"]).to.deep.equal(rec("i-1"));
        });

        it("records the report and the platform it found, warns about a pending reboot and a cleanup; enough space (also exactly the minimum) is fine", async () => {
            const s = batch([rec("i-1", { platform: "Unknown" }), rec("i-2")], {
                command: command("preflight", {
                    "i-1": { status: "Success", output: report({ platform: "Linux", freeGb: 5, freeGbBefore: 3, cleanupRan: true, rebootPending: true }) },
                    "i-2": { status: "Success", output: report({ freeGb: 20 }) },
                }),
            });
            const out = byId(await evaluatePreflight(s, ec2, NOW));
            expect(out["i-1"]).to.deep.include({ status: "pending", platform: "Linux", disk: { action: "ok", freeGb: 5, requiredGb: 5 }, warnings: ["a reboot was pending before patching", "cleanup ran: 3 → 5 GiB free"] });
            expect(out["i-1"].preflight).to.deep.include({ platform: "Linux", freeGb: 5, cleanupRan: true });
            expect(out["i-2"]).to.deep.include({ status: "pending", disk: { action: "ok", freeGb: 20, requiredGb: 20 } });
            expect(out["i-2"].warnings).to.equal(undefined);
            expect(ec2Mock.calls(), "no volume to look at").to.have.length(0);
        });

        it("Windows Update problems: warnings by default, the instance skipped with skipOnWindowsUpdateProblems; a Linux report never has them", async () => {
            const findings = { servicesNotRunning: ["wuauserv", "bits"], endpointsUnreachable: ["update.microsoft.com"] };
            const cmd = command("preflight", {
                "i-win": { status: "Success", output: report(findings) },
                "i-linux": { status: "Success", output: report({ ...findings, platform: "Linux" }) },
            });
            const warned = byId(await evaluatePreflight(batch([rec("i-win"), rec("i-linux")], { command: cmd }), ec2, NOW));
            expect(warned["i-win"]).to.deep.include({ status: "pending", warnings: ["Windows Update services not running: wuauserv, bits", "update endpoints unreachable on 443: update.microsoft.com"] });
            expect(warned["i-linux"].warnings).to.equal(undefined);
            const strict = batch([rec("i-win"), rec("i-linux")], { command: cmd });
            strict.run.settings.preflight.skipOnWindowsUpdateProblems = true;
            const skipped = byId(await evaluatePreflight(strict, ec2, NOW));
            expect(skipped["i-win"]).to.deep.include({ status: "skipped", reason: "Windows Update services not running: wuauserv, bits; update endpoints unreachable on 443: update.microsoft.com" });
            expect(skipped["i-win"].disk).to.equal(undefined);
            expect(skipped["i-linux"]).to.deep.include({ status: "pending", disk: { action: "ok", freeGb: 50, requiredGb: 5 } });
        });

        it("grows each instance's own root volume (one DescribeVolumes for those below the minimum) and hands the next state what to wait for", async () => {
            ec2Mock.on(DescribeVolumesCommand).resolves({
                Volumes: [
                    { VolumeId: "vol-a", Size: 30, Attachments: [{ InstanceId: "i-a" }] },
                    { VolumeId: "vol-b", Size: 100, Attachments: [{ InstanceId: "i-b" }] },
                ],
            });
            ec2Mock.on(ModifyVolumeCommand).resolves({});
            const s = expansionOn(
                batch([rec("i-a", { rootVolumeId: "vol-a" }), rec("i-b", { rootVolumeId: "vol-b" }), rec("i-fine", { rootVolumeId: "vol-fine" })], {
                    command: command("preflight", {
                        "i-a": { status: "Success", output: report({ freeGb: 12 }) },
                        "i-b": { status: "Success", output: report({ freeGb: 2 }) },
                        "i-fine": { status: "Success", output: report({ freeGb: 25 }) },
                    }),
                }),
            );
            const out = await evaluatePreflight(s, ec2, NOW);
            expect(ec2Mock.commandCalls(DescribeVolumesCommand).map((c) => c.args[0].input)).to.deep.equal([{ VolumeIds: ["vol-a", "vol-b"] }]);
            // vol-a: +20 (the increment covers 8 short); vol-b: +18 short is less than the increment: +20.
            expect(ec2Mock.commandCalls(ModifyVolumeCommand).map((c) => c.args[0].input)).to.deep.equal([
                { VolumeId: "vol-a", Size: 50 },
                { VolumeId: "vol-b", Size: 120 },
            ]);
            expect(out.volumes).to.deep.equal({
                done: false,
                count: 2,
                deadline: at(900).toISOString(),
                pending: [
                    { instanceId: "i-a", volumeId: "vol-a", toGb: 50 },
                    { instanceId: "i-b", volumeId: "vol-b", toGb: 120 },
                ],
            });
            expect(byId(out)["i-a"]).to.deep.include({ status: "pending", warnings: ["root volume vol-a grown from 30 to 50 GiB"] });
            expect(byId(out)["i-fine"].disk).to.deep.equal({ action: "ok", freeGb: 25, requiredGb: 20 });
        });

        it("never grows a volume it cannot vouch for: expansion off, no root volume, a volume that is gone, detached or attached elsewhere", async () => {
            ec2Mock.on(DescribeVolumesCommand).resolves({
                Volumes: [
                    { VolumeId: "vol-detached", Size: 30, Attachments: [] },
                    { VolumeId: "vol-elsewhere", Size: 30, Attachments: [{ InstanceId: "i-other" }, { InstanceId: "i-third" }] },
                    { VolumeId: "vol-no-attachments", Size: 30 },
                ],
            });
            const below = { status: "Success", output: report({ freeGb: 12 }) };
            const ids = ["i-noroot", "i-gone", "i-detached", "i-elsewhere", "i-no-attachments"];
            const s = expansionOn(
                batch(
                    ids.map((id) => rec(id, id === "i-noroot" ? {} : { rootVolumeId: `vol-${id.slice(2)}` })),
                    { command: command("preflight", Object.fromEntries(ids.map((id) => [id, below]))) },
                ),
            );
            const out = byId(await evaluatePreflight(s, ec2, NOW));
            expect(ec2Mock.commandCalls(DescribeVolumesCommand)[0].args[0].input.VolumeIds).to.deep.equal(["vol-gone", "vol-detached", "vol-elsewhere", "vol-no-attachments"]);
            expect(ec2Mock.commandCalls(ModifyVolumeCommand)).to.have.length(0);
            const base = "12 GiB free after cleanup, 20 GiB required";
            expect(out["i-noroot"]).to.deep.include({ status: "skipped", reason: `${base}; no root EBS volume found to expand` });
            expect(out["i-gone"]).to.deep.include({ status: "skipped", reason: `${base}; no root EBS volume found to expand` });
            expect(out["i-detached"]).to.deep.include({ status: "skipped", reason: "12 GiB free, 20 GiB required; root volume vol-detached is no longer attached to the instance (attached to: none)" });
            expect(out["i-elsewhere"]).to.deep.include({ status: "skipped", reason: "12 GiB free, 20 GiB required; root volume vol-elsewhere is no longer attached to the instance (attached to: i-other, i-third)" });
            expect(out["i-no-attachments"].reason).to.equal("12 GiB free, 20 GiB required; root volume vol-no-attachments is no longer attached to the instance (attached to: none)");

            ec2Mock.reset();
            const off = batch([rec("i-a", { rootVolumeId: "vol-a" })], { command: command("preflight", { "i-a": below }) });
            expect(byId(await evaluatePreflight(off, ec2, NOW))["i-a"]).to.deep.include({ status: "skipped", reason: `${base}; volume expansion is disabled` });
            expect(ec2Mock.calls(), "expansion off: no EC2 call").to.have.length(0);
        });

        it("a ModifyVolume that fails skips that instance with EC2's error; the others still grow", async () => {
            ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-a", Size: 30, Attachments: [{ InstanceId: "i-a" }] }, { VolumeId: "vol-b", Size: 30, Attachments: [{ InstanceId: "i-b" }] }] });
            ec2Mock.on(ModifyVolumeCommand, { VolumeId: "vol-a" }).rejects(awsError("VolumeModificationRateExceeded", "modified within the last 6 hours"));
            ec2Mock.on(ModifyVolumeCommand, { VolumeId: "vol-b" }).resolves({});
            const below = { status: "Success", output: report({ freeGb: 12 }) };
            const out = await evaluatePreflight(expansionOn(batch([rec("i-a", { rootVolumeId: "vol-a" }), rec("i-b", { rootVolumeId: "vol-b" })], { command: command("preflight", { "i-a": below, "i-b": below }) })), ec2, NOW);
            expect(byId(out)["i-a"]).to.deep.include({ status: "skipped", reason: "12 GiB free, 20 GiB required; ModifyVolume failed: VolumeModificationRateExceeded: modified within the last 6 hours" });
            expect(out.volumes).to.deep.include({ done: false, count: 1, pending: [{ instanceId: "i-b", volumeId: "vol-b", toGb: 50 }] });
        });
    });

    describe("volumes being grown", () => {
        const grown = (id: string) => ({ action: "expand" as const, volumeId: `vol-${id.slice(2)}`, fromGb: 30, toGb: 50, freeGb: 12, requiredGb: 20 });
        const pending = (ids: string[]) => ({ done: false, count: ids.length, deadline: at(900).toISOString(), pending: ids.map((id) => ({ instanceId: id, volumeId: `vol-${id.slice(2)}`, toGb: 50 })) });
        const modifications = (pairs: [string, VolumeModificationState | undefined, string?][]) => ({
            VolumesModifications: pairs.map(([VolumeId, ModificationState, StatusMessage]) => ({ VolumeId, ...(ModificationState ? { ModificationState } : {}), ...(StatusMessage ? { StatusMessage } : {}) })),
        });

        it("asks nothing when no volume is being grown", async () => {
            for (const volumes of [undefined, { done: true, count: 0, deadline: at(900).toISOString(), pending: [] }]) {
                const s = batch([rec("i-1")], volumes ? { volumes } : {});
                expect(await checkVolumes(s, ec2, NOW)).to.deep.equal(s);
            }
            expect(ec2Mock.calls()).to.have.length(0);
        });

        it("optimizing or completed is ready; failed skips with EC2's message; modifying (or no record yet) keeps waiting; count = instances to extend", async () => {
            ec2Mock.on(DescribeVolumesModificationsCommand).resolves(
                modifications([
                    ["vol-opt", VolumeModificationState.optimizing],
                    ["vol-done", VolumeModificationState.completed],
                    ["vol-failed", VolumeModificationState.failed, "The volume cannot be modified"],
                    ["vol-failed2", VolumeModificationState.failed],
                    ["vol-slow", VolumeModificationState.modifying],
                ]),
            );
            const ids = ["i-opt", "i-done", "i-failed", "i-failed2", "i-slow", "i-norecord"];
            const s = batch([...ids.map((id) => rec(id, { disk: grown(id) })), rec("i-ok", { disk: { action: "ok", freeGb: 30, requiredGb: 20 } })], { volumes: pending(ids) });
            const out = await checkVolumes(s, ec2, at(899));
            expect(ec2Mock.commandCalls(DescribeVolumesModificationsCommand)[0].args[0].input).to.deep.equal({ VolumeIds: ids.map((id) => `vol-${id.slice(2)}`) });
            expect(byId(out)["i-failed"]).to.deep.include({ status: "skipped", reason: "volume vol-failed modification failed: The volume cannot be modified" });
            expect(byId(out)["i-failed2"]).to.deep.include({ status: "skipped", reason: "volume vol-failed2 modification failed: no message" });
            expect(out.volumes!.pending.map((p) => p.instanceId)).to.deep.equal(["i-slow", "i-norecord"]);
            expect(out.volumes).to.deep.include({ done: false, count: 6 });

            // At the deadline the slow ones are skipped; the rest are ready: opt and done (not the skipped, not the one that was fine).
            const late = await checkVolumes(out, ec2, at(900));
            expect(byId(late)["i-slow"]).to.deep.include({ status: "skipped", reason: "volume vol-slow still modifying after 900 s" });
            ec2Mock.on(DescribeVolumesModificationsCommand).resolves(modifications([]));
            const last = await checkVolumes(out, ec2, at(900));
            expect(byId(last)["i-norecord"]).to.deep.include({ status: "skipped", reason: "volume vol-norecord still unknown after 900 s" });
            expect(last.volumes).to.deep.include({ done: true, count: 2, pending: [] });
        });
    });

    describe("after extending and patching", () => {
        it("extend: enough space now (also exactly) keeps the instance; too little, a failed or missing run skips it with the reason", () => {
            const expand = (requiredGb: number, platform: InstanceRecord["platform"]) => ({ platform, disk: { action: "expand" as const, volumeId: "vol-x", fromGb: 30, toGb: 50, freeGb: 2, requiredGb } });
            const s = batch([rec("i-win", expand(20, "Windows")), rec("i-linux", expand(5, "Linux")), rec("i-exact", expand(20, "Windows")), rec("i-failed", expand(20, "Windows")), rec("i-missing", expand(20, "Windows"))], {
                command: command(
                    "extend",
                    {
                        "i-win": { status: "Success", output: report({ operation: "Extend", freeGb: 6 }) },
                        "i-linux": { status: "Success", output: report({ operation: "Extend", platform: "Linux", freeGb: 6 }) },
                        "i-exact": { status: "Success", output: report({ operation: "Extend", freeGb: 20 }) },
                        "i-failed": { status: "Failed", details: "diskpart failed" },
                    },
                    ["i-win", "i-linux", "i-exact", "i-failed", "i-missing"],
                ),
            });
            const out = byId(evaluateExtend(s));
            expect(out["i-win"]).to.deep.include({ status: "skipped", reason: "6 GiB free after growing the volume, 20 GiB required" });
            expect(out["i-linux"]).to.deep.include({ status: "pending", disk: { action: "ok", freeGb: 6, requiredGb: 5 } });
            expect(out["i-exact"]).to.deep.include({ status: "pending", disk: { action: "ok", freeGb: 20, requiredGb: 20 } });
            expect(out["i-failed"]).to.deep.include({ status: "skipped", reason: "extending the partition Failed: diskpart failed" });
            expect(out["i-missing"]).to.deep.include({ status: "skipped", reason: "extending the partition did not run" });
        });

        it("patch: Success is patched; a missing invocation did not run; a failure keeps its details", () => {
            const s = batch([rec("i-ok"), rec("i-missing"), rec("i-failed")], {
                command: command("patch", { "i-ok": { status: "Success" }, "i-failed": { status: "Failed", details: "Failed: KB5040000" } }, ["i-ok", "i-missing", "i-failed"]),
            });
            const out = byId(evaluatePatch(s));
            expect(out["i-ok"].status).to.equal("patched");
            expect(out["i-missing"]).to.deep.include({ status: "failed", reason: "AWS-RunPatchBaseline did not run" });
            expect(out["i-failed"]).to.deep.include({ status: "failed", reason: "AWS-RunPatchBaseline Failed: Failed: KB5040000" });
        });

        it("a batch that ends without an error before patching fails what is still pending, saying so", () => {
            const out = byId(finalizeBatch(batch([rec("i-1"), rec("i-2", { status: "patched" })])));
            expect(out["i-1"]).to.deep.include({ status: "failed", reason: "not patched: the batch ended before patching it" });
            expect(out["i-2"].status).to.equal("patched");
        });
    });
});
