/**
 * Maintenance-window Install tasks held by the approval calendar (components/windowGate.ts): with an
 * approval gate an AWS-RunPatchBaseline Install task runs the stack's gated runbook per target
 * (calendar check first); its role may read the calendar and run AWS-RunPatchBaseline, nothing else.
 */
import { expect } from "chai";
import { parseDocument } from "../core/automationDocument";
import { runbookContent } from "../core/multiAccount";
import { heldInstallParameters } from "../components/windowGate";
import { ACCOUNT, minimalConfig, named, ofType, REGION, runProgram } from "./harness";
import { decision } from "./policySim";

const WINDOW = {
    name: "test-install",
    schedule: "cron(0 3 ? * SUN *)",
    duration: 3,
    cutoff: 1,
    targets: [{ name: "web", tags: { PatchFleet: ["web"] } }],
    tasks: [
        { name: "install", type: "RUN_COMMAND", priority: 1, maxConcurrency: "1", maxErrors: "0", runCommand: { operation: "Install", rebootOption: "NoReboot" } },
        { name: "scan", type: "RUN_COMMAND", priority: 2, maxConcurrency: "5", maxErrors: "1", runCommand: { operation: "Scan" } },
    ],
};
const GATE = { approvalGate: { requestSchedule: "cron(0 9 ? * TUE#3 *)" } };
const CALENDAR = `arn:aws:ssm:${REGION}:${ACCOUNT}:document/patching-test-install-approval`;
const task = (resources: Awaited<ReturnType<typeof runProgram>>["resources"], n: string) => named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", `test-install-task-${n}`).inputs as Record<string, any>;

describe("maintenance-window installs under the approval gate", () => {
    let resources: Awaited<ReturnType<typeof runProgram>>["resources"];
    before(async function () {
        this.timeout(120_000);
        resources = (await runProgram(minimalConfig({ "patching:maintenanceWindows": [WINDOW], "patching:changeSafety": GATE }))).resources;
    });

    it("the Install task runs the gated runbook per target with the calendar; the Scan task stays a Run Command task", () => {
        const install = task(resources, "install");
        expect([install.taskType, install.taskArn, install.maxConcurrency, install.maxErrors]).to.deep.equal(["AUTOMATION", "patching-test-gated-run-patch-baseline", "1", "0"]);
        const params = Object.fromEntries((install.taskInvocationParameters.automationParameters.parameters as { name: string; values: string[] }[]).map((p) => [p.name, p.values]));
        expect(params).to.deep.equal({
            AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/patching-test-window-install`],
            InstanceId: ["{{RESOURCE_ID}}"],
            Operation: ["Install"],
            RebootOption: ["NoReboot"],
            ChangeCalendarName: ["patching-test-install-approval"],
            ChangeCalendarOwner: [ACCOUNT],
        });
        // Every parameter is one the runbook declares (SSM rejects unknown ones).
        const declared = Object.keys(parseDocument(runbookContent()).parameters ?? {});
        for (const k of Object.keys(params)) expect(declared, k).to.include(k);
        expect(task(resources, "scan").taskType).to.equal("RUN_COMMAND");
    });

    it("the gated runbook is the multi-account runbook's content, in this account", () => {
        const doc = ofType(resources, "aws:ssm/document:Document").find((d) => d.inputs.name === "patching-test-gated-run-patch-baseline")!;
        expect([doc.inputs.documentType, doc.inputs.content]).to.deep.equal(["Automation", runbookContent()]);
    });

    it("the window role may start that runbook and pass its role; it sends the Scan's commands only", () => {
        const statements = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "test-install-role-policy").inputs.policy as string).Statement as { Sid: string; Resource: unknown }[];
        expect(statements.map((s) => s.Sid)).to.include.members(["SendTaskCommands", "StartGatedInstallRunbook", "TrackGatedInstallRunbook", "PassGatedInstallRole"]);
        expect(statements.find((s) => s.Sid === "StartGatedInstallRunbook")!.Resource).to.equal(`arn:aws:ssm:${REGION}:${ACCOUNT}:automation-definition/patching-test-gated-run-patch-baseline:*`);
        expect(statements.find((s) => s.Sid === "PassGatedInstallRole")!.Resource).to.equal(`arn:aws:iam::${ACCOUNT}:role/patching-test-window-install`);
    });

    it("the runbook's role (IAM engine): reads the calendar, runs AWS-RunPatchBaseline on this account's nodes, nothing else", async () => {
        const identity = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "test-change-safety-window-install-policy").inputs.policy as string).Statement;
        const caller = { principalArn: `arn:aws:iam::${ACCOUNT}:role/patching-test-window-install`, account: ACCOUNT };
        const can = async (action: string, resource: string) => {
            const d = await decision({ caller, action, resource, identity, resourceAccount: ACCOUNT });
            return d.allowed;
        };
        expect(await can("ssm:GetCalendarState", CALENDAR)).to.equal(true);
        expect(await can("ssm:SendCommand", `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`)).to.equal(true);
        expect(await can("ssm:SendCommand", `arn:aws:ec2:${REGION}:210987654321:instance/i-0123456789abcdef0`)).to.equal(false);
        // AWS-owned document ARNs have no account, which the engine cannot match: the only document is AWS-RunPatchBaseline.
        const send = identity.find((x: { Sid: string }) => x.Sid === "RunPatchBaseline");
        expect(send.Resource.filter((r: string) => r.includes(":document/"))).to.deep.equal([`arn:aws:ssm:${REGION}::document/AWS-RunPatchBaseline`]);
        expect(await can("ssm:UpdateDocument", CALENDAR)).to.equal(false);
        expect(await can("ssm:GetCalendarState", `arn:aws:ssm:${REGION}:${ACCOUNT}:document/other-calendar`)).to.equal(false);
    });

    it("without an approval gate the Install task stays AWS-RunPatchBaseline over Run Command (and no gated runbook exists)", async () => {
        const plain = (await runProgram(minimalConfig({ "patching:maintenanceWindows": [WINDOW] }))).resources;
        expect(task(plain, "install").taskType).to.equal("RUN_COMMAND");
        expect(ofType(plain, "aws:ssm/document:Document").map((d) => d.inputs.name)).to.not.include("patching-test-gated-run-patch-baseline");
    });

    it("a held Install task with a command parameter the runbook cannot pass is refused, not silently dropped", () => {
        const gate = { documentName: "d", automationRoleArn: "r", calendarName: "c", owner: ACCOUNT };
        expect(() => heldInstallParameters({ documentName: "AWS-RunPatchBaseline", operation: "Install", parameters: { PreInstallHookDocName: ["x"] } } as never, gate)).to.throw(/passes SnapshotId, InstallOverrideList, BaselineOverride only; remove PreInstallHookDocName/);
    });
});
