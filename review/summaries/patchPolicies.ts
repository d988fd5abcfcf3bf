import { statementLines } from "./compliance";
import { Inputs, refName, Summarisers } from "./util";

/** The readable tail of an ARN (`policy/AmazonSSMManagedInstanceCore`, `role/x`), or the value. */
function arnTail(arn: unknown): string {
    return typeof arn === "string" && arn.startsWith("arn:") ? arn.split(":").slice(5).join(":") : refName(arn);
}

/** `tag:Environment=dev,test; InstanceIds=*`. */
function targets(list: Inputs[] | undefined): string {
    return (list ?? []).map((t) => `${t.key}=${(t.values ?? []).join(",")}`).join("; ");
}

/** `Operation=Install RebootOption=RebootIfNeeded …` (aws-native parameters: lists). */
function parameters(params: Inputs | undefined): string {
    return Object.entries(params ?? {})
        .map(([k, v]) => `${k}=${(Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" && x.length > 80 ? `${x.slice(0, 77)}...` : x)).join(",")}`)
        .join(" ");
}

export const patchPolicySummarisers: Summarisers = {
    "aws-native:ssm:Association": (i) => [
        `${i.associationName}: ${i.name}`,
        ...(i.scheduleExpression
            ? [`schedule ${i.scheduleExpression}${i.scheduleOffset ? ` + ${i.scheduleOffset}d offset` : ""}${i.applyOnlyAtCronInterval ? ", only at cron interval" : ", also runs on create/update"}`]
            : ["runs once (no schedule)"]),
        ...(i.targets ? [`targets ${targets(i.targets)}`] : []),
        ...(i.maxConcurrency ? [`rate control: ${i.maxConcurrency} concurrent, stop after ${i.maxErrors} errors`] : []),
        `parameters ${parameters(i.parameters)}`,
        ...(i.outputLocation?.s3Location
            ? [`output s3://${i.outputLocation.s3Location.outputS3BucketName}/${i.outputLocation.s3Location.outputS3KeyPrefix} (${i.outputLocation.s3Location.outputS3Region})`]
            : []),
        ...(i.complianceSeverity ? [`compliance ${i.complianceSeverity}, sync ${i.syncCompliance}`] : []),
    ],
    "aws-native:ssmquicksetup:ConfigurationManager": (i) =>
        (i.configurationDefinitions ?? []).flatMap((d: Inputs) => {
            const p = d.parameters ?? {};
            return [
                `${d.type} "${p.PatchPolicyName}" (${p.ConfigurationOptionsPatchOperation})`,
                `scan ${p.ConfigurationOptionsScanValue}${p.ConfigurationOptionsScanNextInterval === "true" ? " (next interval)" : ""}${
                    p.ConfigurationOptionsInstallValue
                        ? `; install ${p.ConfigurationOptionsInstallValue}${p.ConfigurationOptionsInstallNextInterval === "true" ? " (next interval)" : ""}, ${p.RebootOption}`
                        : ""
                }`,
                `targets ${p.TargetType || "(none)"}${p.TargetTagKey ? ` ${p.TargetTagKey}=${p.TargetTagValue}` : ""}${p.TargetInstances ? ` ${p.TargetInstances}` : ""}${p.ResourceGroupName ? ` ${p.ResourceGroupName}` : ""} in ${p.TargetAccounts || p.TargetOrganizationalUnits} / ${p.TargetRegions}`,
                `rate control ${p.RateControlConcurrency} / ${p.RateControlErrorThreshold}; policy attach allowed ${p.IsPolicyAttachAllowed}; S3 output ${p.OutputLogEnableS3}${p.OutputS3BucketName ? ` s3://${p.OutputS3BucketName}/${p.OutputS3KeyPrefix}` : ""}`,
                `baselines (${p.PatchBaselineUseDefault}, from ${p.PatchBaselineRegion}): ${(() => {
                    try {
                        return Object.entries(JSON.parse(p.SelectedPatchBaselines) as Record<string, Inputs>)
                            .map(([os, b]) => `${os}=${b.label}${String(b.value).startsWith("arn:") ? "(ARN)" : ""}`)
                            .join(" ");
                    } catch {
                        return "(known at deployment)";
                    }
                })()}`,
                // The review resolves AWS-managed baselines to placeholder ARNs; their real owner account and ids are only known in each Region at deployment.
                `${Object.keys(p).length} parameters; HasDeletedBaseline ${p.HasDeletedBaseline}; AWS-managed baselines by ARN, resolved in ${p.PatchBaselineRegion} at deployment`,
                `local roles: ${arnTail(d.localDeploymentAdministrationRoleArn)} → ${d.localDeploymentExecutionRoleName}`,
            ];
        }),
    "aws:ssm/document:Document": (i) => [`${i.name}: ${i.documentType} document (${i.documentFormat}), version ${i.versionName ?? "-"}, ${typeof i.content === "string" ? i.content.length : 0} characters`],
    // Roles and inline policies are summarised by the shared IAM lines (summaries/compliance.ts).
    "aws:iam/policy:Policy": (i) => statementLines(i.policy),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i) => [`${arnTail(i.policyArn)} → role ${refName(i.role)}`],
    "aws:iam/instanceProfile:InstanceProfile": (i) => [`profile for role ${refName(i.role)}`],
};
