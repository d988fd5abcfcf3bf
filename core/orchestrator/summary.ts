/**
 * The run summary: patched / failed / skipped per instance, why, and what the restore did —
 * written to the orchestrator's log group (next to the command output) and published to SNS.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { errorText } from "./plan";
import type { InstanceRecord, RunState, RunSummary, StepError, StopReason } from "./types";

/** The parent state as the summary step may receive it: complete, or cut short by an error. */
export type SummaryInput = Partial<RunState> & { error?: StepError; finalRestoreError?: StepError; executionName?: string };

export function buildSummary(input: SummaryInput, now: Date): RunSummary {
    const records: InstanceRecord[] = Object.values(input.instances ?? {});
    const count = (s: InstanceRecord["status"]) => records.filter((r) => r.status === s).length;
    let reason: StopReason = input.next?.action === "finish" ? input.next.reason : "error";
    let detail = input.next?.action === "finish" ? input.next.detail : undefined;
    if (input.error) {
        reason = "error";
        detail = errorText(input.error);
    }
    if (input.finalRestoreError) detail = [detail, `final restore failed: ${errorText(input.finalRestoreError)}`].filter(Boolean).join("; ");
    return {
        orchestrator: input.run?.orchestrator ?? "unknown",
        runId: input.run?.runId ?? input.executionName ?? "unknown",
        startedAt: input.run?.startedAt ?? now.toISOString(),
        finishedAt: now.toISOString(),
        reason,
        ...(detail ? { detail } : {}),
        counts: {
            targets: records.length,
            patched: count("patched"),
            failed: count("failed"),
            skipped: count("skipped"),
            pending: count("pending"),
            startedAndStopped: records.filter((r) => r.startedByRun && r.restore === "stopped").length,
        },
        instances: records.map((r) => ({
            instanceId: r.instanceId,
            name: r.name,
            instanceType: r.instanceType,
            status: r.status,
            originalState: r.originalState,
            ...(r.reason ? { reason: r.reason } : {}),
            ...(r.restore ? { restore: r.restore } : {}),
            ...(r.warnings && r.warnings.length > 0 ? { warnings: r.warnings } : {}),
        })),
    };
}

/** Whether the run needs attention (the state machine then ends Failed, and so does the window task). */
export function runFailed(summary: RunSummary): boolean {
    return summary.reason === "error" || summary.reason === "error-threshold" || summary.counts.failed > 0;
}

/** SNS subject: ASCII, no line breaks, ≤ 100 characters. */
export function summarySubject(s: RunSummary): string {
    const state = runFailed(s) ? "FAILED" : "OK";
    const text = `[${state}] ${s.orchestrator} patching: ${s.counts.patched} patched, ${s.counts.failed} failed, ${s.counts.skipped} skipped`;
    return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
}

export function formatSummary(s: RunSummary): string {
    const lines = [
        `Patch orchestrator ${s.orchestrator}, run ${s.runId}`,
        `${s.startedAt} → ${s.finishedAt}; ended: ${s.reason}${s.detail ? ` (${s.detail})` : ""}`,
        `${s.counts.targets} targets: ${s.counts.patched} patched, ${s.counts.failed} failed, ${s.counts.skipped} skipped${s.counts.pending ? `, ${s.counts.pending} not reached` : ""}; ${s.counts.startedAndStopped} started for patching and stopped again`,
        "",
    ];
    const order: InstanceRecord["status"][] = ["failed", "skipped", "pending", "patched"];
    for (const status of order) {
        for (const i of s.instances.filter((x) => x.status === status)) {
            lines.push(
                `${i.status.toUpperCase().padEnd(8)} ${i.instanceId} ${i.name || "-"} (${i.instanceType}, was ${i.originalState}${i.restore ? `, restore: ${i.restore}` : ""})${i.reason ? `: ${i.reason}` : ""}`,
            );
            for (const w of i.warnings ?? []) lines.push(`         warning: ${w}`);
        }
    }
    return lines.join("\n");
}

/**
 * CloudWatch Logs takes events of at most 256 KiB (PutLogEvents: "The maximum event size is 256 KB";
 * the two events of a call stay under its 1 MiB batch). A fleet run's summary can be larger: the
 * text keeps its failures, the JSON its counts (the full summary is in the run's S3 prefix).
 */
export const LOG_EVENT_TEXT_MAX = 200_000;

/** The summary as JSON, or without the instance list when that is longer than `maxBytes`. */
export function summaryJson(s: RunSummary, maxBytes: number): string {
    const full = JSON.stringify(s);
    if (Buffer.byteLength(full) <= maxBytes) return full;
    const failing = s.instances.filter((i) => i.status !== "patched");
    const short = JSON.stringify({ ...s, instances: failing, instancesOmitted: "patched" });
    return Buffer.byteLength(short) <= maxBytes ? short : JSON.stringify({ ...s, instances: [], instancesOmitted: "all" });
}

/** Writes the summary (text, then JSON) to `logGroup`, stream `orchestrator/<name>/<runId>`. */
export async function writeSummaryLog(logs: CloudWatchLogsClient, logGroupName: string, s: RunSummary, now: Date): Promise<string> {
    const logStreamName = `orchestrator/${s.orchestrator}/${s.runId}`.replace(/[:*]/g, "-").slice(0, 512);
    try {
        await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    } catch (err) {
        if (!(err instanceof Error && err.name === "ResourceAlreadyExistsException")) throw err;
    }
    await logs.send(
        new PutLogEventsCommand({
            logGroupName,
            logStreamName,
            logEvents: [
                { timestamp: now.getTime(), message: summaryMessage(s, LOG_EVENT_TEXT_MAX) },
                { timestamp: now.getTime(), message: summaryJson(s, LOG_EVENT_TEXT_MAX) },
            ],
        }),
    );
    return logStreamName;
}

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
function utf8Prefix(text: string, maxBytes: number): string {
    return Buffer.from(text).subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "");
}

/**
 * SNS messages are at most 256 KB; a very large fleet's summary is shortened to its failures, and
 * cut (in UTF-8 bytes: Name tags and error messages need not be ASCII) when even those do not fit.
 * The result is at most `maxBytes` long, its note included.
 */
export function summaryMessage(s: RunSummary, maxBytes = 250_000): string {
    const full = formatSummary(s);
    if (Buffer.byteLength(full) <= maxBytes) return full;
    const short = `${formatSummary({ ...s, instances: s.instances.filter((i) => i.status !== "patched") })}\n(patched instances omitted; see the log)`;
    if (Buffer.byteLength(short) <= maxBytes) return short;
    const note = "\n(truncated; see the log)";
    return `${utf8Prefix(short, maxBytes - note.length)}${note}`;
}

export async function publishSummary(sns: SNSClient, topicArn: string, s: RunSummary): Promise<string | undefined> {
    const out = await sns.send(
        new PublishCommand({
            TopicArn: topicArn,
            Subject: summarySubject(s),
            Message: summaryMessage(s),
            MessageAttributes: {
                orchestrator: { DataType: "String", StringValue: s.orchestrator },
                outcome: { DataType: "String", StringValue: runFailed(s) ? "FAILED" : "OK" },
            },
        }),
    );
    return out.MessageId;
}
