/**
 * config/ rules that surviving StrykerJS mutants showed untested (TESTING.md, Mutation testing):
 * the edges of each rule (equal to the limit, one past it), checked where the rule is decided, with
 * the exact issues it reports — one issue per problem, none for a value the schema already refused.
 */
import { expect } from "chai";
import { IssueSink } from "../config/issues";
import { checkWindowSchedule, isIso8601, isoInstant, targetEntryCount } from "../config/maintenanceWindows";
import { MW_CUTOFF_MAX, MW_DURATION_MAX } from "../config/rules";

function issues(check: (sink: IssueSink) => void) {
    const sink = new IssueSink();
    check(sink);
    return sink.issues.map((i) => `${i.path}: ${i.message}`);
}

describe("config rules at their edges (mutation testing)", () => {
    describe("maintenance window StartDate / EndDate (ISO-8601, as CreateMaintenanceWindow takes them)", () => {
        it("the last minute and second of a day are valid; 60 is not", () => {
            expect(isIso8601("2026-06-01T23:59:59Z")).to.equal(true);
            expect(isIso8601("2026-06-01T12:59")).to.equal(true);
            expect(isIso8601("2026-06-01T12:60")).to.equal(false);
            expect(isIso8601("2026-06-01T12:00:60Z")).to.equal(false);
            expect(isIso8601("2026-06-01T12:00:59.123456789+05:30")).to.equal(true);
        });

        it("a day or month that does not exist is refused", () => {
            expect(isIso8601("2027-02-29")).to.equal(false);
            expect(isIso8601("2028-02-29")).to.equal(true);
            expect(isIso8601("2026-13-01")).to.equal(false);
            expect(isIso8601("2026-04-31T00:00Z")).to.equal(false);
        });

        it("instants: an offset is applied, a value without a zone and a date alone are UTC", () => {
            expect(isoInstant("2026-06-01T09:00+09:00")).to.equal(Date.UTC(2026, 5, 1, 0, 0));
            expect(isoInstant("2026-06-01T09:00")).to.equal(Date.UTC(2026, 5, 1, 9, 0));
            expect(isoInstant("2026-06-01")).to.equal(Date.UTC(2026, 5, 1));
        });
    });

    describe("a window's time fields together (checkWindowSchedule)", () => {
        const W = "patching:maintenanceWindows[0]";
        const window = (over: Record<string, unknown>) => ({ schedule: "cron(0 2 ? * SUN *)", duration: 4, cutoff: 1, ...over });

        it("the cutoff must be less than the duration: equal is refused, one less is fine", () => {
            expect(issues((s) => checkWindowSchedule(s, W, window({ cutoff: 4 })))).to.deep.equal([
                `${W}.cutoff: must be less than the duration (4 h): the cutoff is the number of hours before the end of the window when no new task starts`,
            ]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ cutoff: 3 })))).to.deep.equal([]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ duration: MW_DURATION_MAX, cutoff: MW_CUTOFF_MAX })))).to.deep.equal([]);
        });

        it("an out-of-range or mistyped duration or cutoff is not compared (its schema reports it, once)", () => {
            for (const over of [{ cutoff: MW_CUTOFF_MAX + 1, duration: 4 }, { duration: MW_DURATION_MAX + 1, cutoff: MW_DURATION_MAX + 1 }, { duration: "4", cutoff: 5 }, { duration: 4, cutoff: "5" }]) {
                expect(issues((s) => checkWindowSchedule(s, W, window(over))), JSON.stringify(over)).to.deep.equal([]);
            }
        });

        it("scheduleOffset only with a cron schedule (leading spaces allowed)", () => {
            expect(issues((s) => checkWindowSchedule(s, W, window({ schedule: "rate(7 days)", scheduleOffset: 2 })))).to.deep.equal([`${W}.scheduleOffset: applies to cron schedules only; the schedule is rate(7 days)`]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ schedule: "  cron(0 2 ? * TUE#2 *)", scheduleOffset: 2 })))).to.deep.equal([]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ schedule: 7, scheduleOffset: 2 })))).to.deep.equal([]);
        });

        it("endDate must be after startDate: the same instant is refused, whatever the offsets; an invalid date is not compared", () => {
            expect(issues((s) => checkWindowSchedule(s, W, window({ startDate: "2026-06-01T09:00+09:00", endDate: "2026-06-01T00:00Z" })))).to.deep.equal([
                `${W}.endDate: must be after startDate (2026-06-01T09:00+09:00)`,
            ]);
            expect(issues((s) => checkWindowSchedule(s, W, window({ startDate: "2026-06-01T00:00Z", endDate: "2026-06-01T00:01Z" })))).to.deep.equal([]);
            for (const [startDate, endDate] of [
                ["2026-06-01", "2026-02-30"],
                ["2026-06-31", "2026-06-01"],
                [20260601, "2026-05-01"],
                ["2026-06-01", 20260501],
            ]) {
                expect(issues((s) => checkWindowSchedule(s, W, window({ startDate, endDate }))), `${startDate} ${endDate}`).to.deep.equal([]);
            }
        });
    });

    describe("key/value entries a maintenance window target registers (botocore Targets: at most 5)", () => {
        it("one per tag key, one for tagKeys, one for instanceIds; a resource group is one, two with resource types", () => {
            expect(targetEntryCount({ tags: { PatchGroup: ["prod"], Role: ["web", "db"] }, tagKeys: ["Patch"] })).to.equal(3);
            expect(targetEntryCount({ instanceIds: ["i-0123456789abcdef0"] })).to.equal(1);
            expect(targetEntryCount({ resourceGroup: { name: "web" } })).to.equal(1);
            expect(targetEntryCount({ resourceGroup: { name: "web", resourceTypes: ["AWS::EC2::Instance"] } })).to.equal(2);
            expect(targetEntryCount({})).to.equal(0);
        });
    });
});
