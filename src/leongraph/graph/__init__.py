"""The data and its rules: building the bundled dataset from ontology/ and data/ (loading.py),
the aligned public-vocabulary view (alignment.py), the synopsis's sentences (sentences.py),
provenance and coverage (provenance.py), SHACL validation (validation.py), and opening the
store the settings name (opening.py). Imports the shared modules and the engine."""

from leongraph.graph.loading import build_dataset
from leongraph.graph.opening import open_store

__all__ = ["build_dataset", "open_store"]
