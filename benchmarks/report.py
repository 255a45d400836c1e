"""Turns the benchmark's figures into the targets it is held to and a plain-text table."""

from __future__ import annotations

GIB_MB = 1024.0


def brief(entry: dict) -> str:
    """One line for progress output."""
    http = entry.get("http", {})
    return "  ".join(
        f"c{c}: {h['rps']:.0f} req/s p50 {h['p50_ms']:.2f} ms" for c, h in sorted(http.items())
    )


def _target(name: str, value: float | None, limit: float, *, at_most: bool = True) -> dict:
    met = value is not None and (value <= limit if at_most else value >= limit)
    return {"name": name, "value": value, "limit": limit, "at_most": at_most, "met": met}


def _http_ok(entry: dict) -> bool:
    runs = entry.get("http", {}).values()
    return entry.get("status") == 200 and all(h["non2xx"] == 0 and h["errors"] == 0 for h in runs)


def targets(results: dict) -> list[dict]:
    """Every target the figures of this run can speak to."""
    out: list[dict] = []
    sizes = results["sizes"]
    for size, s in sizes.items():
        failed = [n for n, e in s["queries"].items() if not _http_ok(e)]
        out.append(
            _target(f"{size}: queries failing over HTTP ({', '.join(failed)})", len(failed), 0)
        )
        out.append(_target(f"{size}: open on-disk store (s)", s["open_s"], 1.0))
    if "bundled" in sizes:
        s = sizes["bundled"]
        ceiling = s["ceiling"]["16"]["rps"]
        for name, e in s["queries"].items():
            rps = e.get("http", {}).get("16", {}).get("rps")
            ratio = rps / ceiling if rps is not None and ceiling else None
            out.append(
                _target(f"bundled c16 {name}: throughput / ceiling", ratio, 0.5, at_most=False)
            )
        if "rdflib" in s:
            bad = [n for n, e in s["rdflib"].items() if not _http_ok(e)]
            out.append(_target(f"bundled rdflib: queries failing ({', '.join(bad)})", len(bad), 0))
    big = "1m" if "1m" in sizes else max(sizes, key=lambda k: sizes[k]["triples"])
    s = sizes[big]
    ceiling_p50 = s["ceiling"]["1"]["p50_ms"]
    for name, e in s["queries"].items():
        p50 = e.get("http", {}).get("1", {}).get("p50_ms")
        budget = 1.5 * (e["floor"]["p50_ms"] + ceiling_p50)
        out.append(_target(f"{big} c1 {name}: p50 ms (<= 1.5 x (floor + ceiling))", p50, budget))
    out.append(_target(f"{big}: load time / pyoxigraph bulk_load", s["load"]["ratio"], 2.0))
    out.append(_target(f"{big}: server peak RSS (MiB)", s["server"]["peak_rss_mb"], GIB_MB))
    return out


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(results: dict) -> str:
    lines: list[str] = []
    for size, s in results["sizes"].items():
        load, ceiling = s["load"], s["ceiling"]
        lines += [
            "",
            f"### {size}: {s['triples']:,} triples",
            f"load {_f(load['leongraph_s'], 2)} s (pyoxigraph bulk_load "
            f"{_f(load['pyoxigraph_s'], 2)} s, ratio {_f(load['ratio'], 2)}); loader peak RSS "
            f"{_f(load['leongraph_peak_rss_mb'], 0)} MiB "
            f"(pyoxigraph {_f(load['pyoxigraph_peak_rss_mb'], 0)}); "
            f"open {_f(s['open_s'] * 1000, 1)} ms; server start "
            f"{_f(s['server']['startup_s'], 2)} s, "
            f"peak RSS {_f(s['server']['peak_rss_mb'], 0)} MiB",
            f"ceiling (bare ASGI): c1 {_f(ceiling['1']['rps'], 0)} req/s p50 "
            f"{_f(ceiling['1']['p50_ms'], 2)} ms; c16 {_f(ceiling['16']['rps'], 0)} req/s p50 "
            f"{_f(ceiling['16']['p50_ms'], 2)} ms",
            "",
            "| query | c1 req/s | c1 p50 ms | c1 p99 ms | c16 req/s | c16 p50 ms | c16 p99 ms "
            "| c16 / ceiling | floor p50 ms | floor req/s | parse ms | c1 p50 / (floor+ceiling) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, e in s["queries"].items():
            h1, h16 = e.get("http", {}).get("1"), e.get("http", {}).get("16")
            fl = e["floor"]
            if h1 is None or h16 is None:
                lines.append(f"| {name} | HTTP {e.get('status')}: {e.get('error', '')[:60]} |")
                continue
            ratio = h16["rps"] / ceiling["16"]["rps"] if ceiling["16"]["rps"] else None
            over = h1["p50_ms"] / (fl["p50_ms"] + ceiling["1"]["p50_ms"])
            errs = h1["non2xx"] + h1["errors"] + h16["non2xx"] + h16["errors"]
            lines.append(
                f"| {name}{' (ERRORS ' + str(errs) + ')' if errs else ''} | {_f(h1['rps'], 0)} "
                f"| {_f(h1['p50_ms'], 2)} | {_f(h1['p99_ms'], 2)} | {_f(h16['rps'], 0)} "
                f"| {_f(h16['p50_ms'], 2)} | {_f(h16['p99_ms'], 2)} | {_f(ratio, 2)} "
                f"| {_f(fl['p50_ms'], 3)} | {_f(fl['rps'], 0)} | {_f(e['parse_ms'], 3)} "
                f"| {_f(over, 2)} |"
            )
        if "rdflib" in s:
            lines += [
                "",
                "rdflib engine (bundled):",
                "",
                "| query | c1 req/s | c1 p50 ms | c16 req/s | c16 p50 ms | errors |",
                "|---|---|---|---|---|---|",
            ]
            for name, e in s["rdflib"].items():
                h = e.get("http")
                if not h:
                    lines.append(f"| {name} | HTTP {e['status']}: {e.get('error', '')[:60]} |")
                    continue
                errs = sum(x["non2xx"] + x["errors"] for x in h.values())
                lines.append(
                    f"| {name} | {_f(h['1']['rps'], 0)} | {_f(h['1']['p50_ms'], 2)} "
                    f"| {_f(h['16']['rps'], 0)} | {_f(h['16']['p50_ms'], 2)} | {errs} |"
                )
    lines += ["", "### targets", ""]
    for t in results.get("targets", []):
        sign = "<=" if t["at_most"] else ">="
        mark = "met" if t["met"] else "MISSED"
        lines.append(f"- {mark}: {t['name']}: {_f(t['value'], 2)} {sign} {_f(t['limit'], 2)}")
    lines.append(f"\nelapsed {results['meta'].get('elapsed_s', 0):.0f} s")
    return "\n".join(lines)
