/**
 * Mermaid's own parser (the `mermaid` package GitHub's renderer is built on), for tests that prove
 * a generated diagram parses. Mermaid needs a DOM to load (DOMPurify hooks on `window`): jsdom gives
 * it one, once per process, before the first import.
 */
import { JSDOM } from "jsdom";

type Mermaid = { parse(text: string, options?: { suppressErrors?: boolean }): Promise<{ diagramType: string } | false> };
let loaded: Promise<Mermaid> | undefined;

function load(): Promise<Mermaid> {
    if (!loaded) {
        const { window } = new JSDOM("");
        const g = globalThis as Record<string, unknown>;
        g.window ??= window;
        g.document ??= window.document;
        // A real dynamic import: mermaid is an ES module (ts-node would turn `import()` into `require`).
        const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<{ default: Mermaid }>;
        loaded = importEsm("mermaid").then((m) => m.default);
    }
    return loaded;
}

/** The diagram type Mermaid parsed (e.g. `gantt`, `flowchart-v2`); throws Mermaid's parse error. */
export async function parseMermaid(lines: string[] | string): Promise<string> {
    const mermaid = await load();
    const result = await mermaid.parse(Array.isArray(lines) ? lines.join("\n") : lines);
    if (!result) throw new Error("mermaid could not parse the diagram");
    return result.diagramType;
}

/** Every ```mermaid block of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
    return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}
