"""Faults for the reliability tests, without touching the shared PostgreSQL and Redis.

`TcpProxy` forwards a local port to a service and can be cut (every connection closed, new ones
refused) and restored on the same port; `PrivateRedis` is a redis-server of the test's own that
can be stopped and started again on the same port; `PortalServer` is gunicorn serving the portal
with the environment a test gives it.
"""

import contextlib
import http.cookiejar
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.conftest import _test_database_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class TcpProxy:
    """127.0.0.1:<port> -> target, one pair of threads per connection."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    def restore(self) -> None:
        """Listen again on the same port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and reset every open one, as a service that went away."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            self._close(sock)

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # the listener was closed by cut()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                self._close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    self._close(client)
                    self._close(upstream)
                    continue
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)
            self._close(source)
            self._close(sink)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            # An abortive close (RST), so that the peer notices at once.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


class PrivateRedis:
    """`redis-server` on a free port, without persistence; stop() and start() keep the port."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server is not installed"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _listening(self.port):
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class PortalServer:
    """The portal under gunicorn (one worker) on the test database, with the environment given."""

    def __init__(self, *, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "ab") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind",
                 f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "60"],
                env={
                    **os.environ,
                    "PORTAL_TESTING": "1",
                    "PORTAL_ENV_FILE": "",
                    "CELERY_TASK_ALWAYS_EAGER": "0",
                    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                    "DATABASE_URL": _test_database_url(),
                    **env,
                },
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=settings.BASE_DIR,
            )  # fmt: skip
        self.log = log
        deadline = time.monotonic() + 60
        while not _listening(self.port):
            assert self.process.poll() is None, f"gunicorn exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no gunicorn:\n{log.read_text()[-3000:]}"
            time.sleep(0.1)

        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET (or POST `data`), following redirects: the status, final URL and body."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body)  # noqa: S310
        try:
            with self._opener.open(request, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def set_cookie(self, name: str, value: str) -> None:
        self.cookies.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                None, False, None, None, {},
            )
        )  # fmt: skip

    def cookie(self, name: str) -> str:
        return next(cookie.value or "" for cookie in self.cookies if cookie.name == name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
