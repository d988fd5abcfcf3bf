/**
 * config/ rules that surviving StrykerJS mutants showed untested (TESTING.md, Mutation testing):
 * the edges of each rule (equal to the limit, one past it), checked where the rule is decided, with
 * the exact issues it reports — one issue per problem, none for a value the schema already refused.
 */
import { expect } from "chai";
import { calendarRegions, heldInstalls, withGates } from "../config/approvalCalendars";
import { installPathModel } from "../config/installPaths";
import { IssueSink } from "../config/issues";
import { cronShortestGapMinutes, schedulePeriodMinutes } from "../config/overrideStore";
import { checkPatchOrchestrators, checkSharedNames } from "../config/patchOrchestrators";
import { compileSchedule, policyRegions } from "../config/patchPolicies";
import { ConfigValidationError } from "../config";
import { minimalConfig, parse } from "./harness";
import { checkWindowSchedule, isIso8601, isoInstant, targetEntryCount } from "../config/maintenanceWindows";
import { MW_CUTOFF_MAX, MW_DURATION_MAX } from "../config/rules";

function issues(check: (sink: IssueSink) => void) {
    const sink = new IssueSink();
    check(sink);
    return sink.issues.map((i) => `${i.path}: ${i.message}`);
}

describe("config rules at their edges (mutation testing)", () => {
    describe("maintenance window StartDate / EndDate (ISO-8601, as CreateMaintenanceWindow takes them)", () => {
        it("the last minute and second of a day are valid; 60 is not", () => {
            expect(isIso8601("2026-06-01T23:59:59Z")).to.equal(true);
            expect(isIso8601("2026-06-01T12:59")).to.equal(true);
            expect(isIso8601("2026-06-01T12:60")).to.equal(false);
            expect(isIso8601("2026-06-01T12:00:60Z")).to.equal(false);
            expect(isIso8601("2026-06-01T12:00:59.123456789+05:30")).to.equal(true);
        });

        it("a day or month that does not exist is refused", () => {
            expect(isIso8601("2027-02-29")).to.equal(false);
            expect(isIso8601("2028-02-29")).to.equal(true);
            expect(isIso8601("2026-13-01")).to.equal(false);
            expect(isIso8601("2026-04-31T00:00Z")).to.equal(false);
        });

        it("instants: an offset is applied, a value without a zone and a date alone are UTC", () => {
            expect(isoInstant("2026-06-01T09:00+09:00")).to.equal(Date.UTC(2026, 5, 1, 0, 0));
            expect(isoInstant("2026-06-01T09:00")).to.equal(Date.UTC(2026, 5, 1, 9, 0));
            expect(isoInstant("2026-06-01")).to.equal(Date.UTC(2026, 5, 1));
        });
    });

    describe("a window's time fields together (checkWindowSchedule)", () => {
        const W = "patching:maintenanceWindows[0]";
        const window = (over: Record<string, unknown>) => ({ schedule: "cron(0 2 ? * SUN *)", duration: 4, cutoff: 1, ...over });

        it("the cutoff must be less than the duration: equal is refused, one less is fine", () => {
            expect(issues((s) => checkWindowSchedule(s, W, window({ cutoff: 4 })))).to.deep.equal([
                `${W}.cutoff: must be less than the duration (4 h): the cutoff is the number of hours before the end of the window when no new task starts`,
            ]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ cutoff: 3 })))).to.deep.equal([]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ duration: MW_DURATION_MAX, cutoff: MW_CUTOFF_MAX })))).to.deep.equal([]);
        });

        it("an out-of-range or mistyped duration or cutoff is not compared (its schema reports it, once)", () => {
            for (const over of [{ cutoff: MW_CUTOFF_MAX + 1, duration: 4 }, { duration: MW_DURATION_MAX + 1, cutoff: MW_DURATION_MAX + 1 }, { duration: "4", cutoff: 5 }, { duration: 4, cutoff: "5" }]) {
                expect(issues((s) => checkWindowSchedule(s, W, window(over))), JSON.stringify(over)).to.deep.equal([]);
            }
        });

        it("scheduleOffset only with a cron schedule (leading spaces allowed)", () => {
            expect(issues((s) => checkWindowSchedule(s, W, window({ schedule: "rate(7 days)", scheduleOffset: 2 })))).to.deep.equal([`${W}.scheduleOffset: applies to cron schedules only; the schedule is rate(7 days)`]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ schedule: "  cron(0 2 ? * TUE#2 *)", scheduleOffset: 2 })))).to.deep.equal([]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ schedule: 7, scheduleOffset: 2 })))).to.deep.equal([]);
        });

        it("endDate must be after startDate: the same instant is refused, whatever the offsets; an invalid date is not compared", () => {
            expect(issues((s) => checkWindowSchedule(s, W, window({ startDate: "2026-06-01T09:00+09:00", endDate: "2026-06-01T00:00Z" })))).to.deep.equal([
                `${W}.endDate: must be after startDate (2026-06-01T09:00+09:00)`,
            ]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ startDate: "2026-06-01T00:00Z", endDate: "2026-06-01T00:01Z" })))).to.deep.equal([]);
            for (const [startDate, endDate] of [
                ["2026-06-01", "2026-02-30"],
                ["2026-06-31", "2026-06-01"],
                [20260601, "2026-05-01"],
                ["2026-06-01", 20260501],
            ]) {
                expect(issues((s) => checkWindowSchedule(s, W, window({ startDate, endDate }))), `${startDate} ${endDate}`).to.deep.equal([]);
            }
        });
    });

    describe("key/value entries a maintenance window target registers (botocore Targets: at most 5)", () => {
        it("one per tag key, one for tagKeys, one for instanceIds; a resource group is one, two with resource types", () => {
            expect(targetEntryCount({ tags: { PatchGroup: ["prod"], Role: ["web", "db"] }, tagKeys: ["Patch"] })).to.equal(3);
            expect(targetEntryCount({ instanceIds: ["i-0123456789abcdef0"] })).to.equal(1);
            expect(targetEntryCount({ resourceGroup: { name: "web" } })).to.equal(1);
            expect(targetEntryCount({ resourceGroup: { name: "web", resourceTypes: ["AWS::EC2::Instance"] } })).to.equal(2);
            expect(targetEntryCount({})).to.equal(0);
        });
    });

    describe("patch orchestrators' cross-field rules (checkPatchOrchestrators)", () => {
        const O = "patching:patchOrchestrators";
        const orchestrator = (over: Record<string, unknown>) => ({ name: "o", targets: { tags: { PatchGroup: ["prod"] } }, window: { schedule: "cron(0 2 ? * SUN *)", duration: 4, cutoff: 1 }, ...over });
        const check = (over: Record<string, unknown>, patchPolicies?: unknown) => issues((s) => checkPatchOrchestrators(s, O, [orchestrator(over)], undefined, patchPolicies));

        it("a valid orchestrator has no issue", () => {
            expect(check({})).to.deep.equal([]);
        });

        it("volume expansion: volumeTag is pointless with untaggedVolumes, required without tags unless untaggedVolumes, and needs the preflight", () => {
            const V = `${O}[0].preflight.volumeExpansion`;
            expect(check({ preflight: { volumeExpansion: { enabled: true, untaggedVolumes: true, volumeTag: "grow" } } })).to.deep.equal([
                `${V}.volumeTag: has no effect with untaggedVolumes: true (every root volume of a targeted instance may be grown); remove one of them`,
            ]);
            const noTags = { targets: { resourceGroup: { name: "web" } } };
            expect(check({ ...noTags, preflight: { volumeExpansion: { enabled: true } } })).to.deep.equal([
                `${V}.volumeTag: is required when targets has no tags: ec2:ModifyVolume is only granted on volumes carrying this tag (or set untaggedVolumes: true)`,
            ]);
            expect(check({ ...noTags, preflight: { volumeExpansion: { enabled: true, untaggedVolumes: true } } })).to.deep.equal([]);
            expect(check({ ...noTags, preflight: { volumeExpansion: { enabled: true, volumeTag: "grow" } } })).to.deep.equal([]);
            expect(check({ preflight: { enabled: false, volumeExpansion: { enabled: true } } })).to.deep.equal([
                `${V}.enabled: needs the preflight (preflight.enabled true): expansion is decided from its disk measurement`,
            ]);
            expect(check({ ...noTags, preflight: { enabled: false, volumeExpansion: { enabled: false } } })).to.deep.equal([]);
        });

        it("instance role attachments only in mode policy (the default), and only to owned patch policies of this stack", () => {
            const R = `${O}[0].instanceRole`;
            expect(check({ instanceRole: { mode: "none", attachToRoles: ["web"], attachToPatchPolicies: [] } })).to.deep.equal([`${R}.attachToRoles: applies to mode policy only (mode is none)`]);
            expect(check({ instanceRole: { attachToRoles: ["web"] } })).to.deep.equal([]);
            const policies = [{ name: "owned", mode: "owned" }, { name: "qs", mode: "managed" }, { name: 3 }];
            expect(check({ instanceRole: { attachToPatchPolicies: ["owned", 7, "qs", "gone"] } }, policies)).to.deep.equal([
                `${R}.attachToPatchPolicies[2]: is a managed-mode patch policy: Quick Setup owns its instance role; name the role in attachToRoles instead`,
                `${R}.attachToPatchPolicies[3]: is not a patch policy of this stack; patching:patchPolicies: owned, qs`,
            ]);
            expect(check({ instanceRole: { attachToPatchPolicies: ["gone"] } })).to.deep.equal([`${R}.attachToPatchPolicies[0]: is not a patch policy of this stack; patching:patchPolicies: (none)`]);
        });

        it("fleet settings only with scale: fleet (standard when unset)", () => {
            expect(check({ fleet: { maxConcurrentBatches: 2 } })).to.deep.equal([`${O}[0].fleet: applies to scale: fleet only (scale is standard)`]);
            expect(check({ scale: "fleet", fleet: { maxConcurrentBatches: 2 } })).to.deep.equal([]);
        });

        it("maxRuntimeMinutes may fill the window exactly, not more", () => {
            expect(check({ maxRuntimeMinutes: 240 })).to.deep.equal([]);
            expect(check({ maxRuntimeMinutes: 241 })).to.deep.equal([
                `${O}[0].maxRuntimeMinutes: exceeds the window duration (4 h = 240 min): batches would start after the window closed`,
            ]);
            expect(check({ maxRuntimeMinutes: "241" })).to.deep.equal([]);
        });

        it("targets: tags and/or a resource group, and tags not empty", () => {
            expect(check({ targets: {} })).to.deep.equal([`${O}[0].targets: needs tags and/or resourceGroup: the orchestrator finds running and stopped instances by them`]);
            expect(check({ targets: { tags: {} } })).to.deep.equal([`${O}[0].targets.tags: needs at least one tag key`]);
        });
    });

    describe("names shared by windows, orchestrators and compliance (checkSharedNames)", () => {
        const MW = "patching:maintenanceWindows";
        const O = "patching:patchOrchestrators";
        const task = (name: string, runCommand?: Record<string, unknown>) => ({ name, type: "RUN_COMMAND", ...(runCommand ? { runCommand } : {}) });
        const shared = (windows: unknown[], orchestrators: unknown[], compliance?: unknown) =>
            issues((s) => checkSharedNames(s, MW, windows, O, orchestrators, compliance === undefined ? undefined : { path: "patching:compliance", raw: compliance }));

        it("compliance always creates its log group (default /aws/ssm/patch-manager): an orchestrator's default one clashes unless it does not create it", () => {
            expect(shared([], [{ name: "o" }], {})).to.deep.equal([
                `${O}[0].logGroup.name: log group /aws/ssm/patch-manager is already created by patching:compliance.logs; set create: false to use it, or name another one`,
            ]);
            expect(shared([], [{ name: "o", logGroup: { create: false } }], {})).to.deep.equal([]);
            expect(shared([], [{ name: "o" }], { logs: { groupName: "/patching/compliance" } })).to.deep.equal([]);
            expect(shared([], [{ name: "o" }])).to.deep.equal([]);
            expect(shared([], [{ name: "a" }, { name: "b" }])).to.deep.equal([
                `${O}[1].logGroup.name: log group /aws/ssm/patch-manager is already created by ${O}[0].logGroup; set create: false to use it, or name another one`,
            ]);
        });

        it("a window task's CloudWatch output creates /aws/ssm/<window>/<task> (or its logGroupName) unless create: false", () => {
            const windows = [
                { name: "w", tasks: [task("t", { cloudWatchOutput: {} }), task("quiet", { cloudWatchOutput: { create: false } }), task("plain", {}), task("bare")] },
            ];
            expect(shared(windows, [{ name: "o", logGroup: { name: "/aws/ssm/w/t" } }])).to.deep.equal([
                `${O}[0].logGroup.name: log group /aws/ssm/w/t is already created by ${MW}[0].tasks[0].runCommand.cloudWatchOutput; set create: false to use it, or name another one`,
            ]);
            for (const name of ["/aws/ssm/w/quiet", "/aws/ssm/w/plain", "/aws/ssm/w/bare"]) expect(shared(windows, [{ name: "o", logGroup: { name } }]), name).to.deep.equal([]);
            const twice = [{ name: "w", tasks: [task("t", { cloudWatchOutput: { logGroupName: "/x" } }), task("u", { cloudWatchOutput: { logGroupName: "/x" } })] }];
            expect(shared(twice, [])).to.deep.equal([`${MW}[0].tasks[1].runCommand.cloudWatchOutput.logGroupName: log group /x is already created by ${MW}[0].tasks[0].runCommand.cloudWatchOutput; set create: false to share it`]);
            const unnamed = [{ tasks: [task("t", { cloudWatchOutput: {} })] }, { name: "v", tasks: [{ type: "RUN_COMMAND", runCommand: { cloudWatchOutput: {} } }] }];
            expect(shared(unnamed, [{ name: "o", logGroup: { name: "/aws/ssm/undefined/t" } }])).to.deep.equal([]);
        });

        it("an orchestrator's window (named <name>-window unless named) may not reuse a window's name", () => {
            expect(shared([{ name: "o-window" }], [{ name: "o", logGroup: { create: false } }])).to.deep.equal([
                `${O}[0].window.name: maintenance window name o-window is already used by ${MW}[0]`,
            ]);
            expect(shared([{ name: "nightly" }], [{ name: "o", window: { name: "nightly" }, logGroup: { create: false } }])).to.deep.equal([
                `${O}[0].window.name: maintenance window name nightly is already used by ${MW}[0]`,
            ]);
            expect(shared([{ name: "o" }], [{ name: "o", logGroup: { create: false } }, { window: {}, logGroup: { create: false } }])).to.deep.equal([]);
        });
    });

    describe("the override store's schedule and cross-field rules", () => {
        const P = "patching:overrideStore";
        const store = (changes: Record<string, unknown>) => minimalConfig({ [P]: { configId: "test1", baselines: ["test-al2023"], ...changes } });
        /** The messages at `path` (none when the config is accepted). */
        const at = (changes: Record<string, unknown>, path: string) => {
            try {
                parse(store(changes));
                return [];
            } catch (err) {
                if (!(err instanceof ConfigValidationError)) throw err;
                return err.issues.filter((i) => i.path === path).map((i) => i.message);
            }
        };

        it("a schedule's period: a rate's, or a cron's longest gap between runs (MON-FRI at 02:00: the weekend, 3 days)", () => {
            expect(schedulePeriodMinutes("rate(1 hour)")).to.equal(60);
            expect(schedulePeriodMinutes("cron(0 */6 * * ? *)")).to.equal(360);
            expect(schedulePeriodMinutes("cron(0 2 ? * MON-FRI *)")).to.equal(3 * 1440);
            expect(cronShortestGapMinutes("cron(0 2 ? * MON-FRI *)")).to.equal(1440);
            expect(cronShortestGapMinutes("cron(0,10 * * * ? *)")).to.equal(10);
            expect(schedulePeriodMinutes("at(2026-06-01T00:00:00)")).to.equal(undefined);
            expect(schedulePeriodMinutes("hourly")).to.equal(undefined);
        });

        it("a remediation cron may run 15 minutes apart, not less", () => {
            expect(at({ remediation: { schedule: "cron(0,15,30,45 * * * ? *)" } }, `${P}.remediation.schedule`)).to.deep.equal([]);
            expect(at({ remediation: { schedule: "cron(0,10 * * * ? *)" } }, `${P}.remediation.schedule`)).to.deep.equal([
                "runs 10 minute(s) apart at times; at least 15 minutes: GetPatchBaseline is throttled and baselines rarely change (Quick Setup: hourly)",
            ]);
        });

        it("an object key of exactly 1024 bytes is accepted", () => {
            expect(at({ objectKey: "k".repeat(1024) }, `${P}.objectKey`)).to.deep.equal([]);
        });

        it("access logs may not go to the store bucket itself (given as an existing target)", () => {
            const L = `${P}.accessLogging.targetBucket`;
            expect(at({ bucketName: "my-overrides-1", accessLogging: { mode: "existing", targetBucket: "my-overrides-1" } }, L)).to.deep.equal([
                "is the store bucket itself; S3 server access logs must go to another bucket",
            ]);
            expect(at({ bucketName: "my-overrides-1", accessLogging: { mode: "existing", targetBucket: "my-access-logs-1" } }, L)).to.deep.equal([]);
        });

        it("alarmEmail subscribes to the stack's own topic, so not together with alarmTopicArn", () => {
            expect(at({ remediation: { alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops", alarmEmail: "ops@example.com" } }, `${P}.remediation.alarmEmail`)).to.deep.equal([
                "subscribes to a topic the stack creates; with alarmTopicArn, subscribe to that topic instead",
            ]);
            expect(at({ remediation: { alarmEmail: "ops@example.com" } }, `${P}.remediation.alarmEmail`)).to.deep.equal([]);
        });

        it("no baselines at all is an empty override file; a mistyped list is reported by its schema only", () => {
            expect(at({ baselines: [], predefinedBaselines: [] }, P)).to.deep.equal([
                "lists no baselines: set baselines (names from patching:baselines) and/or predefinedBaselines, otherwise the override file is empty",
            ]);
            expect(at({ baselines: [] }, P)).to.have.length(1);
            expect(at({ baselines: "test-al2023" }, P)).to.deep.equal([]);
            expect(at({ baselines: [], predefinedBaselines: "pb-0123456789abcdef0" }, P)).to.deep.equal([]);
            expect(at({ baselines: [], predefinedBaselines: ["pb-0123456789abcdef0"] }, P)).to.deep.equal([]);
        });
    });

    describe("association names are unique in a stack (patch policies' scan and install)", () => {
        const base = { targets: { tags: { Environment: ["test"] } } };
        const scan = (associationName?: string) => ({ schedule: "cron(0 1 * * ? *)", ...(associationName ? { associationName } : {}) });
        const install = (associationName?: string) => ({ schedule: "cron(0 2 ? * SUN *)", ...(associationName ? { associationName } : {}) });
        /** Every association-name issue of these policies, as `path: message`. */
        const clashes = (policies: Record<string, unknown>[]) => {
            try {
                parse(minimalConfig({ "patching:patchPolicies": policies.map((p) => ({ ...base, ...p })) }));
                return [];
            } catch (err) {
                if (!(err instanceof ConfigValidationError)) throw err;
                return err.issues.filter((i) => i.message.startsWith("duplicate association name")).map((i) => `${i.path}: ${i.message}`);
            }
        };
        const PP = "patching:patchPolicies";

        it("two explicit names clash", () => {
            expect(clashes([{ name: "web", scan: scan("nightly-scan") }, { name: "db", scan: scan("nightly-scan") }])).to.deep.equal([
                `${PP}[1].scan.associationName: duplicate association name nightly-scan; already used by ${PP}[0].scan`,
            ]);
        });

        it("an explicit name clashes with another policy's default name, in either order", () => {
            expect(clashes([{ name: "web", scan: scan() }, { name: "db", scan: scan("web-ScanForPatches") }])).to.deep.equal([
                `${PP}[1].scan.associationName: duplicate association name web-ScanForPatches; already used by ${PP}[0].scan`,
            ]);
            expect(clashes([{ name: "web", scan: scan("db-InstallPatches") }, { name: "db", scan: scan(), install: install() }])).to.deep.equal([
                `${PP}[1].install: duplicate association name db-InstallPatches; already used by ${PP}[0].scan`,
            ]);
        });

        it("a policy without install registers no install association; default names of distinct policies never clash", () => {
            expect(clashes([{ name: "web", scan: scan() }, { name: "db", scan: scan(), install: install("web-InstallPatches") }])).to.deep.equal([]);
            expect(clashes([{ name: "web", scan: scan(), install: install() }, { name: "db", scan: scan(), install: install() }])).to.deep.equal([]);
        });
    });

    describe("patch policy schedules compiled for the association (compileSchedule)", () => {
        type Op = Parameters<typeof compileSchedule>[0];
        const compile = (op: Partial<Op>, kind: "scan" | "install") => compileSchedule(op as Op, kind);

        it("Patch Tuesday (the second Tuesday) + whole weeks is a later Tuesday, with no offset; scans run at creation, installs do not", () => {
            expect(compile({ patchTuesdayPlusDays: 0 }, "scan")).to.deep.equal({ expression: "cron(0 0 ? * TUE#2 *)", offsetDays: undefined, applyOnlyAtCronInterval: false, description: "Patch Tuesday + 0 days at 00:00 UTC" });
            expect(compile({ patchTuesdayPlusDays: 7, time: "22:05" }, "install")).to.deep.equal({ expression: "cron(5 22 ? * TUE#3 *)", offsetDays: undefined, applyOnlyAtCronInterval: true, description: "Patch Tuesday + 7 days at 22:05 UTC" });
        });

        it("other days are a Tuesday plus ScheduleOffset days, which needs ApplyOnlyAtCronInterval even for a scan", () => {
            expect(compile({ patchTuesdayPlusDays: 1, time: "03:30", applyOnlyAtCronInterval: false }, "scan")).to.deep.equal({
                expression: "cron(30 3 ? * TUE#2 *)",
                offsetDays: 1,
                applyOnlyAtCronInterval: true,
                description: "Patch Tuesday + 1 day at 03:30 UTC",
            });
        });

        it("a written schedule: only a cron applies at its interval (installs by default); the offset is described with its unit", () => {
            expect(compile({ schedule: "cron(0 2 ? * SUN *)" }, "install").applyOnlyAtCronInterval).to.equal(true);
            expect(compile({ schedule: "cron(0 2 ? * SUN *)" }, "scan").applyOnlyAtCronInterval).to.equal(false);
            expect(compile({ schedule: "cron(0 2 ? * SUN *)", applyOnlyAtCronInterval: true }, "scan").applyOnlyAtCronInterval).to.equal(true);
            expect(compile({ schedule: "rate(1 day)", applyOnlyAtCronInterval: true }, "install").applyOnlyAtCronInterval).to.equal(false);
            expect(compile({ schedule: "cron(0 2 ? * TUE#2 *)", scheduleOffset: 1 }, "install")).to.deep.equal({ expression: "cron(0 2 ? * TUE#2 *)", offsetDays: 1, applyOnlyAtCronInterval: true, description: "cron(0 2 ? * TUE#2 *) + 1 day" });
            expect(compile({ schedule: "cron(0 2 ? * TUE#2 *)", scheduleOffset: 3 }, "install").description).to.equal("cron(0 2 ? * TUE#2 *) + 3 days");
            expect(compile({ schedule: "rate(1 day)" }, "scan").description).to.equal("rate(1 day)");
        });

        it("a policy without regions deploys to the stack's region only", () => {
            expect(policyRegions({}, "eu-west-1")).to.deep.equal(["eu-west-1"]);
            expect(policyRegions({ regions: ["us-east-1", "eu-west-1"] }, "eu-west-1")).to.deep.equal(["us-east-1", "eu-west-1"]);
        });
    });

    describe("where the approval calendar must exist (a Change Calendar is a Regional document)", () => {
        const policies = [
            {
                name: "web",
                targets: { tags: { Environment: ["test"] } },
                scan: { schedule: "cron(0 1 * * ? *)" },
                install: { schedule: "cron(0 2 ? * SUN *)", scheduleOffset: 1, applyOnlyAtCronInterval: true },
                regions: ["eu-west-1", "us-east-1"],
                acceptRegionDefaultBaselines: true,
            },
            { name: "scanonly", targets: { tags: { Environment: ["test"] } }, scan: { schedule: "cron(0 1 * * ? *)" }, regions: ["ap-south-1"], acceptRegionDefaultBaselines: true },
        ];
        const gate = { approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" }, gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", targets: [{ key: "tag:Environment", values: ["prod"] }] } };
        const gated = () => parse(minimalConfig({ "patching:changeSafety": gate, "patching:patchPolicies": policies }));

        it("the home Region first, then every Region an owned policy installs in; a scan-only policy's Region needs none", () => {
            expect(calendarRegions(gated())).to.deep.equal(["us-east-1", "eu-west-1"]);
        });

        it("the calendar holds the gated install and the owned policy's install, with its offset", () => {
            expect(heldInstalls(gated())).to.deep.equal([
                { expression: "cron(0 2 ? * TUE#3 *)", offsetDays: undefined },
                { expression: "cron(0 2 ? * SUN *)", offsetDays: 1 },
            ]);
        });

        it("each install path names what holds it: the policy's copy in each of its Regions, State Manager for the gated install", () => {
            const cfg = gated();
            const gates = Object.fromEntries(withGates(cfg, installPathModel(cfg)).paths.map((p) => [p.id, p.gate]));
            expect(gates).to.deep.equal({
                "patchPolicies/web": "change calendar patching-test-install-approval in eu-west-1, us-east-1 (each Region's install association names its Region's copy)",
                "changeSafety/gatedInstall": "change calendar patching-test-install-approval (State Manager starts the association only while it is OPEN)",
            });
        });

        it("without an approval gate there is no calendar and nothing is held by one", () => {
            const cfg = parse(minimalConfig({ "patching:patchPolicies": policies }));
            expect(calendarRegions(cfg)).to.deep.equal([]);
            expect(withGates(cfg, installPathModel(cfg)).paths.map((p) => p.gate)).to.deep.equal([undefined]);
        });
    });
});
