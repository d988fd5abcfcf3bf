/**
 * The install-path model (config/installPaths.ts) on hand-built validated configs: which nodes each
 * mechanism reaches (its selector), how a reviewer reads it (its label), what it runs, where and
 * when — the facts install-paths-disjoint and install-paths-gated judge. Written for the StrykerJS
 * survivors of the configPaths group (TESTING.md, Mutation testing).
 */
import { expect } from "chai";
import { checkInstallPaths, installPathModel, installPathsOf } from "../config/installPaths";
import { IssueSink } from "../config/issues";

const REGION = "us-east-1";
const group = (name: string, tagFilters: Record<string, string[]>, resourceTypes = ["AWS::EC2::Instance"]) => ({ name, tagFilters, resourceTypes });
/** A validated config with only the sections the model reads (every list empty unless given). */
const cfg = (over: Record<string, unknown> = {}) =>
    ({ patchPolicies: [], maintenanceWindows: [], patchOrchestrators: [], resourceGroups: [], multiAccount: undefined, changeSafety: undefined, installPaths: { minHoursApart: 24, disjoint: [] }, ...over }) as never;
const paths = (over: Record<string, unknown>) => installPathsOf(cfg(over), REGION);
const selectors = (over: Record<string, unknown>) => paths(over).map((p) => ({ id: p.id, label: p.selector.label, terms: p.selector.terms }));

describe("install paths: what each mechanism reaches, as the policy pack judges it (mutation testing)", () => {
    describe("patch policies", () => {
        const policy = (name: string, targets: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
            name,
            mode: "owned",
            targets,
            install: { schedule: "cron(0 2 ? * SUN *)", rebootOption: "RebootIfNeeded" },
            ...extra,
        });

        it("each kind of target: all nodes, instance ids, tags with tag keys (one term per key), tag keys alone", () => {
            expect(
                selectors({
                    patchPolicies: [
                        policy("all", { allManagedNodes: true }),
                        policy("ids", { instanceIds: ["i-0123456789abcdef0", "i-0fedcba9876543210"] }),
                        policy("tags", { tags: { Env: ["prod", "stage"] }, tagKeys: ["Web", "Env"] }),
                        policy("keys", { tagKeys: ["Web"] }),
                    ],
                }),
            ).to.deep.equal([
                { id: "patchPolicies/all", label: "all managed nodes", terms: [{ tags: {} }] },
                { id: "patchPolicies/ids", label: "instances i-0123456789abcdef0, i-0fedcba9876543210", terms: [{ tags: {}, instanceIds: ["i-0123456789abcdef0", "i-0fedcba9876543210"] }] },
                {
                    id: "patchPolicies/tags",
                    label: "tag Env=prod|stage AND has Web|Env",
                    terms: [{ tags: { Env: ["prod", "stage"], Web: [] } }, { tags: { Env: ["prod", "stage"] } }],
                },
                { id: "patchPolicies/keys", label: "has Web", terms: [{ tags: { Web: [] } }] },
            ]);
        });

        it("a resource group the stack defines is its tag query and kinds; one it does not is opaque", () => {
            const resourceGroups = [group("web", { Role: ["web"], Owner: [] }, ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance", "AWS::S3::Bucket"])];
            expect(selectors({ resourceGroups, patchPolicies: [policy("g", { resourceGroup: "web" }), policy("x", { resourceGroup: "elsewhere" })] })).to.deep.equal([
                { id: "patchPolicies/g", label: "resource group web (Role=web AND Owner=*)", terms: [{ tags: { Role: ["web"], Owner: [] }, kinds: ["ec2", "hybrid"] }] },
                { id: "patchPolicies/x", label: "resource group elsewhere (query not in this stack)", terms: [{ tags: {}, opaqueGroup: "elsewhere", kinds: undefined }] },
            ]);
        });

        it("what it runs, where and when: the install with its reboot option, the policy's Regions or the stack's, the OUs of a managed policy", () => {
            const [owned, managed, noRegions] = paths({
                patchPolicies: [
                    policy("owned", { allManagedNodes: true }, { regions: ["eu-west-1"], install: { patchTuesdayPlusDays: 1, rebootOption: "NoReboot" } }),
                    policy("managed", { allManagedNodes: true }, { mode: "managed", organizationalUnits: ["ou-ab12-34cd56ef"] }),
                    policy("here", { allManagedNodes: true }, { organizationalUnits: ["ou-ab12-34cd56ef"] }),
                    policy("scan", { allManagedNodes: true }, { install: undefined, scan: { schedule: "cron(0 1 * * ? *)" } }),
                ],
            });
            expect(owned).to.deep.include({ operation: "Install (NoReboot)", locations: [{ accounts: ["self"], regions: ["eu-west-1"] }], schedule: { expression: "cron(0 0 ? * TUE#2 *)", offsetDays: 1 }, configPath: "patching:patchPolicies[0]" });
            expect(managed.locations).to.deep.equal([{ accounts: ["ou-ab12-34cd56ef"], regions: [REGION] }]);
            expect(noRegions.locations, "an owned policy installs in this account").to.deep.equal([{ accounts: ["self"], regions: [REGION] }]);
            expect(paths({ patchPolicies: [policy("scan", { allManagedNodes: true }, { install: undefined })] })).to.deep.equal([]);
        });
    });

    describe("the gated install's key/value targets", () => {
        const gated = (targets: { key: string; values: string[] }[], extra: Record<string, unknown> = {}) =>
            selectors({ changeSafety: { gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 2, rebootOption: "RebootIfNeeded", targets, ...extra } }, ...extra });

        it("tags, tag keys, instance ids (a * is every node), nothing at all", () => {
            expect(gated([{ key: "tag:Env", values: ["prod"] }, { key: "tag-key", values: ["Web", "Api"] }])).to.deep.equal([
                { id: "changeSafety/gatedInstall", label: "tag Env=prod has Web|Api", terms: [{ tags: { Env: ["prod"], Web: [] }, kinds: undefined }, { tags: { Env: ["prod"], Api: [] }, kinds: undefined }] },
            ]);
            expect(gated([{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }])[0]).to.deep.include({ label: "instances i-0123456789abcdef0", terms: [{ tags: {}, instanceIds: ["i-0123456789abcdef0"] }] });
            expect(gated([{ key: "InstanceIds", values: ["*"] }])[0]).to.deep.include({ label: "all managed nodes", terms: [{ tags: {}, kinds: undefined }] });
            expect(gated([{ key: "tag-key", values: ["Web"] }])[0].label).to.equal("tag  has Web");
        });

        it("a resource group narrowed by tags, resource types and tag keys", () => {
            const resourceGroups = [group("fleet", { Fleet: ["a", "b"], Team: [] }, ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"])];
            expect(
                gated(
                    [
                        { key: "resource-groups:Name", values: ["fleet"] },
                        { key: "resource-groups:ResourceTypeFilters", values: ["AWS::SSM::ManagedInstance", "AWS::S3::Bucket"] },
                        { key: "tag:Fleet", values: ["b", "c"] },
                        { key: "tag:Team", values: ["ops"] },
                        { key: "tag-key", values: ["Web"] },
                    ],
                    { resourceGroups },
                ),
            ).to.deep.equal([{ id: "changeSafety/gatedInstall", label: "resource group fleet (Fleet=a|b AND Team=*)", terms: [{ tags: { Fleet: ["b"], Team: ["ops"], Web: [] }, kinds: ["hybrid"] }] }]);
            expect(gated([{ key: "resource-groups:Name", values: ["other"] }, { key: "tag:Env", values: ["prod"] }])).to.deep.equal([
                { id: "changeSafety/gatedInstall", label: "resource group other (query not in this stack)", terms: [{ tags: { Env: ["prod"] }, opaqueGroup: "other", kinds: undefined }] },
            ]);
        });

        it("where and when: this account and Region, the schedule with its offset", () => {
            const [p] = paths({ changeSafety: { gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 2, rebootOption: "NoReboot", targets: [{ key: "tag:Env", values: ["prod"] }] } } });
            expect(p).to.deep.include({ mechanism: "gatedInstall", operation: "Install (NoReboot)", locations: [{ accounts: ["self"], regions: [REGION] }], schedule: { expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 } });
        });
    });

    describe("multi-account schedules and emergency patching", () => {
        const schedule = (name: string, operation: string, extra: Record<string, unknown> = {}) => ({ name, operation, enabled: true, rebootOption: "RebootIfNeeded", resourceGroup: "web", schedule: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo", ...extra });
        const multiAccount = (extra: Record<string, unknown> = {}) => ({
            accountRole: "management",
            resourceGroups: [group("web", { Role: ["web"] })],
            targetLocations: [{ accounts: ["444455556666"], regions: ["us-west-2"], excludeAccounts: ["777788889999"] }],
            schedules: [schedule("install", "Install"), schedule("scan-reboot", "Scan"), schedule("scan", "Scan", { rebootOption: "NoReboot" }), schedule("off", "Install", { enabled: false })],
            ...extra,
        });

        it("installs and scans that may reboot are paths (on their group's query, in the target locations); a NoReboot scan and a disabled schedule are not", () => {
            const found = paths({ multiAccount: multiAccount() });
            expect(found.map((p) => [p.id, p.operation])).to.deep.equal([
                ["multiAccount/install", "Install (RebootIfNeeded)"],
                ["multiAccount/scan-reboot", "Scan (RebootIfNeeded)"],
                ["emergency/run-now", "Install (--reboot, default RebootIfNeeded)"],
            ]);
            expect(found[0]).to.deep.include({
                mechanism: "automationSchedule",
                selector: { label: "resource group web (Role=web)", terms: [{ tags: { Role: ["web"] }, kinds: ["ec2"] }] },
                locations: [{ accounts: ["444455556666"], regions: ["us-west-2"], exclude: ["777788889999"] }],
                schedule: { expression: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo" },
                configPath: "patching:multiAccount.schedules[0]",
            });
            expect(found[2]).to.deep.include({ mechanism: "emergency", onDemand: true, locations: [], configPath: "patching:multiAccount" });
        });

        it("without target locations the runbook runs in this account: its memberRegions, else aws:region", () => {
            expect(paths({ multiAccount: multiAccount({ accountRole: "both", targetLocations: [], memberRegions: ["eu-west-1"] }) })[0].locations).to.deep.equal([{ accounts: ["self"], regions: ["eu-west-1"] }]);
            expect(paths({ multiAccount: multiAccount({ accountRole: "both", targetLocations: [] }) })[0].locations).to.deep.equal([{ accounts: ["self"], regions: [REGION] }]);
        });

        it("a member stack runs no schedule and no emergency patching", () => {
            expect(paths({ multiAccount: multiAccount({ accountRole: "member" }) })).to.deep.equal([]);
        });
    });

    describe("maintenance windows", () => {
        const task = (name: string, runCommand?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name, type: runCommand ? "RUN_COMMAND" : "AUTOMATION", ...(runCommand ? { runCommand } : {}), ...extra });
        const window = (name: string, tasks: unknown[], targets: unknown[] = [{ name: "web", tags: { Role: ["web"] } }]) => ({ name, schedule: "cron(0 5 ? * SAT *)", scheduleTimezone: "Asia/Tokyo", scheduleOffset: 1, duration: 3, targets, tasks });

        it("a window is a path when a task installs, scans with a reboot, or runs a runbook; each operation once", () => {
            const found = paths({
                maintenanceWindows: [
                    window("install", [task("i", { operation: "Install", rebootOption: "NoReboot" }), task("i2", { operation: "Install", rebootOption: "NoReboot" }), task("s", { operation: "Scan", rebootOption: "RebootIfNeeded" })]),
                    window("default-reboot", [task("i", { operation: "Install" })]),
                    window("runbook", [task("a", undefined, { automation: { documentName: "My-Patch" } })]),
                    window("scan", [task("s", { operation: "Scan", rebootOption: "NoReboot" }), task("sh", { documentName: "AWS-RunShellScript" })]),
                ],
            });
            expect(found.map((p) => [p.id, p.operation])).to.deep.equal([
                ["maintenanceWindows/install", "Install (NoReboot), Scan (RebootIfNeeded)"],
                ["maintenanceWindows/default-reboot", "Install (RebootIfNeeded)"],
                ["maintenanceWindows/runbook", "Automation"],
            ]);
            expect(found[0]).to.deep.include({ mechanism: "maintenanceWindow", locations: [{ accounts: ["self"], regions: [REGION] }], schedule: { expression: "cron(0 5 ? * SAT *)", timezone: "Asia/Tokyo", offsetDays: 1 }, windowHours: 3, configPath: "patching:maintenanceWindows[0]" });
        });

        it("only the targets its installing tasks name; every target when they name none", () => {
            const targets = [
                { name: "ids", instanceIds: ["i-0123456789abcdef0"] },
                { name: "tags", tags: { Role: ["db"] }, tagKeys: ["Backup", "Tier"] },
                { name: "scanned", tags: { Role: ["scan"] } },
            ];
            const tasks = [task("i", { operation: "Install" }, { targets: ["ids", "tags"] }), task("s", { operation: "Scan", rebootOption: "NoReboot" }, { targets: ["scanned"] })];
            expect(selectors({ maintenanceWindows: [window("w", tasks, targets)] })).to.deep.equal([
                {
                    id: "maintenanceWindows/w",
                    label: "instances i-0123456789abcdef0 OR tag Role=db has Backup|Tier",
                    terms: [{ tags: {}, instanceIds: ["i-0123456789abcdef0"] }, { tags: { Role: ["db"], Backup: [] } }, { tags: { Role: ["db"], Tier: [] } }],
                },
            ]);
            expect(selectors({ maintenanceWindows: [window("all", [task("i", { operation: "Install" })], targets)] })[0].label).to.equal("instances i-0123456789abcdef0 OR tag Role=db has Backup|Tier OR tag Role=scan");
        });

        it("a resource-group target: the created group's query narrowed to the types the target filters; unknown types filter nothing", () => {
            const resourceGroups = [group("fleet", { Fleet: ["a"] }, ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"])];
            const install = [task("i", { operation: "Install" })];
            const at = (resourceGroup: Record<string, unknown>) => selectors({ resourceGroups, maintenanceWindows: [window("w", install, [{ name: "g", resourceGroup }])] })[0];
            expect(at({ name: "fleet", resourceTypes: ["AWS::SSM::ManagedInstance"] })).to.deep.include({ label: "resource group fleet (Fleet=a)", terms: [{ tags: { Fleet: ["a"] }, kinds: ["hybrid"] }] });
            expect(at({ name: "fleet", resourceTypes: ["AWS::S3::Bucket"] }).terms).to.deep.equal([{ tags: { Fleet: ["a"] }, kinds: ["ec2", "hybrid"] }]);
            expect(at({ name: "fleet" }).terms).to.deep.equal([{ tags: { Fleet: ["a"] }, kinds: ["ec2", "hybrid"] }]);
        });

        it("a runbook task without targets picks its own nodes: unknown to the model", () => {
            expect(selectors({ maintenanceWindows: [window("rb", [task("a", undefined, { automation: { documentName: "My-Patch" } })], [])] })).to.deep.equal([
                { id: "maintenanceWindows/rb", label: "chosen by the runbook", terms: [{ tags: {}, opaqueGroup: "(nodes chosen by window rb's runbook)" }] },
            ]);
        });
    });

    describe("batch orchestrators", () => {
        const orchestrator = (name: string, targets: Record<string, unknown>, patch: Record<string, unknown> = { operation: "Install", rebootOption: "RebootIfNeeded" }) => ({
            name,
            targets,
            patch,
            window: { schedule: "cron(0 3 ? * TUE#3 *)", scheduleTimezone: "Europe/Paris", scheduleOffset: 2, duration: 4 },
        });

        it("EC2 instances by tags AND resource group; a scan that may reboot is a path, a NoReboot scan is not", () => {
            const resourceGroups = [group("fleet", { Fleet: ["a", "b"] }, ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"])];
            const found = paths({
                resourceGroups,
                patchOrchestrators: [
                    orchestrator("both", { tags: { Fleet: ["b"] }, resourceGroup: "fleet" }),
                    orchestrator("tags", { tags: { Role: ["web"] } }, { operation: "Scan", rebootOption: "RebootIfNeeded" }),
                    orchestrator("group", { resourceGroup: "fleet" }),
                    orchestrator("scan", { tags: { Role: ["web"] } }, { operation: "Scan", rebootOption: "NoReboot" }),
                ],
            });
            expect(found.map((p) => [p.id, p.operation, p.selector.label, p.selector.terms])).to.deep.equal([
                ["patchOrchestrators/both", "Install (RebootIfNeeded)", "tag Fleet=b AND resource group fleet (Fleet=a|b) (EC2, running and stopped)", [{ tags: { Fleet: ["b"] }, kinds: ["ec2"] }]],
                ["patchOrchestrators/tags", "Scan (RebootIfNeeded)", "tag Role=web (EC2, running and stopped)", [{ tags: { Role: ["web"] }, kinds: ["ec2"] }]],
                ["patchOrchestrators/group", "Install (RebootIfNeeded)", "resource group fleet (Fleet=a|b) (EC2, running and stopped)", [{ tags: { Fleet: ["a", "b"] }, kinds: ["ec2"] }]],
            ]);
            expect(found[0]).to.deep.include({ mechanism: "patchOrchestrator", locations: [{ accounts: ["self"], regions: [REGION] }], schedule: { expression: "cron(0 3 ? * TUE#3 *)", timezone: "Europe/Paris", offsetDays: 2 }, windowHours: 4, configPath: "patching:patchOrchestrators[0]" });
        });
    });

    describe("the model and its cross-field rules", () => {
        const windows = [
            { name: "a", schedule: "cron(0 5 ? * SAT *)", duration: 3, targets: [{ name: "t", tags: { PatchFleet: ["a"] } }], tasks: [{ name: "i", type: "RUN_COMMAND", runCommand: { operation: "Install" } }] },
            { name: "b", schedule: "cron(0 5 ? * SUN *)", duration: 3, targets: [{ name: "t", tags: { Role: ["b"] } }, { name: "u", tags: { PatchFleet: [] } }], tasks: [{ name: "i", type: "RUN_COMMAND", runCommand: { operation: "Install" } }] },
        ];
        const multiAccount = { accountRole: "management", resourceGroups: [], targetLocations: [], schedules: [] };
        const problems = (raw: unknown, extra: Record<string, unknown> = {}) => {
            const sink = new IssueSink();
            checkInstallPaths(sink, "patching:installPaths", raw, cfg({ maintenanceWindows: windows, multiAccount, ...extra }), REGION);
            return sink.issues.map((i) => `${i.path}: ${i.message}`);
        };

        it("the model carries the stack, its settings and the paths; a hand-built config gets the defaults", () => {
            const model = installPathModel({ ...(cfg({ maintenanceWindows: windows, installPaths: { fleetKey: "PatchFleet", minHoursApart: 48, disjoint: [] } }) as object), stack: "prod", region: REGION } as never);
            expect(model.stack).to.equal("prod");
            expect(model.settings).to.deep.equal({ fleetKey: "PatchFleet", minHoursApart: 48, disjoint: [] });
            expect(model.paths.map((p) => p.id)).to.deep.equal(["maintenanceWindows/a", "maintenanceWindows/b"]);
            const bare = installPathModel({ ...(cfg() as object), installPaths: undefined, stack: "dev", region: REGION } as never);
            expect(bare.settings).to.deep.equal({ fleetKey: undefined, minHoursApart: 24, disjoint: [] });
        });

        it("a declaration names two different existing scheduled paths, once (in either order)", () => {
            const d = (path: unknown, disjointFrom: unknown) => ({ path, disjointFrom, reason: "different fleets by design" });
            expect(
                problems({ disjoint: [d("maintenanceWindows/a", "maintenanceWindows/b"), d("maintenanceWindows/b", "maintenanceWindows/a"), d("maintenanceWindows/a", "maintenanceWindows/a"), d("patchPolicies/x", "emergency/run-now")] }),
            ).to.deep.equal([
                "patching:installPaths.disjoint[1]: declares a pair already declared; declare each pair once",
                "patching:installPaths.disjoint[2].disjointFrom: names the same path as path; name the other path",
                "patching:installPaths.disjoint[3].path: is not an install path of this stack; install paths: maintenanceWindows/a, maintenanceWindows/b, emergency/run-now",
                "patching:installPaths.disjoint[3].disjointFrom: is an on-demand path (started by an operator on the targets given then); it is never judged, so there is nothing to declare",
            ]);
            expect(problems({ disjoint: [d(3, 3)] }), "a mistyped id is its schema's to report").to.deep.equal([]);
            expect(problems({ disjoint: [d("patchPolicies/x", "patchPolicies/y")] }, { maintenanceWindows: [], multiAccount: undefined })).to.deep.equal([
                "patching:installPaths.disjoint[0].path: is not an install path of this stack; install paths: none",
                "patching:installPaths.disjoint[0].disjointFrom: is not an install path of this stack; install paths: none",
            ]);
        });

        it("with a fleetKey every scheduled path selects a value of it; emergency patching is not judged", () => {
            expect(problems({}, { installPaths: { fleetKey: "PatchFleet", minHoursApart: 24, disjoint: [] } })).to.deep.equal([
                "patching:installPaths.fleetKey: install path maintenanceWindows/b (patching:maintenanceWindows[1]) selects tag Role=b OR tag PatchFleet=* without a value of PatchFleet; with a fleetKey every scheduled install path selects its fleet by it (add PatchFleet: [<fleet>] to its targets or its resource group's tagFilters)",
            ]);
            expect(problems({})).to.deep.equal([]);
        });
    });
});
