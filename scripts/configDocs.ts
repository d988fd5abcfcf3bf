/**
 * Generates, from the one config model (config/, zod), what stack-file authors read:
 *
 * - `schema/patching.schema.json`: a JSON Schema of `Pulumi.<stack>.yaml` for editors (the YAML
 *   language server: `# yaml-language-server: $schema=./schema/patching.schema.json`), with every
 *   key's description;
 * - `docs/config-reference.md`: one table per section — key, type, default, allowed values,
 *   description.
 *
 *   npm run docs            # write both
 *   npm run docs -- --check # exit 1 when either is stale (tests/configDocs.test.ts does the same)
 *
 * Types, defaults and allowed values come from `z.toJSONSchema` of the model itself; descriptions
 * come from the model's own doc comments (`/** … *\/` above each key in config/*.ts), read with the
 * TypeScript compiler API, so neither can drift from the code.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { z } from "zod";
import { configModelSchema } from "../config";

const ROOT = path.resolve(__dirname, "..");
const CONFIG_DIR = path.join(ROOT, "config");
export const SCHEMA_FILE = path.join(ROOT, "schema", "patching.schema.json");
export const REFERENCE_FILE = path.join(ROOT, "docs", "config-reference.md");

type JsonSchema = {
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    items?: JsonSchema;
    additionalProperties?: boolean | JsonSchema;
    oneOf?: JsonSchema[];
    anyOf?: JsonSchema[];
    allOf?: JsonSchema[];
    enum?: unknown[];
    const?: unknown;
    default?: unknown;
    pattern?: string;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
    minItems?: number;
    maxItems?: number;
    description?: string;
    required?: string[];
    [key: string]: unknown;
};

/** The text of a node's doc comment, on one line (`@default …` kept, other tags dropped). */
function docOf(node: ts.Node): string | undefined {
    const docs = (node as ts.Node & { jsDoc?: ts.JSDoc[] }).jsDoc;
    if (!docs || docs.length === 0) return undefined;
    const doc = docs[docs.length - 1];
    const text = ts.getTextOfJSDocComment(doc.comment) ?? "";
    const defaults = (doc.tags ?? []).filter((t) => t.tagName.text === "default").map((t) => `Default: ${ts.getTextOfJSDocComment(t.comment) ?? ""}.`);
    const all = [text, ...defaults].join(" ").replace(/\s+/g, " ").trim();
    return all || undefined;
}

/** Every `const NAME = …` of config/*.ts whose initializer builds an object schema, by name. */
function schemaDeclarations(files: ts.SourceFile[]): Map<string, ts.Expression> {
    const out = new Map<string, ts.Expression>();
    for (const file of files) {
        file.forEachChild(function visit(node) {
            if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) out.set(node.name.text, node.initializer);
            node.forEachChild(visit);
        });
    }
    return out;
}

/** `z.array`, `strictObject`, `x.default`: a callee as dotted text (no source positions needed). */
function calleeName(expr: ts.Expression): string {
    if (ts.isIdentifier(expr)) return expr.text;
    if (ts.isPropertyAccessExpression(expr)) return `${ts.isIdentifier(expr.expression) ? expr.expression.text : "_"}.${expr.name.text}`;
    return "";
}

/** The object literals an expression builds (`strictObject({…})`, unions of several), and the names it refers to. */
function literalsAndRefs(expr: ts.Node): { literals: ts.ObjectLiteralExpression[]; refs: string[]; array: boolean } {
    const literals: ts.ObjectLiteralExpression[] = [];
    const refs: string[] = [];
    let array = false;
    const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
            const callee = calleeName(node.expression);
            if (/(^|\.)array$/.test(callee)) array = true;
            if (/(^|\.)(strictObject|object|looseObject)$/.test(callee) && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
                literals.push(node.arguments[0]);
                return; // its properties are described at the next level
            }
            // `.default({...})`, `.refine(fn)`: values, not schemas.
            if (/\.(default|refine|superRefine|transform|catch|prefault)$/.test(callee)) {
                visit(node.expression);
                return;
            }
        }
        if (ts.isIdentifier(node)) refs.push(node.text);
        if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return;
        node.forEachChild(visit);
    };
    visit(expr);
    return { literals, refs, array };
}

/**
 * Descriptions by key path (`overrideStore.remediation.schedule`, `baselines[].name`), from the doc
 * comments of the object literals the model is built from, starting at `sectionSchemas`.
 */
export function describeModel(): Map<string, string> {
    const files = fs
        .readdirSync(CONFIG_DIR)
        .filter((f) => f.endsWith(".ts"))
        .sort()
        .map((f) => ts.createSourceFile(f, fs.readFileSync(path.join(CONFIG_DIR, f), "utf8"), ts.ScriptTarget.ES2022, true));
    const decls = schemaDeclarations(files);
    const out = new Map<string, string>();
    const walk = (literal: ts.ObjectLiteralExpression, prefix: string, seen: Set<string>): void => {
        for (const prop of literal.properties) {
            if (!ts.isPropertyAssignment(prop)) continue;
            const key = ts.isStringLiteral(prop.name) || ts.isIdentifier(prop.name) ? prop.name.text : undefined;
            if (key === undefined) continue;
            const doc = docOf(prop);
            const at = `${prefix}${key}`;
            if (doc && !out.has(at)) out.set(at, doc);
            descend(prop.initializer, at, seen);
        }
    };
    const descend = (expr: ts.Expression, at: string, seen: Set<string>): void => {
        const { literals, refs, array } = literalsAndRefs(expr);
        const next = `${at}${array ? "[]" : ""}.`;
        for (const l of literals) walk(l, next, seen);
        for (const ref of refs) {
            const init = decls.get(ref);
            if (!init || seen.has(ref)) continue;
            descend(init, array ? `${at}[]` : at, new Set([...seen, ref]));
        }
    };
    const root = decls.get("sectionSchemas");
    if (!root || !ts.isObjectLiteralExpression(root)) throw new Error("config/index.ts has no sectionSchemas object literal");
    walk(root, "", new Set());
    return out;
}

/** The JSON Schema of the config model (input side: what a stack file may say). */
function modelSchema(): JsonSchema {
    return z.toJSONSchema(configModelSchema, { target: "draft-7", io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** Puts each key's description into the JSON Schema (editors show it on hover). */
function annotate(schema: JsonSchema, docs: Map<string, string>, at: string): void {
    for (const variant of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) annotate(variant, docs, at);
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
        const p = at ? `${at}.${key}` : key;
        const doc = docs.get(p);
        if (doc && !child.description) child.description = doc;
        annotate(child, docs, p);
    }
    if (schema.items) annotate(schema.items, docs, `${at}[]`);
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") annotate(schema.additionalProperties, docs, `${at}.<key>`);
}

/** The stack-file schema: `config:` with `aws:region` and one `patching:<section>` key per section. */
export function stackFileSchema(docs: Map<string, string> = describeModel()): JsonSchema {
    const model = modelSchema();
    annotate(model, docs, "");
    const config: Record<string, JsonSchema> = { "aws:region": { type: "string", description: "The AWS Region this stack deploys to, e.g. us-east-1." } };
    for (const [key, section] of Object.entries(model.properties ?? {})) config[`patching:${key}`] = section;
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: "Pulumi stack file (Pulumi.<stack>.yaml) of the patching program",
        description: "Generated by `npm run docs` from the config model (config/). The offline review (`npm start`) applies the same rules and more (cross-field, cross-stack).",
        type: "object",
        properties: {
            config: {
                type: "object",
                description: "Stack configuration: aws:region and the patching: sections.",
                properties: config,
                required: ["aws:region", "patching:environment"],
                additionalProperties: true, // other providers' and Pulumi's own keys
            },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            encryptionsalt: { type: "string" },
        },
    };
}

/** `value` as reference text: inline code, `—` when absent. */
function code(value: unknown): string {
    if (value === undefined) return "—";
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return "`" + text.replace(/\|/g, "\\|").replace(/`/g, "'") + "`";
}

function typeOf(s: JsonSchema): string {
    const variants = s.oneOf ?? s.anyOf;
    if (variants) return [...new Set(variants.map(typeOf))].join(" or ");
    if (s.const !== undefined) return "constant";
    if (s.enum) return "enum";
    if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
    if (s.type === "object" && !s.properties && s.additionalProperties && typeof s.additionalProperties === "object") return `map of ${typeOf(s.additionalProperties)}`;
    if (Array.isArray(s.type)) return s.type.join(" or ");
    return s.type ?? "any";
}

function allowed(s: JsonSchema): string {
    const parts: string[] = [];
    const variants = s.oneOf ?? s.anyOf;
    if (variants && variants.every((v) => v.const !== undefined || v.enum)) parts.push(variants.flatMap((v) => (v.const !== undefined ? [v.const] : (v.enum ?? []))).map(code).join(", "));
    if (s.enum) parts.push(s.enum.map(code).join(", "));
    if (s.const !== undefined) parts.push(code(s.const));
    if (s.pattern) parts.push(`pattern ${code(s.pattern)}`);
    if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? "…"}–${s.maximum ?? "…"}`);
    if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`${s.minLength ?? 0}–${s.maxLength ?? "…"} characters`);
    if (s.minItems !== undefined || s.maxItems !== undefined) parts.push(`${s.minItems ?? 0}–${s.maxItems ?? "…"} items`);
    return parts.join("; ") || "—";
}

/** One row per key (shown without the section's own name), nested keys as dotted paths, list items as `[]`, union variants merged. */
function rows(s: JsonSchema, at: string, section: string, docs: Map<string, string>, out: string[][]): void {
    const props = new Map<string, JsonSchema>();
    for (const variant of [s, ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) for (const [k, v] of Object.entries(variant.properties ?? {})) if (!props.has(k)) props.set(k, v);
    for (const [key, child] of props) {
        const p = at ? `${at}.${key}` : key;
        out.push([code(p.slice(section.length).replace(/^\./, "")), typeOf(child), code(child.default), allowed(child), (docs.get(p) ?? "").replace(/\|/g, "\\|")]);
        rows(child, p, section, docs, out);
        if (child.items) rows(child.items, `${p}[]`, section, docs, out);
    }
}

export function configReference(docs: Map<string, string> = describeModel()): string {
    const model = modelSchema();
    const lines = [
        "# Configuration reference",
        "",
        "[← README](../README.md)",
        "",
        "Generated by `npm run docs` from the config model (`config/`): types, defaults and allowed values from the zod",
        "schemas themselves, descriptions from their doc comments. Do not edit by hand; `npm test` fails when it is stale.",
        "The review (`npm start`) also applies the cross-field and cross-stack rules a table cannot show, each with its",
        "key path. For editor completion, see [the JSON Schema](../schema/patching.schema.json) and the",
        "[README](../README.md#configuration).",
        "",
        "Every key lives in the `patching:` namespace of `Pulumi.<stack>.yaml`, besides `aws:region`.",
        "",
    ];
    for (const [section, schema] of Object.entries(model.properties ?? {})) {
        lines.push(`## \`patching:${section}\``, "");
        const doc = docs.get(section);
        if (doc) lines.push(doc, "");
        const body: string[][] = [];
        if (schema.type === "array" && schema.items) rows(schema.items, `${section}[]`, section, docs, body);
        else rows(schema, section, section, docs, body);
        if (body.length === 0) {
            lines.push(`Type ${typeOf(schema)}; allowed: ${allowed(schema)}; default ${code(schema.default)}.`, "");
            continue;
        }
        lines.push("| key | type | default | allowed | description |", "| --- | --- | --- | --- | --- |");
        for (const r of body) lines.push(`| ${r.join(" | ")} |`);
        lines.push("");
    }
    return lines.join("\n");
}

function main(): void {
    const check = process.argv.includes("--check");
    const docs = describeModel(); // the doc comments are parsed once for both files
    const outputs: [string, string][] = [
        [SCHEMA_FILE, JSON.stringify(stackFileSchema(docs), null, 2) + "\n"],
        [REFERENCE_FILE, configReference(docs)],
    ];
    let stale = 0;
    for (const [file, text] of outputs) {
        const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
        if (current === text) continue;
        if (check) {
            process.stderr.write(`${path.relative(ROOT, file)} is stale: run npm run docs\n`);
            stale++;
            continue;
        }
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
    }
    process.exit(stale > 0 ? 1 : 0);
}

if (require.main === module) main();
