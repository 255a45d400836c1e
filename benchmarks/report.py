"""Turns the benchmark's figures into the targets it is held to and a plain-text table."""

from __future__ import annotations

GIB_MB = 1024.0


def _run(entry: dict, c: str) -> dict | None:
    """The figures of one concurrency, or None if it failed or was skipped."""
    h = entry.get("http", {}).get(c)
    return None if h is None or "skipped" in h else h


def brief(entry: dict) -> str:
    """One line for progress output."""
    parts = []
    for c, h in sorted(entry.get("http", {}).items(), key=lambda kv: int(kv[0])):
        if "skipped" in h:
            parts.append(f"c{c}: skipped ({h['skipped']})")
        else:
            parts.append(f"c{c}: {h['rps']:.0f} req/s p50 {h['p50_ms']:.2f} ms")
    return "  ".join(parts)


def _target(name: str, value: float | None, limit: float, *, at_most: bool = True) -> dict:
    met = value is not None and (value <= limit if at_most else value >= limit)
    return {"name": name, "value": value, "limit": limit, "at_most": at_most, "met": met}


def http_ok(entry: dict) -> bool:
    """Answered 200, and every measured run got answers and no errors."""
    runs = [h for h in entry.get("http", {}).values() if "skipped" not in h]
    return (
        entry.get("status") == 200
        and bool(runs)
        and all(h["requests"] > 0 and h["non2xx"] == 0 and h["errors"] == 0 for h in runs)
    )


def targets(results: dict) -> list[dict]:
    """Every target the figures of this run can speak to."""
    out: list[dict] = []
    sizes = results["sizes"]
    for size, s in sizes.items():
        failed = [n for n, e in s["queries"].items() if not http_ok(e)]
        name = f"{size}: queries failing over HTTP ({', '.join(failed)})"
        out.append(_target(name, len(failed), 0))
        out.append(_target(f"{size}: open on-disk store (s)", s["open_s"], 1.0))
        out += stick_targets(size, s)
    if "bundled" in sizes:
        s = sizes["bundled"]
        ceiling = s["ceiling"]["16"]["rps"]
        for name, e in s["queries"].items():
            h = _run(e, "16")
            ratio = h["rps"] / ceiling if h is not None and ceiling else None
            label = f"bundled c16 {name}: throughput / ceiling"
            out.append(_target(label, ratio, 0.5, at_most=False))
        if "rdflib" in s:
            bad = [n for n, e in s["rdflib"].items() if not http_ok(e)]
            out.append(_target(f"bundled rdflib: queries failing ({', '.join(bad)})", len(bad), 0))
    big = "1m" if "1m" in sizes else max(sizes, key=lambda k: sizes[k]["triples"])
    s = sizes[big]
    ceiling_p50 = s["ceiling"]["1"]["p50_ms"]
    for name, e in s["queries"].items():
        h = _run(e, "1")
        budget = 1.5 * (e["floor"]["p50_ms"] + ceiling_p50)
        label = f"{big} c1 {name}: p50 ms (<= 1.5 x (floor + ceiling))"
        answered = h is not None and h["requests"] and not h["non2xx"] + h["errors"]
        out.append(_target(label, h["p50_ms"] if answered else None, budget))
    out.append(_target(f"{big}: load time / pyoxigraph bulk_load", s["load"]["ratio"], 2.0))
    label = f"{big}: server peak RSS, summed over its processes (MiB)"
    out.append(_target(label, s["server"]["peak_rss_mb"], GIB_MB))
    return out


#: leongraph's modes, each against the stick's run it is compared to.
MODES = (
    ("repeated", "cache off, repeated text", "repeated"),
    ("unique", "cache off, unique text", "unique"),
    ("hits", "cache hits", "repeated"),
)


def mode_run(entry: dict, mode: str) -> dict | None:
    """leongraph's c16 figures in one mode (None if not measured)."""
    h = entry.get(mode) or (_run(entry, "16") if mode == "repeated" else None)
    return None if h is None or "skipped" in h else h


def stick_run(entry: dict, mode: str) -> dict | None:
    h = entry.get("stick", {}).get(mode)
    return None if h is None or "skipped" in h else h


def spread(entry: dict, mode: str, figure: str) -> dict | None:
    """The per-round ratios of one figure (versus.py): leongraph ÷ the stick (repeated,
    unique) or ÷ the ceiling (hits), or None when not measured in rounds."""
    found = entry.get("versus", {}).get(mode, {}).get(figure)
    return found if isinstance(found, dict) else None


def ratios(entry: dict, mode: str, ceiling: dict) -> dict[str, float | None]:
    """leongraph ÷ stick (req/s, p50, p99) and ÷ ceiling (req/s) at c16, in one mode: the
    median of the interleaved rounds' ratios where measured so, else of the medians."""
    ours = mode_run(entry, mode)
    stick = stick_run(entry, next(s for m, _, s in MODES if m == mode))
    out: dict[str, float | None] = {"rps_stick": None, "p50_stick": None, "p99_stick": None}
    out["rps_ceiling"] = ours["rps"] / ceiling["rps"] if ours and ceiling["rps"] else None
    if ours and stick:
        out["rps_stick"] = ours["rps"] / stick["rps"] if stick["rps"] else None
        out["p50_stick"] = ours["p50_ms"] / stick["p50_ms"] if stick["p50_ms"] else None
        out["p99_stick"] = ours["p99_ms"] / stick["p99_ms"] if stick["p99_ms"] else None
    names = {"rps": "rps_stick", "p50_ms": "p50_stick", "p99_ms": "p99_stick"}
    if mode == "hits":
        names = {"rps": "rps_ceiling"}
    for figure, name in names.items():
        found = spread(entry, mode, figure)
        if found is not None:
            out[name] = found["median"]
    return out


def _cell(entry: dict, mode: str, figure: str, fallback: float | None) -> str:
    found = spread(entry, mode, figure)
    if found is None:
        return _f(fallback, 2)
    return f"{found['median']:.2f} ({found['min']:.2f}–{found['max']:.2f})"


def _stick_rows(s: dict) -> list[str]:
    rounds = next(
        (
            len(r["rounds"])
            for e in s["queries"].values()
            if (r := spread(e, "repeated", "rps")) is not None
        ),
        None,
    )
    lines = [
        "",
        "c16, leongraph against the stick (benchmarks/stick.py, pyoxigraph in a minimal FastAPI "
        f"app) and the ceiling; ratios are medians of {rounds or '-'} interleaved rounds "
        "(min–max); cache hits are set against the ceiling in their rounds:",
        "",
        "| query | mode | req/s | p50 ms | p99 ms | ÷ stick req/s | p50 ÷ stick | p99 ÷ stick "
        "| ÷ ceiling req/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    ceiling = s["ceiling"]["16"]
    for name, e in s["queries"].items():
        for mode in ("repeated", "unique"):
            h = stick_run(e, mode)
            if h is not None:
                lines.append(
                    f"| {name} | stick, {mode} text | {_f(h['rps'], 0)} | {_f(h['p50_ms'], 2)} "
                    f"| {_f(h['p99_ms'], 2)} | 1 | 1 | 1 "
                    f"| {_f(h['rps'] / ceiling['rps'] if ceiling['rps'] else None, 2)} |"
                )
        for mode, label, _ in MODES:
            h = mode_run(e, mode)
            if h is None:
                continue
            r = ratios(e, mode, ceiling)
            # repeated and unique are in rounds against the stick, hits against the ceiling
            measured = {"rps_stick": "rps", "p50_stick": "p50_ms", "p99_stick": "p99_ms"}
            if mode == "hits":
                measured = {"rps_ceiling": "rps"}
            cells = [
                _cell(e, mode, measured[k], r[k]) if k in measured else _f(r[k], 2)
                for k in ("rps_stick", "p50_stick", "p99_stick", "rps_ceiling")
            ]
            lines.append(
                f"| {name} | {label} | {_f(h['rps'], 0)} | {_f(h['p50_ms'], 2)} "
                f"| {_f(h['p99_ms'], 2)} | " + " | ".join(cells) + " |"
            )
    return lines


def stick_targets(size: str, s: dict) -> list[dict]:
    """The targets of issue 16: hits against the ceiling, cache off against the stick."""
    out = []
    ceiling = s["ceiling"]["16"]
    for name, e in s["queries"].items():
        if "stick" not in e:
            continue
        hits = ratios(e, "hits", ceiling)
        unique = ratios(e, "unique", ceiling)
        repeated = ratios(e, "repeated", ceiling)
        pre = f"{size} c16 {name}"
        out.append(_target(f"{pre}: cache hits / ceiling", hits["rps_ceiling"], 0.8, at_most=False))
        out.append(_target(f"{pre}: unique text / stick", unique["rps_stick"], 1.0, at_most=False))
        out.append(_target(f"{pre}: unique text p99 / stick p99", unique["p99_stick"], 1.5))
        out.append(
            _target(f"{pre}: repeated text / stick", repeated["rps_stick"], 1.0, at_most=False)
        )
    return out


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _size_header(size: str, s: dict) -> list[str]:
    load, ceiling, server = s["load"], s["ceiling"], s["server"]
    return [
        "",
        f"### {size}: {s['triples']:,} triples",
        "",
        f"- load: leongraph {_f(load['leongraph_s'], 2)} s, pyoxigraph bulk_load "
        f"{_f(load['pyoxigraph_s'], 2)} s (ratio {_f(load['ratio'], 2)}); loader peak RSS "
        f"{_f(load['leongraph_peak_rss_mb'], 0)} MiB (pyoxigraph "
        f"{_f(load['pyoxigraph_peak_rss_mb'], 0)} MiB)",
        f"- open the on-disk store: {_f(s['open_s'] * 1000, 1)} ms; server start "
        f"{_f(server['startup_s'], 2)} s; server ({server.get('processes')} processes) peak RSS "
        f"{_f(server['peak_rss_mb'], 0)} MiB summed, PSS {_f(server.get('pss_mb'), 0)} MiB",
        f"- ceiling (bare ASGI): c1 {_f(ceiling['1']['rps'], 0)} req/s, p50 "
        f"{_f(ceiling['1']['p50_ms'], 2)} ms; c16 {_f(ceiling['16']['rps'], 0)} req/s, p50 "
        f"{_f(ceiling['16']['p50_ms'], 2)} ms",
        "",
        "| query | c1 req/s | c1 p50 ms | c1 p99 ms | c16 req/s | c16 p50 ms | c16 p99 ms "
        "| c16 / ceiling | c16 / floor | floor p50 ms | floor req/s | parse ms "
        "| c1 p50 / (floor+ceiling) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]


def _query_row(name: str, e: dict, ceiling: dict) -> str:
    if e.get("status") != 200:
        return f"| {name} | HTTP {e.get('status')}: {e.get('error', '')[:80]} |"
    h1, h16, fl = _run(e, "1"), _run(e, "16"), e["floor"]
    rps16 = None if h16 is None else h16["rps"]
    ratio = rps16 / ceiling["16"]["rps"] if rps16 is not None and ceiling["16"]["rps"] else None
    # The engine alone on one thread: how much of its speed survives HTTP and the server.
    of_floor = rps16 / fl["rps"] if rps16 is not None and fl["rps"] else None
    over = None
    if h1 is not None and h1["requests"]:
        over = h1["p50_ms"] / (fl["p50_ms"] + ceiling["1"]["p50_ms"])
    errors = sum(h["non2xx"] + h["errors"] for h in (h1, h16) if h is not None)
    flag = f" (ERRORS {errors})" if errors else ""
    if h16 is None and "16" in e.get("http", {}):
        flag += " (c16 skipped: slow)"
    return (
        f"| {name}{flag} | {_f(_get(h1, 'rps'), 0)} | {_f(_get(h1, 'p50_ms'), 2)} "
        f"| {_f(_get(h1, 'p99_ms'), 2)} | {_f(rps16, 0)} | {_f(_get(h16, 'p50_ms'), 2)} "
        f"| {_f(_get(h16, 'p99_ms'), 2)} | {_f(ratio, 2)} | {_f(of_floor, 2)} "
        f"| {_f(fl['p50_ms'], 3)} "
        f"| {_f(fl['rps'], 0)} | {_f(e['parse_ms'], 3)} | {_f(over, 2)} |"
    )


def _get(h: dict | None, key: str) -> float | None:
    return None if h is None else h[key]


def _rdflib_rows(entries: dict) -> list[str]:
    lines = [
        "",
        "rdflib engine on the same graph:",
        "",
        "| query | c1 req/s | c1 p50 ms | c16 req/s | c16 p50 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in entries.items():
        if e.get("status") != 200:
            lines.append(f"| {name} | HTTP {e['status']}: {e.get('error', '')[:80]} |")
            continue
        h1, h16 = _run(e, "1"), _run(e, "16")
        errors = sum(h["non2xx"] + h["errors"] for h in (h1, h16) if h is not None)
        lines.append(
            f"| {name} | {_f(_get(h1, 'rps'), 0)} | {_f(_get(h1, 'p50_ms'), 2)} "
            f"| {_f(_get(h16, 'rps'), 0)} | {_f(_get(h16, 'p50_ms'), 2)} | {errors} |"
        )
    return lines


def table(results: dict) -> str:
    lines: list[str] = []
    for size, s in results["sizes"].items():
        lines += _size_header(size, s)
        lines += [_query_row(name, e, s["ceiling"]) for name, e in s["queries"].items()]
        lines += _stick_rows(s)
        if "rdflib" in s:
            lines += _rdflib_rows(s["rdflib"])
    lines += ["", "### targets", ""]
    for t in results.get("targets", []):
        sign = "<=" if t["at_most"] else ">="
        mark = "met" if t["met"] else "MISSED"
        lines.append(f"- {mark}: {t['name']}: {_f(t['value'], 2)} {sign} {_f(t['limit'], 2)}")
    lines.append(f"\nelapsed {results['meta'].get('elapsed_s', 0):.0f} s")
    return "\n".join(lines)
