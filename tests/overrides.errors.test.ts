/**
 * How core/overrides.ts classifies S3 errors, one signal at a time: S3 answers some errors with a
 * code and no useful status (a 400 NoSuchKey through some proxies) and others with a status only
 * (HeadObject's bodiless 404 / 403, which the SDK names "NotFound" / "Forbidden" or just by status).
 * Written to kill surviving mutants of StrykerJS (TESTING.md): each disjunct decides alone.
 */
import { expect } from "chai";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { OverrideAccessDeniedError, OverrideCallError, readStoredObject } from "../core/overrides";

function awsError(name: string, status?: number, attempts?: number): Error {
    return Object.assign(new Error(`${name} (mock)`), { name, $metadata: { httpStatusCode: status, attempts } });
}

async function readWith(err: Error): Promise<unknown> {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).rejects(err);
    try {
        return await readStoredObject(new S3Client({ region: "us-east-1" }), "b", "k");
    } catch (e) {
        return e;
    } finally {
        s3.restore();
    }
}

describe("override core: S3 error classification, one signal at a time", () => {
    it("a missing object is recognised by its code alone (NoSuchKey, NotFound) or by a 404 alone", async () => {
        expect(await readWith(awsError("NoSuchKey", 400))).to.deep.equal({ exists: false });
        expect(await readWith(awsError("NotFound"))).to.deep.equal({ exists: false });
        expect(await readWith(awsError("UnknownError", 404))).to.deep.equal({ exists: false });
    });

    it("access denied is recognised by its code alone or by a 403 alone, and names the action", async () => {
        for (const err of [awsError("AccessDenied"), awsError("AccessDeniedException", 400), awsError("Forbidden"), awsError("UnknownError", 403)]) {
            const e = await readWith(err);
            expect(e, err.name).to.be.instanceOf(OverrideAccessDeniedError);
            expect((e as Error).message).to.match(/^Access denied: s3:GetObject on s3:\/\/b\/k /);
        }
    });

    it("any other error is an OverrideCallError naming the action, with the attempts only when the SDK retried", async () => {
        const once = (await readWith(awsError("InternalError", 500, 1))) as OverrideCallError;
        expect(once).to.be.instanceOf(OverrideCallError);
        expect(once.name).to.equal("OverrideCallError");
        expect(once.message).to.equal("s3:GetObject on s3://b/k failed: InternalError: InternalError (mock)");
        const retried = (await readWith(awsError("SlowDown", 503, 3))) as OverrideCallError;
        expect(retried.message).to.equal("s3:GetObject on s3://b/k failed after 3 attempts (SDK retry strategy): SlowDown: SlowDown (mock)");
    });
});
