"use strict";
/**
 * Cold start of one Lambda bundle in a fresh process: time to `require` the bundle (module init:
 * parse, compile, run its top level, create its handler's clients; no handler call is made).
 * Prints `{ requireMs, requireCpuMs, hasHandler }`: wall time, and the process's CPU time (user +
 * system) over the same span — on a shared machine other processes stretch the wall time, not
 * the CPU time, which on an idle core is what the wall time would be.
 */
const file = process.argv[2];
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
const mod = require(file);
const requireMs = Number(process.hrtime.bigint() - start) / 1e6;
const used = process.cpuUsage(cpu);
const requireCpuMs = (used.user + used.system) / 1000;
const round = (ms) => Math.round(ms * 10) / 10;
process.stdout.write(JSON.stringify({ requireMs: round(requireMs), requireCpuMs: round(requireCpuMs), hasHandler: typeof mod.handler === "function" }) + "\n");
