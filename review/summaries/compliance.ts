import { Inputs, refName, Summarisers } from "./util";

function parse(text: unknown): any {
    if (typeof text !== "string") return text;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

const list = (x: unknown) => (Array.isArray(x) ? x.join(",") : String(x));

function principal(p: unknown): string {
    if (p === "*" || p === undefined) return String(p ?? "");
    const o = p as Record<string, unknown>;
    return Object.values(o).map(list).join(",");
}

function conditions(c: Record<string, Record<string, unknown>> | undefined): string {
    if (!c) return "";
    const parts = Object.entries(c).flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${list(v)}`));
    return ` when ${parts.join(" and ")}`;
}

/** One line per policy statement: `Sid: Allow|Deny <principal> <actions> on <resources> when …`. */
export function statementLines(policy: unknown): string[] {
    const doc = parse(policy);
    const statements = Array.isArray(doc?.Statement) ? doc.Statement : [];
    return statements.map(
        (s: Inputs) =>
            `${s.Sid ? `${s.Sid}: ` : ""}${s.Effect}${s.Principal ? ` ${principal(s.Principal)}` : ""} ${list(s.Action)}${s.Resource ? ` on ${list(s.Resource)}` : ""}${conditions(s.Condition)}`,
    );
}

export const complianceSummarisers: Summarisers = {
    "aws:ssm/association:Association": (i) => [
        `${i.associationName ?? "(unnamed)"}: document ${i.name}${i.documentVersion ? ` v${i.documentVersion}` : ""}, schedule ${i.scheduleExpression ?? "(once)"}`,
        `targets ${(i.targets ?? []).map((t: Inputs) => `${t.key}=${(t.values ?? []).join(",")}`).join(" ")}`,
        ...(i.parameters ? [`parameters ${Object.entries(i.parameters).map(([k, v]) => `${k}=${v}`).join(" ")}`] : []),
    ],
    "aws:ssm/resourceDataSync:ResourceDataSync": (i) => {
        const d = i.s3Destination ?? {};
        return [`${i.name} → s3://${d.bucketName}/${d.prefix ?? ""} (${d.region}, ${d.syncFormat})`];
    },
    "aws:cloudwatch/logGroup:LogGroup": (i) => [`${i.name}, retention ${i.retentionInDays ?? "never expires"} days`],
    "aws:cloudwatch/eventRule:EventRule": (i) => [
        `${i.name} (${i.state ?? "ENABLED"})${i.scheduleExpression ? `: schedule ${i.scheduleExpression}` : ""}`,
        ...(i.eventPattern ? [`pattern ${JSON.stringify(parse(i.eventPattern))}`] : []),
    ],
    "aws:cloudwatch/eventTarget:EventTarget": (i) => [
        `rule ${i.rule} → ${i.arn}${i.roleArn ? ` as ${refName(i.roleArn.split("/").pop())}` : ""}`,
        ...(i.input ? [`input ${i.input}`] : []),
        ...(i.inputTransformer ? [`message ${i.inputTransformer.inputTemplate}`] : []),
    ],
    "aws:sns/topic:Topic": (i) => [`${i.name}, encrypted with ${i.kmsMasterKeyId ? refName(i.kmsMasterKeyId.split("/").pop()) : "no KMS key (unencrypted)"}`],
    "aws:sns/topicPolicy:TopicPolicy": (i) => statementLines(i.policy),
    "aws:sns/topicSubscription:TopicSubscription": (i) => [`${i.protocol} ${i.endpoint}`],
    "aws:kms/key:Key": (i) => [`rotation ${i.enableKeyRotation ? "on" : "OFF"}, deletion window ${i.deletionWindowInDays ?? 30} days`, ...(i.policy ? statementLines(i.policy) : [])],
    "aws:kms/alias:Alias": (i) => [`${i.name} → ${refName(i.targetKeyId)}`],
    "aws:s3/bucketPolicy:BucketPolicy": (i) => statementLines(i.policy),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (i) =>
        (i.rules ?? []).map(
            (r: Inputs) =>
                `${r.id}${r.filter?.prefix ? ` (${r.filter.prefix})` : ""}: ${[
                    r.expiration?.days !== undefined ? `expire after ${r.expiration.days}d` : "",
                    r.noncurrentVersionExpiration ? `replaced versions after ${r.noncurrentVersionExpiration.noncurrentDays}d` : "",
                    r.abortIncompleteMultipartUpload ? `abort uploads after ${r.abortIncompleteMultipartUpload.daysAfterInitiation}d` : "",
                ]
                    .filter(Boolean)
                    .join(", ")}`,
        ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (i) =>
        (i.rules ?? []).map((r: Inputs) => `default encryption ${r.applyServerSideEncryptionByDefault?.sseAlgorithm}${r.bucketKeyEnabled ? " (bucket key)" : ""}`),
    // IAM roles and inline policies: review/summaries/iam.ts (every statement on its own line).
    "aws:cloudwatch/dashboard:Dashboard": (i) => {
        const body = parse(i.dashboardBody);
        const widgets: Inputs[] = body?.widgets ?? [];
        return [
            `${i.dashboardName}: ${widgets.length} widgets`,
            ...widgets
                .filter((w) => w.type !== "text")
                .map((w) => `${w.properties.title}: ${w.type === "log" ? w.properties.query : (w.properties.metrics as unknown[][]).map((m) => `${m[0]} ${m[1]}${m.length > 3 && typeof m[3] === "string" ? `[${m[3]}]` : ""}`).join(", ")}`),
        ];
    },
    "aws:athena/workgroup:Workgroup": (i) => {
        const c = i.configuration ?? {};
        return [`${i.name}: results ${c.resultConfiguration?.outputLocation} (${c.resultConfiguration?.encryptionConfiguration?.encryptionOption}), enforced ${c.enforceWorkgroupConfiguration}, scan limit ${c.bytesScannedCutoffPerQuery} bytes`];
    },
    "aws:securityhub/productSubscription:ProductSubscription": (i) => [`Security Hub accepts findings from ${i.productArn}`],
};
