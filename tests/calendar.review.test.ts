import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../review/cli";
import { cachedReview, ROOT } from "./harness";

const NOW = new Date("2026-11-20T00:00:00Z");

async function cli(args: string[]): Promise<{ code: number; out: string }> {
    let out = "";
    const code = await runCli(args, (s) => (out += s));
    return { code, out };
}

describe("release calendar in the review", () => {
    it("prod's review shows dev and prod side by side per release cycle, with the rule", async () => {
        const review = await cachedReview({ stack: "prod", now: NOW });
        expect(review.configErrors).to.deep.equal([]);
        const section = review.sections.find((s) => s.title === "Release calendar (dev → prod)")!;
        expect(section.lines.slice(0, 4)).to.deep.equal([
            "Release cycles: each starts on Patch Tuesday (2nd Tuesday) at 10:00 America/Los_Angeles; times below in UTC. Horizon Fri 2026-11-20 00:00 UTC – Sat 2027-11-20 00:00 UTC.",
            "cycle    patch tuesday  dev install       prod install      gap      check",
            // dev's first install of a cycle: its nightly orchestrator, the evening of Patch Tuesday.
            "2026-12  Tue 2026-12-08 Tue 12-08 22:55   Thu 12-17 02:00   +8.13d   ✓",
            "2027-01  Tue 2027-01-12 Tue 01-12 22:55   Thu 01-21 02:00   +8.13d   ✓",
        ]);
        expect(section.lines).to.include("  prod   install multiAccount.schedules prod-web-install: cron(0 2 ? * TUE#4 *) (tz Asia/Tokyo) — 13 run(s); next Mon 2026-11-23 17:00 UTC, Mon 2026-12-21 17:00 UTC, Mon 2027-01-25 17:00 UTC");
        expect(section.lines[section.lines.length - 1]).to.equal("Rule: prod installs only after dev in every cycle, at least 7 day(s) later: holds in all 12 cycles.");
    });

    it("dev's review shows its own schedules only", async () => {
        const review = await cachedReview({ stack: "dev", now: NOW });
        const section = review.sections.find((s) => s.title === "Release calendar (dev)")!;
        expect(section.lines[1]).to.equal("cycle    patch tuesday  dev install");
        expect(section.lines[2]).to.equal("2026-12  Tue 2026-12-08 Tue 12-08 22:55");
    });

    it("an inverted prod is rejected with both schedules and the first inverted cycle; nothing is planned", async () => {
        const review = await cachedReview({ stack: "prod", configPath: path.join(ROOT, "tests/fixtures/inverted-prod.yaml"), now: NOW });
        expect(review.resources).to.deep.equal([]);
        expect(review.configErrors.map((e) => e.path)).to.deep.equal(["patching:changeSafety.promotion"]);
        const message = review.configErrors[0].message;
        expect(message).to.match(
            /^prod can install before dev has proven the patches: 12 of 12 release cycle\(s\) are out of order\. First: cycle 2026-12 \(Patch Tuesday Tue 2026-12-08\): prod installs at Sun 2026-12-13 02:00 UTC \(changeSafety.gatedInstall\), only 4.13 day\(s\) after dev at Tue 2026-12-08 22:55 UTC \(patchOrchestrators dev-fleet\); at least 7 required\./,
        );
        expect(message).to.contain(
            "Schedules — dev: changeSafety.gatedInstall cron(0 2 ? * TUE#2 *) +2d; patchPolicies dev-patching install cron(0 2 ? * SUN *); multiAccount.schedules dev-web-install cron(0 3 ? * TUE *); patchOrchestrators dev-fleet cron(55 22 ? * * *); prod: changeSafety.gatedInstall cron(0 2 ? * SUN *).",
        );
        const { code, out } = await cli(["--config", path.join(ROOT, "tests/fixtures/inverted-prod.yaml"), "--stack", "prod"]);
        expect(code).to.equal(1);
        expect(out).to.contain("✗ patching:changeSafety.promotion: prod can install before dev has proven the patches");
    });

    it("several --stack flags: each plan, then one calendar across the stacks; JSON carries both", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "review-")), "plans.json");
        const { code, out } = await cli(["--stack", "dev", "--stack", "prod", "--quiet", "--json", file]);
        expect(code).to.equal(0);
        expect(out).to.contain("Release calendar across stacks dev, prod\n----------------------------------------\n");
        expect(out).to.match(/cycle {4}patch tuesday  dev install {7}prod install {6}gap {6}check/);
        expect(out).to.contain("Rule: prod installs only after dev in every cycle, at least 7 day(s) later: holds in all 12 cycles.");
        const json = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(json.stacks.map((p: { stack: string; valid: boolean }) => [p.stack, p.valid])).to.deep.equal([
            ["dev", true],
            ["prod", true],
        ]);
        expect(json.calendar[json.calendar.length - 1]).to.equal("Rule: prod installs only after dev in every cycle, at least 7 day(s) later: holds in all 12 cycles.");
    });

    it("--config with several stacks is a usage error; a repeated stack too", async () => {
        expect((await cli(["--stack", "dev", "--stack", "prod", "--config", "x.yaml"])).code).to.equal(3);
        expect((await cli(["--stack", "dev", "--stack", "dev"])).code).to.equal(3);
    });
});
