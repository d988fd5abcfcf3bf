/**
 * Issue 15 item 3, in every section: each schedule key of the config model is found by walking the
 * zod model (so a section added later is covered), and each must reject an expression written in
 * another dialect, reported at its own key path with its own dialect's name.
 */
import { expect } from "chai";
import * as path from "path";
import { z } from "zod";
import { ConfigIssue, ConfigValidationError, parseConfig } from "../config";
import { fieldMeta } from "../config/fields";
import { configModelSchema } from "../config/index";
import { readStackValues } from "../config/source";
import { SCHEDULE_DIALECTS, ScheduleDialect } from "../core/schedule";
import { ROOT, runProgram } from "./harness";

/** Every schedule key of the model: `patching:.a.b[].c` and the dialect its shared schema parses. */
function scheduleKeys(): { at: string; dialect: ScheduleDialect }[] {
    const out: { at: string; dialect: ScheduleDialect }[] = [];
    const onPath = new Set<z.ZodType>();
    const walk = (s: z.ZodType, at: string): void => {
        const dialect = fieldMeta(s)?.dialect;
        if (dialect) {
            out.push({ at, dialect });
            return;
        }
        if (onPath.has(s)) return; // a recursive schema; shared sub-schemas are walked at every place they are used
        onPath.add(s);
        const def = (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
        switch (def.type) {
            case "object":
                for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(v, `${at}.${k}`);
                break;
            case "optional":
            case "default":
            case "prefault":
            case "nullable":
            case "pipe":
                if (def.innerType) walk(def.innerType as z.ZodType, at);
                if (def.in) walk(def.in as z.ZodType, at);
                break;
            case "array":
                walk(def.element as z.ZodType, `${at}[]`);
                break;
            case "record":
                walk(def.valueType as z.ZodType, `${at}{}`);
                break;
            case "union":
                for (const o of def.options as z.ZodType[]) walk(o, at);
                break;
        }
        onPath.delete(s);
    };
    walk(configModelSchema, "patching:");
    return out;
}

/** Expressions valid in at least one dialect (each user guide's examples and edge cases). */
const CANDIDATES = [
    "cron(0 2 ? * SUN *)",
    "cron(0 0 2 ? * SUN *)",
    "cron(15 10 ? * 6L 2026)",
    "rate(1 minute)",
    "rate(15 minutes)",
    "rate(30 minutes)",
    "rate(1 hour)",
    "rate(7 days)",
    "at(2026-12-24T10:00:00)",
    "cron(0 */4 * * ? *)",
];

/** For each dialect: an expression another dialect accepts and this one rejects (found, not hand-picked). */
function foreignExpressions(dialect: ScheduleDialect): string[] {
    const own = SCHEDULE_DIALECTS[dialect].problems;
    return CANDIDATES.filter((c) => own(c).length > 0 && (Object.keys(SCHEDULE_DIALECTS) as ScheduleDialect[]).some((d) => d !== dialect && SCHEDULE_DIALECTS[d].problems(c).length === 0));
}

/** Sets `value` at a model path (`.a.b[].c`), creating parents and using element 0 of arrays; returns the concrete key path. */
function setAt(values: Record<string, unknown>, at: string, value: unknown): string {
    const parts = at.replace(/^patching:\./, "").split(".");
    const top = parts.shift()!;
    let concrete = `patching:${top.replace("[]", "[0]")}`;
    const topKey = `patching:${top.replace("[]", "")}`;
    const isArray = (p: string) => p.endsWith("[]");
    let holder: Record<string, unknown>;
    if (isArray(top)) {
        const list = (Array.isArray(values[topKey]) && (values[topKey] as unknown[]).length > 0 ? values[topKey] : [{}]) as Record<string, unknown>[];
        values[topKey] = list;
        holder = list[0];
    } else {
        if (parts.length === 0) {
            values[topKey] = value;
            return concrete;
        }
        values[topKey] = values[topKey] && typeof values[topKey] === "object" ? values[topKey] : {};
        holder = values[topKey] as Record<string, unknown>;
    }
    parts.forEach((p, i) => {
        const key = p.replace("[]", "");
        concrete += `.${key}${isArray(p) ? "[0]" : ""}`;
        if (i === parts.length - 1) {
            holder[key] = value;
            return;
        }
        if (isArray(p)) {
            const list = (Array.isArray(holder[key]) && (holder[key] as unknown[]).length > 0 ? holder[key] : [{}]) as Record<string, unknown>[];
            holder[key] = list;
            holder = list[0];
        } else {
            holder[key] = holder[key] && typeof holder[key] === "object" ? holder[key] : {};
            holder = holder[key] as Record<string, unknown>;
        }
    });
    return concrete;
}

/** The value at a model path (element 0 of arrays), or undefined when a part is missing. */
function valueAt(values: Record<string, unknown>, at: string): unknown {
    const [top, ...rest] = at.replace(/^patching:\./, "").split(".");
    let cur: unknown = values[`patching:${top.replace("[]", "")}`];
    if (top.endsWith("[]")) cur = Array.isArray(cur) ? cur[0] : undefined;
    for (const p of rest) {
        if (!cur || typeof cur !== "object") return undefined;
        cur = (cur as Record<string, unknown>)[p.replace("[]", "")];
        if (p.endsWith("[]")) cur = Array.isArray(cur) ? cur[0] : undefined;
    }
    return cur;
}

function issues(values: Record<string, unknown>): ConfigIssue[] {
    try {
        parseConfig(values, { project: "patching", stack: "prod" });
        return [];
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
    }
}

const PROD = readStackValues(path.join(ROOT, "Pulumi.prod.yaml"));

describe("every schedule key parses its own dialect (issue 15 item 3)", () => {
    const keys = scheduleKeys();

    it("finds the schedule keys of every section from the model, EventBridge Scheduler ones included", () => {
        const sections = new Set(keys.map((k) => k.at.split(".")[1].replace("[]", "")));
        for (const s of ["changeSafety", "patchPolicies", "overrideStore", "compliance", "multiAccount", "maintenanceWindows", "patchOrchestrators", "agentUpdates"]) expect(sections, s).to.include(s);
        const scheduler = keys.filter((k) => k.dialect === "scheduler").map((k) => k.at);
        expect(scheduler).to.include.members([
            "patching:.overrideStore.remediation.schedule",
            "patching:.multiAccount.schedules[].schedule",
            "patching:.changeSafety.approvalGate.requestSchedule",
        ]);
        // Shared sub-schemas are found at every place they are used (scan and install, each agent).
        expect(keys.map((k) => k.at)).to.include.members(["patching:.patchPolicies[].scan.schedule", "patching:.patchPolicies[].install.schedule", "patching:.agentUpdates.ec2Launch.schedule"]);
    });

    it("has, for every dialect, expressions of another dialect to reject: Scheduler a 7-field cron, State Manager a rate under 30 minutes, rules an at()", () => {
        expect(foreignExpressions("scheduler")).to.include("cron(0 0 2 ? * SUN *)");
        expect(foreignExpressions("stateManager")).to.include("rate(15 minutes)");
        expect(foreignExpressions("eventBridgeRule")).to.include("at(2026-12-24T10:00:00)");
        for (const d of Object.keys(SCHEDULE_DIALECTS) as ScheduleDialect[]) expect(foreignExpressions(d), d).to.not.deep.equal([]);
    });

    for (const { at, dialect } of keys) {
        it(`${at} (${dialect}) rejects every expression of another dialect at its key path, and accepts its own`, () => {
            const label = SCHEDULE_DIALECTS[dialect].label;
            for (const bad of foreignExpressions(dialect)) {
                const values = JSON.parse(JSON.stringify(PROD)) as Record<string, unknown>;
                const concrete = setAt(values, at, bad);
                const found = issues(values).filter((i) => i.path === concrete);
                expect(found, `${concrete} = ${bad}: ${JSON.stringify(issues(values).map((i) => i.path))}`).to.have.length.greaterThan(0);
                expect(found.map((i) => i.message).join("\n")).to.contain(label);
                expect(found[0].value).to.equal(bad);
            }
            const good = CANDIDATES.find((c) => SCHEDULE_DIALECTS[dialect].problems(c).length === 0)!;
            const values = JSON.parse(JSON.stringify(PROD)) as Record<string, unknown>;
            const concrete = setAt(values, at, good);
            expect(issues(values).filter((i) => i.path === concrete && i.message.includes(label)), `${concrete} = ${good}`).to.deep.equal([]);
        });
    }

    it("under mocks, every EventBridge Scheduler schedule of the shipped prod stack takes its expression from a Scheduler key, never from another dialect's key", async function () {
        this.timeout(120000);
        // A distinct marker, valid in its own dialect, at every schedule key prod sets.
        const values = JSON.parse(JSON.stringify(PROD)) as Record<string, unknown>;
        // Without promotion: the program would compare the moved schedules with dev's stack file.
        delete (values["patching:changeSafety"] as Record<string, unknown>).promotion;
        const markers = new Map<string, { at: string; dialect: ScheduleDialect }>();
        let n = 2;
        for (const { at, dialect } of keys) {
            // Only keys prod already sets (a key of an absent feature would make the config invalid).
            const original = valueAt(values, at);
            if (typeof original !== "string") continue;
            // Same form as prod's value (an offset needs a cron), distinct per key.
            const marker = original.startsWith("cron(") ? `cron(0 ${n} ? * SUN *)` : `rate(${n} days)`;
            n++;
            setAt(values, at, marker);
            markers.set(marker, { at, dialect });
        }
        expect(issues(values)).to.deep.equal([]);
        expect([...markers.values()].map((m) => m.dialect)).to.include("scheduler");
        const { resources } = await runProgram(values, "prod");
        const schedules = resources.filter((r) => r.type === "aws:scheduler/schedule:Schedule").map((r) => String(r.inputs.scheduleExpression));
        expect(schedules.length).to.be.greaterThan(0);
        const foreign = schedules.filter((e) => markers.has(e) && markers.get(e)!.dialect !== "scheduler").map((e) => markers.get(e)!.at);
        expect(foreign, "keys of another dialect reaching EventBridge Scheduler").to.deep.equal([]);
        const reached = new Set(schedules.filter((e) => markers.has(e)).map((e) => markers.get(e)!.at));
        expect(reached.size, JSON.stringify([...markers.values()])).to.be.greaterThan(0);
        for (const e of schedules) expect(SCHEDULE_DIALECTS.scheduler.problems(e), e).to.deep.equal([]);
    });
});
