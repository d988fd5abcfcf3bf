/**
 * An in-memory SSM + S3 endpoint behind the SDK's `requestHandler` seam. Unlike aws-sdk-client-mock,
 * which stubs `Client.send` and so skips every middleware, requests here go through the real SDK
 * stack — serialisation, signing, the retry strategy, deserialisation — of the client (or of the
 * esbuild bundle) under test. Used for the retry tests and to run the Lambda bundle locally.
 */
import { createHash } from "crypto";
import { Readable } from "stream";

/** One stored version of an object. */
export interface FakeVersion {
    versionId: string;
    body?: Buffer;
    etag?: string;
    metadata: Record<string, string>;
    deleteMarker?: boolean;
}

/** A recorded request. */
export interface FakeRequest {
    service: "ssm" | "s3" | "cloudtrail" | "sts";
    operation: string;
    headers: Record<string, string>;
    target?: string;
    body?: string;
}

/** A scripted failure: the next `times` requests matching `operation` get this error. */
export interface FakeFailure {
    operation: string;
    status: number;
    code: string;
    times: number;
    /** Only requests for this object version (`?versionId=`). */
    versionId?: string;
}

interface RawRequest {
    method: string;
    hostname: string;
    path: string;
    query?: Record<string, string | string[] | null>;
    headers: Record<string, string>;
    body?: unknown;
}

async function bodyText(body: unknown): Promise<string> {
    if (body === undefined || body === null) return "";
    if (typeof body === "string") return body;
    // The SDK's JSON bodies are Uint8Array subclasses whose valueOf() warns: copy the bytes.
    if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    if (body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(Buffer.from(c));
        return Buffer.concat(chunks).toString("utf8");
    }
    throw new Error(`fake AWS: unsupported request body ${typeof body}`);
}

function lower(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function respond(statusCode: number, headers: Record<string, string>, body: string | Buffer = "") {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const all: Record<string, string> = { "content-length": String(buf.length), ...headers };
    return { response: { statusCode, reason: "", headers: all, body: Readable.from([buf]) } };
}

function s3Error(status: number, code: string, message: string) {
    return respond(status, { "content-type": "application/xml" }, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** Static dummy credentials for SDK clients over the fake (signing needs some; none are real). */
export const FAKE_CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" };

export class FakeAws {
    /** GetPatchBaseline responses by id or ARN (API field names, dates as epoch seconds). */
    readonly baselines = new Map<string, Record<string, unknown>>();
    /** Object versions by `bucket/key`, oldest first. */
    readonly objects = new Map<string, FakeVersion[]>();
    readonly requests: FakeRequest[] = [];
    readonly failures: FakeFailure[] = [];
    /** Response headers left out of every S3 response (e.g. `etag`, as a stripping proxy would). */
    readonly dropResponseHeaders = new Set<string>();
    /** SSM documents by name: versions oldest first (GetDocument, ListDocumentVersions, UpdateDocument, UpdateDocumentDefaultVersion). */
    readonly documents = new Map<string, { versions: { version: string; content: string; createdAt: Date }[]; defaultVersion: string }>();
    /** CloudTrail event history (LookupEvents): `record` is the event JSON (CloudTrailEvent). */
    readonly trail: { eventName: string; eventTime: Date; record: Record<string, unknown> }[] = [];
    /** The principal STS GetCallerIdentity returns. */
    callerArn = "arn:aws:sts::123456789012:assumed-role/caller/session";
    /** What the next UpdateDocument is recorded as in CloudTrail: who calls it (userIdentity.arn); undefined records nothing (delivery lag). */
    documentWriter: string | undefined = undefined;
    /** Automation (emergency patching): DescribeAvailablePatches answers `patches`; GetAutomationExecution `statuses` in order (the last repeats); DescribeAutomationStepExecutions `steps`; StartAutomationExecution inputs land in `started`. */
    readonly automation = { patches: [] as Record<string, unknown>[], statuses: ["Success"], steps: [] as Record<string, unknown>[], started: [] as Record<string, unknown>[] };
    /** The clock UpdateDocument stamps CreatedDate and the event time with. */
    clock = () => new Date();
    private nextVersion = 1;

    /** The SDK `requestHandler` (Node): give it to a client's config. */
    readonly requestHandler = {
        handle: (request: RawRequest) => this.handle(request),
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
        destroy: () => undefined,
    };

    /**
     * What a real SDK client needs to talk to this fake: its `requestHandler` and static dummy
     * credentials (no credential chain lookup), in `region`. Spread it into a client's config.
     */
    clientConfig(region = "us-east-1"): { region: string; requestHandler: FakeAws["requestHandler"]; credentials: typeof FAKE_CREDENTIALS } {
        return { region, requestHandler: this.requestHandler, credentials: FAKE_CREDENTIALS };
    }

    /** Stores a version written by someone else (tests of drift, concurrent writers, delete). */
    put(bucket: string, key: string, text: string, metadata: Record<string, string> = {}): FakeVersion {
        const body = Buffer.from(text);
        const v: FakeVersion = { versionId: `v${this.nextVersion++}`, body, etag: `"${createHash("md5").update(body).digest("hex")}"`, metadata };
        this.objects.set(`${bucket}/${key}`, [...(this.objects.get(`${bucket}/${key}`) ?? []), v]);
        return v;
    }

    current(bucket: string, key: string): FakeVersion | undefined {
        const versions = this.objects.get(`${bucket}/${key}`) ?? [];
        const latest = versions[versions.length - 1];
        return latest && !latest.deleteMarker ? latest : undefined;
    }

    count(operation: string): number {
        return this.requests.filter((r) => r.operation === operation).length;
    }

    private failure(operation: string, versionId?: string) {
        const f = this.failures.find((x) => x.operation === operation && x.times > 0 && (x.versionId === undefined || x.versionId === versionId));
        if (!f) return undefined;
        f.times--;
        return f;
    }

    private async handle(raw: RawRequest) {
        const headers = lower(raw.headers);
        const body = await bodyText(raw.body);
        if (raw.hostname.startsWith("ssm.")) {
            const target = headers["x-amz-target"] ?? "";
            const operation = target.split(".").pop() ?? "";
            this.requests.push({ service: "ssm", operation, headers, target, body });
            const fail = this.failure(operation);
            if (fail) return respond(fail.status, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ __type: fail.code, message: `${fail.code} (fake)` }));
            if (operation !== "GetPatchBaseline") return this.ssmDocumentOperation(operation, JSON.parse(body || "{}") as Record<string, string>);
            const id = (JSON.parse(body) as { BaselineId: string }).BaselineId;
            const found = this.baselines.get(id);
            if (!found) return respond(400, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ __type: "DoesNotExistException", Message: `Patch Baseline ${id} does not exist.` }));
            return respond(200, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify(found));
        }
        if (raw.hostname.startsWith("cloudtrail.")) {
            const operation = (headers["x-amz-target"] ?? "").split(".").pop() ?? "";
            this.requests.push({ service: "cloudtrail", operation, headers, target: headers["x-amz-target"], body });
            const fail = this.failure(operation);
            if (fail) return respond(fail.status, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ __type: fail.code, message: `${fail.code} (fake)` }));
            if (operation !== "LookupEvents") throw new Error(`fake AWS: CloudTrail ${operation} is not implemented`);
            return this.lookupEvents(JSON.parse(body || "{}"));
        }
        if (raw.hostname.startsWith("sts.")) {
            const operation = new URLSearchParams(body).get("Action") ?? "";
            this.requests.push({ service: "sts", operation, headers, body });
            const fail = this.failure(operation);
            if (fail) return s3Error(fail.status, fail.code, `${fail.code} (fake)`);
            if (operation !== "GetCallerIdentity") throw new Error(`fake AWS: STS ${operation} is not implemented`);
            const account = /:(\d{12}):/.exec(this.callerArn)?.[1] ?? "123456789012";
            return respond(
                200,
                { "content-type": "text/xml" },
                `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${this.callerArn}</Arn><UserId>AROAEXAMPLE:session</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
            );
        }
        const m = /^([^.]+)\.s3[.-]/.exec(raw.hostname);
        if (!m) throw new Error(`fake AWS: unexpected host ${raw.hostname}`);
        const bucket = m[1];
        const key = decodeURIComponent(raw.path.replace(/^\//, ""));
        const query = raw.query ?? {};
        const operation =
            raw.method === "GET" && "versions" in query ? "ListObjectVersions" : raw.method === "GET" && "list-type" in query ? "ListObjectsV2" : raw.method === "GET" ? "GetObject" : raw.method === "PUT" ? "PutObject" : raw.method === "HEAD" ? "HeadObject" : raw.method === "DELETE" ? "DeleteObject" : raw.method;
        this.requests.push({ service: "s3", operation, headers, body: operation === "PutObject" ? body : undefined });
        const versionId = typeof query.versionId === "string" ? query.versionId : undefined;
        const fail = this.failure(operation, versionId);
        if (fail) return s3Error(fail.status, fail.code, `${fail.code} (fake)`);
        const response = await this.s3Operation(operation, bucket, key, query, headers, body, versionId);
        for (const h of this.dropResponseHeaders) delete response.response.headers[h];
        return response;
    }

    /** A calendar (or any SSM document) someone wrote: version 1 at `createdAt`. */
    putDocument(name: string, content: string, createdAt: Date): void {
        this.documents.set(name, { versions: [{ version: "1", content, createdAt }], defaultVersion: "1" });
    }

    private ssmDocumentOperation(operation: string, input: Record<string, string>) {
        const json = (x: unknown) => respond(200, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify(x));
        const a = this.automation;
        if (operation === "DescribeAvailablePatches") return json({ Patches: a.patches });
        if (operation === "StartAutomationExecution") return json({ AutomationExecutionId: `exec-${a.started.push(input)}` });
        if (operation === "GetAutomationExecution") return json({ AutomationExecution: { AutomationExecutionId: input.AutomationExecutionId, AutomationExecutionStatus: a.statuses.length > 1 ? a.statuses.shift() : a.statuses[0] } });
        if (operation === "DescribeAutomationStepExecutions") return json({ StepExecutions: a.steps });
        const doc = this.documents.get(input.Name);
        if (!doc) return respond(400, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ __type: "InvalidDocument", Message: `document ${input.Name} does not exist` }));
        const epoch = (d: Date) => d.getTime() / 1000;
        switch (operation) {
            case "GetDocument": {
                const v = doc.versions.find((x) => x.version === (input.DocumentVersion ?? doc.defaultVersion));
                if (!v) return respond(400, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ __type: "InvalidDocumentVersion", Message: "no such version" }));
                return json({ Name: input.Name, DocumentVersion: v.version, Content: v.content, DocumentFormat: "TEXT", DocumentType: "ChangeCalendar", CreatedDate: epoch(v.createdAt) });
            }
            case "ListDocumentVersions":
                return json({ DocumentVersions: [...doc.versions].reverse().map((v) => ({ Name: input.Name, DocumentVersion: v.version, CreatedDate: epoch(v.createdAt), IsDefaultVersion: v.version === doc.defaultVersion })) });
            case "UpdateDocument": {
                const at = this.clock();
                const version = String(doc.versions.length + 1);
                doc.versions.push({ version, content: input.Content, createdAt: at });
                // As CloudTrail records it: the caller, the document name, the version it created.
                if (this.documentWriter)
                    this.trail.push({
                        eventName: "UpdateDocument",
                        eventTime: at,
                        record: { eventTime: at.toISOString(), eventSource: "ssm.amazonaws.com", eventName: "UpdateDocument", userIdentity: { type: "AssumedRole", arn: this.documentWriter }, requestParameters: { name: input.Name, documentVersion: "$LATEST" }, responseElements: { documentDescription: { name: input.Name, documentVersion: version } } },
                    });
                return json({ DocumentDescription: { Name: input.Name, DocumentVersion: version, LatestVersion: version } });
            }
            case "UpdateDocumentDefaultVersion":
                doc.defaultVersion = input.DocumentVersion;
                return json({ Description: { Name: input.Name, DefaultVersion: input.DocumentVersion } });
            default:
                throw new Error(`fake AWS: SSM ${operation} is not implemented`);
        }
    }

    /** LookupEvents: one lookup attribute (EventName here), the time range, 50 a page at most (botocore MaxResults 1–50). */
    private lookupEvents(input: { LookupAttributes?: { AttributeKey: string; AttributeValue: string }[]; StartTime?: number; EndTime?: number; MaxResults?: number; NextToken?: string }) {
        const attrs = input.LookupAttributes ?? [];
        if (attrs.length > 1) return respond(400, { "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ __type: "InvalidLookupAttributesException", Message: "only one lookup attribute is allowed" }));
        const max = input.MaxResults ?? 50;
        const after = Number(input.NextToken ?? 0);
        const found = this.trail
            .filter((e) => attrs.every((a) => a.AttributeKey !== "EventName" || a.AttributeValue === e.eventName))
            .filter((e) => (input.StartTime === undefined || e.eventTime.getTime() >= input.StartTime * 1000) && (input.EndTime === undefined || e.eventTime.getTime() <= input.EndTime * 1000))
            .sort((a, b) => b.eventTime.getTime() - a.eventTime.getTime());
        const page = found.slice(after, after + max);
        return respond(
            200,
            { "content-type": "application/x-amz-json-1.1" },
            JSON.stringify({
                Events: page.map((e, i) => ({ EventId: `ev-${after + i}`, EventName: e.eventName, EventTime: e.eventTime.getTime() / 1000, EventSource: "ssm.amazonaws.com", CloudTrailEvent: JSON.stringify(e.record) })),
                ...(after + max < found.length ? { NextToken: String(after + max) } : {}),
            }),
        );
    }

    private async s3Operation(operation: string, bucket: string, key: string, query: Record<string, unknown>, headers: Record<string, string>, body: string, versionId: string | undefined) {
        const id = `${bucket}/${key}`;
        const latest = this.current(bucket, key);
        const all = this.objects.get(id) ?? [];
        const meta = (v: FakeVersion) => Object.fromEntries(Object.entries(v.metadata).map(([k, x]) => [`x-amz-meta-${k}`, x]));
        switch (operation) {
            case "GetObject": {
                if (!latest) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
                return respond(200, { etag: latest.etag!, "x-amz-version-id": latest.versionId, "content-type": "application/json", ...meta(latest) }, latest.body);
            }
            case "HeadObject": {
                const v = versionId ? all.find((x) => x.versionId === versionId) : latest;
                if (!v) return respond(404, {});
                if (v.deleteMarker) return respond(405, { "x-amz-delete-marker": "true" });
                return respond(200, { etag: v.etag!, "x-amz-version-id": v.versionId, "content-length": String(v.body?.length ?? 0), ...meta(v) });
            }
            case "ListObjectVersions": {
                // Every key under the prefix, newest first per key (as S3 lists them).
                const prefix = String(query.prefix ?? "");
                const entries = [...this.objects.entries()]
                    .filter(([k]) => k.startsWith(`${bucket}/${prefix}`))
                    .flatMap(([k, vs]) => vs.map((v, i) => ({ key: k.slice(bucket.length + 1), v, latest: i === vs.length - 1 })).reverse());
                const xml = entries
                    .map(({ key: k, v, latest: l }) =>
                        v.deleteMarker
                            ? `<DeleteMarker><Key>${k}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${l}</IsLatest></DeleteMarker>`
                            : `<Version><Key>${k}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${l}</IsLatest><ETag>${v.etag}</ETag><Size>${v.body?.length ?? 0}</Size></Version>`,
                    )
                    .join("");
                return respond(
                    200,
                    { "content-type": "application/xml" },
                    `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${prefix}</Prefix><IsTruncated>false</IsTruncated>${xml}</ListVersionsResult>`,
                );
            }
            case "ListObjectsV2": {
                // Current (not deleted) keys under the prefix in key order, max-keys a page; the continuation token is the last key listed.
                const prefix = String(query.prefix ?? "");
                const max = Number(query["max-keys"] ?? 1000);
                const after = typeof query["continuation-token"] === "string" ? query["continuation-token"] : "";
                const keys = [...this.objects.keys()]
                    .filter((k) => k.startsWith(`${bucket}/${prefix}`))
                    .map((k) => k.slice(bucket.length + 1))
                    .filter((k) => this.current(bucket, k) && k > after)
                    .sort();
                const page = keys.slice(0, max);
                const truncated = keys.length > max;
                const xml = page.map((k) => `<Contents><Key>${k}</Key><Size>${this.current(bucket, k)!.body?.length ?? 0}</Size></Contents>`).join("");
                return respond(
                    200,
                    { "content-type": "application/xml" },
                    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${page[page.length - 1]}</NextContinuationToken>` : ""}${xml}</ListBucketResult>`,
                );
            }
            case "DeleteObject": {
                if (versionId === undefined) {
                    // Versioned bucket: a new delete marker becomes the current version.
                    const marker: FakeVersion = { versionId: `v${this.nextVersion++}`, metadata: {}, deleteMarker: true };
                    this.objects.set(id, [...all, marker]);
                    return respond(204, { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId });
                }
                const gone = all.find((x) => x.versionId === versionId);
                this.objects.set(id, all.filter((x) => x.versionId !== versionId));
                return respond(204, { "x-amz-version-id": versionId, ...(gone?.deleteMarker ? { "x-amz-delete-marker": "true" } : {}) });
            }
            case "PutObject": {
                if (headers["if-none-match"] === "*" && latest) return s3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
                if (headers["if-match"] !== undefined && headers["if-match"] !== latest?.etag) return s3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
                const metadata = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith("x-amz-meta-")).map(([k, v]) => [k.slice("x-amz-meta-".length), v]));
                const v = this.put(bucket, key, body, metadata);
                return respond(200, { etag: v.etag!, "x-amz-version-id": v.versionId });
            }
            default:
                throw new Error(`fake AWS: S3 ${operation} on ${id} is not implemented`);
        }
    }
}

/** A GetPatchBaseline response as the service returns it, volatile fields included. */
export function baselineResponse(id: string, fields: Record<string, unknown>): Record<string, unknown> {
    return {
        BaselineId: id,
        Name: `name-of-${id}`,
        Description: "volatile description",
        CreatedDate: 1_700_000_000.123,
        ModifiedDate: 1_760_000_000.456,
        PatchGroups: ["pg"],
        GlobalFilters: { PatchFilters: [] },
        ApprovalRules: { PatchRules: [] },
        ApprovedPatches: [],
        ApprovedPatchesComplianceLevel: "UNSPECIFIED",
        ApprovedPatchesEnableNonSecurity: false,
        RejectedPatches: [],
        RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
        Sources: [],
        ...fields,
    };
}
