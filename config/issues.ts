/** A single config problem: where it is, what was given, and what is allowed. */
export interface ConfigIssue {
    /** Full stack-config key path, e.g. `patching:baselines[1].approvalRules[0].approveAfterDays`. */
    path: string;
    /** What is wrong and what is allowed. */
    message: string;
    /** The offending value as given (absent for missing keys). */
    value?: unknown;
}

/** Thrown by {@link parseConfig} with every problem found, before any resource is registered. */
export class ConfigValidationError extends Error {
    constructor(readonly issues: ConfigIssue[]) {
        super(
            `Stack configuration is invalid (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  - ${formatIssue(i)}`).join("\n"),
        );
        this.name = "ConfigValidationError";
    }
}

export function formatValue(value: unknown): string {
    if (value === undefined) return "nothing";
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatIssue(issue: ConfigIssue): string {
    const got = "value" in issue ? ` (got ${formatValue(issue.value)})` : "";
    return `${issue.path}: ${issue.message}${got}`;
}

/** Turns a path of keys and indexes into `a.b[0].c`. */
export function joinPath(base: string, parts: readonly PropertyKey[]): string {
    let out = base;
    for (const p of parts) {
        if (typeof p === "number") out += `[${p}]`;
        else if (typeof p === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += `.${p}`;
        else out += `[${JSON.stringify(String(p))}]`;
    }
    return out;
}

/** Collects issues under a path prefix; used by the cross-field checks. */
export class IssueSink {
    readonly issues: ConfigIssue[] = [];
    add(path: string, message: string, value?: unknown, hasValue = arguments.length >= 3): void {
        this.issues.push(hasValue ? { path, message, value } : { path, message });
    }
}

/** Narrowing helpers for checks that must run even where the structural schema failed. */
export function asArray(x: unknown): unknown[] {
    return Array.isArray(x) ? x : [];
}
export function asRecord(x: unknown): Record<string, unknown> {
    return x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** A stack file that is not valid YAML (syntax error, duplicate key): each problem as `file:line:col: message`. */
export class StackFileError extends Error {
    constructor(
        readonly file: string,
        readonly problems: { line: number; col: number; message: string }[],
    ) {
        super(problems.map((p) => `${file}:${p.line}:${p.col}: ${p.message}`).join("\n"));
        this.name = "StackFileError";
    }
}
