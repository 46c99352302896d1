"""PyPI's side of trusted publishing, as the emulator plays it for ``release demo``.

A publish job's outcome follows warehouse's matching rules (owner, repository and workflow
file compared exactly, environment ignoring case, an empty publisher environment accepting
any), and its log is written from the message templates of pypa/gh-action-pypi-publish
(``oidc-exchange.py``), pypi/warehouse (``oidc/views.py``, ``forklift/legacy.py``) and twine,
quoting the claims GitHub puts in the OIDC token for the run being played. Deliberately
independent of ``release_orchestrator.publisher``: the tool is checked against it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .actions import JobSpec, RunContext, StepSpec

UPLOAD_URL = "https://upload.pypi.org/legacy/"
TROUBLESHOOTING = "https://docs.pypi.org/trusted-publishers/troubleshooting/"


@dataclass(frozen=True)
class TrustedPublisher:
    """A publisher as typed into PyPI's form ("" environment: any)."""

    owner: str
    repository: str
    workflow: str
    environment: str = ""


@dataclass(frozen=True)
class PublishingJob:
    """What the workflow's publishing job looks like to GitHub."""

    workflow: str  # file name
    environment: str | None
    id_token: bool


def oidc_claims(context: RunContext, environment: str | None) -> dict[str, str | None]:
    """The claims of the job's token, in the formats GitHub documents."""
    repository = f"{context.owner}/{context.repo}"
    workflow_ref = f"{repository}/{context.workflow_path}@{context.ref}"
    sub = (
        f"repo:{repository}:environment:{environment}"
        if environment
        else f"repo:{repository}:ref:{context.ref}"
    )
    return {
        "sub": sub,
        "repository": repository,
        "repository_owner": context.owner,
        "repository_owner_id": str(context.owner_id),
        "workflow_ref": workflow_ref,
        "job_workflow_ref": workflow_ref,
        "ref": context.ref,
        "environment": environment,
    }


def outcome(
    publisher: TrustedPublisher, job: PublishingJob, owner: str, repo: str, version_exists: bool
) -> str:
    """``success``, ``missing-id-token``, ``invalid-publisher`` or ``file-exists``."""
    if not job.id_token:
        return "missing-id-token"
    env = (job.environment or "").lower()
    matched = (
        publisher.owner == owner
        and publisher.repository == repo
        and publisher.workflow == job.workflow
        and (publisher.environment == "" or publisher.environment.lower() == env)
    )
    if not matched:
        return "invalid-publisher"
    return "file-exists" if version_exists else "success"


def _header() -> list[str]:
    return [
        "##[group]Run pypa/gh-action-pypi-publish@release/v1",
        "with:",
        "  user: __token__",
        f"  repository-url: {UPLOAD_URL}",
        "  packages-dir: dist",
        "##[endgroup]",
    ]


def _invalid_publisher(claims: dict[str, str | None]) -> list[str]:
    # oidc-exchange.py _SERVER_REFUSED_TOKEN_EXCHANGE_MESSAGE and _RENDERED_CLAIMS (2025+),
    # with warehouse's invalid-publisher reason.
    rendered = [f"* `{name}`: `{value if value else 'MISSING'}`" for name, value in claims.items()]
    return [
        "##[error]Trusted publishing exchange failure: ",
        "Token request failed: the server refused the request for the following reasons:",
        "",
        "* `invalid-publisher`: valid token, but no corresponding publisher "
        "(Publisher with matching claims was not found)",
        "",
        "This generally indicates a trusted publisher configuration error, but could",
        "also indicate an internal error on GitHub or PyPI's part.",
        "",
        "",
        "The claims rendered below are **for debugging purposes only**. You should **not**",
        "use them to configure a trusted publisher unless they already match your expectations.",
        "",
        "If a claim is not present in the claim set, then it is rendered as `MISSING`.",
        "",
        *rendered,
        "",
        f"See {TROUBLESHOOTING} for more help.",
    ]


def _missing_id_token() -> list[str]:
    # oidc-exchange.py _TOKEN_RETRIEVAL_FAILED_MESSAGE with di/id's GitHub detector error.
    return [
        "##[error]Trusted publishing exchange failure: ",
        "OpenID Connect token retrieval failed: GitHub: missing or insufficient OIDC token "
        "permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset",
        "",
        "This generally indicates a workflow configuration error, such as insufficient",
        "permissions. Make sure that your workflow has `id-token: write` configured",
        "at the job level, e.g.:",
        "",
        "```yaml",
        "permissions:",
        "  id-token: write",
        "```",
    ]


def _upload(wheel: str, project: str, version: str, exists: bool) -> list[str]:
    lines = [f"Uploading distributions to {UPLOAD_URL}", f"Uploading {wheel}"]
    if exists:
        # twine __main__.py HTTPError line; warehouse forklift/legacy.py file-name-reuse 400.
        return [
            *lines,
            "WARNING  Error during upload. Retry with the --verbose option for more details.",
            f"ERROR    HTTPError: 400 Bad Request from {UPLOAD_URL}",
            f"         File already exists ('{wheel}', with blake2_256 hash",
            "         '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0'). See",
            "         https://pypi.org/help/#file-name-reuse for more information.",
        ]
    return [*lines, "", "View at:", f"https://pypi.org/project/{project}/{version}/"]


def publish_job(
    name: str,
    *,
    project: str,
    version: str,
    publisher: TrustedPublisher,
    job: PublishingJob,
    owner: str,
    repo: str,
    version_exists: bool = False,
) -> JobSpec:
    """The emulated publishing job: its outcome now, its log when the run asks for it."""
    result = outcome(publisher, job, owner, repo, version_exists)
    wheel = f"{project.replace('-', '_')}-{version}-py3-none-any.whl"

    def log(context: RunContext) -> str:
        lines = _header()
        if result == "missing-id-token":
            lines += _missing_id_token()
        elif result == "invalid-publisher":
            lines += _invalid_publisher(oidc_claims(context, job.environment))
        else:
            lines += _upload(wheel, project, version, exists=result == "file-exists")
        if result != "success":
            lines.append("##[error]Process completed with exit code 1.")
        return "\n".join(lines) + "\n"

    conclusion = "success" if result == "success" else "failure"
    steps = (StepSpec("Download dists"), StepSpec("Publish to PyPI", conclusion))
    return JobSpec(name, steps=steps, log=log)


class PyPIServer:
    """PyPI's JSON API (``GET /pypi/{project}/json``) for the projects given, on 127.0.0.1.

    Enough for ``release doctor``'s questions: does the project exist, which versions does it
    have. Unknown projects answer 404, as on pypi.org.
    """

    def __init__(
        self,
        projects: dict[str, tuple[str, ...]],
        files: dict[str, dict[str, tuple[str, ...]]] | None = None,
    ) -> None:
        """``projects``: name -> versions; ``files``: name -> version -> the files it has."""
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        known = {_normalise(name): (name, versions) for name, versions in projects.items()}
        uploaded = {_normalise(name): by_version for name, by_version in (files or {}).items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = self.path.split("?")[0].strip("/").split("/")
                found = (
                    known.get(_normalise(parts[1]))
                    if len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json"
                    else None
                )
                if found is None:
                    body, status = b'{"message": "Not Found"}', 404
                else:
                    name, versions = found
                    info = {"name": name, "version": versions[-1] if versions else None}
                    present = uploaded.get(_normalise(name), {})
                    releases = {v: [_file(f) for f in present.get(v, ())] for v in versions}
                    data = {"info": info, "releases": releases}
                    body, status = json.dumps(data).encode(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the demo's output is the tool's."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _file(filename: str) -> dict[str, object]:
    """One file of a release, as the JSON API lists it (the fields the tool reads, and more)."""
    kind = "bdist_wheel" if filename.endswith(".whl") else "sdist"
    return {
        "filename": filename,
        "packagetype": kind,
        "url": f"https://files.pythonhosted.org/packages/{filename}",
        "yanked": False,
    }


def _normalise(name: str) -> str:
    # PEP 503 normalisation, as PyPI applies it to URLs.
    return re.sub(r"[-_.]+", "-", name).lower()
