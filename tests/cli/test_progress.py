"""Long commands say what they do on stderr, with a tqdm bar when stderr is a terminal or
``--progress`` asks; piped without ``--progress``, stderr holds the notes and no bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from leongraph.cli.main import main


def _data(tmp_path: Path, n: int = 2000) -> Path:
    path = tmp_path / "films.nt"
    path.write_text(
        "".join(f'<urn:film:{i}> <urn:title> "Film {i}" .\n' for i in range(n)), encoding="utf-8"
    )
    return path


def test_load_shows_a_bar_and_what_it_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data(tmp_path)
    assert main(["load", str(data), "--store", str(tmp_path / "store"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert f"leongraph: reading {data}" in err
    assert "loading: 100%|" in err and "\r" in err  # tqdm's bar, bytes of the files
    assert "counting the graphs" in err
    assert "2000 quads in" in err


def test_load_piped_prints_notes_but_no_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data(tmp_path)
    assert main(["load", str(data), "--store", str(tmp_path / "store")]) == 0
    err = capsys.readouterr().err
    assert f"leongraph: reading {data}" in err and "2000 quads in" in err
    assert "%|" not in err and "\r" not in err


def test_load_on_a_terminal_shows_the_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    assert main(["load", str(_data(tmp_path)), "--store", str(tmp_path / "store")]) == 0
    assert "loading: 100%|" in err.getvalue()


def test_export_shows_a_bar_of_the_quads_read(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    store = tmp_path / "store"
    assert main(["load", str(_data(tmp_path)), "--store", str(store)]) == 0
    capsysbinary.readouterr()
    assert main(["export", "--format", "nt", "--store", str(store), "--progress"]) == 0
    out = capsysbinary.readouterr()
    assert out.out.count(b"\n") >= 2000
    err = out.err.decode()
    assert "leongraph: exporting every graph as nt" in err
    assert "reading: 100%|" in err
    assert main(["export", "--format", "nt", "--store", str(store)]) == 0
    assert "%|" not in capsysbinary.readouterr().err.decode()  # small and piped: no bar
