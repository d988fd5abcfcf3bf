/**
 * The stacks every plan-wide proof runs over (the wiring proof, the IAM and API contract checks):
 * the shipped stack files, the example a newcomer copies, and every fixture that is a stack file
 * (a fixture whose config is invalid plans nothing, and is kept: it proves nothing slips through).
 */
import * as fs from "fs";
import * as path from "path";
import { parseStackYaml } from "../../config/source";
import { StackFileError } from "../../config/issues";
import { ROOT } from "../harness";

/** Fixtures of broken YAML (a duplicate key, a syntax error) are not stacks: the config tests cover them. */
function isYamlStackFile(file: string): boolean {
    try {
        parseStackYaml(file, fs.readFileSync(file, "utf8"));
        return true;
    } catch (err) {
        if (err instanceof StackFileError) return false;
        throw err;
    }
}

const stackFiles = (dir: string, prefix: string): [string, string][] =>
    fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => f.endsWith(".yaml") && f !== "invalid.yaml" && isYamlStackFile(path.join(ROOT, dir, f)))
        .map((f): [string, string] => [`${prefix}-${f.replace(/\.yaml$/, "")}`, path.join(ROOT, dir, f)]);

/** `[stack name, config file]` of every stack the proofs run over. */
export const STACKS: [string, string][] = [
    ["dev", path.join(ROOT, "Pulumi.dev.yaml")],
    ["prod", path.join(ROOT, "Pulumi.prod.yaml")],
    ["member-example", path.join(ROOT, "Pulumi.member-example.yaml")],
    ...stackFiles("examples", "example"),
    ...stackFiles(path.join("tests", "fixtures"), "fixture"),
];
