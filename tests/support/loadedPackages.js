/**
 * Preloaded (`node -r`) by tests/review.test.ts into a real `npm start` process: on exit, writes
 * to stderr which Pulumi packages the process loaded, so the test can prove that an invalid config
 * is answered without the Pulumi SDK or a provider.
 */
"use strict";
process.on("exit", () => {
    const loaded = new Set();
    for (const file of Object.keys(require.cache)) {
        const m = /node_modules[\\/](@pulumi[\\/][^\\/]+)/.exec(file);
        if (m) loaded.add(m[1].replace(/\\/g, "/"));
    }
    process.stderr.write(`\nloaded packages: ${JSON.stringify([...loaded].sort())}\n`);
});
