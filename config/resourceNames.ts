/**
 * The names the program gives AWS resources, built in ONE place so the config check and the
 * components cannot drift: components call these functions to name what they create, and
 * {@link checkDerivedNames} (run by parseConfig before anything is registered) computes the same
 * names from the stack config and reports the config key that made one too long.
 *
 * No Pulumi, no SDK: the review validates before loading either.
 */
import { NOTIFICATION_RULE_KEYS, notificationRules } from "../core/complianceEvents";
import { AgentKind, AGENTS } from "./agentUpdates";
import { changeSafetyNames } from "./changeSafety";
import type { SectionsConfig } from "./index";
import { IssueSink } from "./issues";

/**
 * Name limits of the resources the program names (each API reference's `Name` constraint).
 * IAM CreateRole RoleName 64, CreatePolicy PolicyName 128; Lambda CreateFunction FunctionName 64;
 * EventBridge Scheduler CreateSchedule Name / CreateScheduleGroup Name 64; S3 bucket 63 (user
 * guide, "General purpose bucket naming rules"); Step Functions CreateStateMachine name 80;
 * botocore SSM DocumentName, MaintenanceWindowName, AssociationName 128; SNS CreateTopic Name 256;
 * CloudWatch Logs LogGroupName 512; EventBridge PutRule Name 64; CloudWatch PutMetricAlarm
 * AlarmName 255; KMS CreateAlias AliasName 256; botocore SSM ResourceDataSyncName 64;
 * CloudFormation CreateStackSet StackSetName 128; Athena CreateWorkGroup Name 128; CloudWatch
 * PutDashboard DashboardName 255.
 */
export const NAME_LIMITS = {
    "IAM role": 64,
    "IAM policy": 128,
    "Lambda function": 64,
    "Scheduler schedule": 64,
    "Scheduler schedule group": 64,
    "S3 bucket": 63,
    "Step Functions state machine": 80,
    "SSM document": 128,
    "maintenance window": 128,
    "State Manager association": 128,
    "SNS topic": 256,
    "CloudWatch log group": 512,
    "EventBridge rule": 64,
    "CloudWatch alarm": 255,
    "KMS alias": 256,
    "resource data sync": 64,
    "CloudFormation StackSet": 128,
    "Athena workgroup": 128,
    "CloudWatch dashboard": 255,
} as const;
export type NameKind = keyof typeof NAME_LIMITS;

/** A name the program will send to AWS, and what it names. */
export interface DerivedName {
    kind: NameKind;
    name: string;
}

/** `<project>-<environment>`: the prefix of the stack-wide names (compliance, agent updates, multi-account). */
export function stackNamePrefix(project: string, environment: string): string {
    return `${project}-${environment}`;
}

/** A scheduled Lambda's schedule name (`<function>-<suffix>`), in the schedule group named after the function. */
export function lambdaScheduleName(functionName: string, suffix: string): string {
    return `${functionName}-${suffix}`;
}

/** The log group Lambda writes a function's logs to. */
export function lambdaLogGroupName(functionName: string): string {
    return `/aws/lambda/${functionName}`;
}

/** The error alarm of a scheduled Lambda. */
export function lambdaErrorAlarmName(functionName: string): string {
    return `${functionName}-errors`;
}

/** Every name a ScheduledLambda (components/scheduledLambda.ts) creates for a function and its schedule suffixes. */
export function scheduledLambdaNames(functionName: string, suffixes: readonly string[]): DerivedName[] {
    return [
        { kind: "Lambda function", name: functionName },
        { kind: "Scheduler schedule group", name: functionName },
        { kind: "CloudWatch log group", name: lambdaLogGroupName(functionName) },
        { kind: "CloudWatch alarm", name: lambdaErrorAlarmName(functionName) },
        ...suffixes.map((s): DerivedName => ({ kind: "Scheduler schedule", name: lambdaScheduleName(functionName, s) })),
    ];
}

/** Names of the compliance section built from the stack prefix (components/compliance.ts). */
export function complianceNames(prefix: string) {
    return {
        dataSync: `${prefix}-compliance`,
        inventoryAssociation: `${prefix}-software-inventory`,
        topic: `${prefix}-patch-notifications`,
        keyAlias: `alias/${prefix}-patch-notifications`,
        rule: (suffix: string) => `${prefix}-${suffix}`,
        workGroup: `${prefix}-compliance`,
        dashboard: `${prefix}-patch-compliance`,
    };
}

/** Names of the multi-account management stack built from the stack prefix (components/automationManagement.ts). */
export function multiAccountNames(prefix: string) {
    return { scheduleGroup: `${prefix}-automation`, memberStackSet: `${prefix}-automation-members` };
}

/** An agent-update association's default name (components/agentUpdates.ts). */
export function agentAssociationName(prefix: string, suffix: string): string {
    return `${prefix}-${suffix}`;
}

/** The schedule suffixes of each change-safety Lambda (components/changeSafety.ts). */
export const CHANGE_SAFETY_SCHEDULES = {
    promoteFunction: ["check"],
    pinnedListFunction: ["export"],
    gateFunction: ["request", "check"],
    retentionFunction: ["daily"],
} as const;

/** Every name the change-safety section derives from `<project>-<stack>`. */
export function changeSafetyDerivedNames(project: string, stack: string): DerivedName[] {
    const n = changeSafetyNames(project, stack);
    return [
        ...(Object.keys(CHANGE_SAFETY_SCHEDULES) as (keyof typeof CHANGE_SAFETY_SCHEDULES)[]).flatMap((fn) => scheduledLambdaNames(n[fn], CHANGE_SAFETY_SCHEDULES[fn])),
        { kind: "SSM document", name: n.calendar },
        { kind: "SSM document", name: n.approverCalendar },
        { kind: "SSM document", name: n.patchDocument },
        { kind: "SSM document", name: n.rollbackDocument },
        { kind: "IAM role", name: n.automationRole },
        { kind: "IAM role", name: n.approverRole },
        { kind: "IAM role", name: n.requesterRole },
        { kind: "State Manager association", name: n.association },
        { kind: "SNS topic", name: n.topic },
    ];
}

/** The names in `names` longer than their kind's limit. */
export function tooLong(names: readonly DerivedName[]): (DerivedName & { max: number })[] {
    return names.filter((n) => n.name.length > NAME_LIMITS[n.kind]).map((n) => ({ ...n, max: NAME_LIMITS[n.kind] }));
}

function report(sink: IssueSink, path: string, names: DerivedName[], from: string, fix: string, value: unknown): void {
    for (const n of tooLong(names)) {
        sink.add(path, `makes the ${n.kind} name "${n.name}" ${n.name.length} characters long (${from}); ${n.kind} names are at most ${n.max}: ${fix}`, value);
    }
}

/** The names each configured section derives from `<project>-<environment>`, as its component builds them. */
export function environmentDerivedNames(cfg: Pick<SectionsConfig, "compliance" | "multiAccount" | "agentUpdates">, prefix: string): DerivedName[] {
    const names: DerivedName[] = [];
    const c = cfg.compliance;
    if (c) {
        const n = complianceNames(prefix);
        if (c.dataSync.enabled && c.dataSync.name === undefined) names.push({ kind: "resource data sync", name: n.dataSync });
        if (c.inventory.enabled && c.inventory.associationName === undefined) names.push({ kind: "State Manager association", name: n.inventoryAssociation });
        if (c.notifications.enabled) {
            names.push({ kind: "SNS topic", name: n.topic }, { kind: "KMS alias", name: n.keyAlias });
            const specs = notificationRules({ documents: [], automationDocuments: [], severities: [] });
            for (const k of NOTIFICATION_RULE_KEYS.filter((k) => c.notifications.rules[k])) names.push({ kind: "EventBridge rule", name: n.rule(specs[k].nameSuffix) });
        }
        if (c.athena.enabled) names.push({ kind: "Athena workgroup", name: n.workGroup });
        if (c.dashboard.enabled) names.push({ kind: "CloudWatch dashboard", name: n.dashboard });
    }
    if (cfg.multiAccount) {
        const m = multiAccountNames(prefix);
        names.push({ kind: "Scheduler schedule group", name: m.scheduleGroup }, { kind: "CloudFormation StackSet", name: m.memberStackSet });
    }
    for (const [kind, a] of Object.entries(cfg.agentUpdates ?? {})) {
        const agent = AGENTS[kind as AgentKind];
        if (a && agent && a.associationName === undefined) names.push({ kind: "State Manager association", name: agentAssociationName(prefix, agent.suffix) });
    }
    return names;
}

/**
 * Final names after prefixes and suffixes: each name a configured section will create, computed by
 * the functions above (the components use the same ones), against its AWS limit. The issue names
 * the key that made the name too long: `patching:environment` for `<project>-<environment>`
 * names, `patching:changeSafety` for `<project>-<stack>` names (the stack name is not a config key,
 * the section is what asks for them). Runs on the typed config (defaults decide what is created).
 */
export function checkDerivedNames(sink: IssueSink, ns: string, cfg: SectionsConfig, project: string, stack: string, hasChangeSafety: boolean): void {
    const prefix = stackNamePrefix(project, cfg.environment);
    report(sink, `${ns}:environment`, environmentDerivedNames(cfg, prefix), `project "${project}" + "-" + environment "${cfg.environment}" + a suffix`, "use a shorter environment name", cfg.environment);
    if (hasChangeSafety) {
        report(sink, `${ns}:changeSafety`, changeSafetyDerivedNames(project, stack), `project "${project}" + "-" + stack "${stack}" + a suffix`, "use a shorter stack name", `${project}-${stack}`);
    }
}

/** Names of a cross-account fleet orchestrator: the coordinator, its locations Lambda and role, each location's role (components/fleetCoordinator.ts). */
export { crossAccountNames, locationRoleName } from "../core/orchestrator/crossAccount";
