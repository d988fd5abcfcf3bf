/**
 * The first step of a review: read the stack file and validate it with the config model, before
 * the Pulumi SDK, a provider or the mock engine is loaded. An invalid config is answered from here
 * alone (`npm start` exits 1 in a fraction of a second); only a valid one goes on to
 * review/review.ts, which runs the program.
 *
 * Imports config/ and plain libraries only (no `@pulumi/*`): tests/startup.test.ts checks that
 * loading this module and rendering an invalid review pulls in no Pulumi package.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigIssue, ConfigValidationError, parseConfig, PatchingConfig } from "../config";
import { parseConfigValue, readStackFile, StackFileConfig, stackFileLoader } from "../config/source";
import type { Review, ReviewOptions } from "./review";

export const DEFAULT_ACCOUNT_ID = "123456789012";
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Reads the project name from `Pulumi.yaml`. */
export function projectName(projectDir: string): string {
    const doc = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: string };
    if (!doc?.name) throw new Error(`${projectDir}/Pulumi.yaml has no name`);
    return doc.name;
}

/** A stack file, read and validated: what the rest of the review starts from. */
export interface CheckedStack {
    options: ReviewOptions;
    projectDir: string;
    project: string;
    stack: string;
    configPath: string;
    region?: string;
    accountId: string;
    /** The stack file's values as the engine hands them to the program. */
    engineConfig: StackFileConfig;
    /** The policy configuration to apply, if any. */
    policyConfigPath?: string;
    /** The validated config, absent when it is invalid. */
    config?: PatchingConfig;
    /** Every config problem (empty when valid). */
    configErrors: ConfigIssue[];
}

/** Reads and validates a stack's config file; throws only when there is no such file. */
export function checkStack(options: ReviewOptions): CheckedStack {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const project = projectName(projectDir);
    const configPath = options.configPath ?? path.join(projectDir, `Pulumi.${options.stack}.yaml`);
    if (!fs.existsSync(configPath)) throw new Error(`no stack config file at ${configPath}`);
    const engineConfig = readStackFile(configPath);
    const preset = path.join(projectDir, "policies", "presets", `${options.stack}.json`);
    const checked: CheckedStack = {
        options,
        projectDir,
        project,
        stack: options.stack,
        configPath,
        region: engineConfig.values["aws:region"],
        accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
        engineConfig,
        policyConfigPath: options.policyConfigPath ?? (fs.existsSync(preset) ? preset : undefined),
        configErrors: [],
    };
    // The values exactly as program.ts reads them from the engine (config/source.ts readEngineConfig).
    const values = Object.fromEntries(Object.entries(engineConfig.values).map(([k, v]) => [k, parseConfigValue(v)]));
    try {
        checked.config = parseConfig(values, { project, stack: options.stack, loadStack: stackFileLoader(projectDir), now: options.now });
    } catch (err) {
        if (!(err instanceof ConfigValidationError)) throw err;
        checked.configErrors = err.issues;
    }
    return checked;
}

/** Which stack a review is of: the fields every review starts with, valid or not. */
export function reviewedStack(checked: CheckedStack): Pick<Review, "project" | "stack" | "configPath" | "region" | "accountId" | "policyConfigPath"> {
    return { project: checked.project, stack: checked.stack, configPath: checked.configPath, region: checked.region, accountId: checked.accountId, policyConfigPath: checked.policyConfigPath };
}

/** The review of a stack whose config is invalid: its problems, nothing planned. */
export function invalidReview(checked: CheckedStack, configErrors: ConfigIssue[] = checked.configErrors): Review {
    return {
        ...reviewedStack(checked),
        configErrors,
        resources: [],
        config: undefined,
        sections: [],
        policyResults: [],
    };
}
