import { expect } from "chai";
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

    it("names the package an input belongs to, scoped and nested", () => {
        expect(packageRoot("node_modules/zod/v4/index.js")).to.equal("node_modules/zod");
        expect(packageRoot("node_modules/@aws-sdk/client-ssm/dist-es/index.js")).to.equal("node_modules/@aws-sdk/client-ssm");
        expect(packageRoot("node_modules/a/node_modules/@s/b/x.js")).to.equal("node_modules/a/node_modules/@s/b");
        expect(packageRoot("core/schedule.ts")).to.equal(undefined);
    });
});
