/**
 * Quick Setup (managed mode) → the local deployment administration role the configuration
 * manager names. Quick Setup deploys through CloudFormation StackSets (self-managed permissions),
 * whose service assumes the administration role as `cloudformation.amazonaws.com` with
 * `aws:SourceAccount` and `aws:SourceArn` = the stack set's ARN (CloudFormation user guide, "Grant
 * self-managed permissions": https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html);
 * Quick Setup names its stack sets `AWS-QuickSetup-…` (Systems Manager user guide, "Getting
 * started with Quick Setup", local deployment roles:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/quick-setup-getting-started.html).
 * The administration role → execution role hop is a role chain (roleChains.ts).
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { assumeRequest, STRANGER_ACCOUNT } from "./requests";

const SOURCE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html";

export function quickSetupEdges(plan: WiringPlan): WiringEdge[] {
    const edges: WiringEdge[] = [];
    for (const manager of plan.ofType("aws-native:ssmquicksetup:ConfigurationManager")) {
        const definitions = (manager.inputs.configurationDefinitions as { localDeploymentAdministrationRoleArn?: string; type?: string }[] | undefined) ?? [];
        for (const roleArn of [...new Set(definitions.map((d) => d.localDeploymentAdministrationRoleArn).filter((a): a is string => !!a))]) {
            const stackSet = (account: string, name: string) => `arn:${plan.partition}:cloudformation:${plan.region}:${account}:stackset/${name}:0123abcd-0123-abcd-0123-0123456789ab`;
            const assume = (account: string, name: string) =>
                assumeRequest(plan, roleArn, "cloudformation.amazonaws.com", { "aws:SourceAccount": account, "aws:SourceArn": stackSet(account, name) });
            edges.push({
                id: `quick-setup:${manager.inputs.name ?? manager.name}->${roleArn.split("/").pop()}`,
                kind: "Quick Setup (StackSets) → administration role",
                from: `Quick Setup ${manager.inputs.name ?? manager.name}`,
                to: plan.label(roleArn),
                requests: [assume(plan.account, "AWS-QuickSetup-PatchPolicy-LA-wiring")],
                strangers: [
                    { ...assume(plan.account, "someone-elses-stack-set"), stranger: "another stack set of the account" },
                    { ...assume(STRANGER_ACCOUNT, "AWS-QuickSetup-PatchPolicy-LA-wiring"), stranger: "a Quick Setup stack set of another account" },
                ],
                source: SOURCE,
            });
        }
    }
    return edges;
}
