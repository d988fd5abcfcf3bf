/**
 * Issue 16's orchestrator parts: the stack's BaselineOverride on every patch command (never a
 * Region's default baseline), and seed 003's disk growth for untagged volumes as an explicit opt-in.
 */
import { SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { evaluatePreflight, sendCommand } from "../core/orchestrator/batch";
import { orchestratorEnv } from "../core/orchestrator/env";
import type { BatchState, InstanceRecord } from "../core/orchestrator/types";
import { PlanResource } from "../review/engine";
import { FakeClock } from "./support/asl";
import { FakeFleet } from "./support/fakeFleet";
import { ACCOUNT, expectIssue, minimalConfig, named, REGION, runProgram } from "./harness";
import { settings } from "./support/settings";

const NOW = new Date("2026-12-01T23:00:00Z");
const URL = "s3://test-overrides-bucket/baseline_overrides.json";
const rec = (id: string, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({ instanceId: id, instanceType: "t3.large", name: id, platform: "Windows", originalState: "running", status: "pending", ...extra });
const batch = (instances: InstanceRecord[]): BatchState => ({
    run: { runId: "run-1", orchestrator: "dev-fleet", startedAt: NOW.toISOString(), deadline: "2026-12-02T03:00:00Z", settings: settings() },
    batchIndex: 0,
    batchCount: 1,
    instances,
});

describe("orchestrator: the stack's baselines on every patch command", () => {
    it("sends BaselineOverride (the override store's object) with AWS-RunPatchBaseline", async () => {
        const ssmMock = mockClient(SSMClient);
        try {
            ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
            const env = orchestratorEnv({ PREFLIGHT_DOCUMENT: "d", LOG_GROUP_NAME: "g", BASELINE_OVERRIDE: URL });
            expect(env.baselineOverride).to.equal(URL);
            await sendCommand(batch([rec("i-1", { online: true })]), "patch", new SSMClient({ region: REGION }), env, NOW);
            const input = ssmMock.commandCalls(SendCommandCommand)[0].args[0].input;
            expect(input.DocumentName).to.equal("AWS-RunPatchBaseline");
            expect(input.Parameters).to.deep.equal({ Operation: ["Install"], RebootOption: ["RebootIfNeeded"], BaselineOverride: [URL] });
            // The preflight document declares no such parameter: it never gets one.
            await sendCommand(batch([rec("i-1", { online: true })]), "preflight", new SSMClient({ region: REGION }), env, NOW);
            expect(ssmMock.commandCalls(SendCommandCommand)[1].args[0].input.Parameters).to.not.have.property("BaselineOverride");
        } finally {
            ssmMock.restore();
        }
    });
});

describe("orchestrator: disk growth only on the instance's own root volume", () => {
    it("skips (never modifies) a root volume that is attached to another instance by now", async () => {
        const clock = new FakeClock(NOW.getTime());
        const fleet = new FakeFleet(clock, [{ id: "i-00000000000000001", type: "t3.large", name: "a", platform: "Windows", state: "running", volumeAttachedTo: "i-0000000000000000f" }]);
        try {
            const s = batch([rec("i-00000000000000001", { online: true, rootVolumeId: "vol-00000000000000001" })]);
            s.run.settings.preflight.volumeExpansion = { enabled: true, incrementGb: 20, maxVolumeSizeGb: 100, untaggedVolumes: true };
            const report = { platform: "Windows", operation: "Check", freeGbBefore: 8, freeGb: 8, sizeGb: 30, cleanupRan: false, servicesNotRunning: [], endpointsUnreachable: [], rebootPending: false };
            s.command = { purpose: "preflight", commandId: "c", instanceIds: ["i-00000000000000001"], sentAt: NOW.toISOString(), deadline: NOW.toISOString(), done: true, invocations: { "i-00000000000000001": { status: "Success", output: `PREFLIGHT_RESULT ${JSON.stringify(report)}` } } };
            const out = await evaluatePreflight(s, fleet.clients.ec2, NOW);
            expect(fleet.modified).to.deep.equal([]);
            expect(out.instances[0]).to.deep.include({
                status: "skipped",
                reason: "8 GiB free, 20 GiB required; root volume vol-00000000000000001 is no longer attached to the instance (attached to: i-0000000000000000f)",
            });
        } finally {
            fleet.restore();
        }
    });
});

describe("PatchOrchestrator: override store and untagged volumes (component)", () => {
    const ORCH = {
        name: "seed-fleet",
        window: { schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 },
        targets: { tags: { PatchGroup: ["Windows"] } },
        preflight: { volumeExpansion: { enabled: true, untaggedVolumes: true } },
        instanceRole: { mode: "create" },
    };
    let r: PlanResource[];
    before(async function () {
        this.timeout(180_000);
        r = (await runProgram(minimalConfig({ "patching:patchOrchestrators": [ORCH], "patching:overrideStore": { configId: "test01", baselines: ["test-al2023"], remediation: { enabled: false } } }))).resources;
    });
    const policy = (name: string) => JSON.parse(named(r, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string).Statement as { Sid: string }[];

    it("the batch Lambda gets BASELINE_OVERRIDE; instances may read that object; a created instance role carries the store's principal tag", () => {
        const vars = (named(r, "aws:lambda/function:Function", "seed-fleet-batch").inputs.environment as { variables: Record<string, string> }).variables;
        expect(vars.BASELINE_OVERRIDE).to.match(/^s3:\/\/.+\/baseline_overrides\.json$/);
        const bucket = vars.BASELINE_OVERRIDE.slice("s3://".length).split("/")[0];
        expect(policy("seed-fleet-instance-policy").find((s) => s.Sid === "ReadBaselineOverride")).to.deep.equal({
            Sid: "ReadBaselineOverride",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: `arn:aws:s3:::${bucket}/baseline_overrides.json`,
        });
        expect(named(r, "aws:iam/role:Role", "seed-fleet-instance-role").inputs.tags).to.deep.include({ "QSConfigId-test01": "test01" });
    });

    it("untaggedVolumes: ModifyVolume on the Region's volumes without a tag condition, batch Lambda only", () => {
        const statements = policy("seed-fleet-batch-policy");
        expect(statements.find((s) => s.Sid === "GrowRootVolumesOfTargets")).to.deep.equal({ Sid: "GrowRootVolumesOfTargets", Effect: "Allow", Action: ["ec2:ModifyVolume"], Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/*` });
        expect(statements.map((s) => s.Sid)).to.not.include("GrowTaggedRootVolumes");
        expect(String(named(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-instance-policy").inputs.policy)).to.not.contain("ModifyVolume");
    });

    it("config: volumeTag and untaggedVolumes together are rejected; untaggedVolumes needs no target tag", () => {
        expectIssue(
            minimalConfig({ "patching:patchOrchestrators": [{ ...ORCH, preflight: { volumeExpansion: { enabled: true, untaggedVolumes: true, volumeTag: { key: "K", value: "v" } } } }] }),
            "patching:patchOrchestrators[0].preflight.volumeExpansion.volumeTag",
            "has no effect with untaggedVolumes",
        );
    });
});
