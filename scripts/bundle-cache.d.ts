/** Types of scripts/bundle-cache.js (plain JavaScript so the launcher needs no compiler). */
import type { BuildOptions } from "esbuild";

export interface CachedBundleOptions {
    /** Project root: input paths are relative to it (esbuild's absWorkingDir). */
    root: string;
    /** Where bundles and manifests are kept (created if missing; relative to `root`). */
    cacheDir: string;
    /** File name of the bundle in `cacheDir`, without `.js`. */
    name: string;
    /** esbuild build options, without `outfile`, `write` and `metafile`. */
    options: Omit<BuildOptions, "outfile" | "write" | "metafile" | "absWorkingDir">;
    /** Also return the bundle's text. */
    readCode?: boolean;
}

export interface CachedBundle {
    /** The bundle file. */
    file: string;
    /** True when esbuild ran (no bundle, or an input changed). */
    built: boolean;
    /** SHA-256 of the bundle's content, recorded when it was built (the bundle is not read for it). */
    sha256: string;
    /** The bundle's text, when `readCode` was set. */
    code?: string;
}

/** The bundle of one entry, from the cache when its inputs are unchanged, else built and cached. */
export function cachedBundle(options: CachedBundleOptions): CachedBundle;
export function sha256(data: string | Buffer): string;
/** `node_modules/[@scope/]name` of an input inside a package (the innermost one), else undefined. */
export function packageRoot(input: string): string | undefined;
