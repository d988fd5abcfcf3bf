/** core/collections.ts `groupBy`, against the obvious (quadratic) grouping it replaced. */
import { expect } from "chai";
import fc from "fast-check";
import { groupBy } from "../core/collections";

/** What every call site did before: the group rebuilt for each item. */
function copyingGroupBy<T, K>(items: T[], keyOf: (item: T) => K): Map<K, T[]> {
    const groups = new Map<K, T[]>();
    for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
    return groups;
}

describe("groupBy (core/collections.ts)", () => {
    it("gives the same groups, keys and orders as rebuilding each group per item (fast-check)", () => {
        fc.assert(
            fc.property(fc.array(fc.record({ key: fc.constantFrom("a", "b", "c", undefined, 0), n: fc.integer() }), { maxLength: 60 }), (items) => {
                const fast = groupBy(items, (i) => i.key);
                const slow = copyingGroupBy(items, (i) => i.key);
                expect([...fast.keys()]).to.deep.equal([...slow.keys()]);
                for (const [k, group] of slow) expect(fast.get(k)).to.deep.equal(group);
                // Every item in exactly one group, the same object.
                expect([...fast.values()].flat().length).to.equal(items.length);
                for (const [k, group] of fast) {
                    for (const item of group) {
                        expect(items).to.include(item);
                        expect(item.key).to.equal(k);
                    }
                }
            }),
            { numRuns: 200, seed: 0xc011 },
        );
    });

    it("groups any iterable, keys in the order they first appear", () => {
        const byLength = groupBy(new Set(["aa", "b", "cc", "ddd", "e"]), (s) => s.length);
        expect([...byLength.entries()]).to.deep.equal([
            [2, ["aa", "cc"]],
            [1, ["b", "e"]],
            [3, ["ddd"]],
        ]);
        expect(groupBy([], () => 1).size).to.equal(0);
    });
});
