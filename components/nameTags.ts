import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { ssmAutomationTrustStatement } from "../core/iam";
import type { Statement } from "./awsContext";
import { RegionalNativeProviders, RegionalProviders } from "./regions";

/** The document both name-tag associations run (documents/quick-setup-name-tag.yaml). */
export const NAME_TAG_DOCUMENT_FILE = "quick-setup-name-tag.yaml";

/**
 * Quick Setup's two name-tag associations as the genuine patch policy creates them (seed 000):
 * AddRemoveNameTag every 30 days on the policy's EC2 and hybrid targets, NameTagRemediation every
 * day. `suffix` names the association after the policy (`<policy>-<suffix>`), `action` is the
 * document's mode.
 */
export const NAME_TAG_ASSOCIATIONS = [
    { suffix: "AddRemoveNameTag", action: "Add", schedule: "rate(30 days)" },
    { suffix: "NameTagRemediation", action: "Remediate", schedule: "rate(1 day)" },
] as const;

/**
 * What the name-tag automation may do: write and delete exactly the one tag key (on EC2 instances
 * and hybrid nodes; the request must name the key, so a DeleteTags without keys, which would delete
 * every tag, is refused), find the targets, and read a target group's members.
 */
export function nameTagStatements(c: { partition: string; account: string; tagKey: string; resourceGroup?: string }): Statement[] {
    const onlyThisKey = { "ForAllValues:StringEquals": { "aws:TagKeys": [c.tagKey] }, Null: { "aws:TagKeys": "false" } };
    const out: Statement[] = [
        {
            Sid: "WriteNameTagOnInstances",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags"],
            Resource: `arn:${c.partition}:ec2:*:${c.account}:instance/*`,
            Condition: onlyThisKey,
        },
        {
            Sid: "WriteNameTagOnHybridNodes",
            Effect: "Allow",
            Action: ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
            Resource: `arn:${c.partition}:ssm:*:${c.account}:managed-instance/*`,
            Condition: onlyThisKey,
        },
        { Sid: "ReadHybridNodeTags", Effect: "Allow", Action: ["ssm:ListTagsForResource"], Resource: `arn:${c.partition}:ssm:*:${c.account}:managed-instance/*` },
        // Describe calls take no resource-level permissions.
        { Sid: "FindTargets", Effect: "Allow", Action: ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation"], Resource: "*" },
    ];
    if (c.resourceGroup) {
        out.push(
            { Sid: "ListTargetGroup", Effect: "Allow", Action: ["resource-groups:ListGroupResources"], Resource: `arn:${c.partition}:resource-groups:*:${c.account}:group/${c.resourceGroup}` },
            { Sid: "ResolveTagQueries", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*" },
        );
    }
    return out;
}

/** Arguments of {@link NameTagAssociations}. */
export interface NameTagAssociationsArgs {
    /** The patch policy's name: prefixes the associations, the document and the role. */
    policyName: string;
    /** `QSConfigName-<configId>`. */
    tagKey: string;
    /** The tag value (the configuration name). */
    tagValue: string;
    /** The policy's selection as EC2 DescribeInstances filters (`undefined`: no EC2 instance is targeted). */
    instanceFilters?: { Name: string; Values: string[] }[];
    /** The policy's selection as DescribeInstanceInformation filters (`undefined`: no hybrid node is targeted). */
    nodeFilters?: { Key: string; Values: string[] }[];
    /** The policy's target resource group, when it targets one. */
    resourceGroup?: string;
    /** The policy's Regions. */
    regions: string[];
    /** The shipped document, with its version name. */
    document: { content: string; versionName: string };
    providers: RegionalProviders;
    nativeProviders: RegionalNativeProviders;
    tags: Record<string, string>;
}

/**
 * Quick Setup's AddRemoveNameTag and NameTagRemediation associations for an owned-mode patch
 * policy (`nameTags.enabled`): in every Region of the policy, one Automation document and the two
 * associations running it, with a role that may touch only the `QSConfigName-<id>` tag.
 */
export class NameTagAssociations extends pulumi.ComponentResource {
    /** Associations by Region and suffix (`AddRemoveNameTag`, `NameTagRemediation`). */
    public readonly associations: Record<string, Record<string, awsNative.ssm.Association>> = {};
    public readonly role: aws.iam.Role;

    constructor(name: string, args: NameTagAssociationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:ssm:NameTagAssociations", name, {}, opts);
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Role the name-tag automations of patch policy ${args.policyName} assume (tag ${args.tagKey} only)`,
                assumeRolePolicy: pulumi.all([account, partition]).apply(([a, p]) => JSON.stringify({ Version: "2012-10-17", Statement: [ssmAutomationTrustStatement(a, p)] })),
                tags: args.tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: this.role.id,
                policy: pulumi
                    .all([account, partition])
                    .apply(([a, p]) => JSON.stringify({ Version: "2012-10-17", Statement: nameTagStatements({ partition: p, account: a, tagKey: args.tagKey, resourceGroup: args.resourceGroup }) })),
            },
            { parent: this },
        );
        const nativeTags = Object.entries(args.tags).map(([key, value]) => ({ key, value }));
        for (const region of args.regions) {
            const doc = new aws.ssm.Document(
                `${name}-${region}-document`,
                {
                    name: `${args.policyName}-QuickSetupNameTag`,
                    documentType: "Automation",
                    documentFormat: "YAML",
                    content: args.document.content,
                    versionName: args.document.versionName,
                    tags: args.tags,
                },
                { parent: this, provider: args.providers.get(region) },
            );
            this.associations[region] = {};
            for (const a of NAME_TAG_ASSOCIATIONS) {
                this.associations[region][a.suffix] = new awsNative.ssm.Association(
                    `${name}-${region}-${a.suffix}`,
                    {
                        associationName: `${args.policyName}-${a.suffix}`,
                        name: doc.name,
                        parameters: {
                            AutomationAssumeRole: [this.role.arn],
                            Action: [a.action],
                            TagKey: [args.tagKey],
                            TagValue: [args.tagValue],
                            InstanceFilters: [args.instanceFilters ? JSON.stringify(args.instanceFilters) : ""],
                            NodeFilters: [args.nodeFilters ? JSON.stringify(args.nodeFilters) : ""],
                            ResourceGroupName: [args.resourceGroup ?? ""],
                        },
                        scheduleExpression: a.schedule,
                        tags: nativeTags,
                    },
                    // The role needs its permissions before the first run.
                    { parent: this, provider: args.nativeProviders.get(region), dependsOn: [policy] },
                );
            }
        }
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
