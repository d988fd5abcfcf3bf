/**
 * Records every project file this process reads, stats or looks for, from the moment it is
 * installed: what the review cache (review/reviewCache.ts) keys a review by, besides the bundle,
 * the lockfile and Node's version. scripts/run.js installs it before it loads the review's bundle,
 * so reads made while modules initialise, by the config check, the program (documents/, the
 * preflight scripts), the Lambda bundles' freshness checks (lambda/ sources) and the sections
 * (other stacks' files) are all seen, whichever stack of a multi-stack run made them first.
 *
 * Recorded: absolute paths, in the project or not (a `--config` file elsewhere, another project
 * folder), except inside node_modules (the lockfile stands for it) and the project's `.build`
 * (derived from recorded sources, the bundle and the lockfile). A path looked for
 * and not found is recorded too: creating it later changes what a review would read. Directory
 * listings (`readdirSync`) are recorded as the directory's path.
 *
 * Plain JavaScript with no state of its own: the set lives on `globalThis` under
 * {@link FILE_READS}, so the bundle (which has its own copy of nothing) finds what the launcher
 * installed.
 */
"use strict";
const fs = require("fs");
const path = require("path");

/** Where the recorder keeps `{ root, files: Set<string> }` (a registered symbol: one per process). */
const FILE_READS = Symbol.for("pulumi-patch-management.fileReads");

/** The functions recorded: each takes the path first. */
const RECORDED = ["readFileSync", "statSync", "lstatSync", "existsSync", "readdirSync", "openSync", "accessSync", "realpathSync"];

/** Starts recording under `root` (idempotent). Returns the recorder. */
function recordFileReads(root) {
    const existing = globalThis[FILE_READS];
    if (existing) return existing;
    const recorder = { root: path.resolve(root), files: new Set() };
    const build = path.join(recorder.root, ".build") + path.sep;
    const note = (p) => {
        if (typeof p !== "string" && !(p instanceof URL) && !Buffer.isBuffer(p)) return; // a file descriptor
        const abs = path.resolve(p instanceof URL ? p.pathname : String(p));
        if (!abs.startsWith(build) && !abs.split(path.sep).includes("node_modules")) recorder.files.add(abs);
    };
    for (const name of RECORDED) {
        const original = fs[name];
        if (typeof original !== "function") continue;
        const recorded = function (p, ...rest) {
            note(p);
            return original.call(this, p, ...rest);
        };
        if (original.native) recorded.native = original.native; // fs.realpathSync.native
        fs[name] = recorded;
    }
    globalThis[FILE_READS] = recorder;
    return recorder;
}

/** The recorder installed in this process, if any. */
function fileReads() {
    return globalThis[FILE_READS];
}

module.exports = { FILE_READS, recordFileReads, fileReads };
