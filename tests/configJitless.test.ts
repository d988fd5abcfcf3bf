/**
 * The config model is parsed without zod's JIT (config/index.ts PARSE_OPTIONS): zod's own
 * interpreter must give exactly what its compiled parsers give, on every stack file this
 * repository ships and on random damage to them (fast-check), or the speed-up would change a
 * verdict.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { ConfigValidationError, configModelSchema, parseConfig, PARSE_OPTIONS } from "../config";
import { parseConfigValue, readStackFile } from "../config/source";
import { ROOT } from "./harness";

/** Every stack file of the repository: the stacks, the examples and the test fixtures that are YAML stack files. */
function stackFiles(): string[] {
    const yaml = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => path.join(dir, f)) : []);
    const files = [...yaml(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(path.basename(f))), ...yaml(path.join(ROOT, "examples")), ...yaml(path.join(ROOT, "tests", "fixtures"))];
    return files.filter((f) => {
        try {
            readStackFile(f);
            return true;
        } catch {
            return false; // a fixture that is not valid YAML (tests/fixtures/broken-syntax.yaml): no config to parse
        }
    });
}

/** The `patching:` section of a stack file as parseConfig hands it to the schema. */
function patchingSection(file: string): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(readStackFile(file).values)) if (k.startsWith("patching:")) raw[k.slice("patching:".length)] = parseConfigValue(v);
    return raw;
}

/** Both ways of parsing, as plain data (issues without their schema instances). */
function bothWays(value: unknown) {
    const plain = (r: ReturnType<typeof configModelSchema.safeParse>) => (r.success ? { data: r.data } : { issues: JSON.parse(JSON.stringify(r.error.issues)) as unknown });
    return { jit: plain(configModelSchema.safeParse(value, { reportInput: true })), jitless: plain(configModelSchema.safeParse(value, PARSE_OPTIONS)) };
}

describe("config parsed without zod's JIT (config/index.ts PARSE_OPTIONS)", () => {
    const files = stackFiles();

    it("parseConfig asks for the interpreter, with the offending input in each issue", () => {
        const seen: unknown[] = [];
        const original = configModelSchema.safeParse;
        configModelSchema.safeParse = ((data: unknown, params?: unknown) => (seen.push(params), original.call(configModelSchema, data, params as never))) as typeof original;
        try {
            try {
                parseConfig({ "aws:region": "us-east-1" }, { project: "patching", stack: "dev" });
            } catch (err) {
                if (!(err instanceof ConfigValidationError)) throw err; // valid or not, the schema was asked once
            }
        } finally {
            configModelSchema.safeParse = original;
        }
        expect(seen).to.deep.equal([{ reportInput: true, jitless: true }]);
    });

    it("gives what the compiled parsers give on every stack file of the repository, valid or not", () => {
        expect(files.length).to.be.greaterThan(10);
        let valid = 0;
        for (const file of files) {
            const { jit, jitless } = bothWays(patchingSection(file));
            expect(jitless, path.relative(ROOT, file)).to.deep.equal(jit);
            if ("data" in jit) valid++;
        }
        expect(valid, "some files are valid configs").to.be.greaterThan(3);
        expect(files.length - valid, "and some are not").to.be.greaterThan(0);
    });

    it("gives what the compiled parsers give when any one value of a stack file is replaced by anything (fast-check)", () => {
        const sections = files.map(patchingSection);
        /** Every path to a value inside a section tree. */
        const paths = (v: unknown, at: (string | number)[] = []): (string | number)[][] =>
            v !== null && typeof v === "object" ? [at, ...Object.entries(v).flatMap(([k, c]) => paths(c, [...at, Array.isArray(v) ? Number(k) : k]))] : [at];
        const targets = sections.flatMap((s, i) => paths(s).filter((p) => p.length > 0).map((p) => ({ i, p })));
        const replaced = (i: number, p: (string | number)[], value: unknown) => {
            const copy = structuredClone(sections[i]) as Record<string | number, unknown>;
            let node = copy;
            for (const k of p.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
            node[p[p.length - 1]] = value;
            return copy;
        };
        let rejected = 0;
        fc.assert(
            fc.property(fc.constantFrom(...targets), fc.anything({ maxDepth: 2, withNullPrototype: false }), ({ i, p }, value) => {
                const { jit, jitless } = bothWays(replaced(i, p, value));
                expect(jitless).to.deep.equal(jit);
                if ("issues" in jit) rejected++;
            }),
            { numRuns: 300, seed: 0x11e55 },
        );
        expect(rejected, "the damage is mostly rejected, so issues are compared too").to.be.greaterThan(100);
    });
});
