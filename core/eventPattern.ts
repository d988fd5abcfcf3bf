/**
 * A small EventBridge event-pattern matcher, enough to prove offline that the rules this program
 * deploys match the events AWS emits (and do not match the ones they should ignore).
 *
 * Semantics follow the EventBridge user guide, "Amazon EventBridge event patterns" and "Content
 * filtering in event patterns":
 * - a pattern is a JSON object; every key of the pattern must match (AND), keys absent from the
 *   pattern are ignored;
 * - a leaf is an array of alternatives (OR); a field matches when its value, or for an array
 *   value any of its elements, equals one alternative;
 * - matching is exact and case-sensitive on strings, numbers, booleans and null;
 * - `{ "prefix": "..." }` matches strings starting with the prefix.
 *
 * Only what this program's patterns use is implemented (exact values and `prefix`). Any other
 * content filter (`anything-but`, `exists`, `numeric`, `wildcard`, …) throws, so a pattern can
 * never use an operator these tests would silently get wrong.
 *
 * Plain TypeScript with no Pulumi import: the program, the review and the tests use it.
 */

export type EventPattern = { [key: string]: EventPattern | PatternValue[] };
export type PatternValue = string | number | boolean | null | { prefix: string };

export class UnsupportedPatternError extends Error {}

function isObject(x: unknown): x is Record<string, unknown> {
    return x !== null && typeof x === "object" && !Array.isArray(x);
}

function leafMatches(alternative: unknown, value: unknown): boolean {
    if (isObject(alternative)) {
        const keys = Object.keys(alternative);
        if (keys.length === 1 && keys[0] === "prefix" && typeof alternative.prefix === "string") {
            return typeof value === "string" && value.startsWith(alternative.prefix);
        }
        throw new UnsupportedPatternError(`content filter ${JSON.stringify(alternative)} is not supported by this matcher (exact values and prefix only)`);
    }
    if (Array.isArray(alternative)) throw new UnsupportedPatternError("a pattern leaf holds values, not nested arrays");
    return alternative === value;
}

function fieldMatches(alternatives: unknown[], value: unknown): boolean {
    if (alternatives.length === 0) throw new UnsupportedPatternError("an empty array in a pattern matches nothing; EventBridge rejects it");
    const values = Array.isArray(value) ? value : [value];
    return alternatives.some((alt) => values.some((v) => leafMatches(alt, v)));
}

/** Whether `event` (a full EventBridge event) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
    if (!isObject(pattern)) throw new UnsupportedPatternError("a pattern is a JSON object");
    return Object.entries(pattern).every(([key, sub]) => {
        const value = isObject(event) ? event[key] : undefined;
        if (Array.isArray(sub)) {
            // A missing field never matches a value list (EventBridge: "exists" aside).
            if (value === undefined) {
                sub.forEach((alt) => leafMatches(alt, undefined));
                return false;
            }
            return fieldMatches(sub, value);
        }
        if (!isObject(sub)) throw new UnsupportedPatternError(`pattern field "${key}" must be an array of values or an object`);
        return isObject(value) && matchesPattern(sub as EventPattern, value);
    });
}
