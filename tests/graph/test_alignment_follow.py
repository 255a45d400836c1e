"""alignment.follow: the aligned view of one named graph following an edit. Removing a fact
and adding it back gives every graph of the bundled data back exactly as load wrote it."""

from __future__ import annotations

import random

from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from leongraph.graph.alignment import Axioms, follow, same_as_links
from leongraph.vocab import LEON, ONTOLOGY_GRAPH, RES, SCHEMA, WDT


def test_remove_then_add_back_restores_each_graph(dataset: Dataset) -> None:
    ax = Axioms.from_ontology(dataset.graph(ONTOLOGY_GRAPH))
    links = same_as_links(dataset)
    pick = random.Random(13)
    checked = 0
    for g in dataset.graphs():
        if g.identifier in (ONTOLOGY_GRAPH, DATASET_DEFAULT_GRAPH_ID):
            continue
        loaded = set(g)
        assert follow(loaded, set(), set(), ax, links) == (set(), set()), g.identifier
        for fact in pick.sample(sorted(loaded), min(4, len(loaded))):
            plus, minus = follow(loaded, set(), {fact}, ax, links)
            without = (loaded | plus) - minus
            plus, minus = follow(without, {fact}, set(), ax, links)
            assert (without | plus) - minus == loaded, (g.identifier, fact)
            checked += 1
    assert checked > 100


def test_a_new_fact_brings_its_wikidata_claim_and_an_inverse_pair_stays(
    dataset: Dataset,
) -> None:
    ax = Axioms.from_ontology(dataset.graph(ONTOLOGY_GRAPH))
    fact = (RES.x, LEON.father, RES.y)
    plus, minus = follow(set(), {fact}, set(), ax, {})
    assert {fact, (RES.x, WDT.P22, RES.y), (RES.x, SCHEMA.parent, RES.y)} <= plus and not minus
    plus, minus = follow(plus, set(), {fact}, ax, {})
    assert not plus and (RES.x, WDT.P22, RES.y) in minus
