/**
 * The member accounts of a cross-account fleet test, behind the SDK's `requestHandler` seam (as
 * tests/fakeAws.ts): STS AssumeRole hands out credentials whose access key id names the assumed
 * role, and Step Functions (StartExecution, DescribeExecution; JSON 1.0) in every Region checks
 * that the signing role is the location role of that account and Region before it starts the
 * location's run. A started run is executed at once by `runLocation` on the location's own clock;
 * DescribeExecution reports it RUNNING until the coordinator's clock reaches the run's end.
 * Requests go through the real clients' serialisation, signing, retries and deserialisation.
 */
import { Readable } from "stream";
import type { Location } from "../../core/orchestrator/crossAccount";

interface RawRequest {
    method: string;
    hostname: string;
    path: string;
    headers: Record<string, string>;
    body?: unknown;
}

export interface LocationRun {
    status: "SUCCEEDED" | "FAILED";
    /** The run's Error when it failed (DescribeExecution `error`). */
    error?: string;
    /** Epoch ms when the run ended (the run's own clock). */
    endsAt: number;
}

interface Execution {
    executionArn: string;
    stateMachineArn: string;
    input: string;
    startedAt: number;
    run: LocationRun;
}

function text(body: unknown): string {
    if (body === undefined || body === null) return "";
    if (typeof body === "string") return body;
    if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    throw new Error(`fake locations: unsupported body ${typeof body}`);
}

function respond(statusCode: number, contentType: string, body: string) {
    const buf = Buffer.from(body);
    return { response: { statusCode, reason: "", headers: { "content-type": contentType, "content-length": String(buf.length) }, body: Readable.from([buf]) } };
}
const jsonError = (status: number, type: string, message: string) => respond(status, "application/x-amz-json-1.0", JSON.stringify({ __type: type, message }));

export class FakeLocations {
    /** Role ARNs that exist (a location stack deployed them). */
    readonly roles = new Set<string>();
    /** Every request: which role signed it, what it asked. */
    readonly calls: { operation: string; role?: string; region: string; target?: string }[] = [];
    readonly executions = new Map<string, Execution>();
    private readonly keys = new Map<string, string>();

    constructor(
        /** The coordinator's clock (DescribeExecution compares the run's end with it). */
        private readonly now: () => number,
        /** Runs a started location's fleet run (the real definition and handlers) and says how it ended. */
        private readonly runLocation: (location: Location, input: unknown, executionName: string) => Promise<LocationRun>,
        /** The location role's name for a Region (`<memberRoleName>-<region>`). */
        private readonly roleNameFor: (region: string) => string,
        private readonly orchestrator: string,
    ) {}

    readonly requestHandler = {
        handle: (request: RawRequest) => this.handle(request),
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
        destroy: () => undefined,
    };

    private signer(headers: Record<string, string>): string | undefined {
        const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1] ?? "";
        const key = /Credential=([^/]+)\//.exec(auth)?.[1];
        return key ? this.keys.get(key) : undefined;
    }

    private async handle(raw: RawRequest) {
        const body = text(raw.body);
        const region = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(raw.hostname)?.[1] ?? "us-east-1";
        if (raw.hostname.startsWith("sts.")) {
            const params = new URLSearchParams(body);
            const operation = params.get("Action") ?? "";
            const roleArn = params.get("RoleArn") ?? "";
            this.calls.push({ operation, region, target: roleArn });
            if (operation !== "AssumeRole") throw new Error(`fake locations: STS ${operation} is not implemented`);
            if (!this.roles.has(roleArn)) {
                return respond(403, "text/xml", `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole on ${roleArn}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`);
            }
            const key = `ASIA${String(this.keys.size).padStart(16, "0")}`;
            this.keys.set(key, roleArn);
            return respond(
                200,
                "text/xml",
                `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>${roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/${params.get("RoleSessionName")}</Arn><AssumedRoleId>AROAFAKE:${params.get("RoleSessionName")}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`,
            );
        }
        if (!raw.hostname.startsWith("states.")) throw new Error(`fake locations: unexpected host ${raw.hostname}`);
        const target = Object.entries(raw.headers).find(([k]) => k.toLowerCase() === "x-amz-target")?.[1] ?? "";
        const operation = target.split(".").pop() ?? "";
        const input = JSON.parse(body || "{}") as Record<string, string>;
        const role = this.signer(raw.headers);
        const arn = input.stateMachineArn ?? input.executionArn ?? "";
        this.calls.push({ operation, role, region, target: arn });
        // IAM as the location role's policy has it: its own account and Region, <name>-run only.
        const [, , , arnRegion, account, kind, machine] = arn.split(":");
        const allowed =
            role !== undefined &&
            arnRegion === region &&
            role === `arn:aws:iam::${account}:role/${this.roleNameFor(region)}` &&
            machine === `${this.orchestrator}-run` &&
            ((operation === "StartExecution" && kind === "stateMachine") || (operation === "DescribeExecution" && kind === "execution"));
        if (!allowed) return jsonError(400, "AccessDeniedException", `${role ?? "anonymous"} may not ${operation} on ${arn}`);
        if (operation === "StartExecution") {
            const executionArn = `${arn.replace(":stateMachine:", ":execution:")}:${input.name}`;
            const existing = this.executions.get(executionArn);
            if (existing) {
                if (existing.input === input.input) return respond(200, "application/x-amz-json-1.0", JSON.stringify({ executionArn, startDate: existing.startedAt / 1000 }));
                return jsonError(400, "ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
            }
            const run = await this.runLocation({ account, region }, JSON.parse(input.input), input.name);
            this.executions.set(executionArn, { executionArn, stateMachineArn: arn, input: input.input, startedAt: this.now(), run });
            return respond(200, "application/x-amz-json-1.0", JSON.stringify({ executionArn, startDate: this.now() / 1000 }));
        }
        if (operation === "DescribeExecution") {
            const e = this.executions.get(arn);
            if (!e) return jsonError(400, "ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
            const status = this.now() < e.run.endsAt ? "RUNNING" : e.run.status;
            const error = status === "FAILED" && e.run.error ? { error: e.run.error } : {};
            return respond(200, "application/x-amz-json-1.0", JSON.stringify({ executionArn: arn, stateMachineArn: e.stateMachineArn, status, startDate: e.startedAt / 1000, ...error }));
        }
        return jsonError(400, "UnknownOperationException", operation);
    }
}
