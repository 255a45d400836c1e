"""``leongraph token create|list|revoke``: the API tokens of a store's edits. A token is
printed once, on the last line of ``create``'s output; the file keeps a salted hash only."""

from __future__ import annotations

import argparse
import sys

from leongraph.cli.options import settings_from
from leongraph.edits.tokens import ROLES, TokenFile
from leongraph.errors import BadRequest


def _file(args: argparse.Namespace) -> TokenFile:
    path = settings_from(args).tokens_file()
    if path is None:
        raise BadRequest("name the store (--store DIR) or set LEONGRAPH_TOKENS_PATH")
    return TokenFile(path)


def cmd_create(args: argparse.Namespace) -> int:
    tokens = _file(args)
    secret = tokens.create(args.name, args.role)
    print(f"leongraph: token {args.name!r} ({args.role}) added to {tokens.path}", file=sys.stderr)
    print("Keep it now: it is shown only once.", file=sys.stderr)
    sys.stdout.write(secret + "\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for t in _file(args).tokens():
        state = "revoked" if t.revoked else "live"
        print(f"{t.name}\t{t.role}\t{t.created}\t{state}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    _file(args).revoke(args.name)
    print(f"leongraph: token {args.name!r} revoked", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``token`` and its subcommands to the main parser."""
    p = sub.add_parser("token", help="API tokens for edits: create, list, revoke")
    actions = p.add_subparsers(dest="action", required=True)
    for name, func, text in (
        ("create", cmd_create, "add a token and print it once"),
        ("list", cmd_list, "the tokens: name, role, created, live or revoked"),
        ("revoke", cmd_revoke, "refuse a token from now on"),
    ):
        q = actions.add_parser(name, help=text)
        if name != "list":
            q.add_argument("name")
        if name == "create":
            q.add_argument("--role", choices=list(ROLES), default="editor")
        q.add_argument("--store", default=None, help="the store the tokens edit")
        q.set_defaults(func=func)
