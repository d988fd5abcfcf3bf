/**
 * The AWS SDK models kept under .build/sdk-models (scripts/sdk-models.js), which the contract
 * checks read instead of loading the clients: the same graph as each client's, and the same
 * verdict on every request the stacks' plans make.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiRequest, planApiRequests } from "../review/contracts/apiRequests";
import { requestsProblems } from "../review/contracts";
import { requestProblems, useSdkModels } from "../review/contracts/sdkModel";
import { cachedReview } from "./harness";

type Mod = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const models = require("../scripts/sdk-models") as {
    clientPackages(root?: string): string[];
    extractModel(mod: Mod): unknown;
    rebuildModel(model: unknown): Mod;
    loadModel(pkg: string, root?: string): Mod | undefined;
    saveModel(pkg: string, mod: Mod, root?: string): void;
    buildModels(root?: string): string[];
    modelFile(pkg: string, root?: string): string;
};

/**
 * Whether `kept` is the same graph as `real`: the same primitives, the same keys, a function where
 * the client has one (returning the same graph), and shared where the client shares (each real
 * array maps to one kept array).
 */
function sameGraph(real: unknown, kept: unknown, seen: Map<unknown, unknown>, where: string): void {
    if (typeof real === "function") {
        expect(typeof kept, where).to.equal("function");
        sameGraph((real as () => unknown)(), (kept as () => unknown)(), seen, `${where}()`);
        return;
    }
    if (real === null || typeof real !== "object") {
        expect(kept, where).to.equal(real);
        return;
    }
    if (seen.has(real)) {
        expect(seen.get(real) === kept, `${where}: shared as in the client`).to.equal(true);
        return;
    }
    seen.set(real, kept);
    expect(Array.isArray(kept), where).to.equal(Array.isArray(real));
    expect(Object.keys(kept as object), where).to.deep.equal(Object.keys(real));
    for (const k of Object.keys(real)) sameGraph((real as Mod)[k], (kept as Mod)[k], seen, `${where}.${k}`);
}

describe("AWS SDK models kept for the review (scripts/sdk-models.js)", function () {
    this.timeout(180_000); // loads every client: slow on a busy machine, not a speed test
    after(() => useSdkModels("kept"));

    it("every client's kept model is its operations' input graphs and its enums, exactly", () => {
        const packages = models.clientPackages();
        expect(packages).to.include.members(["@aws-sdk/client-ec2", "@aws-sdk/client-ssm", "@aws-sdk/client-sfn", "@aws-sdk/client-scheduler"]);
        models.buildModels();
        for (const pkg of packages) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const real = require(pkg) as Mod;
            const kept = models.loadModel(pkg);
            expect(kept, `${pkg} kept`).to.not.equal(undefined);
            const operations = Object.keys(real).filter((k) => k.endsWith("$") && Array.isArray(real[k]) && (real[k] as unknown[])[0] === 9);
            expect(operations.length, pkg).to.be.greaterThan(5);
            const seen = new Map<unknown, unknown>();
            for (const op of operations) sameGraph((real[op] as unknown[]).slice(0, 5), kept![op], seen, `${pkg} ${op}`);
            const isEnum = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).length > 0 && Object.values(v).every((x) => typeof x === "string");
            const enums = Object.keys(real).filter((k) => isEnum(real[k]));
            expect(Object.keys(kept!).sort(), pkg).to.deep.equal([...operations, ...enums].sort());
            for (const e of enums) expect(kept![e], `${pkg} ${e}`).to.deep.equal(real[e]);
        }
    });

    it("a kept model is used only while it matches the installed client: another package.json is a miss", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-models-"));
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ dependencies: { "@aws-sdk/client-sts": "*" } }));
        fs.mkdirSync(path.join(dir, "node_modules", "@aws-sdk", "client-sts"), { recursive: true });
        const pkgJson = path.join(dir, "node_modules", "@aws-sdk", "client-sts", "package.json");
        fs.writeFileSync(pkgJson, JSON.stringify({ name: "@aws-sdk/client-sts", version: "1.0.0" }));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sts = require("@aws-sdk/client-sts") as Mod;
        expect(models.loadModel("@aws-sdk/client-sts", dir)).to.equal(undefined);
        models.saveModel("@aws-sdk/client-sts", sts, dir);
        expect(models.loadModel("@aws-sdk/client-sts", dir)!.AssumeRole$).to.be.an("array");
        fs.writeFileSync(pkgJson, JSON.stringify({ name: "@aws-sdk/client-sts", version: "1.0.1" }));
        expect(models.loadModel("@aws-sdk/client-sts", dir)).to.equal(undefined);
        fs.writeFileSync(models.modelFile("@aws-sdk/client-sts", dir), "{ not json");
        expect(models.loadModel("@aws-sdk/client-sts", dir)).to.equal(undefined);
    });

    it("every request of the dev and prod plans, and each made wrong, gets the same verdict from the kept models and from the clients", async () => {
        const requests: ApiRequest[] = [];
        for (const stack of ["dev", "prod"]) requests.push(...planApiRequests((await cachedReview({ stack })).resources));
        expect(requests.length).to.be.greaterThan(20);
        // Each request made wrong in one way: an unknown member, a member of the wrong type, a bad enum value, a required member missing.
        const wrong = requests.flatMap((r) => {
            const first = Object.keys(r.input)[0];
            return [
                { ...r, input: { ...r.input, NotAMember: 1 } },
                ...(first ? [{ ...r, input: { ...r.input, [first]: 12345 } }, { ...r, input: Object.fromEntries(Object.entries(r.input).slice(1)) }] : []),
            ];
        });
        const extra = [
            ["ec2", "CreateSnapshots", { InstanceSpecification: { InstanceId: "i-1" }, CopyTagsFromSource: "all" }],
            ["ec2", "CreateSnapshots", { Description: "x" }],
            ["ssm", "StartAutomationExecution", { DocumentName: "d", Mode: "Sometimes" }],
            ["scheduler", "CreateSchedule", { Name: "n" }],
            ["ec2", "NoSuchOperation", {}],
        ] as const;
        const verdicts = () => [requestsProblems([...requests, ...wrong]), extra.map(([s, op, input]) => requestProblems(s, op, input as Record<string, unknown>))];
        useSdkModels("kept");
        const fromKept = verdicts();
        useSdkModels("clients");
        const fromClients = verdicts();
        expect(fromKept).to.deep.equal(fromClients);
        // At least: each request's unknown member, plus wrong types and missing required members.
        expect(fromKept[0].filter((p) => p.includes("has no member NotAMember")).length).to.equal(requests.length);
        expect(fromKept[0].length).to.be.greaterThan(requests.length + 50);
        expect(fromKept[1].flat()).to.include('ec2:CreateSnapshots.CopyTagsFromSource: "all" is not one of volume');
    });
});
