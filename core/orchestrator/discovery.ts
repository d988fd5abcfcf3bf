/**
 * Target discovery: instances by tag and/or resource group, running AND stopped (Patch Manager on
 * its own only ever sees running instances with an Online agent — the seed's first problem).
 */
import { DescribeInstancesCommand, EC2Client, Filter, Instance } from "@aws-sdk/client-ec2";
import { ListGroupResourcesCommand, ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import type { OrchestratorSettings, Platform, TargetInstance } from "./types";

/** Instance states discovery returns; pending/stopping instances are in transition and not touched. */
export const DISCOVERED_STATES = ["running", "stopped"] as const;
/** EC2 accepts at most 200 values per filter. */
const FILTER_VALUES_MAX = 200;

export function tagFilters(tags: Record<string, string[]>): Filter[] {
    return Object.entries(tags).map(([key, values]) => ({ Name: `tag:${key}`, Values: values }));
}

function platformOf(i: Instance): Platform {
    if (String(i.Platform ?? "").toLowerCase() === "windows" || /windows/i.test(i.PlatformDetails ?? "")) return "Windows";
    return "Linux";
}

export function toTarget(i: Instance): TargetInstance | undefined {
    const state = i.State?.Name;
    if (!i.InstanceId || (state !== "running" && state !== "stopped")) return undefined;
    const root = (i.BlockDeviceMappings ?? []).find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.VolumeId;
    return {
        instanceId: i.InstanceId,
        instanceType: i.InstanceType ?? "unknown",
        name: (i.Tags ?? []).find((t) => t.Key === "Name")?.Value ?? "",
        platform: platformOf(i),
        originalState: state,
        ...(root ? { rootVolumeId: root } : {}),
    };
}

async function describeAll(ec2: EC2Client, filters: Filter[]): Promise<Instance[]> {
    const out: Instance[] = [];
    let token: string | undefined;
    do {
        const page = await ec2.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token, MaxResults: 1000 }));
        for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
        token = page.NextToken;
    } while (token);
    return out;
}

/** EC2 instance ids in a resource group (ListGroupResources, paginated). */
export async function resourceGroupInstanceIds(rg: ResourceGroupsClient, group: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
        const page = await rg.send(
            new ListGroupResourcesCommand({ Group: group, Filters: [{ Name: "resource-type", Values: ["AWS::EC2::Instance"] }], NextToken: token }),
        );
        for (const r of page.Resources ?? []) {
            const arn = r.Identifier?.ResourceArn ?? "";
            const m = /:instance\/(i-[0-9a-f]+)$/.exec(arn);
            if (m) ids.push(m[1]);
        }
        token = page.NextToken;
    } while (token);
    return [...new Set(ids)];
}

/**
 * Finds the targets: DescribeInstances filtered by the target tags and by state running/stopped;
 * with a resource group, its EC2 members (still filtered by the tags, when given). Sorted by id.
 */
export async function discoverTargets(
    clients: { ec2: EC2Client; resourceGroups?: ResourceGroupsClient },
    targets: OrchestratorSettings["targets"],
): Promise<TargetInstance[]> {
    const stateFilter: Filter = { Name: "instance-state-name", Values: [...DISCOVERED_STATES] };
    let instances: Instance[];
    if (targets.resourceGroup) {
        if (!clients.resourceGroups) throw new Error("a resource group target needs a Resource Groups client");
        const ids = await resourceGroupInstanceIds(clients.resourceGroups, targets.resourceGroup);
        instances = [];
        for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX) {
            const chunk = ids.slice(i, i + FILTER_VALUES_MAX);
            instances.push(...(await describeAll(clients.ec2, [{ Name: "instance-id", Values: chunk }, stateFilter, ...tagFilters(targets.tags)])));
        }
    } else {
        instances = await describeAll(clients.ec2, [...tagFilters(targets.tags), stateFilter]);
    }
    const byId = new Map<string, TargetInstance>();
    for (const i of instances) {
        const t = toTarget(i);
        if (t) byId.set(t.instanceId, t);
    }
    return [...byId.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}
