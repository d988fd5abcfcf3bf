import { DeleteSnapshotCommand, DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { expiresAt, sweepSnapshots } from "../core/snapshotRetention";

const NOW = new Date("2026-12-31T00:00:00Z");
const snap = (id: string, start: string, retention?: string) => ({
    SnapshotId: id,
    StartTime: new Date(start),
    Tags: [{ Key: "PatchSnapshot", Value: "pre-patch" }, { Key: "PatchStack", Value: "prod" }, ...(retention ? [{ Key: "RetentionDays", Value: retention }] : [])],
});

describe("pre-patch snapshot retention (core/snapshotRetention)", () => {
    function setup() {
        const ec2 = new EC2Client({ region: "us-east-1" });
        const m = mockClient(ec2);
        m.on(DescribeSnapshotsCommand, { NextToken: undefined }).resolves({ Snapshots: [snap("snap-old", "2026-12-01T02:00:00Z", "14"), snap("snap-new", "2026-12-20T02:00:00Z", "14")], NextToken: "p2" });
        m.on(DescribeSnapshotsCommand, { NextToken: "p2" }).resolves({ Snapshots: [snap("snap-untagged", "2026-12-10T02:00:00Z"), snap("snap-ami", "2026-11-01T00:00:00Z", "7")] });
        m.on(DeleteSnapshotCommand).resolves({});
        m.on(DeleteSnapshotCommand, { SnapshotId: "snap-ami" }).rejects(Object.assign(new Error("snapshot is in use by ami-1"), { name: "InvalidSnapshot.InUse" }));
        return { ec2, m };
    }
    it("expiry is the start time plus the RetentionDays tag, or the default", () => {
        expect(expiresAt(snap("a", "2026-12-01T02:00:00Z", "14"), 30).toISOString()).to.equal("2026-12-15T02:00:00.000Z");
        expect(expiresAt(snap("a", "2026-12-01T02:00:00Z", "zero"), 30).toISOString()).to.equal("2026-12-31T02:00:00.000Z");
    });
    it("deletes this stack's expired pre-patch snapshots across pages, keeps the rest, reports what it could not delete", async () => {
        const { ec2, m } = setup();
        const lines: string[] = [];
        const r = await sweepSnapshots(ec2, { stack: "prod", defaultRetentionDays: 14, now: NOW, log: (l) => lines.push(l) });
        expect(m.commandCalls(DescribeSnapshotsCommand)[0].args[0].input).to.deep.equal({
            OwnerIds: ["self"],
            Filters: [
                { Name: "tag:PatchSnapshot", Values: ["pre-patch"] },
                { Name: "tag:PatchStack", Values: ["prod"] },
            ],
            MaxResults: 500,
            NextToken: undefined,
        });
        expect(r).to.deep.equal({ examined: 4, deleted: ["snap-old", "snap-untagged"], kept: 1, failed: [{ snapshotId: "snap-ami", error: "InvalidSnapshot.InUse: snapshot is in use by ami-1" }] });
        expect(m.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId)).to.deep.equal(["snap-old", "snap-untagged", "snap-ami"]);
        expect(JSON.parse(lines[0]).level).to.equal("error");
    });
    it("dry run deletes nothing", async () => {
        const { ec2, m } = setup();
        const r = await sweepSnapshots(ec2, { stack: "prod", defaultRetentionDays: 14, now: NOW, dryRun: true, log: () => undefined });
        expect(r.deleted).to.deep.equal(["snap-old", "snap-untagged", "snap-ami"]);
        expect(m.commandCalls(DeleteSnapshotCommand)).to.have.length(0);
    });
});
