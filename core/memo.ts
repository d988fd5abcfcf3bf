/**
 * A bounded memo for pure functions: the answer kept per key for the process. Used where the same
 * question is asked again and again (core/schedule.ts: a time zone's formatter and offsets, asked
 * by every section of a review). When a map reaches `limit` entries it is emptied before the next
 * one is kept, so a long-lived process (the test runner, a Lambda) holds a bounded amount. A
 * computation that throws keeps nothing: the next call computes (and throws) again.
 */
export function memo<K, V>(map: Map<K, V>, key: K, compute: () => V, limit = 50_000): V {
    if (map.has(key)) return map.get(key) as V;
    const value = compute();
    if (map.size >= limit) map.clear();
    map.set(key, value);
    return value;
}
