#!/usr/bin/env node
/**
 * `node scripts/mutation-summary.js reports/mutation/X.json [label]`: the small summary of a
 * StrykerJS JSON report that is committed (reports/mutation/X.summary.json): per file the mutant
 * counts and score, and each surviving or uncovered mutant (line, mutator, replacement). The full
 * report (sources, every mutant and test) stays out of git.
 */
"use strict";
const fs = require("fs");

function summarise(report, label) {
    const files = {};
    for (const [file, f] of Object.entries(report.files)) {
        const count = (status) => f.mutants.filter((m) => m.status === status).length;
        const c = { total: f.mutants.length, killed: count("Killed"), timeout: count("Timeout"), survived: count("Survived"), noCoverage: count("NoCoverage"), ignored: count("Ignored"), compileErrors: count("CompileError") };
        const detected = c.killed + c.timeout;
        const valid = detected + c.survived + c.noCoverage;
        files[file] = {
            ...c,
            // Stryker's "mutation score": detected / (detected + undetected), ignored and compile errors excluded.
            score: valid ? Math.round((10000 * detected) / valid) / 100 : null,
            undetected: f.mutants
                .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
                .map((m) => `${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} ${JSON.stringify(m.replacement ?? "").slice(0, 100)}`),
        };
    }
    return { label, schemaVersion: report.schemaVersion, files };
}

if (require.main === module) {
    const [input, label] = process.argv.slice(2);
    const out = input.replace(/\.json$/, ".summary.json");
    fs.writeFileSync(out, JSON.stringify(summarise(JSON.parse(fs.readFileSync(input, "utf8")), label ?? input), null, 1) + "\n");
    process.stdout.write(`${out}\n`);
}

module.exports = { summarise };
