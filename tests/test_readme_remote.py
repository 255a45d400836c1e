"""The README's "Past one machine" commands for Oxigraph server run as written (with a folder
and ports of the test's own): the engine starts, `leongraph load` fills it, `leongraph serve`
answers over it."""

from __future__ import annotations

import contextlib
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
from support import free_port, running

from leongraph.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def oxigraph_block() -> list[list[str]]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Past one machine")
    block = re.search(r"```sh\n(oxigraph serve.*?)```", text[start:], flags=re.S)
    assert block, "the section shows no Oxigraph server commands"
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line.rstrip(" &")) for line in joined.splitlines() if line.strip()]


def test_the_oxigraph_server_commands_run_as_written(tmp_path: Path) -> None:
    engine_port, front_port = free_port(), free_port()
    with contextlib.ExitStack() as servers:
        for words in oxigraph_block():
            words = [
                w.replace("/srv/engine", str(tmp_path / "engine")).replace(
                    "127.0.0.1:7878", f"127.0.0.1:{engine_port}"
                )
                for w in words
            ]
            program = str(BIN / Path(words[0]).name)
            if words[:2] == ["oxigraph", "serve"]:
                ready = f"http://127.0.0.1:{engine_port}/query?query=ASK%7B%7D"
                servers.enter_context(running([program, *words[1:]], ready, cwd=tmp_path))
            elif words[1] == "load":
                subprocess.run([program, *words[1:]], cwd=tmp_path, check=True, timeout=300)
            elif words[1] == "serve":
                command = [program, *words[1:], "--port", str(front_port)]
                ready = f"http://127.0.0.1:{front_port}/healthz"
                servers.enter_context(running(command, ready, cwd=tmp_path))
        front = f"http://127.0.0.1:{front_port}"
        health = httpx.get(front + "/healthz", timeout=30).json()
        assert health["status"] == "ok" and health["engine"] == "remote"
        ask = httpx.get(front + "/sparql", params={"query": "ASK { ?film a leon:Film }"})
        assert ask.json()["boolean"] is True
        assert httpx.get(front + "/resource/mathilda", timeout=30).status_code == 200
