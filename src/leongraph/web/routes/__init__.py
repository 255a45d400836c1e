"""The routes, one module per area: /sparql (sparql.py), the query page and its assets
(query_page.py), dereferenceable IRIs (pages.py), downloads, VoID and the Graph Store Protocol
(data.py), and the Wikidata tools (wikidata.py). Each is thin: read the request, call the
function that does the work, write the answer."""
