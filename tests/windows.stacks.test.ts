/** The shipped stacks' maintenance windows and orchestrators, end to end, and how the review shows them. */
import { expect } from "chai";
import { renderText } from "../review/render";
import { cachedReview, named, ofType, runStackFile } from "./harness";

const NOW = new Date("2026-12-01T00:00:00Z");

describe("stacks: maintenance windows and orchestrators", () => {
    it("dev runs the seed's orchestrator nightly (cron(55 22 ? * * *), 4 h, cutoff 0) over fleet PatchFleet=batch, with expansion", async () => {
        const { resources } = await runStackFile("Pulumi.dev.yaml", "dev");
        expect(named(resources, "aws:ssm/maintenanceWindow:MaintenanceWindow", "dev-fleet-window").inputs).to.deep.include({ schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 });
        const input = JSON.parse(
            (named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "dev-fleet-window-task-start-orchestration").inputs.taskInvocationParameters as { stepFunctionsParameters: { input: string } })
                .stepFunctionsParameters.input,
        );
        expect(input.settings).to.deep.include({ batchSize: 5, priorityInstanceTypes: ["m5.large", "m5.xlarge", "c5.large"], targets: { tags: { PatchFleet: ["batch"] } } });
        expect(input.settings.preflight.volumeExpansion).to.deep.equal({ enabled: true, incrementGb: 20, maxVolumeSizeGb: 200, untaggedVolumes: false });
        expect(ofType(resources, "aws:sfn/stateMachine:StateMachine").map((r) => r.inputs.name).sort()).to.deep.equal(["dev-fleet-batch", "dev-fleet-run"]);
        // The orchestrator's instance additions go onto the patch policy's instance role.
        expect(named(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dev-fleet-instance-policy-dev-patching").inputs).to.deep.equal({
            role: "dev-patching-iam-instance",
            policyArn: "arn:aws:iam::123456789012:policy/dev-fleet-instance-policy",
        });
        expect(ofType(resources, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) => w.inputs.name)).to.deep.equal(["dev-fleet-window"]);
    });

    it("prod: the orchestrated prod-fleet window, then prod-critical one at a time after it closes", async () => {
        const { resources } = await runStackFile("Pulumi.prod.yaml", "prod");
        const windows = Object.fromEntries(ofType(resources, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((r) => [r.inputs.name, r.inputs]));
        expect(Object.keys(windows).sort()).to.deep.equal(["prod-critical-install", "prod-fleet-window"]);
        expect(windows["prod-fleet-window"]).to.deep.include({ schedule: "cron(0 22 ? * TUE#3 *)", scheduleTimezone: "Asia/Tokyo", scheduleOffset: 3, duration: 6, cutoff: 1 });
        expect(windows["prod-critical-install"]).to.deep.include({ schedule: "cron(0 5 ? * TUE#3 *)", scheduleOffset: 4 });
        const critical = named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "prod-critical-install-task-install").inputs;
        expect(critical).to.deep.include({ maxConcurrency: "1", maxErrors: "0" });
        const fleet = named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "prod-fleet-window-task-start-orchestration").inputs;
        const settings = JSON.parse((fleet.taskInvocationParameters as { stepFunctionsParameters: { input: string } }).stepFunctionsParameters.input).settings;
        expect(settings).to.deep.include({ maxErrors: "10%", maxRuntimeMinutes: 300, waitBetweenBatchesSeconds: 300 });
        expect(settings.targets).to.deep.equal({ tags: { PatchFleet: ["batch"] } });
        expect(settings.preflight.skipOnWindowsUpdateProblems).to.equal(true);
        expect(named(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-fleet-instance-policy-prod-patching").inputs.role).to.equal("prod-patching-iam-instance");
    });

    it("the review shows windows, targets, tasks, state machine states, the document, and full role policies, then next runs", async () => {
        const review = await cachedReview({ stack: "prod", now: NOW });
        const text = renderText(review);
        const lines = text.split("\n");
        // Every state of both state machines, with where it goes next and where its errors go, read from the definitions sent to AWS.
        for (const machine of ofType(review.resources, "aws:sfn/stateMachine:StateMachine")) {
            const states = JSON.parse(String(machine.inputs.definition)).States as Record<string, { Type: string; Next?: string; Catch?: { Next: string }[] }>;
            for (const [name, state] of Object.entries(states)) {
                const line = lines.find((l) => l.trimStart().startsWith(`${name} (${state.Type}`));
                expect(line, `${machine.name} ${name}`).to.be.a("string");
                if (state.Next) expect(line, `${machine.name} ${name}`).to.contain(`→ ${state.Next}`);
                for (const c of state.Catch ?? []) expect(line, `${machine.name} ${name}`).to.contain(`on error → ${c.Next}`);
            }
        }
        // Every statement of the windows' and orchestrators' role policies: its Sid, effect and actions.
        for (const policy of ofType(review.resources, "aws:iam/rolePolicy:RolePolicy").filter((r) => /^prod-(fleet|critical)/.test(r.name))) {
            for (const st of JSON.parse(String(policy.inputs.policy)).Statement as { Sid: string; Effect: string; Action: string | string[] }[]) {
                const line = lines.find((l) => l.includes(`allow: ${st.Sid}: ${st.Effect} `));
                expect(line, `${policy.name} ${st.Sid}`).to.be.a("string");
                for (const action of [st.Action].flat()) expect(line, `${policy.name} ${st.Sid}`).to.contain(action);
            }
        }
        // The critical window's install task, held by the approval calendar (issue 17): the gated runbook
        // one instance at a time, installing with prod's override file once the calendar is OPEN.
        const task = lines.find((l) => /AUTOMATION \S+-gated-run-patch-baseline /.test(l))!;
        expect(task).to.match(/concurrency 1, errors 0/);
        const parameters = lines.find((l) => l.includes("runbook parameters:") && l.includes("Operation=Install"))!;
        expect(parameters).to.contain("BaselineOverride=s3://patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json");
        expect(parameters).to.contain("ChangeCalendarName=patching-prod-install-approval");

        // The preflight document's steps, one per platform.
        expect(lines.find((l) => l.trimStart().startsWith("steps: PreflightWindows"))).to.match(/aws:runPowerShellScript.*PreflightLinux \(aws:runShellScript/);

        // Next runs, checked against a calendar computed here: the 3rd Tuesday of each month in Tokyo
        // (2026-12-15, 2027-01-19, 2027-02-16) plus the window's offset; closes = opens + duration, cutoff = closes - 1 h.
        const section = review.sections.find((s) => s.title === "Maintenance windows: next runs")!;
        const opens = (window: string) => {
            const i = section.lines.findIndex((l) => l.startsWith(`${window} `));
            return section.lines.slice(i + 1, i + 4).map((l) => /^ {2}opens (.+?) · cutoff (.+?) · closes (.+)$/.exec(l)!.slice(1));
        };
        const tokyo = (d: Date) => `${["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()]} ${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} Asia/Tokyo`;
        const expected = (offsetDays: number, hour: number, hours: number) =>
            ["2026-12-15", "2027-01-19", "2027-02-16"].map((tuesday) => {
                const open = new Date(Date.parse(`${tuesday}T00:00:00Z`) + offsetDays * 86400000 + hour * 3600000);
                return [tokyo(open), tokyo(new Date(open.getTime() + (hours - 1) * 3600000)), tokyo(new Date(open.getTime() + hours * 3600000))];
            });
        expect(opens("prod-fleet-window")).to.deep.equal(expected(3, 22, 6));
        expect(opens("prod-critical-install")).to.deep.equal(expected(4, 5, 5));
        // The one rendering check of this section: a window's heading.
        expect(section.lines).to.include("prod-fleet-window (orchestrator prod-fleet): cron(0 22 ? * TUE#3 *) Asia/Tokyo +3 d, 6 h, no new task in the last 1 h");
    });
});
