/**
 * The stacks every plan-wide proof runs over (the wiring proof, the IAM and API contract checks):
 * the shipped stack files, the example a newcomer copies, and every fixture that is a stack file
 * (a fixture whose config is invalid plans nothing, and is kept: it proves nothing slips through).
 */
import * as fs from "fs";
import * as path from "path";
import { parseStackYaml, readStackFile } from "../../config/source";
import { StackFileError } from "../../config/issues";
import { PlanResource, runUnderMocks } from "../../review/engine";
import { main } from "../../program";
import { expect } from "chai";
import type { Review } from "../../review/review";
import { ACCOUNT, cachedReview, REGION, ROOT } from "../harness";
import { planKey, sharedPlan } from "./sharedPlans";

/** Fixtures of broken YAML (a duplicate key, a syntax error) are not stacks: the config tests cover them. */
function isYamlStackFile(file: string): boolean {
    try {
        parseStackYaml(file, fs.readFileSync(file, "utf8"));
        return true;
    } catch (err) {
        if (err instanceof StackFileError) return false;
        throw err;
    }
}

const stackFiles = (dir: string, prefix: string): [string, string][] =>
    fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => f.endsWith(".yaml") && f !== "invalid.yaml" && isYamlStackFile(path.join(ROOT, dir, f)))
        .map((f): [string, string] => [`${prefix}-${f.replace(/\.yaml$/, "")}`, path.join(ROOT, dir, f)]);

/** `[stack name, config file]` of every stack the proofs run over. */
export const STACKS: [string, string][] = [
    ["dev", path.join(ROOT, "Pulumi.dev.yaml")],
    ["prod", path.join(ROOT, "Pulumi.prod.yaml")],
    ["member-example", path.join(ROOT, "Pulumi.member-example.yaml")],
    ...stackFiles("examples", "example"),
    ...stackFiles(path.join("tests", "fixtures"), "fixture"),
];

type Values = Record<string, any>;
const edit = (values: Record<string, string>, key: string, change: (v: any) => void) => {
    const v = JSON.parse(values[key]);
    change(v);
    values[key] = JSON.stringify(v);
};
/** Promoted baselines approve by date (the promotion Lambda moves it). */
const approveByDate = (values: Record<string, string>, baseline: string, tags?: Record<string, string>) =>
    edit(values, "patching:baselines", (bs: Values[]) => {
        const b = bs.find((x) => x.name === baseline)!;
        if (tags) b.tags = tags;
        for (const r of b.approvalRules) {
            delete r.approveAfterDays;
            r.approveUntilDate = "2026-01-01";
        }
    });

/**
 * Variants of prod that switch on what no stack file does (approvers, date promotion read from
 * another account or this one, volume growth of untagged and encrypted volumes, resource-group
 * targets, install override lists, hybrid nodes, tagged baselines, Automation window tasks), so
 * the plan-wide checks see every policy the components can write.
 */
export const PROD_VARIANTS: Record<string, (values: Record<string, string>) => void> = {
    "approvers, cross-account date promotion, volume growth, window runbook, hybrid nodes": (values) => {
        approveByDate(values, "prod-amazon-linux-2023");
        edit(values, "patching:changeSafety", (cs) => {
            cs.approvalGate.approvers = { principals: [`arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:role/BreakGlass`], identityCenterPermissionSets: ["PatchApprover"], requireMfa: true, twoPersonRule: true, requesters: { principals: [`arn:aws:iam::${ACCOUNT}:user/bob`, `arn:aws:iam::${ACCOUNT}:role/OnCall`] } };
            cs.promotion = { after: "dev", minDaysAfter: 7, strategy: "approvalDate", source: { patchGroups: ["dev"], readRoleArn: "arn:aws:iam::210987654321:role/dev-read" }, approvalDate: { baselines: ["prod-amazon-linux-2023"] } };
        });
        edit(values, "patching:patchOrchestrators", (os) => {
            os[0].preflight.volumeExpansion.untaggedVolumes = true;
            os[0].ebsKmsKeyArns = [`arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`];
            os[0].targets.resourceGroup = "prod-batch";
        });
        edit(values, "patching:patchPolicies", (ps) => {
            ps[0].install.installOverrideList = "s3://override-lists/prod/override.yaml";
            ps[0].instancePermissions = { isPolicyAttachAllowed: true };
            ps[0].hybrid = {};
        });
        edit(values, "patching:maintenanceWindows", (ws) => {
            ws[0].tasks.push({
                name: "restart",
                type: "AUTOMATION",
                priority: 2,
                maxConcurrency: "1",
                maxErrors: "0",
                automation: { documentName: "AWS-RestartEC2Instance", assumeRoleArn: `arn:aws:iam::${ACCOUNT}:role/restart-role`, parameters: { InstanceId: ["{{RESOURCE_ID}}"] } },
            });
        });
    },
    "same-account date promotion, tagged baselines, resource-group patch policy": (values) => {
        approveByDate(values, "prod-amazon-linux-2023", { PatchTier: "tagged" });
        edit(values, "patching:changeSafety", (cs) => {
            cs.promotion = { after: "dev", minDaysAfter: 7, strategy: "approvalDate", source: { patchGroups: ["dev"] }, approvalDate: { baselines: ["prod-amazon-linux-2023"] } };
        });
        edit(values, "patching:patchPolicies", (ps) =>
            ps.push({
                name: "prod-tagged",
                document: "AWS-RunPatchBaselineAssociation",
                baselineTags: { key: "PatchTier", values: ["tagged"] },
                targets: { resourceGroup: "prod-tagged" },
                scan: { schedule: "cron(0 1 * * ? *)" },
                instancePermissions: { isPolicyAttachAllowed: true },
            }),
        );
    },
};

const variantRuns = new Map<string, Promise<PlanResource[]>>();
/** The plan of a prod variant, computed once per test process. */
export function prodVariant(name: string): Promise<PlanResource[]> {
    let run = variantRuns.get(name);
    if (!run) {
        const config = readStackFile(path.join(ROOT, "Pulumi.prod.yaml"));
        PROD_VARIANTS[name](config.values);
        // Computed once per run by whichever worker asks first (tests/support/sharedPlans.ts).
        run = sharedPlan(planKey(["prod variant", name], [path.join(ROOT, "Pulumi.prod.yaml")]), () =>
            runUnderMocks({ project: "patching", stack: "prod", config, env: { accountId: ACCOUNT, region: REGION }, program: main }).then((r) => r.resources),
        );
        variantRuns.set(name, run);
    }
    return run;
}

/**
 * One test per stack of {@link STACKS}: its cached review (a valid config, or an invalid fixture,
 * which plans nothing and is skipped) handed to `check`.
 */
export function forEveryStack(check: (review: Review, stack: string) => Promise<void> | void): void {
    for (const [stack, configPath] of STACKS) {
        it(stack, async () => {
            const r = await cachedReview({ stack, configPath });
            if (stack.startsWith("fixture-") && r.configErrors.length > 0) return; // an invalid fixture plans nothing
            expect(r.configErrors, stack).to.deep.equal([]);
            await check(r, stack);
        });
    }
}
