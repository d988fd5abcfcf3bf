/**
 * The CrossGuard policy pack for patching stacks.
 *
 *   pulumi preview --policy-pack policies [--policy-pack-config policies/presets/prod.json]
 *
 * Only this file constructs the PolicyPack (its constructor starts the analyzer's gRPC server);
 * tests and the offline review import `./all` instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES, POLICY_PACK_NAME } from "./all";

new PolicyPack(POLICY_PACK_NAME, {
    description: "Guards patching stacks: approval delays, blast radius, output, bucket hardening, least-privilege IAM, Lambda hygiene, tags and patch-group coverage.",
    policies: ALL_POLICIES,
});
