/**
 * The JSON Schema of stack files (schema/patching.schema.json) and the configuration reference
 * (docs/config-reference.md) are generated from the config model by `npm run docs`: committed files
 * must be fresh, the schema must accept every shipped and example stack file (checked by Ajv, a JSON
 * Schema validator the code did not write) and reject a bad value at its path, and descriptions come
 * from the model's doc comments.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import Ajv from "ajv";
import { configReference, describeModel, REFERENCE_FILE, SCHEMA_FILE, stackFileSchema } from "../scripts/configDocs";
import { ROOT } from "./harness";

describe("generated config docs: JSON Schema and reference (npm run docs)", function () {
    this.timeout(120_000); // the TypeScript parser over config/: slow on a loaded machine, never a speed test
    const docs = describeModel();
    const schema = stackFileSchema(docs);
    const reference = configReference(docs);

    it("the committed schema and reference are what `npm run docs` generates now", () => {
        expect(fs.readFileSync(SCHEMA_FILE, "utf8"), "schema/patching.schema.json is stale: run npm run docs").to.equal(JSON.stringify(schema, null, 2) + "\n");
        expect(fs.readFileSync(REFERENCE_FILE, "utf8"), "docs/config-reference.md is stale: run npm run docs").to.equal(reference);
    });

    const stackFiles = [...fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)), ...fs.readdirSync(path.join(ROOT, "examples")).map((f) => path.join("examples", f))];
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

    for (const file of stackFiles) {
        it(`${file} is valid under the schema (as an editor would check it)`, () => {
            const ok = validate(YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")));
            expect(validate.errors ?? [], file).to.deep.equal([]);
            expect(ok).to.equal(true);
        });
    }

    it("rejects a bad value at its path: MaxErrors over 100%, an unknown key, a wrong enum", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        doc.config["patching:patchPolicies"][0].install.maxErrors = "200%";
        doc.config["patching:baselines"][0].operatingSystem = "WINDOWS_2022";
        doc.config["patching:overrideStore"].remediaton = {};
        expect(validate(doc)).to.equal(false);
        const paths = (validate.errors ?? []).map((e) => e.instancePath);
        expect(paths).to.include("/config/patching:patchPolicies/0/install/maxErrors");
        expect(paths).to.include("/config/patching:baselines/0/operatingSystem");
        expect((validate.errors ?? []).some((e) => e.instancePath === "/config/patching:overrideStore" && e.keyword === "additionalProperties")).to.equal(true);
    });

    it("descriptions come from the model's doc comments (schema hover text and reference column)", () => {
        expect(docs.get("overrideStore.configId")).to.be.a("string").and.not.equal("");
        const store = (schema.properties!.config.properties!["patching:overrideStore"] as { properties: Record<string, { description?: string }> }).properties;
        expect(store.configId.description).to.equal(docs.get("overrideStore.configId"));
        expect(reference).to.contain(`| \`configId\` | string |`);
        // Most keys carry a description; a key added without a doc comment shows up as a gap here.
        const rows = reference.split("\n").filter((l) => l.startsWith("| `"));
        const described = rows.filter((l) => !l.endsWith(" |  |"));
        expect(rows.length).to.be.greaterThan(300);
        expect(described.length / rows.length, `${rows.length - described.length} keys without a description`).to.be.greaterThan(0.8);
    });
});
