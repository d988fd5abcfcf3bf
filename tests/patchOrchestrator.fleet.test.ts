/**
 * `patchOrchestrators[].scale: fleet` deployed: the Distributed Map run machine, the hardened
 * fleet bucket, the Lambdas' bucket access — and every call a state of the registered definition
 * makes, asked of a real IAM policy engine (review/iamEngine.ts) against the machine role's policy:
 * each allowed, each neighbour denied. The requests are derived from the definition and the
 * Step Functions developer guide ("IAM policies for using Distributed Map states"), not from the policy.
 */
import { expect } from "chai";
import type { PlanResource } from "../review/engine";
import { decide } from "../review/iamEngine";
import { definitionProblems } from "../core/orchestrator/stateMachine";
import { ACCOUNT, expectIssue, minimalConfig, named, ofType, REGION, runProgram } from "./harness";
import { sessionRequest, Statement } from "./policySim";
import { aslValidationErrors } from "./support/asl";

function orchestrator(extra: Record<string, unknown> = {}) {
    return {
        name: "fleet-x",
        window: { schedule: "cron(0 22 ? * SAT *)", duration: 4, cutoff: 0 },
        targets: { tags: { PatchFleet: ["batch"] } },
        batchSize: 50,
        scale: "fleet",
        fleet: { batchesInFlight: 200, retentionDays: 14 },
        ...extra,
    };
}
type State = { Type: string; Resource?: string; Parameters?: Record<string, unknown>; ItemProcessor?: { States: Record<string, State> }; ItemReader?: { Resource: string; Parameters: { Bucket: string } }; ResultWriter?: { Resource: string; Parameters: { Bucket: string } } };

let resources: PlanResource[];
before(async function () {
    this.timeout(120_000);
    resources = (await runProgram(minimalConfig({ "patching:patchOrchestrators": [orchestrator()] }))).resources;
});

const policy = (name: string): Statement[] => JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string).Statement;
const machine = () => named(resources, "aws:sfn/stateMachine:StateMachine", "fleet-x-run");
const definition = () => JSON.parse(machine().inputs.definition as string) as { States: Record<string, State> };

/** Every state of the definition, the Map's child states included. */
function allStates(states: Record<string, State>): [string, State][] {
    return Object.entries(states).flatMap(([n, s]) => [[n, s] as [string, State], ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : [])]);
}

/** The bucket key: the created KMS key of the fleet bucket's encryption. */
function bucketKey(bucket: string): string {
    const enc = ofType(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((r) => r.name.startsWith("fleet-x-fleet-runs") && !r.name.includes("access-logs"))!;
    const rule = (enc.inputs.rules as { applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId: string }; bucketKeyEnabled: boolean }[])[0];
    expect(rule.applyServerSideEncryptionByDefault.sseAlgorithm, bucket).to.equal("aws:kms");
    expect(rule.bucketKeyEnabled).to.equal(true);
    return rule.applyServerSideEncryptionByDefault.kmsMasterKeyId;
}

/**
 * The created bucket key has no explicit policy, so AWS gives it the default key policy (KMS
 * developer guide, "Default key policy"): the account's IAM policies decide who may use it.
 */
const DEFAULT_KEY_POLICY = { Version: "2012-10-17", Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }] };

async function allowed(identity: Statement[], roleName: string, action: string, resource: string, extra: Record<string, string> = {}): Promise<boolean> {
    const { principal, context } = sessionRequest({ principalArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, account: ACCOUNT });
    const d = await decide({
        principal,
        action,
        resource,
        resourceAccount: ACCOUNT,
        context: { ...context, ...extra },
        identityPolicies: [{ name: "identity", policy: { Version: "2012-10-17", Statement: identity } }],
        ...(action.startsWith("kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
    });
    if (d.result === "Error") throw new Error(`IAM engine refused ${action} on ${resource}: ${d.deciding.join("; ")}`);
    return d.allowed;
}

describe("PatchOrchestrator, scale: fleet", () => {
    it("registers one run state machine whose definition is the Distributed Map fleet run (valid ASL), wired to the four Lambdas and the fleet bucket; no batch machine", () => {
        const def = definition();
        expect(aslValidationErrors(def)).to.deep.equal([]);
        expect(definitionProblems(def as never)).to.deep.equal([]);
        expect(ofType(resources, "aws:sfn/stateMachine:StateMachine").map((r) => r.name)).to.deep.equal(["fleet-x-run"]);
        const map = def.States.PatchGroup;
        expect(map.Type).to.equal("Map");
        const bucket = named(resources, "aws:s3/bucket:Bucket", "fleet-x-fleet-runs");
        const bucketName = `${bucket.name}-bucket`;
        expect(map.ItemReader!.Parameters.Bucket).to.equal(map.ResultWriter!.Parameters.Bucket);
        const fns = [...new Set(allStates(def.States).map(([, s]) => s.Parameters?.FunctionName as string | undefined).filter(Boolean))].sort();
        expect(fns).to.deep.equal(["batch", "plan", "restore", "summary"].map((n) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fleet-x-${n}`));
        for (const n of ["plan", "restore", "summary"]) {
            const fn = named(resources, "aws:lambda/function:Function", `fleet-x-${n}`);
            expect((fn.inputs.environment as { variables: Record<string, string> }).variables.FLEET_BUCKET, n).to.be.a("string").and.equal(map.ItemReader!.Parameters.Bucket);
        }
        expect(bucketName).to.be.a("string");
        const input = JSON.parse(
            (named(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "fleet-x-window-task-start-orchestration").inputs.taskInvocationParameters as { stepFunctionsParameters: { input: string } }).stepFunctionsParameters.input,
        );
        expect(input.settings).to.deep.include({ batchSize: 50, batchesInFlight: 200 });
    });

    it("the fleet bucket is hardened: SSE-KMS with a bucket key, TLS-only policy, public access blocked, versioned, runs expire after retentionDays", () => {
        const bucketPolicy = ofType(resources, "aws:s3/bucketPolicy:BucketPolicy").find((r) => r.name === "fleet-x-fleet-runs-policy")!;
        const doc = JSON.parse(bucketPolicy.inputs.policy as string);
        expect(doc.Statement[0]).to.deep.include({ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        bucketKey("fleet-x-fleet-runs");
        expect(named(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "fleet-x-fleet-runs-public-access").inputs).to.deep.include({ blockPublicAcls: true, restrictPublicBuckets: true });
        const lifecycle = named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "fleet-x-fleet-runs-lifecycle");
        expect((lifecycle.inputs.rules as unknown[])[0]).to.deep.include({ id: "ExpireRuns", status: "Enabled", filter: { prefix: "runs/" }, expiration: { days: 14 } });
    });

    it("the machine role allows every call a state makes (IAM engine) and denies the neighbours", async () => {
        const def = definition();
        const role = policy("fleet-x-run-sm-policy");
        const roleName = "fleet-x-run-sm-role";
        const bucket = def.States.PatchGroup.ItemReader!.Parameters.Bucket;
        const key = bucketKey(bucket);
        const ctx = { "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucket}` };
        const sm = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fleet-x-run`;
        const calls: [string, string, Record<string, string>?][] = [];
        for (const [, s] of allStates(def.States)) {
            if (s.Resource === "arn:aws:states:::lambda:invoke") calls.push(["lambda:InvokeFunction", s.Parameters!.FunctionName as string]);
            if (s.Type === "Map") {
                // Distributed Map: child executions of this very state machine, described and stopped by Step Functions.
                calls.push(["states:StartExecution", sm]);
                calls.push(["states:DescribeExecution", `arn:aws:states:${REGION}:${ACCOUNT}:execution:fleet-x-run/PatchGroup:0b6e5f8c-3f0e-4b6a-9a52-1f2f3c4d5e6f`]);
                calls.push(["states:StopExecution", `arn:aws:states:${REGION}:${ACCOUNT}:execution:fleet-x-run/PatchGroup:0b6e5f8c-3f0e-4b6a-9a52-1f2f3c4d5e6f`]);
                calls.push(["s3:GetObject", `arn:aws:s3:::${bucket}/runs/run-1/targets/group-000.json`]);
                calls.push(["kms:Decrypt", key, ctx]);
                calls.push(["s3:PutObject", `arn:aws:s3:::${bucket}/runs/run-1/map-results/2b1a/manifest.json`]);
                calls.push(["kms:GenerateDataKey", key, ctx]);
            }
        }
        expect(calls.length).to.be.greaterThan(10);
        for (const [action, resource, extra] of calls) expect(await allowed(role, roleName, action, resource, extra), `${action} on ${resource}`).to.equal(true);
        const denied: [string, string, Record<string, string>?][] = [
            ["lambda:InvokeFunction", `arn:aws:lambda:${REGION}:${ACCOUNT}:function:someone-else`],
            ["states:StartExecution", `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fleet-x-run-other`],
            ["states:StopExecution", `arn:aws:states:${REGION}:${ACCOUNT}:execution:other-machine/PatchGroup:1`],
            ["s3:GetObject", `arn:aws:s3:::another-bucket/runs/run-1/targets/group-000.json`],
            ["s3:PutObject", `arn:aws:s3:::${bucket}/runs/run-1/targets/group-000.json`],
            ["kms:Decrypt", key, { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::another-bucket" }],
        ];
        for (const [action, resource, extra] of denied) expect(await allowed(role, roleName, action, resource, extra), `${action} on ${resource}`).to.equal(false);
    });

    it("each Lambda reaches exactly the run objects its fleet actions use", async () => {
        const bucket = definition().States.PatchGroup.ItemReader!.Parameters.Bucket;
        const key = bucketKey(bucket);
        const ctx = { "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucket}` };
        const obj = (k: string) => `arn:aws:s3:::${bucket}/runs/run-1/${k}`;
        const list = { "s3:prefix": "runs/run-1/results/" };
        const ask = (fn: string, action: string, resource: string, extra?: Record<string, string>) => allowed(policy(`fleet-x-${fn}-policy`), `fleet-x-${fn}-role`, action, resource, extra);
        // plan: writes target lists (fleetPlan), lists result keys (gates, fleetRecord)
        expect(await ask("plan", "s3:PutObject", obj("targets/group-000.json"))).to.equal(true);
        expect(await ask("plan", "kms:GenerateDataKey", key, ctx)).to.equal(true);
        expect(await ask("plan", "s3:ListBucket", `arn:aws:s3:::${bucket}`, list)).to.equal(true);
        expect(await ask("plan", "s3:GetObject", obj("results/g000-b000000-p1-f0-s0-i-1.json"))).to.equal(false);
        // restore: records batch results, reads target lists and writes the sweep's result
        expect(await ask("restore", "s3:PutObject", obj("results/g000-b000000-p1-f0-s0-i-1.json"))).to.equal(true);
        expect(await ask("restore", "s3:GetObject", obj("targets/group-000.json"))).to.equal(true);
        expect(await ask("restore", "s3:PutObject", obj("restore.json"))).to.equal(true);
        expect(await ask("restore", "s3:PutObject", obj("targets/group-000.json"))).to.equal(false);
        // summary: reads everything of the run, writes summary.json only
        for (const k of ["targets/group-000.json", "results/g000-b000000-p1-f0-s0-i-1.json", "restore.json"]) expect(await ask("summary", "s3:GetObject", obj(k)), k).to.equal(true);
        expect(await ask("summary", "s3:PutObject", obj("summary.json"))).to.equal(true);
        expect(await ask("summary", "s3:PutObject", obj("results/x.json"))).to.equal(false);
        expect(await ask("summary", "kms:Decrypt", key, ctx)).to.equal(true);
        // the batch Lambda touches no bucket
        expect(await ask("batch", "s3:GetObject", obj("targets/group-000.json"))).to.equal(false);
    });

    it("config: fleet settings only with scale fleet; batchesInFlight within Distributed Map's 10,000; batchSize stays ≤ 50 (SendCommand)", () => {
        const values = (o: Record<string, unknown>) => minimalConfig({ "patching:patchOrchestrators": [o] });
        expectIssue(values(orchestrator({ scale: undefined })), "patching:patchOrchestrators[0].fleet", "applies to scale: fleet only (scale is standard)");
        expectIssue(values(orchestrator({ fleet: { batchesInFlight: 10_001 } })), "patching:patchOrchestrators[0].fleet.batchesInFlight", "at most 10,000");
        expectIssue(values(orchestrator({ batchSize: 51 })), "patching:patchOrchestrators[0].batchSize", "SendCommand takes at most 50 instance ids");
        expectIssue(values(orchestrator({ scale: "huge" })), "patching:patchOrchestrators[0].scale", "standard");
    });
});
