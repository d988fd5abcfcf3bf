import { expect } from "chai";
import { installScheduleMinInterval, patchMaxErrorsBounded, patchOutputRequired, patchRebootExplicit, shortestIntervalHours, windowCutoffMargin } from "../../policies/operations";
import { check, messages, res } from "./util";

const ASSOC = "aws:ssm/association:Association";
const MW = "aws:ssm/maintenanceWindow:MaintenanceWindow";
const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
const install = (extra: Record<string, unknown> = {}) =>
    res(ASSOC, "install", {
        name: "AWS-RunPatchBaseline",
        parameters: { Operation: "Install", RebootOption: "RebootIfNeeded" },
        scheduleExpression: "cron(0 2 ? * SUN *)",
        maxErrors: "5%",
        outputLocation: { s3BucketName: "logs", s3KeyPrefix: "p/" },
        ...extra,
    });
const unrelated = res(ASSOC, "inventory", { name: "AWS-GatherSoftwareInventory", scheduleExpression: "rate(30 minutes)" });

describe("policies: operations", () => {
    it("shortestIntervalHours measures cron, rate and offsets", () => {
        expect(shortestIntervalHours("cron(0 2 ? * SUN *)")).to.equal(168);
        expect(shortestIntervalHours("cron(0 2 ? * MON,THU *)")).to.equal(72);
        expect(shortestIntervalHours("rate(12 hours)")).to.equal(12);
        expect(shortestIntervalHours("at(2030-01-01T00:00:00)")).to.equal(undefined);
    });

    describe("install-schedule-min-interval", () => {
        it("passes weekly installs, scans and other documents", async () => {
            const scan = res(ASSOC, "scan", { name: "AWS-RunPatchBaseline", parameters: { Operation: "Scan" }, scheduleExpression: "rate(1 hour)" });
            expect(await messages(installScheduleMinInterval, [install(), scan, unrelated], { minIntervalHours: 168 })).to.deep.equal([]);
        });
        it("reports installs more frequent than the minimum, for associations and window tasks", async () => {
            const window = res(MW, "mw", { schedule: "cron(0 22 ? * * *)", duration: 4, cutoff: 1 });
            const task = res(TASK, "task", { taskArn: "AWS-RunPatchBaseline", taskType: "RUN_COMMAND", windowId: "mw-id", taskInvocationParameters: { runCommandParameters: { parameters: [{ name: "Operation", values: ["Install"] }] } } }, { windowId: [window] });
            const msgs = await messages(installScheduleMinInterval, [install({ scheduleExpression: "rate(12 hours)" }), window, task], { minIntervalHours: 24 });
            expect(msgs).to.deep.equal([
                'Association "install" installs patches every 12 hour(s) (rate(12 hours)); installs may reboot and must be at least 24 hour(s) apart. Fix: schedule installs less often (e.g. weekly) and scan more often instead.',
            ]);
            const weekly = await messages(installScheduleMinInterval, [window, task], { minIntervalHours: 168 });
            expect(weekly).to.have.length(1);
            expect(weekly[0]).to.contain('MaintenanceWindowTask "task" (window "mw") installs patches every 24 hour(s)');
        });
    });

    describe("patch-max-errors-bounded", () => {
        it("passes bounded values and non-patch documents", async () => {
            expect(await messages(patchMaxErrorsBounded, [install(), install({ maxErrors: "1" }), unrelated])).to.deep.equal([]);
        });
        it("reports 100%, large counts and missing values, as mandatory", async () => {
            const r = await check(patchMaxErrorsBounded, [install({ maxErrors: "100%" }), install({ maxErrors: "50" }), install({ maxErrors: undefined })]);
            expect(r.map((x) => x.enforcementLevel)).to.deep.equal(["mandatory", "mandatory", "mandatory"]);
            expect(r[0].message).to.contain("MaxErrors 100% lets more than 25% of targets fail");
            expect(r[1].message).to.contain("MaxErrors 50 lets more than 10 targets fail");
            expect(r[2].message).to.contain("no MaxErrors is set");
        });
        it("checks maintenance-window tasks with the configured thresholds", async () => {
            const task = res(TASK, "t", { taskArn: "AWS-RunPatchBaseline", taskType: "RUN_COMMAND", maxErrors: "20%" });
            expect(await messages(patchMaxErrorsBounded, [task], { maxErrorsPercent: 10 })).to.have.length(1);
            expect(await messages(patchMaxErrorsBounded, [task], { maxErrorsPercent: 20 })).to.deep.equal([]);
        });
    });

    describe("patch-output-required", () => {
        it("passes S3 output for associations and S3 or CloudWatch for window tasks", async () => {
            const cw = res(TASK, "t", { taskArn: "AWS-RunPatchBaseline", taskType: "RUN_COMMAND", taskInvocationParameters: { runCommandParameters: { cloudwatchConfig: { cloudwatchOutputEnabled: true } } } });
            expect(await messages(patchOutputRequired, [install(), cw, unrelated])).to.deep.equal([]);
        });
        it("reports patch runs that keep no output", async () => {
            const t = res(TASK, "t", { taskArn: "AWS-RunPatchBaseline", taskType: "RUN_COMMAND", taskInvocationParameters: { runCommandParameters: {} } });
            const msgs = await messages(patchOutputRequired, [install({ outputLocation: undefined }), t]);
            expect(msgs).to.deep.equal([
                'Association "install" (AWS-RunPatchBaseline) keeps no command output. Fix: set outputLocation.s3BucketName (and a key prefix).',
                'MaintenanceWindowTask "t" keeps no command output. Fix: set runCommandParameters.outputS3Bucket or cloudwatchConfig.cloudwatchOutputEnabled.',
            ]);
        });
    });

    describe("patch-reboot-explicit", () => {
        it("passes installs with RebootOption and scans without", async () => {
            expect(await messages(patchRebootExplicit, [install(), res(ASSOC, "scan", { name: "AWS-RunPatchBaseline", parameters: { Operation: "Scan" } })])).to.deep.equal([]);
        });
        it("reports installs without RebootOption", async () => {
            const t = res(TASK, "t", { taskArn: "AWS-RunPatchBaseline", taskInvocationParameters: { runCommandParameters: { parameters: [{ name: "Operation", values: ["Install"] }] } } });
            const msgs = await messages(patchRebootExplicit, [install({ parameters: { Operation: "Install" } }), t]);
            expect(msgs).to.have.length(2);
            expect(msgs[0]).to.contain("without an explicit RebootOption");
        });
    });

    describe("aws-native associations (patch policies)", () => {
        const NATIVE = "aws-native:ssm:Association";
        const nativeInstall = (extra: Record<string, unknown> = {}) =>
            res(NATIVE, "web-us-east-1-install", {
                name: "AWS-RunPatchBaseline",
                parameters: { Operation: ["Install"], RebootOption: ["RebootIfNeeded"] },
                scheduleExpression: "cron(0 3 ? * TUE#3 *)",
                scheduleOffset: 5,
                maxErrors: "1",
                outputLocation: { s3Location: { outputS3BucketName: "out", outputS3KeyPrefix: "p" } },
                ...extra,
            });
        it("pass when bounded, with output and an explicit reboot option", async () => {
            for (const policy of [installScheduleMinInterval, patchMaxErrorsBounded, patchOutputRequired, patchRebootExplicit]) {
                expect(await messages(policy, [nativeInstall(), res(NATIVE, "explorer", { name: "AWS-EnableExplorer", parameters: { AutomationAssumeRole: ["arn"] } })]), policy.name).to.deep.equal([]);
            }
        });
        it("report the same problems as for AWS provider associations", async () => {
            expect(await messages(patchMaxErrorsBounded, [nativeInstall({ maxErrors: "100%" })])).to.deep.equal([
                'Association "web-us-east-1-install" (AWS-RunPatchBaseline): MaxErrors 100% lets more than 25% of targets fail before stopping. Fix: set maxErrors to a small number or percentage (e.g. "5%" or "1").',
            ]);
            expect(await messages(patchOutputRequired, [nativeInstall({ outputLocation: undefined })])).to.deep.equal([
                'Association "web-us-east-1-install" (AWS-RunPatchBaseline) keeps no command output. Fix: set output.s3 on the patch policy (outputLocation.s3Location).',
            ]);
            expect(await messages(patchRebootExplicit, [nativeInstall({ parameters: { Operation: ["Install"] } })])).to.have.length(1);
            expect(await messages(installScheduleMinInterval, [nativeInstall({ scheduleExpression: "rate(12 hours)", scheduleOffset: undefined })])).to.have.length(1);
        });
    });

    describe("window-cutoff-margin", () => {
        it("passes a cutoff of at least an hour", async () => {
            expect(await messages(windowCutoffMargin, [res(MW, "w", { cutoff: 1, duration: 4 }), unrelated])).to.deep.equal([]);
        });
        it("reports a zero cutoff", async () => {
            expect(await messages(windowCutoffMargin, [res(MW, "w", { cutoff: 0, duration: 4 })])).to.deep.equal([
                'MaintenanceWindow "w" has cutoff 0h: tasks may start until the window closes and reboot outside it. Fix: set cutoff to at least 1 (and below duration 4).',
            ]);
        });
    });
});
