import { expect } from "chai";
import { patchTuesday } from "../core/schedule";
import { patchPolicySchedulesSection } from "../review/schedulesSection";
import { buildSections } from "../review/sections";
import { cachedReview, minimalConfig, parse } from "./harness";

const NOW = new Date("2026-03-01T00:00:00Z");

describe("review section: patch policy schedules", () => {
    it("lists the next runs of every policy × region × operation, offsets and notes included", () => {
        const config = parse(
            minimalConfig({
                "patching:patchPolicies": [
                    {
                        name: "web",
                        regions: ["us-east-1", "eu-west-1"],
                        acceptRegionDefaultBaselines: true,
                        targets: { allManagedNodes: true },
                        scan: { schedule: "rate(12 hours)" },
                        install: { patchTuesdayPlusDays: 3, time: "22:00" },
                    },
                    { name: "qs-web", mode: "managed", targets: { allManagedNodes: true }, scan: { schedule: "cron(30 4 ? * MON *)" } },
                    { name: "once", targets: { allManagedNodes: true }, scan: { schedule: "at(2026-02-01T00:00:00)" } },
                ],
            }),
        );
        const section = patchPolicySchedulesSection({ config, resources: [], now: NOW });
        expect(section?.title).to.equal("Patch policy schedules: next 5 runs (UTC) from Sun 2026-03-01 00:00 UTC");
        const install = [
            "    Fri 2026-03-13 22:00 UTC",
            "    Fri 2026-04-17 22:00 UTC",
            "    Fri 2026-05-15 22:00 UTC",
            "    Fri 2026-06-12 22:00 UTC",
            "    Fri 2026-07-17 22:00 UTC",
        ];
        const scan = ["    Sun 2026-03-01 12:00 UTC", "    Mon 2026-03-02 00:00 UTC", "    Mon 2026-03-02 12:00 UTC", "    Tue 2026-03-03 00:00 UTC", "    Tue 2026-03-03 12:00 UTC"];
        const rateNote = "    (a rate counts from when the association is created; shown from now)";
        expect(section?.lines).to.deep.equal([
            "web · us-east-1 · scan (owned): rate(12 hours)",
            ...scan,
            rateNote,
            "web · us-east-1 · install (owned): cron(0 22 ? * TUE#2 *) + 3d offset — Patch Tuesday + 3 days at 22:00 UTC",
            ...install,
            "web · eu-west-1 · scan (owned): rate(12 hours)",
            ...scan,
            rateNote,
            "web · eu-west-1 · install (owned): cron(0 22 ? * TUE#2 *) + 3d offset — Patch Tuesday + 3 days at 22:00 UTC",
            ...install,
            "qs-web · us-east-1 · scan (managed): cron(30 4 ? * MON *)",
            "    Mon 2026-03-02 04:30 UTC",
            "    Mon 2026-03-09 04:30 UTC",
            "    Mon 2026-03-16 04:30 UTC",
            "    Mon 2026-03-23 04:30 UTC",
            "    Mon 2026-03-30 04:30 UTC",
            "    (also runs once when the association is created or updated)",
            "once · us-east-1 · scan (owned): at(2026-02-01T00:00:00)",
            "    no further runs",
        ]);
        // Each install is really Patch Tuesday + 3 days.
        for (const line of install) {
            const run = new Date(`${line.trim().slice(4, 14)}T00:00:00Z`);
            expect(run.getTime() - patchTuesday(run.getUTCFullYear(), run.getUTCMonth()).getTime()).to.equal(3 * 86400000);
        }
    });

    it("adds nothing for a stack without patch policies", () => {
        expect(patchPolicySchedulesSection({ config: parse(minimalConfig()), resources: [], now: NOW })).to.equal(undefined);
        expect(buildSections({ config: parse(minimalConfig()), resources: [], now: NOW })).to.deep.equal([]);
    });

    it("is part of the review of the shipped stacks: prod installs a week after dev's first install after Patch Tuesday", async () => {
        const dev = (await cachedReview({ stack: "dev", now: NOW })).sections.find((s) => s.title.startsWith("Patch policy schedules"))!;
        const prod = (await cachedReview({ stack: "prod", now: NOW })).sections.find((s) => s.title.startsWith("Patch policy schedules"))!;
        const runsAfter = (lines: string[], header: string) => {
            const start = lines.findIndex((l) => l.startsWith(header));
            return lines.slice(start + 1, start + 6).map((l) => new Date(`${l.trim().slice(4, 20).replace(" ", "T")}:00Z`));
        };
        expect(prod.lines[0]).to.equal("prod-patching · us-east-1 · scan (owned): cron(0 1 * * ? *)");
        expect(prod.lines).to.include("prod-patching · us-east-1 · install (owned): cron(0 3 ? * TUE#3 *) + 5d offset — Patch Tuesday + 12 days at 03:00 UTC");
        const devInstalls = runsAfter(dev.lines, "dev-patching · us-east-1 · install");
        const prodInstalls = runsAfter(prod.lines, "prod-patching · us-east-1 · install");
        expect(prodInstalls.map((d) => d.toISOString())).to.deep.equal([
            "2026-03-22T03:00:00.000Z",
            "2026-04-26T03:00:00.000Z",
            "2026-05-24T03:00:00.000Z",
            "2026-06-21T03:00:00.000Z",
            "2026-07-26T03:00:00.000Z",
        ]);
        // March: dev installs on Sunday the 15th, the first Sunday after Patch Tuesday (the 10th); prod a week later.
        const pt = patchTuesday(2026, 2);
        const devAfterPt = devInstalls.find((d) => d > pt)!;
        expect(devAfterPt.toISOString()).to.equal("2026-03-15T02:00:00.000Z");
        expect(prodInstalls[0].getTime() - devAfterPt.getTime()).to.equal(7 * 86400000 + 3600000);
    });
});
