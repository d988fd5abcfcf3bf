import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keyAccountStatements, topicPublisherKeyStatement } from "../core/iam";

/** Arguments of {@link alarmTopic}. */
export interface AlarmTopicArgs {
    /** The topic's name. */
    topicName: string;
    displayName?: string;
    region: string;
    accountId: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    tags?: Record<string, string>;
}

/** The alarm topic's policies, as plain data (tests and the wiring proof evaluate them). */
export function alarmTopicPolicies(c: { partition: string; region: string; accountId: string; topicName: string }) {
    const topicArn = `arn:${c.partition}:sns:${c.region}:${c.accountId}:${c.topicName}`;
    const alarms = `arn:${c.partition}:cloudwatch:${c.region}:${c.accountId}:alarm:*`;
    return {
        topicArn,
        keyPolicy: {
            Version: "2012-10-17",
            Statement: [
                ...keyAccountStatements(c.accountId, c.partition),
                topicPublisherKeyStatement({ sid: "CloudWatchAlarmsPublish", service: "cloudwatch.amazonaws.com", topicArn, source: { accountId: c.accountId, arnLike: alarms } }),
            ],
        },
        topicPolicy: {
            Version: "2012-10-17",
            Statement: [
                {
                    // CloudWatch alarms of this account and Region publish their state changes
                    // (CloudWatch user guide, "Confused deputy prevention").
                    Sid: "CloudWatchAlarmsPublish",
                    Effect: "Allow" as const,
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: topicArn,
                    Condition: { StringEquals: { "aws:SourceAccount": c.accountId }, ArnLike: { "aws:SourceArn": alarms } },
                },
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny" as const,
                    Principal: "*",
                    Action: "sns:Publish",
                    Resource: topicArn,
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        },
    };
}

/**
 * The one alarm topic construct: an SNS topic encrypted with a customer managed key whose policy
 * admits CloudWatch alarms (an alarm cannot publish to a topic under the AWS managed `alias/aws/sns`
 * key, whose policy cannot be changed: CloudWatch user guide, "Using Amazon CloudWatch alarms",
 * and SNS developer guide, "Enable compatibility between event sources from AWS services and
 * encrypted topics"), and a topic policy that lets this account's alarms publish over TLS only.
 * Roles of this account publish through their identity policies: they need `sns:Publish` on the
 * topic and `kms:GenerateDataKey*`/`kms:Decrypt` on `keyArn` (the key policy delegates to IAM).
 * `name` is the topic's logical name; the key and policy take `-key` and `-policy` after it.
 */
export function alarmTopic(name: string, args: AlarmTopicArgs, opts: pulumi.CustomResourceOptions): { topic: aws.sns.Topic; key: aws.kms.Key } {
    const policies = pulumi.all([args.partition, args.accountId]).apply(([partition, accountId]) => alarmTopicPolicies({ partition, region: args.region, accountId, topicName: args.topicName }));
    const key = new aws.kms.Key(
        `${name}-key`,
        {
            description: `Encrypts the SNS topic ${args.topicName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: policies.apply((p) => JSON.stringify(p.keyPolicy)),
            tags: args.tags,
        },
        opts,
    );
    const topic = new aws.sns.Topic(name, { name: args.topicName, displayName: args.displayName, kmsMasterKeyId: key.arn, tags: args.tags }, opts);
    new aws.sns.TopicPolicy(`${name}-policy`, { arn: topic.arn, policy: policies.apply((p) => JSON.stringify(p.topicPolicy)) }, opts);
    return { topic, key };
}
