/**
 * tests/support/register.js, the tests' `.ts` loader: the JavaScript it runs is what ts-node
 * (reading tsconfig.json with the TypeScript compiler, SWC as its transpiler) emits for the same
 * files, and stack traces point at the TypeScript lines.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { ROOT } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const register = require("./support/register.js") as { compilerOptions(root?: string): Record<string, unknown>; swcOptions(root?: string): Record<string, unknown> };

/** The code without its source-map comment (ts-node inlines the map, the loader hands it over apart). */
const code = (text: string) => text.replace(/\n\/\/# sourceMappingURL=.*$/s, "").trimEnd();

describe("the tests' .ts loader (tests/support/register.js)", () => {
    it("emits what ts-node with SWC emits for tsconfig.json, file by file", function () {
        this.timeout(180_000); // loads the TypeScript compiler: slow on a busy machine, not a speed test
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const tsNode = (require("ts-node") as typeof import("ts-node")).create({ transpileOnly: true, swc: true, project: path.join(ROOT, "tsconfig.json") });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const swc = require("@swc/core") as { transformSync(src: string, o: object): { code: string } };
        const options = register.swcOptions();
        // A class with fields and a declared field, a dynamic import, `export =`-free CommonJS, enums, namespaces, decorators-free TS.
        for (const file of ["program.ts", "components/baselineOverridesProvider.ts", "core/overrides.ts", "review/cli.ts", "config/index.ts", "tests/harness.ts"]) {
            const source = fs.readFileSync(path.join(ROOT, file), "utf8");
            const mine = swc.transformSync(source, { ...options, filename: path.join(ROOT, file) }).code;
            expect(code(mine), file).to.equal(code(tsNode.compile(source, path.join(ROOT, file))));
        }
    });

    it("reads tsconfig.json's target and module as TypeScript's enum values, and refuses one it does not know", () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")) as { compilerOptions: { target: string; module: string } };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const ts = require("typescript") as typeof import("typescript");
        const parsed = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, ROOT).options;
        expect(register.compilerOptions()).to.deep.include({ target: parsed.target, module: parsed.module, esModuleInterop: true, sourceMap: true });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "register-"));
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2099", module: "commonjs" } }));
        expect(() => register.compilerOptions(dir)).to.throw("target ES2099 / module commonjs unknown here");
    });

    it("maps a stack trace to the TypeScript line, in a process of its own", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "register-"));
        const file = path.join(dir, "thrower.ts");
        fs.writeFileSync(file, ["interface Shape {", "    sides: number;", "}", "export function fail(s: Shape): never {", '    throw new Error(`bad shape ${s.sides}`);', "}", "fail({ sides: 3 });", ""].join("\n"));
        const r = spawnSync(process.execPath, ["-r", path.join(ROOT, "tests/support/register.js"), file], { encoding: "utf8" });
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain("Error: bad shape 3");
        expect(r.stderr).to.contain(`${file}:5:11`);
    });
});
