"""Anchoring the audit's head: the cadence (rows, a fake clock, open and close), a failed
anchor write never failing an append, the hand-off to asyncio, and the retained
``{prefix}/audit/head`` on a real broker that ``fleet audit verify --expect-head`` takes."""

import asyncio
import json
import sqlite3
import threading
from contextlib import closing

import aiomqtt
import pytest
from audit_forge import cli

from fleet.config import load_config
from fleet.dispatch.anchor import TRAIL_MAX, Anchor, from_line, parse_expected, to_line
from fleet.dispatch.anchor_file import AnchorWriter, read_anchors
from fleet.dispatch.audit import SCHEMA, connect
from fleet.dispatch.audit_heads import HeadFeed
from fleet.dispatch.chain import GENESIS
from fleet.dispatch.checkpoints import Checkpointer
from fleet.service import FleetService


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def db_with(n: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO audit VALUES (?, 1.0, 'op', 'k', NULL, NULL, '{}', ?, ?, 'x')",
                     [(i, f"{i - 1:064x}", f"{i:064x}") for i in range(1, n + 1)])
    return conn


def rows(first: int, last: int) -> list[tuple[int, str]]:
    return [(i, f"{i:064x}") for i in range(first, last + 1)]


def events(directory) -> list[tuple[str, int, int]]:
    return [(a.event, a.seq, len(a.trail)) for a, _ in read_anchors(directory).anchors]


def checkpointer(tmp_path, **kw) -> tuple[Checkpointer, HeadFeed, Clock]:
    heads, clock = HeadFeed(), Clock()
    cp = Checkpointer(AnchorWriter(tmp_path / "anchors"), heads, "kid", wall=clock,
                      monotonic=clock, **kw)
    return cp, heads, clock


def test_anchors_every_n_rows_and_at_open_and_close(tmp_path):
    cp, heads, _ = checkpointer(tmp_path, every_rows=3)
    cp.start(db_with(2))  # the open anchor carries the rows before it
    for r in rows(3, 9):
        cp.committed([r])
    cp.close()
    assert events(tmp_path / "anchors") == [("open", 2, 2), ("checkpoint", 5, 3),
                                            ("checkpoint", 8, 3), ("close", 9, 1)]
    assert heads.latest is not None and heads.latest.seq == 9 and heads.latest.key_id == "kid"


def test_a_quiet_stretch_is_anchored_after_the_interval(tmp_path):
    cp, _, clock = checkpointer(tmp_path, every_rows=100, every_s=60.0)
    cp.start(db_with(0))
    assert cp.timeout() is None  # nothing pending: the writer sleeps until a job comes
    cp.committed(rows(1, 2))
    assert cp.timeout() == 60.0
    clock.now += 59.0
    cp.tick()
    assert events(tmp_path / "anchors") == [("open", 0, 0)]
    clock.now += 1.0
    cp.tick()
    assert events(tmp_path / "anchors")[-1] == ("checkpoint", 2, 2)
    assert cp.timeout() is None


def test_a_long_unanchored_stretch_is_written_in_several_lines(tmp_path):
    cp, _, _ = checkpointer(tmp_path)
    cp.start(db_with(TRAIL_MAX + 3))
    assert events(tmp_path / "anchors") == [("checkpoint", TRAIL_MAX, TRAIL_MAX),
                                            ("open", TRAIL_MAX + 3, 3)]


def test_a_failed_anchor_write_keeps_the_rows_for_the_next_one(tmp_path, caplog):
    blocker = tmp_path / "anchors"
    blocker.write_text("a file where the directory should be")
    cp, heads, _ = checkpointer(tmp_path, every_rows=2)
    cp.start(db_with(0))
    cp.committed(rows(1, 2))
    assert cp.error is not None and "cannot write the audit anchor" in caplog.text
    assert heads.latest is not None and heads.latest.seq == 2  # the broker still hears it
    blocker.unlink()
    cp.committed(rows(3, 4))
    assert cp.error is None
    assert events(tmp_path / "anchors") == [("checkpoint", 4, 4)]


def test_anchor_lines_round_trip_and_bad_ones_are_refused():
    a = Anchor(1.5, 3, "ab" * 32, "kid", "close", ("00000001", "00000002", "abababab"))
    assert from_line(to_line(a)) == a
    for text, why in [("{}", "version 1"), ('{"v":1,"time":1,"seq":-1}', "seq"),
                      (to_line(a).replace("abababab\"", "abababac\""), "end with the head"),
                      (to_line(a).replace('"close"', '"late"'), "event")]:
        with pytest.raises(ValueError, match=why):
            from_line(text)


def test_expected_heads_in_three_spellings():
    h = "cd" * 32
    assert parse_expected(h).seq is None
    assert parse_expected(f"12:{h}").seq == 12
    assert parse_expected(json.dumps({"v": 1, "seq": 7, "head": h, "event": "open"})).seq == 7
    with pytest.raises(ValueError):
        parse_expected("12:" + h[:-1])


async def test_the_feed_hands_checkpoints_from_a_thread_to_asyncio():
    feed = HeadFeed()
    waiting = asyncio.ensure_future(feed.wait_newer(0))  # before or after the put: both work
    a = Anchor(1.0, 1, "ab" * 32, None)
    threading.Thread(target=feed.put, args=(a,)).start()
    version, got = await asyncio.wait_for(waiting, 5)
    assert (version, got) == (1, a)
    assert await asyncio.wait_for(feed.wait_newer(0), 1) == (1, a)  # the latest, at once


def test_the_writer_thread_anchors_at_open_and_close(tmp_path):
    from fleet.dispatch.audit import AuditLog
    from fleet.dispatch.chain import AuditEntry

    heads = HeadFeed()
    with AuditLog(tmp_path / "a.sqlite3", heads=heads, checkpoint_rows=2) as log:
        assert heads.latest is not None and heads.latest.event == "open"
        assert heads.latest.head == GENESIS
        log.append_sync(*(AuditEntry("note", float(i), "op") for i in range(3)))
        assert log.checkpoints is not None and log.checkpoints.written == 2
    assert heads.latest.event == "close" and heads.latest.seq == 3
    conn = connect(str(tmp_path / "a.sqlite3"))
    with closing(conn):
        assert conn.execute("SELECT hash FROM audit WHERE seq = 3").fetchone()[0] == \
            heads.latest.head


# -- the retained head on a real broker ---------------------------------------------------
def write_config(tmp_path, broker) -> str:
    path = tmp_path / "fleet.toml"
    path.write_text(f"""
units = [{{ id = "car-1", callsign = "Car 1", kind = "patrol_car" }}]
[fleet]
name = "Testcity"
[mqtt]
url = "{broker.url}"
keepalive_s = 5
[dispatch]
audit_db = "audit.sqlite3"
audit_checkpoint_rows = 1
[[zones]]
id = "downtown"
name = "Downtown"
target_min = 3
polygon = [[26.910, 112.575], [26.910, 112.635], [26.868, 112.635], [26.868, 112.575]]
""", encoding="utf-8")
    return str(path)


async def retained_head(broker, predicate) -> dict:
    """The retained audit/head message, read by a fresh subscriber, once it satisfies
    ``predicate`` (each publication replaces the retained one)."""
    async with aiomqtt.Client(broker.host, broker.port, identifier="audit-reader") as c:
        await c.subscribe("fleet/v1/audit/head", qos=1)
        async with asyncio.timeout(10):
            async for message in c.messages:
                doc = json.loads(bytes(message.payload))
                if predicate(doc):
                    return doc
    raise AssertionError("unreachable")


@pytest.mark.broker
async def test_the_core_publishes_its_audit_head_retained(tmp_path, broker, capsys):
    path = write_config(tmp_path, broker)
    async with FleetService(load_config(path)) as svc:
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        opened = await retained_head(broker, lambda d: d["event"] == "open")
        assert opened["seq"] == 0 and opened["head"] == GENESIS
        inc = await c.new_incident(26.88, 112.60, "theft")
        await c.add_note(inc.id, "seen running north")
        later = await retained_head(broker, lambda d: d["seq"] >= 2)
    assert later["event"] in ("checkpoint", "close") and len(later["head"]) == 64
    db = tmp_path / "audit.sqlite3"
    code, out, err = cli(capsys, "--db", str(db), "--expect-head", json.dumps(later))
    assert code == 0, out + err
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT hash FROM audit WHERE seq = ?", (later["seq"],)
                            ).fetchone()[0] == later["head"]
