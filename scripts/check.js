#!/usr/bin/env node
/**
 * `npm run check`: the type-check and the lint of `npm test` over ONE TypeScript program.
 *
 * `npm run typecheck` (tsc) and `npm run lint` (eslint with typescript-eslint's `projectService`,
 * which @pulumi/eslint-plugin's template-literal rules need) each build a program of the whole
 * project from tsconfig.json: parsing, binding and checking every file and the providers' type
 * declarations twice, about 40% of a cold `npm test`'s type-check and lint CPU. This script
 *
 *   1. runs the compiler exactly as the `typecheck` script does: the arguments are read from that
 *      script in package.json and handed to TypeScript's own command line (`ts.executeCommandLine`,
 *      what the `tsc` binary runs), so the diagnostics, their formatting, the error summary, the
 *      exit status and the incremental build info (`--incremental --tsBuildInfoFile ...`) are tsc's;
 *   2. lints with ESLint's Node API, its options read from the `lint` script (same files, same
 *      eslint.config.mjs, same `--max-warnings`, cache strategy), handing the program tsc just
 *      built to typescript-eslint (`parserOptions.programs`, merged over eslint.config.mjs's
 *      `projectService`) instead of letting the project service build a second one. The lint
 *      cache lives beside the `lint` script's (`<its --cache-location>-program/`): its key holds
 *      the parser options, which differ.
 *
 * The lint runs even when the type-check failed, so one run reports both; the exit status is
 * non-zero when either failed (tsc's status first, else 1 for lint errors or too many warnings).
 * `npm run typecheck` and `npm run lint` still work alone. tests/check.test.ts proves that a type
 * error, a lint error and an Output in a template literal each fail this script.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** The words of a package.json script, which must start with `command` (plain words only). */
function scriptArgs(scripts, name, command) {
    const text = scripts[name];
    if (typeof text !== "string") throw new Error(`package.json has no "${name}" script`);
    const words = text.trim().split(/\s+/);
    if (words[0] !== command || /["'`$|&;<>()\\]/.test(text)) {
        throw new Error(`scripts/check.js reads the "${name}" script as \`${command} <plain arguments>\`; it is now \`${text}\`: update scripts/check.js`);
    }
    return words.slice(1);
}

/** ESLint Node API options from the `lint` script's command line (the flags it uses, nothing else). */
function eslintOptions(args) {
    const options = { patterns: [], maxWarnings: -1 };
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const value = () => {
            if (i + 1 >= args.length) throw new Error(`lint script: ${arg} needs a value`);
            return args[++i];
        };
        if (arg === "--max-warnings") options.maxWarnings = Number(value());
        else if (arg === "--cache") options.cache = true;
        else if (arg === "--cache-strategy") options.cacheStrategy = value();
        else if (arg === "--cache-location") options.cacheLocation = value();
        else if (arg.startsWith("-")) throw new Error(`scripts/check.js does not know the lint script's flag ${arg}: teach eslintOptions() what it means`);
        else options.patterns.push(arg);
    }
    if (!Number.isInteger(options.maxWarnings)) throw new Error(`lint script: --max-warnings ${options.maxWarnings} is not a whole number`);
    // The cache key includes the parser options, which differ from the `lint` script's: keep apart.
    if (options.cacheLocation) options.cacheLocation = options.cacheLocation.replace(/[\\/]*$/, "") + "-program/";
    if (options.patterns.length === 0) options.patterns.push(".");
    return options;
}

/**
 * Runs tsc's command line with these arguments in this process (relative paths are the current
 * directory's, as for tsc); returns its exit status and the program it built (undefined when it
 * built none, e.g. a broken tsconfig.json).
 */
function typecheck(ts, args, write) {
    let status;
    let program;
    const sys = Object.create(ts.sys);
    sys.write = write;
    sys.exit = (code) => {
        status = code ?? 0;
    };
    ts.executeCommandLine(sys, (built) => {
        program = typeof built.getProgram === "function" ? built.getProgram() : built;
    }, args);
    if (status === undefined) throw new Error("tsc's command line returned without an exit status");
    return { status, program };
}

/** Lints as the `lint` script does, with typescript-eslint reading types from `program`. */
async function lint(program, options, write) {
    const { ESLint } = require("eslint");
    const { patterns, maxWarnings, ...eslintOptions } = options;
    // ESLint hashes each file's config into its cache key; a program cannot be serialised, so it is named.
    const programs = [program];
    Object.defineProperty(programs, "toJSON", { value: () => ["tsconfig.json, built by scripts/check.js"] });
    const eslint = new ESLint({
        ...eslintOptions,
        // Merged over eslint.config.mjs's parser options for the files it type-checks.
        overrideConfig: { files: ["**/*.ts"], languageOptions: { parserOptions: { programs, projectService: false } } },
    });
    const results = await eslint.lintFiles(patterns);
    const output = await (await eslint.loadFormatter("stylish")).format(results);
    if (output) write(output.endsWith("\n") ? output : `${output}\n`);
    const { status, message } = lintStatus(results, maxWarnings);
    if (message) write(`${message}\n`);
    return status;
}

/** The eslint command line's exit status for these results: 1 on any error or too many warnings. */
function lintStatus(results, maxWarnings) {
    const errors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
    const warnings = results.reduce((n, r) => n + r.warningCount, 0);
    if (errors > 0) return { status: 1 };
    if (maxWarnings >= 0 && warnings > maxWarnings) return { status: 1, message: `ESLint found too many warnings (maximum: ${maxWarnings}).` };
    return { status: 0 };
}

/**
 * Type-checks and lints the project at `root` (its package.json's `typecheck` and `lint` scripts,
 * its tsconfig.json and eslint.config.mjs) in this process; resolves to the exit status.
 */
async function check({ root = ROOT, write = (text) => void process.stdout.write(text) } = {}) {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const tscArgs = scriptArgs(scripts, "typecheck", "tsc");
    const lintOptions = { ...eslintOptions(scriptArgs(scripts, "lint", "eslint")), cwd: root };
    const cwd = process.cwd();
    process.chdir(root);
    try {
        const ts = require("typescript");
        const checked = typecheck(ts, tscArgs, write);
        if (!checked.program) return checked.status || 1;
        const linted = await lint(checked.program, lintOptions, write);
        return checked.status !== 0 ? checked.status : linted;
    } finally {
        process.chdir(cwd);
    }
}

module.exports = { check, eslintOptions, lintStatus, scriptArgs };

if (require.main === module) {
    check().then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
            process.exitCode = 2;
        },
    );
}
