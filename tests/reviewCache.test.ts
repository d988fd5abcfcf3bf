/**
 * The precompiled review's plan cache (review/reviewCache.ts): a hit prints what a fresh run
 * prints, byte for byte; any input change misses. `--no-cache` is covered by the real-process test
 * in tests/review.test.ts.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PlannedStack } from "../review/plannedReview";
import { fileState, ReviewCache } from "../review/reviewCache";
import { checkStack, CheckedStack } from "../review/validate";
import { ROOT } from "./harness";

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe("review cache (precompiled npm start)", function () {
    this.timeout(300_000); // spawns the review: slow on a busy machine, not a speed test

    it("a hit prints the fresh run's text, JSON and Markdown byte for byte; editing the config file misses", () => {
        const dir = tmp("review-cache-");
        const config = path.join(dir, "Pulumi.dev.yaml");
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), config);
        const cacheDir = path.join(dir, "cache");
        const run = (name: string) => {
            const r = spawnSync(
                process.execPath,
                ["-r", "./tests/support/loadedPackages.js", "scripts/run.js", "review/cli.ts", "--stack", "dev", "--config", config, "--now", "2026-12-01T09:30:00Z", "--json", path.join(dir, `${name}.json`), "--markdown", path.join(dir, `${name}.md`)],
                { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATCHING_REVIEW_CACHE_DIR: cacheDir, PATCHING_REVIEW_CACHE_TRACE: "1" } },
            );
            expect(r.status, r.stderr).to.equal(0);
            const deferred = JSON.parse(/deferred modules loaded: (\[.*\])/.exec(r.stderr)?.[1] ?? "null") as string[] | null;
            return { out: r.stdout, deferred, trace: r.stderr.split("\n").filter((l) => l.startsWith("review cache:")), json: fs.readFileSync(path.join(dir, `${name}.json`), "utf8"), md: fs.readFileSync(path.join(dir, `${name}.md`), "utf8") };
        };
        const closures = () => (fs.existsSync(path.join(ROOT, ".build/closures")) ? fs.readdirSync(path.join(ROOT, ".build/closures")).length : 0);
        const closuresBefore = closures();
        const fresh = run("fresh");
        expect(fresh.trace).to.deep.equal(["review cache: dev miss (not cached)"]);
        // The whole path (program, wiring, contracts) loads none of what the precompiled review
        // defers (tests/support/loadedPackages.js), but TypeScript when this run serialised the
        // dynamic provider's closure (a new bundle: review/closureCache.ts missed). Another mocha
        // worker may serialise (and cache) the same closure meanwhile, so this run may hit an entry
        // written during it: judge TypeScript by a closure written, not by who wrote it.
        expect(fresh.deferred).to.be.an("array");
        expect(fresh.deferred!.filter((m) => m !== "typescript"), "deferred modules a review must never load").to.deep.equal([]);
        if (fresh.deferred!.includes("typescript")) expect(closures(), "TypeScript loaded without serialising a closure").to.be.above(closuresBefore);
        expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".json"))).to.have.length(1);
        const hit = run("hit");
        expect(hit.trace).to.deep.equal(["review cache: dev hit"]);
        expect(hit.out).to.contain("Wiring (run-time calls between services)").and.to.contain("Contracts (IAM catalogue, AWS SDK models)");
        expect(hit.out).to.equal(fresh.out);
        expect(hit.json).to.equal(fresh.json);
        expect(hit.md).to.equal(fresh.md);

        // The entry the process wrote, looked up in this process: a comment added to the config
        // file (same values) is a changed input.
        const cache = new ReviewCache({ dir: cacheDir, root: ROOT, code: crypto.createHash("sha256").update(fs.readFileSync(path.join(ROOT, ".build/cli.js"))).digest("hex"), reads: () => [] });
        const checked = () => checkStack({ stack: "dev", configPath: config, now: new Date("2026-12-01T09:30:00Z") });
        expect(cache.lookup(checked())).to.have.property("planned");
        fs.appendFileSync(config, "# edited\n");
        expect(cache.lookup(checked())).to.deep.equal({ miss: `${path.relative(ROOT, config)} changed` });
    });

    describe("keys and inputs (a synthetic project)", () => {
        const root = tmp("review-cache-root-");
        const files = { config: path.join(root, "Pulumi.x.yaml"), doc: path.join(root, "documents", "a.yaml"), preset: path.join(root, "policies", "presets", "x.json") };
        fs.mkdirSync(path.dirname(files.doc), { recursive: true });
        fs.writeFileSync(files.config, "config: {}\n");
        fs.writeFileSync(files.doc, "schemaVersion: '0.3'\n");
        fs.writeFileSync(path.join(root, "package-lock.json"), '{"lockfileVersion":3}');
        const checked = { project: "p", stack: "x", configPath: files.config, projectDir: root, accountId: "123456789012", region: "us-east-1", engineConfig: { values: { "aws:region": "us-east-1" }, secretKeys: [] }, options: { stack: "x" }, configErrors: [] } as unknown as CheckedStack;
        const planned = { resources: [], wiring: { verdicts: [], proven: 0, broken: 0 }, contracts: { iam: { problems: [], counts: {} }, api: { requests: 0, problems: [] } }, fixedSections: [] } as unknown as PlannedStack;
        const dir = path.join(root, ".build", "reviews");
        // What the computing process read: the config, a document, a directory it listed, a preset it looked for and did not find.
        const make = (o: { code?: string; node?: string } = {}) => new ReviewCache({ dir, root, code: o.code ?? "code-1", node: o.node ?? "v20.0.0", reads: () => [files.config, files.doc, path.dirname(files.doc), files.preset] });

        it("the plan is found while every input is as recorded, whatever the file times", () => {
            make().store(checked, planned);
            expect(make().lookup(checked)).to.deep.equal({ planned });
            fs.utimesSync(files.doc, new Date(0), new Date(0)); // touched, same content
            expect(make().lookup(checked)).to.deep.equal({ planned });
        });

        it("each input changed is a miss: a file read, a file that appears where none was, a directory's listing", () => {
            fs.writeFileSync(files.doc, "schemaVersion: '2.2'\n");
            expect(make().lookup(checked)).to.deep.equal({ miss: "documents/a.yaml changed" });
            fs.writeFileSync(files.doc, "schemaVersion: '0.3'\n"); // restored: found again
            expect(make().lookup(checked)).to.have.property("planned");
            fs.mkdirSync(path.dirname(files.preset), { recursive: true });
            fs.writeFileSync(files.preset, "{}");
            expect(make().lookup(checked)).to.deep.equal({ miss: "policies/presets/x.json changed" });
            fs.rmSync(files.preset);
            fs.writeFileSync(path.join(path.dirname(files.doc), "b.yaml"), "x: 1\n");
            expect(make().lookup(checked)).to.deep.equal({ miss: "documents changed" });
            fs.rmSync(path.join(path.dirname(files.doc), "b.yaml"));
            expect(make().lookup(checked)).to.have.property("planned");
        });

        it("another bundle, Node version, lockfile, stack option or config value is another key", () => {
            expect(make({ code: "code-2" }).lookup(checked)).to.deep.equal({ miss: "not cached" });
            expect(make({ node: "v20.0.1" }).lookup(checked)).to.deep.equal({ miss: "not cached" });
            expect(make().lookup({ ...checked, accountId: "210987654321" } as CheckedStack)).to.deep.equal({ miss: "not cached" });
            expect(make().lookup({ ...checked, engineConfig: { values: { "aws:region": "eu-west-1" }, secretKeys: [] } } as CheckedStack)).to.deep.equal({ miss: "not cached" });
            fs.writeFileSync(path.join(root, "package-lock.json"), '{"lockfileVersion":3,"packages":{}}');
            expect(make().lookup(checked)).to.deep.equal({ miss: "not cached" });
        });

        it("a file's state is its content, a directory's listing, or missing", () => {
            expect(fileState(files.config)).to.match(/^file:[0-9a-f]{64}$/);
            expect(fileState(path.dirname(files.doc))).to.match(/^dir:[0-9a-f]{64}$/);
            expect(fileState(path.join(root, "nope"))).to.equal("missing");
        });
    });
});
