/** Runs the aws:executeScript step of a shipped SSM document against a fake boto3 (tests/fixtures/run_script.py). */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DOCUMENTS_DIR } from "../../components/patchPolicy";

let interpreter: string | null | undefined;
/**
 * The python3 interpreter's own path, asked once per test process (`sys.executable`), or null
 * without python3. A version manager's `python3` on the PATH (pyenv's shim) is a script that
 * takes about half a second to pick the interpreter; the tests run it a dozen times.
 */
export function pythonInterpreter(): string | null {
    if (interpreter === undefined) {
        const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
        interpreter = r.status === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : null;
    }
    return interpreter;
}

/** Whether python3 is on the PATH (script tests skip without it). */
export const python = (): boolean => pythonInterpreter() !== null;

export type ScriptCall = [string, string, Record<string, any>];

/**
 * Runs a document's script handler (the step named `stepName`, by default its only
 * aws:executeScript step) with a scenario (events, pages, responses, failures) and returns its
 * result or error and every SDK call.
 */
export function runScript(file: string, scenario: object, stepName?: string): { result?: Record<string, unknown>; error?: string; calls: ScriptCall[] } {
    const doc = YAML.parse(fs.readFileSync(path.join(DOCUMENTS_DIR, file), "utf8")) as { mainSteps: { name: string; action: string; inputs: { Script?: string } }[] };
    const step = doc.mainSteps.find((s) => (stepName === undefined ? s.action === "aws:executeScript" : s.name === stepName))!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssm-script-"));
    try {
        fs.writeFileSync(path.join(dir, "script.py"), step.inputs.Script as string);
        fs.writeFileSync(path.join(dir, "scenario.json"), JSON.stringify(scenario));
        const run = spawnSync(pythonInterpreter() ?? "python3", [path.join(__dirname, "..", "fixtures", "run_script.py"), path.join(dir, "script.py"), path.join(dir, "scenario.json")], { encoding: "utf8" });
        if (run.status !== 0) throw new Error(run.stderr);
        return JSON.parse(run.stdout);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
