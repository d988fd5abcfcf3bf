/**
 * `patching:agentUpdates`: keeping the agents current (seed 004, Quick Setup host management:
 * "update the SSM Agent every two weeks", "install and configure the CloudWatch agent, update it
 * every 30 days", "update the EC2 launch agent every 30 days"), each on its own schedule and
 * targets, with the same rate control, schedule rules, targets and S3 output rules as patching.
 */
import { z } from "zod";
import { matching, strictObject } from "./common";
import { maxConcurrencySchema, maxErrorsSchema, stateManagerScheduleSchema } from "./fields";
import { asRecord, IssueSink } from "./issues";
import { checkTargets, targetsSchema } from "./patchPolicies";
import { ASSOCIATION_NAME_PATTERN, S3_KEY_PREFIX_PATTERN, s3BucketNameProblems } from "./rules";

/** The agents, the SSM document each runs, and Quick Setup host management's schedule. */
export const AGENTS = {
    /** AWS-UpdateSSMAgent: latest SSM Agent (Quick Setup: every two weeks). */
    ssmAgent: { document: "AWS-UpdateSSMAgent", package: undefined, schedule: "rate(14 days)", suffix: "UpdateSSMAgent" },
    /** AWS-ConfigureAWSPackage AmazonCloudWatchAgent (Quick Setup: install, update every 30 days). */
    cloudWatchAgent: { document: "AWS-ConfigureAWSPackage", package: "AmazonCloudWatchAgent", schedule: "rate(30 days)", suffix: "UpdateCloudWatchAgent" },
    /** AWS-ConfigureAWSPackage AWSEC2Launch-Agent, EC2Launch v2 on Windows (Quick Setup: every 30 days). */
    ec2Launch: { document: "AWS-ConfigureAWSPackage", package: "AWSEC2Launch-Agent", schedule: "rate(30 days)", suffix: "UpdateEC2Launch" },
} as const;
export type AgentKind = keyof typeof AGENTS;

const agentSchema = strictObject({
    /** State Manager schedule. @default Quick Setup's (rate(14 days) for SSM Agent, rate(30 days) otherwise) */
    schedule: stateManagerScheduleSchema.optional(),
    /** Which nodes: the same choices as a patch policy's targets. */
    targets: targetsSchema,
    /** How many nodes at once. @default "10%" */
    maxConcurrency: maxConcurrencySchema.default("10%"),
    /** Errors before the run stops. @default "5%" */
    maxErrors: maxErrorsSchema.default("5%"),
    /** Exact association name. @default `<project>-<environment>-<UpdateSSMAgent|UpdateCloudWatchAgent|UpdateEC2Launch>` */
    associationName: matching(ASSOCIATION_NAME_PATTERN, "3–128 letters, digits, _ - . (botocore AssociationName)").optional(),
    /** Command output to an existing bucket (as patch policies: an S3 output location only). */
    output: strictObject({
        s3: strictObject({
            bucketName: z.string({ error: "must be a bucket name" }),
            keyPrefix: matching(S3_KEY_PREFIX_PATTERN, "path segments of letters, digits and ! _ . * ' ( ) - separated by /, no leading or trailing /").default("agent-updates"),
        }),
    }).optional(),
});
export type AgentUpdateConfig = z.infer<typeof agentSchema>;

export const agentUpdatesSchema = strictObject({
    ssmAgent: agentSchema.optional(),
    cloudWatchAgent: agentSchema.optional(),
    ec2Launch: agentSchema.optional(),
});
export type AgentUpdatesConfig = z.infer<typeof agentUpdatesSchema>;

/** Cross-field rules: targets as patch policies, bucket names (schedules: the shared State Manager schema). */
export function checkAgentUpdates(sink: IssueSink, path: string, raw: unknown): void {
    for (const kind of Object.keys(AGENTS) as AgentKind[]) {
        const a = asRecord(asRecord(raw)[kind]);
        const at = `${path}.${kind}`;
        if (a.targets !== undefined) checkTargets(sink, `${at}.targets`, a.targets, false, false);
        const bucket = asRecord(asRecord(a.output).s3).bucketName;
        if (typeof bucket === "string") for (const problem of s3BucketNameProblems(bucket)) sink.add(`${at}.output.s3.bucketName`, `${problem} (S3 bucket naming rules)`, bucket);
    }
}
