/**
 * `@cloud-copilot/iam-simulate` is AGPL-3.0: a devDependency for the tests and the offline review,
 * never shipped. This follows every import (static, dynamic and require) from everything that is
 * deployed or bundled — the program, components/, core/, lambda/ (Lambda bundles) and policies/
 * (the published policy pack) — and proves none reaches it.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./harness";

const AGPL = ["@cloud-copilot/iam-simulate"];
const SHIPPED_DIRS = ["components", "core", "lambda", "policies"];

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : tsFiles(p);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
    });
}

const SPECIFIERS = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)|import\s*["']([^"']+)["']/g;

/** Every module specifier a file imports. */
export function importsOf(file: string): string[] {
    return [...fs.readFileSync(file, "utf8").matchAll(SPECIFIERS)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
}

function resolveLocal(from: string, spec: string): string | undefined {
    const base = path.resolve(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, "index.ts"), base].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
}

/** The files reachable from `entries`, with the package imports each makes. */
function closure(entries: string[]): Map<string, string[]> {
    const seen = new Map<string, string[]>();
    const todo = [...entries];
    while (todo.length > 0) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        const specs = importsOf(file);
        seen.set(file, specs.filter((s) => !s.startsWith(".")));
        for (const s of specs.filter((x) => x.startsWith("."))) {
            const target = resolveLocal(file, s);
            if (target?.endsWith(".ts")) todo.push(target);
        }
    }
    return seen;
}

describe("Licences: the AGPL IAM engine is never shipped", () => {
    const entries = [path.join(ROOT, "index.ts"), path.join(ROOT, "program.ts"), ...SHIPPED_DIRS.flatMap((d) => tsFiles(path.join(ROOT, d)))];
    const shipped = closure(entries);

    it("no deployed or bundled file imports it, directly or through another file", () => {
        expect(shipped.size).to.be.greaterThan(50);
        const offenders = [...shipped].filter(([, pkgs]) => pkgs.some((p) => AGPL.some((a) => p === a || p.startsWith(`${a}/`)))).map(([f]) => path.relative(ROOT, f));
        expect(offenders).to.deep.equal([]);
        expect([...shipped.keys()].map((f) => path.relative(ROOT, f)).filter((f) => f.startsWith("review/") || f.startsWith("tests/"))).to.deep.equal([]);
    });
    it("the check sees an import when there is one (the review's engine wrapper)", () => {
        const review = closure([path.join(ROOT, "review", "wiring.ts")]);
        expect([...review.values()].flat()).to.include("@cloud-copilot/iam-simulate");
    });
    it("it is a devDependency only, and the policy pack does not depend on it", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect(pkg.devDependencies).to.have.property("@cloud-copilot/iam-simulate");
        expect(pkg.dependencies ?? {}).to.not.have.property("@cloud-copilot/iam-simulate");
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8"));
        expect({ ...pack.dependencies, ...pack.devDependencies }).to.not.have.property("@cloud-copilot/iam-simulate");
    });
});
