/**
 * Maintenance-window installs held by the approval calendar (issue 17).
 *
 * A maintenance window has no calendar setting, and "a gate task of lower priority that fails
 * closed" is not something the service documents: tasks "are scheduled in priority order" (user
 * guide, "Register a task": "Zero (0) is the highest priority. Tasks in a maintenance window are
 * scheduled in priority order. Tasks that have the same priority are scheduled in parallel"), but
 * nothing says a failed task keeps the later ones from starting. So the hold is inside the install
 * itself: an AWS-RunPatchBaseline Install task is registered as an AUTOMATION task running the
 * stack's copy of documents/automation-run-patch-baseline.yaml per target (`{{RESOURCE_ID}}`),
 * whose assertChangeCalendarOpen step (GetCalendarState must be OPEN) comes before the command —
 * the same runbook the multi-account schedules run. Closed: the execution stops, nothing is sent.
 */
import * as pulumi from "@pulumi/pulumi";
import { isHeldInstall } from "../config/approvalCalendars";
import type { WindowTaskConfig } from "../config/maintenanceWindows";
import type { Statement } from "./awsContext";
import type { AwsContext } from "./awsContext";

/** The stack's gated runbook and what it needs (ChangeSafety creates them). */
export interface WindowApprovalGate {
    /** The runbook's name in this account and Region (same content as the multi-account runbook). */
    documentName: pulumi.Input<string>;
    /** The role the runbook runs as: AWS-RunPatchBaseline on this account's nodes, GetCalendarState on the calendar. */
    automationRoleArn: pulumi.Input<string>;
    /** The approval calendar's name (this account, this Region) and owner account. */
    calendarName: pulumi.Input<string>;
    owner: pulumi.Input<string>;
}

export { isHeldInstall };

/** Runbook parameters the command's parameters map to (the runbook passes these through). */
const PASSED = ["SnapshotId", "InstallOverrideList", "BaselineOverride"];

/** The AUTOMATION task's invocation parameters for a held Install task. */
export function heldInstallParameters(rc: NonNullable<WindowTaskConfig["runCommand"]>, gate: WindowApprovalGate, baselineOverride?: pulumi.Input<string>): { name: string; values: pulumi.Input<string>[] }[] {
    const unsupported = Object.keys(rc.parameters).filter((k) => !PASSED.includes(k));
    if (unsupported.length > 0) throw new Error(`a held AWS-RunPatchBaseline Install task runs the gated runbook, which passes ${PASSED.join(", ")} only; remove ${unsupported.join(", ")}`);
    const override = rc.parameters.BaselineOverride?.[0] ?? baselineOverride;
    return [
        { name: "AutomationAssumeRole", values: [gate.automationRoleArn] },
        { name: "InstanceId", values: ["{{RESOURCE_ID}}"] },
        { name: "Operation", values: ["Install"] },
        { name: "RebootOption", values: [rc.rebootOption ?? "RebootIfNeeded"] },
        ...(override ? [{ name: "BaselineOverride", values: [override] }] : []),
        ...["SnapshotId", "InstallOverrideList"].filter((k) => rc.parameters[k]).map((k) => ({ name: k, values: rc.parameters[k] })),
        { name: "ChangeCalendarName", values: [gate.calendarName] },
        { name: "ChangeCalendarOwner", values: [gate.owner] },
    ];
}

/** What the window's service role needs to run held Install tasks: start the gated runbook, pass its role. */
export function heldInstallStatements(ctx: AwsContext, gate: WindowApprovalGate): Statement[] {
    return [
        {
            Sid: "StartGatedInstallRunbook",
            Effect: "Allow",
            Action: ["ssm:StartAutomationExecution"],
            Resource: pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:automation-definition/${gate.documentName}:*`,
        },
        { Sid: "TrackGatedInstallRunbook", Effect: "Allow", Action: ["ssm:GetAutomationExecution"], Resource: pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:automation-execution/*` },
        { Sid: "PassGatedInstallRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: gate.automationRoleArn, Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } } },
    ];
}
