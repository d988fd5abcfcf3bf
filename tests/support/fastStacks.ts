/**
 * Loaded by mocha after ts-node (.mocharc.js `require`). ts-node maps every stack trace back to
 * the TypeScript sources, frame by frame; the Pulumi SDK creates an `Error` and reads its stack for
 * every promise it tracks (runtime/debuggable.ts) and every resource it registers, thousands per
 * program run, and never shows them. Mapping those cost about 40% of a review under the tests.
 *
 * This keeps the mapping for every stack a person reads (test failures, errors thrown by the
 * program) and formats the stacks of errors created inside the Pulumi SDK the way V8 does by
 * default, without mapping.
 */
import * as path from "path";

const SDK = `${path.sep}node_modules${path.sep}@pulumi${path.sep}`;

type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

const mapped = Error.prepareStackTrace as Prepare | undefined;
if (mapped) {
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
        const origin = frames[0]?.getFileName();
        if (origin?.includes(SDK)) return [String(error), ...frames.map((f) => `    at ${f}`)].join("\n");
        return mapped(error, frames);
    };
}
