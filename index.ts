/**
 * Entry point for `pulumi preview` / `pulumi up`. Everything happens in `program.ts`, which the
 * offline review (`npm start`) and the tests run unchanged under the mock engine.
 */
import { main } from "./program";

const { outputs } = main();

/** Baseline ids by baseline name. */
export const baselineIds = outputs.baselineIds;
/** Patch group → { operating system → baseline name }. */
export const patchGroups = outputs.patchGroups;
/** Patch policies by name: mode, regions, instance profile, hybrid service role, output bucket, Quick Setup manager. */
export const patchPolicies = outputs.patchPolicies;
/** The baseline-override store: bucket, `BaselineOverride` S3 URL, object ARN, principal tag (when enabled). */
export const baselineOverrides = outputs.baselineOverrides;
/** Seeing compliance: bucket, sync destination, notification topic, log group, dashboard. */
export const compliance = outputs.compliance;
/** Change safety: artifact bucket, approval calendar, patch/rollback documents, pinned list URL. */
export const changeSafety = outputs.changeSafety;
/** Multi-account automation: roles, runbook, schedules (when `patching:multiAccount` is set). */
export const automation = outputs.automation;
/** Maintenance window ids by window name. */
export const maintenanceWindowIds = outputs.maintenanceWindowIds;
/** Per orchestrator: run state machine, summary topic, log group, instance profile or policy. */
export const patchOrchestrators = outputs.patchOrchestrators;
