import { expect } from "chai";

import { eventBridgeScheduleProblems, inventoryTargets, needsLocalBucket } from "../config/compliance";
import { s3BucketNameProblems } from "../config/rules";
import { expectIssue as expectConfigIssue, issuesOf, minimalConfig, parse } from "./harness";

const C = "patching:compliance";

/** A config with `patching:compliance` set to `compliance`. */
function withCompliance(compliance: unknown) {
    return minimalConfig({ [C]: compliance });
}


const expectIssue = (compliance: unknown, path: string, text: string, value?: unknown) => expectConfigIssue(withCompliance(compliance), path, text, value);

const accepts = (compliance: unknown) => expect(() => parse(withCompliance(compliance))).not.to.throw();

describe("config: patching:compliance", () => {
    it("is optional: without it nothing about compliance is configured", () => {
        expect(parse(minimalConfig()).compliance).to.equal(undefined);
    });

    it("fills every documented default from an empty section", () => {
        const c = parse(withCompliance({})).compliance!;
        expect(c.bucket).to.deep.equal({ noncurrentVersionDays: 30, protect: false, admitAccounts: [] });
        expect(c.inventory).to.deep.equal({
            enabled: true,
            schedule: "rate(30 minutes)",
            targets: "all",
            collect: {
                applications: true,
                awsComponents: true,
                networkConfig: true,
                windowsUpdates: true,
                instanceDetailedInformation: true,
                services: true,
                windowsRoles: true,
                customInventory: true,
            },
        });
        expect(c.dataSync).to.deep.equal({ enabled: true, prefix: "resource-data-sync" });
        expect(c.patchReport).to.deep.equal({ enabled: true, name: "weekly", schedule: "rate(7 days)", notify: false });
        expect(c.notifications).to.deep.equal({
            enabled: true,
            emails: [],
            rules: { patchNonCompliant: true, runCommandFailed: true, runCommandInvocationFailed: false, automationFailed: true, associationFailed: true },
            severities: [],
            documents: ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks", "AWS-GatherSoftwareInventory"],
            automationDocuments: [],
        });
        expect(c.logs).to.deep.equal({ groupName: "/aws/ssm/patch-manager", retentionDays: 30 });
        expect(c.dashboard).to.deep.equal({ enabled: true });
        expect(c.athena).to.deep.equal({ enabled: false, bytesScannedCutoffMb: 1024 });
        expect(c.securityHub).to.deep.equal({ patchFindings: "unmanaged" });
    });

    it("reports every problem at once, across sections", () => {
        const issues = issuesOf(
            withCompliance({
                bucket: { name: "Bad_Name" },
                inventory: { schedule: "rate(10 minutes)" },
                patchReport: { schedule: "at(2026-01-01T00:00:00)" },
                notifications: { emails: ["nope"] },
                logs: { retentionDays: 31 },
            }),
        );
        expect(issues.map((i) => i.path)).to.deep.equal([
            `${C}.bucket.name`,
            `${C}.inventory.schedule`,
            `${C}.logs.retentionDays`,
            `${C}.notifications.emails[0]`,
            `${C}.patchReport.schedule`,
        ]);
    });

    it("rejects unknown keys and names the allowed ones", () => {
        expectIssue({ inventroy: {} }, C, 'unknown key "inventroy"; allowed keys: bucket, inventory, dataSync');
        expectIssue({ notifications: { email: [] } }, `${C}.notifications`, 'unknown key "email"');
    });

    it("checks booleans are booleans", () => {
        expectIssue({ inventory: { enabled: "yes" } }, `${C}.inventory.enabled`, "true or false", "yes");
    });

    describe("bucket", () => {
        it("checks S3 bucket naming rules", () => {
            expectIssue({ bucket: { name: "ab" } }, `${C}.bucket.name`, "3–63 characters", "ab");
            expectIssue({ bucket: { name: "My_Bucket" } }, `${C}.bucket.name`, "only lowercase letters");
            expectIssue({ bucket: { name: "a..b" } }, `${C}.bucket.name`, "two adjacent periods");
            expectIssue({ bucket: { name: "192.168.1.10" } }, `${C}.bucket.name`, "IP address");
            expectIssue({ bucket: { name: "xn--bucket" } }, `${C}.bucket.name`, "must not start with xn--");
            expectIssue({ bucket: { name: "bucket-s3alias" } }, `${C}.bucket.name`, "must not end with -s3alias");
            expectIssue({ bucket: { name: "-bucket" } }, `${C}.bucket.name`, "start and end with a letter or digit");
            accepts({ bucket: { name: "acme-patch-compliance-123456789012" } });
        });
        it("rejects a bucket name when no bucket is created here", () => {
            expectIssue(
                { bucket: { name: "acme-compliance" }, dataSync: { centralBucket: { name: "acme-central", region: "us-east-1" } }, patchReport: { enabled: false } },
                `${C}.bucket.name`,
                "no bucket is created in this account",
            );
        });
        it("keeps replaced versions 1–3650 days", () => {
            expectIssue({ bucket: { noncurrentVersionDays: 0 } }, `${C}.bucket.noncurrentVersionDays`, "from 1 to 3650", 0);
        });
        it("checks admitted accounts: 12 digits, no duplicates, at most 40 one by one", () => {
            expectIssue({ bucket: { admitAccounts: ["12345"] } }, `${C}.bucket.admitAccounts[0]`, "12-digit", "12345");
            expectIssue({ bucket: { admitAccounts: ["210987654321", "210987654321"] } }, `${C}.bucket.admitAccounts[1]`, "listed twice");
            const many = Array.from({ length: 41 }, (_, i) => String(100000000000 + i));
            expectIssue({ bucket: { admitAccounts: many } }, `${C}.bucket.admitAccounts`, "admit the organization", 41);
        });
        it("checks the organization id", () => {
            expectIssue({ bucket: { admitOrganization: "org-123" } }, `${C}.bucket.admitOrganization`, "o-a1b2c3d4e5", "org-123");
            accepts({ bucket: { admitOrganization: "o-a1b2c3d4e5" } });
        });
        it("does not admit other accounts on a member stack that syncs centrally", () => {
            expectIssue(
                { bucket: { admitAccounts: ["210987654321"] }, dataSync: { centralBucket: { name: "acme-central", region: "us-east-1" } } },
                `${C}.bucket`,
                "set them on the stack that owns the central bucket",
            );
        });
    });

    describe("inventory", () => {
        it("checks the schedule as a State Manager association schedule", () => {
            expectIssue({ inventory: { schedule: "rate(10 minutes)" } }, `${C}.inventory.schedule`, "at least 30 minutes", "rate(10 minutes)");
            expectIssue({ inventory: { schedule: "cron(0 2 ? JAN SUN *)" } }, `${C}.inventory.schedule`, "do not support months");
            expectIssue({ inventory: { schedule: "every day" } }, `${C}.inventory.schedule`, "must be cron(...), rate(...) or at(...)");
            accepts({ inventory: { schedule: "cron(0 0/4 * * ? *)" } });
            accepts({ inventory: { schedule: "rate(1 day)" } });
        });
        it("checks the association name", () => {
            expectIssue({ inventory: { associationName: "a b" } }, `${C}.inventory.associationName`, "3–128 letters", "a b");
        });
        it('targets "all" or a tag map', () => {
            expectIssue({ inventory: { targets: "everything" } }, `${C}.inventory.targets`, 'must be "all"');
            expectIssue({ inventory: { targets: {} } }, `${C}.inventory.targets`, "at least one tag key");
            const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, ["v"]]));
            expectIssue({ inventory: { targets: six } }, `${C}.inventory.targets`, "at most 5 tag keys", 6);
            expectIssue({ inventory: { targets: { "Patch Group": [] } } }, `${C}.inventory.targets["Patch Group"]`, "1–50 tag values");
            expectIssue({ inventory: { targets: { "bad#key": ["v"] } } }, `${C}.inventory.targets["bad#key"]`, "tag keys may contain");
            expectIssue({ inventory: { targets: { Env: ["ok", "bad#value"] } } }, `${C}.inventory.targets.Env[1]`, "tag values may contain", "bad#value");
            expect(inventoryTargets("all")).to.deep.equal([{ key: "InstanceIds", values: ["*"] }]);
            expect(inventoryTargets({ "Patch Group": ["prod", "prod-critical"] })).to.deep.equal([{ key: "tag:Patch Group", values: ["prod", "prod-critical"] }]);
        });
        it("must collect something", () => {
            const none = {
                applications: false,
                awsComponents: false,
                networkConfig: false,
                windowsUpdates: false,
                instanceDetailedInformation: false,
                services: false,
                windowsRoles: false,
                customInventory: false,
            };
            expectIssue({ inventory: { collect: none } }, `${C}.inventory.collect`, "collects nothing");
            expectIssue({ inventory: { collect: { files: true } } }, `${C}.inventory.collect`, 'unknown key "files"');
        });
    });

    describe("resource data sync", () => {
        it("checks the sync name length", () => {
            expectIssue({ dataSync: { name: "s".repeat(65) } }, `${C}.dataSync.name`, "at most 64");
        });
        it("checks the prefix: S3 key segments, not the Athena results prefix", () => {
            expectIssue({ dataSync: { prefix: "/inventory/" } }, `${C}.dataSync.prefix`, "without a leading or trailing /", "/inventory/");
            expectIssue({ dataSync: { prefix: "athena-results" } }, `${C}.dataSync.prefix`, "Athena query results");
            expectIssue({ dataSync: { prefix: "p".repeat(257) } }, `${C}.dataSync.prefix`, "at most 256");
            accepts({ dataSync: { prefix: "ssm/resource-data-sync" } });
        });
        it("checks the central bucket's name and Region", () => {
            expectIssue({ dataSync: { centralBucket: { name: "Central", region: "us-east-1" } } }, `${C}.dataSync.centralBucket.name`, "only lowercase");
            expectIssue({ dataSync: { centralBucket: { name: "acme-central", region: "useast1" } } }, `${C}.dataSync.centralBucket.region`, "AWS region", "useast1");
            expectIssue({ dataSync: { centralBucket: { region: "us-east-1" } } }, `${C}.dataSync.centralBucket.name`, "is required");
        });
    });

    describe("patch report", () => {
        it("keeps the rule name AWS-SystemsManager-PatchManager-PatchReport-<name> within 64 characters", () => {
            expectIssue({ patchReport: { name: "n".repeat(21) } }, `${C}.patchReport.name`, "1–20 letters");
            expectIssue({ patchReport: { name: "weekly report" } }, `${C}.patchReport.name`, "1–20 letters", "weekly report");
            expectIssue({ patchReport: { name: "" } }, `${C}.patchReport.name`, "must not be empty");
            accepts({ patchReport: { name: "n".repeat(20) } });
        });
        it("checks the schedule as an EventBridge schedule", () => {
            expectIssue({ patchReport: { schedule: "at(2026-01-01T00:00:00)" } }, `${C}.patchReport.schedule`, "not at(...)");
            expectIssue({ patchReport: { schedule: "cron(0 0 6 ? * MON *)" } }, `${C}.patchReport.schedule`, "6 fields");
            expectIssue({ patchReport: { schedule: "rate(7 day)" } }, `${C}.patchReport.schedule`, "plural unit");
            expect(eventBridgeScheduleProblems("rate(7 days)")).to.deep.equal([]);
            expect(eventBridgeScheduleProblems("rate(1 minute)")).to.deep.equal([]);
            expect(eventBridgeScheduleProblems("cron(0 6 ? * MON *)")).to.deep.equal([]);
        });
        it("notifies only through the notification topic", () => {
            expectIssue({ patchReport: { notify: true }, notifications: { enabled: false } }, `${C}.patchReport.notify`, "needs the notification topic");
        });
    });

    describe("notifications", () => {
        it("checks email addresses and duplicates", () => {
            expectIssue({ notifications: { emails: ["ops@"] } }, `${C}.notifications.emails[0]`, "not an email address", "ops@");
            expectIssue({ notifications: { emails: ["ops@example.com", "OPS@example.com"] } }, `${C}.notifications.emails[1]`, "listed twice");
            expectIssue({ notifications: { emails: [`${"a".repeat(250)}@example.com`] } }, `${C}.notifications.emails[0]`, "not an email address");
            accepts({ notifications: { emails: ["patching-oncall+prod@example.co.uk"] } });
        });
        it("needs at least one rule when on", () => {
            const off = { patchNonCompliant: false, runCommandFailed: false, automationFailed: false, associationFailed: false };
            expectIssue({ notifications: { rules: off } }, `${C}.notifications.rules`, "every rule is off");
            accepts({ notifications: { enabled: false, rules: off } });
        });
        it("checks severities against PatchComplianceLevel, without duplicates", () => {
            expectIssue({ notifications: { severities: ["SEVERE"] } }, `${C}.notifications.severities[0]`, "CRITICAL, HIGH, MEDIUM", "SEVERE");
            expectIssue({ notifications: { severities: ["HIGH", "HIGH"] } }, `${C}.notifications.severities[1]`, "listed twice");
        });
        it("checks watched documents and runbooks", () => {
            expectIssue({ notifications: { documents: [] } }, `${C}.notifications.documents`, "at least one document");
            expectIssue({ notifications: { documents: ["AWS RunPatchBaseline"] } }, `${C}.notifications.documents[0]`, "document name");
            expectIssue({ notifications: { documents: ["AWS-RunPatchBaseline", "AWS-RunPatchBaseline"] } }, `${C}.notifications.documents[1]`, "listed twice");
            expectIssue({ notifications: { automationDocuments: ["bad name*"] } }, `${C}.notifications.automationDocuments[0]`, "prefix ending in *");
            accepts({ notifications: { automationDocuments: ["patching-*", "AWS-ExportPatchReportToS3"] } });
        });
    });

    describe("logs, Athena, Security Hub", () => {
        it("checks the log group name and the retention values CloudWatch Logs accepts", () => {
            expectIssue({ logs: { groupName: "/aws/ssm/patch manager" } }, `${C}.logs.groupName`, "CloudWatch Logs LogGroupName");
            expectIssue({ logs: { retentionDays: 31 } }, `${C}.logs.retentionDays`, "1, 3, 5, 7, 14, 30", 31);
            accepts({ logs: { retentionDays: 365 } });
        });
        it("queries only data synced into this account's bucket", () => {
            expectIssue({ athena: { enabled: true }, dataSync: { centralBucket: { name: "acme-central", region: "us-east-1" } } }, `${C}.athena.enabled`, "needs dataSync.enabled");
            expectIssue({ athena: { enabled: true }, dataSync: { enabled: false } }, `${C}.athena.enabled`, "needs dataSync.enabled");
        });
        it("checks the Athena scan limit (at least 10 MB)", () => {
            expectIssue({ athena: { enabled: true, bytesScannedCutoffMb: 5 } }, `${C}.athena.bytesScannedCutoffMb`, "from 10 to 1000000", 5);
        });
        it("takes unmanaged or on for Patch Manager's Security Hub integration", () => {
            expectIssue({ securityHub: { patchFindings: "enabled" } }, `${C}.securityHub.patchFindings`, "must be one of unmanaged, on", "enabled");
        });
    });

    describe("helpers", () => {
        it("creates this account's bucket only when something lives in it", () => {
            const central = { name: "acme-central", region: "us-east-1" };
            const base = { dataSync: { enabled: true, prefix: "p" }, patchReport: { enabled: false, name: "w", schedule: "rate(7 days)", notify: false }, athena: { enabled: false, bytesScannedCutoffMb: 10 } };
            expect(needsLocalBucket(base)).to.equal(true);
            expect(needsLocalBucket({ ...base, dataSync: { enabled: true, prefix: "p", centralBucket: central } })).to.equal(false);
            expect(needsLocalBucket({ ...base, dataSync: { enabled: true, prefix: "p", centralBucket: central }, patchReport: { ...base.patchReport, enabled: true } })).to.equal(true);
            expect(needsLocalBucket({ ...base, dataSync: { enabled: false, prefix: "p" } })).to.equal(false);
        });
        it("s3BucketNameProblems accepts valid names", () => {
            expect(s3BucketNameProblems("acme.patching-2026")).to.deep.equal([]);
        });

        it("s3BucketNameProblems: 3 characters is long enough; only a whole name like an IP address is refused", () => {
            expect(s3BucketNameProblems("abc")).to.deep.equal([]);
            expect(s3BucketNameProblems("ab")).to.deep.equal(["must be 3–63 characters"]);
            expect(s3BucketNameProblems("192.168.1.1")).to.deep.equal(["must not be formatted as an IP address"]);
            expect(s3BucketNameProblems("logs.192.168.1.1")).to.deep.equal([]);
            expect(s3BucketNameProblems("192.168.1.1.logs")).to.deep.equal([]);
        });
    });
});
