import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { matchesPattern, UnsupportedPatternError } from "../core/eventPattern";
import { INVENTORY_DOCUMENT, NOTIFICATION_RULE_KEYS, notificationRules, NotificationRuleKey, PATCH_DOCUMENTS, renderInputTemplate } from "../core/complianceEvents";
/** The repository root (not from ./harness: that loads the whole program, which a mutation run would then reload per mutant). */
const ROOT = path.join(__dirname, "..");

const FIXTURES = path.join(ROOT, "tests/fixtures/events");
const event = (file: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));

/** The rules as the dev and prod stacks configure them by default. */
/** Computed in each test (a value computed while the file loads would make a mutation run restart its process per mutant). */
const defaults = () => notificationRules({ documents: [...PATCH_DOCUMENTS, INVENTORY_DOCUMENT], automationDocuments: [], severities: [] });

describe("core/eventPattern (EventBridge matcher)", () => {
    it("matches exact values, any element of an array value, and nested objects (AND of keys, OR of values)", () => {
        const pattern = { source: ["aws.ssm"], detail: { status: ["Failed", "TimedOut"] } };
        expect(matchesPattern(pattern, { source: "aws.ssm", detail: { status: "TimedOut", other: 1 } })).to.equal(true);
        expect(matchesPattern(pattern, { source: "aws.ssm", detail: { status: "Success" } })).to.equal(false);
        expect(matchesPattern(pattern, { source: "aws.ec2", detail: { status: "Failed" } })).to.equal(false);
        expect(matchesPattern({ resources: ["arn:b"] }, { resources: ["arn:a", "arn:b"] })).to.equal(true);
    });
    it("is case-sensitive and does not coerce types", () => {
        expect(matchesPattern({ detail: { s: ["non_compliant"] } }, { detail: { s: "NON_COMPLIANT" } })).to.equal(false);
        expect(matchesPattern({ detail: { n: ["1"] } }, { detail: { n: 1 } })).to.equal(false);
    });
    it("never matches a missing field or a scalar where the pattern expects an object", () => {
        expect(matchesPattern({ detail: { status: ["Failed"] } }, { detail: {} })).to.equal(false);
        expect(matchesPattern({ detail: { status: ["Failed"] } }, { detail: "Failed" })).to.equal(false);
    });
    it("supports prefix", () => {
        expect(matchesPattern({ d: [{ prefix: "patching-" }] }, { d: "patching-orchestrator" })).to.equal(true);
        expect(matchesPattern({ d: [{ prefix: "patching-" }] }, { d: "other" })).to.equal(false);
    });
    it("refuses operators it does not implement instead of guessing", () => {
        expect(() => matchesPattern({ d: [{ "anything-but": "x" }] as never }, { d: "y" })).to.throw(UnsupportedPatternError, "anything-but");
        expect(() => matchesPattern({ d: [{ exists: true }] as never }, {})).to.throw(UnsupportedPatternError, "exists");
        expect(() => matchesPattern({ d: [] }, { d: "x" })).to.throw(UnsupportedPatternError, "empty array");
    });
});

describe("notification rules against the events AWS emits", () => {
    /** Which rules each documented event must trigger (every other rule must stay silent). */
    const expected: Record<string, NotificationRuleKey[]> = {
        "patch-non-compliant.json": ["patchNonCompliant"],
        "patch-compliant.json": [],
        "association-non-compliant.json": [],
        "run-command-patch-failed.json": ["runCommandFailed"],
        "run-command-patch-success.json": [],
        "run-command-other-document-failed.json": [],
        "invocation-patch-timed-out.json": ["runCommandInvocationFailed"],
        "invocation-patch-success.json": [],
        "automation-report-failed.json": ["automationFailed"],
        "automation-success.json": [],
        "automation-step-failed.json": [],
        "association-patch-failed.json": ["associationFailed"],
        "association-success.json": [],
    };

    it("has a fixture for every case and every fixture is listed", () => {
        const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort();
        expect(files).to.deep.equal(Object.keys(expected).sort());
        // Every rule is proven by at least one matching and several non-matching events.
        for (const k of NOTIFICATION_RULE_KEYS) expect(Object.values(expected).flat(), k).to.include(k);
    });

    for (const [file, rules] of Object.entries(expected)) {
        it(`${file} triggers ${rules.length > 0 ? rules.join(", ") : "no rule"}`, () => {
            const e = event(file);
            const triggered = NOTIFICATION_RULE_KEYS.filter((k) => matchesPattern(defaults()[k].pattern, e));
            expect(triggered).to.deep.equal(rules);
        });
    }

    it("states the patterns exactly", () => {
        expect(defaults().patchNonCompliant.pattern).to.deep.equal({
            source: ["aws.ssm"],
            "detail-type": ["Configuration Compliance State Change"],
            detail: { "compliance-type": ["Patch"], "compliance-status": ["non_compliant"] },
        });
        expect(defaults().runCommandFailed.pattern).to.deep.equal({
            source: ["aws.ssm"],
            "detail-type": ["EC2 Command Status-change Notification"],
            detail: {
                "document-name": ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks", "AWS-GatherSoftwareInventory"],
                status: ["Failed", "TimedOut"],
            },
        });
        expect(defaults().runCommandInvocationFailed.pattern["detail-type"]).to.deep.equal(["EC2 Command Invocation Status-change Notification"]);
        expect(defaults().automationFailed.pattern).to.deep.equal({
            source: ["aws.ssm"],
            "detail-type": ["EC2 Automation Execution Status-change Notification"],
            detail: { Status: ["Failed", "TimedOut", "CompletedWithFailure"] },
        });
        expect(defaults().associationFailed.pattern).to.deep.equal({
            source: ["aws.ssm"],
            "detail-type": ["EC2 State Manager Association State Change"],
            detail: {
                "document-name": ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks", "AWS-GatherSoftwareInventory"],
                status: ["Failed"],
            },
        });
    });

    it("filters by severity (lower case, as the events carry it)", () => {
        const onlyHigh = notificationRules({ documents: ["AWS-RunPatchBaseline"], automationDocuments: [], severities: ["HIGH", "MEDIUM"] }).patchNonCompliant;
        expect((onlyHigh.pattern.detail as Record<string, unknown>).severity).to.deep.equal(["high", "medium"]);
        expect(matchesPattern(onlyHigh.pattern, event("patch-non-compliant.json"))).to.equal(false); // severity critical
        const critical = notificationRules({ documents: ["AWS-RunPatchBaseline"], automationDocuments: [], severities: ["CRITICAL"] }).patchNonCompliant;
        expect(matchesPattern(critical.pattern, event("patch-non-compliant.json"))).to.equal(true);
    });

    it("limits automations to exact runbooks and name prefixes", () => {
        const rule = notificationRules({ documents: ["AWS-RunPatchBaseline"], automationDocuments: ["AWS-ExportPatchReportToS3", "patching-*"], severities: [] }).automationFailed;
        expect((rule.pattern.detail as Record<string, unknown>).Definition).to.deep.equal(["AWS-ExportPatchReportToS3", { prefix: "patching-" }]);
        expect(matchesPattern(rule.pattern, event("automation-report-failed.json"))).to.equal(true);
        const other = { ...event("automation-report-failed.json"), detail: { ...event("automation-report-failed.json").detail, Definition: "patching-orchestrator" } };
        expect(matchesPattern(rule.pattern, other)).to.equal(true);
        const unrelated = { ...other, detail: { ...other.detail, Definition: "AWS-StopEC2Instance" } };
        expect(matchesPattern(rule.pattern, unrelated)).to.equal(false);
    });

    it("limits Run Command and association rules to the watched documents", () => {
        const rules = notificationRules({ documents: ["AWS-RunPatchBaselineWithHooks"], automationDocuments: [], severities: [] });
        expect(matchesPattern(rules.runCommandFailed.pattern, event("run-command-patch-failed.json"))).to.equal(false);
        expect(matchesPattern(rules.runCommandInvocationFailed.pattern, event("invocation-patch-timed-out.json"))).to.equal(true);
        expect(matchesPattern(rules.associationFailed.pattern, event("association-patch-failed.json"))).to.equal(false);
    });
});

describe("notification messages (InputTransformer) for the sample events", () => {
    const render = (k: NotificationRuleKey, file: string) => renderInputTemplate(event(file), defaults()[k].inputPaths, defaults()[k].inputTemplate);

    it("every template placeholder has an input path, and every path is used", () => {
        for (const k of NOTIFICATION_RULE_KEYS) {
            const used = new Set([...defaults()[k].inputTemplate.matchAll(/<([A-Za-z0-9_-]+)>/g)].map((m) => m[1]));
            expect([...used].sort(), k).to.deep.equal(Object.keys(defaults()[k].inputPaths).sort());
            expect(defaults()[k].inputTemplate, k).to.match(/^".*"$/);
        }
    });

    it("reads like a message, with the node, baseline and where to look", () => {
        expect(render("patchNonCompliant", "patch-non-compliant.json")).to.equal(
            "Patch compliance: managed node i-01234567890abcdef in account 123456789012 (us-east-2) is NON_COMPLIANT with patch baseline PB789, severity critical, at 2017-07-17T19:02:31Z. " +
                "Missing patches: https://us-east-2.console.aws.amazon.com/systems-manager/managed-instances/i-01234567890abcdef/patch?region=us-east-2",
        );
        expect(render("runCommandFailed", "run-command-patch-failed.json")).to.equal(
            "Run Command e8d3c0e4-71f7-4491-898f-c9b35bee5f3b (AWS-RunPatchBaseline) ended Failed in account 123456789012 (us-east-2) at 2016-07-10T21:51:32Z.",
        );
        expect(render("runCommandInvocationFailed", "invocation-patch-timed-out.json")).to.equal(
            "Run Command e8d3c0e4-71f7-4491-898f-c9b35bee5f3b (AWS-RunPatchBaselineWithHooks) ended TimedOut on managed node i-9bb89e2b in account 123456789012 (us-east-2) at 2016-07-10T21:51:32Z.",
        );
        expect(render("automationFailed", "automation-report-failed.json")).to.equal(
            "Automation 333ba70b-2333-48db-b17e-a5e69c6f4d1c (AWS-ExportPatchReportToS3) ended Failed in account 123456789012 (us-east-2) at 2016-11-29T19:43:35Z.",
        );
        expect(render("associationFailed", "association-patch-failed.json")).to.equal(
            'State Manager association 6e37940a-23ba-4ab0-9b96-5d0a1a05464f (AWS-RunPatchBaselineAssociation) is Failed in account 123456789012 (us-east-2) at 2017-05-16T23:01:10Z; node results: {"Failed":2,"Success":3}.',
        );
    });
});
