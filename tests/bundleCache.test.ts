import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cachedBundle, packageRoot } from "../scripts/bundle-cache";

/** A throwaway project: a.ts imports ./b and the package `dep` from its own node_modules. */
function project(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-cache-"));
    fs.writeFileSync(path.join(root, "a.ts"), `import { b } from "./b";\nimport { dep } from "dep";\nexport const a: string = b + dep;\n`);
    fs.writeFileSync(path.join(root, "b.ts"), `export const b = "one";\n`);
    fs.mkdirSync(path.join(root, "node_modules", "dep"), { recursive: true });
    fs.writeFileSync(path.join(root, "node_modules", "dep", "package.json"), JSON.stringify({ name: "dep", version: "1.0.0", main: "index.js" }));
    fs.writeFileSync(path.join(root, "node_modules", "dep", "index.js"), `exports.dep = "-dep1";\n`);
    return root;
}

function build(root: string) {
    return cachedBundle({ root, cacheDir: ".cache", name: "a", options: { entryPoints: ["a.ts"], bundle: true, platform: "node", format: "cjs" }, readCode: true });
}

function later(file: string): void {
    const t = new Date(fs.statSync(file).mtimeMs + 5000);
    fs.utimesSync(file, t, t);
}

describe("bundle cache (scripts/bundle-cache.js)", () => {
    it("builds once, then reuses the bundle while no input changed", () => {
        const root = project();
        const first = build(root);
        expect(first.built).to.equal(true);
        expect(first.code).to.contain('"one"').and.to.contain('"-dep1"');
        expect(fs.readFileSync(first.file, "utf8")).to.equal(first.code);
        const manifest = JSON.parse(fs.readFileSync(path.join(root, ".cache", "a.json"), "utf8"));
        expect(Object.keys(manifest.files)).to.deep.equal(["a.ts", "b.ts"]);
        expect(Object.keys(manifest.packages)).to.deep.equal(["node_modules/dep"]);
        const again = build(root);
        expect(again).to.deep.include({ built: false, file: first.file, code: first.code });
    });

    it("a touched file with the same content is compared by content, not rebuilt", () => {
        const root = project();
        build(root);
        later(path.join(root, "b.ts"));
        expect(build(root).built).to.equal(false);
    });

    it("rebuilds when a project file's content changes", () => {
        const root = project();
        build(root);
        fs.writeFileSync(path.join(root, "b.ts"), `export const b = "two";\n`);
        const rebuilt = build(root);
        expect(rebuilt.built).to.equal(true);
        expect(rebuilt.code).to.contain('"two"').and.not.to.contain('"one"');
        expect(build(root).built).to.equal(false);
    });

    it("rebuilds when a package is reinstalled (its package.json rewritten) or an input is deleted", () => {
        const root = project();
        build(root);
        fs.writeFileSync(path.join(root, "node_modules", "dep", "index.js"), `exports.dep = "-dep2";\n`);
        later(path.join(root, "node_modules", "dep", "package.json"));
        expect(build(root)).to.include({ built: true }).and.to.have.property("code").that.contains('"-dep2"');
        fs.writeFileSync(path.join(root, "a.ts"), `export const a = 1;\n`);
        build(root);
        fs.rmSync(path.join(root, "a.ts"));
        expect(() => build(root)).to.throw(/Could not resolve|a\.ts/);
    });

    it("rebuilds when the build options change", () => {
        const root = project();
        build(root);
        const minified = cachedBundle({ root, cacheDir: ".cache", name: "a", options: { entryPoints: ["a.ts"], bundle: true, platform: "node", format: "cjs", minify: true } });
        expect(minified.built).to.equal(true);
    });

    it("returns the bundle's SHA-256 as recorded at build, without reading the bundle on a hit", () => {
        const root = project();
        const first = build(root);
        const digest = crypto.createHash("sha256").update(fs.readFileSync(first.file)).digest("hex");
        expect(first.sha256).to.equal(digest);
        // The fs module object itself (the namespace import above has read-only getters).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const nodeFs = require("fs") as { readFileSync: (...args: unknown[]) => unknown };
        const reads: string[] = [];
        const readFileSync = nodeFs.readFileSync;
        nodeFs.readFileSync = function (this: unknown, ...args: unknown[]) {
            reads.push(String(args[0]));
            return readFileSync.apply(this, args);
        };
        let hit;
        try {
            hit = cachedBundle({ root, cacheDir: ".cache", name: "a", options: { entryPoints: ["a.ts"], bundle: true, platform: "node", format: "cjs" } });
        } finally {
            nodeFs.readFileSync = readFileSync;
        }
        expect(hit).to.deep.include({ built: false, sha256: digest, code: undefined });
        expect(reads).not.to.include(first.file);
    });

    it("rebuilds a bundle changed after its build; a bundle copied with the same content is kept", () => {
        const root = project();
        const first = build(root);
        later(first.file);
        expect(build(root)).to.deep.include({ built: false, sha256: first.sha256 });
        fs.appendFileSync(first.file, "\nexports.tampered = true;\n");
        const rebuilt = build(root);
        expect(rebuilt.built).to.equal(true);
        expect(rebuilt.code).not.to.contain("tampered");
        expect(rebuilt.sha256).to.equal(first.sha256);
    });

    it("records the new size and mtime of a touched file whose content is unchanged, so the next check needs no hash", () => {
        const root = project();
        build(root);
        const manifestFile = path.join(root, ".cache", "a.json");
        const recorded = JSON.parse(fs.readFileSync(manifestFile, "utf8")).files["b.ts"] as string;
        later(path.join(root, "b.ts"));
        expect(build(root).built).to.equal(false);
        const st = fs.statSync(path.join(root, "b.ts"));
        const refreshed = JSON.parse(fs.readFileSync(manifestFile, "utf8")).files["b.ts"] as string;
        expect(refreshed).to.equal(`${st.size}:${st.mtimeMs}:${recorded.split(":")[2]}`);
        expect(refreshed).not.to.equal(recorded);
        // The same content checked by stat alone now: still fresh, and an edit is still seen.
        expect(build(root).built).to.equal(false);
        fs.writeFileSync(path.join(root, "b.ts"), `export const b = "three";\n`);
        expect(build(root)).to.include({ built: true }).and.to.have.property("code").that.contains('"three"');
    });

    it("names the package an input belongs to, scoped and nested", () => {
        expect(packageRoot("node_modules/zod/v4/index.js")).to.equal("node_modules/zod");
        expect(packageRoot("node_modules/@aws-sdk/client-ssm/dist-es/index.js")).to.equal("node_modules/@aws-sdk/client-ssm");
        expect(packageRoot("node_modules/a/node_modules/@s/b/x.js")).to.equal("node_modules/a/node_modules/@s/b");
        expect(packageRoot("core/schedule.ts")).to.equal(undefined);
    });
});
