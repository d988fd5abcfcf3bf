/**
 * isSessionOf (core/changeCalendar.ts), each part of the match alone: written for mutants StrykerJS
 * left alive (TESTING.md) — an approval recorded by a session must be of exactly the approver role.
 */
import { expect } from "chai";
import { isSessionOf } from "../core/changeCalendar";

const ROLE = "arn:aws:iam::123456789012:role/patching-prod-approver";

describe("approver sessions: partition, account and role name must all match", () => {
    it("a session of the role is accepted; one differing only in partition, account or role name is not", () => {
        expect(isSessionOf("arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice", ROLE)).to.equal(true);
        expect(isSessionOf("arn:aws-cn:sts::123456789012:assumed-role/patching-prod-approver/alice", ROLE)).to.equal(false);
        expect(isSessionOf("arn:aws:sts::210987654321:assumed-role/patching-prod-approver/alice", ROLE)).to.equal(false);
        expect(isSessionOf("arn:aws:sts::123456789012:assumed-role/patching-dev-approver/alice", ROLE)).to.equal(false);
    });

    it("malformed ARNs on either side are never a match", () => {
        expect(isSessionOf("arn:aws:sts::123456789012:assumed-role/patching-prod-approver/", ROLE)).to.equal(false);
        expect(isSessionOf("arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice", "arn:aws:iam::123456789012:user/patching-prod-approver")).to.equal(false);
        expect(isSessionOf("arn:aws:sts::123456789012:assumed-role/patching-prod-approver/alice", "patching-prod-approver")).to.equal(false);
    });
});
