"""The CDN tests' servers: a small real HTTP server in a thread, which records every request and
answers what the test set (the backend behind Varnish, or the cache careers_site.cdn.purge talks
to), and one real varnishd per test module in front of it."""

import gzip
import http.server
import os
import socket
import threading
from dataclasses import dataclass, field

import pytest

from cdn.varnish import VarnishError, find_varnishd, running_varnish

SHARED = {"Cache-Control": "public, max-age=0, s-maxage=300", "Vary": "Accept-Encoding"}


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: dict(SHARED))
    body: bytes = b"<p>a page</p>"
    gzip: bool = False  # compressed when the request accepts gzip, as the app's pages are


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case


class RecordingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.answers: dict[str, Answer] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str, **kwargs) -> None:
        """What a request for `path` (with its query string) gets; by default a shared page."""
        self.answers[path] = Answer(**kwargs)

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for seen in self.seen if seen.path == path)

    def requests(self, path: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.seen if seen.path == path]


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    server: RecordingServer
    protocol_version = "HTTP/1.1"

    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.server.lock:
            self.server.seen.append(
                Seen(
                    method=self.command,
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                )
            )
        answer = self.server.answers.get(self.path, Answer())
        body = answer.body
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PURGE = handle_any

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def backend():
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def varnishd() -> str:
    """The path of varnishd. Without it the tests are skipped, except in CI (the CI variable
    set), where .ci/run installs it and they must run."""
    try:
        return find_varnishd()
    except VarnishError as error:
        if os.environ.get("CI"):
            pytest.fail(f"{error} (CI is set: the CDN tests must run)")
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def varnish(varnishd, backend):
    """One real varnishd per test module, in front of `backend`."""
    with running_varnish(port=unused_port(), backend_port=backend.port) as running:
        yield running


@pytest.fixture
def free_port() -> int:
    return unused_port()


def unused_port() -> int:
    """A port nothing listens on (the system's pick, closed again)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
