/**
 * The compliance dashboard body (core/complianceDashboard.ts) built directly: widgets on
 * CloudWatch's 24-column grid without overlap (PutDashboard "Dashboard Body Structure and Syntax":
 * x 0–23, width 1–24), only metrics the services document, each rule and topic by its dimension,
 * and only what is on.
 */
import { expect } from "chai";
import { complianceDashboardBody, dashboardMetrics, EVENTS_METRICS, RUN_COMMAND_METRICS, SNS_METRICS } from "../core/complianceDashboard";

const FULL = {
    region: "eu-west-1",
    title: "Patch compliance — prod",
    nonCompliantRule: { label: "non-compliant", ruleName: "prod-patch-noncompliant" },
    failureRules: [
        { label: "Run Command failed", ruleName: "prod-runcommand-failed" },
        { label: "automation failed", ruleName: "prod-automation-failed" },
    ],
    reportRule: { label: "report", ruleName: "prod-patch-report" },
    topicName: "prod-patching-notifications",
    logGroupName: "/aws/ssm/prod-patching",
};

type W = ReturnType<typeof complianceDashboardBody>["widgets"][number];
const overlaps = (a: W, b: W) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("compliance dashboard body (core/complianceDashboard.ts)", () => {
    it("lays every widget on the 24-column grid, side by side then the next row, without overlap", () => {
        const { widgets } = complianceDashboardBody(FULL);
        expect(widgets.map((w) => [w.type, w.x, w.y, w.width, w.height])).to.deep.equal([
            ["text", 0, 0, 24, 2],
            ["metric", 0, 2, 12, 6],
            ["metric", 12, 2, 12, 6],
            ["metric", 0, 8, 12, 6],
            ["metric", 12, 8, 12, 6],
            ["metric", 0, 14, 12, 6],
            ["log", 0, 20, 24, 6],
        ]);
        for (const [i, a] of widgets.entries()) {
            expect(a.x + a.width, `widget ${i}`).to.be.at.most(24);
            for (const b of widgets.slice(i + 1)) expect(overlaps(a, b), `widgets ${i} and ${widgets.indexOf(b)}`).to.equal(false);
        }
        expect((widgets[0].properties.markdown as string).split("\n")[0]).to.equal("# Patch compliance — prod");
    });

    it("graphs only documented metrics, each rule by RuleName and the topic by TopicName, summed, in the stack's Region", () => {
        const body = complianceDashboardBody(FULL);
        const documented = [...RUN_COMMAND_METRICS.map((m) => `AWS/SSM-RunCommand ${m}`), ...EVENTS_METRICS.map((m) => `AWS/Events ${m}`), ...SNS_METRICS.map((m) => `AWS/SNS ${m}`)];
        expect(dashboardMetrics(body).every((m) => documented.includes(m))).to.equal(true);
        expect(dashboardMetrics(body)).to.deep.equal([
            "AWS/Events FailedInvocations",
            "AWS/Events TriggeredRules",
            "AWS/SNS NumberOfMessagesPublished",
            "AWS/SNS NumberOfNotificationsFailed",
            "AWS/SSM-RunCommand CommandsDeliveryTimedOut",
            "AWS/SSM-RunCommand CommandsFailed",
            "AWS/SSM-RunCommand CommandsSucceeded",
        ]);
        const metrics = body.widgets.filter((w) => w.type === "metric");
        expect(metrics.map((w) => w.properties.title)).to.deep.equal([
            "Nodes turning patch non-compliant (per hour)",
            "Run Command results, all documents",
            "Patching failures notified",
            "Notification delivery",
            "Patch report export (scheduled)",
        ]);
        for (const w of metrics) expect(w.properties).to.include({ region: "eu-west-1", stat: "Sum", view: "timeSeries", stacked: false });
        expect(metrics.map((w) => w.properties.period)).to.deep.equal([3600, 300, 3600, 300, 86400]);
        expect(metrics[0].properties.metrics).to.deep.equal([["AWS/Events", "TriggeredRules", "RuleName", "prod-patch-noncompliant", { label: "non-compliant" }]]);
        expect(metrics[2].properties.metrics).to.deep.equal([
            ["AWS/Events", "TriggeredRules", "RuleName", "prod-runcommand-failed", { label: "Run Command failed" }],
            ["AWS/Events", "TriggeredRules", "RuleName", "prod-automation-failed", { label: "automation failed" }],
        ]);
        expect(metrics[3].properties.metrics).to.deep.equal([
            ["AWS/SNS", "NumberOfMessagesPublished", "TopicName", "prod-patching-notifications", { label: "NumberOfMessagesPublished" }],
            ["AWS/SNS", "NumberOfNotificationsFailed", "TopicName", "prod-patching-notifications", { label: "NumberOfNotificationsFailed" }],
            ["AWS/Events", "FailedInvocations", "RuleName", "prod-patch-noncompliant", { label: "non-compliant target failures" }],
            ["AWS/Events", "FailedInvocations", "RuleName", "prod-runcommand-failed", { label: "Run Command failed target failures" }],
            ["AWS/Events", "FailedInvocations", "RuleName", "prod-automation-failed", { label: "automation failed target failures" }],
        ]);
        expect(metrics[4].properties.metrics).to.deep.equal([
            ["AWS/Events", "TriggeredRules", "RuleName", "prod-patch-report", { label: "TriggeredRules" }],
            ["AWS/Events", "FailedInvocations", "RuleName", "prod-patch-report", { label: "FailedInvocations" }],
        ]);
        const log = body.widgets.find((w) => w.type === "log")!;
        expect(log.properties).to.include({ region: "eu-west-1", view: "table", title: "Patching output with errors (/aws/ssm/prod-patching)" });
        expect(log.properties.query).to.match(/^SOURCE '\/aws\/ssm\/prod-patching' \| fields @timestamp, @logStream, @message \| filter @message like \/\(\?i\)\(error\|failed\|exception\)\/ \| sort @timestamp desc \| limit 50$/);
    });

    it("only what is on: without notifications, report or log group, the Run Command graph alone", () => {
        const body = complianceDashboardBody({ region: "us-east-1", title: "t", failureRules: [] });
        expect(body.widgets.map((w) => [w.type, w.properties.title ?? "text"])).to.deep.equal([
            ["text", "text"],
            ["metric", "Run Command results, all documents"],
        ]);
        const topicOnly = complianceDashboardBody({ region: "us-east-1", title: "t", failureRules: [], topicName: "t" });
        expect(topicOnly.widgets.map((w) => w.properties.title).filter(Boolean)).to.deep.equal(["Run Command results, all documents", "Notification delivery"]);
        expect(dashboardMetrics({ widgets: [{ type: "text", x: 0, y: 0, width: 24, height: 2, properties: {} }] })).to.deep.equal([]);
    });
});
