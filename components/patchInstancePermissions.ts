import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ssmAutomationTrustStatement } from "../core/iam";
import { mergeTags } from "./tags";

/** The AWS managed policy every managed node needs (SSM Agent core permissions). */
export const SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore";

/** Arguments of {@link PatchInstancePermissions}. */
export interface PatchInstancePermissionsArgs {
    /** The patch policy these permissions serve (descriptions). */
    policyName: string;
    /**
     * What a patching node needs beyond AmazonSSMManagedInstanceCore (read the override object,
     * decrypt it, read an install override list, write command output, read tagged baselines).
     * Empty: no access policy is created.
     */
    accessStatements: aws.iam.PolicyStatement[];
    /** Create an instance role and profile for EC2 instances. @default true */
    createInstanceProfile?: boolean;
    /** Create the service role hybrid activations register nodes with, trusted in these regions. @default none */
    hybridServiceRoleRegions?: string[];
    /**
     * Create the role the attach automations assume, allowed to do exactly what they need: for EC2,
     * attach this profile to instances with none; when `isPolicyAttachAllowed`, attach this
     * policy's managed policies to existing roles and tag them; for hybrid nodes, the latter.
     */
    automation?: {
        /** The EC2 attach automation runs (find instances, attach this profile where none). */
        ec2: boolean;
        /** The hybrid attach automation runs (find hybrid nodes). */
        hybrid: boolean;
        /** Existing roles may receive this policy's managed policies (and the principal tag). */
        isPolicyAttachAllowed: boolean;
        /** Resource group the targets come from, when any (adds ListGroupResources on it). */
        resourceGroup?: string;
    };
    /** Tag the override bucket admits readers by (the BaselineOverrideRef's principalTag). */
    principalTag?: { key: string; value: string };
    /** Tags for the roles, profile and policy. */
    tags: Record<string, string>;
}

/** `arn:<partition>:iam::<account>:` for the running account. */
function iamArnPrefix(parent: pulumi.Resource): pulumi.Output<string> {
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    return pulumi.interpolate`arn:${partition}:iam::${account}:`;
}

/**
 * The IAM side of a patch policy: the instance role and profile (AmazonSSMManagedInstanceCore plus
 * one customer managed policy with exactly this policy's extra access), the service role for
 * hybrid activations, and the least-privilege role the attach automations assume. IAM is global:
 * one per policy, whatever its regions.
 */
export class PatchInstancePermissions extends pulumi.ComponentResource {
    /** The policy's extra access, when it needs any. */
    public readonly accessPolicy?: aws.iam.Policy;
    public readonly instanceRole?: aws.iam.Role;
    public readonly instanceProfile?: aws.iam.InstanceProfile;
    public readonly hybridServiceRole?: aws.iam.Role;
    public readonly automationRole?: aws.iam.Role;
    /** Managed policies a node's role needs: AmazonSSMManagedInstanceCore and the access policy. */
    public readonly policyArns: pulumi.Output<string[]>;

    constructor(name: string, args: PatchInstancePermissionsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:iam:PatchInstancePermissions", name, {}, opts);
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const corePolicyArn = pulumi.interpolate`arn:${partition}:iam::aws:policy/${SSM_CORE_POLICY}`;
        const roleTags = args.principalTag ? mergeTags(args.tags, {}, { [args.principalTag.key]: args.principalTag.value }) : args.tags;

        if (args.accessStatements.length > 0) {
            this.accessPolicy = new aws.iam.Policy(
                `${name}-access`,
                {
                    description: `What nodes patched by ${args.policyName} need beyond ${SSM_CORE_POLICY}`,
                    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.accessStatements }),
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        const policies: pulumi.Input<string>[] = [corePolicyArn, ...(this.accessPolicy ? [this.accessPolicy.arn] : [])];
        this.policyArns = pulumi.output(policies);

        const attachAll = (role: aws.iam.Role, prefix: string) => {
            new aws.iam.RolePolicyAttachment(`${prefix}-core`, { role: role.name, policyArn: corePolicyArn }, { parent: this });
            if (this.accessPolicy) new aws.iam.RolePolicyAttachment(`${prefix}-access`, { role: role.name, policyArn: this.accessPolicy.arn }, { parent: this });
        };

        if (args.createInstanceProfile ?? true) {
            this.instanceRole = new aws.iam.Role(
                `${name}-instance`,
                {
                    description: `EC2 instance role of patch policy ${args.policyName}`,
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                    tags: roleTags,
                },
                { parent: this },
            );
            attachAll(this.instanceRole, `${name}-instance`);
            this.instanceProfile = new aws.iam.InstanceProfile(`${name}-instance`, { role: this.instanceRole.name, tags: args.tags }, { parent: this });
        }

        const hybridRegions = args.hybridServiceRoleRegions ?? [];
        if (hybridRegions.length > 0) {
            // The service role of hybrid activations (user guide, "Create the IAM service role
            // required for Systems Manager in hybrid environments"): trusted by Systems Manager, for
            // this account and these regions only (confused-deputy protection).
            this.hybridServiceRole = new aws.iam.Role(
                `${name}-hybrid`,
                {
                    description: `Service role of hybrid nodes patched by ${args.policyName} (use it in ssm create-activation --iam-role)`,
                    assumeRolePolicy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "ssm.amazonaws.com" },
                                Action: "sts:AssumeRole",
                                Condition: {
                                    StringEquals: { "aws:SourceAccount": account },
                                    ArnLike: { "aws:SourceArn": hybridRegions.map((r) => pulumi.interpolate`arn:${partition}:ssm:${r}:${account}:*`) },
                                },
                            },
                        ],
                    }),
                    tags: roleTags,
                },
                { parent: this },
            );
            attachAll(this.hybridServiceRole, `${name}-hybrid`);
        }

        const auto = args.automation;
        if (auto && (auto.ec2 || auto.hybrid)) {
            const iamArn = iamArnPrefix(this);
            const statements: pulumi.Input<aws.iam.PolicyStatement>[] = [];
            if (auto.ec2) {
                statements.push({ Sid: "FindInstancesAndProfiles", Effect: "Allow", Action: ["ec2:DescribeInstances", "ec2:DescribeIamInstanceProfileAssociations"], Resource: "*" });
                if (this.instanceProfile && this.instanceRole) {
                    statements.push(
                        {
                            // Only instances without a profile (as Quick Setup's boundary), and only this profile.
                            Sid: "AttachThisProfileWhereNone",
                            Effect: "Allow",
                            Action: "ec2:AssociateIamInstanceProfile",
                            Resource: pulumi.interpolate`arn:${partition}:ec2:*:${account}:instance/*`,
                            Condition: { Null: { "ec2:InstanceProfile": "true" }, ArnEquals: { "ec2:NewInstanceProfile": this.instanceProfile.arn } },
                        },
                        {
                            Sid: "PassThisRoleToEc2",
                            Effect: "Allow",
                            Action: "iam:PassRole",
                            Resource: this.instanceRole.arn,
                            Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
                        },
                    );
                }
                if (auto.isPolicyAttachAllowed) {
                    statements.push({ Sid: "ReadInstanceProfiles", Effect: "Allow", Action: "iam:GetInstanceProfile", Resource: pulumi.interpolate`${iamArn}instance-profile/*` });
                }
            }
            if (auto.hybrid) {
                statements.push({ Sid: "FindHybridNodes", Effect: "Allow", Action: "ssm:DescribeInstanceInformation", Resource: "*" });
            }
            if (auto.isPolicyAttachAllowed) {
                statements.push({
                    // Existing roles may receive exactly this policy's managed policies, nothing else.
                    Sid: "AttachOnlyThesePolicies",
                    Effect: "Allow",
                    Action: "iam:AttachRolePolicy",
                    Resource: pulumi.interpolate`${iamArn}role/*`,
                    Condition: { ArnEquals: { "iam:PolicyARN": policies } },
                });
                if (args.principalTag) {
                    statements.push({
                        Sid: "TagRolesWithThePrincipalTagOnly",
                        Effect: "Allow",
                        Action: "iam:TagRole",
                        Resource: pulumi.interpolate`${iamArn}role/*`,
                        Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [args.principalTag.key] } },
                    });
                }
            }
            if (auto.resourceGroup) {
                statements.push(
                    {
                        Sid: "ResolveTheTargetGroup",
                        Effect: "Allow",
                        Action: "resource-groups:ListGroupResources",
                        Resource: pulumi.interpolate`arn:${partition}:resource-groups:*:${account}:group/${auto.resourceGroup}`,
                    },
                    // ListGroupResources evaluates tag-based group queries with the caller's rights.
                    { Sid: "ResolveTagQueries", Effect: "Allow", Action: "tag:GetResources", Resource: "*" },
                );
            }
            this.automationRole = new aws.iam.Role(
                `${name}-automation`,
                {
                    description: `Role the instance-permission automations of patch policy ${args.policyName} assume`,
                    assumeRolePolicy: pulumi
                    .all([account, partition])
                    .apply(([a, p]) => JSON.stringify({ Version: "2012-10-17", Statement: [ssmAutomationTrustStatement(a, p)] })),
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-automation`,
                { role: this.automationRole.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
                { parent: this },
            );
        }

        this.registerOutputs({
            instanceRoleArn: this.instanceRole?.arn,
            instanceProfileName: this.instanceProfile?.name,
            hybridServiceRoleName: this.hybridServiceRole?.name,
            automationRoleArn: this.automationRole?.arn,
            policyArns: this.policyArns,
        });
    }
}
