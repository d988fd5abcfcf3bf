/**
 * Every policy of the pack, in report order. Imported by `index.ts` (the pack the Pulumi CLI runs)
 * and by the offline review, so both apply the very same validation functions.
 */
import { Policies } from "@pulumi/policy";
import { baselinePolicies } from "./baselines";
import { bucketPolicies } from "./buckets";
import { iamPolicies } from "./iam";
import { installPathsGated } from "./installGates";
import { installPathsDisjoint } from "./installPaths";
import { lambdaPolicies } from "./lambda";
import { operationPolicies } from "./operations";
import { stackPolicies } from "./stack";
import { tagPolicies } from "./tags";

export const POLICY_PACK_NAME = "patching-policies";

export const ALL_POLICIES: Policies = [...baselinePolicies, ...operationPolicies, ...bucketPolicies, ...iamPolicies, ...lambdaPolicies, ...tagPolicies, ...stackPolicies, installPathsDisjoint, installPathsGated];
