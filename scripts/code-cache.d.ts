/** Types of scripts/code-cache.js (plain JavaScript so the launcher needs no compiler). */

/** One module's cached data, for the SHA-256 of its source. */
export interface CodeCacheEntry {
    hash: string;
    data: Buffer;
}

export interface CodeCacheState {
    file: string;
    /** Modules whose cached data V8 accepted, rejected, or that had no entry (new or edited). */
    stats: { accepted: number; rejected: number; missing: number };
    /** Writes the file now if some module had no usable entry; true when written. */
    flush(): boolean;
}

/** Compiles CommonJS modules with the cache in `file` from now on, in this process. */
export function installCodeCache(file: string): CodeCacheState;
/** True unless `PATCHING_CODE_CACHE=0` or source maps are on. */
export function codeCacheEnabled(): boolean;
/**
 * A cache file opened for reading on demand: each entry's `data` is read from the file (as it was
 * when opened) at first use; `close()` ends that.
 */
export function openCache(file: string, key?: string): { entries: Map<string, CodeCacheEntry>; close(): void };
/** The entries of a cache file (empty when missing, unreadable or of another key). */
export function readCache(file: string, key?: string): Map<string, CodeCacheEntry>;
/** Writes a cache file atomically. */
export function writeCache(file: string, entries: Map<string, CodeCacheEntry>, key?: string): void;
/** What a cache file is valid for: Node's and V8's versions, platform, architecture. */
export function cacheKey(): string;
