/**
 * The offline review of one stack: load its stack file, run the program under the mock engine,
 * and collect what a reviewer needs (resources, config errors). Renderers and later checks
 * (policies, calendars) work on the {@link Review} this returns.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigIssue, ConfigValidationError, PatchingConfig } from "../config";
import { readStackFile, stackFileLoader } from "../config/source";
import { main } from "../program";
import { MockEnvironment, PlanResource, runUnderMocks } from "./engine";
import { proveWiring, WiringReport } from "./wiring";
import { wiringSection } from "./wiringSection";
import { PolicyResult, readPolicyConfig, runPolicies } from "./policies";
import { buildSections, ReviewSection } from "./sections";

export interface ReviewOptions {
    /** Stack name; also picks `Pulumi.<stack>.yaml` when `configPath` is not given. */
    stack: string;
    /** A stack config file to use instead of `Pulumi.<stack>.yaml`. */
    configPath?: string;
    /** Folder holding `Pulumi.yaml` and the stack files. @default the repository root */
    projectDir?: string;
    /** The account the mock engine pretends to deploy to. @default 123456789012 */
    accountId?: string;
    /** The moment schedules' next runs are computed from. @default now */
    now?: Date;
    /**
     * Policy configuration file (`--policy-pack-config` format). @default `policies/presets/<stack>.json`
     * when it exists, else the policies' own defaults
     */
    policyConfigPath?: string;
}

export interface Review {
    project: string;
    stack: string;
    configPath: string;
    region?: string;
    accountId: string;
    /** Every config problem; when non-empty nothing was registered. */
    configErrors: ConfigIssue[];
    resources: PlanResource[];
    /** The validated config (absent when it is invalid). */
    config?: PatchingConfig;
    /** Extra sections (schedules, calendars, …). */
    sections: ReviewSection[];
    /** Policy violations (empty when the config is invalid: nothing was planned). */
    policyResults: PolicyResult[];
    /** The policy configuration applied, if any. */
    policyConfigPath?: string;
    /** The wiring proof (review/wiring.ts); absent when the config is invalid. */
    wiring?: WiringReport;
}

export const DEFAULT_ACCOUNT_ID = "123456789012";
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Reads the project name from `Pulumi.yaml`. */
export function projectName(projectDir: string): string {
    const doc = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: string };
    if (!doc?.name) throw new Error(`${projectDir}/Pulumi.yaml has no name`);
    return doc.name;
}

export async function reviewStack(options: ReviewOptions): Promise<Review> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const project = projectName(projectDir);
    const configPath = options.configPath ?? path.join(projectDir, `Pulumi.${options.stack}.yaml`);
    if (!fs.existsSync(configPath)) throw new Error(`no stack config file at ${configPath}`);
    const config = readStackFile(configPath);
    const region = config.values["aws:region"];
    const env: MockEnvironment = { accountId: options.accountId ?? DEFAULT_ACCOUNT_ID, region: region ?? "us-east-1" };

    let configErrors: ConfigIssue[] = [];
    const run = await runUnderMocks<PatchingConfig | undefined>({
        project,
        stack: options.stack,
        config,
        env,
        program: () => {
            try {
                return main({ projectDir, now: options.now }).config;
            } catch (err) {
                if (err instanceof ConfigValidationError) {
                    configErrors = err.issues;
                    return undefined;
                }
                throw err;
            }
        },
    });
    const preset = path.join(projectDir, "policies", "presets", `${options.stack}.json`);
    const policyConfigPath = options.policyConfigPath ?? (fs.existsSync(preset) ? preset : undefined);
    const policyConfig = policyConfigPath ? readPolicyConfig(policyConfigPath) : {};
    const policyResults = run.result ? await runPolicies(run.resources, policyConfig) : [];
    const sections = run.result ? buildSections({ config: run.result, resources: run.resources, now: options.now ?? new Date(), loadStack: stackFileLoader(projectDir) }) : [];
    const wiring = run.result ? await proveWiring(run.resources, env) : undefined;
    if (wiring) sections.push(wiringSection(wiring));
    return {
        project,
        stack: options.stack,
        configPath,
        region,
        accountId: env.accountId,
        configErrors,
        resources: run.resources,
        config: run.result,
        sections,
        policyResults,
        policyConfigPath,
        wiring,
    };
}
