/**
 * scripts/check.js (`npm test`'s type-check and lint over one TypeScript program): run in this
 * process on a small project built from this repository's own `typecheck` and `lint` scripts,
 * tsconfig.json compiler options and eslint.config.mjs, it fails on a type error, on a lint error
 * (an Output in a template literal, which needs the program's types, and a plain one), each alone,
 * and passes the same project without them; a warning fails it as `--max-warnings 0` does. Three
 * small programs (a few seconds): the real project's check is `npm test` itself.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkCommand, exitStatus, statusOf } = require("../scripts/test.js") as {
    checkCommand(): string[];
    exitStatus(unit: number, check: number): number;
    statusOf(code: number | null, signal: string | null): number;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { check, eslintOptions, lintStatus, scriptArgs } = require("../scripts/check.js") as {
    check(options: { root: string; write: (text: string) => void }): Promise<number>;
    lintStatus(results: { errorCount: number; fatalErrorCount: number; warningCount: number }[], maxWarnings: number): { status: number; message?: string };
    eslintOptions(args: string[]): Record<string, unknown>;
    scriptArgs(scripts: Record<string, string>, name: string, command: string): string[];
};

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

const CLEAN = `import * as pulumi from "@pulumi/pulumi";
export const url = (host: pulumi.Output<string>) => pulumi.interpolate\`https://\${host}/\`;
`;

describe("scripts/check.js: type-check and lint over one program", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-"));
        // The project's own scripts (their caches land in this directory's node_modules/.cache).
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "check-fixture", private: true, scripts: { typecheck: pkg.scripts.typecheck, lint: pkg.scripts.lint } }));
        const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...tsconfig.compilerOptions, types: [] }, include: ["*.ts"] }));
        fs.copyFileSync(path.join(ROOT, "eslint.config.mjs"), path.join(dir, "eslint.config.mjs"));
        // The packages the check loads, linked one by one (not node_modules itself: its .cache is this repository's).
        fs.mkdirSync(path.join(dir, "node_modules"));
        for (const p of ["typescript", "eslint", "typescript-eslint", "@pulumi"]) fs.symlinkSync(path.join(ROOT, "node_modules", p), path.join(dir, "node_modules", p), "dir");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Writes the project's files (`name` → source; any file not named is removed) and checks it. */
    async function run(files: Record<string, string>): Promise<{ status: number; output: string }> {
        for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !(f in files))) fs.rmSync(path.join(dir, f));
        for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), source);
        let output = "";
        const status = await check({ root: dir, write: (text) => void (output += text) });
        return { status, output };
    }

    it("passes a project without errors, and keeps tsc's build info and the lint cache", async function () {
        this.timeout(180_000);
        expect(await run({ "index.ts": CLEAN })).to.deep.equal({ status: 0, output: "" });
        expect(fs.existsSync(path.join(dir, "node_modules/.cache/tsc/tsconfig.tsbuildinfo"))).to.equal(true);
        expect(fs.readdirSync(path.join(dir, "node_modules/.cache/eslint-program"))).to.have.length(1);
    });

    it("fails on a type error alone, reported as tsc reports it", async function () {
        this.timeout(180_000);
        // Without the Pulumi SDK: a type error needs no declarations beyond TypeScript's own.
        const { status, output } = await run({ "port.ts": `export const port: number = "443";\n` });
        expect(status).to.not.equal(0);
        expect(output).to.equal("port.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\n");
    });

    it("fails on lint errors alone: an Output in a template literal (@pulumi rule, from the shared program's types) and a plain rule", async function () {
        this.timeout(180_000);
        const { status, output } = await run({
            "index.ts": `${CLEAN}export const plain = (host: pulumi.Output<string>) => \`https://\${host}/\`;\n`,
            "port.ts": "const port = 443;\n",
        });
        expect(status).to.equal(1);
        expect(output).to.match(/3:\d+ +error +pulumi\.Output<T> not permitted in template literals +@pulumi\/no-output-in-template-literal/);
        expect(output).to.match(/'port' is assigned a value but never used.*@typescript-eslint\/no-unused-vars/);
        expect(output).to.contain("2 problems (2 errors, 0 warnings)");
        expect(output).to.not.contain("error TS");
    });

    it("fails on a warning with --max-warnings 0, as the eslint command line does", () => {
        const result = (errorCount: number, warningCount: number) => ({ errorCount, fatalErrorCount: 0, warningCount });
        expect(lintStatus([result(0, 0), result(0, 0)], 0)).to.deep.equal({ status: 0 });
        expect(lintStatus([result(0, 0), result(0, 1)], 0)).to.deep.equal({ status: 1, message: "ESLint found too many warnings (maximum: 0)." });
        expect(lintStatus([result(0, 1)], 1)).to.deep.equal({ status: 0 });
        expect(lintStatus([result(0, 5)], -1)).to.deep.equal({ status: 0 });
        expect(lintStatus([result(1, 0)], 0)).to.deep.equal({ status: 1 });
        expect(lintStatus([{ errorCount: 0, fatalErrorCount: 1, warningCount: 0 }], 0)).to.deep.equal({ status: 1 });
    });

    it("reads its options from the typecheck and lint scripts, and refuses a script it cannot read", () => {
        expect(scriptArgs(pkg.scripts, "typecheck", "tsc")).to.include.members(["--noEmit", "-p", "tsconfig.json", "--incremental"]);
        expect(eslintOptions(scriptArgs(pkg.scripts, "lint", "eslint"))).to.deep.equal({
            patterns: ["."],
            maxWarnings: 0,
            cache: true,
            cacheStrategy: "content",
            cacheLocation: "node_modules/.cache/eslint-program/",
        });
        expect(() => scriptArgs({ lint: "eslint . && echo ok" }, "lint", "eslint")).to.throw("update scripts/check.js");
        expect(() => eslintOptions(["--fix", "."])).to.throw("does not know the lint script's flag --fix");
    });

    it("is what npm test runs, beside the unit tests; npm test fails when either fails", () => {
        expect(pkg.scripts.test).to.equal("node scripts/test.js");
        // npm test spawns the `check` script's own command line: node options, then scripts/check.js.
        const command = checkCommand();
        expect(pkg.scripts.check).to.equal(`node ${command.join(" ")}`);
        expect(path.resolve(ROOT, command[command.length - 1])).to.equal(path.join(ROOT, "scripts", "check.js"));
        expect(command.slice(0, -1).every((a) => /^--[a-z-]+(=\S+)?$/.test(a))).to.equal(true);
        expect([exitStatus(0, 0), exitStatus(0, 1), exitStatus(0, 2), exitStatus(1, 0), exitStatus(3, 2)]).to.deep.equal([0, 1, 2, 1, 3]);
        expect([statusOf(0, null), statusOf(2, null), statusOf(null, "SIGKILL")]).to.deep.equal([0, 2, 1]);
    });
});
