import { z } from "zod";
import { tagKeySchema, tagValueSchema } from "./fields";
import { MAX_TAGS } from "./rules";

/**
 * `z.strictObject` whose unknown-key error lists the keys that are allowed, so a typo in a
 * stack file is reported with its fix.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
    const allowed = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (iss) =>
            iss.code === "unrecognized_keys"
                ? `unknown key${iss.keys.length === 1 ? "" : "s"} ${iss.keys.map((k) => `"${k}"`).join(", ")}; allowed keys: ${allowed}`
                : iss.code === "invalid_type"
                  ? `expected an object with keys ${allowed}`
                  : undefined,
    });
}

/** A string enum whose error lists every allowed value. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
    return z.enum(values, { error: () => `must be one of ${values.join(", ")} (${what})` });
}

/** A string matching `pattern`, with a message that names the rule and its source. */
export function matching(pattern: RegExp, rule: string) {
    return z.string({ error: `must be a string: ${rule}` }).regex(pattern, { error: `must be ${rule}` });
}

export function boundedString(min: number, max: number, what: string) {
    return z
        .string({ error: `must be a string of ${min}–${max} characters (${what})` })
        .min(min, { error: `must be at least ${min} character${min === 1 ? "" : "s"} (${what})` })
        .max(max, { error: `must be at most ${max} characters (${what})` });
}

export function intInRange(min: number, max: number, what: string) {
    return z
        .number({ error: `must be a whole number from ${min} to ${max} (${what})` })
        .int({ error: `must be a whole number from ${min} to ${max} (${what})` })
        .min(min, { error: `must be from ${min} to ${max} (${what})` })
        .max(max, { error: `must be from ${min} to ${max} (${what})` });
}

/** Tags as AWS accepts them (botocore SSM Tag; IAM tagging rules): the shared key and value rules of config/fields.ts. */
export const tagsSchema = z
    .record(tagKeySchema, tagValueSchema)
    .refine((t) => Object.keys(t).length <= MAX_TAGS, { error: `at most ${MAX_TAGS} tags per resource` });

/** Checks a calendar date written `YYYY-MM-DD` (rejects 2025-02-30). */
export function isCalendarDate(s: string): boolean {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return false;
    const month = Number(m[2]) - 1;
    // A day or month out of range rolls the date into another month (2025-02-30 is March 2nd; month 13 is January).
    return new Date(Date.UTC(Number(m[1]), month, Number(m[3]))).getUTCMonth() === month;
}
