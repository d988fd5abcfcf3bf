import { expect } from "chai";
import { iamNoStarAction, iamNoStarPrincipalTrust, iamNoWildcardPassRole, iamTrustNamedRoles } from "../../policies/iam";
import { messages, res } from "./util";

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const rolePolicy = (...s: object[]) => res("aws:iam/rolePolicy:RolePolicy", "rp", { policy: doc(...s) });
const role = (trust: object) => res("aws:iam/role:Role", "r", { assumeRolePolicy: doc(trust) });

describe("policies: IAM", () => {
    describe("iam-no-star-action", () => {
        it("passes named actions and Deny statements", async () => {
            expect(await messages(iamNoStarAction, [rolePolicy({ Effect: "Allow", Action: ["ssm:SendCommand"], Resource: "*" }, { Effect: "Deny", Action: "*", Resource: "*" })])).to.deep.equal([]);
        });
        it('reports Action "*", NotAction, inline role policies and admin attachments', async () => {
            const inline = res("aws:iam/role:Role", "seed-role", { inlinePolicies: [{ name: "all", policy: doc({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }) }] });
            const attach = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
            const msgs = await messages(iamNoStarAction, [rolePolicy({ Effect: "Allow", Action: "*", Resource: "*" }), rolePolicy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }), inline, attach]);
            expect(msgs).to.deep.equal([
                'RolePolicy "rp": policy statement #1 allows Action "*". Fix: list the actions the role needs (e.g. ssm:SendCommand on the patch document).',
                'RolePolicy "rp": policy statement #1 allows NotAction, i.e. everything else. Fix: allow named actions instead.',
                'Role "seed-role": inline policy all statement "All" allows Action "*". Fix: list the actions the role needs (e.g. ssm:SendCommand on the patch document).',
                'RolePolicyAttachment "admin" attaches arn:aws:iam::aws:policy/AdministratorAccess, which allows (nearly) every action. Fix: attach a least-privilege policy.',
            ]);
        });
    });
    describe("iam-no-star-principal-trust", () => {
        it("passes service and named principals", async () => {
            expect(await messages(iamNoStarPrincipalTrust, [role({ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" })])).to.deep.equal([]);
        });
        it('reports Principal "*" and {"AWS":"*"}', async () => {
            expect(await messages(iamNoStarPrincipalTrust, [role({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }), role({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })])).to.have.length(2);
        });
    });
    describe("iam-trust-named-roles", () => {
        it("passes role ARNs", async () => {
            expect(await messages(iamTrustNamedRoles, [role({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationAdministrationRole" }, Action: "sts:AssumeRole" })])).to.deep.equal([]);
        });
        it("passes an account root narrowed to named roles by aws:PrincipalArn (Identity Center permission sets); reports a pattern admitting any role", async () => {
            const trust = (patterns: string[]) =>
                role({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole", Condition: { ArnLike: { "aws:PrincipalArn": patterns } } });
            expect(await messages(iamTrustNamedRoles, [trust(["arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_PatchApprover_*"])])).to.deep.equal([]);
            expect(await messages(iamTrustNamedRoles, [trust(["arn:aws:iam::111122223333:role/*"])])).to.have.length(1);
            expect(await messages(iamTrustNamedRoles, [trust(["arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*"])])).to.have.length(1);
            expect(await messages(iamTrustNamedRoles, [trust(["arn:aws:iam::111122223333:role/ops", "arn:aws:iam::111122223333:user/*"])])).to.have.length(1);
        });
        it("reports account roots and bare account ids (the seed's trust)", async () => {
            const msgs = await messages(iamTrustNamedRoles, [role({ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root", "444455556666"] }, Action: "sts:AssumeRole" })]);
            expect(msgs).to.have.length(2);
            expect(msgs[0]).to.contain("trusts the whole account arn:aws:iam::111122223333:root");
        });
    });
    describe("iam-no-wildcard-passrole", () => {
        it("passes PassRole on a named role", async () => {
            expect(await messages(iamNoWildcardPassRole, [rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/exec", Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } } })])).to.deep.equal([]);
        });
        it("reports PassRole on * and role/*", async () => {
            const msgs = await messages(iamNoWildcardPassRole, [rolePolicy({ Effect: "Allow", Action: ["iam:PassRole"], Resource: "*" }), rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/*" })]);
            expect(msgs).to.have.length(2);
            expect(msgs[0]).to.contain("allows iam:PassRole on *");
        });
    });
    it("ignores other resource types", async () => {
        expect(await messages(iamNoStarAction, [res("aws:s3/bucket:Bucket", "b", { policy: doc({ Effect: "Allow", Action: "*" }) })])).to.deep.equal([]);
    });
});
