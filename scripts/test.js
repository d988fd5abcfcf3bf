#!/usr/bin/env node
/**
 * `npm test`: the type-check and lint (`npm run check`, scripts/check.js) and the unit tests
 * (`npm run unit`, mocha in 2 worker processes) at the same time, failing when either fails.
 *
 * Run one after the other, the check (single-threaded, ~a third of the suite's CPU) left one of
 * the 2 cores idle while it ran; beside mocha's 2 workers it uses the time the workers leave
 * (start-up, the last file of one worker). The unit tests' output is shown as it comes; the
 * check's report when it ends, between two lines of mocha's output (or after it), always under a
 * `npm run check:` heading with its exit status. The exit status is the unit tests' when they
 * failed, else the check's: 0 only when both passed. Arguments go to mocha
 * (`npm test -- tests/x.test.ts` checks everything and runs that file).
 */
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/**
 * The check's command line: package.json's `check` script (`node <options> scripts/check.js`), so
 * `npm test` runs it as `npm run check` does. Its `--max-semi-space-size=64`: TypeScript keeps every
 * syntax tree it builds, so nearly all of V8's young generation survives to be copied; with the
 * default 16 MB semi-spaces a cold check spent 11.8 s in scavenges, with 64 MB 9.2 s (--trace-gc).
 */
function checkCommand() {
    const { scriptArgs } = require("./check.js");
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    return scriptArgs(scripts, "check", "node");
}

/** `npm test`'s exit status from the unit tests' and the check's: non-zero when either failed. */
function exitStatus(unit, check) {
    if (unit !== 0) return unit;
    return check;
}

/** A child's exit status as a number (a signal counts as a failure). */
function statusOf(code, signal) {
    return code ?? (signal ? 1 : 0);
}

function run(args) {
    let checkReport = "";
    let checkDone = false;
    let unitAtLineStart = true;
    const showCheck = (status) => {
        const heading = `\nnpm run check: ${status === 0 ? "passed" : `FAILED (exit status ${status})`}\n`;
        process.stdout.write(`${unitAtLineStart ? "" : "\n"}${heading}${checkReport}`);
        unitAtLineStart = true;
    };
    const check = new Promise((resolve) => {
        const child = spawn(process.execPath, checkCommand(), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (d) => (checkReport += d));
        child.stderr.on("data", (d) => (checkReport += d));
        child.on("close", (code, signal) => resolve(statusOf(code, signal)));
    });
    const color = process.stdout.isTTY && !args.some((a) => /^--(no-)?colou?rs?$/.test(a)) ? ["--color"] : [];
    const unit = new Promise((resolve) => {
        const child = spawn(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...color, ...args], { cwd: ROOT, stdio: ["inherit", "pipe", "inherit"] });
        // Whole lines only, so the check's report lands between two of them.
        let partial = "";
        child.stdout.on("data", (d) => {
            const text = partial + d;
            const end = text.lastIndexOf("\n") + 1;
            partial = text.slice(end);
            if (end > 0) {
                process.stdout.write(text.slice(0, end));
                unitAtLineStart = true;
            }
        });
        child.stdout.on("end", () => {
            if (partial) process.stdout.write(partial);
            unitAtLineStart = !partial || partial.endsWith("\n");
        });
        child.on("close", (code, signal) => resolve(statusOf(code, signal)));
    });
    // The check's report as soon as it ends (or after the unit tests' output, when it ends last).
    const checkShown = check.then((status) => {
        checkDone = true;
        showCheck(status);
        return status;
    });
    return Promise.all([unit, checkShown]).then(([u, c]) => {
        if (!checkDone) showCheck(c);
        return exitStatus(u, c);
    });
}

module.exports = { checkCommand, exitStatus, statusOf };

if (require.main === module) {
    run(process.argv.slice(2)).then((status) => {
        process.exitCode = status;
    });
}
