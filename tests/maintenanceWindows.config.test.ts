import { expect } from "chai";
import { isIso8601 } from "../config/maintenanceWindows";
import { minimalConfig, parse } from "./harness";
import { expectIssue, validWindow } from "./support/configIssues";

const W = "patching:maintenanceWindows[0]";

function withWindow(change: (w: Record<string, unknown>) => void, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const w = validWindow();
    change(w);
    return minimalConfig({ "patching:maintenanceWindows": [w], ...extra });
}
const task = (w: Record<string, unknown>) => (w.tasks as Record<string, unknown>[])[0];
const runCommand = (w: Record<string, unknown>) => task(w).runCommand as Record<string, unknown>;
const target = (w: Record<string, unknown>) => (w.targets as Record<string, unknown>[])[0];

describe("config: patching:maintenanceWindows", () => {
    it("accepts a valid window and fills the documented defaults", () => {
        const cfg = parse(withWindow(() => undefined));
        const w = cfg.maintenanceWindows[0];
        expect(w).to.deep.include({ enabled: true, allowUnassociatedTargets: false });
        expect(w.tasks[0]).to.deep.include({ priority: 1, maxConcurrency: "10%", maxErrors: "2%", cutoffBehavior: "CONTINUE_TASK" });
        expect(w.tasks[0].runCommand).to.deep.include({ documentName: "AWS-RunPatchBaseline", timeoutSeconds: 600, parameters: {} });
        expect(w.notifications).to.deep.equal({ events: ["Failed", "TimedOut", "Cancelled"], type: "Command", kmsMasterKeyId: "alias/aws/sns", emails: [] });
        expect(cfg.patchOrchestrators).to.deep.equal([]);
    });

    describe("window", () => {
        it("checks the name pattern (botocore MaintenanceWindowName)", () => {
            expectIssue(withWindow((w) => (w.name = "has space")), `${W}.name`, "3–128 letters, digits, _ - .", "has space");
        });
        it("rejects duplicate window names", () => {
            const values = minimalConfig({ "patching:maintenanceWindows": [validWindow(), validWindow()] });
            expectIssue(values, "patching:maintenanceWindows[1].name", "duplicate window name; already used by patching:maintenanceWindows[0]", "prod-install");
        });
        it("checks the description length (1–128)", () => {
            expectIssue(withWindow((w) => (w.description = "d".repeat(129))), `${W}.description`, "at most 128");
        });
        it("validates the schedule with core/schedule (cron needs one ? of day-of-month/day-of-week)", () => {
            expectIssue(withWindow((w) => (w.schedule = "cron(0 2 * * * *)")), `${W}.schedule`, 'exactly one of day-of-month and day-of-week must be "?"', "cron(0 2 * * * *)");
        });
        it("rejects rates under 30 minutes", () => {
            expectIssue(withWindow((w) => (w.schedule = "rate(10 minutes)")), `${W}.schedule`, "at least 30 minutes", "rate(10 minutes)");
        });
        it("accepts cron with a seconds field, rate and at", () => {
            for (const schedule of ["cron(0 0 2 ? * TUE#2 *)", "rate(2 hours)", "at(2026-12-08T02:00:00)"]) {
                expect(parse(withWindow((w) => ((w.schedule = schedule), delete w.scheduleOffset))).maintenanceWindows[0].schedule).to.equal(schedule);
            }
        });
        it("checks scheduleTimezone is an IANA zone", () => {
            expectIssue(withWindow((w) => (w.scheduleTimezone = "Mars/Olympus")), `${W}.scheduleTimezone`, "IANA time zone", "Mars/Olympus");
            expectIssue(withWindow((w) => (w.scheduleTimezone = "+09:00")), `${W}.scheduleTimezone`, "IANA time zone");
        });
        it("checks scheduleOffset is 1–6", () => {
            expectIssue(withWindow((w) => (w.scheduleOffset = 7)), `${W}.scheduleOffset`, "from 1 to 6", 7);
        });
        it("allows scheduleOffset with cron schedules only", () => {
            expectIssue(
                withWindow((w) => ((w.schedule = "rate(1 day)"), (w.scheduleOffset = 2))),
                `${W}.scheduleOffset`,
                "applies to cron schedules only; the schedule is rate(1 day)",
                2,
            );
        });
        it("checks duration is 1–24 hours", () => {
            expectIssue(withWindow((w) => (w.duration = 0)), `${W}.duration`, "from 1 to 24", 0);
            expectIssue(withWindow((w) => (w.duration = 25)), `${W}.duration`, "from 1 to 24", 25);
        });
        it("checks cutoff is 0–23", () => {
            expectIssue(withWindow((w) => ((w.cutoff = 24), (w.duration = 24))), `${W}.cutoff`, "from 0 to 23", 24);
        });
        it("requires the cutoff to be below the duration", () => {
            expectIssue(withWindow((w) => ((w.duration = 2), (w.cutoff = 2))), `${W}.cutoff`, "must be less than the duration (2 h)", 2);
        });
        it("checks startDate/endDate are real ISO-8601 instants, end after start", () => {
            expectIssue(withWindow((w) => (w.startDate = "2026-13-01T00:00:00Z")), `${W}.startDate`, "ISO-8601", "2026-13-01T00:00:00Z");
            expectIssue(withWindow((w) => (w.endDate = "next week")), `${W}.endDate`, "ISO-8601", "next week");
            expectIssue(
                withWindow((w) => ((w.startDate = "2026-06-01T00:00:00Z"), (w.endDate = "2026-05-31T23:00:00+09:00"))),
                `${W}.endDate`,
                "must be after startDate (2026-06-01T00:00:00Z)",
            );
            expect(isIso8601("2026-06-01")).to.equal(true);
            expect(isIso8601("2026-06-01T09:00+09:00")).to.equal(true);
            expect(isIso8601("2026-02-30T00:00:00Z")).to.equal(false);
            expect(isIso8601("2026-06-01T24:00:00Z")).to.equal(false);
        });
        it("needs at least one task", () => {
            expectIssue(withWindow((w) => (w.tasks = [])), `${W}.tasks`, "at least one task");
        });
    });

    describe("targets", () => {
        const T = `${W}.targets[0]`;
        it("needs tags, tagKeys, instanceIds or a resource group", () => {
            expectIssue(withWindow((w) => (w.targets = [{ name: "none" }])), T, "needs tags, tagKeys, instanceIds or resourceGroup");
        });
        it("takes at most 5 key/value entries (botocore Targets)", () => {
            expectIssue(withWindow((w) => (target(w).tags = { a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] })), T, "registers 6 key/value entries; a target takes at most 5");
        });
        it("takes at most 50 values per key", () => {
            expectIssue(withWindow((w) => (target(w).tags = { PatchGroup: Array.from({ length: 51 }, (_, i) => `g${i}`) })), `${T}.tags.PatchGroup`, "at most 50 values");
        });
        it("does not mix a resource group with instance targets", () => {
            expectIssue(withWindow((w) => (target(w).resourceGroup = { name: "web-servers" })), T, "resourceGroup (ResourceType RESOURCE_GROUP) cannot be combined with tags");
        });
        it("does not mix instance ids with tags", () => {
            expectIssue(withWindow((w) => (target(w).instanceIds = ["i-0123456789abcdef0"])), T, "instanceIds cannot be combined with tags");
        });
        it("checks instance ids", () => {
            expectIssue(withWindow((w) => (w.targets = [{ name: "ids", instanceIds: ["i-123"] }])), `${T}.instanceIds[0]`, "an EC2 instance id", "i-123");
        });
        it("checks resource group names (no aws prefix) and type filters", () => {
            expectIssue(withWindow((w) => (w.targets = [{ name: "rg", resourceGroup: { name: "AWS-fleet" } }])), `${T}.resourceGroup.name`, "reserved", "AWS-fleet");
            expectIssue(
                withWindow((w) => (w.targets = [{ name: "rg", resourceGroup: { name: "fleet", resourceTypes: ["EC2::Instance"] } }])),
                `${T}.resourceGroup.resourceTypes[0]`,
                "AWS::EC2::Instance",
            );
        });
        it("needs at least one tag in a tag target", () => {
            expectIssue(withWindow((w) => (target(w).tags = {})), `${T}.tags`, "needs at least one tag key");
        });
        it("rejects duplicate target names in a window", () => {
            expectIssue(withWindow((w) => (w.targets = [target(w), target(w)])), `${W}.targets[1].name`, "duplicate target name in this window");
        });
        it("checks ownerInformation length", () => {
            expectIssue(withWindow((w) => (target(w).ownerInformation = "o".repeat(129))), `${T}.ownerInformation`, "at most 128");
        });
    });

    describe("tasks", () => {
        const K = `${W}.tasks[0]`;
        it("checks the task type", () => {
            expectIssue(withWindow((w) => (task(w).type = "LAMBDA")), `${K}.type`, "must be one of RUN_COMMAND, AUTOMATION", "LAMBDA");
        });
        it("checks priority ≥ 0", () => {
            expectIssue(withWindow((w) => (task(w).priority = -1)), `${K}.priority`, "≥ 0", -1);
        });
        it("checks maxConcurrency and maxErrors patterns", () => {
            expectIssue(withWindow((w) => (task(w).maxConcurrency = "0")), `${K}.maxConcurrency`, "botocore MaxConcurrency", "0");
            expectIssue(withWindow((w) => (task(w).maxErrors = "101%")), `${K}.maxErrors`, "botocore MaxErrors", "101%");
            expect(parse(withWindow((w) => ((task(w).maxConcurrency = "100%"), (task(w).maxErrors = "0")))).maintenanceWindows[0].tasks[0]).to.deep.include({ maxConcurrency: "100%", maxErrors: "0" });
        });
        it("checks cutoffBehavior", () => {
            expectIssue(withWindow((w) => (task(w).cutoffBehavior = "STOP")), `${K}.cutoffBehavior`, "CONTINUE_TASK, CANCEL_TASK", "STOP");
        });
        it("checks that task targets name targets of the window", () => {
            expectIssue(withWindow((w) => (task(w).targets = ["db"])), `${K}.targets[0]`, "is not a target of this window; targets: web", "db");
        });
        it("rejects duplicate task names", () => {
            expectIssue(withWindow((w) => (w.tasks = [task(w), task(w)])), `${W}.tasks[1].name`, "duplicate task name in this window");
        });
        it("RUN_COMMAND needs runCommand settings and targets, and no automation settings", () => {
            expectIssue(withWindow((w) => delete task(w).runCommand), K, "a RUN_COMMAND task needs runCommand settings");
            expectIssue(withWindow((w) => (w.targets = [])), `${K}.targets`, "needs at least one target");
            expectIssue(withWindow((w) => (task(w).automation = { documentName: "AWS-RestartEC2Instance", assumeRoleArn: "arn:aws:iam::123456789012:role/r" })), `${K}.automation`, "applies to AUTOMATION tasks only");
        });
        it("AWS-RunPatchBaseline needs an operation: Install or Scan", () => {
            expectIssue(withWindow((w) => delete runCommand(w).operation), `${K}.runCommand.operation`, "needs an operation: Install or Scan");
            expectIssue(withWindow((w) => (runCommand(w).operation = "Upgrade")), `${K}.runCommand.operation`, "Scan, Install", "Upgrade");
        });
        it("RebootOption is RebootIfNeeded or NoReboot", () => {
            expectIssue(withWindow((w) => (runCommand(w).rebootOption = "RebootNow")), `${K}.runCommand.rebootOption`, "RebootIfNeeded, NoReboot", "RebootNow");
        });
        it("operation/rebootOption belong to AWS-RunPatchBaseline only", () => {
            expectIssue(withWindow((w) => (runCommand(w).documentName = "AWS-RunShellScript")), `${K}.runCommand.operation`, "is an AWS-RunPatchBaseline parameter; the task runs AWS-RunShellScript");
        });
        it("Operation/RebootOption are set through their own keys, not raw parameters", () => {
            expectIssue(withWindow((w) => (runCommand(w).parameters = { Operation: ["Scan"] })), `${K}.runCommand.parameters.Operation`, "set operation instead");
        });
        it("checks the document name and version", () => {
            expectIssue(withWindow((w) => (runCommand(w).documentName = "a b")), `${K}.runCommand.documentName`, "botocore DocumentARN", "a b");
            expectIssue(withWindow((w) => (runCommand(w).documentVersion = "latest")), `${K}.runCommand.documentVersion`, "$DEFAULT, $LATEST", "latest");
        });
        it("checks timeoutSeconds is 30–2592000", () => {
            expectIssue(withWindow((w) => (runCommand(w).timeoutSeconds = 29)), `${K}.runCommand.timeoutSeconds`, "from 30 to 2592000", 29);
            expectIssue(withWindow((w) => (runCommand(w).timeoutSeconds = 2592001)), `${K}.runCommand.timeoutSeconds`, "from 30 to 2592000", 2592001);
        });
        it("checks the comment is at most 100 characters", () => {
            expectIssue(withWindow((w) => (runCommand(w).comment = "c".repeat(101))), `${K}.runCommand.comment`, "at most 100");
        });
        it("checks the S3 output bucket name and key prefix", () => {
            expectIssue(withWindow((w) => (runCommand(w).outputS3 = { bucketName: "patch_logs" })), `${K}.runCommand.outputS3.bucketName`, "lowercase letters", "patch_logs");
            expectIssue(withWindow((w) => (runCommand(w).outputS3 = { bucketName: "patch-logs", keyPrefix: "k".repeat(501) })), `${K}.runCommand.outputS3.keyPrefix`, "at most 500");
        });
        it("checks the CloudWatch output log group name and retention", () => {
            expectIssue(withWindow((w) => (runCommand(w).cloudWatchOutput = { logGroupName: "bad name" })), `${K}.runCommand.cloudWatchOutput.logGroupName`, "LogGroupName", "bad name");
            expectIssue(withWindow((w) => (runCommand(w).cloudWatchOutput = { retentionDays: 8 })), `${K}.runCommand.cloudWatchOutput.retentionDays`, "must be one of 1, 3, 5, 7, 14, 30", 8);
        });
        it("AUTOMATION needs automation settings with a role ARN, not runCommand", () => {
            expectIssue(withWindow((w) => (w.tasks = [{ name: "restart", type: "AUTOMATION" }])), K, "an AUTOMATION task needs automation settings");
            expectIssue(
                withWindow((w) => (w.tasks = [{ name: "restart", type: "AUTOMATION", automation: { documentName: "AWS-RestartEC2Instance", assumeRoleArn: "role/r" } }])),
                `${K}.automation.assumeRoleArn`,
                "an IAM role ARN",
                "role/r",
            );
            expectIssue(
                withWindow((w) => (w.tasks = [{ name: "restart", type: "AUTOMATION", runCommand: {}, automation: { documentName: "AWS-RestartEC2Instance", assumeRoleArn: "arn:aws:iam::123456789012:role/r" } }])),
                `${K}.runCommand`,
                "applies to RUN_COMMAND tasks only",
            );
        });
        it("AutomationAssumeRole comes from assumeRoleArn only", () => {
            expectIssue(
                withWindow((w) => (w.tasks = [{ name: "restart", type: "AUTOMATION", automation: { documentName: "AWS-RestartEC2Instance", assumeRoleArn: "arn:aws:iam::123456789012:role/r", parameters: { AutomationAssumeRole: ["x"] } } }])),
                `${K}.automation.parameters.AutomationAssumeRole`,
                "is set from assumeRoleArn",
            );
        });
        it("accepts a targetless AUTOMATION task", () => {
            const cfg = parse(withWindow((w) => (w.tasks = [{ name: "restart", type: "AUTOMATION", targets: [], automation: { documentName: "AWS-RestartEC2Instance", assumeRoleArn: "arn:aws:iam::123456789012:role/r" } }])));
            expect(cfg.maintenanceWindows[0].tasks[0].targets).to.deep.equal([]);
        });
    });

    describe("notifications", () => {
        const N = `${W}.notifications`;
        it("checks notification events and type", () => {
            expectIssue(withWindow((w) => (w.notifications = { events: ["Failure"] })), `${N}.events[0]`, "All, InProgress, Success, TimedOut, Cancelled, Failed", "Failure");
            expectIssue(withWindow((w) => (w.notifications = { type: "Instance" })), `${N}.type`, "Command, Invocation", "Instance");
        });
        it("checks the KMS key reference and email addresses", () => {
            expectIssue(withWindow((w) => (w.notifications = { kmsMasterKeyId: "my key" })), `${N}.kmsMasterKeyId`, "KMS key", "my key");
            expectIssue(withWindow((w) => (w.notifications = { emails: ["ops"] })), `${N}.emails[0]`, "email address", "ops");
        });
    });

    describe("names shared across the stack", () => {
        it("a log group is created once: two tasks naming the same one must share it with create: false", () => {
            const values = withWindow((w) => {
                runCommand(w).cloudWatchOutput = { logGroupName: "/aws/ssm/patching" };
                w.tasks = [task(w), { ...task(w), name: "scan", runCommand: { operation: "Scan", cloudWatchOutput: { logGroupName: "/aws/ssm/patching" } } }];
            });
            expectIssue(values, `${W}.tasks[1].runCommand.cloudWatchOutput.logGroupName`, "already created by patching:maintenanceWindows[0].tasks[0].runCommand.cloudWatchOutput; set create: false");
            const shared = withWindow((w) => {
                runCommand(w).cloudWatchOutput = { logGroupName: "/aws/ssm/patching" };
                w.tasks = [task(w), { ...task(w), name: "scan", runCommand: { operation: "Scan", cloudWatchOutput: { logGroupName: "/aws/ssm/patching", create: false } } }];
            });
            expect(() => parse(shared)).not.to.throw();
        });
    });
});
