/** How the change-safety Lambdas read the environment the program sets (core/lambdaEnv.ts). */
import { expect } from "chai";
import { env, envInt, envList, envOptional } from "../core/lambdaEnv";

const NAME = "PATCHING_LAMBDA_ENV_TEST";

describe("Lambda environment (core/lambdaEnv.ts)", () => {
    afterEach(() => delete process.env[NAME]);

    it("a required variable that is unset or empty is an error naming it", () => {
        expect(() => env(NAME)).to.throw(`environment variable ${NAME} is not set`);
        process.env[NAME] = "";
        expect(() => env(NAME)).to.throw(`environment variable ${NAME} is not set`);
        process.env[NAME] = "prod";
        expect(env(NAME)).to.equal("prod");
    });

    it("a list is comma-separated, trimmed, without empty items; an unset list is an error", () => {
        process.env[NAME] = " dev-web ,dev-db,, ";
        expect(envList(NAME)).to.deep.equal(["dev-web", "dev-db"]);
        delete process.env[NAME];
        expect(() => envList(NAME)).to.throw(NAME);
    });

    it("an optional variable that is unset or empty is undefined", () => {
        expect(envOptional(NAME)).to.equal(undefined);
        process.env[NAME] = "";
        expect(envOptional(NAME)).to.equal(undefined);
        process.env[NAME] = "arn:aws:iam::111122223333:role/read";
        expect(envOptional(NAME)).to.equal("arn:aws:iam::111122223333:role/read");
    });

    it("a number falls back when unset or empty, and is a whole number or an error (never NaN)", () => {
        expect(envInt(NAME, 48)).to.equal(48);
        process.env[NAME] = "";
        expect(envInt(NAME, 48)).to.equal(48);
        process.env[NAME] = "0";
        expect(envInt(NAME, 48)).to.equal(0);
        process.env[NAME] = "72";
        expect(envInt(NAME, 48)).to.equal(72);
        for (const bad of ["abc", "1.5", "12h"]) {
            process.env[NAME] = bad;
            expect(() => envInt(NAME, 48), bad).to.throw(`environment variable ${NAME} is "${bad}", not a whole number`);
        }
    });
});
