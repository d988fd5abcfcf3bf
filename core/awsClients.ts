/**
 * SDK v3 client configuration shared by the change-safety Lambdas and scripts: the SDK's own retry
 * strategy (standard mode with its retry quota, retrying throttling, transient and 5xx errors)
 * with a configurable number of attempts and backoff, and credentials for a role in another
 * account (the earlier stage's read role). Credentials otherwise come from the environment
 * (Lambda role, operator profile); never from inputs.
 */
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Options every client of this program takes. */
export interface ClientOptions {
    region: string;
    /** Attempts per call, first included. @default 6 */
    maxAttempts?: number;
    /** Delay before retry `attempt` (1-based) in ms. @default full jitter, 200 ms × 2^attempt, ≤ 20 s */
    backoffMs?: (attempt: number) => number;
    /** Tests: a request handler standing in for AWS (the SDK stack, retries included, still runs). */
    requestHandler?: unknown;
    /** Credentials (a role assumed in another account); default: the environment's. */
    credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export const DEFAULT_MAX_ATTEMPTS = 6;

/** Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function jitterBackoffMs(attempt: number): number {
    return Math.round(Math.random() * Math.min(20_000, 200 * 2 ** attempt));
}

/** Client configuration with its own retry strategy (each client keeps its own retry quota). */
export function clientConfig(options: ClientOptions): Record<string, unknown> {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    return {
        region: options.region,
        maxAttempts,
        retryStrategy: new ConfiguredRetryStrategy(maxAttempts, options.backoffMs ?? jitterBackoffMs),
        ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
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
    const out: R[] = new Array(items.length);
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
