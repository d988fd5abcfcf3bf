/** Agent updates (seed 004, Quick Setup host management): SSM Agent, CloudWatch agent, EC2Launch. */
import { expect } from "chai";
import { summarise } from "../review/summaries";
import { expectIssue, minimalConfig, named, ofType, parse, runProgram } from "./harness";

const ASSOC = "aws-native:ssm:Association";
const P = "patching:agentUpdates";
const all = { tags: { Environment: ["test"] } };
const values = (agentUpdates: Record<string, unknown>) => minimalConfig({ "patching:agentUpdates": agentUpdates });

describe("agent updates (seed 004)", () => {
    it("deploys one association per agent with Quick Setup's schedules, its own targets, rate control and output", async () => {
        const { resources } = await runProgram(
            values({
                ssmAgent: { targets: { allManagedNodes: true } },
                cloudWatchAgent: { targets: all, maxConcurrency: "5", maxErrors: "1", output: { s3: { bucketName: "agent-output-123" } } },
                ec2Launch: { targets: { tags: { OS: ["windows"] } }, schedule: "cron(0 3 ? * SUN *)", associationName: "WindowsLaunchAgent" },
            }),
        );
        expect(ofType(resources, ASSOC).map((r) => r.inputs.associationName).sort()).to.deep.equal(["WindowsLaunchAgent", "patching-test-UpdateCloudWatchAgent", "patching-test-UpdateSSMAgent"]);
        expect(named(resources, ASSOC, "test-agent-updates-ssmAgent").inputs).to.deep.include({
            name: "AWS-UpdateSSMAgent",
            targets: [{ key: "InstanceIds", values: ["*"] }],
            parameters: {},
            scheduleExpression: "rate(14 days)",
            maxConcurrency: "10%",
            maxErrors: "5%",
        });
        const cw = named(resources, ASSOC, "test-agent-updates-cloudWatchAgent").inputs;
        expect(cw).to.deep.include({
            name: "AWS-ConfigureAWSPackage",
            parameters: { action: ["Install"], name: ["AmazonCloudWatchAgent"] },
            scheduleExpression: "rate(30 days)",
            maxConcurrency: "5",
            maxErrors: "1",
            outputLocation: { s3Location: { outputS3BucketName: "agent-output-123", outputS3KeyPrefix: "agent-updates/cloudWatchAgent", outputS3Region: "us-east-1" } },
        });
        const launch = named(resources, ASSOC, "test-agent-updates-ec2Launch");
        expect(launch.inputs).to.deep.include({ parameters: { action: ["Install"], name: ["AWSEC2Launch-Agent"] }, scheduleExpression: "cron(0 3 ? * SUN *)", targets: [{ key: "tag:OS", values: ["windows"] }] });
        expect(launch.options.provider).to.contain("aws-native-us-east-1");
        // The review shows each association's document, schedule, targets, rate control and package.
        expect(summarise(ASSOC, launch.inputs as Record<string, unknown>)).to.include.members([
            "WindowsLaunchAgent runs AWS-ConfigureAWSPackage",
            "schedule cron(0 3 ? * SUN *); targets tag:OS=windows; max concurrency 10%, max errors 5%",
            "action=Install",
            "name=AWSEC2Launch-Agent",
        ]);
    });

    it("nothing configured: no association", async () => {
        expect(parse(minimalConfig()).agentUpdates).to.equal(undefined);
    });

    it("validates with the patching rules: State Manager schedules, targets, rate control, bucket names", () => {
        expectIssue(values({ ssmAgent: { targets: all, schedule: "rate(10 minutes)" } }), `${P}.ssmAgent.schedule`, "at least 30 minutes", "rate(10 minutes)");
        expectIssue(values({ ssmAgent: { targets: all, maxConcurrency: "0" } }), `${P}.ssmAgent.maxConcurrency`, "botocore MaxConcurrency", "0");
        expectIssue(values({ cloudWatchAgent: { targets: { resourceGroup: "aws-web" } } }), `${P}.cloudWatchAgent.targets.resourceGroup`, "reserved", "aws-web");
        expectIssue(values({ ec2Launch: { targets: all, output: { s3: { bucketName: "bad_bucket" } } } }), `${P}.ec2Launch.output.s3.bucketName`, "S3 bucket naming rules", "bad_bucket");
        expectIssue(values({ ssmAgent: { targets: all, associationName: "a b" } }), `${P}.ssmAgent.associationName`, "botocore AssociationName", "a b");
        expectIssue(values({ nginx: { targets: all } }), P, "nginx");
    });
});
