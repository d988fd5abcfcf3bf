import * as aws from "@pulumi/aws";
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
