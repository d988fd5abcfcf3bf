import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodeLambda, NodeLambdaArgs } from "./nodeLambda";
import { schedulerRole } from "./schedulerRole";
import { lambdaErrorAlarmName, lambdaScheduleName } from "../config/resourceNames";

/** One EventBridge Scheduler schedule invoking the function. */
export interface LambdaSchedule {
    /** Suffix of the schedule's name (`<functionName>-<suffix>`). */
    suffix: string;
    /** cron(...) / rate(...) / at(...), read in UTC. */
    expression: string;
    /** The event the function receives. */
    input: Record<string, unknown>;
    description: string;
}

/** Arguments of {@link ScheduledLambda}. */
export interface ScheduledLambdaArgs extends NodeLambdaArgs {
    /** When the function runs (at least one). */
    schedules: LambdaSchedule[];
    /** Topic that receives failed invocations (after retries) and the error alarm. */
    alarmTopicArn: pulumi.Input<string>;
    /** The customer managed key encrypting the alarm topic, when it is encrypted. */
    alarmTopicKeyArn?: pulumi.Input<string>;
    /** Region and account the schedules live in (for the scheduler role's trust conditions). */
    region: string;
    accountId: pulumi.Input<string>;
    partition: pulumi.Input<string>;
}

/**
 * A {@link NodeLambda} run by EventBridge Scheduler: a scheduler role that may invoke only this
 * function (trusted by scheduler.amazonaws.com for the schedules of this function's own schedule
 * group only), the schedules (flexible window off, UTC, retries), failed asynchronous invocations to the
 * alarm topic, and an alarm on the function's errors.
 */
export class ScheduledLambda extends pulumi.ComponentResource {
    public readonly lambda: NodeLambda;
    public readonly schedules: aws.scheduler.Schedule[];

    constructor(name: string, args: ScheduledLambdaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:lambda:ScheduledLambda", name, {}, opts);
        const { schedules, alarmTopicArn, alarmTopicKeyArn, region, accountId, partition, ...lambdaArgs } = args;
        // The on-failure destination publishes with the function's execution role (Lambda developer
        // guide, "Capturing records of Lambda asynchronous invocations": the role needs sns:Publish on
        // the topic), and an encrypted topic needs the key too (SNS developer guide, "Key management").
        const reportFailures = pulumi.all([alarmTopicArn, alarmTopicKeyArn]).apply(([topicArn, keyArn]): aws.iam.PolicyStatement[] => [
            { Sid: "ReportFailures", Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
            ...(keyArn ? [{ Sid: "EncryptFailureReports", Effect: "Allow" as const, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn }] : []),
        ]);
        const statements = pulumi.all([lambdaArgs.statements, reportFailures]).apply(([own, report]) => [...own, ...report]);
        this.lambda = new NodeLambda(name, { ...lambdaArgs, statements }, { parent: this });
        const fn = this.lambda.function;

        // A group of this function's own: the scheduler role trusts exactly its schedules.
        const group = new aws.scheduler.ScheduleGroup(`${name}-schedules`, { name: args.functionName, tags: args.tags }, { parent: this });
        const { role } = schedulerRole(
            { role: `${name}-scheduler`, policy: `${name}-scheduler-policy` },
            {
                groupName: group.name,
                region,
                accountId,
                partition,
                description: `Lets EventBridge Scheduler invoke ${args.functionName}`,
                policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Sid: "InvokeOneFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.arn }] }),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.lambda.FunctionEventInvokeConfig(
            `${name}-async`,
            { functionName: fn.name, maximumRetryAttempts: 1, maximumEventAgeInSeconds: 3600, destinationConfig: { onFailure: { destination: alarmTopicArn } } },
            { parent: this },
        );
        this.schedules = schedules.map(
            (s) =>
                new aws.scheduler.Schedule(
                    `${name}-${s.suffix}`,
                    {
                        name: lambdaScheduleName(args.functionName, s.suffix),
                        groupName: group.name,
                        description: s.description,
                        scheduleExpression: s.expression,
                        scheduleExpressionTimezone: "UTC",
                        flexibleTimeWindow: { mode: "OFF" },
                        state: "ENABLED",
                        target: { arn: fn.arn, roleArn: role.arn, input: JSON.stringify(s.input), retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
                    },
                    { parent: this },
                ),
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-errors`,
            {
                name: lambdaErrorAlarmName(args.functionName),
                alarmDescription: `${args.functionName} failed: see its log group /aws/lambda/${args.functionName}`,
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: fn.name },
                statistic: "Sum",
                period: 3600,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [alarmTopicArn],
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ functionArn: fn.arn });
    }
}
