import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";

/**
 * One explicit AWS provider per region, shared by every component that deploys regional
 * resources (`aws-<region>`). Explicit providers make a resource's region part of the plan and
 * keep the stack's default provider out of multi-region work.
 */
export class RegionalProviders {
    private readonly providers = new Map<string, aws.Provider>();

    constructor(private readonly opts?: pulumi.CustomResourceOptions) {}

    /** The provider for `region`, created on first use. */
    get(region: string): aws.Provider {
        let p = this.providers.get(region);
        if (!p) {
            p = new aws.Provider(`aws-${region}`, { region: region as aws.Region }, this.opts);
            this.providers.set(region, p);
        }
        return p;
    }

    /** Regions a provider was created for, in creation order. */
    regions(): string[] {
        return [...this.providers.keys()];
    }
}

/**
 * One explicit `@pulumi/aws-native` provider per region (`aws-native-<region>`), for resources
 * only the Cloud Control provider has: State Manager associations with a `scheduleOffset`
 * (Patch Tuesday + N days) and the Quick Setup configuration manager.
 */
export class RegionalNativeProviders {
    private readonly providers = new Map<string, awsNative.Provider>();

    constructor(private readonly opts?: pulumi.CustomResourceOptions) {}

    /** The aws-native provider for `region`, created on first use. */
    get(region: string): awsNative.Provider {
        let p = this.providers.get(region);
        if (!p) {
            p = new awsNative.Provider(`aws-native-${region}`, { region: region as awsNative.Region }, this.opts);
            this.providers.set(region, p);
        }
        return p;
    }

    /** Regions a provider was created for, in creation order. */
    regions(): string[] {
        return [...this.providers.keys()];
    }
}
