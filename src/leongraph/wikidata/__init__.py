"""Working with Wikidata's tools: the OpenRefine reconciliation service (reconciliation.py) over
a name index (matching.py; kept beside an on-disk store by stored.py), links to Wikidata items
(links.py) and QuickStatements (quickstatements.py). Imports the shared modules, the engine and
the graph package; nothing of the web layer."""
