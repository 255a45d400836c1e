"""The SPARQL the label service is rewritten into (label_service.py finds the service and
places the patterns): for each wanted label, description or alias, the row's own value in the
first listed language that has one, lent by an ``owl:sameAs`` item where the row names one."""

from __future__ import annotations

from leongraph.vocab import (
    OWL_SAME_AS,
    RDFS_LABEL,
    SCHEMA_ALTERNATE_NAME,
    SCHEMA_DESCRIPTION,
    SKOS_ALT_LABEL,
)

UNBOUND = "urn:x-leongraph:unbound"  # joins nothing: the key of rows whose ?x is unbound
# What each kind of variable is bound from, by the suffix of its name (longest first).
SUFFIXES = (
    ("AltLabel", SKOS_ALT_LABEL),
    ("Label", RDFS_LABEL),
    ("Description", SCHEMA_DESCRIPTION),
)
PREDICATES = frozenset(p for _, p in SUFFIXES)


def automatic(variables: list[str], in_group: set[str]) -> list[tuple[str, str, str]]:
    """(?x, predicate, ?xLabel) for every label-like variable whose ?x the group binds."""
    wanted: list[tuple[str, str, str]] = []
    for name in dict.fromkeys(variables):
        if name in in_group:
            continue  # the query binds it itself
        for suffix, predicate in SUFFIXES:
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base in in_group:
                wanted.append((base, predicate, name))
                break
    return wanted


def fresh(stem: str, used: set[str]) -> str:
    """A helper variable no other variable of the query is called; short, because rdflib's
    parser time grows with the text."""
    n = 0
    while f"_wikibase_{stem}{n}" in used:
        n += 1
    used.add(f"_wikibase_{stem}{n}")
    return f"_wikibase_{stem}{n}"


def label_patterns(
    base: str,
    predicate: str,
    out: str,
    languages: list[str],
    used: set[str],
    keys: dict[str, str],
) -> str:
    """SPARQL that binds ?out from ?base in the first of ``languages`` that has a value.

    Values are looked up from the row's own ?base, one ``OPTIONAL`` per language, so the
    cost grows with the rows of the answer, not with the graph. The key is ?base or, where
    ?base is unbound, an IRI no graph holds: such rows keep ?out unbound instead of joining
    every labelled entity."""
    lines = [""]
    if base not in keys:
        keys[base] = fresh("k", used)
        lines.append(f"  BIND(COALESCE(?{base}, <{UNBOUND}>) AS ?{keys[base]})")
    key = keys[base]
    candidates: list[str] = []
    for lang in [*languages, ""]:  # "": a value without a language tag comes last
        if predicate == SKOS_ALT_LABEL:
            var = fresh("v", used)
            lines.append(_aliases(key, var, lang, used))
            candidates.append(f"?{var}")
            continue
        for lent in (False, True):  # the entity's own value first, then a lent one
            var = fresh("v", used)
            lines.append(_smallest(key, predicate, var, lang, lent, used))
            candidates.append(f"?{var}")
    if predicate == RDFS_LABEL:
        candidates.append(f'IF(isIRI(?{base}), REPLACE(STR(?{base}), "^.*[/#]", ""), STR(?{base}))')
    lines.append(f"  BIND(COALESCE({', '.join(candidates)}) AS ?{out})\n")
    return "\n".join(lines)


def in_language(var: str, lang: str) -> str:
    return f'LCASE(LANG(?{var})) = "{lang}"'


def _smallest(key: str, predicate: str, var: str, lang: str, lent: bool, used: set[str]) -> str:
    """``OPTIONAL`` binding ?var to the smallest ``predicate`` value in ``lang`` of ?key, or of
    the resources ``owl:sameAs`` ?key (``lent``): a total order, so one value per row.

    Two values of one language never share their string (both engines compare language tags
    without case), so the string orders them; untagged ones may differ by datatype, and equal
    lent values by the resource lending them. (A ``(^owl:sameAs)?`` path would do both in
    one pattern, but Oxigraph then evaluates it over the whole graph: 250 times slower.)"""
    other = fresh("o", used)
    before = [f"STR(?{other}) < STR(?{var})"]
    if not lang:
        before.append(
            f"STR(?{other}) = STR(?{var}) && STR(DATATYPE(?{other})) < STR(DATATYPE(?{var}))"
        )
    own = theirs = f"?{key}"
    if lent:
        source, source2 = fresh("s", used), fresh("s", used)
        before.append(f"sameTerm(?{other}, ?{var}) && STR(?{source2}) < STR(?{source})")
        own = f"?{source} <{OWL_SAME_AS}> ?{key} . ?{source}"
        theirs = f"?{source2} <{OWL_SAME_AS}> ?{key} . ?{source2}"
    return (
        f"  OPTIONAL {{ {own} <{predicate}> ?{var} FILTER({in_language(var, lang)})"
        f" FILTER NOT EXISTS {{ {theirs} <{predicate}> ?{other}"
        f" FILTER({in_language(other, lang)} && ({' || '.join(before)})) }} }}"
    )


def _aliases(key: str, var: str, lang: str, used: set[str]) -> str:
    """``OPTIONAL`` binding ?var to the aliases of ?key in ``lang``, joined with ", ", grouped
    over every alias of the graph (only where ``_grouped`` cannot be used)."""
    value, same = fresh("a", used), fresh("s", used)
    path = f"<{SKOS_ALT_LABEL}>|<{SCHEMA_ALTERNATE_NAME}>"
    return (
        f'  OPTIONAL {{ SELECT ?{key} (GROUP_CONCAT(DISTINCT ?{value}; separator=", ") AS ?{var})'
        f" WHERE {{ {{ ?{key} {path} ?{value} }} UNION {{ ?{same} <{OWL_SAME_AS}> ?{key} ."
        f" ?{same} {path} ?{value} }} FILTER({in_language(value, lang)}) }} GROUP BY ?{key} }}"
    )
