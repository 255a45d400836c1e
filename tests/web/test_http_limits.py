"""The HTTP limits of `leongraph serve` hold against a real server process:
oversized headers get 431 at once, idle connections are closed, past the concurrency
limit the answer is a clean 503 with Retry-After, and SIGTERM ends the process in time."""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

import httpx
import pytest
from support import leongraph_serve

ENV = {
    "LEONGRAPH_TIMEOUT_KEEP_ALIVE": "1",
    "LEONGRAPH_TIMEOUT_GRACEFUL_SHUTDOWN": "2",
    "LEONGRAPH_LIMIT_CONCURRENCY": "8",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Popen]]:
    with leongraph_serve(ENV, tmp_path_factory.mktemp("serve") / "log") as served:
        yield served


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def _healthz_time(url: str) -> float:
    start = time.perf_counter()
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
    return time.perf_counter() - start


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds (reading what it sends)."""
    sock.settimeout(within)
    try:
        while sock.recv(65_536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


# ------------------------------------------------ 8: request headers


def test_a_megabyte_of_headers_gets_431_at_once(server: tuple[str, Popen]) -> None:
    url, _ = server
    start = time.perf_counter()
    r = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, headers={"X-Big": "a" * 2**20})
    assert time.perf_counter() - start < 2.0
    assert r.status_code == 431, r.text[:300]
    error = r.json()["error"]
    assert error["status"] == 431 and error["setting"] == "max_header_bytes"
    assert "65536 bytes" in error["message"]
    assert _healthz_time(url) < 1.0


def test_headers_within_the_limit_are_served(server: tuple[str, Popen]) -> None:
    url, _ = server
    headers = {f"X-Pad-{i}": "a" * 1_000 for i in range(40)}  # 40 KB
    r = httpx.post(f"{url}/sparql", data={"query": "ASK {}" + " " * 90_000}, headers=headers)
    assert r.status_code == 200, r.text[:300]


def test_a_slowly_sent_huge_header_leaves_others_answered(server: tuple[str, Popen]) -> None:
    url, _ = server
    worst = 0.0
    with socket.create_connection(_address(url)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        for _ in range(16):  # 1 MiB in 64 KiB pieces, /healthz asked between two
            try:
                sock.sendall(b"a" * 65_536)
            except OSError:  # closed by the server once past the limit
                break
            worst = max(worst, _healthz_time(url))
        sock.settimeout(5)
        try:
            answer = sock.recv(65_536)
        except ConnectionResetError:  # the rest of our header arrived after the close
            answer = b"HTTP/1.1 431 (reset after it)"
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert worst < 1.0


# ------------------------------------------------ 9: idle connections, concurrency


def test_idle_connections_are_closed_after_the_keep_alive_timeout(
    server: tuple[str, Popen],
) -> None:
    url, _ = server
    idle = [socket.create_connection(_address(url)) for _ in range(6)]  # never send a byte
    used = socket.create_connection(_address(url))  # idle after one answer
    used.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert used.recv(65_536).startswith(b"HTTP/1.1 200")
    start = time.monotonic()
    try:
        assert all(_closed_by_server(sock, 4.0) for sock in [*idle, used])
        assert 0.8 < time.monotonic() - start < 4.0  # timeout_keep_alive is 1 s
    finally:
        for sock in [*idle, used]:
            sock.close()


def test_past_the_concurrency_limit_a_clean_503(server: tuple[str, Popen]) -> None:
    url, _ = server
    idle = [socket.create_connection(_address(url)) for _ in range(8)]  # the limit
    try:
        time.sleep(0.2)  # accepted by the server
        r = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=10)
        assert r.status_code == 503, r.text[:300]
        assert r.headers["retry-after"] == "1"
        assert r.json()["error"]["title"] == "Server busy"
        assert all(_closed_by_server(sock, 4.0) for sock in idle)  # idle ones go
    finally:
        for sock in idle:
            sock.close()
    r = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=10)
    assert r.status_code == 200


# ------------------------------------------------ 10: graceful shutdown


def test_sigterm_ends_the_server_while_a_client_stalls_mid_body(tmp_path: Path) -> None:
    with leongraph_serve(ENV, tmp_path / "log") as (url, proc):
        sock = socket.create_connection(_address(url))
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 10000\r\n\r\nquery=ASK"
        )
        time.sleep(0.5)  # the request is in the app, waiting for the rest of its body
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - start < 2 + 2  # timeout_graceful_shutdown is 2 s
        sock.close()
