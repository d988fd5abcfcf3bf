import { expect } from "chai";

import { schedulerExpressionProblems } from "../config/multiAccount";
import { isTimeZone } from "../core/schedule";
import { expectIssue as expectConfigIssue, issuesOf, minimalConfig, parse } from "./harness";

const P = "patching:multiAccount";

const webServers = { name: "WebServers", tagFilters: { Name: ["WebServers"] } };
/** A valid management section; tests change one thing at a time. */
function management(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        accountRole: "management",
        organizationId: "o-a1b2c3d4e5",
        resourceGroups: [webServers],
        targetLocations: [{ accounts: ["444455556666", "ou-ab12-34cd56ef"], regions: ["us-east-1", "eu-west-1"] }],
        schedules: [{ name: "weekly-install", operation: "Install", resourceGroup: "WebServers", schedule: "cron(0 3 ? * SUN *)" }],
        ...changes,
    };
}
function member(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return { accountRole: "member", managementAccountId: "111122223333", resourceGroups: [webServers], ...changes };
}
function withSection(section: Record<string, unknown>) {
    return minimalConfig({ [P]: section });
}


const expectIssue = (section: Record<string, unknown>, path: string, text: string, value?: unknown) => expectConfigIssue(withSection(section), path, text, value);

describe("patching:multiAccount config", () => {
    it("accepts a management section and fills the documented defaults", () => {
        const m = parse(withSection(management())).multiAccount!;
        expect(m.administrationRoleName).to.equal("AWS-SystemsManager-AutomationAdministrationRole");
        expect(m.executionRoleName).to.equal("AWS-SystemsManager-AutomationExecutionRole");
        expect(m.documentName).to.equal("Automation-RunPatchBaseline");
        expect(m.resourceGroups[0].resourceTypes).to.deep.equal(["AWS::EC2::Instance"]);
        expect(m.targetLocations[0]).to.deep.equal({
            accounts: ["444455556666", "ou-ab12-34cd56ef"],
            regions: ["us-east-1", "eu-west-1"],
            excludeAccounts: [],
            maxConcurrency: "10%",
            maxErrors: "0",
        });
        expect(m.schedules[0]).to.deep.include({ rebootOption: "RebootIfNeeded", timezone: "UTC", maxConcurrency: "10%", maxErrors: "1", enabled: true });
        expect(m.memberRegions).to.equal(undefined);
    });

    it("accepts a member section and a single-account (both) section without targets", () => {
        expect(parse(withSection(member())).multiAccount!.managementAccountId).to.equal("111122223333");
        const both = parse(withSection({ accountRole: "both", resourceGroups: [webServers], memberRegions: ["us-east-1", "ap-northeast-1"] })).multiAccount!;
        expect(both.targetLocations).to.deep.equal([]);
        expect(both.memberRegions).to.deep.equal(["us-east-1", "ap-northeast-1"]);
    });

    it("is optional: a stack without the section has no multi-account automation", () => {
        expect(parse(minimalConfig()).multiAccount).to.equal(undefined);
    });

    it("reports every problem at once", () => {
        const issues = issuesOf(
            withSection({
                accountRole: "member",
                organizationId: "o-SHORT",
                executionRoleName: "bad role name!",
                resourceGroups: [{ name: "aws-reserved", tagFilters: { Name: ["x"] } }],
                schedules: [{ name: "s", operation: "Install", resourceGroup: "aws-reserved", schedule: "cron(0 3 * * *)" }],
            }),
        );
        expect(issues.map((i) => i.path)).to.deep.equal([
            `${P}.executionRoleName`,
            `${P}.managementAccountId`,
            `${P}.organizationId`,
            `${P}.resourceGroups[0].name`,
            `${P}.schedules`,
            `${P}.schedules[0].schedule`,
        ]);
    });

    describe("identifiers", () => {
        it("account ids are 12 digits", () => {
            expectIssue(member({ managementAccountId: "12345678901" }), `${P}.managementAccountId`, "12-digit AWS account id", "12345678901");
        });
        it("target accounts are 12-digit ids or OU ids", () => {
            expectIssue(management({ targetLocations: [{ accounts: ["4444-5555-6666"], regions: ["us-east-1"] }] }), `${P}.targetLocations[0].accounts[0]`, "12-digit account id or an OU id", "4444-5555-6666");
        });
        it("OU ids follow ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", () => {
            expectIssue(management({ targetLocations: [{ accounts: ["ou-ab12-short"], regions: ["us-east-1"] }] }), `${P}.targetLocations[0].accounts[0]`, "^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", "ou-ab12-short");
        });
        it("the organization id follows ^o-[a-z0-9]{10,32}$", () => {
            expectIssue(management({ organizationId: "o-ABCDEFGHIJ" }), `${P}.organizationId`, "^o-[a-z0-9]{10,32}$", "o-ABCDEFGHIJ");
        });
        it("StackSet deployment targets are OU ids or the root id (^r-[0-9a-z]{4,32}$)", () => {
            const ok = parse(withSection(management({ organizationDeployment: { organizationalUnits: ["r-ab12", "ou-ab12-34cd56ef"], regions: ["us-east-1"] } })));
            expect(ok.multiAccount!.organizationDeployment!.organizationalUnits).to.deep.equal(["r-ab12", "ou-ab12-34cd56ef"]);
            expectIssue(management({ organizationDeployment: { organizationalUnits: ["r-X"], regions: ["us-east-1"] } }), `${P}.organizationDeployment.organizationalUnits[0]`, "^r-[0-9a-z]{4,32}$", "r-X");
        });
        it("StackSet deployment targets are not account ids", () => {
            expectIssue(management({ organizationDeployment: { organizationalUnits: ["444455556666"], regions: ["us-east-1"] } }), `${P}.organizationDeployment.organizationalUnits[0]`, "must be an OU id", "444455556666");
        });
        it("regions are AWS Region names, in target locations", () => {
            expectIssue(management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-9x"] }] }), `${P}.targetLocations[0].regions[0]`, "an AWS Region name", "us-east-9x");
        });
        it("regions are AWS Region names, in memberRegions", () => {
            expectIssue(member({ memberRegions: ["Tokyo"] }), `${P}.memberRegions[0]`, "an AWS Region name", "Tokyo");
        });
        it("regions are AWS Region names, in organizationDeployment", () => {
            expectIssue(management({ organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["eu-central"] } }), `${P}.organizationDeployment.regions[0]`, "an AWS Region name", "eu-central");
        });
        it("role names are 1–64 characters of [\\w+=,.@-]", () => {
            expectIssue(management({ executionRoleName: "x".repeat(65) }), `${P}.executionRoleName`, "1–64 letters", "x".repeat(65));
            expectIssue(management({ administrationRoleName: "with space" }), `${P}.administrationRoleName`, "1–64 letters", "with space");
        });
        it("the two role names differ", () => {
            expectIssue(management({ executionRoleName: "AWS-SystemsManager-AutomationAdministrationRole" }), `${P}.executionRoleName`, "must differ from administrationRoleName");
        });
        it("the runbook name follows ^[a-zA-Z0-9_\\-.]{3,128}$", () => {
            expectIssue(management({ documentName: "ab" }), `${P}.documentName`, "3–128 letters", "ab");
        });
        it("the runbook name does not start with a reserved prefix", () => {
            expectIssue(management({ documentName: "AWS-MyPatching" }), `${P}.documentName`, 'must not start with "aws"', "AWS-MyPatching");
            expectIssue(management({ documentName: "AmazonPatching" }), `${P}.documentName`, 'must not start with "amazon"', "AmazonPatching");
        });
        it("accountRole is management, member or both", () => {
            expectIssue({ accountRole: "admin" }, `${P}.accountRole`, "must be one of management, member, both", "admin");
        });
        it("unknown keys are named with the allowed ones", () => {
            expectIssue(management({ targetAccounts: [] }), P, 'unknown key "targetAccounts"; allowed keys: accountRole, managementAccountId');
        });
    });

    describe("rate control", () => {
        it("target-location maxConcurrency follows MaxConcurrency (no 0, no 0%)", () => {
            expectIssue(management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1"], maxConcurrency: "0" }] }), `${P}.targetLocations[0].maxConcurrency`, "number ≥ 1 or a percentage 1%–100%", "0");
        });
        it("target-location maxErrors follows MaxErrors (0 allowed, 101% not)", () => {
            const ok = parse(withSection(management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1"], maxErrors: "0%" }] })));
            expect(ok.multiAccount!.targetLocations[0].maxErrors).to.equal("0%");
            expectIssue(management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1"], maxErrors: "101%" }] }), `${P}.targetLocations[0].maxErrors`, "number ≥ 0 or a percentage 0%–100%", "101%");
        });
        it("schedule maxConcurrency follows MaxConcurrency", () => {
            const s = management().schedules as Record<string, unknown>[];
            expectIssue(management({ schedules: [{ ...s[0], maxConcurrency: "05%" }] }), `${P}.schedules[0].maxConcurrency`, "percentage 1%–100%", "05%");
        });
        it("schedule maxErrors follows MaxErrors", () => {
            const s = management().schedules as Record<string, unknown>[];
            expectIssue(management({ schedules: [{ ...s[0], maxErrors: "-1" }] }), `${P}.schedules[0].maxErrors`, "number ≥ 0", "-1");
        });
        it("rate control values are at most 7 characters", () => {
            const s = management().schedules as Record<string, unknown>[];
            expectIssue(management({ schedules: [{ ...s[0], maxConcurrency: "12345678" }] }), `${P}.schedules[0].maxConcurrency`, "at most 7 characters", "12345678");
        });
        it("StackSet percentages are whole numbers in range", () => {
            expectIssue(
                management({ organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["us-east-1"], maxConcurrentPercentage: 0 } }),
                `${P}.organizationDeployment.maxConcurrentPercentage`,
                "from 1 to 100",
                0,
            );
            expectIssue(
                management({ organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["us-east-1"], failureTolerancePercentage: 101 } }),
                `${P}.organizationDeployment.failureTolerancePercentage`,
                "from 0 to 100",
                101,
            );
        });
        it("callAs is SELF or DELEGATED_ADMIN", () => {
            expectIssue(management({ organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["us-east-1"], callAs: "ADMIN" } }), `${P}.organizationDeployment.callAs`, "SELF, DELEGATED_ADMIN", "ADMIN");
        });
    });

    describe("limits", () => {
        it("at most 100 target locations", () => {
            const loc = { accounts: ["444455556666"], regions: ["us-east-1"] };
            expectIssue(management({ targetLocations: Array.from({ length: 101 }, () => loc) }), `${P}.targetLocations`, "at most 100 target locations");
        });
        it("1–50 accounts per target location", () => {
            const accounts = Array.from({ length: 51 }, (_, i) => String(100000000000 + i));
            expectIssue(management({ targetLocations: [{ accounts, regions: ["us-east-1"] }] }), `${P}.targetLocations[0].accounts`, "at most 50 accounts or OUs");
            expectIssue(management({ targetLocations: [{ accounts: [], regions: ["us-east-1"] }] }), `${P}.targetLocations[0].accounts`, "needs 1–50 accounts or OUs");
        });
        it("1–50 Regions per target location", () => {
            expectIssue(management({ targetLocations: [{ accounts: ["444455556666"], regions: [] }] }), `${P}.targetLocations[0].regions`, "needs 1–50 Regions");
        });
        it("accounts and Regions are listed once", () => {
            expectIssue(management({ targetLocations: [{ accounts: ["444455556666", "444455556666"], regions: ["us-east-1"] }] }), `${P}.targetLocations[0].accounts[1]`, "is listed twice", "444455556666");
            expectIssue(management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1", "us-east-1"] }] }), `${P}.targetLocations[0].regions[1]`, "is listed twice", "us-east-1");
        });
        it("memberRegions and StackSet Regions/OUs are listed once", () => {
            expectIssue(member({ memberRegions: ["us-east-1", "us-east-1"] }), `${P}.memberRegions[1]`, "is listed twice", "us-east-1");
            expectIssue(
                management({ organizationDeployment: { organizationalUnits: ["r-ab12", "r-ab12"], regions: ["us-east-1", "us-east-1"] } }),
                `${P}.organizationDeployment.organizationalUnits[1]`,
                "is listed twice",
                "r-ab12",
            );
            expectIssue(
                management({ organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["us-east-1", "us-east-1"] } }),
                `${P}.organizationDeployment.regions[1]`,
                "is listed twice",
                "us-east-1",
            );
        });
    });

    describe("who is who", () => {
        it("a member stack names its management account", () => {
            const m = member();
            delete m.managementAccountId;
            expectIssue(m, `${P}.managementAccountId`, "is required for a member stack");
        });
        it("a management or both stack does not take managementAccountId", () => {
            expectIssue(management({ managementAccountId: "111122223333" }), `${P}.managementAccountId`, "only read by member stacks", "111122223333");
            expectIssue({ accountRole: "both", resourceGroups: [webServers], managementAccountId: "111122223333" }, `${P}.managementAccountId`, "only read by member stacks");
        });
        it("a management stack has at least one target location", () => {
            expectIssue(management({ targetLocations: [] }), `${P}.targetLocations`, "needs at least one target location");
        });
        it("a member stack does not start automations", () => {
            expectIssue(member({ schedules: management().schedules }), `${P}.schedules`, "only read by management (or both) stacks");
            expectIssue(member({ targetLocations: management().targetLocations }), `${P}.targetLocations`, "only read by management (or both) stacks");
            expectIssue(member({ organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["us-east-1"] } }), `${P}.organizationDeployment`, "only read by management");
        });
        it("a management stack takes its member Regions from organizationDeployment, not memberRegions", () => {
            expectIssue(management({ memberRegions: ["us-east-1"] }), `${P}.memberRegions`, "only read by member (or both) stacks", ["us-east-1"]);
        });
        it("targeting an OU needs the organization id", () => {
            const m = management();
            delete m.organizationId;
            expectIssue(m, `${P}.organizationId`, "is required when a target location names an OU");
        });
        it("listing only accounts does not need the organization id", () => {
            const m = management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1"] }] });
            delete m.organizationId;
            expect(parse(withSection(m)).multiAccount!.organizationId).to.equal(undefined);
        });
        it("an account cannot be both targeted and excluded", () => {
            expectIssue(
                management({ targetLocations: [{ accounts: ["ou-ab12-34cd56ef", "444455556666"], regions: ["us-east-1"], excludeAccounts: ["444455556666"] }] }),
                `${P}.targetLocations[0].excludeAccounts[0]`,
                "also listed in accounts",
                "444455556666",
            );
        });
        it("excludeAccounts only narrows OU targets", () => {
            expectIssue(
                management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-east-1"], excludeAccounts: ["777788889999"] }] }),
                `${P}.targetLocations[0].excludeAccounts`,
                "only narrows OU targets",
            );
        });
    });

    describe("resource groups", () => {
        it("member and both stacks need at least one", () => {
            expectIssue(member({ resourceGroups: [] }), `${P}.resourceGroups`, "a member stack needs at least one resource group");
            expectIssue({ accountRole: "both" }, `${P}.resourceGroups`, "a both stack needs at least one resource group");
        });
        it("org mode needs at least one", () => {
            expectIssue(
                management({ resourceGroups: [], schedules: [], organizationDeployment: { organizationalUnits: ["r-ab12"], regions: ["us-east-1"] } }),
                `${P}.resourceGroups`,
                "organizationDeployment creates the resource groups",
            );
        });
        it("names follow [a-zA-Z0-9_.-]{1,128}", () => {
            expectIssue(member({ resourceGroups: [{ name: "web servers", tagFilters: { Name: ["x"] } }] }), `${P}.resourceGroups[0].name`, "1–128 letters", "web servers");
        });
        it("names do not start with AWS in any capitalisation", () => {
            expectIssue(member({ resourceGroups: [{ name: "Aws-web", tagFilters: { Name: ["x"] } }] }), `${P}.resourceGroups[0].name`, 'may not start with "AWS"', "Aws-web");
        });
        it("names are unique", () => {
            expectIssue(member({ resourceGroups: [webServers, webServers] }), `${P}.resourceGroups[1].name`, "is used by another resource group", "WebServers");
        });
        it("descriptions use letters, digits, spaces and _ . - only", () => {
            expectIssue(member({ resourceGroups: [{ ...webServers, description: "Web servers (prod)" }] }), `${P}.resourceGroups[0].description`, "Resource Groups GroupDescription", "Web servers (prod)");
        });
        it("need at least one tag key", () => {
            expectIssue(member({ resourceGroups: [{ name: "all", tagFilters: {} }] }), `${P}.resourceGroups[0].tagFilters`, "needs at least one tag key");
        });
        it("hold only patchable resource types", () => {
            expectIssue(member({ resourceGroups: [{ ...webServers, resourceTypes: ["AWS::S3::Bucket"] }] }), `${P}.resourceGroups[0].resourceTypes[0]`, "AWS::EC2::Instance, AWS::SSM::ManagedInstance", "AWS::S3::Bucket");
            expectIssue(member({ resourceGroups: [{ ...webServers, resourceTypes: ["AWS::EC2::Instance", "AWS::EC2::Instance"] }] }), `${P}.resourceGroups[0].resourceTypes[1]`, "is listed twice");
        });
        it("take at most 20 values per tag key", () => {
            const values = Array.from({ length: 21 }, (_, i) => `v${i}`);
            expectIssue(member({ resourceGroups: [{ name: "many", tagFilters: { Role: values } }] }), `${P}.resourceGroups[0].tagFilters.Role`, "at most 20 values");
        });
        it("tag keys and values use tag characters", () => {
            expectIssue(member({ resourceGroups: [{ name: "bad", tagFilters: { Name: ["a*b"] } }] }), `${P}.resourceGroups[0].tagFilters.Name[0]`, "tag values may contain", "a*b");
        });
        it("make a query of at most 4096 characters", () => {
            const tagFilters = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`key${k}`, Array.from({ length: 20 }, (_, i) => `value-${"x".repeat(8)}-${i}`)]));
            expectIssue(member({ resourceGroups: [{ name: "huge", tagFilters }] }), `${P}.resourceGroups[0].tagFilters`, "the limit is 4096");
        });
    });

    describe("schedules", () => {
        const base = (management().schedules as Record<string, unknown>[])[0];
        it("name a configured resource group", () => {
            expectIssue(management({ schedules: [{ ...base, resourceGroup: "DbServers" }] }), `${P}.schedules[0].resourceGroup`, "must name one of resourceGroups (WebServers)", "DbServers");
        });
        it("names follow the Scheduler pattern and are unique", () => {
            expectIssue(management({ schedules: [{ ...base, name: "weekly install" }] }), `${P}.schedules[0].name`, "EventBridge Scheduler Name", "weekly install");
            expectIssue(management({ schedules: [base, base] }), `${P}.schedules[1].name`, "is used by another schedule", "weekly-install");
        });
        it("cron has six fields", () => {
            expectIssue(management({ schedules: [{ ...base, schedule: "cron(0 3 * * SUN)" }] }), `${P}.schedules[0].schedule`, "cron takes 6 fields", "cron(0 3 * * SUN)");
            expectIssue(management({ schedules: [{ ...base, schedule: "cron(0 0 3 ? * SUN *)" }] }), `${P}.schedules[0].schedule`, "without seconds", "cron(0 0 3 ? * SUN *)");
        });
        it("cron fields are in range", () => {
            expectIssue(management({ schedules: [{ ...base, schedule: "cron(0 25 ? * SUN *)" }] }), `${P}.schedules[0].schedule`, 'hours value "25" is out of range 0–23');
        });
        it("cron does not set both day-of-month and day-of-week", () => {
            expectIssue(management({ schedules: [{ ...base, schedule: "cron(0 3 1 * SUN *)" }] }), `${P}.schedules[0].schedule`, "exactly one of day-of-month and day-of-week must be");
        });
        it("rate uses the singular unit for 1 and the plural otherwise", () => {
            expectIssue(management({ schedules: [{ ...base, schedule: "rate(1 days)" }] }), `${P}.schedules[0].schedule`, "rate(1 day)");
            expectIssue(management({ schedules: [{ ...base, schedule: "rate(7 day)" }] }), `${P}.schedules[0].schedule`, "rate(7 days)");
        });
        it("other expressions are rejected with the accepted forms", () => {
            expectIssue(management({ schedules: [{ ...base, schedule: "every sunday" }] }), `${P}.schedules[0].schedule`, "must be cron(...), rate(...) or at(...)", "every sunday");
            expect(schedulerExpressionProblems("at(2026-03-01T03:00:00)")).to.deep.equal([]);
            // Scheduler takes rates from one minute (State Manager associations need 30).
            expect(schedulerExpressionProblems("rate(5 minutes)")).to.deep.equal([]);
            expect(schedulerExpressionProblems("rate(0 hours)")).to.deep.equal(["the rate value must be a positive whole number"]);
        });
        it("time zones are IANA names", () => {
            expect(isTimeZone("Asia/Tokyo")).to.equal(true);
            expectIssue(management({ schedules: [{ ...base, timezone: "JST+9" }] }), `${P}.schedules[0].timezone`, "IANA time zone", "JST+9");
        });
        it("operation is Scan or Install and rebootOption RebootIfNeeded or NoReboot", () => {
            expectIssue(management({ schedules: [{ ...base, operation: "ScanAndInstall" }] }), `${P}.schedules[0].operation`, "Scan, Install", "ScanAndInstall");
            expectIssue(management({ schedules: [{ ...base, rebootOption: "RebootIfRequired" }] }), `${P}.schedules[0].rebootOption`, "RebootIfNeeded, NoReboot", "RebootIfRequired");
        });
        it("installOverrideList is an https:// or s3://bucket/key URL", () => {
            const ok = parse(withSection(management({ schedules: [{ ...base, installOverrideList: "s3://patch-lists/prod/list.yaml" }] })));
            expect(ok.multiAccount!.schedules[0].installOverrideList).to.equal("s3://patch-lists/prod/list.yaml");
            expectIssue(management({ schedules: [{ ...base, installOverrideList: "s3://patch-lists/" }] }), `${P}.schedules[0].installOverrideList`, "InstallOverrideList", "s3://patch-lists/");
        });
        it("installOverrideList only with Install (seed 004: not usable with Scan)", () => {
            expectIssue(management({ schedules: [{ ...base, operation: "Scan", installOverrideList: "https://example.com/list.yaml" }] }), `${P}.schedules[0].installOverrideList`, "only used by Install");
        });
        it("descriptions are at most 512 characters", () => {
            expectIssue(management({ schedules: [{ ...base, description: "d".repeat(513) }] }), `${P}.schedules[0].description`, "at most 512 characters");
        });
    });
});
