/**
 * Preloaded (`node -r`) into every process bench/review.ts times: on exit, prints the process's
 * own CPU time (user + system) as the last line of stderr, so a shared, busy machine's waiting
 * time can be told apart from the work the command did.
 */
"use strict";
process.on("exit", () => {
    const u = process.cpuUsage();
    process.stderr.write(`\nbench-cpu-ms ${Math.round((u.user + u.system) / 1000)}\n`);
});
