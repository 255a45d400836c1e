"""Linked data: describing a resource (describe.py) and its page's view-models
(viewmodels.py), the ontology's documentation (ontology_docs.py), IRIs and their local paths
(urls.py), serialisation with the JSON-LD context (serialize.py, jsonld.py), VoID (void.py),
exports (export.py), and what is derived once from the data (publication.py). Imports the
shared modules, the engine and the graph package; nothing of the web layer."""
