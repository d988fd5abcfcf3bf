/**
 * Where raw stack-config values come from: the Pulumi engine (`pulumi up`, and the review command,
 * which loads a stack file into the same runtime config) — one path for both.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { memo } from "../core/memo";
import { StackFileError } from "./issues";

export { StackFileError } from "./issues";

/** Values of a stack file as the engine hands them to a program: strings, objects as JSON. */
export interface StackFileConfig {
    values: Record<string, string>;
    secretKeys: string[];
}

/** Marker shown instead of an encrypted (`secure:`) value, which the review cannot decrypt. */
export const SECRET_PLACEHOLDER = "[secret]";

/**
 * Parses a stack file's YAML, rejecting syntax errors and duplicate keys (which YAML would
 * otherwise resolve silently to the last value) with {@link StackFileError}: `file:line:col: problem`.
 */
export function parseStackYaml(path: string, text: string): unknown {
    const lines = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
    if (doc.errors.length > 0) {
        throw new StackFileError(
            path,
            doc.errors.map((e) => {
                const pos = lines.linePos(e.pos[0]);
                // prettyErrors: false keeps YAML's message to the problem itself (no " at line …" and excerpt).
                const what = e.code === "DUPLICATE_KEY" ? "duplicate key: each key may appear once in a mapping" : e.message;
                return { line: pos.line, col: pos.col, message: `${what} (YAML ${e.code})` };
            }),
        );
    }
    return doc.toJS();
}

/**
 * Stack files already parsed, by their text: the test suite reads the same few files thousands
 * of times (each review, each CLI call), and YAML parsing was about a second of its CPU. Bounded
 * (core/memo.ts); a file that fails to parse keeps nothing.
 */
const stackFiles = new Map<string, StackFileConfig>();

/** Reads `Pulumi.<stack>.yaml` (its `config:` map) into engine-style string values (a new object on every call). */
export function readStackFile(path: string): StackFileConfig {
    const text = fs.readFileSync(path, "utf8");
    // Keyed by the text alone: the values do not depend on the path, and a failure (which names it) is never kept.
    const kept = memo(stackFiles, text, () => stackFileConfig(path, text), 256);
    return { values: { ...kept.values }, secretKeys: [...kept.secretKeys] };
}

function stackFileConfig(path: string, text: string): StackFileConfig {
    const doc = parseStackYaml(path, text) as { config?: Record<string, unknown> } | null;
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            values[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

/** Parses one engine config value: objects, arrays, numbers and booleans arrive as JSON text. */
export function parseConfigValue(text: string): unknown {
    const t = text.trim();
    if (t.startsWith("{") || t.startsWith("[") || t === "true" || t === "false" || /^-?\d+(\.\d+)?$/.test(t)) {
        try {
            return JSON.parse(t);
        } catch {
            // Not JSON after all (e.g. "{not json"): the string as given.
        }
    }
    return text;
}

/** Every config value of the running stack, keyed `namespace:key`, JSON values parsed. */
export function readEngineConfig(): Record<string, unknown> {
    // Required here, not at the top: reading and validating a stack file (the review's first step,
    // review/validate.ts) must not load the Pulumi SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) out[key] = parseConfigValue(value);
    return out;
}

/** Config values of a stack file, keyed `namespace:key`, JSON values parsed (as the engine's). */
export function readStackValues(path: string): Record<string, unknown> {
    const { values } = readStackFile(path);
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, parseConfigValue(v)]));
}

/**
 * Loads another stack of the project by name from `Pulumi.<stack>.yaml` in `projectDir`
 * (`undefined` when there is none). Stack files are in the repository, so `pulumi preview` and
 * the offline review compare against the same file.
 */
export function stackFileLoader(projectDir: string): (stack: string) => Record<string, unknown> | undefined {
    return (stack) => {
        const file = `${projectDir}/Pulumi.${stack}.yaml`;
        return fs.existsSync(file) ? readStackValues(file) : undefined;
    };
}
