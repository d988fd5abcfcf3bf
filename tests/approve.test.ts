import { GetDocumentCommand, SSMClient, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { parseCalendarEvents, renderCalendarContent } from "../core/changeCalendar";
import { runApprove } from "../scripts/approve";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "./harness";

// Monday before prod's gated install (Thu 2026-12-17 02:00 UTC, Patch Tuesday + 9 days).
const NOW = new Date("2026-12-14T09:00:00Z");
const ALICE = "arn:aws:sts::123456789012:assumed-role/PatchApprovers/alice";

/** A copy of the project whose prod stack names approvers (the shipped stack files stay as they are). */
function projectWithApprovers(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "approve-"));
    for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..*yaml$/.test(n))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const prod = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"));
    prod.config["patching:changeSafety"].approvalGate.approvers = { identityCenterPermissionSets: ["PatchApprover"], twoPersonRule: true };
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), YAML.stringify(prod));
    return dir;
}

function setup(content = renderCalendarContent("gate", []), projectDir = ROOT, caller = ALICE) {
    const ssm = new SSMClient({ region: "us-east-1" });
    const m = mockClient(ssm);
    m.on(GetDocumentCommand).resolves({ Content: content });
    m.on(UpdateDocumentCommand).resolves({ DocumentDescription: { DocumentVersion: "3" } });
    m.on(UpdateDocumentDefaultVersionCommand).resolves({});
    const regions: string[] = [];
    const deps = { ssm: (r: string) => (regions.push(r), ssm), whoAmI: async () => caller, now: NOW, projectDir };
    let out = "";
    const run = (argv: string[]) => runApprove(argv, deps, (s) => (out += s)).then((code) => ({ code, out }));
    return { m, run, regions };
}

describe("npm run approve (scripts/approve.ts)", () => {
    it("approves for openHours from now, as the caller, and says the next install is covered", async () => {
        const { m, run, regions } = setup();
        const { code, out } = await run(["--stack", "prod", "--reason", "CAB-1234", "--hours", "72"]);
        expect(code).to.equal(0);
        expect(regions).to.deep.equal(["us-east-1"]);
        const update = m.commandCalls(UpdateDocumentCommand)[0].args[0].input;
        expect(update.Name).to.equal("patching-prod-install-approval");
        const [e] = parseCalendarEvents(String(update.Content));
        expect([e.start.toISOString(), e.end.toISOString(), e.summary, e.description]).to.deep.equal(["2026-12-14T09:00:00.000Z", "2026-12-17T09:00:00.000Z", `Approved by ${ALICE}`, "CAB-1234"]);
        expect(m.commandCalls(UpdateDocumentDefaultVersionCommand)[0].args[0].input).to.deep.equal({ Name: "patching-prod-install-approval", DocumentVersion: "3" });
        expect(out.split("\n")).to.deep.equal([
            `patching-prod-install-approval version 3: open 2026-12-14T09:00:00.000Z – 2026-12-17T09:00:00.000Z, approved by ${ALICE} (CAB-1234)`,
            "next gated install: Thu 2026-12-17 02:00 UTC — inside the approved period: it will run",
            "",
        ]);
    });
    it("records the STS caller identity and the cycle in the event (X-PATCHING-APPROVER, X-PATCHING-CYCLE), never typed text", async () => {
        const { m, run } = setup();
        await run(["--stack", "prod", "--reason", "CAB-1234", "--hours", "72"]);
        const [e] = parseCalendarEvents(String(m.commandCalls(UpdateDocumentCommand)[0].args[0].input.Content));
        expect([e.approver, e.cycle]).to.deep.equal([ALICE, "2026-12"]);
    });
    it("with approvers configured, refuses a caller that is not a session of the stack's approver role", async () => {
        const dir = projectWithApprovers();
        const refused = setup(undefined, dir, ALICE);
        const r = await refused.run(["--stack", "prod", "--reason", "CAB-1", "--hours", "72"]);
        expect(r.code).to.equal(1);
        expect(r.out).to.contain(`${ALICE} is not a session of the approver role patching-prod-approver`);
        expect(refused.m.commandCalls(UpdateDocumentCommand)).to.have.length(0);
        const approver = "arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice@example.com";
        const ok = setup(undefined, dir, approver);
        expect((await ok.run(["--stack", "prod", "--reason", "CAB-1", "--hours", "72"])).code).to.equal(0);
        expect(parseCalendarEvents(String(ok.m.commandCalls(UpdateDocumentCommand)[0].args[0].input.Content))[0].approver).to.equal(approver);
    });
    it("warns when the approved period misses the next install (default openHours 24)", async () => {
        const { run } = setup();
        const { out } = await run(["--stack", "prod", "--reason", "CAB-1"]);
        expect(out).to.contain("NOT inside the approved period: it will not run");
    });
    it("--close ends the open period now", async () => {
        const open = renderCalendarContent("gate", [{ uid: "a", start: new Date("2026-12-14T00:00:00Z"), end: new Date("2026-12-18T00:00:00Z"), summary: "Approved by bob" }]);
        const { m, run } = setup(open);
        const { code, out } = await run(["--stack", "prod", "--close"]);
        expect(code).to.equal(0);
        const [e] = parseCalendarEvents(String(m.commandCalls(UpdateDocumentCommand)[0].args[0].input.Content));
        expect(e.end.toISOString()).to.equal(NOW.toISOString());
        expect(out).to.contain("1 period(s) closed or withdrawn; the calendar is CLOSED");
    });
    it("--status reads the calendar and writes nothing", async () => {
        const open = renderCalendarContent("gate", [{ uid: "a", start: new Date("2026-12-16T00:00:00Z"), end: new Date("2026-12-18T00:00:00Z"), summary: "Approved by bob" }]);
        const { m, run } = setup(open);
        const { out } = await run(["--stack", "prod", "--status"]);
        expect(out.split("\n").slice(0, 3)).to.deep.equal([
            "patching-prod-install-approval: CLOSED now (2026-12-14T09:00:00.000Z)",
            "  open 2026-12-16T00:00:00.000Z – 2026-12-18T00:00:00.000Z: Approved by bob",
            "next gated install: Thu 2026-12-17 02:00 UTC — inside an open period: it will run",
        ]);
        expect(m.commandCalls(UpdateDocumentCommand)).to.have.length(0);
    });
    it("a stack without a gate, and usage errors", async () => {
        expect((await setup().run(["--stack", "dev", "--reason", "x"])).code).to.equal(1);
        expect((await setup().run(["--stack", "prod"])).code).to.equal(3);
        expect((await setup().run(["--stack", "prod", "--reason", "x", "--start", "tomorrow"])).code).to.equal(3);
    });
});
