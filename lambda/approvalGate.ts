/**
 * Scheduled (EventBridge Scheduler): the approval gate. `{"action":"request"}` sends the cycle's
 * approval request (under the two-person rule: asks a person to request; never overwrites a
 * person's request); `{"action":"check"}` (hourly) records an approval, holds the install while no
 * person requested (two-person rule), or applies the timeout policy. Logic: core/approvalGate.ts.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { checkApproval, GateOptions, GateResult, Notify, requestApproval } from "../core/approvalGate";
import { ClientOptions, clientConfig } from "../core/awsClients";
import { env, envInt } from "../core/lambdaEnv";

/** Options of {@link createHandler}; the defaults are what Lambda runs. */
export interface GateHandlerOptions {
    /** Client settings (tests: a fake transport, static credentials). */
    clients?: Omit<ClientOptions, "region">;
    /** @default SNS Publish to TOPIC_ARN */
    notify?: Notify;
    /** @default the current time */
    now?: () => Date;
    log?: (line: string) => void;
}

export function createHandler(o: GateHandlerOptions = {}) {
    return async function handler(event: { action?: string }): Promise<GateResult> {
        const region = env("AWS_REGION");
        const config = (r: string) => clientConfig({ region: r, ...o.clients });
        const topicArn = env("TOPIC_ARN");
        const sns = o.notify ? undefined : new SNSClient(config(region));
        const clients = {
            ssm: new SSMClient(config(region)),
            // The calendar's copies in the other Regions it holds installs in: opened together.
            replicas: (process.env.CALENDAR_REPLICA_REGIONS ?? "")
                .split(",")
                .filter(Boolean)
                .map((r) => ({ region: r, ssm: new SSMClient(config(r)) })),
            s3: new S3Client(config(region)),
            // Who wrote each calendar version (the approver), and who makes the request (the requester).
            cloudTrail: new CloudTrailClient(config(region)),
            sts: new STSClient(config(region)),
            // SNS email subjects are at most 100 characters.
            notify: o.notify ?? (async (subject: string, message: string) => void (await sns!.send(new PublishCommand({ TopicArn: topicArn, Subject: subject.slice(0, 100), Message: message })))),
        };
        const offset = envInt("INSTALL_OFFSET_DAYS", 0);
        const options: GateOptions = {
            stack: env("STACK"),
            calendarName: env("CALENDAR_NAME"),
            // Two-person rule: the approver's calendar; CALENDAR_NAME is then the release calendar only this function writes.
            ...(process.env.APPROVAL_CALENDAR_NAME ? { approvalCalendarName: process.env.APPROVAL_CALENDAR_NAME } : {}),
            bucket: env("BUCKET"),
            timeout: { action: env("TIMEOUT_ACTION") === "open" ? "open" : "skip", afterHours: envInt("TIMEOUT_HOURS", 48) },
            openHours: envInt("OPEN_HOURS", 24),
            install: { expression: env("INSTALL_SCHEDULE"), offsetDays: offset > 0 ? offset : undefined },
            cycle: { time: env("CYCLE_TIME"), timezone: env("CYCLE_TIMEZONE") },
            approverRoleArn: process.env.APPROVER_ROLE_ARN || undefined,
            // Two-person rule: only the requester role's sessions request; the scheduled request never counts.
            requesterRoleArn: process.env.REQUESTER_ROLE_ARN || undefined,
            twoPersonRule: process.env.TWO_PERSON_RULE === "true",
            now: o.now?.() ?? new Date(),
            ...(o.log ? { log: o.log } : {}),
        };
        if (event.action === "request") return requestApproval(clients, options);
        if (event.action === "check") return checkApproval(clients, options);
        throw new Error(`unknown action ${JSON.stringify(event.action)}; expected "request" or "check"`);
    };
}

export const handler = createHandler();
