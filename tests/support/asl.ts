/** The ASL interpreter lives in bench/support/asl.ts (the bench runs the fleet state machine through it too). */
export * from "../../bench/support/asl";
