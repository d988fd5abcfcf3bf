/**
 * The approval gate of the orchestrator: before each batch the run asks the stack's approval
 * change calendar (change safety's DEFAULT_CLOSED ChangeCalendar document) whether installs may
 * run. A calendar that closes mid-run stops the run cleanly: no further batch starts, the batch
 * that ran was already restored by its own last step, and the run's final restore sweeps again.
 *
 * SSM GetCalendarState (API reference): `State` is OPEN or CLOSED for the given calendars "at the
 * time you specify, or the current time"; `AtTime` is ISO 8601. Several calendars are CLOSED when
 * any one is.
 */
import { GetCalendarStateCommand, SSMClient } from "@aws-sdk/client-ssm";

/** What the gate found before a batch. */
export interface GateCheck {
    open: boolean;
    calendar: string;
    /** When the state changes next (from the calendar), if known. */
    nextTransitionTime?: string;
}

/** One GetCalendarState call for `calendar` (name or ARN) at `now`. */
export async function checkApprovalCalendar(ssm: SSMClient, calendar: string, now: Date): Promise<GateCheck> {
    const out = await ssm.send(new GetCalendarStateCommand({ CalendarNames: [calendar], AtTime: now.toISOString() }));
    if (out.State !== "OPEN" && out.State !== "CLOSED") throw new Error(`GetCalendarState for ${calendar} returned no state (got ${JSON.stringify(out.State)})`);
    return { open: out.State === "OPEN", calendar, ...(out.NextTransitionTime ? { nextTransitionTime: out.NextTransitionTime } : {}) };
}

/** The stop detail of a closed calendar. */
export function closedDetail(gate: GateCheck): string {
    return `approval calendar ${gate.calendar} is CLOSED${gate.nextTransitionTime ? ` (next change ${gate.nextTransitionTime})` : ""}: no further batch starts`;
}
