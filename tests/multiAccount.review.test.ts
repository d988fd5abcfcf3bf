import { expect } from "chai";
import { renderText } from "../review/render";
import { multiAccountSection } from "../review/multiAccountSection";
import * as path from "path";
import { ACCOUNT, cachedReview, minimalConfig, parse, ROOT } from "./harness";

/** A fixed "now" for next runs: Wednesday 2026-03-04 12:00 UTC (21:00 in Tokyo). */
const NOW = new Date("2026-03-04T12:00:00Z");

/** What reviewers read for the multi-account stacks (`npm start -- --stack <name>`). */
/** The facts of a Multi-account automation section's lines, read field by field. */
function sectionFacts(lines: string[]) {
    const locations = lines
        .map((l) => /^ {2}\d+\. (.+?)(?: excluding (.+?))? × (.+?) — (.+?) locations at once, max errors (\S+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ targets: m[1].split(", "), excluded: m[2]?.split(", ") ?? [], regions: m[3].split(", "), concurrency: m[4], maxErrors: m[5] }));
    const schedules: { name: string; operation: string; group: string; expression: string; timezone: string; next: string[] }[] = [];
    lines.forEach((l, i) => {
        const m = /^ {2}(\S+): (\w+)(?: \(\w+\))? of resource group (\S+) at (\S+(?: \S+)*?\)) (\S+) — /.exec(l);
        if (m) schedules.push({ name: m[1], operation: m[2], group: m[3], expression: m[4], timezone: m[5], next: lines[i + 1].replace(/^ +next: /, "").split(", ") });
    });
    return { role: /^account role: (\w+)$/.exec(lines[0])?.[1], locations, schedules };
}

/** What reviewers read for the multi-account stacks (`npm start -- --stack <name>`). */
describe("offline review of the multi-account stacks", () => {
    it("prod: roles with full trust and permissions, the runbook, schedules with target locations, the StackSet template", async () => {
        const review = await cachedReview({ stack: "prod", now: NOW });
        expect(review.configErrors).to.deep.equal([]);
        const text = renderText(review);
        // Each automation role's trust is shown with its principal and the condition values the plan sends.
        const adminTrust = JSON.parse(String(review.resources.find((r) => r.name === "prod-automation-admin-role")!.inputs.assumeRolePolicy));
        const [statement] = adminTrust.Statement;
        const trustLine = text.split("\n").find((l) => l.includes(`trust: ${statement.Sid}:`))!;
        expect(trustLine).to.contain(`by Service ${statement.Principal.Service}`);
        expect(trustLine).to.contain(`aws:SourceAccount=${ACCOUNT}`).and.contain(`aws:SourceArn=arn:aws:ssm:*:${ACCOUNT}:automation-execution/*`);
        const assume = text.split("\n").find((l) => l.includes("allow: AssumeExecutionRoleInOrganization:"))!;
        expect(assume).to.contain("sts:AssumeRole").and.contain("role/AWS-SystemsManager-AutomationExecutionRole").and.contain("aws:ResourceOrgID=o-a1b2c3d4e5");
        // The StackSet and its template: service-managed into the OU, the execution role's PassRole scoped to SSM.
        expect(text).to.match(/patching-prod-automation-members: SERVICE_MANAGED, auto-deployment on/);
        expect(text).to.match(/PassOnlyThisRoleToAutomation: Allow iam:PassRole on \S+:role\/AWS-SystemsManager-AutomationExecutionRole if StringEquals iam:PassedToService=ssm.amazonaws.com/);
        expect(text).to.match(/template ResourceGroupWebServers: AWS::ResourceGroups::Group WebServers: AWS::EC2::Instance where PatchFleet in \[web\]/);

        const section = review.sections.find((s) => s.title === "Multi-account automation")!;
        const facts = sectionFacts(section.lines);
        expect(facts.role).to.equal("management");
        expect(section.lines[1]).to.match(/^runbook Automation-RunPatchBaseline in us-east-1, run as AWS-SystemsManager-AutomationAdministrationRole, which assumes AWS-SystemsManager-AutomationExecutionRole/);
        expect(facts.locations).to.deep.equal([
            { targets: ["444455556666", "777788889999"], excluded: [], regions: ["us-east-1", "us-west-2"], concurrency: "1", maxErrors: "0" },
            { targets: ["ou-ab12-34cd56ef"], excluded: ["999988887777"], regions: ["us-east-1", "us-west-2", "ap-northeast-1"], concurrency: "25%", maxErrors: "1" },
        ]);
        expect(facts.schedules).to.deep.equal([
            // NOW is Wed 2026-03-04 21:00 in Tokyo: today's 18:00 scan has passed, so the next is tomorrow's.
            { name: "prod-daily-scan", operation: "Scan", group: "prod-patch-group", expression: "cron(0 18 * * ? *)", timezone: "Asia/Tokyo", next: ["Thu 2026-03-05 18:00 Asia/Tokyo", "Fri 2026-03-06 18:00 Asia/Tokyo", "Sat 2026-03-07 18:00 Asia/Tokyo"] },
            // Monthly on the 4th Tuesday (the change-safety release calendar rejects a weekly prod install): March 24, April 28, May 26 2026.
            { name: "prod-web-install", operation: "Install", group: "WebServers", expression: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo", next: ["Tue 2026-03-24 02:00 Asia/Tokyo", "Tue 2026-04-28 02:00 Asia/Tokyo", "Tue 2026-05-26 02:00 Asia/Tokyo"] },
        ]);
        // The one rendering check of this section: how the org-mode deployment reads.
        expect(section.lines).to.include(
            "org mode: StackSet (SERVICE_MANAGED, auto-deployment) → ou-ab12-34cd56ef × 3 Region(s): role AWS-SystemsManager-AutomationExecutionRole in us-east-1, resource groups WebServers, prod-patch-group in every Region",
        );
        expect(section.lines.at(-1)).to.match(/^deploy this stack first, then each member stack/);
    });

    it("member-example: the execution role, its groups per Region, and the deployment order", async () => {
        const review = await cachedReview({ stack: "member-example" });
        expect(review.configErrors).to.deep.equal([]);
        const text = renderText(review);
        expect(text).to.match(/trust: AdministrationRoleOfManagementAccount: Allow sts:AssumeRole by AWS arn:aws:iam::111122223333:role\/AWS-SystemsManager-AutomationAdministrationRole/);
        expect(text).to.match(/prod-patch-group: TAG_FILTERS_1_0 AWS::EC2::Instance, AWS::SSM::ManagedInstance where PatchGroup in \[prod, prod-critical\]/);
        const section = review.sections.find((s) => s.title === "Multi-account automation")!;
        expect(sectionFacts(section.lines).role).to.equal("member");
        expect(section.lines[1]).to.match(/^member: role AWS-SystemsManager-AutomationExecutionRole trusts account 111122223333's AWS-SystemsManager-AutomationAdministrationRole; resource groups WebServers, prod-patch-group in us-east-1, us-west-2$/);
        expect(section.lines[2]).to.match(/^deploy after the management stack of account 111122223333 /);
    });

    it("dev: a single account that targets itself", async () => {
        const review = await cachedReview({ stack: "dev", now: NOW });
        const facts = sectionFacts(review.sections.find((s) => s.title === "Multi-account automation")!.lines);
        expect(facts.role).to.equal("both");
        expect(facts.locations).to.deep.equal([{ targets: ["(this account)"], excluded: [], regions: ["us-east-1"], concurrency: "10%", maxErrors: "0" }]);
        // dev-web-install runs Tuesdays 03:00 UTC: after Wed 2026-03-04, the next are March 10, 17 and 24.
        expect(facts.schedules.find((s) => s.name === "dev-web-install")!.next).to.deep.equal(["Tue 2026-03-10 03:00 UTC", "Tue 2026-03-17 03:00 UTC", "Tue 2026-03-24 03:00 UTC"]);
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
