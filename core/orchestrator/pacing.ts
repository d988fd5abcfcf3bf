/**
 * Pacing of the orchestrator's mutating AWS calls (StartInstances, StopInstances, SendCommand):
 * a token bucket per API and account/Region, so the fleet orchestrator stays below the service's
 * own rate limits by design, and capped exponential backoff with full jitter for the throttling
 * that still happens (other callers share the account's bucket).
 *
 * Pure: the caller passes the time (the Lambda the real clock, the fleet simulator a virtual one)
 * and, for jitter, a random source. Limits and their sources: BENCHMARKS.md, "Fleet".
 */

/** A token bucket: `capacity` tokens, refilled at `ratePerSecond`. */
export interface BucketSpec {
    capacity: number;
    ratePerSecond: number;
}

/**
 * EC2 API request throttling (EC2 API reference, "Request throttling"): mutating actions are
 * token buckets per account and Region; the documented defaults for the unfiltered/"non-mutating"
 * and "mutating" categories differ, and StartInstances/StopInstances belong to the resource-
 * intensive category (bucket 1000? no: 1000 is the unfiltered describe bucket). The orchestrator
 * uses conservative shares of the resource-intensive bucket so other callers keep headroom.
 */
export const DEFAULT_PACING: Record<PacedApi, BucketSpec> = {
    // EC2 resource-intensive actions (StartInstances, StopInstances…): bucket 50, refill 5/s per account and Region
    // (EC2 API reference, "Request throttling"); the orchestrator takes half the refill.
    StartInstances: { capacity: 20, ratePerSecond: 2.5 },
    StopInstances: { capacity: 20, ratePerSecond: 2.5 },
    // SSM SendCommand has no published per-second quota; observed throttling starts in the low tens per second.
    // 2/s keeps well under it and is ample: each call carries up to 50 instance ids.
    SendCommand: { capacity: 5, ratePerSecond: 2 },
};

export type PacedApi = "StartInstances" | "StopInstances" | "SendCommand";

/** State of one bucket (plain JSON: it can travel in a Step Functions payload or a DynamoDB item). */
export interface BucketState {
    tokens: number;
    /** Epoch ms of the last refill. */
    at: number;
}

export function fullBucket(spec: BucketSpec, now: number): BucketState {
    return { tokens: spec.capacity, at: now };
}

function refill(spec: BucketSpec, state: BucketState, now: number): BucketState {
    const elapsed = Math.max(0, now - state.at) / 1000;
    return { tokens: Math.min(spec.capacity, state.tokens + elapsed * spec.ratePerSecond), at: Math.max(now, state.at) };
}

/**
 * Takes one token at `now` if there is one. Otherwise says how long to wait (ms) until one is
 * there; the caller waits (a Wait state, or the simulator's clock) and asks again.
 */
export function take(spec: BucketSpec, state: BucketState, now: number): { ok: true; state: BucketState } | { ok: false; waitMs: number; state: BucketState } {
    const s = refill(spec, state, now);
    if (s.tokens >= 1) return { ok: true, state: { ...s, tokens: s.tokens - 1 } };
    return { ok: false, waitMs: Math.ceil(((1 - s.tokens) / spec.ratePerSecond) * 1000), state: s };
}

/** Capped exponential backoff, full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export interface BackoffSpec {
    baseMs: number;
    capMs: number;
    maxAttempts: number;
}
export const DEFAULT_BACKOFF: BackoffSpec = { baseMs: 1000, capMs: 60_000, maxAttempts: 10 };

/** Delay before retry `attempt` (0-based) after a throttling error; `random` in [0, 1). */
export function backoffMs(spec: BackoffSpec, attempt: number, random: number): number {
    const ceiling = Math.min(spec.capMs, spec.baseMs * 2 ** attempt);
    return Math.floor(random * ceiling);
}

/** Error names AWS uses for throttling on the paced APIs (EC2: RequestLimitExceeded; SSM: ThrottlingException). */
export const THROTTLING_ERRORS = ["RequestLimitExceeded", "ThrottlingException", "Throttling", "TooManyRequestsException"];
export const isThrottling = (err: unknown): boolean => err instanceof Error && THROTTLING_ERRORS.includes(err.name);

/**
 * A burst of consumers paced through one bucket, full at time 0, in order: consumer k needs
 * `tokens[k]` tokens (0: it calls nothing) and may call once all of them are taken. Returns, for
 * each, the ms from the burst's start at which its last token is taken by {@link take} (the same
 * rule, not a second pacer); 0 for a consumer that needs none. The fleet plan gives each batch of
 * a priority group its StartInstances slot this way (tokens = the batch's stopped instances).
 */
export function paceBurst(spec: BucketSpec, tokens: number[]): number[] {
    let state = fullBucket(spec, 0);
    let t = 0;
    return tokens.map((n) => {
        for (let i = 0; i < n; i++) {
            let got = take(spec, state, t);
            while (!got.ok) {
                t += got.waitMs;
                got = take(spec, got.state, t);
            }
            state = got.state;
        }
        return n > 0 ? t : 0;
    });
}
