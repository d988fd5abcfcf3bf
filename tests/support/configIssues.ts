import { expect } from "chai";
import { ConfigIssue, ConfigValidationError } from "../../config";
import { parse } from "../harness";

/** A valid window: the seed-style weekly install on tagged instances, with notifications. */
export function validWindow(): Record<string, unknown> {
    return {
        name: "prod-install",
        description: "Weekly install",
        schedule: "cron(0 2 ? * SUN *)",
        scheduleTimezone: "Asia/Tokyo",
        duration: 4,
        cutoff: 1,
        targets: [{ name: "web", tags: { PatchGroup: ["prod"] } }],
        tasks: [{ name: "install", type: "RUN_COMMAND", runCommand: { operation: "Install" } }],
        notifications: {},
    };
}

function issuesOf(values: Record<string, unknown>): ConfigIssue[] {
    try {
        parse(values);
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
    throw new Error("expected the config to be rejected");
}

/** Exactly one issue at `path`, whose message contains `text` (and, if given, with that value). */
export function expectIssue(values: Record<string, unknown>, path: string, text: string, value?: unknown): void {
    const issues = issuesOf(values);
    const at = issues.filter((i) => i.path === path);
    expect(at, `issues: ${JSON.stringify(issues, null, 1)}`).to.have.length(1);
    expect(at[0].message).to.contain(text);
    if (value !== undefined) expect(at[0].value).to.deep.equal(value);
}

