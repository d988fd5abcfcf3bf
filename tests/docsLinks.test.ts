/**
 * Every relative link in the README and docs/ resolves: the file exists and, where the link names an
 * anchor, the target has that heading. Links are read by a Markdown parser (markdown-it), so links
 * inside code blocks are not links; anchors are computed by github-slugger, the algorithm GitHub
 * uses for heading ids, so what passes here resolves on GitHub.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import GithubSlugger from "github-slugger";
import { headingsOf, linksOf } from "./support/markdown";

const root = path.join(__dirname, "..");
/** README.md, every *.md at the top level, and every page under docs/. */
function markdownFiles(): string[] {
    const top = fs.readdirSync(root).filter((f) => f.endsWith(".md"));
    const docsDir = path.join(root, "docs");
    const docs = fs.existsSync(docsDir) ? fs.readdirSync(docsDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f)) : [];
    return [...top, ...docs].sort();
}

const anchorCache = new Map<string, Set<string>>();

/** Heading ids of a Markdown file as GitHub renders them (duplicates get -1, -2, …). */
function anchorsOf(file: string): Set<string> {
    const cached = anchorCache.get(file);
    if (cached) return cached;
    const slugger = new GithubSlugger();
    const anchors = new Set(headingsOf(fs.readFileSync(file, "utf8")).map((h) => slugger.slug(h.text)));
    anchorCache.set(file, anchors);
    return anchors;
}

/** Every link target in a Markdown file (inline links and images). */
function linksIn(file: string): string[] {
    return linksOf(fs.readFileSync(file, "utf8")).map((l) => l.href);
}

/** The relative links of a Markdown file whose file or anchor does not exist, with the reason. */
function brokenLinks(file: string): string[] {
    const broken: string[] = [];
    for (const href of linksIn(file)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto: — not checked offline
        const [target, anchor] = href.split("#", 2);
        const targetPath = target === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
        if (!fs.existsSync(targetPath)) {
            broken.push(`${href}: no file ${path.relative(root, targetPath)}`);
            continue;
        }
        if (anchor !== undefined && targetPath.endsWith(".md") && !anchorsOf(targetPath).has(decodeURIComponent(anchor))) {
            broken.push(`${href}: no heading #${anchor} in ${path.relative(root, targetPath)}`);
        }
    }
    return broken;
}

describe("documentation links", () => {
    const files = markdownFiles();

    it("finds the README and the docs pages", () => {
        expect(files).to.include("README.md");
    });

    for (const file of files) {
        it(`${file}: every relative link and anchor resolves`, () => {
            expect(brokenLinks(path.join(root, file))).to.deep.equal([]);
        });
    }

    it("the checker catches a dead file and a dead anchor", () => {
        const dir = fs.mkdtempSync(path.join(root, "docs-links-"));
        try {
            fs.writeFileSync(path.join(dir, "a.md"), "# Title here\n\n[ok](#title-here) [dead](#nope) [file](missing.md)\n\n```\n[not a link](nowhere.md)\n```\n");
            expect(linksIn(path.join(dir, "a.md"))).to.deep.equal(["#title-here", "#nope", "missing.md"]);
            expect(brokenLinks(path.join(dir, "a.md"))).to.deep.equal(["#nope: no heading #nope in " + path.relative(root, path.join(dir, "a.md")), "missing.md: no file " + path.relative(root, path.join(dir, "missing.md"))]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
