/**
 * Emergency patching, pinned where the end-to-end tests pass through (surviving mutants of
 * core/emergency.ts): each request problem on its own, the edges of each accepted format, the
 * override entry of an available patch, the execution's defaults, its log record and stored list,
 * and every line of the printed report. Real SDK clients over tests/fakeAws.ts.
 */
import { createHash } from "crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { classifyPatch, EmergencyDeps, EmergencyRequest, entryOfAvailable, parseTarget, renderEmergencyReport, requestProblems, runEmergency, startRequest } from "../core/emergency";
import { FakeAws } from "./fakeAws";

const NOW = new Date("2026-12-20T09:30:00.123Z");
const ADMIN = "arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole";
const CALLER = "arn:aws:sts::111122223333:assumed-role/PatchOperators/alice@example.com";

const request = (r: Partial<EmergencyRequest> = {}): EmergencyRequest => ({
    patches: ["KB5034441"],
    accounts: ["444455556666"],
    regions: ["us-east-1"],
    targets: [{ Key: "tag:Environment", Values: ["prod"] }],
    maxConcurrency: "10%",
    maxErrors: "1",
    products: [],
    rebootOption: "RebootIfNeeded",
    documentName: "patching-prod-Automation-RunPatchBaseline",
    administrationRoleArn: ADMIN,
    executionRoleName: "AWS-SystemsManager-AutomationExecutionRole",
    bucket: "patching-prod-artifacts",
    changeCalendar: "patching-prod-install-approval",
    dryRun: false,
    ...r,
});

function setup() {
    const fake = new FakeAws();
    fake.callerArn = CALLER;
    const logs: string[] = [];
    const config = { ...fake.clientConfig(), maxAttempts: 1 };
    const deps: EmergencyDeps = { ssm: new SSMClient(config), s3: new S3Client(config), sts: new STSClient(config), now: NOW, sleep: async () => undefined, log: (l) => void logs.push(l) };
    return { fake, deps, logs };
}

describe("emergency patching, pinned (core/emergency.ts)", () => {
    describe("patch references", () => {
        it("trims and upper-cases ids; a word merely containing kb or cve is a package", () => {
            expect(classifyPatch(" kb5034441 ")).to.deep.equal({ kind: "kb", id: "KB5034441" });
            expect(classifyPatch(" cve-2024-6387\t")).to.deep.equal({ kind: "cve", id: "CVE-2024-6387" });
            expect(classifyPatch(" openssl ")).to.deep.equal({ kind: "package", id: "openssl" });
            expect(classifyPatch("libkb-tools")).to.deep.equal({ kind: "package", id: "libkb-tools" });
            expect(classifyPatch("libcve-tools")).to.deep.equal({ kind: "package", id: "libcve-tools" });
            expect(classifyPatch("kb50")).to.equal('"kb50" looks like a KB id but is not KB followed by 6–8 digits');
            expect(classifyPatch("cve-24")).to.equal('"cve-24" looks like a CVE id but is not CVE-YYYY-NNNN');
        });
    });

    describe("targets", () => {
        it("a key and 1–50 values, trimmed; the key is one Automation knows, exactly", () => {
            expect(parseTarget(" tag:Env = a , b ,, ")).to.deep.equal({ Key: "tag:Env", Values: ["a", "b"] });
            expect(parseTarget("InstanceIds=i-1,i-2")).to.deep.equal({ Key: "InstanceIds", Values: ["i-1", "i-2"] });
            expect(parseTarget("ResourceGroup=Web=Servers")).to.deep.equal({ Key: "ResourceGroup", Values: ["Web=Servers"] });
            expect(parseTarget(`tag:Env=${Array.from({ length: 50 }, (_, i) => `v${i}`).join(",")}`)).to.have.property("Key", "tag:Env");
            expect(parseTarget(`tag:Env=${Array.from({ length: 51 }, (_, i) => `v${i}`).join(",")}`)).to.match(/needs 1–50 values$/);
            expect(parseTarget("tag:Env= , ,")).to.equal('target "tag:Env= , ," needs 1–50 values');
            expect(parseTarget("prod")).to.equal('target "prod" must be Key=Value[,Value…], e.g. tag:Environment=prod');
            for (const key of ["xInstanceIds", "InstanceIdsx", "Name"]) {
                expect(parseTarget(`${key}=i-1`), key).to.equal(`target key "${key}" must be tag:<key>, tag-key, InstanceIds, ResourceGroup or ParameterValues (Automation Targets)`);
            }
        });
    });

    describe("requestProblems, one at a time", () => {
        it("a valid request has none, with every kind of account, Region and partition", () => {
            expect(requestProblems(request())).to.deep.equal([]);
            expect(
                requestProblems(
                    request({
                        accounts: ["444455556666", "ou-ab12-34cd56ef", "r-ab12"],
                        regions: ["us-gov-west-1", "eu-west-1"],
                        administrationRoleArn: "arn:aws-us-gov:iam::111122223333:role/path/Admin",
                        maxConcurrency: "100%",
                        maxErrors: "0",
                        changeCalendar: "abc",
                    }),
                ),
            ).to.deep.equal([]);
            expect(requestProblems(request({ dryRun: true, bucket: "" }))).to.deep.equal([]);
        });

        const cases: [string, Partial<EmergencyRequest>, string][] = [
            ["no patches", { patches: [] }, "--patches needs at least one KB id, CVE id or package name"],
            ["a bad patch", { patches: ["KB1"] }, '"KB1" looks like a KB id but is not KB followed by 6–8 digits'],
            ["no accounts", { accounts: [] }, "--accounts needs at least one 12-digit account id or OU id"],
            ["an 11-digit account", { accounts: ["44445555666"] }, 'account "44445555666" is not a 12-digit account id, an OU id or a root id'],
            ["a 13-digit account", { accounts: ["4444555566667"] }, 'account "4444555566667" is not a 12-digit account id, an OU id or a root id'],
            ["a short OU id", { accounts: ["ou-ab1-34cd56ef"] }, 'account "ou-ab1-34cd56ef" is not a 12-digit account id, an OU id or a root id'],
            ["an OU id with a short second part", { accounts: ["ou-ab12-34cd56e"] }, 'account "ou-ab12-34cd56e" is not a 12-digit account id, an OU id or a root id'],
            ["an upper-case OU id", { accounts: ["ou-AB12-34CD56EF"] }, 'account "ou-AB12-34CD56EF" is not a 12-digit account id, an OU id or a root id'],
            ["a short root id", { accounts: ["r-ab1"] }, 'account "r-ab1" is not a 12-digit account id, an OU id or a root id'],
            ["no Regions", { regions: [] }, "--regions needs at least one Region"],
            ["a Region with a suffix", { regions: ["us-east-1a"] }, 'region "us-east-1a" is not a Region name such as us-east-1'],
            ["a Region with a prefix", { regions: ["xus-east-1"] }, 'region "xus-east-1" is not a Region name such as us-east-1'],
            ["no targets", { targets: [] }, "--targets needs at least one target, e.g. tag:Environment=prod"],
            ["MaxConcurrency 0", { maxConcurrency: "0" }, '--max-concurrency "0" must be a number or percentage such as 10 or 10% (MaxConcurrency)'],
            ["MaxErrors 101%", { maxErrors: "101%" }, '--max-errors "101%" must be a number or percentage such as 1 or 5% (MaxErrors)'],
            ["a CVE without products", { patches: [" CVE-2024-6387 "] }, "CVE ids are resolved per Linux product: give --products (e.g. AmazonLinux2023,AmazonLinux2); for Windows give the KB id instead"],
            ["a user ARN", { administrationRoleArn: "arn:aws:iam::111122223333:user/admin" }, '--admin-role "arn:aws:iam::111122223333:user/admin" is not an IAM role ARN'],
            ["a role ARN with text after it", { administrationRoleArn: `${ADMIN} x` }, `--admin-role "${ADMIN} x" is not an IAM role ARN`],
            ["a role ARN with text before it", { administrationRoleArn: `x${ADMIN}` }, `--admin-role "x${ADMIN}" is not an IAM role ARN`],
            ["a partition with a digit", { administrationRoleArn: "arn:aws-1:iam::111122223333:role/a" }, '--admin-role "arn:aws-1:iam::111122223333:role/a" is not an IAM role ARN'],
            ["no bucket", { bucket: "" }, "--bucket (the change-safety artifact bucket) is required unless --dry-run"],
            [
                "neither gate nor override",
                { changeCalendar: undefined },
                "name the approval gate the install waits for (--change-calendar, pulumi stack output changeSafety → approvalCalendar), or bypass a closed gate explicitly with --override-approval --reason TEXT",
            ],
            ["both gate and override", { overrideApproval: { reason: "x" } }, "--change-calendar and --override-approval exclude each other: wait for the gate, or bypass it"],
            ["an override without a reason", { changeCalendar: undefined, overrideApproval: { reason: "  " } }, "--override-approval needs --reason TEXT (why the gate is bypassed; recorded)"],
            ["a calendar name of 2 characters", { changeCalendar: "ab" }, '--change-calendar "ab" is not an SSM document name'],
            ["a calendar name with a space", { changeCalendar: "ab cd" }, '--change-calendar "ab cd" is not an SSM document name'],
            ["a calendar name with a trailing slash", { changeCalendar: "abc/" }, '--change-calendar "abc/" is not an SSM document name'],
            ["a calendar name with a leading slash", { changeCalendar: "/abc" }, '--change-calendar "/abc" is not an SSM document name'],
        ];
        for (const [what, change, message] of cases) {
            it(`${what}: exactly "${message.slice(0, 40)}…"`, () => {
                expect(requestProblems(request(change))).to.deep.equal([message]);
            });
        }
    });

    describe("the override entry of an available patch", () => {
        it("name.arch pinned to epoch:version-release; epoch 0 when absent, no release part when absent, no pin without a version", () => {
            expect(entryOfAvailable({ Name: "openssl", Arch: "x86_64", Epoch: 1, Version: "3.0.8", Release: "1.amzn2023" })).to.deep.equal({ id: "openssl.x86_64", title: "1:3.0.8-1.amzn2023" });
            expect(entryOfAvailable({ Name: "openssl", Version: "3.0.8" })).to.deep.equal({ id: "openssl", title: "0:3.0.8" });
            expect(entryOfAvailable({ Name: "openssl", Arch: "noarch" })).to.deep.equal({ id: "openssl.noarch" });
            expect(entryOfAvailable({ Arch: "x86_64", Version: "1" })).to.equal(undefined);
        });
    });

    describe("the StartAutomationExecution request", () => {
        it("one location at a time and no failed location by default; the gate's owner is the administration role's account", () => {
            const r = startRequest(request(), "s3://b/k.yaml", "token");
            expect(r.TargetLocations).to.deep.equal([
                { Accounts: ["444455556666"], Regions: ["us-east-1"], ExecutionRoleName: "AWS-SystemsManager-AutomationExecutionRole", TargetLocationMaxConcurrency: "1", TargetLocationMaxErrors: "0" },
            ]);
            expect(r.Parameters!.ChangeCalendarOwner).to.deep.equal(["111122223333"]);
            const given = startRequest(request({ locationConcurrency: "3", locationErrors: "2" }), "s3://b/k.yaml", "token");
            expect([given.TargetLocations![0].TargetLocationMaxConcurrency, given.TargetLocations![0].TargetLocationMaxErrors]).to.deep.equal(["3", "2"]);
            expect(startRequest(request({ administrationRoleArn: "not-an-arn" }), "s3://b/k.yaml", "t").Parameters!.ChangeCalendarOwner).to.deep.equal([""]);
            expect(r.Tags).to.deep.equal([{ Key: "PatchingEmergency", Value: "true" }]);
        });
    });

    describe("runEmergency", () => {
        it("stores the list under its time and digest, logs the start with who ran it, and reads every location (skipping steps without one)", async () => {
            const t = setup();
            t.fake.automation.statuses = ["InProgress", "Success"];
            t.fake.automation.steps.push(
                { StepName: "assertChangeCalendarOpen", StepStatus: "Success" },
                { StepName: "444455556666-us-east-1", StepStatus: "Success", TargetLocation: { Accounts: ["444455556666"], Regions: ["us-east-1"] } },
                { StepName: "444455556666-eu-west-1", TargetLocation: {} },
            );
            const rep = await runEmergency(request(), t.deps);
            const digest = createHash("sha256").update(rep.list).digest("hex");
            expect(rep.listUrl).to.equal(`s3://patching-prod-artifacts/emergency/20261220T093000Z-${digest.slice(0, 8)}.yaml`);
            const stored = t.fake.current("patching-prod-artifacts", `emergency/20261220T093000Z-${digest.slice(0, 8)}.yaml`)!;
            expect(stored.body!.toString()).to.equal(rep.list);
            expect(stored.metadata).to.deep.equal({ "content-sha256": digest });
            const put = t.fake.requests.find((r) => r.operation === "PutObject")!;
            expect(put.headers["content-type"]).to.equal("application/yaml");
            expect(rep.list.split("\n").slice(0, 3)).to.deep.equal([
                "# Emergency install list: KB5034441",
                `# written ${NOW.toISOString()} by npm run emergency, run by ${CALLER}`,
                "# held by approval calendar patching-prod-install-approval",
            ]);
            expect(t.logs.map((l) => JSON.parse(l))).to.deep.equal([{ emergency: "started", executionId: "exec-1", listUrl: rep.listUrl, by: CALLER, at: NOW.toISOString() }]);
            expect([rep.status, rep.polls]).to.deep.equal(["Success", 2]);
            expect(rep.locations).to.deep.equal([
                { accounts: ["444455556666"], regions: ["us-east-1"], status: "Success", failure: undefined },
                { accounts: [], regions: [], status: "?", failure: undefined },
            ]);
        });

        it("an execution without a status after maxPolls is reported as unknown and still running", async () => {
            const t = setup();
            t.fake.automation.statuses = [undefined as never];
            const rep = await runEmergency(request(), { ...t.deps, maxPolls: 2 });
            expect(rep.status).to.equal("unknown (still running; stopped polling)");
            expect(rep.polls).to.equal(2);
        });
    });

    describe("the printed report", () => {
        it("names the execution, who ran it, each patch, the list, the request's rate control and each location", async () => {
            const t = setup();
            t.fake.automation.statuses = ["CompletedWithFailure"];
            t.fake.automation.steps.push(
                { StepName: "a", StepStatus: "Success", TargetLocation: { Accounts: ["444455556666"], Regions: ["us-east-1"] } },
                { StepName: "b", StepStatus: "Failed", FailureMessage: "MaxErrors reached", TargetLocation: { Accounts: ["777788889999", "111122223333"], Regions: ["eu-west-1", "us-east-1"] } },
            );
            const r = request({
                patches: ["KB5034441", "openssl"],
                accounts: ["444455556666", "777788889999"],
                regions: ["us-east-1", "eu-west-1"],
                targets: [
                    { Key: "tag:Environment", Values: ["prod", "prod-critical"] },
                    { Key: "tag:Role", Values: ["web"] },
                ],
                locationConcurrency: "2",
                locationErrors: "1",
                rebootOption: "NoReboot",
            });
            const rep = await runEmergency(r, t.deps);
            const lines = renderEmergencyReport(rep);
            expect(lines[0]).to.equal("Execution exec-1: CompletedWithFailure");
            expect(lines[1]).to.equal(`Run by ${CALLER} at ${NOW.toISOString()} (tag PatchingStartedBy; CloudTrail StartAutomationExecution)`);
            expect(lines.slice(2, 5)).to.deep.equal(["Patches:", "  KB5034441 → KB5034441", "  openssl → openssl"]);
            expect(lines[5]).to.equal(`InstallOverrideList written to ${rep.listUrl}:`);
            const listLines = rep.list.trimEnd().split("\n");
            expect(lines.slice(6, 6 + listLines.length)).to.deep.equal(listLines.map((l) => `  ${l}`));
            const rest = lines.slice(6 + listLines.length);
            expect(rest).to.deep.equal([
                "Started patching-prod-Automation-RunPatchBaseline (Install, NoReboot) on tag:Environment=prod,prod-critical tag:Role=web",
                "  in 444455556666, 777788889999 × us-east-1, eu-west-1 as AWS-SystemsManager-AutomationExecutionRole; 10% instances at once, max errors 1; 2 location(s) at once, max location errors 1",
                "  baselines: WARNING each account-Region's own default baseline (no --baseline-override); compliance scans may disagree",
                "Locations:",
                "  ✓ 444455556666 us-east-1: Success",
                "  ✗ 777788889999,111122223333 eu-west-1,us-east-1: Failed — MaxErrors reached",
            ]);
        });

        it("a dry run says nothing was written or started and lists no locations; a run without location results says so", async () => {
            const t = setup();
            const dry = renderEmergencyReport(await runEmergency(request({ dryRun: true }), t.deps));
            expect(dry[0]).to.equal("DRY RUN — nothing was written or started.");
            expect(dry.some((l) => l.startsWith("InstallOverrideList (would be written to) s3://patching-prod-artifacts/emergency/"))).to.equal(true);
            expect(dry.some((l) => l.startsWith("Would start patching-prod-Automation-RunPatchBaseline (Install, RebootIfNeeded) on tag:Environment=prod"))).to.equal(true);
            expect(dry).to.not.include("Locations:");
            expect(t.fake.requests.filter((r) => r.service !== "sts")).to.deep.equal([]);
            const u = setup();
            const lines = renderEmergencyReport(await runEmergency(request({ baselineOverride: "s3://store/baseline_overrides.json" }), u.deps));
            expect(lines.slice(-3)).to.deep.equal(["  baselines: the stack's, BaselineOverride s3://store/baseline_overrides.json in every location", "Locations:", "  (no location results reported)"]);
        });
    });
});
