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
        expect(ofType(automation, "aws:scheduler/schedule:Schedule").map((s) => s.inputs.name)).to.deep.equal(["dev-daily-scan", "dev-web-install"]);
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
