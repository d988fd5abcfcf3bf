import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import type { AgentUpdatesConfig } from "../config";
import { AGENTS, AgentKind } from "../config/agentUpdates";
import { associationTargets } from "./patchPolicy";
import { RegionalNativeProviders } from "./regions";
import { agentAssociationName } from "../config/resourceNames";

/** Arguments of {@link AgentUpdates}. */
export interface AgentUpdatesArgs {
    /** The validated `patching:agentUpdates`. */
    config: AgentUpdatesConfig;
    /** `<project>-<environment>`: prefix of the default association names. */
    namePrefix: string;
    /** `aws:region`: where the associations live. */
    region: string;
    /** Shared explicit aws-native providers, one per region. */
    nativeProviders: RegionalNativeProviders;
    /** Tags of every association. */
    tags: Record<string, string>;
}

/** The document parameters of an agent's association (aws-native form: lists). */
export function agentParameters(kind: AgentKind): Record<string, string[]> {
    const a = AGENTS[kind];
    // AWS-UpdateSSMAgent without version installs the latest; AWS-ConfigureAWSPackage Install installs or updates the package.
    return a.package ? { action: ["Install"], name: [a.package] } : {};
}

/**
 * Keeps the agents current like Quick Setup host management (seed 004): one State Manager
 * association per configured agent, with its own schedule, targets, rate control and S3 output.
 */
export class AgentUpdates extends pulumi.ComponentResource {
    public readonly associations: Partial<Record<AgentKind, awsNative.ssm.Association>> = {};

    constructor(name: string, args: AgentUpdatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("patching:ssm:AgentUpdates", name, {}, opts);
        for (const kind of Object.keys(AGENTS) as AgentKind[]) {
            const c = args.config[kind];
            if (!c) continue;
            const a = AGENTS[kind];
            this.associations[kind] = new awsNative.ssm.Association(
                `${name}-${kind}`,
                {
                    associationName: c.associationName ?? agentAssociationName(args.namePrefix, a.suffix),
                    name: a.document,
                    targets: associationTargets(c.targets),
                    parameters: agentParameters(kind),
                    scheduleExpression: c.schedule ?? a.schedule,
                    maxConcurrency: c.maxConcurrency,
                    maxErrors: c.maxErrors,
                    outputLocation: c.output
                        ? { s3Location: { outputS3BucketName: c.output.s3.bucketName, outputS3KeyPrefix: `${c.output.s3.keyPrefix}/${kind}`, outputS3Region: args.region } }
                        : undefined,
                    tags: Object.entries(args.tags).map(([key, value]) => ({ key, value })),
                },
                { parent: this, provider: args.nativeProviders.get(args.region) },
            );
        }
        this.registerOutputs({});
    }
}
