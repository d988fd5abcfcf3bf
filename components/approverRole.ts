/**
 * `ApproverRole`: the stack's dedicated approver role — the one principal this program lets change
 * the approval calendar (a new calendar version is an approval). People assume it with their own
 * identity (named IAM users/roles with MFA, or IAM Identity Center permission sets), and
 * `npm run approve` records the role session's STS caller identity as the approver, which the gate
 * checks (core/changeCalendar.ts `evaluateApproval`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ApprovalGateConfig } from "../config/changeSafety";

type Approvers = NonNullable<ApprovalGateConfig["approvers"]>;

/**
 * The role ARN pattern of an Identity Center permission set in this account: Identity Center
 * provisions `AWSReservedSSO_<permission set name>_<suffix>` under the path
 * `/aws-reserved/sso.amazonaws.com/` (with a Region segment in some accounts).
 */
export function identityCenterRolePattern(partition: string, account: string, permissionSet: string): string {
    return `arn:${partition}:iam::${account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${permissionSet}_*`;
}

/**
 * Trust policy: each named IAM user or role, MFA required when configured (`aws:MultiFactorAuthPresent`
 * is present for IAM users and for roles assumed with MFA); an IAM user must name the session after
 * itself (`sts:RoleSessionName` = `${aws:username}`), so the recorded approver is the person. Identity
 * Center users come through the account with `aws:PrincipalArn` matching their permission set's role
 * (their session name is their user name, set by Identity Center; MFA is Identity Center's sign-in policy).
 */
export function approverTrustPolicy(approvers: Approvers, partition: string, account: string): { Version: "2012-10-17"; Statement: Record<string, unknown>[] } {
    const users = approvers.principals.filter((p) => /:user\//.test(p));
    const roles = approvers.principals.filter((p) => /:role\//.test(p));
    const mfa = approvers.requireMfa ? { Bool: { "aws:MultiFactorAuthPresent": "true" } } : {};
    const statements: Record<string, unknown>[] = [];
    if (users.length > 0) {
        statements.push({
            Sid: "NamedUsers",
            Effect: "Allow",
            Principal: { AWS: users },
            Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
            Condition: { ...mfa, StringEquals: { "sts:RoleSessionName": "${aws:username}" } },
        });
    }
    if (roles.length > 0) {
        statements.push({ Sid: "NamedRoles", Effect: "Allow", Principal: { AWS: roles }, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], ...(approvers.requireMfa ? { Condition: mfa } : {}) });
    }
    if (approvers.identityCenterPermissionSets.length > 0) {
        statements.push({
            Sid: "IdentityCenterPermissionSets",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${account}:root` },
            Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
            Condition: { ArnLike: { "aws:PrincipalArn": approvers.identityCenterPermissionSets.map((ps) => identityCenterRolePattern(partition, account, ps)) } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** What the approver may do: read and change the calendar — every Region's copy (a new default version) — nothing else. */
export function approverPermissions(calendarArns: string | string[]): { Version: "2012-10-17"; Statement: Record<string, unknown>[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ApproveOnTheCalendar",
                Effect: "Allow",
                Action: ["ssm:GetDocument", "ssm:DescribeDocument", "ssm:ListDocumentVersions", "ssm:GetCalendarState", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
                Resource: calendarArns,
            },
        ],
    };
}

export interface ApproverRoleArgs {
    /** Role name (config/changeSafety.ts `changeSafetyNames().approverRole`). */
    roleName: string;
    /** The approval calendar in every Region it holds installs in (config/approvalCalendars.ts). */
    calendarArns: pulumi.Input<string>[];
    approvers: Approvers;
    partition: pulumi.Input<string>;
    account: pulumi.Input<string>;
    tags?: Record<string, string>;
}

/** The approver role of one stack. */
export class ApproverRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: ApproverRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:changeSafety:ApproverRole", name, {}, opts);
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description: "Approves the patch install: the only principal allowed to change the approval calendar",
                assumeRolePolicy: pulumi.all([args.partition, args.account]).apply(([p, a]) => JSON.stringify(approverTrustPolicy(args.approvers, p, a))),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-calendar`, { role: this.role.name, policy: pulumi.all(args.calendarArns).apply((c) => JSON.stringify(approverPermissions(c.length === 1 ? c[0] : c))) }, { parent: this });
        this.roleArn = this.role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
