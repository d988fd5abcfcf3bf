/**
 * core/automationDocument.ts `documentTree`: a document's content parsed once per text and frozen,
 * shared by the wiring proof, the API contract checks and the summaries.
 */
import { expect } from "chai";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { documentTree } from "../core/automationDocument";
import { ROOT } from "./harness";

describe("documentTree (core/automationDocument.ts)", () => {
    const documents = fs.readdirSync(path.join(ROOT, "documents")).filter((f) => /\.(ya?ml|json)$/.test(f));

    it("reads every shipped document as the yaml package does", () => {
        expect(documents.length).to.be.greaterThan(3);
        for (const file of documents) {
            const text = fs.readFileSync(path.join(ROOT, "documents", file), "utf8");
            expect(documentTree(text), file).to.deep.equal(YAML.parse(text));
        }
    });

    it("parses a text once: the same tree again, frozen throughout, so one reader cannot change what another reads", () => {
        // A text of its own (a comment line), never parsed before in this process: the trees are kept per process.
        const text = `# ${randomUUID()}\nschemaVersion: '0.3'\nmainSteps:\n  - name: one\n    action: aws:executeAwsApi\n    inputs: { Service: ssm, Api: DescribeInstanceInformation, Filters: [{ Key: PingStatus, Values: [Online] }] }\n`;
        const tree = documentTree(text) as { mainSteps: { name: string; inputs: { Filters: { Values: string[] }[] } }[] };
        expect(documentTree(text)).to.equal(tree);
        expect(documentTree(`${text}\n`), "another text is another tree").not.to.equal(tree);
        expect(() => (tree.mainSteps[0].name = "two")).to.throw(TypeError);
        expect(() => tree.mainSteps[0].inputs.Filters[0].Values.push("Lost")).to.throw(TypeError);
        expect(() => tree.mainSteps.pop()).to.throw(TypeError);
        expect(tree.mainSteps[0].inputs.Filters[0].Values).to.deep.equal(["Online"]);
    });

    it("reads JSON content too, and throws on content that is not valid YAML every time (nothing kept)", () => {
        expect(documentTree('{"schemaVersion":"2.2","mainSteps":[{"name":"run","action":"aws:runShellScript"}]}')).to.deep.equal({ schemaVersion: "2.2", mainSteps: [{ name: "run", action: "aws:runShellScript" }] });
        const broken = "mainSteps:\n  - name: [unclosed\n";
        expect(() => documentTree(broken)).to.throw();
        expect(() => documentTree(broken)).to.throw();
        expect(documentTree("plain"), "a scalar document is returned as it is").to.equal("plain");
        // YAML aliases can make a tree that reaches itself: frozen, and the freezing ends.
        const looped = documentTree(`# ${randomUUID()}\na: &x\n  b: *x\n`) as { a: { b: unknown } };
        expect(looped.a.b).to.equal(looped.a);
        expect(Object.isFrozen(looped.a)).to.equal(true);
    });
});
