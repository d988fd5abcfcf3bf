#!/usr/bin/env node
/**
 * Runs a TypeScript command of this project as precompiled JavaScript:
 *
 *   node scripts/run.js review/cli.ts [args…]   what `npm start`, `npm run emergency`, `npm run approve`, `npm run pr:stacks` run
 *   node scripts/run.js --build                 bundle every entry (the `prepare` script, run by `npm ci`)
 *
 * Each entry is bundled by esbuild into `.build/<name>.js` (packages stay external, resolved from
 * node_modules at run time) and reused until one of its source files changes: the bundle's
 * manifest records the SHA-256 of every file it was built from (scripts/bundle-cache.js), and this
 * launcher checks them (a `stat` each, a hash where one changed) before each run. So an edited
 * source is never run stale, and nothing is transpiled on a run whose sources did not change.
 * The review's V8 bytecode (its bundle's and the packages it loads) is kept by an earlier run
 * (scripts/code-cache.js, keyed by each file's content); `prepare` fills it with one review.
 *
 * Bundles sit one folder below the root, like the program's own folders, so `__dirname`-relative
 * reads of shipped files (`../documents`, `../Pulumi.yaml`) resolve the same as from the sources.
 * Without esbuild (an install without devDependencies) the entry runs under ts-node instead.
 */
"use strict";
const path = require("path");
const Module = require("module");

const ROOT = path.resolve(__dirname, "..");
const CACHE_DIR = path.join(ROOT, ".build");
/** The commands `prepare` bundles ahead of their first run. */
const ENTRIES = ["review/cli.ts", "scripts/emergency.ts", "scripts/approve.ts", "scripts/prStacks.ts"];

/**
 * Packages bundled into the commands: the small ones the config path loads before anything else
 * (fewer files to resolve and read on the way to a config verdict). Every other package stays
 * external and is loaded from node_modules when first required, as the SDKs expect.
 */
const BUNDLED_PACKAGES = ["zod", "yaml"];

/**
 * Commands that run with the SDKs' unused modules loaded on first use only (installLazyRequires in
 * scripts/lazy-packages.js): the offline review runs the program under the mock engine, which
 * needs neither gRPC, TypeScript nor the automation API. A real `pulumi up` runs index.ts through
 * the Pulumi CLI and never passes here.
 */
const LAZY_REQUIRE_ENTRIES = ["review/cli.ts"];

/**
 * Commands whose modules V8 compiles from the code cache (scripts/code-cache.js): the offline
 * review, which runs no dynamic `import()` (under the cache one would work, through Node's own
 * loader, but print an ExperimentalWarning on Node 20). `npm run emergency` and `npm run approve`
 * load the AWS SDK clients with `import()` and compile as usual.
 */
const CODE_CACHE_ENTRIES = ["review/cli.ts"];

/**
 * V8 flags of the offline review with these arguments: TurboFan off (`--no-opt`: V8's interpreter
 * and its baseline compiler), except for `--fleet-size`, whose fleet simulation needs it (3×
 * slower without: 10 s instead of 3 s at 10,000 instances). A review lasts 1–2 s; TurboFan spent
 * about a fifth of its CPU (0.5 s of a cold prod review's 2.6 s) optimising functions on the
 * machine's other core and saved no time. Alternating A/B on 2 cores, three trees (no flag /
 * `--no-opt` / a 15× interrupt budget): invalid config 0.46 / 0.42 / 0.47 s; cold prod review 2.32
 * / 2.08 / 2.11 s at 3.25 / 2.39 / 2.49 s of CPU; dev 1.92 / 1.84 / 1.77 s. Set before the first
 * module is compiled; V8 checks its flag hash against cached code, so each set of flags has its
 * own code cache file ({@link codeCacheFile}).
 */
function reviewV8Flags(args) {
    return args.some((a) => a === "--fleet-size" || a.startsWith("--fleet-size=")) ? [] : ["--no-opt"];
}

/** Every package the project depends on, except {@link BUNDLED_PACKAGES}, with its subpaths. */
function externals() {
    const pkg = JSON.parse(require("fs").readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => !BUNDLED_PACKAGES.includes(n));
    return names.flatMap((n) => [n, `${n}/*`]).sort();
}

/** esbuild options of a command bundle. */
function buildOptions(entry) {
    return {
        // `@pulumi/aws` and `@pulumi/aws-native` through facades that load only the services used (scripts/lazy-packages.js).
        alias: require("./lazy-packages").writeFacades(ROOT, path.join(CACHE_DIR, "lazy")),
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        external: externals(),
        // `node --enable-source-maps` maps stack traces back to the TypeScript sources.
        sourcemap: "linked",
    };
}

function bundleName(entry) {
    return path.basename(entry).replace(/\.ts$/, "");
}

/**
 * The V8 code cache of a command run with these V8 flags (scripts/code-cache.js): one file per set
 * of flags, since V8 rejects cached code compiled under other flags.
 */
function codeCacheFile(entry, flags = []) {
    const suffix = flags.length > 0 ? `.${require("./bundle-cache").sha256(flags.join(" ")).slice(0, 12)}` : "";
    return path.join(CACHE_DIR, "code-cache", `${bundleName(entry)}${suffix}.bin`);
}

/** The up-to-date bundle of `entry` (relative to the root), built if missing or stale. */
function bundle(entry) {
    const { cachedBundle } = require("./bundle-cache");
    return cachedBundle({ root: ROOT, cacheDir: CACHE_DIR, name: bundleName(entry), options: buildOptions(entry) });
}

function hasEsbuild() {
    try {
        require.resolve("esbuild");
        return true;
    } catch {
        return false;
    }
}

/** The stacks `prepare` reviews once to fill the review's code cache: those of the repository. */
const WARM_STACKS = ["dev", "prod"];

/**
 * Fills the review's V8 code cache (scripts/code-cache.js) by running the review as `npm start`
 * runs it (plan computed afresh, output discarded), so the first `npm start` after `npm ci` finds
 * the bytecode of the modules and functions a review runs. Returns a line for the build log; a
 * review that fails here only leaves the cache to its first real run.
 */
function warmCodeCache() {
    const codeCache = require("./code-cache");
    if (!codeCache.codeCacheEnabled()) return ".build/code-cache: off";
    const stacks = WARM_STACKS.filter((s) => require("fs").existsSync(path.join(ROOT, `Pulumi.${s}.yaml`)));
    if (stacks.length === 0) return ".build/code-cache: no stack to review";
    const r = require("child_process").spawnSync(process.execPath, [__filename, "review/cli.ts", ...stacks.flatMap((s) => ["--stack", s]), "--no-cache", "--quiet"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, PATCHING_CODE_CACHE_TRACE: "1" },
    });
    const trace = /code cache: (.*)/.exec(r.stderr ?? "")?.[1];
    return `.build/code-cache: review of ${stacks.join(", ")} ${trace ? `(${trace.replace(ROOT + path.sep, "")})` : `left no trace (exit ${r.status})`}`;
}

function main(argv) {
    if (argv[0] === "--build") {
        if (!hasEsbuild()) {
            process.stderr.write("scripts/run.js --build: esbuild is not installed (devDependencies omitted); commands will run under ts-node\n");
            return;
        }
        for (const entry of ENTRIES) {
            const b = bundle(entry);
            process.stdout.write(`${path.relative(ROOT, b.file)} ${b.built ? "built" : "up to date"}\n`);
        }
        // The AWS SDK models the review's contract checks read, without the clients' code (scripts/sdk-models.js).
        const models = require("./sdk-models").buildModels(ROOT);
        process.stdout.write(`.build/sdk-models: ${models.length > 0 ? `written for ${models.join(", ")}` : "up to date"}\n`);
        process.stdout.write(`${warmCodeCache()}\n`);
        return;
    }
    const entry = argv[0];
    if (!entry) {
        process.stderr.write(`usage: node scripts/run.js ENTRY.ts [args…] | --build\n`);
        process.exit(3);
    }
    const rel = path.relative(ROOT, path.resolve(entry)).split(path.sep).join("/");
    const v8Flags = CODE_CACHE_ENTRIES.includes(rel) ? reviewV8Flags(argv.slice(1)) : [];
    for (const flag of v8Flags) require("v8").setFlagsFromString(flag);
    let file;
    if (hasEsbuild()) {
        file = bundle(rel).file;
        // V8's bytecode of the bundle and the packages it loads, kept by an earlier run (scripts/code-cache.js).
        const codeCache = require("./code-cache");
        if (CODE_CACHE_ENTRIES.includes(rel) && codeCache.codeCacheEnabled()) codeCache.installCodeCache(codeCacheFile(rel, v8Flags));
        if (LAZY_REQUIRE_ENTRIES.includes(rel)) {
            require("./lazy-packages").installLazyRequires();
            // What the review reads from here on keys its cache (review/reviewCache.ts); the sources
            // checked above are the bundle's, whose own hash is in the key.
            require("./file-reads").recordFileReads(ROOT);
        }
    } else {
        require("ts-node/register/transpile-only");
        file = path.join(ROOT, rel);
    }
    // Run the bundle as the main module, so its `require.main === module` block runs as it would
    // under `node file.js`, with the command's own arguments.
    process.argv = [process.argv[0], file, ...argv.slice(1)];
    Module.runMain();
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { ENTRIES, LAZY_REQUIRE_ENTRIES, CODE_CACHE_ENTRIES, reviewV8Flags, buildOptions, bundle, codeCacheFile };
