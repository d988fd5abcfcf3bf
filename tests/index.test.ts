import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../review/engine";
import { ACCOUNT, engineValues, minimalConfig, REGION } from "./harness";

describe("index.ts (the pulumi up entry point)", () => {
    it("reads engine config, deploys and exports baseline ids and patch groups", async () => {
        let exported: { baselineIds: pulumi.Output<Record<string, string>>; patchGroups: unknown } | undefined;
        const { resources } = await runUnderMocks({
            project: "patching",
            stack: "test",
            config: { values: engineValues(minimalConfig()), secretKeys: [] },
            env: { accountId: ACCOUNT, region: REGION },
            // Load index.ts the way the engine does: its top level runs the program.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            program: () => (exported = require("../index")),
        });
        expect(resources.filter((r) => r.type === "aws:ssm/patchBaseline:PatchBaseline")).to.have.length(1);
        const ids = await new Promise((resolve) => exported!.baselineIds.apply(resolve));
        expect(ids).to.deep.equal({ "test-al2023": "test-al2023-id" });
        expect(exported!.patchGroups).to.deep.equal({ test: { AMAZON_LINUX_2023: "test-al2023" } });
    });
});
