/**
 * The `AWSQuickSetupType-PatchPolicy` configuration definition as Quick Setup itself sends it.
 *
 * Sources (re-checked there before encoding):
 * - Systems Manager user guide, "Using the Quick Setup API to manage configurations and
 *   deployments" (quick-setup-api.html): the patch-policy configuration definition the console
 *   creates, every parameter present, unused ones as `''`, `HasDeletedBaseline: 'false'`,
 *   `TargetType: Tags` together with `TargetOrganizationalUnits`, AWS-managed baselines in
 *   `SelectedPatchBaselines` by ARN and custom ones by id.
 * - Quick Setup API reference, `ConfigurationDefinitionInput.Parameters` for
 *   `AWSQuickSetupType-PatchPolicy` (also in @pulumi/aws-native `types/input.d.ts`,
 *   ssmquicksetup.ConfigurationManagerConfigurationDefinitionArgs): `TargetAccounts` for a local
 *   deployment, one of `TargetAccounts` / `TargetOrganizationalUnits` must have a value.
 *   `OutputS3Location` is listed there but the console sends its parts (`OutputS3BucketName`,
 *   `OutputS3KeyPrefix`, `OutputBucketRegion`) instead, so it is not sent.
 */

/** Every parameter the console's patch-policy definition carries (user guide example, sorted as there). */
export const QUICK_SETUP_PATCH_POLICY_PARAMETERS = [
    "ConfigurationOptionsInstallNextInterval",
    "ConfigurationOptionsInstallValue",
    "ConfigurationOptionsPatchOperation",
    "ConfigurationOptionsScanNextInterval",
    "ConfigurationOptionsScanValue",
    "HasDeletedBaseline",
    "IsPolicyAttachAllowed",
    "OutputBucketRegion",
    "OutputLogEnableS3",
    "OutputS3BucketName",
    "OutputS3KeyPrefix",
    "PatchBaselineRegion",
    "PatchBaselineUseDefault",
    "PatchPolicyName",
    "RateControlConcurrency",
    "RateControlErrorThreshold",
    "RebootOption",
    "ResourceGroupName",
    "SelectedPatchBaselines",
    "TargetInstances",
    "TargetRegions",
    "TargetTagKey",
    "TargetTagValue",
    "TargetType",
] as const;

/** Where the policy deploys: exactly one of these is sent (API reference: a value for either). */
export const QUICK_SETUP_DEPLOYMENT_TARGET_PARAMETERS = ["TargetAccounts", "TargetOrganizationalUnits"] as const;

export type QuickSetupPatchPolicyParameter = (typeof QUICK_SETUP_PATCH_POLICY_PARAMETERS)[number] | (typeof QUICK_SETUP_DEPLOYMENT_TARGET_PARAMETERS)[number];

/**
 * The operating systems the Quick Setup console lists in `SelectedPatchBaselines` (the keys of the
 * user guide's example), each with its AWS predefined default baseline (user guide, "Predefined
 * and custom patch baselines"). A policy selects one baseline for every one of them.
 */
export const CONSOLE_PATCH_BASELINE_DEFAULTS: Readonly<Record<string, string>> = {
    ALMA_LINUX: "AWS-AlmaLinuxDefaultPatchBaseline",
    AMAZON_LINUX_2: "AWS-AmazonLinux2DefaultPatchBaseline",
    AMAZON_LINUX_2023: "AWS-AmazonLinux2023DefaultPatchBaseline",
    DEBIAN: "AWS-DebianDefaultPatchBaseline",
    MACOS: "AWS-MacOSDefaultPatchBaseline",
    ORACLE_LINUX: "AWS-OracleLinuxDefaultPatchBaseline",
    REDHAT_ENTERPRISE_LINUX: "AWS-RedHatDefaultPatchBaseline",
    ROCKY_LINUX: "AWS-RockyLinuxDefaultPatchBaseline",
    UBUNTU: "AWS-UbuntuDefaultPatchBaseline",
    WINDOWS: "AWS-DefaultPatchBaseline",
};

/** One entry of `SelectedPatchBaselines`. */
export interface SelectedBaseline {
    value: string;
    label: string;
    description: string;
    disabled: boolean;
}

/** An AWS-owned baseline as `DescribePatchBaselines` (OWNER=AWS) lists it: its id is the ARN. */
export interface AwsOwnedBaseline {
    baselineId: string;
    baselineName: string;
    baselineDescription?: string;
    operatingSystem: string;
}

/** A stack baseline a policy selects, resolved to its id. */
export interface ChosenBaseline {
    name: string;
    operatingSystem: string;
    description?: string;
    id: string;
}

/**
 * `SelectedPatchBaselines`: for every console operating system, the policy's own baseline when it
 * names one, otherwise AWS's predefined default by ARN (as DescribePatchBaselines returns AWS-owned
 * baselines). Never the Region's current default, which an account may have changed. Throws when
 * the Region lists no predefined baseline for a console system, so nothing is silently left out.
 */
export function selectedPatchBaselines(awsOwned: AwsOwnedBaseline[], chosen: ChosenBaseline[], region: string): Record<string, SelectedBaseline> {
    const out: Record<string, SelectedBaseline> = {};
    const oses = [...new Set([...Object.keys(CONSOLE_PATCH_BASELINE_DEFAULTS), ...chosen.map((c) => c.operatingSystem)])].sort();
    for (const os of oses) {
        const own = chosen.find((c) => c.operatingSystem === os);
        if (own) {
            out[os] = { value: own.id, label: own.name, description: own.description ?? own.name, disabled: false };
            continue;
        }
        const name = CONSOLE_PATCH_BASELINE_DEFAULTS[os];
        const predefined = awsOwned.find((b) => b.baselineName === name && b.operatingSystem === os);
        if (!predefined) throw new Error(`SelectedPatchBaselines: ${region} lists no AWS predefined baseline ${name} for ${os}`);
        if (!predefined.baselineId.startsWith("arn:")) {
            throw new Error(`SelectedPatchBaselines: AWS-owned baseline ${name} in ${region} came back as ${predefined.baselineId}, not as its ARN`);
        }
        out[os] = { value: predefined.baselineId, label: name, description: predefined.baselineDescription ?? name, disabled: false };
    }
    return out;
}
