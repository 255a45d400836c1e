"""The reconciliation service (W3C Reconciliation Service API 0.2, as OpenRefine speaks it, and
the 1.0 draft's JSON batch form): manifest, batched queries, suggest, preview, data extension.

Routes are thin: they parse and check the request, ask the name index (matching.py, built once
per store) and shape the answer. Every answer allows any origin; 0.2 clients may ask for JSONP
with ``callback=``.
"""

from __future__ import annotations

import html
import json
import re
import threading
import weakref
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from rdflib import Literal

from leongraph import __version__
from leongraph.errors import BadRequest, PayloadTooLarge, UnknownResource, UnsupportedMediaType
from leongraph.matching import Candidate, Entity, Index, build_index, fold, most_specific
from leongraph.namespaces import LEON, RES
from leongraph.store import Store

router = APIRouter()

MAX_BATCH = 100  # queries per request; OpenRefine sends 10 by default
MAX_LIMIT = 100
MAX_QUERY_CHARS = 1_000
DEFAULT_TYPES = ("Person", "FictionalCharacter", "Film", "Place", "Organisation", "PlotEvent")
CORS = {"Access-Control-Allow-Origin": "*"}
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_LOCK = threading.Lock()
_INDEXES: weakref.WeakKeyDictionary[Store, Index] = weakref.WeakKeyDictionary()


def index_for(request: Request) -> Index:
    return index_of(request.app.state)


def index_of(state: Any) -> Index:
    """The name index of an app's store: built once per (read-only) store, at start-up (the
    app's lifespan) or on first use."""
    if getattr(state, "reconcile_index", None) is None:
        with _LOCK:
            if state.store not in _INDEXES:
                _INDEXES[state.store] = build_index(state.store)
            state.reconcile_index = _INDEXES[state.store]
    return state.reconcile_index  # type: ignore[no-any-return]


def _reply(request: Request, body: object) -> Response:
    """JSON, or JSONP when the client names a callback."""
    callback = request.query_params.get("callback")
    if callback is None:
        return JSONResponse(body, headers=CORS)
    if not _CALLBACK.fullmatch(callback) or len(callback) > 100:
        raise BadRequest("callback must be a JavaScript identifier", parameter="callback")
    text = f"/**/{callback}({json.dumps(body)});"
    return Response(text, media_type="application/javascript", headers=CORS)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# ---------------------------------------------------------------- input checking


async def _params(request: Request) -> dict[str, str]:
    """Query-string parameters, plus a form body, or a JSON body under ``__json__``."""
    params = dict(request.query_params)
    if request.method != "POST":
        return params
    limit = request.app.state.settings.max_body_bytes
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"request body over {limit} bytes", limit=limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = body.decode("utf-8", "replace")
    if kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(text, keep_blank_values=True))
    elif kind == "application/json":
        params["__json__"] = text
    elif body.strip():
        raise UnsupportedMediaType(
            "send application/x-www-form-urlencoded or application/json", content_type=kind
        )
    return params


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise BadRequest(f"{what} is not valid JSON: {exc}", parameter=what) from exc


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _types(index: Index, raw: object) -> list[str]:
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


def _limit(raw: object, default: int = 5) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadRequest(f"limit must be a number, not {raw!r}", parameter="limit") from exc
    if value < 0:
        raise BadRequest("limit must not be negative", parameter="limit")
    return min(value or default, MAX_LIMIT)


def _query(index: Index, key: str, q: object) -> dict[str, Any]:
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
        "types": _types(index, q.get("type")),
        "properties": properties,
        "limit": _limit(q.get("limit")),
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


# ---------------------------------------------------------------- routes


def manifest(request: Request, index: Index) -> dict[str, Any]:
    base = _base(request)
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


@router.api_route("/reconcile", methods=["GET", "POST"])
async def reconcile(request: Request) -> Response:
    """The service endpoint: manifest, query batch (0.2 keyed or 1.0-draft list) or extension."""
    index = index_for(request)
    params = await _params(request)
    if "__json__" in params:
        return _reply(request, _json_batch(index, _json(params["__json__"], "body")))
    if "extend" in params:
        return _reply(request, extend(index, _json(params["extend"], "extend")))
    if "queries" in params:
        batch = _json(params["queries"], "queries")
        if not isinstance(batch, dict):
            raise BadRequest("queries must be a JSON object keyed by query id")
        _check_size(len(batch))
        checked = {key: _query(index, key, q) for key, q in batch.items()}
        return _reply(request, {k: {"result": reconcile_one(index, a)} for k, a in checked.items()})
    if "query" in params:  # 0.1: a single query, as a string or a JSON object
        raw = params["query"]
        q = _json(raw, "query") if raw.lstrip().startswith("{") else raw
        return _reply(request, {"result": reconcile_one(index, _query(index, "query", q))})
    return _reply(request, manifest(request, index))


def _check_size(n: int) -> None:
    if n > MAX_BATCH:
        raise PayloadTooLarge(f"at most {MAX_BATCH} queries per batch, not {n}", limit=MAX_BATCH)


def _json_batch(index: Index, body: object) -> dict[str, Any]:
    """1.0 draft: {"queries": [{query, type, limit, conditions}]} -> {"results": [...]}."""
    if isinstance(body, dict) and isinstance(body.get("queries"), list):
        queries = body["queries"]
        _check_size(len(queries))
        results = []
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
            args = _query(index, str(n), q)
            results.append({"candidates": reconcile_one(index, args, draft=True)})
        return {"results": results}
    if isinstance(body, dict):  # the 0.2 keyed form sent as JSON
        _check_size(len(body))
        checked = {key: _query(index, key, q) for key, q in body.items()}
        return {k: {"result": reconcile_one(index, a)} for k, a in checked.items()}
    raise BadRequest("the JSON body must be an object")


@router.get("/reconcile/suggest/entity")
def suggest_entity(request: Request, prefix: str = "", type: str = "", cursor: int = 0) -> Response:
    index = index_for(request)
    types = _types(index, type or None)
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
    return _reply(request, {"result": result})


@router.get("/reconcile/suggest/type")
def suggest_type(request: Request, prefix: str = "") -> Response:
    index = index_for(request)
    return _reply(
        request,
        {"result": [_type_ref(index, c) for c in _prefixed(index.classes, prefix)]},
    )


@router.get("/reconcile/suggest/property")
def suggest_property(request: Request, prefix: str = "") -> Response:
    index = index_for(request)
    found = _prefixed(index.properties, prefix)
    result = [{"id": p.removeprefix(str(LEON)), "name": index.properties[p]} for p in found]
    return _reply(request, {"result": result})


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


@router.get("/reconcile/preview")
def preview(request: Request, id: str = "") -> Response:
    index = index_for(request)
    entity = index.entity(id)
    if entity is None:
        raise UnknownResource(f"no entity {id!r}", id=id)
    base = request.scope.get("root_path", "")
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
    return HTMLResponse(body, headers=CORS)


@router.get("/reconcile/propose_properties")
def propose_properties(request: Request, type: str = "", limit: str = "") -> Response:
    index = index_for(request)
    types = _types(index, type or None)
    counts: dict[str, int] = {}
    for entity in index.entities.values():
        if types and not entity.types.intersection(types):
            continue
        for pid in entity.facts:
            counts[pid] = counts.get(pid, 0) + 1
    ranked = sorted(counts, key=lambda p: (-counts[p], index.properties.get(p, p)))
    ranked = [p for p in ranked if p in index.properties][: _limit(limit, default=MAX_LIMIT)]
    body: dict[str, Any] = {
        "properties": [
            {"id": p.removeprefix(str(LEON)), "name": index.properties[p]} for p in ranked
        ],
        "limit": len(ranked),
    }
    if type:
        body["type"] = type
    return _reply(request, body)


def extend(index: Index, body: object) -> dict[str, Any]:
    """Data extension: property values of reconciled entities."""
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
        raise BadRequest("extend needs {'ids': [...], 'properties': [{'id': ...}]}")
    props = body.get("properties")
    if not isinstance(props, list) or not all(isinstance(p, dict) and "id" in p for p in props):
        raise BadRequest("extend needs a list of properties, each with an id")
    _check_size(len(body["ids"]))
    wanted = []
    for p in props:
        iri = index.property_iri(str(p["id"]))
        if iri is None:
            raise BadRequest(f"unknown property {p['id']!r}", property=str(p["id"]))
        settings = p.get("settings") or {}
        wanted.append((str(p["id"]), iri, _limit(settings.get("limit"), default=0)))
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


__all__ = ["extend", "index_for", "index_of", "manifest", "reconcile_one", "router"]
