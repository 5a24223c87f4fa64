"""The audit: append-only, hash-chained, durable before acknowledged, tamper-evident."""

import asyncio
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from fleet.dispatch.anchor_file import default_anchor_dir, read_anchors
from fleet.dispatch.audit import AuditLog, open_readonly, select, verify_db
from fleet.dispatch.audit_key import default_key_path, load_key
from fleet.dispatch.chain import GENESIS, AuditEntry, canonical, row_hash
from fleet.dispatch.errors import AuditError, AuditOverloadError

HERE = Path(__file__).parent


def entry(i: int, **data) -> AuditEntry:
    return AuditEntry("incident.note", 1_800_000_000.0 + i, "Li Wei", f"INC-{i % 3}", None,
                      {"i": i, **data})


def fill(path: Path, n: int = 10) -> None:
    with AuditLog(path) as log:
        log.append_sync(*(entry(i) for i in range(n)))


def verify(path: Path, head: str | None = None, *, anchors: bool = True):
    """As ``fleet audit verify`` does: with the key and the anchors."""
    with closing(open_readonly(path)) as conn:
        return verify_db(conn, head, key=load_key(default_key_path()),
                         anchors=read_anchors(default_anchor_dir(path)) if anchors else None)


def tamper(path: Path, sql: str, *args) -> None:
    """What an attacker with the file does: drop the guards, edit, save."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_rows_chain_from_genesis_and_verify(tmp_path):
    path = tmp_path / "a.sqlite3"
    fill(path, 5)
    with closing(open_readonly(path)) as conn:
        rows = list(select(conn))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    for prev, row in itertools.pairwise(rows):
        assert row.prev_hash == prev.hash
    r = rows[2]
    key = load_key(default_key_path())
    assert r.key_id == key.key_id
    assert r.hash == row_hash(r.prev_hash, r.seq, r.time, r.operator, r.kind, r.incident,
                              r.unit, r.data, key.secret)
    result = verify(path)
    assert result.ok and result.rows == 5 and result.head == rows[-1].hash


def test_reopening_continues_the_chain(tmp_path):
    path = tmp_path / "a.sqlite3"
    fill(path, 3)
    fill(path, 3)
    result = verify(path)
    assert result.ok and result.rows == 6


def test_the_database_itself_refuses_updates_and_deletes(tmp_path):
    path = tmp_path / "a.sqlite3"
    fill(path, 3)
    conn = sqlite3.connect(path)
    for sql in ("UPDATE audit SET operator = 'x'", "DELETE FROM audit WHERE seq = 3"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


@pytest.mark.parametrize("sql, args, bad_row, problem", [
    ("UPDATE audit SET operator = ? WHERE seq = 4", ("Mallory",), 4, "row changed"),
    ("UPDATE audit SET time = time + 60 WHERE seq = 2", (), 2, "row changed"),
    ("UPDATE audit SET data = ? WHERE seq = 5", ('{"i": 4}',), 5, "canonical"),
    ("UPDATE audit SET data = ? WHERE seq = 5", ('{"i":99}',), 5, "row changed"),
    ("DELETE FROM audit WHERE seq = 6", (), 6, "row 6 missing"),
    ("UPDATE audit SET prev_hash = ? WHERE seq = 3", ("0" * 64,), 3, "prev_hash"),
])
def test_tampering_is_detected_and_the_first_bad_row_named(tmp_path, sql, args, bad_row,
                                                           problem):
    path = tmp_path / "a.sqlite3"
    fill(path, 10)
    tamper(path, sql, *args)
    result = verify(path)
    assert not result.ok and result.bad_seq == bad_row and problem in result.problem
    assert f"row {bad_row}" in result.message()


def test_a_cut_tail_is_caught_by_the_anchors_and_by_a_noted_head(tmp_path):
    path = tmp_path / "a.sqlite3"
    fill(path, 10)
    head = verify(path).head
    tamper(path, "DELETE FROM audit WHERE seq > 8")  # a clean truncation re-chains...
    assert verify(path, anchors=False).ok
    result = verify(path)  # ...but the anchor of the close covers row 10
    assert not result.ok and result.bad_seq == 9
    assert "rows 9-10 missing: removed from the end" in result.problem
    result = verify(path, f"10:{head}", anchors=False)  # and so does a noted SEQ:HASH
    assert not result.ok and result.bad_seq == 9
    result = verify(path, head, anchors=False)  # a bare hash: not placed, still caught
    assert not result.ok and result.bad_seq is None and "in no row" in result.problem


def test_data_json_cannot_carry_is_refused_before_queueing(tmp_path):
    with AuditLog(tmp_path / "a.sqlite3") as log:
        with pytest.raises(AuditError, match="cannot be stored as JSON"):
            log.submit([AuditEntry("x", 1.0, "op", data={"v": float("nan")})])
        with pytest.raises(AuditError, match="cannot be stored as JSON"):
            log.submit([AuditEntry("x", 1.0, "op", data={"v": object()})])
        assert log.append_sync(entry(1))[0].seq == 1  # nothing half-written before it


def test_canonical_json_is_stable():
    assert canonical({"b": 1, "a": [1.5, "é"]}) == '{"a":[1.5,"é"],"b":1}'


def test_a_full_queue_is_an_error_not_a_silent_drop(tmp_path):
    log = AuditLog(tmp_path / "a.sqlite3", queue_max=2)
    log.open()
    gate = threading.Event()
    log.read(lambda conn: gate.wait(5))  # hold the writer
    try:
        time.sleep(0.05)  # let the writer take the read job: only then is the queue empty
        log.submit([entry(1)])
        log.submit([entry(2)])
        with pytest.raises(AuditOverloadError, match="not recorded"):
            log.submit([entry(3)])
    finally:
        gate.set()
        log.close()
    assert verify(tmp_path / "a.sqlite3").rows == 2


def test_unwritable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(AuditError, match="cannot open the audit database"):
        AuditLog(blocker / "audit.sqlite3").open()
    with pytest.raises(AuditError, match="no audit database there"):
        open_readonly(tmp_path / "missing.sqlite3")


async def test_async_appends_batch_and_stay_ordered(tmp_path):
    path = tmp_path / "a.sqlite3"
    with AuditLog(path) as log:
        results = await asyncio.gather(*(log.append(entry(i)) for i in range(200)))
        assert sorted(r[0].seq for r in results) == list(range(1, 201))
        assert log.commits < 200  # concurrent appends shared commits (and fsyncs)
        records = await log.records(incident="INC-1")
        assert all(r.incident == "INC-1" for r in records) and len(records) == 67
    assert verify(path).ok


def test_kill_9_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "audit.sqlite3"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, str(HERE / "audit_writer.py"), str(path)],
                             stdout=subprocess.PIPE, text=True, env=env)
    acknowledged = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) >= 400:
                break
        child.send_signal(signal.SIGKILL)  # mid-stream: more appends were in flight
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    result = verify(path)
    assert result.ok, result.message()
    with closing(open_readonly(path)) as conn:
        stored = {r.seq: r for r in select(conn)}
    assert set(acknowledged) <= set(stored)
    assert stored[acknowledged[-1]].data["text"] == "负载 ✓"
    assert result.rows >= len(acknowledged)


def test_rows_are_json_exportable(tmp_path):
    path = tmp_path / "a.sqlite3"
    fill(path, 2)
    with closing(open_readonly(path)) as conn:
        dumped = [json.dumps(r.data) for r in select(conn)]
    assert dumped == ['{"i": 0}', '{"i": 1}']


def test_a_second_writer_on_the_same_audit_is_refused_naming_the_first(tmp_path):
    """Two cores on one audit file would number incidents from the same count; the
    second is refused (dispatch disabled with this reason), the first keeps writing."""
    import os

    from fleet.dispatch.audit import AuditLog
    from fleet.dispatch.chain import AuditEntry
    from fleet.dispatch.errors import AuditError

    path = tmp_path / "audit.sqlite3"
    with AuditLog(path) as first:
        busy = rf"in use by another fleet core \(pid {os.getpid()}\)"
        with pytest.raises(AuditError, match=busy):
            AuditLog(path).open()
        first.append_sync(AuditEntry("note", 1.0, "op", None, None, {}))
    with AuditLog(path) as again:  # released on close
        again.append_sync(AuditEntry("note", 2.0, "op", None, None, {}))
