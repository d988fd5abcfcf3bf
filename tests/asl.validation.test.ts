/**
 * bench/support/asl.ts `aslValidationErrors`: asl-validator's answer, kept per definition text,
 * from asl-validator running with its schemas compiled once per process. Each answer is compared
 * with a call of asl-validator itself as published (the external truth, building its own Ajv), on
 * the first and on a repeated call, and a caller changing the list it got does not change the next.
 */
import { expect } from "chai";
import { aslAjvBuilds, aslValidationErrors } from "../bench/support/asl";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validate = require("asl-validator") as (d: unknown, o?: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string };
const fresh = (def: unknown): string[] => {
    const r = validate(JSON.parse(JSON.stringify(def)), { checkPaths: true, checkArn: true });
    return r.isValid ? [] : r.errorsText("\n").split("\n");
};

describe("aslValidationErrors: asl-validator's verdict, kept per definition", () => {
    const valid = { StartAt: "A", States: { A: { Type: "Pass", ResultPath: "$.x", Next: "B" }, B: { Type: "Succeed" } } };
    const invalid = { StartAt: "A", States: { A: { Type: "Pass", ResultPath: "not a path", Next: "Missing" } } };

    it("answers as asl-validator does, on the first call and on a repeated one", () => {
        const expected = fresh(invalid);
        expect(expected).to.not.deep.equal([]);
        expect(aslValidationErrors(invalid)).to.deep.equal(expected);
        expect(aslValidationErrors(invalid)).to.deep.equal(expected);
        // A Pass state and a Succeed state: valid ASL (the States Language specification).
        expect(aslValidationErrors(valid)).to.deep.equal([]);
        expect(aslValidationErrors(valid)).to.deep.equal([]);
    });

    it("tells apart definitions that differ in one value", () => {
        expect(aslValidationErrors(valid)).to.deep.equal([]);
        const broken = { ...valid, States: { ...valid.States, A: { ...valid.States.A, Next: "Nowhere" } } };
        expect(aslValidationErrors(broken).join("\n")).to.contain("Nowhere");
    });

    it("compiles asl-validator's schemas once per process, and still answers as asl-validator run afresh does", () => {
        // Each compared with asl-validator building its own Ajv (0.3–0.6 s of CPU each: a few).
        const defs = [
            { StartAt: "W", States: { W: { Type: "Wait", Seconds: 5, Next: "T" }, T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { "FunctionName.$": "$.fn" }, End: true } } },
            { StartAt: "W", States: { W: { Type: "Wait", Seconds: 5, SecondsPath: "$.s", End: true } } },
            { StartAt: "C", States: { C: { Type: "Choice", Choices: [{ Variable: "not a path", NumericEquals: 1, Next: "S" }] }, S: { Type: "Succeed" } } },
        ];
        for (const def of defs) expect(aslValidationErrors(def), JSON.stringify(def)).to.deep.equal(fresh(def));
        // Every definition of this process was validated with the one Ajv (built by its first call).
        expect(aslAjvBuilds.count).to.equal(1);
        expect(defs.map((d) => aslValidationErrors(d).length > 0)).to.deep.equal([false, true, true]);
    });

    it("hands each caller its own list", () => {
        const first = aslValidationErrors(invalid);
        first.push("changed by a caller");
        expect(aslValidationErrors(invalid)).to.deep.equal(fresh(invalid));
    });

    it("does not change the definition it validates (asl-validator fills in QueryLanguage on what it is given)", () => {
        const def = JSON.parse(JSON.stringify(valid));
        aslValidationErrors(def);
        expect(def).to.deep.equal(valid);
    });
});
