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
        for (const line of [
            "prod-critical-install: cron(0 5 ? * TUE#3 *) Asia/Tokyo +4 d · 5 h, cutoff 1 h",
            "target prod-critical (INSTANCE): tag:PatchFleet=critical",
            // Held by the approval calendar (issue 17): the Install task runs the gated runbook per target.
            "AUTOMATION patching-prod-gated-run-patch-baseline · priority 1 · concurrency 1, errors 0 · at cutoff CONTINUE_TASK",
            "runbook parameters: AutomationAssumeRole=arn:aws:iam::123456789012:role/patching-prod-window-install InstanceId={{RESOURCE_ID}} Operation=Install RebootOption=RebootIfNeeded BaselineOverride=s3://patching-overrides-123456789012-us-east-1-prod01/baseline_overrides.json ChangeCalendarName=patching-prod-install-approval ChangeCalendarOwner=123456789012 · version $DEFAULT",
            "STEP_FUNCTIONS arn:aws:states:us-east-1:123456789012:stateMachine:prod-fleet-run · priority 1 · targetless",
            "RestoreBatch (Task prod-fleet-restore:restoreBatch) → BatchDone · on error → BatchDone",
            "RunBatch (Task arn:aws:states:us-east-1:123456789012:stateMachine:prod-fleet-batch) → RecordBatch · on error → RestoreFailedBatch",
            "WaitBetweenBatches (Wait $.run.settings.waitBetweenBatchesSeconds) → ApprovalGate",
            "ApprovalGate (Task prod-fleet-plan:gate) → GateOpen · on error → FinalRestore",
            "steps: PreflightWindows (aws:runPowerShellScript if [\"platformType\",\"Windows\"]), PreflightLinux (aws:runShellScript if [\"platformType\",\"Linux\"])",
            "allow: StopTargetInstances: Allow ec2:StopInstances on arn:aws:ec2:us-east-1:123456789012:instance/* if StringEquals aws:ResourceTag/PatchFleet=batch",
            "allow: GrowTaggedRootVolumes: Allow ec2:ModifyVolume on arn:aws:ec2:us-east-1:123456789012:volume/* if StringEquals aws:ResourceTag/PatchFleet=batch",
            "allow: PassSelfForNotifications: Allow iam:PassRole on arn:aws:iam::123456789012:role/prod-critical-install-role if StringEquals iam:PassedToService=ssm.amazonaws.com",
            "trust: Allow sts:AssumeRole by Service states.amazonaws.com if StringEquals aws:SourceAccount=123456789012 and ArnLike aws:SourceArn=arn:aws:states:us-east-1:123456789012:stateMachine:prod-fleet-run",
            "prod-fleet-patch-summary, encrypted with sns",
            "Maintenance windows: next runs",
            "prod-fleet-window (orchestrator prod-fleet): cron(0 22 ? * TUE#3 *) Asia/Tokyo +3 d, 6 h, no new task in the last 1 h",
            "  opens Fri 2026-12-18 22:00 Asia/Tokyo · cutoff Sat 2026-12-19 03:00 Asia/Tokyo · closes Sat 2026-12-19 04:00 Asia/Tokyo",
            "  opens Sat 2026-12-19 05:00 Asia/Tokyo · cutoff Sat 2026-12-19 09:00 Asia/Tokyo · closes Sat 2026-12-19 10:00 Asia/Tokyo",
        ]) {
            expect(text).to.contain(line);
        }
    });
});
