/**
 * Emergency patching records who ran it (issue 17): the STS caller identity, with the time and —
 * when the approval gate is bypassed — the reason, on the execution's tags, in the list and in the
 * printed report. Real SDK clients (SSM, S3, STS) over the in-memory transport (tests/fakeAws.ts).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { tagValueSchema } from "../config/fields";
import { EmergencyDeps, renderEmergencyReport, runEmergency, tagValue } from "../core/emergency";
import { parseEmergencyArgs, runEmergencyCli } from "../scripts/emergency";
import { FakeAws } from "./fakeAws";

const NOW = new Date("2026-12-20T09:30:00Z");
const ADMIN = "arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole";
const CALLER = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PatchOperators_0123456789abcdef/alice@example.com";
const ARGS = ["--patches", "KB5034441", "--accounts", "444455556666", "--regions", "us-east-1", "--targets", "tag:Environment=prod", "--admin-role", ADMIN, "--bucket", "patching-prod-artifacts"];
const OVERRIDE = [...ARGS, "--override-approval", "--reason", "CVE-2024-6387 exploited; CAB-99 (emergency)"];

function setup(caller = CALLER) {
    const fake = new FakeAws();
    fake.callerArn = caller;
    fake.automation.steps.push({ StepName: "444455556666-us-east-1", StepStatus: "Success", TargetLocation: { Accounts: ["444455556666"], Regions: ["us-east-1"] } });
    const config = fake.clientConfig();
    const deps: EmergencyDeps = { ssm: new SSMClient(config), s3: new S3Client(config), sts: new STSClient(config), now: NOW, sleep: async () => undefined, log: () => undefined };
    return { fake, deps };
}

describe("emergency patching records who ran it (real clients over tests/fakeAws.ts)", () => {
    it("--override-approval: the caller ARN, the time and the reason are on the execution's tags, in the list and in the report", async () => {
        const { fake, deps } = setup();
        const rep = await runEmergency(parseEmergencyArgs(OVERRIDE).request, deps);
        expect(rep.record).to.deep.equal({ by: CALLER, at: "2026-12-20T09:30:00.000Z", overrideReason: "CVE-2024-6387 exploited; CAB-99 (emergency)" });
        const started = fake.automation.started[0] as { Tags: { Key: string; Value: string }[]; Parameters: Record<string, string[]> };
        expect(started.Parameters.ChangeCalendarName).to.deep.equal(["UNGATED"]);
        expect(started.Tags).to.deep.equal([
            { Key: "PatchingEmergency", Value: "true" },
            { Key: "PatchingStartedBy", Value: CALLER },
            { Key: "PatchingApprovalOverride", Value: "CVE-2024-6387 exploited_ CAB-99 _emergency_" },
            { Key: "PatchingApprovalOverrideAt", Value: "2026-12-20T09:30:00.000Z" },
        ]);
        // Every tag value passes the config model's TagValue rule (botocore: 0–256 of the tag pattern).
        for (const t of started.Tags) expect(tagValueSchema.safeParse(t.Value).success, t.Key).to.equal(true);
        const list = fake.current("patching-prod-artifacts", rep.listUrl.replace("s3://patching-prod-artifacts/", ""))!.body!.toString();
        expect(list).to.contain(`# APPROVAL GATE OVERRIDDEN by ${CALLER} at 2026-12-20T09:30:00.000Z: CVE-2024-6387 exploited; CAB-99 (emergency)`);
        expect(renderEmergencyReport(rep)[1]).to.equal(
            `APPROVAL GATE OVERRIDDEN by ${CALLER} at 2026-12-20T09:30:00.000Z: CVE-2024-6387 exploited; CAB-99 (emergency) (tags PatchingStartedBy, PatchingApprovalOverride, PatchingApprovalOverrideAt; CloudTrail StartAutomationExecution)`,
        );
        expect(fake.count("GetCallerIdentity")).to.equal(1);
    });

    it("a gated run records the caller too (no override tags)", async () => {
        const { fake, deps } = setup();
        let out = "";
        expect(await runEmergencyCli([...ARGS, "--change-calendar", "patching-prod-install-approval"], (s) => (out += s), () => deps)).to.equal(0);
        const started = fake.automation.started[0] as { Tags: { Key: string; Value: string }[] };
        expect(started.Tags).to.deep.equal([
            { Key: "PatchingEmergency", Value: "true" },
            { Key: "PatchingStartedBy", Value: CALLER },
        ]);
        expect(out).to.contain(`Run by ${CALLER} at 2026-12-20T09:30:00.000Z`);
    });

    it("a caller ARN the tag rule does not allow is made a valid tag value; the full ARN stays in the list and report", async () => {
        const odd = `arn:aws:sts::111122223333:assumed-role/Ops/${"a,b".repeat(100)}`;
        const { fake, deps } = setup(odd);
        const rep = await runEmergency(parseEmergencyArgs(OVERRIDE).request, deps);
        const tag = (fake.automation.started[0] as { Tags: { Key: string; Value: string }[] }).Tags.find((t) => t.Key === "PatchingStartedBy")!.Value;
        expect(tag).to.have.length(256);
        expect(tag).to.not.contain(",");
        expect(tagValueSchema.safeParse(tag).success).to.equal(true);
        expect(rep.list).to.contain(odd);
        expect(tagValue("")).to.equal("_");
    });

    it("without a caller identity nothing is written or started", async () => {
        const { fake, deps } = setup();
        fake.failures.push({ operation: "GetCallerIdentity", status: 403, code: "AccessDenied", times: 1 });
        const err = await runEmergency(parseEmergencyArgs(OVERRIDE).request, deps).catch((e: Error) => e);
        expect(err).to.be.instanceOf(Error);
        expect(fake.count("PutObject")).to.equal(0);
        expect(fake.automation.started).to.have.length(0);
    });
});
