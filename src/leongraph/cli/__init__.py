"""The command line, ``leongraph``: one module per command group (data.py, export.py, query.py,
wikidata.py) over the same functions the HTTP app uses; main.py builds the parser, serves and
loads. May import every other package."""

from leongraph.cli.main import main

__all__ = ["main"]
