/**
 * Fleet mode across accounts and Regions (`patchOrchestrators[].crossAccount`): the management
 * account's coordinator ({@link FleetCoordinator}) and the role each location's stack gives it
 * ({@link LocationRole}). Each location (account × Region) runs its own fleet orchestrator
 * ({@link PatchOrchestrator}, window disabled); the coordinator only starts and follows those runs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { OrchestratorConfig } from "../config/patchOrchestrators";
import { crossAccountNames, locationRoleName } from "../config/resourceNames";
import { CoordinatorPlan, LocationRoleContext, locationRoleArns, locationRolePolicy, locationRoleTrustPolicy } from "../core/orchestrator/crossAccount";
import { coordinatorDefinition } from "../core/orchestrator/coordinatorMachine";
import { orchestratorInput } from "../core/orchestrator/settings";
import { toJson } from "../core/orchestrator/stateMachine";
import { awsContext, policyDocument, serviceTrustPolicy, statesArn } from "./awsContext";
import { distributedMapStatements } from "./fleetOrchestrator";
import { MaintenanceWindow } from "./maintenanceWindow";
import { NodeLambda } from "./nodeLambda";
import { batchTimeoutSeconds } from "./patchOrchestrator";
import { mergeTags } from "./tags";

/** Arguments of {@link FleetCoordinator}. */
export interface FleetCoordinatorArgs {
    /** The validated orchestrator entry (its settings are every location run's settings). */
    orchestrator: OrchestratorConfig;
    /** The locations in start order, location concurrency and error threshold (core/orchestrator/crossAccount.ts `coordinatorPlan`). */
    plan: CoordinatorPlan;
    /** The location roles' name without the Region (`crossAccount.memberRoleName`). */
    memberRoleName: string;
    /** Stack tags (the orchestrator's own tags are merged over them). */
    tags: Record<string, string>;
}

/**
 * The coordinator: a maintenance window (the orchestrator's own window settings) whose targetless
 * Step Functions task starts `<name>-coordinator`, a Distributed Map over the locations, and the
 * `<name>-locations` Lambda that starts and follows each location's `<name>-run` as the
 * location's role. The Lambda's role has a fixed name, `<name>-locations`: the location roles
 * trust exactly that ARN; its only permission is sts:AssumeRole on those roles.
 */
export class FleetCoordinator extends pulumi.ComponentResource {
    public readonly stateMachineArn: pulumi.Output<string>;
    public readonly locationsRoleArn: pulumi.Output<string>;
    public readonly windowId: pulumi.Output<string>;

    constructor(name: string, args: FleetCoordinatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:orchestrator:FleetCoordinator", name, {}, opts);
        const cfg = args.orchestrator;
        const tags = mergeTags(args.tags, cfg.tags);
        const ctx = awsContext(this);
        const names = crossAccountNames(cfg.name);

        const locations = new NodeLambda(
            `${name}-locations`,
            {
                entry: "lambda/orchestratorLocations.ts",
                functionName: names.locationsFunction,
                roleName: names.locationsRole,
                description: "Fleet coordinator: start and follow each location's patch run as the location's role",
                statements: [
                    {
                        Sid: "AssumeLocationRoles",
                        Effect: "Allow",
                        Action: ["sts:AssumeRole"],
                        Resource: ctx.partition.apply((p) => locationRoleArns(p, args.plan.locations, args.memberRoleName)),
                    },
                ],
                environment: { PARTITION: ctx.partition, ORCHESTRATOR_NAME: cfg.name, MEMBER_ROLE_NAME: args.memberRoleName },
                // The summary reads every location's run (≤ 1,000, two calls each).
                timeoutSeconds: 900,
                tags,
            },
            { parent: this },
        );

        const machineName = names.coordinatorMachine;
        const role = new aws.iam.Role(
            `${name}-coordinator-sm-role`,
            {
                namePrefix: `${name}-coordinator-`.slice(0, 38),
                description: `Role of the ${machineName} state machine`,
                assumeRolePolicy: serviceTrustPolicy("states.amazonaws.com", ctx, statesArn(ctx, `stateMachine:${machineName}`)),
                tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-coordinator-sm-policy`,
            { role: role.id, policy: policyDocument(distributedMapStatements(ctx, machineName, [locations.function.arn])) },
            { parent: this },
        );
        const runMinutes = cfg.maxRuntimeMinutes ?? cfg.window.duration * 60;
        const machine = new aws.sfn.StateMachine(
            `${name}-coordinator`,
            {
                name: machineName,
                type: "STANDARD",
                roleArn: role.arn,
                // A backstop above the runs' own deadlines: the run time plus one batch and an hour of polling.
                definition: locations.function.arn.apply((fn) => toJson(coordinatorDefinition(fn, args.plan, { timeoutSeconds: runMinutes * 60 + batchTimeoutSeconds(cfg) + 3600 }))),
                tags,
            },
            { parent: this, dependsOn: [policy] },
        );

        const window = new MaintenanceWindow(
            `${name}-window`,
            {
                window: {
                    ...cfg.window,
                    // Not the location window's name: with role both this account has both windows.
                    name: cfg.window.name ? `${cfg.window.name}-coordinator` : `${machineName}-window`,
                    description: cfg.window.description ?? cfg.description,
                    allowUnassociatedTargets: false,
                },
                tasks: [
                    {
                        type: "STEP_FUNCTIONS",
                        name: "start-coordination",
                        description: `Starts ${machineName}: the fleet run in ${args.plan.locations.length} account-Region location(s)`,
                        priority: 1,
                        stateMachineArn: machine.arn,
                        input: JSON.stringify(orchestratorInput(cfg)),
                    },
                ],
                tags,
            },
            { parent: this },
        );

        this.stateMachineArn = machine.arn;
        this.locationsRoleArn = locations.role.arn;
        this.windowId = window.windowId;
        this.registerOutputs({ stateMachineArn: this.stateMachineArn, locationsRoleArn: this.locationsRoleArn, windowId: this.windowId });
    }
}

/** Arguments of {@link LocationRole}. */
export interface LocationRoleArgs {
    /** The orchestrator's name (its `<name>-run` is what the role may start). */
    orchestrator: string;
    /** The role's name without the Region (`crossAccount.memberRoleName`). */
    memberRoleName: string;
    /** The account running the coordinator; undefined: this account (role both). */
    managementAccountId?: string;
    tags: Record<string, string>;
}

/**
 * A location's side: the role `<memberRoleName>-<region>` the coordinator assumes, trusted by the
 * coordinator's `<name>-locations` role only, allowed only to start and describe this
 * orchestrator's run in this account and Region.
 */
export class LocationRole extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: LocationRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:orchestrator:LocationRole", name, {}, opts);
        const ctx = awsContext(this);
        const context = pulumi.all([ctx.partition, ctx.accountId, ctx.region]).apply(
            ([partition, accountId, region]): LocationRoleContext => ({ partition, accountId, region, managementAccountId: args.managementAccountId ?? accountId, orchestrator: args.orchestrator }),
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: ctx.region.apply((r) => locationRoleName(args.memberRoleName, r)),
                description: `The ${args.orchestrator} coordinator starts this location's patch run`,
                assumeRolePolicy: context.apply((c) => JSON.stringify(locationRoleTrustPolicy(c))),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, name: "StartOrchestratorRun", policy: context.apply((c) => JSON.stringify(locationRolePolicy(c))) }, { parent: this });
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
