/**
 * What the orchestrator's Lambdas accept and how they dispatch: the settings an execution carries
 * (read back defensively: an operator may start one by hand), checked at every boundary and against
 * botocore's SSM model where a value reaches SSM; the Lambdas' environment; the handlers' actions.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { ListGroupResourcesCommand, ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCalendarStateCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { coordinatorPlan, Location, locationRoleArns, locationRolePolicy, locationRoleTrustPolicy, memberExecutionName, resolveRate } from "../core/orchestrator/crossAccount";
import { discoverTargets } from "../core/orchestrator/discovery";
import { parsePreflightOutput, requiredFreeGb, windowsUpdateFindings } from "../core/orchestrator/disk";
import { orchestratorEnv } from "../core/orchestrator/env";
import { FleetRunState, memoryStore } from "../core/orchestrator/fleet";
import { fleetSummary } from "../core/orchestrator/fleetSummary";
import { batchHandler, fleetPlanHandler, planHandler, restoreHandler, summaryHandler } from "../core/orchestrator/handlers";
import { checkLocation, LocationDeps, locationsHandler, startLocation, summarizeLocations } from "../core/orchestrator/locationHandlers";
import { InvalidSettingsError, normaliseSettings, orchestratorInput, settingsFromConfig } from "../core/orchestrator/settings";
import type { InstanceRecord, OrchestratorSettings, RunState } from "../core/orchestrator/types";
import { decision, Statement } from "./policySim";

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

describe("cross-account locations: the locations Lambda's steps (a scripted Step Functions client per location)", () => {
    const A = "444455556666";
    const location = { account: A, region: "eu-west-1" };
    const START = Date.parse("2026-12-05T22:00:00Z");
    type Sent = { op: string; input: Record<string, unknown>; location: Location };
    /** Step Functions per location: answers scripted by operation and location, every request recorded. */
    function states(answer: (op: string, input: Record<string, unknown>, l: Location) => unknown, clockAt = START) {
        const sent: Sent[] = [];
        const logs: Record<string, unknown>[] = [];
        const deps: LocationDeps = {
            partition: "aws",
            orchestrator: "xfleet",
            clock: () => new Date(clockAt),
            log: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
            statesFor: (l) => ({
                send: async (cmd) => {
                    const op = cmd instanceof StartExecutionCommand ? "StartExecution" : "DescribeExecution";
                    sent.push({ op, input: cmd.input as unknown as Record<string, unknown>, location: l });
                    const out = answer(op, cmd.input as unknown as Record<string, unknown>, l);
                    if (out instanceof Error) throw out;
                    return out;
                },
            }),
        };
        return { deps, sent, logs };
    }
    const refusal = async (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => [e.name, e.message]);
    const runArn = `arn:aws:states:eu-west-1:${A}:execution:xfleet-run:coord-1-${A}-eu-west-1`;

    it("refuses what is not an account × Region location, or a start without the coordinator's execution, before calling anything", async () => {
        const { deps, sent } = states(() => ({}));
        for (const bad of [{ account: "44445555666", region: "eu-west-1" }, { account: "4444555566667", region: "eu-west-1" }, { account: "44445555666x", region: "eu-west-1" }, { account: A, region: "euwest-1" }, { account: A, region: "eu-west-1a" }, { account: A, region: "xeu-west-1" }, { account: A, region: "eu-west" }, { account: Number(A), region: "eu-west-1" }, { account: A }, null]) {
            expect(await refusal(startLocation({ location: bad, coordinatorExecution: "coord-1" }, deps)), JSON.stringify(bad)).to.deep.equal(["InvalidLocation", `not a location: ${JSON.stringify(bad)}`]);
        }
        expect(await refusal(startLocation({ location: { account: A, region: "us-gov-west-1" }, coordinatorExecution: "" }, deps))).to.deep.equal(["InvalidLocation", "coordinatorExecution is missing"]);
        expect(await refusal(startLocation({ location, coordinatorExecution: 7 }, deps))).to.deep.equal(["InvalidLocation", "coordinatorExecution is missing"]);
        expect(await refusal(checkLocation({ location, executionArn: 7 }, deps))).to.deep.equal(["InvalidLocation", `not a started location: ${JSON.stringify({ location, executionArn: 7 })}`]);
        expect(await refusal(checkLocation({ location: { account: A, region: "x" }, executionArn: runArn }, deps))).to.deep.equal(["InvalidLocation", `not a started location: ${JSON.stringify({ location: { account: A, region: "x" }, executionArn: runArn })}`]);
        expect(await refusal(locationsHandler({ action: "locationStop" as never, state: {} }, deps))).to.deep.equal(["UnknownAction", "unknown action locationStop"]);
        expect(sent).to.deep.equal([]);
    });

    it("starts the location's run with what is left of the run's time; 10 minutes left still starts, 9 do not (logged)", async () => {
        const minutesAgo = (m: number) => new Date(START - m * 60_000).toISOString();
        const { deps, sent, logs } = states(() => ({ executionArn: runArn }));
        const state = (m: number) => ({ location, coordinatorExecution: "coord-1", coordinatorStartTime: minutesAgo(m), settings: { maxRuntimeMinutes: 240, batchSize: 2 } });
        expect(await startLocation(state(230), deps)).to.deep.equal({ location, executionArn: runArn, status: "RUNNING" });
        expect(sent[0]).to.deep.equal({ op: "StartExecution", location, input: { stateMachineArn: `arn:aws:states:eu-west-1:${A}:stateMachine:xfleet-run`, name: `coord-1-${A}-eu-west-1`, input: JSON.stringify({ settings: { maxRuntimeMinutes: 10, batchSize: 2 } }) } });
        expect(logs[0]).to.deep.equal({ event: "locationStarted", location, executionArn: runArn });
        expect(await startLocation(state(231), deps)).to.deep.equal({ location, executionArn: runArn, status: "NOT_STARTED" });
        expect(sent).to.have.length(1);
        expect(logs[1]).to.deep.equal({ event: "locationNotStarted", location, reason: "deadline", minutesLeft: 9 });
        // No start time, no runtime setting, or no clock: the settings go as they are.
        for (const s of [{ ...state(231), coordinatorStartTime: undefined }, { ...state(231), settings: { maxRuntimeMinutes: "240" } }]) {
            await startLocation(s, deps);
            expect(JSON.parse(sent[sent.length - 1].input.input as string).settings.maxRuntimeMinutes).to.equal(s.settings.maxRuntimeMinutes);
        }
        await startLocation(state(231), { ...deps, clock: undefined });
        expect(JSON.parse(sent[sent.length - 1].input.input as string).settings.maxRuntimeMinutes).to.equal(240);
        await startLocation({ location, coordinatorExecution: "coord-1" }, deps);
        expect(JSON.parse(sent[sent.length - 1].input.input as string)).to.deep.equal({ settings: {} });
    });

    it("a start answered without an ARN, or refused as already existing, follows the execution of that name; any other error fails the step", async () => {
        const { deps } = states(() => ({}));
        expect(await startLocation({ location, coordinatorExecution: "coord-1" }, deps)).to.deep.equal({ location, executionArn: runArn, status: "RUNNING" });
        const exists = states(() => Object.assign(new Error("exists"), { name: "ExecutionAlreadyExists" }));
        expect(await startLocation({ location, coordinatorExecution: "coord-1" }, exists.deps)).to.deep.equal({ location, executionArn: runArn, status: "RUNNING" });
        const denied = states(() => Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
        expect(await refusal(startLocation({ location, coordinatorExecution: "coord-1" }, denied.deps))).to.deep.equal(["AccessDeniedException", "not authorized"]);
        const odd = states(() => "a string, not an error");
        expect(await startLocation({ location, coordinatorExecution: "coord-1" }, odd.deps)).to.deep.include({ status: "RUNNING" });
    });

    it("follows a run: its status; failed within its error budget told apart from failed; not started; other errors fail the step", async () => {
        const answers: unknown[] = [{ status: "SUCCEEDED" }, { status: "FAILED", error: "PatchRunFailedWithinBudget" }, { status: "FAILED", error: "PatchRunFailed" }, {}, Object.assign(new Error("none"), { name: "ExecutionDoesNotExist" }), Object.assign(new Error("denied"), { name: "AccessDeniedException" })];
        const { deps, sent } = states(() => answers.shift());
        const check = () => checkLocation({ location, executionArn: runArn }, deps);
        expect((await check()).status).to.equal("SUCCEEDED");
        expect((await check()).status).to.equal("FAILED_WITHIN_BUDGET");
        expect((await check()).status).to.equal("FAILED");
        expect((await check()).status).to.equal("RUNNING");
        expect((await check()).status).to.equal("NOT_STARTED");
        expect(await refusal(check())).to.deep.equal(["AccessDeniedException", "denied"]);
        expect(sent[0]).to.deep.equal({ op: "DescribeExecution", location, input: { executionArn: runArn } });
    });

    it("sums up every location's run: succeeded, within budget, failed (failed, timed out, aborted, waiting for a redrive, unreachable), running, not started", async () => {
        const regions = ["eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"];
        const answer: Record<string, unknown> = {
            "eu-west-1": { status: "SUCCEEDED" },
            "eu-west-2": { status: "FAILED", error: "PatchRunFailedWithinBudget" },
            "eu-west-3": { status: "FAILED", error: "PatchRunFailed" },
            "eu-north-1": { status: "TIMED_OUT" },
            "eu-south-1": { status: "ABORTED" },
            "us-east-1": { status: "PENDING_REDRIVE" },
            "us-east-2": Object.assign(new Error("cannot assume the location role"), { name: "AccessDenied" }),
            "us-west-1": { status: "RUNNING" },
            "us-west-2": Object.assign(new Error("none"), { name: "ExecutionDoesNotExist" }),
        };
        const { deps, sent, logs } = states((_op, _input, l) => answer[l.region]);
        const locations = regions.map((region) => ({ account: A, region }));
        const summary = await locationsHandler({ action: "locationSummary", state: { locations: [...locations, { account: "x", region: "eu-west-1" }] }, coordinatorExecution: "coord-1" }, deps);
        expect(summary).to.deep.equal({
            counts: { locations: 9, succeeded: 1, failedWithinBudget: 1, failed: 5, running: 1, notStarted: 1 },
            failedLocations: [
                { account: A, region: "eu-west-3", status: "FAILED" },
                { account: A, region: "eu-north-1", status: "TIMED_OUT" },
                { account: A, region: "eu-south-1", status: "ABORTED" },
                { account: A, region: "us-east-1", status: "PENDING_REDRIVE" },
                { account: A, region: "us-east-2", status: "UNREACHABLE" },
            ],
            stoppedByThreshold: false,
            runFailed: true,
        });
        expect(sent.map((s) => s.input.executionArn)).to.deep.equal(locations.map((l) => `arn:aws:states:${l.region}:${A}:execution:xfleet-run:coord-1-${A}-${l.region}`));
        expect(logs.find((l) => l.event === "locationUnreachable")).to.deep.equal({ event: "locationUnreachable", location: { account: A, region: "us-east-2" }, error: "AccessDenied", message: "cannot assume the location role" });
        expect(logs[logs.length - 1]).to.deep.equal({ event: "coordinatorSummary", ...(summary as object) });
    });

    it("the coordinator fails when a location did not succeed or the Map failed; the threshold is named; 50 failed locations at most are listed", async () => {
        const ok = states((_op, _input, l) => ({ status: l.region === "eu-west-1" ? "SUCCEEDED" : "RUNNING" }));
        const two = [location, { account: A, region: "eu-west-2" }];
        expect(await summarizeLocations({ locations: two }, "coord-1", ok.deps)).to.deep.include({ runFailed: false, stoppedByThreshold: false, failedLocations: [] });
        expect(await summarizeLocations({ locations: two, mapError: { Error: "States.ExceedToleratedFailureThreshold" } }, "coord-1", ok.deps)).to.deep.include({ runFailed: true, stoppedByThreshold: true });
        expect(await summarizeLocations({ locations: two, mapError: { Error: "States.Runtime" } }, "coord-1", ok.deps)).to.deep.include({ runFailed: true, stoppedByThreshold: false });
        expect(await summarizeLocations({ locations: "all" }, "coord-1", ok.deps)).to.deep.include({ runFailed: false, counts: { locations: 0, succeeded: 0, failedWithinBudget: 0, failed: 0, running: 0, notStarted: 0 } });
        const failing = states(() => ({ status: "FAILED" }));
        const many = Array.from({ length: 51 }, (_, i) => ({ account: String(100000000000 + i), region: "eu-west-1" }));
        const s = await summarizeLocations({ locations: many }, "coord-1", failing.deps);
        expect(s.failedLocations).to.have.length(50);
        expect(s.failedLocations[49]).to.deep.equal({ ...many[49], status: "FAILED" });
    });

    it("execution names: the coordinator's (at most 40 of it, characters Step Functions refuses replaced) and the location, within the 80 of a name", () => {
        const name = memberExecutionName(`${"x".repeat(30)}:coord/1 ${"y".repeat(30)}`, { account: A, region: "ap-southeast-2" });
        expect(name).to.equal(`${"x".repeat(30)}-coord-1-y-${A}-ap-southeast-2`);
        expect(name.length).to.be.at.most(80);
        expect(name).to.match(/^[A-Za-z0-9_-]+$/);
    });

    it("rates: a count, or a percentage of the locations rounded down; a concurrency is at least 1 and at most the locations; anything else is refused with its kind", () => {
        expect(resolveRate("50%", 5, "concurrency")).to.equal(2);
        expect(resolveRate("10%", 5, "concurrency")).to.equal(1);
        expect(resolveRate("12", 30, "concurrency")).to.equal(12);
        expect(resolveRate("12", 3, "concurrency")).to.equal(3);
        expect(resolveRate("3", 0, "concurrency")).to.equal(1);
        expect(resolveRate("0", 3, "errors")).to.equal(0);
        expect(resolveRate("12", 3, "errors")).to.equal(12);
        expect(resolveRate("100%", 7, "errors")).to.equal(7);
        for (const bad of ["x", "5%x", "x5%", "1000%", "3x", "x3", ""]) expect(() => resolveRate(bad, 10, "errors"), bad).to.throw(`errors must be a count or a percentage, got ${bad}`);
        expect(() => resolveRate("many", 10, "concurrency")).to.throw("concurrency must be a count or a percentage, got many");
        expect(coordinatorPlan([{ accounts: [A], regions: ["eu-west-1", "eu-west-2"] }], "1", "50%")).to.deep.equal({ locations: [location, { account: A, region: "eu-west-2" }], maxConcurrency: 1, toleratedFailureCount: 1 });
        expect(locationRoleArns("aws", [location, { account: A, region: "eu-west-1" }, { account: "111122223333", region: "eu-west-1" }], "xfleet-location")).to.deep.equal([
            "arn:aws:iam::111122223333:role/xfleet-location-eu-west-1",
            `arn:aws:iam::${A}:role/xfleet-location-eu-west-1`,
        ]);
    });

    it("a location role (IAM engine): only the coordinator's locations role may assume it; it may start its own run and follow its executions, nothing else", async () => {
        const MGMT = "111122223333";
        const c = { partition: "aws", accountId: A, region: "eu-west-1", managementAccountId: MGMT, orchestrator: "xfleet" };
        const trust = locationRoleTrustPolicy(c).Statement as Statement[];
        const role = `arn:aws:iam::${A}:role/xfleet-location-eu-west-1`;
        const assume = async (principalArn: string, account: string) => (await decision({ caller: { principalArn, account }, action: "sts:AssumeRole", resource: role, identity: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }], resourcePolicy: trust, resourceAccount: A })).allowed;
        expect(await assume(`arn:aws:iam::${MGMT}:role/xfleet-locations`, MGMT)).to.equal(true);
        expect(await assume(`arn:aws:iam::${MGMT}:role/someone-else`, MGMT)).to.equal(false);
        expect(await assume(`arn:aws:iam::999988887777:role/xfleet-locations`, "999988887777")).to.equal(false);
        const identity = locationRolePolicy(c).Statement as Statement[];
        const may = async (action: string, resource: string) => (await decision({ caller: { principalArn: role, account: A }, action, resource, identity, resourceAccount: A })).allowed;
        const machine = `arn:aws:states:eu-west-1:${A}:stateMachine:xfleet-run`;
        expect(await may("states:StartExecution", machine)).to.equal(true);
        expect(await may("states:DescribeExecution", `arn:aws:states:eu-west-1:${A}:execution:xfleet-run:coord-1-${A}-eu-west-1`)).to.equal(true);
        expect(await may("states:StartExecution", machine.replace("eu-west-1", "eu-west-2"))).to.equal(false);
        expect(await may("states:StartExecution", `${machine}-other`)).to.equal(false);
        expect(await may("states:StopExecution", `arn:aws:states:eu-west-1:${A}:execution:xfleet-run:coord-1-${A}-eu-west-1`)).to.equal(false);
        expect(await may("states:DescribeExecution", `arn:aws:states:eu-west-1:${A}:execution:other-run:x`)).to.equal(false);
    });
});

describe("orchestrator Lambdas: summary, restore and plan entry points (mocked SDK clients)", () => {
    const at = new Date("2026-12-02T01:00:00Z");
    const run = { runId: "run-1", orchestrator: "dev-fleet", startedAt: "2026-12-01T22:55:00.000Z", deadline: "2026-12-02T02:55:00.000Z", settings: normaliseSettings(ESSENTIALS) };
    const rec = (id: string, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Linux", originalState: "running", status: "patched", ...extra });
    let logsMock: AwsClientStub<CloudWatchLogsClient>;
    let snsMock: AwsClientStub<SNSClient>;
    let ec2Mock: AwsClientStub<EC2Client>;
    let ssmMock: AwsClientStub<SSMClient>;
    const clients = () => ({ logs: new CloudWatchLogsClient({ region: "us-east-1" }), sns: new SNSClient({ region: "us-east-1" }), ec2: new EC2Client({ region: "us-east-1" }), ssm: new SSMClient({ region: "us-east-1" }) });
    before(() => {
        logsMock = mockClient(CloudWatchLogsClient);
        snsMock = mockClient(SNSClient);
        ec2Mock = mockClient(EC2Client);
        ssmMock = mockClient(SSMClient);
    });
    beforeEach(() => {
        for (const m of [logsMock, snsMock, ec2Mock, ssmMock]) m.reset();
        logsMock.on(CreateLogStreamCommand).resolves({});
        logsMock.on(PutLogEventsCommand).resolves({});
        snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
    });
    after(() => [logsMock, snsMock, ec2Mock, ssmMock].forEach((m) => m.restore()));

    it("the summary: its log line lists the instances up to 500, beyond that their number; no topic, no message; failed within the budget only when the run went on", async () => {
        const lines: string[] = [];
        const c = clients();
        const deps = { logs: c.logs, sns: c.sns, env: { preflightDocument: "d", logGroupName: "g" }, clock: () => at, log: (l: string) => lines.push(l) };
        const many = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`i-${i}`, rec(`i-${i}`, i === 0 ? { status: "failed", reason: "x" } : {})]));
        const out = await summaryHandler({ action: "publish", state: { run, instances: many, next: { action: "finish", reason: "done" } }, executionName: "run-1" }, deps);
        expect(JSON.parse(lines[0])).to.deep.include({ message: "patch run summary", instances: "501 instances (see the log stream and summary.json)", runId: "run-1" });
        expect(out).to.deep.equal({ runFailed: true, failedWithinBudget: true, counts: { targets: 501, patched: 500, failed: 1, skipped: 0, pending: 0, startedAndStopped: 0 }, logStream: "orchestrator/dev-fleet/run-1" });
        expect(snsMock.commandCalls(PublishCommand)).to.have.length(0);
        const few = { "i-1": rec("i-1", { status: "failed", reason: "x" }) };
        const stopped = await summaryHandler({ action: "publish", state: { run, instances: few, next: { action: "finish", reason: "error-threshold", detail: "d" } } }, { ...deps, env: { ...deps.env, topicArn: "arn:aws:sns:us-east-1:123456789012:t" } });
        expect(JSON.parse(lines[1]).instances).to.have.length(1);
        expect(stopped).to.deep.include({ runFailed: true, failedWithinBudget: false, messageId: "m-1" });
        expect((await summaryHandler({ action: "publish", state: { run, instances: few, error: { Error: "E" } } }, deps)).failedWithinBudget).to.equal(false);
        expect((await summaryHandler({ action: "publish", state: { run, instances: { "i-1": rec("i-1") }, next: { action: "finish", reason: "done" } } }, deps)).failedWithinBudget).to.equal(false);
    });

    it("the restore Lambda's run-level actions: a failed batch restored now, the run's final sweep", async () => {
        ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: "i-1", State: { Name: "running" } }] }] });
        ec2Mock.on(StopInstancesCommand).resolves({});
        const c = clients();
        const instances = { "i-1": rec("i-1", { originalState: "stopped", startedByRun: true, status: "failed" }) };
        const state: RunState = { run, instances, batches: [["i-1"]], cursor: 0, next: { action: "batch", batch: { run, batchIndex: 0, batchCount: 1, instances: [instances["i-1"]] } } };
        const failed = (await restoreHandler({ action: "restoreFailedBatch", state }, { ec2: c.ec2 })) as RunState;
        expect(failed.instances["i-1"].restore).to.equal("stopped");
        const swept = (await restoreHandler({ action: "restoreRun", state }, { ec2: c.ec2 })) as RunState;
        expect(swept.finalRestore).to.deep.equal({ stopped: ["i-1"], alreadyStopped: [], leftRunning: [], failed: [] });
        expect(ec2Mock.commandCalls(StopInstancesCommand)).to.have.length(2);
    });

    it("the plan Lambda: a run started by hand is named by the clock; the gate asks the calendar only before a batch", async () => {
        ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
        ssmMock.on(GetCalendarStateCommand).resolves({ State: "CLOSED" });
        const c = clients();
        const deps = { ec2: c.ec2, resourceGroups: {} as never, clock: () => at, approval: { ssm: c.ssm, calendar: "approvals" } };
        const planned = await planHandler({ action: "plan", state: { settings: ESSENTIALS } }, deps);
        expect(planned.run.runId).to.equal(`run-${at.getTime()}`);
        expect(planned.next).to.deep.include({ action: "finish", reason: "no-targets" });
        expect(await planHandler({ action: "gate", state: planned }, deps)).to.deep.equal(planned);
        expect(await planHandler({ action: "gate", state: planned }, { ...deps, approval: undefined })).to.deep.equal(planned);
        const fleetDeps = { ...deps, store: memoryStore() };
        const fleet = (await fleetPlanHandler({ action: "fleetPlan", state: { settings: ESSENTIALS } }, fleetDeps)) as FleetRunState;
        expect(fleet.run.runId).to.equal(`run-${at.getTime()}`);
        expect(await fleetPlanHandler({ action: "fleetGate", state: fleet }, fleetDeps)).to.deep.equal(fleet);
        expect(ssmMock.commandCalls(GetCalendarStateCommand)).to.have.length(0);
    });
});

describe("the fleet run's summary from the bucket", () => {
    const at = new Date("2026-12-02T01:00:00Z");
    const item = (id: string, batchIndex: number, extra: Partial<InstanceRecord> = {}) => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Linux" as const, originalState: "stopped" as const, status: "pending" as const, batchIndex, startSlotSeconds: 3, ...extra });
    async function fleetState(next: FleetRunState["next"], extra: Partial<FleetRunState> = {}) {
        const store = memoryStore();
        const prefix = "runs/r/";
        await store.put(`${prefix}targets/group-000.json`, JSON.stringify([item("i-1", 0), item("i-2", 0), item("i-3", 1)]));
        await store.put(`${prefix}targets/group-001.json`, JSON.stringify([item("i-4", 2)]));
        await store.put(`${prefix}results/g000-b000000-p1-f1-s0-i-1.json`, JSON.stringify([{ ...item("i-1", 0), status: "patched", restore: "stopped", warnings: ["w"] }, { ...item("i-2", 0), status: "failed", reason: "AWS-RunPatchBaseline Failed" }]));
        const run = { runId: "r", orchestrator: "fleet", startedAt: "s", deadline: "d", settings: normaliseSettings(ESSENTIALS), fleet: { prefix, resultsPrefix: `${prefix}map-results`, batchesInFlight: 2, targets: 4, budget: 0 } };
        const state: FleetRunState = { run, groups: [{ index: 0, key: `${prefix}targets/group-000.json`, rank: 0, instances: 3, batches: 2 }, { index: 1, key: `${prefix}targets/group-001.json`, rank: 1, instances: 1, batches: 1 }], cursor: 1, counts: { targets: 4, patched: 1, failed: 2, skipped: 1 }, next, ...extra };
        return { store, state };
    }

    it("every target with its final record: results over the plan, a batch without a result failed, a group not attempted skipped with the stop's detail; the final sweep applied; summary.json written", async () => {
        const { store, state } = await fleetState({ action: "finish", reason: "deadline", detail: "no batch starts after d" });
        await store.put("runs/r/restore.json", JSON.stringify({ stopped: ["i-3"], failed: [{ instanceId: "i-1", reason: "UnauthorizedOperation: no" }, { instanceId: "i-9", reason: "x" }] }));
        const s = await fleetSummary({ ...state, finalRestore: { stopped: 1, alreadyStopped: 0, leftRunning: 0, failed: 2, key: "runs/r/restore.json" } }, store, at);
        const by = Object.fromEntries(s.instances.map((i) => [i.instanceId, i]));
        expect(by["i-1"]).to.deep.include({ status: "patched", restore: "stop-failed", warnings: ["w", "could not be stopped again: UnauthorizedOperation: no"] });
        expect(by["i-2"]).to.deep.include({ status: "failed", reason: "AWS-RunPatchBaseline Failed" });
        expect(by["i-3"]).to.deep.include({ status: "failed", reason: "batch execution failed before its results were recorded", restore: "stopped" });
        expect(by["i-4"]).to.deep.include({ status: "skipped", reason: "not attempted: no batch starts after d" });
        expect(by).to.not.have.property("i-9");
        expect(s).to.deep.include({ reason: "deadline", detail: "no batch starts after d" });
        expect(JSON.parse(store.objects.get("runs/r/summary.json")!)).to.deep.equal(JSON.parse(JSON.stringify(s)));
        expect(Object.keys(JSON.parse(store.objects.get("runs/r/summary.json")!).instances[0])).to.not.include("startSlotSeconds");
    });

    it("the stop's reason when it has no detail; 'the run ended early' when the run did not finish; the group's error as the run's", async () => {
        const plain = await fleetState({ action: "finish", reason: "calendar-closed" });
        expect((await fleetSummary(plain.state, plain.store, at)).instances.find((i) => i.instanceId === "i-4")!.reason).to.equal("not attempted: calendar-closed");
        const cut = await fleetState({ action: "group", group: { index: 1, key: "k", rank: 1, instances: 1, batches: 1, toleratedFailurePercentage: 0 } }, { cursor: 0, groupError: { Error: "States.Runtime", Cause: "boom" } });
        const s = await fleetSummary({ ...cut.state, next: { action: "finish", reason: "error" } as never, cursor: 1 }, cut.store, at);
        expect(s.instances.find((i) => i.instanceId === "i-4")!.reason).to.equal("not attempted: error");
        const early = await fleetSummary({ ...cut.state, cursor: 0, next: undefined as never }, cut.store, at);
        expect(early).to.deep.include({ reason: "error", detail: "States.Runtime: boom" });
        expect(early.instances.find((i) => i.instanceId === "i-4")!.reason).to.equal("not attempted: the run ended early");
        // A run that failed before it planned: nothing to read, nothing written.
        const empty = memoryStore();
        expect((await fleetSummary({ error: { Error: "E" }, executionName: "x" }, empty, at)).counts.targets).to.equal(0);
        expect(empty.objects.size).to.equal(0);
    });
});

describe("preflight reports", () => {
    const line = (r: Record<string, unknown>) => `PREFLIGHT_RESULT ${JSON.stringify({ platform: "Linux", freeGb: 6, sizeGb: 30, ...r })}`;
    it("reads lists PowerShell may flatten, keeps only strings; an Extend report; freeGbBefore defaults to freeGb", () => {
        expect(parsePreflightOutput(line({ servicesNotRunning: "wuauserv", endpointsUnreachable: ["a", 3, "b"], operation: "Extend" }))).to.deep.equal({
            platform: "Linux",
            operation: "Extend",
            freeGbBefore: 6,
            freeGb: 6,
            sizeGb: 30,
            cleanupRan: false,
            servicesNotRunning: ["wuauserv"],
            endpointsUnreachable: ["a", "b"],
            rebootPending: false,
        });
        expect(parsePreflightOutput(line({ servicesNotRunning: "", endpointsUnreachable: 7, operation: "extend" }))).to.deep.include({ servicesNotRunning: [], endpointsUnreachable: [], operation: "Check" });
    });
    it("no output, no marker, a number that is not finite or not a number: no report", () => {
        for (const out of [undefined, "", "nothing", 'PREFLIGHT_RESULT {"platform":"Linux","freeGb":1e999,"sizeGb":30}', line({ freeGb: "6" }), line({ sizeGb: null }), line({ platform: "Windows", freeGb: true })]) expect(parsePreflightOutput(out), String(out)).to.equal(undefined);
    });
    it("the free space each platform needs, and the Windows Update findings one by one", () => {
        const preflight = normaliseSettings(ESSENTIALS).preflight;
        expect([requiredFreeGb("Windows", preflight), requiredFreeGb("Linux", preflight), requiredFreeGb("MacOS", preflight)]).to.deep.equal([20, 5, 5]);
        const report = parsePreflightOutput(line({ platform: "Windows" }))!;
        expect(windowsUpdateFindings({ ...report, servicesNotRunning: ["bits"] })).to.deep.equal(["Windows Update services not running: bits"]);
        expect(windowsUpdateFindings({ ...report, endpointsUnreachable: ["a", "b"] })).to.deep.equal(["update endpoints unreachable on 443: a, b"]);
        expect(windowsUpdateFindings(report)).to.deep.equal([]);
    });
});

describe("target discovery (mocked EC2 and Resource Groups)", () => {
    let ec2Mock: AwsClientStub<EC2Client>;
    let rgMock: AwsClientStub<ResourceGroupsClient>;
    const ec2 = new EC2Client({ region: "us-east-1" });
    const resourceGroups = new ResourceGroupsClient({ region: "us-east-1" });
    before(() => {
        ec2Mock = mockClient(EC2Client);
        rgMock = mockClient(ResourceGroupsClient);
    });
    beforeEach(() => [ec2Mock, rgMock].forEach((m) => m.reset()));
    after(() => [ec2Mock, rgMock].forEach((m) => m.restore()));
    const id = (n: number) => `i-${n.toString(16).padStart(17, "0")}`;

    it("a resource group: every page of its EC2 members (other resources ignored), described 200 ids at a time with the tags, each instance once", async () => {
        const ids = Array.from({ length: 201 }, (_, n) => id(n));
        rgMock
            .on(ListGroupResourcesCommand)
            .resolvesOnce({ Resources: [...ids.slice(0, 150).map((i) => ({ Identifier: { ResourceArn: `arn:aws:ec2:us-east-1:123456789012:instance/${i}` } })), { Identifier: { ResourceArn: "arn:aws:ec2:us-east-1:123456789012:volume/vol-1" } }, { Identifier: {} }], NextToken: "page-2" })
            .resolvesOnce({ Resources: [...ids.slice(150).map((i) => ({ Identifier: { ResourceArn: `arn:aws:ec2:us-east-1:123456789012:instance/${i}` } })), { Identifier: { ResourceArn: `arn:aws:ec2:us-east-1:123456789012:instance/${ids[0]}` } }] });
        ec2Mock.on(DescribeInstancesCommand).callsFake((input: { Filters: { Name: string; Values: string[] }[] }) => ({
            Reservations: [{ Instances: input.Filters[0].Values.slice(0, 2).map((InstanceId) => ({ InstanceId, State: { Name: "running" } })) }],
        }));
        const found = await discoverTargets({ ec2, resourceGroups }, { tags: { Env: ["dev"] }, resourceGroup: "patch-targets" });
        expect(rgMock.commandCalls(ListGroupResourcesCommand).map((c) => c.args[0].input.NextToken)).to.deep.equal([undefined, "page-2"]);
        const filters = ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.Filters!);
        expect(filters.map((f) => f[0].Values!.length)).to.deep.equal([200, 1]);
        expect(filters[1]).to.deep.equal([{ Name: "instance-id", Values: [ids[200]] }, { Name: "instance-state-name", Values: ["running", "stopped"] }, { Name: "tag:Env", Values: ["dev"] }]);
        expect(found.map((t) => t.instanceId)).to.deep.equal([ids[0], ids[1], ids[200]]);
        let err: Error | undefined;
        await discoverTargets({ ec2 }, { tags: {}, resourceGroup: "patch-targets" }).catch((e: Error) => (err = e));
        expect(err?.message).to.equal("a resource group target needs a Resource Groups client");
    });

    it("maps what EC2 returns: running or stopped only, Windows by Platform or PlatformDetails, the Name tag, the root volume by device name, an unknown type named so", async () => {
        ec2Mock.on(DescribeInstancesCommand).resolves({
            Reservations: [
                {
                    Instances: [
                        { InstanceId: id(1), State: { Name: "stopped" }, PlatformDetails: "Windows with SQL Server Standard", Tags: [{ Key: "Owner", Value: "x" }, { Key: "Name", Value: "db" }], RootDeviceName: "/dev/xvda", BlockDeviceMappings: [{ DeviceName: "/dev/sdb", Ebs: { VolumeId: "vol-data" } }, { DeviceName: "/dev/xvda", Ebs: { VolumeId: "vol-root" } }] },
                        { InstanceId: id(2), State: { Name: "running" }, InstanceType: "m5.large", PlatformDetails: "Red Hat Enterprise Linux", BlockDeviceMappings: [{ DeviceName: "/dev/sdb", Ebs: { VolumeId: "vol-data" } }] },
                        { InstanceId: id(3), State: { Name: "pending" } },
                        { InstanceId: id(4), State: { Name: "stopping" } },
                        { InstanceId: id(5) },
                        { State: { Name: "running" } },
                    ],
                },
            ],
        });
        expect(await discoverTargets({ ec2 }, { tags: { Env: ["dev"] } })).to.deep.equal([
            { instanceId: id(1), instanceType: "unknown", name: "db", platform: "Windows", originalState: "stopped", rootVolumeId: "vol-root" },
            { instanceId: id(2), instanceType: "m5.large", name: "", platform: "Linux", originalState: "running" },
        ]);
    });
});
