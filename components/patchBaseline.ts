import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BaselineConfig } from "../config";
import { mergeTags } from "./tags";

/** Arguments of {@link PatchBaseline}. */
export interface PatchBaselineArgs {
    /** The validated baseline definition from stack config (`patching:baselines[n]`). */
    baseline: BaselineConfig;
    /** Tags applied to the baseline (stack tags; the baseline's own tags are merged over them). */
    tags: Record<string, string>;
    /**
     * The approval rules' approveUntilDate is moved forward by the approval-date promotion Lambda
     * (changeSafety), so `pulumi up` leaves it as the Lambda set it (ignoreChanges); the config's
     * date is only the initial one. @default false
     */
    promotedByApprovalDate?: boolean;
}

/** Turns the config's `{ KEY: [values] }` filter map into the provider's `[{ key, values }]`. */
export function toPatchFilters(group: Record<string, string[]> | undefined): { key: string; values: string[] }[] {
    return Object.entries(group ?? {}).map(([key, values]) => ({ key, values }));
}

/**
 * One SSM patch baseline with everything that hangs off it: its patch-group registrations and,
 * optionally, its registration as the default baseline for its operating system.
 */
export class PatchBaseline extends pulumi.ComponentResource {
    /** The baseline id (`pb-…`). */
    public readonly baselineId: pulumi.Output<string>;
    /** The baseline ARN. */
    public readonly baselineArn: pulumi.Output<string>;
    /** The operating system the baseline applies to. */
    public readonly operatingSystem: string;
    /** Patch groups registered with this baseline. */
    public readonly patchGroups: string[];

    constructor(name: string, args: PatchBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:ssm:PatchBaseline", name, {}, opts);
        const b = args.baseline;

        const baseline = new aws.ssm.PatchBaseline(
            name,
            {
                name: b.name,
                operatingSystem: b.operatingSystem,
                description: b.description,
                approvalRules: b.approvalRules.map((r) => ({
                    patchFilters: toPatchFilters(r.patchFilters),
                    approveAfterDays: r.approveAfterDays,
                    approveUntilDate: r.approveUntilDate,
                    complianceLevel: r.complianceLevel,
                    enableNonSecurity: r.enableNonSecurity,
                })),
                globalFilters: b.globalFilters ? toPatchFilters(b.globalFilters) : undefined,
                approvedPatches: b.approvedPatches.length > 0 ? b.approvedPatches : undefined,
                approvedPatchesComplianceLevel: b.approvedPatchesComplianceLevel,
                approvedPatchesEnableNonSecurity: b.approvedPatchesEnableNonSecurity,
                rejectedPatches: b.rejectedPatches.length > 0 ? b.rejectedPatches : undefined,
                rejectedPatchesAction: b.rejectedPatchesAction,
                sources: b.sources.length > 0 ? b.sources : undefined,
                availableSecurityUpdatesComplianceStatus: b.availableSecurityUpdatesComplianceStatus,
                tags: mergeTags(args.tags, b.tags),
            },
            { parent: this, ignoreChanges: args.promotedByApprovalDate ? ["approvalRules[*].approveUntilDate"] : undefined },
        );

        for (const group of b.patchGroups) {
            new aws.ssm.PatchGroup(
                `${name}-pg-${group}`,
                { baselineId: baseline.id, patchGroup: group },
                { parent: this },
            );
        }

        if (b.defaultForOperatingSystem) {
            new aws.ssm.DefaultPatchBaseline(
                `${name}-default`,
                { baselineId: baseline.id, operatingSystem: b.operatingSystem },
                { parent: this },
            );
        }

        this.baselineId = baseline.id;
        this.baselineArn = baseline.arn;
        this.operatingSystem = b.operatingSystem;
        this.patchGroups = b.patchGroups;
        this.registerOutputs({
            baselineId: this.baselineId,
            baselineArn: this.baselineArn,
        });
    }
}
