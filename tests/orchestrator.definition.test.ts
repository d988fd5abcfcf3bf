import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import * as YAML from "yaml";
import { bundleLambda } from "../components/nodeLambda";
import { preflightDocumentYaml, preflightScripts } from "../components/patchOrchestrator";
import { parsePreflightOutput } from "../core/orchestrator/disk";
import { DOCUMENT_CONTENT_MAX, PREFLIGHT_PARAMETERS, preflightDocument } from "../core/orchestrator/preflightDocument";
import { AslDefinition, batchDefinition, definitionProblems, LAMBDA_RETRY, runDefinition, transitions } from "../core/orchestrator/stateMachine";
import { ROOT } from "./harness";

const BATCH_ARNS = { batchFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f-batch", restoreFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f-restore" };
const RUN_ARNS = {
    planFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f-plan",
    restoreFunctionArn: BATCH_ARNS.restoreFunctionArn,
    summaryFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f-summary",
    batchStateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:f-batch",
};
const batchDef = batchDefinition(BATCH_ARNS, { timeoutSeconds: 14100 });
const runDef = runDefinition(RUN_ARNS);

/** Every state reachable from `from` without passing through `stop`. */
function reachable(def: AslDefinition, from: string, stop: string[] = []): Set<string> {
    const seen = new Set<string>();
    const walk = (n: string) => {
        if (seen.has(n)) return;
        seen.add(n);
        if (stop.includes(n)) return;
        for (const t of transitions(def.States[n])) walk(t);
    };
    walk(from);
    return seen;
}

describe("state machine definitions", () => {
    for (const [name, def] of [
        ["batch", batchDef],
        ["run", runDef],
    ] as const) {
        it(`${name}: every Next/Default/Catch names an existing state, every state is reachable, every Task retries and catches`, () => {
            expect(definitionProblems(def)).to.deep.equal([]);
            expect(JSON.parse(JSON.stringify(def)).States).to.have.all.keys(Object.keys(def.States));
        });
        it(`${name}: every Lambda task retries Lambda service errors`, () => {
            for (const [state, s] of Object.entries(def.States)) {
                if (s.Resource === "arn:aws:states:::lambda:invoke") expect((s.Retry as unknown[])[0], state).to.deep.equal(LAMBDA_RETRY);
            }
        });
    }

    it("the checker finds dangling targets, unreachable states and tasks without Retry/Catch", () => {
        const broken: AslDefinition = {
            Comment: "broken",
            StartAt: "A",
            States: {
                A: { Type: "Task", Resource: "x", Next: "Nowhere" },
                B: { Type: "Choice", Choices: [] },
                C: { Type: "Pass" },
            },
        };
        expect(definitionProblems(broken)).to.deep.equal([
            "A goes to Nowhere, which is not a state",
            "A (Task) has no Retry",
            "A (Task) does not catch States.ALL",
            "B (Choice) has no Default",
            "C has neither Next nor End",
            "B is unreachable from A",
            "C is unreachable from A",
        ]);
    });

    it("batch: wires the batch and restore Lambdas and nothing else", () => {
        const fns = Object.values(batchDef.States)
            .filter((s) => s.Type === "Task")
            .map((s) => (s.Parameters as { FunctionName: string }).FunctionName);
        expect([...new Set(fns)].sort()).to.deep.equal([BATCH_ARNS.batchFunctionArn, BATCH_ARNS.restoreFunctionArn]);
        expect((batchDef.States.RestoreBatch.Parameters as { FunctionName: string }).FunctionName).to.equal(BATCH_ARNS.restoreFunctionArn);
        expect(batchDef.TimeoutSeconds).to.equal(14100);
    });

    it("batch: every step catches into RestoreBatch, and RestoreBatch ends the batch even when it fails", () => {
        for (const [name, s] of Object.entries(batchDef.States)) {
            if (s.Type !== "Task" || name === "RestoreBatch") continue;
            expect(s.Catch, name).to.deep.equal([{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RestoreBatch" }]);
        }
        expect(batchDef.States.RestoreBatch.Catch).to.deep.equal([{ ErrorEquals: ["States.ALL"], ResultPath: "$.restoreError", Next: "BatchDone" }]);
        expect((batchDef.States.RestoreBatch.Retry as { ErrorEquals: string[] }[]).map((r) => r.ErrorEquals[0])).to.deep.equal(["Lambda.ServiceException", "InstancesStillStarting", "ThrottlingException"]);
        // Every way through the batch passes RestoreBatch before it ends.
        const beforeRestore = reachable(batchDef, batchDef.StartAt, ["RestoreBatch"]);
        expect([...beforeRestore].filter((n) => batchDef.States[n].Type === "Succeed" || batchDef.States[n].Type === "Fail")).to.deep.equal([]);
    });

    it("batch: the steps run in the seed's order — start, agents, preflight, volumes, extend, patch, restore", () => {
        const order = ["StartInstances", "CheckAgents", "SendPreflight", "EvaluatePreflight", "VolumesReady", "SendExtend", "EvaluateExtend", "SendPatch", "EvaluatePatch", "RestoreBatch", "BatchDone"];
        for (let i = 0; i < order.length - 1; i++) expect(reachable(batchDef, order[i]).has(order[i + 1]), `${order[i]} → ${order[i + 1]}`).to.equal(true);
        expect(batchDef.States.WaitForAgents).to.deep.equal({ Type: "Wait", Seconds: 20, Next: "CheckAgents" });
        expect(batchDef.States.WaitForPatch).to.deep.equal({ Type: "Wait", Seconds: 60, Next: "PollPatch" });
        expect(batchDef.States.VolumesReady.Choices).to.deep.equal([
            { Variable: "$.volumes.done", BooleanEquals: false, Next: "WaitForVolumes" },
            { Variable: "$.volumes.count", NumericGreaterThan: 0, Next: "SendExtend" },
        ]);
        expect(batchDef.States.VolumesReady.Default).to.equal("SendPatch");
    });

    it("run: starts batches synchronously, waits between them, restores failed batches and the whole run, then summarises", () => {
        expect(runDef.States.RunBatch).to.deep.include({
            Resource: "arn:aws:states:::states:startExecution.sync:2",
            ResultPath: "$.batchResult",
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.lastBatchError", Next: "RestoreFailedBatch" }],
            Next: "RecordBatch",
        });
        expect((runDef.States.RunBatch.Parameters as { StateMachineArn: string }).StateMachineArn).to.equal(RUN_ARNS.batchStateMachineArn);
        expect(runDef.States.WaitBetweenBatches).to.deep.equal({ Type: "Wait", SecondsPath: "$.run.settings.waitBetweenBatchesSeconds", Next: "ApprovalGate" });
        // Every batch passes the approval gate right before it starts; a closed calendar (or a failed check) goes to the restore.
        expect(runDef.States.HasBatches.Choices).to.deep.equal([{ Variable: "$.next.action", StringEquals: "batch", Next: "ApprovalGate" }]);
        expect(runDef.States.ApprovalGate).to.deep.include({ Next: "GateOpen" });
        expect((runDef.States.ApprovalGate.Parameters as { Payload: unknown }).Payload).to.deep.equal({ action: "gate", "state.$": "$" });
        expect(runDef.States.ApprovalGate.Catch).to.deep.equal([{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "FinalRestore" }]);
        expect(runDef.States.GateOpen).to.deep.equal({ Type: "Choice", Choices: [{ Variable: "$.next.action", StringEquals: "batch", Next: "RunBatch" }], Default: "FinalRestore" });
        expect((runDef.States.Plan.Parameters as { Payload: unknown }).Payload).to.deep.equal({ action: "plan", "state.$": "$", "executionName.$": "$$.Execution.Name" });
        const fns = (n: string) => (runDef.States[n].Parameters as { FunctionName: string }).FunctionName;
        expect([fns("Plan"), fns("RecordBatch"), fns("RestoreFailedBatch"), fns("FinalRestore"), fns("PublishSummary")]).to.deep.equal([
            RUN_ARNS.planFunctionArn,
            RUN_ARNS.planFunctionArn,
            RUN_ARNS.restoreFunctionArn,
            RUN_ARNS.restoreFunctionArn,
            RUN_ARNS.summaryFunctionArn,
        ]);
        // Every way from the first batch to the end passes FinalRestore and PublishSummary.
        const ends = ["RunFailed", "RunSucceeded"];
        const beforeFinal = reachable(runDef, "RunBatch", ["FinalRestore"]);
        expect(ends.filter((e) => beforeFinal.has(e))).to.deep.equal([]);
        const beforeSummary = reachable(runDef, "Plan", ["PublishSummary"]);
        expect(ends.filter((e) => beforeSummary.has(e))).to.deep.equal([]);
        expect(runDef.States.PublishSummary.OutputPath, "the summary is added to the state, not the state replaced").to.equal(undefined);
    });
});

describe("preflight document and scripts", () => {
    const doc = preflightDocument(preflightScripts()) as { parameters: Record<string, { allowedPattern?: string; allowedValues?: string[] }>; mainSteps: { name: string; action: string; inputs: { runCommand: string[] } }[] };

    it("is a schema 2.2 Command document with a Windows PowerShell step and a Linux shell step chosen by platform", () => {
        expect(doc).to.deep.include({ schemaVersion: "2.2" });
        expect(doc.mainSteps.map((s) => [s.name, s.action])).to.deep.equal([
            ["PreflightWindows", "aws:runPowerShellScript"],
            ["PreflightLinux", "aws:runShellScript"],
        ]);
        expect((doc.mainSteps as unknown as { precondition: unknown }[]).map((s) => s.precondition)).to.deep.equal([{ StringEquals: ["platformType", "Windows"] }, { StringEquals: ["platformType", "Linux"] }]);
    });

    it("ships the scripts from scripts/ verbatim after the parameter prelude", () => {
        const [win, linux] = doc.mainSteps.map((s) => s.inputs.runCommand[0]);
        expect(win.endsWith(fs.readFileSync(path.join(ROOT, "scripts/preflight-windows.ps1"), "utf8"))).to.equal(true);
        expect(linux.endsWith(fs.readFileSync(path.join(ROOT, "scripts/preflight-linux.sh"), "utf8"))).to.equal(true);
        expect(win).to.contain("$Operation = '{{ Operation }}'");
        expect(win).to.contain("Dism.exe");
        expect(win).to.contain("/StartComponentCleanup");
        for (const svc of ["wuauserv", "BITS", "cryptsvc", "TrustedInstaller"]) expect(win).to.contain(`'${svc}'`);
        expect(win).to.contain("Resize-Partition");
        expect(linux).to.contain("MIN_FREE_GB='{{ MinFreeGbLinux }}'");
        expect(linux).to.contain("growpart");
    });

    it("constrains every parameter so no value can leave its quotes", () => {
        expect(Object.keys(doc.parameters)).to.deep.equal([...PREFLIGHT_PARAMETERS]);
        for (const [name, p] of Object.entries(doc.parameters)) expect(p.allowedPattern ?? p.allowedValues, name).to.not.equal(undefined);
        for (const [name, p] of Object.entries(doc.parameters)) if (p.allowedPattern) expect(new RegExp(p.allowedPattern).test("x'; rm -rf /"), name).to.equal(false);
    });

    it("fits the 64 KB document limit and gets a new version name when its content changes", () => {
        const { content, versionName } = preflightDocumentYaml();
        expect(Buffer.byteLength(content)).to.be.lessThan(DOCUMENT_CONTENT_MAX);
        expect(versionName).to.match(/^v-[0-9a-f]{16}$/);
        expect(YAML.parse(content)).to.deep.equal(JSON.parse(JSON.stringify(doc)));
    });

    it("the Linux script really runs and prints a report the orchestrator parses", () => {
        const script = path.join(ROOT, "scripts/preflight-linux.sh");
        const out = execFileSync("bash", [script], { env: { ...process.env, OPERATION: "Check", MIN_FREE_GB: "1", CLEANUP: "false" }, encoding: "utf8" });
        const report = parsePreflightOutput(out);
        expect(report).to.not.equal(undefined);
        expect(report).to.deep.include({ platform: "Linux", operation: "Check", cleanupRan: false, servicesNotRunning: [], endpointsUnreachable: [] });
        expect(report!.freeGb).to.be.greaterThan(0);
        expect(report!.sizeGb).to.be.at.least(report!.freeGb);
    });

    it("the PowerShell script's last output is the PREFLIGHT_RESULT line with every field the parser reads", () => {
        const win = fs.readFileSync(path.join(ROOT, "scripts/preflight-windows.ps1"), "utf8");
        expect(win.trimEnd().split("\n").pop()).to.equal("Write-Output ('PREFLIGHT_RESULT ' + (ConvertTo-Json -InputObject $result -Compress))");
        for (const field of ["platform", "operation", "freeGbBefore", "freeGb", "sizeGb", "cleanupRan", "servicesNotRunning", "endpointsUnreachable", "rebootPending"]) {
            expect(win, field).to.match(new RegExp(`\\b${field}\\s+=`));
        }
        // "$name:" inside a double-quoted string is a scope-qualified variable in PowerShell; use "${name}:".
        expect(win).to.not.match(/"[^"]*\$[A-Za-z]+:[^A-Za-z{][^"]*"/);
    });
});

describe("orchestrator Lambda bundles", () => {
    for (const [entry, expected] of [
        ["lambda/orchestratorPlan.ts", 'plan has no action "nope"'],
        ["lambda/orchestratorBatch.ts", 'batch has no action "nope"'],
        ["lambda/orchestratorRestore.ts", 'restore has no action "nope"'],
        ["lambda/orchestratorSummary.ts", 'summary has no action "nope"'],
    ] as const) {
        it(`${entry} bundles into one CommonJS file whose handler dispatches on the action`, async function () {
            this.timeout(60_000);
            const b = bundleLambda(entry);
            const mod: { exports: { handler?: (e: unknown) => Promise<unknown> } } = { exports: {} };
            const env = { ...process.env, PREFLIGHT_DOCUMENT: "d", LOG_GROUP_NAME: "g", AWS_REGION: "us-east-1" };
            vm.runInNewContext(b.code, { module: mod, exports: mod.exports, require, process: { ...process, env }, Buffer, setTimeout, clearTimeout, TextEncoder, TextDecoder, URL, console });
            let err: Error | undefined;
            await mod.exports.handler!({ action: "nope", state: {} }).catch((e: Error) => (err = e));
            expect(err?.name).to.equal("UnknownAction");
            expect(err?.message).to.equal(expected);
        });
    }
});
