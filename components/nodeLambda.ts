import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { BuildOptions } from "esbuild";
import { lambdaLogGroupName } from "../config/resourceNames";

/** The Node.js runtime every Lambda of this program uses (current LTS on Lambda). */
export const LAMBDA_RUNTIME = aws.lambda.Runtime.NodeJS24dX;
/** Repository root: Lambda entries are given relative to it (e.g. `lambda/remediate.ts`). */
const ROOT = path.resolve(__dirname, "..");

/** A Lambda bundle: one minified CommonJS file, and its digest for change detection. */
export interface LambdaBundle {
    code: string;
    sha256: string;
    bytes: number;
}

const bundles = new Map<string, LambdaBundle>();

/** esbuild options of a Lambda bundle (see {@link bundleLambda}). */
function lambdaBuildOptions(entry: string): BuildOptions {
    return {
        entryPoints: [path.resolve(ROOT, entry)],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        // Prefer the packages' ES module builds: esbuild can then drop unused code, which halves
        // bundles with large SDK clients (EC2: ~1.5 MB → ~0.9 MB) and their cold-start require time.
        mainFields: ["module", "main"],
        // Not minified here: the second pass (shakeSdkSchemas, then minify) reads the module
        // markers (`// node_modules/…`) of this output.
        minify: false,
        legalComments: "none",
        logLevel: "silent",
    };
}

/** Version of the second pass: part of its cache key, bump when {@link shakeSdkSchemas} changes. */
const SHAKE_VERSION = 1;

/** A module marker of esbuild's unminified output that starts an AWS SDK client's generated schema module. */
const SCHEMA_MODULE = /^\/\/ \S*node_modules\/@aws-sdk\/[^/\s]+\/dist-es\/schemas\/schemas_\d+\.js\n/;

/**
 * Makes the AWS SDK's generated schemas removable when unused. An SDK v3 client's
 * `schemas/schemas_0.js` declares one schema per shape of its service (EC2: 3,400, 1.3 MB), and
 * the client itself imports the module; esbuild drops a declaration nobody uses only when it has
 * no side effects, and it counts a computed object key (`{ [_xN]: _TSa }`, the SDK's shape
 * traits) as one. So the whole graph stayed: EC2 alone was 547 KiB of every bundle using it.
 * Here each such key, where `_xN` is a string constant declared exactly once in the bundle
 * (`var _xN = "xmlName"`), becomes its literal (`{ "xmlName": _TSa }`): the same object, now
 * pure. Only inside the schema modules (by esbuild's module markers). It also replaces the
 * module-path names of esbuild's lazy-module wrappers (`__esm({ "node_modules/…"() {…} })`,
 * the name only labels the function) by short ones, as a minified build does.
 */
export function shakeSdkSchemas(code: string): { code: string; keysMadeLiteral: number } {
    const value = new Map<string, string>();
    const declarations = new Map<string, number>();
    for (const m of code.matchAll(/(?:^|[\s,;])(?:var|let|const)\s+(_[A-Za-z0-9_$]*)\s*=\s*("(?:[^"\\\n]|\\.)*")\s*[;,]/gm)) value.set(m[1], m[2]);
    for (const m of code.matchAll(/\b(?:var|let|const)\s+(_[A-Za-z0-9_$]*)\b/g)) declarations.set(m[1], (declarations.get(m[1]) ?? 0) + 1);
    let keysMadeLiteral = 0;
    const literal = (whole: string, id: string) => {
        const v = value.get(id);
        if (v === undefined || declarations.get(id) !== 1) return whole;
        keysMadeLiteral++;
        return `${v}:`;
    };
    const modules = code.split(/^(?=\/\/ \S+$)/m).map((m) => (SCHEMA_MODULE.test(m) ? m.replace(/\[(_[A-Za-z0-9_$]*)\]:/g, literal) : m));
    let wrapper = 0;
    const out = modules.join("").replace(/(__(?:esm|commonJS)\(\{\s*)"[^"\n]+"/g, (_w, head: string) => `${head}"m${wrapper++}"`);
    return { code: out, keysMadeLiteral };
}

/** The second pass: {@link shakeSdkSchemas}, then esbuild drops what is unused and minifies. */
function shakeAndMinify(code: string, esbuild: typeof import("esbuild")): string {
    return esbuild.buildSync({
        stdin: { contents: shakeSdkSchemas(code).code, loader: "js", sourcefile: "index.js" },
        bundle: false,
        treeShaking: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        legalComments: "none",
        logLevel: "silent",
        write: false,
    }).outputFiles[0].text;
}

/**
 * The second pass, cached next to the first pass's bundle by the digest of its input (the first
 * pass's SHA-256, recorded by the bundle cache: an unchanged first pass is not even read), the
 * pass's version and esbuild's.
 */
function cachedShake(firstPass: { file: string; sha256: string }, cacheDir: string, name: string): string {
    // esbuild's version from its package.json: esbuild itself is loaded only to build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuildVersion = (require("esbuild/package.json") as { version: string }).version;
    const digest = crypto.createHash("sha256").update(`${SHAKE_VERSION}:${esbuildVersion}:${firstPass.sha256}`).digest("hex").slice(0, 16);
    const file = path.join(cacheDir, `${name}.min.${digest}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const code = shakeAndMinify(fs.readFileSync(firstPass.file, "utf8"), require("esbuild") as typeof import("esbuild"));
        try {
            for (const old of fs.readdirSync(cacheDir)) if (old.startsWith(`${name}.min.`)) fs.rmSync(path.join(cacheDir, old), { force: true });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, code);
            fs.renameSync(tmp, file);
        } catch {
            // an unwritable cache: the bundle is still returned
        }
        return code;
    }
}

/**
 * Bundles a TypeScript handler with esbuild (at program time): one file, AWS SDK v3 included so
 * the code runs against the SDK versions in package-lock.json, not whatever the runtime happens to
 * ship. Two passes: the bundle, then {@link shakeSdkSchemas} and a minifying pass that drops the
 * SDK schemas the handler never uses (the EC2 client: 547 → ~30 KiB). Cached per entry within a run, and across runs in `.build/lambda/` by the content of every
 * input (scripts/bundle-cache.js): a review or `pulumi preview` with unchanged handlers does not
 * rebuild them. Where the cache cannot be written, the bundle is built in memory as before.
 */
export function bundleLambda(entry: string): LambdaBundle {
    const cached = bundles.get(entry);
    if (cached) return cached;
    const options = lambdaBuildOptions(entry);
    const cacheDir = path.join(ROOT, ".build", "lambda");
    const name = entry.replace(/\.[cm]?[jt]s$/, "").replace(/[^A-Za-z0-9_-]+/g, "-");
    let code: string;
    try {
        // Loaded lazily: only programs that deploy a Lambda pay for esbuild.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { cachedBundle } = require("../scripts/bundle-cache.js") as typeof import("../scripts/bundle-cache");
        code = cachedShake(cachedBundle({ root: ROOT, cacheDir, name, options }), cacheDir, name);
    } catch (err) {
        if ((err as { errors?: unknown[] }).errors) throw err; // a build error: building again would fail the same way
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const esbuild = require("esbuild") as typeof import("esbuild");
        code = shakeAndMinify(esbuild.buildSync({ ...options, write: false }).outputFiles[0].text, esbuild);
    }
    const bundle = { code, sha256: crypto.createHash("sha256").update(code).digest("hex"), bytes: Buffer.byteLength(code) };
    bundles.set(entry, bundle);
    return bundle;
}

/** Arguments of {@link NodeLambda}. */
export interface NodeLambdaArgs {
    /** Handler source relative to the repository root, exporting `handler` (e.g. `lambda/remediate.ts`). */
    entry: string;
    /** Function name in AWS (≤ 64 chars, `[a-zA-Z0-9-_]`); also names the log group. */
    functionName: string;
    /** What the function does (shown in the console). */
    description: string;
    /** The function's own permissions; log writing to its log group is added. No `*` actions. */
    statements: pulumi.Input<aws.iam.PolicyStatement[]>;
    /** Environment variables (no secrets: the policy pack rejects secret-looking names). */
    environment?: Record<string, pulumi.Input<string>>;
    /** A fixed name for the function's role, when another account's trust policy names it. @default generated */
    roleName?: string;
    /** @default 60 */
    timeoutSeconds?: number;
    /** @default 256 */
    memorySizeMb?: number;
    /** Retention of the function's log group in days. @default 30 */
    logRetentionDays?: number;
    /** Tags for the function, role and log group. */
    tags: Record<string, string>;
}

/**
 * A Node.js Lambda function bundled from `lambda/`, arm64, with its own least-privilege role and
 * a log group with retention created before the function (so Lambda never creates one without).
 */
export class NodeLambda extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly bundle: LambdaBundle;

    constructor(name: string, args: NodeLambdaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:lambda:NodeLambda", name, {}, opts);
        this.bundle = bundleLambda(args.entry);

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: lambdaLogGroupName(args.functionName), retentionInDays: args.logRetentionDays ?? 30, tags: args.tags },
            { parent: this },
        );

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                ...(args.roleName ? { name: args.roleName } : {}),
                description: `Execution role of the ${args.functionName} Lambda function`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags: args.tags,
            },
            { parent: this },
        );

        new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: this.role.id,
                policy: pulumi.output(args.statements).apply((statements) =>
                    pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            ...statements,
                            {
                                Sid: "WriteOwnLogs",
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                                Resource: pulumi.interpolate`${this.logGroup.arn}:*`,
                            },
                        ],
                    }),
                ),
            },
            { parent: this },
        );

        this.function = new aws.lambda.Function(
            name,
            {
                name: args.functionName,
                description: args.description,
                runtime: LAMBDA_RUNTIME,
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(this.bundle.code) }),
                sourceCodeHash: this.bundle.sha256,
                role: this.role.arn,
                timeout: args.timeoutSeconds ?? 60,
                memorySize: args.memorySizeMb ?? 256,
                environment: args.environment ? { variables: args.environment } : undefined,
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
                tags: args.tags,
            },
            { parent: this, dependsOn: [this.logGroup] },
        );

        this.registerOutputs({ functionArn: this.function.arn, roleArn: this.role.arn });
    }
}
