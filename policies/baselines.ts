/** Policies for patch baselines: how fast, how much and how strictly patches are approved. */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { complianceRank, COMPLIANCE_ORDER, configOf } from "./util";

/** Operating systems whose rules take no approval delay (timing is held by the install schedule). */
const NO_DELAY_OS = ["UBUNTU", "DEBIAN"];

export interface MinApprovalDelayConfig {
    /** Minimum approveAfterDays for every approval rule. */
    minApproveAfterDays: number;
}
export const baselineMinApprovalDelay: ResourceValidationPolicy = {
    name: "baseline-min-approval-delay",
    description: "Approval rules wait at least N days after release (or use an approve-until date), so a bad patch is caught before it is installed.",
    severity: "high",
    enforcementLevel: "advisory",
    configSchema: { properties: { minApproveAfterDays: { type: "integer", minimum: 0, maximum: 360, default: 0 } } },
    validateResource: validateResourceOfType(aws.ssm.PatchBaseline, (b, args, report) => {
        const { minApproveAfterDays } = configOf<MinApprovalDelayConfig>(args, { minApproveAfterDays: 0 });
        if (NO_DELAY_OS.includes(String(b.operatingSystem))) return;
        (b.approvalRules ?? []).forEach((r, i) => {
            if (r.approveUntilDate) return;
            const days = r.approveAfterDays ?? 0;
            if (days < minApproveAfterDays) {
                report(
                    `PatchBaseline "${args.name}": approval rule ${i + 1} approves patches ${days} day(s) after release; this stack requires at least ${minApproveAfterDays}. ` +
                        `Fix: set approvalRules[${i}].approveAfterDays to ${minApproveAfterDays} or more, or pin an approveUntilDate.`,
                );
            }
        });
    }),
};

export const baselineApprovesSomething: ResourceValidationPolicy = {
    name: "baseline-approves-something",
    description: "A baseline has approval rules or approved patches; one that approves nothing reports compliance while installing nothing.",
    severity: "critical",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ssm.PatchBaseline, (b, args, report) => {
        if ((b.approvalRules ?? []).length === 0 && (b.approvedPatches ?? []).length === 0) {
            report(`PatchBaseline "${args.name}" approves nothing: it has no approval rules and no approved patches. Fix: add an approval rule (e.g. CLASSIFICATION Security) or approvedPatches.`);
        }
    }),
};

export interface MinComplianceConfig {
    /** The least severe compliance level approved patches may report. */
    minComplianceLevel: string;
}
export const baselineMinComplianceLevel: ResourceValidationPolicy = {
    name: "baseline-min-compliance-level",
    description: "Missing approved patches are reported at least at a minimum compliance severity, so they show up in compliance reports.",
    severity: "medium",
    enforcementLevel: "advisory",
    configSchema: { properties: { minComplianceLevel: { type: "string", enum: COMPLIANCE_ORDER, default: "UNSPECIFIED" } } },
    validateResource: validateResourceOfType(aws.ssm.PatchBaseline, (b, args, report) => {
        const { minComplianceLevel } = configOf<MinComplianceConfig>(args, { minComplianceLevel: "UNSPECIFIED" });
        const min = complianceRank(minComplianceLevel);
        (b.approvalRules ?? []).forEach((r, i) => {
            if (complianceRank(r.complianceLevel) > min) {
                report(
                    `PatchBaseline "${args.name}": approval rule ${i + 1} reports missing patches as ${r.complianceLevel ?? "UNSPECIFIED"}, below the required ${minComplianceLevel}. ` +
                        `Fix: set approvalRules[${i}].complianceLevel to ${minComplianceLevel} or more severe.`,
                );
            }
        });
        if ((b.approvedPatches ?? []).length > 0 && complianceRank(b.approvedPatchesComplianceLevel) > min) {
            report(
                `PatchBaseline "${args.name}": approved patches report as ${b.approvedPatchesComplianceLevel ?? "UNSPECIFIED"}, below the required ${minComplianceLevel}. Fix: set approvedPatchesComplianceLevel.`,
            );
        }
    }),
};

export const baselineRejectedPatchesBlocked: ResourceValidationPolicy = {
    name: "baseline-rejected-patches-blocked",
    description: "Rejected patches are blocked outright, not installed anyway as dependencies of other packages.",
    severity: "high",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ssm.PatchBaseline, (b, args, report) => {
        if ((b.rejectedPatches ?? []).length > 0 && b.rejectedPatchesAction !== "BLOCK") {
            report(
                `PatchBaseline "${args.name}" rejects ${b.rejectedPatches!.join(", ")} but with action ${b.rejectedPatchesAction ?? "ALLOW_AS_DEPENDENCY"}, so they can still be installed as dependencies. Fix: set rejectedPatchesAction: BLOCK.`,
            );
        }
    }),
};

export const baselinePolicies = [baselineMinApprovalDelay, baselineApprovesSomething, baselineMinComplianceLevel, baselineRejectedPatchesBlocked];
