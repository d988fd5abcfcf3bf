/**
 * IAM documents several components share. Plain data, no Pulumi: components pass resolved values
 * (inside `apply`), core modules and CloudFormation templates use them directly.
 */

/**
 * The trust statement of a role that Systems Manager Automation assumes, for executions of this
 * account only (confused-deputy protection with `aws:SourceAccount` and `aws:SourceArn`, as the
 * Automation user guide recommends). `region` narrows the executions to one Region.
 */
export function ssmAutomationTrustStatement(accountId: string, partition: string, region = "*", sid?: string) {
    return {
        ...(sid ? { Sid: sid } : {}),
        Effect: "Allow" as const,
        Principal: { Service: "ssm.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": `arn:${partition}:ssm:${region}:${accountId}:automation-execution/*` },
        },
    };
}

/** The ARN of an EventBridge Scheduler schedule group. */
export function scheduleGroupArn(partition: string, region: string, accountId: string, groupName: string): string {
    return `arn:${partition}:scheduler:${region}:${accountId}:schedule-group/${groupName}`;
}

/**
 * The trust statement of a role that EventBridge Scheduler assumes for the schedules of one schedule
 * group. Scheduler sets `aws:SourceArn` to the schedule GROUP's ARN, not the schedule's, and
 * `aws:SourceAccount` to the schedule's account (EventBridge Scheduler user guide, "Confused deputy
 * prevention": https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
 * A condition on a schedule ARN never matches, and the schedule's invocations fail.
 */
export function schedulerTrustStatement(c: { partition: string; region: string; accountId: string; groupName: string; sid?: string }) {
    return {
        Sid: c.sid ?? "SchedulesOfThisGroup",
        Effect: "Allow" as const,
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
            StringEquals: { "aws:SourceAccount": c.accountId, "aws:SourceArn": scheduleGroupArn(c.partition, c.region, c.accountId, c.groupName) },
        },
    };
}

/**
 * What a key policy gives the account itself: administration, and key use delegated to IAM policies
 * (AWS KMS developer guide, "Default key policy"), as enumerated actions (no `kms:*`).
 */
export function keyAccountStatements(accountId: string, partition: string) {
    const root = `arn:${partition}:iam::${accountId}:root`;
    return [
        {
            Sid: "AccountAdministersKey",
            Effect: "Allow" as const,
            Principal: { AWS: root },
            Action: [
                "kms:Create*",
                "kms:Describe*",
                "kms:Enable*",
                "kms:List*",
                "kms:Put*",
                "kms:Update*",
                "kms:Revoke*",
                "kms:Disable*",
                "kms:Get*",
                "kms:Delete*",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion",
                "kms:RotateKeyOnDemand",
            ],
            Resource: "*",
        },
        {
            Sid: "IamGrantsKeyUse",
            Effect: "Allow" as const,
            Principal: { AWS: root },
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: "*",
        },
    ];
}

/**
 * A service that publishes to an SNS topic encrypted with a customer managed key needs
 * `kms:GenerateDataKey*` and `kms:Decrypt` on that key (SNS developer guide, "Enable compatibility
 * between event sources from AWS services and encrypted topics":
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * SNS makes those KMS calls with the encryption context `aws:sns:topicArn` = the topic's ARN (the
 * same page's key policy examples condition on `kms:EncryptionContext:aws:sns:topicArn`), so the
 * grant is bound to the one topic; `source` adds `aws:SourceAccount`/`aws:SourceArn` where the
 * publishing service documents them for this call (CloudWatch alarms:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html).
 */
export function topicPublisherKeyStatement(c: { sid: string; service: string; topicArn: string; source?: { accountId: string; arnLike: string } }) {
    return {
        Sid: c.sid,
        Effect: "Allow" as const,
        Principal: { Service: c.service },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: {
            StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": c.topicArn, ...(c.source ? { "aws:SourceAccount": c.source.accountId } : {}) },
            ...(c.source ? { ArnLike: { "aws:SourceArn": c.source.arnLike } } : {}),
        },
    };
}
