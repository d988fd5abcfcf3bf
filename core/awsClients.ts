/**
 * SDK v3 client configuration shared by the override core, the Lambdas and the scripts: the SDK's
 * own retry strategy (standard mode with its retry quota, retrying throttling, transient and 5xx
 * errors — and `TimeoutError`) with a configurable number of attempts and backoff, connection and
 * request timeouts on the Node HTTP handler (without them a hung connection waits for the Lambda
 * to be killed), and credentials for a role in another account (the earlier stage's read role).
 * Credentials otherwise come from the environment (Lambda role, operator profile); never from inputs.
 */
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Timeouts of one HTTP attempt (Smithy `NodeHttpHandler` `connectionTimeout` / `requestTimeout`). */
export interface HttpTimeouts {
    /** Time to establish the TCP/TLS connection. */
    connectionTimeoutMs: number;
    /** Time for the whole request and response once sent (thrown as `TimeoutError`, then retried). */
    requestTimeoutMs: number;
}

/**
 * Every AWS call this program makes is a small control-plane or S3 request answered in well under
 * a second; 2 s to connect and 5 s to answer leave a wide margin and still let every attempt of a
 * call, with its backoff, fit inside the shortest function timeout (60 s; see
 * {@link worstCaseCallMs}).
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000 };

/** Upper bound of the full-jitter backoff before retry `attempt` with base `baseMs`. */
export function backoffCapMs(attempt: number, baseMs = 200): number {
    return Math.min(20_000, baseMs * 2 ** attempt);
}

/**
 * The longest one call can take when every attempt hangs until its timeouts fire and every
 * backoff draws its maximum: `maxAttempts × (connection + request timeout) + Σ backoff caps`.
 * A function's timeout must exceed this, so a hung endpoint ends in a clear `TimeoutError`
 * rather than in Lambda killing the function.
 */
export function worstCaseCallMs(maxAttempts: number, timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS, cap: (attempt: number) => number = backoffCapMs): number {
    let total = maxAttempts * (timeouts.connectionTimeoutMs + timeouts.requestTimeoutMs);
    for (let attempt = 1; attempt < maxAttempts; attempt++) total += cap(attempt);
    return total;
}

/** The Node HTTP handler with these timeouts; a request timeout throws (it only logs by default). */
export function timedHttpHandler(timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS): NodeHttpHandler {
    return new NodeHttpHandler({ connectionTimeout: timeouts.connectionTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, throwOnRequestTimeout: true });
}

/** Options every client of this program takes. */
export interface ClientOptions {
    region: string;
    /** Attempts per call, first included. @default 6 */
    maxAttempts?: number;
    /** Delay before retry `attempt` (1-based) in ms. @default full jitter, 200 ms × 2^attempt, ≤ 20 s */
    backoffMs?: (attempt: number) => number;
    /** Tests: a request handler standing in for AWS (the SDK stack, retries included, still runs). @default a {@link timedHttpHandler} */
    requestHandler?: unknown;
    /** Timeouts of each attempt (ignored when `requestHandler` is given). @default {@link DEFAULT_HTTP_TIMEOUTS} */
    timeouts?: HttpTimeouts;
    /** Tests: another endpoint (a local server). */
    endpoint?: string;
    /** Credentials (a role assumed in another account); default: the environment's. */
    credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export const DEFAULT_MAX_ATTEMPTS = 6;

/** Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function jitterBackoffMs(attempt: number): number {
    return Math.round(Math.random() * backoffCapMs(attempt));
}

/** Client configuration with its own retry strategy (each client keeps its own retry quota). */
export function clientConfig(options: ClientOptions): Record<string, unknown> {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    return {
        region: options.region,
        maxAttempts,
        retryStrategy: new ConfiguredRetryStrategy(maxAttempts, options.backoffMs ?? jitterBackoffMs),
        requestHandler: options.requestHandler ?? timedHttpHandler(options.timeouts),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
    };
}

/**
 * Credentials of `roleArn`, assumed with the environment's credentials and refreshed before they
 * expire (STS AssumeRole, 1 hour sessions).
 */
export function assumedRoleCredentials(roleArn: string, sessionName: string, options: ClientOptions): AwsCredentialIdentityProvider {
    let cached: AwsCredentialIdentity | undefined;
    return async () => {
        if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
        const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
        const sts = new STSClient(clientConfig({ ...options, credentials: undefined }));
        const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName.slice(0, 64), DurationSeconds: 3600 }));
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole on ${roleArn} returned no credentials`);
        cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        return cached;
    };
}

/** The error's name (`ThrottlingException`, `AccessDeniedException`, …) or "Error". */
export function errorName(err: unknown): string {
    return err instanceof Error ? err.name : "Error";
}

/** How many attempts the SDK made for a failed call (from the error's metadata). */
export function attemptsOf(err: unknown): number {
    return (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const out: R[] = [];
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
}
