"""Edits: token-authenticated changes of the graph that are durable, audited and revertible.

- tokens.py: the token file (salted hashes only), roles, and the constant-time check;
- auth.py: the bearer check of a request and the rate limit on failed sign-ins;
- history.py: each edit as a prov:Activity in the history graph, and reading it back;
- editor.py: one edit from end to end (its change, the graphs a role may write, the SHACL
  shapes, the commit with its history record) and the revert of an edit.

It may import the shared modules, engine, graph and sparql; nothing here imports web or cli.
"""
