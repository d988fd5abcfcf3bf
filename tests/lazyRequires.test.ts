/**
 * The SDK modules the precompiled review loads on first use only (installLazyRequires in
 * scripts/lazy-packages.js). That a review loads none of them is asserted by the real `npm start`
 * process test in tests/review.test.ts (tests/support/loadedPackages.js reports them).
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import { ROOT } from "./harness";

type Form = "plain" | "importStar" | "importDefault";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lazy = require("../scripts/lazy-packages") as {
    LAZY_REQUIRES: [string, string][];
    requireForm(source: string, request: string): Form | undefined;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const run = require("../scripts/run") as { LAZY_REQUIRE_ENTRIES: string[] };

describe("lazy SDK modules of the precompiled review (scripts/lazy-packages.js)", function () {
    this.timeout(180_000); // spawns node: slow on a busy machine, not a speed test

    it("every entry's parent still requires its module in a form the stand-in supports (an SDK update that changes one is noticed here)", () => {
        for (const [from, request] of lazy.LAZY_REQUIRES) {
            const source = fs.readFileSync(path.join(ROOT, "node_modules", from), "utf8");
            expect(lazy.requireForm(source, request), `${from} requiring ${request}`).to.be.oneOf(["plain", "importStar", "importDefault"]);
        }
        expect(lazy.requireForm('const x = __importStar(require("a/b"));\n', "a/b")).to.equal("importStar");
        expect(lazy.requireForm('var x_1 = require("./c");\n', "./c")).to.equal("plain");
        expect(lazy.requireForm('const n = __importDefault(require("n"));\n', "n")).to.equal("importDefault");
        // Anything else (a re-export, a nested require) is loaded eagerly.
        expect(lazy.requireForm('__export(require("./c"));\n', "./c")).to.equal(undefined);
        expect(lazy.requireForm('    const x = require("./c");\n', "./c")).to.equal(undefined);
    });

    it("only the review command installs it; the program's entry (index.ts, run by the Pulumi CLI) is not a command of scripts/run.js", () => {
        expect(run.LAZY_REQUIRE_ENTRIES).to.deep.equal(["review/cli.ts"]);
        // This test process loaded the SDK through the unpatched loader.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        expect((require("module") as { _load: { __lazyRequires?: boolean } })._load.__lazyRequires).to.equal(undefined);
    });

    it("a stand-in loads its module on first use only, then gives the same values; each import helper sees what it would have", () => {
        // Packages in a temporary node_modules: a parent requiring a child in each of the three forms.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lazy-requires-"));
        const pkg = path.join(dir, "node_modules", "parent");
        fs.mkdirSync(path.join(dir, "node_modules", "child"), { recursive: true });
        fs.mkdirSync(pkg, { recursive: true });
        fs.writeFileSync(path.join(dir, "node_modules", "child", "index.js"), 'globalThis.childLoads = (globalThis.childLoads || 0) + 1; exports.value = 42; exports.fn = function () { return "fn"; };\n');
        const helpers =
            "var __importStar = function (mod) { if (mod && mod.__esModule) return mod; var r = {}; for (var k in mod) r[k] = mod[k]; r.default = mod; return r; };\n" +
            'var __importDefault = function (mod) { return (mod && mod.__esModule) ? mod : { "default": mod }; };\n';
        fs.writeFileSync(path.join(pkg, "star.js"), `${helpers}const c = __importStar(require("child"));\nexports.get = () => c.value;\n`);
        fs.writeFileSync(path.join(pkg, "plain.js"), `${helpers}const c = require("child");\nexports.get = () => c.fn();\n`);
        fs.writeFileSync(path.join(pkg, "dflt.js"), `${helpers}const c = __importDefault(require("child"));\nexports.get = () => c.default.value;\n`);
        const script = `
            const lazy = require(${JSON.stringify(path.join(ROOT, "scripts/lazy-packages.js"))});
            lazy.LAZY_REQUIRES.push(["parent/star.js", "child"], ["parent/plain.js", "child"], ["parent/dflt.js", "child"]);
            const loads = [];
            lazy.installLazyRequires((from, request) => loads.push(from));
            const out = {};
            for (const f of ["star", "plain", "dflt"]) {
                const m = require("parent/" + f + ".js");
                out[f] = { before: loads.length, value: m.get(), after: loads.length };
            }
            out.childLoads = globalThis.childLoads;
            out.loads = loads;
            console.log(JSON.stringify(out));`;
        const r = spawnSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8" });
        expect(r.status, r.stderr).to.equal(0);
        const out = JSON.parse(r.stdout) as Record<string, { before: number; value: unknown; after: number }> & { childLoads: number; loads: string[] };
        expect(out.star).to.deep.equal({ before: 0, value: 42, after: 1 });
        expect(out.plain).to.deep.equal({ before: 1, value: "fn", after: 2 });
        expect(out.dflt).to.deep.equal({ before: 2, value: 42, after: 3 });
        expect(out.childLoads, "the module itself is loaded once (the require cache), whatever the number of stand-ins").to.equal(1);
        expect(out.loads).to.deep.equal(["parent/star.js", "parent/plain.js", "parent/dflt.js"]);
    });

    it("with the SDK's TypeScript, gRPC and automation API deferred, a closure serialised cold is byte-identical to one serialised by the unpatched SDK", async () => {
        // What a review after a source change does (the closure cache misses): TypeScript is loaded
        // on first use. The same class, compiled from the same text, serialised in a process with
        // the stand-ins and in this one (whose SDK was loaded without them).
        const providerClass = "class Provider { async create(inputs) { return { id: \"x\", outs: { n: inputs.n + 1 } }; } async diff() { return { changes: false }; } }";
        // The serialised function too, from the same text in both processes (not as this file's
        // transpiler prints it).
        const factoryOf = "(Provider) => () => new Provider()";
        const script = `
            require(${JSON.stringify(path.join(ROOT, "scripts/lazy-packages.js"))}).installLazyRequires();
            const pulumi = require("@pulumi/pulumi");
            const Provider = require("vm").runInThisContext(${JSON.stringify(`(${providerClass})`)});
            const factory = require("vm").runInThisContext(${JSON.stringify(factoryOf)})(Provider);
            pulumi.runtime.serializeFunction(factory, { allowSecrets: true }).then((r) => {
                const loaded = Object.keys(require.cache).some((f) => /node_modules[\\/]typescript[\\/]/.test(f));
                console.log(JSON.stringify({ text: r.text, typescript: loaded, automation: typeof pulumi.automation.LocalWorkspace }));
            });`;
        const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
        expect(r.status, r.stderr).to.equal(0);
        const patched = JSON.parse(r.stdout) as { text: string; typescript: boolean; automation: string };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        const Provider = vm.runInThisContext(`(${providerClass})`) as new () => object;
        const factory = vm.runInThisContext(factoryOf)(Provider) as () => object;
        const unpatched = await pulumi.runtime.serializeFunction(factory, { allowSecrets: true });
        expect(patched.text).to.contain("create").and.to.equal(unpatched.text);
        expect(patched.typescript, "TypeScript loaded when the closure needed it").to.equal(true);
        expect(patched.automation, "the automation API is still reachable through pulumi.automation").to.equal("function");
    });
});
