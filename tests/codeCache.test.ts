import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cacheKey, codeCacheEnabled, openCache, readCache, writeCache } from "../scripts/code-cache";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CODE_CACHE_ENTRIES, codeCacheFile, ENTRIES, reviewV8Flags } = require("../scripts/run") as {
    CODE_CACHE_ENTRIES: string[];
    codeCacheFile(entry: string, flags?: string[]): string;
    ENTRIES: string[];
    reviewV8Flags(args: string[]): string[];
};

const ROOT = path.resolve(__dirname, "..");
const CODE_CACHE = path.join(ROOT, "scripts", "code-cache.js");

/**
 * A throwaway project: main.js requires b.js (a string), c.js (with a `#!` line) and reports what
 * the module wrapper gave it. Each run is its own process (the hook replaces the loader's compile
 * step for the whole process, which mocha's must keep).
 */
function project(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "code-cache-"));
    fs.writeFileSync(path.join(dir, "b.js"), `module.exports = "one";\n`);
    fs.writeFileSync(path.join(dir, "c.js"), `#!/usr/bin/env node\nmodule.exports = function three() { return 3; };\n`);
    fs.writeFileSync(
        path.join(dir, "main.js"),
        [
            `"use strict";`,
            `const b = require("./b");`,
            `const c = require("./c.js");`,
            `module.exports = {`,
            `  b, c: c(), thisIsExports: this === exports, file: __filename, dir: __dirname,`,
            `  resolved: require.resolve("./b"), cached: require.resolve("./b") in require.cache,`,
            `  main: require.main === process.mainModule, paths: Array.isArray(require.resolve.paths("x")),`,
            `};`,
        ].join("\n"),
    );
    fs.writeFileSync(
        path.join(dir, "run.js"),
        [
            `const state = require(${JSON.stringify(CODE_CACHE)}).installCodeCache(process.argv[2]);`,
            `const out = require("./main.js");`,
            `process.on("exit", () => process.stdout.write(JSON.stringify({ out, stats: state.stats })));`,
        ].join("\n"),
    );
    return dir;
}

function run(dir: string, file = path.join(dir, "cache.bin")) {
    const r = spawnSync(process.execPath, [path.join(dir, "run.js"), file], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.equal("");
    return JSON.parse(r.stdout) as { out: Record<string, unknown>; stats: { accepted: number; rejected: number; missing: number } };
}

describe("V8 code cache of the precompiled review (scripts/code-cache.js)", () => {
    it("compiles and saves every module on a first run; the next run takes each from the cache, with the same results", () => {
        const dir = project();
        const first = run(dir);
        expect(first.stats).to.deep.equal({ accepted: 0, rejected: 0, missing: 3 });
        expect(first.out).to.deep.equal({
            b: "one",
            c: 3,
            thisIsExports: true,
            file: path.join(dir, "main.js"),
            dir,
            resolved: path.join(dir, "b.js"),
            cached: true,
            main: true,
            paths: true,
        });
        const saved = readCache(path.join(dir, "cache.bin"));
        expect([...saved.keys()].sort()).to.deep.equal(["b.js", "c.js", "main.js"].map((f) => path.join(dir, f)));
        const mtime = fs.statSync(path.join(dir, "cache.bin")).mtimeMs;
        const second = run(dir);
        expect(second.stats).to.deep.equal({ accepted: 3, rejected: 0, missing: 0 });
        expect(second.out).to.deep.equal(first.out);
        expect(fs.statSync(path.join(dir, "cache.bin")).mtimeMs, "a run whose every module was cached writes nothing").to.equal(mtime);
    });

    it("never runs the bytecode of an edited module, even one of the same length (V8 checks only the length)", () => {
        const dir = project();
        run(dir);
        fs.writeFileSync(path.join(dir, "b.js"), `module.exports = "two";\n`); // same length as "one"
        const edited = run(dir);
        expect(edited.out.b).to.equal("two");
        expect(edited.stats).to.deep.equal({ accepted: 2, rejected: 0, missing: 1 });
        const again = run(dir);
        expect(again.out.b).to.equal("two");
        expect(again.stats).to.deep.equal({ accepted: 3, rejected: 0, missing: 0 });
    });

    it("keeps the entries of modules a run did not load while their files are unchanged, drops those whose file changed", () => {
        const dir = project();
        run(dir);
        const file = path.join(dir, "cache.bin");
        // Another command's run: loads b.js and a new module e.js, and c.js was edited meanwhile.
        fs.writeFileSync(path.join(dir, "e.js"), `module.exports = "e";\n`);
        fs.writeFileSync(path.join(dir, "other.js"), `const s = require(${JSON.stringify(CODE_CACHE)}).installCodeCache(process.argv[2]); require("./b.js"); require("./e.js"); process.on("exit", () => process.stdout.write(JSON.stringify(s.stats)));`);
        fs.writeFileSync(path.join(dir, "c.js"), `module.exports = function four() { return 4; };\n`);
        const r = spawnSync(process.execPath, [path.join(dir, "other.js"), file], { cwd: dir, encoding: "utf8" });
        expect(JSON.parse(r.stdout)).to.deep.equal({ accepted: 1, rejected: 0, missing: 1 });
        const kept = [...readCache(file).keys()].map((p) => path.basename(p)).sort();
        expect(kept).to.deep.equal(["b.js", "e.js", "main.js"]);
        const next = run(dir);
        expect(next.out.c).to.equal(4);
        expect(next.stats).to.deep.equal({ accepted: 2, rejected: 0, missing: 1 });
    });

    it("ignores a cache of another Node or V8, a truncated or a corrupt file, and runs as without it", () => {
        const dir = project();
        const file = path.join(dir, "cache.bin");
        run(dir);
        const entries = readCache(file);
        expect(entries.size).to.equal(3);
        writeCache(file, entries, JSON.stringify({ node: "v0.0.0" }));
        expect(readCache(file).size).to.equal(0);
        expect(run(dir).stats).to.deep.equal({ accepted: 0, rejected: 0, missing: 3 });
        expect(readCache(file, cacheKey()).size, "rewritten with this Node's key").to.equal(3);
        fs.truncateSync(file, fs.statSync(file).size - 10);
        expect(readCache(file).size).to.equal(0);
        expect(run(dir).out.b).to.equal("one");
        fs.writeFileSync(file, "not a cache\n\u0000\u0001");
        expect(readCache(file).size).to.equal(0);
        expect(run(dir).stats).to.deep.equal({ accepted: 0, rejected: 0, missing: 3 });
    });

    it("reads an entry's data only when asked for, from the file as it was when opened", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "code-cache-lazy-"));
        const file = path.join(dir, "cache.bin");
        const big = Buffer.alloc(300_000, 7);
        writeCache(file, new Map([["/a.js", { hash: "ha", data: Buffer.from("small") }], ["/b.js", { hash: "hb", data: big }]]));
        // The fs module itself (the import above is a copy of its bindings), whose readSync the cache calls.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const nodeFs = require("fs") as { readSync: typeof fs.readSync };
        const original = nodeFs.readSync;
        let bytes = 0;
        nodeFs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
            const n = (original as (...a: unknown[]) => number)(...args);
            bytes += n;
            return n;
        }) as typeof fs.readSync;
        let cache: ReturnType<typeof openCache>;
        try {
            cache = openCache(file);
            expect([...cache.entries.keys()]).to.deep.equal(["/a.js", "/b.js"]);
            expect(bytes, "the header's chunk, not the 300 kB entry").to.be.lessThan(big.length / 4);
            const header = bytes;
            expect(cache.entries.get("/a.js")!.data.toString()).to.equal("small");
            expect(bytes - header, "then just that entry").to.equal(5);
        } finally {
            nodeFs.readSync = original;
        }
        // Another run's atomic rewrite does not change what this one reads.
        writeCache(file, new Map([["/b.js", { hash: "hb2", data: Buffer.from("replaced") }]]));
        expect(cache.entries.get("/b.js")!.data.equals(big)).to.equal(true);
        cache.close();
        expect(() => openCache(path.join(dir, "missing.bin")).entries.size).not.to.throw();
        expect(readCache(file).get("/b.js")!.data.toString()).to.equal("replaced");
    });

    it("hands ES modules and dynamic import() to Node's own loader, as without the cache", () => {
        const dir = project();
        fs.mkdirSync(path.join(dir, "esm"));
        fs.writeFileSync(path.join(dir, "esm", "package.json"), JSON.stringify({ type: "module" }));
        fs.writeFileSync(path.join(dir, "esm", "index.js"), `export const x = 1;\n`);
        fs.writeFileSync(path.join(dir, "d.mjs"), `export const y = 2;\n`);
        fs.writeFileSync(path.join(dir, "main.js"), `module.exports = { b: require("./b"), esm: require("./esm/index.js").x };\nimport("./d.mjs").then((m) => { module.exports.y = m.y; });\n`);
        fs.writeFileSync(path.join(dir, "run.js"), `const s = require(${JSON.stringify(CODE_CACHE)}).installCodeCache(process.argv[2]); const out = require("./main.js"); process.on("exit", () => process.stdout.write(JSON.stringify(out)));`);
        const r = spawnSync(process.execPath, ["--no-warnings", path.join(dir, "run.js"), path.join(dir, "cache.bin")], { cwd: dir, encoding: "utf8" });
        expect(r.status, r.stderr).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.equal({ b: "one", esm: 1, y: 2 });
    });

    it("is on unless PATCHING_CODE_CACHE=0 or source maps are on, and only the review command uses it", () => {
        const saved = process.env.PATCHING_CODE_CACHE;
        try {
            delete process.env.PATCHING_CODE_CACHE;
            expect(codeCacheEnabled()).to.equal(!process.sourceMapsEnabled);
            process.env.PATCHING_CODE_CACHE = "0";
            expect(codeCacheEnabled()).to.equal(false);
        } finally {
            if (saved === undefined) delete process.env.PATCHING_CODE_CACHE;
            else process.env.PATCHING_CODE_CACHE = saved;
        }
        expect(CODE_CACHE_ENTRIES).to.deep.equal(["review/cli.ts"]);
        expect(ENTRIES).to.include.members(CODE_CACHE_ENTRIES);
        expect(codeCacheFile("review/cli.ts")).to.equal(path.join(ROOT, ".build", "code-cache", "cli.bin"));
        // V8 rejects code cached under other flags: one file per set of flags.
        expect(codeCacheFile("review/cli.ts", ["--no-opt"])).to.match(/[\\/]\.build[\\/]code-cache[\\/]cli\.[0-9a-f]{12}\.bin$/);
        expect(codeCacheFile("review/cli.ts", ["--no-opt"])).not.to.equal(codeCacheFile("review/cli.ts", ["--no-opt", "--max-lazy"]));
    });

    it("the review's V8 flags follow its arguments and are set before any module is compiled (one flag hash for the cache)", function () {
        this.timeout(300000); // spawns node: slow on a busy machine, nothing timed
        // Preloaded: records, in order, each V8 flag set and each script V8 compiles with the code cache's vm.Script.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-flags-"));
        const preload = path.join(dir, "record.js");
        fs.writeFileSync(
            preload,
            [
                `const v8 = require("v8"), vm = require("vm"), events = [];`,
                `const setFlags = v8.setFlagsFromString;`,
                `v8.setFlagsFromString = (flag) => (events.push("flag " + flag), setFlags(flag));`,
                `const Script = vm.Script;`,
                `vm.Script = new Proxy(Script, { construct: (t, args) => (events.push("compile " + require("path").basename(args[1].filename)), Reflect.construct(t, args)) });`,
                `process.on("exit", () => process.stderr.write("\\nevents " + JSON.stringify(events) + "\\n"));`,
            ].join("\n"),
        );
        const events = (entry: string, ...args: string[]) => {
            const r = spawnSync(process.execPath, ["-r", preload, "scripts/run.js", entry, ...args], { cwd: ROOT, encoding: "utf8" });
            return JSON.parse(/events (\[.*\])/.exec(r.stderr)?.[1] ?? "null") as string[] | null;
        };
        expect(reviewV8Flags(["--stack", "prod", "--quiet"])).to.deep.equal(["--no-opt"]);
        expect(reviewV8Flags(["--stack", "prod", "--fleet-size", "5000"]), "the fleet simulation keeps TurboFan").to.deep.equal([]);
        expect(reviewV8Flags(["--fleet-size=5000"])).to.deep.equal([]);
        const review = events("review/cli.ts", "--config", "tests/fixtures/invalid.yaml");
        expect(review?.[0]).to.equal("flag --no-opt");
        expect(review, "the bundle itself is compiled, after the flags").to.include("compile cli.js");
        expect(review!.filter((e) => e.startsWith("flag ")), "and no flag later").to.deep.equal(["flag --no-opt"]);
        // Other commands: none (only the review is in CODE_CACHE_ENTRIES, checked above).
    });

    it("`npm start` answers the same with and without it (an invalid config: the bundle compiled from the cache)", function () {
        this.timeout(300000);
        const start = (env: Record<string, string>) =>
            spawnSync(process.execPath, ["scripts/run.js", "review/cli.ts", "--config", "tests/fixtures/invalid.yaml"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
        let cached = start({ PATCHING_CODE_CACHE_TRACE: "1" });
        // A checkout whose review has no code cache yet (`prepare` fills it): that run filled it.
        if (!/code cache: [1-9]\d* accepted/.test(cached.stderr)) cached = start({ PATCHING_CODE_CACHE_TRACE: "1" });
        const plain = start({ PATCHING_CODE_CACHE: "0", PATCHING_CODE_CACHE_TRACE: "1" });
        expect(cached.status).to.equal(1);
        expect(plain.status).to.equal(1);
        expect(cached.stdout).to.equal(plain.stdout).and.to.contain("INVALID CONFIG");
        expect(cached.stderr).to.match(/code cache: [1-9]\d* accepted, 0 rejected/);
        expect(plain.stderr).not.to.contain("code cache:");
    });
});
