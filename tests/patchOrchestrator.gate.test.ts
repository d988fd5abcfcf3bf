/** The orchestrator wired to the stack's approval calendar: the plan Lambda reads exactly that calendar's state. */
import { expect } from "chai";
import { PlanResource } from "../review/engine";
import { ACCOUNT, minimalConfig, named, REGION, runProgram } from "./harness";

const ORCHESTRATOR = { name: "seed-fleet", window: { schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 }, targets: { tags: { PatchGroup: ["Windows"] } } };
const GATE = {
    approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" },
    gatedInstall: { schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 2, targets: [{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }] },
};
const planPolicy = (r: PlanResource[]) => JSON.parse(named(r, "aws:iam/rolePolicy:RolePolicy", "seed-fleet-plan-policy").inputs.policy as string).Statement as { Sid: string }[];

describe("PatchOrchestrator approval gate wiring", () => {
    let gated: PlanResource[];
    before(async function () {
        // Bundles change safety's Lambdas too: slow on a busy machine, so once, with room.
        this.timeout(180_000);
        gated = (await runProgram(minimalConfig({ "patching:patchOrchestrators": [ORCHESTRATOR], "patching:changeSafety": GATE }))).resources;
    });

    it("with an approval calendar: APPROVAL_CALENDAR is set and ssm:GetCalendarState is allowed on that calendar only", () => {
        const r = gated;
        const calendar = named(r, "aws:ssm/document:Document", "test-change-safety-calendar").inputs.name as string;
        expect(named(r, "aws:lambda/function:Function", "seed-fleet-plan").inputs.environment).to.deep.equal({ variables: { APPROVAL_CALENDAR: calendar } });
        expect(planPolicy(r).find((s) => s.Sid === "ReadApprovalCalendar")).to.deep.equal({
            Sid: "ReadApprovalCalendar",
            Effect: "Allow",
            Action: ["ssm:GetCalendarState"],
            Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/${calendar}`,
        });
    });

    it("without an approval gate nothing reads a calendar", async () => {
        const { resources: r } = await runProgram(minimalConfig({ "patching:patchOrchestrators": [ORCHESTRATOR] }));
        expect(named(r, "aws:lambda/function:Function", "seed-fleet-plan").inputs.environment).to.equal(undefined);
        expect(planPolicy(r).map((s) => s.Sid)).to.not.include("ReadApprovalCalendar");
    });
});
