/**
 * Policies for the associations and maintenance-window tasks that scan and install patches:
 * schedules, blast radius, output and reboot behaviour.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { nextRuns, parseSchedule } from "../core/schedule";
import { configOf, isPatchDocument } from "./util";

type Params = Record<string, unknown> | undefined;

/**
 * Patch policies deploy their associations with @pulumi/aws-native (AWS::SSM::Association: it has
 * ScheduleOffset, which Patch Tuesday + N days needs); these policies check both providers' forms.
 */
const NATIVE_ASSOCIATION = "aws-native:ssm:Association";
type NativeAssociation = { name?: string; maxErrors?: string; parameters?: Record<string, string[]>; outputLocation?: { s3Location?: { outputS3BucketName?: string } } };
/** A validator for aws-native associations (no SDK class needed: matched by type token). */
function nativeAssociation(fn: (a: NativeAssociation, args: { name: string }, report: (m: string) => void) => void) {
    return (args: { type: string; name: string; props: Record<string, any> }, report: (m: string) => void) => {
        if (args.type === NATIVE_ASSOCIATION) fn(args.props as NativeAssociation, args, report);
    };
}
/** Reads a document parameter given as a string, a list of strings, or `[{ name, values }]`. */
function param(params: Params | { name: string; values: string[] }[], name: string): string | undefined {
    if (Array.isArray(params)) return params.find((p) => p.name === name)?.values?.[0];
    const v = params?.[name];
    return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}

/** The shortest gap between consecutive runs of a schedule, in hours (undefined for one-off). */
export function shortestIntervalHours(expression: string, timezone?: string, offsetDays?: number): number | undefined {
    const parsed = parseSchedule(expression);
    if (parsed.kind === "at") return undefined;
    if (parsed.kind === "rate") return parsed.minutes / 60;
    // A fixed reference start keeps the result deterministic; 60 runs cover every weekday pattern.
    const runs = nextRuns(expression, { from: new Date(Date.UTC(2030, 0, 1)), count: 60, timezone, offsetDays });
    let min = Infinity;
    for (let i = 1; i < runs.length; i++) min = Math.min(min, (runs[i].getTime() - runs[i - 1].getTime()) / 3600000);
    return Number.isFinite(min) ? min : undefined;
}

export interface InstallIntervalConfig {
    /** Installs may run at most once per this many hours. */
    minIntervalHours: number;
}
export const installScheduleMinInterval: StackValidationPolicy = {
    name: "install-schedule-min-interval",
    description: "Patch installs (which may reboot) run no more often than a minimum interval.",
    severity: "medium",
    enforcementLevel: "advisory",
    configSchema: { properties: { minIntervalHours: { type: "number", minimum: 0, default: 24 } } },
    validateStack: (args, report) => {
        const { minIntervalHours } = configOf<InstallIntervalConfig>(args, { minIntervalHours: 24 });
        const check = (urn: string, what: string, expression: unknown, tz?: unknown, offset?: unknown) => {
            if (typeof expression !== "string") return;
            let hours: number | undefined;
            try {
                hours = shortestIntervalHours(expression, typeof tz === "string" ? tz : undefined, typeof offset === "number" ? offset : undefined);
            } catch {
                return; // an invalid expression is the config model's business
            }
            if (hours !== undefined && hours < minIntervalHours) {
                report(`${what} installs patches every ${hours} hour(s) (${expression}); installs may reboot and must be at least ${minIntervalHours} hour(s) apart. Fix: schedule installs less often (e.g. weekly) and scan more often instead.`, urn);
            }
        };
        for (const r of args.resources) {
            if ((r.type === "aws:ssm/association:Association" || r.type === NATIVE_ASSOCIATION) && isPatchDocument(r.props.name) && param(r.props.parameters, "Operation") === "Install") {
                check(r.urn, `Association "${r.name}"`, r.props.scheduleExpression, undefined, r.props.scheduleOffset);
            }
            if (r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask") {
                const p = r.props.taskInvocationParameters?.runCommandParameters?.parameters ?? r.props.taskInvocationParameters?.automationParameters?.parameters;
                if (!isPatchDocument(r.props.taskArn) || param(p, "Operation") !== "Install") continue;
                const window = (r.propertyDependencies?.windowId ?? [])[0];
                if (window) check(r.urn, `MaintenanceWindowTask "${r.name}" (window "${window.name}")`, window.props.schedule, window.props.scheduleTimezone, window.props.scheduleOffset);
            }
        }
    },
};

export interface MaxErrorsConfig {
    /** Highest allowed percentage in a `N%` MaxErrors. */
    maxErrorsPercent: number;
    /** Highest allowed absolute MaxErrors. */
    maxErrorsCount: number;
}
function maxErrorsProblem(value: unknown, cfg: MaxErrorsConfig): string | undefined {
    if (value === undefined || value === null || value === "") return "no MaxErrors is set, so a failing patch keeps rolling out";
    const text = String(value);
    const pct = /^(\d+)%$/.exec(text);
    if (pct && Number(pct[1]) > cfg.maxErrorsPercent) return `MaxErrors ${text} lets more than ${cfg.maxErrorsPercent}% of targets fail before stopping`;
    if (!pct && Number(text) > cfg.maxErrorsCount) return `MaxErrors ${text} lets more than ${cfg.maxErrorsCount} targets fail before stopping`;
    return undefined;
}
const MAX_ERRORS_DEFAULTS: MaxErrorsConfig = { maxErrorsPercent: 25, maxErrorsCount: 10 };
export const patchMaxErrorsBounded: ResourceValidationPolicy = {
    name: "patch-max-errors-bounded",
    description: "Patch runs stop after a bounded number of failures (MaxErrors), so a bad patch does not reach the whole fleet.",
    severity: "high",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxErrorsPercent: { type: "integer", minimum: 0, maximum: 100, default: 25 },
            maxErrorsCount: { type: "integer", minimum: 0, default: 10 },
        },
    },
    validateResource: [
        validateResourceOfType(aws.ssm.Association, (a, args, report) => {
            if (!isPatchDocument(a.name)) return;
            const problem = maxErrorsProblem(a.maxErrors, configOf(args, MAX_ERRORS_DEFAULTS));
            if (problem) report(`Association "${args.name}" (${a.name}): ${problem}. Fix: set maxErrors to a small number or percentage (e.g. "5%" or "1").`);
        }),
        nativeAssociation((a, args, report) => {
            if (!isPatchDocument(a.name)) return;
            const problem = maxErrorsProblem(a.maxErrors, configOf(args as ResourceValidationArgs, MAX_ERRORS_DEFAULTS));
            if (problem) report(`Association "${args.name}" (${a.name}): ${problem}. Fix: set maxErrors to a small number or percentage (e.g. "5%" or "1").`);
        }),
        validateResourceOfType(aws.ssm.MaintenanceWindowTask, (t, args, report) => {
            if (!isPatchDocument(t.taskArn)) return;
            const problem = maxErrorsProblem(t.maxErrors, configOf(args, MAX_ERRORS_DEFAULTS));
            if (problem) report(`MaintenanceWindowTask "${args.name}" (${t.taskArn}): ${problem}. Fix: set maxErrors to a small number or percentage.`);
        }),
    ],
};

export const patchOutputRequired: ResourceValidationPolicy = {
    name: "patch-output-required",
    description: "Patch command output goes to S3 or CloudWatch Logs, so failures can be investigated after the fact.",
    severity: "medium",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.ssm.Association, (a, args, report) => {
            if (!isPatchDocument(a.name)) return;
            if (!a.outputLocation?.s3BucketName) report(`Association "${args.name}" (${a.name}) keeps no command output. Fix: set outputLocation.s3BucketName (and a key prefix).`);
        }),
        nativeAssociation((a, args, report) => {
            if (!isPatchDocument(a.name)) return;
            if (!a.outputLocation?.s3Location?.outputS3BucketName) report(`Association "${args.name}" (${a.name}) keeps no command output. Fix: set output.s3 on the patch policy (outputLocation.s3Location).`);
        }),
        validateResourceOfType(aws.ssm.MaintenanceWindowTask, (t, args, report) => {
            if (!isPatchDocument(t.taskArn) || t.taskType !== "RUN_COMMAND") return;
            const rc = t.taskInvocationParameters?.runCommandParameters;
            if (!rc?.outputS3Bucket && !rc?.cloudwatchConfig?.cloudwatchOutputEnabled) {
                report(`MaintenanceWindowTask "${args.name}" keeps no command output. Fix: set runCommandParameters.outputS3Bucket or cloudwatchConfig.cloudwatchOutputEnabled.`);
            }
        }),
    ],
};

export const patchRebootExplicit: ResourceValidationPolicy = {
    name: "patch-reboot-explicit",
    description: "Install operations say whether they may reboot (RebootOption), instead of relying on the document default.",
    severity: "medium",
    enforcementLevel: "advisory",
    validateResource: [
        validateResourceOfType(aws.ssm.Association, (a, args, report) => {
            if (!isPatchDocument(a.name) || param(a.parameters as Params, "Operation") !== "Install") return;
            if (!param(a.parameters as Params, "RebootOption")) report(`Association "${args.name}" installs patches without an explicit RebootOption. Fix: set parameters.RebootOption to RebootIfNeeded or NoReboot.`);
        }),
        nativeAssociation((a, args, report) => {
            if (!isPatchDocument(a.name) || param(a.parameters as Params, "Operation") !== "Install") return;
            if (!param(a.parameters as Params, "RebootOption")) report(`Association "${args.name}" installs patches without an explicit RebootOption. Fix: set parameters.RebootOption to RebootIfNeeded or NoReboot.`);
        }),
        validateResourceOfType(aws.ssm.MaintenanceWindowTask, (t, args, report) => {
            const p = t.taskInvocationParameters?.runCommandParameters?.parameters ?? t.taskInvocationParameters?.automationParameters?.parameters;
            if (!isPatchDocument(t.taskArn) || param(p as Params, "Operation") !== "Install") return;
            if (!param(p as Params, "RebootOption")) report(`MaintenanceWindowTask "${args.name}" installs patches without an explicit RebootOption. Fix: add the RebootOption parameter.`);
        }),
    ],
};

export interface CutoffConfig {
    /** Hours before the window ends after which no new task starts. */
    minCutoffHours: number;
}
export const windowCutoffMargin: ResourceValidationPolicy = {
    name: "window-cutoff-margin",
    description: "Maintenance windows stop starting new tasks at least an hour before they end, so reboots finish inside the window.",
    severity: "low",
    enforcementLevel: "advisory",
    configSchema: { properties: { minCutoffHours: { type: "integer", minimum: 0, maximum: 23, default: 1 } } },
    validateResource: validateResourceOfType(aws.ssm.MaintenanceWindow, (w, args, report) => {
        const { minCutoffHours } = configOf<CutoffConfig>(args, { minCutoffHours: 1 });
        if (Number(w.cutoff) < minCutoffHours) {
            report(`MaintenanceWindow "${args.name}" has cutoff ${w.cutoff}h: tasks may start until the window closes and reboot outside it. Fix: set cutoff to at least ${minCutoffHours} (and below duration ${w.duration}).`);
        }
    }),
};

export const operationPolicies = [installScheduleMinInterval, patchMaxErrorsBounded, patchOutputRequired, patchRebootExplicit, windowCutoffMargin];
