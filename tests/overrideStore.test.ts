import { expect } from "chai";
import { BaselineOverrideStore, BaselineOverrideStoreArgs, principalArnPatterns } from "../components/overrideStore";
import { LAMBDA_RUNTIME } from "../components/nodeLambda";
import { syncWorstCaseMs } from "../core/overrides";
import { PlanResource, runUnderMocks } from "../review/engine";
import { ACCOUNT, cachedReview, COMPONENT_RUN, minimalConfig, named, ofType, REGION, runProgram, runStackFile } from "./harness";
import { allowed, Caller, Statement } from "./policySim";

const BUCKET = `patching-overrides-${ACCOUNT}-${REGION}-test1`;
const OBJECT = `arn:aws:s3:::${BUCKET}/baseline_overrides.json`;
const LAMBDA_ROLE = `arn:aws:iam::${ACCOUNT}:role/store-remediation-role`;
/** The mock engine's caller identity (review/engine.ts). */
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/review`;
const ORG = "o-a1b2c3d4e5";
const OU = "ou-ab12-cdefgh34";
const WIN_ARN = `arn:aws:ssm:${REGION}:${ACCOUNT}:patchbaseline/pb-0000000000000000a`;
const AWS_AL = `arn:aws:ssm:${REGION}:075727635805:patchbaseline/pb-0000000000000000b`;

async function deploy(args: Partial<BaselineOverrideStoreArgs> = {}) {
    return runUnderMocks({
        ...COMPONENT_RUN,
        program: () =>
            new BaselineOverrideStore("store", {
                configId: "test1",
                region: REGION,
                baselines: [
                    { name: "win", id: "pb-0000000000000000a", arn: WIN_ARN, definition: { os: "WINDOWS" } },
                    { name: AWS_AL, id: AWS_AL, arn: AWS_AL },
                ],
                writer: "patching/test/test1",
                tags: { Project: "patching" },
                ...args,
            }),
    });
}

const json = (r: PlanResource, field = "policy") => JSON.parse(r.inputs[field] as string);
const bucketPolicy = (resources: PlanResource[]): Statement[] => json(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "store-bucket-policy")).Statement;

describe("BaselineOverrideStore component", () => {
    it("creates the bucket as Quick Setup's: named from account, region and id, owner-enforced, private, versioned, SSE-S3, access-logged", async () => {
        const { resources } = await deploy();
        expect(named(resources, "aws:s3/bucket:Bucket", "store-bucket").inputs).to.deep.include({ bucket: BUCKET });
        expect(named(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "store-bucket-ownership").inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        expect(named(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "store-bucket-public-access").inputs).to.deep.include({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(named(resources, "aws:s3/bucketVersioning:BucketVersioning", "store-bucket-versioning").inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
        expect(named(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-bucket-encryption").inputs.rules).to.deep.equal([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        expect(named(resources, "aws:s3/bucketLogging:BucketLogging", "store-bucket-logging").inputs).to.deep.include({ targetBucket: "store-bucket-access-logs-bucket", targetPrefix: "" });
        expect(named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "store-bucket-lifecycle").inputs.rules).to.deep.equal([
            {
                id: "ExpireNoncurrentOverrides",
                status: "Enabled",
                filter: { prefix: "baseline_overrides.json" },
                noncurrentVersionExpiration: { noncurrentDays: 90 },
                expiration: { expiredObjectDeleteMarker: true },
            },
        ]);
        expect(named(resources, "aws:s3/bucket:Bucket", "store-bucket").options.protect).to.equal(undefined);
    });

    it("writes the bucket policy: TLS only, deny without the principal tag except the automation and named roles, LOCAL target", async () => {
        const { resources } = await deploy({ instanceRoleNames: ["legacy-web"] });
        expect(bucketPolicy(resources)).to.deep.equal([
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyAllButPrincipalsWithTag",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "s3:GetObject",
                Resource: OBJECT,
                Condition: {
                    StringNotEquals: { "aws:PrincipalTag/QSConfigId-test1": "test1" },
                    ArnNotLike: {
                        "aws:PrincipalArn": [LAMBDA_ROLE, DEPLOYER, `arn:aws:iam::${ACCOUNT}:role/legacy-web`, `arn:aws:iam::${ACCOUNT}:role/*/legacy-web`],
                    },
                },
            },
            { Sid: "Target", Effect: "Allow", Action: "s3:GetObject", Resource: OBJECT, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } },
        ]);
    });

    it("admits an OU target through aws:PrincipalOrgPaths and the organization through aws:PrincipalOrgID", async () => {
        const ou = bucketPolicy((await deploy({ target: { type: "OU", organizationId: ORG, ouIds: [OU, "ou-ab12-zzzzzzzz"] } })).resources)[2];
        expect(ou).to.deep.equal({
            Sid: "Target",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: OBJECT,
            Principal: "*",
            Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": [`${ORG}/*/${OU}/*`, `${ORG}/*/ou-ab12-zzzzzzzz/*`] } },
        });
        const org = bucketPolicy((await deploy({ target: { type: "ENTIRE_ORG", organizationId: ORG } })).resources)[2];
        expect(org).to.deep.equal({ Sid: "Target", Effect: "Allow", Action: "s3:GetObject", Resource: OBJECT, Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } } });
    });

    it("grants each named existing instance role read access to exactly the object", async () => {
        const { resources } = await deploy({ instanceRoleNames: ["legacy-web", "batch-worker"] });
        const grants = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((r) => r.name.startsWith("store-read-"));
        expect(grants.map((g) => g.inputs.role)).to.deep.equal(["batch-worker", "legacy-web"]);
        for (const g of grants) {
            expect(g.inputs.name).to.equal("baseline-overrides-read-test1");
            expect(json(g).Statement).to.deep.equal([{ Sid: "ReadBaselineOverrides", Effect: "Allow", Action: ["s3:GetObject"], Resource: OBJECT }]);
        }
    });

    describe('"Access Denied … baseline_overrides.json" cannot happen to admitted roles', () => {
        async function scenario(args: Partial<BaselineOverrideStoreArgs>) {
            const { resources } = await deploy(args);
            const policy = bucketPolicy(resources);
            const grant = (role: string): Statement[] => json(named(resources, "aws:iam/rolePolicy:RolePolicy", `store-read-${role}`)).Statement;
            const lambda: Statement[] = json(named(resources, "aws:iam/rolePolicy:RolePolicy", "store-remediation-policy")).Statement;
            const can = (caller: Caller, identity: Statement[]) => allowed({ caller, action: "s3:GetObject", resource: OBJECT, identity, bucketPolicy: policy, bucketAccount: ACCOUNT });
            return { can, grant, lambda };
        }
        const role = (name: string, extra: Partial<Caller> = {}): Caller => ({ principalArn: `arn:aws:iam::${ACCOUNT}:role/${name}`, account: ACCOUNT, ...extra });
        const broadRead: Statement[] = [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }];

        it("a named existing role without the tag reads the object through its granted policy", async () => {
            const { can, grant } = await scenario({ instanceRoleNames: ["legacy-web"] });
            expect(await can(role("legacy-web"), grant("legacy-web"))).to.equal(true);
            expect(await can(role("legacy-web", { principalArn: `arn:aws:iam::${ACCOUNT}:role/apps/legacy-web` }), grant("legacy-web"))).to.equal(true);
        });

        it("an untagged role that is not named is denied even with S3 read-all (Quick Setup's failure mode)", async () => {
            const { can } = await scenario({ instanceRoleNames: ["legacy-web"] });
            expect(await can(role("other-app"), broadRead)).to.equal(false);
            expect(await can(role("legacy-web-2"), broadRead)).to.equal(false);
        });

        it("roles carrying the principal tag, the remediation role and the deployer read it; plain HTTP never", async () => {
            const { can, lambda } = await scenario({});
            const tagged = role("stack-instance-role", { tags: { "QSConfigId-test1": "test1" } });
            expect(await can(tagged, [{ Effect: "Allow", Action: "s3:GetObject", Resource: OBJECT }])).to.equal(true);
            expect(await can(role("stack-instance-role", { tags: { "QSConfigId-test1": "other" } }), broadRead)).to.equal(false);
            expect(await can(role("store-remediation-role"), lambda)).to.equal(true);
            expect(await can(role("review"), broadRead)).to.equal(true);
            expect(await can({ ...tagged, secureTransport: false }, broadRead)).to.equal(false);
        });

        it("with an OU target, tagged principals in the OU read it, others in the organization do not", async () => {
            const { can } = await scenario({ target: { type: "OU", organizationId: ORG, ouIds: [OU] } });
            const remote = (paths: string[]): Caller => ({
                principalArn: "arn:aws:iam::210987654321:role/instance",
                account: "210987654321",
                orgId: ORG,
                orgPaths: paths,
                tags: { "QSConfigId-test1": "test1" },
            });
            expect(await can(remote([`${ORG}/r-ab12/${OU}/`]), broadRead)).to.equal(true);
            expect(await can(remote([`${ORG}/r-ab12/ou-ab12-otherotr/`]), broadRead)).to.equal(false);
            expect(await can({ ...remote([`${ORG}/r-ab12/${OU}/`]), tags: {} }, broadRead)).to.equal(false);
        });
    });

    it("matches the deploying identity's role whatever its session or path", () => {
        expect(principalArnPatterns("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_abc/jane@example.com")).to.deep.equal([
            "arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_abc",
            "arn:aws:iam::123456789012:role/*/AWSReservedSSO_Admin_abc",
        ]);
        expect(principalArnPatterns("arn:aws:iam::123456789012:user/ci")).to.deep.equal(["arn:aws:iam::123456789012:user/ci"]);
    });

    it("deploys the remediation Lambda with a least-privilege role", async () => {
        const { resources } = await deploy();
        const fn = named(resources, "aws:lambda/function:Function", "store-remediation");
        expect(fn.inputs).to.deep.include({ name: "baseline-overrides-test1", runtime: LAMBDA_RUNTIME, architectures: ["arm64"], handler: "index.handler", timeout: 353 });
        // Sized from the core: every attempt of a whole sync hanging until its timeouts still fits.
        expect((fn.inputs.timeout as number) * 1000).to.be.greaterThan(syncWorstCaseMs());
        expect(fn.inputs.environment).to.deep.equal({
            variables: {
                OVERRIDE_BUCKET: BUCKET,
                OVERRIDE_KEY: "baseline_overrides.json",
                OVERRIDE_BASELINE_IDS: JSON.stringify(["pb-0000000000000000a", AWS_AL]),
                OVERRIDE_WRITER: "patching/test/test1",
            },
        });
        expect(named(resources, "aws:cloudwatch/logGroup:LogGroup", "store-remediation-logs").inputs).to.deep.include({ name: "/aws/lambda/baseline-overrides-test1", retentionInDays: 30 });
        expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", "store-remediation-policy")).Statement).to.deep.equal([
            { Sid: "ReadListedBaselines", Effect: "Allow", Action: ["ssm:GetPatchBaseline"], Resource: [WIN_ARN, AWS_AL] },
            { Sid: "ReadWriteOverrideObject", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: OBJECT },
            { Sid: "TellMissingFromDenied", Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${BUCKET}` },
            { Sid: "ReportFailures", Effect: "Allow", Action: ["sns:Publish"], Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:baseline-overrides-test1-alarms` },
            // The alarm topic is encrypted with its own customer managed key: publishing needs it.
            { Sid: "EncryptFailureReports", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/store-alarms-key-id` },
            { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/baseline-overrides-test1:*` },
        ]);
    });

    it("derives the GetPatchBaseline grant for a pb- id of this account", async () => {
        const { resources } = await deploy({ baselines: [{ name: "x", id: "pb-0000000000000000c" }] });
        expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", "store-remediation-policy")).Statement[0].Resource).to.deep.equal([
            `arn:aws:ssm:${REGION}:${ACCOUNT}:patchbaseline/pb-0000000000000000c`,
        ]);
    });

    it("schedules it hourly with EventBridge Scheduler through a role only the schedule can assume", async () => {
        const { resources } = await deploy();
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "store-schedule");
        expect(schedule.inputs).to.deep.include({ name: "baseline-overrides-test1", groupName: "baseline-overrides-test1", scheduleExpression: "rate(1 hour)", state: "ENABLED", flexibleTimeWindow: { mode: "OFF" } });
        expect(schedule.inputs.target).to.deep.equal({
            arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:baseline-overrides-test1`,
            roleArn: `arn:aws:iam::${ACCOUNT}:role/store-scheduler`,
            input: JSON.stringify({ source: "patching.overrides.schedule", configId: "test1" }),
            retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        });
        // Destroyed before the object: no run rewrites it while the stack is torn down.
        expect(schedule.options.dependsOn).to.include("urn:pulumi:test::patching::patching:overrides:BaselineOverrideStore$pulumi-nodejs:dynamic/patching:BaselineOverrides::store-object");
        expect(json(named(resources, "aws:iam/role:Role", "store-scheduler"), "assumeRolePolicy").Statement).to.deep.equal([
            {
                // Scheduler's aws:SourceArn is the schedule GROUP (Scheduler user guide, "Confused deputy prevention").
                Sid: "SchedulesOfThisGroup",
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/baseline-overrides-test1` } },
            },
        ]);
        expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", "store-scheduler-policy")).Statement).to.deep.equal([
            { Sid: "InvokeRemediation", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:baseline-overrides-test1` },
        ]);
    });

    it("sends failures to an alarm and a failure destination on a created topic", async () => {
        const { resources } = await deploy({ remediation: { scheduleExpression: "rate(6 hours)", alarmEmail: "ops@example.com" } });
        const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:baseline-overrides-test1-alarms`;
        expect(named(resources, "aws:sns/topicSubscription:TopicSubscription", "store-alarms-email").inputs).to.deep.include({ topic, protocol: "email", endpoint: "ops@example.com" });
        expect(named(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "store-errors").inputs).to.deep.include({
            name: "baseline-overrides-test1-errors",
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: "baseline-overrides-test1" },
            statistic: "Sum",
            period: 21600,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic],
            okActions: [topic],
        });
        expect(named(resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "store-async").inputs).to.deep.equal({
            functionName: "baseline-overrides-test1",
            maximumRetryAttempts: 1,
            maximumEventAgeInSeconds: 3600,
            destinationConfig: { onFailure: { destination: topic } },
        });
    });

    it("uses an existing alarm topic, or deploys no Lambda at all when remediation is off", async () => {
        const existing = "arn:aws:sns:us-east-1:123456789012:ops-alerts";
        const withTopic = (await deploy({ remediation: { alarmTopicArn: existing } })).resources;
        expect(ofType(withTopic, "aws:sns/topic:Topic")).to.have.length(0);
        expect(named(withTopic, "aws:cloudwatch/metricAlarm:MetricAlarm", "store-errors").inputs.alarmActions).to.deep.equal([existing]);

        const off = (await deploy({ remediation: false })).resources;
        for (const type of ["aws:lambda/function:Function", "aws:scheduler/schedule:Schedule", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic"]) {
            expect(ofType(off, type), type).to.have.length(0);
        }
        // Without a Lambda, only the deployer is admitted besides tagged principals.
        expect(bucketPolicy(off)[1].Condition!.ArnNotLike["aws:PrincipalArn"]).to.deep.equal([DEPLOYER]);
    });

    it("protect reaches the created KMS key exactly as it reaches the bucket, and only when asked", async () => {
        // The key encrypts every object version: deleting it loses the store's history as surely as
        // deleting the bucket. Pulumi records protect per resource (the engine's RegisterResource).
        for (const protect of [true, false, undefined]) {
            const { resources } = await deploy({ encryption: { type: "SSE_KMS" }, protect });
            const expected = protect === true ? true : undefined;
            expect(named(resources, "aws:kms/key:Key", "store-key").options.protect, `key, protect: ${protect}`).to.equal(expected);
            expect(named(resources, "aws:s3/bucket:Bucket", "store-bucket").options.protect, `bucket, protect: ${protect}`).to.equal(expected);
        }
        // A key passed in is not the store's to create or protect.
        const { resources } = await deploy({ encryption: { type: "SSE_KMS", kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/external` }, protect: true });
        expect(ofType(resources, "aws:kms/key:Key").filter((r) => r.name === "store-key")).to.have.length(0);
    });

    it("with SSE-KMS and no key, creates a rotating protected key and grants decrypt via S3 only", async () => {
        const { resources } = await deploy({ encryption: { type: "SSE_KMS" }, protect: true, instanceRoleNames: ["legacy-web"] });
        const key = named(resources, "aws:kms/key:Key", "store-key");
        expect(key.inputs).to.deep.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(key.options.protect).to.equal(true);
        expect(named(resources, "aws:s3/bucket:Bucket", "store-bucket").options.protect).to.equal(true);
        const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/store-key-id`;
        expect(named(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-bucket-encryption").inputs.rules).to.deep.equal([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true },
        ]);
        const viaS3 = { StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } };
        expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", "store-read-legacy-web")).Statement[1]).to.deep.equal({
            Sid: "DecryptOverridesViaS3",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: keyArn,
            Condition: viaS3,
        });
        expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", "store-remediation-policy")).Statement[3]).to.deep.equal({
            Sid: "DecryptOverridesViaS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: keyArn,
            Condition: viaS3,
        });
    });

    it("registers the object as a BaselineOverrides resource after the bucket, and exposes the ref", async () => {
        let store: BaselineOverrideStore | undefined;
        const { resources } = await runUnderMocks({
            ...COMPONENT_RUN,
            program: () => (store = new BaselineOverrideStore("store", { configId: "test1", region: REGION, baselines: [{ name: "w", id: "pb-0000000000000000a" }], writer: "w", objectKey: "o/overrides.json", tags: {} })),
        });
        const object = named(resources, "pulumi-nodejs:dynamic/patching:BaselineOverrides", "store-object");
        expect(object.inputs).to.deep.include({ region: REGION, bucket: BUCKET, key: "o/overrides.json", baselineIds: ["pb-0000000000000000a"], writer: "w" });
        // Written after the bucket's policy and encryption are in place.
        expect(object.options.dependsOn).to.include.members([
            "urn:pulumi:test::patching::patching:s3:HardenedBucket$aws:s3/bucketPolicy:BucketPolicy::store-bucket-policy",
            "urn:pulumi:test::patching::patching:s3:HardenedBucket$aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::store-bucket-encryption",
        ]);
        const unwrap = <T>(o: { apply: (f: (v: T) => void) => unknown }) => new Promise<T>((resolve) => o.apply(resolve));
        expect(store!.ref.objectKey).to.equal("o/overrides.json");
        expect(store!.ref.principalTag).to.deep.equal({ key: "QSConfigId-test1", value: "test1" });
        expect(await unwrap(store!.s3Url)).to.equal(`s3://${BUCKET}/o/overrides.json`);
        expect(await unwrap(store!.objectArn)).to.equal(`arn:aws:s3:::${BUCKET}/o/overrides.json`);
    });

    describe("in the program", () => {
        it("is deployed only when patching:overrideStore is enabled", async () => {
            expect(ofType((await runProgram(minimalConfig())).resources, "patching:overrides:BaselineOverrideStore")).to.have.length(0);
            const off = minimalConfig({ "patching:overrideStore": { enabled: false, configId: "test1", baselines: ["test-al2023"] } });
            expect(ofType((await runProgram(off)).resources, "patching:overrides:BaselineOverrideStore")).to.have.length(0);
        });

        it("puts the stack's baselines (by id, with their ARNs) and predefined ones in the object; an edit changes the fingerprint", async () => {
            const values = minimalConfig({ "patching:overrideStore": { configId: "test1", baselines: ["test-al2023"], predefinedBaselines: [AWS_AL.replace("pb-0000000000000000b", "pb-0000000000000000e")] } });
            const { resources, result } = await runProgram(values);
            const object = named(resources, "pulumi-nodejs:dynamic/patching:BaselineOverrides", "overrides-test1-object");
            expect(object.inputs.baselineIds).to.deep.equal(["test-al2023-id", AWS_AL.replace("pb-0000000000000000b", "pb-0000000000000000e")]);
            expect(object.inputs.writer).to.equal("patching/test/test1");
            expect(json(named(resources, "aws:iam/rolePolicy:RolePolicy", "overrides-test1-remediation-policy")).Statement[0].Resource).to.deep.equal([
                `arn:aws:ssm:${REGION}:${ACCOUNT}:patchbaseline/test-al2023-id`,
                AWS_AL.replace("pb-0000000000000000b", "pb-0000000000000000e"),
            ]);
            expect(result.outputs.overrideRef!.principalTag).to.deep.equal({ key: "QSConfigId-test1", value: "test1" });

            const base = (values["patching:baselines"] as Record<string, unknown>[])[0];
            const fingerprint = async (b: Record<string, unknown>) =>
                named((await runProgram({ ...values, "patching:baselines": [b] })).resources, "pulumi-nodejs:dynamic/patching:BaselineOverrides", "overrides-test1-object").inputs.definitionsSha256;
            expect(await fingerprint({ ...base, approvalRules: [{ patchFilters: { CLASSIFICATION: ["Security"] }, approveAfterDays: 3 }] })).not.to.equal(object.inputs.definitionsSha256);
            // Fields that never reach the document do not re-sync it.
            expect(await fingerprint({ ...base, description: "reworded", patchGroups: ["test", "canary"], tags: { Team: "x" } })).to.equal(object.inputs.definitionsSha256);
        });
    });

    describe("in the stack files", () => {
        it("dev: hourly remediation of its four baselines, one legacy role admitted", async () => {
            const { resources } = await runStackFile("Pulumi.dev.yaml", "dev");
            const object = named(resources, "pulumi-nodejs:dynamic/patching:BaselineOverrides", "overrides-dev01-object");
            expect(object.inputs.baselineIds).to.deep.equal(["dev-windows-server-id", "dev-amazon-linux-2023-id", "dev-rhel-id", "dev-ubuntu-id"]);
            expect(object.inputs.bucket).to.equal(`patching-overrides-${ACCOUNT}-us-east-1-dev01`);
            expect(named(resources, "aws:iam/rolePolicy:RolePolicy", "overrides-dev01-read-legacy-ec2-ssm-role").inputs.role).to.equal("legacy-ec2-ssm-role");
            expect(named(resources, "aws:scheduler/schedule:Schedule", "overrides-dev01-schedule").inputs.scheduleExpression).to.equal("rate(1 hour)");
            expect(named(resources, "aws:cloudwatch/logGroup:LogGroup", "overrides-dev01-remediation-logs").inputs.retentionInDays).to.equal(14);
            expect(named(resources, "aws:s3/bucket:Bucket", "overrides-dev01-bucket").options.protect).to.equal(undefined);
        });

        it("prod: protected, KMS-encrypted, a year of versions, failures mailed", async () => {
            const { resources } = await runStackFile("Pulumi.prod.yaml", "prod");
            expect(named(resources, "aws:s3/bucket:Bucket", "overrides-prod01-bucket").options.protect).to.equal(true);
            expect(named(resources, "pulumi-nodejs:dynamic/patching:BaselineOverrides", "overrides-prod01-object").options.protect).to.equal(true);
            expect(named(resources, "aws:kms/key:Key", "overrides-prod01-key").options.protect).to.equal(true);
            expect((named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "overrides-prod01-bucket-lifecycle").inputs.rules as Record<string, unknown>[])[0].noncurrentVersionExpiration).to.deep.equal({
                noncurrentDays: 365,
            });
            expect(named(resources, "aws:sns/topicSubscription:TopicSubscription", "overrides-prod01-alarms-email").inputs.endpoint).to.equal("patching-oncall@example.com");
            expect(ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((r) => r.name.startsWith("overrides-prod01-read-")).map((r) => r.inputs.role)).to.deep.equal([
                "prod-app-instance-role",
                "prod-batch-instance-role",
            ]);
        });

        it("the review shows a section with the BaselineOverride URL, readers and remediation", async () => {
            const review = await cachedReview({ stack: "prod", now: new Date("2026-01-01T00:00:00Z") });
            expect(review.sections.find((s) => s.title === "Baseline-override store prod01")!.lines).to.deep.equal([
                `BaselineOverride parameter: s3://patching-overrides-${ACCOUNT}-us-east-1-prod01/baseline_overrides.json`,
                "baselines: prod-windows-server (WINDOWS), prod-amazon-linux-2023 (AMAZON_LINUX_2023), prod-rhel (REDHAT_ENTERPRISE_LINUX), prod-ubuntu (UBUNTU)",
                "target: LOCAL (this account)",
                "readers: roles tagged QSConfigId-prod01=prod01, the remediation role, the deploying identity, and existing roles prod-app-instance-role, prod-batch-instance-role (each granted s3:GetObject on the object)",
                "bucket: SSE-KMS (key created, rotating), versioned, noncurrent versions kept 365 days, access logs create, protected",
                "remediation: rate(1 hour) (EventBridge Scheduler) → Lambda baseline-overrides-prod01; writes only when the content changed; failures → SNS baseline-overrides-prod01-alarms (patching-oncall@example.com)",
            ]);
        });
    });
});
