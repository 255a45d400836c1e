"""The reconciliation service (W3C Reconciliation Service API 0.2, as OpenRefine speaks it, and
the 1.0 draft's JSON batch form): manifest, batched queries, suggest, preview, data extension.

Plain functions over the name index (matching.py, built once per store): they check what a
client sent and shape the answer. The HTTP routes (web/routes/reconcile.py) read the request
and write these answers as JSON or JSONP.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from rdflib import Literal

from leongraph import __version__
from leongraph.errors import BadRequest, PayloadTooLarge, UnknownResource
from leongraph.vocab import LEON, RES
from leongraph.wikidata.matching import Candidate, Entity, Index, fold, most_specific

MAX_BATCH = 100  # queries per request; OpenRefine sends 10 by default
MAX_LIMIT = 100
MAX_QUERY_CHARS = 1_000
MAX_JSON_DEPTH = 32  # Settings.max_json_depth
MAX_BATCH_CHARS = 10_000  # Settings.max_batch_chars: query strings and property values
DEFAULT_TYPES = ("Person", "FictionalCharacter", "Film", "Place", "Organisation", "PlotEvent")


# ---------------------------------------------------------------- input checking


def parse_json(text: str, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of ``text``; 400 when it is not JSON or nests past ``max_depth``."""
    depth = json_depth(text)
    if depth > max_depth:
        raise BadRequest(
            f"{what} nests {depth} levels deep; at most {max_depth} are accepted (max_json_depth).",
            parameter=what,
            limit=max_depth,
        )
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"{what} is not valid JSON: {exc}", parameter=what) from exc


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (strings skipped), in linear time."""
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def check_types(index: Index, raw: object) -> list[str]:
    if raw is None or raw == "":
        return []
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BadRequest("type must be a type id or a list of type ids", parameter="type")
    out = []
    for name in names:
        iri = index.type_iri(name)
        if iri is None:
            raise BadRequest(f"unknown type {name!r}; see /reconcile/suggest/type", type=name)
        out.append(iri)
    return out


def check_limit(raw: object, default: int = 5) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadRequest(f"limit must be a number, not {raw!r}", parameter="limit") from exc
    if value < 0:
        raise BadRequest("limit must not be negative", parameter="limit")
    return min(value or default, MAX_LIMIT)


def check_query(index: Index, key: str, q: object) -> dict[str, Any]:
    """Check one reconciliation query and turn it into matching arguments."""
    if isinstance(q, str):
        q = {"query": q}
    if not isinstance(q, dict):
        raise BadRequest(f"query {key!r} must be an object", query=key)
    text = q.get("query", "")
    if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
        raise BadRequest(f"query {key!r}: 'query' must be a string of at most 1000 characters")
    properties = []
    raw_props = q.get("properties") or []
    if not isinstance(raw_props, list):
        raise BadRequest(f"query {key!r}: 'properties' must be a list", query=key)
    for prop in raw_props:
        if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
            raise BadRequest(f"query {key!r}: each property needs 'pid' and 'v'", query=key)
        iri = index.property_iri(str(prop["pid"]))
        if iri is None:
            raise BadRequest(f"unknown property {prop['pid']!r}", property=str(prop["pid"]))
        values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        properties.append((iri, values))
    if not text.strip() and not properties:
        raise BadRequest(f"query {key!r} has neither a query string nor properties", query=key)
    return {
        "query": text,
        "types": check_types(index, q.get("type")),
        "properties": properties,
        "limit": check_limit(q.get("limit")),
    }


# ---------------------------------------------------------------- shaping


def _type_ref(index: Index, iri: str) -> dict[str, str]:
    return {"id": iri.removeprefix(str(LEON)), "name": index.classes.get(iri, iri)}


def _entity_types(index: Index, entity: Entity) -> list[dict[str, str]]:
    """Most specific types first, then their superclasses."""
    first = most_specific(entity.types, index.superclasses)
    rest = sorted(entity.types - set(first))
    return [_type_ref(index, t) for t in first + rest if t.startswith(str(LEON))]


def _candidate(index: Index, c: Candidate, match: bool, *, draft: bool = False) -> dict[str, Any]:
    features = [{"id": k, "value": v} for k, v in c.features.items()]
    out: dict[str, Any] = {
        "id": c.entity.id,
        "name": c.entity.name,
        "description": c.entity.description,
        "score": c.score,
        "match": match,
        "type": _entity_types(index, c.entity),
        "features": features,
    }
    if draft:
        out["features"] = [f for f in features if not isinstance(f["value"], bool)]
    return out


def reconcile_one(index: Index, args: dict[str, Any], *, draft: bool = False) -> list[dict]:
    """Candidates for one checked query; ``match`` only for one exact, strictly best name."""
    found = index.candidates(
        args["query"], types=args["types"], properties=args["properties"], limit=args["limit"]
    )
    results = []
    for i, c in enumerate(found):
        runner_up = found[1].score if len(found) > 1 else -1.0
        unique = i == 0 and c.exact and c.score > runner_up
        agree = all(v for k, v in c.features.items() if k.startswith("property:"))
        results.append(_candidate(index, c, unique and agree, draft=draft))
    return results


# ---------------------------------------------------------------- answers


def manifest(index: Index, base: str) -> dict[str, Any]:
    """The service manifest for a service reached at ``base`` (no trailing slash)."""
    service = {"service_url": base}
    return {
        "versions": ["0.1", "0.2"],
        "name": "leongraph: Léon: The Professional (1994)",
        "identifierSpace": str(RES),
        "schemaSpace": str(LEON),
        "documentation": base + "/",
        "serviceVersion": __version__,
        "view": {"url": base + "/resource/{{id}}"},
        "preview": {"url": base + "/reconcile/preview?id={{id}}", "width": 430, "height": 130},
        "defaultTypes": [_type_ref(index, str(LEON) + t) for t in DEFAULT_TYPES],
        "suggest": {
            kind: service | {"service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": service | {"service_path": "/reconcile/propose_properties"},
            "property_settings": [
                {
                    "type": "number",
                    "name": "limit",
                    "label": "Limit",
                    "default": 0,
                    "help_text": "Maximum number of values per entity (0: all)",
                }
            ],
        },
    }


def query_batch(index: Index, batch: object, max_chars: int = MAX_BATCH_CHARS) -> dict[str, Any]:
    """0.2: {"q0": {query, type, limit, properties}, ...} -> {"q0": {"result": [...]}, ...}."""
    if not isinstance(batch, dict):
        raise BadRequest("queries must be a JSON object keyed by query id")
    check_size(len(batch))
    checked = {key: check_query(index, key, q) for key, q in batch.items()}
    check_text(list(checked.values()), max_chars)
    return {k: {"result": reconcile_one(index, a)} for k, a in checked.items()}


def single_query(index: Index, raw: str, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """0.1: one query, as a string or a JSON object."""
    q = parse_json(raw, "query", max_depth) if raw.lstrip().startswith("{") else raw
    return {"result": reconcile_one(index, check_query(index, "query", q))}


def check_size(n: int) -> None:
    if n > MAX_BATCH:
        raise PayloadTooLarge(f"at most {MAX_BATCH} queries per batch, not {n}", limit=MAX_BATCH)


def check_text(checked: list[dict[str, Any]], max_chars: int) -> None:
    """413 when a batch holds more text to match than ``max_chars`` (matching takes about
    half a millisecond per character)."""
    total = sum(
        len(a["query"]) + sum(len(str(v)) for _, values in a["properties"] for v in values)
        for a in checked
    )
    if total > max_chars:
        raise PayloadTooLarge(
            f"the batch holds {total} characters of query text; at most {max_chars} are "
            "accepted per batch (max_batch_chars)",
            limit=max_chars,
        )


def json_batch(index: Index, body: object, max_chars: int = MAX_BATCH_CHARS) -> dict[str, Any]:
    """1.0 draft: {"queries": [{query, type, limit, conditions}]} -> {"results": [...]}."""
    if isinstance(body, dict) and isinstance(body.get("queries"), list):
        queries = body["queries"]
        check_size(len(queries))
        batch = []
        for n, q in enumerate(queries):
            if not isinstance(q, dict):
                raise BadRequest(f"query {n} must be an object", query=n)
            q = dict(q)
            for cond in q.pop("conditions", None) or []:
                if not isinstance(cond, dict):
                    raise BadRequest(f"query {n}: conditions must be objects", query=n)
                if cond.get("matchType") == "name":
                    q["query"] = str(cond.get("propertyValue", ""))
                else:
                    q.setdefault("properties", []).append(
                        {"pid": cond.get("propertyId", ""), "v": cond.get("propertyValue")}
                    )
            batch.append(check_query(index, str(n), q))
        check_text(batch, max_chars)
        return {"results": [{"candidates": reconcile_one(index, a, draft=True)} for a in batch]}
    if isinstance(body, dict):  # the 0.2 keyed form sent as JSON
        check_size(len(body))
        checked = {key: check_query(index, key, q) for key, q in body.items()}
        check_text(list(checked.values()), max_chars)
        return {k: {"result": reconcile_one(index, a)} for k, a in checked.items()}
    raise BadRequest("the JSON body must be an object")


def suggest_entity(index: Index, prefix: str, type: str, cursor: int) -> dict[str, Any]:
    types = check_types(index, type or None)
    found = index.suggest(prefix, types=types)[max(cursor, 0) : max(cursor, 0) + 10]
    result = [
        {
            "id": e.id,
            "name": e.name,
            "description": e.description,
            "notable": _entity_types(index, e),
        }
        for e in found
    ]
    return {"result": result}


def suggest_type(index: Index, prefix: str) -> dict[str, Any]:
    return {"result": [_type_ref(index, c) for c in _prefixed(index.classes, prefix)]}


def suggest_property(index: Index, prefix: str) -> dict[str, Any]:
    found = _prefixed(index.properties, prefix)
    return {
        "result": [{"id": p.removeprefix(str(LEON)), "name": index.properties[p]} for p in found]
    }


def _prefixed(labels: dict[str, str], prefix: str) -> list[str]:
    p = fold(prefix)
    hits = [
        iri
        for iri, label in labels.items()
        if not p
        or fold(label).startswith(p)
        or fold(iri.rsplit("#", 1)[-1]).startswith(p)
        or any(w.startswith(p) for w in fold(label).split())
    ]
    return sorted(hits, key=lambda iri: (not fold(labels[iri]).startswith(p), labels[iri]))[:20]


def preview_html(index: Index, id: str, root: str) -> str:
    """A small HTML card for OpenRefine's preview pane; ``root`` is the server's path prefix."""
    entity = index.entity(id)
    if entity is None:
        raise UnknownResource(f"no entity {id!r}", id=id)
    base = root
    types = ", ".join(t["name"] for t in _entity_types(index, entity))
    wikidata = (
        f' · <a href="https://www.wikidata.org/wiki/{html.escape(entity.wikidata)}"'
        f' target="_blank">{html.escape(entity.wikidata)}</a>'
        if entity.wikidata
        else ""
    )
    about = "" if entity.description in types else f"<p>{html.escape(entity.description)}</p>"
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(entity.name)}</title><style>body{{font:14px sans-serif;margin:8px}}
h1{{font-size:16px;margin:0 0 4px}}p{{margin:2px 0;color:#444}}</style></head><body>
<h1><a href="{html.escape(base)}/resource/{html.escape(entity.id)}" target="_blank">
{html.escape(entity.name)}</a></h1>
<p>{html.escape(types)}{wikidata}</p>{about}</body></html>"""
    return body


def propose_properties(index: Index, type: str, limit: str) -> dict[str, Any]:
    types = check_types(index, type or None)
    counts: dict[str, int] = {}
    for entity in index.entities.values():
        if types and not entity.types.intersection(types):
            continue
        for pid in entity.facts:
            counts[pid] = counts.get(pid, 0) + 1
    ranked = sorted(counts, key=lambda p: (-counts[p], index.properties.get(p, p)))
    ranked = [p for p in ranked if p in index.properties][: check_limit(limit, default=MAX_LIMIT)]
    body: dict[str, Any] = {
        "properties": [
            {"id": p.removeprefix(str(LEON)), "name": index.properties[p]} for p in ranked
        ],
        "limit": len(ranked),
    }
    if type:
        body["type"] = type
    return body


def extend(index: Index, body: object) -> dict[str, Any]:
    """Data extension: property values of reconciled entities."""
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
        raise BadRequest("extend needs {'ids': [...], 'properties': [{'id': ...}]}")
    props = body.get("properties")
    if not isinstance(props, list) or not all(isinstance(p, dict) and "id" in p for p in props):
        raise BadRequest("extend needs a list of properties, each with an id")
    check_size(len(body["ids"]))
    wanted = []
    for p in props:
        iri = index.property_iri(str(p["id"]))
        if iri is None:
            raise BadRequest(f"unknown property {p['id']!r}", property=str(p["id"]))
        settings = p.get("settings") or {}
        wanted.append((str(p["id"]), iri, check_limit(settings.get("limit"), default=0)))
    meta = [{"id": pid, "name": index.properties[iri]} for pid, iri, _ in wanted]
    rows: dict[str, dict[str, list]] = {}
    for raw_id in body["ids"]:
        entity = index.entity(str(raw_id))
        rows[str(raw_id)] = {
            pid: _values(index, entity, iri, limit) if entity else [] for pid, iri, limit in wanted
        }
    return {"meta": meta, "rows": rows}


def _values(index: Index, entity: Entity, iri: str, limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in entity.facts.get(iri, []):
        if isinstance(value, Literal):
            py = value.toPython()
            if isinstance(py, bool):
                out.append({"str": str(value)})
            elif isinstance(py, int):
                out.append({"int": py})
            elif isinstance(py, float):
                out.append({"float": py})
            elif value.datatype and str(value.datatype).endswith("#date"):
                out.append({"date": f"{value}T00:00:00Z"})
            elif value.datatype and str(value.datatype).endswith("#decimal"):
                out.append({"float": float(value)})
            else:
                out.append({"str": str(value)})
        else:
            other = index.entity(str(value))
            out.append({"id": other.id, "name": other.name} if other else {"str": str(value)})
    return out[:limit] if limit else out


__all__ = [
    "extend",
    "json_batch",
    "manifest",
    "preview_html",
    "propose_properties",
    "query_batch",
    "reconcile_one",
    "single_query",
    "suggest_entity",
    "suggest_property",
    "suggest_type",
]
