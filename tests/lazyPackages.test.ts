/** The lazy facades of the AWS providers used by the precompiled commands (scripts/lazy-packages.js). */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LAZY_PACKAGES, writeFacades } = require("../scripts/lazy-packages") as { LAZY_PACKAGES: string[]; writeFacades(root: string, dir: string): Record<string, string> };

describe("lazy provider facades (npm start)", () => {
    const alias = writeFacades(ROOT, path.join(ROOT, ".build/lazy"));

    for (const pkg of LAZY_PACKAGES) {
        it(`${pkg}: the facade has exactly the index's names, and each resolves to the index's value`, () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const real = require(pkg) as Record<string, unknown>;
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const facade = require(path.join(ROOT, alias[pkg])) as Record<string, unknown>;
            const names = (o: object) => Object.keys(o).filter((k) => k !== "__esModule").sort();
            expect(names(facade)).to.deep.equal(names(real));
            // A service namespace, a lazily loaded function, the provider (re-exported whole) and the types namespace.
            const sample = pkg === "@pulumi/aws" ? ["ssm", "iam", "s3", "kms", "getCallerIdentity", "getRegion", "getPartition", "Provider", "types"] : ["ssm", "ssmquicksetup", "getAccountId", "Provider", "types"];
            for (const name of sample) {
                expect(facade[name], name).to.not.equal(undefined);
                expect(facade[name], name).to.equal(real[name]);
            }
        });
    }

    it("a program using one service of aws-native loads that service's files, not the other 280", () => {
        const count = (load: string) => {
            const script = `${load}; console.log(Object.keys(require.cache).filter((f) => f.includes("/@pulumi/aws-native/")).length)`;
            const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
            expect(r.status, r.stderr).to.equal(0);
            return Number(r.stdout.trim());
        };
        const viaFacade = count(`const n = require(${JSON.stringify(path.join(ROOT, alias["@pulumi/aws-native"]))}); if (!n.ssm.Association) throw new Error("no ssm.Association")`);
        expect(viaFacade, "the count sees the files ssm.Association loads").to.be.greaterThan(0);
        expect(viaFacade).to.be.lessThan(20);
        // What the package's index loads instead: it requires every service folder as it loads
        // (one `require("./<service>")` each), read from the index itself rather than by loading it.
        const pkgDir = path.dirname(require.resolve("@pulumi/aws-native/package.json"));
        const index = fs.readFileSync(path.join(pkgDir, "index.js"), "utf8");
        const services = [...index.matchAll(/require\("\.\/([a-z0-9]+)"\)/g)].map((m) => m[1]).filter((d) => fs.existsSync(path.join(pkgDir, d, "index.js")));
        expect(services).to.include("ssm");
        expect(services.length).to.be.greaterThan(250);
    });
});
