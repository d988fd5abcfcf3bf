/**
 * The edge derivers of the wiring proof, one module per calling service. Each reads resource
 * types, never component names, so new resources of a known type are proven without a change; a
 * new kind of call gets a new module here.
 */
import type { WiringEdge } from "../wiring";
import type { WiringPlan } from "../wiringPlan";
import { alarmEdges } from "./alarms";
import { associationEdges } from "./associations";
import { dataSyncEdges } from "./dataSync";
import { eventRuleEdges } from "./eventRules";
import { lambdaDestinationEdges } from "./lambdaDestinations";
import { locationRunEdges } from "./locationRuns";
import { maintenanceWindowEdges } from "./maintenanceWindows";
import { operatorRoleEdges } from "./operatorRoles";
import { quickSetupEdges } from "./quickSetup";
import { roleChainEdges } from "./roleChains";
import { roleTopicEdges } from "./roleTopics";
import { s3LoggingEdges } from "./s3Logging";
import { s3ObjectEdges } from "./s3Readers";
import { schedulerEdges } from "./scheduler";
import { stateMachineEdges } from "./stateMachines";

export const EDGE_DERIVERS: ((plan: WiringPlan) => WiringEdge[])[] = [
    schedulerEdges,
    alarmEdges,
    lambdaDestinationEdges,
    eventRuleEdges,
    s3ObjectEdges,
    maintenanceWindowEdges,
    stateMachineEdges,
    associationEdges,
    s3LoggingEdges,
    dataSyncEdges,
    roleChainEdges,
    quickSetupEdges,
    roleTopicEdges,
    operatorRoleEdges,
    locationRunEdges,
];
