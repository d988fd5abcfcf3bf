/**
 * The EventBridge rules that tell people about patching problems: what each rule matches and the
 * message it sends. Plain data (no Pulumi), so the component deploys exactly what the tests match
 * against AWS's documented sample events (tests/fixtures/events/).
 *
 * Event shapes: Systems Manager user guide, "Amazon EventBridge event examples for Systems
 * Manager" (monitoring-systems-manager-event-examples): detail-types, field names and casing
 * (`compliance-status` is lower case `non_compliant`; Automation uses `Status`/`Definition`,
 * Run Command and State Manager `status`/`document-name`). Status values: botocore SSM
 * `CommandStatus`, `CommandInvocationStatus`, `AutomationExecutionStatus`, `AssociationStatusName`.
 */
import type { EventPattern, PatternValue } from "./eventPattern";

/** The documents Patch Manager runs (user guide, "SSM Command documents for patching managed nodes"). */
export const PATCH_DOCUMENTS = ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks"] as const;
/** The inventory document the software inventory association runs. */
export const INVENTORY_DOCUMENT = "AWS-GatherSoftwareInventory";
/** The Automation runbook behind Patch Manager's "Export to S3" patch report. */
export const PATCH_REPORT_DOCUMENT = "AWS-ExportPatchReportToS3";

/** Terminal failure states of a Run Command command (botocore `CommandStatus`). */
export const COMMAND_FAILURE_STATUSES = ["Failed", "TimedOut"] as const;
/** Terminal failure states of a command on one node (botocore `CommandInvocationStatus`). */
export const INVOCATION_FAILURE_STATUSES = ["Failed", "TimedOut"] as const;
/** Terminal failure states of an automation (botocore `AutomationExecutionStatus`). */
export const AUTOMATION_FAILURE_STATUSES = ["Failed", "TimedOut", "CompletedWithFailure"] as const;
/** Failure state of an association (botocore `AssociationStatusName`). */
export const ASSOCIATION_FAILURE_STATUSES = ["Failed"] as const;

export const NOTIFICATION_RULE_KEYS = ["patchNonCompliant", "runCommandFailed", "runCommandInvocationFailed", "automationFailed", "associationFailed"] as const;
export type NotificationRuleKey = (typeof NOTIFICATION_RULE_KEYS)[number];

/** One notification rule: its pattern and the plain-text message EventBridge builds for SNS. */
export interface NotificationRuleSpec {
    key: NotificationRuleKey;
    /** Appended to the stack's name prefix to name the rule (`<prefix>-<suffix>`). */
    nameSuffix: string;
    description: string;
    pattern: EventPattern;
    /** EventBridge InputTransformer `InputPathsMap`. */
    inputPaths: Record<string, string>;
    /** EventBridge InputTransformer `InputTemplate`: a quoted string, so SNS receives plain text. */
    inputTemplate: string;
}

export interface NotificationRuleOptions {
    /** Run Command / State Manager documents whose failures are reported. */
    documents: readonly string[];
    /** Automation runbooks whose failures are reported: exact names, or `prefix*`. Empty: all. */
    automationDocuments: readonly string[];
    /** Patch compliance severities reported (CRITICAL, HIGH, …). Empty: all. */
    severities: readonly string[];
}

/** `name*` becomes an EventBridge prefix filter, anything else an exact value. */
export function nameFilter(name: string): PatternValue {
    return name.endsWith("*") ? { prefix: name.slice(0, -1) } : name;
}

const COMMON_PATHS = { account: "$.account", region: "$.region", time: "$.time" };

/** Every notification rule, built from the stack's options. */
export function notificationRules(opts: NotificationRuleOptions): Record<NotificationRuleKey, NotificationRuleSpec> {
    const documents = [...opts.documents];
    const patchDetail: EventPattern = { "compliance-type": ["Patch"], "compliance-status": ["non_compliant"] };
    // The documented events carry the severity in lower case ("severity": "critical").
    if (opts.severities.length > 0) patchDetail.severity = opts.severities.map((s) => s.toLowerCase());
    const automationDetail: EventPattern = { Status: [...AUTOMATION_FAILURE_STATUSES] };
    if (opts.automationDocuments.length > 0) automationDetail.Definition = opts.automationDocuments.map(nameFilter);

    return {
        patchNonCompliant: {
            key: "patchNonCompliant",
            nameSuffix: "patch-noncompliant",
            description: "A managed node became non-compliant with its patch baseline (Patch Manager scan or install)",
            pattern: { source: ["aws.ssm"], "detail-type": ["Configuration Compliance State Change"], detail: patchDetail },
            inputPaths: { ...COMMON_PATHS, node: "$.detail.resource-id", baseline: "$.detail.patch-baseline-id", severity: "$.detail.severity" },
            inputTemplate:
                '"Patch compliance: managed node <node> in account <account> (<region>) is NON_COMPLIANT with patch baseline <baseline>, severity <severity>, at <time>. ' +
                'Missing patches: https://<region>.console.aws.amazon.com/systems-manager/managed-instances/<node>/patch?region=<region>"',
        },
        runCommandFailed: {
            key: "runCommandFailed",
            nameSuffix: "run-command-failed",
            description: `A patching or inventory Run Command ended ${COMMAND_FAILURE_STATUSES.join(" or ")}`,
            pattern: {
                source: ["aws.ssm"],
                "detail-type": ["EC2 Command Status-change Notification"],
                detail: { "document-name": documents, status: [...COMMAND_FAILURE_STATUSES] },
            },
            inputPaths: { ...COMMON_PATHS, command: "$.detail.command-id", document: "$.detail.document-name", status: "$.detail.status" },
            inputTemplate: '"Run Command <command> (<document>) ended <status> in account <account> (<region>) at <time>."',
        },
        runCommandInvocationFailed: {
            key: "runCommandInvocationFailed",
            nameSuffix: "invocation-failed",
            description: `A patching or inventory command ended ${INVOCATION_FAILURE_STATUSES.join(" or ")} on one managed node`,
            pattern: {
                source: ["aws.ssm"],
                "detail-type": ["EC2 Command Invocation Status-change Notification"],
                detail: { "document-name": documents, status: [...INVOCATION_FAILURE_STATUSES] },
            },
            inputPaths: { ...COMMON_PATHS, command: "$.detail.command-id", document: "$.detail.document-name", status: "$.detail.status", node: "$.detail.instance-id" },
            inputTemplate: '"Run Command <command> (<document>) ended <status> on managed node <node> in account <account> (<region>) at <time>."',
        },
        automationFailed: {
            key: "automationFailed",
            nameSuffix: "automation-failed",
            description: `An automation ended ${AUTOMATION_FAILURE_STATUSES.join(", ")}`,
            pattern: { source: ["aws.ssm"], "detail-type": ["EC2 Automation Execution Status-change Notification"], detail: automationDetail },
            inputPaths: { ...COMMON_PATHS, execution: "$.detail.ExecutionId", runbook: "$.detail.Definition", status: "$.detail.Status" },
            inputTemplate: '"Automation <execution> (<runbook>) ended <status> in account <account> (<region>) at <time>."',
        },
        associationFailed: {
            key: "associationFailed",
            nameSuffix: "association-failed",
            description: "A patching or inventory State Manager association failed",
            pattern: {
                source: ["aws.ssm"],
                "detail-type": ["EC2 State Manager Association State Change"],
                detail: { "document-name": documents, status: [...ASSOCIATION_FAILURE_STATUSES] },
            },
            inputPaths: {
                ...COMMON_PATHS,
                association: "$.detail.association-id",
                document: "$.detail.document-name",
                status: "$.detail.status",
                counts: "$.detail.association-status-aggregated-count",
            },
            inputTemplate: '"State Manager association <association> (<document>) is <status> in account <account> (<region>) at <time>; node results: <counts>."',
        },
    };
}

/** Reads `$.a.b-c` from an event (the JSONPath subset InputPathsMap entries here use). */
function readPath(event: unknown, path: string): unknown {
    if (!path.startsWith("$.")) throw new Error(`input path ${path} must start with $.`);
    let cur: unknown = event;
    for (const part of path.slice(2).split(".")) {
        cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[part] : undefined;
    }
    return cur;
}

/**
 * What EventBridge delivers for `event` through an InputTransformer whose template is a quoted
 * string: each `<name>` replaced by its path's value (strings as-is, other values as JSON, a
 * missing path as empty, as the EventBridge user guide "Transforming target input" describes).
 */
export function renderInputTemplate(event: unknown, paths: Record<string, string>, template: string): string {
    if (!/^".*"$/s.test(template)) throw new Error("this renderer handles string templates (wrapped in double quotes) only");
    const body = template.slice(1, -1).replace(/<([A-Za-z0-9_-]+)>/g, (whole, name: string) => {
        if (!(name in paths)) return whole;
        const v = readPath(event, paths[name]);
        return v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
    });
    return body;
}
