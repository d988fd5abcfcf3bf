/**
 * Shared config helpers and derived facts that surviving StrykerJS mutants showed untested
 * (TESTING.md, Mutation testing): the wording of unknown-key and type errors, the tag limit at its
 * edge, calendar dates, issue formatting, the names and tags each section makes AWS resources with,
 * and the schedules the release calendar reads.
 */
import { expect } from "chai";
import { z } from "zod";
import { changeSafetyNames, checkChangeSafety, checkPromotionOrder, defaultOverrideListKey, separateApprovalCalendar } from "../config/changeSafety";
import { isCalendarDate, strictObject, tagsSchema } from "../config/common";
import { asArray, asRecord, ConfigValidationError, formatIssue, formatValue, IssueSink, joinPath } from "../config/issues";
import { changeSafetyDerivedNames, checkDerivedNames, environmentDerivedNames, NAME_LIMITS, scheduledLambdaNames, tooLong } from "../config/resourceNames";
import { checkMergedTags, mergeTags, stackTagSet, standardTags } from "../config/resourceTags";
import { gatedInstallSources, maintenanceWindowSources, multiAccountSources, orchestratorSources } from "../config/scheduleSources";
import { MAX_TAGS } from "../config/rules";
import { NOTIFICATION_RULE_KEYS } from "../core/complianceEvents";
import { minimalConfig, parse } from "./harness";

const messages = (r: { success: boolean; error?: z.ZodError }) => (r.error?.issues ?? []).map((i) => i.message);
const sinkOf = (check: (sink: IssueSink) => void) => {
    const sink = new IssueSink();
    check(sink);
    return sink.issues;
};

describe("shared config helpers (mutation testing)", () => {
    describe("strictObject: a typo is reported with the keys that are allowed", () => {
        // Built inside each test: a schema built when the file loads would be static for StrykerJS.
        const schema = { safeParse: (x: unknown) => strictObject({ name: z.string(), schedule: z.string().optional() }).safeParse(x) };

        it("one unknown key, several unknown keys, and a value that is not an object", () => {
            expect(messages(schema.safeParse({ name: "a", shedule: "x" }))).to.deep.equal(['unknown key "shedule"; allowed keys: name, schedule']);
            expect(messages(schema.safeParse({ name: "a", x: 1, y: 2 }))).to.deep.equal(['unknown keys "x", "y"; allowed keys: name, schedule']);
            expect(messages(schema.safeParse("name: a"))).to.deep.equal(["expected an object with keys name, schedule"]);
            expect(messages(schema.safeParse(["a"]))).to.deep.equal(["expected an object with keys name, schedule"]);
        });

        it("errors of the fields themselves keep their own message", () => {
            expect(messages(strictObject({ n: z.string({ error: "must be a name" }) }).safeParse({ n: 1 }))).to.deep.equal(["must be a name"]);
        });
    });

    it(`tags: at most ${MAX_TAGS} per resource, ${MAX_TAGS} exactly is fine`, () => {
        const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
        expect(tagsSchema.safeParse(tags(MAX_TAGS)).success).to.equal(true);
        expect(messages(tagsSchema.safeParse(tags(MAX_TAGS + 1)))).to.deep.equal([`at most ${MAX_TAGS} tags per resource`]);
    });

    it("calendar dates: a day or month that does not exist is refused, leap days only in leap years", () => {
        for (const ok of ["2025-01-31", "2024-02-29", "2000-02-29", "2025-12-31", "2026-04-30"]) expect(isCalendarDate(ok), ok).to.equal(true);
        for (const bad of ["2025-02-29", "1900-02-29", "2025-02-30", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00", "2025-1-01", "x2025-01-01", "2025-01-01x", "2025-01-01T00:00Z"]) {
            expect(isCalendarDate(bad), bad).to.equal(false);
        }
    });

    describe("issues as the user reads them", () => {
        it("the error lists every problem, each with the value given, and counts them", () => {
            const one = new ConfigValidationError([{ path: "patching:a", message: "is wrong", value: 3 }]);
            expect(one.message).to.equal("Stack configuration is invalid (1 problem):\n  - patching:a: is wrong (got 3)");
            expect(one.name).to.equal("ConfigValidationError");
            const two = new ConfigValidationError([
                { path: "patching:a", message: "is wrong", value: "x" },
                { path: "patching:b", message: "is missing" },
            ]);
            expect(two.message).to.equal('Stack configuration is invalid (2 problems):\n  - patching:a: is wrong (got "x")\n  - patching:b: is missing');
        });

        it("values: nothing for a missing one, JSON up to 80 characters, shortened past that, text for what JSON cannot write", () => {
            expect(formatValue(undefined)).to.equal("nothing");
            expect(formatValue(null)).to.equal("null");
            expect(formatValue("x".repeat(78))).to.equal(`"${"x".repeat(78)}"`);
            expect(formatValue("x".repeat(79))).to.equal(`"${"x".repeat(76)}...`);
            const loop: Record<string, unknown> = {};
            loop.self = loop;
            expect(formatValue(loop)).to.equal("[object Object]");
            // JSON cannot write a function: its source text (whatever the transpiler made of it).
            const fn = () => 1;
            expect(formatValue(fn)).to.equal(String(fn));
            expect(formatIssue({ path: "p", message: "m", value: undefined })).to.equal("p: m (got nothing)");
        });

        it("paths: identifiers with a dot, indexes in brackets, other keys quoted", () => {
            expect(joinPath("patching:tags", ["Cost_Center1", 0, "aws:x", "1a", "a-b"])).to.equal('patching:tags.Cost_Center1[0]["aws:x"]["1a"]["a-b"]');
        });

        it("an issue added without a value has none (not an undefined one); with one, even undefined, it is kept", () => {
            const issues = sinkOf((s) => {
                s.add("a", "m");
                s.add("b", "m", undefined);
            });
            expect(issues).to.deep.equal([{ path: "a", message: "m" }, { path: "b", message: "m", value: undefined }]);
            expect("value" in issues[0]).to.equal(false);
            expect(formatIssue(issues[0])).to.equal("a: m");
        });

        it("raw values that are not what a check expects read as empty", () => {
            for (const x of [null, undefined, "s", 3, ["a"]]) expect(asRecord(x), String(x)).to.deep.equal({});
            expect(asRecord({ a: 1 })).to.deep.equal({ a: 1 });
            expect(asArray({ 0: "a" })).to.deep.equal([]);
            expect(asArray(["a"])).to.deep.equal(["a"]);
        });
    });
});

describe("names each section creates, against their AWS limits (mutation testing)", () => {
    const rules = Object.fromEntries(NOTIFICATION_RULE_KEYS.map((k) => [k, k === "patchNonCompliant" || k === "associationFailed"]));
    const compliance = (over: Record<string, unknown> = {}) => ({
        dataSync: { enabled: true },
        inventory: { enabled: true },
        notifications: { enabled: true, rules },
        athena: { enabled: true },
        dashboard: { enabled: true },
        ...over,
    });
    const names = (cfg: Record<string, unknown>) => environmentDerivedNames(cfg as never, "patching-prod").map((n) => `${n.kind}: ${n.name}`);

    it("compliance, multi-account and agent updates: every default name, with the prefix", () => {
        expect(names({ compliance: compliance(), multiAccount: { accountRole: "management" }, agentUpdates: { ssmAgent: {}, cloudWatchAgent: {} } })).to.deep.equal([
            "resource data sync: patching-prod-compliance",
            "State Manager association: patching-prod-software-inventory",
            "SNS topic: patching-prod-patch-notifications",
            "KMS alias: alias/patching-prod-patch-notifications",
            "EventBridge rule: patching-prod-patch-noncompliant",
            "EventBridge rule: patching-prod-association-failed",
            "Athena workgroup: patching-prod-compliance",
            "CloudWatch dashboard: patching-prod-patch-compliance",
            "Scheduler schedule group: patching-prod-automation",
            "CloudFormation StackSet: patching-prod-automation-members",
            "State Manager association: patching-prod-UpdateSSMAgent",
            "State Manager association: patching-prod-UpdateCloudWatchAgent",
        ]);
    });

    it("a name given in the config, or a part switched off, derives nothing", () => {
        const off = { enabled: false };
        expect(
            names({
                compliance: compliance({ dataSync: { enabled: true, name: "mine" }, inventory: { enabled: true, associationName: "inv" }, notifications: { enabled: false, rules }, athena: off, dashboard: off }),
                agentUpdates: { ec2Launch: { associationName: "launch" } },
            }),
        ).to.deep.equal([]);
        expect(names({ compliance: compliance({ dataSync: off, inventory: off, notifications: { enabled: false, rules }, athena: off, dashboard: off }) })).to.deep.equal([]);
        expect(names({})).to.deep.equal([]);
    });

    it("a scheduled Lambda's function, schedule group, log group, error alarm and schedules", () => {
        expect(scheduledLambdaNames("patching-prod-approval-gate", ["request", "check"]).map((n) => `${n.kind}: ${n.name}`)).to.deep.equal([
            "Lambda function: patching-prod-approval-gate",
            "Scheduler schedule group: patching-prod-approval-gate",
            "CloudWatch log group: /aws/lambda/patching-prod-approval-gate",
            "CloudWatch alarm: patching-prod-approval-gate-errors",
            "Scheduler schedule: patching-prod-approval-gate-request",
            "Scheduler schedule: patching-prod-approval-gate-check",
        ]);
    });

    it("change safety's documents, roles, association and topic, each of its kind (and limit)", () => {
        expect(changeSafetyDerivedNames("patching", "prod").filter((n) => !n.kind.startsWith("Lambda") && !n.kind.startsWith("Scheduler") && !n.kind.startsWith("CloudWatch")).map((n) => `${n.kind}: ${n.name}`)).to.deep.equal([
            "SSM document: patching-prod-install-approval",
            "SSM document: patching-prod-approvals",
            "SSM document: patching-prod-patch-with-snapshots",
            "SSM document: patching-prod-rollback-root-volume",
            "IAM role: patching-prod-snapshot-install",
            "IAM role: patching-prod-approver",
            "IAM role: patching-prod-requester",
            "State Manager association: patching-prod-gated-install",
            "SNS topic: patching-prod-change-safety",
        ]);
        expect(changeSafetyDerivedNames("patching", "prod").filter((n) => n.kind === "Lambda function").map((n) => n.name)).to.deep.equal([
            "patching-prod-promote-approval-date",
            "patching-prod-export-installed-patches",
            "patching-prod-approval-gate",
            "patching-prod-snapshot-retention",
        ]);
    });

    it("an agent left out (undefined) derives no association name", () => {
        expect(names({ agentUpdates: { ssmAgent: undefined, cloudWatchAgent: {} } })).to.deep.equal(["State Manager association: patching-prod-UpdateCloudWatchAgent"]);
    });

    it("a name exactly at its limit is fine; one character more is too long", () => {
        const at = "a".repeat(NAME_LIMITS["EventBridge rule"]);
        expect(tooLong([{ kind: "EventBridge rule", name: at }])).to.deep.equal([]);
        expect(tooLong([{ kind: "EventBridge rule", name: `${at}b` }])).to.deep.equal([{ kind: "EventBridge rule", name: `${at}b`, max: 64 }]);
    });

    it("a long environment is reported at patching:environment with the name, its length, the limit and the fix", () => {
        const off = { enabled: false };
        const cfg = (environment: string) => ({ environment, compliance: compliance({ inventory: off, notifications: { enabled: false, rules }, athena: off, dashboard: off }) }) as never;
        // patching-<environment>-compliance: 9 + 44 + 11 = 64 characters, the resource data sync limit.
        expect(sinkOf((s) => checkDerivedNames(s, "patching", cfg("e".repeat(44)), "patching", "prod", false))).to.deep.equal([]);
        const environment = "e".repeat(45);
        expect(sinkOf((s) => checkDerivedNames(s, "patching", cfg(environment), "patching", "prod", false))).to.deep.equal([
            {
                path: "patching:environment",
                message: `makes the resource data sync name "patching-${environment}-compliance" 65 characters long (project "patching" + "-" + environment "${environment}" + a suffix); resource data sync names are at most 64: use a shorter environment name`,
                value: environment,
            },
        ]);
    });

    it("a long stack name is reported at patching:changeSafety only when the section is configured", () => {
        const stack = "s".repeat(40);
        const cfg = { environment: "prod" } as never;
        const issues = sinkOf((s) => checkDerivedNames(s, "patching", cfg, "patching", stack, true));
        expect(issues.length).to.be.greaterThan(0);
        expect(new Set(issues.map((i) => i.path))).to.deep.equal(new Set(["patching:changeSafety"]));
        expect(issues[0].value).to.equal(`patching-${stack}`);
        expect(issues[0].message).to.equal(
            `makes the Lambda function name "patching-${stack}-promote-approval-date" 71 characters long (project "patching" + "-" + stack "${stack}" + a suffix); Lambda function names are at most 64: use a shorter stack name`,
        );
        expect(sinkOf((s) => checkDerivedNames(s, "patching", cfg, "patching", stack, false))).to.deep.equal([]);
    });
});

describe("tags every resource carries (mutation testing)", () => {
    const tags = (n: number, prefix = "k") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));
    const check = (raw: Record<string, unknown>) => sinkOf((s) => checkMergedTags(s, "patching", raw)).map((i) => `${i.path}: ${i.message}`);

    it("the standard tags name the project, environment and stack, and say Pulumi manages the resource; the program's win", () => {
        expect(standardTags("patching", "prod", "prod-eu")).to.deep.equal({ Project: "patching", Environment: "prod", Stack: "prod-eu", ManagedBy: "pulumi" });
        expect(stackTagSet({ project: "p", environment: "e", stack: "s", tags: { Team: "ops", Project: "mine" } })).to.deep.equal({ Team: "ops", Project: "p", Environment: "e", Stack: "s", ManagedBy: "pulumi" });
        expect(mergeTags({ a: "1", b: "1" }, { b: "2", c: "2" }, { c: "3" })).to.deep.equal({ a: "1", b: "2", c: "3" });
        expect(mergeTags({ a: "1" })).to.deep.equal({ a: "1" });
    });

    it(`the stack tags: ${MAX_TAGS - 4} of the user's plus the 4 standard ones fit; one more is reported once, counted`, () => {
        expect(check({ tags: tags(MAX_TAGS - 4) })).to.deep.equal([]);
        expect(check({ tags: tags(MAX_TAGS - 3) })).to.deep.equal([
            `patching:tags: every resource receives ${MAX_TAGS + 1} tags (4 standard + ${MAX_TAGS - 3} from patching:tags); AWS allows at most ${MAX_TAGS} tags per resource (IAM, S3, SSM, Lambda, SNS, KMS, Scheduler, Step Functions, CloudWatch)`,
        ]);
        expect(check({ tags: tags(MAX_TAGS) }).filter((m) => m.includes("every resource receives"))).to.deep.equal([`patching:tags: every resource receives ${MAX_TAGS + 4} tags (4 standard + ${MAX_TAGS} from patching:tags); AWS allows at most ${MAX_TAGS} tags per resource (IAM, S3, SSM, Lambda, SNS, KMS, Scheduler, Step Functions, CloudWatch)`]);
        expect(check({ tags: tags(MAX_TAGS + 1) }), "more than the limit alone: the tags schema reports it").to.deep.equal([]);
    });

    it("a patch policy's own tags: the stack's, its own, PatchPolicy and the override store's reader tag must fit together", () => {
        const overrideStore = { configId: "abc12" };
        const stack = tags(MAX_TAGS - 4 - 2);
        expect(check({ tags: stack, overrideStore, patchPolicies: [{ tags: {} }] })).to.deep.equal([]);
        expect(check({ tags: stack, overrideStore, patchPolicies: [{ tags: { Own: "x" } }] })).to.deep.equal([
            `patching:patchPolicies[0].tags: pushes the tags of this entry's resources to ${MAX_TAGS + 1}: ${MAX_TAGS - 2} stack tags (standard + patching:tags) + 1 of its own + PatchPolicy, QSConfigId-abc12 set by the program; AWS allows at most ${MAX_TAGS} tags per resource`,
        ]);
        expect(check({ tags: stack, overrideStore: { ...overrideStore, enabled: false }, patchPolicies: [{ tags: { Own: "x" } }] }), "no store, no reader tag").to.deep.equal([]);
        expect(check({ tags: stack, overrideStore: { enabled: true }, patchPolicies: [{ tags: { Own: "x" } }] }), "no configId, no reader tag").to.deep.equal([]);
        expect(check({ tags: stack, patchPolicies: [{ tags: { Own: "x" } }] }), "no override store").to.deep.equal([]);
        expect(check({ tags: stack, overrideStore, maintenanceWindows: [{ tags: { Own: "x", Own2: "y" } }] }), "a window carries no program tags").to.deep.equal([]);
    });

    it("an entry that adds nothing of its own but still goes over: the stack tags leave no room for the program's", () => {
        const stack = tags(MAX_TAGS - 4);
        expect(check({ tags: stack, patchPolicies: [{ tags: { k0: "override" } }] })).to.deep.equal([
            `patching:tags: the resources of patching:patchPolicies[0] receive ${MAX_TAGS + 1} tags: ${MAX_TAGS} stack tags (standard + patching:tags) + PatchPolicy set by the program; AWS allows at most ${MAX_TAGS} tags per resource`,
        ]);
        expect(check({ tags: tags(MAX_TAGS - 5), patchPolicies: [{ tags: tags(2, "own") }] })).to.deep.equal([
            `patching:patchPolicies[0].tags: pushes the tags of this entry's resources to ${MAX_TAGS + 2}: ${MAX_TAGS - 1} stack tags (standard + patching:tags) + 2 of its own + PatchPolicy set by the program; AWS allows at most ${MAX_TAGS} tags per resource`,
        ]);
        expect(check({ tags: tags(3), patchPolicies: [{ tags: tags(MAX_TAGS + 1, "own") }] }), "an entry over the limit alone: its schema reports it").to.deep.equal([]);
    });

    it("an entry of exactly the limit on its own is judged with the stack tags; a window's message names no program tags", () => {
        expect(check({ tags: {}, maintenanceWindows: [{ tags: tags(MAX_TAGS, "own") }] })).to.deep.equal([
            `patching:maintenanceWindows[0].tags: pushes the tags of this entry's resources to ${MAX_TAGS + 4}: 4 stack tags (standard + patching:tags) + ${MAX_TAGS} of its own; AWS allows at most ${MAX_TAGS} tags per resource`,
        ]);
    });

    it("reserved keys are reported where they are set, with the keys the program sets", () => {
        expect(check({ tags: { Stack: "x", "QSConfigId-abc": "y" }, patchPolicies: [{ tags: { PatchPolicy: "x" } }], baselines: [{ tags: { PatchPolicy: "x" } }] })).to.deep.equal([
            "patching:tags.Stack: is set by the program; reserved tag keys: Project, Environment, Stack, ManagedBy and QSConfigId-<configId> (the override store's reader tag)",
            "patching:tags.QSConfigId-abc: is set by the program; reserved tag keys: Project, Environment, Stack, ManagedBy and QSConfigId-<configId> (the override store's reader tag)",
            "patching:patchPolicies[0].tags.PatchPolicy: is set by the program; reserved tag keys: Project, Environment, Stack, ManagedBy, PatchPolicy and QSConfigId-<configId> (the override store's reader tag)",
        ]);
    });
});

describe("schedules the release calendar reads (mutation testing)", () => {
    it("the gated install: one install source with its offset; none without it", () => {
        expect(gatedInstallSources("prod", { changeSafety: { gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 2 } } } as never)).to.deep.equal([
            { stack: "prod", source: "changeSafety.gatedInstall", operation: "install", expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 },
        ]);
        expect(gatedInstallSources("prod", { changeSafety: { approvalGate: {} } } as never)).to.deep.equal([]);
        expect(gatedInstallSources("prod", {} as never)).to.deep.equal([]);
    });

    it("multi-account: the enabled schedules of a stack that runs the automation, installs and scans told apart", () => {
        const schedules = [
            { name: "i", operation: "Install", enabled: true, schedule: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo" },
            { name: "s", operation: "Scan", enabled: true, schedule: "cron(0 18 * * ? *)" },
            { name: "off", operation: "Install", enabled: false, schedule: "cron(0 3 * * ? *)" },
        ];
        expect(multiAccountSources("prod", { multiAccount: { accountRole: "management", schedules } } as never)).to.deep.equal([
            { stack: "prod", source: "multiAccount.schedules i", operation: "install", expression: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo" },
            { stack: "prod", source: "multiAccount.schedules s", operation: "scan", expression: "cron(0 18 * * ? *)", timezone: undefined },
        ]);
        expect(multiAccountSources("prod", { multiAccount: { accountRole: "member", schedules } } as never)).to.deep.equal([]);
        expect(multiAccountSources("prod", {} as never)).to.deep.equal([]);
    });

    it("a window installs when any task installs or runs a runbook, scans when its patch tasks only scan, else is a plain window", () => {
        const window = (name: string, tasks: unknown[]) => ({ name, schedule: "cron(0 5 ? * SAT *)", scheduleTimezone: "UTC", scheduleOffset: 1, duration: 3, tasks });
        const scan = { runCommand: { operation: "Scan" } };
        const sources = maintenanceWindowSources("prod", {
            maintenanceWindows: [
                window("mixed", [scan, { runCommand: { operation: "Install" } }]),
                window("runbook", [scan, { automation: { documentName: "My-Patch" } }]),
                window("scan", [scan, { runCommand: { documentName: "AWS-RunShellScript" } }]),
                window("other", [{ runCommand: { documentName: "AWS-RunShellScript" } }]),
            ],
        } as never);
        expect(sources.map((s) => [s.source, s.operation])).to.deep.equal([
            ["maintenanceWindows mixed", "install"],
            ["maintenanceWindows runbook", "install"],
            ["maintenanceWindows scan", "scan"],
            ["maintenanceWindows other", "window"],
        ]);
        expect(sources[0]).to.deep.equal({ stack: "prod", source: "maintenanceWindows mixed", operation: "install", expression: "cron(0 5 ? * SAT *)", timezone: "UTC", offsetDays: 1, durationHours: 3 });
    });

    it("an orchestrator's window: install or scan as its patch operation says", () => {
        const o = (name: string, operation: string) => ({ name, patch: { operation }, window: { schedule: "cron(0 3 ? * TUE#3 *)", scheduleTimezone: "Europe/Paris", scheduleOffset: 2, duration: 4 } });
        expect(orchestratorSources("prod", { patchOrchestrators: [o("a", "Install"), o("b", "Scan")] } as never)).to.deep.equal([
            { stack: "prod", source: "patchOrchestrators a", operation: "install", expression: "cron(0 3 ? * TUE#3 *)", timezone: "Europe/Paris", offsetDays: 2, durationHours: 4 },
            { stack: "prod", source: "patchOrchestrators b", operation: "scan", expression: "cron(0 3 ? * TUE#3 *)", timezone: "Europe/Paris", offsetDays: 2, durationHours: 4 },
        ]);
    });
});

describe("patching:changeSafety cross-field rules (mutation testing)", () => {
    const P = "patching:changeSafety";
    const check = (raw: unknown, baselines: unknown = [], stack = "prod") => sinkOf((s) => checkChangeSafety(s, P, raw, baselines, stack)).map((i) => `${i.path}: ${i.message}`);
    const rule = (r: Record<string, unknown>) => ({ patchFilters: { CLASSIFICATION: ["Security"] }, ...r });
    const baselines = [
        { name: "al2023", operatingSystem: "AMAZON_LINUX_2023", approvalRules: [rule({ approveUntilDate: "2026-01-01" })] },
        { name: "days", operatingSystem: "AMAZON_LINUX_2023", approvalRules: [rule({ approveUntilDate: "2026-01-01" }), rule({ approveAfterDays: 7 }), rule({})] },
        { name: "ubuntu", operatingSystem: "UBUNTU", approvalRules: [rule({ approveUntilDate: "2026-01-01" })] },
        { name: "empty", operatingSystem: "AMAZON_LINUX_2023", approvalRules: [] },
        { operatingSystem: "WINDOWS" },
    ];

    it("the names every change-safety resource gets from <project>-<stack> (what the operator scripts look up)", () => {
        expect(changeSafetyNames("patching", "prod")).to.deep.equal({
            prefix: "patching-prod",
            calendar: "patching-prod-install-approval",
            approverCalendar: "patching-prod-approvals",
            patchDocument: "patching-prod-patch-with-snapshots",
            rollbackDocument: "patching-prod-rollback-root-volume",
            automationRole: "patching-prod-snapshot-install",
            association: "patching-prod-gated-install",
            topic: "patching-prod-change-safety",
            promoteFunction: "patching-prod-promote-approval-date",
            pinnedListFunction: "patching-prod-export-installed-patches",
            gateFunction: "patching-prod-approval-gate",
            approverRole: "patching-prod-approver",
            requesterRole: "patching-prod-requester",
            retentionFunction: "patching-prod-snapshot-retention",
        });
        expect(defaultOverrideListKey("prod")).to.equal("install-override-list/prod.yaml");
        expect(separateApprovalCalendar({ approvers: { twoPersonRule: true } })).to.equal(true);
        expect(separateApprovalCalendar({ approvers: { twoPersonRule: false } })).to.equal(false);
        expect(separateApprovalCalendar({ approvers: {} })).to.equal(false);
        expect(separateApprovalCalendar(undefined)).to.equal(false);
    });

    it("promotion: the earlier stage is another stack; approvalDate and pinnedList need a source; each strategy's section only with it", () => {
        expect(check({ promotion: { after: "prod" } })).to.deep.equal([`${P}.promotion.after: names this stack itself; name the stage that installs before it (e.g. dev)`]);
        expect(check({ promotion: { after: "dev" } })).to.deep.equal([]);
        expect(check({ promotion: { after: "dev", strategy: "pinnedList" } })).to.deep.equal([`${P}.promotion.source: is required by strategy pinnedList: the earlier stage's patch groups whose patch state is read`]);
        expect(check({ promotion: { after: "dev", approvalDate: { baselines: ["al2023"] }, pinnedList: {} } }, baselines)).to.deep.equal([
            `${P}.promotion.approvalDate: only applies to strategy approvalDate (strategy is calendar)`,
            `${P}.promotion.pinnedList: only applies to strategy pinnedList (strategy is calendar)`,
        ]);
        expect(check({ promotion: { after: "dev", strategy: "pinnedList", source: {}, pinnedList: {} } })).to.deep.equal([]);
        expect(check({ promotion: { after: "dev", strategy: "approvalDate", source: {} } })).to.deep.equal([`${P}.promotion.approvalDate: is required by strategy approvalDate: the baselines to promote`]);
        expect(check({ promotion: { after: "dev", strategy: "approvalDate", approvalDate: { baselines: ["al2023"] } } }, baselines)).to.deep.equal([
            `${P}.promotion.source: is required by strategy approvalDate: the earlier stage's patch groups whose patch state is read`,
        ]);
    });

    it("approvalDate: every promoted baseline exists, has rules and approves by date; Ubuntu and Debian cannot", () => {
        const promotion = (names: unknown[]) => ({ promotion: { after: "dev", strategy: "approvalDate", source: {}, approvalDate: { baselines: names } } });
        expect(check(promotion(["al2023"]), baselines)).to.deep.equal([]);
        expect(check(promotion(["gone", "days", "ubuntu", "empty"]), baselines)).to.deep.equal([
            `${P}.promotion.approvalDate.baselines[0]: is not a baseline of this stack; known: al2023, days, ubuntu, empty`,
            `${P}.promotion.approvalDate.baselines[1]: approval rule 1 uses approveAfterDays; promoted baselines approve by approveUntilDate (set an initial date, the Lambda moves it)`,
            `${P}.promotion.approvalDate.baselines[1]: approval rule 2 uses no date; promoted baselines approve by approveUntilDate (set an initial date, the Lambda moves it)`,
            `${P}.promotion.approvalDate.baselines[2]: UBUNTU baselines take no approveUntilDate, so they cannot be promoted by date; use strategy pinnedList for them`,
            `${P}.promotion.approvalDate.baselines[3]: has no approval rules; promotion moves the approveUntilDate of its rules`,
        ]);
        expect(check(promotion(["gone"]), [])).to.deep.equal([`${P}.promotion.approvalDate.baselines[0]: is not a baseline of this stack; known: none`]);
    });

    it("approvers and requesters must trust someone; the two-person rule needs requesters and refuses an automatic opening", () => {
        const gate = (approvers: Record<string, unknown>, timeout?: Record<string, unknown>) => ({ approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)", approvers, ...(timeout ? { timeout } : {}) } });
        const role = "arn:aws:iam::123456789012:role/approver";
        expect(check(gate({ principals: [] }))).to.deep.equal([`${P}.approvalGate.approvers: trusts nobody: list principals (IAM user or role ARNs) and/or identityCenterPermissionSets that may assume the approver role`]);
        expect(check(gate({ principals: [role] }))).to.deep.equal([]);
        expect(check(gate({ identityCenterPermissionSets: ["Approvers"] }))).to.deep.equal([]);
        expect(check(gate({ principals: [role], requesters: {} }))).to.deep.equal([`${P}.approvalGate.approvers.requesters: trusts nobody: list principals (IAM user or role ARNs) and/or identityCenterPermissionSets that may assume the requester role`]);
        expect(check(gate({ principals: [role], requesters: { identityCenterPermissionSets: ["Requesters"] } }))).to.deep.equal([]);
        expect(check(gate({ principals: [role], requesters: { principals: [role] } }))).to.deep.equal([]);
        expect(check(gate({ principals: [role], twoPersonRule: true }, { action: "open" }))).to.deep.equal([
            `${P}.approvalGate.approvers.twoPersonRule: needs approvers.requesters: under the rule a person requests each cycle (npm run approve -- --request) through the requester role, and another approves; without it no request can count and every install stays held`,
            `${P}.approvalGate.timeout.action: cannot be open with approvers.twoPersonRule: an automatic opening is approved by nobody; use skip`,
        ]);
        expect(check(gate({ principals: [role], twoPersonRule: true, requesters: { principals: [role] } }, { action: "skip" }))).to.deep.equal([]);
        const echoed = sinkOf((s) => checkChangeSafety(s, P, gate({ principals: [role], twoPersonRule: true }, { action: "open" }), [], "prod")).map((i) => i.value);
        expect(echoed, "the values the issues echo").to.deep.equal([true, "open"]);
        expect(check(gate({ principals: [role] }, { action: "open" })), "without the rule an automatic opening is allowed (audited)").to.deep.equal([]);
    });

    it("a gated install's scheduleOffset needs a cron schedule (botocore ScheduleOffset); a bad schedule is left to its schema", () => {
        const install = (schedule: string) => ({ gatedInstall: { schedule, scheduleOffset: 2, targets: [{ key: "tag:Environment", values: ["prod"] }] } });
        expect(check(install("rate(7 days)"))).to.deep.equal([`${P}.gatedInstall.scheduleOffset: needs a cron schedule; rate and at schedules take no offset (botocore ScheduleOffset)`]);
        expect(check(install("cron(0 2 ? * TUE#2 *)"))).to.deep.equal([]);
        expect(check(install("every tuesday"))).to.deep.equal([]);
        expect(check({ gatedInstall: { schedule: "rate(7 days)", targets: [{ key: "tag:Environment", values: ["prod"] }] } }), "no offset, nothing to check").to.deep.equal([]);
        expect(check({})).to.deep.equal([]);
        expect(check(undefined)).to.deep.equal([]);
    });

    describe("the promotion order across stacks: the fix it suggests is a schedule that really comes after", () => {
        // Parsed inside the tests (code run when the file loads counts as static for StrykerJS).
        const cs = () => parse(minimalConfig({ "patching:changeSafety": {} })).changeSafety!;
        const now = new Date("2026-01-01T00:00:00Z");
        const source = (stack: string, expression: string, extra: Record<string, unknown> = {}) => ({ stack, source: `${stack} install`, operation: "install" as const, expression, ...extra });
        const order = (minDaysAfter: number, sources = [source("prod", "cron(0 2 ? * TUE#2 *)", { offsetDays: 1 })]) =>
            sinkOf((s) =>
                checkPromotionOrder(s, `${P}.promotion`, {
                    stack: "prod",
                    promotion: { after: "dev", minDaysAfter, strategy: "calendar" } as never,
                    cs: cs(),
                    sources,
                    earlierSources: [source("dev", "cron(0 2 ? * TUE#3 *)", { timezone: "Asia/Tokyo" }), source("dev", "cron(0 3 * * ? *)", { operation: "scan" })],
                    now,
                }),
            ).map((i) => i.message);

        it("names both stages' install schedules with offset and zone, and a fix that keeps minDaysAfter", () => {
            const [message] = order(10);
            expect(message).to.match(/^prod can install before dev has proven the patches: \d+ of 12 release cycle\(s\) are out of order\. First: cycle /);
            expect(message).to.contain("Schedules — dev: dev install cron(0 2 ? * TUE#3 *) Asia/Tokyo; prod: prod install cron(0 2 ? * TUE#2 *) +1d.");
            // dev runs at 02:00 Tokyo on the third Tuesday = 17:00 UTC the Monday before (Patch Tuesday + 6 days);
            // the first 02:00 UTC at least 10 days later is Patch Tuesday + 17 days: TUE#4 + 3 days, 10.38 days after.
            // (That every suggestion is valid and keeps the order is proven in tests/promotionFix.test.ts.)
            expect(message).to.contain("Fix: keep dev's schedules and give prod's install(s) cron(0 2 ? * TUE#4 *) with scheduleOffset 3 (Patch Tuesday + 17 days at 02:00 UTC)");
            expect(message).to.contain("prod then installs 10.38 day(s) after dev in every release cycle");
        });

        it("every install of a stage is listed; a UTC time zone goes without saying", () => {
            const sources = [source("prod", "cron(0 2 ? * TUE#2 *)", { timezone: "UTC", offsetDays: 1 }), source("prod", "cron(0 4 ? * TUE#2 *)", { source: "prod window", offsetDays: 1 })];
            expect(order(0, sources)[0]).to.contain("prod: prod install cron(0 2 ? * TUE#2 *) +1d; prod window cron(0 4 ? * TUE#2 *) +1d.");
        });

        it("with no minimum the suggested install still comes a day or more after dev's (Patch Tuesday + 8 days: the third Tuesday + 1 day)", () => {
            expect(order(0)[0]).to.contain("cron(0 2 ? * TUE#3 *) with scheduleOffset 1 (Patch Tuesday + 8 days at 02:00 UTC): prod then installs 1.38 day(s) after dev");
        });

        it("a stack without installs, or installs in order, has nothing to report", () => {
            expect(order(0, [])).to.deep.equal([]);
            expect(order(0, [source("prod", "cron(0 2 ? * TUE#4 *)")])).to.deep.equal([]);
        });
    });
});
