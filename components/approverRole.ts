/**
 * The stack's two operator roles of the approval gate, trusted the same way (named IAM users/roles
 * with MFA, or IAM Identity Center permission sets) and allowed disjoint things:
 * - `ApproverRole`: the one principal this program lets change the approval calendar (a new
 *   calendar version is an approval); it may read the gate state, never write it;
 * - `RequesterRole`: the one principal that writes a person's request of a release cycle into the
 *   gate state (`approval-gate/<stack>/*` in the artifact bucket); it may not touch the calendar.
 * `npm run approve` records the role session's STS caller identity (approver or requester), which
 * the gate checks (core/changeCalendar.ts `evaluateApproval`, core/approvalGate.ts `personRequestReason`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ApprovalGateConfig } from "../config/changeSafety";

type Approvers = NonNullable<ApprovalGateConfig["approvers"]>;
/** Who may assume an operator role: named principals and Identity Center permission sets, MFA for IAM users and roles. */
export type OperatorTrust = Pick<Approvers, "principals" | "identityCenterPermissionSets" | "requireMfa">;

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
export function approverTrustPolicy(approvers: OperatorTrust, partition: string, account: string): { Version: "2012-10-17"; Statement: Record<string, unknown>[] } {
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

/** Reading the gate state of one stack: the objects, and listing them (without ListBucket a missing key reads as AccessDenied, not NoSuchKey). */
function gateStateStatements(gate: GateStateLocation, actions: string[], sid: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [
        { Sid: sid, Effect: "Allow", Action: actions, Resource: `${gate.bucketArn}/approval-gate/${gate.stack}/*` },
        { Sid: "SeeMissingGateState", Effect: "Allow", Action: "s3:ListBucket", Resource: gate.bucketArn, Condition: { StringLike: { "s3:prefix": [`approval-gate/${gate.stack}/*`] } } },
    ];
    // A bucket encrypted with a customer managed key: S3 calls KMS for the caller (kms:ViaService), with the object's encryption context.
    if (gate.kmsKeyArn) {
        out.push({
            Sid: "GateStateKey",
            Effect: "Allow",
            Action: actions.includes("s3:PutObject") ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
            Resource: gate.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${gate.region}.amazonaws.com` } },
        });
    }
    return out;
}

/** Where the gate state of one stack lives (the artifact bucket; its key when it is a customer managed one). */
export interface GateStateLocation {
    bucketArn: string;
    stack: string;
    region: string;
    kmsKeyArn?: string;
}

/**
 * What the approver may do: read and change the calendar — every Region's copy (a new default
 * version) — and, when given, read the gate state (who requested: `npm run approve` refuses a
 * self-approval before it writes). Never write the gate state.
 */
export function approverPermissions(calendarArns: string | string[], gateState?: GateStateLocation): { Version: "2012-10-17"; Statement: Record<string, unknown>[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ApproveOnTheCalendar",
                Effect: "Allow",
                Action: ["ssm:GetDocument", "ssm:DescribeDocument", "ssm:ListDocumentVersions", "ssm:GetCalendarState", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
                Resource: calendarArns,
            },
            ...(gateState ? gateStateStatements(gateState, ["s3:GetObject"], "ReadGateState") : []),
        ],
    };
}

/** What the requester may do: read and write its stack's gate state objects, nothing else (no calendar). */
export function requesterPermissions(gateState: GateStateLocation): { Version: "2012-10-17"; Statement: Record<string, unknown>[] } {
    return { Version: "2012-10-17", Statement: gateStateStatements(gateState, ["s3:GetObject", "s3:PutObject"], "RequestInGateState") };
}

interface OperatorRoleArgs {
    roleName: string;
    description: string;
    who: OperatorTrust;
    partition: pulumi.Input<string>;
    account: pulumi.Input<string>;
    /** The role's one inline policy (JSON) and its resource name suffix. */
    policy: { suffix: string; document: pulumi.Input<string> };
    tags?: Record<string, string>;
}

/** A role people assume with their own identity (the shared trust helper), with one inline policy. */
abstract class OperatorRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;

    protected constructor(type: string, name: string, args: OperatorRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description: args.description,
                assumeRolePolicy: pulumi.all([args.partition, args.account]).apply(([p, a]) => JSON.stringify(approverTrustPolicy(args.who, p, a))),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-${args.policy.suffix}`, { role: this.role.name, policy: args.policy.document }, { parent: this });
        this.roleArn = this.role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}

/** The gate state location as Pulumi inputs. */
export interface GateStateInput {
    bucketArn: pulumi.Input<string>;
    stack: string;
    region: string;
    kmsKeyArn?: pulumi.Input<string>;
}
const resolveGateState = (g: GateStateInput): pulumi.Output<GateStateLocation> =>
    pulumi.all([g.bucketArn, g.kmsKeyArn]).apply(([bucketArn, kmsKeyArn]) => ({ bucketArn, stack: g.stack, region: g.region, ...(kmsKeyArn ? { kmsKeyArn } : {}) }));

export interface ApproverRoleArgs {
    /** Role name (config/changeSafety.ts `changeSafetyNames().approverRole`). */
    roleName: string;
    /** The approval calendar in every Region it holds installs in (config/approvalCalendars.ts). */
    calendarArns: pulumi.Input<string>[];
    approvers: Approvers;
    /** The gate state it may read (who requested), under the two-person rule. @default none */
    gateState?: GateStateInput;
    partition: pulumi.Input<string>;
    account: pulumi.Input<string>;
    tags?: Record<string, string>;
}

/** The approver role of one stack. */
export class ApproverRole extends OperatorRole {
    constructor(name: string, args: ApproverRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        const document = pulumi
            .all([pulumi.all(args.calendarArns), args.gateState ? resolveGateState(args.gateState) : undefined])
            .apply(([c, g]) => JSON.stringify(approverPermissions(c.length === 1 ? c[0] : c, g)));
        super(
            "patching:changeSafety:ApproverRole",
            name,
            { roleName: args.roleName, description: "Approves the patch install: the only principal allowed to change the approval calendar", who: args.approvers, partition: args.partition, account: args.account, policy: { suffix: "calendar", document }, tags: args.tags },
            opts,
        );
    }
}

export interface RequesterRoleArgs {
    /** Role name (config/changeSafety.ts `changeSafetyNames().requesterRole`). */
    roleName: string;
    /** Who may assume it (approvers.requesters, with approvers.requireMfa). */
    requesters: OperatorTrust;
    gateState: GateStateInput;
    partition: pulumi.Input<string>;
    account: pulumi.Input<string>;
    tags?: Record<string, string>;
}

/** The requester role of one stack: a person's request of the cycle's install, in the gate state. */
export class RequesterRole extends OperatorRole {
    constructor(name: string, args: RequesterRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        const document = resolveGateState(args.gateState).apply((g) => JSON.stringify(requesterPermissions(g)));
        super(
            "patching:changeSafety:RequesterRole",
            name,
            { roleName: args.roleName, description: "Requests the patch install of a release cycle (two-person rule): writes only its stack's approval gate state", who: args.requesters, partition: args.partition, account: args.account, policy: { suffix: "gate-state", document }, tags: args.tags },
            opts,
        );
    }
}
