import { expect } from "chai";

import { IssueSink } from "../config/issues";
import { checkPatchPolicies, compileSchedule, overrideStoreEnabled, patchTuesdayOccurrence } from "../config/patchPolicies";
import { s3BucketNameProblems } from "../config/rules";
import { expectIssue, issuesOf, minimalConfig, parse } from "./harness";

const P = "patching:patchPolicies[0]";

/** A valid owned policy; tests change what they exercise. */
export const basePolicy = {
    name: "web",
    targets: { tags: { Environment: ["test"] } },
    scan: { schedule: "cron(0 1 * * ? *)" },
};

function withPolicy(changes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return minimalConfig({ "patching:patchPolicies": [{ ...basePolicy, ...changes }], ...extra });
}
function managed(changes: Record<string, unknown> = {}) {
    return withPolicy({ mode: "managed", ...changes });
}



describe("patch policy config", () => {
    it("accepts a minimal owned policy and fills documented defaults", () => {
        const [p] = parse(withPolicy({ install: { schedule: "cron(0 2 ? * SUN *)" } })).patchPolicies;
        expect(p.mode).to.equal("owned");
        expect(p.document).to.equal("AWS-RunPatchBaseline");
        expect(p.useBaselineOverride).to.equal(false);
        expect(p.enableExplorer).to.equal(false);
        expect(p.scan).to.deep.equal({ schedule: "cron(0 1 * * ? *)", maxConcurrency: "10%", maxErrors: "5%" });
        expect(p.install).to.deep.equal({ schedule: "cron(0 2 ? * SUN *)", maxConcurrency: "10%", maxErrors: "5%", rebootOption: "RebootIfNeeded" });
        expect(p.instancePermissions).to.deep.equal({ createInstanceProfile: true, attachToInstancesWithoutProfile: true, isPolicyAttachAllowed: false, schedule: "rate(1 day)" });
        expect(p.regions).to.equal(undefined);
    });

    it("accepts several tags with several values, and tag keys, in one policy", () => {
        const [p] = parse(withPolicy({ targets: { tags: { Environment: ["dev", "test"], Team: ["web"] }, tagKeys: ["PatchMe"] } })).patchPolicies;
        expect(p.targets).to.deep.equal({ tags: { Environment: ["dev", "test"], Team: ["web"] }, tagKeys: ["PatchMe"] });
    });

    it("reports every problem of several policies at once", () => {
        const issues = issuesOf(
            minimalConfig({
                "patching:patchPolicies": [
                    { ...basePolicy, scan: { schedule: "cron(0 2 ? JAN SUN *)", maxConcurrency: "0" } },
                    { ...basePolicy, name: "web", targets: {} },
                ],
            }),
        );
        expect(issues.map((i) => i.path)).to.deep.equal([
            "patching:patchPolicies[0].scan.maxConcurrency",
            "patching:patchPolicies[0].scan.schedule",
            "patching:patchPolicies[1].name",
            "patching:patchPolicies[1].targets",
        ]);
    });

    describe("names and regions", () => {
        it("checks the policy name pattern and length", () => {
            expectIssue(withPolicy({ name: "a" }), `${P}.name`, "3–40 letters", "a");
            expectIssue(withPolicy({ name: "x".repeat(41) }), `${P}.name`, "3–40 letters");
        });
        it("rejects names starting with a prefix CreateDocument reserves (owned mode creates documents)", () => {
            expectIssue(withPolicy({ name: "aws-web" }), `${P}.name`, 'must not start with "aws"', "aws-web");
            expectIssue(withPolicy({ name: "AmazonLinuxFleet" }), `${P}.name`, 'must not start with "amazon"');
        });
        it("rejects duplicate policy names", () => {
            expectIssue(minimalConfig({ "patching:patchPolicies": [basePolicy, basePolicy] }), "patching:patchPolicies[1].name", "duplicate policy name", "web");
        });
        it("checks region names and duplicates", () => {
            expectIssue(withPolicy({ regions: ["us-east-1", "mars-1"], acceptRegionDefaultBaselines: true }), `${P}.regions[1]`, "an AWS region name", "mars-1");
            expectIssue(withPolicy({ regions: ["us-east-1", "us-east-1"] }), `${P}.regions[1]`, "duplicate region", "us-east-1");
        });
    });

    describe("schedules", () => {
        it("requires a schedule", () => {
            expectIssue(withPolicy({ scan: {} }), `${P}.scan.schedule`, "is required");
        });
        it("takes either schedule or patchTuesdayPlusDays", () => {
            expectIssue(withPolicy({ scan: { schedule: "cron(0 1 * * ? *)", patchTuesdayPlusDays: 1, time: "01:00" } }), `${P}.scan`, "not both");
        });
        it("needs a time with patchTuesdayPlusDays, and no time without it", () => {
            expectIssue(withPolicy({ scan: { patchTuesdayPlusDays: 1 } }), `${P}.scan.time`, "is required with patchTuesdayPlusDays");
            expectIssue(withPolicy({ scan: { schedule: "cron(0 1 * * ? *)", time: "01:00" } }), `${P}.scan.time`, "only applies with patchTuesdayPlusDays", "01:00");
            expectIssue(withPolicy({ scan: { patchTuesdayPlusDays: 1, time: "25:00" } }), `${P}.scan.time`, "HH:MM", "25:00");
        });
        it("computes the offset of patchTuesdayPlusDays itself", () => {
            expectIssue(withPolicy({ scan: { patchTuesdayPlusDays: 8, time: "01:00", scheduleOffset: 1, applyOnlyAtCronInterval: true } }), `${P}.scan.scheduleOffset`, "is computed from patchTuesdayPlusDays", 1);
        });
        it("limits patchTuesdayPlusDays to 0–20 (TUE#4 is the last occurrence every month has)", () => {
            expectIssue(withPolicy({ scan: { patchTuesdayPlusDays: 21, time: "01:00" } }), `${P}.scan.patchTuesdayPlusDays`, "from 0 to 20", 21);
        });
        it("rejects a patchTuesdayPlusDays that needs an offset with applyOnlyAtCronInterval: false", () => {
            expectIssue(withPolicy({ scan: { patchTuesdayPlusDays: 9, time: "01:00", applyOnlyAtCronInterval: false } }), `${P}.scan.applyOnlyAtCronInterval`, "needs a schedule offset of 2 day(s)", false);
        });
        it("checks cron expressions the way State Manager accepts them", () => {
            expectIssue(withPolicy({ scan: { schedule: "cron(0 2 ? JAN SUN *)" } }), `${P}.scan.schedule`, "do not support months", "cron(0 2 ? JAN SUN *)");
            expectIssue(withPolicy({ scan: { schedule: "cron(15 */3 * * ? *)" } }), `${P}.scan.schedule`, "every 1, 2, 4, 8 or 12 hours");
            expectIssue(withPolicy({ scan: { schedule: "cron(0 2 1 * SUN *)" } }), `${P}.scan.schedule`, 'exactly one of day-of-month and day-of-week must be "?"');
        });
        it("checks rate limits", () => {
            expectIssue(withPolicy({ scan: { schedule: "rate(15 minutes)" } }), `${P}.scan.schedule`, "at least 30 minutes", "rate(15 minutes)");
            expectIssue(withPolicy({ scan: { schedule: "rate(1 hours)" } }), `${P}.scan.schedule`, "singular unit");
        });
        it("takes a schedule offset of 1–6 days, with a cron schedule and applyOnlyAtCronInterval", () => {
            expectIssue(withPolicy({ scan: { schedule: "cron(0 1 ? * TUE#2 *)", scheduleOffset: 7, applyOnlyAtCronInterval: true } }), `${P}.scan.scheduleOffset`, "from 1 to 6", 7);
            expectIssue(withPolicy({ scan: { schedule: "rate(1 day)", scheduleOffset: 2 } }), `${P}.scan.scheduleOffset`, "needs a cron schedule", 2);
            expectIssue(withPolicy({ scan: { schedule: "cron(0 1 ? * TUE#2 *)", scheduleOffset: 2 } }), `${P}.scan.scheduleOffset`, "needs applyOnlyAtCronInterval: true", 2);
        });
        it("rejects applyOnlyAtCronInterval with a rate schedule", () => {
            expectIssue(withPolicy({ scan: { schedule: "rate(1 day)", applyOnlyAtCronInterval: true } }), `${P}.scan.applyOnlyAtCronInterval`, "not supported with rate", true);
        });
        it("checks the attach association's schedule too", () => {
            expectIssue(withPolicy({ instancePermissions: { schedule: "rate(10 minutes)" } }), `${P}.instancePermissions.schedule`, "at least 30 minutes");
        });
    });

    describe("Patch Tuesday schedules", () => {
        it("compiles N ≤ 6 to TUE#2 plus an offset of N days", () => {
            expect(compileSchedule({ patchTuesdayPlusDays: 5, time: "02:30" }, "install")).to.deep.equal({
                expression: "cron(30 2 ? * TUE#2 *)",
                offsetDays: 5,
                applyOnlyAtCronInterval: true,
                description: "Patch Tuesday + 5 days at 02:30 UTC",
            });
        });
        it("compiles N > 6 to a later occurrence plus the remaining offset", () => {
            expect(patchTuesdayOccurrence(12)).to.deep.equal({ nth: 3, offsetDays: 5 });
            expect(patchTuesdayOccurrence(20)).to.deep.equal({ nth: 4, offsetDays: 6 });
            expect(compileSchedule({ patchTuesdayPlusDays: 12, time: "03:00" }, "install")).to.deep.include({ expression: "cron(0 3 ? * TUE#3 *)", offsetDays: 5 });
        });
        it("needs no offset for whole weeks, and then keeps the scan running at creation", () => {
            expect(compileSchedule({ patchTuesdayPlusDays: 7, time: "01:00" }, "scan")).to.deep.equal({
                expression: "cron(0 1 ? * TUE#3 *)",
                offsetDays: undefined,
                applyOnlyAtCronInterval: false,
                description: "Patch Tuesday + 7 days at 01:00 UTC",
            });
        });
        it("never installs at creation unless asked: install defaults to applyOnlyAtCronInterval for cron", () => {
            expect(compileSchedule({ schedule: "cron(0 2 ? * SUN *)" }, "install").applyOnlyAtCronInterval).to.equal(true);
            expect(compileSchedule({ schedule: "cron(0 2 ? * SUN *)", applyOnlyAtCronInterval: false }, "install").applyOnlyAtCronInterval).to.equal(false);
            expect(compileSchedule({ schedule: "rate(7 days)" }, "install").applyOnlyAtCronInterval).to.equal(false);
            expect(compileSchedule({ schedule: "cron(0 1 * * ? *)" }, "scan").applyOnlyAtCronInterval).to.equal(false);
        });
    });

    describe("rate control", () => {
        it("checks maxConcurrency against botocore MaxConcurrency", () => {
            expectIssue(withPolicy({ scan: { ...basePolicy.scan, maxConcurrency: "0" } }), `${P}.scan.maxConcurrency`, "botocore MaxConcurrency", "0");
            expectIssue(withPolicy({ scan: { ...basePolicy.scan, maxConcurrency: "101%" } }), `${P}.scan.maxConcurrency`, "botocore MaxConcurrency");
            expectIssue(withPolicy({ scan: { ...basePolicy.scan, maxConcurrency: "10 %" } }), `${P}.scan.maxConcurrency`, "botocore MaxConcurrency");
        });
        it("checks maxErrors against botocore MaxErrors (0 allowed)", () => {
            expectIssue(withPolicy({ install: { schedule: "cron(0 2 ? * SUN *)", maxErrors: "-1" } }), `${P}.install.maxErrors`, "botocore MaxErrors", "-1");
            expect(parse(withPolicy({ scan: { ...basePolicy.scan, maxErrors: "0" } })).patchPolicies[0].scan.maxErrors).to.equal("0");
        });
    });

    describe("targets", () => {
        it("requires one kind of target", () => {
            expectIssue(withPolicy({ targets: {} }), `${P}.targets`, "choose the nodes to patch");
            expectIssue(withPolicy({ targets: { allManagedNodes: true, resourceGroup: "web" } }), `${P}.targets`, "choose one kind of target, got allManagedNodes + resourceGroup");
        });
        it("rejects allManagedNodes: false", () => {
            expectIssue(withPolicy({ targets: { allManagedNodes: false, resourceGroup: "web" } }), `${P}.targets.allManagedNodes`, "set it to true or remove it");
        });
        it("allows at most 5 targets", () => {
            const tags = Object.fromEntries(["A", "B", "C", "D", "E"].map((k) => [k, ["x"]]));
            expectIssue(withPolicy({ targets: { tags, tagKeys: ["F"] } }), `${P}.targets`, "at most 5 targets per association", 6);
        });
        it("allows at most 50 values per target", () => {
            const values = Array.from({ length: 51 }, (_, i) => `v${i}`);
            expectIssue(withPolicy({ targets: { tags: { Env: values } } }), `${P}.targets.tags.Env`, "at most 50 values per target", values);
            expectIssue(withPolicy({ targets: { tagKeys: values } }), `${P}.targets.tagKeys`, "at most 50 values per target", values);
        });
        it("checks instance ids: EC2 i- or hybrid mi-", () => {
            expectIssue(withPolicy({ targets: { instanceIds: ["i-0123456789abcdef0", "i-12"] } }), `${P}.targets.instanceIds[1]`, "must be an EC2 instance id", "i-12");
            expect(parse(withPolicy({ targets: { instanceIds: ["i-0123456789abcdef0", "i-1234abcd", "mi-0123456789abcdef0"] } })).patchPolicies[0].targets.instanceIds).to.have.length(3);
        });
        it("checks tag keys and resource group names", () => {
            expectIssue(withPolicy({ targets: { tags: { "Env#": ["x"] } } }), `${P}.targets.tags["Env#"]`, "tag keys may contain", "Env#");
            expectIssue(withPolicy({ targets: { resourceGroup: "web servers" } }), `${P}.targets.resourceGroup`, "Resource Groups GroupName");
            expectIssue(withPolicy({ targets: { resourceGroup: "AWSWeb" } }), `${P}.targets.resourceGroup`, 'may not start with "AWS"');
        });
    });

    describe("documents and parameters", () => {
        it("hooks need AWS-RunPatchBaselineWithHooks, which needs hooks and an install", () => {
            expectIssue(withPolicy({ hooks: { preInstall: "Drain" } }), `${P}.hooks`, "hooks need document: AWS-RunPatchBaselineWithHooks");
            expectIssue(withPolicy({ document: "AWS-RunPatchBaselineWithHooks", install: { schedule: "cron(0 2 ? * SUN *)" } }), `${P}.hooks`, "needs at least one of preInstall");
            expectIssue(withPolicy({ document: "AWS-RunPatchBaselineWithHooks", hooks: { onExit: "Check" } }), `${P}.install`, "hooks run during Install only");
        });
        it("checks hook document names", () => {
            expectIssue(
                withPolicy({ document: "AWS-RunPatchBaselineWithHooks", hooks: { preInstall: "drain web" }, install: { schedule: "cron(0 2 ? * SUN *)" } }),
                `${P}.hooks.preInstall`,
                "SSM document name or ARN",
                "drain web",
            );
        });
        it("baselineTags needs AWS-RunPatchBaselineAssociation (which itself may go without it, seed 002)", () => {
            expect(parse(withPolicy({ document: "AWS-RunPatchBaselineAssociation" })).patchPolicies[0].baselineTags).to.equal(undefined);
            expectIssue(withPolicy({ baselineTags: { key: "PatchBaseline", values: ["web"] } }), `${P}.baselineTags`, "parameter of AWS-RunPatchBaselineAssociation only");
        });
        it("AWS-RunPatchBaselineAssociation takes no BaselineOverride, SnapshotId or hybrid nodes", () => {
            const tagged = (changes: Record<string, unknown>) =>
                withPolicy(
                    { document: "AWS-RunPatchBaselineAssociation", baselineTags: { key: "PatchBaseline", values: ["web"] }, ...changes },
                    { "patching:baselines": [{ ...(minimalConfig()["patching:baselines"] as object[])[0], tags: { PatchBaseline: "web" } }] },
                );
            expectIssue(tagged({ snapshotId: "521c3536-930c-4aa9-950e-01234c9c3f70" }), `${P}.snapshotId`, "takes no SnapshotId");
            expectIssue(tagged({ hybrid: {} }), `${P}.hybrid`, "does not support hybrid");
            expectIssue(tagged({ targets: { instanceIds: ["mi-0123456789abcdef0"] } }), `${P}.targets.instanceIds[0]`, "does not support hybrid (mi-) nodes");
            const withOverride = issuesOf(tagged({ useBaselineOverride: true }));
            expect(withOverride.filter((i) => i.path === `${P}.useBaselineOverride`).map((i) => i.message)).to.include(
                "AWS-RunPatchBaselineAssociation takes no BaselineOverride parameter; use AWS-RunPatchBaseline",
            );
        });
        it("baselineTags must match exactly one stack baseline per operating system", () => {
            const al = (minimalConfig()["patching:baselines"] as Record<string, unknown>[])[0];
            const assoc = { document: "AWS-RunPatchBaselineAssociation", baselineTags: { key: "PatchBaseline", values: ["web"] } };
            expectIssue(withPolicy(assoc), `${P}.baselineTags`, "no baseline in patching:baselines is tagged PatchBaseline=web");
            expectIssue(
                withPolicy(assoc, { "patching:baselines": [{ ...al, tags: { PatchBaseline: "web" } }, { ...al, name: "test-al2023-b", patchGroups: [], tags: { PatchBaseline: "web" } }] }),
                `${P}.baselineTags`,
                "2 AMAZON_LINUX_2023 baselines carry the tag (test-al2023, test-al2023-b)",
            );
        });
        it("baselineTags sees the stack tags every baseline carries", () => {
            const al = (minimalConfig()["patching:baselines"] as Record<string, unknown>[])[0];
            expectIssue(
                withPolicy({ document: "AWS-RunPatchBaselineAssociation", baselineTags: { key: "Environment", values: ["test"] } }, { "patching:baselines": [al, { ...al, name: "test-al2023-b", patchGroups: [] }] }),
                `${P}.baselineTags`,
                "2 AMAZON_LINUX_2023 baselines carry the tag",
            );
        });
        it("checks SnapshotId and InstallOverrideList formats", () => {
            expectIssue(withPolicy({ snapshotId: "latest" }), `${P}.snapshotId`, "a GUID", "latest");
            expectIssue(withPolicy({ install: { schedule: "cron(0 2 ? * SUN *)", installOverrideList: "http://example.com/list.yaml" } }), `${P}.install.installOverrideList`, "an https:// URL or an s3://bucket/key URL");
            expect(parse(withPolicy({ install: { schedule: "cron(0 2 ? * SUN *)", installOverrideList: "s3://lists/web/override.yaml" } })).patchPolicies[0].install?.installOverrideList).to.equal("s3://lists/web/override.yaml");
        });
    });

    describe("the baseline-override store hook", () => {
        it("rejects useBaselineOverride while patching:overrideStore is not enabled", () => {
            expectIssue(withPolicy({ useBaselineOverride: true }), `${P}.useBaselineOverride`, "needs the baseline-override store: enable patching:overrideStore", true);
        });
        it("accepts useBaselineOverride once the store is enabled", () => {
            const check = (overrideStore: unknown) => {
                const sink = new IssueSink();
                checkPatchPolicies(sink, "patching:patchPolicies", [{ ...basePolicy, useBaselineOverride: true }], { baselines: [], overrideStore, homeRegion: "us-east-1", stackTags: {} });
                return sink.issues.map((i) => i.path);
            };
            expect(check({})).to.deep.equal([]);
            expect(check({ enabled: true })).to.deep.equal([]);
            expect(check({ enabled: false })).to.deep.equal([`${P}.useBaselineOverride`]);
            expect(check(undefined)).to.deep.equal([`${P}.useBaselineOverride`]);
            expect([overrideStoreEnabled(true), overrideStoreEnabled("yes"), overrideStoreEnabled(null)]).to.deep.equal([true, false, false]);
        });
    });

    describe("regions", () => {
        it("rejects regions outside aws:region without the override or an explicit acceptance", () => {
            expectIssue(withPolicy({ regions: ["us-east-1", "eu-west-1"] }), `${P}.regions`, "exist in us-east-1 only; in eu-west-1 nodes would get whatever baseline", ["eu-west-1"]);
            expect(parse(withPolicy({ regions: ["us-east-1", "eu-west-1"], acceptRegionDefaultBaselines: true })).patchPolicies[0].regions).to.deep.equal(["us-east-1", "eu-west-1"]);
        });
        it("rejects AWS-RunPatchBaselineAssociation outside aws:region (the tagged baselines are not there)", () => {
            expectIssue(
                withPolicy(
                    { regions: ["eu-west-1"], document: "AWS-RunPatchBaselineAssociation", baselineTags: { key: "PatchBaseline", values: ["web"] } },
                    { "patching:baselines": [{ ...(minimalConfig()["patching:baselines"] as object[])[0], tags: { PatchBaseline: "web" } }] },
                ),
                `${P}.regions`,
                "baselines tagged for AWS-RunPatchBaselineAssociation exist in us-east-1 only",
            );
        });
    });

    describe("output", () => {
        it("explains that associations cannot write to CloudWatch Logs", () => {
            expectIssue(withPolicy({ output: { cloudWatchLogs: { retentionDays: 30 } } }), `${P}.output.cloudWatchLogs`, "CreateAssociation takes only an S3 OutputLocation");
        });
        it("checks the bucket name against S3 naming rules", () => {
            expectIssue(withPolicy({ output: { s3: { bucketName: "patch_output" } } }), `${P}.output.s3.bucketName`, "may contain only lowercase letters, digits, . and - (S3 bucket naming rules)", "patch_output");
            expect(s3BucketNameProblems("192.168.1.10")).to.include("must not be formatted as an IP address");
            expect(s3BucketNameProblems("my..bucket")).to.include("must not contain two adjacent periods");
            expect(s3BucketNameProblems("xn--bucket")).to.include("must not start with xn--");
            expect(s3BucketNameProblems("bucket-s3alias")).to.include("must not end with -s3alias");
            expect(s3BucketNameProblems("ab")).to.include("must be 3–63 characters");
            expect(s3BucketNameProblems("patch-output.example-123")).to.deep.equal([]);
        });
        it("needs a bucket name for an existing bucket; retention only for a created one", () => {
            expectIssue(withPolicy({ output: { s3: {} } }), `${P}.output.s3.bucketName`, "is required unless create: true");
            expectIssue(withPolicy({ output: { s3: { bucketName: "patch-output-1", retentionDays: 30 } } }), `${P}.output.s3.retentionDays`, "applies to a bucket this stack creates", 30);
        });
        it("checks the key prefix and the length of the full prefix", () => {
            expectIssue(withPolicy({ output: { s3: { create: true, keyPrefix: "/patching" } } }), `${P}.output.s3.keyPrefix`, "no leading or trailing /");
            expectIssue(withPolicy({ output: { s3: { create: true, keyPrefix: "p".repeat(470) } } }), `${P}.output.s3.keyPrefix`, "would be 505 characters; at most 500");
        });
    });

    describe("instance permissions", () => {
        it("attaching the profile needs the profile", () => {
            expectIssue(withPolicy({ instancePermissions: { createInstanceProfile: false, attachToInstancesWithoutProfile: true } }), `${P}.instancePermissions.attachToInstancesWithoutProfile`, "needs createInstanceProfile: true");
        });
    });

    describe("managed mode explains what Quick Setup does not support", () => {
        it("accepts a Quick Setup-shaped policy", () => {
            const [p] = parse(managed({ install: { schedule: "cron(0 2 ? * SUN *)" }, baselines: ["test-al2023"], regions: ["us-east-1", "eu-west-1"] })).patchPolicies;
            expect(p.mode).to.equal("managed");
            expect(p.baselines).to.deep.equal(["test-al2023"]);
        });
        it("one tag key with one value, no tag-key targets", () => {
            expectIssue(managed({ targets: { tags: { Environment: ["dev"], Team: ["web"] } } }), `${P}.targets.tags`, "one tag key with one value, got 2 keys");
            expectIssue(managed({ targets: { tags: { Environment: ["dev", "test"] } } }), `${P}.targets.tags["Environment"]`, "one tag value (TargetTagValue)");
            expectIssue(managed({ targets: { tagKeys: ["PatchMe"] } }), `${P}.targets.tagKeys`, "tag-key targets are owned mode only");
        });
        it("no hooks, BaselineTags, snapshot, hybrid, other documents or install override list", () => {
            expectIssue(managed({ hooks: { preInstall: "Drain" } }), `${P}.hooks`, "managed mode: Quick Setup runs AWS-RunPatchBaseline without hooks");
            expectIssue(managed({ snapshotId: "521c3536-930c-4aa9-950e-01234c9c3f70" }), `${P}.snapshotId`, "managed mode: Quick Setup takes no snapshot id");
            expectIssue(managed({ hybrid: {} }), `${P}.hybrid`, "managed mode: Quick Setup handles hybrid nodes itself");
            expectIssue(managed({ install: { schedule: "cron(0 2 ? * SUN *)", installOverrideList: "s3://lists/o.yaml" } }), `${P}.install.installOverrideList`, "managed mode: Quick Setup takes no install override list");
            const assoc = issuesOf(managed({ document: "AWS-RunPatchBaselineAssociation", baselineTags: { key: "K", values: ["v"] } }));
            expect(assoc.find((i) => i.path === `${P}.document`)?.message).to.contain("managed mode: Quick Setup always runs AWS-RunPatchBaseline");
            expect(assoc.filter((i) => i.path === `${P}.baselineTags`).map((i) => i.message)).to.include(
                "managed mode: Quick Setup selects baselines per operating system (baselines), not by tag; use mode: owned",
            );
        });
        it("no BaselineOverride from this stack's store, no explorer switch, no own instance profile settings", () => {
            expectIssue(managed({ useBaselineOverride: true }, ), `${P}.useBaselineOverride`, "managed mode: Quick Setup keeps its own baseline override file");
            expectIssue(managed({ enableExplorer: false }), `${P}.enableExplorer`, "Quick Setup always enables Explorer");
            expectIssue(managed({ instancePermissions: { createInstanceProfile: false } }), `${P}.instancePermissions.createInstanceProfile`, "only isPolicyAttachAllowed applies");
            expect(parse(managed({ instancePermissions: { isPolicyAttachAllowed: true } })).patchPolicies[0].instancePermissions.isPolicyAttachAllowed).to.equal(true);
        });
        it("no region-default acceptance: Quick Setup carries its baselines to every region", () => {
            expectIssue(managed({ acceptRegionDefaultBaselines: true }), `${P}.acceptRegionDefaultBaselines`, "managed mode: Quick Setup carries its baselines to every region");
        });
        it("cron schedules only, no offset, whole weeks after Patch Tuesday", () => {
            expectIssue(managed({ scan: { schedule: "rate(1 day)" } }), `${P}.scan.schedule`, "managed mode: Quick Setup takes a cron expression only");
            expectIssue(managed({ scan: { schedule: "cron(0 1 ? * TUE#2 *)", scheduleOffset: 2, applyOnlyAtCronInterval: true } }), `${P}.scan.scheduleOffset`, "managed mode: Quick Setup has no schedule offset");
            expectIssue(managed({ install: { patchTuesdayPlusDays: 12, time: "03:00" } }), `${P}.install.patchTuesdayPlusDays`, "only whole weeks after Patch Tuesday");
            expect(parse(managed({ install: { patchTuesdayPlusDays: 14, time: "03:00" } })).patchPolicies[0].install?.patchTuesdayPlusDays).to.equal(14);
        });
        it("one rate control for scan and install; compliance settings are Quick Setup's", () => {
            expectIssue(managed({ install: { schedule: "cron(0 2 ? * SUN *)", maxConcurrency: "5%" } }), `${P}.install.maxConcurrency`, "one rate control for scan and install", "5%");
            expectIssue(managed({ scan: { schedule: "cron(0 1 * * ? *)", complianceSeverity: "HIGH" } }), `${P}.scan.complianceSeverity`, "managed mode: Quick Setup sets this itself");
        });
        it("selected baselines must be stack baselines, one per operating system", () => {
            expectIssue(managed({ baselines: ["nope"] }), `${P}.baselines[0]`, 'no baseline named "nope" in patching:baselines', "nope");
            const al = (minimalConfig()["patching:baselines"] as Record<string, unknown>[])[0];
            expectIssue(
                managed({ baselines: ["test-al2023", "test-al2023-b"] }, ),
                `${P}.baselines[1]`,
                "no baseline named",
            );
            expectIssue(
                withPolicy({ mode: "managed", baselines: ["test-al2023", "test-al2023-b"] }, { "patching:baselines": [al, { ...al, name: "test-al2023-b", patchGroups: [] }] }),
                `${P}.baselines[1]`,
                "AMAZON_LINUX_2023 is already selected by baselines[0]",
            );
        });
        it("organizational units: valid ids, and no per-account targets", () => {
            expectIssue(managed({ organizationalUnits: ["ou-12"] }), `${P}.organizationalUnits[0]`, "an OU id");
            expectIssue(managed({ organizationalUnits: ["ou-ab12-cdef3456"], targets: { resourceGroup: "web" } }), `${P}.targets`, "instance ids and resource groups exist in one account only");
        });
    });

    describe("owned mode explains what belongs to managed mode", () => {
        it("rejects baselines and organizationalUnits", () => {
            expectIssue(withPolicy({ baselines: ["test-al2023"] }), `${P}.baselines`, "baselines is for mode: managed");
            expectIssue(withPolicy({ organizationalUnits: ["ou-ab12-cdef3456"] }), `${P}.organizationalUnits`, "organization-wide deployment is mode: managed");
        });
    });
});
