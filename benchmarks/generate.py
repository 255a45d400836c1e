"""A deterministic synthetic film graph in N-Quads, shaped like the bundled one and written with
the project's own ontology terms and IRI patterns: films with cast (casting roles linking actor,
character and film), crew, characters, a place hierarchy (country > city > neighbourhood >
building > apartment), plot events in story order with actors and places, and source sentences
whose named graphs hold the facts they state. Labels come in English and French.

    python benchmarks/generate.py 100k out.nq

The same size always gives the same bytes (a seeded generator, no clock, no hashing order).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/leongraph/"
LEON = BASE + "ontology#"
RES = BASE + "resource/"
SENT = BASE + "sentence/"
ENTITIES = f"<{BASE}graph/entities>"
SOURCE = f"<{BASE}graph/source>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Words labels are made of; the benchmark's text filter looks for one of them.
WORDS = [
    "amber",
    "harbour",
    "violet",
    "signal",
    "quiet",
    "orchard",
    "copper",
    "lantern",
    "silver",
    "meadow",
    "hollow",
    "crimson",
    "winter",
    "ember",
    "falcon",
    "river",
    "marble",
    "garden",
    "shadow",
    "velvet",
    "north",
    "island",
    "canyon",
    "echo",
]
GIVEN = [
    "Ada",
    "Bruno",
    "Clara",
    "Dario",
    "Elena",
    "Fabio",
    "Greta",
    "Hugo",
    "Irene",
    "Jonas",
    "Kira",
    "Luca",
    "Mona",
    "Nils",
    "Olga",
]
FAMILY = [
    "Arden",
    "Bellamy",
    "Corso",
    "Duval",
    "Espin",
    "Ferro",
    "Galli",
    "Hart",
    "Ivanov",
    "Janssen",
    "Keller",
    "Lund",
]
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}

CHARACTERS_PER_FILM = 8
EVENTS_PER_FILM = 20
COUNTRIES = 8


def parse_size(text: str) -> int:
    """``1k``, ``100k``, ``1m`` or a plain number of triples."""
    text = text.strip().lower()
    return SIZES[text] if text in SIZES else int(text)


def _iri(kind: str, *parts: int) -> str:
    return f"<{RES}{kind}-{'-'.join(str(p) for p in parts)}>"


def _leon(term: str) -> str:
    return f"<{LEON}{term}>"


def _lit(text: str, lang: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


class _Writer:
    """Collects quads; counts them so generation stops at the requested size."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")

    def labels(self, s: str, en: str, fr: str, g: str) -> None:
        self.add(s, LABEL, _lit(en, "en"), g)
        self.add(s, LABEL, _lit(fr, "fr"), g)


class _Pools:
    """How many people and cities the films share: they grow with the graph (400 and 40 at 1M
    triples), so actors appear in several films as they do in real filmographies."""

    def __init__(self, triples: int) -> None:
        self.people = max(20, triples // 2500)
        self.cities = max(4, triples // 25000)


def _shared(w: _Writer, rng: random.Random, pools: _Pools) -> None:
    """People, countries and cities every film draws from."""
    for c in range(COUNTRIES):
        country = _iri("country", c)
        w.add(country, RDF_TYPE, _leon("Country"), ENTITIES)
        w.labels(country, f"Country {rng.choice(WORDS).title()} {c}", f"Pays {c}", ENTITIES)
    for c in range(pools.cities):
        city = _iri("city", c)
        w.add(city, RDF_TYPE, _leon("City"), ENTITIES)
        w.labels(city, f"{rng.choice(WORDS).title()} City {c}", f"Ville {c}", ENTITIES)
        w.add(city, _leon("containedIn"), _iri("country", c % COUNTRIES), ENTITIES)
    for p in range(pools.people):
        person = _iri("person", p)
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        w.add(person, RDF_TYPE, _leon("Person"), ENTITIES)
        w.labels(person, f"{given} {family} {p}", f"{given} {family} {p}", ENTITIES)
        w.add(person, _leon("givenName"), _lit(given, "en"), ENTITIES)
        w.add(person, _leon("familyName"), _lit(family, "en"), ENTITIES)


def _film(w: _Writer, rng: random.Random, pools: _Pools, f: int, sentence: int) -> int:
    """One film and everything in it; returns the next free sentence number."""
    film = _iri("film", f)
    word = rng.choice(WORDS)
    w.add(film, RDF_TYPE, _leon("Film"), ENTITIES)
    w.labels(film, f"The {word.title()} {f}", f"Film {word} {f}", ENTITIES)
    w.add(film, _leon("title"), _lit(f"The {word.title()} {f}", "en"), ENTITIES)
    w.add(film, _leon("year"), _int(1950 + f % 70), ENTITIES)
    w.add(film, _leon("director"), _iri("person", rng.randrange(pools.people)), ENTITIES)
    w.add(film, _leon("countryOfOrigin"), _iri("country", f % COUNTRIES), ENTITIES)
    city = _iri("city", rng.randrange(pools.cities))
    places = []
    for b in range(3):
        hood, building = _iri("neighbourhood", f, b), _iri("building", f, b)
        w.add(hood, RDF_TYPE, _leon("Neighbourhood"), ENTITIES)
        w.labels(
            hood, f"{rng.choice(WORDS).title()} Quarter {f}-{b}", f"Quartier {f}-{b}", ENTITIES
        )
        w.add(hood, _leon("containedIn"), city, ENTITIES)
        w.add(building, RDF_TYPE, _leon("Building"), ENTITIES)
        w.labels(
            building, f"{rng.choice(WORDS).title()} Building {f}-{b}", f"Immeuble {f}-{b}", ENTITIES
        )
        w.add(building, _leon("containedIn"), hood, ENTITIES)
        places.append(building)
    characters = []
    for c in range(CHARACTERS_PER_FILM):
        character, role = _iri("character", f, c), _iri("role", f, c)
        actor = _iri("person", rng.randrange(pools.people))
        name = f"{rng.choice(GIVEN)} {rng.choice(WORDS).title()}"
        w.add(character, RDF_TYPE, _leon("FictionalCharacter"), ENTITIES)
        w.labels(character, f"{name} ({f})", f"Personnage {name} ({f})", ENTITIES)
        w.add(character, _leon("presentInWork"), film, ENTITIES)
        w.add(character, _leon("residence"), rng.choice(places), ENTITIES)
        w.add(film, _leon("hasCharacter"), character, ENTITIES)
        w.add(role, RDF_TYPE, _leon("CastingRole"), ENTITIES)
        w.add(role, _leon("castFilm"), film, ENTITIES)
        w.add(role, _leon("castActor"), actor, ENTITIES)
        w.add(role, _leon("castCharacter"), character, ENTITIES)
        w.add(film, _leon("castingRole"), role, ENTITIES)
        w.add(film, _leon("castMember"), actor, ENTITIES)
        w.add(actor, _leon("plays"), character, ENTITIES)
        w.add(character, _leon("playedBy"), actor, ENTITIES)
        characters.append(character)
    offset = 0
    for e in range(EVENTS_PER_FILM):
        event, sent = _iri("event", f, e), f"<{SENT}{sentence}>"
        actor, other = rng.sample(characters, 2)
        text = f"{rng.choice(GIVEN)} meets someone by the {rng.choice(WORDS)} {rng.choice(WORDS)}."
        w.add(sent, RDF_TYPE, _leon("Sentence"), SOURCE)
        w.add(sent, _leon("text"), _lit(text, "en"), SOURCE)
        w.add(sent, _leon("index"), _int(sentence), SOURCE)
        w.add(sent, _leon("startOffset"), _int(offset), SOURCE)
        w.add(sent, _leon("endOffset"), _int(offset + len(text)), SOURCE)
        offset += len(text) + 1
        # The facts the sentence states live in its own named graph (the provenance design).
        w.add(event, RDF_TYPE, _leon("PlotEvent"), sent)
        w.labels(event, f"Event {e + 1} of film {f}: {text}", f"Événement {e + 1} ({f})", sent)
        w.add(event, _leon("position"), _int(e + 1), sent)
        w.add(event, _leon("hasActor"), actor, sent)
        w.add(event, _leon("involves"), other, sent)
        w.add(event, _leon("hasPlace"), rng.choice(places), sent)
        w.add(event, _leon("sourceSentence"), sent, sent)
        if e:
            w.add(event, _leon("previousEvent"), _iri("event", f, e - 1), sent)
            w.add(_iri("event", f, e - 1), _leon("nextEvent"), event, sent)
        sentence += 1
    return sentence


def generate(triples: int, seed: int = 1994) -> Iterator[str]:
    """N-Quads lines for a graph of about ``triples`` quads (whole films, so a little more)."""
    rng = random.Random(seed)
    w, pools = _Writer(), _Pools(triples)
    _shared(w, rng, pools)
    yield from w.lines
    count, film, sentence = len(w.lines), 0, 1
    while count < triples:
        w.lines.clear()
        sentence = _film(w, rng, pools, film, sentence)
        film += 1
        count += len(w.lines)
        yield from w.lines


def write(triples: int, path: Path) -> int:
    """Write the graph to ``path`` (once: an existing file of the same size is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as out:
        for line in generate(triples):
            out.write(line)
            n += 1
    tmp.replace(path)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="1k, 100k, 1m or a number of triples")
    parser.add_argument("output", type=Path, help="the .nq file to write")
    args = parser.parse_args(argv)
    n = write(parse_size(args.size), args.output)
    print(f"{n} quads in {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
