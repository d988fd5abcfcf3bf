/** Dev's patch state as promotions judge it (core/devState.ts): what counts as green, the summary and the hold. */
import { expect } from "chai";
import { DevInstance, holdReason, notGreenReasons, summarise, toDevInstance } from "../core/devState";

const instance = (id: string, over: Partial<DevInstance> = {}): DevInstance => ({
    ...toDevInstance({ InstanceId: id, PatchGroup: "dev-web", BaselineId: "pb-0123456789abcdef0", Operation: "Install", OperationStartTime: new Date("2026-12-10T02:00:00Z"), OperationEndTime: new Date("2026-12-10T02:20:00Z") } as never),
    ...over,
});

describe("dev state (core/devState.ts)", () => {
    it("an instance patch state read from SSM: counts default to 0, names to placeholders", () => {
        expect(toDevInstance({} as never)).to.deep.equal({
            instanceId: "?",
            patchGroup: "",
            baselineId: "",
            operation: "?",
            operationStartTime: new Date(0),
            operationEndTime: undefined,
            missing: 0,
            failed: 0,
            installedPendingReboot: 0,
            installedRejected: 0,
            criticalNonCompliant: 0,
            securityNonCompliant: 0,
            otherNonCompliant: 0,
        });
        const i = toDevInstance({ InstanceId: "i-1", PatchGroup: "dev", Operation: "Scan", InstalledRejectedCount: 1, CriticalNonCompliantCount: 2, SecurityNonCompliantCount: 3, OtherNonCompliantCount: 4 } as never);
        expect(i).to.include({ instanceId: "i-1", patchGroup: "dev", operation: "Scan", installedRejected: 1, criticalNonCompliant: 2, securityNonCompliant: 3, otherNonCompliant: 4 });
    });

    it("green: nothing missing, failed, waiting for a reboot or rejected; non-compliance is named only when nothing else is", () => {
        expect(notGreenReasons(instance("i-1"))).to.deep.equal([]);
        expect(notGreenReasons(instance("i-1", { missing: 2, failed: 1, installedPendingReboot: 3, installedRejected: 1, criticalNonCompliant: 5 }))).to.deep.equal([
            "2 missing",
            "1 failed",
            "3 installed pending reboot",
            "1 rejected but installed",
        ]);
        expect(notGreenReasons(instance("i-1", { criticalNonCompliant: 1, securityNonCompliant: 2, otherNonCompliant: 4 }))).to.deep.equal(["7 non-compliant"]);
        expect(notGreenReasons(instance("i-1", { otherNonCompliant: 1 }))).to.deep.equal(["1 non-compliant"]);
    });

    it("the summary: green share floored to a hundredth, at most 50 non-green listed; 0% without instances", () => {
        const three = summarise(["dev-web"], [instance("i-1"), instance("i-2"), instance("i-3", { failed: 1 })]);
        expect(three).to.deep.equal({ patchGroups: ["dev-web"], instances: 3, green: 2, notGreen: [{ instanceId: "i-3", patchGroup: "dev-web", reasons: ["1 failed"] }], greenPercent: 66.66 });
        const many = summarise(["dev-web"], Array.from({ length: 51 }, (_, n) => instance(`i-${n}`, { missing: 1 })));
        expect(many.notGreen).to.have.length(50);
        expect(many.greenPercent).to.equal(0);
        expect(summarise(["dev-web"], []).greenPercent).to.equal(0);
    });

    it("the hold: too few instances, or too few green, naming the first five non-green (… when there are more)", () => {
        expect(holdReason(summarise(["dev-web", "dev-db"], [instance("i-1")]), 2, 100)).to.equal("only 1 instance(s) of patch group(s) dev-web, dev-db report patch state; at least 2 required");
        expect(holdReason(summarise(["dev-web"], [instance("i-1"), instance("i-2")]), 2, 100)).to.equal(undefined);
        const five = summarise(["dev-web"], [instance("i-0"), ...Array.from({ length: 5 }, (_, n) => instance(`i-${n + 1}`, { missing: 1 }))]);
        expect(holdReason(five, 1, 100)).to.equal("1 of 6 instance(s) are green (16.66%), 100% required: i-1 (1 missing); i-2 (1 missing); i-3 (1 missing); i-4 (1 missing); i-5 (1 missing)");
        expect(holdReason(five, 1, 16.66)).to.equal(undefined);
        const six = summarise(["dev-web"], Array.from({ length: 6 }, (_, n) => instance(`i-${n + 1}`, { failed: 1 })));
        expect(holdReason(six, 1, 50)).to.match(/i-5 \(1 failed\); …$/);
    });
});
