"""The README's "Editing" section is executable: its commands set up a store and tokens, its
server starts as shown, and each of its curl examples runs against it with the answer shown."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import free_port, running

from leongraph.config import PROJECT_ROOT

LEONGRAPH = [sys.executable, "-m", "leongraph"]


def blocks() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Editing")
    section = text[start : text.index("\n## ", start + 1)]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    lines = [line.split("  #")[0].strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """The first block run in a fresh folder: the store, the tokens, the server it starts."""
    here = tmp_path_factory.mktemp("editing")
    token = ""
    serve: list[str] = []
    for line in commands(blocks()[0]):
        words = shlex.split(line)
        if words[:2] == ["leongraph", "serve"]:
            serve = words[1:]
            continue
        if words[0] != "leongraph":
            continue  # TOKEN=…: the token is read from `token create`'s last line below
        done = subprocess.run(
            [*LEONGRAPH, *words[1:]], cwd=here, capture_output=True, text=True, check=True
        )
        if words[1:3] == ["token", "create"] and not token:
            token = done.stdout.strip().splitlines()[-1]
    assert serve and token.startswith("lg_")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([*LEONGRAPH, *serve, "--port", str(port)], url + "/healthz", cwd=here):
        yield url, token, here


def curl(command: str, url: str, token: str) -> str:
    command = command.replace("http://127.0.0.1:8000", url)
    done = subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_the_section_shows_its_commands() -> None:
    found = [c for b in blocks() for c in commands(b)]
    assert any(c.startswith("leongraph serve") for c in found)
    assert sum(c.startswith("curl") for c in found) >= 4


def test_every_curl_example_answers_as_shown(server: tuple[str, str, Path]) -> None:
    url, token, _ = server
    etag = ""
    for block in blocks()[1:]:
        shown = [line[1:].strip() for line in block.splitlines() if line.startswith("#")]
        for command in commands(block):
            assert command.startswith("curl"), command
            command = command.replace("<etag>", etag.strip('"'))
            out = curl(command, url, token)
            head = out.split("\r\n\r\n")[0] if command.startswith("curl -i") else ""
            if head:
                assert head.startswith("HTTP/1.1 200"), out[:300]
                found = re.search(r'^etag: (?:W/)?(".*?")\r?$', head, re.M | re.I)
                assert found, head
                etag = found.group(1)
            elif "/sparql" in command and shown:  # the answer the README shows
                assert json.loads(out) == json.loads("".join(shown)), out
            else:
                assert '"error"' not in out, (command, out)
