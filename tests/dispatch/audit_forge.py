"""What an attacker with the audit file does, for the forgery tests: drop the guards, edit,
and recompute the chain with the documented formula (with or without the key)."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from pathlib import Path

from fleet.cli import main
from fleet.dispatch.audit import AuditLog
from fleet.dispatch.chain import AuditEntry


def entry(i: int) -> AuditEntry:
    return AuditEntry("incident.note", 1_800_000_000.0 + i, "Li Wei", f"INC-{i % 3}", None,
                      {"i": i, "text": "负载 ✓"})


def fill(path: Path, n: int = 24, start: int = 1, **options) -> None:
    with AuditLog(path, **options) as log:
        log.append_sync(*(entry(i) for i in range(start, start + n)))


def sql(path: Path, *statements: str | tuple) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for s in statements:
        text, args = (s, ()) if isinstance(s, str) else (s[0], s[1:])
        conn.execute(text, args)
    conn.commit()
    conn.close()


def documented_hash(prev: str, seq: int, time: float, operator: str, kind: str,
                    incident: str | None, unit: str | None, data: str,
                    key: bytes | None) -> str:
    """The formula as docs/dispatch.md gives it, written out independently of fleet."""
    row = {"seq": seq, "time": time, "operator": operator, "kind": kind,
           "incident": incident, "unit": unit, "data": json.loads(data)}
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    message = (prev + text).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def reforge(path: Path, start: int, key: bytes | None, *, unkey: bool = False) -> None:
    """Recompute prev_hash and hash of every row from ``start`` on, as a forger would:
    keyed rows with ``key`` (None: plain SHA-256), unkeyed (older) rows plain; ``unkey``:
    also clear their key_id (pass them off as the older plain format)."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(audit)")]
    has_key = "key_id" in columns
    key_column = "key_id" if has_key else "NULL"
    rows = conn.execute(f"SELECT seq, time, operator, kind, incident, unit, data, hash, "
                        f"{key_column} FROM audit ORDER BY seq").fetchall()
    prev = "0" * 64
    for seq, time, operator, kind, incident, unit, data, digest, key_id in rows:
        if seq >= start:
            new = documented_hash(prev, seq, time, operator, kind, incident, unit, data,
                                  None if key_id is None or unkey else key)
            conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                         (prev, new, seq))
            if unkey and has_key:
                conn.execute("UPDATE audit SET key_id = NULL WHERE seq = ?", (seq,))
            digest = new
        prev = digest
    conn.commit()
    conn.close()


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["audit", "verify", *args])
    out, err = capsys.readouterr()
    return code, out, err
