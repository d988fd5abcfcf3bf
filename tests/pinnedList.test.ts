import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeInstancePatchesCommand, DescribeInstancePatchStatesForPatchGroupCommand, InstancePatchState, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createHash } from "crypto";
import * as YAML from "yaml";
import { clientConfig } from "../core/awsClients";
import { entryOf, lookbackStart, renderOverrideList, runPinnedListExport } from "../core/pinnedList";
import { jsonServiceFake } from "./sdkFake";

const NOW = new Date("2026-12-12T05:00:00Z");
const green = (id: string, extra: Partial<InstancePatchState> = {}): InstancePatchState => ({
    InstanceId: id,
    PatchGroup: "dev",
    BaselineId: "pb-0de0000000000000a",
    Operation: "Install",
    OperationStartTime: new Date("2026-12-10T02:00:00Z"),
    OperationEndTime: new Date("2026-12-10T02:30:00Z"),
    MissingCount: 0,
    FailedCount: 0,
    ...extra,
});
const patch = (KBId: string, Title: string, installed?: string) => ({
    KBId,
    Title,
    Classification: "Security",
    Severity: "Important",
    State: "INSTALLED" as const,
    InstalledTime: installed ? new Date(installed) : undefined,
});

const WIN_PATCHES = [
    patch("KB5034441", "2024-01 Security Update for Windows Server 2022 (KB5034441)", "2026-12-10T02:10:00Z"),
    patch("KB5048667", "2026-12 Cumulative Update for Microsoft server operating system version 21H2 (KB5048667)", "2026-12-10T02:12:00Z"),
    patch("KB5031364", "2023-10 Cumulative Update", "2026-10-12T02:00:00Z"), // before the window
];
const LINUX_PATCHES = [
    patch("openssl-libs.x86_64", "openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.12", "2026-12-10T02:05:00Z"),
    patch("kernel.x86_64", "kernel.x86_64:0:6.1.115-126.197.amzn2023", "2026-12-10T02:06:00Z"),
    patch("bind-libs.x86_64", "bind-libs.x86_64:32:9.16.48-1.amzn2023.0.1"), // no install time
];

function setup(states: InstancePatchState[]) {
    const clients = { devSsm: new SSMClient({ region: "us-east-1" }), s3: new S3Client({ region: "us-east-1" }) };
    const ssm = mockClient(clients.devSsm);
    const s3 = mockClient(clients.s3);
    ssm.on(DescribeInstancePatchStatesForPatchGroupCommand).resolves({ InstancePatchStates: states });
    ssm.on(DescribeInstancePatchesCommand, { InstanceId: "i-win" }).resolves({ Patches: WIN_PATCHES });
    ssm.on(DescribeInstancePatchesCommand, { InstanceId: "i-al" }).resolves({ Patches: LINUX_PATCHES });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error("no such key"), { name: "NoSuchKey" }));
    s3.on(PutObjectCommand).resolves({});
    const lines: string[] = [];
    const options = { stack: "prod", devPatchGroups: ["dev"], bucket: "artifacts", objectKey: "install-override-list/prod.yaml", now: NOW, log: (l: string) => lines.push(l) };
    return { clients, ssm, s3, options, lines };
}

const EXPECTED = `# InstallOverrideList for prod: what dev installed since 2026-11-10T18:00:00.000Z
# cycle 2026-12; written 2026-12-12T05:00:00.000Z by the patching program (pinned-list promotion)
patches:
  - id: 'KB5034441'
  - id: 'KB5048667'
  - id: 'kernel.x86_64'
    title: '0:6.1.115-126.197.amzn2023'
  - id: 'openssl-libs.x86_64'
    title: '1:3.0.8-1.amzn2023.0.12'
`;

describe("pinned-list promotion (core/pinnedList)", () => {
    describe("format", () => {
        it("Windows entries are KB ids; Linux entries pin name.arch to dev's epoch:version-release", () => {
            expect(entryOf({ KBId: "kb5034441", Title: "2024-01 Security Update (KB5034441)" })).to.deep.equal({ id: "KB5034441" });
            expect(entryOf({ KBId: "openssl-libs.x86_64", Title: "openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.12" })).to.deep.equal({ id: "openssl-libs.x86_64", title: "1:3.0.8-1.amzn2023.0.12" });
            expect(entryOf({ KBId: "libc6", Title: "libc6 2.35-0ubuntu3.8" })).to.deep.equal({ id: "libc6" });
            expect(entryOf({ KBId: "", Title: "x" })).to.equal(undefined);
        });
        it("renders the documented YAML (the seed's sample parses the same way), sorted, deduplicated, quotes escaped", () => {
            const text = renderOverrideList([{ id: "b'x" }, { id: "a", title: "1:2-3" }, { id: "a", title: "1:2-3" }]);
            expect(text).to.equal("patches:\n  - id: 'a'\n    title: '1:2-3'\n  - id: 'b''x'\n");
            expect(YAML.parse(text)).to.deep.equal({ patches: [{ id: "a", title: "1:2-3" }, { id: "b'x" }] });
            const seed = "patches:\n-\n  id: 'kernel.x86_64'\n-\n  id: 'bind*.x86_64'\n  title: '32:9.8.2-0.62.rc1.57.amzn1'\n";
            expect(Object.keys(YAML.parse(seed).patches[1])).to.deep.equal(Object.keys(YAML.parse(renderOverrideList([{ id: "bind*.x86_64", title: "32:9.8.2-0.62.rc1.57.amzn1" }])).patches[0]));
        });
        it("the look-back window starts at the cycle before the current one", () => {
            expect(lookbackStart(NOW, 2)).to.deep.equal({ since: new Date("2026-11-10T18:00:00Z"), cycle: "2026-12" });
            expect(lookbackStart(NOW, 1).since.toISOString()).to.equal("2026-12-08T18:00:00.000Z");
        });
    });

    it("green: writes what dev installed in the window, to the key prod reads and a dated copy", async () => {
        const { clients, ssm, s3, options, lines } = setup([green("i-win"), green("i-al", { Operation: "Scan" })]);
        const r = await runPinnedListExport(clients, options);
        expect(r).to.deep.include({ action: "written", patches: 4, undated: 1, cycle: "2026-12", since: "2026-11-10T18:00:00.000Z" });
        expect(ssm.commandCalls(DescribeInstancePatchesCommand).map((c) => c.args[0].input)).to.deep.equal([
            { InstanceId: "i-win", Filters: [{ Key: "State", Values: ["Installed", "InstalledPendingReboot"] }], MaxResults: 100, NextToken: undefined },
            { InstanceId: "i-al", Filters: [{ Key: "State", Values: ["Installed", "InstalledPendingReboot"] }], MaxResults: 100, NextToken: undefined },
        ]);
        const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
        expect(puts.map((p) => p.Key)).to.deep.equal(["history/install-override-list/prod/2026-12.yaml", "install-override-list/prod.yaml", "promotion/prod/pinned-list-latest.json"]);
        expect(puts[1].Body).to.equal(EXPECTED);
        expect(puts[1]).to.deep.include({ Bucket: "artifacts", ContentType: "application/yaml", Metadata: { "content-sha256": createHash("sha256").update(EXPECTED).digest("hex") } });
        expect(JSON.parse(String(puts[2].Body))).to.deep.include({ action: "written", patches: 4 });
        expect(JSON.parse(lines[0])).to.deep.include({ level: "info", action: "written" });
    });

    it("unchanged content: no list written, only the record", async () => {
        const { clients, s3, options } = setup([green("i-win"), green("i-al")]);
        s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => EXPECTED } as never });
        const r = await runPinnedListExport(clients, options);
        expect(r.action).to.equal("unchanged");
        expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(["promotion/prod/pinned-list-latest.json"]);
    });

    it("non-compliant dev: held, the previous list is kept", async () => {
        const { clients, ssm, s3, options } = setup([green("i-win"), green("i-al", { FailedCount: 2 })]);
        const r = await runPinnedListExport(clients, options);
        expect(r.action).to.equal("held");
        expect(r.reason).to.equal("dev is not green, the list is kept: 1 of 2 instance(s) are green (50%), 100% required: i-al (2 failed)");
        expect(ssm.commandCalls(DescribeInstancePatchesCommand)).to.have.length(0);
        expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(["promotion/prod/pinned-list-latest.json"]);
    });

    it("missing: no dev instances → held", async () => {
        const { clients, options } = setup([]);
        expect((await runPinnedListExport(clients, options)).reason).to.contain("only 0 instance(s) of patch group(s) dev report patch state");
    });

    it("dev installed nothing in the window → held, previous list kept", async () => {
        const { clients, ssm, s3, options } = setup([green("i-win")]);
        ssm.on(DescribeInstancePatchesCommand, { InstanceId: "i-win" }).resolves({ Patches: [WIN_PATCHES[2]] });
        const r = await runPinnedListExport(clients, options);
        expect(r).to.deep.include({ action: "held", reason: "dev installed nothing since 2026-11-10T18:00:00.000Z; the previous list is kept" });
        expect(s3.commandCalls(PutObjectCommand)).to.have.length(1);
    });

    it("throttled DescribeInstancePatches is retried by the SDK; past every attempt the run fails and writes nothing", async () => {
        const epoch = (iso: string) => Date.parse(iso) / 1000;
        const states = { json: { InstancePatchStates: [{ InstanceId: "i-al", PatchGroup: "dev", BaselineId: "pb-1", Operation: "Install", OperationStartTime: epoch("2026-12-10T02:00:00Z"), MissingCount: 0, FailedCount: 0 }] } };
        const patches = { json: { Patches: [{ KBId: "kernel.x86_64", Title: "kernel.x86_64:0:6.1.115-126.197.amzn2023", State: "INSTALLED", InstalledTime: epoch("2026-12-10T02:06:00Z") }] } };
        const throttled = { error: "ThrottlingException" };
        const run = async (script: Parameters<typeof jsonServiceFake>[0]) => {
            const fake = jsonServiceFake(script);
            const devSsm = new SSMClient(clientConfig({ region: "us-east-1", maxAttempts: 3, requestHandler: fake.handler, backoffMs: () => 0, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }));
            const s3 = new S3Client({ region: "us-east-1" });
            const s3m = mockClient(s3);
            s3m.on(GetObjectCommand).rejects(Object.assign(new Error("x"), { name: "NoSuchKey" }));
            s3m.on(PutObjectCommand).resolves({});
            const result = await runPinnedListExport({ devSsm, s3 }, { stack: "prod", devPatchGroups: ["dev"], bucket: "b", objectKey: "l.yaml", now: NOW, log: () => undefined }).catch((e) => e);
            return { fake, result, puts: s3m.commandCalls(PutObjectCommand).length };
        };
        const ok = await run({ DescribeInstancePatchStatesForPatchGroup: [states], DescribeInstancePatches: [throttled, patches] });
        expect(ok.result.action).to.equal("written");
        expect(ok.fake.calls.map((c) => c.target)).to.deep.equal(["DescribeInstancePatchStatesForPatchGroup", "DescribeInstancePatches", "DescribeInstancePatches"]);
        const bad = await run({ DescribeInstancePatchStatesForPatchGroup: [states], DescribeInstancePatches: [throttled] });
        expect(bad.result.name).to.equal("ThrottlingException");
        expect(bad.fake.calls.filter((c) => c.target === "DescribeInstancePatches")).to.have.length(3);
        expect(bad.puts).to.equal(0);
    });
});
