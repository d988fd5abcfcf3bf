import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { BaselineOverrideRef } from "../components/overrideRef";
import { associationTargets, ec2InstanceFilters, hybridNodeFilters, PatchPolicy, quickSetupTargetParameters } from "../components/patchPolicy";
import { RegionalNativeProviders, RegionalProviders } from "../components/regions";
import { PlanResource, runUnderMocks } from "../review/engine";
import { ACCOUNT, minimalConfig, named, ofType, parse, REGION, ROOT, runProgram, COMPONENT_RUN } from "./harness";

const ASSOC = "aws-native:ssm:Association";
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const DOC = "aws:ssm/document:Document";
const QS = "aws-native:ssmquicksetup:ConfigurationManager";

const base = { name: "web", targets: { tags: { Environment: ["test"] } }, scan: { schedule: "cron(0 1 * * ? *)" } };
const weekly = { schedule: "cron(0 2 ? * SUN *)" };

async function deploy(policy: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return runProgram(minimalConfig({ "patching:patchPolicies": [{ ...base, ...policy }], ...extra }));
}
const inputs = (resources: PlanResource[], type: string, name: string) => named(resources, type, name).inputs as Record<string, any>;
const statementsOf = (resources: PlanResource[], type: string, name: string) => JSON.parse(inputs(resources, type, name).policy as string).Statement as Record<string, any>[];
const trustOf = (resources: PlanResource[], name: string) => JSON.parse(inputs(resources, ROLE, name).assumeRolePolicy as string).Statement as Record<string, any>[];
const providerOf = (resources: PlanResource[], type: string, name: string) => named(resources, type, name).options.provider?.split("::").slice(-3, -1).join("::");

const standardTags = [
    { key: "Project", value: "patching" },
    { key: "Environment", value: "test" },
    { key: "Stack", value: "test" },
    { key: "ManagedBy", value: "pulumi" },
    { key: "PatchPolicy", value: "web" },
];

describe("PatchPolicy component (owned mode)", () => {
    it("scans and installs with the real association inputs", async () => {
        const { resources } = await deploy({
            scan: { schedule: "cron(0 1 * * ? *)", maxConcurrency: "20%", maxErrors: "10%", complianceSeverity: "MEDIUM" },
            install: { schedule: "cron(0 2 ? * SUN *)", maxConcurrency: "5", maxErrors: "1", rebootOption: "NoReboot", complianceSeverity: "CRITICAL" },
        });
        expect(inputs(resources, ASSOC, "web-us-east-1-scan")).to.deep.equal({
            associationName: "web-ScanForPatches",
            name: "AWS-RunPatchBaseline",
            targets: [{ key: "tag:Environment", values: ["test"] }],
            parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] },
            scheduleExpression: "cron(0 1 * * ? *)",
            applyOnlyAtCronInterval: false,
            maxConcurrency: "20%",
            maxErrors: "10%",
            complianceSeverity: "MEDIUM",
            syncCompliance: "AUTO",
            tags: standardTags,
        });
        expect(inputs(resources, ASSOC, "web-us-east-1-install")).to.deep.equal({
            associationName: "web-InstallPatches",
            name: "AWS-RunPatchBaseline",
            targets: [{ key: "tag:Environment", values: ["test"] }],
            parameters: { Operation: ["Install"], RebootOption: ["NoReboot"] },
            scheduleExpression: "cron(0 2 ? * SUN *)",
            // Installs never run at `pulumi up`, only at their schedule.
            applyOnlyAtCronInterval: true,
            maxConcurrency: "5",
            maxErrors: "1",
            complianceSeverity: "CRITICAL",
            syncCompliance: "AUTO",
            tags: standardTags,
        });
        expect(providerOf(resources, ASSOC, "web-us-east-1-scan")).to.equal("pulumi:providers:aws-native::aws-native-us-east-1");
        expect(ofType(resources, "pulumi:providers:aws-native").map((r) => r.inputs.region)).to.deep.equal(["us-east-1"]);
    });

    it("scan only: no install association", async () => {
        const { resources } = await deploy({});
        expect(ofType(resources, ASSOC).map((r) => r.name).sort()).to.deep.equal(["web-us-east-1-attach-ec2", "web-us-east-1-scan"]);
    });

    it("Patch Tuesday + 12 days: TUE#3 with a 5-day offset, only at the cron interval", async () => {
        const { resources } = await deploy({ install: { patchTuesdayPlusDays: 12, time: "03:00" } });
        expect(inputs(resources, ASSOC, "web-us-east-1-install")).to.deep.include({ scheduleExpression: "cron(0 3 ? * TUE#3 *)", scheduleOffset: 5, applyOnlyAtCronInterval: true });
    });

    describe("targets", () => {
        it("all managed nodes: InstanceIds=*", async () => {
            const { resources } = await deploy({ targets: { allManagedNodes: true } });
            expect(inputs(resources, ASSOC, "web-us-east-1-scan").targets).to.deep.equal([{ key: "InstanceIds", values: ["*"] }]);
            expect(inputs(resources, ASSOC, "web-us-east-1-attach-ec2").parameters.InstanceFilters).to.deep.equal(["[]"]);
        });
        it("several tags with several values, and tag keys", async () => {
            const { resources } = await deploy({ targets: { tags: { Environment: ["dev", "test"], Team: ["web"] }, tagKeys: ["PatchMe", "Patch"] } });
            expect(inputs(resources, ASSOC, "web-us-east-1-scan").targets).to.deep.equal([
                { key: "tag:Environment", values: ["dev", "test"] },
                { key: "tag:Team", values: ["web"] },
                { key: "tag-key", values: ["PatchMe", "Patch"] },
            ]);
            expect(JSON.parse(inputs(resources, ASSOC, "web-us-east-1-attach-ec2").parameters.InstanceFilters[0])).to.deep.equal([
                { Name: "tag:Environment", Values: ["dev", "test"] },
                { Name: "tag:Team", Values: ["web"] },
                { Name: "tag-key", Values: ["PatchMe", "Patch"] },
            ]);
        });
        it("a resource group: the association and the automation resolve the same group", async () => {
            const { resources } = await deploy({ targets: { resourceGroup: "web-servers" } });
            expect(inputs(resources, ASSOC, "web-us-east-1-scan").targets).to.deep.equal([{ key: "resource-groups:Name", values: ["web-servers"] }]);
            expect(inputs(resources, ASSOC, "web-us-east-1-attach-ec2").parameters.ResourceGroupName).to.deep.equal(["web-servers"]);
            const statements = statementsOf(resources, ROLE_POLICY, "web-iam-automation");
            expect(statements.find((s) => s.Sid === "ResolveTheTargetGroup")).to.deep.equal({
                Sid: "ResolveTheTargetGroup",
                Effect: "Allow",
                Action: "resource-groups:ListGroupResources",
                Resource: `arn:aws:resource-groups:*:${ACCOUNT}:group/web-servers`,
            });
        });
        it("instance ids, EC2 and hybrid: one target; each automation sees its own kind", async () => {
            const ids = ["i-0123456789abcdef0", "mi-0123456789abcdef0"];
            const { resources } = await deploy({ targets: { instanceIds: ids }, hybrid: {}, instancePermissions: { isPolicyAttachAllowed: true } });
            expect(inputs(resources, ASSOC, "web-us-east-1-scan").targets).to.deep.equal([{ key: "InstanceIds", values: ids }]);
            expect(JSON.parse(inputs(resources, ASSOC, "web-us-east-1-attach-ec2").parameters.InstanceFilters[0])).to.deep.equal([{ Name: "instance-id", Values: ["i-0123456789abcdef0"] }]);
            expect(JSON.parse(inputs(resources, ASSOC, "web-us-east-1-attach-hybrid").parameters.NodeFilters[0])).to.deep.equal([{ Key: "InstanceIds", Values: ["mi-0123456789abcdef0"] }]);
        });
        it("only hybrid ids: no EC2 attach automation", async () => {
            const { resources } = await deploy({ targets: { instanceIds: ["mi-0123456789abcdef0"] } });
            expect(ofType(resources, ASSOC).map((r) => r.name).sort()).to.deep.equal(["web-us-east-1-scan"]);
            expect(ofType(resources, DOC)).to.have.length(0);
        });
        it("maps targets the same way for every consumer", () => {
            const t = { tags: { Env: ["a"] } };
            expect(associationTargets(t)).to.deep.equal([{ key: "tag:Env", values: ["a"] }]);
            expect(ec2InstanceFilters(t)).to.deep.equal([{ Name: "tag:Env", Values: ["a"] }]);
            expect(hybridNodeFilters(t)).to.deep.equal([{ Key: "tag:Env", Values: ["a"] }]);
            expect(hybridNodeFilters({ instanceIds: ["i-0123456789abcdef0"] })).to.equal(undefined);
            expect(quickSetupTargetParameters({ resourceGroup: "g" })).to.deep.equal({ TargetType: "ResourceGroups", ResourceGroupName: "g" });
        });
    });

    it("multi-region: regional associations and documents through each region's provider, IAM once, output to the home bucket", async () => {
        const { resources } = await deploy({ regions: ["us-east-1", "eu-west-1"], acceptRegionDefaultBaselines: true, install: weekly, output: { s3: { bucketName: "patch-output-123" } } });
        for (const region of ["us-east-1", "eu-west-1"]) {
            for (const kind of ["scan", "install"]) {
                const a = inputs(resources, ASSOC, `web-${region}-${kind}`);
                expect(providerOf(resources, ASSOC, `web-${region}-${kind}`)).to.equal(`pulumi:providers:aws-native::aws-native-${region}`);
                expect(a.outputLocation).to.deep.equal({
                    s3Location: { outputS3BucketName: "patch-output-123", outputS3KeyPrefix: `patching/web/${kind}/${ACCOUNT}/${region}`, outputS3Region: "us-east-1" },
                });
            }
            expect(providerOf(resources, DOC, `web-${region}-attach-ec2`)).to.equal(`pulumi:providers:aws::aws-${region}`);
        }
        expect(ofType(resources, ASSOC)).to.have.length(6);
        expect(ofType(resources, ROLE).map((r) => r.name).sort()).to.deep.equal(["web-iam-automation", "web-iam-instance"]);
        expect(ofType(resources, "pulumi:providers:aws-native").map((r) => r.inputs.region).sort()).to.deep.equal(["eu-west-1", "us-east-1"]);
    });

    it("hooks: the install runs AWS-RunPatchBaselineWithHooks with the hook documents, the scan plain AWS-RunPatchBaseline", async () => {
        const { resources } = await deploy({
            document: "AWS-RunPatchBaselineWithHooks",
            hooks: { preInstall: "Drain-LoadBalancer", onExit: "arn:aws:ssm:us-east-1:123456789012:document/Check-Health" },
            install: weekly,
        });
        const install = inputs(resources, ASSOC, "web-us-east-1-install");
        expect(install.name).to.equal("AWS-RunPatchBaselineWithHooks");
        expect(install.parameters).to.deep.equal({
            Operation: ["Install"],
            RebootOption: ["RebootIfNeeded"],
            PreInstallHookDocName: ["Drain-LoadBalancer"],
            OnExitHookDocName: ["arn:aws:ssm:us-east-1:123456789012:document/Check-Health"],
        });
        const scan = inputs(resources, ASSOC, "web-us-east-1-scan");
        expect(scan.name).to.equal("AWS-RunPatchBaseline");
        expect(scan.parameters).to.deep.equal({ Operation: ["Scan"], RebootOption: ["NoReboot"] });
    });

    it("BaselineTags mode: AWS-RunPatchBaselineAssociation, MANUAL compliance, and read access to exactly the tagged baseline", async () => {
        const al = (minimalConfig()["patching:baselines"] as Record<string, unknown>[])[0];
        const { resources } = await deploy(
            {
                document: "AWS-RunPatchBaselineAssociation",
                baselineTags: { key: "PatchBaseline", values: ["web"] },
                install: { ...weekly, installOverrideList: "s3://override-lists/web/override.yaml" },
            },
            { "patching:baselines": [{ ...al, tags: { PatchBaseline: "web" } }, { ...al, name: "other-al2023", patchGroups: [] }] },
        );
        for (const kind of ["scan", "install"]) {
            const a = inputs(resources, ASSOC, `web-us-east-1-${kind}`);
            expect(a.name).to.equal("AWS-RunPatchBaselineAssociation");
            expect(a.syncCompliance).to.equal("MANUAL");
            expect(a.parameters.BaselineTags).to.deep.equal(["Key=PatchBaseline,Values=web"]);
        }
        expect(inputs(resources, ASSOC, "web-us-east-1-install").parameters.InstallOverrideList).to.deep.equal(["s3://override-lists/web/override.yaml"]);
        expect(inputs(resources, ASSOC, "web-us-east-1-scan").parameters.InstallOverrideList).to.equal(undefined);
        expect(statementsOf(resources, POLICY, "web-iam-access")).to.deep.equal([
            { Sid: "ReadInstallOverrideList", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::override-lists/web/override.yaml" },
            { Sid: "FindTaggedBaselines", Effect: "Allow", Action: ["ssm:DescribePatchBaselines", "tag:GetResources"], Resource: "*" },
            {
                Sid: "ReadTaggedBaselines",
                Effect: "Allow",
                Action: ["ssm:GetPatchBaseline", "ssm:DescribeEffectivePatchesForPatchBaseline"],
                Resource: [`arn:aws:ssm:us-east-1:${ACCOUNT}:patchbaseline/test-al2023-id`],
            },
        ]);
    });

    it("SnapshotId pins both operations; InstallOverrideList (https) goes to the install only", async () => {
        const { resources } = await deploy({ snapshotId: "521c3536-930c-4aa9-950e-01234c9c3f70", install: { ...weekly, installOverrideList: "https://lists.example.com/web.yaml" } });
        expect(inputs(resources, ASSOC, "web-us-east-1-scan").parameters.SnapshotId).to.deep.equal(["521c3536-930c-4aa9-950e-01234c9c3f70"]);
        expect(inputs(resources, ASSOC, "web-us-east-1-install").parameters).to.deep.equal({
            Operation: ["Install"],
            RebootOption: ["RebootIfNeeded"],
            SnapshotId: ["521c3536-930c-4aa9-950e-01234c9c3f70"],
            InstallOverrideList: ["https://lists.example.com/web.yaml"],
        });
        // An https list needs no IAM; output is off: the nodes need nothing beyond the core policy.
        expect(ofType(resources, POLICY)).to.have.length(0);
        expect(ofType(resources, ATTACH).map((r) => r.inputs.policyArn)).to.deep.equal(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    });

    describe("instance permissions", () => {
        it("an instance role and profile with the core policy and exactly the policy's access", async () => {
            const { resources } = await deploy({ output: { s3: { bucketName: "patch-output-123", keyPrefix: "out" } } });
            expect(trustOf(resources, "web-iam-instance")).to.deep.equal([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
            expect(inputs(resources, "aws:iam/instanceProfile:InstanceProfile", "web-iam-instance").role).to.equal("web-iam-instance");
            expect(ofType(resources, ATTACH).map((r) => `${r.inputs.role} ${r.inputs.policyArn}`).sort()).to.deep.equal([
                `web-iam-instance arn:aws:iam::${ACCOUNT}:policy/web-iam-access`,
                "web-iam-instance arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            ]);
            expect(statementsOf(resources, POLICY, "web-iam-access")).to.deep.equal([
                { Sid: "WriteCommandOutput", Effect: "Allow", Action: ["s3:PutObject", "s3:PutObjectAcl"], Resource: "arn:aws:s3:::patch-output-123/out/web/*" },
                { Sid: "ReadOutputBucketEncryption", Effect: "Allow", Action: "s3:GetEncryptionConfiguration", Resource: "arn:aws:s3:::patch-output-123" },
            ]);
        });

        it("the attach automation: shipped document, no targets, a least-privilege role that attaches only this profile where there is none", async () => {
            const { resources } = await deploy({});
            const doc = inputs(resources, DOC, "web-us-east-1-attach-ec2");
            const content = fs.readFileSync(path.join(ROOT, "documents/attach-instance-profile.yaml"), "utf8");
            expect(doc).to.deep.include({ name: "web-AttachIAMToEc2Instance", documentType: "Automation", documentFormat: "YAML", content });
            expect(doc.versionName).to.match(/^v-[0-9a-f]{16}$/);
            expect(inputs(resources, ASSOC, "web-us-east-1-attach-ec2")).to.deep.equal({
                associationName: "web-AttachIAMToEc2Instance",
                name: "web-AttachIAMToEc2Instance",
                parameters: {
                    AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/web-iam-automation`],
                    InstanceFilters: ['[{"Name":"tag:Environment","Values":["test"]}]'],
                    IsPolicyAttachAllowed: ["false"],
                    InstanceProfileName: ["web-iam-instance"],
                    PolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
                },
                scheduleExpression: "rate(1 day)",
                tags: standardTags,
            });
            expect(trustOf(resources, "web-iam-automation")).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${ACCOUNT}:automation-execution/*` } },
                },
            ]);
            expect(statementsOf(resources, ROLE_POLICY, "web-iam-automation")).to.deep.equal([
                { Sid: "FindInstancesAndProfiles", Effect: "Allow", Action: ["ec2:DescribeInstances", "ec2:DescribeIamInstanceProfileAssociations"], Resource: "*" },
                {
                    Sid: "AttachThisProfileWhereNone",
                    Effect: "Allow",
                    Action: "ec2:AssociateIamInstanceProfile",
                    Resource: `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
                    Condition: { Null: { "ec2:InstanceProfile": "true" }, ArnEquals: { "ec2:NewInstanceProfile": `arn:aws:iam::${ACCOUNT}:instance-profile/web-iam-instance` } },
                },
                {
                    Sid: "PassThisRoleToEc2",
                    Effect: "Allow",
                    Action: "iam:PassRole",
                    Resource: `arn:aws:iam::${ACCOUNT}:role/web-iam-instance`,
                    Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
                },
            ]);
        });

        it("IsPolicyAttachAllowed: existing roles may receive exactly the core and access policies", async () => {
            const { resources } = await deploy({ instancePermissions: { isPolicyAttachAllowed: true }, output: { s3: { bucketName: "patch-output-123" } } });
            const statements = statementsOf(resources, ROLE_POLICY, "web-iam-automation");
            expect(statements.map((s) => s.Sid)).to.deep.equal(["FindInstancesAndProfiles", "AttachThisProfileWhereNone", "PassThisRoleToEc2", "ReadInstanceProfiles", "AttachOnlyThesePolicies"]);
            expect(statements[4]).to.deep.equal({
                Sid: "AttachOnlyThesePolicies",
                Effect: "Allow",
                Action: "iam:AttachRolePolicy",
                Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
                Condition: { ArnEquals: { "iam:PolicyARN": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", `arn:aws:iam::${ACCOUNT}:policy/web-iam-access`] } },
            });
            expect(inputs(resources, ASSOC, "web-us-east-1-attach-ec2").parameters.IsPolicyAttachAllowed).to.deep.equal(["true"]);
        });

        it("no own profile and no policy attach: no automation at all", async () => {
            const { resources } = await deploy({ instancePermissions: { createInstanceProfile: false, attachToInstancesWithoutProfile: false } });
            expect(ofType(resources, ROLE)).to.have.length(0);
            expect(ofType(resources, DOC)).to.have.length(0);
            expect(ofType(resources, ASSOC).map((r) => r.name)).to.deep.equal(["web-us-east-1-scan"]);
        });

        it("hybrid nodes: a service role trusted by Systems Manager for this account and the policy's regions, and their existing roles when allowed", async () => {
            const { resources } = await deploy({ hybrid: {}, regions: ["us-east-1", "eu-west-1"], acceptRegionDefaultBaselines: true, instancePermissions: { isPolicyAttachAllowed: true } });
            expect(trustOf(resources, "web-iam-hybrid")).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": [`arn:aws:ssm:us-east-1:${ACCOUNT}:*`, `arn:aws:ssm:eu-west-1:${ACCOUNT}:*`] } },
                },
            ]);
            expect(ofType(resources, ATTACH).filter((r) => r.inputs.role === "web-iam-hybrid").map((r) => r.inputs.policyArn)).to.deep.equal(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
            for (const region of ["us-east-1", "eu-west-1"]) {
                expect(inputs(resources, DOC, `web-${region}-attach-hybrid`).name).to.equal("web-AttachIAMToHybridInstance");
                expect(inputs(resources, ASSOC, `web-${region}-attach-hybrid`).parameters).to.deep.equal({
                    AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/web-iam-automation`],
                    NodeFilters: ['[{"Key":"tag:Environment","Values":["test"]}]'],
                    PolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
                });
            }
            expect(statementsOf(resources, ROLE_POLICY, "web-iam-automation").map((s) => s.Sid)).to.include("FindHybridNodes");
        });

        it("hybrid nodes without policy attach: the service role only", async () => {
            const { resources } = await deploy({ hybrid: {} });
            expect(ofType(resources, ROLE).map((r) => r.name).sort()).to.deep.equal(["web-iam-automation", "web-iam-hybrid", "web-iam-instance"]);
            expect(ofType(resources, DOC).map((r) => r.name)).to.deep.equal(["web-us-east-1-attach-ec2"]);
        });
    });

    it("Explorer: AWS-EnableExplorer once per region, with a role limited to Explorer's settings there", async () => {
        const { resources } = await deploy({ enableExplorer: true });
        expect(inputs(resources, ASSOC, "web-us-east-1-explorer")).to.deep.equal({
            associationName: "web-EnableExplorer",
            name: "AWS-EnableExplorer",
            parameters: { AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/web-explorer`] },
            tags: standardTags,
        });
        const statements = statementsOf(resources, ROLE_POLICY, "web-explorer");
        expect(statements[1].Action).to.deep.equal(["ssm:GetServiceSetting", "ssm:UpdateServiceSetting"]);
        expect(statements[1].Resource).to.have.length(8);
        expect(statements[1].Resource[0]).to.equal(`arn:aws:ssm:us-east-1:${ACCOUNT}:servicesetting/ssm/opsitem/ssm-patchmanager`);
        expect(trustOf(resources, "web-explorer")[0].Condition).to.deep.equal({
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${ACCOUNT}:automation-execution/*` },
        });
    });

    it("a created output bucket is hardened and expires the policy's output", async () => {
        const { resources } = await deploy({ output: { s3: { create: true, keyPrefix: "out", retentionDays: 30 } } });
        expect(inputs(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "web-output-lifecycle").rules).to.deep.equal([
            { id: "ExpireCommandOutput", status: "Enabled", filter: { prefix: "out/" }, expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 1 } },
        ]);
        expect(inputs(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "web-output-public-access").restrictPublicBuckets).to.equal(true);
        expect(inputs(resources, ASSOC, "web-us-east-1-scan").outputLocation.s3Location.outputS3BucketName).to.equal("web-output-bucket");
    });
});

describe("PatchPolicy component with the override store's BaselineOverrideRef", () => {
    // A hand-made ref: the store itself is another component; this is the contract it publishes.
    const ref: BaselineOverrideRef = {
        s3Url: "s3://overrides-123/baseline_overrides.json",
        bucketName: "overrides-123",
        bucketArn: "arn:aws:s3:::overrides-123",
        objectKey: "baseline_overrides.json",
        objectArn: "arn:aws:s3:::overrides-123/baseline_overrides.json",
        kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`,
        principalTag: { key: "QSConfigId-abc12", value: "abc12" },
    };

    async function withRef(changes: Record<string, unknown>) {
        const cfg = parse(minimalConfig({ "patching:patchPolicies": [{ ...base, install: weekly, ...changes }] }));
        return runUnderMocks({
            ...COMPONENT_RUN,
            program: () =>
                new PatchPolicy("web", {
                    policy: { ...cfg.patchPolicies[0], useBaselineOverride: true },
                    homeRegion: REGION,
                    providers: new RegionalProviders(),
                    nativeProviders: new RegionalNativeProviders(),
                    overrideRef: ref,
                    tags: { Project: "patching" },
                }),
        });
    }

    it("passes the object as BaselineOverride to both operations and lets nodes read and decrypt exactly it", async () => {
        const { resources } = await withRef({});
        for (const kind of ["scan", "install"]) {
            expect(inputs(resources, ASSOC, `web-us-east-1-${kind}`).parameters.BaselineOverride).to.deep.equal(["s3://overrides-123/baseline_overrides.json"]);
        }
        expect(statementsOf(resources, POLICY, "web-iam-access")).to.deep.equal([
            { Sid: "ReadBaselineOverride", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::overrides-123/baseline_overrides.json" },
            {
                Sid: "DecryptBaselineOverride",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`,
                Condition: { StringEquals: { "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::overrides-123", "arn:aws:s3:::overrides-123/baseline_overrides.json"] } },
            },
        ]);
        expect(inputs(resources, ROLE, "web-iam-instance").tags).to.deep.equal({ Project: "patching", PatchPolicy: "web", "QSConfigId-abc12": "abc12" });
    });

    it("tags existing roles with the principal tag when policy attach is allowed, and may set no other tag", async () => {
        const { resources } = await withRef({ instancePermissions: { isPolicyAttachAllowed: true } });
        const params = inputs(resources, ASSOC, "web-us-east-1-attach-ec2").parameters;
        expect(params.RoleTagKey).to.deep.equal(["QSConfigId-abc12"]);
        expect(params.RoleTagValue).to.deep.equal(["abc12"]);
        expect(statementsOf(resources, ROLE_POLICY, "web-iam-automation").find((s) => s.Sid === "TagRolesWithThePrincipalTagOnly")).to.deep.equal({
            Sid: "TagRolesWithThePrincipalTagOnly",
            Effect: "Allow",
            Action: "iam:TagRole",
            Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
            Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["QSConfigId-abc12"] } },
        });
    });

    it("refuses useBaselineOverride without a ref instead of patching without the override", async () => {
        const cfg = parse(minimalConfig({ "patching:patchPolicies": [base] }));
        let error: unknown;
        await runUnderMocks({
            ...COMPONENT_RUN,
            program: () => {
                try {
                    new PatchPolicy("web", { policy: { ...cfg.patchPolicies[0], useBaselineOverride: true }, homeRegion: REGION, providers: new RegionalProviders(), nativeProviders: new RegionalNativeProviders(), tags: {} });
                } catch (err) {
                    error = err;
                }
            },
        });
        expect(String(error)).to.contain("useBaselineOverride needs the override store's BaselineOverrideRef");
    });
});

describe("PatchPolicy component (managed mode)", () => {
    const managed = (changes: Record<string, unknown>) => deploy({ mode: "managed", ...changes });

    it("deploys the Quick Setup patch policy with its documented parameters and local deployment roles", async () => {
        const { resources } = await managed({
            install: { schedule: "cron(0 2 ? * SUN *)" },
            baselines: ["test-al2023"],
            regions: ["us-east-1", "eu-west-1"],
            instancePermissions: { isPolicyAttachAllowed: true },
            output: { s3: { bucketName: "patch-output-123" } },
        });
        expect(ofType(resources, ASSOC)).to.have.length(0);
        const qs = inputs(resources, QS, "web");
        expect(providerOf(resources, QS, "web")).to.equal("pulumi:providers:aws-native::aws-native-us-east-1");
        expect(qs.name).to.equal("web");
        const [def] = qs.configurationDefinitions;
        expect(def.type).to.equal("AWSQuickSetupType-PatchPolicy");
        expect(def.localDeploymentAdministrationRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/web-qs-admin`);
        expect(def.localDeploymentExecutionRoleName).to.equal("web-qs-exec");
        const { SelectedPatchBaselines, ...params } = def.parameters;
        expect(params).to.deep.equal({
            PatchPolicyName: "web",
            PatchBaselineUseDefault: "custom",
            PatchBaselineRegion: "us-east-1",
            HasDeletedBaseline: "false",
            ConfigurationOptionsPatchOperation: "ScanAndInstall",
            ConfigurationOptionsScanValue: "cron(0 1 * * ? *)",
            ConfigurationOptionsScanNextInterval: "false",
            ConfigurationOptionsInstallValue: "cron(0 2 ? * SUN *)",
            ConfigurationOptionsInstallNextInterval: "true",
            RebootOption: "RebootIfNeeded",
            IsPolicyAttachAllowed: "true",
            RateControlConcurrency: "10%",
            RateControlErrorThreshold: "5%",
            OutputLogEnableS3: "true",
            OutputS3BucketName: "patch-output-123",
            OutputS3KeyPrefix: "patching/web",
            OutputBucketRegion: "us-east-1",
            TargetType: "Tags",
            TargetTagKey: "Environment",
            TargetTagValue: "test",
            TargetInstances: "",
            ResourceGroupName: "",
            TargetAccounts: ACCOUNT,
            TargetRegions: "us-east-1,eu-west-1",
        });
        const selected = JSON.parse(SelectedPatchBaselines);
        expect(selected.AMAZON_LINUX_2023).to.deep.equal({ value: "test-al2023-id", label: "test-al2023", description: "test-al2023", disabled: false });
        // AWS-managed baselines by ARN (as DescribePatchBaselines lists AWS-owned ones), never by the Region's current default.
        expect(selected.WINDOWS).to.include({ label: "AWS-DefaultPatchBaseline", disabled: false });
        expect(selected.WINDOWS.value).to.match(/^arn:aws:ssm:us-east-1:\d{12}:patchbaseline\/pb-[0-9a-f]{17}$/);

        expect(trustOf(resources, "web-qs-admin")).to.deep.equal([
            {
                Effect: "Allow",
                Principal: { Service: "cloudformation.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, StringLike: { "aws:SourceArn": `arn:aws:cloudformation:*:${ACCOUNT}:stackset/AWS-QuickSetup-*` } },
            },
        ]);
        expect(statementsOf(resources, ROLE_POLICY, "web-qs-admin")).to.deep.equal([
            { Sid: "AssumeTheExecutionRoleOnly", Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/web-qs-exec` },
        ]);
        expect(trustOf(resources, "web-qs-exec")).to.deep.equal([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/web-qs-admin` }, Action: "sts:AssumeRole" }]);
        expect(inputs(resources, ATTACH, "web-qs-exec").policyArn).to.equal("arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy");
        // Quick Setup must not start before its roles can act.
        expect(named(resources, QS, "web").options.dependsOn).to.include.members([named(resources, ATTACH, "web-qs-exec").urn, named(resources, ROLE_POLICY, "web-qs-admin").urn]);
    });

    it("scan only, all nodes, default baselines", async () => {
        const { resources } = await managed({ targets: { allManagedNodes: true } });
        const p = inputs(resources, QS, "web").configurationDefinitions[0].parameters;
        expect(p).to.deep.include({
            ConfigurationOptionsPatchOperation: "Scan",
            PatchBaselineUseDefault: "default",
            TargetType: "*",
            OutputLogEnableS3: "false",
            // Unused parameters are sent empty, as the console sends them.
            ConfigurationOptionsInstallValue: "",
            ConfigurationOptionsInstallNextInterval: "false",
            RebootOption: "NoReboot",
            OutputS3BucketName: "",
            OutputS3KeyPrefix: "",
            OutputBucketRegion: "",
            TargetTagKey: "",
            TargetTagValue: "",
        });
    });

    it("instance ids and resource groups", async () => {
        const ids = await managed({ targets: { instanceIds: ["i-0123456789abcdef0", "i-1234abcd"] } });
        expect(inputs(ids.resources, QS, "web").configurationDefinitions[0].parameters).to.deep.include({ TargetType: "InstanceIds", TargetInstances: "i-0123456789abcdef0,i-1234abcd" });
        const group = await managed({ targets: { resourceGroup: "web-servers" } });
        expect(inputs(group.resources, QS, "web").configurationDefinitions[0].parameters).to.deep.include({ TargetType: "ResourceGroups", ResourceGroupName: "web-servers" });
    });

    it("organizational units: TargetOrganizationalUnits instead of TargetAccounts, with TargetType as the console sends it", async () => {
        const { resources } = await managed({ organizationalUnits: ["ou-ab12-cdef3456", "ou-ab12-99990000"], install: { patchTuesdayPlusDays: 7, time: "04:00" } });
        const p = inputs(resources, QS, "web").configurationDefinitions[0].parameters;
        expect(p).to.deep.include({
            TargetOrganizationalUnits: "ou-ab12-cdef3456,ou-ab12-99990000",
            TargetType: "Tags",
            TargetTagKey: "Environment",
            TargetTagValue: "test",
            ConfigurationOptionsInstallValue: "cron(0 4 ? * TUE#3 *)",
        });
        expect(p).to.not.have.any.keys("TargetAccounts");
    });
});
