"""HTTP plumbing: the threaded stdlib server and the per-request pipeline around the endpoints.

The pipeline is what GitHub does around every endpoint: authentication, scripted faults,
the primary rate limit and its headers, weak ETags with ``304 Not Modified`` (which is not
charged), the validation hook, and the request log. It runs under the state lock and returns
bytes; the HTTP handler writes them (or sleeps first, or hangs up) outside the lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlsplit

import msgspec

from .errors import DOCS, ApiError, not_found
from .faults import PRIMARY_RATE_LIMIT_MESSAGE, RATE_LIMIT_DOC, Fault
from .routes import Api, ApiRequest, ApiResponse
from .state import RateSnapshot, RequestRecord, State
from .timefmt import http_date

JsonHook = Callable[[str, str, int, object], None]
API_VERSION = "2022-11-28"
_JSON_TYPE = "application/json; charset=utf-8"
_UNCOUNTED_PATHS = ("/rate_limit",)  # GitHub: GET /rate_limit is free


class Incoming(msgspec.Struct, frozen=True):
    """A raw HTTP request."""

    method: str
    target: str  # path and query as sent
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class Outgoing(msgspec.Struct):
    """A raw HTTP response; ``drop`` closes the connection instead, ``delay`` answers late."""

    status: int
    headers: list[tuple[str, str]] = msgspec.field(default_factory=list)
    body: bytes = b""
    delay: float = 0.0
    drop: bool = False


def _etag(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()}"'


def _token_of(headers: Mapping[str, str]) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") else None


class _Exchange(msgspec.Struct, frozen=True):
    """What the pipeline needs to know about the request being answered."""

    method: str
    path: str  # canonical path (see routes.py)
    query: str
    if_none_match: frozenset[str]
    sent: str  # the path as requested


def _weak(tag: str) -> str:
    """ETags compare weakly on GET: ``W/"x"`` matches ``"x"``."""
    return tag.strip().removeprefix("W/")


class Gateway:
    """Everything between the socket and the endpoints, for one emulator."""

    def __init__(
        self, state: State, api: Api, *, token: str | None, prefix: str, on_json: JsonHook | None
    ) -> None:
        self.state = state
        self.api = api
        self.token = token
        self.prefix = prefix
        self.on_json = on_json
        self._request_ids = 0

    def handle(self, incoming: Incoming) -> Outgoing:
        """Answer one request (thread-safe: all state access holds the lock)."""
        with self.state.lock:
            return self._handle(incoming)

    def _handle(self, incoming: Incoming) -> Outgoing:
        split = urlsplit(incoming.target)
        if split.path.startswith("/_blobs/"):
            return self._blob(incoming, split.path[len("/_blobs/") :])
        etags = frozenset(
            _weak(t) for t in incoming.headers.get("if-none-match", "").split(",") if t.strip()
        )
        if not split.path.startswith(self.prefix + "/"):
            ex = _Exchange(incoming.method, split.path, split.query, etags, split.path)
            return self._finish(ex, ApiResponse(404, not_found().body()), counted=False)
        path = self.api.canonical(unquote(split.path[len(self.prefix) :]))
        ex = _Exchange(incoming.method, path, split.query, etags, split.path)
        if self.token is not None and _token_of(incoming.headers) != self.token:
            return self._error(ex, 401, "Bad credentials", counted=False)
        fault = self.state.faults.take(ex.method, path)
        if fault is not None and not fault.after_handling and fault.kind != "slow":
            return self._fault(ex, fault)
        counted = path not in _UNCOUNTED_PATHS
        if counted and self.state.rate.exhausted():
            return self._error(ex, 403, PRIMARY_RATE_LIMIT_MESSAGE, RATE_LIMIT_DOC, counted=False)
        try:
            body = json.loads(incoming.body) if incoming.body.strip() else None
        except ValueError:
            return self._error(ex, 400, "Problems parsing JSON", counted=counted)
        query = parse_qsl(split.query, keep_blank_values=True)
        try:
            response = self.api.dispatch(ApiRequest(ex.method, path, query, body))
        except ApiError as exc:
            response = ApiResponse(exc.status, exc.body())
        except Exception as exc:  # an emulator bug: answer like GitHub, and let the test see it
            self.state.errors.append(exc)
            response = ApiResponse(500, ApiError(500, "Server Error").body())
        if fault is not None and fault.kind != "slow":
            return self._fault(ex, fault)  # after_handling: the request did take effect
        out = self._finish(ex, response, counted=counted)
        out.delay = fault.delay if fault is not None else 0.0
        return out

    def _error(
        self,
        ex: _Exchange,
        status: int,
        message: str,
        doc: str = DOCS,
        *,
        counted: bool = True,
        rate: RateSnapshot | None = None,
        retry_after: int | None = None,
    ) -> Outgoing:
        response = ApiResponse(status, ApiError(status, message, documentation_url=doc).body())
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return self._finish(ex, response, counted=counted, rate=rate)

    def _fault(self, ex: _Exchange, fault: Fault) -> Outgoing:
        if fault.kind == "drop":
            self._record(ex, 0, False)
            return Outgoing(0, drop=True)
        rate = None
        if fault.kind == "primary":
            snap = self.state.rate.snapshot()
            rate = RateSnapshot(snap.limit, 0, snap.limit, int(self.state.clock() + fault.reset_in))
        doc = RATE_LIMIT_DOC if fault.status in (403, 429) else DOCS
        return self._error(
            ex, fault.status, fault.message, doc, rate=rate, retry_after=fault.retry_after
        )

    def _finish(
        self,
        ex: _Exchange,
        response: ApiResponse,
        *,
        counted: bool,
        rate: RateSnapshot | None = None,
    ) -> Outgoing:
        """Encode, apply conditional-request rules, charge, add headers, validate, log."""
        headers = dict(response.headers)
        status, body = response.status, b""
        if response.body is not None:
            body = json.dumps(response.body, separators=(",", ":")).encode()
            headers["Content-Type"] = _JSON_TYPE
            if ex.method in ("GET", "HEAD") and status == 200:
                headers["ETag"] = _etag(body)
                if _weak(headers["ETag"]) in ex.if_none_match or "*" in ex.if_none_match:
                    status, body, counted = 304, b"", False  # unchanged: not charged
                    del headers["Content-Type"]
        elif status == 302:
            headers["Content-Type"] = "text/html;charset=utf-8"
        if counted:
            self.state.rate.charge()
        snap = rate or self.state.rate.snapshot()
        self._request_ids += 1
        headers |= {
            "X-GitHub-Media-Type": "github.v3; format=json",
            "x-github-api-version-selected": API_VERSION,
            "X-RateLimit-Limit": str(snap.limit),
            "X-RateLimit-Remaining": str(snap.remaining),
            "X-RateLimit-Reset": str(snap.reset),
            "X-RateLimit-Used": str(snap.used),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Request-Id": f"EMU0:{self._request_ids:08X}",
        }
        if body and ex.method != "HEAD" and self.on_json is not None:
            try:
                self.on_json(ex.method, ex.path, status, response.body)
            except Exception as exc:  # the fixture reports it; the client still gets its answer
                self.state.errors.append(exc)
        self._record(ex, status, counted)
        return Outgoing(status, list(headers.items()), body)

    def _blob(self, incoming: Incoming, token: str) -> Outgoing:
        """A signed download: no Authorization header allowed, expires, never charged."""
        blob = self.state.blobs.get(token)
        status, content_type = 403, "text/plain"
        if blob is None:
            status, content = 404, b"BlobNotFound: The specified blob does not exist."
        elif "authorization" in incoming.headers:
            content = b"AuthenticationFailed: signed URLs refuse an Authorization header."
        elif self.state.blobs.expired(blob):
            content = b"AuthenticationFailed: Signed expiry time has passed."
        else:
            status, content_type, content = 200, blob.content_type, blob.content
        path = f"/_blobs/{token}"
        self._record(_Exchange(incoming.method, path, "", frozenset(), path), status, False)
        return Outgoing(status, [("Content-Type", content_type)], content)

    def _record(self, ex: _Exchange, status: int, counted: bool) -> None:
        # Recorded before the answer is written, so a test that got its response sees the entry.
        self.state.log.append(RequestRecord(ex.method, ex.path, ex.query, status, counted, ex.sent))


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Binds ``127.0.0.1:0``; ``gateway`` is attached once the port (and so every URL) is known."""

    daemon_threads = True
    gateway: Gateway

    def __init__(self, sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sleep = sleep
        self.clock = clock
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track keep-alive connections so that :meth:`close_connections` can end them."""
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a finished connection before closing it."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on idle keep-alive clients, so that no handler thread outlives the server."""
        with self._open_lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (e.g. after its own timeout) is normal; anything else is not."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.github.com
    server_version = "GitHub.com"
    sys_version = ""

    def _serve(self) -> None:
        server = cast("EmulatorHTTPServer", self.server)
        length = int(self.headers.get("Content-Length") or 0)
        incoming = Incoming(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        out = server.gateway.handle(incoming)
        if out.delay:
            server.sleep(out.delay)
        if out.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):  # the client may be gone already
                self.connection.shutdown(socket.SHUT_RDWR)  # hang up without a status line
            return
        self.send_response(out.status)
        for name, value in out.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(out.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def date_time_string(self, timestamp: float | None = None) -> str:
        """``Date`` from the emulator's clock."""
        return http_date(
            cast("EmulatorHTTPServer", self.server).clock() if timestamp is None else timestamp
        )

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator keeps its own request log."""
