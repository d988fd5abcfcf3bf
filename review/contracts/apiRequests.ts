/**
 * Every AWS API request a deployed resource makes on the program's behalf, as the request the
 * calling service sends, so it can be checked against the AWS SDK's model of the API
 * (review/contracts/sdkModel.ts):
 *
 * - Automation steps `aws:executeAwsApi`, `aws:waitForAwsResourceProperty`,
 *   `aws:assertAwsResourceProperty` (Systems Manager user guide, "Automation actions reference":
 *   `Service` is the boto3 client name, `Api` the operation, every other input a request member;
 *   `PropertySelector` and `DesiredValues` are the action's own), also inside `aws:loop` steps;
 * - EventBridge Scheduler universal targets `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`
 *   with the target's Input as the request (Scheduler user guide, "Using universal targets": the
 *   action in camelCase, the Input's members as the API names them);
 * - Step Functions tasks: AWS SDK integrations `arn:aws:states:::aws-sdk:<service>:<action>` (the
 *   action's first letter lowercase, parameters in PascalCase: Step Functions developer guide,
 *   "Integrating AWS services with the AWS SDK") and optimized integrations
 *   (`arn:aws:states:::lambda:invoke`, `…:states:startExecution.sync:2`, a Distributed Map's
 *   ItemReader `…:s3:getObject`), with `Parameters` (JSONPath) or `Arguments` (JSONata). A
 *   Distributed Map's ResultWriter (`…:s3:putObject` with `Bucket` and `Prefix`) is Step
 *   Functions' own shape, not a PutObject request, and is left to asl-validator.
 */
import { documentTree } from "../../core/automationDocument";
import type { PlanResource } from "../engine";

export type RequestKind = "automation" | "scheduler" | "stepfunctions";

/** One request as the calling service sends it. */
export interface ApiRequest {
    kind: RequestKind;
    /** Where it is: `<type> <name>` and the step, target or state. */
    where: string;
    /** The SDK's service name (boto3 client name / Step Functions' and Scheduler's service name). */
    service: string;
    /** The operation, as written (Scheduler and Step Functions: camelCase). */
    operation: string;
    input: Record<string, unknown>;
    /**
     * Members whose value Step Functions takes as JSON and serialises itself (`Input` of
     * `states:startExecution`: "a JSON object or a string", Step Functions developer guide,
     * "Start a new AWS Step Functions state machine from a running execution").
     */
    jsonMembers?: string[];
    /** Member names whose value is resolved at run time (Step Functions `Key.$` paths). */
    dynamic?: boolean;
    /** Members named in PascalCase whatever the API's protocol uses (Scheduler, Step Functions). */
    pascalCase?: boolean;
}

const API_ACTIONS = ["aws:executeAwsApi", "aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty"];
/** Inputs of these actions that are the action's own, not the API's (Automation actions reference). */
const ACTION_INPUTS = ["Service", "Api", "PropertySelector", "DesiredValues"];

interface Step {
    name?: string;
    action?: string;
    inputs?: Record<string, unknown>;
}

/** The API requests of an Automation document's steps (nested `aws:loop` steps included). */
export function automationRequests(where: string, content: string | Record<string, unknown>): ApiRequest[] {
    const doc = (typeof content === "string" ? documentTree(content) : content) as { mainSteps?: Step[] } | undefined;
    const out: ApiRequest[] = [];
    const visit = (steps: Step[] | undefined) => {
        for (const s of steps ?? []) {
            if (s.action === "aws:loop") visit(s.inputs?.Steps as Step[] | undefined);
            if (!API_ACTIONS.includes(String(s.action))) continue;
            const inputs = s.inputs ?? {};
            const input = Object.fromEntries(Object.entries(inputs).filter(([k]) => !ACTION_INPUTS.includes(k)));
            out.push({ kind: "automation", where: `${where} step ${s.name} (${inputs.Service}:${inputs.Api})`, service: String(inputs.Service), operation: String(inputs.Api), input });
        }
    };
    visit(doc?.mainSteps);
    return out;
}

const SCHEDULER_SDK = /^arn:[^:]+:scheduler:::aws-sdk:([^:]+):([^:]+)$/;
const STATES_SDK = /^arn:[^:]+:states:::aws-sdk:([^:]+):([^.]+)(\.waitForTaskToken)?$/;
const STATES_OPTIMIZED = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z]+)(\.sync(:2)?|\.waitForTaskToken)?$/;

/** Step Functions' service names of optimized integrations that differ from the SDK's. */
const OPTIMIZED_SERVICE: Record<string, string> = { states: "sfn" };
/** Members Step Functions serialises from JSON itself, per optimized integration. */
const OPTIMIZED_JSON_MEMBERS: Record<string, string[]> = { "sfn:startExecution": ["Input"] };

type State = Record<string, unknown> & { Type?: string; Resource?: string; Parameters?: unknown; Arguments?: unknown };

function stateRequest(resource: string, parameters: unknown, where: string): ApiRequest | undefined {
    const input = (parameters && typeof parameters === "object" ? parameters : {}) as Record<string, unknown>;
    const sdk = STATES_SDK.exec(resource);
    if (sdk) return { kind: "stepfunctions", where, service: sdk[1], operation: sdk[2], input, dynamic: true, pascalCase: true };
    const opt = STATES_OPTIMIZED.exec(resource);
    if (!opt) return undefined; // an activity or a Lambda function ARN: no API request shape
    const service = OPTIMIZED_SERVICE[opt[1]] ?? opt[1];
    return { kind: "stepfunctions", where, service, operation: opt[2], input, dynamic: true, pascalCase: true, jsonMembers: OPTIMIZED_JSON_MEMBERS[`${service}:${opt[2]}`] };
}

/** The API requests of a state machine's Task states (in Parallel branches and Map processors too) and Distributed Map ItemReaders. */
export function stateMachineRequests(where: string, definition: string | Record<string, unknown>): ApiRequest[] {
    const def = (typeof definition === "string" ? JSON.parse(definition) : definition) as { States?: Record<string, State> };
    const out: ApiRequest[] = [];
    const visit = (states: Record<string, State> | undefined, path: string) => {
        for (const [name, s] of Object.entries(states ?? {})) {
            const at = `${where} state ${path}${name}`;
            if (s.Type === "Task" && typeof s.Resource === "string") {
                const r = stateRequest(s.Resource, s.Parameters ?? s.Arguments, `${at} (${s.Resource})`);
                if (r) out.push(r);
            }
            const reader = s.ItemReader as { Resource?: string; Parameters?: unknown; Arguments?: unknown } | undefined;
            if (reader?.Resource) {
                const r = stateRequest(reader.Resource, reader.Parameters ?? reader.Arguments, `${at} ItemReader (${reader.Resource})`);
                if (r) out.push(r);
            }
            for (const [i, b] of ((s.Branches as { States?: Record<string, State> }[] | undefined) ?? []).entries()) visit(b.States, `${path}${name}.Branches[${i}].`);
            const processor = (s.ItemProcessor ?? s.Iterator) as { States?: Record<string, State> } | undefined;
            if (processor) visit(processor.States, `${path}${name}.ItemProcessor.`);
        }
    };
    visit(def.States, "");
    return out;
}

const label = (r: PlanResource) => `${r.type.split(":").pop()!.split("/").pop()} ${r.name}`;
const parseJson = (v: unknown): Record<string, unknown> | undefined => {
    if (v && typeof v === "object") return v as Record<string, unknown>;
    if (typeof v !== "string" || v === "") return undefined;
    try {
        return JSON.parse(v) as Record<string, unknown>;
    } catch {
        return undefined;
    }
};

/** Every API request the plan's documents, schedules and state machines make. */
export function planApiRequests(resources: PlanResource[]): ApiRequest[] {
    const out: ApiRequest[] = [];
    for (const r of resources.filter((x) => x.custom)) {
        if ((r.type === "aws:ssm/document:Document" || r.type === "aws-native:ssm:Document") && r.inputs.documentType === "Automation") {
            const content = r.inputs.content as string | Record<string, unknown>;
            out.push(...automationRequests(label(r), typeof content === "string" && r.inputs.documentFormat === "JSON" ? (JSON.parse(content) as Record<string, unknown>) : content));
        }
        if (r.type === "aws:scheduler/schedule:Schedule") {
            const target = r.inputs.target as { arn?: string; input?: string } | undefined;
            const sdk = SCHEDULER_SDK.exec(target?.arn ?? "");
            if (sdk) out.push({ kind: "scheduler", where: `${label(r)} target (${target!.arn})`, service: sdk[1], operation: sdk[2], input: parseJson(target!.input) ?? {}, pascalCase: true });
        }
        if (r.type === "aws:sfn/stateMachine:StateMachine" && typeof r.inputs.definition === "string") out.push(...stateMachineRequests(label(r), r.inputs.definition));
    }
    return out;
}

/**
 * How the calling service names the operation: Scheduler and Step Functions take the SDK action
 * with its first letter lowercased (`startAutomationExecution`); Automation takes either form.
 */
export function operationNamingProblem(r: ApiRequest): string | undefined {
    if (r.kind === "automation") return undefined;
    const first = r.operation.charAt(0);
    return first === first.toLowerCase() ? undefined : `${r.where}: ${r.kind === "scheduler" ? "Scheduler" : "Step Functions"} names the operation in camelCase (${first.toLowerCase()}${r.operation.slice(1)}), not ${r.operation}`;
}
