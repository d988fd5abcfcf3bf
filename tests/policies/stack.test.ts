import { expect } from "chai";
import { patchGroupBaselinePerOs } from "../../policies/stack";
import { messages, res } from "./util";
import { cachedReview } from "../harness";

const PB = "aws:ssm/patchBaseline:PatchBaseline";
const PG = "aws:ssm/patchGroup:PatchGroup";
const win = res(PB, "win", { operatingSystem: "WINDOWS" });
const al = res(PB, "al", { operatingSystem: "AMAZON_LINUX_2023" });
const group = (name: string, b: ReturnType<typeof res>, g: string) => res(PG, name, { patchGroup: g }, { baselineId: [b] });

describe("policies: stack", () => {
    it("patch-group-baseline-per-os passes when every group covers every OS", async () => {
        expect(await messages(patchGroupBaselinePerOs, [win, al, group("g1", win, "prod"), group("g2", al, "prod")])).to.deep.equal([]);
    });
    it("reports a group missing an OS the stack patches, and configured OSes", async () => {
        const plan = [win, al, group("g1", win, "prod"), group("g2", al, "prod"), group("g3", win, "prod-db")];
        expect(await messages(patchGroupBaselinePerOs, plan)).to.deep.equal([
            'Patch group "prod-db" has no baseline for AMAZON_LINUX_2023; those nodes would use the default baseline. Fix: add "prod-db" to the patchGroups of a baseline for each.',
        ]);
        expect(await messages(patchGroupBaselinePerOs, [win, group("g1", win, "prod")], { operatingSystems: ["WINDOWS", "UBUNTU"] })).to.have.length(1);
    });
});

describe("policies: override-object-readable", () => {
    // The dev stack's real plan: a patch policy with the override store and its instance role.
    let plan: import("../../review/engine").PlanResource[];
    before(async () => {
        plan = (await cachedReview({ stack: "dev" })).resources;
    });
    const clone = () => JSON.parse(JSON.stringify(plan)) as typeof plan;
    const role = (p: typeof plan) => p.find((r) => r.type === "aws:iam/role:Role" && r.name === "dev-patching-iam-instance")!;

    it("arnMatches handles IAM wildcards", async () => {
        const { arnMatches } = await import("../../policies/stack");
        expect(arnMatches("arn:aws:s3:::b/*", "arn:aws:s3:::b/baseline_overrides.json")).to.equal(true);
        expect(arnMatches("arn:aws:s3:::b/other.json", "arn:aws:s3:::b/baseline_overrides.json")).to.equal(false);
        expect(arnMatches("arn:aws:s3:::b?/*", "arn:aws:s3:::bb/k")).to.equal(true);
    });

    it("passes the dev stack: the instance role is granted the object and carries the principal tag", async () => {
        const { overrideObjectReadable } = await import("../../policies/stack");
        expect(await messages(overrideObjectReadable, plan)).to.deep.equal([]);
    });

    it("reports an instance role without the store's principal tag (the Quick Setup Access Denied)", async () => {
        const { overrideObjectReadable } = await import("../../policies/stack");
        const p = clone();
        delete (role(p).inputs.tags as Record<string, string>)["QSConfigId-dev01"];
        const msgs = await messages(overrideObjectReadable, p);
        expect(msgs).to.have.length(2); // the scan and the install association
        expect(msgs[0]).to.equal(
            'Role "dev-patching-iam-instance" (instances of association "dev-patching-us-east-1-install") cannot read s3://patching-overrides-123456789012-us-east-1-dev01/baseline_overrides.json: bucket policy statement "DenyAllButPrincipalsWithTag" denies it unless the role is tagged QSConfigId-dev01=dev01 or listed in aws:PrincipalArn. Fix: grant s3:GetObject on the object and tag the role with the store\'s principal tag.',
        );
    });

    it("reports an instance role without an IAM grant on the object", async () => {
        const { overrideObjectReadable } = await import("../../policies/stack");
        // Neither the policy's own access policy nor the orchestrator's instance additions (which also
        // grant the object, attached to this role by attachToPatchPolicies).
        const p = clone().filter((r) => r.name !== "dev-patching-iam-instance-access" && r.name !== "dev-fleet-instance-policy-dev-patching");
        const msgs = await messages(overrideObjectReadable, p);
        expect(msgs[0]).to.contain("no policy of the role allows s3:GetObject on arn:aws:s3:::patching-overrides-123456789012-us-east-1-dev01/baseline_overrides.json");
    });

    it("reports a patch policy with an override but no instance role (none created, none listed in instanceRoleNames)", async () => {
        const { overrideObjectReadable } = await import("../../policies/stack");
        const p = clone().filter((r) => (r.type !== "aws:iam/role:Role" || !r.name.startsWith("dev-patching-iam")) && !(r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === "legacy-ec2-ssm-role"));
        const msgs = await messages(overrideObjectReadable, p);
        expect(msgs.some((m) => m.includes("no instance role reads it: its patch policy creates none and patching:overrideStore.instanceRoleNames lists none"))).to.equal(true);
    });

    it("an association outside a patch policy (the gated install) is read by the roles listed in instanceRoleNames, and each must be admitted", async () => {
        const { overrideObjectReadable } = await import("../../policies/stack");
        expect(plan.some((r) => r.name === "dev-change-safety-association" && JSON.stringify(r.inputs).includes("BaselineOverride")), "the gated install passes the override").to.equal(true);
        // The store's bucket policy stops admitting the listed role: the gated install's readers are named.
        const p = clone();
        for (const r of p.filter((x) => x.type === "aws:s3/bucketPolicy:BucketPolicy")) r.inputs.policy = String(r.inputs.policy).split("legacy-ec2-ssm-role").join("someone-else");
        const msgs = await messages(overrideObjectReadable, p);
        expect(msgs.some((m) => m.startsWith('Role "legacy-ec2-ssm-role" (instances of association "dev-change-safety-association") cannot read'))).to.equal(true);
    });
});
