import { expect } from "chai";
import { minimalConfig, parse } from "./harness";
import { expectIssue, validWindow } from "./support/configIssues";

const O = "patching:patchOrchestrators[0]";

/** The seed's orchestrator: nightly at 22:55 UTC, 4 hours, cutoff 0, PatchGroup=Windows. */
function validOrchestrator(): Record<string, unknown> {
    return {
        name: "dev-fleet",
        window: { schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0 },
        targets: { tags: { PatchGroup: ["Windows"] } },
    };
}
function withOrchestrator(change: (o: Record<string, unknown>) => void, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const o = validOrchestrator();
    change(o);
    return minimalConfig({ "patching:patchOrchestrators": [o], ...extra });
}
const sub = (o: Record<string, unknown>, key: string) => ((o[key] ??= {}) as Record<string, unknown>);

describe("config: patching:patchOrchestrators", () => {
    it("accepts the seed's orchestrator and fills the documented defaults", () => {
        const o = parse(withOrchestrator(() => undefined)).patchOrchestrators[0];
        expect(o).to.deep.include({ batchSize: 5, priorityInstanceTypes: [], waitBetweenBatchesSeconds: 120, agentWaitSeconds: 600, maxErrors: "20%", ebsKmsKeyArns: [] });
        expect(o.window).to.deep.include({ schedule: "cron(55 22 ? * * *)", duration: 4, cutoff: 0, enabled: true });
        expect(o.preflight.volumeExpansion).to.deep.equal({ enabled: false, incrementGb: 20, maxVolumeSizeGb: 512, untaggedVolumes: false });
        expect(o.patch).to.deep.equal({ operation: "Install", rebootOption: "RebootIfNeeded", timeoutSeconds: 7200 });
        expect(o.logGroup).to.deep.equal({ name: "/aws/ssm/patch-manager", create: true, retentionDays: 30 });
        expect(o.notifications).to.deep.equal({ emails: [], kmsMasterKeyId: "alias/aws/sns" });
        expect(o.instanceRole).to.deep.equal({ mode: "policy", attachToRoles: [], attachToPatchPolicies: [], cloudWatchAgent: true });
    });

    it("checks the name (it prefixes Lambda, state machine and role names)", () => {
        expectIssue(withOrchestrator((o) => (o.name = "Dev_Fleet")), `${O}.name`, "3–32 lowercase letters", "Dev_Fleet");
        expectIssue(withOrchestrator((o) => (o.name = "x".repeat(33))), `${O}.name`, "3–32 lowercase letters");
    });
    it("rejects names starting with aws/amazon/amzn (the preflight document name may not)", () => {
        expectIssue(withOrchestrator((o) => (o.name = "aws-fleet")), `${O}.name`, "must not start with aws, amazon or amzn", "aws-fleet");
    });
    it("rejects duplicate orchestrator names", () => {
        const o = validOrchestrator();
        expectIssue(minimalConfig({ "patching:patchOrchestrators": [o, { ...o, logGroup: { name: "/aws/ssm/other" } }] }), "patching:patchOrchestrators[1].name", "duplicate orchestrator name");
    });
    it("validates the window like any maintenance window (schedule, cutoff below duration, offset cron only)", () => {
        expectIssue(withOrchestrator((o) => (sub(o, "window").schedule = "rate(5 minutes)")), `${O}.window.schedule`, "at least 30 minutes");
        expectIssue(withOrchestrator((o) => (sub(o, "window").cutoff = 4)), `${O}.window.cutoff`, "must be less than the duration (4 h)", 4);
        expectIssue(withOrchestrator((o) => Object.assign(sub(o, "window"), { schedule: "rate(1 day)", scheduleOffset: 1 })), `${O}.window.scheduleOffset`, "cron schedules only");
        expectIssue(withOrchestrator((o) => (sub(o, "window").scheduleTimezone = "Tokyo")), `${O}.window.scheduleTimezone`, "IANA time zone");
    });
    it("needs target tags or a resource group", () => {
        expectIssue(withOrchestrator((o) => (o.targets = {})), `${O}.targets`, "needs tags and/or resourceGroup");
        expectIssue(withOrchestrator((o) => (o.targets = { tags: {} })), `${O}.targets.tags`, "needs at least one tag key");
        expect(parse(withOrchestrator((o) => (o.targets = { resourceGroup: "dev-patch-targets" }))).patchOrchestrators[0].targets).to.deep.equal({ resourceGroup: "dev-patch-targets" });
    });
    it("checks batchSize is 1–50 (SendCommand takes at most 50 instance ids)", () => {
        expectIssue(withOrchestrator((o) => (o.batchSize = 0)), `${O}.batchSize`, "from 1 to 50", 0);
        expectIssue(withOrchestrator((o) => (o.batchSize = 51)), `${O}.batchSize`, "SendCommand takes at most 50", 51);
    });
    it("checks priority instance types", () => {
        expectIssue(withOrchestrator((o) => (o.priorityInstanceTypes = ["m5.large", "M5 Large"])), `${O}.priorityInstanceTypes[1]`, "an instance type such as m5.large", "M5 Large");
        expect(parse(withOrchestrator((o) => (o.priorityInstanceTypes = ["m5.*", "c5.large"]))).patchOrchestrators[0].priorityInstanceTypes).to.deep.equal(["m5.*", "c5.large"]);
    });
    it("checks the wait between batches (0–3600 s) and the agent wait (60–3600 s)", () => {
        expectIssue(withOrchestrator((o) => (o.waitBetweenBatchesSeconds = 3601)), `${O}.waitBetweenBatchesSeconds`, "from 0 to 3600", 3601);
        expectIssue(withOrchestrator((o) => (o.agentWaitSeconds = 30)), `${O}.agentWaitSeconds`, "from 60 to 3600", 30);
    });
    it("checks maxErrors is a count or a percentage", () => {
        expectIssue(withOrchestrator((o) => (o.maxErrors = "half")), `${O}.maxErrors`, "a count (0, 1, …) or a percentage", "half");
    });
    it("keeps maxRuntimeMinutes within the window", () => {
        expectIssue(withOrchestrator((o) => (o.maxRuntimeMinutes = 300)), `${O}.maxRuntimeMinutes`, "exceeds the window duration (4 h = 240 min)", 300);
    });
    it("checks preflight thresholds, endpoints and timeout", () => {
        expectIssue(withOrchestrator((o) => (sub(o, "preflight").minFreeGbWindows = 0)), `${O}.preflight.minFreeGbWindows`, "from 1 to 1024", 0);
        expectIssue(withOrchestrator((o) => (sub(o, "preflight").windowsUpdateEndpoints = ["update.microsoft.com", "not a host"])), `${O}.preflight.windowsUpdateEndpoints[1]`, "a host name", "not a host");
        expectIssue(withOrchestrator((o) => (sub(o, "preflight").windowsUpdateEndpoints = ["a.com", "b.com", "c.com", "d.com", "e.com", "f.com"])), `${O}.preflight.windowsUpdateEndpoints`, "at most 5 endpoints");
        expectIssue(withOrchestrator((o) => (sub(o, "preflight").timeoutSeconds = 60)), `${O}.preflight.timeoutSeconds`, "from 120 to 7200", 60);
    });
    it("volume expansion: sizes in range, a tag to scope ec2:ModifyVolume, and the preflight on", () => {
        expectIssue(withOrchestrator((o) => (sub(o, "preflight").volumeExpansion = { enabled: true, incrementGb: 0 })), `${O}.preflight.volumeExpansion.incrementGb`, "from 1 to 1024", 0);
        expectIssue(withOrchestrator((o) => (sub(o, "preflight").volumeExpansion = { enabled: true, maxVolumeSizeGb: 20000 })), `${O}.preflight.volumeExpansion.maxVolumeSizeGb`, "from 8 to 16384", 20000);
        expectIssue(
            withOrchestrator((o) => ((o.targets = { resourceGroup: "fleet" }), (sub(o, "preflight").volumeExpansion = { enabled: true }))),
            `${O}.preflight.volumeExpansion.volumeTag`,
            "is required when targets has no tags",
        );
        expectIssue(withOrchestrator((o) => Object.assign(sub(o, "preflight"), { enabled: false, volumeExpansion: { enabled: true } })), `${O}.preflight.volumeExpansion.enabled`, "needs the preflight");
    });
    it("checks the patch operation, reboot option and timeout", () => {
        expectIssue(withOrchestrator((o) => (o.patch = { operation: "InstallAll" })), `${O}.patch.operation`, "Scan, Install", "InstallAll");
        expectIssue(withOrchestrator((o) => (o.patch = { rebootOption: "Always" })), `${O}.patch.rebootOption`, "RebootIfNeeded, NoReboot", "Always");
        expectIssue(withOrchestrator((o) => (o.patch = { timeoutSeconds: 300 })), `${O}.patch.timeoutSeconds`, "from 600 to 172800", 300);
    });
    it("checks the log group name and retention", () => {
        expectIssue(withOrchestrator((o) => (o.logGroup = { name: "patch manager" })), `${O}.logGroup.name`, "LogGroupName", "patch manager");
        expectIssue(withOrchestrator((o) => (o.logGroup = { retentionDays: 31 })), `${O}.logGroup.retentionDays`, "must be one of", 31);
    });
    it("creates a log group once: two orchestrators, or an orchestrator and a window task, cannot both create it", () => {
        const o = validOrchestrator();
        expectIssue(minimalConfig({ "patching:patchOrchestrators": [o, { ...o, name: "prod-fleet" }] }), "patching:patchOrchestrators[1].logGroup.name", "log group /aws/ssm/patch-manager is already created by patching:patchOrchestrators[0].logGroup");
        const w = validWindow();
        (w.tasks as Record<string, unknown>[])[0].runCommand = { operation: "Install", cloudWatchOutput: { logGroupName: "/aws/ssm/patch-manager" } };
        expectIssue(withOrchestrator(() => undefined, { "patching:maintenanceWindows": [w] }), `${O}.logGroup.name`, "already created by patching:maintenanceWindows[0].tasks[0].runCommand.cloudWatchOutput");
    });
    it("the compliance section's patching log group is used with create: false, never created twice", () => {
        const compliance = { "patching:compliance": { logs: { groupName: "/aws/ssm/patch-manager" } } };
        expectIssue(withOrchestrator(() => undefined, compliance), `${O}.logGroup.name`, "log group /aws/ssm/patch-manager is already created by patching:compliance.logs; set create: false to use it");
        expect(parse(withOrchestrator((o) => (o.logGroup = { name: "/aws/ssm/patch-manager", create: false }), compliance)).patchOrchestrators[0].logGroup.create).to.equal(false);
    });
    it("does not reuse a maintenance window name", () => {
        const w = { ...validWindow(), name: "dev-fleet-window" };
        expectIssue(withOrchestrator(() => undefined, { "patching:maintenanceWindows": [w] }), `${O}.window.name`, "maintenance window name dev-fleet-window is already used by patching:maintenanceWindows[0]");
    });
    it("checks notification emails and the KMS key", () => {
        expectIssue(withOrchestrator((o) => (o.notifications = { emails: ["team"] })), `${O}.notifications.emails[0]`, "email address");
        expectIssue(withOrchestrator((o) => (o.notifications = { kmsMasterKeyId: "aws/sns" })), `${O}.notifications.kmsMasterKeyId`, "KMS key");
    });
    it("checks the instance role mode; attachToRoles goes with mode policy", () => {
        expectIssue(withOrchestrator((o) => (o.instanceRole = { mode: "attach" })), `${O}.instanceRole.mode`, "create, policy, none", "attach");
        expectIssue(withOrchestrator((o) => (o.instanceRole = { mode: "create", attachToRoles: ["app-role"] })), `${O}.instanceRole.attachToRoles`, "applies to mode policy only (mode is create)");
    });
    it("attachToPatchPolicies names owned-mode patch policies of the stack, with mode policy", () => {
        expectIssue(withOrchestrator((o) => (o.instanceRole = { attachToPatchPolicies: ["nope"] })), `${O}.instanceRole.attachToPatchPolicies[0]`, "is not a patch policy of this stack; patching:patchPolicies: (none)", "nope");
        expectIssue(withOrchestrator((o) => (o.instanceRole = { mode: "none", attachToPatchPolicies: ["x"] })), `${O}.instanceRole.attachToPatchPolicies`, "applies to mode policy only (mode is none)");
        const policy = { name: "web", targets: { tags: { Environment: ["test"] } }, scan: { schedule: "cron(0 1 * * ? *)" } };
        expectIssue(
            withOrchestrator((o) => (o.instanceRole = { attachToPatchPolicies: ["web"] }), { "patching:patchPolicies": [{ ...policy, mode: "managed" }] }),
            `${O}.instanceRole.attachToPatchPolicies[0]`,
            "is a managed-mode patch policy",
        );
        expect(parse(withOrchestrator((o) => (o.instanceRole = { attachToPatchPolicies: ["web"] }), { "patching:patchPolicies": [policy] })).patchOrchestrators[0].instanceRole.attachToPatchPolicies).to.deep.equal(["web"]);
    });
    it("checks EBS KMS key ARNs", () => {
        expectIssue(withOrchestrator((o) => (o.ebsKmsKeyArns = ["alias/ebs"])), `${O}.ebsKmsKeyArns[0]`, "a KMS key ARN", "alias/ebs");
    });
    it("keeps the window task's Step Functions input within 4096 characters", () => {
        const values = Array.from({ length: 20 }, (_, i) => `${"v".repeat(200)}${i}`);
        expectIssue(withOrchestrator((o) => (o.targets = { tags: { PatchGroup: values } })), O, "at most 4096 (botocore MaintenanceWindowStepFunctionsInput)");
    });
});
