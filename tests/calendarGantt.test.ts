/**
 * The release calendar drawn as a Mermaid gantt chart: the facts it shows (cycles, the Patch Tuesday
 * release, installs per stage, windows as bars of their duration, the approval requests, inverted
 * cycles marked), and every generated chart parsed by Mermaid's own parser.
 */
import { expect } from "chai";
import * as path from "path";
import { parseConfig } from "../config";
import { stackFileLoader } from "../config/source";
import { calendarGantt, computeCalendar, ScheduleSource } from "../core/calendar";
import { calendarView } from "../review/calendarSection";
import { renderMarkdown } from "../review/render";
import { cachedReview } from "./harness";
import { mermaidBlocks, parseMermaid } from "./support/mermaid";

const ROOT = path.join(__dirname, "..");
// Sunday 1 March 2026: Patch Tuesday is 10 March, released 10:00 Los Angeles = 17:00 UTC (DST since 8 March).
const NOW = new Date("2026-03-01T00:00:00Z");

const sources: ScheduleSource[] = [
    { stack: "dev", source: "patchPolicies web install", operation: "install", expression: "cron(0 2 ? * SUN *)" },
    { stack: "dev", source: "patchPolicies web scan", operation: "scan", expression: "cron(0 1 * * ? *)" },
    { stack: "prod", source: "maintenanceWindows prod-window", operation: "install", expression: "cron(0 3 ? * TUE#3 *)", durationHours: 4 },
];

/** `[name, tags, start, duration]` of each task line of a section. */
function tasks(gantt: string[], section: string): string[][] {
    const start = gantt.indexOf(`    section ${section}`);
    expect(start, `section ${section}`).to.be.greaterThan(-1);
    const out: string[][] = [];
    for (const line of gantt.slice(start + 1)) {
        if (line.startsWith("    section ")) break;
        const [name, spec] = line.trim().split(" :");
        const parts = spec.split(", ");
        const [at, dur] = parts.slice(-2);
        out.push([name, parts.slice(0, -3).join(","), at, dur]);
    }
    return out;
}

describe("release calendar as a Mermaid gantt chart", () => {
    const calendar = () => computeCalendar(sources, { from: NOW, months: 12 });
    const rule = { earlier: "dev", later: "prod" };

    it("draws the first three release cycles, each opening with the Patch Tuesday release", async () => {
        const gantt = calendarGantt(calendar(), ["dev", "prod"], rule);
        expect(gantt.filter((l) => l.startsWith("    section ")).map((l) => l.slice(12))).to.deep.equal(["2026-03", "2026-04", "2026-05"]);
        expect(tasks(gantt, "2026-03")[0]).to.deep.equal(["Patch Tuesday release", "milestone", "2026-03-10 17:00", "0m"]);
        expect(tasks(gantt, "2026-04")[0]).to.deep.equal(["Patch Tuesday release", "milestone", "2026-04-14 17:00", "0m"]);
        expect(await parseMermaid(gantt)).to.equal("gantt");
    });

    it("shows installs (associations as moments, windows as bars of their duration) and leaves scans out", () => {
        const march = tasks(calendarGantt(calendar(), ["dev", "prod"], rule), "2026-03");
        const dev = march.filter(([name]) => name.startsWith("dev install"));
        // Sundays from Patch Tuesday to the next release: 15, 22, 29 March, 5 and 12 April.
        expect(dev.map(([, , at]) => at)).to.deep.equal(["2026-03-15 02:00", "2026-03-22 02:00", "2026-03-29 02:00", "2026-04-05 02:00", "2026-04-12 02:00"]);
        expect(dev.every(([, tags, , dur]) => tags === "milestone" && dur === "0m")).to.equal(true);
        expect(march.filter(([name]) => name.startsWith("prod install"))).to.deep.equal([["prod install · maintenanceWindows prod-window", "", "2026-03-17 03:00", "4h"]]);
        expect(march.some(([name]) => name.includes("scan"))).to.equal(false);
    });

    it("marks the later stage's installs `crit` in a cycle where it installs before the earlier stage", async () => {
        // prod on Patch Tuesday + 1 day, dev only on the fourth Tuesday: prod first in every cycle.
        const inverted = computeCalendar(
            [
                { stack: "dev", source: "dev late", operation: "install", expression: "cron(0 2 ? * TUE#4 *)" },
                { stack: "prod", source: "prod early", operation: "install", expression: "cron(0 2 ? * WED#2 *)" },
            ],
            { from: NOW, months: 12 },
        );
        const gantt = calendarGantt(inverted, ["dev", "prod"], rule);
        const march = tasks(gantt, "2026-03");
        expect(march.find(([name]) => name.startsWith("prod"))?.[1]).to.equal("crit,milestone");
        expect(march.find(([name]) => name.startsWith("dev"))?.[1]).to.equal("milestone");
        expect(await parseMermaid(gantt)).to.equal("gantt");
    });

    it("adds markers (the approval gate's requests) inside their cycle, and keeps names Mermaid can read", async () => {
        const gantt = calendarGantt(calendar(), ["dev", "prod"], rule, { markers: [{ label: "prod approval request: CAB #1; now", at: [new Date("2026-03-16T09:00:00Z")] }] });
        expect(tasks(gantt, "2026-03")[1]).to.deep.equal(["prod approval request CAB 1 now", "milestone", "2026-03-16 09:00", "0m"]);
        expect(await parseMermaid(gantt)).to.equal("gantt");
    });

    it("writes times in the display zone", () => {
        const gantt = calendarGantt(calendar(), ["dev", "prod"], rule, { display: "Europe/Berlin" });
        expect(gantt[1]).to.contain("(times Europe/Berlin)");
        expect(tasks(gantt, "2026-03")[0][2]).to.equal("2026-03-10 18:00"); // 17:00 UTC = 18:00 CET
    });

    it("the shipped dev and prod stacks: one gantt with both stages and prod's approval requests, parsed by Mermaid", async () => {
        const load = stackFileLoader(ROOT);
        const configs = ["dev", "prod"].map((stack) => parseConfig(load(stack)!, { project: "patching", stack, now: NOW, loadStack: load }));
        const view = calendarView(configs, NOW)!;
        expect(view.gantt.some((l) => l.trim().startsWith("dev install"))).to.equal(true);
        expect(view.gantt.some((l) => l.trim().startsWith("prod install"))).to.equal(true);
        expect(configs[1].changeSafety?.approvalGate, "prod has an approval gate").to.not.equal(undefined);
        expect(view.gantt.some((l) => l.trim().startsWith("prod approval request"))).to.equal(true);
        expect(await parseMermaid(view.gantt)).to.equal("gantt");
    });

    it("the Markdown report draws every section diagram in a mermaid block that Mermaid parses", async function () {
        this.timeout(180_000); // a whole plan under mocks: slow on a loaded machine, never a speed test
        const md = renderMarkdown(await cachedReview({ stack: "prod", now: NOW }));
        const blocks = mermaidBlocks(md);
        expect(blocks.length).to.be.greaterThan(0);
        for (const block of blocks) expect(await parseMermaid(block)).to.be.a("string");
        expect(blocks.some((b) => b.startsWith("gantt"))).to.equal(true);
    });

    it("the parser rejects a broken diagram (so a pass means something)", async () => {
        let error: unknown;
        await parseMermaid(["flowchart LR", "  a[Scheduler -->|invoke b"]).catch((e) => (error = e));
        expect(String(error)).to.match(/Parse error/);
    });
});
