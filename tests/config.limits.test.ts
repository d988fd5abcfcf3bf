import { expect } from "chai";
import * as path from "path";
import { ConfigIssue, ConfigValidationError, parseConfig } from "../config";
import { NAME_LIMITS } from "../config/resourceNames";
import { STANDARD_TAG_KEYS, TAGGED_SECTIONS } from "../config/resourceTags";
import { readStackValues } from "../config/source";
import { MAX_TAGS } from "../config/rules";
import type { PlanResource } from "../review/engine";
import { ROOT, runProgram } from "./harness";

/** The shipped prod stack: every section that takes tags is in it. */
// Read inside the tests, not when the file loads: code run at load counts as static for StrykerJS (a fresh process per mutant).
const prod = () => readStackValues(path.join(ROOT, "Pulumi.prod.yaml"));
const clone = () => prod();

function problems(values: Record<string, unknown>, stack = "prod", project = "patching"): ConfigIssue[] {
    try {
        parseConfig(values, { project, stack });
        return [];
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
}

function padded(n: number, prefix = "pad"): Record<string, string> {
    return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));
}

/** The tags a planned resource receives, whatever form its provider takes them in (map or aws-native list). */
function tagCount(r: PlanResource): number {
    const t = r.inputs.tags;
    if (Array.isArray(t)) return t.length;
    if (t && typeof t === "object") return Object.keys(t).length;
    return 0;
}

describe("limits after merging (issue 15 item 4)", () => {
    it("the shipped prod stack passes (every tagged section is in it)", () => {
        const PROD = prod();
        expect(problems(PROD)).to.deep.equal([]);
        for (const { section } of TAGGED_SECTIONS) expect(PROD[`patching:${section}`], section).to.be.an("array").with.length.greaterThan(0);
    });

    describe("reserved tag keys may not be overridden in any section that takes tags", () => {
        for (const { section, fixedKeys } of TAGGED_SECTIONS) {
            for (const key of [...STANDARD_TAG_KEYS, ...fixedKeys, "QSConfigId-prod"]) {
                it(`patching:${section}[0].tags.${key}`, () => {
                    const values = clone();
                    const entry = (values[`patching:${section}`] as Record<string, unknown>[])[0];
                    entry.tags = { ...(entry.tags as object), [key]: "mine" };
                    const at = problems(values).filter((i) => i.path === `patching:${section}[0].tags.${key}`);
                    expect(at, JSON.stringify(problems(values))).to.have.length(1);
                    expect(at[0].message).to.contain("is set by the program; reserved tag keys: Project, Environment, Stack, ManagedBy");
                    expect(at[0].value).to.equal(key);
                });
            }
        }
        it("patching:tags too", () => {
            const values = { ...clone(), "patching:tags": { Stack: "x" } };
            expect(problems(values).map((i) => i.path)).to.deep.equal(["patching:tags.Stack"]);
        });
    });

    describe("stack tags + section tags + program-set tags fit 50 on the resource that receives them", () => {
        for (const { section } of TAGGED_SECTIONS) {
            it(`names patching:${section}[0].tags when its own tags push the merged set over ${MAX_TAGS}`, () => {
                const values: Record<string, unknown> = { ...clone(), "patching:tags": padded(40) };
                const entry = (values[`patching:${section}`] as Record<string, unknown>[])[0];
                entry.tags = padded(8, "own");
                const issues = problems(values);
                expect(issues.map((i) => i.path)).to.deep.equal([`patching:${section}[0].tags`]);
                expect(issues[0].message).to.match(/pushes the tags of this entry's resources to 5\d: 44 stack tags \(standard \+ patching:tags\) \+ 8 of its own/);
                expect(issues[0].message).to.contain(`at most ${MAX_TAGS} tags per resource`);
            });
        }
        it("names patching:tags when the stack tags alone are too many (and no section)", () => {
            const values = { ...clone(), "patching:tags": padded(47) };
            const issues = problems(values);
            expect(issues.map((i) => i.path)).to.deep.equal(["patching:tags"]);
            expect(issues[0].message).to.contain("every resource receives 51 tags (4 standard + 47 from patching:tags)");
        });
        it("counts PatchPolicy and the override store's reader tag on patch policies", () => {
            const values: Record<string, unknown> = { ...clone(), "patching:tags": padded(42) };
            const policy = (values["patching:patchPolicies"] as Record<string, unknown>[])[0];
            policy.tags = padded(3, "own");
            // 46 stack + 3 own + PatchPolicy + QSConfigId-<id> = 51: only the policy's resources are over.
            const issues = problems(values);
            expect(issues.map((i) => i.path)).to.deep.equal(["patching:patchPolicies[0].tags"]);
            expect(issues[0].message).to.contain("PatchPolicy, QSConfigId-");
        });
        it("names patching:tags when the stack tags leave no room for the tags the program adds to an entry without tags of its own", () => {
            const values: Record<string, unknown> = { ...clone(), "patching:tags": padded(46) };
            for (const p of values["patching:patchPolicies"] as Record<string, unknown>[]) delete p.tags;
            const issues = problems(values);
            expect(issues.map((i) => i.path)).to.include("patching:tags");
            expect(issues.find((i) => i.path === "patching:tags")!.message).to.match(/the resources of patching:patchPolicies\[0\] receive 52 tags: 50 stack tags \(standard \+ patching:tags\) \+ PatchPolicy, QSConfigId-/);
        });
        it("the components merge exactly what the check counts: at the largest accepted padding every planned resource has ≤ 50 tags, and one resource has exactly 50", async function () {
            this.timeout(120000);
            // The most stack tags the check accepts for prod, found by asking the check itself (a
            // binary search: one more tag never makes a config acceptable again).
            const accepted = (k: number) => problems({ ...clone(), "patching:tags": padded(k) }).length === 0;
            let [n, rejected] = [0, MAX_TAGS];
            expect(accepted(n)).to.equal(true);
            expect(accepted(rejected)).to.equal(false);
            while (rejected - n > 1) {
                const mid = Math.floor((n + rejected) / 2);
                if (accepted(mid)) n = mid;
                else rejected = mid;
            }
            expect([accepted(n), accepted(n + 1)]).to.deep.equal([true, false]);
            expect(n).to.be.within(40, MAX_TAGS - STANDARD_TAG_KEYS.length);
            const { resources } = await runProgram({ ...clone(), "patching:tags": padded(n) }, "prod");
            const counts = resources.filter((r) => r.custom).map((r) => ({ r, n: tagCount(r) }));
            const over = counts.filter((c) => c.n > MAX_TAGS).map((c) => `${c.r.type} ${c.r.name}: ${c.n}`);
            expect(over).to.deep.equal([]);
            expect(Math.max(...counts.map((c) => c.n))).to.equal(MAX_TAGS);
        });
    });

    describe("final names after prefixes and suffixes", () => {
        it("the SSM name limits agree with the botocore SSM model", () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const shapes = require("./fixtures/ssm-model/constraints.json").shapes as Record<string, { max?: number; pattern?: string }>;
            const max = (s: string) => shapes[s].max ?? Number(/\{\d+,(\d+)\}\$$/.exec(shapes[s].pattern ?? "")?.[1]);
            expect(NAME_LIMITS["SSM document"]).to.equal(max("DocumentName"));
            expect(NAME_LIMITS["State Manager association"]).to.equal(max("AssociationName"));
            expect(NAME_LIMITS["maintenance window"]).to.equal(max("MaintenanceWindowName"));
            expect(NAME_LIMITS["resource data sync"]).to.equal(max("ResourceDataSyncName"));
        });
        it("a long stack name is reported at patching:changeSafety with the name it makes too long", () => {
            const stack = "s".repeat(40);
            const issues = problems(clone(), stack).filter((i) => i.path === "patching:changeSafety");
            expect(issues.length).to.be.greaterThan(0);
            expect(issues.map((i) => i.message).join("\n")).to.contain(`makes the Lambda function name "patching-${stack}-export-installed-patches"`);
            expect(issues[0].message).to.contain(`stack "${stack}"`);
            expect(issues[0].message).to.contain("use a shorter stack name");
        });
        it("a long project + environment is reported at patching:environment (compliance, multi-account, agent updates names)", () => {
            const env = "e".repeat(31);
            const values = { ...clone(), "patching:environment": env };
            const issues = problems(values, "prod", "platform-patching-team").filter((i) => i.path === "patching:environment");
            const text = issues.map((i) => i.message).join("\n");
            expect(text).to.contain(`EventBridge rule name "platform-patching-team-${env}-run-command-failed"`);
            expect(text).to.contain("EventBridge rule names are at most 64");
            expect(issues[0].value).to.equal(env);
            // The same environment with the shipped project name fits.
            expect(problems(values).filter((i) => i.path === "patching:environment")).to.deep.equal([]);
        });

        /** Limits written from each service's API reference, independently of config/resourceNames.ts. */
        const API_LIMITS: Record<string, { input: string; max: number }> = {
            "aws:lambda/function:Function": { input: "name", max: 64 },
            "aws:scheduler/schedule:Schedule": { input: "name", max: 64 },
            "aws:scheduler/scheduleGroup:ScheduleGroup": { input: "name", max: 64 },
            "aws:iam/role:Role": { input: "name", max: 64 },
            "aws:iam/policy:Policy": { input: "name", max: 128 },
            "aws:sfn/stateMachine:StateMachine": { input: "name", max: 80 },
            "aws:ssm/document:Document": { input: "name", max: 128 },
            "aws:ssm/maintenanceWindow:MaintenanceWindow": { input: "name", max: 128 },
            "aws:sns/topic:Topic": { input: "name", max: 256 },
            "aws:cloudwatch/eventRule:EventRule": { input: "name", max: 64 },
            "aws:cloudwatch/logGroup:LogGroup": { input: "name", max: 512 },
            "aws:ssm/resourceDataSync:ResourceDataSync": { input: "name", max: 64 },
            "aws-native:ssm:Association": { input: "associationName", max: 128 },
        };
        it("the components name what they create with the same functions: at the longest stack name the check accepts, every planned name fits its API limit", async function () {
            this.timeout(120000);
            // The longest the check accepts, by binary search (a longer name is never accepted again).
            const accepted = (k: number) => problems(clone(), "s".repeat(k)).length === 0;
            let [len, rejected] = [4, 100];
            expect([accepted(len), accepted(rejected)]).to.deep.equal([true, false]);
            while (rejected - len > 1) {
                const mid = Math.floor((len + rejected) / 2);
                if (accepted(mid)) len = mid;
                else rejected = mid;
            }
            expect(len).to.be.within(10, 99);
            const { resources } = await runProgram(clone(), "s".repeat(len));
            const checked = resources.filter((r) => API_LIMITS[r.type] && typeof r.inputs[API_LIMITS[r.type].input] === "string");
            expect(checked.length).to.be.greaterThan(10);
            const over = checked.filter((r) => (r.inputs[API_LIMITS[r.type].input] as string).length > API_LIMITS[r.type].max).map((r) => `${r.type} ${String(r.inputs[API_LIMITS[r.type].input])}`);
            expect(over).to.deep.equal([]);
            // One character more is rejected, naming the section.
            expect(problems(clone(), "s".repeat(len + 1)).map((i) => i.path)).to.include("patching:changeSafety");
        });
    });
});
