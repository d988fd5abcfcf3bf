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
 * Two differences from TypeScript's emit matter to a test:
 * - SWC's exports are getters, TypeScript's plain properties: a test cannot replace a module's
 *   export. Give the code an explicit seam instead (the dynamic provider takes a client factory:
 *   components/baselineOverridesProvider.ts).
 * - A closure Pulumi serialises in this process is SWC's code, not what `pulumi up` (TypeScript's
 *   emit) registers; tests/baselineOverridesProvider.test.ts serialises the provider under
 *   TypeScript's emit in a child process.
 */
"use strict";
require("ts-node").register({ transpileOnly: true, swc: true });
