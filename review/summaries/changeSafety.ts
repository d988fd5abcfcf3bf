/** Summaries of the change-safety resources: gated association, documents, calendars, schedules, Lambdas. */
import { parseCalendarEvents } from "../../core/changeCalendar";
import { multiAccountSummarisers } from "./multiAccount";
import { orchestratorSummarisers } from "./orchestrator";
import { Inputs, refName, Summarisers } from "./util";

const targets = (t: Inputs[] | undefined) => (t ?? []).map((x) => `${x.key}=${(x.values ?? []).join(",")}`).join(" ");
const params = (p: Record<string, unknown> | undefined) =>
    Object.entries(p ?? {})
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`)
        .map((s) => (s.length > 90 ? `${s.slice(0, 87)}...` : s));

/** Change calendars here; Command and Automation documents as the orchestrator and multi-account areas show them. */
function documentLines(i: Inputs): string[] {
    if (i.documentType === "ChangeCalendar" && typeof i.content === "string") {
        const type = /X-CALENDAR-TYPE:(\S+)/.exec(i.content)?.[1] ?? "?";
        return [`${i.name}: ChangeCalendar document (${i.documentFormat ?? "TEXT"}), ${type}, ${parseCalendarEvents(i.content).length} open period(s); later content changes are ignored (approvals are new versions)`];
    }
    return orchestratorSummarisers["aws:ssm/document:Document"](i);
}

export const changeSafetySummarisers: Summarisers = {
    "aws-native:ssm:Association": (i) => [
        `${i.associationName ?? "(unnamed)"} runs ${refName(i.name)}${i.automationTargetParameterName ? ` per target (${i.automationTargetParameterName})` : ""}`,
        `schedule ${i.scheduleExpression}${i.scheduleOffset ? ` +${i.scheduleOffset} day(s)` : ""}${i.applyOnlyAtCronInterval ? ", only at the cron interval" : ""}; targets ${targets(i.targets)}; max concurrency ${i.maxConcurrency}, max errors ${i.maxErrors}`,
        ...(i.calendarNames?.length ? [`held by change calendar(s) ${i.calendarNames.map(refName).join(", ")}: runs only while open`] : []),
        ...params(i.parameters),
    ],
    "aws:ssm/document:Document": documentLines,
    // Schedules invoking a Lambda function here; those starting automations: the multi-account summary.
    "aws:scheduler/schedule:Schedule": (i) =>
        String(i.target?.arn ?? "").includes(":function:")
            ? [`${i.name}: ${i.scheduleExpression} (${i.scheduleExpressionTimezone ?? "UTC"}) → ${refName(i.target?.arn)} with ${i.target?.input ?? "{}"}`]
            : multiAccountSummarisers["aws:scheduler/schedule:Schedule"](i),
    "aws:lambda/function:Function": (i) => [
        `${i.name} (${i.runtime}, ${(i.architectures ?? []).join(",")}, ${i.timeout}s, ${i.memorySize} MB) — ${i.description ?? ""}`,
        ...Object.entries((i.environment?.variables ?? {}) as Record<string, unknown>).map(([k, v]) => `env ${k}=${v}`),
    ],
    "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => [`${i.name}: ${i.namespace} ${i.metricName} ${i.statistic} ≥ ${i.threshold} per ${i.period}s → ${(i.alarmActions ?? []).map(refName).join(", ")}`],
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (i) => [`${i.functionName}: ${i.maximumRetryAttempts} retry, failures → ${refName(i.destinationConfig?.onFailure?.destination)}`],
};
