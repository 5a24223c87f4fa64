"""``fleet audit verify``: the keyed chain, its anchors, an expected head; exit 0/1/2.

0: intact. 1: tampered, naming the first bad row (or, when no witness can place it,
what is wrong). 2: cannot check: no key, a malformed or open key file, the wrong key,
bad arguments. Without the key a check is still possible (``--no-key``: order, links,
form and anchors), as it is for a second site that holds only the anchors.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import closing
from pathlib import Path

from fleet.dispatch.anchor import ExpectedHead, parse_expected
from fleet.dispatch.anchor_file import default_anchor_dir, read_anchors
from fleet.dispatch.audit import open_readonly, schema_version, sealing_keys, verify_db
from fleet.dispatch.audit_key import default_key_path, load_key
from fleet.dispatch.chain import AuditKey
from fleet.dispatch.errors import AuditKeyError
from fleet.dispatch.settings import DispatchSettings

EXIT_OK, EXIT_TAMPERED, EXIT_CANNOT = 0, 1, 2


def _expected(text: str) -> ExpectedHead:
    try:
        return parse_expected(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def audit_verify_options(p: argparse.ArgumentParser) -> None:
    key = p.add_mutually_exclusive_group()
    key.add_argument("--key", type=Path, default=None, metavar="FILE",
                     help=f"the audit key (default: the config's audit_key_file, else "
                     f"{default_key_path()})")
    key.add_argument("--no-key", action="store_true",
                     help="check order, links and anchors without the key (MACs unchecked)")
    anchors = p.add_mutually_exclusive_group()
    anchors.add_argument("--anchors", type=Path, default=None, metavar="DIR",
                         help="the anchor files (default: the config's audit_anchor_dir, "
                         "else <db>.anchors)")
    anchors.add_argument("--no-anchors", action="store_true",
                         help="do not check the head against the anchor files")
    p.add_argument("--expect-head", type=_expected, default=None, metavar="HEAD",
                   help="a head noted elsewhere: SEQ:HASH (names rows cut off the end), "
                   "a bare HASH, or the retained {prefix}/audit/head message")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")


def verify_command(args: argparse.Namespace, path: Path, settings: DispatchSettings) -> int:
    with closing(open_readonly(path)) as conn:
        keys = sealing_keys(conn)
        key: AuditKey | None = None
        if keys and not args.no_key:
            key_path = args.key or settings.audit_key_file or default_key_path()
            sealed = f"the audit is sealed with key {', '.join(keys)}"
            try:
                key = load_key(key_path)
            except AuditKeyError as exc:
                return _cannot(args, path, f"{exc} ({sealed}; --key FILE names the key, "
                               "--no-key checks without it)")
            if key.key_id not in keys:
                return _cannot(args, path, f"wrong key: {key_path} is key {key.key_id}, "
                               f"{sealed} (or its key_id column was changed)")
        anchor_dir = None if args.no_anchors else Path(
            args.anchors or settings.audit_anchor_dir or default_anchor_dir(path))
        anchors = read_anchors(anchor_dir) if anchor_dir is not None else None
        result = verify_db(conn, args.expect_head, key=key, anchors=anchors)
        legacy = schema_version(conn) < 2
    extra = ["schema 1 (written before the audit key): the core keys every row it adds "
             "from its next start, and anchors these"] if legacy else []
    if args.json:
        print(json.dumps({
            "db": str(path), "ok": result.ok, "rows": result.rows, "head": result.head,
            "bad_seq": result.bad_seq, "problem": result.problem or None,
            "format": result.format, "key_id": key.key_id if key else None,
            "anchors": str(anchor_dir) if anchor_dir else None,
            "anchored": result.anchored, "notes": [*result.notes, *extra],
        }, ensure_ascii=False))
    else:
        print(f"{path}: {result.message()}")
        for line in (*result.details(), *extra):
            print(f"  {line}")
    return EXIT_OK if result.ok else EXIT_TAMPERED


def _cannot(args: argparse.Namespace, path: Path, message: str) -> int:
    if args.json:
        print(json.dumps({"db": str(path), "ok": None, "error": message}, ensure_ascii=False))
    print(f"fleet: cannot verify {path}: {message}", file=sys.stderr)
    return EXIT_CANNOT
