/** The required tags on every taggable resource. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "./util";

/**
 * Resource types of the AWS provider that take `tags` and that patching stacks create. Types not
 * listed are not checked (an unknown type is not assumed taggable); extend the list as the program
 * grows.
 */
export const TAGGABLE_TYPES = new Set([
    "aws:ssm/patchBaseline:PatchBaseline",
    "aws:ssm/association:Association",
    "aws:ssm/document:Document",
    "aws:ssm/maintenanceWindow:MaintenanceWindow",
    "aws:ssm/parameter:Parameter",
    "aws:s3/bucket:Bucket",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:lambda/function:Function",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:sns/topic:Topic",
    "aws:kms/key:Key",
    "aws:sfn/stateMachine:StateMachine",
    "aws:resourcegroups/group:Group",
    "aws:cloudformation/stackSet:StackSet",
    "aws:scheduler/scheduleGroup:ScheduleGroup",
    // aws-native resources of patch policies: tags as a list of { key, value } or a map.
    "aws-native:ssm:Association",
    "aws-native:ssmquicksetup:ConfigurationManager",
]);

/** Tags as a map, from the AWS provider's map or aws-native's `[{ key, value }]` list. */
function tagMap(tags: unknown): Record<string, unknown> {
    if (Array.isArray(tags)) return Object.fromEntries(tags.map((t: { key?: unknown; value?: unknown }) => [String(t?.key), t?.value]));
    return (tags ?? {}) as Record<string, unknown>;
}

export interface RequiredTagsConfig {
    requiredTags: string[];
}
export const DEFAULT_REQUIRED_TAGS = ["Project", "Environment", "Stack", "ManagedBy"];

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: "Every taggable resource carries the required tags (by default Project, Environment, Stack, ManagedBy).",
    severity: "low",
    enforcementLevel: "mandatory",
    configSchema: { properties: { requiredTags: { type: "array", items: { type: "string" }, default: DEFAULT_REQUIRED_TAGS } } },
    validateResource: (args, report) => {
        if (!TAGGABLE_TYPES.has(args.type)) return;
        const { requiredTags } = configOf<RequiredTagsConfig>(args, { requiredTags: DEFAULT_REQUIRED_TAGS });
        const tags = tagMap(args.props.tags);
        const missing = requiredTags.filter((k) => typeof tags[k] !== "string" || tags[k] === "");
        if (missing.length > 0) report(`${args.type.split(":").pop()} "${args.name}" lacks the tag(s) ${missing.join(", ")}. Fix: pass the stack tags (components/tags.ts stackTags) to this resource.`);
    },
};

export const tagPolicies = [requiredTags];
