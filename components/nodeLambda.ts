import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
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
        minify: true,
        legalComments: "none",
        logLevel: "silent",
    };
}

/**
 * Bundles a TypeScript handler with esbuild (at program time): one file, AWS SDK v3 included so
 * the code runs against the SDK versions in package-lock.json, not whatever the runtime happens to
 * ship. Cached per entry within a run, and across runs in `.build/lambda/` by the content of every
 * input (scripts/bundle-cache.js): a review or `pulumi preview` with unchanged handlers does not
 * rebuild them. Where the cache cannot be written, the bundle is built in memory as before.
 */
export function bundleLambda(entry: string): LambdaBundle {
    const cached = bundles.get(entry);
    if (cached) return cached;
    const options = lambdaBuildOptions(entry);
    let code: string;
    try {
        // Loaded lazily: only programs that deploy a Lambda pay for esbuild.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { cachedBundle } = require("../scripts/bundle-cache.js") as typeof import("../scripts/bundle-cache");
        const name = entry.replace(/\.[cm]?[jt]s$/, "").replace(/[^A-Za-z0-9_-]+/g, "-");
        code = cachedBundle({ root: ROOT, cacheDir: path.join(ROOT, ".build", "lambda"), name, options, readCode: true }).code!;
    } catch (err) {
        if ((err as { errors?: unknown[] }).errors) throw err; // a build error: building again would fail the same way
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const esbuild = require("esbuild") as typeof import("esbuild");
        code = esbuild.buildSync({ ...options, write: false }).outputFiles[0].text;
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
