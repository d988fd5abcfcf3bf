/**
 * Mocha's TypeScript loader (.mocharc.js `require`, before anything in TypeScript): every `.ts`
 * file a test process requires is transpiled by esbuild, one file at a time, with no type check
 * (`npm run typecheck` does that), like `ts-node/register/transpile-only` but at a fraction of the
 * cost: loading the review's and the harness's 128 TypeScript files took 7.2 s of CPU under
 * ts-node and 3.0 s with this (measured on this machine, both under the same load), in every
 * mocha worker and for every test file that loads more of the program.
 *
 * Same semantics as ts-node's transpile-only mode for this project: each file on its own
 * (isolatedModules), CommonJS, the tsconfig.json options that change emitted code (target ES2022,
 * hence define semantics for class fields; esModuleInterop; strict, hence "use strict").
 *
 * Stack traces of errors thrown from these files are mapped back to the TypeScript lines through
 * esbuild's source maps (Node's `module.SourceMap`), only for frames in files loaded here: frames
 * in node_modules (thousands of stacks the Pulumi SDK creates and never shows) are formatted as V8
 * does, without a lookup.
 */
"use strict";
const esbuild = require("esbuild");
const fs = require("fs");
const path = require("path");
const { SourceMap } = require("module");

const tsconfig = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "tsconfig.json"), "utf8"));
const { target, esModuleInterop, strict } = tsconfig.compilerOptions;
const TRANSFORM = { loader: "ts", format: "cjs", target: "node20", sourcemap: "external", tsconfigRaw: { compilerOptions: { target, esModuleInterop, strict, alwaysStrict: strict } } };

/** Source map (JSON text, parsed on first use) of every file transpiled here. */
const maps = new Map();

function compileTs(module, filename) {
    const out = esbuild.transformSync(fs.readFileSync(filename, "utf8"), { ...TRANSFORM, sourcefile: filename });
    maps.set(filename, out.map);
    module._compile(out.code, filename);
}

require.extensions[".ts"] = compileTs;

/** `file:line:col` of a frame of a transpiled file, mapped to the TypeScript source; undefined elsewhere. */
function mappedPosition(frame) {
    const file = frame.getFileName();
    let map = file && maps.get(file);
    if (!map) return undefined;
    if (typeof map === "string") maps.set(file, (map = new SourceMap(JSON.parse(map))));
    const entry = map.findEntry(frame.getLineNumber() - 1, frame.getColumnNumber() - 1);
    if (!entry || typeof entry.originalLine !== "number") return undefined;
    return { from: `${file}:${frame.getLineNumber()}:${frame.getColumnNumber()}`, to: `${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}` };
}

function errorHeader(error) {
    try {
        return String(error);
    } catch {
        return "Error";
    }
}

Error.prepareStackTrace = (error, frames) =>
    [
        errorHeader(error),
        ...frames.map((frame) => {
            const text = String(frame);
            const pos = mappedPosition(frame);
            return `    at ${pos ? text.replace(pos.from, pos.to) : text}`;
        }),
    ].join("\n");

module.exports = { compileTs };
