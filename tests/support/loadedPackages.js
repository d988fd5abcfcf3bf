/**
 * Preloaded (`node -r`) by tests/review.test.ts and tests/reviewCache.test.ts into a real `npm start`
 * process: on exit, writes
 * to stderr which Pulumi packages the process loaded, so the test can prove that an invalid config
 * is answered without the Pulumi SDK or a provider; and which of the modules the precompiled review
 * defers (scripts/lazy-packages.js, LAZY_REQUIRES; the AWS SDK clients, scripts/sdk-models.js) it loaded, so the test can prove a review needs
 * none of them.
 */
"use strict";
/** Files of the deferred modules, by a name for the report. */
const DEFERRED = {
    typescript: /node_modules[\\/]typescript[\\/]/,
    "@pulumi/pulumi/automation": /node_modules[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/,
    "@npmcli/arborist": /node_modules[\\/]@npmcli[\\/]arborist[\\/]/,
    "@grpc/grpc-js": /node_modules[\\/]@grpc[\\/]grpc-js[\\/]/,
    "@opentelemetry/api": /node_modules[\\/]@opentelemetry[\\/]api[\\/]/,
    "@pulumi/policy/server": /node_modules[\\/]@pulumi[\\/]policy[\\/]server\.js$/,
    // The contract checks read the clients' models from .build/sdk-models (scripts/sdk-models.js), not the clients.
    "@aws-sdk/client-*": /node_modules[\\/]@aws-sdk[\\/]client-/,
};
process.on("exit", () => {
    const loaded = new Set();
    const deferred = new Set();
    for (const file of Object.keys(require.cache)) {
        const m = /node_modules[\\/](@pulumi[\\/][^\\/]+)/.exec(file);
        if (m) loaded.add(m[1].replace(/\\/g, "/"));
        for (const [name, re] of Object.entries(DEFERRED)) if (re.test(file)) deferred.add(name);
    }
    process.stderr.write(`\nloaded packages: ${JSON.stringify([...loaded].sort())}\ndeferred modules loaded: ${JSON.stringify([...deferred].sort())}\n`);
});
