/**
 * The approval gate's operator command (authenticated with the operator's own AWS credentials;
 * every change is a new calendar document version, recorded by CloudTrail):
 *
 *   npm run approve -- --stack prod --reason "CAB-1234" [--hours 24] [--start 2026-12-17T00:00:00Z]
 *   npm run approve -- --stack prod --close      # end open periods now, withdraw future ones
 *   npm run approve -- --stack prod --status     # open periods and the next install
 *   npm run approve -- --request --stack prod --bucket <artifact bucket> --reason "CAB-1234"
 *                                                # a person requests the cycle's install (two-person rule)
 *
 * Under the two-person rule the approver writes the approval calendar (`<project>-<stack>-approvals`);
 * the gate function releases a counted approval to the calendar the installs check.
 * The stack's config (Pulumi.<stack>.yaml, through the config model) gives the calendar name,
 * Region, open hours and the install schedule, so the command says whether the next install falls
 * inside the approved period. A request records the caller's STS identity (never typed text) as the
 * cycle's requester in the gate state (`approval-gate/<stack>/<cycle>.json`), written with a
 * precondition so two concurrent requests cannot overwrite each other. Exit codes: 0 done, 1 the
 * stack has no approval gate or the gate refuses (not the right role, the same person, already
 * requested by someone else, a concurrent request won), 3 usage.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { parseConfig } from "../config";
import { changeSafetyNames, separateApprovalCalendar } from "../config/changeSafety";
import { calendarRegions, heldInstalls } from "../config/approvalCalendars";
import { stackFileLoader } from "../config/source";
import { closeCalendar, GateState, openCalendar, personRequestReason, readCalendar, readGateState, recordPersonRequest, syncReplicas } from "../core/approvalGate";
import { clientConfig } from "../core/awsClients";
import { isOpenAt, isSessionOf, parseCalendarEvents, principalKey, samePersonReason } from "../core/changeCalendar";
import { cycleOf } from "../core/calendar";
import { formatRun, nextRuns } from "../core/schedule";

export const APPROVE_USAGE = `usage: npm run approve -- --stack NAME (--reason TEXT [--hours N] [--start ISO-8601] [--bucket NAME] | --request --bucket NAME --reason TEXT | --close | --status)
  --stack NAME     the stack whose gated install is approved (reads Pulumi.NAME.yaml)
  --reason TEXT    why (change ticket); recorded in the calendar event (or the request)
  --request        request the current release cycle's install as yourself (the requester role
                   under the two-person rule); another person then approves
  --bucket NAME    the stack's artifact bucket (pulumi stack output changeSafety: artifactBucket),
                   where the gate state is; required by --request, and to approve under the two-person rule
  --hours N        length of the open period (default: approvalGate.openHours)
  --start TIME     start of the period, e.g. 2026-12-17T00:00:00Z (default: now)
  --close          end every open period now and withdraw future ones (stop a rollout)
  --status         print the open periods and the next install
exit codes: 0 done, 1 no approval gate or refused (wrong role, same person, already requested, a concurrent request won), 3 usage error`;

export interface ApproveDeps {
    ssm: (region: string) => SSMClient;
    /** The artifact bucket's client (the gate state), for --request and the two-person check. @default none: those refuse */
    s3?: (region: string) => S3Client;
    /**
     * The caller's identity ARN (sts:GetCallerIdentity): shown, and written into the event
     * (X-PATCHING-APPROVER) for readers only. The gate takes the approver from CloudTrail (who
     * made the UpdateDocument call) and rejects an event whose text names someone else.
     */
    whoAmI: (region: string) => Promise<string>;
    now: Date;
    projectDir: string;
}

interface ApproveArgs {
    stack?: string;
    reason?: string;
    hours?: number;
    start?: Date;
    bucket?: string;
    mode: "open" | "close" | "status" | "request";
}

class UsageError extends Error {}

export function parseApproveArgs(argv: string[]): ApproveArgs {
    const a: ApproveArgs = { mode: "open" };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const next = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value\n${APPROVE_USAGE}`);
            return v;
        };
        if (arg === "--stack") a.stack = next();
        else if (arg === "--reason") a.reason = next();
        else if (arg === "--bucket") a.bucket = next();
        else if (arg === "--request") a.mode = "request";
        else if (arg === "--hours") {
            const h = Number(next());
            if (!Number.isInteger(h) || h < 1 || h > 168) throw new UsageError(`--hours must be a whole number from 1 to 168`);
            a.hours = h;
        } else if (arg === "--start") {
            const v = next();
            const d = new Date(v);
            if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(d.getTime())) throw new UsageError(`--start must be an ISO-8601 time with a zone, e.g. 2026-12-17T00:00:00Z; got ${v}`);
            a.start = d;
        } else if (arg === "--close") a.mode = "close";
        else if (arg === "--status") a.mode = "status";
        else if (arg === "--help" || arg === "-h") throw new UsageError(APPROVE_USAGE);
        else throw new UsageError(`unknown argument ${arg}\n${APPROVE_USAGE}`);
    }
    if (!a.stack) throw new UsageError(`--stack is required\n${APPROVE_USAGE}`);
    if (a.mode === "open" && !a.reason) throw new UsageError(`--reason is required to approve (a change ticket or why)\n${APPROVE_USAGE}`);
    if (a.mode === "request" && (!a.reason || !a.bucket)) throw new UsageError(`--request needs --reason (a change ticket or why) and --bucket (the artifact bucket)\n${APPROVE_USAGE}`);
    if (a.mode === "request" && (a.hours !== undefined || a.start !== undefined)) throw new UsageError(`--request takes no --hours or --start: the approver chooses the open period\n${APPROVE_USAGE}`);
    return a;
}

export async function runApprove(argv: string[], deps: ApproveDeps, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
    let args: ApproveArgs;
    try {
        args = parseApproveArgs(argv);
    } catch (err) {
        if (err instanceof UsageError) {
            out(`${err.message}\n`);
            return argv.includes("--help") || argv.includes("-h") ? 0 : 3;
        }
        throw err;
    }
    const load = stackFileLoader(deps.projectDir);
    const values = load(args.stack!);
    if (!values) {
        out(`no stack file Pulumi.${args.stack}.yaml in ${deps.projectDir}\n`);
        return 1;
    }
    const project = (YAML.parse(fs.readFileSync(path.join(deps.projectDir, "Pulumi.yaml"), "utf8")) as { name?: string })?.name ?? "patching";
    const cfg = parseConfig(values, { project, stack: args.stack!, now: deps.now });
    const gate = cfg.changeSafety?.approvalGate;
    // The installs the calendar holds (config/approvalCalendars.ts: the program deploys from the same list).
    const held = heldInstalls(cfg);
    if (!gate || held.length === 0) {
        out(`stack ${args.stack} has no approval gate (patching:changeSafety.approvalGate holding an install)\n`);
        return 1;
    }
    // Two-person rule: the approver writes its own calendar (home Region only); the gate function releases what counts to the installs' calendar.
    const split = separateApprovalCalendar(gate);
    const release = changeSafetyNames(cfg.project, cfg.stack).calendar;
    const calendar = split ? changeSafetyNames(cfg.project, cfg.stack).approverCalendar : release;
    const ssm = deps.ssm(cfg.region);
    // The calendar's copies in the other Regions of held installs: written with the home content.
    const replicas = split
        ? []
        : calendarRegions(cfg)
              .filter((r) => r !== cfg.region)
              .map((region) => ({ region, ssm: deps.ssm(region) }));
    const synced = async () => {
        if (replicas.length === 0) return "";
        const r = await syncReplicas(ssm, replicas, calendar);
        return `\nsame content in ${r.map((x) => `${x.region} (${x.version === "unchanged" ? "unchanged" : `version ${x.version}`})`).join(", ")}`;
    };
    const next = held
        .map((h) => nextRuns(h.expression, { from: deps.now, count: 1, offsetDays: h.offsetDays, timezone: h.timezone })[0])
        .filter((d): d is Date => d !== undefined)
        .sort((a, b) => a.getTime() - b.getTime())[0];
    const nextText = next ? formatRun(next) : "(none scheduled)";
    if (args.mode === "status") {
        const periods = (name: string, events: ReturnType<typeof parseCalendarEvents>) => {
            const current = events.filter((e) => e.end.getTime() > deps.now.getTime());
            return [
                `${name}: ${isOpenAt(events, deps.now) ? "OPEN" : "CLOSED"} now (${deps.now.toISOString()})`,
                ...(current.length ? current.map((e) => `  open ${e.start.toISOString()} – ${e.end.toISOString()}: ${e.summary}${e.description ? ` (${e.description})` : ""}`) : ["  no current or future open period"]),
            ];
        };
        // What the installs check: the release calendar (the gate function's) under the two-person rule.
        const released = parseCalendarEvents(await readCalendar(ssm, release));
        out(
            [
                ...(split ? [`approvals (written by the approver role; no install checks this calendar):`, ...periods(calendar, parseCalendarEvents(await readCalendar(ssm, calendar))), `released by the approval gate (what the installs check):`] : []),
                ...periods(release, released),
                `next gated install: ${nextText} — ${next && isOpenAt(released, next) ? "inside an open period: it will run" : "the calendar is closed then: it will not run"}`,
            ].join("\n") + "\n",
        );
        return 0;
    }
    const by = await deps.whoAmI(cfg.region);
    const names = changeSafetyNames(cfg.project, cfg.stack);
    // The stack's operator roles, in the caller's account (they are deployed with the calendar, in its account).
    const account = /^arn:([^:]+):sts::(\d{12}):/.exec(by) ?? /^arn:([^:]+):iam::(\d{12}):/.exec(by);
    const roleArn = (name: string) => (account ? `arn:${account[1]}:iam::${account[2]}:role/${name}` : undefined);
    const requesters = gate.approvers?.requesters ? roleArn(names.requesterRole) : undefined;
    const s3 = () => {
        if (!deps.s3) throw new Error("no S3 client: the gate state cannot be read");
        return deps.s3(cfg.region);
    };
    if (args.mode === "request") {
        if (gate.approvers?.requesters && !(requesters && isSessionOf(by, requesters))) {
            out(`${by} is not a session of the requester role ${names.requesterRole}: the gate would not count this request. Assume the role first (aws sts assume-role, or an Identity Center profile for it).\n`);
            return 1;
        }
        const cycle = cycleOf(deps.now, cfg.changeSafety!.cycle).id;
        // A person's request: a session of the requester role, or (without one) any request a person made.
        const isPerson = (st: GateState) => (requesters ? !!st.requestedBy && isSessionOf(st.requestedBy, requesters) : st.requestedVia === "person");
        const r = await recordPersonRequest(s3(), { bucket: args.bucket!, stack: cfg.stack, cycle, now: deps.now, requester: by, reason: args.reason!, isPerson });
        const key = `s3://${args.bucket}/approval-gate/${cfg.stack}/${cycle}.json`;
        if (r.outcome === "requested" || r.outcome === "replaced-scheduled") {
            out(
                [
                    `cycle ${cycle} of ${cfg.stack}: requested by ${by} at ${deps.now.toISOString()} (${args.reason}) — recorded in ${key}${r.outcome === "replaced-scheduled" ? ` (replacing the scheduled request of ${r.state.scheduledRequest?.requestedAt})` : ""}`,
                    `next: ${gate.approvers?.twoPersonRule ? "another person" : "an approver"} approves: ${`npm run approve -- --stack ${cfg.stack} --reason "<change ticket>"${gate.approvers?.twoPersonRule ? ` --bucket ${args.bucket}` : ""}`}`,
                ].join("\n") + "\n",
            );
            return 0;
        }
        if (r.outcome === "already-requested") {
            const mine = r.state.requestedBy !== undefined && principalKey(r.state.requestedBy) === principalKey(by);
            out(`cycle ${cycle} of ${cfg.stack} was already requested by ${r.state.requestedBy} at ${r.state.requestedAt}${mine ? " (you): nothing to do" : ": your request was not recorded"}\n`);
            return mine ? 0 : 1;
        }
        if (r.outcome === "decided") {
            out(`cycle ${cycle} of ${cfg.stack} is already decided (${r.state.status} by ${r.state.by} at ${r.state.decidedAt}): a request now changes nothing\n`);
            return 1;
        }
        out(`cycle ${cycle} of ${cfg.stack}: ${r.message}\n`);
        return 1;
    }
    if (args.mode === "close") {
        const n = await closeCalendar(ssm, calendar, deps.now, by);
        // Every Region's copy is closed too, even when the home one had nothing open (a copy may differ).
        const also = await synced();
        out(
            split
                ? `${calendar}: ${n === 0 ? "nothing was open" : `${n} approval(s) closed or withdrawn`}; the approval gate ends the release in ${release} at its next check (within the hour, minutes after CloudTrail delivers this change) — a run already started finishes; stop it with aws ssm stop-automation-execution.\n`
                : `${calendar}: ${n === 0 ? "nothing was open" : `${n} period(s) closed or withdrawn`}; the calendar is CLOSED — the gated install does not start (a run already started finishes; stop it with aws ssm stop-automation-execution).${also}\n`,
        );
        return 0;
    }
    const start = args.start ?? deps.now;
    const hours = args.hours ?? gate.openHours;
    const end = new Date(start.getTime() + hours * 3600000);
    // The approver the gate counts is the principal CloudTrail records for this UpdateDocument call
    // (the caller STS authenticates here), never typed text; only sessions of the stack's approver
    // role count (patching:changeSafety.approvalGate.approvers).
    const approverRole = names.approverRole;
    if (gate.approvers && /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\//.exec(by)?.[1] !== approverRole) {
        out(`${by} is not a session of the approver role ${approverRole}: the gate would reject this approval. Assume the role first (aws sts assume-role, or an Identity Center profile for it).\n`);
        return 1;
    }
    const cycle = cycleOf(start, cfg.changeSafety!.cycle).id;
    if (gate.approvers?.twoPersonRule) {
        // Refused before the calendar opens: the gate would not count it, and an open calendar lets the install start.
        if (!args.bucket) {
            out(`the two-person rule is on: give --bucket <artifact bucket> so the command can check who requested cycle ${cycle} before it opens the calendar\n`);
            return 3;
        }
        const read = await readGateState(s3(), args.bucket, cfg.stack, cycle);
        const refusal = !read
            ? `nobody requested cycle ${cycle} yet: a person requests it first (npm run approve -- --request --stack ${cfg.stack} --bucket ${args.bucket} --reason "<change ticket>")`
            : (personRequestReason(read.state, { requesterRoleArn: requesters, stack: cfg.stack }) ?? (read.state.requestedBy ? samePersonReason(by, read.state.requestedBy) : undefined));
        if (refusal) {
            out(`not approved, the calendar is unchanged — ${refusal}\n`);
            return 1;
        }
    }
    const version = await openCalendar(ssm, calendar, { start, hours, by, approver: by, cycle, reason: args.reason!, now: deps.now });
    const also = await synced();
    const covers = next !== undefined && next.getTime() >= start.getTime() && next.getTime() < end.getTime();
    out(
        [
            `${calendar} version ${version}: open ${start.toISOString()} – ${end.toISOString()}, approved by ${by} (${args.reason})${also}`,
            split
                ? `the approval gate releases it to ${release} (what the installs check) once CloudTrail shows ${by} made this change (version ${version}; usually within minutes, at the latest the hourly check after): closed until then`
                : `the gate counts it once CloudTrail shows ${by} made this change (version ${version}; usually within minutes): pending verification until then`,
            `next gated install: ${nextText} — ${covers ? "inside the approved period: it will run" : "NOT inside the approved period: it will not run; approve again with --start before it and --hours covering it"}`,
        ].join("\n") + "\n",
    );
    return 0;
}

if (require.main === module) {
    runApprove(process.argv.slice(2), {
        ssm: (region) => new SSMClient(clientConfig({ region })),
        s3: (region) => new S3Client(clientConfig({ region })),
        whoAmI: async (region) => {
            const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
            return (await new STSClient(clientConfig({ region })).send(new GetCallerIdentityCommand({}))).Arn ?? "unknown";
        },
        now: new Date(),
        projectDir: path.resolve(__dirname, ".."),
    }).then((code) => process.exit(code));
}
