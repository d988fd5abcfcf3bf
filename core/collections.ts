/**
 * Grouping without copies. Appending to a group in place keeps a grouping linear in the number of
 * items; rebuilding the group for each item (`map.set(k, [...(map.get(k) ?? []), item])`) made it
 * quadratic, which turned a 100,000-instance fleet plan and the `--fleet-size` simulation into
 * minutes of CPU (tests/collections.test.ts; `npm run bench`, "Fleet").
 */

/** The items by key, each group in the items' order, the keys in the order they first appear. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
    const groups = new Map<K, T[]>();
    for (const item of items) {
        const key = keyOf(item);
        const members = groups.get(key);
        if (members) members.push(item);
        else groups.set(key, [item]);
    }
    return groups;
}
