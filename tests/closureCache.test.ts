/** review/closureCache.ts: the precompiled review's cache of serialised dynamic-provider closures. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cacheSerializedClosures } from "../review/closureCache";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure") as { serializeFunction: (f: () => unknown, a?: object) => Promise<{ text: string }>; __closureCache?: string };

class Stateless {
    async create(): Promise<{ id: string }> {
        return { id: "x" };
    }
}

describe("serialised closure cache (precompiled npm start)", () => {
    const original = sc.serializeFunction;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "closures-"));
    const bundle = path.join(dir, "cli.js");
    after(() => {
        sc.serializeFunction = original;
        delete sc.__closureCache;
    });

    it("serialises a stateless provider once per bundle content, then answers from the cache; a stateful one every time", async () => {
        fs.writeFileSync(bundle, "bundle v1");
        let calls = 0;
        sc.serializeFunction = async (f, a) => {
            calls++;
            return original(f, a);
        };
        cacheSerializedClosures(bundle, path.join(dir, "cache"));
        const provider = new Stateless();
        const first = await sc.serializeFunction(() => provider, { allowSecrets: true });
        const second = await sc.serializeFunction(() => provider, { allowSecrets: true });
        expect(calls).to.equal(1);
        expect(second).to.deep.equal({ ...first });
        expect(first.text).to.contain("create");
        expect(fs.readdirSync(path.join(dir, "cache"))).to.have.length(1);

        const stateful = Object.assign(new Stateless(), { region: "us-east-1" });
        await sc.serializeFunction(() => stateful, { allowSecrets: true });
        await sc.serializeFunction(() => stateful, { allowSecrets: true });
        expect(calls).to.equal(3);
    });

    it("another bundle content is another key", async () => {
        delete sc.__closureCache;
        sc.serializeFunction = original;
        fs.writeFileSync(bundle, "bundle v2");
        cacheSerializedClosures(bundle, path.join(dir, "cache"));
        const provider = new Stateless();
        await sc.serializeFunction(() => provider, { allowSecrets: true });
        expect(fs.readdirSync(path.join(dir, "cache"))).to.have.length(2);
    });
});
