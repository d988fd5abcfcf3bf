/**
 * What the orchestrator's Lambdas accept and how they dispatch: the settings an execution carries
 * (read back defensively: an operator may start one by hand), checked at every boundary and against
 * botocore's SSM model where a value reaches SSM; the Lambdas' environment; the handlers' actions.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { orchestratorEnv } from "../core/orchestrator/env";
import { batchHandler, fleetPlanHandler, planHandler, restoreHandler, summaryHandler } from "../core/orchestrator/handlers";
import { InvalidSettingsError, normaliseSettings, orchestratorInput, settingsFromConfig } from "../core/orchestrator/settings";
import type { OrchestratorSettings } from "../core/orchestrator/types";

const MODEL = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "ssm-model", "constraints.json"), "utf8")) as { shapes: Record<string, { max?: number; min?: number; pattern?: string }> };
const ESSENTIALS = { orchestrator: "dev-fleet", targets: { tags: { PatchGroup: ["dev"] } } };

function problemsOf(raw: unknown): string[] {
    try {
        normaliseSettings(raw);
        return [];
    } catch (err) {
        expect(err).to.be.instanceOf(InvalidSettingsError);
        expect((err as Error).message).to.equal(`invalid orchestrator settings: ${(err as InvalidSettingsError).problems.join("; ")}`);
        expect((err as Error).name).to.equal("InvalidSettings");
        return (err as InvalidSettingsError).problems;
    }
}
/** `value` at the dotted `key` of an execution input with the essentials. */
function withValue(key: string, value: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = structuredClone(ESSENTIALS);
    const parts = key.split(".");
    let at = out;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]] = value;
    return out;
}
function read(s: OrchestratorSettings, key: string): unknown {
    return key.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], s);
}

describe("orchestrator settings read back by the Lambdas", () => {
    const whole: [string, number, number][] = [
        // batchSize: SendCommand takes at most this many instance ids (botocore InstanceIdList max).
        ["batchSize", 1, MODEL.shapes.InstanceIdList.max!],
        ["waitBetweenBatchesSeconds", 0, 3600],
        ["agentWaitSeconds", 60, 3600],
        ["maxRuntimeMinutes", 10, 1440],
        ["batchesInFlight", 1, 10_000],
        ["preflight.minFreeGbWindows", 1, 1024],
        ["preflight.minFreeGbLinux", 1, 1024],
        ["preflight.timeoutSeconds", 120, 7200],
        ["preflight.volumeExpansion.incrementGb", 1, 1024],
        ["preflight.volumeExpansion.maxVolumeSizeGb", 8, 16384],
        ["patch.timeoutSeconds", 600, 172800],
    ];
    for (const [key, min, max] of whole) {
        it(`${key}: a whole number from ${min} to ${max} (both ends taken), anything else named with its value`, () => {
            for (const ok of [min, max]) expect(read(normaliseSettings(withValue(key, ok)), key), `${key} ${ok}`).to.equal(ok);
            for (const bad of [min - 1, max + 1, min + 0.5, String(min), null]) {
                expect(problemsOf(withValue(key, bad)), `${key} ${JSON.stringify(bad)}`).to.deep.equal([`${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(bad)})`]);
            }
        });
    }

    it("the preflight's and volume expansion's switches are booleans, named with the value when not", () => {
        for (const key of ["preflight.enabled", "preflight.cleanup", "preflight.dismResetBase", "preflight.windowsUpdateChecks", "preflight.skipOnWindowsUpdateProblems", "preflight.volumeExpansion.enabled", "preflight.volumeExpansion.untaggedVolumes"]) {
            for (const v of [true, false]) expect(read(normaliseSettings(withValue(key, v)), key), key).to.equal(v);
            expect(problemsOf(withValue(key, "true")), key).to.deep.equal([`${key} must be true or false (got "true")`]);
        }
    });

    it("lists of strings (tag values, priority types, endpoints) must be lists of strings", () => {
        expect(normaliseSettings(withValue("priorityInstanceTypes", ["m5.*"])).priorityInstanceTypes).to.deep.equal(["m5.*"]);
        expect(normaliseSettings(withValue("preflight.windowsUpdateEndpoints", ["a.example"])).preflight.windowsUpdateEndpoints).to.deep.equal(["a.example"]);
        expect(problemsOf(withValue("priorityInstanceTypes", "m5.large"))).to.deep.equal(["priorityInstanceTypes must be a list of strings"]);
        expect(problemsOf(withValue("preflight.windowsUpdateEndpoints", ["a", 1]))).to.deep.equal(["preflight.windowsUpdateEndpoints must be a list of strings"]);
        expect(problemsOf({ orchestrator: "o", targets: { tags: { PatchGroup: "dev" } } })).to.deep.equal(["targets.tags.PatchGroup must be a list of strings"]);
    });

    it("maxErrors: exactly the values SendCommand's MaxErrors takes (botocore's pattern)", () => {
        const pattern = new RegExp(MODEL.shapes.MaxErrors.pattern!);
        for (const v of ["0", "3", "10", "120", "0%", "5%", "20%", "99%", "100%", "101%", "00", "05", "1000%", "-1", "%", "3 ", "x", ""]) {
            const accepted = problemsOf(withValue("maxErrors", v)).length === 0;
            expect(accepted, `maxErrors ${v}`).to.equal(pattern.test(v));
        }
        expect(problemsOf(withValue("maxErrors", 3))).to.deep.equal(["maxErrors must be a count or a percentage such as 3 or 20% (got 3)"]);
    });

    it("targets: tags, or a resource group, or both; a name is required; defaults fill the rest", () => {
        expect(normaliseSettings({ orchestrator: "o", targets: { resourceGroup: "patch-targets" } }).targets).to.deep.equal({ tags: {}, resourceGroup: "patch-targets" });
        expect(normaliseSettings({ orchestrator: "o", targets: { tags: { A: ["1"] }, resourceGroup: "" } }).targets).to.deep.equal({ tags: { A: ["1"] } });
        expect(problemsOf({ orchestrator: "o", targets: { resourceGroup: "" } })).to.deep.equal(["targets needs tags or resourceGroup"]);
        expect(problemsOf({ orchestrator: "o", targets: [] })).to.deep.equal(["targets needs tags or resourceGroup"]);
        expect(problemsOf({ orchestrator: "", targets: { tags: { A: ["1"] } } })).to.deep.equal(["orchestrator (name) is required"]);
        expect(problemsOf(null)).to.deep.equal(["orchestrator (name) is required", "targets needs tags or resourceGroup"]);
        const s = normaliseSettings(ESSENTIALS);
        expect(s).to.not.have.property("batchesInFlight");
        expect(s).to.deep.include({ batchSize: 5, waitBetweenBatchesSeconds: 120, agentWaitSeconds: 600, maxErrors: "20%", maxRuntimeMinutes: 240, priorityInstanceTypes: [] });
    });

    it("patch: Install or Scan, RebootIfNeeded or NoReboot (AWS-RunPatchBaseline's values)", () => {
        expect(normaliseSettings(withValue("patch", { operation: "Scan", rebootOption: "NoReboot" })).patch).to.deep.equal({ operation: "Scan", rebootOption: "NoReboot", timeoutSeconds: 7200 });
        expect(problemsOf(withValue("patch", { operation: "install", rebootOption: "Reboot" }))).to.deep.equal([
            'patch.operation must be Install or Scan (got "install")',
            'patch.rebootOption must be RebootIfNeeded or NoReboot (got "Reboot")',
        ]);
    });

    it("from config: the window's duration bounds the run unless maxRuntimeMinutes is set; fleet mode carries batchesInFlight (default 20); the window task's input names its execution", () => {
        const cfg = { name: "dev-fleet", window: { duration: 3 }, targets: { resourceGroup: "rg" }, batchSize: 5, priorityInstanceTypes: [], waitBetweenBatchesSeconds: 0, agentWaitSeconds: 600, maxErrors: "1", preflight: normaliseSettings(ESSENTIALS).preflight, patch: normaliseSettings(ESSENTIALS).patch };
        expect(settingsFromConfig(cfg)).to.deep.include({ maxRuntimeMinutes: 180, targets: { tags: {}, resourceGroup: "rg" } });
        expect(settingsFromConfig(cfg)).to.not.have.property("batchesInFlight");
        expect(settingsFromConfig({ ...cfg, maxRuntimeMinutes: 30, scale: "fleet" })).to.deep.include({ maxRuntimeMinutes: 30, batchesInFlight: 20 });
        expect(settingsFromConfig({ ...cfg, scale: "fleet", fleet: { batchesInFlight: 7 } }).batchesInFlight).to.equal(7);
        expect(settingsFromConfig({ ...cfg, targets: { tags: { A: ["1"] } } }).targets).to.deep.equal({ tags: { A: ["1"] } });
        expect(orchestratorInput(cfg).windowExecutionId).to.equal("{{WINDOW_EXECUTION_ID}}");
    });
});

describe("orchestrator Lambdas: environment and dispatch", () => {
    it("the environment: the preflight document and log group are required; topic and baseline override only when set", () => {
        expect(orchestratorEnv({ PREFLIGHT_DOCUMENT: "d", LOG_GROUP_NAME: "g" })).to.deep.equal({ preflightDocument: "d", logGroupName: "g" });
        expect(orchestratorEnv({ PREFLIGHT_DOCUMENT: "d", LOG_GROUP_NAME: "g", TOPIC_ARN: "t", BASELINE_OVERRIDE: "s3://b/k" })).to.deep.equal({ preflightDocument: "d", logGroupName: "g", topicArn: "t", baselineOverride: "s3://b/k" });
        expect(() => orchestratorEnv({ PREFLIGHT_DOCUMENT: "d" })).to.throw("PREFLIGHT_DOCUMENT and LOG_GROUP_NAME must be set");
        expect(() => orchestratorEnv({ LOG_GROUP_NAME: "g" })).to.throw("PREFLIGHT_DOCUMENT and LOG_GROUP_NAME must be set");
    });

    it("each Lambda refuses an action it does not have, naming it (UnknownAction); fleet actions need the fleet bucket", async () => {
        const refusal = async (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => [e.name, e.message]);
        const none = {} as never;
        expect(await refusal(batchHandler({ action: "restoreBatch", state: {} }, { clock: () => new Date(0) } as never))).to.deep.equal(["UnknownAction", 'batch has no action "restoreBatch"']);
        expect(await refusal(restoreHandler({ action: "start", state: {} }, none))).to.deep.equal(["UnknownAction", 'restore has no action "start"']);
        expect(await refusal(summaryHandler({ action: "record", state: {} }, { clock: () => new Date(0) } as never))).to.deep.equal(["UnknownAction", 'summary has no action "record"']);
        expect(await refusal(planHandler({ action: "fleetPlan", state: {} }, none))).to.deep.equal(["UnknownAction", 'plan has no action "fleetPlan"']);
        expect(await refusal(fleetPlanHandler({ action: "plan", state: {} }, { store: {} } as never))).to.deep.equal(["UnknownAction", 'plan has no action "plan"']);
        const noBucket = "fleetPlan needs the fleet bucket (FLEET_BUCKET); this orchestrator is not deployed with scale: fleet";
        expect(await refusal(fleetPlanHandler({ action: "fleetPlan", state: {} }, none))).to.deep.equal(["Error", noBucket]);
        expect(await refusal(restoreHandler({ action: "fleetRestore", state: {} }, none))).to.deep.equal(["Error", noBucket.replace("fleetPlan", "fleetRestore")]);
    });
});
