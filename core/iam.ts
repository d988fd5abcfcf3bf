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
