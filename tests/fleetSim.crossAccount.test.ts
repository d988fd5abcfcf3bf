/**
 * The fleet simulator's model of the cross-account coordinator (bench/fleetSim.ts `coordinator`):
 * locations in the coordinator's order, `locationConcurrency` at once, each end noticed at the next
 * poll, the location error threshold stopping new locations, the window deadline, restore in every
 * location. Exact outcomes at small sizes on the virtual clock.
 */
import { expect } from "chai";
import { coordinatorOrder, DEFAULT_FLEET, DEFAULT_ORCHESTRATOR_SIM, makeFleet, SimInstance, simulateOrchestrator } from "../bench/fleetSim";
import { LOCATION_POLL_SECONDS } from "../core/orchestrator/coordinatorMachine";

const fleet = (instances: number, change: (i: SimInstance) => void = () => undefined) => {
    const f = makeFleet({ ...DEFAULT_FLEET, instances, accounts: 2, regions: 2 });
    f.forEach(change);
    return f;
};
const settings = { ...DEFAULT_ORCHESTRATOR_SIM, batchSize: 5, batchesInFlight: 2, windowSeconds: 24 * 3600 };
const A0 = "100000000000";
const A1 = "100000000001";

describe("fleet simulator: the cross-account coordinator over locations", () => {
    it("orders locations as the coordinator does: Region by Region, accounts in order", () => {
        expect(coordinatorOrder([`${A1}/region-1`, `${A0}/region-0`, `${A0}/region-1`, `${A1}/region-0`])).to.deep.equal([`${A0}/region-0`, `${A1}/region-0`, `${A0}/region-1`, `${A1}/region-1`]);
    });

    it("one location at a time: the next starts when the coordinator's poll sees the previous end; every stopped instance is stopped again", () => {
        const r = simulateOrchestrator(fleet(40), { ...settings, maxErrors: "100%", coordinator: { locationConcurrency: 1, locationMaxErrors: 4, pollSeconds: LOCATION_POLL_SECONDS } });
        const locs = r.locations!;
        expect(locs.map((l) => l.location)).to.deep.equal([`${A0}/region-0`, `${A1}/region-0`, `${A0}/region-1`, `${A1}/region-1`]);
        for (const [i, l] of locs.entries()) {
            expect((l.noticed - l.start) % LOCATION_POLL_SECONDS).to.equal(0);
            expect(l.noticed).to.be.at.least(l.end);
            if (i > 0) expect(l.start).to.equal(locs[i - 1].noticed);
        }
        // No batch of a location overlaps another location's.
        for (const b of r.batches) {
            const own = locs.find((l) => l.location === b.location)!;
            expect(b.start).to.be.at.least(own.start);
            expect(b.end).to.be.at.most(own.end);
        }
        expect(r.wallSeconds).to.equal(locs[3].noticed);
        expect(r.leftRunning).to.equal(0);
        expect(r.patched + r.failed).to.equal(40);
    });

    it("two locations at a time: at most two locations' runs overlap", () => {
        const r = simulateOrchestrator(fleet(40), { ...settings, maxErrors: "100%", coordinator: { locationConcurrency: 2, locationMaxErrors: 4, pollSeconds: LOCATION_POLL_SECONDS } });
        const locs = r.locations!;
        expect(locs.filter((l) => l.start === 0).map((l) => l.location)).to.deep.equal([`${A0}/region-0`, `${A1}/region-0`]);
        for (const l of locs) expect(locs.filter((o) => o.start <= l.start && o.noticed > l.start).length, l.location).to.be.at.most(2);
        expect(r.leftRunning).to.equal(0);
    });

    it("a location over its own error budget is a failed location: with threshold 0 no new location starts", () => {
        const f = fleet(40, (i) => (i.failsInstall = i.location === `${A0}/region-0`));
        const r = simulateOrchestrator(f, { ...settings, maxErrors: "0", coordinator: { locationConcurrency: 1, locationMaxErrors: 0, pollSeconds: LOCATION_POLL_SECONDS } });
        expect(r.locations!.map((l) => [l.location, l.stoppedByBudget])).to.deep.equal([[`${A0}/region-0`, true]]);
        expect(r.patched).to.equal(0);
        expect(r.leftRunning).to.equal(0);
    });

    it("the same failure within the threshold (1): the other locations still run", () => {
        // Only the first location fails (no random preflight, agent or install failure elsewhere).
        const f = fleet(40, (i) => Object.assign(i, { failsInstall: i.location === `${A0}/region-0`, failsPreflight: false, agentSeconds: 60 }));
        const r = simulateOrchestrator(f, { ...settings, maxErrors: "0", coordinator: { locationConcurrency: 1, locationMaxErrors: 1, pollSeconds: LOCATION_POLL_SECONDS } });
        expect(r.locations!.map((l) => l.stoppedByBudget)).to.deep.equal([true, false, false, false]);
        expect(r.patched).to.equal(30);
        expect(r.leftRunning).to.equal(0);
    });

    it("no location starts with less than 10 minutes of the window left", () => {
        const r = simulateOrchestrator(fleet(40), { ...settings, maxErrors: "100%", windowSeconds: 30 * 60, coordinator: { locationConcurrency: 1, locationMaxErrors: 4, pollSeconds: LOCATION_POLL_SECONDS } });
        const locs = r.locations!;
        expect(locs.filter((l) => l.started)).to.have.length.greaterThan(0);
        for (const l of locs) expect(l.started, l.location).to.equal(30 * 60 - l.start >= 10 * 60);
        expect(locs.some((l) => !l.started)).to.equal(true);
    });
});
