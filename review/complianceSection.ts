/**
 * The review's "Seeing compliance" section: when inventory and the patch report run next, what
 * each notification rule matches and whom it tells, where compliance data lands, and which metrics
 * the dashboard graphs.
 */
import { patchReportRuleName } from "../config/compliance";
import { formatRun, nextRuns } from "../core/schedule";
import { dashboardMetrics } from "../core/complianceDashboard";
import type { PlanResource } from "./engine";
import type { ReviewSection, SectionInput } from "./sections";

/** Resources of `type` inside the PatchCompliance component (other areas have topics and rules too). */
function find(resources: PlanResource[], type: string): PlanResource[] {
    return resources.filter((r) => r.type === type && r.urn.includes("patching:compliance:PatchCompliance$"));
}

function runs(expression: string, now: Date): string {
    try {
        return nextRuns(expression, { from: now, count: 3 })
            .map((d) => formatRun(d))
            .join("; ");
    } catch (err) {
        return `(cannot compute: ${(err as Error).message})`;
    }
}

export function complianceSection({ config, resources, now }: SectionInput): ReviewSection | undefined {
    const c = config.compliance;
    if (!c) return undefined;
    const lines: string[] = [];
    if (c.inventory.enabled) {
        lines.push(`Inventory (AWS-GatherSoftwareInventory) ${c.inventory.schedule}, next: ${runs(c.inventory.schedule, now)}${c.inventory.schedule.startsWith("rate") ? " (a rate counts from when the association is created)" : ""}`);
    }
    for (const sync of find(resources, "aws:ssm/resourceDataSync:ResourceDataSync")) {
        const d = sync.inputs.s3Destination as Record<string, string>;
        lines.push(`Resource data sync ${sync.inputs.name} → s3://${d.bucketName}/${d.prefix}/ in ${d.region} (inventory, compliance and patch data, JsonSerDe)`);
    }
    if (c.patchReport.enabled) {
        lines.push(`Patch report ${patchReportRuleName(c.patchReport.name)} ${c.patchReport.schedule}, next: ${runs(c.patchReport.schedule, now)} (a rate counts from when the rule is created)`);
    }
    for (const rule of find(resources, "aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs.eventPattern)) {
        lines.push(`Notify on ${rule.inputs.name}: ${rule.inputs.eventPattern}`);
    }
    // Only the compliance topic's subscribers (other areas, e.g. the override store's alarms, subscribe too).
    const emails = find(resources, "aws:sns/topicSubscription:TopicSubscription")
        .filter((s) => s.parent?.includes("::patching:compliance:PatchCompliance::") ?? false)
        .map((s) => s.inputs.endpoint);
    if (c.notifications.enabled) lines.push(`Recipients: ${emails.length > 0 ? emails.join(", ") : "none yet (subscribe to the topic)"}; each must confirm the subscription email`);
    for (const d of find(resources, "aws:cloudwatch/dashboard:Dashboard")) {
        lines.push(`Dashboard ${d.inputs.dashboardName} graphs: ${dashboardMetrics(JSON.parse(d.inputs.dashboardBody as string)).join(", ")}`);
    }
    lines.push(`Patching output: log group ${c.logs.groupName}, kept ${c.logs.retentionDays} days`);
    lines.push(`Security Hub: Patch Manager findings ${c.securityHub.patchFindings === "on" ? "turned on by this stack" : "not managed here (on by default where Security Hub is enabled)"}`);
    return { title: "Seeing compliance", lines };
}
