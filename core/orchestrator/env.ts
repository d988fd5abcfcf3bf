/** Deployment wiring of the orchestrator Lambdas, from their environment (set by components/patchOrchestrator.ts). */
import type { OrchestratorEnvironment } from "./types";

export function orchestratorEnv(env: NodeJS.ProcessEnv = process.env): OrchestratorEnvironment {
    const preflightDocument = env.PREFLIGHT_DOCUMENT;
    const logGroupName = env.LOG_GROUP_NAME;
    if (!preflightDocument || !logGroupName) throw new Error("PREFLIGHT_DOCUMENT and LOG_GROUP_NAME must be set");
    return { preflightDocument, logGroupName, ...(env.TOPIC_ARN ? { topicArn: env.TOPIC_ARN } : {}), ...(env.BASELINE_OVERRIDE ? { baselineOverride: env.BASELINE_OVERRIDE } : {}) };
}
