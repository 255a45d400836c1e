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

A ``GET /sparql`` from a program, file by file::

    web/app.py            LeongraphApp.__call__ hands every HTTP request to the hot path
    web/hotpath.py        HotPath reads the request into an ``Asked``
    sparql/pipeline.py    QueryPipeline.plan: protocol.py, then evaluation.prepare (stages 1-4)
    sparql/pipeline.py    QueryPipeline.run: workers/pool.py places (placement.py) and runs
    sparql/evaluation.py  execute: engine/ (oxigraph.py) queries and writes the answer
    web/routes/sparql.py  answer_response, through the app's middleware (conditional.py, gzip)

Also here: the service description (service_description.py) and the example queries of
queries/ (examples.py). Imports the shared modules and the engine; nothing of the web layer."""
