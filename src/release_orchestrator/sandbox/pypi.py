"""PyPI's side of trusted publishing, as the emulator plays it for ``release demo``.

A publish job's outcome follows warehouse's matching rules (owner, repository and workflow
file compared exactly, environment ignoring case, an empty publisher environment accepting
any), and its log is written from the message templates of pypa/gh-action-pypi-publish
(``oidc-exchange.py``), pypi/warehouse (``oidc/views.py``, ``forklift/legacy.py``) and twine,
quoting the claims GitHub puts in the OIDC token for the run being played. Deliberately
independent of ``release_orchestrator.publisher``: the tool is checked against it.

:class:`PyPIServer` is the index itself: the JSON API and the integrity API (PEP 740
provenance) in their documented shapes, for the doctor, the upload confirmation and
``release status``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

import msgspec

from .actions import JobSpec, RunContext, StepSpec

UPLOAD_URL = "https://upload.pypi.org/legacy/"
TROUBLESHOOTING = "https://docs.pypi.org/trusted-publishers/troubleshooting/"


class TrustedPublisher(msgspec.Struct, frozen=True):
    """A publisher as typed into PyPI's form ("" environment: any)."""

    owner: str
    repository: str
    workflow: str
    environment: str = ""


class PublishingJob(msgspec.Struct, frozen=True):
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
    rendered = [f"* `{name}`: `{value or 'MISSING'}`" for name, value in claims.items()]
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


class Attested(msgspec.Struct, frozen=True):
    """The trusted publisher a file's PEP 740 provenance names (GitHub kind)."""

    repository: str  # owner/name
    workflow: str  # file name
    environment: str | None = None


class DistFile(msgspec.Struct, frozen=True):
    """One uploaded file; ``provenance`` None: uploaded without attestations."""

    filename: str
    provenance: Attested | None = None


def dist_files(project: str, version: str, provenance: Attested | None) -> tuple[DistFile, ...]:
    """The sdist and the pure-Python wheel a build of ``project`` ``version`` makes."""
    stem = f"{re.sub(r'[-_.]+', '_', project).lower()}-{version}"
    return (
        DistFile(f"{stem}.tar.gz", provenance),
        DistFile(f"{stem}-py3-none-any.whl", provenance),
    )


class _Release(msgspec.Struct):
    version: str
    files: tuple[DistFile, ...]
    # When the upload happened (None: not yet); ``uploaded`` asks, e.g. the emulator.
    uploaded_at: float | None
    uploaded: Callable[[], float | None] | None = None
    lag: float = 0.0  # the CDN: served this long after the upload

    def served(self, now: float) -> bool:
        if self.uploaded_at is None and self.uploaded is not None:
            self.uploaded_at = self.uploaded()
        return self.uploaded_at is not None and now >= self.uploaded_at + self.lag


class _Project(msgspec.Struct):
    name: str
    releases: dict[str, _Release] = msgspec.field(default_factory=dict)
    listed: bool = False  # known to the index even before any release is served


def _file_json(upload: DistFile, uploaded_at: float) -> dict[str, Any]:
    """A ``urls[]`` item of the JSON API (warehouse's ``legacy/api/json`` file fields)."""
    digest = hashlib.sha256(upload.filename.encode()).hexdigest()
    wheel = upload.filename.endswith(".whl")
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(uploaded_at))
    micros = f"{uploaded_at % 1:.6f}"[2:]
    return {
        "comment_text": "",
        "digests": {
            "blake2b_256": hashlib.blake2b(upload.filename.encode(), digest_size=32).hexdigest(),
            "md5": hashlib.md5(upload.filename.encode(), usedforsecurity=False).hexdigest(),
            "sha256": digest,
        },
        "downloads": -1,
        "filename": upload.filename,
        "has_sig": False,
        "md5_digest": hashlib.md5(upload.filename.encode(), usedforsecurity=False).hexdigest(),
        "packagetype": "bdist_wheel" if wheel else "sdist",
        "python_version": "py3" if wheel else "source",
        "requires_python": ">=3.10",
        "size": 4096 + len(upload.filename),
        "upload_time": when,
        "upload_time_iso_8601": f"{when}.{micros}Z",
        "url": f"https://files.pythonhosted.org/packages/{digest[:2]}/{digest[2:4]}/"
        f"{digest[4:]}/{upload.filename}",
        "yanked": False,
        "yanked_reason": None,
    }


def _provenance_json(upload: DistFile, attested: Attested) -> dict[str, Any]:
    """A PEP 740 provenance object, as the integrity API serves it (docs.pypi.org)."""
    digest = hashlib.sha256(upload.filename.encode()).hexdigest()
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": upload.filename, "digest": {"sha256": digest}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": None,
    }
    encoded = base64.b64encode(json.dumps(statement).encode()).decode()
    return {
        "version": 1,
        "attestation_bundles": [
            {
                "publisher": {
                    "kind": "GitHub",
                    "repository": attested.repository,
                    "workflow": attested.workflow,
                    "environment": attested.environment,
                    "claims": None,
                },
                "attestations": [
                    {
                        "version": 1,
                        "verification_material": {
                            "certificate": base64.b64encode(b"stand-in certificate").decode(),
                            "transparency_entries": [],
                        },
                        "envelope": {
                            "statement": encoded,
                            "signature": base64.b64encode(b"stand-in signature").decode(),
                        },
                    }
                ],
            }
        ],
    }


class PyPIServer:
    """A stand-in for PyPI's JSON and integrity APIs on 127.0.0.1, scripted per release.

    ``GET /pypi/{project}/json`` and ``/pypi/{project}/{version}/json`` (warehouse's JSON
    API), and ``GET /integrity/{project}/{version}/{filename}/provenance`` (PEP 740); what is
    not served answers 404, as on pypi.org. ``projects`` lists versions already on the index
    (without files). A release can be served only ``lag`` seconds after its upload on the
    injected ``clock`` (the CDN), uploaded by another publisher, or without provenance; and
    :meth:`upload_when` lets the emulator's publish job make the upload.
    """

    def __init__(
        self,
        projects: Mapping[str, Sequence[str]] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self._clock = clock
        self._lock = threading.Lock()
        self._projects: dict[str, _Project] = {}
        self._fault: tuple[int, bytes] | None = None
        self.paths: list[str] = []  # every path asked, in order
        for name, versions in (projects or {}).items():
            self.add_versions(name, versions)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()

    def _project(self, name: str) -> _Project:
        return self._projects.setdefault(_normalise(name), _Project(name))

    def add_versions(self, project: str, versions: Sequence[str]) -> None:
        """Make ``project`` known with ``versions`` already served (files not listed)."""
        with self._lock:
            entry = self._project(project)
            entry.listed = True
            for version in versions:
                entry.releases[version] = _Release(version, (), uploaded_at=0.0)

    def fail_every_request(self, status: int, body: bytes = b"{}") -> None:
        """Answer every request with ``status`` and ``body``: an outage, or a proxy's page."""
        with self._lock:
            self._fault = (status, body)

    def add_release(
        self,
        project: str,
        version: str,
        files: Sequence[DistFile] | None = None,
        *,
        provenance: Attested | None = None,
        lag: float = 0.0,
    ) -> None:
        """Upload ``files`` (default: an sdist and a wheel attested by ``provenance``) now;
        they are served ``lag`` seconds later.
        """
        chosen = tuple(files) if files is not None else dist_files(project, version, provenance)
        with self._lock:
            self._project(project).releases[version] = _Release(
                version, chosen, uploaded_at=self._clock(), lag=lag
            )

    def upload_when(
        self,
        project: str,
        version: str,
        uploaded: Callable[[], float | None],
        *,
        provenance: Attested | None,
        lag: float = 0.0,
    ) -> None:
        """Serve the release once ``uploaded()`` returns the upload's time (plus ``lag``)."""
        with self._lock:
            self._project(project).releases[version] = _Release(
                version, dist_files(project, version, provenance), None, uploaded, lag
            )

    def answer(self, path: str) -> tuple[int, Any]:
        """The status and JSON body for ``GET path`` (what the HTTP handler sends); raw
        bytes while :meth:`fail_every_request` is in force.
        """
        parts = [unquote(part) for part in path.split("?", maxsplit=1)[0].strip("/").split("/")]
        with self._lock:
            self.paths.append(path)
            if self._fault is not None:
                return self._fault
            now = self._clock()
            if len(parts) in (3, 4) and parts[0] == "pypi" and parts[-1] == "json":
                entry = self._projects.get(_normalise(parts[1]))
                if entry is not None:
                    served = {v: r for v, r in entry.releases.items() if r.served(now)}
                    if len(parts) == 3 and (served or entry.listed):
                        return 200, _project_json(entry.name, served)
                    if len(parts) == 4 and parts[2] in served:
                        return 200, _release_json(entry.name, served[parts[2]])
            elif len(parts) == 5 and parts[0] == "integrity" and parts[4] == "provenance":
                entry = self._projects.get(_normalise(parts[1]))
                release = entry.releases.get(parts[2]) if entry else None
                if release is not None and release.served(now):
                    for upload in release.files:
                        if upload.filename == parts[3] and upload.provenance is not None:
                            return 200, _provenance_json(upload, upload.provenance)
                return 404, {"message": f"No provenance available for {parts[3]}"}
        return 404, {"message": "Not Found"}

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _release_json(name: str, release: _Release) -> dict[str, Any]:
    return {
        "info": {"name": name, "version": release.version, "yanked": False},
        "last_serial": 1,
        "urls": [_file_json(f, release.uploaded_at or 0.0) for f in release.files],
        "vulnerabilities": [],
    }


def _project_json(name: str, served: Mapping[str, _Release]) -> dict[str, Any]:
    latest = list(served)[-1] if served else None
    return {
        "info": {"name": name, "version": latest},
        "last_serial": 1,
        "releases": {
            v: [_file_json(f, r.uploaded_at or 0.0) for f in r.files]
            for v, r in served.items()
        },
        "urls": _release_json(name, served[latest])["urls"] if latest else [],
        "vulnerabilities": [],
    }


def _handler(index: PyPIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, data = index.answer(self.path)
            body = data if isinstance(data, bytes) else json.dumps(data).encode()
            kind = "application/json"
            if self.path.startswith("/integrity/") and status == 200:
                kind = "application/vnd.pypi.integrity.v1+json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo's output is the tool's."""

    return Handler


def _normalise(name: str) -> str:
    # PEP 503 normalisation, as PyPI applies it to URLs.
    return re.sub(r"[-_.]+", "-", name).lower()
