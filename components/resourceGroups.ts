import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceGroupConfig } from "../config/multiAccount";
import { resourceQuery } from "../core/multiAccount";

/** The Resource Groups query type of a tag-query group (Resource Groups API `QueryType`). */
export const TAG_QUERY_TYPE = "TAG_FILTERS_1_0";

/**
 * The arguments of a tag-query `aws.resourcegroups.Group`: the group's name and description, and a
 * `TAG_FILTERS_1_0` ResourceQuery whose Query is the JSON text of `ResourceTypeFilters` and
 * `TagFilters` (Resource Groups API, ResourceQuery; the same query the multi-account member stack
 * and its StackSet template create).
 */
export function tagQueryGroupArgs(g: ResourceGroupConfig, tags: Record<string, string>): aws.resourcegroups.GroupArgs {
    return {
        name: g.name,
        description: g.description,
        resourceQuery: { type: TAG_QUERY_TYPE, query: JSON.stringify(resourceQuery(g)) },
        tags,
    };
}

/** A created group as targets refer to it: its name and ARN, both outputs of the group (so users depend on it). */
export interface CreatedResourceGroup {
    name: pulumi.Output<string>;
    arn: pulumi.Output<string>;
}

/** Arguments of {@link PatchTargetGroups}. */
export interface PatchTargetGroupsArgs {
    /** The validated `patching:resourceGroups`. */
    groups: ResourceGroupConfig[];
    /** Tags for every group. */
    tags: Record<string, string>;
}

/**
 * The resource groups a stack creates for its maintenance-window targets and batch orchestrators
 * (seed 003's `${AWS::StackName}-PatchTargets`): one tag-query group per entry, in the stack's
 * Region. Targets that name one of them receive its name and ARN as outputs, so they are
 * registered after the group exists and their IAM names the group's own ARN.
 */
export class PatchTargetGroups extends pulumi.ComponentResource {
    /** Created groups by configured name. */
    public readonly groups: Record<string, CreatedResourceGroup> = {};

    constructor(name: string, args: PatchTargetGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:resourcegroups:PatchTargetGroups", name, {}, opts);
        for (const g of args.groups) {
            const group = new aws.resourcegroups.Group(`${name}-${g.name}`, tagQueryGroupArgs(g, args.tags), { parent: this });
            this.groups[g.name] = { name: group.name, arn: group.arn };
        }
        this.registerOutputs({ groups: this.groups });
    }
}
