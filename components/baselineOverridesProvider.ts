/**
 * `BaselineOverrides`: a Pulumi dynamic resource that keeps `baseline_overrides.json` equal to the
 * baselines it lists, on the same core (`core/overrides.ts`) as the remediation Lambda.
 *
 * How it survives Pulumi's closure serialisation (the provider object is serialised into the
 * resource's `__provider` input and re-loaded by the dynamic-provider host with `require-from-string`):
 * - the core is a plain local module the methods reference (`core.syncOverrides`), so the
 *   serialiser captures it by value, with the functions the methods reach — no relative `require`
 *   that would fail in the host, and not bundled with esbuild;
 * - the AWS SDK is loaded inside those functions with `await import(...)`, which the host resolves
 *   from the project's node_modules when a method runs; nothing SDK-related is captured;
 * - methods capture no credentials: clients use the deployer's environment. The one thing they read
 *   through `this` is the optional client factory ({@link BaselineOverridesProvider}'s constructor),
 *   which the provider the component registers does not have: that instance holds no state of its
 *   own, so it serialises as before (and review/closureCache.ts may cache it).
 *
 * Changing this file or the core does not by itself change the resource's inputs: bump
 * {@link PROVIDER_VERSION} with any behaviour change so the next `pulumi up` runs `update`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as core from "../core/overrides";

/** Carried as an input: a behaviour change of the provider or the core bumps it, and deployments update. */
export const PROVIDER_VERSION = "1.1.0";
/** The value Pulumi gives a dynamic provider for an input not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Inputs of the dynamic resource, as its provider receives them. */
export interface BaselineOverridesInputs {
    /** Region of the baselines and the bucket. */
    region: string;
    bucket: string;
    key: string;
    /** Baseline ids (`pb-…`) or ARNs, in any order (the document is ordered by operating system). */
    baselineIds: string[];
    /** Writer id stored with every version (`x-amz-meta-written-by`); shared with the remediation Lambda. */
    writer: string;
    /** Fingerprint of the stack's baseline definitions: a baseline edit re-runs the sync. */
    definitionsSha256: string;
    providerVersion: string;
    /** Parallel GetPatchBaseline calls. @default 16 (every baseline at once: at most one per OS) */
    concurrency?: number;
}

/** Where the stored object stands relative to what Pulumi last wrote (set by `read`). */
export type Drift = "none" | "edited" | "missing";

/** Outputs: the inputs plus what was written. */
export interface BaselineOverridesOutputs extends BaselineOverridesInputs {
    s3Url: string;
    /** Version id of the object Pulumi wrote or verified. */
    versionId: string;
    /** sha256 (hex) of the document Pulumi wrote or verified. */
    sha256: string;
    baselineCount: number;
    operatingSystems: string[];
    /** `none`, or after a refresh `edited` (changed outside Pulumi) / `missing` (deleted). */
    drift: Drift;
    /** sha256 of the object found by the last refresh, when it differs. */
    observedSha256?: string;
}

/** A diff that also names every changed input. */
export interface BaselineOverridesDiff extends pulumi.dynamic.DiffResult {
    /** Inputs whose value changed (or is not known yet), plus `drift` when a refresh found drift. */
    changedInputs: string[];
}

/** Inputs compared by `diff`; changing the object's address replaces the resource. */
const COMPARED = ["region", "bucket", "key", "baselineIds", "writer", "definitionsSha256", "providerVersion", "concurrency"] as const;
const REPLACE_ON = ["region", "bucket", "key"];

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** Baseline ids compared as a set: the document does not depend on their order. */
function normalise(name: string, value: unknown): string {
    if (name === "baselineIds" && Array.isArray(value)) return JSON.stringify([...value].sort());
    return JSON.stringify(value ?? null);
}

function problemsOf(inputs: Partial<BaselineOverridesInputs>): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const known = (v: unknown) => !containsUnknown(v);
    for (const p of ["region", "bucket", "key", "writer", "providerVersion"] as const) {
        if (known(inputs[p]) && (typeof inputs[p] !== "string" || inputs[p] === "")) failures.push({ property: p, reason: `${p} must be a non-empty string` });
    }
    if (known(inputs.baselineIds)) {
        if (!Array.isArray(inputs.baselineIds) || inputs.baselineIds.length === 0 || !inputs.baselineIds.every((i) => typeof i === "string" && i !== "")) {
            failures.push({ property: "baselineIds", reason: "baselineIds must be a non-empty list of baseline ids or ARNs" });
        } else if (new Set(inputs.baselineIds).size !== inputs.baselineIds.length) {
            failures.push({ property: "baselineIds", reason: "baselineIds lists a baseline twice" });
        }
    }
    return failures;
}

/** Drops keys whose value is `undefined` (the engine's property structs cannot hold it). */
function defined<T extends object>(obj: T): T {
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Builds the SDK clients the provider uses for one Region. The default, and the only one a
 * deployment uses, is `core.createOverrideClients`: the SDK retry strategy, timeouts on every
 * attempt, credentials from the deployer's environment.
 */
export type OverrideClientsFactory = (options: { region: string }) => Promise<core.OverrideClients>;

async function write(createClients: OverrideClientsFactory, inputs: BaselineOverridesInputs): Promise<BaselineOverridesOutputs> {
    if (containsUnknown(inputs)) throw new Error("BaselineOverrides: inputs are not known yet; nothing is written during a preview");
    const result = await core.syncOverrides(await createClients({ region: inputs.region }), {
        bucket: inputs.bucket,
        key: inputs.key,
        baselineIds: inputs.baselineIds,
        writer: inputs.writer,
        concurrency: inputs.concurrency,
    });
    return defined({
        ...inputs,
        s3Url: result.s3Url,
        versionId: result.versionId ?? "null",
        sha256: result.sha256,
        baselineCount: result.baselineCount,
        operatingSystems: result.operatingSystems,
        drift: "none" as Drift,
    });
}

/**
 * The provider. Serialised by Pulumi: no captured credentials, SDK loaded in methods. The
 * {@link BaselineOverrides} resource registers `new BaselineOverridesProvider()`, whose clients come
 * from `core.createOverrideClients({ region })`.
 */
export class BaselineOverridesProvider implements pulumi.dynamic.ResourceProvider<BaselineOverridesInputs, BaselineOverridesOutputs> {
    /** The constructor's factory. Declared, not initialised: without one the instance has no own property. */
    private declare readonly clientFactory?: OverrideClientsFactory;

    /**
     * @param createClients builds the SDK clients for a Region. Leave it out for real use: the
     *   provider then uses `core.createOverrideClients`, as the {@link BaselineOverrides} resource
     *   does (the resource takes no factory). It exists so tests run the provider through real SDK
     *   clients over an in-memory transport (tests/fakeAws.ts). A provider built with a factory and
     *   registered as a resource would carry that function, serialised by value, in the stack's
     *   state: it must capture no credentials.
     */
    constructor(createClients?: OverrideClientsFactory) {
        // Set only when given: the default provider keeps no state of its own.
        if (createClients !== undefined) this.clientFactory = createClients;
    }

    /** The constructor's factory, else `core.createOverrideClients`. */
    private factory(): OverrideClientsFactory {
        return this.clientFactory ?? core.createOverrideClients;
    }

    /** Validates what is known; unknown values (preview) pass untouched. Makes no AWS call. */
    async check(_olds: BaselineOverridesInputs, news: BaselineOverridesInputs): Promise<pulumi.dynamic.CheckResult<BaselineOverridesInputs>> {
        const failures = problemsOf(news);
        return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
    }

    /**
     * Names every changed input; the object's address (region, bucket, key) replaces. A value not
     * known yet counts as changed (and as a replacement for the address). A refresh that found the
     * object edited or deleted makes an update, which rewrites it. Makes no AWS call.
     */
    async diff(_id: string, olds: BaselineOverridesOutputs, news: BaselineOverridesInputs): Promise<BaselineOverridesDiff> {
        const changedInputs: string[] = [];
        for (const p of COMPARED) {
            if (containsUnknown(news[p]) || normalise(p, olds[p]) !== normalise(p, news[p])) changedInputs.push(p);
        }
        const replaces = changedInputs.filter((p) => REPLACE_ON.includes(p));
        if (olds.drift !== undefined && olds.drift !== "none") changedInputs.push("drift");
        return { changes: changedInputs.length > 0, replaces, changedInputs, deleteBeforeReplace: false };
    }

    /** Writes the object (only if its content differs from what is stored) and returns what is there. */
    async create(inputs: BaselineOverridesInputs): Promise<pulumi.dynamic.CreateResult<BaselineOverridesOutputs>> {
        const outs = await write(this.factory(), inputs);
        return { id: `${inputs.bucket}/${inputs.key}`, outs };
    }

    /** Same as create: fetch, compare, conditionally write. */
    async update(_id: string, _olds: BaselineOverridesOutputs, news: BaselineOverridesInputs): Promise<pulumi.dynamic.UpdateResult<BaselineOverridesOutputs>> {
        return { outs: await write(this.factory(), news) };
    }

    /**
     * Refresh: reads the stored object and reports drift — `missing` when it is gone, `edited`
     * when its content is not what Pulumi wrote. The next `pulumi up` rewrites it.
     */
    async read(id: string, props?: BaselineOverridesOutputs): Promise<pulumi.dynamic.ReadResult<BaselineOverridesOutputs>> {
        if (!props) throw new Error(`BaselineOverrides ${id}: cannot refresh without state (import is not supported)`);
        const clients = await this.factory()({ region: props.region });
        const stored = await core.readStoredObject(clients.s3, props.bucket, props.key);
        const { observedSha256: _previous, ...rest } = props;
        const next: BaselineOverridesOutputs = { ...rest, drift: "none" };
        if (!stored.exists) next.drift = "missing";
        else if (stored.sha256 !== props.sha256) {
            next.drift = "edited";
            next.observedSha256 = stored.sha256;
        } else next.versionId = stored.versionId ?? props.versionId;
        return { id, props: defined(next) };
    }

    /** Removes the versions this store wrote (provider and remediation Lambda) and the key's delete markers. */
    async delete(_id: string, props: BaselineOverridesOutputs): Promise<void> {
        const clients = await this.factory()({ region: props.region });
        await core.deleteWrittenVersions(clients.s3, { bucket: props.bucket, key: props.key, writer: props.writer, concurrency: props.concurrency });
    }
}

/** Arguments of {@link BaselineOverrides}. */
export interface BaselineOverridesArgs {
    /** Region of the baselines and the bucket. */
    region: pulumi.Input<string>;
    bucket: pulumi.Input<string>;
    /** Object key. */
    key: pulumi.Input<string>;
    /** Baseline ids or ARNs. */
    baselineIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Writer id stored with each version; the remediation Lambda uses the same. */
    writer: pulumi.Input<string>;
    /** Fingerprint of the stack's baseline definitions, so an edited baseline re-syncs the object. */
    definitionsSha256: pulumi.Input<string>;
    /** Parallel GetPatchBaseline calls. @default 16 (every baseline at once: at most one per OS) */
    concurrency?: pulumi.Input<number>;
}

const provider = new BaselineOverridesProvider();

/**
 * The override object as a resource: create/update write it if its content changed, refresh
 * reports drift, delete removes the versions this store wrote.
 */
export class BaselineOverrides extends pulumi.dynamic.Resource {
    declare readonly s3Url: pulumi.Output<string>;
    declare readonly key: pulumi.Output<string>;
    declare readonly versionId: pulumi.Output<string>;
    declare readonly sha256: pulumi.Output<string>;
    declare readonly baselineCount: pulumi.Output<number>;
    declare readonly operatingSystems: pulumi.Output<string[]>;
    declare readonly drift: pulumi.Output<Drift>;

    constructor(name: string, args: BaselineOverridesArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                ...args,
                providerVersion: PROVIDER_VERSION,
                s3Url: undefined,
                versionId: undefined,
                sha256: undefined,
                baselineCount: undefined,
                operatingSystems: undefined,
                drift: undefined,
            },
            opts,
            "patching",
            "BaselineOverrides",
        );
    }
}
