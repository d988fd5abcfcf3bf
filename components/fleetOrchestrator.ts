/**
 * Fleet mode of the batch patch orchestrator (`patchOrchestrators[].scale: fleet`): the run's
 * bucket and the least-privilege statements of the Distributed Map state machine and of the
 * Lambdas that read and write the run's lists. The state machine itself is registered by
 * {@link PatchOrchestrator} (core/orchestrator/fleetMachine.ts has its definition).
 */
import * as pulumi from "@pulumi/pulumi";
import type { OrchestratorConfig } from "../config/patchOrchestrators";
import { DEFAULT_FLEET_SETTINGS } from "../core/orchestrator/settings";
import { statesArn } from "./awsContext";
import type { AwsContext, Statement } from "./awsContext";
import { HardenedBucket } from "./hardenedBucket";

/** The run's objects live under `runs/<runId>/` (core/orchestrator/fleet.ts). */
export const RUNS_PREFIX = "runs/";

/**
 * The fleet bucket: TLS-only, SSE-KMS with a created, rotated key (bucket key on), versioned,
 * access-logged, every object and old version expired after `fleet.retentionDays`.
 */
export function fleetBucket(name: string, cfg: OrchestratorConfig, tags: Record<string, string>, parent: pulumi.Resource): HardenedBucket {
    const days = cfg.fleet?.retentionDays ?? DEFAULT_FLEET_SETTINGS.retentionDays;
    return new HardenedBucket(
        `${name}-fleet-runs`,
        {
            encryption: { type: "SSE_KMS" },
            accessLogging: { mode: "create", retentionDays: Math.max(days, 90) },
            lifecycleRules: [
                {
                    id: "ExpireRuns",
                    status: "Enabled",
                    filter: { prefix: RUNS_PREFIX },
                    expiration: { days },
                    noncurrentVersionExpiration: { noncurrentDays: 1 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
            ],
            tags,
        },
        { parent },
    );
}

/**
 * KMS use of objects in the bucket (SSE-KMS with an S3 bucket key: the encryption context is the
 * bucket ARN; S3 user guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys").
 */
function bucketKeyStatement(sid: string, bucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, actions: string[]): Statement {
    return { Sid: sid, Effect: "Allow", Action: actions, Resource: kmsKeyArn, Condition: { StringEquals: { "kms:EncryptionContext:aws:s3:arn": bucketArn } } };
}

/**
 * The fleet state machine's role (Step Functions developer guide, "IAM policies for using
 * Distributed Map states"): StartExecution on the state machine itself (each child execution is
 * one of its own), DescribeExecution/StopExecution on its child executions
 * (`execution:<name>/<map run label>:<id>`); the ItemReader's s3:GetObject on the target lists; the
 * ResultWriter's s3:PutObject (and multipart clean-up) under `map-results`; lambda:InvokeFunction
 * on the four step functions only; the bucket key for both.
 */
export function fleetMachineStatements(
    ctx: AwsContext,
    machineName: string,
    functionArns: pulumi.Input<string>[],
    bucketArn: pulumi.Input<string>,
    kmsKeyArn: pulumi.Input<string>,
): Statement[] {
    return [
        ...distributedMapStatements(ctx, machineName, functionArns),
        { Sid: "ReadTargetLists", Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`${bucketArn}/${RUNS_PREFIX}*/targets/*` },
        {
            Sid: "WriteMapResults",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
            Resource: pulumi.interpolate`${bucketArn}/${RUNS_PREFIX}*/map-results/*`,
        },
        bucketKeyStatement("UseFleetBucketKey", bucketArn, kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"]),
    ];
}

/**
 * A state machine whose Distributed Map runs child executions of itself, with Lambda steps:
 * lambda:InvokeFunction on its functions, states:StartExecution on the state machine itself,
 * DescribeExecution/StopExecution on its child executions (`execution:<name>/<map run label>:<id>`)
 * (Step Functions developer guide, "IAM policies for using Distributed Map states").
 */
export function distributedMapStatements(ctx: AwsContext, machineName: string, functionArns: pulumi.Input<string>[]): Statement[] {
    return [
        { Sid: "InvokeRunSteps", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: functionArns },
        {
            Sid: "StartChildExecutions",
            Effect: "Allow",
            Action: ["states:StartExecution"],
            Resource: statesArn(ctx, `stateMachine:${machineName}`),
        },
        {
            Sid: "FollowChildExecutions",
            Effect: "Allow",
            Action: ["states:DescribeExecution", "states:StopExecution"],
            Resource: statesArn(ctx, `execution:${machineName}/*`),
        },
    ];
}

/** What each fleet-mode Lambda reads and writes in the bucket. */
export function fleetLambdaStatements(which: "plan" | "restore" | "summary", bucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>): Statement[] {
    const objects = (suffix: string) => pulumi.interpolate`${bucketArn}/${RUNS_PREFIX}*/${suffix}`;
    const list: Statement = { Sid: "ListRunObjects", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn, Condition: { StringLike: { "s3:prefix": `${RUNS_PREFIX}*` } } };
    if (which === "plan") {
        // fleetPlan writes the target lists; the gates and fleetRecord list the result keys.
        return [{ Sid: "WriteTargetLists", Effect: "Allow", Action: ["s3:PutObject"], Resource: objects("targets/*") }, list, bucketKeyStatement("UseFleetBucketKey", bucketArn, kmsKeyArn, ["kms:GenerateDataKey"])];
    }
    if (which === "restore") {
        return [
            { Sid: "ReadTargetLists", Effect: "Allow", Action: ["s3:GetObject"], Resource: objects("targets/*") },
            { Sid: "WriteBatchResults", Effect: "Allow", Action: ["s3:PutObject"], Resource: [objects("results/*"), objects("restore.json")] },
            bucketKeyStatement("UseFleetBucketKey", bucketArn, kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"]),
        ];
    }
    return [
        { Sid: "ReadRunLists", Effect: "Allow", Action: ["s3:GetObject"], Resource: [objects("targets/*"), objects("results/*"), objects("restore.json")] },
        list,
        { Sid: "WriteRunSummary", Effect: "Allow", Action: ["s3:PutObject"], Resource: objects("summary.json") },
        bucketKeyStatement("UseFleetBucketKey", bucketArn, kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"]),
    ];
}
