import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cachedReview, ROOT, runCliCached as cli } from "./harness";

const NOW = new Date("2026-11-20T00:00:00Z");

/** One row of the calendar table, read as facts: cycle id, Patch Tuesday and each stage's first install. */
interface CycleRow {
    cycle: string;
    patchTuesday: string;
    installs: Record<string, string | undefined>;
    gapDays?: number;
    holds?: boolean;
}

/** The cycle rows of a calendar section (`2026-12  Tue 2026-12-08 …`), one per release cycle. */
function cycleRows(lines: string[], stacks: string[]): CycleRow[] {
    return lines
        .filter((l) => /^\d{4}-\d{2} /.test(l))
        .map((l) => {
            const [cycle, patchTuesday, ...rest] = l.split(/ {2,}|(?<=^\d{4}-\d{2}) |(?<=\d{4}-\d{2}-\d{2}) /).map((c) => c.trim());
            const installs = Object.fromEntries(stacks.map((s, i) => [s, rest[i] === "—" ? undefined : rest[i]]));
            const gap = /([+-][\d.]+)d/.exec(rest[stacks.length] ?? "");
            const check = rest[stacks.length + 1];
            return { cycle, patchTuesday, installs, gapDays: gap ? Number(gap[1]) : undefined, holds: check === undefined ? undefined : check === "✓" };
        });
}

/** The second Tuesday of a month (Patch Tuesday), as `YYYY-MM-DD`: computed here, not by core/calendar. */
function secondTuesday(year: number, month1: number): string {
    const first = new Date(Date.UTC(year, month1 - 1, 1)).getUTCDay();
    const day = 1 + ((2 - first + 7) % 7) + 7;
    return `${year}-${String(month1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** `Tue 12-08 22:55` → minutes since the epoch in `year` (UTC), for comparing installs. */
function at(cell: string, year: number): number {
    const m = /^\w{3} (\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(cell)!;
    return Date.UTC(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]));
}

describe("release calendar in the review", () => {
    it("prod's review shows dev and prod side by side per release cycle, with the rule", async () => {
        const review = await cachedReview({ stack: "prod", now: NOW });
        expect(review.configErrors).to.deep.equal([]);
        const section = review.sections.find((s) => s.title === "Release calendar (dev → prod)")!;
        // The one rendering check of this section: the table's header.
        expect(section.lines[1]).to.equal("cycle    patch tuesday  dev install       prod install      gap      check");
        const rows = cycleRows(section.lines, ["dev", "prod"]);
        // Twelve monthly cycles from December 2026, each named for its month and starting on that month's 2nd Tuesday.
        expect(rows.map((r) => r.cycle)).to.deep.equal(["2026-12", ...Array.from({ length: 11 }, (_, i) => `2027-${String(i + 1).padStart(2, "0")}`)]);
        for (const r of rows) expect(r.patchTuesday, r.cycle).to.equal(`Tue ${secondTuesday(Number(r.cycle.slice(0, 4)), Number(r.cycle.slice(5)))}`);
        // dev's first install of a cycle is its nightly orchestrator (cron(55 22 ? * * *)) on the evening of Patch Tuesday;
        // prod installs every cycle, at least 7 days later, and every row says the rule holds.
        for (const r of rows) {
            const year = Number(r.cycle.slice(0, 4));
            expect(r.installs.dev, r.cycle).to.equal(`Tue ${r.patchTuesday.slice(9)} 22:55`);
            expect(r.installs.prod, r.cycle).to.be.a("string");
            const gap = (at(r.installs.prod!, year) - at(r.installs.dev!, year)) / 86400000;
            expect(gap, r.cycle).to.be.at.least(7);
            expect(r.gapDays, r.cycle).to.be.closeTo(gap, 0.01);
            expect(r.holds, r.cycle).to.equal(true);
        }
        // prod's web install: the 4th Tuesday at 02:00 in Tokyo, which is Monday 17:00 UTC (UTC+9, no DST).
        const webInstall = section.lines.find((l) => l.includes("prod-web-install"))!;
        expect(webInstall).to.contain("cron(0 2 ? * TUE#4 *)").and.contain("Asia/Tokyo").and.contain("13 run(s)");
        expect(webInstall.match(/\w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g)).to.deep.equal(["Mon 2026-11-23 17:00 UTC", "Mon 2026-12-21 17:00 UTC", "Mon 2027-01-25 17:00 UTC"]);
        expect(section.lines.at(-1)).to.match(/^Rule: prod installs only after dev .*at least 7 day\(s\) later: holds in all 12 cycles\.$/);
    });

    it("dev's review shows its own schedules only", async () => {
        const review = await cachedReview({ stack: "dev", now: NOW });
        const section = review.sections.find((s) => s.title === "Release calendar (dev)")!;
        const rows = cycleRows(section.lines, ["dev"]);
        expect(rows[0]).to.deep.equal({ cycle: "2026-12", patchTuesday: "Tue 2026-12-08", installs: { dev: "Tue 12-08 22:55" }, gapDays: undefined, holds: undefined });
        expect(section.lines.some((l) => l.includes("prod"))).to.equal(false);
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
