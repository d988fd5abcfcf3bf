/** Policies for Lambda functions: supported runtime, log retention, no secrets in environment. */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { configOf } from "./util";

export interface RuntimeConfig {
    /** Runtimes accepted. */
    allowedRuntimes: string[];
}
export const DEFAULT_RUNTIMES = ["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "python3.14"];
export const lambdaCurrentRuntime: ResourceValidationPolicy = {
    name: "lambda-current-runtime",
    description: "Lambda functions use a current, supported runtime.",
    severity: "medium",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowedRuntimes: { type: "array", items: { type: "string" }, default: DEFAULT_RUNTIMES } } },
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
        const { allowedRuntimes } = configOf<RuntimeConfig>(args, { allowedRuntimes: DEFAULT_RUNTIMES });
        if (!allowedRuntimes.includes(String(fn.runtime))) {
            report(`Function "${args.name}" uses runtime ${fn.runtime ?? "(none)"}. Fix: use one of ${allowedRuntimes.join(", ")}.`);
        }
    }),
};

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)/i;
const SECRET_VALUE = /^(AKIA|ASIA)[A-Z0-9]{16}$|-----BEGIN [A-Z ]*PRIVATE KEY-----/;
export const lambdaNoSecretsInEnvironment: ResourceValidationPolicy = {
    name: "lambda-no-secrets-in-environment",
    description: "Lambda environment variables hold no secrets (names like *_SECRET/*_TOKEN/*PASSWORD*, AWS access keys, private keys); use Secrets Manager or SSM SecureString.",
    severity: "critical",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
        const vars = (fn.environment?.variables ?? {}) as Record<string, unknown>;
        for (const [k, v] of Object.entries(vars)) {
            if (SECRET_NAME.test(k) || (typeof v === "string" && SECRET_VALUE.test(v))) {
                report(`Function "${args.name}": environment variable ${k} looks like a secret. Fix: store it in Secrets Manager or an SSM SecureString parameter and read it at run time.`);
            }
        }
    }),
};

export const lambdaLogRetention: StackValidationPolicy = {
    name: "lambda-log-retention",
    description: "Every Lambda function logs to a log group of this stack with a retention period (Lambda's own log groups never expire).",
    severity: "medium",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const groups = args.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
        for (const fn of args.resources.filter((r) => r.type === "aws:lambda/function:Function")) {
            const name = fn.props.loggingConfig?.logGroup ?? (typeof fn.props.name === "string" ? `/aws/lambda/${fn.props.name}` : undefined);
            const group =
                groups.find((g) => (fn.propertyDependencies?.loggingConfig ?? []).some((d) => d.urn === g.urn)) ?? groups.find((g) => name !== undefined && g.props.name === name);
            if (!group) report(`Function "${fn.name}" has no log group in this stack, so Lambda creates one that keeps logs forever. Fix: create /aws/lambda/<name> with retentionInDays and set loggingConfig.logGroup.`, fn.urn);
            else if (!group.props.retentionInDays) report(`Function "${fn.name}": log group ${group.props.name} has no retention. Fix: set retentionInDays (e.g. 30).`, group.urn);
        }
    },
};

export const lambdaPolicies = [lambdaCurrentRuntime, lambdaNoSecretsInEnvironment, lambdaLogRetention];
