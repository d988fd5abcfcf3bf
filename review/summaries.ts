/**
 * One-line summaries of a resource's key settings for the human-readable plan, by resource type.
 * Each area keeps its summarisers in `review/summaries/<area>.ts` and registers them here; types
 * without a summariser show their scalar inputs.
 */
import { baselineSummarisers } from "./summaries/baselines";
import { changeSafetySummarisers } from "./summaries/changeSafety";
import { patchPolicySummarisers } from "./summaries/patchPolicies";
import { overrideSummarisers } from "./summaries/overrides";
import { complianceSummarisers } from "./summaries/compliance";
import { iamSummarisers } from "./summaries/iam";
import { multiAccountSummarisers } from "./summaries/multiAccount";
import { maintenanceWindowSummarisers } from "./summaries/maintenanceWindows";
import { orchestratorSummarisers } from "./summaries/orchestrator";
import { Inputs, Summarisers } from "./summaries/util";

export const SUMMARISERS: Summarisers = {
    ...baselineSummarisers,
    ...patchPolicySummarisers,
    ...overrideSummarisers,
    ...complianceSummarisers,
    ...iamSummarisers,
    ...multiAccountSummarisers,
    ...maintenanceWindowSummarisers,
    ...orchestratorSummarisers,
    ...changeSafetySummarisers,
};

export function summarise(type: string, inputs: Inputs): string[] {
    const s = SUMMARISERS[type];
    if (s) return s(inputs);
    const scalars = Object.entries(inputs)
        .filter(([k, v]) => k !== "tags" && k !== "tagsAll" && v !== null && typeof v !== "object")
        .map(([k, v]) => `${k}=${typeof v === "string" && v.length > 60 ? `${v.slice(0, 57)}...` : v}`);
    return scalars.length > 0 ? [scalars.join(" ")] : [];
}
