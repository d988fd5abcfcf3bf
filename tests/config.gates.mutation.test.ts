/**
 * Where the approval gate's change calendar must exist, what it holds and whom it is shared with
 * (config/approvalCalendars.ts), decided on the validated config: the rules that surviving StrykerJS
 * mutants showed untested (TESTING.md, Mutation testing). A Change Calendar is a Regional SSM
 * document shared with accounts only (ModifyDocumentPermission takes account ids; SSM user guide,
 * "Sharing SSM documents"), so every fact here is one a deployment would get wrong: a Region
 * without its copy, an OU id sent as an account, an install nothing holds.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    automationInstalls,
    calendarRegions,
    calendarShares,
    checkApprovalGateHolds,
    hasApprovalCalendar,
    heldInstalls,
    installPathGate,
    isHeldInstall,
    windowInstalls,
    withGates,
} from "../config/approvalCalendars";
import { checkAgentUpdates } from "../config/agentUpdates";
import { IssueSink } from "../config/issues";
import { checkResourceGroups, createdGroupTypes } from "../config/resourceGroups";
import { parseConfigValue, parseStackYaml, readStackFile, readStackValues, SECRET_PLACEHOLDER, StackFileError, stackFileLoader } from "../config/source";
import type { InstallPath } from "../core/installPaths";

type Cfg = Parameters<typeof installPathGate>[0];

const GATE = { approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" } };
const install = (name: string, extra: Record<string, unknown> = {}) => ({ name, operation: "Install", enabled: true, schedule: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo", ...extra });
const runPatchBaseline = (operation: string) => ({ name: operation.toLowerCase(), type: "RUN_COMMAND", runCommand: { documentName: "AWS-RunPatchBaseline", operation } });

/** A validated config with only what the calendar rules read (every list empty unless given). */
function cfg(over: Record<string, unknown> = {}): Cfg {
    return { project: "patching", stack: "prod", region: "us-east-1", changeSafety: undefined, patchPolicies: [], multiAccount: undefined, maintenanceWindows: [], patchOrchestrators: [], ...over } as unknown as Cfg;
}
const management = (over: Record<string, unknown> = {}) => ({ accountRole: "management", targetLocations: [], schedules: [install("web-install")], ...over });

describe("the approval calendar: what it holds, where it lives, whom it is shared with (mutation testing)", () => {
    describe("multi-account Install schedules the calendar holds", () => {
        it("only enabled Install schedules of a stack that runs the automation (management or both)", () => {
            const schedules = [install("on"), install("off", { enabled: false }), install("scan", { operation: "Scan" })];
            expect(automationInstalls(cfg({ multiAccount: management({ schedules }) })).map((s) => s.name)).to.deep.equal(["on"]);
            expect(automationInstalls(cfg({ multiAccount: management({ accountRole: "both", schedules }) })).map((s) => s.name)).to.deep.equal(["on"]);
            expect(automationInstalls(cfg({ multiAccount: management({ accountRole: "member", schedules }) }))).to.deep.equal([]);
            expect(automationInstalls(cfg())).to.deep.equal([]);
        });

        it("a held schedule keeps its expression and time zone (the gate's 'next install')", () => {
            expect(heldInstalls(cfg({ multiAccount: management() }))).to.deep.equal([{ expression: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo" }]);
        });
    });

    describe("maintenance-window and orchestrator installs", () => {
        it("an AWS-RunPatchBaseline Install run command is held; a scan, another document or an Automation task is not", () => {
            expect(isHeldInstall(runPatchBaseline("Install"))).to.equal(true);
            expect(isHeldInstall(runPatchBaseline("Scan"))).to.equal(false);
            expect(isHeldInstall({ type: "RUN_COMMAND", runCommand: { documentName: "AWS-InstallWindowsUpdates", operation: "Install" } })).to.equal(false);
            expect(isHeldInstall({ type: "AUTOMATION", runCommand: { documentName: "AWS-RunPatchBaseline", operation: "Install" } })).to.equal(false);
            expect(isHeldInstall({ type: "RUN_COMMAND" })).to.equal(false);
        });

        it("a window with one Install task among others is held, with its schedule, offset and time zone; a scan-only window is not", () => {
            const windows = [
                { name: "mixed", schedule: "cron(0 5 ? * TUE#3 *)", scheduleOffset: 4, scheduleTimezone: "Asia/Tokyo", tasks: [runPatchBaseline("Scan"), runPatchBaseline("Install")] },
                { name: "scan", schedule: "cron(0 1 ? * * *)", tasks: [runPatchBaseline("Scan")] },
            ];
            const c = cfg({ maintenanceWindows: windows });
            expect(windowInstalls(c).map((w) => w.name)).to.deep.equal(["mixed"]);
            expect(heldInstalls(c)).to.deep.equal([{ expression: "cron(0 5 ? * TUE#3 *)", offsetDays: 4, timezone: "Asia/Tokyo" }]);
        });

        it("an orchestrator that installs is held with its window's schedule; one that scans is not", () => {
            const orchestrators = [
                { name: "fleet", patch: { operation: "Install" }, window: { schedule: "cron(0 3 ? * TUE#3 *)", scheduleOffset: 2, scheduleTimezone: "Europe/Paris" } },
                { name: "scan", patch: { operation: "Scan" }, window: { schedule: "cron(0 4 ? * * *)" } },
            ];
            expect(heldInstalls(cfg({ patchOrchestrators: orchestrators }))).to.deep.equal([{ expression: "cron(0 3 ? * TUE#3 *)", offsetDays: 2, timezone: "Europe/Paris" }]);
        });

        it("a managed-mode policy's install (Quick Setup's association) and a scan-only policy are not held", () => {
            const policies = [
                { name: "managed", mode: "managed", install: { schedule: "cron(0 2 ? * SUN *)" } },
                { name: "scan", mode: "owned", scan: { schedule: "cron(0 1 * * ? *)" } },
            ];
            expect(heldInstalls(cfg({ patchPolicies: policies }))).to.deep.equal([]);
        });
    });

    describe("an approval gate that holds nothing", () => {
        const problems = (c: Cfg) => {
            const sink = new IssueSink();
            checkApprovalGateHolds(sink, "patching:changeSafety", c);
            return sink.issues.map((i) => i.path);
        };

        it("is an error at approvalGate; one held install (of any kind) or no gate at all is fine", () => {
            expect(problems(cfg({ changeSafety: GATE }))).to.deep.equal(["patching:changeSafety.approvalGate"]);
            expect(hasApprovalCalendar(cfg({ changeSafety: GATE }))).to.equal(false);
            expect(problems(cfg({ changeSafety: GATE, multiAccount: management() }))).to.deep.equal([]);
            expect(hasApprovalCalendar(cfg({ changeSafety: GATE, multiAccount: management() }))).to.equal(true);
            expect(problems(cfg({ multiAccount: management() }))).to.deep.equal([]);
            expect(hasApprovalCalendar(cfg({ multiAccount: management() }))).to.equal(false);
        });
    });

    describe("Regions of the calendar's copies (a Change Calendar is read in its own Region)", () => {
        it("the runbook's target Regions, once each, after the home Region", () => {
            const multiAccount = management({
                targetLocations: [
                    { accounts: ["444455556666"], regions: ["us-west-2", "us-east-1"] },
                    { accounts: ["ou-ab12-34cd56ef"], regions: ["ap-northeast-1", "us-west-2"] },
                ],
            });
            expect(calendarRegions(cfg({ changeSafety: GATE, multiAccount }))).to.deep.equal(["us-east-1", "us-west-2", "ap-northeast-1"]);
        });

        it("without target locations the runbook runs in this account's memberRegions, else in aws:region", () => {
            expect(calendarRegions(cfg({ changeSafety: GATE, multiAccount: management({ accountRole: "both", memberRegions: ["eu-west-1", "eu-central-1"] }) }))).to.deep.equal([
                "us-east-1",
                "eu-west-1",
                "eu-central-1",
            ]);
            expect(calendarRegions(cfg({ changeSafety: GATE, region: "eu-north-1", multiAccount: management({ accountRole: "both" }) }))).to.deep.equal(["eu-north-1"]);
        });

        it("a Scan schedule's Regions need no copy; no gate, no copy anywhere", () => {
            const multiAccount = management({ targetLocations: [{ accounts: ["444455556666"], regions: ["us-west-2"] }] });
            const withScan = { ...multiAccount, schedules: [install("scan", { operation: "Scan" })] };
            const orchestrators = [{ name: "fleet", patch: { operation: "Install" }, window: { schedule: "cron(0 3 ? * TUE#3 *)" } }];
            expect(calendarRegions(cfg({ changeSafety: GATE, multiAccount: withScan, patchOrchestrators: orchestrators }))).to.deep.equal(["us-east-1"]);
            expect(calendarRegions(cfg({ multiAccount }))).to.deep.equal([]);
        });

        it("an owned policy's install Regions; a managed policy's Regions need none (Quick Setup's association names no calendar)", () => {
            const policies = [
                { name: "owned", mode: "owned", install: { schedule: "cron(0 2 ? * SUN *)" }, regions: ["eu-west-1"] },
                { name: "managed", mode: "managed", install: { schedule: "cron(0 2 ? * SUN *)" }, regions: ["ap-south-1"] },
                { name: "scan", mode: "owned", scan: { schedule: "cron(0 1 * * ? *)" }, regions: ["sa-east-1"] },
            ];
            expect(calendarRegions(cfg({ changeSafety: GATE, patchPolicies: policies }))).to.deep.equal(["us-east-1", "eu-west-1"]);
        });
    });

    describe("whom the calendar is shared with (ModifyDocumentPermission takes 12-digit account ids)", () => {
        const multiAccount = management({
            targetLocations: [
                { accounts: ["444455556666", "777788889999"], regions: ["us-east-1"] },
                { accounts: ["ou-ab12-34cd56ef", "444455556666", "r-ab12"], regions: ["us-west-2"] },
            ],
        });

        it("each target account once; OU and root ids apart (resolved to accounts at deployment)", () => {
            expect(calendarShares(cfg({ changeSafety: GATE, multiAccount }))).to.deep.equal({ accounts: ["444455556666", "777788889999"], organizationalUnits: ["ou-ab12-34cd56ef", "r-ab12"] });
        });

        it("a value that only contains 12 digits is not an account id", () => {
            const odd = management({ targetLocations: [{ accounts: ["1234567890123", "x444455556666"], regions: ["us-east-1"] }] });
            expect(calendarShares(cfg({ changeSafety: GATE, multiAccount: odd }))).to.deep.equal({ accounts: [], organizationalUnits: ["1234567890123", "x444455556666"] });
        });

        it("no share without the gate, without an automation Install, or without multi-account at all", () => {
            const none = { accounts: [], organizationalUnits: [] };
            expect(calendarShares(cfg({ multiAccount }))).to.deep.equal(none);
            const orchestrators = [{ name: "fleet", patch: { operation: "Install" }, window: { schedule: "cron(0 3 ? * TUE#3 *)" } }];
            expect(calendarShares(cfg({ changeSafety: GATE, multiAccount: { ...multiAccount, schedules: [install("s", { operation: "Scan" })] }, patchOrchestrators: orchestrators }))).to.deep.equal(none);
            expect(calendarShares(cfg({ changeSafety: GATE, patchOrchestrators: orchestrators }))).to.deep.equal(none);
        });
    });

    describe("what holds each install path (the review's answer and install-paths-gated's)", () => {
        const path = (mechanism: string, id: string, operation = "Install", extra: Partial<InstallPath> = {}) =>
            ({ id, mechanism, operation, selector: { label: "", terms: [] }, locations: [], configPath: "", ...extra }) as InstallPath;
        const windows = [
            { name: "held", tasks: [runPatchBaseline("Install")], schedule: "cron(0 5 ? * TUE#3 *)" },
            { name: "other-doc", tasks: [runPatchBaseline("Install"), { name: "w", type: "RUN_COMMAND", runCommand: { documentName: "AWS-InstallWindowsUpdates", operation: "Install" } }], schedule: "cron(0 5 ? * TUE#3 *)" },
            { name: "runbook", tasks: [runPatchBaseline("Install"), { name: "a", type: "AUTOMATION", automation: { documentName: "My-Patch" } }], schedule: "cron(0 5 ? * TUE#3 *)" },
            { name: "scan-too", tasks: [runPatchBaseline("Install"), runPatchBaseline("Scan")], schedule: "cron(0 5 ? * TUE#3 *)" },
        ];
        const policies = [
            { name: "owned", mode: "owned", install: { schedule: "cron(0 2 ? * SUN *)" }, regions: ["eu-west-1", "us-east-1"] },
            { name: "managed", mode: "managed", install: { schedule: "cron(0 2 ? * SUN *)" } },
        ];
        const gated = cfg({ changeSafety: GATE, maintenanceWindows: windows, patchPolicies: policies });
        const calendar = "change calendar patching-prod-install-approval";

        it("each mechanism names the calendar and how it holds the path", () => {
            expect(installPathGate(gated, path("gatedInstall", "changeSafety/gatedInstall"))).to.equal(`${calendar} (State Manager starts the association only while it is OPEN)`);
            expect(installPathGate(gated, path("automationSchedule", "multiAccount/web"))).to.match(new RegExp(`^${calendar} in every target Region \\(the runbook's assertChangeCalendarOpen step`));
            expect(installPathGate(gated, path("patchOrchestrator", "patchOrchestrators/fleet"))).to.match(new RegExp(`^${calendar} \\(the run checks it before every batch`));
            expect(installPathGate(gated, path("patchPolicy", "patchPolicies/owned"))).to.equal(`${calendar} in eu-west-1, us-east-1 (each Region's install association names its Region's copy)`);
            expect(installPathGate(gated, path("maintenanceWindow", "maintenanceWindows/held"))).to.equal(`${calendar} (its Install tasks run patching-prod-gated-run-patch-baseline per target: GetCalendarState must be OPEN before the command)`);
        });

        it("not held: a managed policy, a window that also runs another Install document or any runbook, an unknown path, emergency patching", () => {
            expect(installPathGate(gated, path("patchPolicy", "patchPolicies/managed"))).to.equal(undefined);
            expect(installPathGate(gated, path("patchPolicy", "patchPolicies/gone"))).to.equal(undefined);
            expect(installPathGate(gated, path("maintenanceWindow", "maintenanceWindows/other-doc"))).to.equal(undefined);
            expect(installPathGate(gated, path("maintenanceWindow", "maintenanceWindows/runbook"))).to.equal(undefined);
            expect(installPathGate(gated, path("maintenanceWindow", "maintenanceWindows/gone"))).to.equal(undefined);
            expect(installPathGate(gated, path("emergency", "emergency", "Install", { onDemand: true }))).to.equal(undefined);
        });

        it("a window's Scan task or Lambda task beside its held Install does not unhold it", () => {
            expect(installPathGate(gated, path("maintenanceWindow", "maintenanceWindows/scan-too"))).to.contain(calendar);
            const lambda = cfg({ changeSafety: GATE, maintenanceWindows: [{ name: "w", schedule: "cron(0 5 ? * TUE#3 *)", tasks: [runPatchBaseline("Install"), { name: "notify", type: "LAMBDA" }] }] });
            expect(installPathGate(lambda, path("maintenanceWindow", "maintenanceWindows/w"))).to.contain(calendar);
        });

        it("a scan path is never held, and nothing is held without a calendar", () => {
            expect(installPathGate(gated, path("patchPolicy", "patchPolicies/owned", "Scan (RebootIfNeeded)"))).to.equal(undefined);
            const ungated = cfg({ maintenanceWindows: windows, patchPolicies: policies });
            expect(installPathGate(ungated, path("gatedInstall", "changeSafety/gatedInstall"))).to.equal(undefined);
            expect(installPathGate(ungated, path("patchPolicy", "patchPolicies/owned"))).to.equal(undefined);
        });

        it("withGates keeps the model and gives every path its gate", () => {
            const settings = { reportMayOverlap: true, disjoint: [{ path: "a", disjointFrom: "b", reason: "r" }] };
            const model = { stack: "prod", settings, paths: [path("patchPolicy", "patchPolicies/owned"), path("patchPolicy", "patchPolicies/managed")] };
            const out = withGates(gated, model as never);
            expect([out.stack, out.settings]).to.deep.equal(["prod", settings]);
            expect(out.paths.map((p) => [p.id, p.gate?.startsWith(calendar) ?? false])).to.deep.equal([
                ["patchPolicies/owned", true],
                ["patchPolicies/managed", false],
            ]);
            expect(model.paths[0].gate, "the input model is not changed").to.equal(undefined);
        });
    });
});

describe("patching:resourceGroups cross-field rules (mutation testing)", () => {
    const P = "patching:resourceGroups";
    const none = { path: "patching:maintenanceWindows", raw: [] };
    const check = (raw: unknown, over: Partial<Parameters<typeof checkResourceGroups>[3]> = {}) => {
        const sink = new IssueSink();
        checkResourceGroups(sink, P, raw, { region: "us-east-1", multiAccount: undefined, maintenanceWindows: none, patchOrchestrators: { path: "patching:patchOrchestrators", raw: [] }, ...over });
        return sink.issues.map((i) => `${i.path}: ${i.message}`);
    };
    /** The values the issues echo (what the user wrote). */
    const values = (raw: unknown, over: Partial<Parameters<typeof checkResourceGroups>[3]> = {}) => {
        const sink = new IssueSink();
        checkResourceGroups(sink, P, raw, { region: "us-east-1", multiAccount: undefined, maintenanceWindows: none, patchOrchestrators: { path: "patching:patchOrchestrators", raw: [] }, ...over });
        return sink.issues.map((i) => i.value);
    };
    const web = { name: "WebServers", tagFilters: { Name: ["WebServers"] } };
    const member = (over: Record<string, unknown> = {}) => ({ accountRole: "member", managementAccountId: "210987654321", resourceGroups: [web], ...over });

    it("the created groups' types: defaults to EC2 instances, each type once, the first group of a name wins", () => {
        expect([
            ...createdGroupTypes([
                { name: "a", resourceTypes: ["AWS::SSM::ManagedInstance", "AWS::SSM::ManagedInstance", "AWS::EC2::Instance"] },
                { name: "b" },
                { name: "a", resourceTypes: ["AWS::EC2::Instance"] },
                { resourceTypes: ["AWS::EC2::Instance"] },
            ]),
        ]).to.deep.equal([
            ["a", ["AWS::SSM::ManagedInstance", "AWS::EC2::Instance"]],
            ["b", ["AWS::EC2::Instance"]],
        ]);
        expect(createdGroupTypes(undefined).size).to.equal(0);
    });

    it("a clash with patching:multiAccount only where the member stack creates its groups: this Region, a member (or both) account", () => {
        const clash = `${P}[0].name: is also created by patching:multiAccount.resourceGroups in us-east-1; list it once (the multi-account one serves both)`;
        expect(check([web], { multiAccount: member() })).to.deep.equal([clash]);
        expect(check([web], { multiAccount: member({ accountRole: "both" }) })).to.deep.equal([clash]);
        expect(check([web], { multiAccount: member({ memberRegions: ["eu-west-1", "us-east-1"] }) })).to.deep.equal([clash]);
        expect(check([web], { multiAccount: member({ memberRegions: ["eu-west-1"] }) }), "member groups are created in memberRegions only").to.deep.equal([]);
        expect(check([web], { multiAccount: member({ accountRole: "management" }) }), "a management stack creates no member groups").to.deep.equal([]);
        expect(check([web], { multiAccount: member({ accountRole: 7 }) })).to.deep.equal([]);
        expect(check([web], { multiAccount: member({ resourceGroups: [{ name: "Other" }] }) })).to.deep.equal([]);
    });

    it("a window target filter on a created group: a type the group holds is fine; a group not created here is not judged", () => {
        const windows = (resourceGroup: Record<string, unknown>) => ({ path: "patching:maintenanceWindows", raw: [{ targets: [{ name: "t", resourceGroup }] }] });
        const hybrid = [{ name: "hybrid", resourceTypes: ["AWS::SSM::ManagedInstance"] }];
        expect(check(hybrid, { maintenanceWindows: windows({ name: "hybrid", resourceTypes: ["AWS::SSM::ManagedInstance"] }) })).to.deep.equal([]);
        expect(check(hybrid, { maintenanceWindows: windows({ name: "elsewhere", resourceTypes: ["AWS::EC2::Instance"] }) })).to.deep.equal([]);
        expect(check(hybrid, { maintenanceWindows: windows({ name: "hybrid", resourceTypes: [7, "AWS::EC2::Instance"] }) })).to.deep.equal([
            "patching:maintenanceWindows[0].targets[0].resourceGroup.resourceTypes[1]: selects nothing: the created group hybrid holds only AWS::SSM::ManagedInstance (patching:resourceGroups)",
        ]);
        expect(values(hybrid, { maintenanceWindows: windows({ name: "hybrid", resourceTypes: ["AWS::EC2::Instance"] }) })).to.deep.equal(["AWS::EC2::Instance"]);
    });

    it("an orchestrator on a created group with EC2 instances, or on a group not created here, is fine", () => {
        const orchestrators = (resourceGroup: unknown) => ({ path: "patching:patchOrchestrators", raw: [{ targets: { resourceGroup } }] });
        const groups = [{ name: "mixed", resourceTypes: ["AWS::SSM::ManagedInstance", "AWS::EC2::Instance"] }, { name: "hybrid", resourceTypes: ["AWS::SSM::ManagedInstance"] }];
        expect(check(groups, { patchOrchestrators: orchestrators("mixed") })).to.deep.equal([]);
        expect(check(groups, { patchOrchestrators: orchestrators("elsewhere") })).to.deep.equal([]);
        expect(check(groups, { patchOrchestrators: orchestrators(["hybrid"]) })).to.deep.equal([]);
        expect(values(groups, { patchOrchestrators: orchestrators("hybrid") })).to.deep.equal(["hybrid"]);
        expect(check(groups, { patchOrchestrators: orchestrators("hybrid") })).to.deep.equal([
            "patching:patchOrchestrators[0].targets.resourceGroup: names the created group hybrid, which holds no AWS::EC2::Instance (only AWS::SSM::ManagedInstance): the orchestrator starts, stops and patches EC2 instances",
        ]);
    });

    it("a tag query longer than Resource Groups accepts is reported at tagFilters", () => {
        const long = { name: "big", tagFilters: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`Key${i}-${"k".repeat(100)}`, Array.from({ length: 20 }, (_, j) => `value-${j}-${"v".repeat(200)}`)])) };
        const issues = check([long]);
        expect(issues).to.have.length(1);
        expect(issues[0]).to.match(/^patching:resourceGroups\[0\]\.tagFilters: /);
    });

    it("names are compared only when they are strings; a repeated type is reported at its second place", () => {
        expect(check([{ tagFilters: {} }, { tagFilters: {} }, { name: "a", resourceTypes: ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance", "AWS::EC2::Instance"] }])).to.deep.equal([
            `${P}[2].resourceTypes[2]: is listed twice`,
        ]);
    });
});

describe("patching:agentUpdates cross-field rules (mutation testing)", () => {
    const P = "patching:agentUpdates";
    const check = (raw: unknown) => {
        const sink = new IssueSink();
        checkAgentUpdates(sink, P, raw);
        return sink.issues.map((i) => `${i.path}: ${i.message}`);
    };

    it("every agent's targets and output bucket are checked at its own key", () => {
        expect(check({ ssmAgent: { targets: { allManagedNodes: true, instanceIds: ["i-0123456789abcdef0"] } }, ec2Launch: { targets: { allManagedNodes: true }, output: { s3: { bucketName: "Bad_Bucket" } } } })).to.deep.equal([
            `${P}.ssmAgent.targets: choose one kind of target, got allManagedNodes + instanceIds (only tags and tagKeys combine)`,
            `${P}.ec2Launch.output.s3.bucketName: may contain only lowercase letters, digits, . and - (S3 bucket naming rules)`,
            `${P}.ec2Launch.output.s3.bucketName: must start and end with a letter or digit (S3 bucket naming rules)`,
        ]);
        expect(check({ cloudWatchAgent: { targets: {} } })).to.deep.equal([`${P}.cloudWatchAgent.targets: choose the nodes to patch: allManagedNodes: true, tags and/or tagKeys, resourceGroup, or instanceIds`]);
        // Agents are State Manager associations of this stack, not Quick Setup's: several tags and tag keys are allowed.
        expect(check({ ssmAgent: { targets: { tags: { Env: ["prod", "stage"], Role: ["web"] }, tagKeys: ["Backup"] } } })).to.deep.equal([]);
    });

    it("nothing configured, or an agent without targets or bucket: nothing to report", () => {
        expect(check(undefined)).to.deep.equal([]);
        expect(check({ ssmAgent: {}, cloudWatchAgent: { maxConcurrency: "5" } })).to.deep.equal([]);
        expect(check({ ssmAgent: { targets: { allManagedNodes: true }, output: { s3: { bucketName: "agent-output-123" } } } })).to.deep.equal([]);
    });
});

describe("stack files and engine values (config/source.ts, mutation testing)", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };

    it("a YAML error is reported with YAML's own message and code, at its line and column, every one at once", () => {
        try {
            parseStackYaml("s.yaml", "config:\n  k: [1, 2\n  a: 1\n");
            expect.fail("no error");
        } catch (err) {
            expect(err).to.be.instanceOf(StackFileError);
            expect((err as StackFileError).problems[0]).to.deep.equal({ line: 3, col: 3, message: "Flow sequence in block collection must be sufficiently indented and end with a ] (YAML BAD_INDENT)" });
        }
        expect(parseStackYaml("ok.yaml", "config:\n  a: 1\n  b: [x]\n")).to.deep.equal({ config: { a: 1, b: ["x"] } });
        expect(() => parseStackYaml("d.yaml", "config:\n  a: 1\n  a: 2\n  b: 1\n  b: 2\n")).to.throw(
            StackFileError,
            "d.yaml:3:3: duplicate key: each key may appear once in a mapping (YAML DUPLICATE_KEY)\nd.yaml:5:3: duplicate key: each key may appear once in a mapping (YAML DUPLICATE_KEY)",
        );
    });

    it("reads a stack file as the engine hands it over: strings as they are, other values as JSON, secrets hidden and listed", () => {
        const file = write("Pulumi.s.yaml", "config:\n  aws:region: us-east-1\n  patching:n: 3\n  patching:list: [a, b]\n  patching:empty: null\n  patching:token:\n    secure: AAABAG==\n");
        expect(readStackFile(file)).to.deep.equal({
            values: { "aws:region": "us-east-1", "patching:n": "3", "patching:list": '["a","b"]', "patching:empty": "null", "patching:token": SECRET_PLACEHOLDER },
            secretKeys: ["patching:token"],
        });
        expect(readStackValues(file)).to.deep.equal({ "aws:region": "us-east-1", "patching:n": 3, "patching:list": ["a", "b"], "patching:empty": "null", "patching:token": SECRET_PLACEHOLDER });
    });

    it("reads the file on every call: an edit is seen at once, a same text at another path fails with that path, and what a caller changes is its own", () => {
        const file = write("Pulumi.kept.yaml", "config:\n  aws:region: us-east-1\n  patching:token:\n    secure: AAABAG==\n");
        const first = readStackFile(file);
        first.values["aws:region"] = "changed by the caller";
        first.secretKeys.push("changed:too");
        expect(readStackFile(file)).to.deep.equal({ values: { "aws:region": "us-east-1", "patching:token": SECRET_PLACEHOLDER }, secretKeys: ["patching:token"] });
        fs.writeFileSync(file, "config:\n  aws:region: eu-west-1\n");
        expect(readStackFile(file)).to.deep.equal({ values: { "aws:region": "eu-west-1" }, secretKeys: [] });
        const broken = "config:\n  a: 1\n  a: 2\n";
        expect(() => readStackFile(write("Pulumi.one.yaml", broken))).to.throw(StackFileError, "Pulumi.one.yaml:3:3: duplicate key");
        expect(() => readStackFile(write("Pulumi.two.yaml", broken))).to.throw(StackFileError, "Pulumi.two.yaml:3:3: duplicate key");
    });

    it("a stack file without config, or an empty one, has no values", () => {
        expect(readStackFile(write("Pulumi.none.yaml", "encryptionsalt: v1:abc\n"))).to.deep.equal({ values: {}, secretKeys: [] });
        expect(readStackFile(write("Pulumi.empty.yaml", ""))).to.deep.equal({ values: {}, secretKeys: [] });
    });

    it("engine values: JSON objects, arrays, numbers and booleans are parsed; anything else stays the string given", () => {
        expect(parseConfigValue(' {"a": 1} ')).to.deep.equal({ a: 1 });
        expect(parseConfigValue("[1, 2]")).to.deep.equal([1, 2]);
        expect(parseConfigValue(" 42 ")).to.equal(42);
        expect(parseConfigValue("-1.25")).to.equal(-1.25);
        expect(parseConfigValue("true")).to.equal(true);
        expect(parseConfigValue("false")).to.equal(false);
        for (const text of ["null", "1e3", "007", "1.", ".5", "0x10", "us-east-1", "cron(0 2 ? * SUN *)", "{not json", "[1,", '"quoted"', "True"]) {
            expect(parseConfigValue(text), text).to.equal(text);
        }
    });

    it("another stack of the project is loaded from its file, or is undefined when there is none", () => {
        write("Pulumi.dev.yaml", "config:\n  patching:environment: dev\n  patching:n: 2\n");
        const load = stackFileLoader(dir);
        expect(load("dev")).to.deep.equal({ "patching:environment": "dev", "patching:n": 2 });
        expect(load("staging")).to.equal(undefined);
    });
});
