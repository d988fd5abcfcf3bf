/**
 * Generated stack configs for the scale benchmark: `scale` multiplies every dimension the program
 * fans out over: operating systems × patch groups (baselines), patch policies, and the
 * multi-account automation's resource groups × Regions and schedules. Pure function, deterministic.
 */
import { OPERATING_SYSTEMS } from "../config/rules";

const OS_FILTERS: Record<string, Record<string, string[]>> = {
    WINDOWS: { CLASSIFICATION: ["SecurityUpdates", "CriticalUpdates"], MSRC_SEVERITY: ["Critical", "Important"] },
    UBUNTU: { PRIORITY: ["Required", "Important"] },
    DEBIAN: { PRIORITY: ["Required", "Important"] },
    RASPBIAN: { PRIORITY: ["Required", "Important"] },
    MACOS: { CLASSIFICATION: ["*"] },
};

/** Stack config values (namespace:key → value) for a config `scale` times the base size. */
export function generateConfig(scale: number): Record<string, unknown> {
    const baselines: Record<string, unknown>[] = [];
    const oses = OPERATING_SYSTEMS.slice(0, 4);
    for (let unit = 0; unit < scale; unit++) {
        for (const os of oses) {
            const noDelay = os === "UBUNTU" || os === "DEBIAN";
            baselines.push({
                name: `u${unit}-${os.toLowerCase().replace(/_/g, "-")}`,
                operatingSystem: os,
                approvalRules: [
                    { patchFilters: OS_FILTERS[os] ?? { CLASSIFICATION: ["Security"], SEVERITY: ["Critical", "Important"] }, ...(noDelay ? {} : { approveAfterDays: 7 }), complianceLevel: "CRITICAL" },
                ],
                patchGroups: Array.from({ length: 5 }, (_, g) => `unit${unit}-group${g}`),
            });
        }
    }
    // Multi-account automation: a single-account stack whose resource groups (one per unit) are
    // created in up to 8 Regions, and one schedule per unit.
    const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2"].slice(0, Math.min(8, scale));
    const groups = Array.from({ length: scale }, (_, unit) => ({ name: `unit${unit}-servers`, tagFilters: { PatchGroup: Array.from({ length: 5 }, (_, g) => `unit${unit}-group${g}`) } }));
    // Patch policies: one per unit, on its own patch groups' nodes, scanning daily and installing
    // weekly, output to a bucket the policy creates.
    const patchPolicies = Array.from({ length: scale }, (_, unit) => ({
        name: `unit${unit}-patching`,
        targets: { tags: { PatchGroup: Array.from({ length: 5 }, (_, g) => `unit${unit}-group${g}`) } },
        scan: { schedule: "cron(0 1 * * ? *)", maxConcurrency: "10%", maxErrors: "5%" },
        install: { schedule: "cron(0 3 ? * SUN *)", rebootOption: "RebootIfNeeded", maxConcurrency: "5%", maxErrors: "1" },
        output: { s3: { create: true, keyPrefix: "patch-output", retentionDays: 30 } },
    }));
    return {
        "aws:region": "us-east-1",
        "patching:environment": "bench",
        "patching:baselines": baselines,
        "patching:patchPolicies": patchPolicies,
        "patching:multiAccount": {
            accountRole: "both",
            memberRegions: regions,
            resourceGroups: groups,
            schedules: groups.map((g, unit) => ({ name: `unit${unit}-install`, operation: "Install", resourceGroup: g.name, schedule: "cron(0 3 ? * SUN *)" })),
        },
    };
}
