/**
 * A request handler standing in for an AWS JSON-protocol service (SSM, awsJson1_1) behind the
 * SDK's `requestHandler` seam. aws-sdk-client-mock stubs `Client.send` and so skips the retry
 * middleware; this handler lets the real SDK stack (serialisation, retry strategy, error parsing)
 * run, to prove throttling is retried by the SDK — with a zero backoff, so no real waiting.
 */
import { Readable } from "stream";

export interface FakeCall {
    target: string;
    body: Record<string, unknown>;
}

/** A scripted reply: a JSON body (200) or an error code with its status. */
export type FakeReply = { json: unknown } | { error: string; status?: number };

/** Replies by operation (X-Amz-Target suffix, e.g. `DescribeInstancePatchStatesForPatchGroup`), in order; the last repeats. */
export function jsonServiceFake(script: Record<string, FakeReply[]>) {
    const calls: FakeCall[] = [];
    const handler = {
        metadata: { handlerProtocol: "http/1.1" },
        async handle(request: { headers: Record<string, string>; body?: unknown }) {
            const target = String(request.headers["x-amz-target"] ?? request.headers["X-Amz-Target"] ?? "").split(".").pop() ?? "";
            const raw = request.body;
            // JSON bodies are Uint8Array subclasses whose string methods warn: copy the bytes.
            const text = typeof raw === "string" ? raw : raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8") : "{}";
            calls.push({ target, body: JSON.parse(text || "{}") });
            const replies = script[target];
            if (!replies || replies.length === 0) throw new Error(`fake: no reply scripted for ${target}`);
            const reply = replies.length > 1 ? replies.shift()! : replies[0];
            const [status, body] = "json" in reply ? [200, reply.json] : [reply.status ?? 400, { __type: reply.error, message: `${reply.error} (fake)` }];
            return {
                response: {
                    statusCode: status,
                    reason: undefined,
                    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${calls.length}` },
                    body: Readable.from([Buffer.from(JSON.stringify(body))]),
                },
            };
        },
        updateHttpClientConfig() {},
        httpHandlerConfigs() {
            return {};
        },
    };
    return { handler, calls };
}
