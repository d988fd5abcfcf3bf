import { statementLines } from "./compliance";
import { Inputs, Summarisers } from "./util";

/** IAM types not summarised elsewhere (roles and role policies: summaries/compliance.ts). */
export const iamSummarisers: Summarisers = {
    "aws:iam/policy:Policy": (i: Inputs) => [`${i.name ?? `${i.namePrefix ?? ""}*`}${i.description ? ` — ${i.description}` : ""}`, ...statementLines(i.policy)],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i: Inputs) => [`attach ${i.policyArn} → role ${i.role}`],
    "aws:iam/instanceProfile:InstanceProfile": (i: Inputs) => [`instance profile ${i.name ?? `${i.namePrefix}*`} → role ${i.role}`],
};
