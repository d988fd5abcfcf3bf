/**
 * Posts the offline review as ONE pull-request comment, updated on every push rather than added
 * again. Called from .github/workflows/pull-request.yml through actions/github-script:
 *
 *   await require("./scripts/reviewComment.js").upsertReviewComment({ github, context, report })
 *
 * Plain JavaScript because github-script runs it without a TypeScript loader; tested by
 * tests/workflows.test.ts with a fake GitHub client.
 */
"use strict";

/** Marks the comment this script owns, so a later push finds and updates it. */
const MARKER = "<!-- patching-offline-review -->";
/** GitHub rejects comment bodies over 65,536 characters; the rest stays in the run's artifact. */
const LIMIT = 60000;

function commentBody(report, sha) {
    const cut = report.length > LIMIT ? report.slice(0, LIMIT) + "\n\n… cut here: the whole report is the run's `review` artifact." : report;
    return `${MARKER}\n## Offline review (${sha.slice(0, 7)})\n\n${cut}`;
}

async function upsertReviewComment({ github, context, report }) {
    const { owner, repo } = context.repo;
    const issue_number = context.issue.number;
    const body = commentBody(report, context.sha);
    const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
    const mine = comments.find((c) => c.user && c.user.type === "Bot" && typeof c.body === "string" && c.body.startsWith(MARKER));
    if (mine) {
        await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
        return { action: "updated", id: mine.id };
    }
    const created = await github.rest.issues.createComment({ owner, repo, issue_number, body });
    return { action: "created", id: created.data.id };
}

module.exports = { MARKER, LIMIT, commentBody, upsertReviewComment };
