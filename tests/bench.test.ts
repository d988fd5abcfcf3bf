import { expect } from "chai";
import { generateConfig } from "../bench/generate";
import { parse } from "./harness";

describe("bench config generator", () => {
    it("generates valid configs whose size grows with the scale", () => {
        const one = parse(generateConfig(1));
        const three = parse(generateConfig(3));
        expect(three.baselines).to.have.length(one.baselines.length * 3);
        expect((three as unknown as { patchPolicies: unknown[] }).patchPolicies).to.have.length(3);
    });
});
