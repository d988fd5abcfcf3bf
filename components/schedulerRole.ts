import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { schedulerTrustStatement } from "../core/iam";

/** Arguments of {@link schedulerRole}. */
export interface SchedulerRoleArgs {
    /** The schedule group whose schedules may use the role (Scheduler's `aws:SourceArn`). */
    groupName: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    description: string;
    /** The role's inline policy (JSON): what the schedules' targets need. */
    policy: pulumi.Input<string>;
    /** Name of the inline policy. @default generated */
    policyName?: string;
    tags?: Record<string, string>;
}

/**
 * The one place a role for EventBridge Scheduler is made: trusted by `scheduler.amazonaws.com` for
 * the schedules of ONE schedule group of this account ({@link schedulerTrustStatement}), with one
 * inline policy. `names` keeps each caller's logical names (and so its resources' URNs).
 */
export function schedulerRole(
    names: { role: string; policy: string },
    args: SchedulerRoleArgs,
    opts: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const role = new aws.iam.Role(
        names.role,
        {
            description: args.description,
            assumeRolePolicy: pulumi
                .all([args.partition, args.accountId, args.groupName])
                .apply(([partition, accountId, groupName]) =>
                    JSON.stringify({ Version: "2012-10-17", Statement: [schedulerTrustStatement({ partition, region: args.region, accountId, groupName })] }),
                ),
            tags: args.tags,
        },
        opts,
    );
    const policy = new aws.iam.RolePolicy(names.policy, { ...(args.policyName ? { name: args.policyName } : {}), role: role.name, policy: args.policy }, opts);
    return { role, policy };
}
