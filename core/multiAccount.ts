/**
 * The IAM policy documents, resource-group queries, CloudFormation template and
 * StartAutomationExecution request of multi-account patching, as plain data.
 *
 * No Pulumi import: the member stack (components/automationMember.ts), the org-mode StackSet
 * (components/memberStackSet.ts), the management stack and the tests all build their documents
 * here, so the member role a StackSet rolls out and the one a member stack creates are the same
 * function's output and cannot drift apart.
 */
import * as fs from "fs";
import * as path from "path";
import { schedulerTrustStatement, ssmAutomationTrustStatement } from "./iam";

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: { AWS?: string | string[]; Service?: string | string[] };
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The AWS-owned command document the runbook runs. */
export const RUN_PATCH_BASELINE = "AWS-RunPatchBaseline";
/** The runbook parameter each target instance is passed in. */
export const TARGET_PARAMETER_NAME = "InstanceId";
/** How every approval calendar's name ends (config/changeSafety.ts `changeSafetyNames().calendar`). */
export const APPROVAL_CALENDAR_SUFFIX = "-install-approval";
/** The runbook's ChangeCalendarName for an Install no calendar holds (a stack without an approval gate). */
export const UNGATED = "UNGATED";
/** Name of the execution role's inline policy (member stack and StackSet alike). */
export const EXECUTION_POLICY_NAME = "PatchingAutomationExecution";

/** The runbook as shipped in the repository (YAML, schema 0.3). */
export const RUNBOOK_PATH = path.resolve(__dirname, "..", "documents", "automation-run-patch-baseline.yaml");
export function runbookContent(): string {
    return fs.readFileSync(RUNBOOK_PATH, "utf8");
}

/**
 * Everything the member-side documents depend on. In a member stack these are real values; in the
 * StackSet template they are CloudFormation `${…}` references (see {@link CFN_MEMBER_CONTEXT}).
 */
export interface MemberContext {
    /** `aws`, `aws-cn`, `aws-us-gov` — or `${AWS::Partition}`. */
    partition: string;
    /** The member account — or `${AWS::AccountId}`. */
    accountId: string;
    /** The account that runs the automation — or `${ManagementAccountId}`. */
    managementAccountId: string;
    /** ARN of the management account's administration role — or `${AdministrationRoleArn}`. */
    administrationRoleArn: string;
    /** Name of the role created in the member account. */
    executionRoleName: string;
    /** Name of the runbook (owned by the management account). */
    documentName: string;
    /** Names of the resource groups the automation targets. */
    resourceGroupNames: string[];
}

/** Parameters of the member StackSet template and the context that refers to them. */
export const CFN_PARAMETERS = {
    AdministrationRoleArn: "AdministrationRoleArn",
    ManagementAccountId: "ManagementAccountId",
    RoleRegion: "RoleRegion",
} as const;

export function cfnMemberContext(c: Pick<MemberContext, "executionRoleName" | "documentName" | "resourceGroupNames">): MemberContext {
    return {
        ...c,
        partition: "${AWS::Partition}",
        accountId: "${AWS::AccountId}",
        managementAccountId: `\${${CFN_PARAMETERS.ManagementAccountId}}`,
        administrationRoleArn: `\${${CFN_PARAMETERS.AdministrationRoleArn}}`,
    };
}

export function roleArn(partition: string, accountId: string, name: string): string {
    return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/**
 * Trust policy of the execution role: the management account's administration role (that exact
 * role, not the account root as in seed 001) and Systems Manager acting for this account only.
 */
export function executionRoleTrustPolicy(c: MemberContext): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AdministrationRoleOfManagementAccount",
                Effect: "Allow",
                Principal: { AWS: c.administrationRoleArn },
                Action: "sts:AssumeRole",
            },
            ssmAutomationTrustStatement(c.accountId, c.partition, "*", "AutomationInThisAccount"),
        ],
    };
}

/**
 * Permissions of the execution role: exactly what Automation-RunPatchBaseline needs in a target
 * account and Region — resolve the resource-group target, run AWS-RunPatchBaseline on the
 * account's instances, follow the command and the child executions, pass only itself to SSM.
 * Actions that support no resource-level permissions (tag:GetResources, ec2:DescribeInstances,
 * ssm:DescribeInstanceInformation, ssm:ListCommands, ssm:ListCommandInvocations, ssm:GetCommandInvocation, ssm:CancelCommand) are the
 * only ones on `*` (Service Authorization Reference); none is a write outside SSM commands.
 */
export function executionRolePolicy(c: MemberContext): PolicyDocument {
    const p = c.partition;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ResolveResourceGroupTargets",
                Effect: "Allow",
                Action: "resource-groups:ListGroupResources",
                Resource: c.resourceGroupNames.map((g) => `arn:${p}:resource-groups:*:${c.accountId}:group/${g}`),
            },
            {
                Sid: "ReadTaggedInstances",
                Effect: "Allow",
                Action: ["tag:GetResources", "ec2:DescribeInstances", "ssm:DescribeInstanceInformation"],
                Resource: "*",
            },
            {
                Sid: "RunPatchBaselineOnThisAccountsNodes",
                Effect: "Allow",
                Action: "ssm:SendCommand",
                Resource: [
                    `arn:${p}:ssm:*::document/${RUN_PATCH_BASELINE}`,
                    `arn:${p}:ec2:*:${c.accountId}:instance/*`,
                    `arn:${p}:ssm:*:${c.accountId}:managed-instance/*`,
                ],
            },
            {
                Sid: "FollowCommands",
                Effect: "Allow",
                Action: ["ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation", "ssm:CancelCommand"],
                Resource: "*",
            },
            {
                Sid: "StartChildExecutionsOfThisRunbook",
                Effect: "Allow",
                Action: "ssm:StartAutomationExecution",
                Resource: [
                    `arn:${p}:ssm:*:${c.managementAccountId}:document/${c.documentName}`,
                    `arn:${p}:ssm:*:${c.managementAccountId}:automation-definition/${c.documentName}:*`,
                    `arn:${p}:ssm:*:${c.accountId}:automation-execution/*`,
                ],
            },
            {
                Sid: "FollowOwnExecutions",
                Effect: "Allow",
                Action: ["ssm:GetAutomationExecution", "ssm:DescribeAutomationStepExecutions", "ssm:StopAutomationExecution"],
                Resource: `arn:${p}:ssm:*:${c.accountId}:automation-execution/*`,
            },
            {
                // The runbook's assertChangeCalendarOpen step (issue 17): the approval calendars the
                // management account shares with this account (read-only: GetCalendarState only).
                // Named <project>-<stack>-install-approval (config/changeSafety.ts changeSafetyNames).
                Sid: "ReadManagementApprovalCalendars",
                Effect: "Allow",
                Action: "ssm:GetCalendarState",
                Resource: `arn:${p}:ssm:*:${c.managementAccountId}:document/*${APPROVAL_CALENDAR_SUFFIX}`,
            },
            {
                Sid: "PassOnlyThisRoleToAutomation",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: roleArn(p, c.accountId, c.executionRoleName),
                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            },
        ],
    };
}

/** What the administration role may reach. */
export interface AdministrationContext {
    partition: string;
    /** The management account. */
    accountId: string;
    executionRoleName: string;
    /** 12-digit target accounts (any target location). */
    targetAccounts: string[];
    /** Set when a target location names an OU: scope to the organization. */
    organizationId?: string;
}

/** Trust policy of the administration role: Systems Manager, for this account's executions only. */
export function administrationRoleTrustPolicy(c: Pick<AdministrationContext, "partition" | "accountId">): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            ssmAutomationTrustStatement(c.accountId, c.partition, "*", "AutomationInThisAccount"),
        ],
    };
}

/**
 * Permissions of the administration role: assume the execution role — by exact ARN in each listed
 * account, and, when OUs are targeted, by name inside this organization only (aws:ResourceOrgID) —
 * and list the accounts of the targeted OUs. Seed 001 allowed `arn:aws:iam::*:role/…` in any account.
 */
export function administrationRolePolicy(c: AdministrationContext): PolicyDocument {
    const statements: PolicyStatement[] = [];
    const accounts = [...new Set(c.targetAccounts)].sort();
    if (accounts.length > 0) {
        statements.push({
            Sid: "AssumeExecutionRoleInTargetAccounts",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: accounts.map((a) => roleArn(c.partition, a, c.executionRoleName)),
        });
    }
    if (c.organizationId) {
        statements.push(
            {
                Sid: "AssumeExecutionRoleInOrganization",
                Effect: "Allow",
                Action: "sts:AssumeRole",
                Resource: roleArn(c.partition, "*", c.executionRoleName),
                Condition: { StringEquals: { "aws:ResourceOrgID": c.organizationId } },
            },
            {
                Sid: "ListAccountsOfTargetOUs",
                Effect: "Allow",
                Action: "organizations:ListAccountsForParent",
                Resource: "*",
            },
        );
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** What the EventBridge Scheduler role may do: start this runbook, passing the administration role. */
export interface SchedulerContext {
    partition: string;
    accountId: string;
    region: string;
    documentName: string;
    administrationRoleArn: string;
    scheduleGroupName: string;
}

export function schedulerRoleTrustPolicy(c: SchedulerContext): PolicyDocument {
    return { Version: "2012-10-17", Statement: [schedulerTrustStatement({ partition: c.partition, region: c.region, accountId: c.accountId, groupName: c.scheduleGroupName })] };
}

export function schedulerRolePolicy(c: SchedulerContext): PolicyDocument {
    const ssm = `arn:${c.partition}:ssm:${c.region}:${c.accountId}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StartPatchRunbook",
                Effect: "Allow",
                Action: "ssm:StartAutomationExecution",
                Resource: [`${ssm}:document/${c.documentName}`, `${ssm}:automation-definition/${c.documentName}:*`, `${ssm}:automation-execution/*`],
            },
            {
                Sid: "PassAdministrationRoleToAutomation",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: c.administrationRoleArn,
                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            },
        ],
    };
}

/** A resource group's tag query, as structured data (CloudFormation takes it like this). */
export interface ResourceQuery {
    ResourceTypeFilters: string[];
    TagFilters: { Key: string; Values: string[] }[];
}

export function resourceQuery(g: { resourceTypes: string[]; tagFilters: Record<string, string[]> }): ResourceQuery {
    return {
        ResourceTypeFilters: [...g.resourceTypes],
        TagFilters: Object.entries(g.tagFilters).map(([Key, Values]) => ({ Key, Values: [...Values] })),
    };
}

/** The part of a resource group both the member stack and the StackSet template create. */
export interface MemberResourceGroup {
    name: string;
    description?: string;
    resourceTypes: string[];
    tagFilters: Record<string, string[]>;
}

/** CloudFormation logical id of a resource group (alphanumeric). */
export function resourceGroupLogicalId(name: string): string {
    return `ResourceGroup${name.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** Turns every string holding a `${…}` reference into `{ "Fn::Sub": … }`. */
export function toCfnSub(value: unknown): unknown {
    if (typeof value === "string") return value.includes("${") ? { "Fn::Sub": value } : value;
    if (Array.isArray(value)) return value.map(toCfnSub);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCfnSub(v)]));
    return value;
}

/** Resolves `{ "Fn::Sub": … }` with the given variables (tests and the offline review). */
export function resolveCfnSub(value: unknown, vars: Record<string, string>): unknown {
    if (Array.isArray(value)) return value.map((v) => resolveCfnSub(v, vars));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (typeof obj["Fn::Sub"] === "string" && Object.keys(obj).length === 1) {
            return (obj["Fn::Sub"] as string).replace(/\$\{([^}]+)\}/g, (m, name: string) => {
                if (!(name in vars)) throw new Error(`no value for \${${name}}`);
                return vars[name];
            });
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveCfnSub(v, vars)]));
    }
    return value;
}

/** Arguments of {@link memberTemplate}. */
export interface MemberTemplateArgs {
    executionRoleName: string;
    documentName: string;
    resourceGroups: MemberResourceGroup[];
    /** Description of the role (as the member stack sets it). */
    roleDescription: string;
}

/**
 * The CloudFormation template a service-managed StackSet deploys to every account of the target
 * OUs, in every Region: the resource groups everywhere, the (global) execution role only in the
 * Region named by the `RoleRegion` parameter. Its policies come from the same functions as a
 * member stack's.
 */
export function memberTemplate(a: MemberTemplateArgs): Record<string, unknown> {
    const ctx = cfnMemberContext({ executionRoleName: a.executionRoleName, documentName: a.documentName, resourceGroupNames: a.resourceGroups.map((g) => g.name) });
    const resources: Record<string, unknown> = {
        ExecutionRole: {
            Type: "AWS::IAM::Role",
            Condition: "CreateRole",
            Properties: {
                RoleName: a.executionRoleName,
                Description: a.roleDescription,
                AssumeRolePolicyDocument: toCfnSub(executionRoleTrustPolicy(ctx)),
                Policies: [{ PolicyName: EXECUTION_POLICY_NAME, PolicyDocument: toCfnSub(executionRolePolicy(ctx)) }],
            },
        },
    };
    for (const g of a.resourceGroups) {
        resources[resourceGroupLogicalId(g.name)] = {
            Type: "AWS::ResourceGroups::Group",
            Properties: {
                Name: g.name,
                ...(g.description ? { Description: g.description } : {}),
                ResourceQuery: { Type: "TAG_FILTERS_1_0", Query: resourceQuery(g) },
            },
        };
    }
    return {
        AWSTemplateFormatVersion: "2010-09-09",
        Description: "Patching automation: execution role and resource groups of a member account (generated by the patching Pulumi program; do not edit)",
        Parameters: {
            [CFN_PARAMETERS.AdministrationRoleArn]: {
                Type: "String",
                Description: "ARN of the automation administration role in the management account",
                AllowedPattern: "^arn:aws(-[a-z-]+)?:iam::\\d{12}:role/[\\w+=,.@/-]+$",
            },
            [CFN_PARAMETERS.ManagementAccountId]: {
                Type: "String",
                Description: "The account that runs the automation and owns the runbook",
                AllowedPattern: "^\\d{12}$",
            },
            [CFN_PARAMETERS.RoleRegion]: {
                Type: "String",
                Description: "The one Region whose stack instance creates the (global) IAM role",
            },
        },
        Conditions: { CreateRole: { "Fn::Equals": [{ Ref: "AWS::Region" }, { Ref: CFN_PARAMETERS.RoleRegion }] } },
        Resources: resources,
        Outputs: {
            ExecutionRoleArn: { Condition: "CreateRole", Value: { "Fn::GetAtt": ["ExecutionRole", "Arn"] } },
        },
    };
}

/** One StartAutomationExecution target location (API field names). */
export interface TargetLocationRequest {
    Accounts: string[];
    Regions: string[];
    ExecutionRoleName: string;
    TargetLocationMaxConcurrency: string;
    TargetLocationMaxErrors: string;
    ExcludeAccounts?: string[];
}

/** Arguments of {@link startAutomationRequest}. */
export interface StartAutomationArgs {
    documentName: string;
    administrationRoleArn: string;
    operation: string;
    rebootOption: string;
    installOverrideList?: string;
    /** The override store's `s3://…/baseline_overrides.json`: the stack's baselines in every location. */
    baselineOverride?: string;
    resourceGroup: string;
    maxConcurrency: string;
    maxErrors: string;
    executionRoleName: string;
    /**
     * What holds an Install: the approval calendar (its name, present in every target Region, and
     * the account that owns and shares it), or {@link UNGATED}, said explicitly. Scans pass none.
     */
    changeCalendar?: { name: string; owner: string } | typeof UNGATED;
    targetLocations: { accounts: string[]; regions: string[]; excludeAccounts: string[]; maxConcurrency: string; maxErrors: string }[];
}

/**
 * The StartAutomationExecution request a schedule sends (seed 001's `aws ssm
 * start-automation-execution --target-parameter-name InstanceId --targets
 * Key=ResourceGroup,Values=… --target-locations …`), in API field names.
 */
export function startAutomationRequest(a: StartAutomationArgs): Record<string, unknown> {
    const parameters: Record<string, string[]> = {
        AutomationAssumeRole: [a.administrationRoleArn],
        Operation: [a.operation],
        RebootOption: [a.rebootOption],
    };
    if (a.installOverrideList) parameters.InstallOverrideList = [a.installOverrideList];
    if (a.baselineOverride) parameters.BaselineOverride = [a.baselineOverride];
    if (a.operation === "Install") {
        // Without a calendar the runbook's Install stops (fail closed): an ungated Install says so.
        if (!a.changeCalendar) throw new Error(`startAutomationRequest: an Install of ${a.documentName} needs changeCalendar (the approval calendar, or "${UNGATED}" said explicitly)`);
        if (a.changeCalendar === UNGATED) parameters.ChangeCalendarName = [UNGATED];
        else {
            parameters.ChangeCalendarName = [a.changeCalendar.name];
            parameters.ChangeCalendarOwner = [a.changeCalendar.owner];
        }
    }
    return {
        DocumentName: a.documentName,
        DocumentVersion: "$DEFAULT",
        Parameters: parameters,
        TargetParameterName: TARGET_PARAMETER_NAME,
        Targets: [{ Key: "ResourceGroup", Values: [a.resourceGroup] }],
        MaxConcurrency: a.maxConcurrency,
        MaxErrors: a.maxErrors,
        TargetLocations: a.targetLocations.map(
            (l): TargetLocationRequest => ({
                Accounts: l.accounts,
                Regions: l.regions,
                ExecutionRoleName: a.executionRoleName,
                TargetLocationMaxConcurrency: l.maxConcurrency,
                TargetLocationMaxErrors: l.maxErrors,
                ...(l.excludeAccounts.length > 0 ? { ExcludeAccounts: l.excludeAccounts } : {}),
            }),
        ),
    };
}

/** The EventBridge Scheduler universal target that calls SSM StartAutomationExecution. */
export function startAutomationTargetArn(partition: string): string {
    return `arn:${partition}:scheduler:::aws-sdk:ssm:startAutomationExecution`;
}

/** Every action of a policy document (for review and tests). */
export function actionsOf(doc: PolicyDocument): string[] {
    return doc.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/** Description of the execution role, the same in a member stack and in the StackSet template. */
export const EXECUTION_ROLE_DESCRIPTION = "Runs the patching Automation runbook in this account; assumed by the management account's automation administration role";
