/**
 * `patching:patchOrchestrators[].crossAccount`: fleet mode across accounts and Regions (issue 18,
 * item 2). The management account's stack deploys a coordinator that starts each location's own
 * fleet run (one location = one account × Region, each deployed by that account's stack for that
 * Region); a location's stack deploys the orchestrator with its window off and the role the
 * coordinator assumes to start it. See docs/maintenance-windows-and-orchestrator.md, "Across
 * accounts and Regions".
 */
import { z } from "zod";
import { maxConcurrencySchema, maxErrorsSchema } from "./fields";
import { matching, oneOf, strictObject } from "./common";
import { asArray, asRecord, IssueSink } from "./issues";
import { ACCOUNT_ID_PATTERN, MAX_TARGET_LOCATION_ACCOUNTS, MAX_TARGET_LOCATION_REGIONS, MAX_TARGET_LOCATIONS, REGION_PATTERN } from "./rules";
import { expandLocations, LocationGroup } from "../core/orchestrator/crossAccount";

/** Locations one coordinator drives at most: its summary reads every location's run in one Lambda call (≤ 15 min). */
export const MAX_COORDINATED_LOCATIONS = 1000;
/** The longest Region name (`ap-southeast-5`, `us-gov-west-1` are shorter): a location role is `<memberRoleName>-<region>` ≤ 64. */
const REGION_NAME_MAX = 14;
export const MEMBER_ROLE_NAME_MAX = 64 - 1 - REGION_NAME_MAX;

export const CROSS_ACCOUNT_ROLES = ["coordinator", "location", "both"] as const;

const accountId = matching(ACCOUNT_ID_PATTERN, "a 12-digit AWS account id (the coordinator starts each location's run by its ARN; OU ids cannot be expanded)");
const region = matching(REGION_PATTERN, "an AWS Region name such as us-east-1 or eu-west-1");

export const crossAccountSchema = strictObject({
    /**
     * What this stack deploys: `coordinator` (the management account: the coordinator state
     * machine and its window), `location` (a member account in this stack's Region: the
     * orchestrator, its window off, and the role the coordinator assumes), `both`.
     * @default from patching:multiAccount.accountRole (management → coordinator, member → location, both → both)
     */
    role: oneOf(CROSS_ACCOUNT_ROLES, "cross-account orchestrator role").optional(),
    /**
     * Coordinator: the locations (every account in every Region of an entry), started in order —
     * entry by entry, Region by Region, accounts in the order listed.
     * @default the account ids of patching:multiAccount.targetLocations × their Regions
     */
    locations: z
        .array(
            strictObject({
                /** 12-digit account ids. */
                accounts: z
                    .array(accountId, { error: "must be a list of account ids" })
                    .min(1, { error: `needs 1–${MAX_TARGET_LOCATION_ACCOUNTS} account ids` })
                    .max(MAX_TARGET_LOCATION_ACCOUNTS, { error: `takes at most ${MAX_TARGET_LOCATION_ACCOUNTS} account ids` }),
                /** Regions, each with a location stack of the orchestrator in every account above. */
                regions: z
                    .array(region, { error: "must be a list of Region names" })
                    .min(1, { error: `needs 1–${MAX_TARGET_LOCATION_REGIONS} Regions` })
                    .max(MAX_TARGET_LOCATION_REGIONS, { error: `takes at most ${MAX_TARGET_LOCATION_REGIONS} Regions` }),
            }),
            { error: "must be a list of { accounts, regions }" },
        )
        .min(1, { error: "needs at least one location entry" })
        .max(MAX_TARGET_LOCATIONS, { error: `takes at most ${MAX_TARGET_LOCATIONS} entries` })
        .optional(),
    /** Coordinator: locations whose runs are in progress at once, a count or a % of the locations (Distributed Map MaxConcurrency; like TargetLocationMaxConcurrency). @default "1" */
    locationConcurrency: maxConcurrencySchema.optional(),
    /** Coordinator: failed locations tolerated, a count or a % of the locations; one more and no new location starts (Distributed Map ToleratedFailureCount; like TargetLocationMaxErrors). @default "0" */
    locationMaxErrors: maxErrorsSchema.optional(),
    /**
     * The location role's name without its Region: each location stack creates `<memberRoleName>-<aws:region>`,
     * and the coordinator assumes that role in each location. The same in every stack of the orchestrator.
     * @default <orchestrator name>-location
     */
    memberRoleName: matching(new RegExp(`^[\\w+=,.@-]{1,${MEMBER_ROLE_NAME_MAX}}$`), `an IAM role name of 1–${MEMBER_ROLE_NAME_MAX} letters, digits or + = , . @ _ - (the Region is appended; IAM RoleName ≤ 64)`).optional(),
    /** Location: the account whose coordinator the location role trusts. @default patching:multiAccount.managementAccountId, or this account for role both */
    managementAccountId: accountId.optional(),
});
export type CrossAccountConfig = z.infer<typeof crossAccountSchema>;

/** What a stack's orchestrator deploys across accounts, resolved from its entry and `patching:multiAccount`. */
export interface ResolvedCrossAccount {
    coordinator?: { groups: LocationGroup[]; locationConcurrency: string; locationMaxErrors: string };
    /** `managementAccountId` undefined: this account runs the coordinator (role both). */
    location?: { managementAccountId?: string };
    memberRoleName: string;
}

interface MultiAccountLike {
    accountRole?: unknown;
    managementAccountId?: unknown;
    targetLocations?: unknown;
}

function roleOf(c: Record<string, unknown>, multiAccount: MultiAccountLike | undefined): (typeof CROSS_ACCOUNT_ROLES)[number] | undefined {
    if (typeof c.role === "string") return (CROSS_ACCOUNT_ROLES as readonly string[]).includes(c.role) ? (c.role as (typeof CROSS_ACCOUNT_ROLES)[number]) : undefined;
    const r = multiAccount?.accountRole;
    return r === "management" ? "coordinator" : r === "member" ? "location" : r === "both" ? "both" : undefined;
}

function groupsFromTargetLocations(multiAccount: MultiAccountLike | undefined): { groups: LocationGroup[]; ous: string[] } {
    const groups: LocationGroup[] = [];
    const ous: string[] = [];
    for (const l0 of asArray(multiAccount?.targetLocations)) {
        const l = asRecord(l0);
        const accounts = asArray(l.accounts).filter((a): a is string => typeof a === "string");
        ous.push(...accounts.filter((a) => !ACCOUNT_ID_PATTERN.test(a)));
        const ids = accounts.filter((a) => ACCOUNT_ID_PATTERN.test(a));
        const regions = asArray(l.regions).filter((r): r is string => typeof r === "string");
        if (ids.length > 0 && regions.length > 0) groups.push({ accounts: ids, regions });
    }
    return { groups, ous };
}

/** The resolved cross-account settings of one orchestrator entry (after validation). */
export function resolveCrossAccount(name: string, c: CrossAccountConfig, multiAccount: MultiAccountLike | undefined): ResolvedCrossAccount {
    const role = roleOf(c as Record<string, unknown>, multiAccount);
    const memberRoleName = c.memberRoleName ?? `${name}-location`;
    const out: ResolvedCrossAccount = { memberRoleName };
    if (role === "coordinator" || role === "both") {
        out.coordinator = {
            groups: c.locations ?? groupsFromTargetLocations(multiAccount).groups,
            locationConcurrency: c.locationConcurrency ?? "1",
            locationMaxErrors: c.locationMaxErrors ?? "0",
        };
    }
    if (role === "location" || role === "both") {
        const m = c.managementAccountId ?? (typeof multiAccount?.managementAccountId === "string" ? multiAccount.managementAccountId : undefined);
        out.location = { managementAccountId: m };
    }
    return out;
}

/**
 * Cross-field rules of every orchestrator's `crossAccount`, on the raw input: fleet mode only;
 * which side the stack is; the coordinator's locations (account ids, at most
 * {@link MAX_COORDINATED_LOCATIONS} pairs); the location's management account; role names.
 */
export function checkCrossAccountOrchestrators(sink: IssueSink, path: string, raw: unknown, multiAccountRaw: unknown): void {
    const multiAccount = asRecord(multiAccountRaw) as MultiAccountLike;
    const memberRoles = new Map<string, string>();
    asArray(raw).forEach((o0, i) => {
        const o = asRecord(o0);
        if (o.crossAccount === undefined) return;
        const base = `${path}[${i}].crossAccount`;
        const c = asRecord(o.crossAccount);
        if (o.scale !== "fleet") sink.add(base, `applies to scale: fleet only (scale is ${String(o.scale ?? "standard")}): each location runs the fleet orchestrator`, o.crossAccount);
        const role = roleOf(c, multiAccount);
        if (role === undefined) {
            if (c.role === undefined) sink.add(`${base}.role`, `is required without patching:multiAccount: one of ${CROSS_ACCOUNT_ROLES.join(", ")}`);
            return;
        }
        const coordinator = role === "coordinator" || role === "both";
        if (!coordinator) {
            for (const key of ["locations", "locationConcurrency", "locationMaxErrors"]) {
                if (c[key] !== undefined) sink.add(`${base}.${key}`, `is read by the coordinator (role coordinator or both); this stack's role is ${role}: set it in the management account's stack`, c[key]);
            }
        } else {
            let groups: LocationGroup[];
            if (c.locations !== undefined) {
                groups = asArray(c.locations).map((l) => ({ accounts: asArray(asRecord(l).accounts).map(String), regions: asArray(asRecord(l).regions).map(String) }));
            } else {
                const found = groupsFromTargetLocations(multiAccount);
                groups = found.groups;
                if (found.ous.length > 0) {
                    sink.add(`${base}.locations`, `is required: patching:multiAccount.targetLocations names OUs (${found.ous.join(", ")}), which the coordinator cannot expand to accounts; list the account ids and Regions`);
                } else if (groups.length === 0) {
                    sink.add(`${base}.locations`, "is required: no locations (patching:multiAccount.targetLocations has no account ids); list { accounts, regions }");
                }
            }
            const count = expandLocations(groups).length;
            if (count > MAX_COORDINATED_LOCATIONS) {
                sink.add(`${base}.locations`, `expands to ${count} account-Region pairs; at most ${MAX_COORDINATED_LOCATIONS} per coordinator (split the fleet into two orchestrators)`, count);
            }
        }
        if (role === "location" && c.managementAccountId === undefined && typeof multiAccount.managementAccountId !== "string") {
            sink.add(`${base}.managementAccountId`, "is required for a location stack without patching:multiAccount.managementAccountId: the location role trusts that account's coordinator");
        }
        if (role === "both" && c.managementAccountId !== undefined) {
            sink.add(`${base}.managementAccountId`, "is only read by location stacks; with role both this account runs the coordinator", c.managementAccountId);
        }
        const name = typeof o.name === "string" ? o.name : undefined;
        const memberRole = typeof c.memberRoleName === "string" ? c.memberRoleName : name !== undefined ? `${name}-location` : undefined;
        if (memberRole !== undefined) {
            const first = memberRoles.get(memberRole);
            if (first !== undefined) sink.add(`${base}.memberRoleName`, `role name ${memberRole} is already used by ${first}; each orchestrator needs its own location role`, memberRole);
            else memberRoles.set(memberRole, base);
            const m = asRecord(multiAccountRaw);
            for (const key of ["executionRoleName", "administrationRoleName"]) {
                if (typeof m[key] === "string" && (m[key] as string).startsWith(`${memberRole}-`)) {
                    sink.add(`${base}.memberRoleName`, `${memberRole}-<region> could collide with patching:multiAccount.${key} (${String(m[key])}); choose another name`, memberRole);
                }
            }
        }
    });
}
