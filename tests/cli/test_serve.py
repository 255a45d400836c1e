"""Setting up: ``make serve HOST= PORT=`` with the runtime dependencies only, a busy port
refused in one line before any banner, ``--version``, ``serve --help`` with the defaults and
environment variables, and ``--access-log``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import free_port

from leongraph import __version__
from leongraph.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("LEONGRAPH_")}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"leongraph {__version__}\n"


def test_serve_help_lists_defaults_and_environment(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for expected in (
        "(default: 8000; env LEONGRAPH_PORT)",
        "(default: 127.0.0.1; env LEONGRAPH_HOST)",
        "LEONGRAPH_TIMEOUT 10.0",
        "LEONGRAPH_ALLOW_UPDATES False",
        "--access-log",
    ):
        assert expected in text


def test_make_serve_takes_host_and_port_and_installs_no_test_tools() -> None:
    out = subprocess.run(
        ["make", "-n", "serve", "HOST=0.0.0.0", "PORT=8011"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "leongraph serve --host 0.0.0.0 --port 8011" in out
    assert "[dev]" not in out


def test_a_busy_port_fails_in_one_line_before_any_banner() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "leongraph", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env=ENV,
        )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in done.stderr
    assert "http://" not in done.stderr


def test_access_log(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "leongraph",
                "serve",
                "--port",
                str(port),
                "--access-log",
                "--workers",
                "0",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert '"GET /healthz HTTP/1.1" 200' in log.read_text()
