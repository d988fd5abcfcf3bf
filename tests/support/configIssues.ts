/** Shared by the maintenance-window config tests; the issue assertions live in tests/harness.ts. */
export { expectIssue } from "../harness";

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
