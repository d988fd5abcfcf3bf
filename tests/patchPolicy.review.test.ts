import { expect } from "chai";
import * as path from "path";
import { renderText, toJsonPlan } from "../review/render";
import { cachedReview, ROOT } from "./harness";

const NOW = new Date("2026-03-01T00:00:00Z");

describe("patch policies in the review", () => {
    it("the prod JSON plan shows scan and install with document, schedule, targets, rate control, output and parameters", async () => {
        const plan = toJsonPlan(await cachedReview({ stack: "prod", now: NOW }));
        const install = plan.resources.find((r) => r.type === "aws-native:ssm:Association" && r.name === "prod-patching-us-east-1-install")!;
        expect(install.parent).to.equal("urn:pulumi:prod::patching::patching:ssm:PatchPolicy::prod-patching");
        expect(install.inputs).to.deep.include({
            name: "AWS-RunPatchBaseline",
            scheduleExpression: "cron(0 3 ? * TUE#3 *)",
            scheduleOffset: 5,
            maxConcurrency: "5%",
            maxErrors: "1",
            targets: [{ key: "tag:PatchFleet", values: ["app"] }],
            // Change safety: prod installs dev's pinned list, held by the approval calendar.
            parameters: {
                Operation: ["Install"],
                RebootOption: ["RebootIfNeeded"],
                BaselineOverride: ["s3://patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json"],
                InstallOverrideList: ["s3://prod-change-safety-artifacts-bucket/install-override-list/prod.yaml"],
            },
            calendarNames: ["arn:aws:ssm:us-east-1:123456789012:document/patching-prod-install-approval"],
        });
        const profile = plan.resources.find((r) => r.type === "aws:iam/instanceProfile:InstanceProfile")!;
        expect(profile.parent).to.equal("urn:pulumi:prod::patching::patching:ssm:PatchPolicy$patching:iam:PatchInstancePermissions::prod-patching-iam");
        expect(plan.sections.map((s) => s.title)).to.include("Patch policy schedules: next 5 runs (UTC) from Sun 2026-03-01 00:00 UTC");
    });

    it("a managed policy shows the Quick Setup configuration manager with its parameters", async () => {
        const review = await cachedReview({ stack: "qs", configPath: path.join(ROOT, "tests/fixtures/managed-policy.yaml"), now: NOW });
        expect(review.configErrors).to.deep.equal([]);
        const text = renderText(review);
        expect(text).to.contain("▸ qs-fleet  (patching:ssm:PatchPolicy)");
        expect(text).to.contain('AWSQuickSetupType-PatchPolicy "qs-fleet" (ScanAndInstall)');
        expect(text).to.contain("scan cron(0 1 * * ? *); install cron(0 4 ? * TUE#3 *) (next interval), RebootIfNeeded");
        expect(text).to.contain("targets Tags PatchPolicy=qs-fleet in 123456789012 / us-east-1,us-west-2");
        expect(text).to.contain(
            "baselines (custom, from us-east-1): ALMA_LINUX=AWS-AlmaLinuxDefaultPatchBaseline(ARN) AMAZON_LINUX_2=AWS-AmazonLinux2DefaultPatchBaseline(ARN) AMAZON_LINUX_2023=qs-amazon-linux-2023 DEBIAN=",
        );
        expect(text).to.contain("WINDOWS=AWS-DefaultPatchBaseline(ARN)");
        expect(text).to.contain("25 parameters; HasDeletedBaseline false; AWS-managed baselines by ARN, resolved in us-east-1 at deployment");
        expect(text).to.contain("qs-fleet · us-west-2 · install (managed): cron(0 4 ? * TUE#3 *) — Patch Tuesday + 7 days at 04:00 UTC");
        expect(text).to.contain("    Tue 2026-03-17 04:00 UTC");
        expect(review.resources.filter((r) => r.type === "aws-native:ssm:Association")).to.have.length(0);
    });
});
