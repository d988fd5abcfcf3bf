import { expect } from "chai";
import { errorBudget, orderByPriority, planRun, priorityRank, recordBatch, splitIntoBatches } from "../core/orchestrator/plan";
import { DEFAULT_SETTINGS, InvalidSettingsError, normaliseSettings, settingsFromConfig } from "../core/orchestrator/settings";
import type { TargetInstance } from "../core/orchestrator/types";
import { minimalConfig, parse } from "./harness";
import { settings } from "./support/settings";

const NOW = new Date("2026-12-01T22:55:00Z");


function inst(id: string, type: string, name = id, originalState: "running" | "stopped" = "running"): TargetInstance {
    return { instanceId: id, instanceType: type, name, platform: "Windows", originalState };
}

describe("orchestrator plan: priority ordering and batches", () => {
    it("ranks instance types by their position in the priority list; unlisted types last; m5.* matches the family", () => {
        const priority = ["m5.xlarge", "c5.*", "m5.large"];
        expect(priorityRank("m5.xlarge", priority)).to.equal(0);
        expect(priorityRank("c5.2xlarge", priority)).to.equal(1);
        expect(priorityRank("m5.large", priority)).to.equal(2);
        expect(priorityRank("t3.micro", priority)).to.equal(3);
        expect(priorityRank("c6i.large", priority)).to.equal(3);
    });

    it("orders priority types first in list order, then by Name and id within a rank (the seed put listed types first)", () => {
        const ordered = orderByPriority(
            [inst("i-6", "t3.large", "web-b"), inst("i-1", "m5.large", "db"), inst("i-2", "t3.large", "web-a"), inst("i-3", "m5.xlarge", "app"), inst("i-4", "m5.large", "cache"), inst("i-5", "t3.large", "web-a")],
            ["m5.xlarge", "m5.large"],
        );
        expect(ordered.map((i) => i.instanceId)).to.deep.equal(["i-3", "i-4", "i-1", "i-2", "i-5", "i-6"]);
    });

    it("splits into batches of the batch size with the remainder in an uneven last batch", () => {
        expect(splitIntoBatches([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 5)).to.deep.equal([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]);
        expect(splitIntoBatches([1, 2, 3, 4], 2)).to.deep.equal([[1, 2], [3, 4]]);
        expect(splitIntoBatches([1, 2, 3], 5)).to.deep.equal([[1, 2, 3]]);
        expect(splitIntoBatches([], 5)).to.deep.equal([]);
        expect(() => splitIntoBatches([1], 0)).to.throw("batch size must be a positive whole number");
    });

    it("plans a run: records each original state, batches in priority order, deadline from maxRuntimeMinutes, first batch next", () => {
        const targets = [
            inst("i-a", "t3.large", "a", "stopped"),
            inst("i-b", "m5.large", "b"),
            inst("i-c", "t3.large", "c", "stopped"),
            inst("i-d", "c5.large", "d"),
            inst("i-e", "t3.large", "e"),
            inst("i-f", "m5.large", "f", "stopped"),
            inst("i-g", "t3.large", "g"),
        ];
        const run = planRun({ runId: "run-1", windowExecutionId: "{{WINDOW_EXECUTION_ID}}", settings: settings({ batchSize: 3, priorityInstanceTypes: ["m5.large", "c5.large"] }), targets, now: NOW });
        expect(run.batches).to.deep.equal([["i-b", "i-f", "i-d"], ["i-a", "i-c", "i-e"], ["i-g"]]);
        expect(run.instances["i-a"]).to.deep.include({ originalState: "stopped", status: "pending" });
        expect(run.instances["i-b"]).to.deep.include({ originalState: "running", status: "pending" });
        expect(run.run).to.deep.include({ runId: "run-1", orchestrator: "dev-fleet", startedAt: "2026-12-01T22:55:00.000Z", deadline: "2026-12-02T02:55:00.000Z" });
        expect(run.run.windowExecutionId, "an unreplaced pseudo parameter is dropped").to.equal(undefined);
        expect(run.cursor).to.equal(0);
        expect(run.next.action).to.equal("batch");
        if (run.next.action === "batch") {
            expect(run.next.batch.batchIndex).to.equal(0);
            expect(run.next.batch.batchCount).to.equal(3);
            expect(run.next.batch.instances.map((i) => i.instanceId)).to.deep.equal(["i-b", "i-f", "i-d"]);
        }
    });

    it("finishes at once when nothing matched", () => {
        const run = planRun({ runId: "r", settings: settings(), targets: [], now: NOW });
        expect(run.next).to.deep.equal({ action: "finish", reason: "no-targets", detail: "no running or stopped instance matched the targets" });
    });

    it("refuses more instances than one run's state can carry", () => {
        const many = Array.from({ length: 501 }, (_, i) => inst(`i-${i}`, "t3.micro"));
        expect(() => planRun({ runId: "r", settings: settings(), targets: many, now: NOW })).to.throw("501 target instances exceed the 500 one run handles");
    });
});

describe("orchestrator plan: error threshold and deadline", () => {
    it("reads maxErrors as a count or a percentage of the targets, rounded down", () => {
        expect(errorBudget("0", 40)).to.equal(0);
        expect(errorBudget("3", 40)).to.equal(3);
        expect(errorBudget("20%", 40)).to.equal(8);
        expect(errorBudget("10%", 7)).to.equal(0);
        expect(errorBudget("100%", 7)).to.equal(7);
        expect(() => errorBudget("x", 7)).to.throw("maxErrors must be a count or a percentage");
    });

    const targets = ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6"].map((id) => inst(id, "t3.large", id));

    it("continues past failures up to the budget, and stops once failures exceed it, skipping what was not attempted", () => {
        let run = planRun({ runId: "r", settings: settings({ batchSize: 2, maxErrors: "1" }), targets, now: NOW });
        // Batch 1: one failure — within maxErrors 1.
        run = recordBatch(run, { instances: [{ ...run.instances["i-1"], status: "patched" }, { ...run.instances["i-2"], status: "failed", reason: "x" }] }, undefined, NOW);
        expect(run.next.action).to.equal("batch");
        expect(run.cursor).to.equal(1);
        // Batch 2: a second failure — 2 > 1.
        run = recordBatch(run, { instances: [{ ...run.instances["i-3"], status: "failed", reason: "y" }, { ...run.instances["i-4"], status: "patched" }] }, undefined, NOW);
        expect(run.next).to.deep.equal({ action: "finish", reason: "error-threshold", detail: "2 failed instance(s) exceed maxErrors 1 (1 of 6)" });
        expect(run.instances["i-5"]).to.deep.include({ status: "skipped", reason: "not attempted: 2 failed instance(s) exceed maxErrors 1 (1 of 6)" });
        expect(run.instances["i-6"].status).to.equal("skipped");
        expect(run.instances["i-4"].status).to.equal("patched");
    });

    it("a percentage budget scales with the fleet: 20% of 6 tolerates 1 failure", () => {
        let run = planRun({ runId: "r", settings: settings({ batchSize: 3, maxErrors: "20%" }), targets, now: NOW });
        run = recordBatch(run, { instances: [{ ...run.instances["i-1"], status: "failed" }, { ...run.instances["i-2"], status: "patched" }, { ...run.instances["i-3"], status: "patched" }] }, undefined, NOW);
        expect(run.next.action).to.equal("batch");
    });

    it("starts no batch after the deadline; what is left is skipped with the reason", () => {
        let run = planRun({ runId: "r", settings: settings({ batchSize: 3, maxRuntimeMinutes: 60 }), targets, now: NOW });
        const later = new Date(NOW.getTime() + 61 * 60_000);
        run = recordBatch(run, { instances: ["i-1", "i-2", "i-3"].map((id) => ({ ...run.instances[id], status: "patched" as const })) }, undefined, later);
        expect(run.next).to.deep.equal({ action: "finish", reason: "deadline", detail: "no batch starts after 2026-12-01T23:55:00.000Z (maxRuntimeMinutes 60)" });
        expect(run.instances["i-4"]).to.deep.include({ status: "skipped", reason: "not attempted: no batch starts after 2026-12-01T23:55:00.000Z (maxRuntimeMinutes 60)" });
    });

    it("counts a batch whose execution failed as failed for its instances still pending, with the error", () => {
        let run = planRun({ runId: "r", settings: settings({ batchSize: 2, maxErrors: "50%" }), targets, now: NOW });
        run = recordBatch(run, undefined, { Error: "States.TaskFailed", Cause: JSON.stringify({ errorMessage: "child timed out" }) }, NOW);
        expect(run.instances["i-1"]).to.deep.include({ status: "failed", reason: "batch execution failed: States.TaskFailed: child timed out" });
        expect(run.instances["i-2"].status).to.equal("failed");
        expect(run.next.action).to.equal("batch");
        run = recordBatch(run, { instances: [{ ...run.instances["i-3"], status: "patched" }, { ...run.instances["i-4"], status: "patched" }] }, undefined, NOW);
        run = recordBatch(run, { instances: [{ ...run.instances["i-5"], status: "patched" }, { ...run.instances["i-6"], status: "patched" }] }, undefined, NOW);
        expect(run.next).to.deep.equal({ action: "finish", reason: "done" });
    });
});

describe("orchestrator settings", () => {
    it("the config defaults are the settings defaults", () => {
        const cfg = parse(minimalConfig({ "patching:patchOrchestrators": [{ name: "fleet", window: { schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 }, targets: { tags: { PatchGroup: ["dev"] } } }] }));
        const s = settingsFromConfig(cfg.patchOrchestrators[0]);
        const { orchestrator, targets, maxRuntimeMinutes, ...rest } = s;
        expect(rest).to.deep.equal(DEFAULT_SETTINGS);
        expect({ orchestrator, targets, maxRuntimeMinutes }).to.deep.equal({ orchestrator: "fleet", targets: { tags: { PatchGroup: ["dev"] } }, maxRuntimeMinutes: 240 });
    });

    it("fills defaults for an execution started by hand with only the essentials", () => {
        const s = normaliseSettings({ orchestrator: "dev-fleet", targets: { tags: { PatchGroup: ["dev"] } }, batchSize: 2 });
        expect(s.batchSize).to.equal(2);
        expect(s.agentWaitSeconds).to.equal(600);
        expect(s.preflight.volumeExpansion).to.deep.equal({ enabled: false, incrementGb: 20, maxVolumeSizeGb: 512, untaggedVolumes: false });
        expect(s.patch).to.deep.equal({ operation: "Install", rebootOption: "RebootIfNeeded", timeoutSeconds: 7200 });
    });

    it("rejects input the state machine could not run with, listing every problem", () => {
        try {
            normaliseSettings({ orchestrator: "x", targets: {}, batchSize: 51, waitBetweenBatchesSeconds: -1, maxErrors: "lots", patch: { operation: "Upgrade" } });
            expect.fail("should throw");
        } catch (err) {
            expect(err).to.be.instanceOf(InvalidSettingsError);
            expect((err as InvalidSettingsError).problems).to.deep.equal([
                "targets needs tags or resourceGroup",
                'maxErrors must be a count or a percentage such as 3 or 20% (got "lots")',
                'patch.operation must be Install or Scan (got "Upgrade")',
                "batchSize must be a whole number from 1 to 50 (got 51)",
                "waitBetweenBatchesSeconds must be a whole number from 0 to 3600 (got -1)",
            ]);
        }
    });
});
