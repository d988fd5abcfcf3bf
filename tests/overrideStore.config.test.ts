import { expect } from "chai";

import { deriveOverrideBucketName, rateMinutes } from "../config/overrideStore";
import { s3BucketNameProblems } from "../config/rules";
import { expectIssue, issuesOf, minimalConfig, parse } from "./harness";

const P = "patching:overrideStore";
const ORG = "o-a1b2c3d4e5";
const OU = "ou-ab12-cdefgh34";

/** A config with a valid store (`configId: test1`, the minimal AL2023 baseline) merged with `changes`. */
function withStore(changes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    return minimalConfig({ [P]: { configId: "test1", baselines: ["test-al2023"], ...changes }, ...extra });
}



describe("config: patching:overrideStore", () => {
    it("fills Quick Setup's defaults", () => {
        const s = parse(withStore()).overrideStore!;
        expect(s).to.deep.equal({
            enabled: true,
            configId: "test1",
            encryption: { type: "SSE_S3" },
            noncurrentVersionDays: 90,
            accessLogging: { mode: "create", retentionDays: 365 },
            target: { type: "LOCAL" },
            baselines: ["test-al2023"],
            predefinedBaselines: [],
            objectKey: "baseline_overrides.json",
            remediation: { enabled: true, schedule: "rate(1 hour)", logRetentionDays: 30 },
            protect: false,
            instanceRoleNames: [],
        });
    });

    it("accepts every option together", () => {
        const s = parse(
            withStore({
                bucketName: "my-overrides.example-1",
                encryption: { type: "SSE_KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
                noncurrentVersionDays: 30,
                accessLogging: { mode: "existing", targetBucket: "central-access-logs", targetPrefix: "overrides/" },
                target: { type: "OU", organizationId: ORG, ouIds: [OU] },
                predefinedBaselines: ["pb-0123456789abcdef0", "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0abcdef0123456789"],
                objectKey: "patching/baseline_overrides.json",
                remediation: { schedule: "rate(6 hours)", logRetentionDays: 90, alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops-alerts" },
                protect: true,
                instanceRoleNames: ["legacy-web", "app@batch"],
            }),
        ).overrideStore!;
        expect(s.target).to.deep.equal({ type: "OU", organizationId: ORG, ouIds: [OU] });
        expect(s.remediation).to.deep.equal({ enabled: true, schedule: "rate(6 hours)", logRetentionDays: 90, alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops-alerts" });
    });

    it("is optional, and a disabled store skips the cross-field checks", () => {
        expect(parse(minimalConfig()).overrideStore).to.equal(undefined);
        expect(parse(withStore({ enabled: false, baselines: ["gone"] })).overrideStore!.enabled).to.equal(false);
    });

    it("rejects unknown keys and names the allowed ones", () => {
        expectIssue(withStore({ bucket: "x" }), P, 'unknown key "bucket"; allowed keys: enabled, configId, bucketName');
    });

    describe("config id and derived names", () => {
        it("requires a config id of lowercase letters, digits and -", () => {
            expectIssue(minimalConfig({ [P]: { baselines: ["test-al2023"] } }), `${P}.configId`, "is required");
            expectIssue(withStore({ configId: "Dev_1" }), `${P}.configId`, "lowercase letters, digits and -", "Dev_1");
            expectIssue(withStore({ configId: "-dev" }), `${P}.configId`, "starting and ending with a letter or digit", "-dev");
        });
        it("derives the bucket name from account, region and id, and checks its length", () => {
            expect(deriveOverrideBucketName("123456789012", "us-east-1", "dev01")).to.equal("patching-overrides-123456789012-us-east-1-dev01");
            // 19 + 12 + 1 + 14 (ap-southeast-1) + 1 = 47: an id of 16 fits 63, 17 does not.
            expect(() => parse(withStore({ configId: "a".repeat(16) }, { "aws:region": "ap-southeast-1" }))).not.to.throw();
            expectIssue(
                withStore({ configId: "a".repeat(17) }, { "aws:region": "ap-southeast-1" }),
                `${P}.configId`,
                `derives the bucket name patching-overrides-<account>-ap-southeast-1-${"a".repeat(17)} (64 characters), which must be 3–63 characters; shorten configId or set bucketName`,
            );
        });
        it("does not check the derived name when bucketName is given", () => {
            expect(() => parse(withStore({ configId: "a".repeat(30), bucketName: "overrides-bucket" }))).not.to.throw();
        });
        it("checks the derived Lambda function name length (64)", () => {
            expectIssue(withStore({ configId: "a".repeat(46), bucketName: "overrides-bucket" }), `${P}.configId`, "Lambda function names are at most 64 characters");
        });
    });

    describe("bucket names (S3 naming rules)", () => {
        const bad: [string, string][] = [
            ["ab", "3–63 characters"],
            ["b".repeat(64), "3–63 characters"],
            ["My-Bucket", "only lowercase letters, digits, . and -"],
            ["my_bucket", "only lowercase letters, digits, . and -"],
            ["-bucket", "start and end with a letter or digit"],
            ["bucket.", "start and end with a letter or digit"],
            ["my..bucket", "two adjacent periods"],
            ["192.168.5.4", "IP address"],
            ["xn--bucket", "must not start with xn--"],
            ["sthree-bucket", "must not start with sthree-"],
            ["amzn-s3-demo-bucket", "must not start with amzn-s3-demo-"],
            ["bucket-s3alias", "must not end with -s3alias"],
            ["bucket--ol-s3", "must not end with --ol-s3"],
            ["bucket.mrap", "must not end with .mrap"],
            ["bucket--x-s3", "must not end with --x-s3"],
        ];
        for (const [name, text] of bad) {
            it(`rejects bucketName ${name.length > 20 ? `${name.slice(0, 10)}… (${name.length})` : name}: ${text}`, () => {
                expectIssue(withStore({ bucketName: name }), `${P}.bucketName`, text, name);
            });
        }
        it("lists every problem of a name at once", () => {
            expect(s3BucketNameProblems("-Bad..")).to.deep.equal([
                "may contain only lowercase letters, digits, . and -",
                "must start and end with a letter or digit",
                "must not contain two adjacent periods",
            ]);
        });
        it("checks the existing access-log bucket and that it is another bucket", () => {
            expectIssue(withStore({ accessLogging: { mode: "existing", targetBucket: "Logs" } }), `${P}.accessLogging.targetBucket`, "only lowercase letters", "Logs");
            expectIssue(withStore({ bucketName: "same-bucket", accessLogging: { mode: "existing", targetBucket: "same-bucket" } }), `${P}.accessLogging.targetBucket`, "is the store bucket itself");
        });
        it("keeps created access logs 1–3650 days", () => {
            expectIssue(withStore({ accessLogging: { mode: "create", retentionDays: 0 } }), `${P}.accessLogging.retentionDays`, "from 1 to 3650", 0);
        });
        it("rejects an unknown access-logging mode", () => {
            expectIssue(withStore({ accessLogging: { mode: "central" } }), `${P}.accessLogging.mode`, "must have mode create (with retentionDays), existing (with targetBucket, targetPrefix) or off");
        });
    });

    describe("encryption", () => {
        it("accepts SSE_S3 and SSE_KMS, rejects other types", () => {
            expect(parse(withStore({ encryption: { type: "SSE_KMS" } })).overrideStore!.encryption).to.deep.equal({ type: "SSE_KMS" });
            expectIssue(withStore({ encryption: { type: "AES256" } }), `${P}.encryption.type`, "must have type SSE_S3 or SSE_KMS");
        });
        it("validates the KMS key ARN (aliases are not accepted)", () => {
            expectIssue(withStore({ encryption: { type: "SSE_KMS", kmsKeyArn: "alias/patching" } }), `${P}.encryption.kmsKeyArn`, "a KMS key ARN", "alias/patching");
            expectIssue(
                withStore({ encryption: { type: "SSE_KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/patching" } }),
                `${P}.encryption.kmsKeyArn`,
                "aliases are not accepted",
            );
            expect(() => parse(withStore({ encryption: { type: "SSE_KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab" } }))).not.to.throw();
        });
        it("requires the key in the bucket's region", () => {
            expectIssue(
                withStore({ encryption: { type: "SSE_KMS", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } }),
                `${P}.encryption.kmsKeyArn`,
                "is in eu-west-1; S3 default encryption needs a key in the bucket's region us-east-1",
            );
        });
        it("rejects a created key for OU and ENTIRE_ORG targets (cross-account readers could not decrypt)", () => {
            expectIssue(withStore({ encryption: { type: "SSE_KMS" }, target: { type: "ENTIRE_ORG", organizationId: ORG } }), `${P}.encryption`, "ENTIRE_ORG readers in other accounts could not decrypt");
            expectIssue(withStore({ encryption: { type: "SSE_KMS" }, target: { type: "OU", organizationId: ORG, ouIds: [OU] } }), `${P}.encryption`, "OU readers");
        });
    });

    describe("noncurrent versions", () => {
        it("keeps noncurrent versions 1–36500 days", () => {
            expectIssue(withStore({ noncurrentVersionDays: 0 }), `${P}.noncurrentVersionDays`, "from 1 to 36500", 0);
            expectIssue(withStore({ noncurrentVersionDays: 7.5 }), `${P}.noncurrentVersionDays`, "whole number", 7.5);
        });
    });

    describe("target", () => {
        it("validates the organization id", () => {
            expectIssue(withStore({ target: { type: "ENTIRE_ORG", organizationId: "o-short" } }), `${P}.target.organizationId`, "o- and 10–32 lowercase letters or digits", "o-short");
            expectIssue(withStore({ target: { type: "ENTIRE_ORG" } }), `${P}.target.organizationId`, "is required");
        });
        it("validates OU ids", () => {
            expectIssue(withStore({ target: { type: "OU", organizationId: ORG, ouIds: ["ou-1"] } }), `${P}.target.ouIds[0]`, "an OU id", "ou-1");
            expectIssue(withStore({ target: { type: "OU", organizationId: ORG, ouIds: ["r-ab12"] } }), `${P}.target.ouIds[0]`, "Organizations OrganizationalUnitId", "r-ab12");
        });
        it("rejects an OU target without OU ids", () => {
            expectIssue(withStore({ target: { type: "OU", organizationId: ORG, ouIds: [] } }), `${P}.target.ouIds`, "an OU target needs at least one OU id");
            expectIssue(withStore({ target: { type: "OU", organizationId: ORG } }), `${P}.target.ouIds`, "is required");
        });
        it("rejects OU ids on LOCAL and ENTIRE_ORG targets, and unknown types", () => {
            expectIssue(withStore({ target: { type: "LOCAL", ouIds: [OU] } }), `${P}.target`, 'unknown key "ouIds"; allowed keys: type');
            expectIssue(withStore({ target: { type: "ENTIRE_ORG", organizationId: ORG, ouIds: [OU] } }), `${P}.target`, 'unknown key "ouIds"');
            expectIssue(withStore({ target: { type: "ACCOUNT" } }), `${P}.target.type`, "must have type LOCAL, OU (with organizationId and ouIds) or ENTIRE_ORG");
        });
    });

    describe("baselines", () => {
        it("requires the named baselines to exist in patching:baselines", () => {
            expectIssue(withStore({ baselines: ["test-al2023", "prod-windows"] }), `${P}.baselines[1]`, "is not a baseline of patching:baselines; known: test-al2023", "prod-windows");
        });
        it("takes one baseline per operating system", () => {
            const base = (minimalConfig()["patching:baselines"] as object[])[0];
            expectIssue(
                withStore({ baselines: ["test-al2023", "other-al2023"] }, { "patching:baselines": [base, { ...base, name: "other-al2023", patchGroups: ["other"] }] }),
                `${P}.baselines[1]`,
                `${P}.baselines[0] (test-al2023) is already the AMAZON_LINUX_2023 baseline; an override file holds one baseline per operating system`,
            );
        });
        it("rejects duplicates", () => {
            expectIssue(withStore({ baselines: ["test-al2023", "test-al2023"] }), `${P}.baselines[1]`, "duplicate baseline; already listed at");
            expectIssue(withStore({ predefinedBaselines: ["pb-0123456789abcdef0", "pb-0123456789abcdef0"] }), `${P}.predefinedBaselines[1]`, "duplicate baseline");
        });
        it("checks predefined baseline ids and ARNs", () => {
            expectIssue(withStore({ predefinedBaselines: ["pb-123"] }), `${P}.predefinedBaselines[0]`, "pb-<17 hex digits>", "pb-123");
            expectIssue(withStore({ predefinedBaselines: ["AWS-AmazonLinux2023DefaultPatchBaseline"] }), `${P}.predefinedBaselines[0]`, "or its ARN");
            expectIssue(
                withStore({ predefinedBaselines: ["arn:aws:ssm:eu-west-1:075727635805:patchbaseline/pb-0123456789abcdef0"] }),
                `${P}.predefinedBaselines[0]`,
                "is in eu-west-1, but the store is in us-east-1",
            );
        });
        it("needs at least one baseline", () => {
            expectIssue(withStore({ baselines: [] }), P, "lists no baselines");
            expect(parse(withStore({ baselines: [], predefinedBaselines: ["pb-0123456789abcdef0"] })).overrideStore!.predefinedBaselines).to.have.length(1);
        });
    });

    describe("object key", () => {
        it("accepts S3 safe characters with single / separators", () => {
            expect(parse(withStore({ objectKey: "a/b-c_d.(1)!*'.json" })).overrideStore!.objectKey).to.equal("a/b-c_d.(1)!*'.json");
        });
        for (const key of ["/leading.json", "trailing/", "a//b.json", "with space.json", "ünïcode.json", ""]) {
            it(`rejects ${JSON.stringify(key)}`, () => {
                expectIssue(withStore({ objectKey: key }), `${P}.objectKey`, "S3 safe characters", key);
            });
        }
        it("rejects keys over 1024 bytes", () => {
            expectIssue(withStore({ objectKey: "k".repeat(1025) }), `${P}.objectKey`, "at most 1024 bytes");
        });
    });

    describe("remediation", () => {
        it("accepts rate expressions and computes their period", () => {
            expect(rateMinutes("rate(1 hour)")).to.equal(60);
            expect(rateMinutes("rate(30 minutes)")).to.equal(30);
            expect(rateMinutes("rate(2 days)")).to.equal(2880);
            expect(rateMinutes("cron(0 * * * ? *)")).to.equal(undefined);
        });
        it("rejects what is not an EventBridge Scheduler rate expression", () => {
            expectIssue(withStore({ remediation: { schedule: "at(2026-01-01T00:00:00)" } }), `${P}.remediation.schedule`, "rate(<n> minute|minutes|hour|hours|day|days) or six-field cron");
            expectIssue(withStore({ remediation: { schedule: "rate(1 week)" } }), `${P}.remediation.schedule`, 'rate takes "<number> <minute(s)|hour(s)|day(s)>"');
            expectIssue(withStore({ remediation: { schedule: "rate(0 hours)" } }), `${P}.remediation.schedule`, "positive whole number");
            expectIssue(withStore({ remediation: { schedule: "hourly" } }), `${P}.remediation.schedule`, "must be cron(...), rate(...) or at(...)");
        });
        it("requires the singular unit for 1 and the plural otherwise", () => {
            expectIssue(withStore({ remediation: { schedule: "rate(1 hours)" } }), `${P}.remediation.schedule`, "singular unit for 1");
            expectIssue(withStore({ remediation: { schedule: "rate(2 hour)" } }), `${P}.remediation.schedule`, "use the plural unit for 2: rate(2 hours)");
        });
        it("runs at most every 15 minutes", () => {
            expectIssue(withStore({ remediation: { schedule: "rate(5 minutes)" } }), `${P}.remediation.schedule`, "more often than every 15 minutes");
            expect(() => parse(withStore({ remediation: { schedule: "rate(15 minutes)" } }))).not.to.throw();
        });
        it("checks the log retention against CloudWatch Logs values", () => {
            expectIssue(withStore({ remediation: { logRetentionDays: 10 } }), `${P}.remediation.logRetentionDays`, "1, 3, 5, 7, 14, 30", 10);
        });
        it("checks the alarm topic ARN and email, and not both", () => {
            expectIssue(withStore({ remediation: { alarmTopicArn: "ops-alerts" } }), `${P}.remediation.alarmTopicArn`, "an SNS topic ARN", "ops-alerts");
            expectIssue(withStore({ remediation: { alarmEmail: "ops@" } }), `${P}.remediation.alarmEmail`, "an email address", "ops@");
            expectIssue(
                withStore({ remediation: { alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops", alarmEmail: "ops@example.com" } }),
                `${P}.remediation.alarmEmail`,
                "with alarmTopicArn, subscribe to that topic instead",
            );
        });
    });

    describe("instance roles", () => {
        it("checks IAM role names", () => {
            expectIssue(withStore({ instanceRoleNames: ["has space"] }), `${P}.instanceRoleNames[0]`, "an IAM role name", "has space");
            expectIssue(withStore({ instanceRoleNames: ["r".repeat(65)] }), `${P}.instanceRoleNames[0]`, "1–64");
            expectIssue(withStore({ instanceRoleNames: ["path/role"] }), `${P}.instanceRoleNames[0]`, "an IAM role name");
        });
        it("rejects duplicates", () => {
            expectIssue(withStore({ instanceRoleNames: ["web", "web"] }), `${P}.instanceRoleNames[1]`, "duplicate role");
        });
    });

    it("checks protect and enabled are booleans", () => {
        expectIssue(withStore({ protect: "yes" }), `${P}.protect`, "true or false", "yes");
        expectIssue(withStore({ enabled: 1 }), `${P}.enabled`, "true or false", 1);
    });

    it("reports every store problem at once", () => {
        const issues = issuesOf(withStore({ configId: "X", baselines: ["nope"], objectKey: "/x", remediation: { schedule: "hourly" }, instanceRoleNames: ["a b"] }));
        expect(issues.map((i) => i.path)).to.deep.equal([
            `${P}.baselines[0]`,
            `${P}.configId`,
            `${P}.instanceRoleNames[0]`,
            `${P}.objectKey`,
            `${P}.remediation.schedule`,
        ]);
    });
});
