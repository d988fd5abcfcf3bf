import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeInstancePatchStatesForPatchGroupCommand, GetPatchBaselineCommand, InstancePatchState, SSMClient, UpdatePatchBaselineCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { clientConfig } from "../core/awsClients";
import { lastWholeDayBefore, notGreenReasons, toDevInstance } from "../core/devState";
import { PromotionRecord, promotedRules, provenCutoff, runApprovalDatePromotion } from "../core/promotion";
import { jsonServiceFake } from "./sdkFake";

const NOW = new Date("2026-12-12T06:00:00Z");
const DEV_BASELINE = "pb-0de0000000000000a";
const PROD_WIN = "pb-0a0000000000000aa";
const PROD_AL = "pb-0b0000000000000bb";

function state(id: string, extra: Partial<InstancePatchState> = {}): InstancePatchState {
    return {
        InstanceId: id,
        PatchGroup: "dev",
        BaselineId: DEV_BASELINE,
        Operation: "Install",
        OperationStartTime: new Date("2026-12-10T02:00:00Z"),
        OperationEndTime: new Date("2026-12-10T02:20:00Z"),
        InstalledCount: 40,
        MissingCount: 0,
        FailedCount: 0,
        InstalledPendingRebootCount: 0,
        InstalledRejectedCount: 0,
        CriticalNonCompliantCount: 0,
        SecurityNonCompliantCount: 0,
        OtherNonCompliantCount: 0,
        ...extra,
    };
}

const rule = (until: string, level = "CRITICAL") => ({
    PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["SecurityUpdates"] }] },
    ComplianceLevel: level as "CRITICAL",
    ApproveUntilDate: until,
});

function setup(states: InstancePatchState[], devRules: Record<string, unknown>[] = [{ ApproveAfterDays: 0 }]) {
    // Distinct client instances: mockClient(instance) stubs only that one.
    const clients = { devSsm: new SSMClient({ region: "us-east-1" }), prodSsm: new SSMClient({ region: "us-east-1" }), s3: new S3Client({ region: "us-east-1" }) };
    const dev = mockClient(clients.devSsm);
    const prod = mockClient(clients.prodSsm);
    const bucket = mockClient(clients.s3);
    dev.on(DescribeInstancePatchStatesForPatchGroupCommand).resolves({ InstancePatchStates: states });
    dev.on(GetPatchBaselineCommand, { BaselineId: DEV_BASELINE }).resolves({ BaselineId: DEV_BASELINE, ApprovalRules: { PatchRules: devRules as never } });
    prod.on(GetPatchBaselineCommand, { BaselineId: PROD_WIN }).resolves({ BaselineId: PROD_WIN, Name: "prod-windows-server", ApprovalRules: { PatchRules: [rule("2026-11-05"), rule("2026-11-01", "MEDIUM")] } });
    prod.on(GetPatchBaselineCommand, { BaselineId: PROD_AL }).resolves({ BaselineId: PROD_AL, Name: "prod-al2023", ApprovalRules: { PatchRules: [rule("2026-12-09")] } });
    prod.on(UpdatePatchBaselineCommand).resolves({});
    bucket.on(PutObjectCommand).resolves({});
    const lines: string[] = [];
    const options = { stack: "prod", devPatchGroups: ["dev"], prodBaselineIds: [PROD_WIN, PROD_AL], bucket: "artifacts", now: NOW, log: (l: string) => lines.push(l) };
    return { clients, dev, prod, bucket, options, lines };
}

function recordsWritten(bucket: ReturnType<typeof mockClient>): { key: string; record: PromotionRecord }[] {
    return bucket.commandCalls(PutObjectCommand).map((c) => ({ key: String(c.args[0].input.Key), record: JSON.parse(String(c.args[0].input.Body)) }));
}

describe("approval-date promotion (core/promotion)", () => {
    describe("decisions", () => {
        it("proven cutoff: the operation start, minus the dev baseline's approval delay, capped by its approve-until date", () => {
            const i = toDevInstance(state("i-1"));
            expect(provenCutoff(i, [{ ApproveAfterDays: 0 }]).toISOString()).to.equal("2026-12-10T02:00:00.000Z");
            expect(provenCutoff(i, [{ ApproveAfterDays: 0 }, { ApproveAfterDays: 3 }]).toISOString()).to.equal("2026-12-07T02:00:00.000Z");
            expect(provenCutoff(i, [{ ApproveUntilDate: "2026-12-01" }]).toISOString()).to.equal("2026-12-01T23:59:59.999Z");
            expect(lastWholeDayBefore(new Date("2026-12-10T02:00:00Z"))).to.equal("2026-12-09");
            expect(lastWholeDayBefore(new Date("2026-12-01T23:59:59.999Z"))).to.equal("2026-12-01");
        });
        it("an instance is green with nothing missing, failed, pending reboot or rejected-installed", () => {
            expect(notGreenReasons(toDevInstance(state("i-1")))).to.deep.equal([]);
            expect(notGreenReasons(toDevInstance(state("i-1", { MissingCount: 2, FailedCount: 1, InstalledPendingRebootCount: 3 })))).to.deep.equal([
                "2 missing",
                "1 failed",
                "3 installed pending reboot",
            ]);
        });
        it("moves only dates that are earlier, never backward, and keeps the rest of each rule", () => {
            expect(promotedRules([rule("2026-11-05"), rule("2026-12-20")], "2026-12-09")).to.deep.equal([rule("2026-12-09"), rule("2026-12-20")]);
        });
    });

    it("green: moves every prod rule forward to the day before dev's earliest install and records it", async () => {
        const { clients, prod, bucket, options, lines } = setup([state("i-1"), state("i-2", { OperationStartTime: new Date("2026-12-11T02:00:00Z"), Operation: "Scan" })]);
        const r = await runApprovalDatePromotion(clients, options);
        expect(r.action).to.equal("promoted");
        expect(r.provenUntil).to.equal("2026-12-09");
        // prod-al2023 is already at 2026-12-09: only the Windows baseline changes.
        expect(r.updates).to.deep.equal([{ baselineId: PROD_WIN, name: "prod-windows-server", from: "2026-11-01", to: "2026-12-09" }]);
        const updates = prod.commandCalls(UpdatePatchBaselineCommand).map((c) => c.args[0].input);
        expect(updates).to.deep.equal([{ BaselineId: PROD_WIN, ApprovalRules: { PatchRules: [rule("2026-12-09"), rule("2026-12-09", "MEDIUM")] } }]);
        const written = recordsWritten(bucket);
        expect(written.map((w) => w.key)).to.deep.equal(["promotion/prod/2026-12/2026-12-12T06-00-00-000Z.json", "promotion/prod/latest.json"]);
        expect(written[1].record).to.deep.include({ action: "promoted", stack: "prod", at: "2026-12-12T06:00:00.000Z", provenUntil: "2026-12-09" });
        expect(written[1].record.dev).to.deep.equal({ patchGroups: ["dev"], instances: 2, green: 2, notGreen: [], greenPercent: 100 });
        expect(JSON.parse(lines[0])).to.deep.include({ level: "info", action: "promoted" });
    });

    it("green but nothing newer: unchanged, no update call", async () => {
        const { clients, prod, options } = setup([state("i-1", { OperationStartTime: new Date("2026-11-02T02:00:00Z") })]);
        const r = await runApprovalDatePromotion(clients, options);
        expect(r).to.deep.include({ action: "unchanged", provenUntil: "2026-11-01", reason: "prod already approves until 2026-11-01 or later" });
        expect(prod.commandCalls(UpdatePatchBaselineCommand)).to.have.length(0);
    });

    it("non-compliant: held, names the instances and why, updates nothing", async () => {
        const { clients, prod, bucket, options, lines } = setup([state("i-1"), state("i-2", { MissingCount: 2, FailedCount: 1 })]);
        const r = await runApprovalDatePromotion(clients, options);
        expect(r.action).to.equal("held");
        expect(r.reason).to.equal("dev is not green: 1 of 2 instance(s) are green (50%), 100% required: i-2 (2 missing, 1 failed)");
        expect(prod.commandCalls(GetPatchBaselineCommand)).to.have.length(0);
        expect(prod.commandCalls(UpdatePatchBaselineCommand)).to.have.length(0);
        expect(recordsWritten(bucket)[1].record.action).to.equal("held");
        expect(JSON.parse(lines[0]).level).to.equal("warn");
    });

    it("a threshold below 100% promotes on the green instances only", async () => {
        const { clients, options } = setup([state("i-1"), state("i-2"), state("i-3"), state("i-4", { FailedCount: 1, OperationStartTime: new Date("2026-12-01T00:00:00Z") })]);
        const r = await runApprovalDatePromotion(clients, { ...options, minCompliantPercent: 75 });
        expect(r.action).to.equal("promoted");
        expect(r.provenUntil).to.equal("2026-12-09");
    });

    it("missing: no dev instance reports → held", async () => {
        const { clients, prod, options } = setup([]);
        const r = await runApprovalDatePromotion(clients, options);
        expect(r).to.deep.include({ action: "held", reason: "dev is not green: only 0 instance(s) of patch group(s) dev report patch state; at least 1 required" });
        expect(prod.commandCalls(UpdatePatchBaselineCommand)).to.have.length(0);
    });

    it("missing: a prod baseline that does not exist fails the run, recorded, nothing updated", async () => {
        const { clients, prod, bucket, options } = setup([state("i-1")]);
        prod.on(GetPatchBaselineCommand, { BaselineId: PROD_AL }).rejects(Object.assign(new Error("Baseline not found"), { name: "DoesNotExistException" }));
        const err = await runApprovalDatePromotion(clients, options).catch((e) => e);
        expect(err.message).to.equal(`prod patch baseline ${PROD_AL} does not exist (ssm:GetPatchBaseline)`);
        expect(prod.commandCalls(UpdatePatchBaselineCommand)).to.have.length(0);
        expect(recordsWritten(bucket).map((w) => w.record.action)).to.deep.equal(["failed", "failed"]);
    });

    it("reads every page of every dev patch group", async () => {
        const { clients, dev, options } = setup([]);
        dev.on(DescribeInstancePatchStatesForPatchGroupCommand, { PatchGroup: "dev", NextToken: undefined }).resolves({ InstancePatchStates: [state("i-1")], NextToken: "t2" });
        dev.on(DescribeInstancePatchStatesForPatchGroupCommand, { PatchGroup: "dev", NextToken: "t2" }).resolves({ InstancePatchStates: [state("i-2")] });
        dev.on(DescribeInstancePatchStatesForPatchGroupCommand, { PatchGroup: "dev-db" }).resolves({ InstancePatchStates: [state("i-3", { PatchGroup: "dev-db" })] });
        const r = await runApprovalDatePromotion(clients, { ...options, devPatchGroups: ["dev", "dev-db"] });
        expect(r.dev.instances).to.equal(3);
        expect(dev.commandCalls(DescribeInstancePatchStatesForPatchGroupCommand).map((c) => [c.args[0].input.PatchGroup, c.args[0].input.NextToken])).to.deep.equal([
            ["dev", undefined],
            ["dev", "t2"],
            ["dev-db", undefined],
        ]);
    });

    describe("throttling (the real SDK retry strategy, no waiting)", () => {
        const epoch = (iso: string) => Date.parse(iso) / 1000;
        const page = { json: { InstancePatchStates: [{ InstanceId: "i-1", PatchGroup: "dev", BaselineId: DEV_BASELINE, Operation: "Install", OperationStartTime: epoch("2026-12-10T02:00:00Z"), OperationEndTime: epoch("2026-12-10T02:20:00Z"), MissingCount: 0, FailedCount: 0 }] } };
        const throttled = { error: "ThrottlingException", status: 400 };

        function realClients(script: Parameters<typeof jsonServiceFake>[0], maxAttempts: number) {
            const fake = jsonServiceFake(script);
            const delays: number[] = [];
            const devSsm = new SSMClient(clientConfig({ region: "us-east-1", maxAttempts, requestHandler: fake.handler, backoffMs: (a) => (delays.push(a), 0), credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }));
            const s3 = new S3Client({ region: "us-east-1" });
            mockClient(s3).on(PutObjectCommand).resolves({});
            const prodSsm = new SSMClient({ region: "us-east-1" });
            const prod = mockClient(prodSsm);
            prod.on(GetPatchBaselineCommand).resolves({ BaselineId: PROD_AL, ApprovalRules: { PatchRules: [rule("2026-12-01")] } });
            prod.on(UpdatePatchBaselineCommand).resolves({});
            return { fake, delays, clients: { devSsm, prodSsm, s3 }, prod };
        }

        it("ThrottlingException twice, then the page: retried by the SDK and promoted", async () => {
            const { fake, delays, clients, prod } = realClients(
                { DescribeInstancePatchStatesForPatchGroup: [throttled, throttled, page], GetPatchBaseline: [{ json: { BaselineId: DEV_BASELINE, ApprovalRules: { PatchRules: [] } } }] },
                4,
            );
            const r = await runApprovalDatePromotion(clients, { stack: "prod", devPatchGroups: ["dev"], prodBaselineIds: [PROD_AL], bucket: "b", now: NOW, log: () => undefined });
            expect(r.action).to.equal("promoted");
            expect(fake.calls.map((c) => c.target)).to.deep.equal(["DescribeInstancePatchStatesForPatchGroup", "DescribeInstancePatchStatesForPatchGroup", "DescribeInstancePatchStatesForPatchGroup", "GetPatchBaseline"]);
            expect(delays).to.deep.equal([1, 2]);
            expect(prod.commandCalls(UpdatePatchBaselineCommand)).to.have.length(1);
        });

        it("throttled past every attempt: fails, recorded, prod untouched", async () => {
            const { fake, clients, prod } = realClients({ DescribeInstancePatchStatesForPatchGroup: [throttled] }, 3);
            const lines: string[] = [];
            const err = await runApprovalDatePromotion(clients, { stack: "prod", devPatchGroups: ["dev"], prodBaselineIds: [PROD_AL], bucket: "b", now: NOW, log: (l) => lines.push(l) }).catch((e) => e);
            expect(err.name).to.equal("ThrottlingException");
            expect(err.$metadata.attempts).to.equal(3);
            expect(fake.calls).to.have.length(3);
            expect(prod.commandCalls(UpdatePatchBaselineCommand)).to.have.length(0);
            expect(JSON.parse(lines[0])).to.deep.include({ level: "error", action: "failed" });
        });
    });
});
