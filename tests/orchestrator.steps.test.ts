/** The orchestrator's steps one by one, against EC2/SSM/SNS/Logs clients mocked with aws-sdk-client-mock. */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInstancesCommand, EC2Client, InstanceStateName, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { ListGroupResourcesCommand, ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { DescribeInstanceInformationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { checkAgents, sendCommand } from "../core/orchestrator/batch";
import { decideDisk, parsePreflightOutput } from "../core/orchestrator/disk";
import { discoverTargets } from "../core/orchestrator/discovery";
import { InstancesStillStartingError, restoreInstances, restorePlan } from "../core/orchestrator/restore";
import { buildSummary, formatSummary, publishSummary, summaryMessage, summarySubject, writeSummaryLog } from "../core/orchestrator/summary";
import type { BatchState, InstanceRecord } from "../core/orchestrator/types";
import { settings } from "./support/settings";

// The SDK clients are mocked only while this file's tests run (see the outer describe's hooks).
let ec2Mock: AwsClientStub<EC2Client>;
let ssmMock: AwsClientStub<SSMClient>;
let rgMock: AwsClientStub<ResourceGroupsClient>;
let snsMock: AwsClientStub<SNSClient>;
let logsMock: AwsClientStub<CloudWatchLogsClient>;
const ec2 = new EC2Client({ region: "us-east-1" });
const ssm = new SSMClient({ region: "us-east-1" });

const NOW = new Date("2026-12-01T23:00:00Z");
const rec = (id: string, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Windows", originalState: "running", status: "pending", ...extra });
function batch(instances: InstanceRecord[], extra: Partial<BatchState> = {}): BatchState {
    return {
        run: { runId: "run-1", orchestrator: "dev-fleet", startedAt: NOW.toISOString(), deadline: "2026-12-02T03:00:00Z", settings: settings() },
        batchIndex: 0,
        batchCount: 2,
        instances,
        ...extra,
    };
}

describe("orchestrator steps (mocked SDK clients)", () => {
    before(() => {
        ec2Mock = mockClient(EC2Client);
        ssmMock = mockClient(SSMClient);
        rgMock = mockClient(ResourceGroupsClient);
        snsMock = mockClient(SNSClient);
        logsMock = mockClient(CloudWatchLogsClient);
    });
    beforeEach(() => [ec2Mock, ssmMock, rgMock, snsMock, logsMock].forEach((m) => m.reset()));
    after(() => [ec2Mock, ssmMock, rgMock, snsMock, logsMock].forEach((m) => m.restore()));

    describe("target discovery", () => {
        it("asks EC2 for the tagged instances that are running OR stopped, follows NextToken, and maps each", async () => {
            ec2Mock
                .on(DescribeInstancesCommand)
                .resolvesOnce({
                    Reservations: [
                        {
                            Instances: [
                                {
                                    InstanceId: "i-0b",
                                    InstanceType: "m5.large",
                                    State: { Name: "stopped" },
                                    // The API returns "windows" in lower case (the SDK type says "Windows").
                                    Platform: "windows" as "Windows",
                                    Tags: [{ Key: "Name", Value: "web" }],
                                    RootDeviceName: "/dev/sda1",
                                    BlockDeviceMappings: [
                                        { DeviceName: "/dev/sda1", Ebs: { VolumeId: "vol-root" } },
                                        { DeviceName: "xvdf", Ebs: { VolumeId: "vol-data" } },
                                    ],
                                },
                            ],
                        },
                    ],
                    NextToken: "page-2",
                })
                .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: "i-0a", InstanceType: "t3.small", State: { Name: "running" }, PlatformDetails: "Linux/UNIX" }] }] });
            const found = await discoverTargets({ ec2 }, { tags: { PatchGroup: ["Windows", "windows"], Env: ["dev"] } });
            const calls = ec2Mock.commandCalls(DescribeInstancesCommand);
            expect(calls.map((c) => c.args[0].input)).to.deep.equal([
                {
                    Filters: [
                        { Name: "tag:PatchGroup", Values: ["Windows", "windows"] },
                        { Name: "tag:Env", Values: ["dev"] },
                        { Name: "instance-state-name", Values: ["running", "stopped"] },
                    ],
                    NextToken: undefined,
                    MaxResults: 1000,
                },
                {
                    Filters: [
                        { Name: "tag:PatchGroup", Values: ["Windows", "windows"] },
                        { Name: "tag:Env", Values: ["dev"] },
                        { Name: "instance-state-name", Values: ["running", "stopped"] },
                    ],
                    NextToken: "page-2",
                    MaxResults: 1000,
                },
            ]);
            expect(found).to.deep.equal([
                { instanceId: "i-0a", instanceType: "t3.small", name: "", platform: "Linux", originalState: "running" },
                { instanceId: "i-0b", instanceType: "m5.large", name: "web", platform: "Windows", originalState: "stopped", rootVolumeId: "vol-root" },
            ]);
        });

        it("lists a resource group's EC2 members (ListGroupResources) and describes them by id", async () => {
            rgMock.on(ListGroupResourcesCommand).resolves({
                Resources: [
                    { Identifier: { ResourceArn: "arn:aws:ec2:us-east-1:123456789012:instance/i-01", ResourceType: "AWS::EC2::Instance" } },
                    { Identifier: { ResourceArn: "arn:aws:ec2:us-east-1:123456789012:instance/i-02", ResourceType: "AWS::EC2::Instance" } },
                ],
            });
            ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: "i-01", InstanceType: "t3.small", State: { Name: "stopped" } }] }] });
            const found = await discoverTargets({ ec2, resourceGroups: new ResourceGroupsClient({ region: "us-east-1" }) }, { tags: {}, resourceGroup: "patch-targets" });
            expect(rgMock.commandCalls(ListGroupResourcesCommand)[0].args[0].input).to.deep.equal({
                Group: "patch-targets",
                Filters: [{ Name: "resource-type", Values: ["AWS::EC2::Instance"] }],
                NextToken: undefined,
            });
            expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters).to.deep.equal([
                { Name: "instance-id", Values: ["i-01", "i-02"] },
                { Name: "instance-state-name", Values: ["running", "stopped"] },
            ]);
            expect(found.map((f) => f.instanceId)).to.deep.equal(["i-01"]);
        });
    });

    describe("agent wait (injected clock, no timers)", () => {
        it("marks agents Online with their platform and is done when all are", async () => {
            ssmMock.on(DescribeInstanceInformationCommand).resolves({
                InstanceInformationList: [
                    { InstanceId: "i-1", PingStatus: "Online", PlatformType: "Linux" },
                    { InstanceId: "i-2", PingStatus: "Online", PlatformType: "Windows" },
                ],
            });
            const s = await checkAgents(batch([rec("i-1"), rec("i-2")], { agents: { deadline: "2026-12-01T23:10:00Z", done: false, checks: 0 } }), ssm, NOW);
            expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0].args[0].input).to.deep.equal({ Filters: [{ Key: "InstanceIds", Values: ["i-1", "i-2"] }], NextToken: undefined, MaxResults: 50 });
            expect(s.agents).to.deep.equal({ deadline: "2026-12-01T23:10:00Z", done: true, checks: 1 });
            expect(s.instances.map((r) => [r.online, r.platform])).to.deep.equal([
                [true, "Linux"],
                [true, "Windows"],
            ]);
        });

        it("keeps waiting before the deadline and fails the offline ones at the deadline, with the last ping status", async () => {
            ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: "i-1", PingStatus: "ConnectionLost" }] });
            const start = batch([rec("i-1"), rec("i-2")], { agents: { deadline: "2026-12-01T23:10:00Z", done: false, checks: 3 } });
            const early = await checkAgents(start, ssm, new Date("2026-12-01T23:09:59Z"));
            expect(early.agents!.done).to.equal(false);
            expect(early.instances.every((r) => r.status === "pending")).to.equal(true);
            const late = await checkAgents(start, ssm, new Date("2026-12-01T23:10:00Z"));
            expect(late.agents).to.deep.equal({ deadline: "2026-12-01T23:10:00Z", done: true, checks: 4 });
            expect(late.instances.map((r) => r.reason)).to.deep.equal([
                "SSM agent did not report Online within 600 s (ping status: ConnectionLost)",
                "SSM agent did not report Online within 600 s (ping status: not registered)",
            ]);
        });

        it("does not call SSM when nothing is waiting", async () => {
            const s = await checkAgents(batch([rec("i-1", { online: true }), rec("i-2", { status: "failed" })]), ssm, NOW);
            expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)).to.have.length(0);
            expect(s.agents!.done).to.equal(true);
        });
    });

    describe("commands", () => {
        it("sends the preflight to the pending, Online instances with its parameters, output to the log group, MaxErrors 100%", async () => {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
            const s = await sendCommand(batch([rec("i-1", { online: true }), rec("i-2", { online: true, status: "failed" }), rec("i-3")]), "preflight", ssm, { preflightDocument: "dev-fleet-preflight", logGroupName: "/aws/ssm/patch-manager" }, NOW);
            expect(ssmMock.commandCalls(SendCommandCommand)[0].args[0].input).to.deep.equal({
                DocumentName: "dev-fleet-preflight",
                InstanceIds: ["i-1"],
                Parameters: {
                    Operation: ["Check"],
                    MinFreeGbWindows: ["20"],
                    MinFreeGbLinux: ["5"],
                    Cleanup: ["true"],
                    DismResetBase: ["false"],
                    WindowsUpdateChecks: ["true"],
                    Endpoints: ["update.microsoft.com,windowsupdate.microsoft.com"],
                },
                TimeoutSeconds: 600,
                Comment: "dev-fleet preflight batch 1/2 run run-1",
                MaxConcurrency: "50",
                MaxErrors: "100%",
                CloudWatchOutputConfig: { CloudWatchLogGroupName: "/aws/ssm/patch-manager", CloudWatchOutputEnabled: true },
            });
            expect(s.command).to.deep.equal({ purpose: "preflight", commandId: "cmd-1", instanceIds: ["i-1"], sentAt: NOW.toISOString(), deadline: "2026-12-01T23:30:00.000Z", done: false });
        });

        it("sends nothing (and is done) when the preflight is disabled or nobody is eligible", async () => {
            const s = batch([rec("i-1", { online: true })]);
            s.run.settings.preflight.enabled = false;
            const out = await sendCommand(s, "preflight", ssm, { preflightDocument: "d", logGroupName: "g" }, NOW);
            expect(ssmMock.commandCalls(SendCommandCommand)).to.have.length(0);
            expect(out.command).to.deep.include({ instanceIds: [], done: true });
        });
    });

    describe("disk decisions", () => {
        const expansion = { enabled: true, incrementGb: 20, maxVolumeSizeGb: 100 };
        const volume = { volumeId: "vol-1", sizeGb: 30 };
        it("is fine at or above the threshold", () => {
            expect(decideDisk({ freeGb: 20, requiredGb: 20, expansion, volume })).to.deep.equal({ action: "ok", freeGb: 20, requiredGb: 20 });
        });
        it("skips when expansion is disabled", () => {
            expect(decideDisk({ freeGb: 12.34, requiredGb: 20, expansion: { ...expansion, enabled: false }, volume })).to.deep.equal({
                action: "insufficient",
                freeGb: 12.34,
                requiredGb: 20,
                reason: "12.3 GiB free after cleanup, 20 GiB required; volume expansion is disabled",
            });
        });
        it("skips when there is no root EBS volume", () => {
            expect(decideDisk({ freeGb: 5, requiredGb: 20, expansion }).action).to.equal("insufficient");
        });
        it("grows by the increment when that covers the shortfall", () => {
            expect(decideDisk({ freeGb: 12, requiredGb: 20, expansion, volume })).to.deep.equal({ action: "expand", volumeId: "vol-1", fromGb: 30, toGb: 50, freeGb: 12, requiredGb: 20 });
        });
        it("grows by the whole shortfall when it is larger than the increment", () => {
            expect(decideDisk({ freeGb: 2, requiredGb: 40, expansion, volume })).to.deep.include({ action: "expand", toGb: 68 });
        });
        it("grows only up to maxVolumeSizeGb, as long as that covers the shortfall", () => {
            expect(decideDisk({ freeGb: 15, requiredGb: 20, expansion, volume: { volumeId: "vol-1", sizeGb: 90 } })).to.deep.include({ action: "expand", toGb: 100 });
            expect(decideDisk({ freeGb: 5, requiredGb: 20, expansion, volume: { volumeId: "vol-1", sizeGb: 90 } })).to.deep.equal({
                action: "insufficient",
                freeGb: 5,
                requiredGb: 20,
                reason: "5 GiB free after cleanup, 20 GiB required; growing vol-1 from 90 GiB by 15 GiB would exceed maxVolumeSizeGb 100",
            });
        });

        it("reads the last PREFLIGHT_RESULT line of the script output, and nothing else", () => {
            const out = [
                "Preflight Check on web: 8 GiB free",
                'PREFLIGHT_RESULT {"platform":"Windows","freeGb":1,"sizeGb":1}',
                'PREFLIGHT_RESULT {"platform":"Windows","operation":"Check","freeGbBefore":8,"freeGb":12.5,"sizeGb":30,"cleanupRan":true,"servicesNotRunning":"wuauserv","endpointsUnreachable":[],"rebootPending":true}',
                "",
            ].join("\r\n");
            expect(parsePreflightOutput(out)).to.deep.equal({
                platform: "Windows",
                operation: "Check",
                freeGbBefore: 8,
                freeGb: 12.5,
                sizeGb: 30,
                cleanupRan: true,
                servicesNotRunning: ["wuauserv"],
                endpointsUnreachable: [],
                rebootPending: true,
            });
            expect(parsePreflightOutput("no marker")).to.equal(undefined);
            expect(parsePreflightOutput("PREFLIGHT_RESULT {not json")).to.equal(undefined);
            expect(parsePreflightOutput('PREFLIGHT_RESULT {"platform":"MacOS","freeGb":1,"sizeGb":1}')).to.equal(undefined);
        });
    });

    describe("restore", () => {
        const records = [
            { instanceId: "i-run", originalState: "running" as const },
            { instanceId: "i-was-stopped", originalState: "stopped" as const },
            { instanceId: "i-still-stopped", originalState: "stopped" as const },
            { instanceId: "i-starting", originalState: "stopped" as const },
        ];
        const states = (pairs: [string, string][]) => ({ Reservations: [{ Instances: pairs.map(([InstanceId, Name]) => ({ InstanceId, State: { Name: Name as InstanceStateName } })) }] });

        it("plans from original and current states: stop what was stopped and runs, leave what was running", () => {
            const plan = restorePlan(records, new Map([["i-was-stopped", "running"], ["i-still-stopped", "stopped"], ["i-starting", "pending"]]));
            expect(plan).to.deep.equal({ stop: ["i-was-stopped"], alreadyStopped: ["i-still-stopped"], leftRunning: ["i-run"], wait: ["i-starting"] });
        });

        it("stops the ones to stop in one call, describing only instances that were stopped", async () => {
            ec2Mock.on(DescribeInstancesCommand).resolves(states([["i-was-stopped", "running"], ["i-still-stopped", "stopped"], ["i-starting", "stopping"]]));
            ec2Mock.on(StopInstancesCommand).resolves({});
            const result = await restoreInstances(ec2, records);
            expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters).to.deep.equal([{ Name: "instance-id", Values: ["i-was-stopped", "i-still-stopped", "i-starting"] }]);
            expect(ec2Mock.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).to.deep.equal([{ InstanceIds: ["i-was-stopped"] }]);
            expect(result).to.deep.equal({ stopped: ["i-was-stopped"], alreadyStopped: ["i-still-stopped", "i-starting"], leftRunning: ["i-run"], failed: [] });
        });

        it("stops the others, then asks to be retried while an instance is still pending", async () => {
            ec2Mock.on(DescribeInstancesCommand).resolves(states([["i-was-stopped", "running"], ["i-still-stopped", "stopped"], ["i-starting", "pending"]]));
            ec2Mock.on(StopInstancesCommand).resolves({});
            try {
                await restoreInstances(ec2, records);
                expect.fail("should throw");
            } catch (err) {
                expect(err).to.be.instanceOf(InstancesStillStartingError);
                expect((err as Error).name, "the error name Step Functions retries on").to.equal("InstancesStillStarting");
            }
            expect(ec2Mock.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).to.deep.equal([{ InstanceIds: ["i-was-stopped"] }]);
        });

        it("falls back to one call per instance when the batched stop fails, recording what could not be stopped", async () => {
            ec2Mock.on(DescribeInstancesCommand).resolves(states([["i-a", "running"], ["i-b", "running"]]));
            ec2Mock.on(StopInstancesCommand, { InstanceIds: ["i-a", "i-b"] }).rejects(Object.assign(new Error("denied for i-b"), { name: "UnauthorizedOperation" }));
            ec2Mock.on(StopInstancesCommand, { InstanceIds: ["i-a"] }).resolves({});
            ec2Mock.on(StopInstancesCommand, { InstanceIds: ["i-b"] }).rejects(Object.assign(new Error("denied"), { name: "UnauthorizedOperation" }));
            const result = await restoreInstances(ec2, [
                { instanceId: "i-a", originalState: "stopped" },
                { instanceId: "i-b", originalState: "stopped" },
            ]);
            expect(result).to.deep.equal({ stopped: ["i-a"], alreadyStopped: [], leftRunning: [], failed: [{ instanceId: "i-b", reason: "UnauthorizedOperation: denied" }] });
        });
    });

    describe("summary", () => {
        const instances: Record<string, InstanceRecord> = {
            "i-1": rec("i-1", { status: "patched", originalState: "stopped", startedByRun: true, restore: "stopped", name: "web-1" }),
            "i-2": rec("i-2", { status: "failed", reason: "AWS-RunPatchBaseline Failed", restore: "left-running", name: "db" }),
            "i-3": rec("i-3", { status: "skipped", reason: "12 GiB free after cleanup, 20 GiB required; volume expansion is disabled", warnings: ["a reboot was pending before patching"], name: "" }),
        };
        const state = { run: { runId: "run-1", orchestrator: "dev-fleet", startedAt: "2026-12-01T22:55:00.000Z", deadline: "x", settings: settings() }, instances, next: { action: "finish" as const, reason: "done" as const } };

        it("counts patched / failed / skipped per instance and lists failures first", () => {
            const s = buildSummary(state, new Date("2026-12-02T01:00:00Z"));
            expect(s.counts).to.deep.equal({ targets: 3, patched: 1, failed: 1, skipped: 1, pending: 0, startedAndStopped: 1 });
            expect(formatSummary(s).split("\n")).to.deep.equal([
                "Patch orchestrator dev-fleet, run run-1",
                "2026-12-01T22:55:00.000Z → 2026-12-02T01:00:00.000Z; ended: done",
                "3 targets: 1 patched, 1 failed, 1 skipped; 1 started for patching and stopped again",
                "",
                "FAILED   i-2 db (t3.large, was running, restore: left-running): AWS-RunPatchBaseline Failed",
                "SKIPPED  i-3 - (t3.large, was running): 12 GiB free after cleanup, 20 GiB required; volume expansion is disabled",
                "         warning: a reboot was pending before patching",
                "PATCHED  i-1 web-1 (t3.large, was stopped, restore: stopped)",
            ]);
            expect(summarySubject(s)).to.equal("[FAILED] dev-fleet patching: 1 patched, 1 failed, 1 skipped");
        });

        it("publishes to the topic with a ≤ 100-character ASCII subject and attributes to filter on", async () => {
            snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
            const s = buildSummary({ ...state, run: { ...state.run, orchestrator: "ä".repeat(120) } }, new Date("2026-12-02T01:00:00Z"));
            expect(await publishSummary(new SNSClient({ region: "us-east-1" }), "arn:aws:sns:us-east-1:123456789012:t", s)).to.equal("m-1");
            const input = snsMock.commandCalls(PublishCommand)[0].args[0].input;
            expect(input.TopicArn).to.equal("arn:aws:sns:us-east-1:123456789012:t");
            expect(input.Subject).to.have.length(100);
            expect(input.Subject).to.match(/^\[FAILED\] \?+$/);
            expect(input.MessageAttributes).to.deep.equal({ orchestrator: { DataType: "String", StringValue: "ä".repeat(120) }, outcome: { DataType: "String", StringValue: "FAILED" } });
        });

        it("shortens a message over the SNS size limit to what needs attention", () => {
            const s = buildSummary(state, new Date("2026-12-02T01:00:00Z"));
            const short = summaryMessage(s, Buffer.byteLength(formatSummary(s)) - 1);
            expect(short).to.not.contain("PATCHED");
            expect(short).to.contain("(patched instances omitted; see the log)");
        });

        it("writes the text and JSON summary to its own stream in the log group", async () => {
            logsMock.on(CreateLogStreamCommand).rejects(Object.assign(new Error("exists"), { name: "ResourceAlreadyExistsException" }));
            logsMock.on(PutLogEventsCommand).resolves({});
            const s = buildSummary(state, new Date("2026-12-02T01:00:00Z"));
            expect(await writeSummaryLog(new CloudWatchLogsClient({ region: "us-east-1" }), "/aws/ssm/patch-manager", s, new Date("2026-12-02T01:00:00Z"))).to.equal("orchestrator/dev-fleet/run-1");
            const put = logsMock.commandCalls(PutLogEventsCommand)[0].args[0].input;
            expect(put.logGroupName).to.equal("/aws/ssm/patch-manager");
            expect(put.logEvents!.map((e) => e.timestamp)).to.deep.equal([Date.parse("2026-12-02T01:00:00Z"), Date.parse("2026-12-02T01:00:00Z")]);
            expect(JSON.parse(put.logEvents![1].message!).counts.failed).to.equal(1);
        });

        it("summarises a run that failed before it planned anything", () => {
            const s = buildSummary({ error: { Error: "AccessDeniedException", Cause: JSON.stringify({ errorMessage: "ec2:DescribeInstances denied" }) }, executionName: "exec-9" }, new Date("2026-12-02T01:00:00Z"));
            expect(s).to.deep.include({ orchestrator: "unknown", runId: "exec-9", reason: "error", detail: "AccessDeniedException: ec2:DescribeInstances denied" });
            expect(s.counts.targets).to.equal(0);
        });
    });
});
