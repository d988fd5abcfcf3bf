/**
 * Breaking a wire on purpose: a copy of a reviewed plan with one resource's inputs changed, and
 * the assertion that the wiring proof then reports that edge broken (with the reason) and the
 * review exits 2 naming it. Shared by the wiring tests.
 */
import { expect } from "chai";
import { exitCode } from "../../review/cli";
import type { PlanResource } from "../../review/engine";
import { renderText } from "../../review/render";
import type { Review } from "../../review/review";
import { proveWiring, WiringReport } from "../../review/wiring";
import { wiringSection } from "../../review/wiringSection";

/** The plan with the inputs of every resource of `type` whose name matches `name` changed (a deep copy each). */
export function mutate(resources: PlanResource[], type: string, name: RegExp, change: (inputs: Record<string, any>) => void): PlanResource[] {
    let changed = 0;
    const out = resources.map((r) => {
        if (r.type !== type || !name.test(r.name)) return r;
        const copy = JSON.parse(JSON.stringify(r)) as PlanResource;
        change(copy.inputs);
        changed++;
        return copy;
    });
    expect(changed, `a ${type} named ${name}`).to.be.greaterThan(0);
    return out;
}

/** As {@link mutate}, for a JSON policy document held as text in input `field` (`policy`, `assumeRolePolicy`). */
export function mutatePolicy(resources: PlanResource[], type: string, name: RegExp, field: string, change: (doc: { Statement: Record<string, any>[] }) => void): PlanResource[] {
    return mutate(resources, type, name, (inputs) => {
        const doc = JSON.parse(inputs[field] as string);
        change(doc);
        inputs[field] = JSON.stringify(doc);
    });
}

/** Drops the statement `sid` from a policy document (fails when there is none). */
export const withoutSid = (sid: string) => (doc: { Statement: Record<string, any>[] }) => {
    const before = doc.Statement.length;
    doc.Statement = doc.Statement.filter((s) => s.Sid !== sid);
    expect(doc.Statement.length, `statement ${sid}`).to.equal(before - 1);
};

/**
 * Proves the wiring of `resources` (a changed copy of `review`'s plan) and asserts the edge
 * matching `id` is broken for a reason matching `why`, the review exits 2, and its text report
 * names the edge as BROKEN.
 */
export async function expectBroken(review: Review, resources: PlanResource[], id: RegExp, why: RegExp): Promise<WiringReport> {
    const wiring = await proveWiring(resources, { accountId: review.accountId, region: review.region ?? "us-east-1" });
    const bad = wiring.verdicts.filter((v) => !v.ok);
    expect(bad.map((v) => v.edge.id)).to.satisfy((ids: string[]) => ids.some((x) => id.test(x)), `broken edges: ${bad.map((v) => v.edge.id).join(", ")}`);
    expect(bad.filter((v) => id.test(v.edge.id)).flatMap((v) => v.problems).join("\n")).to.match(why);
    const broke = { ...review, wiring };
    expect(exitCode(broke)).to.equal(2);
    const text = renderText({ ...broke, sections: [...review.sections.filter((x) => !x.title.startsWith("Wiring")), wiringSection(wiring)] });
    expect(text).to.match(new RegExp(`BROKEN ${id.source.replace(/^\^/, "").replace(/\$$/, ":")}`));
    return wiring;
}
