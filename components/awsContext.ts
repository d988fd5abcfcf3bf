import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Account, region and partition a component deploys into, for ARNs in policies. */
export interface AwsContext {
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
}

/** Looks up where `parent` deploys (its provider's account, region and partition). */
export function awsContext(parent: pulumi.Resource, provider?: pulumi.ProviderResource): AwsContext {
    const opts = { parent, ...(provider ? { provider } : {}) };
    return {
        accountId: aws.getCallerIdentityOutput({}, opts).accountId,
        region: aws.getRegionOutput({}, opts).region,
        partition: aws.getPartitionOutput({}, opts).partition,
    };
}

/** An IAM policy statement whose parts may be outputs (serialised with `pulumi.jsonStringify`). */
export interface Statement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    Resource: pulumi.Input<string> | pulumi.Input<string>[];
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/**
 * A Step Functions ARN in this account and Region: `stateMachine:<name>` for a state machine,
 * `execution:<name>:<id>` for a standard execution, `execution:<name>/<map run>:<id>` for a
 * Distributed Map's child execution (Step Functions developer guide, "Resource types").
 */
export function statesArn(ctx: AwsContext, resource: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`arn:${ctx.partition}:states:${ctx.region}:${ctx.accountId}:${resource}`;
}

/** A policy document as JSON text. */
export function policyDocument(statements: pulumi.Input<Statement[]>): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy for a service principal, confined to this account (and, when given, to a source ARN pattern). */
export function serviceTrustPolicy(service: string, ctx: AwsContext, sourceArnLike?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": ctx.accountId },
                    ...(sourceArnLike ? { ArnLike: { "aws:SourceArn": sourceArnLike } } : {}),
                },
            },
        ],
    });
}
