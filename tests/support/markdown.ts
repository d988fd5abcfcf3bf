/**
 * Markdown as GitHub reads it, for the documentation tests: markdown-it tokens (so a `#` or a link
 * inside a code block is neither a heading nor a link).
 */
import MarkdownIt from "markdown-it";

export const md = new MarkdownIt({ html: true });

export interface Heading {
    level: number;
    /** Plain text (inline code keeps its content), trimmed. */
    text: string;
}

/** Headings of a Markdown text, in order. */
export function headingsOf(text: string): Heading[] {
    const tokens = md.parse(text, {});
    const headings: Heading[] = [];
    tokens.forEach((t, i) => {
        if (t.type === "heading_open") {
            const inline = (tokens[i + 1].children ?? []).filter((c) => c.type === "text" || c.type === "code_inline").map((c) => c.content).join("");
            headings.push({ level: Number(t.tag.slice(1)), text: inline.trim() });
        }
    });
    return headings;
}

/** Every link target of a Markdown text, in order: `link` for inline links, `image` for images. */
export function linksOf(text: string): { href: string; kind: "link" | "image" }[] {
    const links: { href: string; kind: "link" | "image" }[] = [];
    const walk = (tokens: ReturnType<typeof md.parse>) => {
        for (const t of tokens) {
            if (t.type === "link_open") links.push({ href: t.attrGet("href") ?? "", kind: "link" });
            if (t.type === "image") links.push({ href: t.attrGet("src") ?? "", kind: "image" });
            if (t.children) walk(t.children);
        }
    };
    walk(md.parse(text, {}));
    return links;
}
