/**
 * API contracts from the AWS SDK's own models. Each `@aws-sdk/client-*` package ships the Smithy
 * schema of every operation (exported as `<Operation>$`, an operation schema whose input is a
 * structure schema: member names, member schemas, and the count of required members, which come
 * first). `@smithy/core/schema`'s NormalizedSchema walks them. Nothing here restates a shape.
 *
 * Enums: the schemas carry string enums as plain strings; the client exports each enum as an
 * object of its values, named after the shape. Where a member's name equals an exported enum's
 * name (e.g. EC2 `ResourceType`, `CopyTagsFromSource`) its value is checked against it.
 */
import { NormalizedSchema } from "@smithy/core/schema";

/** Automation's / Scheduler's service namespaces (boto3 client names) → SDK package. */
const PACKAGES: Record<string, string> = {
    ec2: "@aws-sdk/client-ec2",
    ssm: "@aws-sdk/client-ssm",
    s3: "@aws-sdk/client-s3",
    sns: "@aws-sdk/client-sns",
    sts: "@aws-sdk/client-sts",
    logs: "@aws-sdk/client-cloudwatch-logs",
    "resource-groups": "@aws-sdk/client-resource-groups",
    lambda: "@aws-sdk/client-lambda",
    sfn: "@aws-sdk/client-sfn",
    scheduler: "@aws-sdk/client-scheduler",
    "resource-groups-tagging-api": "@aws-sdk/client-resource-groups-tagging-api",
};

/** How a request names its members beyond the SDK's own names. */
export interface RequestOptions {
    /** Step Functions: a member `Name.$` is `Name` with a value resolved at run time (a path). */
    dynamic?: boolean;
    /** Top-level members the calling service takes as JSON and serialises itself (Step Functions `Input`). */
    jsonMembers?: string[];
    /**
     * Step Functions and Scheduler name every member in PascalCase, whatever case the API's own
     * protocol uses (SFN's JSON 1.0 `stateMachineArn` is `StateMachineArn` in a task's Parameters).
     */
    pascalCase?: boolean;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

type SdkModule = Record<string, unknown>;
const modules = new Map<string, SdkModule>();

// eslint-disable-next-line @typescript-eslint/no-require-imports
const keptModels = require("../../scripts/sdk-models") as { loadModel(pkg: string): SdkModule | undefined; saveModel(pkg: string, mod: SdkModule): void };

/**
 * A client's operation schemas and enums: from the copy kept in `.build/sdk-models/` when it
 * matches the installed client (scripts/sdk-models.js: the same graph, without loading the
 * client's 0.1–2 MB of code), else from the client itself, then kept for the next run.
 */
function loadClient(pkg: string): SdkModule {
    const kept = modelSource === "kept" ? keptModels.loadModel(pkg) : undefined;
    if (kept) return kept;
    const mod = require(pkg) as SdkModule; // eslint-disable-line @typescript-eslint/no-require-imports
    try {
        keptModels.saveModel(pkg, mod);
    } catch {
        // a read-only checkout: the next run loads the client again
    }
    return mod;
}

let modelSource: "kept" | "clients" = "kept";

/** Where the models come from from now on: the kept copies (default) or the clients themselves (tests compare the two). */
export function useSdkModels(source: "kept" | "clients"): void {
    modelSource = source;
    modules.clear();
}

function sdk(service: string): SdkModule | undefined {
    const pkg = PACKAGES[service.toLowerCase()];
    if (!pkg) return undefined;
    if (!modules.has(pkg)) modules.set(pkg, loadClient(pkg));
    return modules.get(pkg);
}

/** `startAutomationExecution` (Scheduler's camelCase) and `StartAutomationExecution` both name the operation. */
const operationName = (api: string) => api.charAt(0).toUpperCase() + api.slice(1);

/** The input structure of `service`.`api`, or why there is none. */
export function operationInput(service: string, api: string): NormalizedSchema | string {
    const mod = sdk(service);
    if (!mod) return `no @aws-sdk client model for service "${service}" (add the package to PACKAGES in review/contracts/sdkModel.ts)`;
    const op = mod[`${operationName(api)}$`] as unknown[] | undefined;
    if (!Array.isArray(op) || op[0] !== 9) return `${service} has no operation ${api}`;
    return NormalizedSchema.of((op[4] as () => never)());
}

/** The member names a structure requires (Smithy @required: the first N members). */
export function requiredMembers(schema: NormalizedSchema): string[] {
    const raw = schema.getSchema() as unknown as unknown[];
    const names = raw[4] as string[];
    const count = typeof raw[6] === "number" ? raw[6] : 0;
    return names.slice(0, count);
}

/** A value Automation or Scheduler fills in at run time: its type is not known here. */
const templated = (v: unknown) => typeof v === "string" && /^\s*(\{\{[^}]+\}\}|<aws\.scheduler\.[^>]+>)\s*$/.test(v);

function enumValues(service: string, memberName: string): string[] | undefined {
    const mod = sdk(service)!;
    for (const name of [memberName, `${memberName}Enum`]) {
        const e = mod[name];
        if (e && typeof e === "object" && !Array.isArray(e) && Object.values(e).length > 0 && Object.values(e).every((v) => typeof v === "string")) return Object.values(e) as string[];
    }
    return undefined;
}

function check(service: string, schema: NormalizedSchema, value: unknown, where: string, memberName: string, problems: string[], options: RequestOptions = {}, top = false): void {
    if (value === undefined || templated(value)) return;
    if (schema.isStructSchema() || schema.isUnionSchema()) {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${where}: expected a structure (${schema.getName() ?? memberName}), got ${JSON.stringify(value)}`);
            return;
        }
        const sdkMembers = schema.getMemberSchemas();
        const members = options.pascalCase ? Object.fromEntries(Object.entries(sdkMembers).map(([k, m]) => [pascal(k), m])) : sdkMembers;
        const names: string[] = [];
        for (const [key, v] of Object.entries(value)) {
            const path = options.dynamic === true && key.endsWith(".$");
            const k = path ? key.slice(0, -2) : key;
            names.push(k);
            if (!(k in members)) problems.push(`${where}: ${schema.getName() ?? memberName} has no member ${k} (members: ${Object.keys(members).join(", ")})`);
            else if (path) continue;
            else if (top && options.jsonMembers?.includes(k) && members[k].isStringSchema() && v !== null && typeof v === "object") continue; // serialised by the caller
            else check(service, members[k], v, `${where}.${k}`, k, problems, options);
        }
        if (schema.isStructSchema()) {
            for (const r of requiredMembers(schema).map((m) => (options.pascalCase ? pascal(m) : m))) if (!names.includes(r)) problems.push(`${where}: required member ${r} is missing`);
        }
        return;
    }
    if (schema.isListSchema()) {
        if (!Array.isArray(value)) problems.push(`${where}: expected a list, got ${JSON.stringify(value)}`);
        else value.forEach((v, i) => check(service, schema.getValueSchema(), v, `${where}[${i}]`, memberName, problems, options));
        return;
    }
    if (schema.isMapSchema()) {
        if (value === null || typeof value !== "object" || Array.isArray(value)) problems.push(`${where}: expected a map, got ${JSON.stringify(value)}`);
        else for (const [k, v] of Object.entries(value)) check(service, schema.getValueSchema(), v, `${where}.${k}`, memberName, problems, options);
        return;
    }
    if (schema.isBooleanSchema()) {
        if (typeof value !== "boolean") problems.push(`${where}: expected a boolean, got ${JSON.stringify(value)}`);
        return;
    }
    if (schema.isNumericSchema()) {
        if (typeof value !== "number") problems.push(`${where}: expected a number, got ${JSON.stringify(value)}`);
        return;
    }
    if (schema.isStringSchema()) {
        if (typeof value !== "string") {
            problems.push(`${where}: expected a string, got ${JSON.stringify(value)}`);
            return;
        }
        const allowed = enumValues(service, memberName);
        if (allowed && !value.includes("{{") && !allowed.includes(value)) problems.push(`${where}: "${value}" is not one of ${allowed.join(", ")}`);
    }
}

/** What is wrong with `input` as the request of `service`.`api` (empty: it matches the SDK model). */
export function requestProblems(service: string, api: string, input: Record<string, unknown>, where = `${service}:${api}`, options: RequestOptions = {}): string[] {
    const schema = operationInput(service, api);
    if (typeof schema === "string") return [`${where}: ${schema}`];
    const problems: string[] = [];
    check(service, schema, input, where, api, problems, options, true);
    return problems;
}
