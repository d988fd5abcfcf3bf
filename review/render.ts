/** Renders a {@link Review} as text for the terminal, Markdown for pull requests, and JSON. */
import * as path from "path";
import { formatIssue } from "../config";
import type { PlanResource } from "./engine";
import type { Review } from "./review";
import type { ReviewSection } from "./sections";
import { summarise } from "./summaries";
import { groupBy } from "../core/collections";

/** The machine-readable plan written by `--json`. */
export interface JsonPlan {
    project: string;
    stack: string;
    valid: boolean;
    configErrors: { path: string; message: string; value?: unknown }[];
    resources: { urn: string; type: string; name: string; parent: string | null; inputs: Record<string, unknown>; protect?: boolean }[];
    sections: ReviewSection[];
    policyResults: { policy: string; enforcementLevel: string; severity: string; urn: string | null; message: string }[];
}

export function toJsonPlan(review: Review): JsonPlan {
    return {
        project: review.project,
        stack: review.stack,
        valid: review.configErrors.length === 0,
        configErrors: review.configErrors,
        resources: review.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            inputs: r.inputs,
            ...(r.options.protect ? { protect: true } : {}),
        })),
        sections: review.sections,
        policyResults: review.policyResults.map((p) => ({ policy: p.policy, enforcementLevel: p.enforcementLevel, severity: p.severity, urn: p.urn ?? null, message: p.message })),
    };
}

/** Resources arranged under their parents, roots first, in URN order. */
export function resourceTree(resources: PlanResource[]): { node: PlanResource; depth: number }[] {
    const urns = new Set(resources.map((r) => r.urn));
    const byParent = groupBy(resources, (r) => (r.parent && urns.has(r.parent) ? r.parent : undefined));
    const out: { node: PlanResource; depth: number }[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const r of byParent.get(parent) ?? []) {
            out.push({ node: r, depth });
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return out;
}

export function countByType(resources: PlanResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}

/** True when a mandatory policy is violated (the review exits 2). */
export function hasMandatoryViolation(review: Review): boolean {
    return review.policyResults.some((p) => p.enforcementLevel === "mandatory");
}

function policySummary(review: Review): string {
    const mandatory = review.policyResults.filter((p) => p.enforcementLevel === "mandatory").length;
    const advisory = review.policyResults.length - mandatory;
    const cfg = review.policyConfigPath ? path.relative(process.cwd(), review.policyConfigPath) || review.policyConfigPath : "policy defaults";
    return review.policyResults.length === 0
        ? `Policies (${cfg}): no violations.`
        : `Policies (${cfg}): ${mandatory} mandatory, ${advisory} advisory violation(s).`;
}

function header(review: Review): string {
    return `project ${review.project} · stack ${review.stack} · region ${review.region ?? "(aws:region not set)"} · account ${review.accountId} (mock)`;
}

export function renderText(review: Review): string {
    const lines: string[] = [`Patch management review — ${header(review)}`, `config: ${review.configPath}`, ""];
    if (review.configErrors.length > 0) {
        lines.push(`INVALID CONFIG: ${review.configErrors.length} problem(s); nothing was planned.`);
        for (const issue of review.configErrors) lines.push(`  ✗ ${formatIssue(issue)}`);
        return lines.join("\n") + "\n";
    }
    const custom = review.resources.filter((r) => r.custom).length;
    lines.push(`${review.resources.length} resources: ${custom} AWS resources in ${review.resources.length - custom} components`, "");
    for (const { node, depth } of resourceTree(review.resources)) {
        const pad = "  ".repeat(depth);
        lines.push(`${pad}${node.custom ? "-" : "▸"} ${node.name}  (${node.type})${node.options.protect ? "  [protected]" : ""}`);
        for (const s of summarise(node.type, node.inputs)) lines.push(`${pad}    ${s}`);
    }
    lines.push("", "Resources by type:");
    for (const [type, n] of countByType(review.resources)) lines.push(`  ${String(n).padStart(4)}  ${type}`);
    for (const section of review.sections) lines.push("", section.title, "-".repeat(section.title.length), ...section.lines);
    lines.push("", policySummary(review));
    for (const p of review.policyResults) {
        lines.push(`  ${p.enforcementLevel === "mandatory" ? "✗" : "!"} [${p.enforcementLevel}/${p.severity}] ${p.policy}: ${p.message}`);
    }
    return lines.join("\n") + "\n";
}

function mdEscape(s: string): string {
    return s.replace(/\|/g, "\\|");
}

export function renderMarkdown(review: Review): string {
    const lines: string[] = [`## Patch management review: \`${review.stack}\``, "", header(review), ""];
    if (review.configErrors.length > 0) {
        lines.push(`**Invalid config: ${review.configErrors.length} problem(s).** Nothing was planned.`, "");
        lines.push("| key | problem | value |", "| --- | --- | --- |");
        for (const i of review.configErrors) {
            lines.push(`| \`${i.path}\` | ${mdEscape(i.message)} | ${"value" in i ? `\`${mdEscape(JSON.stringify(i.value))}\`` : ""} |`);
        }
        return lines.join("\n") + "\n";
    }
    lines.push(`**${policySummary(review)}**`, "");
    if (review.policyResults.length > 0) {
        lines.push("| level | severity | policy | resource | message |", "| --- | --- | --- | --- | --- |");
        for (const p of review.policyResults) {
            lines.push(`| ${p.enforcementLevel} | ${p.severity} | \`${p.policy}\` | ${p.urn ? `\`${p.urn.split("::").pop()}\`` : "stack"} | ${mdEscape(p.message)} |`);
        }
        lines.push("");
    }
    lines.push("| count | type |", "| ---: | --- |");
    for (const [type, n] of countByType(review.resources)) lines.push(`| ${n} | \`${type}\` |`);
    lines.push("", "### Resources", "");
    for (const { node, depth } of resourceTree(review.resources)) {
        const summary = summarise(node.type, node.inputs);
        lines.push(`${"  ".repeat(depth)}- **${node.name}** \`${node.type}\`${node.options.protect ? " (protected)" : ""}`);
        for (const s of summary) lines.push(`${"  ".repeat(depth + 1)}- ${mdEscape(s)}`);
    }
    for (const section of review.sections) {
        lines.push("", `### ${section.title}`, "");
        if (section.mermaid) lines.push("```mermaid", ...section.mermaid, "```", "");
        lines.push("```text", ...section.lines, "```");
    }
    return lines.join("\n") + "\n";
}
