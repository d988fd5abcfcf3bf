import { Inputs, refName, Summarisers } from "./util";

const kv = (list: Inputs[] | undefined) => (list ?? []).map((p) => `${p.name}=${(p.values ?? []).join(",")}`).join(" ");

function taskLines(i: Inputs): string[] {
    const out = [
        `${i.taskType} ${i.taskArn} · priority ${i.priority}${i.maxConcurrency ? ` · concurrency ${i.maxConcurrency}, errors ${i.maxErrors}` : " · targetless"}${i.cutoffBehavior ? ` · at cutoff ${i.cutoffBehavior}` : ""}`,
    ];
    if (i.targets) out.push(`targets: ${(i.targets as Inputs[]).map((t) => `${t.key}=${(t.values ?? []).map(refName).join(",")}`).join(" ")}`);
    const p = i.taskInvocationParameters ?? {};
    const rc = p.runCommandParameters;
    if (rc) {
        out.push(`parameters: ${kv(rc.parameters)}${rc.timeoutSeconds ? ` · delivery timeout ${rc.timeoutSeconds}s` : ""}${rc.comment ? ` · "${rc.comment}"` : ""}`);
        if (rc.cloudwatchConfig) out.push(`output → CloudWatch Logs ${rc.cloudwatchConfig.cloudwatchLogGroupName}`);
        if (rc.outputS3Bucket) out.push(`output → s3://${rc.outputS3Bucket}/${rc.outputS3KeyPrefix ?? ""}`);
        if (rc.notificationConfig) out.push(`notify ${rc.notificationConfig.notificationArn} on ${(rc.notificationConfig.notificationEvents ?? []).join(", ")} (${rc.notificationConfig.notificationType}) as ${rc.serviceRoleArn}`);
    }
    if (p.automationParameters) out.push(`runbook parameters: ${kv(p.automationParameters.parameters)}${p.automationParameters.documentVersion ? ` · version ${p.automationParameters.documentVersion}` : ""}`);
    if (p.stepFunctionsParameters) out.push(`execution input: ${p.stepFunctionsParameters.input}`);
    return out;
}

export const maintenanceWindowSummarisers: Summarisers = {
    "aws:ssm/maintenanceWindow:MaintenanceWindow": (i) => [
        `${i.name}: ${i.schedule}${i.scheduleTimezone ? ` ${i.scheduleTimezone}` : " UTC"}${i.scheduleOffset ? ` +${i.scheduleOffset} d` : ""} · ${i.duration} h, cutoff ${i.cutoff} h${i.enabled === false ? " · DISABLED" : ""}`,
        ...(i.startDate || i.endDate ? [`active ${i.startDate ?? "now"} → ${i.endDate ?? "no end"}`] : []),
    ],
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (i) => [
        `target ${i.name} (${i.resourceType}): ${(i.targets as Inputs[]).map((t) => `${t.key}=${(t.values ?? []).join(",")}`).join(" ")}`,
    ],
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": taskLines,
};
