/**
 * The CloudWatch dashboard of patch compliance and patching executions, as a plain object (the
 * `DashboardBody` JSON), so tests read exactly what the component deploys.
 *
 * Metrics used, and where they are documented:
 * - `AWS/SSM-RunCommand` `CommandsSucceeded`, `CommandsFailed`, `CommandsDeliveryTimedOut`
 *   (Systems Manager user guide, "Monitoring Run Command metrics using Amazon CloudWatch"; Count,
 *   no dimensions, account and Region wide). There is no `CommandsTimedOut` metric: execution
 *   time-outs show up as `CommandsFailed`, and only through the EventBridge rules per document.
 * - `AWS/Events` `TriggeredRules`, `Invocations`, `FailedInvocations` by `RuleName` (EventBridge
 *   user guide, "Monitoring Amazon EventBridge"; sent only when non-zero).
 * - `AWS/SNS` `NumberOfMessagesPublished`, `NumberOfNotificationsDelivered`,
 *   `NumberOfNotificationsFailed` by `TopicName` (SNS developer guide, "Amazon SNS metrics").
 * Systems Manager publishes no patch-compliance metric: compliance is counted here from the
 * non-compliance rule's `TriggeredRules` (one per node that turns non-compliant) and read in
 * full from the resource data sync (Athena) or Patch Manager's compliance reporting.
 */

export const RUN_COMMAND_NAMESPACE = "AWS/SSM-RunCommand";
export const RUN_COMMAND_METRICS = ["CommandsSucceeded", "CommandsFailed", "CommandsDeliveryTimedOut"] as const;
export const EVENTS_NAMESPACE = "AWS/Events";
export const EVENTS_METRICS = ["TriggeredRules", "Invocations", "FailedInvocations"] as const;
export const SNS_NAMESPACE = "AWS/SNS";
export const SNS_METRICS = ["NumberOfMessagesPublished", "NumberOfNotificationsDelivered", "NumberOfNotificationsFailed"] as const;

export interface DashboardRule {
    /** Legend label. */
    label: string;
    /** The EventBridge rule name (the `RuleName` dimension). */
    ruleName: string;
}

export interface DashboardInput {
    region: string;
    /** Heading, e.g. `Patch compliance — prod`. */
    title: string;
    /** The non-compliance rule, when notifications are on. */
    nonCompliantRule?: DashboardRule;
    /** The failure rules (Run Command, invocation, automation, association). */
    failureRules: DashboardRule[];
    /** The scheduled patch-report rule, when the export is on. */
    reportRule?: DashboardRule;
    /** The notification topic name, when notifications are on. */
    topicName?: string;
    /** The log group patching commands write their output to. */
    logGroupName?: string;
}

type Widget = { type: "metric" | "log" | "text"; x: number; y: number; width: number; height: number; properties: Record<string, unknown> };

/** The dashboard body: a 24-column grid, 6-unit-high widgets, read top to bottom. */
export function complianceDashboardBody(input: DashboardInput): { widgets: Widget[] } {
    const widgets: Widget[] = [];
    let x = 0;
    let y = 0;
    const place = (w: Omit<Widget, "x" | "y">) => {
        if (x + w.width > 24) {
            x = 0;
            y += 6;
        }
        widgets.push({ ...w, x, y });
        x += w.width;
    };
    const metric = (title: string, metrics: unknown[][], period: number, width = 12) =>
        place({ type: "metric", width, height: 6, properties: { title, region: input.region, view: "timeSeries", stacked: false, stat: "Sum", period, metrics } });
    const ruleMetric = (name: string, r: DashboardRule) => [EVENTS_NAMESPACE, name, "RuleName", r.ruleName, { label: r.label }];

    widgets.push({
        type: "text",
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: {
            markdown:
                `# ${input.title}\n` +
                "Node-level compliance: Patch Manager → Compliance reporting, or Athena over the resource data sync. " +
                "Systems Manager publishes no compliance metric; the non-compliance graph counts nodes turning non-compliant (EventBridge).",
        },
    });
    y = 2;

    if (input.nonCompliantRule) metric("Nodes turning patch non-compliant (per hour)", [ruleMetric("TriggeredRules", input.nonCompliantRule)], 3600);
    metric(
        "Run Command results, all documents",
        RUN_COMMAND_METRICS.map((m) => [RUN_COMMAND_NAMESPACE, m, { label: m }]),
        300,
    );
    if (input.failureRules.length > 0) metric("Patching failures notified", input.failureRules.map((r) => ruleMetric("TriggeredRules", r)), 3600);
    const delivery: unknown[][] = [];
    if (input.topicName) {
        for (const m of ["NumberOfMessagesPublished", "NumberOfNotificationsFailed"] as const) delivery.push([SNS_NAMESPACE, m, "TopicName", input.topicName, { label: m }]);
    }
    for (const r of [input.nonCompliantRule, ...input.failureRules].filter((r): r is DashboardRule => r !== undefined)) {
        delivery.push([EVENTS_NAMESPACE, "FailedInvocations", "RuleName", r.ruleName, { label: `${r.label} target failures` }]);
    }
    if (delivery.length > 0) metric("Notification delivery", delivery, 300);
    if (input.reportRule) {
        metric("Patch report export (scheduled)", ["TriggeredRules", "FailedInvocations"].map((m) => ruleMetric(m, { label: m, ruleName: input.reportRule!.ruleName })), 86400);
    }
    if (input.logGroupName) {
        place({
            type: "log",
            width: 24,
            height: 6,
            properties: {
                title: `Patching output with errors (${input.logGroupName})`,
                region: input.region,
                view: "table",
                query: `SOURCE '${input.logGroupName}' | fields @timestamp, @logStream, @message | filter @message like /(?i)(error|failed|exception)/ | sort @timestamp desc | limit 50`,
            },
        });
    }
    return { widgets };
}

/** Every `[namespace, metricName]` pair a dashboard body references (for review and tests). */
export function dashboardMetrics(body: { widgets: Widget[] }): string[] {
    const out = new Set<string>();
    for (const w of body.widgets) {
        if (w.type !== "metric") continue;
        for (const m of w.properties.metrics as unknown[][]) out.add(`${m[0]} ${m[1]}`);
    }
    return [...out].sort();
}
