/**
 * Offline checks of Automation documents (schema 0.3) shipped as YAML in `documents/`: what the
 * service would reject at CreateDocument or fail at run time. Sources: Systems Manager user guide,
 * "Automation runbook syntax" (top-level keys, parameter types, step properties) and "Automation
 * actions reference" (built-in outputs); botocore SSM CreateDocument (content ≤ 64 KB, names).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { memo } from "./memo";

export interface AutomationStep {
    name: string;
    action: string;
    onFailure?: string;
    onCancel?: string;
    nextStep?: string;
    isEnd?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: { Name: string; Selector: string; Type: string }[];
    [key: string]: unknown;
}

export interface AutomationDocument {
    schemaVersion: string;
    description?: string;
    assumeRole?: string;
    parameters?: Record<string, { type: string; default?: unknown; allowedPattern?: string; allowedValues?: unknown[]; description?: string }>;
    mainSteps: AutomationStep[];
    outputs?: string[];
    [key: string]: unknown;
}

const ROOT = path.resolve(__dirname, "..");

/** The text of `documents/<file>` (what the program deploys as the document's content). */
export function documentContent(file: string): string {
    return fs.readFileSync(path.join(ROOT, "documents", file), "utf8");
}

export function parseDocument(content: string): AutomationDocument {
    return YAML.parse(content) as AutomationDocument;
}

/**
 * Freezes `value` and everything it holds. A primitive (and null) counts as frozen already, and an
 * object is frozen before what it holds, so a tree that reaches itself (YAML aliases) ends.
 */
function deepFreeze<T>(value: T): T {
    if (!Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value as object)) deepFreeze(v);
    }
    return value;
}

/** Parsed document contents by text (see {@link documentTree}). */
const trees = new Map<string, unknown>();

/**
 * A document's content (YAML, or JSON, which YAML reads alike) parsed once per text for the
 * process (core/memo.ts, bounded) and frozen throughout, so no reader can change what the next
 * one reads: each caller that needs another shape builds it. The review reads every document's
 * content in four places (the wiring proof, the API contract checks, two summaries), and the
 * wiring proof reads each StackSet template once per pair of roles it follows
 * (review/wiringEdges/roleChains.ts); the yaml package's parser was a twentieth of a cold dev
 * review's CPU and a tenth of what it allocated.
 * Content that is not valid YAML throws, every time (nothing is kept).
 */
export function documentTree(content: string): unknown {
    return memo(trees, content, () => deepFreeze(YAML.parse(content) as unknown), 256);
}

const TOP_LEVEL = ["schemaVersion", "description", "assumeRole", "parameters", "mainSteps", "outputs", "files"];
const PARAMETER_TYPES = ["String", "StringList", "Integer", "Boolean", "MapList", "StringMap"];
const STEP_NAME = /^[a-zA-Z0-9_]+$/;
/** Outputs an action provides without declaring them (Automation actions reference). */
const BUILT_IN_OUTPUTS: Record<string, string[]> = {
    "aws:runCommand": ["CommandId", "Status", "ResponseCode", "Output"],
    "aws:executeAutomation": ["Output", "ExecutionId", "Status"],
    "aws:executeScript": ["OutputPayload"],
};
/** Automation system variables (user guide, "Runbook variables"). */
const SYSTEM_VARIABLES = /^(automation:EXECUTION_ID|global:(ACCOUNT_ID|DATE|DATE_TIME|REGION|AWS_PARTITION))$/;

/** Every `{{ … }}` reference in a value, recursively. */
export function references(value: unknown): string[] {
    if (typeof value === "string") return [...value.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
    if (Array.isArray(value)) return value.flatMap(references);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(references);
    return [];
}

/** What is wrong with a document (empty: nothing found). */
export function documentProblems(doc: AutomationDocument, content?: string): string[] {
    const problems: string[] = [];
    if (content !== undefined && Buffer.byteLength(content) > 64 * 1024) problems.push("content exceeds 64 KB (CreateDocument)");
    if (doc.schemaVersion !== "0.3") problems.push(`schemaVersion must be "0.3" for Automation, got ${JSON.stringify(doc.schemaVersion)}`);
    for (const key of Object.keys(doc)) if (!TOP_LEVEL.includes(key)) problems.push(`unknown top-level key "${key}"; allowed: ${TOP_LEVEL.join(", ")}`);
    const params = doc.parameters ?? {};
    for (const [name, p] of Object.entries(params)) {
        if (!PARAMETER_TYPES.includes(p.type)) problems.push(`parameter ${name}: type ${p.type} is not one of ${PARAMETER_TYPES.join(", ")}`);
        if (p.default !== undefined) {
            const ok = p.type === "Boolean" ? typeof p.default === "boolean" : p.type === "Integer" ? Number.isInteger(p.default) : p.type === "String" ? typeof p.default === "string" : true;
            if (!ok) problems.push(`parameter ${name}: default ${JSON.stringify(p.default)} is not a ${p.type}`);
            if (typeof p.default === "string" && p.allowedPattern && !new RegExp(p.allowedPattern).test(p.default)) problems.push(`parameter ${name}: default ${JSON.stringify(p.default)} does not match its allowedPattern`);
        }
    }
    const steps = doc.mainSteps ?? [];
    if (steps.length === 0) problems.push("mainSteps is empty");
    const index = new Map<string, number>();
    steps.forEach((s, i) => {
        if (!STEP_NAME.test(s.name ?? "")) problems.push(`step ${i}: name ${JSON.stringify(s.name)} must match [a-zA-Z0-9_]+`);
        if (index.has(s.name)) problems.push(`step ${s.name}: duplicate step name`);
        index.set(s.name, i);
    });
    const target = (from: AutomationStep, field: string, value: unknown, allowed: string[]) => {
        if (value === undefined) return;
        const v = String(value);
        if (allowed.includes(v)) return;
        const m = /^step:(.+)$/.exec(v);
        const name = field === "nextStep" || field === "NextStep" || field === "Default" ? v : m?.[1];
        if (!name || !index.has(name)) problems.push(`step ${from.name}: ${field} ${JSON.stringify(v)} does not name a step${allowed.length ? ` (or ${allowed.join(", ")})` : ""}`);
    };
    const outputsOf = (s: AutomationStep) => [...(s.outputs ?? []).map((o) => o.Name), ...(BUILT_IN_OUTPUTS[s.action] ?? [])];
    const resolve = (where: string, ref: string, position: number) => {
        if (SYSTEM_VARIABLES.test(ref) || ref in params) return;
        const m = /^([a-zA-Z0-9_]+)\.([A-Za-z0-9_]+)$/.exec(ref);
        const step = m ? steps[index.get(m[1]) ?? -1] : undefined;
        if (!m || !step) problems.push(`${where}: {{ ${ref} }} is neither a parameter, a system variable nor a step output`);
        else if (!outputsOf(step).includes(m[2])) problems.push(`${where}: {{ ${ref} }}: step ${m[1]} has no output ${m[2]} (has ${outputsOf(step).join(", ") || "none"})`);
        else if (index.get(m[1])! >= position) problems.push(`${where}: {{ ${ref} }} refers to a later step`);
    };
    if (doc.assumeRole) for (const r of references(doc.assumeRole)) resolve("assumeRole", r, Infinity);
    steps.forEach((s, i) => {
        target(s, "onFailure", s.onFailure, ["Abort", "Continue"]);
        target(s, "onCancel", s.onCancel, ["Abort"]);
        target(s, "nextStep", s.nextStep, []);
        if (s.action === "aws:branch") {
            const inputs = (s.inputs ?? {}) as { Choices?: { NextStep?: string }[]; Default?: string };
            for (const c of inputs.Choices ?? []) target(s, "NextStep", c.NextStep, []);
            target(s, "Default", inputs.Default, []);
        }
        if (s.action === "aws:runCommand") {
            const inputs = s.inputs ?? {};
            if (!inputs.DocumentName) problems.push(`step ${s.name}: aws:runCommand needs DocumentName`);
            if (!inputs.InstanceIds && !inputs.Targets) problems.push(`step ${s.name}: aws:runCommand needs InstanceIds or Targets`);
        }
        if (s.action === "aws:executeAwsApi" || s.action === "aws:waitForAwsResourceProperty" || s.action === "aws:assertAwsResourceProperty") {
            if (!s.inputs?.Service || !s.inputs?.Api) problems.push(`step ${s.name}: ${s.action} needs Service and Api`);
        }
        for (const r of references(s.inputs)) resolve(`step ${s.name}`, r, i);
    });
    for (const o of doc.outputs ?? []) resolve("outputs", o, Infinity);
    return problems;
}
