import { expect } from "chai";
import { renderText } from "../review/render";
import { cachedReview, named, ofType, runStackFile } from "./harness";

describe("seeing compliance in the stack files and the review", () => {
    it("dev is modest: daily inventory into its own bucket, two rules, 14-day logs, no report, no Athena", async () => {
        const { resources } = await runStackFile("Pulumi.dev.yaml", "dev");
        expect(named(resources, "aws:ssm/association:Association", "dev-compliance-inventory").inputs.scheduleExpression).to.equal("rate(1 day)");
        expect(ofType(resources, "aws:cloudwatch/eventRule:EventRule").map((r) => r.inputs.name).sort()).to.deep.equal(["patching-dev-patch-noncompliant", "patching-dev-run-command-failed"]);
        expect(named(resources, "aws:cloudwatch/logGroup:LogGroup", "dev-compliance-patching-logs").inputs.retentionInDays).to.equal(14);
        expect(ofType(resources, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs.endpoint)).to.deep.equal(["platform-team@example.com"]);
        // (The override store in the same stack has its own roles: count the compliance component's only.)
        const compliance = resources.filter((r) => r.name.startsWith("dev-compliance"));
        for (const t of ["aws:athena/workgroup:Workgroup", "aws:securityhub/productSubscription:ProductSubscription", "aws:iam/role:Role"]) expect(ofType(compliance, t), t).to.have.length(0);
    });

    it("prod is the organization's central compliance account: named protected bucket admitting the organization, everything on", async () => {
        const { resources } = await runStackFile("Pulumi.prod.yaml", "prod");
        const bucket = named(resources, "aws:s3/bucket:Bucket", "prod-compliance-bucket");
        expect(bucket.inputs.bucket).to.equal("example-patching-compliance-prod");
        expect(bucket.options.protect).to.equal(true);
        const policy = JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "prod-compliance-bucket-policy").inputs.policy as string);
        expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal([
            "DenyInsecureTransport",
            "SSMBucketPermissionsCheck",
            "SSMBucketDelivery123456789012",
            "SSMBucketPermissionsCheckOrganization",
            "SSMBucketDeliveryOrganization",
        ]);
        expect(ofType(resources, "aws:cloudwatch/eventRule:EventRule")).to.have.length(6); // five notifications + the report schedule
        expect(named(resources, "aws:cloudwatch/eventRule:EventRule", "prod-compliance-patch-report").inputs.scheduleExpression).to.equal("rate(7 days)");
        expect(named(resources, "aws:cloudwatch/logGroup:LogGroup", "prod-compliance-patching-logs").inputs.retentionInDays).to.equal(365);
        expect(ofType(resources, "aws:athena/workgroup:Workgroup")).to.have.length(1);
        expect(ofType(resources, "aws:securityhub/productSubscription:ProductSubscription")).to.have.length(1);
    });

    it("the review prints schedules with next runs, event patterns, the bucket policy and the dashboard metrics", async () => {
        const review = await cachedReview({ stack: "prod", now: new Date("2026-03-02T00:00:00Z") });
        const section = review.sections.find((s) => s.title === "Seeing compliance")!;
        expect(section.lines[0]).to.equal(
            "Inventory (AWS-GatherSoftwareInventory) rate(30 minutes), next: Mon 2026-03-02 00:30 UTC; Mon 2026-03-02 01:00 UTC; Mon 2026-03-02 01:30 UTC (a rate counts from when the association is created)",
        );
        expect(section.lines).to.include("Resource data sync patching-prod-compliance → s3://example-patching-compliance-prod/resource-data-sync/ in us-east-1 (inventory, compliance and patch data, JsonSerDe)");
        expect(section.lines).to.include(
            "Patch report AWS-SystemsManager-PatchManager-PatchReport-weekly rate(7 days), next: Mon 2026-03-09 00:00 UTC; Mon 2026-03-16 00:00 UTC; Mon 2026-03-23 00:00 UTC (a rate counts from when the rule is created)",
        );
        expect(section.lines).to.include(
            'Notify on patching-prod-patch-noncompliant: {"source":["aws.ssm"],"detail-type":["Configuration Compliance State Change"],"detail":{"compliance-type":["Patch"],"compliance-status":["non_compliant"]}}',
        );
        expect(section.lines).to.include("Recipients: patching-oncall@example.com, secops@example.com; each must confirm the subscription email");
        expect(section.lines.find((l) => l.startsWith("Dashboard "))).to.contain("AWS/SSM-RunCommand CommandsFailed");
        expect(section.lines).to.include("Security Hub: Patch Manager findings turned on by this stack");

        const text = renderText(review);
        expect(text).to.contain(
            "SSMBucketDeliveryOrganization: Allow ssm.amazonaws.com s3:PutObject on arn:aws:s3:::example-patching-compliance-prod/resource-data-sync/*/accountid=*/* when aws:SourceOrgID StringEquals o-a1b2c3d4e5",
        );
        expect(text).to.contain("Run Command results, all documents: AWS/SSM-RunCommand CommandsSucceeded, AWS/SSM-RunCommand CommandsFailed, AWS/SSM-RunCommand CommandsDeliveryTimedOut");
        expect(text).to.contain("AWS-SystemsManager-PatchManager-PatchReport-weekly (ENABLED): schedule rate(7 days)");
        expect(text).to.contain("ExpireReplacedVersions: replaced versions after 90d, abort uploads after 7d");
    });
});
