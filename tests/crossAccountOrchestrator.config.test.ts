/**
 * `patching:patchOrchestrators[].crossAccount`: which side a stack deploys, the coordinator's
 * locations (explicit or from patching:multiAccount.targetLocations), rates and role names; every
 * error names the key, the bad value and what is allowed.
 */
import { expect } from "chai";
import { resolveCrossAccount } from "../config/crossAccountOrchestrator";
import { coordinatorPlan } from "../core/orchestrator/crossAccount";
import { expectIssue, issuesOf, minimalConfig, parse } from "./harness";

const C = "patching:patchOrchestrators[0].crossAccount";
const A = "444455556666";
const B = "777788889999";

function orchestrator(crossAccount: Record<string, unknown>, changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name: "xfleet",
        scale: "fleet",
        window: { schedule: "cron(0 22 ? * SAT *)", duration: 4, cutoff: 1 },
        targets: { tags: { PatchFleet: ["batch"] } },
        crossAccount,
        ...changes,
    };
}
const withOrchestrator = (crossAccount: Record<string, unknown>, extra: Record<string, unknown> = {}, changes: Record<string, unknown> = {}) =>
    minimalConfig({ "patching:patchOrchestrators": [orchestrator(crossAccount, changes)], ...extra });
const management = (targetLocations: unknown[]) => ({
    "patching:multiAccount": {
        accountRole: "management",
        resourceGroups: [{ name: "WebServers", tagFilters: { Name: ["WebServers"] } }],
        targetLocations,
        ...(JSON.stringify(targetLocations).includes("ou-") ? { organizationId: "o-a1b2c3d4e5" } : {}),
    },
});

describe("config: patching:patchOrchestrators[].crossAccount", () => {
    it("accepts a coordinator with explicit locations; rates resolve against the location count", () => {
        const cfg = parse(withOrchestrator({ role: "coordinator", locations: [{ accounts: [A, B], regions: ["us-east-1", "us-west-2"] }], locationConcurrency: "50%", locationMaxErrors: "1" }));
        const o = cfg.patchOrchestrators[0];
        const r = resolveCrossAccount(o.name, o.crossAccount!, cfg.multiAccount);
        expect(r.location).to.equal(undefined);
        expect(r.memberRoleName).to.equal("xfleet-location");
        const plan = coordinatorPlan(r.coordinator!.groups, r.coordinator!.locationConcurrency, r.coordinator!.locationMaxErrors);
        expect(plan).to.deep.include({ maxConcurrency: 2, toleratedFailureCount: 1 });
        expect(plan.locations.map((l) => `${l.account}/${l.region}`)).to.deep.equal([`${A}/us-east-1`, `${B}/us-east-1`, `${A}/us-west-2`, `${B}/us-west-2`]);
    });

    it("reuses patching:multiAccount: a management stack coordinates its target locations' accounts, defaults 1 location at a time and 0 errors", () => {
        const cfg = parse(withOrchestrator({}, management([{ accounts: [A], regions: ["eu-west-1"] }])));
        const r = resolveCrossAccount("xfleet", cfg.patchOrchestrators[0].crossAccount!, cfg.multiAccount);
        expect(r.coordinator).to.deep.equal({ groups: [{ accounts: [A], regions: ["eu-west-1"] }], locationConcurrency: "1", locationMaxErrors: "0" });
    });

    it("a member stack is a location that trusts the management account's coordinator", () => {
        const cfg = parse(withOrchestrator({}, { "patching:multiAccount": { accountRole: "member", managementAccountId: "111122223333", resourceGroups: [{ name: "WebServers", tagFilters: { Name: ["WebServers"] } }] } }));
        const r = resolveCrossAccount("xfleet", cfg.patchOrchestrators[0].crossAccount!, cfg.multiAccount);
        expect(r).to.deep.equal({ memberRoleName: "xfleet-location", location: { managementAccountId: "111122223333" } });
    });

    it("applies to scale: fleet only", () => {
        expectIssue(withOrchestrator({ role: "both", locations: [{ accounts: [A], regions: ["us-east-1"] }] }, {}, { scale: "standard" }), C, "applies to scale: fleet only (scale is standard)");
    });

    it("needs a role without patching:multiAccount", () => {
        expectIssue(withOrchestrator({}), `${C}.role`, "is required without patching:multiAccount: one of coordinator, location, both");
        expectIssue(withOrchestrator({ role: "manager" }), `${C}.role`, "coordinator", "manager");
    });

    it("rejects OU target locations it cannot expand, and a coordinator with no locations", () => {
        expectIssue(withOrchestrator({}, management([{ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }])), `${C}.locations`, "names OUs (ou-ab12-34cd56ef), which the coordinator cannot expand");
        expectIssue(withOrchestrator({ role: "coordinator" }), `${C}.locations`, "is required: no locations");
    });

    it("checks account ids, Regions and rates with the key, the value and what is allowed", () => {
        expectIssue(withOrchestrator({ role: "coordinator", locations: [{ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }] }), `${C}.locations[0].accounts[0]`, "12-digit AWS account id", "ou-ab12-34cd56ef");
        expectIssue(withOrchestrator({ role: "coordinator", locations: [{ accounts: [A], regions: ["mars-1"] }] }), `${C}.locations[0].regions[0]`, "AWS Region name", "mars-1");
        expectIssue(withOrchestrator({ role: "coordinator", locations: [{ accounts: [A], regions: ["us-east-1"] }], locationConcurrency: "0" }), `${C}.locationConcurrency`, "a count (1, 10, …) or a percentage", "0");
        expectIssue(withOrchestrator({ role: "coordinator", locations: [{ accounts: [A], regions: ["us-east-1"] }], locationMaxErrors: "-1" }), `${C}.locationMaxErrors`, "a count (0, 1, …) or a percentage", "-1");
    });

    it("caps a coordinator at 1,000 account-Region pairs", () => {
        const accounts = Array.from({ length: 50 }, (_, i) => String(100000000000 + i));
        const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1", "sa-east-1", "ca-central-1", "me-south-1", "af-south-1", "il-central-1", "mx-central-1", "eu-south-1"];
        expectIssue(withOrchestrator({ role: "coordinator", locations: [{ accounts, regions }] }), `${C}.locations`, "expands to 1050 account-Region pairs; at most 1000", 1050);
    });

    it("keeps coordinator keys out of location stacks and the location's management account out of coordinators", () => {
        expectIssue(withOrchestrator({ role: "location", managementAccountId: "111122223333", locationConcurrency: "2" }), `${C}.locationConcurrency`, "is read by the coordinator", "2");
        expectIssue(withOrchestrator({ role: "location" }), `${C}.managementAccountId`, "is required for a location stack");
        expectIssue(withOrchestrator({ role: "both", locations: [{ accounts: [A], regions: ["us-east-1"] }], managementAccountId: "111122223333" }), `${C}.managementAccountId`, "only read by location stacks", "111122223333");
    });

    it("checks the location role name: its length leaves room for the Region, and two orchestrators never share one", () => {
        expectIssue(withOrchestrator({ role: "location", managementAccountId: "111122223333", memberRoleName: "r".repeat(50) }), `${C}.memberRoleName`, "1–49 letters", "r".repeat(50));
        const two = minimalConfig({
            "patching:patchOrchestrators": [
                orchestrator({ role: "location", managementAccountId: "111122223333", memberRoleName: "patch-location" }),
                orchestrator({ role: "location", managementAccountId: "111122223333", memberRoleName: "patch-location" }, { name: "yfleet", logGroup: { name: "/aws/ssm/yfleet" } }),
            ],
        });
        expectIssue(two, "patching:patchOrchestrators[1].crossAccount.memberRoleName", "is already used by patching:patchOrchestrators[0].crossAccount", "patch-location");
    });

    it("reports every problem at once", () => {
        const issues = issuesOf(withOrchestrator({ role: "location", locations: [{ accounts: [A], regions: ["us-east-1"] }] }, {}, { scale: "standard" }));
        expect(issues.map((i) => i.path)).to.include.members([C, `${C}.locations`, `${C}.managementAccountId`]);
    });
});
