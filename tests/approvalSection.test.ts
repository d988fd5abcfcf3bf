/** The review's approval section (review/approvalSection.ts): approver role, who may assume it, MFA, two-person rule, and the gate per install path. */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { approvalSection, installPaths, ungatedInstallPaths } from "../review/approvalSection";
import { parse, ROOT } from "./harness";
import { parseConfig } from "../config";
import { stackFileLoader } from "../config/source";

const prodValues = () => YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config as Record<string, any>;
const prod = (values = prodValues()) => parseConfig(values, { project: "patching", stack: "prod", now: new Date("2026-12-14T09:00:00Z"), loadStack: stackFileLoader(ROOT) } as never);

describe("review: approval gate and install paths (review/approvalSection.ts)", () => {
    it("without approvers, says anyone who may update the calendar can approve", () => {
        const s = approvalSection({ config: prod(), resources: [], now: new Date("2026-12-14T09:00:00Z") })!;
        expect(s.title).to.equal("Approval gate and install paths");
        expect(s.lines[0]).to.equal("Approval calendar: patching-prod-install-approval (DEFAULT_CLOSED; an approval is a new calendar version)");
        expect(s.lines[1]).to.contain("! no approver role (approvalGate.approvers)");
        expect(s.lines).to.include("  ✓ changeSafety/gatedInstall (Install (RebootIfNeeded)): held by change calendar patching-prod-install-approval (State Manager starts the association only while it is OPEN)");
    });

    it("with approvers, lists the role, who may assume it, MFA and the two-person rule", () => {
        const values = prodValues();
        values["patching:changeSafety"].approvalGate.approvers = { principals: ["arn:aws:iam::123456789012:user/alice"], identityCenterPermissionSets: ["PatchApprover"], twoPersonRule: true };
        const s = approvalSection({ config: prod(values), resources: [], now: new Date() })!;
        expect(s.lines.slice(1, 6)).to.deep.equal([
            "Approver role: patching-prod-approver — the only principal this program lets change the calendar",
            "  may assume: arn:aws:iam::123456789012:user/alice (MFA required)",
            "  may assume: Identity Center permission set PatchApprover (MFA: Identity Center sign-in policy)",
            "Recorded approver: the role session's STS caller identity (npm run approve), checked by the gate",
            "Two-person rule: on — the requester cannot approve",
        ]);
    });

    it("marks every install path nothing holds (window Install tasks, runbook installs); holds the gated install, owned policies and the orchestrator's batches", () => {
        const cfg = parse({
            "aws:region": "us-east-1",
            "patching:environment": "test",
            "patching:baselines": [{ name: "test-al2023", operatingSystem: "AMAZON_LINUX_2023", approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 0 }], patchGroups: ["test"] }],
        });
        expect(installPaths(cfg)).to.deep.equal([]);
        const paths = installPaths(prod());
        expect(paths.map((p) => [p.path.split(" ")[0], p.gate !== undefined])).to.deep.equal([
            ["patchPolicies/prod-patching", true],
            ["changeSafety/gatedInstall", true],
            ["multiAccount/prod-web-install", false],
            ["maintenanceWindows/prod-critical-install", false],
            ["patchOrchestrators/prod-fleet", true],
        ]);
        expect(ungatedInstallPaths(prod())).to.deep.equal(paths.filter((p) => !p.gate).map((p) => p.path));
        // A multi-Region owned policy: the calendar exists in aws:region only, so the installs in the
        // other Region are not held — the section must say so, not count the policy as gated.
        const values = prodValues();
        values["patching:patchPolicies"][0].regions = ["us-east-1", "us-west-2"];
        values["patching:patchPolicies"][0].useBaselineOverride = true;
        const multi = installPaths(prod(values)).find((p) => p.path.startsWith("patchPolicies/prod-patching"));
        expect(multi?.gate).to.equal(undefined);
        expect(approvalSection({ config: prod(), resources: [], now: new Date() })!.lines).to.include("  ✗ maintenanceWindows/prod-critical-install (Install (RebootIfNeeded)): NOT held by the approval gate");
    });
});
