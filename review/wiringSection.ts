/**
 * The review's wiring section and diagram: what review/wiring.ts proved about the plan.
 */
import type { ReviewSection } from "./sections";
import type { WiringReport } from "./wiring";

export function wiringSection(report: WiringReport): ReviewSection {
    const lines = [`${report.proven} edge(s) proven, ${report.broken} broken (each call allowed, each stranger denied, by an IAM policy engine)`];
    for (const v of report.verdicts.filter((v) => !v.ok)) {
        lines.push(`BROKEN ${v.edge.id}: ${v.edge.from} → ${v.edge.to} [${v.edge.kind}]`, ...v.problems.map((p) => `    ${p}`), `    request context per ${v.edge.source}`);
    }
    for (const v of report.verdicts.filter((v) => v.ok)) lines.push(`ok  ${v.edge.kind}: ${v.edge.from} → ${v.edge.to}`);
    for (const v of report.verdicts.filter((v) => v.edge.unproven)) lines.push(...v.edge.unproven!.map((u) => `note ${v.edge.id}: ${u}`));
    return { title: "Wiring (run-time calls between services)", lines, mermaid: report.verdicts.length > 0 ? wiringMermaid(report) : undefined };
}

const nodeId = (label: string, ids: Map<string, string>) => {
    if (!ids.has(label)) ids.set(label, `n${ids.size}`);
    return ids.get(label)!;
};
/** Mermaid label text: quotes and brackets would end the label. */
const text = (s: string) => s.replace(/["[\]{}()|<>#;]/g, " ").replace(/\s+/g, " ").trim();

/** The wiring as a Mermaid flowchart (GitHub renders it): solid edges proven, dotted ones broken. */
export function wiringMermaid(report: WiringReport): string[] {
    const ids = new Map<string, string>();
    const lines = ["flowchart LR"];
    for (const v of report.verdicts) {
        const from = nodeId(v.edge.from, ids);
        const to = nodeId(v.edge.to, ids);
        lines.push(v.ok ? `    ${from} -->|"${text(v.edge.kind)}"| ${to}` : `    ${from} -.->|"BROKEN ${text(v.edge.kind)}"| ${to}`);
    }
    for (const [label, id] of ids) lines.push(`    ${id}["${text(label)}"]`);
    return lines;
}
