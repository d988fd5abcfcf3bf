"use strict";
/**
 * Cold start of one Lambda bundle in a fresh process: time to `require` the bundle (module init)
 * and to create its handler's clients (first handler call against an unreachable endpoint is not
 * made). Prints `{ entry, requireMs }`.
 */
const file = process.argv[2];
const start = process.hrtime.bigint();
const mod = require(file);
const requireMs = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ requireMs: Math.round(requireMs * 10) / 10, hasHandler: typeof mod.handler === "function" }) + "\n");
