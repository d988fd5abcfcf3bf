/**
 * The one baseline-override core: builds `baseline_overrides.json` (the file AWS-RunPatchBaseline's
 * `BaselineOverride` parameter reads) from patch baselines and keeps it in S3.
 *
 * Plain TypeScript, no Pulumi: the remediation Lambda (`lambda/remediateOverrides.ts`, bundled by
 * esbuild) and the `BaselineOverrides` dynamic provider (serialised by Pulumi's closure serialiser)
 * both run this very module. SDK v3 modules are loaded with `await import(...)` inside functions,
 * never at the top, so a serialised closure that captures this module loads the SDK only when a
 * method runs. Clients are injected (tests pass aws-sdk-client-mock'ed clients).
 *
 * What it does better than Quick Setup's Lambda (seed 000, `baseline-overrides-…`):
 * - `GetPatchBaseline` runs in parallel with a bounded concurrency (Quick Setup: one after another);
 * - the document keeps only the documented BaselineOverride fields, serialised canonically, so the
 *   same baselines always give the same bytes (Quick Setup dumps whole responses, dates included);
 * - it writes only when the content's sha256 differs from the stored object (Quick Setup: PutObject
 *   every hour), and conditionally (`IfMatch` the ETag it read, `IfNoneMatch: "*"` when there was
 *   none), so two writers can never silently overwrite each other;
 * - a missing baseline writes nothing and names every missing id (Quick Setup writes a partial
 *   file, then fails); when a conditional write loses to another writer that stored the same
 *   document, that is convergence; a different document is reported and kept;
 * - throttling and transient errors are retried by the SDK's retry strategy configured on the
 *   clients ({@link createOverrideClients}); AccessDenied names the action and the resource.
 *
 * `mode: "seed"` reproduces Quick Setup's Remediate path (serial fetches, unconditional write,
 * partial file before failing) for the benchmark; never use it to manage a real store.
 */
import type { PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import type { BaselineOverride, GetPatchBaselineCommandOutput, PatchFilterGroup, SSMClient } from "@aws-sdk/client-ssm";
import { createHash } from "crypto";
import { backoffCapMs, clientConfig, DEFAULT_HTTP_TIMEOUTS, HttpTimeouts, worstCaseCallMs } from "./awsClients";
import { groupBy } from "./collections";

/** The SDK clients the core works with; created by {@link createOverrideClients} or injected. */
export interface OverrideClients {
    ssm: SSMClient;
    s3: S3Client;
}

/** Options of {@link createOverrideClients}. */
export interface OverrideClientOptions {
    /** Region of the baselines and the bucket. */
    region: string;
    /** Attempts per call, first one included (SDK retry strategy). @default 8 */
    maxAttempts?: number;
    /** Delay before retry number `attempt` (1-based), in ms. @default full jitter, 250 ms × 2^attempt, at most 20 s */
    backoffMs?: (attempt: number) => number;
    /** Connection and request timeout of each attempt. @default DEFAULT_HTTP_TIMEOUTS (core/awsClients.ts) */
    timeouts?: HttpTimeouts;
    /** Extra client configuration (tests: a request handler and static credentials). Never pass credentials in production. */
    clientConfig?: Record<string, unknown>;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
/**
 * Parallel `GetPatchBaseline` calls. A store holds at most one baseline per operating system (15
 * of them, enforced by checkOneBaselinePerOs), so 16 fetches every baseline in one round trip; it
 * is a bound, not a target: GetPatchBaseline is a throttled control-plane API, and throttling is
 * retried by the SDK's retry strategy with backoff.
 */
export const DEFAULT_CONCURRENCY = 16;
/** Object metadata naming the writer (`x-amz-meta-written-by`); delete removes only its own versions. */
export const WRITER_METADATA_KEY = "written-by";
/** Object metadata holding the content's sha256 in hex, for people reading the object. */
export const SHA256_METADATA_KEY = "content-sha256";

/** Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function defaultBackoffMs(attempt: number): number {
    return Math.round(Math.random() * overrideBackoffCapMs(attempt));
}

/** Upper bound of {@link defaultBackoffMs} before retry `attempt`. */
export function overrideBackoffCapMs(attempt: number): number {
    return backoffCapMs(attempt, 250);
}

/**
 * Calls one {@link syncOverrides} run makes one after another: the stored object and the baselines
 * (read in parallel), the conditional PutObject, and the re-read after a lost race.
 */
export const SYNC_SEQUENTIAL_CALLS = 3;

/**
 * The longest one {@link syncOverrides} run can take when every attempt hangs until its timeouts
 * fire (the remediation Lambda's timeout is sized from it).
 */
export function syncWorstCaseMs(maxAttempts = DEFAULT_MAX_ATTEMPTS, timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS): number {
    return SYNC_SEQUENTIAL_CALLS * worstCaseCallMs(maxAttempts, timeouts, overrideBackoffCapMs);
}

/**
 * SSM and S3 clients from the program's one client factory ({@link clientConfig}): the SDK v3
 * retry strategy (`ConfiguredRetryStrategy`: standard mode, with its retry quota, retrying
 * throttling, transient, 5xx and timeout errors) with the given attempts and backoff, and
 * connection/request timeouts on every attempt. Credentials come from the environment (Lambda
 * role, deployer's profile).
 */
export async function createOverrideClients(options: OverrideClientOptions): Promise<OverrideClients> {
    const [{ SSMClient }, { S3Client }] = await Promise.all([import("@aws-sdk/client-ssm"), import("@aws-sdk/client-s3")]);
    // One configuration (so one retry strategy, with its own quota) per client.
    const config = () => ({
        ...clientConfig({ region: options.region, maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, backoffMs: options.backoffMs ?? defaultBackoffMs, timeouts: options.timeouts }),
        ...(options.clientConfig ?? {}),
    });
    return { ssm: new SSMClient(config()), s3: new S3Client(config()) };
}

// ── Errors ────────────────────────────────────────────────────────────────────────────────────

/** Base of every error the core raises: says what was being done, to what, and what happened. */
export class OverrideStoreError extends Error {
    constructor(
        message: string,
        readonly code: string,
    ) {
        super(message);
        this.name = "OverrideStoreError";
    }
}

/** One or more baselines do not exist. Nothing was written. */
export class MissingBaselinesError extends OverrideStoreError {
    constructor(
        readonly missingIds: string[],
        readonly total: number,
        readonly kept: string,
    ) {
        super(
            `${missingIds.length} of ${total} patch baseline${total === 1 ? "" : "s"} not found: ${missingIds.join(", ")}. ` +
                `Nothing was written; ${kept}. ` +
                "Check the ids; an AWS-managed (predefined) baseline must be given by its full ARN (arn:<partition>:ssm:<region>:<aws account>:patchbaseline/pb-…).",
            "MissingBaselines",
        );
        this.name = "MissingBaselinesError";
    }
}

/** The caller may not perform `action` on `resource`. */
export class OverrideAccessDeniedError extends OverrideStoreError {
    constructor(
        readonly action: string,
        readonly resource: string,
        detail: string,
        hint = "",
    ) {
        super(`Access denied: ${action} on ${resource} (${detail}). Grant ${action} on ${resource} to the role running this.${hint}`, "AccessDenied");
        this.name = "OverrideAccessDeniedError";
    }
}

/** Another writer changed the object between our read and our conditional write. */
export class ConcurrentWriteError extends OverrideStoreError {
    constructor(
        readonly s3Url: string,
        readonly expected: string,
        /** Set when re-reading the object to compare with the other writer's failed too. */
        readonly rereadError?: Error,
    ) {
        super(
            `${s3Url} was changed by another writer while this one was writing (${expected}); ` +
                "S3 refused the conditional write, so nothing was overwritten and the other writer's object is kept. " +
                (rereadError ? `Re-reading it to compare with it then failed too: ${rereadError.message}` : "Run again to compare with it."),
            "ConcurrentWrite",
        );
        this.name = "ConcurrentWriteError";
    }
}

/** The stored object came back without an ETag: a write could not be made conditional, so none is made. */
export class NoPreconditionError extends OverrideStoreError {
    constructor(readonly s3Url: string) {
        super(
            `s3:GetObject on ${s3Url} returned no ETag, so a PutObject could not be made conditional (IfMatch) on what was read; ` +
                "refusing to write without a precondition (it could overwrite another writer's object). Nothing was written. " +
                "Check for a proxy or endpoint stripping the ETag header.",
            "NoPrecondition",
        );
        this.name = "NoPreconditionError";
    }
}

/** The core was asked to write an override file holding no baseline. */
export class NoBaselinesError extends OverrideStoreError {
    constructor(readonly s3Url: string) {
        super(`no baseline ids given for ${s3Url}: an override file with no baseline ([]) would leave AWS-RunPatchBaseline nothing to apply. Nothing was written.`, "NoBaselines");
        this.name = "NoBaselinesError";
    }
}

/** Deleting this writer's versions stopped part-way; the object is still not current (a delete marker hides it). */
export class PartialDeleteError extends OverrideStoreError {
    constructor(
        readonly s3Url: string,
        readonly deletedVersionIds: string[],
        readonly remainingVersionIds: string[],
        readonly cause: OverrideStoreError,
    ) {
        super(
            `deleting ${s3Url} stopped after ${deletedVersionIds.length} of ${deletedVersionIds.length + remainingVersionIds.length} version(s) of this writer: ${cause.message} ` +
                `Versions left: ${remainingVersionIds.join(", ")}. A delete marker keeps every older version from becoming current; run the delete again to finish.`,
            cause.code,
        );
        this.name = "PartialDeleteError";
    }
}

/** Two baselines target the same operating system: the override file would be ambiguous. */
export class AmbiguousBaselinesError extends OverrideStoreError {
    constructor(readonly clashes: { operatingSystem: string; baselineIds: string[] }[]) {
        super(
            `an override file holds one baseline per operating system (AWS-RunPatchBaseline uses the one matching the node), but ${clashes
                .map((c) => `${c.operatingSystem} has ${c.baselineIds.join(" and ")}`)
                .join("; ")}. Nothing was written.`,
            "AmbiguousBaselines",
        );
        this.name = "AmbiguousBaselinesError";
    }
}

/** Any other AWS error, with the action and resource it happened on. */
export class OverrideCallError extends OverrideStoreError {
    constructor(
        readonly action: string,
        readonly resource: string,
        readonly cause: unknown,
    ) {
        const attempts = attemptsOf(cause);
        const hung = errorName(cause) === "TimeoutError" ? " — the endpoint did not answer within the client's connection/request timeout (core/awsClients.ts DEFAULT_HTTP_TIMEOUTS)" : "";
        super(
            `${action} on ${resource} failed${attempts > 1 ? ` after ${attempts} attempts (SDK retry strategy)` : ""}: ${errorName(cause)}: ${errorMessage(cause)}${hung}`,
            errorName(cause),
        );
        this.name = "OverrideCallError";
    }
}

function errorName(err: unknown): string {
    const e = err as { name?: string; Code?: string; code?: string } | undefined;
    return e?.name ?? e?.Code ?? e?.code ?? "Error";
}
function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
function statusOf(err: unknown): number | undefined {
    return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
function attemptsOf(err: unknown): number {
    return (err as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
}
function isAccessDenied(err: unknown): boolean {
    return ["AccessDenied", "AccessDeniedException", "Forbidden"].includes(errorName(err)) || statusOf(err) === 403;
}
function isNotFound(err: unknown): boolean {
    return ["NoSuchKey", "NotFound"].includes(errorName(err)) || statusOf(err) === 404;
}
function isPreconditionFailure(err: unknown): boolean {
    return ["PreconditionFailed", "ConditionalRequestConflict"].includes(errorName(err)) || statusOf(err) === 412 || statusOf(err) === 409;
}
function isMissingBaseline(err: unknown): boolean {
    return errorName(err) === "DoesNotExistException";
}

/** Runs `fn`, turning AWS errors into errors that name `action` and `resource`. */
async function call<T>(action: string, resource: string, fn: () => Promise<T>, hint = ""): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        if (err instanceof OverrideStoreError) throw err;
        if (isAccessDenied(err)) throw new OverrideAccessDeniedError(action, resource, `${errorName(err)}: ${errorMessage(err)}`, hint);
        throw new OverrideCallError(action, resource, err);
    }
}

// ── The document ──────────────────────────────────────────────────────────────────────────────

/** Keeps key and values of each filter, nothing else. */
function filterGroup(group: PatchFilterGroup | undefined): PatchFilterGroup {
    return { PatchFilters: (group?.PatchFilters ?? []).map((f) => ({ Key: f.Key, Values: [...(f.Values ?? [])] })) };
}

/**
 * The documented BaselineOverride shape (SSM API reference, `BaselineOverride`) of one
 * `GetPatchBaseline` response. Identity and volatile fields (BaselineId, Name, Description,
 * CreatedDate, ModifiedDate, PatchGroups, request metadata) are left out, so the document changes
 * only when what the baseline approves changes. `AvailableSecurityUpdatesComplianceStatus` is part
 * of the documented shape and kept when set (Windows).
 */
export function toBaselineOverride(resp: GetPatchBaselineCommandOutput): BaselineOverride {
    const out: BaselineOverride = {
        OperatingSystem: resp.OperatingSystem,
        GlobalFilters: filterGroup(resp.GlobalFilters),
        ApprovalRules: {
            PatchRules: (resp.ApprovalRules?.PatchRules ?? []).map((r) => ({
                PatchFilterGroup: filterGroup(r.PatchFilterGroup),
                ComplianceLevel: r.ComplianceLevel,
                ApproveAfterDays: r.ApproveAfterDays,
                ApproveUntilDate: r.ApproveUntilDate,
                EnableNonSecurity: r.EnableNonSecurity,
            })),
        },
        ApprovedPatches: [...(resp.ApprovedPatches ?? [])],
        ApprovedPatchesComplianceLevel: resp.ApprovedPatchesComplianceLevel,
        ApprovedPatchesEnableNonSecurity: resp.ApprovedPatchesEnableNonSecurity,
        RejectedPatches: [...(resp.RejectedPatches ?? [])],
        RejectedPatchesAction: resp.RejectedPatchesAction,
        Sources: (resp.Sources ?? []).map((s) => ({ Name: s.Name, Products: [...(s.Products ?? [])], Configuration: s.Configuration })),
    };
    if (resp.AvailableSecurityUpdatesComplianceStatus !== undefined) out.AvailableSecurityUpdatesComplianceStatus = resp.AvailableSecurityUpdatesComplianceStatus;
    return out;
}

/** Object keys sorted at every level, `undefined` dropped; arrays keep their order. */
function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value).sort()) {
            const v = (value as Record<string, unknown>)[k];
            if (v !== undefined) out[k] = sortKeys(v);
        }
        return out;
    }
    return value;
}

/** Canonical JSON: sorted keys, two-space indent, one trailing newline. Same value → same bytes. */
export function canonicalJson(value: unknown): string {
    return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function sha256Hex(data: string | Uint8Array): string {
    return createHash("sha256").update(data).digest("hex");
}

/** The override document for these baselines: one entry per OS, ordered by operating system. */
export function buildOverrideDocument(baselines: BaselineOverride[]): string {
    const sorted = [...baselines].sort((a, b) => String(a.OperatingSystem).localeCompare(String(b.OperatingSystem)));
    return canonicalJson(sorted);
}

// ── Reading baselines ─────────────────────────────────────────────────────────────────────────

/** Maps `items` through `fn` with at most `limit` calls in flight; every result settles. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
    const results: PromiseSettledResult<R>[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            try {
                results[i] = { status: "fulfilled", value: await fn(items[i], i) };
            } catch (reason) {
                results[i] = { status: "rejected", reason };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

/** A fetched baseline: its id as given and its override entry. */
export interface FetchedBaseline {
    id: string;
    override: BaselineOverride;
}

/** Result of {@link fetchBaselines}: what was found and what does not exist. */
export interface FetchResult {
    found: FetchedBaseline[];
    missing: string[];
}

/**
 * `GetPatchBaseline` for every id with at most `concurrency` calls in flight. Missing baselines are
 * collected (all of them); any other failure (access denied, throttled after every retry) throws.
 */
export async function fetchBaselines(ssm: SSMClient, ids: readonly string[], concurrency: number): Promise<FetchResult> {
    const { GetPatchBaselineCommand } = await import("@aws-sdk/client-ssm");
    const settled = await mapBounded(ids, concurrency, (id) =>
        call("ssm:GetPatchBaseline", `patch baseline ${id}`, async () => {
            try {
                return { id, override: toBaselineOverride(await ssm.send(new GetPatchBaselineCommand({ BaselineId: id }))) } as FetchedBaseline;
            } catch (err) {
                if (isMissingBaseline(err)) return { id, missing: true as const };
                throw err;
            }
        }),
    );
    const found: FetchedBaseline[] = [];
    const missing: string[] = [];
    for (const r of settled) {
        if (r.status === "rejected") throw r.reason;
        if ("missing" in r.value) missing.push(r.value.id);
        else found.push(r.value);
    }
    return { found, missing };
}

// ── The stored object ─────────────────────────────────────────────────────────────────────────

/** The current version of the override object, as read from S3. */
export type StoredObject =
    | { exists: false }
    | { exists: true; sha256: string; etag?: string; versionId?: string; writer?: string; body: string };

export function s3Url(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
}

/** Reads the current object (one GetObject); a missing key or a delete marker is `exists: false`. */
export async function readStoredObject(s3: S3Client, bucket: string, key: string): Promise<StoredObject> {
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    return call(
        "s3:GetObject",
        s3Url(bucket, key),
        async () => {
            try {
                const resp = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
                const bytes = (await resp.Body?.transformToByteArray()) ?? new Uint8Array();
                return {
                    exists: true as const,
                    sha256: sha256Hex(bytes),
                    etag: resp.ETag,
                    versionId: resp.VersionId,
                    writer: resp.Metadata?.[WRITER_METADATA_KEY],
                    body: Buffer.from(bytes).toString("utf8"),
                };
            } catch (err) {
                if (isNotFound(err)) return { exists: false as const };
                throw err;
            }
        },
        " S3 also answers 403 for a missing object when the caller lacks s3:ListBucket on the bucket.",
    );
}

// ── Synchronising ─────────────────────────────────────────────────────────────────────────────

/** Options of {@link syncOverrides}. */
export interface SyncOptions {
    bucket: string;
    /** @default baseline_overrides.json is the caller's choice; the core takes any key */
    key: string;
    /** Baseline ids (`pb-…`) or ARNs (AWS-managed baselines need the ARN). */
    baselineIds: readonly string[];
    /** Who writes (stored as `x-amz-meta-written-by`), e.g. `patching/dev/dev01`. */
    writer: string;
    /**
     * `safe` (default): parallel fetches, write only when changed, conditional writes, nothing
     * written when a baseline is missing. `seed`: Quick Setup's Remediate for benchmarks — serial
     * fetches, unconditional PutObject every run, the found baselines written before failing on
     * missing ones. @default "safe"
     */
    mode?: "safe" | "seed";
    /** `GetPatchBaseline` calls in flight (safe mode). @default 16 */
    concurrency?: number;
    /** Compute and compare, never write. @default false */
    dryRun?: boolean;
}

/** What {@link syncOverrides} did. */
export interface SyncResult {
    /** `created`/`updated`: one PutObject; `unchanged`: none; `planned`: dry run, would write. */
    action: "created" | "updated" | "unchanged" | "planned";
    s3Url: string;
    key: string;
    sha256: string;
    previousSha256?: string;
    versionId?: string;
    etag?: string;
    baselineCount: number;
    operatingSystems: string[];
    /** The document, exactly as stored. */
    document: string;
    /** API calls made, for logs and the benchmark. */
    calls: { getPatchBaseline: number; getObject: number; putObject: number };
}

function checkOneBaselinePerOs(found: FetchedBaseline[]): void {
    const byOs = groupBy(found, (b) => String(b.override.OperatingSystem));
    const clashes = [...byOs.entries()].filter(([, same]) => same.length > 1).map(([operatingSystem, same]) => ({ operatingSystem, baselineIds: same.map((b) => b.id) }));
    if (clashes.length > 0) throw new AmbiguousBaselinesError(clashes);
}

async function putDocument(
    s3: S3Client,
    opts: SyncOptions,
    document: string,
    sha256: string,
    condition: Pick<PutObjectCommandInput, "IfMatch" | "IfNoneMatch">,
): Promise<{ versionId?: string; etag?: string }> {
    const { PutObjectCommand } = await import("@aws-sdk/client-s3");
    const url = s3Url(opts.bucket, opts.key);
    return call("s3:PutObject", url, async () => {
        try {
            const resp = await s3.send(
                new PutObjectCommand({
                    Bucket: opts.bucket,
                    Key: opts.key,
                    Body: document,
                    ContentType: "application/json",
                    ChecksumAlgorithm: "SHA256",
                    ChecksumSHA256: Buffer.from(sha256, "hex").toString("base64"),
                    Metadata: { [WRITER_METADATA_KEY]: opts.writer, [SHA256_METADATA_KEY]: sha256 },
                    ...condition,
                }),
            );
            return { versionId: resp.VersionId, etag: resp.ETag };
        } catch (err) {
            if (isPreconditionFailure(err)) {
                throw new ConcurrentWriteError(url, condition.IfMatch ? `expected ETag ${condition.IfMatch}` : "expected no object");
            }
            throw err;
        }
    });
}

/**
 * Makes the override object hold exactly the given baselines: reads the stored object and every
 * baseline (in parallel), and writes once, conditionally, only if the content changed.
 */
export async function syncOverrides(clients: OverrideClients, opts: SyncOptions): Promise<SyncResult> {
    const url = s3Url(opts.bucket, opts.key);
    const calls = { getPatchBaseline: opts.baselineIds.length, getObject: 0, putObject: 0 };
    const ids = [...opts.baselineIds];
    if (ids.length === 0) throw new NoBaselinesError(url);

    if (opts.mode === "seed") {
        const { found, missing } = await fetchBaselines(clients.ssm, ids, 1);
        const document = buildOverrideDocument(found.map((b) => b.override));
        const sha256 = sha256Hex(document);
        if (opts.dryRun) return { action: "planned", s3Url: url, key: opts.key, sha256, baselineCount: found.length, operatingSystems: found.map((b) => String(b.override.OperatingSystem)), document, calls };
        calls.putObject++;
        const written = await putDocument(clients.s3, opts, document, sha256, {});
        if (missing.length > 0) throw new MissingBaselinesError(missing, ids.length, `seed mode wrote the ${found.length} found baseline(s) to ${url} anyway, as Quick Setup does`);
        return { action: "updated", s3Url: url, key: opts.key, sha256, ...written, baselineCount: found.length, operatingSystems: found.map((b) => String(b.override.OperatingSystem)), document, calls };
    }

    calls.getObject++;
    const [fetched, stored] = await Promise.allSettled([
        fetchBaselines(clients.ssm, ids, opts.concurrency ?? DEFAULT_CONCURRENCY),
        readStoredObject(clients.s3, opts.bucket, opts.key),
    ]);
    if (fetched.status === "rejected") throw fetched.reason;
    const current = stored.status === "fulfilled" ? stored.value : undefined;
    if (fetched.value.missing.length > 0) {
        const kept =
            current === undefined
                ? `${url} was not touched`
                : current.exists
                  ? `${url} keeps its previous content (version ${current.versionId ?? "null"}, sha256 ${current.sha256.slice(0, 12)})`
                  : `${url} was not created`;
        throw new MissingBaselinesError(fetched.value.missing, ids.length, kept);
    }
    if (stored.status === "rejected") throw stored.reason;
    const { found } = fetched.value;
    checkOneBaselinePerOs(found);

    const document = buildOverrideDocument(found.map((b) => b.override));
    const sha256 = sha256Hex(document);
    const base = {
        s3Url: url,
        key: opts.key,
        sha256,
        baselineCount: found.length,
        operatingSystems: found.map((b) => String(b.override.OperatingSystem)).sort(),
        document,
        calls,
    };
    if (current!.exists && current!.sha256 === sha256) {
        return { ...base, action: "unchanged", previousSha256: current!.sha256, versionId: current!.versionId, etag: current!.etag };
    }
    const previousSha256 = current!.exists ? current!.sha256 : undefined;
    if (opts.dryRun) return { ...base, action: "planned", previousSha256 };
    if (current!.exists && !current!.etag) throw new NoPreconditionError(url);
    calls.putObject++;
    try {
        const written = await putDocument(clients.s3, opts, document, sha256, current!.exists ? { IfMatch: current!.etag } : { IfNoneMatch: "*" });
        return { ...base, action: current!.exists ? "updated" : "created", previousSha256, ...written };
    } catch (err) {
        if (!(err instanceof ConcurrentWriteError)) throw err;
        // The other writer (the provider or the Lambda, same core) usually wrote the very same
        // document: that is convergence, not a conflict. Anything else is reported, never overwritten.
        calls.getObject++;
        let now: StoredObject;
        try {
            now = await readStoredObject(clients.s3, opts.bucket, opts.key);
        } catch (rereadError) {
            // Report the conflict and why it could not be compared, not just the second failure.
            throw new ConcurrentWriteError(err.s3Url, err.expected, rereadError instanceof Error ? rereadError : new Error(String(rereadError)));
        }
        if (now.exists && now.sha256 === sha256) return { ...base, action: "unchanged", previousSha256, versionId: now.versionId, etag: now.etag };
        throw err;
    }
}

// ── Deleting ──────────────────────────────────────────────────────────────────────────────────

/** What {@link deleteWrittenVersions} removed and left. */
export interface DeleteResult {
    deletedVersionIds: string[];
    /** Versions written by someone else (other `written-by`, or none): left in place. */
    keptVersionIds: string[];
    /** Delete markers removed (old ones; all of them once no version is left). */
    deletedMarkers: number;
    /** The delete marker this run placed first, when this writer's version was current. */
    placedMarkerVersionId?: string;
    bucketMissing: boolean;
}

interface ListedEntry {
    versionId: string;
    isLatest: boolean;
}

/**
 * Removes every version of the object written by `writer` (the provider and the remediation
 * Lambda of one store share it) without ever making older content current:
 *
 * 1. when the current version is this writer's, a delete marker is put on the key first
 *    (DeleteObject without a version id), so the object is gone before any version is touched;
 * 2. this writer's versions are deleted (none of them is current any more, so the order does not
 *    matter); if one fails, the run stops with a {@link PartialDeleteError} naming what is left,
 *    and the marker still hides every older version — a second run finishes the job;
 * 3. delete markers are removed only where that cannot uncover a version: old markers always, the
 *    current marker only when no version (of anyone) is left.
 *
 * Versions written by anyone else are kept and returned; when the current version is theirs it
 * stays current. A missing bucket means there is nothing to delete.
 */
export async function deleteWrittenVersions(s3: S3Client, opts: { bucket: string; key: string; writer: string; concurrency?: number }): Promise<DeleteResult> {
    const { ListObjectVersionsCommand, HeadObjectCommand, DeleteObjectCommand } = await import("@aws-sdk/client-s3");
    const url = s3Url(opts.bucket, opts.key);
    const versions: ListedEntry[] = [];
    const markers: ListedEntry[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    try {
        do {
            const page = await call("s3:ListBucketVersions", `bucket ${opts.bucket}`, () =>
                s3.send(new ListObjectVersionsCommand({ Bucket: opts.bucket, Prefix: opts.key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker })),
            );
            for (const v of page.Versions ?? []) if (v.Key === opts.key && v.VersionId) versions.push({ versionId: v.VersionId, isLatest: v.IsLatest === true });
            for (const m of page.DeleteMarkers ?? []) if (m.Key === opts.key && m.VersionId) markers.push({ versionId: m.VersionId, isLatest: m.IsLatest === true });
            keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
            versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
        } while (keyMarker !== undefined || versionIdMarker !== undefined);
    } catch (err) {
        if (err instanceof OverrideCallError && err.code === "NoSuchBucket") return { deletedVersionIds: [], keptVersionIds: [], deletedMarkers: 0, bucketMissing: true };
        throw err;
    }
    const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    const owners = await mapBounded(versions, concurrency, (v) =>
        call("s3:GetObjectVersion", `${url} version ${v.versionId}`, async () => {
            const head = await s3.send(new HeadObjectCommand({ Bucket: opts.bucket, Key: opts.key, VersionId: v.versionId }));
            return head.Metadata?.[WRITER_METADATA_KEY];
        }),
    );
    const mine: ListedEntry[] = [];
    const kept: string[] = [];
    owners.forEach((o, i) => {
        if (o.status === "rejected") throw o.reason;
        if (o.value === opts.writer) mine.push(versions[i]);
        else kept.push(versions[i].versionId);
    });

    // 1. Hide the object before touching any version.
    let placedMarkerVersionId: string | undefined;
    if (mine.some((v) => v.isLatest)) {
        const placed = await call("s3:DeleteObject", url, () => s3.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: opts.key })));
        placedMarkerVersionId = placed.VersionId;
        if (placed.DeleteMarker && placed.VersionId) markers.push({ versionId: placed.VersionId, isLatest: true });
        for (const v of versions) v.isLatest = false;
        for (const m of markers) m.isLatest = m.versionId === placed.VersionId;
    }

    // 2. This writer's versions: none is current now, so a failure part-way uncovers nothing.
    const deletions = await mapBounded(mine, concurrency, (v) =>
        call("s3:DeleteObjectVersion", `${url} version ${v.versionId}`, () => s3.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: opts.key, VersionId: v.versionId }))),
    );
    const failed = deletions.findIndex((d) => d.status === "rejected");
    if (failed >= 0) {
        const reason = (deletions[failed] as PromiseRejectedResult).reason;
        if (!(reason instanceof OverrideStoreError)) throw reason;
        throw new PartialDeleteError(
            url,
            mine.filter((_, i) => deletions[i].status === "fulfilled").map((v) => v.versionId),
            mine.filter((_, i) => deletions[i].status === "rejected").map((v) => v.versionId),
            reason,
        );
    }

    // 3. Markers: never the current one while a version is left under it.
    const removable = markers.filter((m) => !m.isLatest || kept.length === 0);
    const markerDeletions = await mapBounded(removable, concurrency, (m) =>
        call("s3:DeleteObjectVersion", `${url} delete marker ${m.versionId}`, () => s3.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: opts.key, VersionId: m.versionId }))),
    );
    for (const d of markerDeletions) if (d.status === "rejected") throw d.reason;
    return {
        deletedVersionIds: mine.map((v) => v.versionId),
        keptVersionIds: kept,
        deletedMarkers: removable.length,
        ...(placedMarkerVersionId ? { placedMarkerVersionId } : {}),
        bucketMissing: false,
    };
}
