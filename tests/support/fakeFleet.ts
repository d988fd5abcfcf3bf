/**
 * A fake EC2/SSM world behind aws-sdk-client-mock: instances that start (pending for 30 s), whose
 * SSM agents come Online after a delay, commands that finish after a while with scripted results,
 * volumes that can be grown. Time is the test's FakeClock; nothing ever sleeps.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
    DescribeInstancesCommand,
    DescribeVolumesCommand,
    DescribeVolumesModificationsCommand,
    EC2Client,
    Filter,
    ModifyVolumeCommand,
    StartInstancesCommand,
    StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { ListGroupResourcesCommand, ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
    CancelCommandCommand,
    DescribeInstanceInformationCommand,
    GetCalendarStateCommand,
    GetCommandInvocationCommand,
    ListCommandInvocationsCommand,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import type { FakeClock } from "./asl";

export interface FakeInstance {
    id: string;
    type: string;
    name: string;
    platform: "Windows" | "Linux";
    state: "running" | "stopped";
    tags?: Record<string, string>;
    volumeSizeGb?: number;
    /** The instance the root volume is attached to (DescribeVolumes Attachments). @default this instance */
    volumeAttachedTo?: string;
    /** Free GiB before cleanup. @default 50 */
    freeGb?: number;
    /** Free GiB after the preflight cleanup. @default freeGb */
    freeGbAfterCleanup?: number;
    /** Seconds after starting (or from the beginning, if running) until the agent is Online. @default 60; Infinity = never */
    agentDelaySeconds?: number;
    /** StartInstances fails with this error name. */
    startError?: string;
    /** Result of AWS-RunPatchBaseline. @default Success */
    patchResult?: "Success" | "Failed" | "Hang";
    servicesNotRunning?: string[];
}

interface Command {
    id: string;
    document: string;
    instanceIds: string[];
    parameters: Record<string, string[]>;
    sentAt: number;
    cancelled: boolean;
}

const err = (name: string, message: string) => Object.assign(new Error(message), { name });

export class FakeFleet {
    readonly ec2 = mockClient(EC2Client);
    readonly ssm = mockClient(SSMClient);
    readonly rg = mockClient(ResourceGroupsClient);
    readonly logs = mockClient(CloudWatchLogsClient);
    readonly sns = mockClient(SNSClient);
    readonly clients = { ec2: new EC2Client({ region: "us-east-1" }), ssm: new SSMClient({ region: "us-east-1" }), resourceGroups: new ResourceGroupsClient({ region: "us-east-1" }), logs: new CloudWatchLogsClient({ region: "us-east-1" }), sns: new SNSClient({ region: "us-east-1" }) };
    readonly started: string[] = [];
    /** The InstanceIds of every StartInstances call that succeeded. */
    readonly startCalls: string[][] = [];
    readonly stopped: string[][] = [];
    readonly commands: Command[] = [];
    readonly modified: { volumeId: string; size: number; at: number }[] = [];
    readonly published: { subject?: string; message?: string }[] = [];
    readonly logEvents: { stream: string; message: string }[] = [];
    /** Seconds a command takes. */
    commandSeconds = 90;
    groups: Record<string, string[]> = {};
    /** The approval calendar's state at a time (GetCalendarState). @default always OPEN */
    calendar: (at: number) => "OPEN" | "CLOSED" = () => "OPEN";
    readonly calendarChecks: { names: string[]; at: number }[] = [];
    private readonly startedAt = new Map<string, number>();
    private readonly state = new Map<string, "running" | "stopped">();
    private readonly t0: number;

    constructor(
        private readonly clock: FakeClock,
        readonly instances: FakeInstance[],
    ) {
        this.t0 = clock.now().getTime();
        for (const i of instances) this.state.set(i.id, i.state);
        this.ec2.on(DescribeInstancesCommand).callsFake((input) => this.describeInstances(input.Filters ?? []));
        this.ec2.on(StartInstancesCommand).callsFake((input) => {
            const ids: string[] = input.InstanceIds;
            // Like EC2: one instance that cannot start fails the whole request, and nothing starts.
            for (const id of ids) {
                const inst = this.find(id);
                if (inst.startError) throw err(inst.startError, `cannot start ${id}`);
            }
            this.startCalls.push(ids);
            for (const id of ids) {
                this.started.push(id);
                if (this.state.get(id) === "stopped") this.startedAt.set(id, this.now());
                this.state.set(id, "running");
            }
            return { StartingInstances: ids.map((InstanceId) => ({ InstanceId })) };
        });
        this.ec2.on(StopInstancesCommand).callsFake((input) => {
            this.stopped.push(input.InstanceIds);
            for (const id of input.InstanceIds) {
                this.state.set(id, "stopped");
                this.startedAt.delete(id);
            }
            return {};
        });
        this.ec2.on(DescribeVolumesCommand).callsFake((input) => ({
            Volumes: (input.VolumeIds ?? []).map((v: string) => {
                const owner = this.instances.find((i) => this.volumeOf(i) === v);
                const attachedTo = owner?.volumeAttachedTo ?? owner?.id;
                return { VolumeId: v, Size: owner?.volumeSizeGb ?? 30, Attachments: attachedTo ? [{ VolumeId: v, InstanceId: attachedTo, State: "attached" }] : [] };
            }),
        }));
        this.ec2.on(ModifyVolumeCommand).callsFake((input) => {
            this.modified.push({ volumeId: input.VolumeId, size: input.Size, at: this.now() });
            return { VolumeModification: { VolumeId: input.VolumeId, ModificationState: "modifying" } };
        });
        this.ec2.on(DescribeVolumesModificationsCommand).callsFake((input) => ({
            VolumesModifications: (input.VolumeIds ?? []).map((v: string) => {
                const m = this.modified.find((x) => x.volumeId === v);
                return { VolumeId: v, ModificationState: m && this.now() - m.at >= 60_000 ? "optimizing" : "modifying" };
            }),
        }));
        this.ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
            const ids = input.Filters?.find((f: { Key: string }) => f.Key === "InstanceIds")?.Values ?? [];
            return {
                InstanceInformationList: ids
                    .map((id: string) => this.find(id))
                    .map((i: FakeInstance) => ({ InstanceId: i.id, PingStatus: this.agentOnline(i) ? "Online" : "ConnectionLost", PlatformType: i.platform })),
            };
        });
        this.ssm.on(SendCommandCommand).callsFake((input) => {
            const id = `cmd-${this.commands.length + 1}`;
            this.commands.push({ id, document: input.DocumentName, instanceIds: input.InstanceIds, parameters: input.Parameters ?? {}, sentAt: this.now(), cancelled: false });
            return { Command: { CommandId: id } };
        });
        this.ssm.on(ListCommandInvocationsCommand).callsFake((input) => {
            const c = this.command(input.CommandId);
            return { CommandInvocations: c.instanceIds.map((id) => ({ CommandId: c.id, InstanceId: id, Status: this.invocationStatus(c, id) })) };
        });
        this.ssm.on(GetCommandInvocationCommand).callsFake((input) => {
            const c = this.command(input.CommandId);
            const i = this.find(input.InstanceId);
            const status = this.invocationStatus(c, i.id);
            if (c.document === "AWS-RunPatchBaseline") return { Status: status, StandardOutputContent: "", StandardErrorContent: status === "Failed" ? "Failed to install package: KB5040000 (0x80070643)" : "" };
            return { Status: status, StandardOutputContent: `Preflight ${c.parameters.Operation[0]}\n${this.preflightLine(c, i)}\n` };
        });
        this.ssm.on(GetCalendarStateCommand).callsFake((input) => {
            const at = input.AtTime ? Date.parse(input.AtTime) : this.now();
            this.calendarChecks.push({ names: input.CalendarNames, at });
            return { State: this.calendar(at), AtTime: new Date(at).toISOString() };
        });
        this.ssm.on(CancelCommandCommand).callsFake((input) => {
            this.command(input.CommandId).cancelled = true;
            return {};
        });
        this.rg.on(ListGroupResourcesCommand).callsFake((input) => ({
            Resources: (this.groups[input.Group] ?? []).map((id) => ({ Identifier: { ResourceArn: `arn:aws:ec2:us-east-1:123456789012:instance/${id}`, ResourceType: "AWS::EC2::Instance" } })),
        }));
        this.logs.on(CreateLogStreamCommand).resolves({});
        this.logs.on(PutLogEventsCommand).callsFake((input) => {
            for (const e of input.logEvents) this.logEvents.push({ stream: input.logStreamName, message: e.message });
            return {};
        });
        this.sns.on(PublishCommand).callsFake((input) => {
            this.published.push({ subject: input.Subject, message: input.Message });
            return { MessageId: `msg-${this.published.length}` };
        });
    }

    restore(): void {
        for (const m of [this.ec2, this.ssm, this.rg, this.logs, this.sns]) m.restore();
    }

    now(): number {
        return this.clock.now().getTime();
    }
    find(id: string): FakeInstance {
        const i = this.instances.find((x) => x.id === id);
        if (!i) throw err("InvalidInstanceID.NotFound", `no instance ${id}`);
        return i;
    }
    volumeOf(i: FakeInstance): string {
        return `vol-${i.id.slice(2)}`;
    }
    /** pending for 30 s after a start, then running. */
    currentState(id: string): string {
        const s = this.state.get(id)!;
        const at = this.startedAt.get(id);
        return s === "running" && at !== undefined && this.now() - at < 30_000 ? "pending" : s;
    }
    private agentOnline(i: FakeInstance): boolean {
        if (this.currentState(i.id) !== "running") return false;
        const since = this.startedAt.get(i.id) ?? this.t0;
        return this.now() - since >= (i.agentDelaySeconds ?? 60) * 1000;
    }
    private command(id: string): Command {
        const c = this.commands.find((x) => x.id === id);
        if (!c) throw err("InvalidCommandId", id);
        return c;
    }
    private invocationStatus(c: Command, id: string): string {
        if (c.cancelled) return "Cancelled";
        const i = this.find(id);
        if (c.document === "AWS-RunPatchBaseline" && i.patchResult === "Hang") return "InProgress";
        if (this.now() - c.sentAt < this.commandSeconds * 1000) return "InProgress";
        if (c.document === "AWS-RunPatchBaseline") return i.patchResult ?? "Success";
        return "Success";
    }
    private preflightLine(c: Command, i: FakeInstance): string {
        const operation = c.parameters.Operation[0];
        const before = i.freeGb ?? 50;
        const grown = this.modified.filter((m) => m.volumeId === this.volumeOf(i)).reduce((sum, m) => Math.max(sum, m.size - (i.volumeSizeGb ?? 30)), 0);
        const after = (i.freeGbAfterCleanup ?? before) + (operation === "Extend" ? grown : 0);
        return `PREFLIGHT_RESULT ${JSON.stringify({
            platform: i.platform,
            operation,
            freeGbBefore: operation === "Extend" ? (i.freeGbAfterCleanup ?? before) : before,
            freeGb: after,
            sizeGb: (i.volumeSizeGb ?? 30) + (operation === "Extend" ? grown : 0),
            cleanupRan: operation === "Check" && i.freeGbAfterCleanup !== undefined,
            servicesNotRunning: i.servicesNotRunning ?? [],
            endpointsUnreachable: [],
            rebootPending: false,
        })}`;
    }
    private describeInstances(filters: Filter[]) {
        const matching = this.instances.filter((i) =>
            filters.every((f) => {
                const values = f.Values ?? [];
                if (f.Name === "instance-state-name") return values.includes(this.currentState(i.id));
                if (f.Name === "instance-id") return values.includes(i.id);
                if (f.Name?.startsWith("tag:")) return values.includes(i.tags?.[f.Name.slice(4)] ?? "\u0000");
                throw new Error(`fake DescribeInstances does not know filter ${f.Name}`);
            }),
        );
        return {
            Reservations: [
                {
                    Instances: matching.map((i) => ({
                        InstanceId: i.id,
                        InstanceType: i.type,
                        State: { Name: this.currentState(i.id) },
                        Tags: [{ Key: "Name", Value: i.name }, ...Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))],
                        ...(i.platform === "Windows" ? { Platform: "windows", PlatformDetails: "Windows" } : { PlatformDetails: "Linux/UNIX" }),
                        RootDeviceName: "/dev/sda1",
                        BlockDeviceMappings: [{ DeviceName: "/dev/sda1", Ebs: { VolumeId: this.volumeOf(i) } }],
                    })),
                },
            ],
        };
    }
}
