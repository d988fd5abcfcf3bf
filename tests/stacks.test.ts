import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { named, ofType, ROOT, runStackFile } from "./harness";

/** The shipped stack files, evaluated end to end under the mock engine. */
for (const stack of ["dev", "prod"]) {
    describe(`stack ${stack} (Pulumi.${stack}.yaml)`, () => {
        const file = `Pulumi.${stack}.yaml`;
        const config = YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")).config;
        const baselines = config["patching:baselines"] as { name: string; operatingSystem: string; patchGroups: string[]; approvalRules: { approveAfterDays?: number }[] }[];

        it("registers one baseline per configured baseline with its real inputs", async () => {
            const { resources } = await runStackFile(file, stack);
            const registered = ofType(resources, "aws:ssm/patchBaseline:PatchBaseline");
            expect(registered.map((r) => r.inputs.name).sort()).to.deep.equal(baselines.map((b) => b.name).sort());
            for (const b of baselines) {
                const r = named(resources, "aws:ssm/patchBaseline:PatchBaseline", b.name);
                expect(r.inputs.operatingSystem).to.equal(b.operatingSystem);
                expect((r.inputs.approvalRules as unknown[]).length).to.equal(b.approvalRules.length);
                expect((r.inputs.tags as Record<string, string>).Environment).to.equal(stack);
            }
        });

        it("covers Windows, Amazon Linux 2023, RHEL and Ubuntu", () => {
            expect(baselines.map((b) => b.operatingSystem).sort()).to.deep.equal(["AMAZON_LINUX_2023", "REDHAT_ENTERPRISE_LINUX", "UBUNTU", "WINDOWS"]);
        });

        it("patches its own fleet: scan and install associations targeting PatchFleet=app (one install path per node), rebooting if needed", async () => {
            const { resources } = await runStackFile(file, stack);
            const scan = named(resources, "aws-native:ssm:Association", `${stack}-patching-us-east-1-scan`).inputs as Record<string, any>;
            const install = named(resources, "aws-native:ssm:Association", `${stack}-patching-us-east-1-install`).inputs as Record<string, any>;
            for (const a of [scan, install]) {
                expect(a.targets).to.deep.equal([{ key: "tag:PatchFleet", values: ["app"] }]);
                expect(a.name).to.equal("AWS-RunPatchBaseline");
                expect(a.outputLocation.s3Location.outputS3KeyPrefix).to.match(new RegExp(`^patch-output/${stack}-patching/(scan|install)/123456789012/us-east-1$`));
            }
            expect(scan.scheduleExpression).to.equal("cron(0 1 * * ? *)");
            // Both operations patch with the stack's override store (baseline_overrides.json).
            const override = `s3://patching-overrides-123456789012-us-east-1-${stack}01/baseline_overrides.json`;
            expect(scan.parameters).to.deep.equal({ Operation: ["Scan"], RebootOption: ["NoReboot"], BaselineOverride: [override] });
            // prod (change safety) installs dev's pinned list and waits for the approval calendar.
            const pinned = stack === "prod" ? { InstallOverrideList: ["s3://prod-change-safety-artifacts-bucket/install-override-list/prod.yaml"] } : {};
            expect(install.parameters).to.deep.equal({ Operation: ["Install"], RebootOption: ["RebootIfNeeded"], BaselineOverride: [override], ...pinned });
            expect(install.calendarNames).to.deep.equal(stack === "prod" ? ["arn:aws:ssm:us-east-1:123456789012:document/patching-prod-install-approval"] : undefined);
            expect(scan.calendarNames).to.equal(undefined);
            expect(install.applyOnlyAtCronInterval).to.equal(true);
            expect(ofType(resources, "patching:ssm:PatchPolicy")).to.have.length(1);
            expect(ofType(resources, "aws:iam/instanceProfile:InstanceProfile")).to.have.length(1);
        });

        it("the policy's instance role is admitted by the override store's bucket and may read exactly its object", async () => {
            const { resources } = await runStackFile(file, stack);
            const role = named(resources, "aws:iam/role:Role", `${stack}-patching-iam-instance`).inputs as Record<string, any>;
            expect(role.tags[`QSConfigId-${stack}01`]).to.equal(`${stack}01`);
            const bucketPolicy = ofType(resources, "aws:s3/bucketPolicy:BucketPolicy").find((r) => r.name === `overrides-${stack}01-bucket-policy`)!;
            const deny = JSON.parse(bucketPolicy.inputs.policy as string).Statement.find((s: { Sid: string }) => s.Sid === "DenyAllButPrincipalsWithTag");
            expect(deny.Condition.StringNotEquals).to.deep.equal({ [`aws:PrincipalTag/QSConfigId-${stack}01`]: `${stack}01` });
            const access = JSON.parse(named(resources, "aws:iam/policy:Policy", `${stack}-patching-iam-access`).inputs.policy as string).Statement;
            expect(access[0]).to.deep.equal({
                Sid: "ReadBaselineOverride",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: `arn:aws:s3:::patching-overrides-123456789012-us-east-1-${stack}01/baseline_overrides.json`,
            });
        });

        it("registers every patch group of every baseline, named for the environment", async () => {
            const { resources } = await runStackFile(file, stack);
            const expected = baselines.flatMap((b) => b.patchGroups.map((g) => `${b.name}/${g}`)).sort();
            const got = ofType(resources, "aws:ssm/patchGroup:PatchGroup").map((r) => `${String(r.inputs.baselineId).replace(/-id$/, "")}/${r.inputs.patchGroup}`);
            expect(got.sort()).to.deep.equal(expected);
            for (const g of got) expect(g.split("/")[1].startsWith(stack)).to.equal(true);
        });
    });
}

describe("dev and prod together", () => {
    it("dev installs every Sunday 02:00 UTC; prod a week after Patch Tuesday's Sunday, at 03:00, with lower concurrency", async () => {
        const install = async (stack: string) =>
            named((await runStackFile(`Pulumi.${stack}.yaml`, stack)).resources, "aws-native:ssm:Association", `${stack}-patching-us-east-1-install`).inputs as Record<string, any>;
        const dev = await install("dev");
        const prod = await install("prod");
        expect([dev.scheduleExpression, dev.scheduleOffset]).to.deep.equal(["cron(0 2 ? * SUN *)", undefined]);
        // Patch Tuesday + 12 days = TUE#3 + 5 = the Sunday a week after the Sunday after Patch Tuesday.
        expect([prod.scheduleExpression, prod.scheduleOffset]).to.deep.equal(["cron(0 3 ? * TUE#3 *)", 5]);
        const pct = (v: string) => Number(v.replace("%", ""));
        expect(pct(prod.maxConcurrency)).to.be.below(pct(dev.maxConcurrency));
        expect([dev.maxErrors, prod.maxErrors]).to.deep.equal(["10%", "1"]);
    });

    it("prod approves later than dev for every OS that takes a delay", () => {
        const load = (s: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8")).config["patching:baselines"] as { operatingSystem: string; approvalRules: { approveAfterDays?: number }[] }[];
        const dev = load("dev");
        const prod = load("prod");
        for (const p of prod) {
            const d = dev.find((b) => b.operatingSystem === p.operatingSystem)!;
            const delay = (b: typeof p) => Math.min(...b.approvalRules.map((r) => r.approveAfterDays ?? Infinity));
            if (p.operatingSystem === "UBUNTU") continue;
            expect(delay(d), `dev ${p.operatingSystem}`).to.equal(0);
            expect(delay(p), `prod ${p.operatingSystem}`).to.equal(7);
        }
    });
});

/** The multi-account setup the shipped stack files describe, evaluated end to end. */
describe("multi-account stacks (dev: both, prod: management, member-example: member)", () => {
    const load = (s: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8")).config as Record<string, any>;

    it("dev is a single-account stack: runbook, schedules and member role in one account", async () => {
        const { resources } = await runStackFile("Pulumi.dev.yaml", "dev");
        expect(load("dev")["patching:multiAccount"].accountRole).to.equal("both");
        expect(resources.filter((r) => r.type.startsWith("patching:automation:")).map((r) => r.type)).to.deep.equal(["patching:automation:Management", "patching:automation:Member"]);
        // The automation's schedules (the override store has its own remediation schedule).
        const automation = resources.filter((r) => (r.parent ?? "").includes("patching:automation:Management"));
        expect(ofType(automation, "aws:scheduler/schedule:Schedule").map((s) => s.inputs.name)).to.deep.equal(["dev-web-install"]);
        expect(ofType(resources, "aws:resourcegroups/group:Group").map((g) => g.inputs.name).sort()).to.deep.equal(["WebServers", "dev-patch-group"]);
    });

    it("prod is a management stack targeting accounts and an OU, with the StackSet for the OU", async () => {
        const { resources } = await runStackFile("Pulumi.prod.yaml", "prod");
        const input = JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", "prod-automation-prod-web-install").inputs.target as { input: string }).input);
        expect(input.TargetLocations.map((l: { Accounts: string[] }) => l.Accounts)).to.deep.equal([["444455556666", "777788889999"], ["ou-ab12-34cd56ef"]]);
        expect(ofType(resources, "aws:cloudformation/stackSetInstance:StackSetInstance").map((i) => i.inputs.stackSetInstanceRegion).sort()).to.deep.equal(["ap-northeast-1", "us-east-1", "us-west-2"]);
        expect(ofType(resources, "aws:resourcegroups/group:Group")).to.have.length(0);
        const automation = resources.filter((r) => r.urn.includes("patching:automation:"));
        expect(ofType(automation, "aws:iam/role:Role").map((r) => r.inputs.name ?? r.name)).to.deep.equal(["AWS-SystemsManager-AutomationAdministrationRole", "prod-automation-scheduler-role"]);
    });

    it("member-example is a member stack: execution role and resource groups in each of its Regions", async () => {
        const { resources } = await runStackFile("Pulumi.member-example.yaml", "member-example");
        const role = named(resources, "aws:iam/role:Role", "prod-automation-member-execution-role");
        expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).to.deep.equal({ AWS: "arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole" });
        expect(ofType(resources, "aws:resourcegroups/group:Group").map((g) => g.name).sort()).to.deep.equal([
            "prod-automation-member-WebServers-us-east-1",
            "prod-automation-member-WebServers-us-west-2",
            "prod-automation-member-prod-patch-group-us-east-1",
            "prod-automation-member-prod-patch-group-us-west-2",
        ]);
        expect(ofType(resources, "aws:ssm/document:Document")).to.have.length(0);
    });

    it("member-example defines exactly the resource groups prod's schedules and StackSet use", () => {
        const prod = load("prod")["patching:multiAccount"];
        const memberCfg = load("member-example")["patching:multiAccount"];
        expect(memberCfg.resourceGroups).to.deep.equal(prod.resourceGroups);
        for (const s of prod.schedules) expect(memberCfg.resourceGroups.map((g: { name: string }) => g.name)).to.include(s.resourceGroup);
        // The member example is one of prod's listed target accounts' stacks, in Regions prod targets.
        const listed = prod.targetLocations.find((l: { accounts: string[] }) => l.accounts.includes("444455556666"));
        expect(listed.regions).to.deep.equal(memberCfg.memberRegions);
        expect(load("member-example")["patching:environment"]).to.equal("prod");
    });
});
