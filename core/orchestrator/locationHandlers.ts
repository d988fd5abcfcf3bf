/**
 * The locations Lambda's steps (fleet mode across accounts and Regions; the data they work on is
 * in ./crossAccount.ts): start a location's fleet run as the member role, follow it, sum up.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { type Location, MIN_RUNTIME_MINUTES, memberExecutionArn, memberExecutionName, memberRunArn } from "./crossAccount";
import { FAILED_WITHIN_BUDGET_ERROR } from "./fleetMachine";

/**
 * Status of a location's run (Step Functions DescribeExecution `status`); FAILED_WITHIN_BUDGET when
 * it failed with the fleet run's within-budget error (instances failed, the run went on: not a
 * failed location for the threshold); NOT_STARTED; UNREACHABLE (its role or run could not be read).
 */
export type LocationStatus = "RUNNING" | "SUCCEEDED" | "FAILED_WITHIN_BUDGET" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE" | "NOT_STARTED" | "UNREACHABLE";


export interface LocationState {
    location: Location;
    executionArn: string;
    status: LocationStatus;
}

/** The part of `@aws-sdk/client-sfn`'s client the steps use. */
export interface StatesClient {
    send(command: StartExecutionCommand | DescribeExecutionCommand): Promise<unknown>;
}

export interface LocationDeps {
    partition: string;
    orchestrator: string;
    /** A Step Functions client for the location's Region, signed as the member role of its account. */
    statesFor(l: Location): StatesClient;
    /** Now (the deadline check). @default no deadline check */
    clock?: () => Date;
    /** One JSON log line (the Lambda's console). */
    log?: (line: string) => void;
}

export interface LocationEvent {
    action: "locationStart" | "locationCheck" | "locationSummary";
    state: Record<string, unknown>;
    coordinatorExecution?: string;
}

const errName = (err: unknown) => (err as { name?: string })?.name ?? "Error";

function isLocation(x: unknown): x is Location {
    const l = x as Location;
    return typeof l?.account === "string" && /^\d{12}$/.test(l.account) && typeof l.region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(l.region);
}

/**
 * Starts the location's run with the coordinator's settings (the member's Lambdas validate them
 * again, and its IAM still limits them to its own target tags). A retried start of the same name
 * returns the same execution; one that already finished (ExecutionAlreadyExists) is followed.
 */
export async function startLocation(state: Record<string, unknown>, deps: LocationDeps): Promise<LocationState> {
    const location = state.location;
    const coordinatorExecution = state.coordinatorExecution;
    if (!isLocation(location)) throw Object.assign(new Error(`not a location: ${JSON.stringify(location)}`), { name: "InvalidLocation" });
    if (typeof coordinatorExecution !== "string" || coordinatorExecution === "") throw Object.assign(new Error("coordinatorExecution is missing"), { name: "InvalidLocation" });
    const stateMachineArn = memberRunArn(deps.partition, deps.orchestrator, location);
    const name = memberExecutionName(coordinatorExecution, location);
    // The run's deadline counts from the coordinator's start: a location started later gets what is left.
    const settings = { ...((state.settings ?? {}) as Record<string, unknown>) };
    const started = typeof state.coordinatorStartTime === "string" ? Date.parse(state.coordinatorStartTime) : NaN;
    if (typeof settings.maxRuntimeMinutes === "number" && !Number.isNaN(started) && deps.clock) {
        const left = Math.floor(settings.maxRuntimeMinutes - (deps.clock().getTime() - started) / 60_000);
        if (left < MIN_RUNTIME_MINUTES) {
            deps.log?.(JSON.stringify({ event: "locationNotStarted", location, reason: "deadline", minutesLeft: left }));
            return { location, executionArn: memberExecutionArn(deps.partition, deps.orchestrator, coordinatorExecution, location), status: "NOT_STARTED" };
        }
        settings.maxRuntimeMinutes = left;
    }
    const input = JSON.stringify({ settings });
    try {
        const out = (await deps.statesFor(location).send(new StartExecutionCommand({ stateMachineArn, name, input }))) as { executionArn?: string };
        deps.log?.(JSON.stringify({ event: "locationStarted", location, executionArn: out.executionArn }));
        return { location, executionArn: out.executionArn ?? memberExecutionArn(deps.partition, deps.orchestrator, coordinatorExecution, location), status: "RUNNING" };
    } catch (err) {
        if (errName(err) !== "ExecutionAlreadyExists") throw err;
        return { location, executionArn: memberExecutionArn(deps.partition, deps.orchestrator, coordinatorExecution, location), status: "RUNNING" };
    }
}

async function describe(location: Location, executionArn: string, deps: LocationDeps): Promise<LocationStatus> {
    try {
        const out = (await deps.statesFor(location).send(new DescribeExecutionCommand({ executionArn }))) as { status?: string; error?: string };
        if (out.status === "FAILED" && out.error === FAILED_WITHIN_BUDGET_ERROR) return "FAILED_WITHIN_BUDGET";
        return (out.status ?? "RUNNING") as LocationStatus;
    } catch (err) {
        if (errName(err) === "ExecutionDoesNotExist") return "NOT_STARTED";
        throw err;
    }
}

/** The location's run status now (the coordinator polls until it is no longer RUNNING). */
export async function checkLocation(state: Record<string, unknown>, deps: LocationDeps): Promise<LocationState> {
    const location = state.location;
    if (!isLocation(location) || typeof state.executionArn !== "string") throw Object.assign(new Error(`not a started location: ${JSON.stringify(state)}`), { name: "InvalidLocation" });
    return { location, executionArn: state.executionArn, status: await describe(location, state.executionArn, deps) };
}

export interface CoordinatorSummary {
    /** `failedWithinBudget`: runs that ended with failed instances within their error budget (not failed locations). */
    counts: { locations: number; succeeded: number; failedWithinBudget: number; failed: number; running: number; notStarted: number };
    /** Locations whose run failed, timed out or was aborted (first 50). */
    failedLocations: (Location & { status: LocationStatus })[];
    /** True when the location error threshold stopped the coordinator before every location started. */
    stoppedByThreshold: boolean;
    runFailed: boolean;
}

/**
 * The coordinator's outcome, read from every location's run (deterministic execution names): how
 * many succeeded, failed, are still running (a location started before the threshold stopped new
 * ones finishes on its own, restore included) or never started.
 */
export async function summarizeLocations(state: Record<string, unknown>, coordinatorExecution: string, deps: LocationDeps): Promise<CoordinatorSummary> {
    const locations = Array.isArray(state.locations) ? state.locations.filter(isLocation) : [];
    const statuses: LocationStatus[] = [];
    for (const l of locations) {
        try {
            statuses.push(await describe(l, memberExecutionArn(deps.partition, deps.orchestrator, coordinatorExecution, l), deps));
        } catch (err) {
            // The location's role cannot be assumed or its run read (a location stack not deployed): a failed location.
            deps.log?.(JSON.stringify({ event: "locationUnreachable", location: l, error: errName(err), message: (err as Error).message }));
            statuses.push("UNREACHABLE");
        }
    }
    const failedStatus = (s: LocationStatus) => s === "FAILED" || s === "TIMED_OUT" || s === "ABORTED" || s === "PENDING_REDRIVE" || s === "UNREACHABLE";
    const counts = {
        locations: locations.length,
        succeeded: statuses.filter((s) => s === "SUCCEEDED").length,
        failedWithinBudget: statuses.filter((s) => s === "FAILED_WITHIN_BUDGET").length,
        failed: statuses.filter(failedStatus).length,
        running: statuses.filter((s) => s === "RUNNING").length,
        notStarted: statuses.filter((s) => s === "NOT_STARTED").length,
    };
    const mapError = state.mapError as { Error?: string } | undefined;
    const summary: CoordinatorSummary = {
        counts,
        failedLocations: locations.flatMap((l, i) => (failedStatus(statuses[i]) ? [{ ...l, status: statuses[i] }] : [])).slice(0, 50),
        stoppedByThreshold: mapError?.Error === "States.ExceedToleratedFailureThreshold",
        // As a location's own run: anything failed (also within budget) ends the coordinator failed.
        runFailed: counts.succeeded + counts.running < counts.locations || mapError !== undefined,
    };
    deps.log?.(JSON.stringify({ event: "coordinatorSummary", ...summary }));
    return summary;
}

/** The locations Lambda: one entry, three steps. */
export async function locationsHandler(event: LocationEvent, deps: LocationDeps): Promise<unknown> {
    if (event.action === "locationStart") return startLocation(event.state, deps);
    if (event.action === "locationCheck") return checkLocation(event.state, deps);
    if (event.action === "locationSummary") return summarizeLocations(event.state, String(event.coordinatorExecution ?? ""), deps);
    throw Object.assign(new Error(`unknown action ${String((event as { action?: unknown }).action)}`), { name: "UnknownAction" });
}
