/**
 * AWS constraints that can be checked before anything reaches AWS.
 *
 * Every constant cites where it comes from. "botocore SSM" means botocore's SSM service model
 * (`botocore/data/ssm/2014-11-06/service-2.json`), which carries each field's pattern, range and
 * enum; "user guide" means the AWS Systems Manager User Guide page named next to the rule.
 * Plain data only: no Pulumi, no SDK, so the config model, the Lambda and the policy pack can all
 * import it.
 */

/** botocore SSM `OperatingSystem` enum. */
export const OPERATING_SYSTEMS = [
    "WINDOWS",
    "AMAZON_LINUX",
    "AMAZON_LINUX_2",
    "AMAZON_LINUX_2022",
    "AMAZON_LINUX_2023",
    "UBUNTU",
    "REDHAT_ENTERPRISE_LINUX",
    "SUSE",
    "CENTOS",
    "ORACLE_LINUX",
    "DEBIAN",
    "MACOS",
    "RASPBIAN",
    "ROCKY_LINUX",
    "ALMA_LINUX",
] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

/** botocore SSM `PatchComplianceLevel`. */
export const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

/** botocore SSM `PatchAction` (RejectedPatchesAction). */
export const REJECTED_PATCHES_ACTIONS = ["ALLOW_AS_DEPENDENCY", "BLOCK"] as const;

/** botocore SSM `PatchComplianceStatus` (AvailableSecurityUpdatesComplianceStatus, Windows only). */
export const AVAILABLE_SECURITY_UPDATES_STATUSES = ["COMPLIANT", "NON_COMPLIANT"] as const;

/** botocore SSM `BaselineName`: `^[a-zA-Z0-9_\-.]{3,128}$`. */
export const BASELINE_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** botocore SSM `BaselineDescription`: 1–1024 characters. */
export const BASELINE_DESCRIPTION_MAX = 1024;
/** botocore SSM `PatchRuleList`: at most 10 rules per rule group. */
export const MAX_APPROVAL_RULES = 10;
/** botocore SSM `PatchFilterList`: at most 4 filters per filter group. */
export const MAX_FILTERS_PER_GROUP = 4;
/** botocore SSM `PatchFilterValueList` 1–20 items; `PatchFilterValue` 1–64 characters. */
export const MAX_FILTER_VALUES = 20;
export const MAX_FILTER_VALUE_LENGTH = 64;
/** botocore SSM `ApproveAfterDays`: 0–360 (older provider releases wrongly capped it at 100). */
export const APPROVE_AFTER_DAYS_MAX = 360;
/** botocore SSM `PatchStringDateTime`; the user guide documents `YYYY-MM-DD`. */
export const APPROVE_UNTIL_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** botocore SSM `PatchIdList`: 0–50 items; `PatchId` 1–100 characters. */
export const MAX_PATCH_LIST = 50;
export const MAX_PATCH_ID_LENGTH = 100;
/** botocore SSM `PatchSourceList` ≤ 20; `PatchSourceName` `^[a-zA-Z0-9_\-.]{3,50}$`;
 * `PatchSourceProductList` 1–20 × 1–128; `PatchSourceConfiguration` 1–1024 (sensitive). */
export const MAX_SOURCES = 20;
export const SOURCE_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,50}$/;
export const MAX_SOURCE_PRODUCTS = 20;
export const MAX_SOURCE_PRODUCT_LENGTH = 128;
export const MAX_SOURCE_CONFIGURATION_LENGTH = 1024;

/** botocore SSM `PatchGroup`: 1–256 characters, pattern `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`. */
export const PATCH_GROUP_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
export const PATCH_GROUP_MAX = 256;

/** botocore SSM `TagKey` 1–128 and `TagValue` 0–256, both `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`.
 * Keys starting with `aws:` are reserved (IAM user guide, "Tagging AWS resources"). */
export const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** Tagging AWS resources: at most 50 user tags per resource. */
export const MAX_TAGS = 50;

/**
 * Patch filter keys accepted in approval rules and global filters, per operating system.
 * Sources: DescribePatchProperties API reference ("valid properties for each operating system")
 * and the user guide page "Patch baseline filters" (patch-manager-predefined-and-custom-patch-baselines).
 * An invalid OS/key combination is accepted by the provider and fails only at apply time
 * (terraform-provider-aws #23667, #23323), which is why it is checked here.
 */
const RPM_FAMILY_KEYS = ["PRODUCT", "CLASSIFICATION", "SEVERITY"] as const;
const DEB_FAMILY_KEYS = ["PRODUCT", "PRIORITY", "SECTION"] as const;
export const FILTER_KEYS_BY_OS: Record<OperatingSystem, readonly string[]> = {
    WINDOWS: ["PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY"],
    AMAZON_LINUX: RPM_FAMILY_KEYS,
    AMAZON_LINUX_2: RPM_FAMILY_KEYS,
    AMAZON_LINUX_2022: RPM_FAMILY_KEYS,
    AMAZON_LINUX_2023: RPM_FAMILY_KEYS,
    REDHAT_ENTERPRISE_LINUX: RPM_FAMILY_KEYS,
    CENTOS: RPM_FAMILY_KEYS,
    ORACLE_LINUX: RPM_FAMILY_KEYS,
    SUSE: RPM_FAMILY_KEYS,
    ROCKY_LINUX: RPM_FAMILY_KEYS,
    ALMA_LINUX: RPM_FAMILY_KEYS,
    UBUNTU: DEB_FAMILY_KEYS,
    DEBIAN: DEB_FAMILY_KEYS,
    RASPBIAN: DEB_FAMILY_KEYS,
    MACOS: ["PRODUCT", "CLASSIFICATION"],
};

/**
 * Filter values that form a closed, documented set, per operating system. `*` is always allowed.
 * Keys not listed for an OS (PRODUCT, PRODUCT_FAMILY, Debian/Ubuntu SECTION, macOS CLASSIFICATION)
 * are open sets: AWS adds a product with every OS release and a section with every repository, so
 * they are checked for length here and for the family of a PRODUCT name by {@link productFamilyOf}.
 *
 * Windows CLASSIFICATION, MSRC_SEVERITY, Ubuntu PRIORITY and PATCH_SET:
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html
 *   (PatchFilter, "Supported key ... Supported values") and
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribePatchProperties.html
 * Linux CLASSIFICATION of yum/dnf families is the `type` attribute of an update notice in the
 * repository's updateinfo.xml, and SEVERITY its `severity` attribute, as published by the vendor
 * ("Patch Manager uses the severity level reported by the software publisher"):
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-linux-rules.html
 *   (Amazon Linux: types Security, Bugfix, Enhancement, Recommended, Newpackage; ALAS severities
 *   Critical, Important, Medium, Low. AlmaLinux, RHEL, Rocky, CentOS, Oracle Linux: the same types;
 *   Red Hat-style severities Critical, Important, Moderate, Low.)
 * SUSE CLASSIFICATION (patch categories) and SEVERITY (SUSE ratings):
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html (SUSE
 *   Linux Enterprise Server: Security, Recommended, Optional, Feature, Document, Yast) and
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-linux-rules.html#linux-rules-sles
 */
const YUM_CLASSIFICATIONS = ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"] as const;
const AMAZON_LINUX_SEVERITIES = ["Critical", "Important", "Medium", "Low"] as const;
const REDHAT_SEVERITIES = ["Critical", "Important", "Moderate", "Low"] as const;
const DEB_PRIORITIES = ["Required", "Important", "Standard", "Optional", "Extra"] as const;
const AMAZON_LINUX_VALUES = { CLASSIFICATION: YUM_CLASSIFICATIONS, SEVERITY: AMAZON_LINUX_SEVERITIES };
const REDHAT_VALUES = { CLASSIFICATION: YUM_CLASSIFICATIONS, SEVERITY: REDHAT_SEVERITIES };
export const CLOSED_FILTER_VALUES: Partial<Record<OperatingSystem, Record<string, readonly string[]>>> = {
    WINDOWS: {
        PATCH_SET: ["OS", "APPLICATION"],
        CLASSIFICATION: [
            "CriticalUpdates",
            "DefinitionUpdates",
            "Drivers",
            "FeaturePacks",
            "SecurityUpdates",
            "ServicePacks",
            "Tools",
            "UpdateRollups",
            "Updates",
            "Upgrades",
        ],
        MSRC_SEVERITY: ["Critical", "Important", "Moderate", "Low", "Unspecified"],
    },
    AMAZON_LINUX: AMAZON_LINUX_VALUES,
    AMAZON_LINUX_2: AMAZON_LINUX_VALUES,
    AMAZON_LINUX_2022: AMAZON_LINUX_VALUES,
    AMAZON_LINUX_2023: AMAZON_LINUX_VALUES,
    REDHAT_ENTERPRISE_LINUX: REDHAT_VALUES,
    CENTOS: REDHAT_VALUES,
    ORACLE_LINUX: REDHAT_VALUES,
    ROCKY_LINUX: REDHAT_VALUES,
    ALMA_LINUX: REDHAT_VALUES,
    SUSE: {
        CLASSIFICATION: ["Security", "Recommended", "Optional", "Feature", "Document", "Yast"],
        SEVERITY: ["Critical", "Important", "Moderate", "Low"],
    },
    // PRIORITY is closed (PatchFilter); SECTION is open (a repository's sections).
    UBUNTU: { PRIORITY: DEB_PRIORITIES },
    DEBIAN: { PRIORITY: DEB_PRIORITIES },
    RASPBIAN: { PRIORITY: DEB_PRIORITIES },
};

/**
 * How each OS family names its PRODUCT values, from DescribePatchProperties (Property PRODUCT)
 * results and the PatchFilter reference (e.g. WindowsServer2019, Office 2016, AmazonLinux2,
 * AmazonLinux2023, RedhatEnterpriseLinux8.6, CentOSStream9, OracleLinux8.7, Suse15.4, Ubuntu22.04,
 * Debian12, RockyLinux9.1, AlmaLinux9.2, macOS13.0):
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribePatchProperties.html
 *   https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeAvailablePatches.html
 * The sets themselves stay open (each OS release adds a product), so a PRODUCT value is rejected
 * only when its name belongs to ANOTHER family: a Windows product on an Amazon Linux baseline, an
 * Amazon Linux 2023 product on an Amazon Linux 2 baseline. Order matters: the first match wins.
 */
export const PRODUCT_NAME_FAMILIES: readonly { os: readonly OperatingSystem[]; pattern: RegExp; example: string }[] = [
    { os: ["AMAZON_LINUX_2023"], pattern: /^AmazonLinux2023/i, example: "AmazonLinux2023" },
    { os: ["AMAZON_LINUX_2022"], pattern: /^AmazonLinux2022/i, example: "AmazonLinux2022" },
    { os: ["AMAZON_LINUX"], pattern: /^AmazonLinux201\d/i, example: "AmazonLinux2018.03" },
    { os: ["AMAZON_LINUX_2"], pattern: /^AmazonLinux2(\.\d+)?$/i, example: "AmazonLinux2" },
    { os: ["REDHAT_ENTERPRISE_LINUX"], pattern: /^RedhatEnterpriseLinux/i, example: "RedhatEnterpriseLinux8.6" },
    { os: ["CENTOS"], pattern: /^CentOS/i, example: "CentOSStream9" },
    { os: ["ORACLE_LINUX"], pattern: /^OracleLinux/i, example: "OracleLinux8.7" },
    { os: ["ROCKY_LINUX"], pattern: /^RockyLinux/i, example: "RockyLinux9.1" },
    { os: ["ALMA_LINUX"], pattern: /^AlmaLinux/i, example: "AlmaLinux9.2" },
    { os: ["SUSE"], pattern: /^(Suse|SLES)/i, example: "Suse15.4" },
    { os: ["UBUNTU"], pattern: /^Ubuntu/i, example: "Ubuntu22.04" },
    { os: ["DEBIAN"], pattern: /^Debian/i, example: "Debian12" },
    { os: ["RASPBIAN"], pattern: /^Raspbian/i, example: "Raspbian11" },
    { os: ["MACOS"], pattern: /^mac ?OS/i, example: "macOS13.0" },
    { os: ["WINDOWS"], pattern: /^(Windows|Office|Microsoft|SQL ?Server|Exchange|SharePoint|Visual ?Studio|\.NET)/i, example: "WindowsServer2019" },
];

/** The family entry a PRODUCT name belongs to, or undefined when its name is not recognised (open set). */
export function productFamilyOf(product: string): (typeof PRODUCT_NAME_FAMILIES)[number] | undefined {
    return PRODUCT_NAME_FAMILIES.find((f) => f.pattern.test(product));
}

/**
 * Operating systems whose approval rules take neither an approval delay nor an approval date
 * (user guide, "Custom baselines": not supported for Debian Server and Ubuntu Server; seed 004).
 */
export const OS_WITHOUT_APPROVAL_DELAY: readonly OperatingSystem[] = ["UBUNTU", "DEBIAN"];

/** Linux-only baseline fields (botocore SSM: "Applies to Linux managed nodes only"). */
export const LINUX_ONLY_OS_EXCLUDED: readonly OperatingSystem[] = ["WINDOWS", "MACOS"];
export function isLinux(os: OperatingSystem): boolean {
    return !LINUX_ONLY_OS_EXCLUDED.includes(os);
}

/** AWS commercial, GovCloud and China region names (`us-east-1`, `us-gov-west-1`, `cn-north-1`). */
export const REGION_PATTERN = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob)-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9]$/;

// ---------------------------------------------------------------------------------------------
// Change safety: promotion, approval gate, gated install with snapshots (issue 11).
// ---------------------------------------------------------------------------------------------

/** Pulumi stack names: letters, digits, `_ . -`, at most 100 characters (Pulumi CLI `stack init`). */
export const STACK_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,100}$/;
/** A wall-clock time `HH:MM` (24-hour). */
export const CLOCK_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
/** S3 object keys written by the program: safe characters only (S3 user guide, "Naming objects"), ≤ 1024 bytes. */
export const S3_OBJECT_KEY_PATTERN = /^[a-zA-Z0-9!_.*'()\-]+(\/[a-zA-Z0-9!_.*'()\-]+)*$/;
export const S3_OBJECT_KEY_MAX = 1024;
/**
 * Association target keys (botocore SSM `Target`; counts: MAX_ASSOCIATION_TARGETS, MAX_TARGET_VALUES): `tag:<key>`,
 * `tag-key`, `InstanceIds`, `resource-groups:Name`, `resource-groups:ResourceTypeFilters`.
 */
export const TARGET_KEY_PATTERN = /^(tag:[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}|tag-key|InstanceIds|resource-groups:Name|resource-groups:ResourceTypeFilters)$/u;
/** botocore SSM `MaxConcurrency` and `MaxErrors` (1–7 characters). */
export const RATE_MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const RATE_MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
/** EBS snapshots kept at most this long by the retention sweep (a year; the API has no limit). */
export const SNAPSHOT_RETENTION_MAX_DAYS = 365;
/* ---------------------------------------------------------------------------------------------
 * Compliance visibility (config/compliance.ts)
 * ------------------------------------------------------------------------------------------- */

/** AWS account id: 12 digits (Organizations `AccountId`). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** Organization id (Organizations `OrganizationId`): `^o-[a-z0-9]{10,32}$`. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

/**
 * S3 general purpose bucket naming rules (S3 user guide, "General purpose bucket naming rules"):
 * 3–63 characters, lowercase letters, digits, `.` and `-`, starting and ending with a letter or
 * digit, no `..`, not an IP address, reserved prefixes and suffixes excluded. Returns what is
 * wrong, or nothing.
 */
export function s3BucketNameProblems(name: string): string[] {
    const problems: string[] = [];
    if (name.length < 3 || name.length > 63) problems.push("must be 3–63 characters");
    if (!/^[a-z0-9.-]*$/.test(name)) problems.push("may contain only lowercase letters, digits, . and -");
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) problems.push("must start and end with a letter or digit");
    if (name.includes("..")) problems.push("must not contain two adjacent periods");
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) problems.push("must not be formatted as an IP address");
    for (const p of ["xn--", "sthree-", "amzn-s3-demo-"]) if (name.startsWith(p)) problems.push(`must not start with ${p}`);
    for (const s of ["-s3alias", "--ol-s3", ".mrap", "--x-s3"]) if (name.endsWith(s)) problems.push(`must not end with ${s}`);
    return problems;
}
/** botocore SSM `ResourceDataSyncName`: 1–64 characters. */
export const RESOURCE_DATA_SYNC_NAME_MAX = 64;
/** botocore SSM `ResourceDataSyncS3Prefix`: 1–256 characters. */
export const RESOURCE_DATA_SYNC_PREFIX_MAX = 256;

/** botocore SSM `AssociationName`: `^[a-zA-Z0-9_\-.]{3,128}$`. */
export const ASSOCIATION_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** botocore SSM `Targets` (≤ 5) and `TargetValues` (≤ 50) of CreateAssociation. */
export const MAX_ASSOCIATION_TARGETS = 5;
export const MAX_TARGET_VALUES = 50;

/**
 * EventBridge `RuleName`: 1–64 characters `[\.\-_A-Za-z0-9]+` (EventBridge API reference, PutRule).
 * Patch Manager's console names its report schedules `AWS-SystemsManager-PatchManager-PatchReport-<report name>`
 * (seed 004, "Report schedule rules"); the stack uses the same name so the report shows up there.
 */
export const EVENT_RULE_NAME_PATTERN = /^[.\-_A-Za-z0-9]{1,64}$/;
export const PATCH_REPORT_RULE_PREFIX = "AWS-SystemsManager-PatchManager-PatchReport-";

/** CloudWatch Logs `PutRetentionPolicy` `retentionInDays` values. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
/** CloudWatch Logs `LogGroupName`: 1–512 characters `[\.\-_/#A-Za-z0-9]+`. */
export const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** An email address SNS accepts for the `email` protocol (a practical subset of RFC 5322, ≤ 254 chars). */
export const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const EMAIL_MAX = 254;

/** SSM document name (botocore SSM `DocumentARN`): `^[a-zA-Z0-9_\-.:/]{3,128}$`. */
export const DOCUMENT_NAME_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;

/** Athena `BytesScannedCutoffPerQuery`: at least 10 MB (Athena API reference, WorkGroupConfiguration). */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

// ── Multi-account automation (patching:multiAccount) ─────────────────────────────────────────

// ACCOUNT_ID_PATTERN and ORGANIZATION_ID_PATTERN: defined with the compliance rules above.
/** Organizations `OrganizationalUnitId`: `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`. */
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
/** Organizations `RootId`: `^r-[0-9a-z]{4,32}$`. */
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;

// ── Baseline-override store (patching:overrideStore); also uses ORGANIZATION_ID_PATTERN, OU_ID_PATTERN,
//    s3BucketNameProblems, LOG_RETENTION_DAYS and EMAIL_PATTERN above ───────────────────────

/** IAM `roleNameType`: 1–64 characters of `[\w+=,.@-]` (IAM API reference, CreateRole RoleName). */
export const IAM_ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/**
 * Default role names of multi-account Automation (user guide, "Running automations in multiple
 * AWS Regions and accounts"; botocore SSM `TargetLocation.ExecutionRoleName`: "If not specified,
 * the default value is AWS-SystemsManager-AutomationExecutionRole").
 */
export const DEFAULT_EXECUTION_ROLE_NAME = "AWS-SystemsManager-AutomationExecutionRole";
export const DEFAULT_ADMINISTRATION_ROLE_NAME = "AWS-SystemsManager-AutomationAdministrationRole";

/** botocore SSM `MaxConcurrency` / `TargetLocationMaxConcurrency`: 1–7 chars. */
export const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
/** botocore SSM `MaxErrors` / `TargetLocationMaxErrors`: 1–7 chars. */
export const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
export const RATE_CONTROL_MAX_LENGTH = 7;

/** botocore SSM `TargetLocations`: 1–100 entries; `Accounts` 1–50; `Regions` 1–50. */
export const MAX_TARGET_LOCATIONS = 100;
export const MAX_TARGET_LOCATION_ACCOUNTS = 50;
export const MAX_TARGET_LOCATION_REGIONS = 50;

/** botocore SSM `DocumentName` of CreateDocument (a name, not an ARN): `^[a-zA-Z0-9_\-.]{3,128}$`; these prefixes are rejected. */
export const CREATE_DOCUMENT_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
export const RESERVED_DOCUMENT_PREFIXES = ["aws", "amazon", "amzn", "AWSEC2", "AWSConfigRemediation", "AWSSupport"] as const;

/**
 * Resource Groups `GroupName`: `[a-zA-Z0-9_\.-]+`, may not start with `AWS`/`aws` in any
 * capitalisation (Resource Groups API reference, CreateGroup). 1–128 characters: the limit of
 * CloudFormation's `AWS::ResourceGroups::Group` `Name`, which org mode deploys the same groups with.
 */
export const RESOURCE_GROUP_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
/** Resource Groups `GroupDescription`: ≤ 1024 chars of `[\sa-zA-Z0-9_\.-]`. */
export const RESOURCE_GROUP_DESCRIPTION_PATTERN = /^[\sa-zA-Z0-9_.-]{0,1024}$/;
/** Resource Groups `ResourceQuery.Query`: at most 4096 characters of JSON. */
export const RESOURCE_QUERY_MAX = 4096;
/** Resource types a patching group may hold: EC2 instances and hybrid managed nodes. */
export const PATCHABLE_RESOURCE_TYPES = ["AWS::EC2::Instance", "AWS::SSM::ManagedInstance"] as const;
/** Resource Groups `TagFilter.Values`: at most 20 values per key. */
export const MAX_TAG_FILTER_VALUES = 20;

/** AWS-RunPatchBaseline `Operation` and `RebootOption` (SSM document AWS-RunPatchBaseline). */
export const PATCH_OPERATIONS = ["Scan", "Install"] as const;
export const REBOOT_OPTIONS = ["RebootIfNeeded", "NoReboot"] as const;
/** AWS-RunPatchBaseline `InstallOverrideList` allowedPattern (seed 001's Automation-RunPatchBaseline). */
export const INSTALL_OVERRIDE_LIST_PATTERN = /(^$)|^https:\/\/.+$|^s3:\/\/([^/]+)\/(.*?([^/]+))$/;

/** EventBridge Scheduler `Name` / `ScheduleGroupName`: `^[0-9a-zA-Z-_.]+$`, 1–64 characters. */
export const SCHEDULER_NAME_PATTERN = /^[0-9a-zA-Z_.-]{1,64}$/;
/** EventBridge Scheduler `Description`: at most 512 characters. */
export const SCHEDULER_DESCRIPTION_MAX = 512;

/** CloudFormation StackSets `CallAs` and operation preferences (CreateStackSet API reference). */
export const STACKSET_CALL_AS = ["SELF", "DELEGATED_ADMIN"] as const;

/**
 * S3 object key: 1–1024 bytes of UTF-8 (S3 user guide, "Naming Amazon S3 objects"). This program
 * accepts only the guide's "safe characters" (letters, digits, `! - _ . * ' ( ) /`), no leading or
 * trailing `/` and no empty path segment, so the key works unchanged in an `s3://` URL, an IAM
 * resource ARN and AWS-RunPatchBaseline's `BaselineOverride` parameter.
 */
export const S3_SAFE_KEY_PATTERN = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
export const S3_KEY_MAX_BYTES = 1024;

/** KMS key ARN (KMS developer guide, "Key identifiers"): `arn:<partition>:kms:<region>:<account>:key/<key id>`; multi-Region keys start `mrk-`. */
export const KMS_KEY_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):kms:([a-z0-9-]+):(\d{12}):key\/((mrk-[0-9a-f]{32})|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))$/;

/** botocore SSM `BaselineId` of a patch baseline: `pb-` and 17 hex digits. */
export const PATCH_BASELINE_ID_PATTERN = /^pb-[0-9a-f]{17}$/;
/**
 * A patch baseline ARN. `GetPatchBaseline` needs the full ARN for an AWS-managed (predefined)
 * baseline, which lives in an AWS-owned account (`aws ssm get-patch-baseline` reference: "To
 * retrieve information about an AWS managed patch baseline, specify the full ARN").
 */
export const PATCH_BASELINE_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):ssm:([a-z0-9-]+):(\d{12}):patchbaseline\/(pb-[0-9a-f]{17})$/;

/** SNS topic ARN (SNS API reference, `TopicArn`; topic names 1–256 `[A-Za-z0-9_-]`, `.fifo` suffix). */
export const SNS_TOPIC_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Lambda `FunctionName`: at most 64 characters of `[a-zA-Z0-9-_]` (Lambda API reference, CreateFunction). */
export const LAMBDA_FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

// ---------------------------------------------------------------------------------------------
// Patch policies: State Manager associations, documents, targets, output (CreateAssociation).
// Shared with multi-account above: MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN, REBOOT_OPTIONS,
// INSTALL_OVERRIDE_LIST_PATTERN, CREATE_DOCUMENT_NAME_PATTERN, RESERVED_DOCUMENT_PREFIXES,
// RESOURCE_GROUP_NAME_PATTERN, OU_ID_PATTERN.
// ---------------------------------------------------------------------------------------------

/** botocore SSM `DocumentARN` (a name or an ARN): `^[a-zA-Z0-9_\-.:/]{3,128}$`. */
export const DOCUMENT_REF_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
/** botocore SSM `ComplianceSeverity` of an association. */
export const ASSOCIATION_COMPLIANCE_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"] as const;
/** botocore SSM `AssociationSyncCompliance`. */
export const SYNC_COMPLIANCE_VALUES = ["AUTO", "MANUAL"] as const;
/** botocore SSM `ScheduleOffset`: 1–6 days; only with ApplyOnlyAtCronInterval and a cron schedule. */
export const SCHEDULE_OFFSET_MIN = 1;
export const SCHEDULE_OFFSET_MAX = 6;

/**
 * The AWS-owned Command documents a patch policy can run (user guide, "SSM Command documents for
 * patching managed nodes"). AWS-RunPatchBaselineAssociation is not supported on hybrid nodes and
 * takes no BaselineOverride or SnapshotId; AWS-RunPatchBaselineWithHooks needs SSM Agent 3.0.502+.
 */
export const PATCH_DOCUMENTS = ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineWithHooks", "AWS-RunPatchBaselineAssociation"] as const;
export type PatchDocument = (typeof PATCH_DOCUMENTS)[number];

/** EC2 instance ids (`i-` + 8 or 17 hex) and hybrid managed-node ids (`mi-` + 17 hex). */
export const EC2_INSTANCE_ID_PATTERN = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const MANAGED_INSTANCE_ID_PATTERN = /^mi-[0-9a-f]{17}$/;

/** AWS-RunPatchBaseline `SnapshotId` allowed pattern: a GUID. */
export const SNAPSHOT_ID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** botocore SSM `S3KeyPrefix` of an association output location: at most 500 characters. */
export const S3_KEY_PREFIX_MAX = 500;
/** S3 object key characters safe without encoding (S3 user guide, "Naming objects"). */
export const S3_KEY_PREFIX_PATTERN = /^[a-zA-Z0-9!_.*'()\-]+(\/[a-zA-Z0-9!_.*'()\-]+)*$/;

// ---------------------------------------------------------------------------------------------
// Maintenance windows (issue 7). botocore SSM CreateMaintenanceWindow, RegisterTargetWithMaintenanceWindow,
// RegisterTaskWithMaintenanceWindow and their shapes; user guide "Maintenance Windows".
// ---------------------------------------------------------------------------------------------

/** botocore SSM `MaintenanceWindowName` (also window target and task names): `^[a-zA-Z0-9_\-.]{3,128}$`. */
export const MW_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** botocore SSM `MaintenanceWindowDescription`: 1–128 characters (windows, targets and tasks). */
export const MW_DESCRIPTION_MAX = 128;
/** botocore SSM `OwnerInformation`: 1–128 characters. */
export const MW_OWNER_INFORMATION_MAX = 128;
/** botocore SSM `MaintenanceWindowDurationHours` 1–24; `MaintenanceWindowCutoff` 0–23. The service
 * rejects a cutoff that is not below the duration ("Cutoff must be less than Duration"). */
export const MW_DURATION_MIN = 1;
export const MW_DURATION_MAX = 24;
export const MW_CUTOFF_MAX = 23;
/** botocore SSM `MaintenanceWindowOffset`: 1–6 days; only with a cron schedule (user guide, "Schedule offset"). */
export const MW_OFFSET_MIN = 1;
export const MW_OFFSET_MAX = 6;
/** botocore SSM `MaintenanceWindowResourceType`. */
export const MW_RESOURCE_TYPES = ["INSTANCE", "RESOURCE_GROUP"] as const;
/** botocore SSM `MaintenanceWindowTaskType`. */
export const MW_TASK_TYPES = ["RUN_COMMAND", "AUTOMATION", "STEP_FUNCTIONS", "LAMBDA"] as const;
/** Task types this program registers from `patching:maintenanceWindows` (STEP_FUNCTIONS is used by the orchestrator). */
export const MW_CONFIG_TASK_TYPES = ["RUN_COMMAND", "AUTOMATION"] as const;
/** botocore SSM `MaintenanceWindowTaskCutoffBehavior`. */
export const MW_CUTOFF_BEHAVIORS = ["CONTINUE_TASK", "CANCEL_TASK"] as const;
/** botocore SSM `TimeoutSeconds` (Run Command delivery timeout): 30–2592000. */
export const RUN_COMMAND_TIMEOUT_MIN = 30;
export const RUN_COMMAND_TIMEOUT_MAX = 2592000;
/** botocore SSM `Comment`: at most 100 characters. */
export const RUN_COMMAND_COMMENT_MAX = 100;
/** botocore SSM `CommandPluginStatus`-based `NotificationEvent` and `NotificationType`. */
export const NOTIFICATION_EVENTS = ["All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"] as const;
export const NOTIFICATION_TYPES = ["Command", "Invocation"] as const;
/** botocore SSM `DocumentVersion`: `$LATEST`, `$DEFAULT` or a version number. */
export const DOCUMENT_VERSION_PATTERN = /^(\$DEFAULT|\$LATEST|[1-9][0-9]*)$/;
/** botocore SSM `AutomationParameterKey` 1–50 characters, at most 200 parameters, ≤ 10 values of ≤ 512 characters. */
export const AUTOMATION_PARAMETER_KEY_MAX = 50;
/** IAM role ARN as botocore SSM `AutomationDispatchAssumeRole` / `ServiceRole` accept it. */
export const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** Resource types a resource-group target may filter on (RegisterTargetWithMaintenanceWindow, `resource-groups:ResourceTypeFilters`). */
export const RESOURCE_TYPE_FILTER_PATTERN = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/;
/** botocore SSM `Targets`: at most 5 key/value entries per registered maintenance window target (values: MAX_TARGET_VALUES). */
export const MW_MAX_TARGET_ENTRIES = 5;
/** SNS `KmsMasterKeyId`: a key id, key ARN, alias name or alias ARN. */
export const KMS_KEY_REF_PATTERN = /^(alias\/[a-zA-Z0-9/_-]{1,250}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[a-zA-Z0-9/_-]+)$/;
/** Step Functions `StartExecution` input started by a maintenance window: ≤ 4096 characters
 * (botocore SSM `MaintenanceWindowStepFunctionsInput`). */
export const STEP_FUNCTIONS_INPUT_MAX = 4096;
/** EC2 instance types as `family.size` (e.g. `m5.large`), or a family wildcard `m5.*`. */
export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.([a-z0-9]+|\*)$/;
/** SendCommand `InstanceIds`: at most 50 per call, so a batch holds at most 50 instances. */
export const SEND_COMMAND_MAX_INSTANCES = 50;
/** EBS gp2/gp3/io1/io2 volumes: at most 16 TiB (16384 GiB) (EBS user guide, "Volume size"). */
export const EBS_MAX_VOLUME_GIB = 16384;
