"""A real `atlas serve` process against raw sockets on loopback: a huge header, connections
that never finish their headers, more connections than the cap, and stalled downloads.

Every loop is bounded in count and time; every socket is closed at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ..conftest import free_port, wait_until_serving

HEADER_TIMEOUT = 2.0
WRITE_TIMEOUT = 2.0
MB = 1024 * 1024


class Served:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.base = f"http://127.0.0.1:{port}"

    def rss_mb(self) -> float:
        """Resident memory of the server process (one worker: the process itself)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    def store_handles(self) -> int:
        """Open descriptors of the server on record stores (`records.sqlite`)."""
        count = 0
        for fd in Path(f"/proc/{self.proc.pid}/fd").iterdir():
            try:
                count += os.readlink(fd).endswith("records.sqlite")
            except OSError:
                pass
        return count

    def connect(self, rcvbuf: int | None = None) -> socket.socket:
        sock = socket.socket()
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(5)
        sock.connect(("127.0.0.1", self.port))
        return sock


@contextmanager
def serve(index: Path, tmp_path: Path, *options: str) -> Iterator[Served]:
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    env = {k: v for k, v in os.environ.items() if k != "ATLAS_API_TOKEN"}  # no token
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index), "--port",
             str(port), "--workers", "1", *options], env=env, stdout=out, stderr=out)
    served = Served(proc, port, log)
    try:
        wait_until_serving(served.base, proc, lambda: log.read_text()[-800:])
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """True when the server closed the socket (EOF or reset) within `wait` seconds."""
    sock.settimeout(wait)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def status_line(sock: socket.socket) -> bytes:
    """The first bytes of the answer (up to the end of its head, at most 4 KB)."""
    head = b""
    sock.settimeout(10)
    try:
        while b"\r\n\r\n" not in head and len(head) < 4096:
            data = sock.recv(4096 - len(head))
            if not data:
                break
            head += data
    except (ConnectionResetError, TimeoutError):
        pass
    return head


def test_a_50_mb_header_is_refused_without_memory_growth(index_dir: Path,
                                                         tmp_path: Path) -> None:
    with serve(index_dir, tmp_path) as served:
        httpx.get(served.base + "/?q=eau")  # modules loaded, pools warm
        before = served.rss_mb()
        sock = served.connect()
        sent = 0
        refused = False
        chunk = b"a" * MB
        deadline = time.monotonic() + 60
        try:
            sock.sendall(b"GET /api/search HTTP/1.1\r\nHost: x\r\nX-Big: ")
            while sent < 50 * MB and time.monotonic() < deadline:
                sock.sendall(chunk)
                sent += len(chunk)
            sock.sendall(b"\r\n\r\n")
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            refused = True
        head = status_line(sock)
        sock.close()
        grown = served.rss_mb() - before
        assert refused or head.startswith(b"HTTP/1.1 431") or not head, head[:200]
        assert not head.startswith(b"HTTP/1.1 2"), head[:200]
        assert sent < 50 * MB or refused, "all 50 MB were taken in"
        assert grown < 20, f"the server grew by {grown:.0f} MB"
        # Too many headers: 431 too.
        sock = served.connect()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n"
                     + b"".join(b"X-%d: 1\r\n" % i for i in range(500)) + b"\r\n")
        assert status_line(sock).startswith(b"HTTP/1.1 431")
        sock.close()


def test_connections_that_never_finish_their_headers_are_closed(index_dir: Path,
                                                                tmp_path: Path) -> None:
    with serve(index_dir, tmp_path, "--header-timeout", str(HEADER_TIMEOUT)) as served:
        sockets: list[socket.socket] = []
        try:
            for i in range(600):
                sock = served.connect()
                # Half of them send half a head, the others nothing at all.
                if i % 2:
                    sock.sendall(b"GET /api/search?q=eau HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                sockets.append(sock)
            opened = time.monotonic()
            waited = HEADER_TIMEOUT + 8
            still_open = [s for s in sockets
                          if not closed_by_server(s, max(0.05, opened + waited - time.monotonic()))]
            assert not still_open, f"{len(still_open)} of 600 still open after {waited} s"
        finally:
            for sock in sockets:
                sock.close()
        # The server still answers.
        assert httpx.get(served.base + "/healthz", timeout=5).status_code == 200


def test_connections_beyond_the_cap_get_503_with_retry_after(index_dir: Path,
                                                             tmp_path: Path) -> None:
    with serve(index_dir, tmp_path, "--max-connections", "40",
               "--header-timeout", "30") as served:
        sockets = [served.connect() for _ in range(40)]
        try:
            extra = served.connect()
            sockets.append(extra)
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            head = status_line(extra)
            assert head.startswith(b"HTTP/1.1 503"), head[:200]
            assert b"retry-after:" in head.lower()
        finally:
            for sock in sockets:
                sock.close()
        time.sleep(0.5)
        assert httpx.get(served.base + "/healthz", timeout=5).status_code == 200


@pytest.fixture(scope="module")
def export_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index whose JSON Lines export (some 6 MB) is far bigger than socket buffers."""
    from indexer.build import build
    from indexer.generate import generate

    root = tmp_path_factory.mktemp("export-corpus")
    generate(2000, seed=3, out_dir=root)
    index = tmp_path_factory.mktemp("export-index")
    build([root], index, progress=False, workers=1)
    return index


def test_stalled_downloads_are_cut_and_capped(export_index: Path, tmp_path: Path) -> None:
    with serve(export_index, tmp_path, "--write-timeout", str(WRITE_TIMEOUT),
               "--max-exports", "4") as served:
        with httpx.Client(base_url=served.base, timeout=30) as http:
            full = http.get("/api/search.jsonl")
            assert full.status_code == 200 and len(full.content) > 2 * MB
        before = served.rss_mb()
        handles = served.store_handles()
        sockets: list[socket.socket] = []
        heads: list[bytes] = []
        try:
            for _ in range(200):
                sock = served.connect(rcvbuf=4096)
                sock.sendall(b"GET /api/search.jsonl HTTP/1.1\r\nHost: x\r\n\r\n")
                sockets.append(sock)
            # Read each answer's head only, then stop reading.
            heads = [status_line(s) for s in sockets]
            started = [h for h in heads if h.startswith(b"HTTP/1.1 200")]
            refused = [h for h in heads if h.startswith(b"HTTP/1.1 503")]
            assert 1 <= len(started) <= 4, [h[:40] for h in heads[:10]]
            assert len(refused) == 200 - len(started)
            assert all(b"retry-after:" in h.lower() for h in refused)
            assert served.store_handles() > handles  # each running export reads the store
            # While they stall, a search still answers.
            assert httpx.get(served.base + "/api/search?q=eau", timeout=10).status_code == 200
            # The stalled ones are cut after the write timeout.
            stalled = [s for s, h in zip(sockets, heads, strict=True)
                       if h.startswith(b"HTTP/1.1 200")]
            cut = [closed_by_server(s, WRITE_TIMEOUT + 10) for s in stalled]
            assert all(cut), "a stalled download was never cut"
        finally:
            for sock in sockets:
                sock.close()
        time.sleep(1)
        assert served.store_handles() == handles, "a cut export kept its store reader open"
        grown = served.rss_mb() - before
        assert grown < 40, f"the server kept {grown:.0f} MB after the stalled downloads"
        # Their slots are free again: a whole export goes through.
        with httpx.Client(base_url=served.base, timeout=30) as http:
            again = http.get("/api/search.jsonl")
            assert again.status_code == 200 and again.content == full.content
