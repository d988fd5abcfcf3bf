/**
 * Fleet mode across accounts and Regions (issue 18, item 2): a coordinator in the management
 * account starts the fleet orchestrator each member account runs in each of its Regions, like
 * Automation's target locations — locations (account × Region pairs) in a fixed order,
 * `locationConcurrency` of them at once, and no new location once more than `locationMaxErrors`
 * locations failed. Each location's run keeps its own batches, error budget (`maxErrors`),
 * API pacing (its account's and Region's quotas), baselines and restore.
 *
 * Plain data and handlers, no Pulumi: the coordinator component (components/fleetCoordinator.ts),
 * the member role (member stack and StackSet template), the Lambda (lambda/orchestratorLocations.ts)
 * and the tests all use these functions.
 *
 * Why a Lambda starts the member runs and not a `states:startExecution.sync:2` Task with
 * `Credentials`: Step Functions reaches other accounts, but not other Regions ("Currently,
 * cross-Region AWS SDK integration and cross-Region AWS resource access aren't available in Step
 * Functions": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html).
 */
import type { PolicyDocument } from "../multiAccount";
import { roleArn } from "../multiAccount";

/** One account × Region pair the coordinator patches. */
export interface Location {
    account: string;
    region: string;
}

/** A location run needs at least this long (the orchestrator's smallest maxRuntimeMinutes); with less left of the run, a location is not started. */
export const MIN_RUNTIME_MINUTES = 10;

/** A configured group of locations (every account in every Region). */
export interface LocationGroup {
    accounts: string[];
    regions: string[];
}

/**
 * The locations in the order they start: group by group; inside a group Region by Region (every
 * account of the first Region before the next Region, so a bad patch shows up in one Region
 * first), accounts in the order listed. A pair listed twice is patched once (its first place).
 */
export function expandLocations(groups: LocationGroup[]): Location[] {
    const seen = new Set<string>();
    const out: Location[] = [];
    for (const g of groups) {
        for (const region of g.regions) {
            for (const account of g.accounts) {
                const key = `${account}/${region}`;
                if (seen.has(key)) continue;
                seen.add(key);
                out.push({ account, region });
            }
        }
    }
    return out;
}

/**
 * A rate given as a count or a percentage of `total` (the strings Automation's
 * TargetLocationMaxConcurrency / TargetLocationMaxErrors take), as a count: a percentage is
 * rounded down; a concurrency is at least 1 and at most `total`.
 */
export function resolveRate(value: string, total: number, kind: "concurrency" | "errors"): number {
    const pct = /^(\d{1,3})%$/.exec(value);
    const n = pct ? Math.floor((total * Number(pct[1])) / 100) : /^\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(n)) throw new Error(`${kind} must be a count or a percentage, got ${value}`);
    return kind === "concurrency" ? Math.max(1, Math.min(n, Math.max(total, 1))) : n;
}

/** What the coordinator's state machine is built from (validated config, resolved). */
export interface CoordinatorPlan {
    locations: Location[];
    /** Distributed Map MaxConcurrency: locations whose runs are in progress at once. */
    maxConcurrency: number;
    /** Distributed Map ToleratedFailureCount: failed locations tolerated; one more and no new location starts. */
    toleratedFailureCount: number;
}

export function coordinatorPlan(groups: LocationGroup[], locationConcurrency: string, locationMaxErrors: string): CoordinatorPlan {
    const locations = expandLocations(groups);
    return {
        locations,
        maxConcurrency: resolveRate(locationConcurrency, locations.length, "concurrency"),
        toleratedFailureCount: resolveRate(locationMaxErrors, locations.length, "errors"),
    };
}

/** The names the coordinator and its locations agree on (config/resourceNames.ts re-exports them for the name checks). */
export function crossAccountNames(orchestrator: string) {
    return {
        /** The coordinator state machine (management account, home Region). */
        coordinatorMachine: `${orchestrator}-coordinator`,
        /** The Lambda that starts and follows the location runs; also its role's name (the location roles trust it by ARN). */
        locationsFunction: `${orchestrator}-locations`,
        locationsRole: `${orchestrator}-locations`,
        /** A location's fleet run state machine (the orchestrator's own `<name>-run`). */
        memberRunMachine: `${orchestrator}-run`,
        /** The location role's name without its Region when none is configured. */
        defaultMemberRole: `${orchestrator}-location`,
    };
}

/** The role the coordinator assumes in one location: `<memberRoleName>-<region>`, created by that location's stack. */
export function locationRoleName(memberRoleName: string, region: string): string {
    return `${memberRoleName}-${region}`;
}

/** The member's run state machine in one location. */
export function memberRunArn(partition: string, orchestrator: string, l: Location): string {
    return `arn:${partition}:states:${l.region}:${l.account}:stateMachine:${crossAccountNames(orchestrator).memberRunMachine}`;
}

/**
 * The member run's execution name: the coordinator's execution name (≤ 40 characters kept) and
 * the location, so a retried start finds the same execution (StartExecution is idempotent for a
 * name and input) and an operator finds a location's run from the coordinator's. ≤ 80 characters
 * of letters, digits, `-` and `_` (Step Functions StartExecution `name`).
 */
export function memberExecutionName(coordinatorExecution: string, l: Location): string {
    const prefix = coordinatorExecution.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40);
    return `${prefix}-${l.account}-${l.region}`;
}

export function memberExecutionArn(partition: string, orchestrator: string, coordinatorExecution: string, l: Location): string {
    return `${memberRunArn(partition, orchestrator, l).replace(":stateMachine:", ":execution:")}:${memberExecutionName(coordinatorExecution, l)}`;
}

/** Everything a location's role documents depend on. */
export interface LocationRoleContext {
    partition: string;
    /** The location's account. */
    accountId: string;
    /** The location's Region (the role may start the run there only). */
    region: string;
    /** The management account running the coordinator. */
    managementAccountId: string;
    /** The orchestrator's name (the same in the management and the location stacks). */
    orchestrator: string;
}

/**
 * Trust of a location role: exactly the coordinator's locations Lambda role in the management
 * account (its ARN as principal; IAM user guide, "Cross-account policy evaluation logic": the
 * caller's identity policy AND this trust must allow sts:AssumeRole). No other principal of that
 * account, no service principal.
 */
export function locationRoleTrustPolicy(c: LocationRoleContext): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CoordinatorOfManagementAccount",
                Effect: "Allow",
                Principal: { AWS: roleArn(c.partition, c.managementAccountId, crossAccountNames(c.orchestrator).locationsRole) },
                Action: "sts:AssumeRole",
            },
        ],
    };
}

/**
 * Permissions of a location role: start this orchestrator's run in this account and Region and
 * read how its executions went — nothing else. No StopExecution: the coordinator can never
 * interrupt a location's run before its restore; no EC2, SSM or S3: the location's own
 * orchestrator (its Lambdas, tag-scoped) is the only thing that touches instances.
 */
export function locationRolePolicy(c: LocationRoleContext): PolicyDocument {
    const machine = `arn:${c.partition}:states:${c.region}:${c.accountId}:stateMachine:${crossAccountNames(c.orchestrator).memberRunMachine}`;
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "StartOrchestratorRuns", Effect: "Allow", Action: "states:StartExecution", Resource: machine },
            { Sid: "FollowOrchestratorRuns", Effect: "Allow", Action: "states:DescribeExecution", Resource: `${machine.replace(":stateMachine:", ":execution:")}:*` },
        ],
    };
}

/** The locations Lambda's permission: assume each location's role (exact ARNs, one per account and Region). */
export function locationRoleArns(partition: string, locations: Location[], memberRoleName: string): string[] {
    return [...new Set(locations.map((l) => roleArn(partition, l.account, locationRoleName(memberRoleName, l.region))))].sort();
}
