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
        const values = prodValues();
        delete values["patching:changeSafety"].approvalGate.approvers;
        const s = approvalSection({ config: prod(values), resources: [], now: new Date("2026-12-14T09:00:00Z") })!;
        expect(s.title).to.equal("Approval gate and install paths");
        expect(s.lines[0]).to.equal("Approval calendar: patching-prod-install-approval (DEFAULT_CLOSED; an approval is a new calendar version)");
        expect(s.lines[1]).to.contain("! no approver role (approvalGate.approvers)");
        expect(s.lines[2]).to.match(/^Approvers verified in CloudTrail: .*UpdateDocument userIdentity/);
        expect(s.lines).to.include("  ✓ changeSafety/gatedInstall (Install (RebootIfNeeded)): held by change calendar patching-prod-install-approval (State Manager starts the association only while it is OPEN)");
    });

    it("with approvers, lists the role, who may assume it, MFA and the two-person rule", () => {
        const values = prodValues();
        values["patching:changeSafety"].approvalGate.approvers = {
            principals: ["arn:aws:iam::123456789012:user/alice"],
            identityCenterPermissionSets: ["PatchApprover"],
            twoPersonRule: true,
            requesters: { principals: ["arn:aws:iam::123456789012:user/bob"], identityCenterPermissionSets: ["PatchRequester"] },
        };
        const s = approvalSection({ config: prod(values), resources: [], now: new Date() })!;
        // Under the two-person rule: both calendars, and who writes each.
        expect(s.lines.slice(0, 2)).to.deep.equal([
            "Approval calendar: patching-prod-approvals — written by the approver role only (an approval is a new calendar version); no install checks it",
            "Release calendar: patching-prod-install-approval (DEFAULT_CLOSED, in every Region of held installs) — what every install path checks; written by the approval gate function only, which opens it with an approval's window once the approval passes every check, and ends it when the approval is withdrawn; the approver and requester roles cannot write it",
        ]);
        expect(s.lines.slice(2, 14)).to.deep.equal([
            "Approver role: patching-prod-approver — the only principal this program lets change the approval calendar",
            "  may assume: arn:aws:iam::123456789012:user/alice (MFA required)",
            "  may assume: Identity Center permission set PatchApprover (MFA: Identity Center sign-in policy)",
            "Recorded approver: the approver role session that made the calendar change, as CloudTrail records it (npm run approve shows it from STS)",
            "Requester role: patching-prod-requester — the only principal this program lets write a person's request (approval-gate/prod/* in the artifact bucket); it cannot change the calendar, and the approver role cannot write requests",
            "  may assume: arn:aws:iam::123456789012:user/bob (MFA required)",
            "  may assume: Identity Center permission set PatchRequester (MFA: Identity Center sign-in policy)",
            "Recorded requester: the requester role session that ran npm run approve -- --request (STS caller identity), written with a precondition (If-None-Match / If-Match)",
            "Two-person rule: on — the requester cannot approve",
            "  requester: the STS caller identity that made the request; compared by principal (role + session, or IAM user) and by person (session or user name)",
            "  the scheduled request of the gate function does not count: until a person requests, the install is held (no person requested this cycle)",
            "Approvers verified in CloudTrail: the gate counts an approval as made by the principal CloudTrail records for the calendar change (UpdateDocument userIdentity), never the event's typed approver (one naming someone else is rejected); no event yet = pending, not counted",
        ]);
    });

    it("holds every install path of prod (gated install, owned policy, runbook installs, window Install tasks, orchestrator); a managed policy is not held", () => {
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
            ["multiAccount/prod-web-install", true],
            ["maintenanceWindows/prod-critical-install", true],
            ["patchOrchestrators/prod-fleet", true],
        ]);
        expect(ungatedInstallPaths(prod())).to.deep.equal([]);
        expect(approvalSection({ config: prod(), resources: [], now: new Date() })!.lines.at(-1)).to.match(/^ {2}emergency patching \(npm run emergency\): waits for the calendar \(--change-calendar\) in every location, unless --override-approval --reason bypasses it/);
        // A multi-Region owned policy: each Region's install names its Region's copy of the calendar.
        const values = prodValues();
        values["patching:patchPolicies"][0].regions = ["us-east-1", "us-west-2"];
        values["patching:patchPolicies"][0].useBaselineOverride = true;
        const multi = installPaths(prod(values)).find((p) => p.path.startsWith("patchPolicies/prod-patching"));
        expect(multi?.gate).to.contain("in us-east-1, us-west-2");
        // A window Automation task runs any runbook: the window is not held.
        values["patching:maintenanceWindows"][0].tasks.push({ name: "custom", type: "AUTOMATION", priority: 2, automation: { documentName: "My-Patch", assumeRoleArn: "arn:aws:iam::123456789012:role/r" } });
        expect(approvalSection({ config: prod(values), resources: [], now: new Date() })!.lines).to.include("  ✗ maintenanceWindows/prod-critical-install (Install (RebootIfNeeded), Automation): NOT held by the approval gate");
        // Without an approval gate nothing is held.
        delete values["patching:changeSafety"].approvalGate;
        expect(ungatedInstallPaths(prod(values))).to.have.length(5);
    });
});
