/**
 * The wiring proof's operator-role edges (review/wiringEdges/operatorRoles.ts), decided by the real
 * IAM engine on the shipped prod plan (approver and requester roles, Identity Center permission
 * sets) and on the prod variant with named IAM users and roles (MFA): a person the trust admits
 * assumes the role and does its one job; a stranger is denied; the requester role cannot change
 * the calendar and the approver role cannot write requests. Each broken on purpose.
 */
import { expect } from "chai";
import * as path from "path";
import type { Review } from "../review/review";
import { proveWiring, type EdgeVerdict } from "../review/wiring";
import { cachedReview, ROOT } from "./harness";
import { prodVariant } from "./support/stacks";
import { expectBroken, mutatePolicy } from "./support/wiringBreak";

const ACCOUNT = "123456789012";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
// Two-person rule (prod): the approver writes its own calendar; the release calendar (every Region's copy) is what installs check.
const CALENDAR = `arn:aws:ssm:us-east-1:${ACCOUNT}:document/patching-prod-approvals`;
const RELEASES = ["us-east-1", "us-west-2", "ap-northeast-1"].map((r) => `arn:aws:ssm:${r}:${ACCOUNT}:document/patching-prod-install-approval`);

describe("Wiring proof: a person → the approval gate's operator roles (real IAM engine)", function () {
    this.timeout(120_000);
    let prod: Review;
    before(async () => {
        prod = await cachedReview({ stack: "prod", configPath: path.join(ROOT, "Pulumi.prod.yaml") });
    });
    const edge = (r: { wiring?: Review["wiring"] } | undefined, id: string): EdgeVerdict => {
        const found = r!.wiring!.verdicts.filter((v) => v.edge.id === id);
        expect(found, id).to.have.length(1);
        return found[0];
    };

    it("prod: each permission set's user assumes its role and does its job; strangers and the other role are denied", () => {
        const approver = edge(prod, "operator:patching-prod-approver");
        const requester = edge(prod, "operator:patching-prod-requester");
        for (const v of [approver, requester]) {
            expect(v.problems, v.edge.id).to.deep.equal([]);
            expect(v.ok).to.equal(true);
        }
        expect([approver.edge.from, requester.edge.from]).to.deep.equal(["Identity Center permission set PatchApprover", "Identity Center permission set PatchRequester"]);
        expect(approver.edge.requests.map((r) => `${r.request.action} ${r.request.resource}`)).to.deep.equal([
            `sts:AssumeRole arn:aws:iam::${ACCOUNT}:role/patching-prod-approver`,
            `ssm:UpdateDocument ${CALENDAR}`,
        ]);
        // The caller is a role Identity Center provisions for the permission set (the trust's aws:PrincipalArn pattern).
        expect(approver.edge.requests[0].request.context["aws:PrincipalArn"]).to.match(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso\\.amazonaws\\.com/.*AWSReservedSSO_PatchApprover_`));
        expect(requester.edge.requests[0].request.context["aws:PrincipalArn"]).to.match(/AWSReservedSSO_PatchRequester_/);
        expect(requester.edge.requests[1].request).to.deep.include({ action: "s3:PutObject" });
        expect(requester.edge.requests[1].request.resource).to.match(/^arn:aws:s3:::.+\/approval-gate\/prod\/2026-12\.json$/);
        expect(approver.edge.strangers.slice(0, 3).map((s) => s.stranger)).to.deep.equal([
            "a role of the account the trust does not name",
            "the same principal in another account",
            "the other operator role (patching-prod-requester): separation of duties",
        ]);
        // The direct-write bypass: the approver role writing any Region's release calendar is denied by the engine.
        expect(approver.edge.strangers.slice(3).map((s) => `${s.request.action} ${s.request.resource}`)).to.deep.equal(RELEASES.flatMap((r) => [`ssm:UpdateDocument ${r}`, `ssm:UpdateDocumentDefaultVersion ${r}`]));
        expect(requester.edge.strangers.filter((s) => /release calendar/.test(s.stranger)).map((s) => s.request.resource)).to.deep.equal(RELEASES);
        // The separation of duties, as requests the engine denies: the requester on the calendar, the approver on the gate state.
        expect(approver.edge.strangers[2].request).to.deep.include({ action: "ssm:UpdateDocument", resource: CALENDAR });
        expect(approver.edge.strangers[2].request.principal).to.match(/assumed-role\/patching-prod-requester\//);
        const separation = requester.edge.strangers.find((s) => /separation of duties/.test(s.stranger))!;
        expect(separation.request.action).to.equal("s3:PutObject");
        expect(separation.request.principal).to.match(/assumed-role\/patching-prod-approver\//);
    });

    it("prod: only the gate function writes the release calendars (every Region's copy); it reads, never writes, the approver's calendar", () => {
        const release = edge(prod, "release:patching-prod-install-approval");
        expect(release.problems).to.deep.equal([]);
        expect(release.ok).to.equal(true);
        expect(release.edge.requests.map((r) => `${r.request.action} ${r.request.resource}`)).to.deep.equal([
            ...RELEASES.flatMap((r) => [`ssm:UpdateDocument ${r}`, `ssm:UpdateDocumentDefaultVersion ${r}`]),
            `ssm:GetDocument ${CALENDAR}`,
            `ssm:ListDocumentVersions ${CALENDAR}`,
        ]);
        expect(release.edge.from).to.equal("Role prod-change-safety-gate-role");
        expect(release.edge.strangers.map((s) => `${s.request.action} ${s.request.resource}`)).to.deep.equal([`ssm:UpdateDocument ${CALENDAR}`]);
    });

    it("named IAM users and roles: allowed with MFA, denied without (the prod variant with principals)", async () => {
        const resources = await prodVariant("approvers, cross-account date promotion, volume growth, window runbook, hybrid nodes");
        const wiring = await proveWiring(resources, { accountId: ACCOUNT, region: "us-east-1" });
        for (const id of ["operator:patching-prod-approver", "operator:patching-prod-requester"]) {
            const v = edge({ wiring }, id);
            expect(v.problems, id).to.deep.equal([]);
            expect(v.edge.strangers.filter((s) => / without MFA$/.test(s.stranger)).length, id).to.be.greaterThan(0);
        }
        const approver = edge({ wiring }, "operator:patching-prod-approver").edge;
        expect(approver.strangers.map((s) => s.stranger)).to.include.members([`arn:aws:iam::${ACCOUNT}:user/alice without MFA`, `arn:aws:iam::${ACCOUNT}:role/BreakGlass without MFA`]);
    });

    it("broken on purpose: the requester may change the calendar, the approver may write requests, the trust admits anyone of the account", async () => {
        const requesterOnCalendar = mutatePolicy(prod.resources, ROLE_POLICY, /^prod-change-safety-requester-gate-state$/, "policy", (d) => {
            d.Statement.push({ Sid: "Oops", Effect: "Allow", Action: "ssm:UpdateDocument", Resource: CALENDAR });
        });
        await expectBroken(prod, requesterOnCalendar, /^operator:patching-prod-approver$/, /stranger \(the other operator role \(patching-prod-requester\): separation of duties\) .*ssm:UpdateDocument.* is Allowed .* must be denied/);
        const approverWritesRequests = mutatePolicy(prod.resources, ROLE_POLICY, /^prod-change-safety-approver-calendar$/, "policy", (d) => {
            d.Statement[1].Action = ["s3:GetObject", "s3:PutObject"];
        });
        await expectBroken(prod, approverWritesRequests, /^operator:patching-prod-requester$/, /stranger \(the other operator role \(patching-prod-approver\): separation of duties\) .*s3:PutObject.* is Allowed .* must be denied/);
        const approverReleases = mutatePolicy(prod.resources, ROLE_POLICY, /^prod-change-safety-approver-calendar$/, "policy", (d) => {
            d.Statement[0].Resource = [...[d.Statement[0].Resource].flat(), RELEASES[1]];
        });
        await expectBroken(prod, approverReleases, /^operator:patching-prod-approver$/, /stranger \(the approver role writing the release calendar .*us-west-2.*\) .*ssm:UpdateDocument.* is Allowed .* must be denied/);
        const gateCannotRelease = mutatePolicy(prod.resources, ROLE_POLICY, /^prod-change-safety-gate-policy$/, "policy", (d) => {
            d.Statement[0].Resource = RELEASES.slice(0, 2);
        });
        await expectBroken(prod, gateCannotRelease, /^release:patching-prod-install-approval$/, /ssm:UpdateDocument .*ap-northeast-1.* ImplicitlyDenied/);
        const anyoneOfTheAccount = mutatePolicy(prod.resources, ROLE, /^prod-change-safety-requester-role$/, "assumeRolePolicy", (d) => {
            d.Statement[0].Condition.ArnLike["aws:PrincipalArn"].push(`arn:aws:iam::${ACCOUNT}:role/*`);
        });
        await expectBroken(prod, anyoneOfTheAccount, /^operator:patching-prod-requester$/, /stranger \(a role of the account the trust does not name\) .*sts:AssumeRole.* is Allowed .* must be denied/);
        const noPutObject = mutatePolicy(prod.resources, ROLE_POLICY, /^prod-change-safety-requester-gate-state$/, "policy", (d) => {
            d.Statement[0].Action = ["s3:GetObject"];
        });
        await expectBroken(prod, noPutObject, /^operator:patching-prod-requester$/, /s3:PutObject .* ImplicitlyDenied/);
    });
});
