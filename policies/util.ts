/**
 * Helpers shared by the policies: reading IAM policy documents, policy configuration with
 * defaults, and the type tokens the pack looks at. No Pulumi engine state; the offline review
 * runs the same functions.
 */
import { ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";

/** A normalised IAM statement: Action/Resource always lists. */
export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    NotAction: string[];
    Resource: string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}

const list = (x: unknown): string[] => (x === undefined || x === null ? [] : Array.isArray(x) ? x.map(String) : [String(x)]);

/** Statements of a policy document given as JSON text or an object; unknown values yield none. */
export function statementsOf(doc: unknown): Statement[] {
    let parsed: unknown = doc;
    if (typeof doc === "string") {
        try {
            parsed = JSON.parse(doc);
        } catch {
            return [];
        }
    }
    if (!parsed || typeof parsed !== "object") return [];
    const raw = (parsed as { Statement?: unknown }).Statement;
    const statements = Array.isArray(raw) ? raw : raw ? [raw] : [];
    return statements
        .filter((s): s is Record<string, unknown> => !!s && typeof s === "object")
        .map((s) => ({
            Sid: s.Sid as string | undefined,
            Effect: s.Effect === "Deny" ? "Deny" : "Allow",
            Action: list(s.Action),
            NotAction: list(s.NotAction),
            Resource: list(s.Resource),
            Principal: s.Principal,
            Condition: s.Condition as Statement["Condition"],
        }));
}

/** `Sid` or position, to point a reviewer at a statement. */
export function statementLabel(s: Statement, i: number): string {
    return s.Sid ? `statement "${s.Sid}"` : `statement #${i + 1}`;
}

/** The policy's configuration merged over its defaults (the CLI may send none). */
export function configOf<T extends object>(args: ResourceValidationArgs | StackValidationArgs, defaults: T): T {
    return { ...defaults, ...(args.getConfig<Partial<T>>() ?? {}) };
}

export type Report = ReportViolation;

/** Compliance levels, most severe first (botocore PatchComplianceLevel). */
export const COMPLIANCE_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"];
export function complianceRank(level: string | undefined): number {
    const i = COMPLIANCE_ORDER.indexOf(level ?? "UNSPECIFIED");
    return i < 0 ? COMPLIANCE_ORDER.length - 1 : i;
}

/** SSM documents that install or scan patches. */
export function isPatchDocument(name: unknown): boolean {
    return typeof name === "string" && /RunPatchBaseline/.test(name);
}

/** The resource's display name for messages: `type name`. */
export function label(r: { type: string; name: string }): string {
    return `${r.type.split(":").pop()} "${r.name}"`;
}
