"""The URL scheme: which path of this server answers each IRI of the graph, and back.

IRIs never depend on the host, port or proxy prefix; only the paths below do, and pages build
their links as ``root_path + local_path(iri)``.

=====================================================  ==========================
IRI                                                    path
=====================================================  ==========================
``https://w3id.org/leongraph/resource/<slug>``         ``/resource/<slug>``
``https://w3id.org/leongraph/sentence/<n>``            ``/sentence/<n>``
``https://w3id.org/leongraph/ontology``                ``/ontology``
``https://w3id.org/leongraph/ontology#<Term>``         ``/ontology/<Term>``
``https://w3id.org/leongraph/graph/<name>``            ``/graph/<name>``
``https://w3id.org/leongraph/dataset``                 ``/.well-known/void``
=====================================================  ==========================

>>> local_path("https://w3id.org/leongraph/resource/leon")
'/resource/leon'
>>> local_path("https://w3id.org/leongraph/ontology#Film")
'/ontology/Film'
>>> local_path("http://www.wikidata.org/entity/Q60") is None
True
>>> iri_for("ontology", "Film")
'https://w3id.org/leongraph/ontology#Film'
>>> split_name("leon.ttl")
('leon', 'ttl')
"""

from __future__ import annotations

import re

from leongraph.errors import BadRequest
from leongraph.vocab import BASE

#: Path kind -> IRI prefix; the name after the prefix is the last path segment.
KINDS: dict[str, str] = {
    "resource": BASE + "resource/",
    "sentence": BASE + "sentence/",
    "ontology": BASE + "ontology#",
    "graph": BASE + "graph/",
}
ONTOLOGY_IRI = BASE + "ontology"
DATASET_IRI = BASE + "dataset"  # described by the VoID document
MAX_NAME = 200
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
# A local name is safe inside <...> in SPARQL and in a path segment.
_SAFE_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def local_path(iri: str) -> str | None:
    """The path on this server that describes ``iri``, or None if the IRI is not ours."""
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri == DATASET_IRI or iri.startswith(DATASET_IRI + "#"):
        return "/.well-known/void"
    for kind, prefix in KINDS.items():
        if iri.startswith(prefix):
            name = iri[len(prefix) :]
            return f"/{kind}/{name}" if _SAFE_LOCAL.fullmatch(name) else None
    return None


def iri_for(kind: str, name: str) -> str:
    """The IRI answered at ``/<kind>/<name>``; ``name`` must already be valid."""
    return KINDS[kind] + name


def split_name(segment: str) -> tuple[str, str | None]:
    """Split the last path segment into a name and an optional format suffix.

    Raise BadRequest for names no IRI of the graph can have (odd characters, too long)."""
    if len(segment) > MAX_NAME:
        raise BadRequest(f"name is longer than {MAX_NAME} characters")
    name, dot, suffix = segment.partition(".")
    if not _NAME.fullmatch(name) or (dot and not suffix.isalnum()):
        raise BadRequest(
            f"{segment!r} is not a valid name: use letters, digits, '-' and '_', "
            "optionally followed by a format suffix such as .ttl"
        )
    return name, (suffix.lower() if dot else None)
