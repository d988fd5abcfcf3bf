/**
 * Extracts the constraints of botocore's SSM service model (shapes: type, min, max, pattern, enum;
 * structures: member → shape; operations: input shape) into tests/fixtures/ssm-model/constraints.json,
 * the independent truth tests/fields.test.ts checks config/fields.ts against. The JavaScript SDK's
 * schemas (`@aws-sdk/client-ssm/dist-*\/schemas`) carry member names but no patterns or lengths,
 * so the botocore model is the source for those.
 *
 *   node -r ts-node/register/transpile-only scripts/extract-ssm-model.ts <botocore>/data/ssm/2014-11-06/service-2.json[.gz] <botocore version>
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/** One shape of the extracted model: what tests/fixtures/ssm-model/constraints.json holds per shape. */
export interface Shape {
    type: string;
    min?: number;
    max?: number;
    pattern?: string;
    enum?: string[];
    member?: { shape: string };
    members?: Record<string, { shape: string }>;
}

/** tests/fixtures/ssm-model/constraints.json as the tests read it (`import type`: nothing runs). */
export interface SsmConstraints {
    /** Operation → its input shape. */
    operations: Record<string, string>;
    shapes: Record<string, Shape>;
}

function main(): void {
    const [file, version] = process.argv.slice(2);
    if (!file || !version) throw new Error("usage: extract-ssm-model.ts <service-2.json[.gz]> <botocore version>");
    const raw = fs.readFileSync(file);
    const model = JSON.parse((file.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8")) as {
        metadata: { apiVersion: string };
        operations: Record<string, { input?: { shape: string } }>;
        shapes: Record<string, Shape>;
    };
    const shapes: Record<string, Shape> = {};
    for (const [name, s] of Object.entries(model.shapes)) {
        const out: Shape = { type: s.type };
        for (const k of ["min", "max", "pattern", "enum"] as const) if (s[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = s[k];
        if (s.member) out.member = { shape: s.member.shape };
        if (s.members) out.members = Object.fromEntries(Object.entries(s.members).map(([m, v]) => [m, { shape: v.shape }]));
        shapes[name] = out;
    }
    const operations = Object.fromEntries(Object.entries(model.operations).map(([name, op]) => [name, op.input?.shape]));
    const out = {
        source: `botocore ${version}, botocore/data/ssm/${model.metadata.apiVersion}/service-2.json (shapes reduced to type/min/max/pattern/enum/members)`,
        operations,
        shapes,
    };
    const dest = path.join(__dirname, "..", "tests", "fixtures", "ssm-model", "constraints.json");
    fs.writeFileSync(dest, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`wrote ${dest}: ${Object.keys(shapes).length} shapes, ${Object.keys(operations).length} operations`);
}

main();
