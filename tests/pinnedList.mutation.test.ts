/**
 * The InstallOverrideList text and entries (surviving mutants of core/pinnedList.ts), read back
 * with a YAML parser: each entry once, ordered by id then title, an id without a title before the
 * same id with one; KB ids only when the whole id is KB and digits; Linux versions from the title.
 */
import { expect } from "chai";
import * as YAML from "yaml";
import { entryOf, lookbackStart, renderOverrideList } from "../core/pinnedList";

describe("the pinned install list (core/pinnedList.ts)", () => {
    it("lists each entry once, by id then title, quoting what YAML would misread; an empty list is still a list", () => {
        const text = renderOverrideList(
            [
                { id: "openssl.x86_64", title: "1:3.0.8-1" },
                { id: "KB5034441" },
                { id: "openssl.x86_64", title: "1:3.0.8-1" },
                { id: "openssl.x86_64", title: "1:3.0.7-1" },
                { id: "openssl.x86_64" },
                { id: "it's" },
            ],
            ["written by the test", "second line"],
        );
        expect(text.split("\n").slice(0, 2)).to.deep.equal(["# written by the test", "# second line"]);
        expect(YAML.parse(text)).to.deep.equal({
            patches: [{ id: "it's" }, { id: "KB5034441" }, { id: "openssl.x86_64" }, { id: "openssl.x86_64", title: "1:3.0.7-1" }, { id: "openssl.x86_64", title: "1:3.0.8-1" }],
        });
        expect(text.endsWith("\n")).to.equal(true);
        expect(YAML.parse(renderOverrideList([]))).to.deep.equal({ patches: [] });
    });

    it("an installed patch's entry: a KB id alone (trimmed, upper-cased), a Linux name.arch with the version from its title", () => {
        expect(entryOf({ KBId: " kb5034441 ", Title: "2024-01 Cumulative Update" })).to.deep.equal({ id: "KB5034441" });
        expect(entryOf({ KBId: "openssl.x86_64", Title: "openssl.x86_64:1:3.0.8-1.amzn2023" })).to.deep.equal({ id: "openssl.x86_64", title: "1:3.0.8-1.amzn2023" });
        expect(entryOf({ KBId: "openssl.x86_64", Title: "something else" })).to.deep.equal({ id: "openssl.x86_64" });
        expect(entryOf({ KBId: "openssl.x86_64" } as never)).to.deep.equal({ id: "openssl.x86_64" });
        // Only a whole KB id is one: a package named like one keeps its case and title.
        expect(entryOf({ KBId: "kb5034441-tools", Title: "kb5034441-tools:0:1-1" })).to.deep.equal({ id: "kb5034441-tools", title: "0:1-1" });
        expect(entryOf({ KBId: "libkb5034441", Title: "libkb5034441:0:1-1" })).to.deep.equal({ id: "libkb5034441", title: "0:1-1" });
        expect(entryOf({ KBId: "  " } as never)).to.equal(undefined);
        expect(entryOf({} as never)).to.equal(undefined);
    });

    it("the look-back window starts at the start of the cycle lookbackCycles − 1 before now's", () => {
        // Cycles start on Patch Tuesday 10:00 Los Angeles: 2026-12-08 18:00 UTC, 2026-11-10 18:00 UTC.
        const now = new Date("2026-12-20T00:00:00Z");
        expect(lookbackStart(now, 1)).to.deep.equal({ since: new Date("2026-12-08T18:00:00Z"), cycle: "2026-12" });
        expect(lookbackStart(now, 2)).to.deep.equal({ since: new Date("2026-11-10T18:00:00Z"), cycle: "2026-12" });
    });
});
