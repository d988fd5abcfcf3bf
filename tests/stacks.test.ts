import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { named, ofType, ROOT, runStackFile } from "./harness";

/** The shipped stack files, evaluated end to end under the mock engine. */
for (const stack of ["dev", "prod"]) {
    describe(`stack ${stack} (Pulumi.${stack}.yaml)`, () => {
        const file = `Pulumi.${stack}.yaml`;
        const config = YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")).config;
        const baselines = config["patching:baselines"] as { name: string; operatingSystem: string; patchGroups: string[]; approvalRules: { approveAfterDays?: number }[] }[];

        it("registers one baseline per configured baseline with its real inputs", async () => {
            const { resources } = await runStackFile(file, stack);
            const registered = ofType(resources, "aws:ssm/patchBaseline:PatchBaseline");
            expect(registered.map((r) => r.inputs.name).sort()).to.deep.equal(baselines.map((b) => b.name).sort());
            for (const b of baselines) {
                const r = named(resources, "aws:ssm/patchBaseline:PatchBaseline", b.name);
                expect(r.inputs.operatingSystem).to.equal(b.operatingSystem);
                expect((r.inputs.approvalRules as unknown[]).length).to.equal(b.approvalRules.length);
                expect((r.inputs.tags as Record<string, string>).Environment).to.equal(stack);
            }
        });

        it("covers Windows, Amazon Linux 2023, RHEL and Ubuntu", () => {
            expect(baselines.map((b) => b.operatingSystem).sort()).to.deep.equal(["AMAZON_LINUX_2023", "REDHAT_ENTERPRISE_LINUX", "UBUNTU", "WINDOWS"]);
        });

        it("registers every patch group of every baseline, named for the environment", async () => {
            const { resources } = await runStackFile(file, stack);
            const expected = baselines.flatMap((b) => b.patchGroups.map((g) => `${b.name}/${g}`)).sort();
            const got = ofType(resources, "aws:ssm/patchGroup:PatchGroup").map((r) => `${String(r.inputs.baselineId).replace(/-id$/, "")}/${r.inputs.patchGroup}`);
            expect(got.sort()).to.deep.equal(expected);
            for (const g of got) expect(g.split("/")[1].startsWith(stack)).to.equal(true);
        });
    });
}

describe("dev and prod together", () => {
    it("prod approves later than dev for every OS that takes a delay", () => {
        const load = (s: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8")).config["patching:baselines"] as { operatingSystem: string; approvalRules: { approveAfterDays?: number }[] }[];
        const dev = load("dev");
        const prod = load("prod");
        for (const p of prod) {
            const d = dev.find((b) => b.operatingSystem === p.operatingSystem)!;
            const delay = (b: typeof p) => Math.min(...b.approvalRules.map((r) => r.approveAfterDays ?? Infinity));
            if (p.operatingSystem === "UBUNTU") continue;
            expect(delay(d), `dev ${p.operatingSystem}`).to.equal(0);
            expect(delay(p), `prod ${p.operatingSystem}`).to.equal(7);
        }
    });
});
