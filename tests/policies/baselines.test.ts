import { expect } from "chai";
import { baselineApprovesSomething, baselineMinApprovalDelay, baselineMinComplianceLevel, baselineRejectedPatchesBlocked } from "../../policies/baselines";
import { check, messages, res } from "./util";

const PB = "aws:ssm/patchBaseline:PatchBaseline";
const rule = (extra: Record<string, unknown>) => ({ patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }], complianceLevel: "HIGH", ...extra });
const other = res("aws:ssm/patchGroup:PatchGroup", "pg", { patchGroup: "prod", baselineId: "x" });

describe("policies: baselines", () => {
    describe("baseline-min-approval-delay", () => {
        it("passes rules at or above the minimum, date-pinned rules and Ubuntu", async () => {
            const ok = [
                res(PB, "a", { operatingSystem: "WINDOWS", approvalRules: [rule({ approveAfterDays: 7 }), rule({ approveUntilDate: "2026-01-01" })] }),
                res(PB, "u", { operatingSystem: "UBUNTU", approvalRules: [rule({})] }),
                other,
            ];
            expect(await messages(baselineMinApprovalDelay, ok, { minApproveAfterDays: 7 })).to.deep.equal([]);
        });
        it("reports each rule below the minimum with the fix", async () => {
            const bad = res(PB, "prod-al2023", { operatingSystem: "AMAZON_LINUX_2023", approvalRules: [rule({ approveAfterDays: 0 }), rule({ approveAfterDays: 3 })] });
            const msgs = await messages(baselineMinApprovalDelay, [bad], { minApproveAfterDays: 7 });
            expect(msgs).to.deep.equal([
                'PatchBaseline "prod-al2023": approval rule 1 approves patches 0 day(s) after release; this stack requires at least 7. Fix: set approvalRules[0].approveAfterDays to 7 or more, or pin an approveUntilDate.',
                'PatchBaseline "prod-al2023": approval rule 2 approves patches 3 day(s) after release; this stack requires at least 7. Fix: set approvalRules[1].approveAfterDays to 7 or more, or pin an approveUntilDate.',
            ]);
        });
        it("defaults to 0 days (advisory) without configuration", async () => {
            expect(await check(baselineMinApprovalDelay, [res(PB, "a", { operatingSystem: "WINDOWS", approvalRules: [rule({ approveAfterDays: 0 })] })])).to.deep.equal([]);
        });
    });

    describe("baseline-approves-something", () => {
        it("passes rules or approved patches, and other types", async () => {
            expect(await messages(baselineApprovesSomething, [res(PB, "a", { approvalRules: [rule({})] }), res(PB, "b", { approvedPatches: ["KB1"] }), other])).to.deep.equal([]);
        });
        it("reports a baseline that approves nothing, as mandatory", async () => {
            const r = await check(baselineApprovesSomething, [res(PB, "empty", { approvalRules: [] })]);
            expect(r).to.have.length(1);
            expect(r[0]).to.include({ enforcementLevel: "mandatory", severity: "critical", urn: "urn:pulumi:test::patching::aws:ssm/patchBaseline:PatchBaseline::empty" });
            expect(r[0].message).to.contain("approves nothing");
        });
    });

    describe("baseline-min-compliance-level", () => {
        it("passes levels at least as severe as required", async () => {
            expect(await messages(baselineMinComplianceLevel, [res(PB, "a", { approvalRules: [rule({ complianceLevel: "CRITICAL" })] })], { minComplianceLevel: "HIGH" })).to.deep.equal([]);
        });
        it("reports rules and approved patches below the minimum", async () => {
            const msgs = await messages(
                baselineMinComplianceLevel,
                [res(PB, "a", { approvalRules: [rule({ complianceLevel: "LOW" })], approvedPatches: ["KB1"], approvedPatchesComplianceLevel: "UNSPECIFIED" })],
                { minComplianceLevel: "MEDIUM" },
            );
            expect(msgs).to.have.length(2);
            expect(msgs[0]).to.contain("approval rule 1 reports missing patches as LOW, below the required MEDIUM");
            expect(msgs[1]).to.contain("approved patches report as UNSPECIFIED");
        });
    });

    describe("baseline-rejected-patches-blocked", () => {
        it("passes BLOCK and baselines without rejected patches", async () => {
            expect(await messages(baselineRejectedPatchesBlocked, [res(PB, "a", { rejectedPatches: ["KB5034441"], rejectedPatchesAction: "BLOCK" }), res(PB, "b", {}), other])).to.deep.equal([]);
        });
        it("reports ALLOW_AS_DEPENDENCY (and the unset default) with the fix", async () => {
            const msgs = await messages(baselineRejectedPatchesBlocked, [res(PB, "a", { rejectedPatches: ["KB5034441"], rejectedPatchesAction: "ALLOW_AS_DEPENDENCY" }), res(PB, "b", { rejectedPatches: ["x"] })], "mandatory");
            expect(msgs).to.have.length(2);
            expect(msgs[0]).to.equal('PatchBaseline "a" rejects KB5034441 but with action ALLOW_AS_DEPENDENCY, so they can still be installed as dependencies. Fix: set rejectedPatchesAction: BLOCK.');
        });
    });
});
