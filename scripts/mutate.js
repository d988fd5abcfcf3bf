#!/usr/bin/env node
/**
 * `npm run mutate [-- group ...]`: mutation testing with StrykerJS, one group at a time.
 *
 * The whole set (config/, core/, policies/, the dynamic provider: ~12k lines, ~13k mutants) with the
 * whole suite does not fit a shared 2-core machine, so stryker.groups.json splits it into groups, each
 * mutating a few files with only the fast unit test files that exercise them. Each group runs with the
 * shared options of stryker.config.json (concurrency 1, per-test coverage, incremental, no TypeScript
 * checker, ignoreStatic: see TESTING.md) and its own incremental file
 * (reports/stryker-<group>-incremental.json, git-ignored), so a re-run tests only mutants whose code or
 * covering tests changed. After each group its summary is written (reports/mutation/<group>.summary.json,
 * committed: counts, score, date, run time and every undetected mutant), then the per-folder and per-file
 * table of every committed summary (reports/mutation/scores.md, committed; pasted into TESTING.md).
 *
 *   npm run mutate                      every group, in the order of stryker.groups.json
 *   npm run mutate -- configRules       one group (several may be named)
 *   npm run mutate -- --table           only rebuild reports/mutation/scores.md from the summaries
 *   npm run mutate -- --list            the groups, their files and test files
 *   npm run mutate -- --count [group]   mutants per file (instrumenter only, no test run), to plan a run
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { summarise } = require("./mutation-summary");

const ROOT = path.resolve(__dirname, "..");
const REPORTS = path.join(ROOT, "reports", "mutation");
/** What `npm run mutate` is meant to cover (issue 19): the table says which of these were not measured. */
const SCOPE = [
    { folder: "config", match: (f) => /^config\/[^/]+\.ts$/.test(f) },
    { folder: "core", match: (f) => /^core\/.+\.ts$/.test(f) },
    { folder: "policies", match: (f) => /^policies\/[^/]+\.ts$/.test(f) },
    { folder: "components", match: (f) => f === "components/baselineOverridesProvider.ts" },
];

function readJson(file) {
    return JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

function loadGroups() {
    const { groups, specSets } = readJson("stryker.groups.json");
    const resolved = {};
    for (const [name, g] of Object.entries(groups)) {
        const spec = typeof g.spec === "string" ? specSets[g.spec] : g.spec;
        if (!Array.isArray(spec) || spec.length === 0) throw new Error(`stryker.groups.json: group ${name} has no test files (spec ${JSON.stringify(g.spec)})`);
        resolved[name] = { mutate: g.mutate, spec, ...(g.grep ? { grep: g.grep } : {}) };
    }
    return resolved;
}

/** The Stryker options of one group: stryker.config.json's, narrowed to the group's files and tests. */
function groupOptions(name, group) {
    const { $schema: _s, _comment: _c, htmlReporter: _h, ...base } = readJson("stryker.config.json");
    return {
        ...base,
        mutate: group.mutate,
        mochaOptions: { ...base.mochaOptions, spec: group.spec, ...(group.grep ? { grep: group.grep } : {}) },
        incrementalFile: `reports/stryker-${name}-incremental.json`,
        reporters: ["clear-text", "progress-append-only", "json"],
        jsonReporter: { fileName: `reports/mutation/${name}.json` },
        tempDirName: `.stryker-tmp-${name}`,
    };
}

async function runGroup(name, group) {
    const { Stryker } = await import("@stryker-mutator/core");
    const started = new Date();
    await new Stryker(groupOptions(name, group)).runMutationTest();
    const seconds = Math.round((Date.now() - started.getTime()) / 1000);
    const report = JSON.parse(fs.readFileSync(path.join(REPORTS, `${name}.json`), "utf8"));
    const summary = { ...summarise(report, name), ranAt: started.toISOString(), runSeconds: seconds, tests: group.spec, ...(group.grep ? { grep: group.grep } : {}) };
    const out = path.join(REPORTS, `${name}.summary.json`);
    fs.writeFileSync(out, JSON.stringify(summary, null, 1) + "\n");
    table();
    process.stdout.write(`${path.relative(ROOT, out)}: ${seconds} s; reports/mutation/scores.md rewritten\n`);
}

function listSources(dir) {
    const out = [];
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) out.push(...listSources(rel));
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
}

const pct = (detected, valid) => (valid ? `${((100 * detected) / valid).toFixed(2)}%` : "–");
const minutes = (s) => (s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

/** The per-folder and per-file table of every committed summary (a `.before.` summary is history, not current). */
function table() {
    const files = new Map();
    for (const name of fs.readdirSync(REPORTS).filter((f) => f.endsWith(".summary.json") && !f.includes(".before.")).sort()) {
        const s = JSON.parse(fs.readFileSync(path.join(REPORTS, name), "utf8"));
        for (const [file, c] of Object.entries(s.files)) {
            if (files.has(file)) throw new Error(`${file} is in two summaries (${files.get(file).group} and ${s.label}): each file belongs to one group`);
            files.set(file, { ...c, group: s.label, date: (s.ranAt ?? "").slice(0, 10), runSeconds: s.runSeconds });
        }
    }
    const inScope = SCOPE.map(({ folder, match }) => ({
        folder,
        files: [...new Set(["config", "core", "policies", "components"].flatMap(listSources))].filter(match).sort(),
    }));
    const sum = (rows, key) => rows.reduce((n, r) => n + r[key], 0);
    const lines = [
        "<!-- Written by `npm run mutate` (scripts/mutate.js) from reports/mutation/*.summary.json. -->",
        "",
        "| folder | files measured | mutants scored | killed + timeout | survived | no coverage | static (not scored) | score |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ];
    let all = [];
    for (const { folder, files: sources } of inScope) {
        const rows = sources.filter((f) => files.has(f)).map((f) => files.get(f));
        all = all.concat(rows);
        const valid = sum(rows, "killed") + sum(rows, "timeout") + sum(rows, "survived") + sum(rows, "noCoverage");
        lines.push(`| ${folder}/ | ${rows.length} of ${sources.length} | ${valid} | ${sum(rows, "killed")} + ${sum(rows, "timeout")} | ${sum(rows, "survived")} | ${sum(rows, "noCoverage")} | ${sum(rows, "ignored")} | ${pct(sum(rows, "killed") + sum(rows, "timeout"), valid)} |`);
    }
    const validAll = sum(all, "killed") + sum(all, "timeout") + sum(all, "survived") + sum(all, "noCoverage");
    lines.push(`| **all measured** | ${all.length} | ${validAll} | ${sum(all, "killed")} + ${sum(all, "timeout")} | ${sum(all, "survived")} | ${sum(all, "noCoverage")} | ${sum(all, "ignored")} | **${pct(sum(all, "killed") + sum(all, "timeout"), validAll)}** |`);
    lines.push("", "| file | group | mutants scored | killed + timeout | survived | no coverage | static (not scored) | score | group run | date |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const { files: sources } of inScope) {
        for (const f of sources.filter((x) => files.has(x))) {
            const c = files.get(f);
            const valid = c.killed + c.timeout + c.survived + c.noCoverage;
            lines.push(`| ${f} | ${c.group} | ${valid} | ${c.killed} + ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.ignored} | ${pct(c.killed + c.timeout, valid)} | ${c.runSeconds === undefined ? "–" : minutes(c.runSeconds)} | ${c.date || "–"} |`);
        }
    }
    const missing = inScope.flatMap(({ files: sources }) => sources.filter((f) => !files.has(f)));
    lines.push("", `**Not measured** (${missing.length} files): ${missing.join(", ") || "none"}.`, "");
    const out = path.join(REPORTS, "scores.md");
    fs.writeFileSync(out, lines.join("\n"));
    return lines.join("\n");
}

/** Mutants per file of the named groups (all by default), from Stryker's instrumenter alone. */
async function count(groups, names) {
    const { Instrumenter } = await import("@stryker-mutator/instrumenter");
    const quiet = { isDebugEnabled: () => false, debug() {}, info() {}, warn() {}, error() {} };
    const instrumenter = new Instrumenter(quiet);
    const toRegex = (g) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\//g, "(.+/)?").replace(/\*/g, "[^/]*")}$`);
    const sources = ["config", "core", "policies", "components"].flatMap(listSources);
    for (const name of names.length ? names : Object.keys(groups)) {
        const patterns = groups[name].mutate;
        const include = patterns.filter((p) => !p.startsWith("!")).map(toRegex);
        const exclude = patterns.filter((p) => p.startsWith("!")).map((p) => toRegex(p.slice(1)));
        const files = sources.filter((f) => include.some((r) => r.test(f)) && !exclude.some((r) => r.test(f)));
        let total = 0;
        for (const file of files.sort()) {
            const content = fs.readFileSync(path.join(ROOT, file), "utf8");
            const { mutants } = await instrumenter.instrument([{ name: file, content, mutate: true }], { plugins: [], excludedMutations: [], ignorers: [] });
            total += mutants.length;
            process.stdout.write(`${name}\t${mutants.length}\t${file}\n`);
        }
        process.stdout.write(`${name}\t${total}\t(total; static mutants are among them and are not scored)\n`);
    }
}

async function main(args) {
    const groups = loadGroups();
    if (args.includes("--count")) return count(groups, args.filter((a) => !a.startsWith("-")));
    if (args.includes("--list")) {
        for (const [name, g] of Object.entries(groups)) process.stdout.write(`${name}: ${g.mutate.join(" ")}\n  tests: ${g.spec.join(" ")}\n`);
        return;
    }
    if (!args.includes("--table")) {
        const names = args.filter((a) => !a.startsWith("-"));
        const unknown = names.filter((n) => !(n in groups));
        if (unknown.length) throw new Error(`unknown group(s) ${unknown.join(", ")}; groups: ${Object.keys(groups).join(", ")}`);
        // Re-read per group: test files added to a group while an earlier one runs are picked up.
        for (const name of names.length ? names : Object.keys(groups)) await runGroup(name, loadGroups()[name]);
    }
    process.stdout.write(table() + "\n");
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((err) => {
        process.stderr.write(`${err.stack ?? err}\n`);
        process.exit(1);
    });
}

module.exports = { groupOptions, loadGroups, table };
