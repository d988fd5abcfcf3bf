/**
 * Runs the program under Pulumi's mock engine (no CLI, no credentials, no network) and records
 * every resource registration as the engine would receive it. Used by the offline review and by
 * the tests, so what reviewers read is what the tests assert.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
// Internal but stable entry points of the Node SDK: the mock monitor and the RPC queue drain.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): MonitorLike;
    waitForRPCs(): Promise<void>;
};

/** One registered resource, as recorded by the mock engine. */
export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent resource, if any. */
    parent?: string;
    /** `true` for provider resources, `false` for components. */
    custom: boolean;
    /** The inputs the engine receives; secrets masked, unknowns shown as `[unknown]`. */
    inputs: Record<string, unknown>;
    /** Resource options worth reviewing. */
    options: { protect?: boolean; provider?: string; dependsOn?: string[]; ignoreChanges?: string[] };
    /** For each input, the URNs of the resources its value came from (what policies follow). */
    propertyDependencies: Record<string, string[]>;
}

interface MonitorLike {
    registerResource(req: RegisterRequest, cb: (err: unknown, resp?: { getUrn(): string }) => void): Promise<void>;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect?(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getIgnorechangesList?(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** Account and region the mock engine pretends to run in. */
export interface MockEnvironment {
    accountId: string;
    region: string;
    partition?: string;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** Shown in plans wherever a secret value would be. */
export const MASKED = "[secret]";

/** Converts the wire form of inputs into plain JSON, masking secrets. */
export function maskInputs(value: unknown): unknown {
    if (value === UNKNOWN) return "[unknown]";
    if (Array.isArray(value)) return value.map(maskInputs);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        const sig = obj[SIG_KEY];
        if (sig === SECRET_SIG) return MASKED;
        if (sig === RESOURCE_SIG) return obj.urn;
        if (sig === OUTPUT_SIG) return obj.secret ? MASKED : maskInputs(obj.value);
        if (sig === ASSET_SIG) {
            // Show an asset's size and digest, not its (possibly large) content.
            if (typeof obj.text === "string") return `[asset ${Buffer.byteLength(obj.text)} bytes sha256:${sha256(obj.text).slice(0, 12)}]`;
            return `[asset ${obj.path ?? obj.uri}]`;
        }
        if (sig === ARCHIVE_SIG) {
            if (obj.assets) return { archive: maskInputs(obj.assets) };
            return `[archive ${obj.path ?? obj.uri}]`;
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskInputs(v)]));
    }
    return value;
}

/** Provider-computed attributes the program reads (ARNs, names), made up deterministically. */
export function mockState(type: string, name: string, inputs: Record<string, any>, env: MockEnvironment): Record<string, unknown> {
    const p = env.partition ?? "aws";
    const [pkg, mod] = type.split(":");
    const service = (mod ?? "").split("/")[0];
    const state: Record<string, unknown> = { ...inputs };
    if (type === "aws-native:ssmquicksetup:ConfigurationManager") {
        state.managerArn = `arn:${p}:ssm-quicksetup:${env.region}:${env.accountId}:configuration-manager/${name}`;
    }
    if (pkg !== "aws") return state;
    switch (type) {
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": {
            const bucket = inputs.bucket ?? `${name}-bucket`;
            Object.assign(state, { bucket, arn: `arn:${p}:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${env.region}.amazonaws.com` });
            break;
        }
        case "aws:iam/role:Role":
        case "aws:iam/policy:Policy": {
            const n = inputs.name ?? name;
            const kind = type === "aws:iam/role:Role" ? "role" : "policy";
            Object.assign(state, { name: n, arn: `arn:${p}:iam::${env.accountId}:${kind}${inputs.path ?? "/"}${n}` });
            break;
        }
        case "aws:iam/instanceProfile:InstanceProfile": {
            const n = inputs.name ?? name;
            Object.assign(state, { name: n, arn: `arn:${p}:iam::${env.accountId}:instance-profile/${n}` });
            break;
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            state.arn = `arn:${p}:logs:${env.region}:${env.accountId}:log-group:${inputs.name ?? name}`;
            break;
        case "aws:lambda/function:Function":
            state.arn = `arn:${p}:lambda:${env.region}:${env.accountId}:function:${inputs.name ?? name}`;
            break;
        case "aws:sns/topic:Topic":
            state.arn = `arn:${p}:sns:${env.region}:${env.accountId}:${inputs.name ?? name}`;
            state.name = inputs.name ?? name;
            break;
        case "aws:ssm/document:Document":
            state.arn = `arn:${p}:ssm:${inputs.region ?? env.region}:${env.accountId}:document/${inputs.name ?? name}`;
            break;
        case "aws:ssm/patchBaseline:PatchBaseline":
            state.arn = `arn:${p}:ssm:${env.region}:${env.accountId}:patchbaseline/${name}-id`;
            break;
        case "aws:cloudwatch/eventRule:EventRule":
            state.arn = `arn:${p}:events:${env.region}:${env.accountId}:rule/${inputs.name ?? name}`;
            state.name = inputs.name ?? name;
            break;
        case "aws:sfn/stateMachine:StateMachine":
            state.arn = `arn:${p}:states:${env.region}:${env.accountId}:stateMachine:${inputs.name ?? name}`;
            break;
        case "aws:resourcegroups/group:Group":
            state.arn = `arn:${p}:resource-groups:${env.region}:${env.accountId}:group/${inputs.name ?? name}`;
            break;
        case "aws:kms/key:Key":
            state.arn = `arn:${p}:kms:${env.region}:${env.accountId}:key/${name}-id`;
            break;
        default:
            state.arn ??= `arn:${p}:${service}:${env.region}:${env.accountId}:${name}`;
    }
    return state;
}

/**
 * The AWS-provided default baselines the review pretends every region has (names and us-east-1 ids
 * as the Patch Manager console lists them, seed 004), for `aws.ssm.getPatchBaselines`.
 */
export const MOCK_DEFAULT_BASELINES: { operatingSystem: string; baselineName: string; baselineId: string }[] = [
    { operatingSystem: "AMAZON_LINUX_2", baselineName: "AWS-AmazonLinux2DefaultPatchBaseline", baselineId: "pb-00fda5699d1ae3942" },
    { operatingSystem: "AMAZON_LINUX_2023", baselineName: "AWS-AmazonLinux2023DefaultPatchBaseline", baselineId: "pb-0be4fdf9cb953577d" },
    { operatingSystem: "REDHAT_ENTERPRISE_LINUX", baselineName: "AWS-RedHatDefaultPatchBaseline", baselineId: "pb-0adf5cb7136a2984d" },
    { operatingSystem: "UBUNTU", baselineName: "AWS-UbuntuDefaultPatchBaseline", baselineId: "pb-0ec96a11368349171" },
    { operatingSystem: "WINDOWS", baselineName: "AWS-DefaultPatchBaseline", baselineId: "pb-04ba050f612fba3a6" },
];

/**
 * The account the review pretends owns AWS's predefined baselines (a placeholder: the real owner
 * differs per Region and is only known at deploy time, which is why the review shows names).
 */
export const MOCK_AWS_BASELINE_OWNER = "111122223333";

/**
 * AWS-owned baselines as `DescribePatchBaselines` with `OWNER=AWS` lists them (ids are ARNs):
 * the predefined default of every operating system Patch Manager supports, plus the two extra
 * Windows baselines (user guide, "Predefined and custom patch baselines").
 */
export const MOCK_AWS_OWNED_BASELINES: { operatingSystem: string; baselineName: string }[] = [
    { operatingSystem: "ALMA_LINUX", baselineName: "AWS-AlmaLinuxDefaultPatchBaseline" },
    { operatingSystem: "AMAZON_LINUX", baselineName: "AWS-AmazonLinuxDefaultPatchBaseline" },
    { operatingSystem: "AMAZON_LINUX_2", baselineName: "AWS-AmazonLinux2DefaultPatchBaseline" },
    { operatingSystem: "AMAZON_LINUX_2023", baselineName: "AWS-AmazonLinux2023DefaultPatchBaseline" },
    { operatingSystem: "CENTOS", baselineName: "AWS-CentOSDefaultPatchBaseline" },
    { operatingSystem: "DEBIAN", baselineName: "AWS-DebianDefaultPatchBaseline" },
    { operatingSystem: "MACOS", baselineName: "AWS-MacOSDefaultPatchBaseline" },
    { operatingSystem: "ORACLE_LINUX", baselineName: "AWS-OracleLinuxDefaultPatchBaseline" },
    { operatingSystem: "RASPBIAN", baselineName: "AWS-RaspbianDefaultPatchBaseline" },
    { operatingSystem: "REDHAT_ENTERPRISE_LINUX", baselineName: "AWS-RedHatDefaultPatchBaseline" },
    { operatingSystem: "ROCKY_LINUX", baselineName: "AWS-RockyLinuxDefaultPatchBaseline" },
    { operatingSystem: "SUSE", baselineName: "AWS-SuseDefaultPatchBaseline" },
    { operatingSystem: "UBUNTU", baselineName: "AWS-UbuntuDefaultPatchBaseline" },
    { operatingSystem: "WINDOWS", baselineName: "AWS-DefaultPatchBaseline" },
    { operatingSystem: "WINDOWS", baselineName: "AWS-WindowsPredefinedPatchBaseline-OS" },
    { operatingSystem: "WINDOWS", baselineName: "AWS-WindowsPredefinedPatchBaseline-OS-Applications" },
];

function mockBaselines(inputs: Record<string, unknown>, region: string, partition: string) {
    if (inputs.defaultBaselines === true) {
        return MOCK_DEFAULT_BASELINES.map((b) => ({ ...b, baselineDescription: `Default patch baseline for ${b.operatingSystem}`, defaultBaseline: true }));
    }
    const filters = inputs.filters as { key: string; values: string[] }[] | undefined;
    if (filters?.length === 1 && filters[0].key === "OWNER" && filters[0].values.join() === "AWS") {
        return MOCK_AWS_OWNED_BASELINES.map((b, i) => ({
            ...b,
            baselineId: `arn:${partition}:ssm:${region}:${MOCK_AWS_BASELINE_OWNER}:patchbaseline/pb-0${String(i).padStart(16, "a")}`,
            baselineDescription: `Predefined ${b.operatingSystem} baseline provided by AWS`,
            defaultBaseline: false,
        }));
    }
    throw new Error("the mock engine only answers aws.ssm.getPatchBaselines({ defaultBaselines: true }) and ({ filters: [{ key: OWNER, values: [AWS] }] })");
}

/**
 * Every resource constructor captures its caller's source position for the engine: a full stack
 * trace (`Error.stackTraceLimit = Infinity`, then `new Error().stack`), which ts-node maps back
 * through source maps frame by frame. The mock engine discards source positions, and under ts-node
 * (the tests) capturing them took 40–45% of a review's time, so the mock engine skips it. A real
 * `pulumi up` never runs this.
 */
function skipSourcePositions(): void {
    (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
}

/** What the SDK's `debuggablePromise` tracks leaks in (@pulumi/pulumi/runtime/state.js). */
interface LeakStore {
    leakCandidates: Set<Promise<unknown>>;
}

/**
 * Two debugging aids of the SDK that the mock engine pays for on every registration and never
 * shows (profiled with `node --cpu-prof`, a prod review):
 * - every RPC promise is wrapped by `debuggablePromise`, which labels the promise with three
 *   properties (an id, its context and a stack trace captured with `new Error()`) for the leak
 *   report printed only with PULUMI_DEBUG_PROMISE_LEAKS, then tracks it in the store's leak
 *   candidates until it settles. Here, unless that variable is set, the promise is tracked and
 *   untracked exactly as the SDK does (so the SDK's exit check still fails a run that leaks one,
 *   tests/engine.leaks.test.ts) but not labelled: the labels were ~8% of a review's CPU and 8% of
 *   what a prod plan allocates (a cold prod review 1.86 → 1.79 s, alternating A/B). The first
 *   promise still goes through the SDK's own function, which installs that exit check.
 * - every RegisterResource answer is interpolated into a `log.debug` message
 *   (`resp: ${innerResponse}`) even when debug logging is off, which runs google-protobuf's
 *   `toString` over the whole response (~20% of a review's CPU): the mock monitor's answers get a
 *   short `toString` (see the monitor wrapper below).
 * Idempotent. A real `pulumi up` never runs this.
 */
function skipSdkDebugging(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>; debugPromiseLeaks: boolean; __unlabelled?: true };
    if (debuggable.__unlabelled || debuggable.debugPromiseLeaks) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): LeakStore };
    const original = debuggable.debuggablePromise;
    let exitCheckInstalled = false;
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
        if (!exitCheckInstalled) {
            exitCheckInstalled = true;
            return original(p, ctx);
        }
        const candidates = state.getStore().leakCandidates;
        candidates.add(p);
        return p.then(
            (value) => {
                candidates.delete(p);
                return value;
            },
            (err: { promise?: unknown }) => {
                candidates.delete(p);
                err.promise = p; // as the SDK does (a primitive rejection then throws a TypeError there too)
                throw err;
            },
        );
    };
    debuggable.__unlabelled = true;
}

/** What a mock monitor's answer prints as in the SDK's (discarded) debug messages. */
function shortResponse(this: { getUrn(): string }): string {
    return `RegisterResourceResponse ${this.getUrn()}`;
}

/** The result of evaluating a program under the mock engine. */
export interface MockRun<T> {
    resources: PlanResource[];
    result: T;
}

/**
 * Evaluates `program` under mocks with the given stack config and returns every registration.
 * Data sources the program may call are mocked here; any other call fails loudly, so a new data
 * source never passes silently.
 */
export async function runUnderMocks<T>(options: {
    project: string;
    stack: string;
    config: { values: Record<string, string>; secretKeys: string[] };
    env: MockEnvironment;
    preview?: boolean;
    program: () => T;
}): Promise<MockRun<T>> {
    const { env } = options;
    const resources: PlanResource[] = [];
    const mocks: pulumi.runtime.Mocks = {
        newResource: (args) => ({
            id: args.custom === false ? undefined : `${args.name}-id`,
            state: mockState(args.type, args.name, args.inputs, env),
        }),
        call: (args) => {
            const p = env.partition ?? "aws";
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: env.accountId, arn: `arn:${p}:iam::${env.accountId}:role/review`, userId: "AIDAREVIEW", id: env.accountId };
                case "aws:index/getRegion:getRegion":
                    return { name: env.region, region: env.region, id: env.region };
                case "aws:index/getPartition:getPartition":
                    return { partition: p, dnsSuffix: "amazonaws.com", id: p };
                case "aws:organizations/getOrganizationalUnitDescendantAccounts:getOrganizationalUnitDescendantAccounts":
                    // One placeholder account per OU, derived from its id (the real accounts are known at deployment).
                    return { id: args.inputs.parentId, parentId: args.inputs.parentId, accounts: [{ id: `9${String(parseInt(String(args.inputs.parentId).replace(/[^0-9a-f]/g, "").slice(-8) || "0", 16)).padStart(11, "0").slice(-11)}`, arn: "", email: "", name: "", status: "ACTIVE" }] };
                case "aws:ssm/getPatchBaselines:getPatchBaselines":
                    return { id: env.region, baselineIdentities: mockBaselines(args.inputs, (args.provider && /aws-(\w\w-\w+-\d)/.exec(args.provider)?.[1]) || env.region, p) };
                default:
                    throw new Error(`the mock engine does not know the data source ${args.token}; add it to review/engine.ts`);
            }
        },
    };
    skipSourcePositions();
    skipSdkDebugging();
    pulumi.runtime.setAllConfig(options.config.values, options.config.secretKeys);
    await pulumi.runtime.setMocks(mocks, options.project, options.stack, options.preview ?? false);

    const monitor = settings.getMonitor();
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        original(req, (err, resp) => {
            if (!err && resp) {
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps, key) => {
                    if (deps.getUrnsList().length > 0) propertyDependencies[key] = deps.getUrnsList();
                });
                resources.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || undefined,
                    custom: req.getCustom(),
                    inputs: maskInputs(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    options: {
                        protect: req.getProtect?.() || undefined,
                        provider: req.getProvider() || undefined,
                        dependsOn: req.getDependenciesList().length > 0 ? req.getDependenciesList() : undefined,
                        ignoreChanges: req.getIgnorechangesList?.().length ? req.getIgnorechangesList() : undefined,
                    },
                    propertyDependencies,
                });
            }
            if (resp) (resp as { toString(): string }).toString = shortResponse;
            cb(err, resp);
        });

    const result = options.program();
    await settings.waitForRPCs();
    // Registration order depends on promise timing; sort for stable plans and diffs.
    resources.sort((a, b) => a.urn.localeCompare(b.urn));
    return { resources, result };
}
