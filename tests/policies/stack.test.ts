import { expect } from "chai";
import { patchGroupBaselinePerOs } from "../../policies/stack";
import { messages, res } from "./util";

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
