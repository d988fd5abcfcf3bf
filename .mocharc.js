/**
 * Mocha configuration. The whole suite runs when no test file is named; `npm run unit -- tests/x.test.ts`
 * (or `npx mocha tests/x.test.ts`) runs only the files named, instead of adding them to the suite's glob.
 */
"use strict";
const named = process.argv.slice(2).filter((arg) => !arg.startsWith("-") && /\.test\.[cm]?[jt]s$/.test(arg));

module.exports = {
    // fastStacks: stacks of errors the Pulumi SDK creates by the thousand are not source-mapped.
    require: ["ts-node/register/transpile-only", "./tests/support/fastStacks.ts"],
    extension: ["ts"],
    spec: named.length > 0 ? [] : ["tests/**/*.test.ts"],
    timeout: 30000,
    reporter: "./tests/reporter.ts",
};
