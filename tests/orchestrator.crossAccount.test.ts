/**
 * Fleet mode across accounts and Regions: the registered coordinator definition
 * (core/orchestrator/coordinatorMachine.ts) run by the test interpreter with the real locations
 * handlers, whose STS and Step Functions calls go through real SDK clients to an in-memory
 * transport (tests/support/fakeLocations.ts: it checks each call is signed by the location role of
 * that account and Region). Each started location runs the real fleet definition and handlers
 * against its own fake fleet. Exact outcomes: location order, the concurrency and threshold asked
 * of the Map, the threshold stopping new locations, each location's own error budget, restore in
 * every location, and the coordinator's payloads at 1,000 locations.
 */
import { expect } from "chai";
import { SFNClient } from "@aws-sdk/client-sfn";
import { assumedRoleCredentials, clientConfig } from "../core/awsClients";
import { coordinatorPlan, expandLocations, Location, locationRoleArns, locationRoleName, memberExecutionName, resolveRate } from "../core/orchestrator/crossAccount";
import { coordinatorDefinition } from "../core/orchestrator/coordinatorMachine";
import { locationsHandler, LocationDeps, LocationEvent, startLocation } from "../core/orchestrator/locationHandlers";
import { memoryStore } from "../core/orchestrator/fleet";
import { fleetDefinition, STEP_FUNCTIONS_PAYLOAD_MAX } from "../core/orchestrator/fleetMachine";
import { batchHandler, fleetPlanHandler, restoreHandler, StepEvent, summaryHandler } from "../core/orchestrator/handlers";
import { roleArn } from "../core/multiAccount";
import type { OrchestratorSettings } from "../core/orchestrator/types";
import { requestProblems } from "../review/contracts/sdkModel";
import { aslValidationErrors, FakeClock, runAsl } from "./support/asl";
import { FakeFleet, FakeInstance } from "./support/fakeFleet";
import { FakeLocations, LocationRun } from "./support/fakeLocations";
import { settings as baseSettings } from "./support/settings";

const START = Date.parse("2026-12-05T22:00:00Z");
const ORCHESTRATOR = "xfleet";
const MEMBER_ROLE = "xfleet-location";
const FN = "arn:aws:lambda:us-east-1:111122223333:function:xfleet-locations";
const ENV = { preflightDocument: "xfleet-preflight", logGroupName: "/aws/ssm/xfleet", topicArn: "arn:aws:sns:us-east-1:123456789012:xfleet-patch-summary" };
const ARNS = { planFunctionArn: "arn:plan", batchFunctionArn: "arn:batch", restoreFunctionArn: "arn:restore", summaryFunctionArn: "arn:summary", bucketName: "xfleet-runs" };
const A = "444455556666";
const B = "777788889999";

/** A location's fleet: instances by spec; half of them stopped. */
function fleetOf(tag: string, specs: Partial<FakeInstance>[]): FakeInstance[] {
    return specs.map((s, i) => ({ id: `i-${tag}${String(i + 1).padStart(17 - tag.length, "0")}`, type: "t3.large", name: `${tag}-${i + 1}`, platform: "Linux", state: i % 2 === 0 ? "stopped" : "running", tags: { PatchGroup: "dev" }, ...s }));
}

interface Scenario {
    groups: { accounts: string[]; regions: string[] }[];
    concurrency: string;
    maxErrors: string;
    /** Instances of each location (`account/region`); default 4 that patch fine. */
    fleets?: Record<string, Partial<FakeInstance>[]>;
    /** Locations whose stack (and role) is not deployed. */
    missingRoles?: string[];
    settings?: Partial<OrchestratorSettings>;
}

async function coordinate(s: Scenario) {
    const clock = new FakeClock(START);
    const fleets = new Map<string, { fleet: FakeFleet; instances: FakeInstance[]; run: LocationRun; stopReason?: string }>();
    const started: string[] = [];
    const runLocation = async (l: Location, input: unknown, executionName: string): Promise<LocationRun> => {
        const key = `${l.account}/${l.region}`;
        started.push(key);
        const own = new FakeClock(clock.now().getTime());
        const instances = fleetOf(`${l.account.slice(0, 2)}${l.region.slice(-1)}`, s.fleets?.[key] ?? [{}, {}, {}, {}]);
        const fleet = new FakeFleet(own, instances);
        try {
            const c = fleet.clients;
            const store = memoryStore();
            const planDeps = { ec2: c.ec2, resourceGroups: c.resourceGroups, clock: own.now, store };
            const lambdas = {
                "arn:plan": (p: unknown) => fleetPlanHandler(p as StepEvent, planDeps),
                "arn:batch": (p: unknown) => batchHandler(p as never, { ec2: c.ec2, ssm: c.ssm, env: ENV, clock: own.now }),
                "arn:restore": (p: unknown) => restoreHandler(p as never, { ec2: c.ec2, store }),
                "arn:summary": (p: unknown) => summaryHandler(p as never, { logs: c.logs, sns: c.sns, env: ENV, clock: own.now, log: () => undefined, store }),
            };
            const run = await runAsl(fleetDefinition(ARNS, { batchTimeoutSeconds: 20_000 }), input, { clock: own, lambdas, executionName, objects: store.objects, maxTransitions: 20_000 });
            const result: LocationRun = { status: run.status === "SUCCEEDED" ? "SUCCEEDED" : "FAILED", endsAt: own.now().getTime(), ...(run.error ? { error: run.error.Error } : {}) };
            fleets.set(key, { fleet, instances, run: result, stopReason: (run.last as { next?: { reason?: string } } | undefined)?.next?.reason });
            return result;
        } finally {
            fleet.restore();
        }
    };
    const fake = new FakeLocations(() => clock.now().getTime(), runLocation, (region) => locationRoleName(MEMBER_ROLE, region), ORCHESTRATOR);
    const plan = coordinatorPlan(s.groups, s.concurrency, s.maxErrors);
    for (const arn of locationRoleArns("aws", plan.locations, MEMBER_ROLE)) if (!(s.missingRoles ?? []).some((m) => arn.includes(m))) fake.roles.add(arn);
    const clients = new Map<string, SFNClient>();
    const deps: LocationDeps = {
        partition: "aws",
        orchestrator: ORCHESTRATOR,
        clock: clock.now,
        statesFor: (l) => {
            const key = `${l.account}/${l.region}`;
            if (!clients.has(key)) {
                const options = { region: "us-east-1", requestHandler: fake.requestHandler, maxAttempts: 2, backoffMs: () => 0 };
                const credentials = assumedRoleCredentials(roleArn("aws", l.account, locationRoleName(MEMBER_ROLE, l.region)), "xfleet-coordinator", options);
                clients.set(key, new SFNClient(clientConfig({ ...options, region: l.region, credentials })));
            }
            return clients.get(key)!;
        },
    };
    const mapRuns: NonNullable<Parameters<typeof runAsl>[2]["mapRuns"]> = [];
    const definition = coordinatorDefinition(FN, plan, { timeoutSeconds: 24 * 3600 });
    const input = { windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: baseSettings({ orchestrator: ORCHESTRATOR, batchSize: 2, batchesInFlight: 2, maxErrors: "0", ...s.settings }) };
    const run = await runAsl(definition, input, {
        clock,
        lambdas: { [FN]: (p: unknown) => locationsHandler(p as LocationEvent, deps) },
        executionName: "coord-1",
        mapRuns,
        maxTransitions: 20_000,
    });
    const summary = (run.last as { summary?: { runFailed: boolean; counts: Record<string, number>; stoppedByThreshold: boolean } }).summary;
    return { run, summary, started, fleets, fake, mapRuns, plan, definition };
}

const everyStoppedInstanceStoppedAgain = (fleets: Awaited<ReturnType<typeof coordinate>>["fleets"]) => {
    for (const [key, { fleet, instances }] of fleets) {
        for (const i of instances) expect(fleet.currentState(i.id), `${key} ${i.id}`).to.equal(i.state);
    }
};

describe("cross-account fleet coordinator (coordinator definition + real locations handlers, SDK over an in-memory STS/Step Functions, real fleet runs per location)", () => {
    // The locations Lambda's own credentials (its role), which STS AssumeRole is signed with.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    before(() => {
        process.env.AWS_ACCESS_KEY_ID = "AKIALOCATIONSLAMBDA0";
        process.env.AWS_SECRET_ACCESS_KEY = "secret";
    });
    after(() => {
        for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    });
    it("starts every location in order (Region by Region, accounts as listed) as that location's role, asks the Map for the concurrency and threshold, and restores every location", async () => {
        const r = await coordinate({ groups: [{ accounts: [A, B], regions: ["us-east-1", "us-west-2"] }], concurrency: "50%", maxErrors: "1" });
        expect(r.run.status, JSON.stringify(r.run.error)).to.equal("SUCCEEDED");
        expect(r.started).to.deep.equal([`${A}/us-east-1`, `${B}/us-east-1`, `${A}/us-west-2`, `${B}/us-west-2`]);
        expect(r.mapRuns.map((m) => ({ items: m.items, children: m.children, failed: m.failed, maxConcurrency: m.maxConcurrency }))).to.deep.equal([{ items: 4, children: 4, failed: 0, maxConcurrency: 2 }]);
        expect(r.definition.States.PatchLocations).to.include({ MaxConcurrency: 2, ToleratedFailureCount: 1 });
        // Every Step Functions call was signed by the location role of its own account and Region.
        const sfnCalls = r.fake.calls.filter((c) => c.operation === "StartExecution" || c.operation === "DescribeExecution");
        expect(sfnCalls.length).to.be.greaterThan(4);
        for (const c of sfnCalls) expect(c.role).to.equal(`arn:aws:iam::${c.target!.split(":")[4]}:role/${MEMBER_ROLE}-${c.region}`);
        expect(r.fake.calls.filter((c) => c.operation === "AssumeRole").map((c) => c.target)).to.have.members(locationRoleArns("aws", r.plan.locations, MEMBER_ROLE));
        expect(r.summary).to.deep.equal({ runFailed: false, counts: { locations: 4, succeeded: 4, failedWithinBudget: 0, failed: 0, running: 0, notStarted: 0 }, stoppedByThreshold: false });
        for (const [, f] of r.fleets) expect(f.run.status).to.equal("SUCCEEDED");
        everyStoppedInstanceStoppedAgain(r.fleets);
        // Each location's run was named after the coordinator's execution and the location.
        expect([...r.fake.executions.keys()]).to.include(`arn:aws:states:us-west-2:${B}:execution:xfleet-run:${memberExecutionName("coord-1", { account: B, region: "us-west-2" })}`);
    });

    it("keeps each location's own error budget: a location over it fails alone, the others run (threshold 1), the coordinator ends failed", async () => {
        const key = `${B}/us-east-1`;
        const r = await coordinate({
            groups: [{ accounts: [A, B], regions: ["us-east-1", "us-west-2"] }],
            concurrency: "1",
            maxErrors: "1",
            fleets: { [key]: [{ patchResult: "Failed" }, { patchResult: "Failed" }, {}, {}, {}, {}] },
        });
        expect(r.run.status).to.equal("FAILED");
        expect(r.run.error?.Error).to.equal("LocationsFailed");
        expect(r.started).to.have.length(4);
        const bad = r.fleets.get(key)!;
        expect(bad.run.status).to.equal("FAILED");
        // Its budget (maxErrors 0) was spent by the first batch: no further batch of that location was patched.
        expect(bad.stopReason).to.equal("error-threshold");
        expect(bad.fleet.commands.filter((c) => c.document === "AWS-RunPatchBaseline")).to.have.length(1);
        for (const [k, f] of r.fleets) if (k !== key) expect(f.run.status, k).to.equal("SUCCEEDED");
        expect(r.summary).to.deep.equal({ runFailed: true, counts: { locations: 4, succeeded: 3, failedWithinBudget: 0, failed: 1, running: 0, notStarted: 0 }, stoppedByThreshold: false });
        everyStoppedInstanceStoppedAgain(r.fleets);
    });

    it("stops new locations once failed locations exceed the threshold (threshold 0: the first failure ends it)", async () => {
        const r = await coordinate({
            groups: [{ accounts: [A, B], regions: ["us-east-1", "us-west-2"] }],
            concurrency: "1",
            maxErrors: "0",
            fleets: { [`${A}/us-east-1`]: [{ patchResult: "Failed" }, {}] },
        });
        expect(r.started).to.deep.equal([`${A}/us-east-1`]);
        expect(r.mapRuns[0]).to.include({ items: 4, children: 1, failed: 1 });
        expect(r.summary).to.deep.equal({ runFailed: true, counts: { locations: 4, succeeded: 0, failedWithinBudget: 0, failed: 1, running: 0, notStarted: 3 }, stoppedByThreshold: true });
        expect(r.run.error?.Error).to.equal("LocationsFailed");
        everyStoppedInstanceStoppedAgain(r.fleets);
    });

    it("a location whose instances failed within its own error budget is not a failed location: the threshold (0) lets every location start; the coordinator still ends failed", async () => {
        const key = `${A}/us-east-1`;
        const r = await coordinate({
            groups: [{ accounts: [A, B], regions: ["us-east-1"] }],
            concurrency: "1",
            maxErrors: "0",
            settings: { maxErrors: "1" },
            fleets: { [key]: [{ patchResult: "Failed" }, {}, {}, {}] },
        });
        expect(r.started).to.deep.equal([key, `${B}/us-east-1`]);
        expect(r.fake.executions.size).to.equal(2);
        expect(r.fleets.get(key)!.run).to.include({ status: "FAILED", error: "PatchRunFailedWithinBudget" });
        expect(r.mapRuns[0]).to.include({ children: 2, failed: 0 });
        expect(r.summary).to.deep.equal({ runFailed: true, counts: { locations: 2, succeeded: 1, failedWithinBudget: 1, failed: 0, running: 0, notStarted: 0 }, stoppedByThreshold: false });
        expect(r.run.error?.Error).to.equal("LocationsFailed");
        everyStoppedInstanceStoppedAgain(r.fleets);
    });

    it("counts a location whose role is not deployed as a failed location (AssumeRole denied), and goes on within the threshold", async () => {
        const r = await coordinate({ groups: [{ accounts: [A, B], regions: ["us-east-1"] }], concurrency: "2", maxErrors: "1", missingRoles: [`${A}:role/${MEMBER_ROLE}-us-east-1`] });
        expect(r.started).to.deep.equal([`${B}/us-east-1`]);
        expect(r.summary?.counts).to.deep.equal({ locations: 2, succeeded: 1, failedWithinBudget: 0, failed: 1, running: 0, notStarted: 0 });
        expect(r.run.status).to.equal("FAILED");
        expect(r.fake.calls.filter((c) => c.operation === "StartExecution").every((c) => c.target!.includes(B))).to.equal(true);
    });

    it("does not start a location once the run's time is spent, and gives a later location only what is left", async () => {
        const clock = new FakeClock(START);
        const inputs: unknown[] = [];
        const deps: LocationDeps = {
            partition: "aws",
            orchestrator: ORCHESTRATOR,
            clock: clock.now,
            statesFor: () => ({ send: async (cmd: unknown) => (inputs.push((cmd as { input: unknown }).input), { executionArn: "arn:aws:states:us-east-1:444455556666:execution:xfleet-run:x" }) }),
        };
        const state = { location: { account: A, region: "us-east-1" }, settings: { maxRuntimeMinutes: 240 }, coordinatorExecution: "coord-1", coordinatorStartTime: new Date(START).toISOString() };
        clock.advance(100 * 60);
        expect(await startLocation(state, deps)).to.include({ status: "RUNNING" });
        expect(JSON.parse((inputs[0] as { input: string }).input).settings.maxRuntimeMinutes).to.equal(140);
        clock.advance(135 * 60);
        expect(await startLocation(state, deps)).to.include({ status: "NOT_STARTED" });
        expect(inputs).to.have.length(1);
    });

    it("follows a location whose start is retried after it already ended (ExecutionAlreadyExists → the same execution)", async () => {
        const deps: LocationDeps = {
            partition: "aws",
            orchestrator: ORCHESTRATOR,
            statesFor: () => ({ send: async () => Promise.reject(Object.assign(new Error("exists"), { name: "ExecutionAlreadyExists" })) }),
        };
        const out = await startLocation({ location: { account: A, region: "eu-west-1" }, settings: {}, coordinatorExecution: "coord-1" }, deps);
        expect(out.executionArn).to.equal(`arn:aws:states:eu-west-1:${A}:execution:xfleet-run:coord-1-${A}-eu-west-1`);
    });

    it("sends StartExecution and DescribeExecution requests the Step Functions SDK model accepts", async () => {
        const sent: { name: string; input: Record<string, unknown> }[] = [];
        const deps: LocationDeps = {
            partition: "aws",
            orchestrator: ORCHESTRATOR,
            statesFor: () => ({
                send: async (cmd: unknown) => {
                    const c = cmd as { constructor: { name: string }; input: Record<string, unknown> };
                    sent.push({ name: c.constructor.name.replace(/Command$/, ""), input: c.input });
                    return { executionArn: "arn:aws:states:ap-southeast-2:444455556666:execution:xfleet-run:x", status: "RUNNING" };
                },
            }),
        };
        const location = { account: A, region: "ap-southeast-2" };
        await locationsHandler({ action: "locationStart", state: { location, settings: baseSettings(), coordinatorExecution: "0123456789abcdef0123456789abcdef01234567-window" } }, deps);
        await locationsHandler({ action: "locationCheck", state: { location, executionArn: "arn:aws:states:ap-southeast-2:444455556666:execution:xfleet-run:x" } }, deps);
        expect(sent.map((x) => x.name)).to.deep.equal(["StartExecution", "DescribeExecution"]);
        for (const x of sent) expect(requestProblems("sfn", x.name, x.input), x.name).to.deep.equal([]);
        // StartExecution `name`: 1–80 characters, no whitespace, brackets, wildcards or special characters (API reference).
        expect(sent[0].input.name).to.match(/^[A-Za-z0-9_-]{1,80}$/);
    });

    it("orders, deduplicates and rates locations as documented", () => {
        expect(expandLocations([{ accounts: [A, B], regions: ["eu-west-1", "us-east-1"] }, { accounts: [B, "111122223333"], regions: ["us-east-1"] }])).to.deep.equal([
            { account: A, region: "eu-west-1" },
            { account: B, region: "eu-west-1" },
            { account: A, region: "us-east-1" },
            { account: B, region: "us-east-1" },
            { account: "111122223333", region: "us-east-1" },
        ]);
        expect([resolveRate("10%", 60, "concurrency"), resolveRate("1%", 60, "concurrency"), resolveRate("500", 60, "concurrency"), resolveRate("5%", 60, "errors"), resolveRate("0", 60, "errors")]).to.deep.equal([6, 1, 60, 3, 0]);
        expect(memberExecutionName("0123456789abcdef0123456789abcdef01234567-extra", { account: A, region: "ap-southeast-2" })).to.have.length.at.most(80);
    });

    it("is valid ASL, and its payloads stay small at 1,000 locations (references, not results)", () => {
        const accounts = Array.from({ length: 50 }, (_, i) => String(100000000000 + i));
        const plan = coordinatorPlan([{ accounts, regions: Array.from({ length: 20 }, (_, i) => `us-east-${(i % 9) + 1}`).slice(0, 9) }, { accounts, regions: ["eu-west-1", "eu-west-2", "eu-west-3", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1", "me-south-1"] }], "5%", "1%");
        expect(plan.locations).to.have.length(1000);
        expect(plan).to.include({ maxConcurrency: 50, toleratedFailureCount: 10 });
        const def = coordinatorDefinition(FN, plan, { timeoutSeconds: 86400 });
        expect(aslValidationErrors(def)).to.deep.equal([]);
        // The state that carries the locations (Prepare's output, the Summarize input) stays under the payload limit.
        const prepared = { settings: baseSettings(), locations: plan.locations };
        expect(Buffer.byteLength(JSON.stringify(prepared))).to.be.lessThan(STEP_FUNCTIONS_PAYLOAD_MAX / 4);
        // Every path ends: each child state is reachable and every Task catches into LocationFailed.
        const child = (def.States.PatchLocations.ItemProcessor as { States: Record<string, { Type: string; Catch?: { Next: string }[] }> }).States;
        for (const [n, st] of Object.entries(child)) if (st.Type === "Task") expect(st.Catch?.[0].Next, n).to.equal("LocationFailed");
    });
});
