import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceGroupConfig } from "../config";
import {
    EXECUTION_POLICY_NAME,
    EXECUTION_ROLE_DESCRIPTION,
    executionRolePolicy,
    executionRoleTrustPolicy,
    MemberContext,
} from "../core/multiAccount";
import { RegionalProviders } from "./regions";
import { tagQueryGroupArgs } from "./resourceGroups";

/** Arguments of {@link AutomationMember}. */
export interface AutomationMemberArgs {
    /** Name of the execution role the management account's automation assumes here. */
    executionRoleName: string;
    /** Name of the runbook in the management account (child executions run it). */
    documentName: string;
    /** ARN of the management account's administration role: the only AWS principal trusted. */
    administrationRoleArn: pulumi.Input<string>;
    /** The account that runs the automation. */
    managementAccountId: pulumi.Input<string>;
    /** Resource groups to create, identically, in every Region of `regions`. */
    resourceGroups: ResourceGroupConfig[];
    /** Regions where this account's instances run. */
    regions: string[];
    /** One explicit provider per Region, shared with the rest of the program. */
    providers: RegionalProviders;
    /** Tags for the role and the groups. */
    tags: Record<string, string>;
}

/**
 * The member side of multi-account patching (seed 001, "target account"): the execution role,
 * with least-privilege permissions built by `core/multiAccount.ts` (the same function the org-mode
 * StackSet template uses), and the resource groups the automation targets, in every Region.
 */
export class AutomationMember extends pulumi.ComponentResource {
    /** ARN of the execution role. */
    public readonly executionRoleArn: pulumi.Output<string>;
    /** Resource group ARNs by `<region>/<name>`. */
    public readonly resourceGroupArns: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AutomationMemberArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:automation:Member", name, {}, opts);

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const context = pulumi
            .all([partition, accountId, args.managementAccountId, args.administrationRoleArn])
            .apply(
                ([p, account, management, adminArn]): MemberContext => ({
                    partition: p,
                    accountId: account,
                    managementAccountId: management,
                    administrationRoleArn: adminArn,
                    executionRoleName: args.executionRoleName,
                    documentName: args.documentName,
                    resourceGroupNames: args.resourceGroups.map((g) => g.name),
                }),
            );

        const role = new aws.iam.Role(
            `${name}-execution-role`,
            {
                name: args.executionRoleName,
                description: EXECUTION_ROLE_DESCRIPTION,
                assumeRolePolicy: context.apply((c) => JSON.stringify(executionRoleTrustPolicy(c))),
                tags: args.tags,
            },
            { parent: this },
        );

        new aws.iam.RolePolicy(
            `${name}-execution-policy`,
            {
                name: EXECUTION_POLICY_NAME,
                role: role.name,
                policy: context.apply((c) => JSON.stringify(executionRolePolicy(c))),
            },
            { parent: this },
        );

        const groupArns: Record<string, pulumi.Output<string>> = {};
        for (const region of args.regions) {
            for (const g of args.resourceGroups) {
                const group = new aws.resourcegroups.Group(
                    `${name}-${g.name}-${region}`,
                    tagQueryGroupArgs(g, args.tags),
                    { parent: this, provider: args.providers.get(region) },
                );
                groupArns[`${region}/${g.name}`] = group.arn;
            }
        }

        this.executionRoleArn = role.arn;
        this.resourceGroupArns = pulumi.output(groupArns);
        this.registerOutputs({ executionRoleArn: this.executionRoleArn, resourceGroupArns: this.resourceGroupArns });
    }
}
