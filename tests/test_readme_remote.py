"""The README's "Past one machine" commands for Oxigraph server run as written (with a folder
and ports of the test's own): the engine starts, `leongraph load` fills it, `leongraph serve`
answers over it."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support import free_port

from leongraph.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def oxigraph_block() -> list[list[str]]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Past one machine")
    block = re.search(r"```sh\n(oxigraph serve.*?)```", text[start:], flags=re.S)
    assert block, "the section shows no Oxigraph server commands"
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line.rstrip(" &")) for line in joined.splitlines() if line.strip()]


def started(command: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    quiet = subprocess.DEVNULL
    return subprocess.Popen(command, cwd=cwd, stdout=quiet, stderr=quiet, start_new_session=True)


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None and time.monotonic() < deadline, f"{url} did not start"
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)


def test_the_oxigraph_server_commands_run_as_written(tmp_path: Path) -> None:
    engine_port, front_port = free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for words in oxigraph_block():
            words = [
                w.replace("/srv/engine", str(tmp_path / "engine")).replace(
                    "127.0.0.1:7878", f"127.0.0.1:{engine_port}"
                )
                for w in words
            ]
            program = str(BIN / Path(words[0]).name)
            if words[:2] == ["oxigraph", "serve"]:
                processes.append(started([program, *words[1:]], tmp_path))
                wait_for(f"http://127.0.0.1:{engine_port}/query", processes[-1])
            elif words[1] == "load":
                subprocess.run([program, *words[1:]], cwd=tmp_path, check=True, timeout=300)
            elif words[1] == "serve":
                processes.append(
                    started([program, *words[1:], "--port", str(front_port)], tmp_path)
                )
                wait_for(f"http://127.0.0.1:{front_port}/healthz", processes[-1])
        front = f"http://127.0.0.1:{front_port}"
        health = httpx.get(front + "/healthz", timeout=30).json()
        assert health["status"] == "ok" and health["engine"] == "remote"
        ask = httpx.get(front + "/sparql", params={"query": "ASK { ?film a leon:Film }"})
        assert ask.json()["boolean"] is True
        assert httpx.get(front + "/resource/mathilda", timeout=30).status_code == 200
    finally:
        for p in processes:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(20)
