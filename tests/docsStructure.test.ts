/**
 * The documentation a newcomer walks (issue 20): a short README that is the front door — the two
 * commands, links to every page — and one page per concept under docs/, each with the same skeleton
 * of sections, so a reader who knows one page knows where to look on every other. Headings are read
 * by a Markdown parser (markdown-it), so a `## …` line inside a code block is not a heading.
 * Links are resolved by tests/docsLinks.test.ts; this file checks that the structure is there.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { headingsOf, linksOf, md } from "./support/markdown";

const root = path.join(__dirname, "..");

/** The pages with the common skeleton, one per concept. */
const CONCEPT_PAGES = [
    "baselines-and-patch-groups.md",
    "patch-policies.md",
    "override-store.md",
    "multi-account.md",
    "maintenance-windows-and-orchestrator.md",
    "compliance.md",
    "change-safety.md",
    "install-paths.md",
    "policy-pack.md",
];
/** The other pages the README must lead to. */
const OTHER_PAGES = ["architecture.md", "operating.md", "review.md", "testing-and-benchmarks.md", "ci.md", "config-reference.md"];
/** The H2 sections of every concept page, in this order. */
const SKELETON = ["What it deploys", "Configuration", "Review output", "Compared with Quick Setup and the seeds", "Limits"];
const README_MAX_LINES = 300;
const TWO_COMMANDS = ["npm ci && npm start", "npm ci && npm test"];

/** Relative link targets of a Markdown text, without anchors, resolved against `fromDir` (relative to the repository root). */
function linkedFiles(text: string, fromDir: string): Set<string> {
    const files = new Set<string>();
    for (const { href, kind } of linksOf(text)) {
        if (kind === "link" && !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith("#")) files.add(path.posix.normalize(path.posix.join(fromDir, decodeURIComponent(href.split("#")[0]))));
    }
    return files;
}

/** What is wrong with a concept page's structure (empty when it follows the skeleton). */
function skeletonProblems(text: string): string[] {
    const headings = headingsOf(text);
    const problems: string[] = [];
    if (headings[0]?.level !== 1) problems.push("does not start with a level-1 title");
    if (headings.filter((h) => h.level === 1).length !== 1) problems.push("has more than one level-1 heading");
    const h2 = headings.filter((h) => h.level === 2).map((h) => h.text);
    if (JSON.stringify(h2) !== JSON.stringify(SKELETON)) problems.push(`level-2 sections are [${h2.join(" | ")}], expected [${SKELETON.join(" | ")}]`);
    // a one-paragraph summary and the way back, before the first section
    const beforeFirstSection = text.split(/^## /m)[0];
    if (!/\(\.\.\/README\.md\)/.test(beforeFirstSection)) problems.push("no link back to ../README.md before the first section");
    const paragraphs = md.parse(beforeFirstSection, {}).filter((t) => t.type === "paragraph_open").length;
    if (paragraphs < 2) problems.push("no summary paragraph before the first section");
    for (const section of SKELETON) {
        const body = text.split(new RegExp(`^## ${section}$`, "m"))[1]?.split(/^## /m)[0] ?? "";
        if (body.trim().length === 0) problems.push(`section "${section}" is empty`);
    }
    return problems;
}

function read(rel: string): string {
    return fs.readFileSync(path.join(root, rel), "utf8");
}

describe("documentation structure", () => {
    const readme = read("README.md");

    it(`README.md is a front door: at most ${README_MAX_LINES} lines`, () => {
        expect(readme.split("\n").length).to.be.at.most(README_MAX_LINES);
    });

    it("README.md gives the two commands exactly, in a code block", () => {
        const code = md.parse(readme, {}).filter((t) => t.type === "fence").map((t) => t.content).join("\n");
        for (const command of TWO_COMMANDS) expect(code, command).to.include(command);
    });

    it("README.md shows the five-minute path from the first-account example to a review", () => {
        expect(readme).to.include("cp examples/first-account.yaml Pulumi.<stack>.yaml");
        expect(readme).to.include("npm start -- --stack <stack>");
        expect(fs.existsSync(path.join(root, "examples", "first-account.yaml"))).to.equal(true);
    });

    for (const page of [...CONCEPT_PAGES, ...OTHER_PAGES]) {
        it(`docs/${page} exists and README.md links to it`, () => {
            expect(fs.existsSync(path.join(root, "docs", page)), `docs/${page}`).to.equal(true);
            expect([...linkedFiles(readme, ".")]).to.include(`docs/${page}`);
        });
    }

    it("README.md links to every page under docs/ (no orphan page)", () => {
        const pages = fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md") && f !== "README.md");
        const linked = linkedFiles(readme, ".");
        expect(pages.filter((p) => !linked.has(`docs/${p}`))).to.deep.equal([]);
    });

    for (const page of CONCEPT_PAGES) {
        it(`docs/${page} has the concept skeleton: ${SKELETON.join(" → ")}`, () => {
            expect(skeletonProblems(read(path.join("docs", page)))).to.deep.equal([]);
        });
    }

    it("every docs page starts with a title and links back to the README", () => {
        const problems = OTHER_PAGES.filter((p) => p !== "ci.md").flatMap((p) => {
            const text = read(path.join("docs", p));
            const first = headingsOf(text)[0];
            return [...(first?.level === 1 ? [] : [`${p}: no title`]), ...(/\(\.\.\/README\.md\)/.test(text) ? [] : [`${p}: no link to ../README.md`])];
        });
        expect(problems).to.deep.equal([]);
    });

    it("the skeleton check catches a missing, a misordered and an empty section, and ignores code blocks", () => {
        const good = ["# T", "", "Summary.", "", "[← README](../README.md)", "", ...SKELETON.flatMap((s) => [`## ${s}`, "", "Text.", ""])].join("\n");
        expect(skeletonProblems(good)).to.deep.equal([]);
        const swapped = good.replace("## Configuration", "## TMP").replace("## Review output", "## Configuration").replace("## TMP", "## Review output");
        expect(skeletonProblems(swapped)).to.have.length(1);
        expect(skeletonProblems(good.replace("## Limits\n\nText.\n", "## Limits\n\n"))).to.deep.equal(['section "Limits" is empty']);
        expect(skeletonProblems(good.replace("## Limits", "```\n## Limits\n```"))[0]).to.match(/level-2 sections are/);
        expect(skeletonProblems(good.replace("[← README](../README.md)", "Back."))).to.deep.equal(["no link back to ../README.md before the first section"]);
    });
});
