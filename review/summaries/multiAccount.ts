/** Summaries of the multi-account automation: runbook, resource groups, schedules, StackSet. */
import { documentTree } from "../../core/automationDocument";
import { statementLines } from "./iam";
import { Inputs, Summarisers } from "./util";

export function tagQuery(query: unknown): string {
    const q = (typeof query === "string" ? JSON.parse(query) : query) as { ResourceTypeFilters?: string[]; TagFilters?: { Key: string; Values: string[] }[] };
    const tags = (q.TagFilters ?? []).map((t) => (t.Values.length > 0 ? `${t.Key} in [${t.Values.join(", ")}]` : `has ${t.Key}`)).join(" and ");
    return `${(q.ResourceTypeFilters ?? []).join(", ")} where ${tags}`;
}

function runbookLines(content: unknown): string[] {
    if (typeof content !== "string") return [];
    const doc = documentTree(content) as { parameters?: Record<string, Inputs>; mainSteps?: Inputs[] };
    const params = Object.entries(doc.parameters ?? {}).map(([n, p]) => {
        const allowed = p.allowedValues ? `(${p.allowedValues.join("|")})` : p.allowedPattern ? `/${p.allowedPattern}/` : "";
        return `${n}${allowed}${p.default !== undefined ? ` = "${p.default}"` : ""}`;
    });
    return [
        `parameters: ${params.join("; ")}`,
        ...(doc.mainSteps ?? []).map(
            (s) =>
                `step ${s.name}: ${s.action} ${s.inputs?.DocumentName ?? ""} on ${JSON.stringify(s.inputs?.InstanceIds ?? s.inputs?.Targets)} with ${JSON.stringify(s.inputs?.Parameters ?? {})}; maxAttempts ${s.maxAttempts ?? 1}, timeout ${s.timeoutSeconds ?? "-"}s, onFailure ${s.onFailure ?? "Abort"}`,
        ),
    ];
}

function scheduleLines(i: Inputs): string[] {
    const lines = [`${i.scheduleExpression} (${i.scheduleExpressionTimezone ?? "UTC"}) in group ${i.groupName}, ${i.state ?? "ENABLED"}`];
    const target = i.target ?? {};
    let input: Inputs | undefined;
    try {
        input = typeof target.input === "string" ? JSON.parse(target.input) : undefined;
    } catch {
        input = undefined;
    }
    if (!input) return [...lines, `target ${target.arn} input ${target.input}`];
    const params = Object.entries(input.Parameters ?? {})
        .filter(([k]) => k !== "AutomationAssumeRole")
        .map(([k, v]) => `${k}=${(v as string[]).join(",")}`)
        .join(" ");
    lines.push(
        `${target.arn}: ${input.DocumentName} (${input.DocumentVersion}) ${params} as ${input.Parameters?.AutomationAssumeRole?.[0]}`,
        `targets: ${(input.Targets ?? []).map((t: Inputs) => `${t.Key}=${t.Values.join(",")}`).join(" ")} → ${input.TargetParameterName}; rate control ${input.MaxConcurrency} at once, max errors ${input.MaxErrors}`,
        ...(input.TargetLocations ?? []).map(
            (l: Inputs, n: number) =>
                `location ${n + 1}: ${l.Accounts.join(", ")}${l.ExcludeAccounts ? ` (excluding ${l.ExcludeAccounts.join(", ")})` : ""} × ${l.Regions.join(", ")} as ${l.ExecutionRoleName}; ${l.TargetLocationMaxConcurrency} locations at once, max errors ${l.TargetLocationMaxErrors}`,
        ),
        `scheduler role ${target.roleArn}; retries ${target.retryPolicy?.maximumRetryAttempts ?? "default"} within ${target.retryPolicy?.maximumEventAgeInSeconds ?? "default"}s`,
    );
    return lines;
}

function stackSetLines(i: Inputs): string[] {
    const lines = [
        `${i.name}: ${i.permissionModel}, auto-deployment ${i.autoDeployment?.enabled ? "on" : "off"} (retain stacks on removal: ${i.autoDeployment?.retainStacksOnAccountRemoval ?? false}), call as ${i.callAs ?? "SELF"}, ${(i.capabilities ?? []).join(", ")}`,
        `rollout: ${i.operationPreferences?.maxConcurrentPercentage ?? "-"}% of accounts at once, ${i.operationPreferences?.failureTolerancePercentage ?? 0}% failures tolerated, Regions ${i.operationPreferences?.regionConcurrencyType ?? "SEQUENTIAL"}`,
        `parameters: ${Object.entries(i.parameters ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`,
    ];
    let template: Inputs | undefined;
    try {
        template = typeof i.templateBody === "string" ? JSON.parse(i.templateBody) : undefined;
    } catch {
        template = undefined;
    }
    if (!template) return [...lines, `template: ${i.templateBody}`];
    for (const [id, r] of Object.entries(template.Resources ?? {}) as [string, Inputs][]) {
        const p = r.Properties ?? {};
        if (r.Type === "AWS::IAM::Role") {
            lines.push(`template ${id}: ${r.Type} ${p.RoleName}${r.Condition ? ` (only where ${r.Condition}: Region = RoleRegion)` : ""}`);
            lines.push(...statementLines(p.AssumeRolePolicyDocument, "  trust: "));
            for (const pol of p.Policies ?? []) lines.push(...statementLines(pol.PolicyDocument, `  ${pol.PolicyName}: `));
        } else if (r.Type === "AWS::ResourceGroups::Group") {
            lines.push(`template ${id}: ${r.Type} ${p.Name}: ${tagQuery(p.ResourceQuery?.Query)}`);
        } else {
            lines.push(`template ${id}: ${r.Type}`);
        }
    }
    return lines;
}

export const multiAccountSummarisers: Summarisers = {
    "aws:ssm/document:Document": (i) => [`${i.name}: ${i.documentType} document (${i.documentFormat}), version ${i.versionName ?? "-"}`, ...runbookLines(i.content)],
    "aws:resourcegroups/group:Group": (i) => [`${i.name}: ${i.resourceQuery?.type} ${tagQuery(i.resourceQuery?.query)}`],
    "aws:scheduler/schedule:Schedule": (i) => [`schedule ${i.name}${i.description ? ` — ${i.description}` : ""}`, ...scheduleLines(i)],
    "aws:cloudformation/stackSet:StackSet": stackSetLines,
    "aws:cloudformation/stackSetInstance:StackSetInstance": (i) => [
        `${i.stackSetName} in ${i.stackSetInstanceRegion} → OUs ${(i.deploymentTargets?.organizationalUnitIds ?? []).join(", ")} (call as ${i.callAs ?? "SELF"})`,
    ],
};
