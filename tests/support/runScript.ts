/** Runs the aws:executeScript step of a shipped SSM document against a fake boto3 (tests/fixtures/run_script.py). */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DOCUMENTS_DIR } from "../../components/patchPolicy";

/** Whether python3 is on the PATH (script tests skip without it). */
export const python = spawnSync("python3", ["--version"]).status === 0;

export type ScriptCall = [string, string, Record<string, any>];

/** Runs a document's script handler with a scenario (events, pages, responses, failures) and returns its result or error and every SDK call. */
export function runScript(file: string, scenario: object): { result?: Record<string, unknown>; error?: string; calls: ScriptCall[] } {
    const doc = YAML.parse(fs.readFileSync(path.join(DOCUMENTS_DIR, file), "utf8")) as { mainSteps: { action: string; inputs: { Script?: string } }[] };
    const step = doc.mainSteps.find((s) => s.action === "aws:executeScript")!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssm-script-"));
    fs.writeFileSync(path.join(dir, "script.py"), step.inputs.Script as string);
    fs.writeFileSync(path.join(dir, "scenario.json"), JSON.stringify(scenario));
    const run = spawnSync("python3", [path.join(__dirname, "..", "fixtures", "run_script.py"), path.join(dir, "script.py"), path.join(dir, "scenario.json")], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout);
}
