import * as pulumi from "@pulumi/pulumi";

/**
 * The contract between the baseline-override store and its consumers (patch policies, instance
 * roles): where `baseline_overrides.json` lives and what a reader needs to be admitted.
 */
export interface BaselineOverrideRef {
    /** `s3://bucket/key` — the value of AWS-RunPatchBaseline's `BaselineOverride` parameter. */
    s3Url: pulumi.Input<string>;
    bucketName: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
    /** Object key, `baseline_overrides.json` unless configured otherwise. */
    objectKey: string;
    /** `arn:…:s3:::bucket/key`: the one object instance roles may read. */
    objectArn: pulumi.Input<string>;
    /** Set when the bucket uses SSE-KMS: readers also need `kms:Decrypt` on it. */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * The principal tag the bucket policy admits (Quick Setup's `QSConfigId-<id>`): instance
     * roles created by this stack carry it.
     */
    principalTag: { key: string; value: string };
}
