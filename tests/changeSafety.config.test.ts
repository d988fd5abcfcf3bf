import { expect } from "chai";
import * as path from "path";
import { ConfigIssue, ConfigValidationError, parseConfig, PatchingConfig } from "../config";
import { stackFileLoader } from "../config/source";
import { minimalConfig, ROOT } from "./harness";

const NOW = new Date("2026-11-20T00:00:00Z");
const CS = "patching:changeSafety";

/** A stack `prod` whose earlier stage `dev` is given by `devValues`. */
function parseProd(values: Record<string, unknown>, devValues?: Record<string, unknown>): PatchingConfig {
    return parseConfig(values, { project: "patching", stack: "prod", now: NOW, loadStack: (s) => (s === "dev" ? devValues : undefined) });
}

function issuesOf(values: Record<string, unknown>, devValues?: Record<string, unknown>): ConfigIssue[] {
    try {
        parseProd(values, devValues);
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
    throw new Error("expected the config to be rejected");
}

function expectIssue(values: Record<string, unknown>, p: string, text: string, value?: unknown, devValues?: Record<string, unknown>) {
    const issues = issuesOf(values, devValues);
    const at = issues.filter((i) => i.path === p);
    expect(at, `issues: ${JSON.stringify(issues, null, 1)}`).to.have.length(1);
    expect(at[0].message).to.contain(text);
    if (value !== undefined) expect(at[0].value).to.deep.equal(value);
}

const TARGETS = [{ key: "tag:Environment", values: ["prod"] }];
/** A stack whose changeSafety is `cs`. */
const withCs = (cs: Record<string, unknown>, extra: Record<string, unknown> = {}) => minimalConfig({ [CS]: cs, ...extra });
/** A dev stack that installs on Patch Tuesday + 2 days (gated install, for the calendar). */
const DEV = withCs({ gatedInstall: { schedule: "cron(0 2 ? * TUE#2 *)", scheduleOffset: 2, targets: [{ key: "tag:Environment", values: ["dev"] }] } });

describe("patching:changeSafety config", () => {
    it("fills documented defaults", () => {
        const cfg = parseProd(withCs({ gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 2, targets: TARGETS }, promotion: { after: "dev" } }), DEV);
        expect(cfg.changeSafety).to.deep.equal({
            cycle: { time: "10:00", timezone: "America/Los_Angeles" },
            calendarMonths: 12,
            displayTimezone: "UTC",
            promotion: { after: "dev", minDaysAfter: 0, strategy: "calendar" },
            gatedInstall: {
                schedule: "cron(0 2 ? * TUE#3 *)",
                scheduleOffset: 2,
                targets: TARGETS,
                maxConcurrency: "10%",
                maxErrors: "1",
                rebootOption: "RebootIfNeeded",
                snapshots: { volumes: "root", retentionDays: 14 },
            },
        });
    });
    it("is optional", () => {
        expect(parseProd(minimalConfig()).changeSafety).to.equal(undefined);
    });

    describe("structure", () => {
        it("checks the release time and zone", () => {
            expectIssue(withCs({ cycle: { time: "25:00" } }), `${CS}.cycle.time`, "HH:MM", "25:00");
            expectIssue(withCs({ cycle: { timezone: "Mars/Olympus" } }), `${CS}.cycle.timezone`, "IANA time zone", "Mars/Olympus");
            expectIssue(withCs({ displayTimezone: "+09:00" }), `${CS}.displayTimezone`, "IANA time zone", "+09:00");
        });
        it("checks the calendar horizon", () => {
            expectIssue(withCs({ calendarMonths: 0 }), `${CS}.calendarMonths`, "from 1 to 36", 0);
        });
        it("rejects unknown keys with the allowed ones", () => {
            expectIssue(withCs({ promotions: {} }), CS, 'unknown key "promotions"; allowed keys: cycle, calendarMonths, displayTimezone, promotion, approvalGate, gatedInstall');
        });
        it("checks the earlier stack name and the strategy", () => {
            expectIssue(withCs({ promotion: { after: "dev stack" } }), `${CS}.promotion.after`, "stack name", "dev stack");
            expectIssue(withCs({ promotion: { after: "dev", strategy: "copy" } }), `${CS}.promotion.strategy`, "calendar, approvalDate, pinnedList", "copy");
            expectIssue(withCs({ promotion: { after: "dev", minDaysAfter: 61 } }), `${CS}.promotion.minDaysAfter`, "from 0 to 60", 61);
        });
        it("checks the source patch groups and read role", () => {
            expectIssue(withCs({ promotion: { after: "dev", strategy: "pinnedList", source: { patchGroups: [] } } }), `${CS}.promotion.source.patchGroups`, "at least one patch group");
            expectIssue(
                withCs({ promotion: { after: "dev", strategy: "pinnedList", source: { patchGroups: ["dev"], readRoleArn: "arn:aws:iam::12345:role/x" } } }),
                `${CS}.promotion.source.readRoleArn`,
                "IAM role ARN",
                "arn:aws:iam::12345:role/x",
            );
        });
        it("checks promotion schedules as EventBridge Scheduler expressions", () => {
            expectIssue(
                withCs({ promotion: { after: "dev", strategy: "pinnedList", source: { patchGroups: ["dev"] }, pinnedList: { schedule: "cron(0 5 * * *)" } } }),
                `${CS}.promotion.pinnedList.schedule`,
                "cron takes 6 fields",
                "cron(0 5 * * *)",
            );
        });
        it("checks the pinned list key", () => {
            const pinned = (objectKey: string) => withCs({ promotion: { after: "dev", strategy: "pinnedList", source: { patchGroups: ["dev"] }, pinnedList: { objectKey } } });
            expectIssue(pinned("lists/prod.json"), `${CS}.promotion.pinnedList.objectKey`, "must end in .yaml", "lists/prod.json");
            expectIssue(pinned("lists//prod.yaml"), `${CS}.promotion.pinnedList.objectKey`, "S3 key", "lists//prod.yaml");
        });
        it("checks approval-date thresholds", () => {
            expectIssue(
                withCs({ promotion: { after: "dev", strategy: "approvalDate", source: { patchGroups: ["dev"] }, approvalDate: { baselines: ["test-al2023"], minCompliantPercent: 0 } } }),
                `${CS}.promotion.approvalDate.minCompliantPercent`,
                "from 1 to 100",
                0,
            );
        });
        it("checks the approval gate", () => {
            const gate = (g: Record<string, unknown>) => withCs({ approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)", ...g }, gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", targets: TARGETS } });
            expectIssue(gate({ notifyEmails: ["ops-at-example.com"] }), `${CS}.approvalGate.notifyEmails[0]`, "email address", "ops-at-example.com");
            expectIssue(gate({ timeout: { action: "wait" } }), `${CS}.approvalGate.timeout.action`, "skip, open", "wait");
            expectIssue(gate({ timeout: { action: "open", afterHours: 0 } }), `${CS}.approvalGate.timeout.afterHours`, "from 1 to 336", 0);
            expectIssue(gate({ openHours: 200 }), `${CS}.approvalGate.openHours`, "from 1 to 168", 200);
            expectIssue(gate({ requestSchedule: "daily" }), `${CS}.approvalGate.requestSchedule`, "cron(...), rate(...) or at(...)", "daily");
        });
        it("checks the gated install as a State Manager association", () => {
            const install = (i: Record<string, unknown>) => withCs({ gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", targets: TARGETS, ...i } });
            expectIssue(install({ schedule: "cron(0 2 ? JAN TUE#3 *)" }), `${CS}.gatedInstall.schedule`, "do not support months", "cron(0 2 ? JAN TUE#3 *)");
            expectIssue(install({ scheduleOffset: 7 }), `${CS}.gatedInstall.scheduleOffset`, "from 1 to 6", 7);
            expectIssue(install({ schedule: "rate(7 days)", scheduleOffset: 2 }), `${CS}.gatedInstall.scheduleOffset`, "needs a cron schedule", 2);
            expectIssue(install({ targets: [] }), `${CS}.gatedInstall.targets`, "1–5 targets");
            expectIssue(install({ targets: [{ key: "Environment", values: ["prod"] }] }), `${CS}.gatedInstall.targets[0].key`, "tag:<key>", "Environment");
            expectIssue(install({ maxConcurrency: "0" }), `${CS}.gatedInstall.maxConcurrency`, "botocore MaxConcurrency", "0");
            expectIssue(install({ maxErrors: "101%" }), `${CS}.gatedInstall.maxErrors`, "botocore MaxErrors", "101%");
            expectIssue(install({ rebootOption: "Reboot" }), `${CS}.gatedInstall.rebootOption`, "RebootIfNeeded, NoReboot", "Reboot");
            expectIssue(install({ snapshots: { volumes: "boot" } }), `${CS}.gatedInstall.snapshots.volumes`, "root, all, none", "boot");
            expectIssue(install({ snapshots: { retentionDays: 400 } }), `${CS}.gatedInstall.snapshots.retentionDays`, "from 1 to 365", 400);
        });
    });

    describe("cross-field rules", () => {
        it("a stack cannot follow itself", () => {
            expectIssue(withCs({ promotion: { after: "prod" } }), `${CS}.promotion.after`, "names this stack itself", "prod");
        });
        it("approvalDate and pinnedList need the earlier stage's patch groups", () => {
            expectIssue(withCs({ promotion: { after: "dev", strategy: "pinnedList" } }), `${CS}.promotion.source`, "is required by strategy pinnedList", undefined, DEV);
        });
        it("a strategy's section only with that strategy", () => {
            expectIssue(withCs({ promotion: { after: "dev", pinnedList: {} } }), `${CS}.promotion.pinnedList`, "only applies to strategy pinnedList (strategy is calendar)", {}, DEV);
            expectIssue(
                withCs({ promotion: { after: "dev", strategy: "approvalDate", source: { patchGroups: ["dev"] } } }),
                `${CS}.promotion.approvalDate`,
                "is required by strategy approvalDate",
                undefined,
                DEV,
            );
        });
        it("promoted baselines exist, approve by date, and are not Ubuntu/Debian", () => {
            const promote = (baselines: string[], rules: Record<string, unknown>[] = [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveUntilDate: "2026-11-01" }]) =>
                minimalConfig({
                    "patching:baselines": [
                        { name: "prod-al2023", operatingSystem: "AMAZON_LINUX_2023", approvalRules: rules, patchGroups: ["prod"] },
                        { name: "prod-ubuntu", operatingSystem: "UBUNTU", approvalRules: [{ patchFilters: { PRIORITY: ["Required"] } }], patchGroups: ["prod"] },
                    ],
                    [CS]: { promotion: { after: "dev", strategy: "approvalDate", source: { patchGroups: ["dev"] }, approvalDate: { baselines } } },
                });
            expect(parseProd(promote(["prod-al2023"]), DEV).changeSafety?.promotion?.approvalDate).to.deep.equal({
                baselines: ["prod-al2023"],
                schedule: "cron(0 6 * * ? *)",
                minCompliantPercent: 100,
                minInstances: 1,
            });
            expectIssue(promote(["prod-windows"]), `${CS}.promotion.approvalDate.baselines[0]`, "is not a baseline of this stack; known: prod-al2023, prod-ubuntu", "prod-windows", DEV);
            expectIssue(promote(["prod-ubuntu"]), `${CS}.promotion.approvalDate.baselines[0]`, "UBUNTU baselines take no approveUntilDate", "prod-ubuntu", DEV);
            expectIssue(
                promote(["prod-al2023"], [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 7 }]),
                `${CS}.promotion.approvalDate.baselines[0]`,
                "approval rule 0 uses approveAfterDays; promoted baselines approve by approveUntilDate",
                "prod-al2023",
                DEV,
            );
        });
        it("an approval gate needs an install to hold: the gated install or an owned patch policy's", () => {
            expectIssue(withCs({ approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" } }), `${CS}.approvalGate`, "holds nothing");
            const policy = { name: "test-patching", targets: { tags: { Environment: ["test"] } }, scan: { schedule: "cron(0 1 * * ? *)" }, install: { patchTuesdayPlusDays: 9, time: "02:00" } };
            expect(() => parseProd(withCs({ approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" } }, { "patching:patchPolicies": [policy] }))).not.to.throw();
        });
    });

    describe("cross-stack release order", () => {
        const prod = (schedule: string, offset?: number, minDaysAfter = 7) =>
            withCs({ promotion: { after: "dev", minDaysAfter }, gatedInstall: { schedule, scheduleOffset: offset, targets: TARGETS } });
        it("accepts prod 7 days after dev in every cycle", () => {
            expect(() => parseProd(prod("cron(0 2 ? * TUE#3 *)", 2), DEV)).not.to.throw();
        });
        it("rejects the classic inversion, naming both schedules and the first inverted cycle", () => {
            const issues = issuesOf(prod("cron(0 2 ? * SUN#2 *)"), DEV);
            expect(issues.map((i) => i.path)).to.deep.equal([`${CS}.promotion`]);
            expect(issues[0].value).to.deep.equal(["2026-12", "2027-02", "2027-03", "2027-06", "2027-11"]);
            const [problem, fix] = issues[0].message.split(" Fix: ");
            expect(problem).to.equal(
                "prod can install before dev has proven the patches: 5 of 12 release cycle(s) are out of order. " +
                    "First: cycle 2026-12 (Patch Tuesday Tue 2026-12-08): prod installs at Sun 2026-12-13 02:00 UTC (changeSafety.gatedInstall), only 3 day(s) after dev at Thu 2026-12-10 02:00 UTC (changeSafety.gatedInstall); at least 7 required. " +
                    "Schedules — dev: changeSafety.gatedInstall cron(0 2 ? * TUE#2 *) +2d; prod: changeSafety.gatedInstall cron(0 2 ? * SUN#2 *).",
            );
            // The fix is proven in tests/promotionFix.test.ts; a week after Patch Tuesday + 2 is the third Tuesday + 2.
            expect(fix).to.match(/^keep dev's schedules and give prod's install\(s\) cron\(0 2 \? \* TUE#3 \*\) with scheduleOffset 2 \(Patch Tuesday \+ 9 days at 02:00 UTC\): prod then installs 7 day\(s\) after dev/);
        });
        it("rejects prod before dev even without a minimum gap", () => {
            const issues = issuesOf(prod("cron(0 2 ? * TUE#2 *)", 1, 0), DEV);
            expect(issues[0].message).to.contain("12 of 12 release cycle(s) are out of order");
            expect(issues[0].message).to.contain("prod installs at Wed 2026-12-09 02:00 UTC (changeSafety.gatedInstall), before dev at Thu 2026-12-10 02:00 UTC");
        });
        it("names a missing earlier stack file", () => {
            expectIssue(prod("cron(0 2 ? * TUE#3 *)", 2), `${CS}.promotion.after`, "has no stack file Pulumi.dev.yaml in the project", "dev", undefined);
        });
        it("refuses to compare with an invalid earlier stack", () => {
            expectIssue(prod("cron(0 2 ? * TUE#3 *)", 2), `${CS}.promotion.after`, "stack dev has an invalid config (1 problem(s), first: patching:environment", "dev", { ...DEV, "patching:environment": "Dev!" });
        });
        it("is skipped without a stack loader (e.g. parsing the earlier stack itself)", () => {
            expect(() => parseConfig(prod("cron(0 2 ? * SUN#2 *)"), { project: "patching", stack: "prod", now: NOW })).not.to.throw();
        });
        it("loads the earlier stack from Pulumi.<after>.yaml in the project folder", () => {
            const load = stackFileLoader(ROOT);
            expect(load("dev")?.["patching:environment"]).to.equal("dev");
            expect(load("nope")).to.equal(undefined);
            expect(path.isAbsolute(ROOT)).to.equal(true);
        });
    });
});
