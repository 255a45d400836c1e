"""The benchmark's fixed query mix: one query per kind of work a SPARQL endpoint does, written
against the project's ontology so it runs on the bundled graph and on the synthetic ones."""

from __future__ import annotations

from dataclasses import dataclass

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@dataclass(frozen=True)
class Query:
    name: str
    what: str
    template: str  # $entity, $film and $word are filled in per graph
    accept: str = JSON

    def text(self, params: dict[str, str]) -> str:
        text = self.template
        for key, value in params.items():
            text = text.replace("$" + key, value)
        return text

    @property
    def graph(self) -> bool:
        """CONSTRUCT/DESCRIBE: the answer is RDF, not a results table."""
        return self.accept != JSON


MIX: tuple[Query, ...] = (
    Query("lookup", "entity lookup", "SELECT ?p ?o WHERE { $entity ?p ?o }"),
    Query(
        "join",
        "3-hop join: film > casting role > actor > label",
        """SELECT ?character ?actor ?name WHERE {
  $film leon:castingRole ?role .
  ?role leon:castCharacter ?character ; leon:castActor ?actor .
  ?actor rdfs:label ?name FILTER(LANG(?name) = "en")
}""",
    ),
    Query(
        "text-filter",
        "CONTAINS filter over every English label",
        """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label
  FILTER(LANG(?label) = "en" && CONTAINS(LCASE(?label), "$word"))
} LIMIT 100""",
    ),
    Query(
        "aggregate",
        "GROUP BY with COUNT over every typed resource",
        """SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class""",
    ),
    Query(
        "optional-order",
        "OPTIONAL + ORDER BY + LIMIT: a film's plot events in story order",
        """SELECT DISTINCT ?event ?position ?label ?place WHERE {
  ?event a leon:PlotEvent ; leon:position ?position ; leon:hasActor ?who .
  ?who leon:presentInWork $film .
  OPTIONAL { ?event rdfs:label ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?event leon:hasPlace ?place }
} ORDER BY ?position ?event LIMIT 20""",
    ),
    Query("describe", "DESCRIBE one entity (Turtle)", "DESCRIBE $entity", accept=TURTLE),
    Query(
        "label-service",
        "WDQS-style: a film's characters and actors, SERVICE wikibase:label",
        """SELECT ?character ?characterLabel ?actorLabel WHERE {
  ?character leon:presentInWork $film ; leon:playedBy ?actor .
  SERVICE wikibase:label { bd:serviceParam wikibase:language "fr,en". }
}""",
    ),
)

#: What the placeholders stand for in each graph.
PARAMS = {
    "bundled": {"entity": "res:mathilda", "film": "res:leon-the-professional", "word": "mathilda"},
    "synthetic": {"entity": "res:character-0-0", "film": "res:film-0", "word": "violet"},
}
