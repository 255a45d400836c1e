"""The languages of the label service: the client's (Accept-Language, for
``[AUTO_LANGUAGE]``) and those a ``wikibase:language`` value lists, checked against ISO 639-1."""

from __future__ import annotations

import re

from leongraph.errors import BadRequest

AUTO_LANGUAGE = "[AUTO_LANGUAGE]"
DEFAULT_LANGUAGE = "en"

#: ISO 639-1 codes, plus "mul" (Wikidata's "multiple languages"). Region and script subtags
#: (en-GB, zh-Hant) are accepted after a known primary code.
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    mul"""
ISO_639_1 = frozenset(_ISO_639_1.split())
_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")


def accept_languages(header: str | None) -> list[str]:
    """Language ranges of an Accept-Language header, best first (``*`` and q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def check_language(code: str) -> str:
    """Lower-cased ``code`` if it is a known language tag; BadRequest otherwise."""
    parts = code.strip().lower().split("-")
    if parts[0] not in ISO_639_1 or not all(_SUBTAG.fullmatch(p) for p in parts[1:]):
        raise BadRequest(
            f"unknown language code {code.strip()!r} in the label service", language=code
        )
    return "-".join(parts)


def service_languages(literal: str, preferred: list[str]) -> list[str]:
    """Expand a ``wikibase:language`` value: ``[AUTO_LANGUAGE]`` is the client's first language."""
    auto = [DEFAULT_LANGUAGE]
    for tag in preferred:
        try:
            code = check_language(tag)
        except BadRequest:
            continue
        auto = list(dict.fromkeys([code, code.split("-")[0]]))  # fr-ca, then fr
        break
    out: list[str] = []
    for raw in literal.split(","):
        if not raw.strip():
            continue
        codes = auto if raw.strip().upper() == AUTO_LANGUAGE else _language_tag(raw)
        out += [code for code in codes if code not in out]
    if not out and not literal.strip():
        raise BadRequest("the label service needs at least one language")
    return out


def _language_tag(raw: str) -> list[str]:
    """A known code, or any well-formed tag (``xx`` matches no label: the ID, as on WDQS);
    a malformed one is left out, with no error."""
    try:
        return [check_language(raw)]
    except BadRequest:
        tag = raw.strip().lower()
        return [tag] if re.fullmatch(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*", tag) else []
