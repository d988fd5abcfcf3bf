import { GetDocumentCommand, SSMClient, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { parseCalendarEvents, renderCalendarContent } from "../core/changeCalendar";
import { runApprove } from "../scripts/approve";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
/** The repository root (not from ./harness: that loads the whole program, which a mutation run would then reload per mutant). */
const ROOT = path.join(__dirname, "..");

// Monday before prod's gated install (Thu 2026-12-17 02:00 UTC, Patch Tuesday + 9 days).
const NOW = new Date("2026-12-14T09:00:00Z");
const ALICE = "arn:aws:sts::123456789012:assumed-role/PatchApprovers/alice";

/** A copy of the project whose prod stack names approvers (the shipped stack files stay as they are). */
function projectWithApprovers(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "approve-"));
    for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..*yaml$/.test(n))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const prod = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"));
    prod.config["patching:changeSafety"].approvalGate.approvers = { identityCenterPermissionSets: ["PatchApprover"] };
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), YAML.stringify(prod));
    return dir;
}

/** A copy of the project whose prod stack has no approvers (how the command behaves for a gate without operator roles). */
function projectWithoutApprovers(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "approve-"));
    for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..*yaml$/.test(n))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const prod = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"));
    delete prod.config["patching:changeSafety"].approvalGate.approvers;
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), YAML.stringify(prod));
    return dir;
}
const WITHOUT_APPROVERS = projectWithoutApprovers();

/** The home Region's client is `m`; every other Region gets its own client, each holding its own calendar content. */
function setup(content = renderCalendarContent("gate", []), projectDir = WITHOUT_APPROVERS, caller = ALICE) {
    const clients = new Map<string, { ssm: SSMClient; m: ReturnType<typeof mockClient>; content: string; version: number }>();
    const client = (region: string) => {
        let c = clients.get(region);
        if (!c) {
            const ssm = new SSMClient({ region });
            const m = mockClient(ssm);
            const state = { ssm, m, content, version: 2 };
            // Each Region's copy: what was last written there (UpdateDocument), as SSM keeps it.
            m.on(GetDocumentCommand).callsFake(() => ({ Content: state.content }));
            m.on(UpdateDocumentCommand).callsFake((input: { Content?: string }) => {
                state.content = input.Content ?? "";
                state.version++;
                return { DocumentDescription: { DocumentVersion: String(state.version) } };
            });
            m.on(UpdateDocumentDefaultVersionCommand).resolves({});
            clients.set(region, state);
            c = state;
        }
        return c;
    };
    const m = client("us-east-1").m;
    const regions: string[] = [];
    const deps = { ssm: (r: string) => (regions.push(r), client(r).ssm), whoAmI: async () => caller, now: NOW, projectDir };
    let out = "";
    const run = (argv: string[]) => runApprove(argv, deps, (s) => (out += s)).then((code) => ({ code, out }));
    return { m, run, regions, clients };
}

describe("npm run approve (scripts/approve.ts)", () => {
    it("approves for openHours from now, as the caller, and says the next install is covered", async () => {
        const { m, run, regions } = setup();
        const { code, out } = await run(["--stack", "prod", "--reason", "CAB-1234", "--hours", "72"]);
        expect(code).to.equal(0);
        // The home Region, then the other Regions of prod's held installs (the multi-account install's targets).
        expect(regions).to.deep.equal(["us-east-1", "us-west-2", "ap-northeast-1"]);
        const update = m.commandCalls(UpdateDocumentCommand)[0].args[0].input;
        expect(update.Name).to.equal("patching-prod-install-approval");
        const [e] = parseCalendarEvents(String(update.Content));
        expect([e.start.toISOString(), e.end.toISOString(), e.summary, e.description]).to.deep.equal(["2026-12-14T09:00:00.000Z", "2026-12-17T09:00:00.000Z", `Approved by ${ALICE}`, "CAB-1234"]);
        expect(m.commandCalls(UpdateDocumentDefaultVersionCommand)[0].args[0].input).to.deep.equal({ Name: "patching-prod-install-approval", DocumentVersion: "3" });
        expect(out.split("\n")).to.deep.equal([
            `patching-prod-install-approval version 3: open 2026-12-14T09:00:00.000Z – 2026-12-17T09:00:00.000Z, approved by ${ALICE} (CAB-1234)`,
            "same content in us-west-2 (version 3), ap-northeast-1 (version 3)",
            `the gate counts it once CloudTrail shows ${ALICE} made this change (version 3; usually within minutes): pending verification until then`,
            "next gated install: Thu 2026-12-17 02:00 UTC — inside the approved period: it will run",
            "",
        ]);
    });
    it("writes the home content to every Region's copy, so every Region's installs open and close together (issue 17)", async () => {
        const { run, clients } = setup();
        await run(["--stack", "prod", "--reason", "CAB-1234", "--hours", "72"]);
        const home = clients.get("us-east-1")!.content;
        expect(parseCalendarEvents(home)).to.have.length(1);
        for (const r of ["us-west-2", "ap-northeast-1"]) {
            expect(clients.get(r)!.content, r).to.equal(home);
            expect(clients.get(r)!.m.commandCalls(UpdateDocumentDefaultVersionCommand)[0].args[0].input, r).to.deep.equal({ Name: "patching-prod-install-approval", DocumentVersion: "3" });
        }
        // --close ends the period in every copy; a copy already equal to the home one is not rewritten.
        const second = await run(["--stack", "prod", "--close"]);
        expect(second.code).to.equal(0);
        // (The period started now, so closing withdraws it.)
        for (const r of ["us-east-1", "us-west-2", "ap-northeast-1"]) expect(parseCalendarEvents(clients.get(r)!.content), r).to.deep.equal([]);
        await run(["--stack", "prod", "--close"]);
        expect(clients.get("us-west-2")!.m.commandCalls(UpdateDocumentCommand)).to.have.length(2);
    });
    it("a copy that cannot be written is named, and the command fails (run it again)", async () => {
        const { run, clients } = setup();
        await run(["--stack", "prod", "--status"]);
        clients.get("ap-northeast-1")!.m.on(UpdateDocumentCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
        let err: Error | undefined;
        await run(["--stack", "prod", "--reason", "CAB-1", "--hours", "72"]).catch((e: Error) => (err = e));
        expect(err?.message).to.match(/home Region was written but these Regions' copies were not \(run the command again\): ap-northeast-1: AccessDeniedException/);
        expect(parseCalendarEvents(clients.get("us-west-2")!.content)).to.have.length(1);
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
