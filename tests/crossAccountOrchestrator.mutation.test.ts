/**
 * `patching:patchOrchestrators[].crossAccount` decided directly (config/crossAccountOrchestrator.ts):
 * which side a stack deploys, where the coordinator's locations come from, and every cross-field
 * rule with its exact issue. Written for the StrykerJS survivors of the configGates group.
 */
import { expect } from "chai";
import { checkCrossAccountOrchestrators, MAX_COORDINATED_LOCATIONS, resolveCrossAccount } from "../config/crossAccountOrchestrator";
import { IssueSink } from "../config/issues";

const A = "444455556666";
const B = "777788889999";
const P = "patching:patchOrchestrators";

describe("cross-account fleet orchestrators: sides, locations and rules (mutation testing)", () => {
    describe("resolveCrossAccount", () => {
        it("a coordinator: explicit locations, one location at a time and no error tolerated by default, <name>-location as the location role", () => {
            expect(resolveCrossAccount("xfleet", { role: "coordinator", locations: [{ accounts: [A], regions: ["us-east-1"] }] } as never, undefined)).to.deep.equal({
                memberRoleName: "xfleet-location",
                coordinator: { groups: [{ accounts: [A], regions: ["us-east-1"] }], locationConcurrency: "1", locationMaxErrors: "0" },
            });
            // Neither locations nor patching:multiAccount: no location groups (the config check reports the missing locations).
            expect(resolveCrossAccount("xfleet", { role: "coordinator" } as never, undefined).coordinator).to.deep.equal({ groups: [], locationConcurrency: "1", locationMaxErrors: "0" });
        });

        it("a management stack coordinates the account ids of its target locations (OUs and entries without ids or Regions left out)", () => {
            const multiAccount = {
                accountRole: "management",
                targetLocations: [
                    { accounts: [A, "ou-ab12-34cd56ef", 7], regions: ["us-east-1", 3, "us-west-2"] },
                    { accounts: ["ou-ab12-34cd56ef"], regions: ["eu-west-1"] },
                    { accounts: [B], regions: [] },
                    { accounts: [B], regions: ["ap-northeast-1"] },
                ],
            };
            const r = resolveCrossAccount("f", { memberRoleName: "loc", locationConcurrency: "50%", locationMaxErrors: "2" } as never, multiAccount);
            expect(r).to.deep.equal({
                memberRoleName: "loc",
                coordinator: {
                    groups: [
                        { accounts: [A], regions: ["us-east-1", "us-west-2"] },
                        { accounts: [B], regions: ["ap-northeast-1"] },
                    ],
                    locationConcurrency: "50%",
                    locationMaxErrors: "2",
                },
            });
        });

        it("a member stack is a location trusting its management account; its own managementAccountId wins; both is both", () => {
            const member = { accountRole: "member", managementAccountId: "111122223333" };
            expect(resolveCrossAccount("f", {} as never, member)).to.deep.equal({ memberRoleName: "f-location", location: { managementAccountId: "111122223333" } });
            expect(resolveCrossAccount("f", { managementAccountId: "222233334444" } as never, member).location).to.deep.equal({ managementAccountId: "222233334444" });
            expect(resolveCrossAccount("f", {} as never, { accountRole: "member", managementAccountId: 7 }).location).to.deep.equal({ managementAccountId: undefined });
            expect(resolveCrossAccount("f", { role: "location" } as never, undefined).location).to.deep.equal({ managementAccountId: undefined });
            const both = resolveCrossAccount("f", {} as never, { accountRole: "both", targetLocations: [{ accounts: [A], regions: ["us-east-1"] }] });
            expect(Object.keys(both).sort()).to.deep.equal(["coordinator", "location", "memberRoleName"]);
            expect(resolveCrossAccount("f", { role: "location" } as never, { accountRole: "management" })).to.have.keys("memberRoleName", "location");
        });

        it("no role and no multi-account role, or a role that does not exist: neither side", () => {
            expect(resolveCrossAccount("f", {} as never, undefined)).to.deep.equal({ memberRoleName: "f-location" });
            expect(resolveCrossAccount("f", {} as never, { accountRole: "observer" })).to.deep.equal({ memberRoleName: "f-location" });
            expect(resolveCrossAccount("f", { role: "boss" } as never, { accountRole: "management" })).to.deep.equal({ memberRoleName: "f-location" });
        });
    });

    describe("checkCrossAccountOrchestrators", () => {
        const orchestrator = (crossAccount: unknown, extra: Record<string, unknown> = {}) => ({ name: "xfleet", scale: "fleet", crossAccount, ...extra });
        const check = (orchestrators: unknown[], multiAccount?: unknown) => {
            const sink = new IssueSink();
            checkCrossAccountOrchestrators(sink, P, orchestrators, multiAccount);
            return sink.issues.map((i) => `${i.path}: ${i.message}${"value" in i ? ` = ${JSON.stringify(i.value)}` : ""}`);
        };
        const locations = [{ accounts: [A], regions: ["us-east-1"] }];

        it("fleet scale only, naming the scale given (standard when none)", () => {
            const c = { role: "coordinator", locations };
            expect(check([orchestrator(c, { scale: undefined })])).to.deep.equal([`${P}[0].crossAccount: applies to scale: fleet only (scale is standard): each location runs the fleet orchestrator = ${JSON.stringify(c)}`]);
            expect(check([orchestrator(c, { scale: "huge" })])[0]).to.contain("(scale is huge)");
            expect(check([orchestrator(c), { name: "plain", scale: "standard" }])).to.deep.equal([]);
        });

        it("a role is required without patching:multiAccount; a role that does not exist is its schema's to report", () => {
            expect(check([orchestrator({ locations })])).to.deep.equal([`${P}[0].crossAccount.role: is required without patching:multiAccount: one of coordinator, location, both`]);
            expect(check([orchestrator({ role: "boss", locations })])).to.deep.equal([]);
        });

        it("a location stack refuses the coordinator's keys, each at its key with the stack's role", () => {
            expect(check([orchestrator({ role: "location", managementAccountId: "111122223333", locations, locationConcurrency: "2", locationMaxErrors: "1" })])).to.deep.equal([
                `${P}[0].crossAccount.locations: is read by the coordinator (role coordinator or both); this stack's role is location: set it in the management account's stack = ${JSON.stringify(locations)}`,
                `${P}[0].crossAccount.locationConcurrency: is read by the coordinator (role coordinator or both); this stack's role is location: set it in the management account's stack = "2"`,
                `${P}[0].crossAccount.locationMaxErrors: is read by the coordinator (role coordinator or both); this stack's role is location: set it in the management account's stack = "1"`,
            ]);
        });

        it("a coordinator without locations: OUs it cannot expand are named; no account ids at all is said so; explicit locations need neither", () => {
            const management = (targetLocations: unknown[]) => ({ accountRole: "management", targetLocations });
            expect(check([orchestrator({})], management([{ accounts: ["ou-ab12-34cd56ef", A], regions: ["us-east-1"] }, { accounts: ["ou-ab12-99999999"], regions: ["us-east-1"] }]))).to.deep.equal([
                `${P}[0].crossAccount.locations: is required: patching:multiAccount.targetLocations names OUs (ou-ab12-34cd56ef, ou-ab12-99999999), which the coordinator cannot expand to accounts; list the account ids and Regions`,
            ]);
            expect(check([orchestrator({})], management([{ accounts: [7, "ou-ab12-34cd56ef"], regions: ["us-east-1"] }]))[0], "only the OU ids are named").to.contain("names OUs (ou-ab12-34cd56ef), which");
            expect(check([orchestrator({})], management([]))).to.deep.equal([`${P}[0].crossAccount.locations: is required: no locations (patching:multiAccount.targetLocations has no account ids); list { accounts, regions }`]);
            expect(check([orchestrator({})], management([{ accounts: [A], regions: ["us-east-1"] }]))).to.deep.equal([]);
            expect(check([orchestrator({ locations })], management([{ accounts: ["ou-ab12-34cd56ef"], regions: ["us-east-1"] }]))).to.deep.equal([]);
        });

        it(`at most ${MAX_COORDINATED_LOCATIONS} account-Region pairs per coordinator: exactly that many is fine`, () => {
            const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
            const at = (n: number) => check([orchestrator({ role: "coordinator", locations: [{ accounts: accounts(n / 2), regions: ["us-east-1", "us-west-2"] }] })]);
            expect(at(MAX_COORDINATED_LOCATIONS)).to.deep.equal([]);
            expect(at(MAX_COORDINATED_LOCATIONS + 2)).to.deep.equal([
                `${P}[0].crossAccount.locations: expands to ${MAX_COORDINATED_LOCATIONS + 2} account-Region pairs; at most ${MAX_COORDINATED_LOCATIONS} per coordinator (split the fleet into two orchestrators) = ${MAX_COORDINATED_LOCATIONS + 2}`,
            ]);
        });

        it("a location needs the management account (its own or patching:multiAccount's); role both must not name one", () => {
            expect(check([orchestrator({ role: "location" })])).to.deep.equal([
                `${P}[0].crossAccount.managementAccountId: is required for a location stack without patching:multiAccount.managementAccountId: the location role trusts that account's coordinator`,
            ]);
            expect(check([orchestrator({})], { accountRole: "member", managementAccountId: "111122223333" })).to.deep.equal([]);
            expect(check([orchestrator({ role: "location", managementAccountId: "111122223333" })])).to.deep.equal([]);
            expect(check([orchestrator({ role: "both", locations })])).to.deep.equal([]);
            expect(check([orchestrator({ role: "both", locations, managementAccountId: "111122223333" })])).to.deep.equal([
                `${P}[0].crossAccount.managementAccountId: is only read by location stacks; with role both this account runs the coordinator = "111122223333"`,
            ]);
        });

        it("two orchestrators never share a location role (explicit or <name>-location); an unnamed one has no default to compare", () => {
            const c = { role: "coordinator", locations };
            expect(check([orchestrator(c), orchestrator(c), orchestrator({ ...c, memberRoleName: "xfleet-location" }, { name: "other" }), orchestrator(c, { name: 7 }), orchestrator(c, { name: 7 })])).to.deep.equal([
                `${P}[1].crossAccount.memberRoleName: role name xfleet-location is already used by ${P}[0].crossAccount; each orchestrator needs its own location role = "xfleet-location"`,
                `${P}[2].crossAccount.memberRoleName: role name xfleet-location is already used by ${P}[0].crossAccount; each orchestrator needs its own location role = "xfleet-location"`,
            ]);
        });

        it("<role>-<region> must not collide with the multi-account roles' names", () => {
            const multiAccount = { accountRole: "management", targetLocations: locations, executionRoleName: "xfleet-location-exec", administrationRoleName: "admin-xfleet-location-" };
            expect(check([orchestrator({})], multiAccount)).to.deep.equal([
                `${P}[0].crossAccount.memberRoleName: xfleet-location-<region> could collide with patching:multiAccount.executionRoleName (xfleet-location-exec); choose another name = "xfleet-location"`,
            ]);
            expect(check([orchestrator({})], { ...multiAccount, executionRoleName: 5 })).to.deep.equal([]);
            expect(check([orchestrator({})], { ...multiAccount, executionRoleName: 5, administrationRoleName: "xfleet-location-admin" })).to.deep.equal([
                `${P}[0].crossAccount.memberRoleName: xfleet-location-<region> could collide with patching:multiAccount.administrationRoleName (xfleet-location-admin); choose another name = "xfleet-location"`,
            ]);
        });
    });
});
