/** Remediation on the hour, as Quick Setup's BaselineRemediation association runs (seed 000: "毎時間00分に実行"). */
import { expect } from "chai";
import { cronShortestGapMinutes, schedulePeriodMinutes } from "../config/overrideStore";
import { expectIssue, minimalConfig, named, parse, runProgram } from "./harness";

const P = "patching:overrideStore";
const withStore = (remediation: Record<string, unknown>) => minimalConfig({ "patching:overrideStore": { configId: "test1", baselines: ["test-al2023"], remediation } });

describe("override remediation on a cron schedule", () => {
    it("accepts Quick Setup's on-the-hour cron and deploys it to EventBridge Scheduler as given (UTC)", async () => {
        expect(parse(withStore({ schedule: "cron(0 * * * ? *)" })).overrideStore?.remediation.schedule).to.equal("cron(0 * * * ? *)");
        const { resources } = await runProgram(withStore({ schedule: "cron(0 * * * ? *)" }));
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "overrides-test1-schedule").inputs;
        expect(schedule.scheduleExpression).to.equal("cron(0 * * * ? *)");
        // No time zone given: EventBridge Scheduler reads cron in UTC.
        expect(schedule.scheduleExpressionTimezone).to.equal(undefined);
        // The failure alarm's period covers one run: an hour, as with rate(1 hour).
        expect(named(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "overrides-test1-errors").inputs.period).to.equal(3600);
    });

    it("measures the shortest gap between runs of a cron expression", () => {
        expect(cronShortestGapMinutes("cron(0 * * * ? *)")).to.equal(60);
        expect(cronShortestGapMinutes("cron(0/10 * * * ? *)")).to.equal(10);
        expect(cronShortestGapMinutes("cron(0,5 9 * * ? *)")).to.equal(5);
        expect(schedulePeriodMinutes("cron(0,5 9 * * ? *)")).to.equal(1435);
        expect(schedulePeriodMinutes("rate(2 hours)")).to.equal(120);
    });

    it("rejects cron runs closer than 15 minutes apart, even when most are farther", () => {
        expectIssue(withStore({ schedule: "cron(0/10 * * * ? *)" }), `${P}.remediation.schedule`, "runs 10 minute(s) apart at times; at least 15 minutes");
        expectIssue(withStore({ schedule: "cron(0,5 9 * * ? *)" }), `${P}.remediation.schedule`, "runs 5 minute(s) apart");
        expect(parse(withStore({ schedule: "cron(0/15 * * * ? *)" })).overrideStore?.remediation.schedule).to.equal("cron(0/15 * * * ? *)");
    });
});
