import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exitCode, parseArgs, runCli, worstExitCode } from "../review/cli";
import type { CheckedStack } from "../review/validate";
import { maskInputs, MASKED } from "../review/engine";
import { Review, reviewStack } from "../review/review";
import { cachedPlan, ROOT, runCliCached as cli } from "./harness";
import { INVALID_FIXTURE_PATHS } from "./support/invalidFixture";

function tmp(name: string): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "review-")), name);
}

describe("offline review", () => {
    it("prints the dev plan by default, grouped by component, with counts by type", async () => {
        const { code, out } = await cli([]);
        expect(code).to.equal(0);
        expect(out).to.contain("stack dev");
        expect(out).to.contain("▸ dev-windows-server  (patching:ssm:PatchBaseline)");
        expect(out).to.contain("rule 1: PRODUCT=WindowsServer2019,WindowsServer2022 CLASSIFICATION=CriticalUpdates,SecurityUpdates MSRC_SEVERITY=Critical,Important → after 0d, compliance CRITICAL");
        expect(out).to.match(/\s4 {2}aws:ssm\/patchBaseline:PatchBaseline/);
    });

    it("writes the prod plan as JSON with baselines and patch-group registrations", async () => {
        const file = tmp("plan.json");
        const { code } = await cli(["--stack", "prod", "--json", file, "--quiet"]);
        expect(code).to.equal(0);
        const plan = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(plan).to.include({ project: "patching", stack: "prod", valid: true });
        const baseline = plan.resources.find((r: { type: string; name: string }) => r.type === "aws:ssm/patchBaseline:PatchBaseline" && r.name === "prod-windows-server");
        expect(baseline.urn).to.equal("urn:pulumi:prod::patching::patching:ssm:PatchBaseline$aws:ssm/patchBaseline:PatchBaseline::prod-windows-server");
        expect(baseline.parent).to.equal("urn:pulumi:prod::patching::patching:ssm:PatchBaseline::prod-windows-server");
        expect(baseline.inputs.rejectedPatches).to.deep.equal(["KB5034441"]);
        expect(baseline.inputs.approvalRules[0].approveAfterDays).to.equal(7);
        const groups = plan.resources.filter((r: { type: string }) => r.type === "aws:ssm/patchGroup:PatchGroup");
        expect(groups).to.have.length(8);
        expect(groups.map((g: { inputs: { patchGroup: string } }) => g.inputs.patchGroup).sort()).to.deep.equal(["prod", "prod", "prod", "prod", "prod-critical", "prod-critical", "prod-critical", "prod-critical"]);
        for (const r of plan.resources) expect(Object.keys(r)).to.include.members(["urn", "type", "name", "parent", "inputs"]);
    });

    it("exits 1 listing every config mistake by key path, and plans nothing", async () => {
        const json = tmp("bad.json");
        const md = tmp("bad.md");
        const { code, out } = await cli(["--config", path.join(ROOT, "tests/fixtures/invalid.yaml"), "--json", json, "--markdown", md]);
        expect(code).to.equal(1);
        for (const p of INVALID_FIXTURE_PATHS) {
            expect(out).to.contain(`✗ ${p}:`);
        }
        const plan = JSON.parse(fs.readFileSync(json, "utf8"));
        expect(plan.valid).to.equal(false);
        expect(plan.configErrors).to.have.length(10);
        expect(plan.resources).to.deep.equal([]);
        expect(fs.readFileSync(md, "utf8")).to.contain("| `patching:baselines[1].approvalRules[0].approveAfterDays` | must be from 0 to 360");
    });

    it("writes a Markdown report for a pull request", async () => {
        const md = tmp("plan.md");
        expect((await cli(["--stack", "prod", "--markdown", md, "--quiet"])).code).to.equal(0);
        const text = fs.readFileSync(md, "utf8");
        expect(text).to.contain("## Patch management review: `prod`");
        expect(text).to.contain("| 4 | `aws:ssm/patchBaseline:PatchBaseline` |");
        expect(text).to.contain("- **prod-windows-server** `aws:ssm/patchBaseline:PatchBaseline`");
    });

    it("rejects unknown flags and bad values with exit 3", async () => {
        expect((await cli(["--stak", "dev"])).code).to.equal(3);
        expect((await cli(["--json"])).code).to.equal(3);
        expect((await cli(["--account-id", "12"])).code).to.equal(3);
        expect(parseArgs(["--stack=prod", "--account-id", "210987654321"])).to.deep.include({ stack: "prod", accountId: "210987654321" });
    });

    it("masks secrets in plan inputs", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };
        expect(maskInputs({ a: secret, b: [secret, "x"], c: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).to.deep.equal({ a: MASKED, b: [MASKED, "x"], c: "[unknown]" });
    });

    it("reviews any stack file and reports a missing one", async () => {
        const r = await reviewStack({ stack: "qa", configPath: path.join(ROOT, "Pulumi.dev.yaml") });
        expect(r.configErrors).to.deep.equal([]);
        expect(r.resources.find((x) => x.type === "patching:ssm:PatchBaseline")!.urn).to.contain("urn:pulumi:qa::patching::");
        let err: unknown;
        await reviewStack({ stack: "nope" }).catch((e) => (err = e));
        expect(String(err)).to.contain("no stack config file");
    });

    it("`npm start` is the same command as a process: exit code and output; an invalid config is answered without loading Pulumi", function () {
        // The real process (scripts/run.js and the precompiled bundle); generous timeout because a
        // loaded machine may make a process slow, never a figure asserted.
        this.timeout(300000);
        const npmStart = ["-r", "./tests/support/loadedPackages.js", "scripts/run.js", "review/cli.ts"];
        const bad = spawnSync(process.execPath, [...npmStart, "--config", "tests/fixtures/invalid.yaml"], { cwd: ROOT, encoding: "utf8" });
        expect(bad.status, bad.stderr).to.equal(1);
        expect(bad.stdout).to.contain("INVALID CONFIG: 10 problem(s)");
        expect(bad.stderr).to.contain("loaded packages: []");
        // --no-cache: the whole path (program, wiring, contracts), whatever an earlier run kept, on
        // the member stack (the smallest; tests/reviewCache.test.ts reviews dev as a process, with
        // the dynamic provider's closure, and covers a hit).
        const ok = spawnSync(process.execPath, [...npmStart, "--stack", "member-example", "--quiet", "--no-cache"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATCHING_REVIEW_CACHE_TRACE: "1" } });
        expect(ok.status, ok.stderr).to.equal(0);
        expect(ok.stdout).to.equal("");
        expect(ok.stderr).to.contain("review cache: member-example off (--no-cache)");
        expect(ok.stderr).to.contain('"@pulumi/pulumi"');
        // What the precompiled review defers (scripts/lazy-packages.js: gRPC, the automation API,
        // TypeScript…; the AWS SDK clients: scripts/sdk-models.js) it never loads: this stack has no
        // dynamic provider, so not even TypeScript (a closure to serialise) is needed.
        const deferred = JSON.parse(/deferred modules loaded: (\[.*\])/.exec(ok.stderr)?.[1] ?? "null") as string[] | null;
        expect(deferred, ok.stderr).to.deep.equal([]);
    });

    it("plans each valid stack through the planner it is given (the tests' per-run plans), and no invalid one", async () => {
        const planned: string[] = [];
        const planner = (checked: CheckedStack) => {
            planned.push(checked.stack);
            return cachedPlan(checked);
        };
        let out = "";
        expect(await runCli(["--stack", "dev", "--stack", "prod", "--quiet", "--now", "2026-12-01T00:00:00Z"], (s) => (out += s), undefined, planner)).to.equal(0);
        expect(planned).to.deep.equal(["dev", "prod"]);
        expect(out).to.contain("Release calendar across stacks dev, prod");
        expect(await runCli(["--config", path.join(ROOT, "tests/fixtures/invalid.yaml")], () => undefined, undefined, planner)).to.equal(1);
        expect(planned).to.deep.equal(["dev", "prod"]);
    });

    it("several --stack flags with one invalid: each stack is reported and the exit code is the worst of them", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-many-"));
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
        fs.copyFileSync(path.join(ROOT, "tests/fixtures/invalid.yaml"), path.join(dir, "Pulumi.broken.yaml"));
        const { code, out } = await cli(["--stack", "dev", "--stack", "broken", "--quiet"], dir);
        expect(code).to.equal(1);
        expect(out).to.contain("stack broken");
        expect(out).to.contain("INVALID CONFIG: 10 problem(s)");
        expect(out).to.contain("! stack broken not shown: its config is invalid");
        expect(out).to.contain("Release calendar across stacks dev, broken");
        // The order of the flags does not matter, and the worst is taken over 0, 1 and 2.
        const reversed = await cli(["--stack", "broken", "--stack", "dev", "--quiet"], dir);
        expect(reversed.code).to.equal(1);
        const review = (stack: string, invalid: boolean, mandatory: boolean) =>
            ({ stack, configErrors: invalid ? [{ path: "p", message: "m" }] : [], policyResults: mandatory ? [{ enforcementLevel: "mandatory" }] : [] }) as unknown as Review;
        expect(exitCode(review("a", false, false))).to.equal(0);
        expect(worstExitCode([review("a", false, false), review("b", false, true)])).to.equal(2);
        expect(worstExitCode([review("a", true, false), review("b", false, false)])).to.equal(1);
        expect(worstExitCode([review("a", true, false), review("b", false, true)])).to.equal(2);
    });
});
