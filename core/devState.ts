/**
 * What the earlier stage (dev) has proven: the patch state its instances last reported, read with
 * `DescribeInstancePatchStatesForPatchGroup` per patch group (paginated), and when an instance
 * counts as green. Shared by both promotion strategies.
 */
import { DescribeInstancePatchStatesForPatchGroupCommand, InstancePatchState, SSMClient } from "@aws-sdk/client-ssm";

/** An instance's last reported patch state, flattened. */
export interface DevInstance {
    instanceId: string;
    patchGroup: string;
    baselineId: string;
    operation: string;
    /** When the baseline snapshot of the last operation was taken (operation start). */
    operationStartTime: Date;
    operationEndTime?: Date;
    missing: number;
    failed: number;
    installedPendingReboot: number;
    installedRejected: number;
    criticalNonCompliant: number;
    securityNonCompliant: number;
    otherNonCompliant: number;
}

export function toDevInstance(s: InstancePatchState): DevInstance {
    return {
        instanceId: s.InstanceId ?? "?",
        patchGroup: s.PatchGroup ?? "",
        baselineId: s.BaselineId ?? "",
        operation: s.Operation ?? "?",
        operationStartTime: s.OperationStartTime ?? new Date(0),
        operationEndTime: s.OperationEndTime,
        missing: s.MissingCount ?? 0,
        failed: s.FailedCount ?? 0,
        installedPendingReboot: s.InstalledPendingRebootCount ?? 0,
        installedRejected: s.InstalledRejectedCount ?? 0,
        criticalNonCompliant: s.CriticalNonCompliantCount ?? 0,
        securityNonCompliant: s.SecurityNonCompliantCount ?? 0,
        otherNonCompliant: s.OtherNonCompliantCount ?? 0,
    };
}

/** Every instance of the patch groups (one page of 100 at a time; the SDK retries throttling). */
export async function readDevInstances(ssm: SSMClient, patchGroups: string[]): Promise<DevInstance[]> {
    const out: DevInstance[] = [];
    for (const group of patchGroups) {
        let token: string | undefined;
        do {
            const page = await ssm.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: group, MaxResults: 100, NextToken: token }));
            out.push(...(page.InstancePatchStates ?? []).map(toDevInstance));
            token = page.NextToken || undefined;
        } while (token);
    }
    return out;
}

/**
 * Why an instance is not green (empty: green). Green means its last operation left nothing
 * missing or failed, no installed patch waits for a reboot (not proven until it ran after one),
 * and no rejected patch is installed.
 */
export function notGreenReasons(i: DevInstance): string[] {
    const reasons: string[] = [];
    if (i.missing > 0) reasons.push(`${i.missing} missing`);
    if (i.failed > 0) reasons.push(`${i.failed} failed`);
    if (i.installedPendingReboot > 0) reasons.push(`${i.installedPendingReboot} installed pending reboot`);
    if (i.installedRejected > 0) reasons.push(`${i.installedRejected} rejected but installed`);
    const nonCompliant = i.criticalNonCompliant + i.securityNonCompliant + i.otherNonCompliant;
    if (nonCompliant > 0 && reasons.length === 0) reasons.push(`${nonCompliant} non-compliant`);
    return reasons;
}

/** A summary of dev for records and notifications. */
export interface DevSummary {
    patchGroups: string[];
    instances: number;
    green: number;
    /** Non-green instances with why (at most 50 listed). */
    notGreen: { instanceId: string; patchGroup: string; reasons: string[] }[];
    /** Share of green instances, 0–100 (0 when there are none). */
    greenPercent: number;
}

export function summarise(patchGroups: string[], instances: DevInstance[]): DevSummary {
    const notGreen = instances.map((i) => ({ instanceId: i.instanceId, patchGroup: i.patchGroup, reasons: notGreenReasons(i) })).filter((x) => x.reasons.length > 0);
    const green = instances.length - notGreen.length;
    return {
        patchGroups,
        instances: instances.length,
        green,
        notGreen: notGreen.slice(0, 50),
        greenPercent: instances.length === 0 ? 0 : Math.floor((green * 10000) / instances.length) / 100,
    };
}

/** Why dev does not allow a promotion (undefined: it does). */
export function holdReason(summary: DevSummary, minInstances: number, minGreenPercent: number): string | undefined {
    if (summary.instances < minInstances) {
        return `only ${summary.instances} instance(s) of patch group(s) ${summary.patchGroups.join(", ")} report patch state; at least ${minInstances} required`;
    }
    if (summary.greenPercent < minGreenPercent) {
        const list = summary.notGreen
            .slice(0, 5)
            .map((n) => `${n.instanceId} (${n.reasons.join(", ")})`)
            .join("; ");
        return `${summary.green} of ${summary.instances} instance(s) are green (${summary.greenPercent}%), ${minGreenPercent}% required: ${list}${summary.notGreen.length > 5 ? "; …" : ""}`;
    }
    return undefined;
}

/** `YYYY-MM-DD` of an instant (UTC). */
export function isoDate(d: Date): string {
    return d.toISOString().slice(0, 10);
}

const DAY = 86400000;
/** The last whole UTC day that ends at or before `instant`. */
export function lastWholeDayBefore(instant: Date): string {
    return isoDate(new Date(Math.floor((instant.getTime() + 1) / DAY) * DAY - DAY));
}
