"""The audit key (created, refused when bad), file modes (0600 whatever the umask), the
``[dispatch]`` audit settings, and files written before the key (schema 1)."""

import os
import re
import sqlite3
import stat
from contextlib import closing, contextmanager

import pytest
from audit_forge import cli, documented_hash, entry, fill, reforge, sql

from fleet.config import load_config
from fleet.dispatch.anchor_file import default_anchor_dir, read_anchors
from fleet.dispatch.audit import AuditLog, open_readonly, select, verify_db
from fleet.dispatch.audit_key import default_key_path, load_key, load_or_create_key
from fleet.dispatch.errors import AuditKeyError
from fleet.errors import ConfigError


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def verify(path):
    with closing(open_readonly(path)) as conn:
        return verify_db(conn, key=load_key(default_key_path()),
                         anchors=read_anchors(default_anchor_dir(path)))


# -- modes ------------------------------------------------------------------------------
def test_every_file_fleet_creates_is_0600_whatever_the_umask(tmp_path):
    path = tmp_path / "state" / "audit.sqlite3"
    with umask(0), AuditLog(path) as log:
        log.append_sync(entry(1))
        for p in (path, f"{path}-wal", f"{path}-shm", f"{path}.lock", default_key_path()):
            assert mode(p) == 0o600, p
        anchors = default_anchor_dir(path)
        assert mode(anchors) == 0o700
        assert [mode(p) for p in anchors.iterdir()] == [0o600]
        assert mode(default_key_path().parent) == 0o700


def test_an_older_world_readable_audit_is_narrowed_when_opened(tmp_path):
    path = tmp_path / "audit.sqlite3"
    fill(path, 3)
    for p in (path, f"{path}.lock"):
        os.chmod(p, 0o644)
    fill(path, 1, start=4)
    assert mode(path) == 0o600 and mode(f"{path}.lock") == 0o600


# -- the key ----------------------------------------------------------------------------
def test_the_key_is_created_once_and_never_replaced(tmp_path):
    path = tmp_path / "keys" / "audit.key"
    first = load_or_create_key(path)
    assert mode(path) == 0o600 and len(path.read_text().strip()) == 64
    assert load_or_create_key(path) == first
    assert first.key_id not in repr(first.secret) and "secret" not in repr(first)


@pytest.mark.parametrize("content, file_mode, message", [
    (b"", 0o600, "not an audit key: expected 64 hex digits"),
    (b"zz" * 32, 0o600, "not an audit key"),
    (b"ab" * 31, 0o600, "found 62 characters"),
    (b"ab" * 32, 0o644, "open to others (mode 0644); chmod 600"),
])
def test_a_bad_key_file_is_a_clear_error_for_the_writer_and_verify(tmp_path, capsys, content,
                                                                  file_mode, message):
    db = tmp_path / "audit.sqlite3"
    fill(db, 3)
    key = tmp_path / "bad.key"
    key.write_bytes(content)
    key.chmod(file_mode)
    with pytest.raises(AuditKeyError, match=re.escape(message)):
        AuditLog(db, key_file=key).open()
    code, out, err = cli(capsys, "--db", str(db), "--key", str(key))
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_a_missing_key_for_verify_is_a_clear_error(tmp_path, capsys):
    db = tmp_path / "audit.sqlite3"
    fill(db, 3)
    default_key_path().unlink()
    code, _, err = cli(capsys, "--db", str(db))
    assert code == 2 and "no audit key there" in err and "--no-key" in err
    with pytest.raises(AuditKeyError, match=r"no audit key there.*restore that key"):
        AuditLog(db).open()  # no new key for a file another key sealed
    assert not default_key_path().exists()


def test_a_directory_as_key_is_refused(tmp_path):
    with pytest.raises(AuditKeyError, match="regular file"):
        load_key(tmp_path)


# -- config ------------------------------------------------------------------------------
def config(tmp_path, body: str):
    path = tmp_path / "fleet.toml"
    path.write_text(f'units = []\n[dispatch]\naudit_db = "audit.sqlite3"\n{body}\n',
                    encoding="utf-8")
    return load_config(path).dispatch


def test_audit_settings_are_read_relative_to_the_config(tmp_path):
    d = config(tmp_path, 'audit_key_file = "secret/audit.key"\naudit_anchor_dir = "anchors"\n'
               "audit_checkpoint_rows = 50\naudit_checkpoint_min = 1.5")
    assert d.audit_key_file == str(tmp_path / "secret/audit.key")
    assert d.audit_anchor_dir == str(tmp_path / "anchors")
    assert (d.audit_checkpoint_rows, d.audit_checkpoint_min) == (50, 1.5)
    log = AuditLog.configured(d.audit_db, d)
    assert log.key_file == tmp_path / "secret/audit.key"
    assert log.anchor_dir == tmp_path / "anchors" and log.checkpoint_s == 90.0


@pytest.mark.parametrize("body, message", [
    ('audit_key_file = "audit.sqlite3"', "kept apart from the audit database"),
    ('audit_key_file = "."', "is a directory"),
    ('audit_key_file = "bad.key"', "not an audit key"),
    ('audit_anchor_dir = "bad.key"', "is a file"),
    ("audit_checkpoint_rows = 0", "audit_checkpoint_rows"),
    ("audit_checkpoint_min = -1", "audit_checkpoint_min"),
])
def test_bad_audit_settings_are_config_errors(tmp_path, body, message):
    (tmp_path / "bad.key").write_text("not a key")
    (tmp_path / "bad.key").chmod(0o600)
    with pytest.raises(ConfigError, match=message) as error:
        config(tmp_path, body)
    assert "dispatch.audit_" in str(error.value)


# -- files from before the key -------------------------------------------------------------
OLD_SCHEMA = """
CREATE TABLE audit (seq INTEGER PRIMARY KEY, time REAL NOT NULL, operator TEXT NOT NULL,
    kind TEXT NOT NULL, incident TEXT, unit TEXT, data TEXT NOT NULL, prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
PRAGMA user_version = 1;
"""


def old_file(path, n: int = 20):
    """An audit as fleet wrote it before the key: schema 1, plain SHA-256, mode 0644."""
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    prev = "0" * 64
    for i in range(1, n + 1):
        e = entry(i)
        data = f'{{"i":{i},"text":"负载 ✓"}}'
        digest = documented_hash(prev, i, e.time, e.operator, e.kind, e.incident, e.unit,
                                 data, None)
        conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (i, e.time, e.operator, e.kind, e.incident, e.unit, data, prev, digest))
        prev = digest
    conn.commit()
    conn.close()
    os.chmod(path, 0o644)


def test_an_old_file_is_recognised_checked_and_named_as_re_forgeable(tmp_path, capsys):
    db = tmp_path / "audit.sqlite3"
    old_file(db)
    code, out, err = cli(capsys, "--db", str(db))
    assert code == 0 and "OK: 20 rows" in out, err
    assert "plain SHA-256 (schema 1, unkeyed" in out and "written before the audit key" in out
    sql(db, "UPDATE audit SET operator = 'x' WHERE seq = 7")
    code, out, _ = cli(capsys, "--db", str(db))
    assert code == 1 and "TAMPERED at row 7: contents do not match the row's hash" in out
    reforge(db, 7, key=None)  # what the old format cannot stop, before it is anchored
    assert cli(capsys, "--db", str(db))[0] == 0
    with closing(open_readonly(db)) as conn:  # reports and export read it as before
        assert [r.key_id for r in select(conn)] == [None] * 20


def test_an_old_file_is_continued_keyed_and_its_rows_anchored(tmp_path, capsys):
    db = tmp_path / "audit.sqlite3"
    old_file(db)
    fill(db, 4, start=21)
    assert mode(db) == 0o600
    with closing(open_readonly(db)) as conn:
        rows = list(select(conn))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    key = load_key(default_key_path())
    assert [r.key_id for r in rows] == [None] * 20 + [key.key_id] * 4
    assert rows[20].prev_hash == rows[19].hash  # one chain
    result = verify(db)
    assert result.ok and result.rows == 24 and result.anchored == 24
    assert result.format.startswith("rows 1-20 plain SHA-256") and key.key_id in result.format
    # now the old rows are anchored: re-forging one is caught, even with the key
    sql(db, "UPDATE audit SET operator = 'x' WHERE seq = 7")
    reforge(db, 7, key=key.secret)  # rows 7-20 plain, 21-24 with the (stolen) key
    result = verify(db)
    assert not result.ok and result.bad_seq == 7 and "differs from the anchor" in result.problem


def test_keyed_rows_passed_off_as_old_ones_are_named(tmp_path):
    db = tmp_path / "audit.sqlite3"
    old_file(db, 5)
    fill(db, 5, start=6)
    reforge(db, 8, key=None, unkey=True)
    result = verify(db)
    assert not result.ok and result.bad_seq == 8 and "unkeyed" in result.problem


def test_export_names_the_key_of_each_row(tmp_path, capsys):
    from fleet.cli import main

    db = tmp_path / "audit.sqlite3"
    old_file(db, 2)
    fill(db, 1, start=3)
    assert main(["audit", "export", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    key = load_key(default_key_path())
    assert lines[0].endswith(",hash,key_id") and lines[1].endswith(",")
    assert lines[3].endswith(f",{key.key_id}")
    assert main(["audit", "export", "--db", str(db), "--format", "json"]) == 0
    assert '"key_id": null' in capsys.readouterr().out
