/**
 * One rule per AWS field (config/fields.ts), checked two ways:
 * - against botocore's SSM model (tests/fixtures/ssm-model/constraints.json, extracted by
 *   scripts/extract-ssm-model.ts): whatever a shared schema accepts, the service's own pattern and
 *   length constraints accept too;
 * - across the whole config model: every key that sends one of these fields (found by walking the
 *   zod schema, so fields added later are covered) uses the shared schema itself, not a look-alike.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { configModelSchema } from "../config/index";
import type { SsmConstraints } from "../scripts/extract-ssm-model";
import { FIELD_SCHEMAS, fieldMeta, maxConcurrencySchema, maxErrorsSchema, managedNodeIdSchema, patchGroupNameSchema, tagKeySchema, tagValueSchema, targetValueProblems } from "../config/fields";

const model = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "ssm-model", "constraints.json"), "utf8")) as SsmConstraints;

/** Does botocore accept `value` for `shape` (length and pattern; Java-style `\p{..}` needs the u flag)? */
function botocoreAccepts(shape: string, value: string): boolean {
    const s = model.shapes[shape];
    expect(s, `botocore shape ${shape}`).to.not.equal(undefined);
    if (s.min !== undefined && value.length < s.min) return false;
    if (s.max !== undefined && value.length > s.max) return false;
    return s.pattern === undefined || new RegExp(s.pattern, "u").test(value);
}

/** Candidate values around each rule's edges. */
const CANDIDATES = [
    "", "0", "1", "01", "10", "100", "1234567", "12345678", "0%", "5%", "10%", "99%", "100%", "101%", "1000%", "-1", "1.5", "10 %",
    "i-0123abcd", "i-0123456789abcdef0", "i-0123456789ABCDEF0", "i-012345678", "mi-0123456789abcdef0", "mi-0123abcd", "x-0123abcd", "*",
    "prod", "Patch Group", "web servers", "a".repeat(128), "a".repeat(129), "a".repeat(256), "a".repeat(257), "tag#bad", "ünïcödé", "key/with:colon=+@-._",
];

describe("config/fields.ts: one rule per AWS field", () => {
    describe("agrees with botocore's SSM model", () => {
        const cases: [string, z.ZodType, string, "equal" | "subset"][] = [
            ["MaxConcurrency", maxConcurrencySchema, "MaxConcurrency", "equal"],
            ["MaxErrors", maxErrorsSchema, "MaxErrors", "equal"],
            ["TargetLocationMaxConcurrency", maxConcurrencySchema, model.shapes.TargetLocation.members!.TargetLocationMaxConcurrency.shape, "equal"],
            ["TargetLocationMaxErrors", maxErrorsSchema, model.shapes.TargetLocation.members!.TargetLocationMaxErrors.shape, "equal"],
            ["InstanceId", managedNodeIdSchema, "InstanceId", "subset"],
            ["PatchGroup", patchGroupNameSchema, "PatchGroup", "equal"],
            ["TagKey", tagKeySchema, "TagKey", "subset"],
            ["TagValue", tagValueSchema, "TagValue", "equal"],
        ];
        for (const [name, schema, shape, relation] of cases) {
            it(`${name} (${relation === "equal" ? "same" : "no looser"} rule as botocore ${shape})`, () => {
                for (const v of CANDIDATES) {
                    const ours = schema.safeParse(v).success;
                    const aws = botocoreAccepts(shape, v);
                    if (ours) expect(aws, `${name} accepts ${JSON.stringify(v)}, botocore ${shape} does not`).to.equal(true);
                    if (relation === "equal") expect(ours, `${name} on ${JSON.stringify(v)} vs botocore ${shape}`).to.equal(aws);
                }
            });
        }

        it("rate control is at most 7 characters even when the pattern matches", () => {
            expect(botocoreAccepts("MaxConcurrency", "12345678")).to.equal(false);
            expect(maxConcurrencySchema.safeParse("12345678").success).to.equal(false);
            expect(maxErrorsSchema.safeParse("12345678").success).to.equal(false);
            expect(maxConcurrencySchema.safeParse("1234567").success).to.equal(true);
        });

        it("every SSM request field carrying rate control, targets, patch groups or schedules has a shared schema", () => {
            // Operations this program sends (components, core, lambda), their members by botocore shape.
            const ops = ["CreateAssociation", "RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow", "CreateMaintenanceWindow", "RegisterPatchBaselineForPatchGroup", "StartAutomationExecution", "SendCommand", "CreatePatchBaseline"];
            const covered: Record<string, string> = {
                MaxConcurrency: "maxConcurrencySchema",
                MaxErrors: "maxErrorsSchema",
                Targets: "tagTargetSchema / managedNodeIdSchema / resourceGroupNameSchema (per target key: targetValueProblems)",
                PatchGroup: "patchGroupNameSchema",
                ScheduleExpression: "stateManagerScheduleSchema",
                MaintenanceWindowSchedule: "maintenanceWindowScheduleSchema",
                TargetLocations: "maxConcurrencySchema / maxErrorsSchema (TargetLocation rate control)",
                TagList: "tagsSchema (tagKeySchema / tagValueSchema)",
            };
            const seen = new Set<string>();
            for (const op of ops) {
                const input = model.shapes[model.operations[op]];
                expect(input, op).to.not.equal(undefined);
                for (const member of Object.values(input.members ?? {})) if (covered[member.shape]) seen.add(member.shape);
            }
            expect([...seen].sort()).to.deep.equal(Object.keys(covered).sort());
            const names = Object.keys(FIELD_SCHEMAS);
            for (const v of Object.values(covered)) for (const n of v.match(/\w+Schema/g) ?? []) if (n !== "tagsSchema") expect(names, n).to.include(n);
        });
    });

    describe("target values are checked by the target's key", () => {
        it("instance ids, resource groups, tag values", () => {
            expect(targetValueProblems("InstanceIds", ["*"])).to.deep.equal([]);
            expect(targetValueProblems("InstanceIds", ["i-0123456789abcdef0", "web-1"]).map((p) => p.index)).to.deep.equal([1]);
            expect(targetValueProblems("resource-groups:Name", ["AWS-group"])[0].message).to.contain("reserved");
            expect(targetValueProblems("tag:Env", ["prod", "bad#value"]).map((p) => p.index)).to.deep.equal([1]);
        });

        // Values chosen so that each key's rule gives a different answer from the others'.
        it("InstanceIds: * only alone; a bad id is reported at its index, with the * alternative", () => {
            const problems = targetValueProblems("InstanceIds", ["*", "mi-0123456789abcdef0", "i-0123abcd"]);
            expect(problems.map((p) => p.index)).to.deep.equal([0]);
            expect(problems[0].message).to.match(/^must be an EC2 instance id .*\(or the single value \* for every node\)$/);
            expect(targetValueProblems("InstanceIds", ["web-1"]).map((p) => p.index)).to.deep.equal([0]);
        });

        it("resource-groups:Name: only a leading aws is reserved; a space is not a group-name character", () => {
            const problems = targetValueProblems("resource-groups:Name", ["my-aws-group", "Aws-patching", "web servers"]);
            expect(problems.map((p) => p.index)).to.deep.equal([1, 2]);
            expect(problems[0].message).to.contain("reserved by Resource Groups");
            expect(problems[1].message).to.contain("Resource Groups GroupName");
        });

        it("resource-groups:ResourceTypeFilters: CloudFormation resource types", () => {
            const problems = targetValueProblems("resource-groups:ResourceTypeFilters", ["AWS::EC2::Instance", "EC2"]);
            expect(problems).to.deep.equal([{ index: 1, message: "must be a CloudFormation resource type such as AWS::EC2::Instance" }]);
        });

        it("tag-key: tag keys (aws: reserved), not tag values", () => {
            const problems = targetValueProblems("tag-key", ["Patch Group", "aws:cloudformation:stack-name"]);
            expect(problems.map((p) => p.index)).to.deep.equal([1]);
            expect(problems[0].message).to.contain('"aws:" are reserved');
        });

        it("tag:<key>: non-empty tag values, which may contain spaces and start with aws", () => {
            const problems = targetValueProblems("tag:Env", ["web servers", "aws:x", ""]);
            expect(problems.map((p) => p.index)).to.deep.equal([2]);
            expect(problems[0].message).to.contain("1–256 characters");
        });

        it("a key no rule applies to checks nothing", () => {
            expect(targetValueProblems("Environment", ["#", ""])).to.deep.equal([]);
        });
    });

    describe("schedule fields name their dialect", () => {
        it("a State Manager cron with 5 fields: the problem, then which schedule grammar it broke", () => {
            const r = FIELD_SCHEMAS.stateManagerScheduleSchema.safeParse("cron(0 2 * * *)");
            expect(r.success).to.equal(false);
            expect(r.error?.issues.map((i) => i.message)).to.deep.equal([
                "cron takes 6 fields (minutes hours day-of-month month day-of-week year), got 5: e.g. cron(0 2 ? * SUN *) (State Manager association schedule)",
            ]);
            expect(FIELD_SCHEMAS.schedulerScheduleSchema.safeParse(6).error?.issues.map((i) => i.message)).to.deep.equal([
                "must be a EventBridge Scheduler expression, e.g. cron(0 6 * * ? *) or rate(1 hour)",
            ]);
        });
    });

    describe("every section sends a field through the shared schema", () => {
        /** Config keys that send an AWS field, and the shared schemas allowed for them. */
        const FIELD_KEYS: Record<string, z.ZodType[]> = {
            maxConcurrency: [FIELD_SCHEMAS.maxConcurrencySchema],
            maxErrors: [FIELD_SCHEMAS.maxErrorsSchema],
            installOverrideList: [FIELD_SCHEMAS.installOverrideListSchema],
            instanceIds: [FIELD_SCHEMAS.managedNodeIdSchema, FIELD_SCHEMAS.ec2InstanceIdSchema],
            patchGroups: [FIELD_SCHEMAS.patchGroupNameSchema],
            tagKeys: [FIELD_SCHEMAS.tagKeySchema],
            schedule: [FIELD_SCHEMAS.stateManagerScheduleSchema, FIELD_SCHEMAS.maintenanceWindowScheduleSchema, FIELD_SCHEMAS.schedulerScheduleSchema, FIELD_SCHEMAS.eventBridgeRuleScheduleSchema],
            requestSchedule: [FIELD_SCHEMAS.schedulerScheduleSchema],
        };

        function unwrap(s: z.ZodType): z.ZodType {
            let cur = s;
            for (;;) {
                const def = (cur as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } } })._zod.def;
                if ((def.type === "optional" || def.type === "default" || def.type === "prefault" || def.type === "nullable") && def.innerType) cur = def.innerType;
                else if (def.type === "array" && def.element) cur = def.element;
                else return cur;
            }
        }

        /** Every (path, key, schema) of object properties in the model. */
        function walk(s: z.ZodType, at: string, out: [string, string, z.ZodType][], seen = new Set<z.ZodType>()): void {
            if (seen.has(s)) return;
            seen.add(s);
            const def = (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
            switch (def.type) {
                case "object":
                    for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>)) {
                        out.push([`${at}.${k}`, k, v]);
                        walk(v, `${at}.${k}`, out, seen);
                    }
                    return;
                case "optional":
                case "default":
                case "prefault":
                case "nullable":
                case "pipe":
                    if (def.innerType) walk(def.innerType as z.ZodType, at, out, seen);
                    if (def.in) walk(def.in as z.ZodType, at, out, seen);
                    return;
                case "array":
                    walk(def.element as z.ZodType, `${at}[]`, out, seen);
                    return;
                case "record":
                    walk(def.valueType as z.ZodType, `${at}{}`, out, seen);
                    return;
                case "union":
                    for (const o of def.options as z.ZodType[]) walk(o, at, out, seen);
                    return;
            }
        }

        const fields: [string, string, z.ZodType][] = [];
        walk(configModelSchema, "patching:", fields);

        it("finds the fields of every section", () => {
            const keys = new Set(fields.map(([, k]) => k));
            for (const k of Object.keys(FIELD_KEYS)) expect(keys, k).to.include(k);
            expect(fields.filter(([, k]) => k === "maxConcurrency").length).to.be.greaterThan(4);
        });

        for (const key of Object.keys(FIELD_KEYS)) {
            it(`${key}: the shared schema in every section`, () => {
                const wrong = fields.filter(([, k, s]) => k === key && !FIELD_KEYS[key].includes(unwrap(s))).map(([p]) => p);
                expect(wrong, `${key} validated by another rule at`).to.deep.equal([]);
            });
        }

        it("resource group names and tag targets use the shared schemas", () => {
            const wrong = fields
                // multiAccount.schedules[].resourceGroup refers to a name of multiAccount.resourceGroups (checked there).
                .filter(([p, k, s]) => (k === "resourceGroup" && unwrap(s)._zod.def.type === "string" && !p.endsWith("schedules[].resourceGroup")) || (k === "name" && /resourceGroups?(\[\])?\.name$/.test(p)) ? unwrap(s) !== FIELD_SCHEMAS.resourceGroupNameSchema : false)
                .map(([p]) => p);
            expect(wrong).to.deep.equal([]);
            const tagTargets = fields.filter(([p, k]) => k === "tags" && /targets\.tags$/.test(p));
            expect(tagTargets.length).to.be.greaterThan(1);
            for (const [p, , s] of tagTargets) expect(unwrap(s), p).to.equal(FIELD_SCHEMAS.tagTargetSchema);
        });

        it("each shared schema names the AWS field it enforces", () => {
            for (const [name, s] of Object.entries(FIELD_SCHEMAS)) expect(fieldMeta(s)?.awsField, name).to.be.a("string");
        });

        it("a schema outside FIELD_SCHEMAS has no field metadata, even with other metadata", () => {
            expect(fieldMeta(z.string())).to.equal(undefined);
            expect(fieldMeta(z.string().meta({ description: "a note" }))).to.equal(undefined);
        });
    });
});
