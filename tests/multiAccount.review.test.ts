import { expect } from "chai";
import { renderText } from "../review/render";
import { multiAccountSection } from "../review/multiAccountSection";
import * as path from "path";
import { cachedReview, minimalConfig, parse, ROOT } from "./harness";

/** A fixed "now" for next runs: Wednesday 2026-03-04 12:00 UTC (21:00 in Tokyo). */
const NOW = new Date("2026-03-04T12:00:00Z");

/** What reviewers read for the multi-account stacks (`npm start -- --stack <name>`). */
describe("offline review of the multi-account stacks", () => {
    it("prod: roles with full trust and permissions, the runbook, schedules with target locations, the StackSet template", async () => {
        const review = await cachedReview({ stack: "prod", now: NOW });
        expect(review.configErrors).to.deep.equal([]);
        const text = renderText(review);
        for (const line of [
            "trust: AutomationInThisAccount: Allow sts:AssumeRole by Service ssm.amazonaws.com if StringEquals aws:SourceAccount=123456789012 and ArnLike aws:SourceArn=arn:aws:ssm:*:123456789012:automation-execution/*",
            "allow: AssumeExecutionRoleInOrganization: Allow sts:AssumeRole on arn:aws:iam::*:role/AWS-SystemsManager-AutomationExecutionRole if StringEquals aws:ResourceOrgID=o-a1b2c3d4e5",
            "step runPatchBaseline: aws:runCommand AWS-RunPatchBaseline on [\"{{InstanceId}}\"]",
            "targets: ResourceGroup=WebServers → InstanceId; rate control 10% at once, max errors 1",
            "location 2: ou-ab12-34cd56ef (excluding 999988887777) × us-east-1, us-west-2, ap-northeast-1 as AWS-SystemsManager-AutomationExecutionRole; 25% locations at once, max errors 1",
            "patching-prod-automation-members: SERVICE_MANAGED, auto-deployment on (retain stacks on removal: false), call as SELF, CAPABILITY_NAMED_IAM",
            "trust: AdministrationRoleOfManagementAccount: Allow sts:AssumeRole by AWS ${AdministrationRoleArn}",
            "PatchingAutomationExecution: PassOnlyThisRoleToAutomation: Allow iam:PassRole on arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AWS-SystemsManager-AutomationExecutionRole if StringEquals iam:PassedToService=ssm.amazonaws.com",
            "template ResourceGroupWebServers: AWS::ResourceGroups::Group WebServers: AWS::EC2::Instance where PatchFleet in [web]",
        ]) {
            expect(text).to.contain(line);
        }
        const section = review.sections.find((s) => s.title === "Multi-account automation")!;
        expect(section.lines).to.deep.equal([
            "account role: management",
            "runbook Automation-RunPatchBaseline in us-east-1, run as AWS-SystemsManager-AutomationAdministrationRole, which assumes AWS-SystemsManager-AutomationExecutionRole in each target account",
            "target locations:",
            "  1. 444455556666, 777788889999 × us-east-1, us-west-2 — 1 locations at once, max errors 0",
            "  2. ou-ab12-34cd56ef excluding 999988887777 × us-east-1, us-west-2, ap-northeast-1 — 25% locations at once, max errors 1",
            "schedules (EventBridge Scheduler → ssm:StartAutomationExecution):",
            "  prod-daily-scan: Scan of resource group prod-patch-group at cron(0 18 * * ? *) Asia/Tokyo — 25% of instances at once, max errors 10%",
            // 21:00 in Tokyo: today's 18:00 scan has passed.
            "    next: Thu 2026-03-05 18:00 Asia/Tokyo, Fri 2026-03-06 18:00 Asia/Tokyo, Sat 2026-03-07 18:00 Asia/Tokyo",
            // Monthly after dev (the change-safety release calendar rejects a weekly prod install).
            "  prod-web-install: Install (RebootIfNeeded) of resource group WebServers at cron(0 2 ? * TUE#4 *) Asia/Tokyo — 10% of instances at once, max errors 1",
            "    next: Tue 2026-03-24 02:00 Asia/Tokyo, Tue 2026-04-28 02:00 Asia/Tokyo, Tue 2026-05-26 02:00 Asia/Tokyo",
            "org mode: StackSet (SERVICE_MANAGED, auto-deployment) → ou-ab12-34cd56ef × 3 Region(s): role AWS-SystemsManager-AutomationExecutionRole in us-east-1, resource groups WebServers, prod-patch-group in every Region",
            "  (StackSets never deploy to the organization's management account: give it a member stack if it is a target)",
            "deploy this stack first, then each member stack (Pulumi.<account>.yaml) with that account's credentials",
        ]);
    });

    it("member-example: the execution role, its groups per Region, and the deployment order", async () => {
        const review = await cachedReview({ stack: "member-example" });
        expect(review.configErrors).to.deep.equal([]);
        const text = renderText(review);
        expect(text).to.contain("trust: AdministrationRoleOfManagementAccount: Allow sts:AssumeRole by AWS arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole");
        expect(text).to.contain("prod-patch-group: TAG_FILTERS_1_0 AWS::EC2::Instance, AWS::SSM::ManagedInstance where PatchGroup in [prod, prod-critical]");
        const section = review.sections.find((s) => s.title === "Multi-account automation")!;
        expect(section.lines).to.deep.equal([
            "account role: member",
            "member: role AWS-SystemsManager-AutomationExecutionRole trusts account 111122223333's AWS-SystemsManager-AutomationAdministrationRole; resource groups WebServers, prod-patch-group in us-east-1, us-west-2",
            "deploy after the management stack of account 111122223333 (IAM rejects a trust policy naming a role that does not exist yet)",
        ]);
    });

    it("dev: a single account that targets itself", async () => {
        const review = await cachedReview({ stack: "dev", now: NOW });
        const section = review.sections.find((s) => s.title === "Multi-account automation")!;
        expect(section.lines[0]).to.equal("account role: both");
        expect(section.lines).to.include("  1. (this account) × us-east-1 — 10% locations at once, max errors 0");
        // dev-web-install runs Tuesdays 03:00 UTC.
        expect(section.lines).to.include("    next: Tue 2026-03-10 03:00 UTC, Tue 2026-03-17 03:00 UTC, Tue 2026-03-24 03:00 UTC");
        expect(section.lines.at(-1)).to.equal(
            "member: role AWS-SystemsManager-AutomationExecutionRole trusts this stack's AWS-SystemsManager-AutomationAdministrationRole; resource groups WebServers, dev-patch-group in us-east-1",
        );
    });

    it("a stack without the section has no multi-account review section", () => {
        expect(multiAccountSection({ config: parse(minimalConfig()), resources: [], now: new Date(0) })).to.equal(undefined);
        expect(multiAccountSection({ config: parse(minimalConfig({ "patching:multiAccount": { accountRole: "member", managementAccountId: "111122223333", resourceGroups: [{ name: "g", tagFilters: { A: [] } }] } })), resources: [], now: new Date(0) })!.title).to.equal("Multi-account automation");
    });
});

describe("policy pack on the multi-account stacks", () => {
    it("the member example (a prod account) passes the prod preset with no mandatory violation", async () => {
        const review = await cachedReview({ stack: "member-example", policyConfigPath: path.join(ROOT, "policies/presets/prod.json") });
        expect(review.configErrors).to.deep.equal([]);
        expect(review.policyResults.filter((p) => p.enforcementLevel === "mandatory")).to.deep.equal([]);
    });

    it("the IAM policies see every role and inline policy of the automation", async () => {
        const review = await cachedReview({ stack: "prod" });
        const iam = review.resources.filter((r) => r.urn.includes("patching:automation:") && (r.type === "aws:iam/role:Role" || r.type === "aws:iam/rolePolicy:RolePolicy"));
        expect(iam.map((r) => r.name).sort()).to.deep.equal(["prod-automation-admin-policy", "prod-automation-admin-role", "prod-automation-scheduler-policy", "prod-automation-scheduler-role"]);
        expect(review.policyResults.filter((p) => p.policy.startsWith("iam-"))).to.deep.equal([]);
    });
});
