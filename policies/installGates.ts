/**
 * `install-paths-gated`: every scheduled install of the stack is held by the approval gate. The
 * program stashes its install paths with the gate holding each (config/approvalCalendars.ts
 * `installPathGate`, the same answer the review's approval section prints); a path without one
 * installs whether or not anybody approved. Mandatory in the prod preset.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { INSTALL_PATHS_STASH, InstallPathModel, installs, STASH_TYPE } from "../core/installPaths";

export const installPathsGated: StackValidationPolicy = {
    name: "install-paths-gated",
    description:
        "Every install path (gated install, patch policy, multi-account runbook, maintenance window, orchestrator) is held by the approval gate: an install nobody approved never starts. Scans and the on-demand emergency command are not judged.",
    severity: "high",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const stash = args.resources.find((r) => r.type === STASH_TYPE && r.name === INSTALL_PATHS_STASH);
        const model = stash?.props.input as InstallPathModel | undefined;
        if (!stash || !model || !Array.isArray(model.paths)) return;
        for (const p of model.paths.filter((x) => installs(x) && !x.gate)) {
            report(
                `Install path ${p.id} (${p.operation}, ${p.configPath}) is not held by the approval gate: it installs on its schedule whether or not anybody approved. ` +
                    `Fix: give the stack patching:changeSafety.approvalGate (its change calendar then holds gated installs, owned patch policies in every Region, the multi-account runbook's Installs, maintenance-window Install tasks and orchestrators), ` +
                    `or move the install to a mechanism the gate holds (a managed-mode patch policy or a window's Automation task is never held).`,
                stash.urn,
            );
        }
    },
};
