/**
 * The precompiled review's cache of plans (review/plannedReview.ts `PlannedStack`: the program
 * under the mock engine, the wiring proof, the contract checks), kept under `.build/reviews/`.
 *
 * A plan is a function of the code that computes it, the files it reads, the installed packages,
 * Node, and the stack's options; nothing in it reads the clock. An entry is found by the SHA-256 of
 * - the code (the bundle's own SHA-256),
 * - `package-lock.json` (the installed packages) and Node's version,
 * - the stack's options (project, stack, config file, project folder, account) and its config
 *   values as read,
 * and it records the content of every project file the process that computed it had read, looked
 * for or listed by then (scripts/file-reads.js, installed by the launcher before the bundle loads):
 * the config and other stack files, Pulumi.yaml, documents/, the preflight scripts, the Lambda
 * sources, the policy presets. It is used only while each of those is unchanged (a file that was
 * missing must still be missing). What depends on the moment (the policy pack, the sections that
 * count from `now`) is computed on every run, so a hit prints what a fresh run prints, byte for byte
 * (tests/reviewCache.test.ts).
 *
 * Not noticed (as for the bundle cache): a file edited inside node_modules without a reinstall
 * that changes package-lock.json; a read through an API the recorder does not wrap (the review
 * reads files synchronously). `npm start -- --no-cache` computes the plan afresh without reading
 * or writing the cache.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { PlannedStack } from "./plannedReview";
import type { CheckedStack } from "./validate";

/** Version of the entry format: entries of another are never read. */
const FORMAT = 1;
/** Entries kept: the most recently written (a changed bundle or config writes new ones). */
const KEEP = 24;

function sha256(data: string | Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** What a path holds now: its content's hash, a directory's listing, or that it is missing. */
export function fileState(file: string): string {
    try {
        const st = fs.statSync(file);
        if (st.isDirectory()) return `dir:${sha256(fs.readdirSync(file).sort().join("\n"))}`;
        return `file:${sha256(fs.readFileSync(file))}`;
    } catch {
        return "missing";
    }
}

export interface ReviewCacheOptions {
    /** Where entries are kept. */
    dir: string;
    /** The project root (its package-lock.json stands for node_modules). */
    root: string;
    /** SHA-256 of the code that computes plans (the bundle). */
    code: string;
    /** Every project file read so far by this process (scripts/file-reads.js). */
    reads: () => Iterable<string>;
    /** @default process.version */
    node?: string;
}

interface Entry {
    format: number;
    key: string;
    /** Each recorded file → {@link fileState} when the plan was computed. */
    inputs: Record<string, string>;
    planned: PlannedStack;
}

export class ReviewCache {
    private readonly lock: string;

    constructor(private readonly o: ReviewCacheOptions) {
        this.lock = fileState(path.join(o.root, "package-lock.json"));
    }

    /** The key of a checked stack's plan (see the module comment). */
    key(checked: CheckedStack): string {
        return sha256(
            JSON.stringify({
                format: FORMAT,
                code: this.o.code,
                node: this.o.node ?? process.version,
                lock: this.lock,
                project: checked.project,
                stack: checked.stack,
                configPath: path.resolve(checked.configPath),
                projectDir: path.resolve(checked.projectDir),
                accountId: checked.accountId,
                region: checked.region ?? null,
                config: checked.engineConfig,
            }),
        );
    }

    private file(key: string): string {
        return path.join(this.o.dir, `${key}.json`);
    }

    /** The kept plan of this stack, or why there is none. */
    lookup(checked: CheckedStack): { planned: PlannedStack } | { miss: string } {
        const key = this.key(checked);
        let entry: Entry;
        try {
            entry = JSON.parse(fs.readFileSync(this.file(key), "utf8")) as Entry;
        } catch {
            return { miss: "not cached" };
        }
        if (entry.format !== FORMAT || entry.key !== key) return { miss: "another format" };
        for (const [file, state] of Object.entries(entry.inputs)) {
            if (fileState(file) !== state) return { miss: `${path.relative(this.o.root, file) || file} changed` };
        }
        return { planned: entry.planned };
    }

    /** Keeps a plan computed by this process, with the state of every file it has read. */
    store(checked: CheckedStack, planned: PlannedStack): void {
        const key = this.key(checked);
        const inputs: Record<string, string> = {};
        const own = path.resolve(this.o.dir) + path.sep; // the cache's own entries are not inputs
        for (const file of [...this.o.reads()].sort()) if (!file.startsWith(own)) inputs[file] = fileState(file);
        const entry: Entry = { format: FORMAT, key, inputs, planned };
        fs.mkdirSync(this.o.dir, { recursive: true });
        const target = this.file(key);
        const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(entry));
        fs.renameSync(tmp, target);
        this.prune();
    }

    /** Removes all but the {@link KEEP} most recently written entries. */
    private prune(): void {
        const entries = fs
            .readdirSync(this.o.dir)
            .filter((f) => f.endsWith(".json"))
            .map((f) => {
                const file = path.join(this.o.dir, f);
                try {
                    return { file, mtime: fs.statSync(file).mtimeMs };
                } catch {
                    return undefined; // removed by a concurrent run
                }
            })
            .filter((e): e is { file: string; mtime: number } => e !== undefined)
            .sort((a, b) => b.mtime - a.mtime);
        for (const e of entries.slice(KEEP)) fs.rmSync(e.file, { force: true });
    }
}
