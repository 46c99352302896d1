"""The failures ``release explain`` recognises: one entry per code, most likely cause first.

Each rule has a stable code, the phrases that recognise it (matched, lowercased, against
one cleaned log line), the cause in one sentence, the fix as steps and a documentation
link. The comment above each entry names the message, the tool and the version it comes
from (pypa/gh-action-pypi-publish, pypi/warehouse, twine, uv). The table's order is the
order of likelihood: when several rules fire, the earlier one is the root cause (a job
without ``id-token: write`` also fails the exchange; an ``invalid-publisher`` reply is
more precise than the bare "exchange failure" line around it).

``{host}`` in a cause or a fix is replaced by the index the job talked to (pypi.org or
test.pypi.org).
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from ..findings import Severity

# Where in the job a failure happens: before anything ran, during the token exchange,
# while checking the distributions, during the upload, or in an earlier step.
Stage = Literal["runner", "exchange", "build", "upload", "job"]

TP_DOCS = "https://docs.pypi.org/trusted-publishers/troubleshooting/"
ADD_PUBLISHER_DOCS = "https://docs.pypi.org/trusted-publishers/adding-a-publisher/"
PENDING_DOCS = "https://docs.pypi.org/trusted-publishers/creating-a-project-through-oidc/"
REUSABLE_DOCS = TP_DOCS + "#reusable-workflows-on-github"
# A connection to the index that breaks off while a file is being sent: urllib3/requests
# ("TimeoutError: [Errno 110] Connection timed out", "ConnectionResetError: [Errno 104]
# Connection reset by peer", "RemoteDisconnected('Remote end closed connection without
# response')", "('Connection aborted.', …)", "ReadTimeoutError: … Read timed out."). The
# same words in a build's pip install mean nothing here: the scanner counts them only
# after an upload has started (twine's, uv's or poetry's "Uploading …" line).
UPLOAD_CUT_OFF = (
    "connection timed out",
    "connection reset by peer",
    "remote end closed connection",
    "connection aborted",
    "read timed out",
)
# An attestation refused because it was signed for another workflow than the publisher's:
# with the action's reusable-workflow warning, the reusable workflow is the cause.
IDENTITY_MISMATCH = (
    "could not verify the uploaded artifact",
    "does not match expected trusted publisher",
)
OIDC_PERMISSIONS_DOCS = (
    "https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/"
    "about-security-hardening-with-openid-connect#adding-permissions-settings"
)
ACTION_DOCS = "https://github.com/pypa/gh-action-pypi-publish#trusted-publishing"
STATUS_PAGE = "https://status.python.org/"
# The last step where re-running the failed jobs (same workflow, same commit) can succeed,
# and where it cannot: what needs a change to the workflow or the code needs a new release.
RETRY_STEP = "Re-run the failed jobs: `release retry`."
NEW_RELEASE_STEP = "Commit the fix and release a new version: `release cut patch`."
_UPLOAD_URL_STEP = (
    "Upload to https://upload.pypi.org/legacy/ (TestPyPI: https://test.pypi.org/legacy/), the "
    "uploaders' default: fix or drop `repository-url`, `--repository-url` or the .pypirc "
    "`repository` line."
)


class Variant(msgspec.Struct, frozen=True):
    """A more precise cause, chosen when the matched line also holds one of ``phrases``."""

    phrases: tuple[str, ...]
    cause: str
    fix: tuple[str, ...] = ()  # empty: the rule's own steps


class Rule(msgspec.Struct, frozen=True):
    """One recognised failure."""

    code: str
    title: str
    stage: Stage
    cause: str
    fix: tuple[str, ...]
    docs: str | None
    phrases: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    severity: Severity = "error"
    # A generic rule is dropped when any specific error finding explains the same log.
    generic: bool = False
    # Codes that this one makes redundant when both fire (it is the more precise reading).
    supersedes: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    # Phrases that show this failure only once an upload has begun in the log (the
    # scanner checks): the same words earlier belong to a build step.
    upload_phrases: tuple[str, ...] = ()

    def matches(self, low: str) -> bool:
        """Whether the lowercased line ``low`` shows this failure."""
        for phrase in self.phrases:
            if phrase in low:
                return True
        return self.pattern is not None and self.pattern.search(low) is not None

    def variant(self, low: str) -> Variant | None:
        """The variant that the lowercased line ``low`` selects, if any."""
        for variant in self.variants:
            for phrase in variant.phrases:
                if phrase in low:
                    return variant
        return None


RULES: tuple[Rule, ...] = (
    # gh-action-pypi-publish action.yml (composite action, v1.9+): "This action is only able
    # to run under GNU/Linux environments"; v1.8.x and older are Docker actions, refused by
    # the runner itself: "##[error]Container action is only supported on Linux".
    Rule(
        code="unsupported-runner",
        title="The publish action ran on a macOS or Windows runner",
        stage="runner",
        cause="pypa/gh-action-pypi-publish runs only on Linux runners, and this job ran on "
        "another OS.",
        fix=(
            "Build on any OS, then upload the dist/ files with actions/upload-artifact.",
            "Publish from a separate job with `runs-on: ubuntu-latest` that downloads them.",
        ),
        docs="https://github.com/pypa/gh-action-pypi-publish#readme",
        phrases=(
            "only able to run under gnu/linux",
            "container action is only supported on linux",
        ),
    ),
    # Derived, not a single message: the publish step's inputs show an empty `password:`
    # (or UV_PUBLISH_TOKEN, TWINE_PASSWORD, …) and then the token exchange or the upload
    # failed. twine-upload.sh switches to trusted publishing when `password` is empty
    # (`[[ "${INPUT_USER}" == "__token__" && -z "${INPUT_PASSWORD}" ]]`). Also the
    # "EMPTY TOKEN" warning of twine-upload.sh (before trusted publishing, v1.4-v1.5), and
    # twine's own "Your password is empty. Did you enter it correctly?" (auth.py), printed
    # when TWINE_PASSWORD or the prompt gave nothing, before the index's 403.
    Rule(
        code="empty-password-secret",
        title="The API-token secret expanded to an empty string",
        stage="exchange",
        cause="The secret given as the upload password is empty (misspelt, not defined, or "
        "not shared with this workflow), so the job fell back to trusted publishing.",
        fix=(
            "Check the secret's name in the workflow against the repository or environment "
            "secrets (Settings > Secrets and variables > Actions).",
            "Secrets are not passed to workflows from forks or to Dependabot runs; publish "
            "on tag, release or workflow_dispatch.",
            "Once the secret is defined or shared, re-run the failed jobs: `release retry`.",
            "Or drop `password:` and use trusted publishing: add `permissions: id-token: "
            "write` to the job and a publisher on {host}.",
        ),
        docs=ACTION_DOCS,
        phrases=(
            "empty token",
            "you have not passed a password or it is otherwise empty",
            "your password is empty",
        ),
        variants=(
            Variant(
                ("your password is empty",),
                "twine was given an empty password (an empty TWINE_PASSWORD secret, or "
                "nothing typed at its prompt), so {host} refused the upload.",
                (
                    "Check the secret's name in the workflow against the repository or "
                    "environment secrets, and that it is shared with this workflow.",
                    "Or drop the token and use trusted publishing: add `permissions: "
                    "id-token: write` to the job and a publisher on {host}.",
                ),
            ),
        ),
        supersedes=("invalid-credentials",),
    ),
    # oidc-exchange.py _TOKEN_RETRIEVAL_FAILED_FORK_PR_MESSAGE (v1.9.0+, 2024-06):
    # "The workflow context indicates that this action was called from a / pull request
    # on a fork. GitHub doesn't give these workflows OIDC permissions, …"
    Rule(
        code="fork-pull-request",
        title="Publishing from a pull request opened from a fork",
        stage="exchange",
        cause="The job ran for a pull request from a fork, and GitHub gives such jobs no "
        "OIDC token even with `id-token: write`.",
        fix=(
            "Publish only on events forks cannot trigger: a pushed tag, a published "
            "release, or workflow_dispatch.",
            "Guard the publish job, e.g. `if: github.event_name == 'push' && "
            "startsWith(github.ref, 'refs/tags/')`.",
        ),
        docs=OIDC_PERMISSIONS_DOCS,
        phrases=("pull request on a fork",),
        supersedes=("missing-id-token-permission",),
    ),
    # warehouse oidc/models/github.py (since 2026-03-02, #19601), inside the
    # invalid-publisher reply: "Publishing from a workflow invoked via
    # 'pull_request_target' is not supported."; older form: "Check failed for required
    # claim 'event_name'".
    Rule(
        code="pull-request-target",
        title="Publishing from a pull_request_target workflow",
        stage="exchange",
        cause="PyPI refuses tokens from workflows triggered by pull_request_target.",
        fix=(
            "Trigger the publish workflow on a pushed tag, a published release or "
            "workflow_dispatch instead of pull_request_target.",
        ),
        docs=TP_DOCS,
        phrases=(
            "'pull_request_target' is not supported",
            "check failed for required claim 'event_name'",
        ),
        supersedes=("invalid-publisher",),
    ),
    # oidc-exchange.py _TOKEN_RETRIEVAL_FAILED_MESSAGE (all versions): "OpenID Connect token
    # retrieval failed: {identity_error}", with di/id's "GitHub: missing or insufficient
    # OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was
    # unset"; attestations.py prints the same template. uv publish
    # (trusted_publishing.rs GitHubPermissions): "Failed to obtain OIDC token: is the
    # `id-token: write` permission missing?".
    Rule(
        code="missing-id-token-permission",
        title="The job may not request an OIDC token (no `id-token: write`)",
        stage="exchange",
        cause="The publishing job lacks `permissions: id-token: write`, so GitHub gave it "
        "no token to exchange with {host}.",
        fix=(
            "Add to the publishing job: `permissions:` / `id-token: write`.",
            "A job-level `permissions:` block replaces the workflow-level one: put "
            "`id-token: write` in the block of the job that publishes.",
        ),
        docs=OIDC_PERMISSIONS_DOCS,
        phrases=(
            "openid connect token retrieval failed",
            "actions_id_token_request",
            "insufficient oidc token permissions",
            "`id-token: write` permission missing",
            "id-token: write permission missing",
        ),
    ),
    # warehouse models/_core.py verify_claims, before 2026-01-29 (#19422): "Check failed for
    # required claim 'sub'" for repositories with a custom OIDC subject template
    # (warehouse#19405).
    Rule(
        code="custom-oidc-subject",
        title="A custom OIDC subject template broke PyPI's subject check",
        stage="exchange",
        cause="The repository or organisation customises the OIDC `sub` claim, which PyPI "
        "checked until 2026-01-29.",
        fix=(
            "Re-run the failed jobs (`release retry`): PyPI no longer checks `sub` "
            "(warehouse#19422).",
            "Or reset the subject template to GitHub's default (`gh api -X PUT "
            "repos/OWNER/REPO/actions/oidc/customization/sub -F use_default=true`).",
        ),
        docs="https://github.com/pypi/warehouse/issues/19405",
        phrases=("check failed for required claim 'sub'",),
        supersedes=("invalid-publisher",),
    ),
    # oidc-exchange.py _REUSABLE_WORKFLOW_WARNING (v1.10.0+, 2024-08), printed as
    # "::warning::Potential workflow misconfiguration: The claims in this token suggest
    # that the calling workflow is a reusable workflow." / "Reusable workflows are **not
    # currently supported** by PyPI's Trusted Publishing"; warehouse github.py:
    # "The job_workflow_ref claim does not match, expecting one of [...]". Also derived
    # from the claims: workflow_ref != job_workflow_ref.
    Rule(
        code="reusable-workflow",
        title="Publishing from a reusable workflow",
        stage="exchange",
        cause="The upload runs in a reusable workflow, and PyPI matches job_workflow_ref "
        "(the called workflow) while reusable workflows are not supported.",
        fix=(
            "Move the publish job into the top-level workflow that the tag or release triggers.",
            "A reusable workflow in the same repository works only when the publisher names "
            "the called file and it is called at the same ref.",
        ),
        docs=REUSABLE_DOCS,
        phrases=(
            "calling workflow is a reusable workflow",
            "reusable workflows are **not currently supported**",
            "reusable workflows are not currently supported",
            "the job_workflow_ref claim does not match",
        ),
        severity="warning",
        variants=(
            Variant(
                ("the job_workflow_ref claim does not match",),
                "The ref in job_workflow_ref differs from the job's ref and sha, as when a "
                "reusable workflow is called at another ref.",
            ),
        ),
    ),
    # warehouse oidc/views.py (all versions): "`invalid-pending-publisher`: valid token, but
    # project already exists".
    Rule(
        code="invalid-pending-publisher",
        title="A pending publisher matched, but the project already exists",
        stage="exchange",
        cause="The token matched a pending publisher on {host}, but a project with that name "
        "already exists, so the pending publisher can no longer create it.",
        fix=(
            "Delete the pending publisher (your account > Publishing on {host}).",
            "If you own the project, add a normal publisher in its Settings > Publishing, "
            "then re-run the failed jobs: `release retry`.",
            "If someone else owns the name, choose another project name.",
        ),
        docs=PENDING_DOCS,
        phrases=("invalid-pending-publisher", "valid token, but project already exists"),
    ),
    # warehouse oidc/views.py: "`invalid-publisher`: valid token, but no corresponding
    # publisher ({e})", {e} being "Publisher with matching claims was not found" (since
    # 2025-06-30), "All lookup strategies exhausted" (2023-08 to 2025-06), nothing (before
    # 2023-08), or one of the check failures below (models/_core.py, models/github.py).
    # uv shows the same reply as JSON: {"code":"invalid-publisher",…}.
    Rule(
        code="invalid-publisher",
        title="PyPI has no trusted publisher matching this job",
        stage="exchange",
        cause="No trusted publisher on {host} matches this job's owner, repository, workflow "
        "file and environment.",
        fix=(
            "Open the project's Settings > Publishing on {host} (for a project that does not "
            "exist yet: your account > Publishing, as a pending publisher).",
            "Add or correct the GitHub publisher with the form values below.",
            RETRY_STEP,
        ),
        docs=TP_DOCS,
        phrases=("invalid-publisher", "valid token, but no corresponding publisher"),
        variants=(
            Variant(
                ("optional claim 'environment'",),
                "The job's environment differs from the one the publisher requires (or the "
                "job has none).",
            ),
            Variant(
                ("claim 'repository_owner_id'",),
                "The owner's numeric id changed (the account or organisation was deleted and "
                "recreated), so the old publisher no longer matches.",
                (
                    "Delete the publisher on {host} and add it again; PyPI records the "
                    "owner's new id.",
                ),
            ),
            Variant(
                ("claim 'repository_owner'",),
                "The repository's owner differs from the publisher's (transferred repository "
                "or renamed owner).",
            ),
            Variant(
                ("missing claim",),
                "The token lacks a claim PyPI requires, which points to a non-standard "
                "runner or GitHub Enterprise Server.",
                ("Publish from a GitHub-hosted runner on github.com.",),
            ),
            Variant(
                ("does not match expected issuer", "jwt issuer"),
                "The token comes from an issuer PyPI does not trust (GitHub Enterprise "
                "Server, or a custom issuer).",
                ("Publish from github.com; PyPI trusts only its OIDC issuer.",),
            ),
            Variant(
                ("could not job extract workflow filename", "job_workflow_ref claim is empty"),
                "PyPI could not read a workflow file name from the token's job_workflow_ref.",
            ),
            Variant(
                ("the ref and sha claims are empty",),
                "The token has neither ref nor sha, which the event that started the job "
                "does not provide.",
                ("Publish on a pushed tag, a published release or workflow_dispatch.",),
            ),
        ),
    ),
    # warehouse oidc/views.py / models/_core.py ReusedTokenError: "`invalid-reuse-token`:
    # invalid token: already used".
    Rule(
        code="invalid-reuse-token",
        title="The OIDC token was already used",
        stage="exchange",
        cause="The same OIDC token was exchanged twice; PyPI accepts each token once.",
        fix=(
            "Exchange a fresh token for each upload (one publish step per index, or fetch "
            "a new token).",
            NEW_RELEASE_STEP,
        ),
        docs=TP_DOCS,
        phrases=("invalid-reuse-token", "invalid token: already used"),
    ),
    # warehouse oidc/views.py: "`invalid-token`: malformed or invalid token" (signature,
    # issuer, audience or expiry check failed); "`invalid-payload`: malformed JWT" and
    # "unknown trusted publishing issuer".
    Rule(
        code="invalid-token",
        title="PyPI rejected the OIDC token itself",
        stage="exchange",
        cause="The index ({host}) could not verify the OIDC token (signature, audience or "
        "expiry), or it was not a GitHub Actions token.",
        fix=(
            "Re-run the failed jobs (`release retry`); an expired token or a clock problem "
            "goes away on a new run.",
            "If you fetch the token yourself, request it with the audience {host} gives at "
            "https://{host}/_/oidc/audience and exchange it at once.",
        ),
        docs=TP_DOCS,
        phrases=(
            "invalid-token",
            "malformed or invalid token",
            "malformed jwt",
            "unknown trusted publishing issuer",
        ),
    ),
    # warehouse oidc/views.py: "`not-enabled`: GitHub-based trusted publishing functionality
    # not enabled" (older: "Trusted publishing functionality not enabled"); the action's
    # audience check on a 403: "audience retrieval failed: repository at {domain} has
    # trusted publishing disabled".
    Rule(
        code="not-enabled",
        title="Trusted publishing is switched off on the index",
        stage="exchange",
        cause="The index ({host}) has trusted publishing disabled right now (an administrator "
        "switch).",
        fix=(
            "Check " + STATUS_PAGE + "; once it is back on, re-run the failed jobs: "
            "`release retry`.",
            "To publish now, use an API token (`password: ${{ secrets.PYPI_API_TOKEN }}`).",
        ),
        docs=STATUS_PAGE,
        phrases=(
            "trusted publishing functionality not enabled",
            "has trusted publishing disabled",
            "not-enabled",
        ),
        supersedes=("audience-failure",),
    ),
    # oidc-exchange.py assert_successful_audience_call (v1.8.0+): on a 404 "audience
    # retrieval failed: repository at {domain} does not indicate trusted publishing
    # support"; other replies "… responded with unexpected {code}: {phrase}".
    Rule(
        code="audience-failure",
        title="The upload URL does not point to an index with trusted publishing",
        stage="exchange",
        cause="The repository-url does not point to PyPI or TestPyPI, or to an index that "
        "supports trusted publishing.",
        fix=(
            "Use `repository-url: https://test.pypi.org/legacy/` for TestPyPI and no "
            "repository-url for PyPI.",
            "For another index, use its API token as `password:` instead.",
        ),
        docs=ACTION_DOCS,
        phrases=("does not indicate trusted publishing support", "audience retrieval failed"),
    ),
    # warehouse: project-name checks, as "`invalid-payload`: The name 'x' is too similar
    # to an existing project. See PyPI help (#project-name) …" when a pending publisher
    # creates the project, or as a 400 on upload (forklift/legacy.py): "The name {n!r}
    # isn't allowed.", "… is invalid.", "… isn't allowed (conflict with Python Standard
    # Library module name)."; 409 "… conflicts with an existing project".
    Rule(
        code="project-name-rejected",
        title="PyPI refused the project name",
        stage="exchange",
        cause="The index ({host}) will not create a project with this name (invalid, prohibited, a "
        "standard-library module, or too similar to an existing project).",
        fix=(
            "Choose another name in pyproject.toml's `[project] name` (and in the pending "
            "publisher).",
            "If you have a claim to the name, file a PEP 541 request at "
            "https://github.com/pypi/support.",
        ),
        docs="https://pypi.org/help/#project-name",
        phrases=(
            "too similar to an existing project",
            "conflict with python standard library",
            "conflicts with an existing project",
        ),
        pattern=re.compile(r"the name ['\"][^'\"]*['\"] (?:is invalid|isn't allowed)"),
    ),
    # warehouse forklift/legacy.py and the pending-publisher rate limit: HTTP 429 "Too many
    # new projects created" (about 4 a day per user and per IP, pypi/support#11269). twine
    # without --verbose shows only "HTTPError: 429 Too Many Requests from …/legacy/", and
    # creating a project is what the upload endpoint rate-limits. hatch (httpx) words it
    # "Client error '429 Too Many Requests' for url"; the 429's RateLimit header names the
    # exhausted limit, '"project.create.user";r=0' (or .ip), when a response is pasted.
    Rule(
        code="too-many-new-projects",
        title="The new-project rate limit was hit",
        stage="upload",
        cause="The index ({host}) limits how many new projects one user or IP may create per day.",
        fix=(
            "Wait 24 hours and re-run the failed jobs: `release retry`.",
            "Or ask for help at https://github.com/pypi/support.",
        ),
        docs=None,
        phrases=("too many new projects created",),
        pattern=re.compile(
            r"(?:(?:httperror:|http error) |client error ')429\b"
            r"|upload failed with status(?: code)? 429\b"
            r'|"project\.create\.(?:user|ip)";r=0\b'
        ),
        variants=(
            Variant(
                ("429",),
                "The index ({host}) answered 429 Too Many Requests: when the upload creates a "
                "new project, that is its limit on new projects per user and IP per day.",
                (
                    "If the project is new, wait 24 hours and re-run the failed jobs: "
                    "`release retry`.",
                    "If it already exists on {host}, wait a few minutes and re-run "
                    "(`release retry`); run twine with `--verbose` (the action's "
                    "`verbose: true`) to see the reason.",
                ),
            ),
        ),
    ),
    # warehouse forklift/legacy.py: 400 "Non-user identities cannot create new projects.
    # This was probably caused by successfully using a pending publisher but specifying the
    # project name incorrectly …".
    Rule(
        code="non-user-identity",
        title="The uploaded project differs from the pending publisher's",
        stage="upload",
        cause="The pending publisher created one project, but the distributions name "
        "another, and a trusted publisher cannot create projects while uploading.",
        fix=(
            "Make `[project] name` in pyproject.toml and the pending publisher's project "
            "name the same.",
            "Delete the project the pending publisher created by mistake, if any.",
        ),
        docs=PENDING_DOCS,
        phrases=("non-user identities cannot create new projects",),
    ),
    # oidc-exchange.py _SERVER_TOKEN_RESPONSE_MALFORMED_JSON: "Token request failed: the
    # index produced an unexpected\n{status_code} response."; _MALFORMED_MESSAGE: "Token
    # response error: the index gave us an invalid response."; audience "… responded with
    # unexpected {code}"; warehouse: "Read-only mode: Uploads are temporarily disabled.",
    # "New uploads are temporarily disabled.", "New project registration temporarily
    # disabled."; any HTTP 5xx (twine "HTTPError: 503 …", uv "status code 503 …").
    Rule(
        code="index-unavailable",
        title="The index was unavailable or in maintenance",
        stage="exchange",
        cause="The index ({host}) or GitHub had an outage, maintenance or a server error at "
        "that moment.",
        fix=(
            "Check " + STATUS_PAGE + " and githubstatus.com.",
            "Re-run the failed jobs once it is back: `release retry`.",
        ),
        docs=STATUS_PAGE,
        phrases=(
            "the index produced an unexpected",
            "the index gave us an invalid response",
            "responded with unexpected",
            "read-only mode",
            "uploads are temporarily disabled",
            "registration temporarily disabled",
        ),
        pattern=re.compile(
            r"\b5\d\d (?:internal server error|bad gateway|service unavailable|gateway "
            r"time-?out)|(?:error code|status code|httperror:|http error) 5\d\d\b"
            # requests/urllib3 when the upload URL cannot be reached at all:
            # "HTTPSConnectionPool(host='upload.pypi.org', port=443): Max retries exceeded".
            # (the upload hosts only: pip's failures for host='pypi.org' are a build's).
            r"|host='(?:upload|test)\.pypi\.org', port=\d+\): max retries exceeded"
        ),
        supersedes=("audience-failure",),
        upload_phrases=UPLOAD_CUT_OFF,
        variants=(
            Variant(
                ("max retries exceeded",),
                "The runner could not connect to {host} (a DNS failure, a timeout or a blocked "
                "port), so the upload did not happen or broke off.",
                (
                    "Re-run the failed jobs: `release retry`.",
                    "On a self-hosted runner or behind a proxy, check that it reaches "
                    "upload.pypi.org on port 443.",
                ),
            ),
            Variant(
                UPLOAD_CUT_OFF,
                "The connection to {host} broke off while a file was being uploaded (a "
                "timeout or a reset): an outage, or the network between the runner and the "
                "index.",
                (
                    "Re-run the failed jobs: `release retry`; files that got through before "
                    "the break are refused as existing unless the upload skips them "
                    "(`skip-existing: true`, `twine upload --skip-existing`).",
                ),
            ),
        ),
    ),
    # The exchange failed and no reason is visible: oidc-exchange.py die() "Trusted
    # publishing exchange failure:" (all versions; "trusted publishing exchange failure"
    # lowercase in v1.8.0-1.8.5), "Token request failed: the server refused the request";
    # uv "Failed to obtain token for trusted publishing", "is trusted publishing correctly
    # configured?", and uv's "Caused by: Missing credentials for {url}" when its default
    # `--trusted-publishing automatic` found no OIDC token and skipped the exchange.
    Rule(
        code="trusted-publishing-failed",
        title="The trusted-publishing token exchange failed",
        stage="exchange",
        cause="The index ({host}) refused to exchange the job's OIDC token, and the log does "
        "not say why.",
        fix=(
            "Check the publisher on {host} against the form values below (owner, "
            "repository, workflow file, environment).",
            "Make sure the job has `permissions: id-token: write`.",
            "Then re-run the failed jobs (`release retry`); the full log shows the refusal "
            "reason.",
        ),
        docs=TP_DOCS,
        phrases=(
            "trusted publishing exchange failure",
            "token request failed",
            "failed to obtain token for trusted publishing",
            "is trusted publishing correctly configured",
            "failed to discover oidc token",
            "no oidc token discovered",
            "missing credentials for",
        ),
        generic=True,
        variants=(
            Variant(
                ("missing credentials for",),
                "uv publish found neither a token nor a password, and its default "
                "`--trusted-publishing automatic` skipped the exchange without saying why "
                "(in GitHub Actions: most often no `id-token: write`).",
                (
                    "Add `permissions: id-token: write` to the publishing job.",
                    "Run `uv publish --trusted-publishing always` so that uv shows why the "
                    "exchange fails instead of skipping it.",
                    "Or give a token: `UV_PUBLISH_TOKEN: ${{ secrets.PYPI_API_TOKEN }}`.",
                ),
            ),
        ),
    ),
    # twine-upload.sh "MISSING DISTS" warning: "It looks like there are no Python
    # distribution packages to publish in the directory …"; twine "InvalidDistribution:
    # Cannot find file (or expand pattern): 'dist/*'"; uv PublishError::NoFiles "Path
    # patterns didn't match any wheels or source distributions".
    Rule(
        code="no-distributions",
        title="No distributions to upload",
        stage="build",
        cause="The dist/ directory was empty or missing in the publishing job.",
        fix=(
            "Build in the same job, or download the build job's artifact into dist/ "
            "(actions/download-artifact with `path: dist/`).",
            "Check `packages-dir:` if the files live elsewhere.",
        ),
        docs="https://packaging.python.org/en/latest/guides/publishing-package-distribution-releases-using-github-actions-ci-cd-workflows/",
        phrases=(
            "missing dists",
            "no python distribution packages to publish",
            "cannot find file (or expand pattern)",
            "didn't match any wheels or source distributions",
        ),
    ),
    # twine check with pkginfo too old for Metadata-Version 2.4: "InvalidDistribution:
    # Metadata is missing required fields: Name, Version."; twine 6.x with packaging < 24.2:
    # "Invalid distribution metadata: unrecognized or malformed field 'license-file'"
    # (pypa/twine#1216).
    Rule(
        code="outdated-publish-tooling",
        title="twine or pkginfo is too old for this metadata version",
        stage="build",
        cause="The publishing tools cannot read Metadata-Version 2.4 (license-expression, "
        "license-file), which current build backends write.",
        fix=(
            "Use `pypa/gh-action-pypi-publish@release/v1` (not an old pinned version).",
            "When calling twine yourself: `pip install -U twine pkginfo packaging`.",
        ),
        docs="https://github.com/pypa/twine/issues/1216",
        phrases=(
            "metadata is missing required fields",
            "malformed field 'license-",
        ),
        supersedes=("invalid-metadata",),
    ),
    # warehouse forklift/legacy.py 400s: "Invalid value for {field}. Error: …", "{metadata
    # error}. See https://packaging.python.org/specifications/core-metadata", "The
    # description failed to render for 'text/x-rst'."; twine check: "`long_description` has
    # syntax errors in markup and would not be rendered on PyPI."; uv "Failed to read
    # metadata"; the short forms "'{v}' is not a valid url." and "The use of local versions
    # in {version} is not allowed." that a verbose paste may show without the link.
    Rule(
        code="invalid-metadata",
        title="The package metadata was rejected",
        stage="build",
        cause="The distribution's metadata is invalid for {host} (a bad field value, or a "
        "README that does not render for its content type).",
        fix=(
            "Run `twine check dist/*` locally and fix the field it names.",
            "For README errors, fix the markup or set `readme` with the right content type.",
        ),
        docs="https://packaging.python.org/specifications/core-metadata/",
        phrases=(
            "specifications/core-metadata",
            "description failed to render",
            "has syntax errors in markup",
            "invalid distribution metadata",
            "failed to read metadata",
            "is not a valid url",
            "the use of local versions",
        ),
        pattern=re.compile(r"invalid value for [\w-]+\. error:"),
    ),
    # attestations.py (v1.11+, attestations on by default since 2024-10): "Attestation
    # generation failure:" with "{dist} already has a publish attestation: {path}" or "Path
    # looks like a distribution but is not a file"; warehouse 400 "Could not verify the
    # uploaded artifact using the included attestation: …", "Invalid attestations supplied
    # during upload: …", whose reason for a signing identity other than the publisher's
    # is "Certificate's Build Config URI (…) does not match expected Trusted Publisher
    # (WORKFLOW @ OWNER/REPO)" (oidc/models/github.py), often wrapped onto its own line.
    Rule(
        code="attestation-failure",
        title="Attestation generation or verification failed",
        stage="build",
        cause="The PEP 740 attestations could not be produced or {host} could not verify them.",
        fix=("Set `attestations: false` on the publish step if you cannot fix the cause.",),
        docs="https://docs.pypi.org/attestations/producing-attestations/",
        phrases=(
            "attestation generation failure",
            "already has a publish attestation",
            "looks like a distribution but is not a file",
            "look like distributions but are not actually files",
            "could not verify the uploaded artifact using the included attestation",
            "invalid attestations supplied during upload",
            "does not match expected trusted publisher",
        ),
        variants=(
            Variant(
                ("already has a publish attestation",),
                "The same dist/ was published twice in one job (e.g. TestPyPI, then PyPI), "
                "and the first run left its .publish.attestation files.",
                (
                    "Publish to each index from its own job, or delete dist/*.publish."
                    "attestation between the two steps.",
                    "Or set `attestations: false` on one of the steps.",
                ),
            ),
            Variant(
                ("not a file", "not actually files"),
                "actions/download-artifact created folders named like the distributions.",
                ("Download the artifact with `path: dist/` and no nested folder.",),
            ),
            Variant(
                IDENTITY_MISMATCH,
                "The attestation's identity differs from the publisher, as happens with "
                "reusable workflows.",
                ("Publish from the top-level workflow, or set `attestations: false`.",),
            ),
        ),
    ),
    # warehouse forklift/legacy.py 400: "File already exists ('{file}', with blake2_256 hash
    # '…'). See … #file-name-reuse", "This filename was previously used by a file that has
    # since been deleted. Use a different version." (before 2019: "This filename has already
    # been used, use a different version."), "Only one sdist may be uploaded per release.";
    # maturin "File already exists: …"; the legacy PyPI before Warehouse: 'A file named "{f}"
    # already exists for {release}. To fix problems with that file you should create a new
    # release.'.
    Rule(
        code="file-already-exists",
        title="This version was already uploaded",
        stage="upload",
        cause="The index ({host}) already has a file with this name (the version was not "
        "bumped, the job ran twice, or a matrix built the same file twice); files can never be "
        "replaced.",
        fix=(
            "Bump the version and release again (`release cut patch`).",
            "Use `skip-existing: true` only for re-runs that must be idempotent.",
        ),
        docs="https://pypi.org/help/#file-name-reuse",
        phrases=(
            "file already exists",
            "filename was previously used",
            "filename has already been used",
            "only one sdist may be uploaded per release",
            "to fix problems with that file you should create a new release",
        ),
    ),
    # warehouse forklift/legacy.py 400: "Binary wheel '{f}' has an unsupported platform tag
    # '{tag}'."
    Rule(
        code="unsupported-platform-tag",
        title="The wheel's platform tag is not accepted",
        stage="upload",
        cause="A wheel is tagged for a plain platform such as linux_x86_64, which {host} "
        "does not accept.",
        fix=(
            "Build Linux wheels with cibuildwheel or auditwheel (manylinux/musllinux tags).",
            "Or upload only the sdist and the wheels of other platforms.",
        ),
        docs="https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/",
        phrases=("unsupported platform tag",),
    ),
    # warehouse forklift/legacy.py 400: "Filename '{f}' is invalid, should be '{g}'.",
    # "Start filename for '{p}' with '{n}'.", "Version in filename should be '{v}' not '{w}'."
    Rule(
        code="invalid-filename",
        title="The distribution's file name is invalid",
        stage="upload",
        cause="A distribution's file name does not match its normalised name or version "
        "(e.g. a `v` prefix or old build tools).",
        fix=(
            "Fix the name or version in pyproject.toml; versions carry no `v` prefix.",
            "Rebuild with current build tools (`python -m build`).",
        ),
        docs="https://packaging.python.org/en/latest/specifications/binary-distribution-format/",
        phrases=(
            "is invalid, should be",
            "start filename for",
            "version in filename should be",
            # twine (package.py): "Unknown distribution format: '{name}'", raised for a
            # file in the given paths that is no wheel or sdist (as InvalidDistribution
            # since twine 3, as ValueError before).
            "unknown distribution format",
        ),
        variants=(
            Variant(
                ("unknown distribution format",),
                "The files given to the upload include one that is no wheel or sdist (a "
                "LICENSE, a desktop.ini, a leftover directory in dist/), and twine stops "
                "there.",
                (
                    "Upload only the built files (`dist/*.whl dist/*.tar.gz`), or empty dist/ "
                    "before building.",
                    NEW_RELEASE_STEP,
                ),
            ),
        ),
    ),
    # warehouse 403: "Username/Password authentication is no longer supported. Migrate to
    # API Tokens or Trusted Publishers instead."; twine-upload.sh (v1.9+):
    # "::error title=Password-based uploads disabled::As of 2024, PyPI requires all users
    # to enable Two-Factor Authentication…".
    Rule(
        code="password-auth-disabled",
        title="An account password was used to upload",
        stage="upload",
        cause="The job uploads with a username and password, which {host} no longer accepts.",
        fix=(
            "Switch to trusted publishing: drop `user:`/`password:` and add `id-token: write`.",
            "Or use an API token with `user: __token__`.",
        ),
        docs="https://pypi.org/help/#apitoken",
        phrases=(
            "username/password authentication is no longer supported",
            "password-based uploads disabled",
            "pypi requires all users to enable two-factor",
        ),
        supersedes=("invalid-credentials",),
    ),
    # warehouse 403: "Invalid or non-existent authentication information.", "Invalid API
    # Token: {reason}", "User {u!r}, associated with the API token used, does not have
    # two-factor authentication enabled" / "… verified primary email address"; maturin
    # "Username or password are incorrect". Private indexes (devpi, Artifactory, Nexus) answer
    # 401 instead: twine "HTTPError: 401 Unauthorized from …", poetry/requests "401 Client
    # Error: Unauthorized for url: …", hatch "Client error '401 Unauthorized'".
    Rule(
        code="invalid-credentials",
        title="The API token was refused",
        stage="upload",
        cause="The API token is wrong, deleted, expired, or from the other index (TestPyPI "
        "and PyPI tokens are not interchangeable).",
        fix=(
            "Create a new API token on {host} and store it in the secret the workflow uses.",
            RETRY_STEP,
            "Or switch to trusted publishing and drop `password:`.",
        ),
        docs="https://pypi.org/help/#invalid-auth",
        phrases=(
            "invalid or non-existent authentication information",
            "invalid api token",
            "username or password are incorrect",
            "does not have two-factor authentication enabled",
            "does not have a verified primary email address",
        ),
        pattern=re.compile(r"\b401 (?:client error: )?unauthorized"),
        variants=(
            Variant(
                ("two-factor authentication",),
                "The account that owns the API token has no two-factor authentication.",
                ("Enable 2FA on the token owner's {host} account.",),
            ),
            Variant(
                ("verified primary email",),
                "The account that owns the API token has no verified primary email address.",
                ("Verify the primary email of the token owner's {host} account.",),
            ),
            Variant(
                ("401 ",),
                "The index answered 401 Unauthorized: the job sent no credentials, or ones "
                "the index does not know.",
                (
                    "Check that the secret is set and reaches the upload step (the tool's "
                    "username and password variables for this index).",
                    RETRY_STEP,
                ),
            ),
        ),
    ),
    # warehouse 403: "The user '{u}' isn't allowed to upload to project '{p}'." and, for
    # trusted publishers, "The given token isn't allowed to upload to project '{p}'."; before
    # 2017 it said "You are not allowed to upload to '{p}'."
    Rule(
        code="upload-forbidden",
        title="No permission to upload to this project",
        stage="upload",
        cause="The credential is valid but has no rights on the project: the name belongs "
        "to someone else, or the token or publisher is scoped to another project.",
        fix=(
            "Check on {host} who owns the project; ask to be added as a maintainer or rename "
            "yours.",
            "Use a token scoped to this project, or a publisher registered on it.",
            RETRY_STEP,
        ),
        docs="https://pypi.org/help/#project-name",
        phrases=("allowed to upload to",),
    ),
    # Any other refusal of the upload: twine "HTTPError: 4xx … from …/legacy/" (twine
    # __main__.py), poetry "HTTP Error 4xx: …", uv "Upload failed with status code 4xx",
    # maturin "Failed to upload the wheel with status 4xx", hatch (httpx) "Error uploading to
    # repository: … - Client error '4xx …' for url", and twine --verbose's "Response from
    # …/legacy/:" with the status and reason on the next line (read joined to it), for a paste
    # cut before twine's own error line.
    Rule(
        code="upload-rejected",
        title="The index rejected the upload",
        stage="upload",
        cause="The index ({host}) refused the upload for a reason not recognised here; the message "
        "shown below is the index's own.",
        fix=(
            "Read the index's message below and fix what it names.",
            "Run twine with `--verbose` (the action's `verbose: true`) to see the full reply.",
        ),
        docs="https://pypi.org/help/",
        pattern=re.compile(
            r"httperror: 4\d\d|http error 4\d\d|client error '4\d\d"
            r"|upload failed with status(?: code)? 4\d\d"
            r"|failed to upload the wheel with status 4\d\d|permission denied \(status code"
            r"|response from \S*/legacy/?: 4\d\d "
            r"|upload failed \(4\d\d\)"  # distutils' `setup.py upload`: "Upload failed (410): Gone"
        ),
        generic=True,
        # A URL that takes no uploads: 405 for the site root or a /simple/ page; 410 from the
        # upload API of pypi.python.org, retired in 2017 ("This API has been deprecated and
        # removed from legacy PyPI ...").
        variants=(
            Variant(
                (
                    "405 client error: method not allowed",
                    "405 method not allowed",
                    "upload failed (405)",
                ),
                "The upload URL takes no uploads (the site's root or an index's /simple/ page): "
                "the index accepts them only at its /legacy/ endpoint.",
                (_UPLOAD_URL_STEP, NEW_RELEASE_STEP),
            ),
            Variant(
                (
                    "410 client error: gone",
                    "upload failed (410)",
                    "removed from legacy pypi",
                ),
                "The upload went to the upload API of pypi.python.org, retired in 2017.",
                (_UPLOAD_URL_STEP, NEW_RELEASE_STEP),
            ),
        ),
    ),
    # Derived: the runner's "##[error]Process completed with exit code N." and no publish
    # step in the log, i.e. the job failed in an earlier step (build, tests).
    Rule(
        code="step-failed",
        title="The job failed before publishing",
        stage="job",
        cause="A step before the upload failed (build, tests, lint), so nothing was published.",
        fix=(
            "Read the last error lines below and fix that step.",
            NEW_RELEASE_STEP,
        ),
        docs=None,
        # The runner's set-up (actions/runner ActionManager): "Unable to resolve action
        # `OWNER/REPO@REF`, unable to find version `REF`", and "Missing download info for
        # OWNER/REPO@REF"; the job stops before its first step.
        phrases=("unable to resolve action", "missing download info for"),
        generic=True,
        variants=(
            Variant(
                ("pypa/gh-action-pypi-publish@",),
                "The workflow names a ref of pypa/gh-action-pypi-publish that does not exist "
                "(there is no `v1` tag, and a pinned commit can vanish), so the job stopped at "
                "set-up, before any step ran.",
                (
                    "Use `pypa/gh-action-pypi-publish@release/v1`, an existing tag such as "
                    "`@v1.14.0`, or a commit SHA of one of its releases.",
                    NEW_RELEASE_STEP,
                ),
            ),
            Variant(
                ("unable to resolve action", "missing download info for"),
                "An action the job uses names a ref that does not exist, so the job stopped at "
                "set-up, before any step ran.",
                (
                    "Point that `uses:` at an existing tag, branch or commit of the action.",
                    NEW_RELEASE_STEP,
                ),
            ),
        ),
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
RANK = {rule.code: index for index, rule in enumerate(RULES)}

# Cheap byte anchors for the sieve. Every message above contains one of them, or follows
# within a few lines a line that does (an error line, a claims header, a failure header).
# They are chosen to be rare in build and test noise: "ERROR  " with rich's padding, not a
# bare "Error" (every traceback has one). An anchor that starts with a line break only
# matches at the start of a line.
ANCHORS: tuple[bytes, ...] = (
    b"##[",
    b"\nError: ",
    b"> Error: ",
    b"ERROR  ",
    b"HTTPError",
    b"HTTP Error",
    b"InvalidDistribution",
    b"\nerror: ",  # uv and cargo-style tools print "error: …" at the start of a line,
    b"Z error: ",  # or right after the runner's timestamp; mypy's "file:1: error:" is noise
    b"ublish",
    b"oken",
    b"TOKEN",
    b"laim",
    b"pload",
    b"Caused by",
    b"Linux",
    b"DISTS",
    b"ttestation",
    b"repo:",
    b"repository_owner",
    b"workflow_ref",
    b"`sub`",
    b"/legacy",
    b"exit code",
    b"\nFAILED ",  # pytest's summary, shown when the job failed before publishing
    b"Z FAILED ",
    b"maturin",
    b"Too many",
    b"project.create",  # the rate limit's name in a 429's RateLimit header
    b"\n400 ",  # the index's reason pasted alone: "400 Filename '…' is invalid, …"
    b"\n403 ",
    b"401 Client Error",  # a private index's refusal, often on a line of its own
    b"401 Unauthorized",
    # The rules' patterns, for a reason pasted alone: "Invalid value for classifiers.
    # Error: …", "The name 'x' isn't allowed."
    b"nvalid value for",
    b"he name '",
    b'he name "',
    # UPLOAD_CUT_OFF, as a traceback prints them (the scanner checks an upload had begun).
    b"onnection timed out",
    b"onnection reset by peer",
    b"emote end closed connection",
    b"onnection aborted",
    b"ead timed out",
)


def _phrase_anchors(anchors: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """An anchor for each rule phrase that no anchor above finds, so none is unreachable.

    A phrase is lowercase and the log's text is not: its first letter is left out (it is
    the capital of a sentence's first word), and the rest is searched as written. A phrase
    with another capital in the log ("PyPI") is still read when it follows an error line.
    An anchor covers a phrase only as the sieve searches it: case-sensitively, and not when
    it must start a line ("FAILED " at a line start never finds "… failed to render").
    """
    known = [anchor for anchor in anchors if not anchor.startswith(b"\n")]
    derived: list[bytes] = []
    for rule in RULES:
        for phrase in rule.phrases:
            tail = phrase[1:].encode()
            if not any(anchor in phrase.encode() for anchor in known) and tail not in derived:
                derived.append(tail)
    return anchors + tuple(derived)


ANCHORS = _phrase_anchors(ANCHORS)
