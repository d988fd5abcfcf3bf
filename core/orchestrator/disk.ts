/**
 * Preflight results and the disk-space decision (seed 003, problem 2: patches fail when the
 * system drive is full; cumulative Windows updates may need 10+ GiB).
 *
 * The preflight script (scripts/preflight-*.{ps1,sh}) measures free space, cleans up when below
 * the threshold, measures again and prints one `PREFLIGHT_RESULT {json}` line. The decision —
 * fine, grow the root volume, or skip the instance — is taken here, in tested code, and the volume
 * is grown by the orchestrator (never by the instance itself, which therefore needs no
 * ec2:ModifyVolume permission).
 */
import type { DiskDecision, OrchestratorSettings, Platform, PreflightReport } from "./types";

export const RESULT_MARKER = "PREFLIGHT_RESULT ";

const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
/** A list of names; PowerShell may serialise a one-element list as a bare string. */
const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : typeof x === "string" && x !== "" ? [x] : []);

/** The report in a preflight command's output (its last marker line), or undefined when absent or malformed. */
export function parsePreflightOutput(output: string | undefined): PreflightReport | undefined {
    if (!output) return undefined;
    const line = output
        .split(/\r?\n/)
        .reverse()
        .find((l) => l.startsWith(RESULT_MARKER));
    if (!line) return undefined;
    let raw: Record<string, unknown>;
    try {
        raw = JSON.parse(line.slice(RESULT_MARKER.length)) as Record<string, unknown>;
    } catch {
        return undefined;
    }
    if ((raw.platform !== "Windows" && raw.platform !== "Linux") || !num(raw.freeGb) || !num(raw.sizeGb)) return undefined;
    return {
        platform: raw.platform,
        operation: raw.operation === "Extend" ? "Extend" : "Check",
        freeGbBefore: num(raw.freeGbBefore) ? raw.freeGbBefore : raw.freeGb,
        freeGb: raw.freeGb,
        sizeGb: raw.sizeGb,
        cleanupRan: raw.cleanupRan === true,
        servicesNotRunning: strs(raw.servicesNotRunning),
        endpointsUnreachable: strs(raw.endpointsUnreachable),
        rebootPending: raw.rebootPending === true,
    };
}

/** Free space the platform's system drive needs. */
export function requiredFreeGb(platform: Platform | "Windows" | "Linux", preflight: OrchestratorSettings["preflight"]): number {
    return platform === "Windows" ? preflight.minFreeGbWindows : preflight.minFreeGbLinux;
}

const gb = (n: number) => `${Math.round(n * 10) / 10} GiB`;

/**
 * Decides what to do about an instance's free space after cleanup: nothing, grow its root volume
 * (by at least `incrementGb`, and by the whole shortfall when that is larger, capped at
 * `maxVolumeSizeGb`), or skip patching it with the reason.
 */
export function decideDisk(args: {
    freeGb: number;
    requiredGb: number;
    expansion: Pick<OrchestratorSettings["preflight"]["volumeExpansion"], "enabled" | "incrementGb" | "maxVolumeSizeGb">;
    volume?: { volumeId: string; sizeGb: number };
}): DiskDecision {
    const { freeGb, requiredGb, expansion, volume } = args;
    if (freeGb >= requiredGb) return { action: "ok", freeGb, requiredGb };
    const shortfall = Math.ceil(requiredGb - freeGb);
    const base = `${gb(freeGb)} free after cleanup, ${requiredGb} GiB required`;
    if (!expansion.enabled) return { action: "insufficient", freeGb, requiredGb, reason: `${base}; volume expansion is disabled` };
    if (!volume) return { action: "insufficient", freeGb, requiredGb, reason: `${base}; no root EBS volume found to expand` };
    const wanted = volume.sizeGb + Math.max(expansion.incrementGb, shortfall);
    const toGb = Math.min(wanted, expansion.maxVolumeSizeGb);
    if (toGb - volume.sizeGb < shortfall) {
        return {
            action: "insufficient",
            freeGb,
            requiredGb,
            reason: `${base}; growing ${volume.volumeId} from ${volume.sizeGb} GiB by ${shortfall} GiB would exceed maxVolumeSizeGb ${expansion.maxVolumeSizeGb}`,
        };
    }
    return { action: "expand", volumeId: volume.volumeId, fromGb: volume.sizeGb, toGb, freeGb, requiredGb };
}

/** Warnings and skip reasons from the Windows Update part of a report. */
export function windowsUpdateFindings(report: PreflightReport): string[] {
    const out: string[] = [];
    if (report.servicesNotRunning.length > 0) out.push(`Windows Update services not running: ${report.servicesNotRunning.join(", ")}`);
    if (report.endpointsUnreachable.length > 0) out.push(`update endpoints unreachable on 443: ${report.endpointsUnreachable.join(", ")}`);
    return out;
}
