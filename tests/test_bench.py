"""The benchmark runs end to end (real uvicorn servers, real wrk) on the 1k graph with tiny
durations, and its JSON holds every query of the mix with sane figures. No speed is asserted:
the numbers depend on the machine; `make bench` is where they are read."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from leongraph.config import PROJECT_ROOT

BENCH = PROJECT_ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

from generate import generate, parse_size  # noqa: E402
from mix import MIX  # noqa: E402


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    argv = [sys.executable, str(BENCH / "run.py"), "--quick", "--sizes", "1k", "--out", str(out)]
    argv += ["--duration", "1", "--repeats", "1"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| lookup |" in done.stdout  # the table was printed
    results = json.loads((out / "latest.json").read_text())
    results["stdout"] = done.stdout
    return results


def test_every_query_has_sane_figures(report: dict) -> None:
    size = report["sizes"]["1k"]
    assert set(size["queries"]) == {q.name for q in MIX}
    for name, q in size["queries"].items():
        assert q["status"] == 200, f"{name}: {q.get('error')}"
        assert q["bytes"] > 0
        assert q["floor"]["calls"] >= 5 and 0 < q["floor"]["p50_ms"] <= q["floor"]["p99_ms"]
        assert 0 < q["parse_ms"] < 1000
        for c in ("1", "16"):
            h = q["http"][c]
            assert h["requests"] > 0 and h["rps"] > 0, (name, c)
            assert 0 < h["p50_ms"] <= h["p99_ms"], (name, c)
            assert h["non2xx"] == 0 and h["errors"] == 0, (name, c, h)


def test_the_stick_unique_texts_and_cache_hits_are_measured(report: dict) -> None:
    size = report["sizes"]["1k"]
    for name, q in size["queries"].items():
        for h in (q["stick"]["repeated"], q["stick"]["unique"], q["unique"], q["hits"]):
            assert h["requests"] > 0 and h["non2xx"] == 0 and h["errors"] == 0, (name, h)
            assert 0 < h["p50_ms"] <= h["p99_ms"], name
    names = [t["name"] for t in report["targets"]]
    for what in ("cache hits / ceiling", "unique text / stick", "repeated text / stick"):
        assert sum(what in n for n in names) == len(MIX), what


def test_load_open_rss_and_ceiling_are_measured(report: dict) -> None:
    size = report["sizes"]["1k"]
    assert size["triples"] >= 1000
    load = size["load"]
    assert load["leongraph_s"] > 0 and load["pyoxigraph_s"] > 0 and load["ratio"] > 0
    assert load["leongraph_peak_rss_mb"] > 10 and load["pyoxigraph_peak_rss_mb"] > 10
    assert 0 < size["open_s"] < 5
    assert size["server"]["peak_rss_mb"] > 10
    for c in ("1", "16"):
        assert size["ceiling"][c]["rps"] > 0 and size["ceiling"][c]["non2xx"] == 0


def test_targets_are_reported(report: dict) -> None:
    names = [t["name"] for t in report["targets"]]
    assert any("load time" in n for n in names)
    assert sum("p50 ms" in n for n in names) == len(MIX)
    assert all(isinstance(t["met"], bool) for t in report["targets"])


def test_the_remote_store_is_compared_and_its_load_timed(report: dict) -> None:
    """leongraph in front of Oxigraph server against the server directly, at c=1 and c=16,
    and the load through leongraph against the engine's bulk load: printed and recorded."""
    remote = report["remote"]
    for c in ("1", "16"):
        e = remote["mix"][c]
        for side in ("direct", "front"):
            assert e[side]["requests"] > 0 and e[side]["rps"] > 0, (c, side)
            assert 0 < e[side]["p50_ms"] <= e[side]["p99_ms"], (c, side)
        assert e["rps_ratio"] == e["front"]["rps"] / e["direct"]["rps"]
        assert e["p99_ratio"] == e["front"]["p99_ms"] / e["direct"]["p99_ms"]
        line = f"| remote c={c} | {e['direct']['rps']:.0f} | {e['front']['rps']:.0f} | "
        assert line + f"{e['rps_ratio']:.2f} |" in report["stdout"]
    load = remote["load"]
    assert load["size"] == "1k" and load["quads"] >= 1000
    # both engines hold the same quads (the file's lines, a repeated one once)
    assert load["leongraph_quads"] == load["oxigraph_quads"]
    assert 1000 <= load["oxigraph_quads"] <= load["quads"]
    assert load["leongraph_s"] > 0 and load["oxigraph_s"] > 0
    assert load["ratio"] == load["leongraph_s"] / load["oxigraph_s"]
    assert f"ratio {load['ratio']:.2f}" in report["stdout"]


def test_generator_is_deterministic_and_sized() -> None:
    first = list(generate(parse_size("1k")))
    assert first == list(generate(1000))
    assert 1000 <= len(first) < 1600
    text = "".join(first)
    for term in ("Film", "Person", "FictionalCharacter", "CastingRole", "PlotEvent", "Building"):
        assert f"<https://w3id.org/leongraph/ontology#{term}>" in text
    assert '"@fr ' in text and '"@en ' in text


def test_generator_uses_only_ontology_terms() -> None:
    """Every leon: term of the synthetic graph is declared by ontology/leon.ttl."""
    ontology = (PROJECT_ROOT / "ontology" / "leon.ttl").read_text()
    used = {
        part.split(">")[0]
        for line in generate(1000)
        for part in line.split("<https://w3id.org/leongraph/ontology#")[1:]
    }
    assert used
    missing = sorted(t for t in used if f"leon:{t} a " not in ontology)
    assert missing == []


def test_the_overhead_script_times_every_layer() -> None:
    argv = [sys.executable, str(BENCH / "overhead.py"), "-n", "20", "--query", "join"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 9, done.stdout
    for line in lines:
        figure, unit, _ = line.split(maxsplit=2)
        assert unit == "µs" and float(figure) > 0
    assert any("in the server (bounded)" in line for line in lines)
