import { expect } from "chai";
import * as path from "path";
import { parseConfig } from "../config";
import { scheduleSources } from "../config/scheduleSources";
import { readStackValues } from "../config/source";
import { ROOT } from "./harness";

const sources = (stack: string) => scheduleSources(stack, parseConfig(readStackValues(path.join(ROOT, `Pulumi.${stack}.yaml`)), { project: "patching", stack }));

describe("schedule sources of the release calendar (config/scheduleSources.ts)", () => {
    it("prod: the gated install, the patch policy (Patch Tuesday + 12 compiled to TUE#3 + 5), multi-account schedules, the window and the orchestrator, each in its time zone", () => {
        expect(sources("prod")).to.deep.equal([
            { stack: "prod", source: "changeSafety.gatedInstall", operation: "install", expression: "cron(0 2 ? * TUE#3 *)", offsetDays: 2 },
            { stack: "prod", source: "patchPolicies prod-patching scan", operation: "scan", expression: "cron(0 1 * * ? *)", offsetDays: undefined },
            { stack: "prod", source: "patchPolicies prod-patching install", operation: "install", expression: "cron(0 3 ? * TUE#3 *)", offsetDays: 5 },
            { stack: "prod", source: "multiAccount.schedules prod-daily-scan", operation: "scan", expression: "cron(0 18 * * ? *)", timezone: "Asia/Tokyo" },
            { stack: "prod", source: "multiAccount.schedules prod-web-install", operation: "install", expression: "cron(0 2 ? * TUE#4 *)", timezone: "Asia/Tokyo" },
            { stack: "prod", source: "maintenanceWindows prod-critical-install", operation: "install", expression: "cron(0 5 ? * TUE#3 *)", timezone: "Asia/Tokyo", offsetDays: 4, durationHours: 5 },
            { stack: "prod", source: "patchOrchestrators prod-fleet", operation: "install", expression: "cron(0 22 ? * TUE#3 *)", timezone: "Asia/Tokyo", offsetDays: 3, durationHours: 6 },
        ]);
    });
    it("dev: its installs and scans, the nightly orchestrator included", () => {
        expect(sources("dev").map((s) => `${s.operation} ${s.source} ${s.expression}`)).to.deep.equal([
            "install changeSafety.gatedInstall cron(0 2 ? * TUE#2 *)",
            "scan patchPolicies dev-patching scan cron(0 1 * * ? *)",
            "install patchPolicies dev-patching install cron(0 2 ? * SUN *)",
            "install multiAccount.schedules dev-web-install cron(0 3 ? * TUE *)",
            "install patchOrchestrators dev-fleet cron(55 22 ? * * *)",
        ]);
    });
});
