/**
 * The steps of one batch (the child state machine). Each takes the batch state and returns the
 * next one; waiting happens in Step Functions Wait states between calls, never in a Lambda, so no
 * step sleeps and every step is quick, idempotent to retry, and testable with an injected clock.
 */
import {
    DescribeInstancesCommand,
    DescribeVolumesCommand,
    DescribeVolumesModificationsCommand,
    EC2Client,
    ModifyVolumeCommand,
    StartInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
    CancelCommandCommand,
    CommandInvocation,
    DescribeInstanceInformationCommand,
    GetCommandInvocationCommand,
    InstanceInformation,
    ListCommandInvocationsCommand,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { decideDisk, parsePreflightOutput, requiredFreeGb, windowsUpdateFindings } from "./disk";
import { isThrottling } from "./pacing";
import { errorText } from "./plan";
import type { BatchState, CommandTracking, InstanceRecord, OrchestratorEnvironment } from "./types";

/** The AWS managed document that scans for / installs patches against the patch baseline. */
export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";
/** Seconds Run Command waits for delivery to an instance (SendCommand TimeoutSeconds). */
export const DELIVERY_TIMEOUT_SECONDS = 600;
/** Seconds an EBS modification may take to reach `optimizing` before the instance is skipped. */
export const VOLUME_MODIFICATION_TIMEOUT_SECONDS = 900;
/** Run Command statuses after which an invocation no longer changes. */
export const FINAL_STATUSES = ["Success", "Failed", "TimedOut", "Cancelled"];

const iso = (d: Date, plusSeconds = 0) => new Date(d.getTime() + plusSeconds * 1000).toISOString();
const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

function update(state: BatchState, id: string, change: Partial<InstanceRecord>): void {
    state.instances = state.instances.map((r) => (r.instanceId === id ? { ...r, ...change } : r));
}
function warn(state: BatchState, id: string, text: string): void {
    const r = state.instances.find((x) => x.instanceId === id)!;
    update(state, id, { warnings: [...(r.warnings ?? []), text] });
}
const copy = (s: BatchState): BatchState => ({ ...s, instances: s.instances.map((r) => ({ ...r })) });
const pendingOnline = (s: BatchState) => s.instances.filter((r) => r.status === "pending" && r.online === true).map((r) => r.instanceId);

/** Instance states (DescribeInstances by id, paginated; a non-mutating call, outside the StartInstances bucket). */
async function instanceStates(ec2: EC2Client, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
        const page = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: ids }], NextToken: token }));
        for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId && i.State?.Name) out.set(i.InstanceId, i.State.Name);
        token = page.NextToken;
    } while (token);
    return out;
}

/**
 * Starts the batch's instances that were stopped with ONE StartInstances call (one request token;
 * the batches in flight are spread by their start slots, core/orchestrator/fleet.ts). A retried
 * step starts nothing twice: it first reads the instances' states, and those already `pending` or
 * `running` (started by the attempt that was throttled) are recorded as started without a call.
 * EC2 fails a multi-instance StartInstances as a whole when one instance cannot start (e.g.
 * IncorrectInstanceState, InsufficientInstanceCapacity, an instance quota); then each instance is
 * started on its own, so only the one that cannot start fails (the seed started 60 at once and lost
 * them all to one capacity error). Throttling is the account's rate limit, not an instance's: the
 * step fails and its throttling retry runs it again. Sets the agent-wait deadline.
 */
export async function startBatch(input: BatchState, ec2: EC2Client, now: Date): Promise<BatchState> {
    const state = copy(input);
    const stopped = state.instances.filter((r) => r.status === "pending" && r.originalState === "stopped" && !r.startedByRun).map((r) => r.instanceId);
    if (stopped.length > 0) {
        const current = await instanceStates(ec2, stopped);
        const toStart: string[] = [];
        for (const id of stopped) {
            const s = current.get(id);
            if (s === "pending" || s === "running") update(state, id, { startedByRun: true });
            else toStart.push(id);
        }
        if (toStart.length > 0) {
            try {
                await ec2.send(new StartInstancesCommand({ InstanceIds: toStart }));
                for (const id of toStart) update(state, id, { startedByRun: true });
            } catch (err) {
                if (isThrottling(err)) throw err;
                for (const id of toStart) {
                    try {
                        await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
                        update(state, id, { startedByRun: true });
                    } catch (one) {
                        if (isThrottling(one)) throw one;
                        update(state, id, { status: "failed", reason: `could not start: ${message(one)}` });
                    }
                }
            }
        }
    }
    state.agents = { deadline: iso(now, state.run.settings.agentWaitSeconds), done: false, checks: 0 };
    return state;
}

async function describeAgents(ssm: SSMClient, ids: string[]): Promise<InstanceInformation[]> {
    const out: InstanceInformation[] = [];
    let token: string | undefined;
    do {
        const page = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: ids }], NextToken: token, MaxResults: 50 }));
        out.push(...(page.InstanceInformationList ?? []));
        token = page.NextToken;
    } while (token);
    return out;
}

/**
 * One check of the SSM agents of the batch's pending instances. Instances whose agent reports
 * Online are marked (with the platform the agent reports); when every one is Online, or the
 * deadline has passed, the wait is done and the instances still offline are failed.
 */
export async function checkAgents(input: BatchState, ssm: SSMClient, now: Date): Promise<BatchState> {
    const state = copy(input);
    const agents = state.agents ?? { deadline: iso(now, state.run.settings.agentWaitSeconds), done: false, checks: 0 };
    const waiting = state.instances.filter((r) => r.status === "pending" && !r.online).map((r) => r.instanceId);
    const ping = new Map<string, string>();
    if (waiting.length > 0) {
        for (const info of await describeAgents(ssm, waiting)) {
            if (!info.InstanceId) continue;
            ping.set(info.InstanceId, info.PingStatus ?? "Unknown");
            if (info.PingStatus === "Online") {
                const platform = info.PlatformType === "Windows" ? "Windows" : info.PlatformType === "Linux" ? "Linux" : info.PlatformType === "MacOS" ? "MacOS" : undefined;
                update(state, info.InstanceId, { online: true, ...(platform ? { platform } : {}) });
            }
        }
    }
    const still = state.instances.filter((r) => r.status === "pending" && !r.online);
    let done = still.length === 0;
    if (!done && now.getTime() >= Date.parse(agents.deadline)) {
        for (const r of still) {
            update(state, r.instanceId, {
                status: "failed",
                reason: `SSM agent did not report Online within ${state.run.settings.agentWaitSeconds} s (ping status: ${ping.get(r.instanceId) ?? "not registered"})`,
            });
        }
        done = true;
    }
    state.agents = { ...agents, done, checks: agents.checks + 1 };
    return state;
}

function commandTargets(state: BatchState, purpose: CommandTracking["purpose"]): string[] {
    if (purpose === "preflight") return state.run.settings.preflight.enabled ? pendingOnline(state) : [];
    if (purpose === "extend") return state.instances.filter((r) => r.status === "pending" && r.disk?.action === "expand").map((r) => r.instanceId);
    return pendingOnline(state);
}

function commandComment(state: BatchState, purpose: string): string {
    // SendCommand's Comment is at most 100 characters.
    return `${state.run.orchestrator} ${purpose} batch ${state.batchIndex + 1}/${state.batchCount} run ${state.run.runId}`.slice(0, 100);
}

/**
 * Sends the batch's preflight check, partition extension or patch command. Output goes to the
 * orchestrator's log group; MaxErrors 100% so one failing instance never cancels the others
 * (in the seed, one failure aborted the child runbook before it restored instance states).
 */
export async function sendCommand(input: BatchState, purpose: CommandTracking["purpose"], ssm: SSMClient, env: OrchestratorEnvironment, now: Date): Promise<BatchState> {
    const state = copy(input);
    const ids = commandTargets(state, purpose);
    const settings = state.run.settings;
    const timeout = purpose === "patch" ? settings.patch.timeoutSeconds : settings.preflight.timeoutSeconds;
    const tracking: CommandTracking = { purpose, instanceIds: ids, sentAt: iso(now), deadline: iso(now, timeout), done: ids.length === 0 };
    if (ids.length > 0) {
        const pf = settings.preflight;
        const parameters: Record<string, string[]> =
            purpose === "patch"
                ? {
                      Operation: [settings.patch.operation],
                      RebootOption: [settings.patch.rebootOption],
                      ...(env.baselineOverride ? { BaselineOverride: [env.baselineOverride] } : {}),
                  }
                : {
                      Operation: [purpose === "extend" ? "Extend" : "Check"],
                      MinFreeGbWindows: [String(pf.minFreeGbWindows)],
                      MinFreeGbLinux: [String(pf.minFreeGbLinux)],
                      Cleanup: [String(pf.cleanup)],
                      DismResetBase: [String(pf.dismResetBase)],
                      WindowsUpdateChecks: [String(pf.windowsUpdateChecks)],
                      Endpoints: [pf.windowsUpdateEndpoints.join(",")],
                  };
        const sent = await ssm.send(
            new SendCommandCommand({
                DocumentName: purpose === "patch" ? PATCH_DOCUMENT : env.preflightDocument,
                InstanceIds: ids,
                Parameters: parameters,
                TimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
                Comment: commandComment(state, purpose),
                MaxConcurrency: "50",
                MaxErrors: "100%",
                CloudWatchOutputConfig: { CloudWatchLogGroupName: env.logGroupName, CloudWatchOutputEnabled: true },
            }),
        );
        tracking.commandId = sent.Command?.CommandId;
        if (!tracking.commandId) throw new Error(`SendCommand for ${purpose} returned no command id`);
    }
    state.command = tracking;
    return state;
}

async function listInvocations(ssm: SSMClient, commandId: string): Promise<CommandInvocation[]> {
    const out: CommandInvocation[] = [];
    let token: string | undefined;
    do {
        const page = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, NextToken: token, MaxResults: 50 }));
        out.push(...(page.CommandInvocations ?? []));
        token = page.NextToken;
    } while (token);
    return out;
}

const tail = (s: string | undefined, n: number) => (s ? (s.length > n ? `…${s.slice(-n)}` : s).trim() : undefined);

/**
 * One poll of the batch's command. When every invocation is final, their statuses (and, for the
 * preflight, the script output that carries its report; for failures, the end of stderr) are
 * recorded and the command is done. Past its deadline the command is cancelled and whatever had
 * not finished is recorded as TimedOut.
 */
export async function pollCommand(input: BatchState, ssm: SSMClient, now: Date): Promise<BatchState> {
    const state = copy(input);
    const cmd = state.command;
    if (!cmd || cmd.done || !cmd.commandId) return state;
    const statuses = new Map<string, CommandInvocation>();
    for (const inv of await listInvocations(ssm, cmd.commandId)) if (inv.InstanceId) statuses.set(inv.InstanceId, inv);
    const final = (id: string) => FINAL_STATUSES.includes(statuses.get(id)?.Status ?? "");
    const allFinal = cmd.instanceIds.every(final);
    const expired = now.getTime() >= Date.parse(cmd.deadline);
    if (!allFinal && !expired) {
        state.command = { ...cmd };
        return state;
    }
    if (!allFinal) {
        try {
            await ssm.send(new CancelCommandCommand({ CommandId: cmd.commandId }));
        } catch {
            // Best effort: the invocations are recorded as timed out either way.
        }
    }
    const invocations: NonNullable<CommandTracking["invocations"]> = {};
    await Promise.all(
        cmd.instanceIds.map(async (id) => {
            const inv = statuses.get(id);
            if (!final(id)) {
                invocations[id] = { status: "TimedOut", details: `still ${inv?.Status ?? "undelivered"} after the ${cmd.purpose} deadline; cancelled` };
                return;
            }
            const status = inv!.Status!;
            const entry: { status: string; details?: string; output?: string } = { status, ...(inv!.StatusDetails ? { details: inv!.StatusDetails } : {}) };
            const wantOutput = cmd.purpose !== "patch" ? status === "Success" : false;
            if (wantOutput || status !== "Success") {
                try {
                    const got = await ssm.send(new GetCommandInvocationCommand({ CommandId: cmd.commandId, InstanceId: id }));
                    if (wantOutput) entry.output = got.StandardOutputContent ?? "";
                    else {
                        const err = tail(got.StandardErrorContent, 200);
                        if (err) entry.details = entry.details ? `${entry.details}: ${err}` : err;
                    }
                } catch (err) {
                    if (wantOutput) entry.output = "";
                    entry.details = `${entry.details ?? status} (output unavailable: ${message(err)})`;
                }
            }
            invocations[id] = entry;
        }),
    );
    state.command = { ...cmd, done: true, invocations };
    return state;
}

function invocationOf(state: BatchState, id: string) {
    return state.command?.invocations?.[id];
}

/**
 * Reads the preflight reports: records measurements and warnings, skips instances whose Windows
 * Update checks failed (when configured), and takes the disk decision — fine, grow the root volume
 * (ModifyVolume now; the partition is extended once the volume is `optimizing`), or skip.
 */
export async function evaluatePreflight(input: BatchState, ec2: EC2Client, now: Date): Promise<BatchState> {
    const state = copy(input);
    const settings = state.run.settings;
    const expansion = settings.preflight.volumeExpansion;
    const ids = state.command?.purpose === "preflight" ? state.command.instanceIds : [];
    const belowThreshold: { id: string; freeGb: number; requiredGb: number; volumeId?: string }[] = [];
    for (const id of ids) {
        const inv = invocationOf(state, id);
        if (!inv || inv.status !== "Success") {
            update(state, id, { status: "failed", reason: `preflight ${inv?.status ?? "missing"}${inv?.details ? `: ${inv.details}` : ""}` });
            continue;
        }
        const report = parsePreflightOutput(inv.output);
        if (!report) {
            update(state, id, { status: "failed", reason: "preflight output has no PREFLIGHT_RESULT line" });
            continue;
        }
        update(state, id, { preflight: report, platform: report.platform });
        if (report.rebootPending) warn(state, id, "a reboot was pending before patching");
        if (report.cleanupRan) warn(state, id, `cleanup ran: ${report.freeGbBefore} → ${report.freeGb} GiB free`);
        const findings = report.platform === "Windows" ? windowsUpdateFindings(report) : [];
        if (findings.length > 0) {
            if (settings.preflight.skipOnWindowsUpdateProblems) {
                update(state, id, { status: "skipped", reason: findings.join("; ") });
                continue;
            }
            for (const f of findings) warn(state, id, f);
        }
        const requiredGb = requiredFreeGb(report.platform, settings.preflight);
        if (report.freeGb >= requiredGb) {
            update(state, id, { disk: { action: "ok", freeGb: report.freeGb, requiredGb } });
        } else {
            belowThreshold.push({ id, freeGb: report.freeGb, requiredGb, volumeId: state.instances.find((r) => r.instanceId === id)!.rootVolumeId });
        }
    }
    const sizes = new Map<string, number>();
    const attachedTo = new Map<string, string[]>();
    const volumeIds = belowThreshold.map((b) => b.volumeId).filter((v): v is string => !!v);
    if (expansion.enabled && volumeIds.length > 0) {
        const got = await ec2.send(new DescribeVolumesCommand({ VolumeIds: volumeIds }));
        for (const v of got.Volumes ?? []) {
            if (!v.VolumeId || v.Size === undefined) continue;
            sizes.set(v.VolumeId, v.Size);
            attachedTo.set(v.VolumeId, (v.Attachments ?? []).map((a) => a.InstanceId ?? "").filter((x) => x !== ""));
        }
    }
    const pending: NonNullable<BatchState["volumes"]>["pending"] = [];
    for (const b of belowThreshold) {
        // Only a volume attached to this very instance is grown (the IAM grant may be wider: untaggedVolumes).
        const attachments = b.volumeId ? attachedTo.get(b.volumeId) : undefined;
        if (b.volumeId && attachments && !attachments.includes(b.id)) {
            update(state, b.id, {
                status: "skipped",
                reason: `${b.freeGb} GiB free, ${b.requiredGb} GiB required; root volume ${b.volumeId} is no longer attached to the instance (attached to: ${attachments.join(", ") || "none"})`,
            });
            continue;
        }
        const volume = b.volumeId && sizes.has(b.volumeId) ? { volumeId: b.volumeId, sizeGb: sizes.get(b.volumeId)! } : undefined;
        const decision = decideDisk({ freeGb: b.freeGb, requiredGb: b.requiredGb, expansion, volume });
        update(state, b.id, { disk: decision });
        if (decision.action === "insufficient") {
            update(state, b.id, { status: "skipped", reason: decision.reason });
        } else if (decision.action === "expand") {
            try {
                await ec2.send(new ModifyVolumeCommand({ VolumeId: decision.volumeId, Size: decision.toGb }));
                pending.push({ instanceId: b.id, volumeId: decision.volumeId, toGb: decision.toGb });
                warn(state, b.id, `root volume ${decision.volumeId} grown from ${decision.fromGb} to ${decision.toGb} GiB`);
            } catch (err) {
                update(state, b.id, { status: "skipped", reason: `${b.freeGb} GiB free, ${b.requiredGb} GiB required; ModifyVolume failed: ${message(err)}` });
            }
        }
    }
    state.volumes = { done: pending.length === 0, count: pending.length, deadline: iso(now, VOLUME_MODIFICATION_TIMEOUT_SECONDS), pending };
    return state;
}

/**
 * One check of the volumes being grown: a volume is usable once its modification is `optimizing`
 * or `completed` (the partition can be extended then); `failed` or a passed deadline skips the
 * instance. Done when none is left waiting; `count` is then the number of volumes ready to extend.
 */
export async function checkVolumes(input: BatchState, ec2: EC2Client, now: Date): Promise<BatchState> {
    const state = copy(input);
    const volumes = state.volumes;
    if (!volumes || volumes.done) return state;
    const got = await ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: volumes.pending.map((p) => p.volumeId) }));
    const byVolume = new Map((got.VolumesModifications ?? []).map((m) => [m.VolumeId, m]));
    const expired = now.getTime() >= Date.parse(volumes.deadline);
    const stillWaiting: typeof volumes.pending = [];
    for (const p of volumes.pending) {
        const m = byVolume.get(p.volumeId);
        const s = m?.ModificationState;
        if (s === "optimizing" || s === "completed") continue;
        if (s === "failed") update(state, p.instanceId, { status: "skipped", reason: `volume ${p.volumeId} modification failed: ${m?.StatusMessage ?? "no message"}` });
        else if (expired) update(state, p.instanceId, { status: "skipped", reason: `volume ${p.volumeId} still ${s ?? "unknown"} after ${VOLUME_MODIFICATION_TIMEOUT_SECONDS} s` });
        else stillWaiting.push(p);
    }
    const done = stillWaiting.length === 0;
    const ready = state.instances.filter((r) => r.status === "pending" && r.disk?.action === "expand").length;
    state.volumes = { ...volumes, pending: stillWaiting, done, count: done ? ready : volumes.count };
    return state;
}

/** Reads the partition-extension reports: enough space now, or skip the instance. */
export function evaluateExtend(input: BatchState): BatchState {
    const state = copy(input);
    const ids = state.command?.purpose === "extend" ? state.command.instanceIds : [];
    for (const id of ids) {
        const inv = invocationOf(state, id);
        const report = inv?.status === "Success" ? parsePreflightOutput(inv.output) : undefined;
        const record = state.instances.find((r) => r.instanceId === id)!;
        const requiredGb = record.disk?.requiredGb ?? requiredFreeGb(record.platform, state.run.settings.preflight);
        if (!report) {
            update(state, id, { status: "skipped", reason: `extending the partition ${inv?.status ?? "did not run"}${inv?.details ? `: ${inv.details}` : ""}` });
        } else if (report.freeGb < requiredGb) {
            update(state, id, { status: "skipped", reason: `${report.freeGb} GiB free after growing the volume, ${requiredGb} GiB required` });
        } else {
            update(state, id, { disk: { action: "ok", freeGb: report.freeGb, requiredGb } });
        }
    }
    return state;
}

/** Reads the patch command's results: Success → patched, anything else → failed with its status. */
export function evaluatePatch(input: BatchState): BatchState {
    const state = copy(input);
    const ids = state.command?.purpose === "patch" ? state.command.instanceIds : [];
    for (const id of ids) {
        const inv = invocationOf(state, id);
        if (inv?.status === "Success") update(state, id, { status: "patched" });
        else update(state, id, { status: "failed", reason: `${PATCH_DOCUMENT} ${inv?.status ?? "did not run"}${inv?.details ? `: ${inv.details}` : ""}` });
    }
    return state;
}

/** Marks what is still pending when the batch ends (after an error, or never reached) as failed. */
export function finalizeBatch(input: BatchState): BatchState {
    const state = copy(input);
    const why = state.error ? `batch interrupted: ${errorText(state.error)}` : "not patched: the batch ended before patching it";
    for (const r of state.instances) if (r.status === "pending") update(state, r.instanceId, { status: "failed", reason: why });
    return state;
}
