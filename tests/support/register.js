/**
 * Loaded first by mocha (.mocharc.js `require`), in the main process and in every worker: the
 * `.ts` loader of the tests. Each file is transpiled by SWC (@swc/core) to CommonJS, with the
 * options ts-node's own SWC transpiler derives from tsconfig.json (`createSwcOptions`, called with
 * tsconfig.json's target, module and interop settings), and its source map is handed to
 * @cspotcode/source-map-support (what ts-node installs), so stack traces point at the TypeScript
 * lines. Type checking is `npm run check`'s (scripts/check.js). Stryker's mocha runner reads
 * .mocharc.js, so mutants are loaded the same way.
 *
 * Before, ts-node itself registered SWC: it loads the TypeScript compiler to read tsconfig.json
 * (0.6–1 s of CPU in each of mocha's 3 processes) and wraps every file's transpilation in its own
 * service. tests/register.test.ts proves the options equal ts-node's for this tsconfig.json.
 *
 * Two differences from TypeScript's emit matter to a test:
 * - SWC's exports are getters, TypeScript's plain properties: a test cannot replace a module's
 *   export. Give the code an explicit seam instead (the dynamic provider takes a client factory:
 *   components/baselineOverridesProvider.ts).
 * - A closure Pulumi serialises in this process is SWC's code, not what `pulumi up` (TypeScript's
 *   emit) registers; tests/baselineOverridesProvider.test.ts serialises the provider under
 *   TypeScript's emit in a child process.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");

/** TypeScript's enum values of the compiler options ts-node's `createSwcOptions` reads. */
const SCRIPT_TARGET = { es3: 0, es5: 1, es2015: 2, es2016: 3, es2017: 4, es2018: 5, es2019: 6, es2020: 7, es2021: 8, es2022: 9, esnext: 99 };
const MODULE_KIND = { none: 0, commonjs: 1, amd: 2, umd: 3, system: 4, es2015: 5, es2020: 6, esnext: 99, node16: 100, nodenext: 199 };

/**
 * tsconfig.json's compiler options as ts-node hands them to `createSwcOptions` (enum values, and
 * the source maps ts-node always turns on). Only what that function reads; a value this table does
 * not know fails loudly.
 */
function compilerOptions(root = ROOT) {
    const { compilerOptions: o = {} } = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
    const target = SCRIPT_TARGET[String(o.target ?? "es5").toLowerCase()];
    const module = MODULE_KIND[String(o.module ?? "commonjs").toLowerCase()];
    if (target === undefined || module === undefined) throw new Error(`tests/support/register.js: tsconfig.json target ${o.target} / module ${o.module} unknown here: add it to the tables`);
    return { ...o, target, module, sourceMap: true, inlineSourceMap: false, inlineSources: false };
}

/** SWC's options for a `.ts` file: ts-node's, from tsconfig.json. */
function swcOptions(root = ROOT) {
    const { createSwcOptions } = require("ts-node/transpilers/swc");
    const swc = require("@swc/core");
    return createSwcOptions(compilerOptions(root), undefined, swc, "@swc/core").nonTsxOptions;
}

/** Installs the `.ts` loader in this process. */
function register() {
    const swc = require("@swc/core");
    const options = swcOptions();
    const maps = new Map();
    require("@cspotcode/source-map-support").install({
        environment: "node",
        retrieveSourceMap: (file) => (maps.has(file) ? { url: file, map: maps.get(file) } : null),
    });
    require.extensions[".ts"] = function (module, filename) {
        const { code, map } = swc.transformSync(fs.readFileSync(filename, "utf8"), { ...options, filename });
        if (map) maps.set(filename, map);
        module._compile(code, filename);
    };
}

module.exports = { compilerOptions, swcOptions };

register();
