/**
 * The dynamic provider's serialised closure, kept across runs of the precompiled `npm start`.
 *
 * Registering a `pulumi.dynamic.Resource` serialises its provider (`serializeFunction`): the SDK
 * opens an inspector session, walks the provider's code and parses it with TypeScript — a quarter
 * of a prod review's time (`node --cpu-prof`), the same result on every run of the same code. In
 * the bundle, the closure is a function of the bundle's content (the provider's code and every
 * value it captures come from it; packages are captured as `require("name")`), the SDK version and
 * Node's: they are the cache key, with the function's text and the provider's class. A provider
 * instance with its own state is never cached. Only the bundle (scripts/run.js) installs this; the
 * tests and a real `pulumi up` serialise as usual.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

interface SerializedFunction {
    text: string;
    exportName: string;
    containsSecrets: boolean;
}

interface SerializeClosureModule {
    serializeFunction(func: () => unknown, args?: object): Promise<SerializedFunction>;
    __closureCache?: string;
}

function sha256(data: string | Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** Wraps the SDK's `serializeFunction` with a cache in `cacheDir` keyed as described above. Idempotent. */
export function cacheSerializedClosures(bundleFile: string, cacheDir: string): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure") as SerializeClosureModule;
    if (sc.__closureCache) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = (require("@pulumi/pulumi/package.json") as { version: string }).version;
    const base = { bundle: sha256(fs.readFileSync(bundleFile)), sdk, node: process.version };
    const original = sc.serializeFunction.bind(sc);
    sc.serializeFunction = async (func, args = {}) => {
        const target = func() as object | undefined;
        if (typeof target !== "object" || target === null || Object.keys(target).length > 0) return original(func, args);
        const file = path.join(cacheDir, `${sha256(JSON.stringify({ ...base, func: func.toString(), cls: target.constructor?.toString(), args }))}.json`);
        try {
            return JSON.parse(fs.readFileSync(file, "utf8")) as SerializedFunction;
        } catch {
            // not cached yet (or unreadable): serialise, then keep it
        }
        const result = await original(func, args);
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ text: result.text, exportName: result.exportName, containsSecrets: result.containsSecrets }));
        fs.renameSync(tmp, file);
        return result;
    };
    sc.__closureCache = cacheDir;
}
