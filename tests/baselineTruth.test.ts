/**
 * One baseline truth: every install mechanism (except the orchestrator, reported by its own
 * component) applies the stack's baselines in every Region it patches, and the review says which
 * baseline applies per mechanism and Region. A path that could fall back to a Region default fails here.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseConfig } from "../config";
import { stackFileLoader } from "../config/source";
import { baselinePaths } from "../core/baselineTruth";
import { baselineTruthSection } from "../review/baselineSection";
import { minimalConfig, named, parse, ROOT, runProgram } from "./harness";

const STORE_URL = "s3://patching-overrides-123456789012-us-east-1-test1/baseline_overrides.json";
const store = { configId: "test1", baselines: ["test-al2023"] };
const webServers = { name: "WebServers", tagFilters: { Name: ["WebServers"] } };
const policy = { name: "web", useBaselineOverride: true, regions: ["us-east-1", "eu-west-1"], targets: { tags: { Environment: ["test"] } }, scan: { schedule: "cron(0 1 * * ? *)" }, install: { schedule: "cron(0 2 ? * SUN *)" } };
const window = {
    name: "critical-install",
    schedule: "cron(0 5 ? * SUN *)",
    duration: 3,
    cutoff: 1,
    targets: [{ name: "critical", tags: { PatchGroup: ["critical"] } }],
    tasks: [{ name: "install", type: "RUN_COMMAND", maxConcurrency: "1", maxErrors: "0", runCommand: { operation: "Install" } }],
};
const multiAccount = (accountRole: string, extra: Record<string, unknown> = {}) => ({
    accountRole,
    memberRegions: ["us-east-1", "ap-northeast-1"],
    resourceGroups: [webServers],
    schedules: [{ name: "daily-scan", operation: "Scan", resourceGroup: "WebServers", schedule: "rate(1 day)" }],
    ...extra,
});
const everything = (changes: Record<string, unknown> = {}) =>
    minimalConfig({
        "patching:overrideStore": store,
        "patching:patchPolicies": [policy],
        "patching:maintenanceWindows": [window],
        "patching:multiAccount": multiAccount("both"),
        ...changes,
    });

describe("one baseline truth in every Region and mechanism", () => {
    it("with the override store every path is pinned to the stack's baselines, per mechanism and Region", () => {
        const rows = baselinePaths(parse(everything()));
        expect(rows.filter((r) => !r.pinned)).to.deep.equal([]);
        expect(rows.map((r) => `${r.mechanism} ${r.name} ${r.operation} ${r.region} ${r.source}`)).to.deep.equal([
            "patch policy web Scan us-east-1 override",
            "patch policy web Install us-east-1 override",
            "patch policy web Scan eu-west-1 override",
            "patch policy web Install eu-west-1 override",
            "multi-account runbook daily-scan Scan us-east-1 override",
            "multi-account runbook daily-scan Scan ap-northeast-1 override",
            "maintenance window critical-install/install Install us-east-1 override",
        ]);
    });

    it("the deployed inputs carry the store's object: runbook schedules, window tasks, policy associations in every Region", async () => {
        const { resources } = await runProgram(everything());
        const schedule = JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", "test-automation-daily-scan").inputs.target as { input: string }).input);
        expect(schedule.Parameters.BaselineOverride).to.deep.equal([STORE_URL]);
        const task = named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "critical-install-task-install").inputs as Record<string, any>;
        expect(task.taskInvocationParameters.runCommandParameters.parameters).to.deep.include({ name: "BaselineOverride", values: [STORE_URL] });
        for (const region of ["us-east-1", "eu-west-1"]) {
            for (const kind of ["scan", "install"]) {
                const a = named(resources, "aws-native:ssm:Association", `web-${region}-${kind}`).inputs as Record<string, any>;
                expect(a.parameters.BaselineOverride, `${region} ${kind}`).to.deep.equal([STORE_URL]);
            }
        }
    });

    it("without the store, every install path that would use a Region default is flagged, with where and why", () => {
        const rows = baselinePaths(parse(everything({ "patching:overrideStore": undefined, "patching:patchPolicies": [] })));
        expect(rows.filter((r) => r.pinned)).to.deep.equal([]);
        const section = baselineTruthSection({ config: parse(everything({ "patching:overrideStore": undefined, "patching:patchPolicies": [] })), resources: [], now: new Date(0) })!;
        expect(section.title).to.contain("3 path(s) may use a Region default");
        expect(section.lines).to.include("! multi-account runbook daily-scan · Scan · ap-northeast-1: patch group or ap-northeast-1's default baseline in each target account (no override store)");
        expect(section.lines).to.include("! maintenance window critical-install/install · Install · us-east-1: patch group or us-east-1's default baseline");
    });

    it("a LOCAL store is not passed to runbook schedules that reach other accounts (they could not read it), and the review says so", async () => {
        const values = everything({
            "patching:multiAccount": multiAccount("management", {
                memberRegions: undefined,
                organizationId: "o-a1b2c3d4e5",
                targetLocations: [{ accounts: ["777788889999"], regions: ["us-west-2"] }],
            }),
        });
        const rows = baselinePaths(parse(values)).filter((r) => r.mechanism === "multi-account runbook");
        expect(rows.map((r) => [r.region, r.pinned, r.baseline])).to.deep.equal([
            ["us-west-2", false, "patch group or us-west-2's default baseline in each target account (the override store admits this account only: set overrideStore.target to OU or ENTIRE_ORG)"],
        ]);
        const { resources } = await runProgram(values);
        const schedule = JSON.parse((named(resources, "aws:scheduler/schedule:Schedule", "test-automation-daily-scan").inputs.target as { input: string }).input);
        expect(schedule.Parameters).to.not.have.property("BaselineOverride");
        const org = baselinePaths(parse({ ...values, "patching:overrideStore": { ...store, encryption: { type: "SSE_S3" }, target: { type: "ENTIRE_ORG", organizationId: "o-a1b2c3d4e5" } } }));
        expect(org.filter((r) => r.mechanism === "multi-account runbook").every((r) => r.pinned)).to.equal(true);
    });

    it("accepted Region defaults are shown as accepted, never as pinned", () => {
        const rows = baselinePaths(parse(minimalConfig({ "patching:patchPolicies": [{ ...policy, useBaselineOverride: false, acceptRegionDefaultBaselines: true }] })));
        expect(rows.map((r) => r.source)).to.deep.equal(["region-default-accepted", "region-default-accepted", "region-default-accepted", "region-default-accepted"]);
        expect(rows.every((r) => !r.pinned)).to.equal(true);
    });

    for (const stack of ["dev", "prod"]) {
        it(`shipped stack ${stack}: the only paths that may use a Region default are the ones listed here`, () => {
            const values = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, unknown>;
            const cfg = parseConfig(values, { project: "patching", stack, loadStack: stackFileLoader(ROOT) });
            const loose = baselinePaths(cfg).filter((r) => !r.pinned);
            // prod's runbook reaches other accounts while its store (LOCAL, stack-created KMS key) admits
            // only the management account: flagged until the store targets the organization.
            const expected = stack === "prod" ? baselinePaths(cfg).filter((r) => r.mechanism === "multi-account runbook" && r.region !== "n/a") : [];
            expect(loose).to.deep.equal(expected.filter((r) => !r.pinned));
            for (const r of loose) expect(r.mechanism).to.equal("multi-account runbook");
        });
    }
});
