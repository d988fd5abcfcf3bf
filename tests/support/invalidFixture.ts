/**
 * The key paths of the mistakes in `tests/fixtures/invalid.yaml`, in the order the config model
 * reports them: one or more per class of config error (issue 15: value of another OS family, merged
 * tag limit, reserved tag key, final name length, schedule dialect). The config test asserts the
 * model reports exactly these; the CLI test, that the review prints each.
 */
export const INVALID_FIXTURE_PATHS = [
    "patching:baselines[0].operatingSystem",
    "patching:baselines[1].approvalRules[0].approveAfterDays",
    "patching:baselines[1].approvalRules[0].patchFilters.MSRC_SEVERITY",
    "patching:baselines[1].approvalRules[1]",
    "patching:baselines[2].approvalRules[0].patchFilters.PRODUCT[0]",
    "patching:baselines[2].tags",
    "patching:baselines[2].tags.Environment",
    "patching:overrideStore.configId",
    "patching:overrideStore.remediation.schedule",
];
