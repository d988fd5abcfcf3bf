/**
 * Cross-account fleet coordinator step Lambda: starts and follows each location's fleet run as
 * the location's role (STS AssumeRole of `<memberRoleName>-<region>` in the location's account;
 * one client per location, credentials refreshed before they expire), and sums up the locations.
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { assumedRoleCredentials, clientConfig } from "../core/awsClients";
import { type Location, locationRoleName } from "../core/orchestrator/crossAccount";
import { LocationEvent, locationsHandler, StatesClient } from "../core/orchestrator/locationHandlers";
import { roleArn } from "../core/multiAccount";

const env = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`environment variable ${name} is not set`);
    return v;
};

const clients = new Map<string, SFNClient>();

function statesFor(l: Location): StatesClient {
    const key = `${l.account}/${l.region}`;
    let client = clients.get(key);
    if (!client) {
        // STS in the function's own Region; the role is the location's (one per account and Region).
        const creds = assumedRoleCredentials(roleArn(env("PARTITION"), l.account, locationRoleName(env("MEMBER_ROLE_NAME"), l.region)), `${env("ORCHESTRATOR_NAME")}-coordinator`, {
            region: env("AWS_REGION"),
        });
        client = new SFNClient(clientConfig({ region: l.region, credentials: creds }));
        clients.set(key, client);
    }
    return client;
}

export const handler = (event: LocationEvent) =>
    locationsHandler(event, {
        partition: env("PARTITION"),
        orchestrator: env("ORCHESTRATOR_NAME"),
        statesFor,
        clock: () => new Date(),
        log: (line) => console.log(line),
    });
