/**
 * Content-addressed esbuild bundles, rebuilt only when an input changed.
 *
 * A bundle is kept in `cacheDir` as `<name>.js` with a manifest `<name>.json` that records what it
 * was built from: the build options (with esbuild's version and the project's tsconfig.json), the
 * SHA-256 of every project file esbuild read, and for every package it read from node_modules the
 * size and modification time of that package's package.json (npm writes a package's files anew
 * whenever it installs it). A later call checks exactly those inputs; when they all match, the
 * bundle is reused without running esbuild. A project file is hashed again only when its size or
 * mtime changed (and when its content did not, its new size and mtime are recorded), so an
 * untouched tree is checked with a `stat` per file. The manifest also records the bundle's own
 * size, mtime and SHA-256: a bundle changed since its build is rebuilt, and callers get its digest
 * without reading it (components/nodeLambda.ts keys its second pass by it).
 *
 * Not noticed: a file edited by hand inside node_modules without reinstalling its package.
 *
 * Used by `scripts/run.js` (the precompiled `npm start`, `npm run emergency`, `npm run approve`)
 * and by components/nodeLambda.ts (Lambda bundles, which the program otherwise rebuilds on every
 * run). Plain CommonJS JavaScript so the launcher needs no compiler. Writes are atomic (temporary
 * file, then rename), so concurrent processes (mocha --parallel workers) may share a cache.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

function sha256(data) {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** An input esbuild read that is not a file (e.g. `<stdin>`, `(disabled):fs`) has no signature. */
function isFile(input) {
    return !/^[<(]/.test(input) && !input.includes("?");
}

/** `node_modules/@scope/name` of an input inside a package (the innermost one), else undefined. */
function packageRoot(input) {
    const parts = input.split(/[\\/]/);
    const i = parts.lastIndexOf("node_modules");
    if (i < 0) return undefined;
    return parts.slice(0, i + (parts[i + 1]?.startsWith("@") ? 3 : 2)).join("/");
}

function statSignature(file) {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
}

/** `size:mtime:sha256` of a project file. */
function fileSignature(root, input) {
    const file = path.resolve(root, input);
    return `${statSignature(file)}:${sha256(fs.readFileSync(file))}`;
}

/** True when a project file still has the content it was built from. */
function fileUnchanged(root, input, recorded) {
    const file = path.resolve(root, input);
    if (recorded.startsWith(`${statSignature(file)}:`)) return true; // untouched since the build
    return recorded.endsWith(`:${sha256(fs.readFileSync(file))}`); // touched: compare the content
}

function readJson(file) {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined;
    }
}

function writeAtomic(file, data) {
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
}

/** The key of a build: its options, esbuild's version and the project's tsconfig.json. */
function buildKey(root, options) {
    // esbuild's version from its package.json: loading esbuild itself is only needed to build.
    const esbuildVersion = readJson(require.resolve("esbuild/package.json")).version;
    const tsconfig = path.join(root, "tsconfig.json");
    return sha256(JSON.stringify({ esbuild: esbuildVersion, options, tsconfig: fs.existsSync(tsconfig) ? sha256(fs.readFileSync(tsconfig)) : null }));
}

/**
 * True when the manifest's bundle exists as built and every input it was built from is unchanged.
 * `touched` collects the project files (and the bundle itself, as `""`) whose size or mtime changed
 * but whose content did not (a checkout, a copy of the tree): the caller records their new
 * signature, so the next check is a `stat` again instead of a hash.
 */
function isFresh(manifest, key, root, outfile, touched) {
    if (!manifest || manifest.key !== key || !manifest.files || !manifest.packages || !manifest.output) return false;
    try {
        const changed = (file, recorded) => !recorded.startsWith(`${statSignature(file)}:`);
        if (changed(outfile, manifest.output)) {
            if (!manifest.output.endsWith(`:${sha256(fs.readFileSync(outfile))}`)) return false; // not the bundle built
            touched.push("");
        }
        for (const [input, recorded] of Object.entries(manifest.files)) {
            if (!changed(path.resolve(root, input), recorded)) continue; // untouched since the build
            if (!fileUnchanged(root, input, recorded)) return false;
            touched.push(input);
        }
        return Object.entries(manifest.packages).every(([pkg, recorded]) => statSignature(path.resolve(root, pkg, "package.json")) === recorded);
    } catch {
        return false; // an input or the bundle was deleted
    }
}

/** What a build read: project files with their signature, packages with their package.json's. */
function inputsOf(root, metafile) {
    const files = {};
    const packages = {};
    for (const input of Object.keys(metafile.inputs).sort()) {
        if (!isFile(input)) continue;
        const pkg = packageRoot(input);
        if (pkg === undefined) files[input] = fileSignature(root, input);
        else packages[pkg] ??= statSignature(path.resolve(root, pkg, "package.json"));
    }
    return { files, packages };
}

/** The SHA-256 recorded in a `size:mtime:sha256` signature. */
function recordedHash(signature) {
    return signature.slice(signature.lastIndexOf(":") + 1);
}

/**
 * Returns the bundle of `options.entryPoints` (one entry), from the cache when its inputs are
 * unchanged, else built now and cached.
 *
 * @param {object} o
 * @param {string} o.root Project root: input paths are relative to it (esbuild's absWorkingDir).
 * @param {string} o.cacheDir Where bundles and manifests are kept (created if missing; relative to `root`).
 * @param {string} o.name File name of the bundle in `cacheDir`, without `.js`.
 * @param {object} o.options esbuild build options, without `outfile`, `write` and `metafile`.
 * @param {boolean} [o.readCode] Also return the bundle's text.
 * @returns {{ file: string, built: boolean, sha256: string, code?: string }} `sha256`: of the
 *   bundle's content, as recorded when it was built (the bundle is not read unless `readCode`).
 */
function cachedBundle(o) {
    const cacheDir = path.resolve(o.root, o.cacheDir);
    const outfile = path.join(cacheDir, `${o.name}.js`);
    const manifestFile = path.join(cacheDir, `${o.name}.json`);
    const key = buildKey(o.root, o.options);
    const manifest = readJson(manifestFile);
    const touched = [];
    if (isFresh(manifest, key, o.root, outfile, touched)) {
        if (touched.length > 0) {
            // Same content, new size or mtime: record them, so the next check needs no hash.
            for (const input of touched) {
                if (input === "") manifest.output = `${statSignature(outfile)}:${recordedHash(manifest.output)}`;
                else manifest.files[input] = `${statSignature(path.resolve(o.root, input))}:${recordedHash(manifest.files[input])}`;
            }
            try {
                writeAtomic(manifestFile, JSON.stringify(manifest, null, 1) + "\n");
            } catch {
                // a read-only cache: the next check compares contents again
            }
        }
        return { file: outfile, built: false, sha256: recordedHash(manifest.output), code: o.readCode ? fs.readFileSync(outfile, "utf8") : undefined };
    }
    const result = require("esbuild").buildSync({ logLevel: "silent", ...o.options, absWorkingDir: o.root, outfile, write: false, metafile: true });
    const { files, packages } = inputsOf(o.root, result.metafile);
    fs.mkdirSync(cacheDir, { recursive: true });
    let code;
    for (const out of result.outputFiles) {
        writeAtomic(out.path, out.contents);
        if (out.path === outfile) code = out.text;
    }
    const output = fileSignature(o.root, outfile);
    writeAtomic(manifestFile, JSON.stringify({ key, entry: o.options.entryPoints, builtAt: new Date().toISOString(), output, files, packages }, null, 1) + "\n");
    return { file: outfile, built: true, sha256: recordedHash(output), code: o.readCode ? code : undefined };
}

module.exports = { cachedBundle, packageRoot, sha256 };
