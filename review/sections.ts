/**
 * Extra sections of the review (schedules and their next runs, calendars, …), computed from the
 * validated config and the recorded resources. Each area adds a builder to SECTION_BUILDERS;
 * renderers print every section after the resource tree, and the JSON plan carries them too.
 */
import type { PatchingConfig } from "../config";
import { calendarSection } from "./calendarSection";
import type { PlanResource } from "./engine";
import { patchPolicySchedulesSection } from "./schedulesSection";
import { complianceSection } from "./complianceSection";
import { multiAccountSection } from "./multiAccountSection";
import { overrideStoreSection } from "./summaries/overrides";
import { maintenanceWindowSection } from "./windowSections";
import { installPathsSection } from "./installPathsSection";
import { approvalSection } from "./approvalSection";
import { baselineTruthSection } from "./baselineSection";
import { resourceGroupsSection } from "./resourceGroupsSection";

export interface ReviewSection {
    title: string;
    /** Plain-text lines; rendered as-is in the terminal and as a code block in Markdown. */
    lines: string[];
    /** A Mermaid diagram of the same facts, drawn in the Markdown report (GitHub renders it). */
    mermaid?: string[];
}

export interface SectionInput {
    config: PatchingConfig;
    resources: PlanResource[];
    /** The moment "next runs" are computed from (fixed in tests). */
    now: Date;
    /** Raw config values of another stack of the project (`Pulumi.<stack>.yaml`), if it has a file. */
    loadStack?: (stack: string) => Record<string, unknown> | undefined;
}

export type SectionBuilder = (input: SectionInput) => ReviewSection | undefined;

export const SECTION_BUILDERS: SectionBuilder[] = [patchPolicySchedulesSection, complianceSection, multiAccountSection, overrideStoreSection, maintenanceWindowSection, calendarSection, installPathsSection, approvalSection, baselineTruthSection, resourceGroupsSection];

export function buildSections(input: SectionInput): ReviewSection[] {
    return SECTION_BUILDERS.map((b) => b(input)).filter((s): s is ReviewSection => s !== undefined);
}
