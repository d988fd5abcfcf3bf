/**
 * The plan against AWS's published contracts: every IAM policy document against the Service
 * Authorization Reference (iamData.ts), every API request made on the program's behalf against
 * the AWS SDK's models (apiRequests.ts, sdkModel.ts). The review prints what was checked and
 * every problem; the tests (tests/contracts.*.test.ts) hold every stack to zero problems.
 */
import type { MockEnvironment, PlanResource } from "../engine";
import type { ReviewSection } from "../sections";
import { ApiRequest, operationNamingProblem, planApiRequests } from "./apiRequests";
import { checkPlanPolicies, IamDataReport } from "./iamData";
import { requestProblems } from "./sdkModel";

export interface ContractsReport {
    iam: IamDataReport;
    api: { requests: number; problems: string[] };
}

/** What is wrong with these requests (empty: each names its operation as its caller does and matches the SDK's model). */
export function requestsProblems(requests: ApiRequest[]): string[] {
    return requests.flatMap((r) => [operationNamingProblem(r), ...requestProblems(r.service, r.operation, r.input, r.where, r)].filter((p): p is string => p !== undefined));
}

/** The plan's API requests and what is wrong with them. */
export function apiRequestProblems(resources: PlanResource[]): { requests: number; problems: string[] } {
    const requests = planApiRequests(resources);
    return { requests: requests.length, problems: requestsProblems(requests) };
}

export async function checkContracts(resources: PlanResource[], env: MockEnvironment): Promise<ContractsReport> {
    return { iam: await checkPlanPolicies(resources, env), api: apiRequestProblems(resources) };
}

export function contractsSection(report: ContractsReport): ReviewSection {
    const c = report.iam.counts;
    return {
        title: "Contracts (IAM catalogue, AWS SDK models)",
        lines: [
            `IAM: ${c.policies} policy document(s), ${c.actions} action(s), ${c.conditionKeys} condition key(s), ${c.resources} resource ARN(s) checked against the Service Authorization Reference: ${report.iam.problems.length} problem(s)`,
            ...report.iam.problems.map((p) => `    ${p}`),
            `API: ${report.api.requests} request(s) of Automation steps, Scheduler targets and Step Functions tasks checked against the AWS SDK models: ${report.api.problems.length} problem(s)`,
            ...report.api.problems.map((p) => `    ${p}`),
        ],
    };
}
