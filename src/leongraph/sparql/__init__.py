"""SPARQL: from a protocol request to an answer. A query passes these stages, in order
(pipeline.py runs them for both the hot path and the ``/sparql`` route):

1. protocol.py      reads GET / POST form / POST direct into a ``SparqlRequest``
2. label_service.py rewrites WDQS's ``SERVICE wikibase:label`` into plain patterns
                    (label_patterns.py, label_languages.py)
3. safety.py        refuses SERVICE, LOAD and over-long texts (lexer.py sees through the text)
4. evaluation.py    ``prepare``: settles the dataset and the output formats into a ``Plan``
5. placement.py     places the plan: in the server when cost.py bounds its work, else in a
                    worker process (workers/) that the timeout can kill
6. evaluation.py    ``execute``: the engine runs the plan and writes the ``Answer``

Also here: the service description (service_description.py) and the example queries of
queries/ (examples.py). Imports the shared modules and the engine; nothing of the web layer."""
