"""Issue #14 (5): the audit cannot be quietly re-forged, and verify names the first bad row.

The probe: drop the trigger, edit row 21 of 24, recompute the hashes with the documented
formula, and ``fleet audit verify`` said OK. Now the rows are sealed with a key kept apart
from the database (a forger without it is caught at the row), and the head is anchored
where the database's writer cannot rewrite it (a forger with the key is caught by the
anchors, at the row too).
"""

import json
import shutil
import sqlite3
from contextlib import closing

import pytest
from audit_forge import cli, entry, fill, reforge, sql

from fleet.dispatch.anchor_file import default_anchor_dir, read_anchors
from fleet.dispatch.audit import AuditLog, open_readonly, verify_db
from fleet.dispatch.audit_key import default_key_path, load_key
from fleet.dispatch.chain import AuditKey
from fleet.dispatch.errors import AuditKeyError


@pytest.fixture
def audit(tmp_path):
    """24 rows written and closed cleanly by a core (so anchored up to row 24)."""
    path = tmp_path / "audit.sqlite3"
    fill(path, 24)
    return path


def secret() -> bytes:
    return load_key(default_key_path()).secret


def verify(path, expect=None, anchors=True):
    with closing(open_readonly(path)) as conn:
        return verify_db(conn, expect, key=load_key(default_key_path()),
                         anchors=read_anchors(default_anchor_dir(path)) if anchors else None)


def test_the_probe_edit_row_21_and_rehash_with_the_plain_formula_is_named(audit, capsys):
    sql(audit, "UPDATE audit SET operator = 'Director Li' WHERE seq = 21")
    reforge(audit, 21, key=None)  # sha256(prev + canonical row), as the old docs said
    code, out, _ = cli(capsys, "--db", str(audit))
    assert code == 1
    assert "TAMPERED at row 21: contents do not match the row's HMAC" in out


def test_passing_rehashed_rows_off_as_the_older_unkeyed_format_is_named(audit, capsys):
    sql(audit, "UPDATE audit SET operator = 'Director Li' WHERE seq = 21")
    reforge(audit, 21, key=None, unkey=True)
    code, out, _ = cli(capsys, "--db", str(audit))
    assert code == 1 and "TAMPERED at row 21: an unkeyed (plain SHA-256) row" in out


def test_with_the_key_stolen_a_reforged_row_is_caught_by_the_anchors(audit, capsys):
    head = verify(audit).head
    sql(audit, "UPDATE audit SET operator = 'Director Li' WHERE seq = 21")
    reforge(audit, 21, key=secret())
    assert verify(audit, anchors=False).ok  # the rows alone are whole again...
    code, out, _ = cli(capsys, "--db", str(audit))  # ...but not against the anchors
    assert code == 1
    assert "TAMPERED at row 21: hash differs from the anchor of" in out
    # a head noted elsewhere (the broker's retained message) catches it too
    code, out, _ = cli(capsys, "--db", str(audit), "--no-anchors", "--expect-head",
                       json.dumps({"seq": 24, "head": head}))
    assert code == 1 and "a row at or before 24 was changed" in out
    code, out, _ = cli(capsys, "--db", str(audit), "--no-anchors", "--expect-head", head)
    assert code == 1 and "is in no row of the chain" in out and "row 25" not in out


def test_with_the_key_stolen_and_the_anchors_deleted_verify_still_fails(audit, capsys):
    sql(audit, "UPDATE audit SET operator = 'Director Li' WHERE seq = 21")
    reforge(audit, 21, key=secret())
    shutil.rmtree(default_anchor_dir(audit))
    code, out, _ = cli(capsys, "--db", str(audit))
    assert code == 1 and "TAMPERED: no anchors in" in out


@pytest.mark.parametrize("statements, bad, problem", [
    # edited in place, hash left as it was
    (["UPDATE audit SET data = '{\"i\":99}' WHERE seq = 7"], 7, "do not match the row's HMAC"),
    # a middle row deleted: the missing one is named, not the next
    (["DELETE FROM audit WHERE seq = 10"], 10, "row 10 missing (deleted?)"),
    (["DELETE FROM audit WHERE seq IN (10, 11)"], 10, "rows 10-11 missing"),
    # rows cut off the end: the close anchor covers row 24
    (["DELETE FROM audit WHERE seq > 20"], 21, "rows 21-24 missing: removed from the end"),
    # two rows swapped (their seq exchanged)
    (["UPDATE audit SET seq = -5 WHERE seq = 5", "UPDATE audit SET seq = 5 WHERE seq = 6",
      "UPDATE audit SET seq = 6 WHERE seq = -5"], 5, "prev_hash does not match"),
    # the key_id column pointed at another key
    (["UPDATE audit SET key_id = 'feedfeedfeedfeed' WHERE seq = 3"], 3, "sealed with key"),
])
def test_each_kind_of_tampering_names_the_first_bad_row(audit, capsys, statements, bad,
                                                       problem):
    sql(audit, *statements)
    result = verify(audit)
    assert not result.ok and result.bad_seq == bad and problem in result.problem
    code, out, _ = cli(capsys, "--db", str(audit), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False and doc["bad_seq"] == bad


def test_swapped_rows_rehashed_with_the_key_are_caught_by_the_anchors(audit):
    sql(audit, "UPDATE audit SET seq = -5 WHERE seq = 5", "UPDATE audit SET seq = 5 WHERE seq = 6",
        "UPDATE audit SET seq = 6 WHERE seq = -5")
    reforge(audit, 5, key=secret())
    assert verify(audit, anchors=False).ok
    result = verify(audit)
    assert result.bad_seq == 5 and "differs from the anchor" in result.problem


def test_rows_appended_after_a_clean_shutdown_are_named(audit):
    """With the key, rows appended later chain perfectly; but the core closed at row 24
    and no core has started since, so nobody legitimate wrote them."""
    key = load_key(default_key_path())
    shutil.copytree(default_anchor_dir(audit), audit.parent / "saved")
    fill(audit, 2, start=25, key=key)  # a writer that anchors (then: legitimate)...
    shutil.rmtree(default_anchor_dir(audit))
    shutil.copytree(audit.parent / "saved", default_anchor_dir(audit))  # ...hidden
    result = verify(audit)
    assert not result.ok and result.bad_seq == 25
    assert "rows 25-26 after the core's clean shutdown at row 24" in result.problem


def test_rows_appended_without_the_key_are_named(audit):
    sql(audit, ("INSERT INTO audit SELECT seq + 1, time + 1, operator, kind, incident, unit, "
                "data, hash, hash, key_id FROM audit WHERE seq = 24"))
    result = verify(audit)
    assert not result.ok and result.bad_seq == 25 and "HMAC" in result.problem


def test_a_live_writers_newest_rows_are_unanchored_not_tampered(tmp_path):
    path = tmp_path / "audit.sqlite3"
    with AuditLog(path, checkpoint_rows=10) as log:
        log.append_sync(*(entry(i) for i in range(1, 11)))  # anchored at 10
        log.append_sync(*(entry(i) for i in range(11, 14)))
        result = verify(path)
        assert result.ok and result.anchored == 10
        assert any("rows 11-13 not anchored yet" in n for n in result.notes)
    result = verify(path)  # the close anchors the rest
    assert result.ok and result.anchored == 13 and result.rows == 13


def test_a_crash_leaves_rows_unanchored_and_the_next_start_anchors_them(tmp_path):
    path = tmp_path / "audit.sqlite3"
    fill(path, 5)
    fill(path, 5, start=6)
    # as if the core had died after committing rows 6-10: no close anchor covers them
    day = sorted(default_anchor_dir(path).iterdir())[-1]
    lines = day.read_text().splitlines()
    assert '"event":"close"' in lines[-1] and '"event":"open"' in lines[-2]
    day.write_text("\n".join(lines[:-1]) + "\n")
    result = verify(path)
    assert result.ok and result.anchored == 5
    with AuditLog(path):  # the next start's open anchor carries rows 6-10
        pass
    result = verify(path)
    assert result.ok and result.anchored == 10


def test_the_wrong_key_cannot_check_and_cannot_write(audit, capsys, tmp_path):
    other = tmp_path / "other.key"
    other.write_text("ab" * 32 + "\n")
    other.chmod(0o600)
    code, out, err = cli(capsys, "--db", str(audit), "--key", str(other))
    assert code == 2 and out == ""
    assert "wrong key" in err and load_key(other).key_id in err
    with pytest.raises(AuditKeyError, match="is sealed with audit key"):
        AuditLog(audit, key_file=other).open()
    with pytest.raises(AuditKeyError, match="is sealed with audit key"):
        AuditLog(audit, key=AuditKey.from_secret(b"\1" * 32)).open()
    assert verify(audit).ok  # refused before anything was written


def test_without_the_key_links_and_anchors_are_still_checked(audit, capsys, tmp_path):
    code, out, _ = cli(capsys, "--db", str(audit), "--key", str(tmp_path / "nope.key"))
    assert code == 2
    code, out, _ = cli(capsys, "--db", str(audit), "--no-key")
    assert code == 0 and "MACs not checked" in out
    sql(audit, "DELETE FROM audit WHERE seq > 22")
    code, out, _ = cli(capsys, "--db", str(audit), "--no-key")
    assert code == 1 and "TAMPERED at row 23" in out


def test_verify_reports_format_key_and_anchoring(audit, capsys):
    code, out, _ = cli(capsys, "--db", str(audit), "--json")
    doc = json.loads(out)
    key = load_key(default_key_path())
    assert code == 0 and doc["ok"] is True and doc["rows"] == 24 and doc["anchored"] == 24
    assert doc["key_id"] == key.key_id and doc["format"] == f"HMAC-SHA256, key {key.key_id}"
    code, out, _ = cli(capsys, "--db", str(audit), "--expect-head", f"24:{doc['head']}")
    assert code == 0 and out.splitlines()[0].endswith(doc["head"])
    assert "format: HMAC-SHA256" in out
    with pytest.raises(SystemExit) as exit_:
        cli(capsys, "--db", str(audit), "--expect-head", "24:xyz")
    assert exit_.value.code == 2 and "64-digit hex hash" in capsys.readouterr().err


def test_an_edited_anchor_line_fails_the_check(audit):
    day = sorted(default_anchor_dir(audit).iterdir())[-1]
    day.write_text(day.read_text().replace('"event":"close"', '"event":"closed"'))
    result = verify(audit)
    assert not result.ok and "not an anchor" in result.problem


def test_a_torn_last_anchor_line_is_only_a_note(audit):
    day = sorted(default_anchor_dir(audit).iterdir())[-1]
    with day.open("a") as f:
        f.write('{"v":1,"seq":2')  # a crash mid-write
    result = verify(audit)
    assert result.ok and any("unfinished last line" in n for n in result.notes)


def test_the_database_itself_still_refuses_updates(audit):
    conn = sqlite3.connect(audit)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET key_id = NULL")
    conn.close()
