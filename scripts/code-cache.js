/**
 * V8 code cache for the precompiled commands (scripts/run.js): the bytecode V8 compiled for the
 * command's bundle and the packages it loads, kept in one file and handed back to V8 on the next
 * run, so a run spends its time running the review rather than parsing and compiling ~5 MB of
 * JavaScript (Node 20 has no `module.enableCompileCache`; this is what it does, for CommonJS).
 *
 * While installed, every CommonJS module compiled by Node's loader (`Module.prototype._compile`)
 * is compiled here instead, as a `vm.Script` of the same wrapper Node uses, with the cached data
 * kept for it if there is one. Each entry is keyed by the module's absolute path AND the SHA-256
 * of its source text: an edited, rebuilt or reinstalled file never meets the bytecode of its
 * former self (V8's own check of cached data is only the source's length, V8's version and its
 * flags). The whole file is also keyed by Node's and V8's versions, the platform and the
 * architecture; a file of another key is ignored. Data V8 rejects (other V8 flags, e.g.
 * `--cpu-prof`) is not used: the module is compiled from source and its entry rewritten at exit.
 *
 * The file is written when the process exits (`exit` event) and only when some module had no
 * usable entry (a first run, an edited source, another set of modules): then every module this
 * process compiled is saved with `script.createCachedData()` taken at exit, which includes the
 * functions that ran (compiled lazily, after the module loaded), not only the module's top level;
 * entries of modules not loaded this time are kept if their file still has the same content.
 * Writes are atomic (temporary file, then rename), so concurrent runs may share a cache; the last
 * one wins. A run whose every module found its entry writes nothing.
 *
 * `prepare` (scripts/run.js --build) fills the cache by running the review once, so the first
 * `npm start` after `npm ci` already runs from it. `PATCHING_CODE_CACHE=0` turns it off; it is
 * also off under `--enable-source-maps` (Node's loader registers source maps in the compile step
 * replaced here). `PATCHING_CODE_CACHE_TRACE=1` prints at exit how many modules used it.
 *
 * Plain CommonJS JavaScript, like the launcher. tests/codeCache.test.ts checks that an edited
 * module never runs stale bytecode, that entries are found again, and that another key is ignored.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

/** Version of the file format: files of another are ignored. */
const FORMAT = 1;
const MAGIC = "pulumi-patch-management code cache";

function sha256(text) {
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** What the whole cache is valid for: cached data of another Node, platform or V8 flags is useless. */
function cacheKey() {
    return JSON.stringify({ format: FORMAT, node: process.version, v8: process.versions.v8, platform: process.platform, arch: process.arch });
}

/**
 * Opens a cache file: its header now, each entry's data when first asked for. Returns `{ entries,
 * close }`: `entries` is `Map(path → { hash, data })` whose `data` getter reads that entry (from
 * the file as it was when opened: the descriptor stays open until `close()`, so a concurrent run's
 * rename does not mix two files), empty when the file is missing, unreadable, truncated or of
 * another key. Layout: a JSON header line (magic, key, entries `[path, hash, offset, length]`),
 * then the cached data of every entry, back to back.
 *
 * The file keeps the entries of every module any run of the command loaded while its file is
 * unchanged (a `--fleet-size` review loads the AWS SDK clients: 13 MB in all), so a run reads
 * only the entries of the modules it compiles: reading the whole file was 40 ms of every review,
 * and most of it for an invalid config, which compiles two modules.
 */
function openCache(file, key = cacheKey()) {
    const none = { entries: new Map(), close() {} };
    let fd;
    try {
        fd = fs.openSync(file, "r");
    } catch {
        return none;
    }
    const close = () => {
        if (fd === undefined) return;
        try {
            fs.closeSync(fd);
        } catch {
            // already closed
        }
        fd = undefined;
    };
    try {
        const size = fs.fstatSync(fd).size;
        // The header line: read in chunks until its newline.
        const chunks = [];
        let read = 0;
        let nl = -1;
        while (nl < 0 && read < size) {
            const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, size - read));
            const n = fs.readSync(fd, chunk, 0, chunk.length, read);
            if (n <= 0) break;
            const at = chunk.subarray(0, n).indexOf(10);
            if (at >= 0) nl = read + at;
            chunks.push(chunk.subarray(0, n));
            read += n;
        }
        if (nl < 0) throw new Error("no header line");
        const header = JSON.parse(Buffer.concat(chunks).subarray(0, nl).toString("utf8"));
        if (header.magic !== MAGIC || header.key !== key) throw new Error("another cache");
        const body = nl + 1;
        const entries = new Map();
        for (const [p, hash, offset, length] of header.entries) {
            if (body + offset + length > size) throw new Error("truncated");
            let data;
            entries.set(p, {
                hash,
                get data() {
                    if (data === undefined) {
                        if (fd === undefined) throw new Error(`code cache ${file} closed`);
                        const buf = Buffer.allocUnsafe(length);
                        if (fs.readSync(fd, buf, 0, length, body + offset) !== length) throw new Error(`code cache ${file}: short read`);
                        data = buf;
                    }
                    return data;
                },
            });
        }
        return { entries, close };
    } catch {
        close();
        return none;
    }
}

/** Reads a whole cache file: `Map(path → { hash, data })` (see {@link openCache}). */
function readCache(file, key = cacheKey()) {
    const { entries, close } = openCache(file, key);
    try {
        return new Map([...entries].map(([p, e]) => [p, { hash: e.hash, data: e.data }]));
    } catch {
        return new Map(); // an entry could not be read: as for a truncated file
    } finally {
        close();
    }
}

/** Writes `entries` (`Map(path → { hash, data })`) atomically. */
function writeCache(file, entries, key = cacheKey()) {
    const list = [];
    const chunks = [];
    let offset = 0;
    for (const [p, { hash, data }] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        list.push([p, hash, offset, data.length]);
        chunks.push(data);
        offset += data.length;
    }
    const header = Buffer.from(JSON.stringify({ magic: MAGIC, key, entries: list }) + "\n", "utf8");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([header, ...chunks]));
    fs.renameSync(tmp, file);
}

/** Node's own handling of a leading `#!` line (it is not JavaScript). */
function stripShebang(content) {
    return content.startsWith("#!") ? content.replace(/^#![^\r\n]*/, "") : content;
}

/**
 * Compiles CommonJS modules with the cache in `file` from now on, in this process (idempotent:
 * a second call returns the first's state). Returns `{ file, stats, flush }`: `stats` counts the
 * modules whose cached data V8 `accepted`, those it `rejected`, and those with no entry
 * (`missing`: new or edited); `flush()` writes the file now if needed (it is called at exit).
 */
function installCodeCache(file) {
    const Module = require("module");
    const installed = Module.prototype._compile.__codeCache;
    if (installed) return installed;
    const previous = Module.prototype._compile;
    const cache = openCache(file);
    const entries = cache.entries;
    const compiled = new Map(); // path → { hash, script }
    const stats = { accepted: 0, rejected: 0, missing: 0 };
    const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

    function compile(content, filename) {
        const source = stripShebang(content);
        const hash = sha256(source);
        const kept = entries.get(filename);
        let cachedData;
        try {
            cachedData = kept && kept.hash === hash ? kept.data : undefined;
        } catch {
            cachedData = undefined; // unreadable now: compiled from source, its entry rewritten at exit
        }
        const script = new vm.Script(Module.wrap(source), { filename, cachedData, importModuleDynamically });
        if (cachedData === undefined) stats.missing++;
        else if (script.cachedDataRejected) stats.rejected++;
        else stats.accepted++;
        compiled.set(filename, { hash, script });
        return script.runInThisContext({ displayErrors: true });
    }

    // Node's Module.prototype._compile (lib/internal/modules/cjs/loader.js), with the compile step
    // above: the same wrapper arguments, `this` and `require` (makeRequireFunction). Not
    // replicated: the policy manifest (experimental), `--inspect-brk`'s pause on the first line,
    // the loader's stat cache during a top-level require (an optimisation), and ES modules: a
    // module of format "module", or one that is not valid CommonJS (Node then tries it as an ES
    // module), goes to Node's own _compile.
    function _compile(content, filename, format) {
        if (typeof filename !== "string" || !filename.endsWith(".js") || (format !== undefined && format !== "commonjs")) return previous.apply(this, arguments);
        const mod = this;
        let compiledWrapper;
        try {
            compiledWrapper = compile(content, filename);
        } catch (err) {
            if (err instanceof SyntaxError) return previous.apply(this, arguments);
            throw err;
        }
        const require = function require(id) {
            return mod.require(id);
        };
        require.resolve = function resolve(request, options) {
            return Module._resolveFilename(request, mod, false, options);
        };
        require.resolve.paths = function paths(request) {
            return Module._resolveLookupPaths(request, mod);
        };
        require.main = process.mainModule;
        require.extensions = Module._extensions;
        require.cache = Module._cache;
        return Reflect.apply(compiledWrapper, mod.exports, [mod.exports, require, mod, filename, path.dirname(filename)]);
    }

    let flushed = false;
    function flush() {
        if (flushed || (stats.missing === 0 && stats.rejected === 0)) return false;
        flushed = true;
        const next = new Map();
        // Entries of modules not loaded this time, while their file still has that content.
        for (const [p, e] of entries) {
            if (compiled.has(p)) continue;
            try {
                if (sha256(stripShebang(fs.readFileSync(p, "utf8"))) === e.hash) next.set(p, e);
            } catch {
                // deleted: dropped
            }
        }
        for (const [p, { hash, script }] of compiled) next.set(p, { hash, data: script.createCachedData() });
        try {
            writeCache(file, next);
        } catch {
            return false; // a read-only checkout (or a kept entry unreadable): the next run compiles as this one did
        }
        return true;
    }

    const state = { file, stats, flush };
    _compile.__codeCache = state;
    Module.prototype._compile = _compile;
    process.once("exit", () => {
        let wrote;
        try {
            wrote = flush();
        } finally {
            cache.close();
        }
        if (process.env.PATCHING_CODE_CACHE_TRACE === "1") process.stderr.write(`code cache: ${stats.accepted} accepted, ${stats.rejected} rejected, ${stats.missing} missing${wrote ? `, written to ${file}` : ""}\n`);
    });
    return state;
}

/** True unless turned off (`PATCHING_CODE_CACHE=0`) or source maps are on (see the module comment). */
function codeCacheEnabled() {
    return process.env.PATCHING_CODE_CACHE !== "0" && !process.sourceMapsEnabled && !process.execArgv.includes("--enable-source-maps");
}

module.exports = { installCodeCache, codeCacheEnabled, openCache, readCache, writeCache, cacheKey };
