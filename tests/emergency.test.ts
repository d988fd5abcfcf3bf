import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
    DescribeAutomationStepExecutionsCommand,
    DescribeAvailablePatchesCommand,
    GetAutomationExecutionCommand,
    SSMClient,
    StartAutomationExecutionCommand,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import * as YAML from "yaml";
import { clientConfig } from "../core/awsClients";
import { classifyPatch, parseTarget, renderEmergencyReport, requestProblems, resolvePatches, runEmergency } from "../core/emergency";

import { parseEmergencyArgs, runEmergencyCli } from "../scripts/emergency";
import { jsonServiceFake } from "./sdkFake";

const NOW = new Date("2026-12-20T09:30:00Z");
const ADMIN = "arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole";
const ARGS = [
    "--change-calendar",
    "patching-prod-install-approval",
    "--patches",
    "KB5034441,CVE-2024-6387,openssl",
    "--accounts",
    "444455556666,777788889999",
    "--regions",
    "us-east-1,eu-west-1",
    "--targets",
    "tag:Environment=prod",
    "--max-concurrency",
    "10%",
    "--max-errors",
    "1",
    "--products",
    "AmazonLinux2023",
    "--admin-role",
    ADMIN,
    "--bucket",
    "patching-prod-artifacts",
];
const OPENSSH = { Name: "openssh-server", Arch: "x86_64", Epoch: 0, Version: "8.7p1", Release: "8.amzn2023.0.11", CVEIds: ["CVE-2024-6387"], Product: "AmazonLinux2023" };
const OPENSSH_CLIENTS = { ...OPENSSH, Name: "openssh-clients" };

function setup() {
    const ssm = new SSMClient({ region: "us-east-1" });
    const s3 = new S3Client({ region: "us-east-1" });
    const ssmMock = mockClient(ssm);
    const s3Mock = mockClient(s3);
    ssmMock.on(DescribeAvailablePatchesCommand).resolves({ Patches: [OPENSSH, OPENSSH_CLIENTS] });
    ssmMock.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: "exec-1" });
    ssmMock
        .on(GetAutomationExecutionCommand)
        .resolvesOnce({ AutomationExecution: { AutomationExecutionStatus: "InProgress" } })
        .resolvesOnce({ AutomationExecution: { AutomationExecutionStatus: "InProgress" } })
        .resolves({ AutomationExecution: { AutomationExecutionStatus: "CompletedWithFailure" } });
    ssmMock.on(DescribeAutomationStepExecutionsCommand).resolves({
        StepExecutions: [
            { StepName: "444455556666-us-east-1", StepStatus: "Success", TargetLocation: { Accounts: ["444455556666"], Regions: ["us-east-1"] } },
            { StepName: "777788889999-eu-west-1", StepStatus: "Failed", FailureMessage: "1 of 12 instances failed (MaxErrors 1 reached)", TargetLocation: { Accounts: ["777788889999"], Regions: ["eu-west-1"] } },
        ],
    });
    s3Mock.on(PutObjectCommand).resolves({});
    const sleeps: number[] = [];
    // Who runs it (tests/emergency.record.test.ts proves the record through real clients).
    const sts = new STSClient({ region: "us-east-1" });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:sts::111122223333:assumed-role/Ops/alice" });
    const deps = { ssm, s3, sts, now: NOW, sleep: async (ms: number) => void sleeps.push(ms), pollIntervalMs: 15000, log: () => undefined };
    return { ssmMock, s3Mock, deps, sleeps };
}

describe("emergency patching (core/emergency, scripts/emergency)", () => {
    describe("request", () => {
        it("classifies KB ids, CVE ids and package names, and rejects the rest", () => {
            expect(classifyPatch("kb5034441")).to.deep.equal({ kind: "kb", id: "KB5034441" });
            expect(classifyPatch("cve-2024-6387")).to.deep.equal({ kind: "cve", id: "CVE-2024-6387" });
            expect(classifyPatch("openssl-libs.x86_64")).to.deep.equal({ kind: "package", id: "openssl-libs.x86_64" });
            expect(classifyPatch("KB12")).to.equal('"KB12" looks like a KB id but is not KB followed by 6–8 digits');
            expect(classifyPatch("CVE-24-1")).to.equal('"CVE-24-1" looks like a CVE id but is not CVE-YYYY-NNNN');
            expect(classifyPatch("rm -rf")).to.contain("is neither a KB id");
        });
        it("parses targets", () => {
            expect(parseTarget("tag:Environment=prod,staging")).to.deep.equal({ Key: "tag:Environment", Values: ["prod", "staging"] });
            expect(parseTarget("Environment=prod")).to.contain('target key "Environment" must be tag:<key>');
            expect(parseTarget("tag:Environment")).to.contain("must be Key=Value");
        });
        it("waits for the approval gate or bypasses it only when told, with a reason (issue 17)", () => {
            const base = parseEmergencyArgs(ARGS.slice(2)).request;
            expect(requestProblems(base).join("\n")).to.contain("name the approval gate the install waits for (--change-calendar");
            const noReason = parseEmergencyArgs([...ARGS.slice(2), "--override-approval"]).request;
            expect(requestProblems(noReason)).to.include("--override-approval needs --reason TEXT (why the gate is bypassed; recorded)");
            const both = parseEmergencyArgs([...ARGS, "--override-approval", "--reason", "CVE-2024-6387 exploited"]).request;
            expect(requestProblems(both)).to.include("--change-calendar and --override-approval exclude each other: wait for the gate, or bypass it");
        });
        it("reports every problem at once", () => {
            const r = parseEmergencyArgs([...ARGS, "--max-concurrency", "0", "--accounts", "12345", "--regions", "mars-1"]).request;
            expect(requestProblems({ ...r, products: [], administrationRoleArn: "role" })).to.deep.equal([
                'account "12345" is not a 12-digit account id, an OU id or a root id',
                'region "mars-1" is not a Region name such as us-east-1',
                '--max-concurrency "0" must be a number or percentage such as 10 or 10% (MaxConcurrency)',
                "CVE ids are resolved per Linux product: give --products (e.g. AmazonLinux2023,AmazonLinux2); for Windows give the KB id instead",
                '--admin-role "role" is not an IAM role ARN',
            ]);
        });
    });

    it("resolves a CVE per product (Linux needs PRODUCT), every page, pinned to the fixed version", async () => {
        const { ssmMock, deps } = setup();
        ssmMock.on(DescribeAvailablePatchesCommand).resolvesOnce({ Patches: [OPENSSH], NextToken: "n" }).resolves({ Patches: [OPENSSH_CLIENTS] });
        const r = await resolvePatches(deps.ssm, ["CVE-2024-6387", "KB5034441"], ["AmazonLinux2023"]);
        expect(ssmMock.commandCalls(DescribeAvailablePatchesCommand).map((c) => c.args[0].input)).to.deep.equal([
            { Filters: [{ Key: "PRODUCT", Values: ["AmazonLinux2023"] }, { Key: "CVE_ID", Values: ["CVE-2024-6387"] }], MaxResults: 100, NextToken: undefined },
            { Filters: [{ Key: "PRODUCT", Values: ["AmazonLinux2023"] }, { Key: "CVE_ID", Values: ["CVE-2024-6387"] }], MaxResults: 100, NextToken: "n" },
        ]);
        expect(r.entries).to.deep.equal([
            { id: "openssh-server.x86_64", title: "0:8.7p1-8.amzn2023.0.11" },
            { id: "openssh-clients.x86_64", title: "0:8.7p1-8.amzn2023.0.11" },
            { id: "KB5034441" },
        ]);
        expect(r.problems).to.deep.equal([]);
    });

    it("an unresolvable CVE stops everything before anything is written or started", async () => {
        const { ssmMock, s3Mock, deps } = setup();
        ssmMock.on(DescribeAvailablePatchesCommand).resolves({ Patches: [] });
        const err = await runEmergency(parseEmergencyArgs(ARGS).request, deps).catch((e) => e);
        expect(err.message).to.equal(
            "could not resolve every patch; nothing was started:\n  - CVE-2024-6387 matched no available patch for product(s) AmazonLinux2023; give the KB id (Windows) or the package name instead",
        );
        expect(s3Mock.commandCalls(PutObjectCommand)).to.have.length(0);
        expect(ssmMock.commandCalls(StartAutomationExecutionCommand)).to.have.length(0);
    });

    it("--baseline-override: the runbook patches with the stack's baselines in every location, and the report says which baseline applies", async () => {
        const url = "s3://patching-overrides-111122223333-us-east-1-prod01/baseline_overrides.json";
        const { ssmMock, deps } = setup();
        const rep = await runEmergency(parseEmergencyArgs([...ARGS, "--baseline-override", url]).request, deps);
        const start = ssmMock.commandCalls(StartAutomationExecutionCommand)[0].args[0].input;
        expect(start.Parameters?.BaselineOverride).to.deep.equal([url]);
        expect(renderEmergencyReport(rep)).to.include(`  baselines: the stack's, BaselineOverride ${url} in every location`);
        const without = await runEmergency(parseEmergencyArgs(ARGS).request, setup().deps);
        expect(renderEmergencyReport(without).join("\n")).to.contain("WARNING each account-Region's own default baseline");
    });

    it("writes the list, starts the multi-account runbook with rate control, polls without waiting, reports each location", async () => {
        const { ssmMock, s3Mock, deps, sleeps } = setup();
        const rep = await runEmergency(parseEmergencyArgs(ARGS).request, deps);
        const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
        expect(put.Bucket).to.equal("patching-prod-artifacts");
        expect(put.Key).to.match(/^emergency\/20261220T093000Z-[0-9a-f]{8}\.yaml$/);
        expect(YAML.parse(String(put.Body))).to.deep.equal({
            patches: [{ id: "KB5034441" }, { id: "openssh-clients.x86_64", title: "0:8.7p1-8.amzn2023.0.11" }, { id: "openssh-server.x86_64", title: "0:8.7p1-8.amzn2023.0.11" }, { id: "openssl" }],
        });
        const start = ssmMock.commandCalls(StartAutomationExecutionCommand)[0].args[0].input;
        expect(start).to.deep.include({
            DocumentName: "Automation-RunPatchBaseline",
            DocumentVersion: "$DEFAULT",
            TargetParameterName: "InstanceId",
            Targets: [{ Key: "tag:Environment", Values: ["prod"] }],
            MaxConcurrency: "10%",
            MaxErrors: "1",
        });
        expect(start.Parameters).to.deep.equal({
            AutomationAssumeRole: [ADMIN],
            Operation: ["Install"],
            RebootOption: ["RebootIfNeeded"],
            InstallOverrideList: [`s3://patching-prod-artifacts/${put.Key}`],
            // Held by the approval gate: the runbook's calendar check in every location (owner: the administration role's account).
            ChangeCalendarName: ["patching-prod-install-approval"],
            ChangeCalendarOwner: [ADMIN.split(":")[4]],
        });
        expect(start.TargetLocations).to.deep.equal([
            { Accounts: ["444455556666", "777788889999"], Regions: ["us-east-1", "eu-west-1"], ExecutionRoleName: "AWS-SystemsManager-AutomationExecutionRole", TargetLocationMaxConcurrency: "1", TargetLocationMaxErrors: "0" },
        ]);
        expect(start.ClientToken).to.match(/^emergency-[0-9a-f]{24}-2026-12-20T09$/);
        expect(sleeps).to.deep.equal([15000, 15000]);
        expect(rep).to.deep.include({ executionId: "exec-1", status: "CompletedWithFailure", polls: 3 });
        expect(rep.locations).to.deep.equal([
            { accounts: ["444455556666"], regions: ["us-east-1"], status: "Success", failure: undefined },
            { accounts: ["777788889999"], regions: ["eu-west-1"], status: "Failed", failure: "1 of 12 instances failed (MaxErrors 1 reached)" },
        ]);
    });

    it("gives up polling after maxPolls and says the execution is still running", async () => {
        const { ssmMock, deps } = setup();
        ssmMock.on(GetAutomationExecutionCommand).resolves({ AutomationExecution: { AutomationExecutionStatus: "InProgress" } });
        const rep = await runEmergency(parseEmergencyArgs(ARGS).request, { ...deps, maxPolls: 4 });
        expect(rep).to.deep.include({ status: "InProgress (still running; stopped polling)", polls: 4 });
    });

    it("throttled DescribeAvailablePatches is retried by the SDK", async () => {
        const fake = jsonServiceFake({
            DescribeAvailablePatches: [{ error: "ThrottlingException" }, { json: { Patches: [{ ...OPENSSH }] } }],
        });
        const ssm = new SSMClient(clientConfig({ region: "us-east-1", maxAttempts: 3, requestHandler: fake.handler, backoffMs: () => 0, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }));
        const r = await resolvePatches(ssm, ["CVE-2024-6387"], ["AmazonLinux2023"]);
        expect(r.entries).to.deep.equal([{ id: "openssh-server.x86_64", title: "0:8.7p1-8.amzn2023.0.11" }]);
        expect(fake.calls.map((c) => c.target)).to.deep.equal(["DescribeAvailablePatches", "DescribeAvailablePatches"]);
    });

    describe("the command", () => {
        it("--dry-run prints what it would do and writes or starts nothing (exit 0)", async () => {
            const { ssmMock, s3Mock, deps } = setup();
            let out = "";
            const code = await runEmergencyCli([...ARGS, "--dry-run"], (s) => (out += s), () => deps);
            expect(code).to.equal(0);
            expect(s3Mock.commandCalls(PutObjectCommand)).to.have.length(0);
            expect(ssmMock.commandCalls(StartAutomationExecutionCommand)).to.have.length(0);
            const lines = out.split("\n");
            expect(lines[0]).to.equal("DRY RUN — nothing was written or started.");
            expect(lines).to.include("  CVE-2024-6387 → openssh-server.x86_64 0:8.7p1-8.amzn2023.0.11; openssh-clients.x86_64 0:8.7p1-8.amzn2023.0.11");
            expect(lines).to.include("Would start Automation-RunPatchBaseline (Install, RebootIfNeeded) on tag:Environment=prod");
            expect(lines).to.include(
                "  in 444455556666, 777788889999 × us-east-1, eu-west-1 as AWS-SystemsManager-AutomationExecutionRole; 10% instances at once, max errors 1; 1 location(s) at once, max location errors 0",
            );
        });
        it("exit 2 when the execution did not succeed, with the per-location report", async () => {
            const { deps } = setup();
            let out = "";
            expect(await runEmergencyCli(ARGS, (s) => (out += s), () => deps)).to.equal(2);
            expect(out).to.contain("Execution exec-1: CompletedWithFailure");
            expect(out).to.contain("  ✗ 777788889999 eu-west-1: Failed — 1 of 12 instances failed (MaxErrors 1 reached)");
        });
        it("exit 1 for an invalid request, 3 for a usage error", async () => {
            const { deps } = setup();
            let out = "";
            expect(await runEmergencyCli(["--patches", "KB1"], (s) => (out += s), () => deps)).to.equal(1);
            expect(out).to.contain("emergency request is invalid");
            expect(await runEmergencyCli(["--patch", "KB5034441"], () => undefined, () => deps)).to.equal(3);
            expect(await runEmergencyCli(["--targets", "Environment=prod"], () => undefined, () => deps)).to.equal(3);
        });
    });
});
