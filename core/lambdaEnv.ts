/** Reading a change-safety Lambda's environment (set by the program; no secrets). */
export function env(name: string): string {
    const v = process.env[name];
    if (v === undefined || v === "") throw new Error(`environment variable ${name} is not set`);
    return v;
}
export function envList(name: string): string[] {
    return env(name)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
}
export function envOptional(name: string): string | undefined {
    return process.env[name] || undefined;
}
/** A whole number (the program sets these from validated integers); a value that is not one is an error, never NaN. */
export function envInt(name: string, fallback: number): number {
    const v = process.env[name];
    if (v === undefined || v === "") return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`environment variable ${name} is "${v}", not a whole number`);
    return n;
}
