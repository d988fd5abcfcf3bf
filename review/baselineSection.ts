/**
 * The review section that states, per install mechanism and Region, which baseline applies
 * (core/baselineTruth.ts), and flags every path that could fall back to a Region default.
 */
import { baselinePaths } from "../core/baselineTruth";
import type { ReviewSection, SectionInput } from "./sections";

export function baselineTruthSection(input: SectionInput): ReviewSection | undefined {
    const rows = baselinePaths(input.config);
    if (rows.length === 0) return undefined;
    const loose = rows.filter((r) => !r.pinned);
    return {
        title: `Which baseline each install path applies, per Region (${loose.length === 0 ? "every path pinned to the stack's baselines" : `${loose.length} path(s) may use a Region default`})`,
        lines: rows.map((r) => `${r.pinned ? "✓" : "!"} ${r.mechanism} ${r.name} · ${r.operation} · ${r.region}: ${r.baseline}${r.source === "region-default-accepted" ? " (accepted: acceptRegionDefaultBaselines)" : ""}`),
    };
}
