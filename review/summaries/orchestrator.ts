import { documentTree } from "../../core/automationDocument";
import { multiAccountSummarisers } from "./multiAccount";
import { Inputs, Summarisers } from "./util";

type State = { Type: string; Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { Next: string }[]; Resource?: string; Parameters?: Inputs; Seconds?: number; SecondsPath?: string };

/** One line per state of a state machine definition: type, what it calls, where it goes. */
export function stateLines(definition: unknown): string[] {
    let def: { StartAt?: string; TimeoutSeconds?: number; States?: Record<string, State> };
    try {
        def = typeof definition === "string" ? JSON.parse(definition) : (definition as typeof def);
    } catch {
        return [`definition: ${String(definition)}`];
    }
    const lines = [`start at ${def.StartAt}${def.TimeoutSeconds ? ` · times out after ${def.TimeoutSeconds} s` : ""}`];
    for (const [name, s] of Object.entries(def.States ?? {})) {
        const what =
            s.Type === "Task"
                ? ` ${s.Parameters?.Payload?.action ? `${String(s.Parameters.FunctionName).split(":").pop()}:${s.Parameters.Payload.action}` : (s.Parameters?.StateMachineArn ?? s.Resource)}`
                : s.Type === "Wait"
                  ? ` ${s.Seconds !== undefined ? `${s.Seconds} s` : s.SecondsPath}`
                  : "";
        const next = [...(s.Choices ?? []).map((c) => c.Next), s.Default, s.Next].filter(Boolean);
        const caught = (s.Catch ?? []).map((c) => c.Next);
        lines.push(`${name} (${s.Type}${what})${next.length ? ` → ${[...new Set(next)].join(" | ")}` : ""}${caught.length ? ` · on error → ${caught.join(", ")}` : ""}`);
    }
    return lines;
}

export const orchestratorSummarisers: Summarisers = {
    "aws:sfn/stateMachine:StateMachine": (i) => [`${i.name} (${i.type ?? "STANDARD"}) as ${i.roleArn}`, ...stateLines(i.definition)],
    "aws:ssm/document:Document": (i) => {
        // Automation runbooks are summarised step by step by the multi-account area.
        if (i.documentType !== "Command") return multiAccountSummarisers["aws:ssm/document:Document"](i);
        let steps: string[] = [];
        let params: string[] = [];
        try {
            const doc = (i.documentFormat === "YAML" ? documentTree(i.content) : JSON.parse(i.content)) as Inputs;
            steps = (doc.mainSteps ?? []).map((s: Inputs) => `${s.name} (${s.action}${s.precondition ? ` if ${JSON.stringify(s.precondition.StringEquals)}` : ""})`);
            params = Object.entries(doc.parameters ?? {}).map(([k, v]) => `${k}=${(v as Inputs).default ?? ""}`);
        } catch {
            // Shown as scalars below.
        }
        return [
            `${i.name} · ${i.documentType} ${i.documentFormat} · version ${i.versionName ?? "-"} · ${Buffer.byteLength(String(i.content ?? ""))} bytes`,
            ...(params.length ? [`parameters: ${params.join(" ")}`] : []),
            ...(steps.length ? [`steps: ${steps.join(", ")}`] : []),
        ];
    },
};
