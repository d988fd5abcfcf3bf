/**
 * The cross-account fleet orchestrator as deployed (components/fleetCoordinator.ts), from the two
 * fixtures under the mock engine: the coordinator's state machine, Lambda, roles and window
 * (tests/fixtures/cross-account-fleet.yaml, role both) and a location stack
 * (tests/fixtures/cross-account-location.yaml). Least privilege is decided by the wiring proof's
 * IAM policy engine: the coordinator's role may assume the location role, a stranger may not, and
 * the location role may start and describe its run — and nothing else (breaking each is caught).
 */
import { expect } from "chai";
import * as path from "path";
import type { PlanResource } from "../review/engine";
import type { Review } from "../review/review";
import { coordinatorDefinition } from "../core/orchestrator/coordinatorMachine";
import { aslValidationErrors } from "./support/asl";
import { cachedReview, ROOT } from "./harness";
import { expectBroken, mutatePolicy } from "./support/wiringBreak";

const both = { stack: "fixture-cross-account-fleet", configPath: path.join(ROOT, "tests", "fixtures", "cross-account-fleet.yaml") };
const location = { stack: "fixture-cross-account-location", configPath: path.join(ROOT, "tests", "fixtures", "cross-account-location.yaml") };
const OTHER = ["444455556666", "777788889999"];

const byType = (r: Review, type: string) => r.resources.filter((x) => x.type === type);
const policyOf = (r: Review, name: RegExp) => JSON.parse(byType(r, "aws:iam/rolePolicy:RolePolicy").find((p) => name.test(p.name))!.inputs.policy as string) as { Statement: Record<string, any>[] };

describe("cross-account fleet orchestrator: deployed resources and least privilege", () => {
    let management: Review;
    let member: Review;
    before(async () => {
        management = await cachedReview(both);
        member = await cachedReview(location);
        expect(management.configErrors).to.deep.equal([]);
        expect(member.configErrors).to.deep.equal([]);
    });

    it("registers the coordinator: its state machine runs the deployed locations in order with the configured concurrency and threshold", () => {
        const sm = byType(management, "aws:sfn/stateMachine:StateMachine").find((m) => m.inputs.name === "xfleet-coordinator")!;
        const def = JSON.parse(sm.inputs.definition as string);
        expect(aslValidationErrors(def)).to.deep.equal([]);
        expect(def.States.PatchLocations).to.include({ MaxConcurrency: 2, ToleratedFailureCount: 1, ItemsPath: "$.locations" });
        expect(def.States.Prepare.Parameters.locations.map((l: { account: string; region: string }) => `${l.account}/${l.region}`)).to.deep.equal([
            "123456789012/us-east-1",
            ...OTHER.map((a) => `${a}/us-east-1`),
            "123456789012/us-west-2",
            ...OTHER.map((a) => `${a}/us-west-2`),
        ]);
        // The registered definition is the core's, for the deployed function.
        const fn = byType(management, "aws:lambda/function:Function").find((f) => f.inputs.name === "xfleet-locations")!;
        expect(fn.inputs.environment).to.deep.include({ variables: { PARTITION: "aws", ORCHESTRATOR_NAME: "xfleet", MEMBER_ROLE_NAME: "xfleet-location" } });
        expect(def).to.deep.equal(JSON.parse(JSON.stringify(coordinatorDefinition(def.States.Summarize.Parameters.FunctionName, { locations: def.States.Prepare.Parameters.locations, maxConcurrency: 2, toleratedFailureCount: 1 }, { timeoutSeconds: def.TimeoutSeconds }))));
    });

    it("the coordinator's window starts the coordinator; the location's window (role both) is off", () => {
        const windows = byType(management, "aws:ssm/maintenanceWindow:MaintenanceWindow");
        expect(windows.find((w) => w.inputs.name === "xfleet-coordinator-window")!.inputs.enabled).to.not.equal(false);
        expect(windows.find((w) => w.inputs.name === "xfleet-window")!.inputs.enabled).to.equal(false);
        expect(byType(member, "aws:ssm/maintenanceWindow:MaintenanceWindow").find((w) => w.inputs.name === "xfleet-window")!.inputs.enabled).to.equal(false);
        const task = byType(management, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask").find((t) => String(t.inputs.taskArn).endsWith(":stateMachine:xfleet-coordinator"))!;
        expect(JSON.parse((task.inputs.taskInvocationParameters as { stepFunctionsParameters: { input: string } }).stepFunctionsParameters.input).settings).to.include({ orchestrator: "xfleet", batchSize: 50, maxErrors: "10%" });
    });

    it("the locations Lambda's role has a fixed name and may only assume the location roles, by exact ARN", () => {
        const role = byType(management, "aws:iam/role:Role").find((x) => x.inputs.name === "xfleet-locations");
        expect(role, "role xfleet-locations").to.not.equal(undefined);
        const assume = policyOf(management, /^xfleet-coordinator-locations-policy$/).Statement.filter((s) => s.Sid !== "WriteOwnLogs");
        expect(assume).to.deep.equal([
            {
                Sid: "AssumeLocationRoles",
                Effect: "Allow",
                Action: ["sts:AssumeRole"],
                Resource: ["123456789012", ...OTHER].flatMap((a) => ["us-east-1", "us-west-2"].map((r) => `arn:aws:iam::${a}:role/xfleet-location-${r}`)).sort(),
            },
        ]);
    });

    it("the location role (<memberRoleName>-<region>) trusts only the coordinator's role and may only start and describe its run", () => {
        const role = byType(member, "aws:iam/role:Role").find((x) => x.inputs.name === "xfleet-location-us-east-1")!;
        expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).to.deep.equal([
            { Sid: "CoordinatorOfManagementAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/xfleet-locations" }, Action: "sts:AssumeRole" },
        ]);
        expect(policyOf(member, /^xfleet-location-policy$/).Statement.map((s) => [s.Action, s.Resource])).to.deep.equal([
            ["states:StartExecution", "arn:aws:states:us-east-1:123456789012:stateMachine:xfleet-run"],
            ["states:DescribeExecution", "arn:aws:states:us-east-1:123456789012:execution:xfleet-run:*"],
        ]);
    });

    for (const [which, opts] of [
        ["role both", both],
        ["location stack", location],
    ] as const) {
        it(`${which}: the wiring proof shows the assume and the run start allowed and every stranger denied`, async () => {
            const r = await cachedReview(opts);
            const edges = r.wiring!.verdicts.filter((v) => /^assume:xfleet-locations->|^location:/.test(v.edge.id));
            expect(edges.map((v) => v.edge.kind).sort()).to.deep.equal([which === "role both" ? "role → role (same account)" : "role → role (cross-account)", "coordinator → location run (as the location role)"].sort());
            for (const v of edges) expect(v.ok, `${v.edge.id}: ${v.problems.join("; ")}`).to.equal(true);
        });
    }

    const breakLocation = (change: (doc: { Statement: Record<string, any>[] }) => void, field = "policy", type = "aws:iam/rolePolicy:RolePolicy", name = /^xfleet-location-policy$/): PlanResource[] =>
        mutatePolicy(member.resources, type, name, field, change);

    it("a location role that may also stop the run is caught (the coordinator must never interrupt a location before its restore)", async () => {
        const resources = breakLocation((doc) => doc.Statement.push({ Sid: "Stop", Effect: "Allow", Action: "states:StopExecution", Resource: "arn:aws:states:us-east-1:123456789012:execution:xfleet-run:*" }));
        await expectBroken(member, resources, /^location:/, /stopping the run/);
    });

    it("a location role allowed in every Region is caught", async () => {
        const resources = breakLocation((doc) => (doc.Statement[0].Resource = "arn:aws:states:*:123456789012:stateMachine:xfleet-run"));
        await expectBroken(member, resources, /^location:/, /another Region/);
    });
});
