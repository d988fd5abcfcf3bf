/**
 * Loaded first by mocha (.mocharc.js `require`), in the main process and in every worker: ts-node,
 * transpile-only, with SWC (@swc/core) as its transpiler instead of TypeScript's own. TypeScript's
 * transpiler took about half of the CPU a mocha worker spent loading the project's modules (a
 * file's load: 14.4 s of CPU with TypeScript, 9.2 s with SWC, tests/orchestrator.fleet.test.ts
 * alone). SWC emits CommonJS for tsconfig.json's target and module (as ts-node maps them) with
 * source maps, so stack traces still point at the TypeScript lines. Type checking is
 * `npm run check`'s (scripts/check.js), as before. Stryker's mocha runner reads .mocharc.js, so
 * mutants are loaded the same way.
 *
 * One difference matters to a test: SWC's exports are getters, TypeScript's plain properties. The
 * modules in TYPESCRIPT_EMIT have an export a test replaces, and keep TypeScript's emit.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const tsNode = require("ts-node");

const ROOT = path.resolve(__dirname, "..", "..");
/** Modules whose exports a test replaces (tests/baselineOverridesProvider.test.ts: createOverrideClients). */
const TYPESCRIPT_EMIT = new Set(["core/overrides.ts"].map((f) => path.join(ROOT, f)));

tsNode.register({ transpileOnly: true, swc: true });
const swcHook = require.extensions[".ts"];
let typescript;
require.extensions[".ts"] = function (module, filename) {
    if (!TYPESCRIPT_EMIT.has(filename)) return swcHook(module, filename);
    typescript ??= tsNode.create({ transpileOnly: true });
    module._compile(typescript.compile(fs.readFileSync(filename, "utf8"), filename), filename);
};
