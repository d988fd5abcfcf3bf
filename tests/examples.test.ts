/**
 * The example stacks a newcomer copies (examples/*.yaml) review clean: valid config, a plan, and no
 * policy violation under the policies' defaults nor under the strict prod preset — so the README's
 * five-minute path ends in a green review.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { reviewStack } from "../review/review";

const root = path.join(__dirname, "..");
const examples = fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".yaml"));

describe("example stacks (examples/)", function () {
    this.timeout(180_000); // a whole plan under mocks: slow on a loaded machine, never a speed test

    it("ships at least the first-account example", () => {
        expect(examples).to.include("first-account.yaml");
    });

    for (const file of examples) {
        for (const preset of [undefined, "prod"]) {
            it(`${file} reviews with no config error and no violation under ${preset ? `the ${preset} preset` : "the policy defaults"}`, async () => {
                const review = await reviewStack({
                    stack: path.basename(file, ".yaml"),
                    configPath: path.join(root, "examples", file),
                    policyConfigPath: preset && path.join(root, "policies", "presets", `${preset}.json`),
                });
                expect(review.configErrors.map((e) => `${e.path}: ${e.message}`)).to.deep.equal([]);
                expect(review.resources.length).to.be.greaterThan(10);
                // A first account installs without an approval gate: install-paths-gated names each
                // install nothing holds (mandatory under the prod preset: prod needs the gate).
                const ungated = review.policyResults.filter((r) => r.policy === "install-paths-gated");
                expect(review.policyResults.filter((r) => r.policy !== "install-paths-gated").map((r) => `${r.policy}: ${r.message}`)).to.deep.equal([]);
                for (const r of ungated) {
                    expect(r.message).to.match(/^Install path \S+ .* is not held by the approval gate/);
                    expect(r.enforcementLevel).to.equal(preset ? "mandatory" : "advisory");
                }
            });
        }
    }
});
