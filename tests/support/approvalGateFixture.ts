/**
 * Names and identities of prod's approval gate as its tests meet them: the release calendar every
 * install checks (only the gate function writes it under the two-person rule), the approver
 * role's own calendar (no install checks it), the gate state object and the STS session ARNs
 * CloudTrail records for the requester, the approvers and the gate function.
 */
export const ACCOUNT = "123456789012";
export const CALENDAR = "patching-prod-install-approval";
export const APPROVALS = "patching-prod-approvals";
export const BUCKET = "artifacts";
export const KEY = "approval-gate/prod/2026-12.json";
export const APPROVER_ROLE = `arn:aws:iam::${ACCOUNT}:role/patching-prod-approver`;
export const REQUESTER_ROLE = `arn:aws:iam::${ACCOUNT}:role/patching-prod-requester`;
export const GATE = `arn:aws:sts::${ACCOUNT}:assumed-role/patching-prod-approval-gate-role/patching-prod-approval-gate`;
/** An assumed-role session ARN of `who` in `role`. */
export const session = (role: string, who: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${who}@example.com`;
export const BOB_REQUESTS = session("patching-prod-requester", "bob");
export const ALICE_APPROVES = session("patching-prod-approver", "alice");
