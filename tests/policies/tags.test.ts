import { expect } from "chai";
import { requiredTags } from "../../policies/tags";
import { messages, res } from "./util";

const full = { Project: "patching", Environment: "dev", Stack: "dev", ManagedBy: "pulumi" };
describe("policies: tags", () => {
    it("passes fully tagged resources and untaggable types", async () => {
        expect(await messages(requiredTags, [res("aws:ssm/patchBaseline:PatchBaseline", "b", { tags: full }), res("aws:ssm/patchGroup:PatchGroup", "g", {})])).to.deep.equal([]);
    });
    it("reports missing required tags, including configured ones", async () => {
        expect(await messages(requiredTags, [res("aws:s3/bucket:Bucket", "b", { tags: { Project: "patching" } })])).to.deep.equal([
            'Bucket "b" lacks the tag(s) Environment, Stack, ManagedBy. Fix: pass the stack tags (components/tags.ts stackTags) to this resource.',
        ]);
        expect(await messages(requiredTags, [res("aws:iam/role:Role", "r", { tags: full })], { requiredTags: ["CostCenter"] })).to.have.length(1);
    });
    it("reads aws-native tag lists (patch policy associations)", async () => {
        const list = Object.entries(full).map(([key, value]) => ({ key, value }));
        expect(await messages(requiredTags, [res("aws-native:ssm:Association", "a", { tags: list })])).to.deep.equal([]);
        expect(await messages(requiredTags, [res("aws-native:ssm:Association", "a", { tags: list.slice(0, 1) })])).to.deep.equal([
            'Association "a" lacks the tag(s) Environment, Stack, ManagedBy. Fix: pass the stack tags (components/tags.ts stackTags) to this resource.',
        ]);
    });
});
