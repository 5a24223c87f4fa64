"""The audit: an append-only, hash-chained SQLite log of every incident event, command,
acknowledgement and operator action, durable before it is acknowledged.

* One writer thread owns the connection. Appends queue up (bounded: a full queue is an
  :class:`AuditOverloadError`, never a silent drop) and are committed in batches, one
  transaction and one fsync per batch; each append's future resolves only after its
  batch committed. So under load many appends share an fsync, and an acknowledged
  append survives ``kill -9`` (and, with synchronous=FULL, a power cut).
* WAL journal, ``synchronous=FULL``: NORMAL would survive a process crash too (the WAL
  is in the OS page cache), but not a power loss or kernel panic, and an audit of police
  calls must; batching keeps FULL's fsync per commit cheap (docs/dispatch.md, figures).
* Triggers refuse UPDATE and DELETE; the keyed hash chain (:mod:`.chain`, an HMAC with
  a key kept apart from the file, :mod:`.audit_key`) detects edits made around them (a
  hex editor, a dropped trigger), and the anchors (:mod:`.checkpoints`: an append-only
  file and the broker's retained ``audit/head``) catch a re-forge by someone who also
  has the key, and rows cut off the end.
* The file, its WAL and shared-memory files and its lock are mode 0600 whatever the
  umask (created so; an older, wider file is narrowed when opened for writing).
* ``BEGIN IMMEDIATE`` plus reading the chain head inside the transaction keeps the chain
  right even if a second process appends to the same file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import queue
import sqlite3
import threading

try:
    import fcntl
except ImportError:  # not on Windows: no writer lock there
    fcntl = None  # type: ignore[assignment]
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .anchor import ExpectedHead, parse_expected
from .anchor_file import AnchorWriter, default_anchor_dir
from .audit_check import AnchorSet, Verification, check
from .audit_heads import HeadFeed
from .audit_key import default_key_path, load_or_create_key
from .chain import (
    GENESIS,
    AuditEntry,
    AuditKey,
    AuditRecord,
    StoredRow,
    canonical,
    record,
    seal,
)
from .checkpoints import Checkpointer
from .errors import AuditError, AuditKeyError, AuditOverloadError

if TYPE_CHECKING:
    from .settings import DispatchSettings

log = logging.getLogger("fleet.dispatch.audit")
T = TypeVar("T")
#: 1: plain SHA-256 rows; 2: adds ``key_id`` (HMAC-SHA256 rows; older rows kept as they were)
SCHEMA_VERSION = 2
COLUMNS = "seq, time, operator, kind, incident, unit, data, prev_hash, hash, key_id"
PRIVATE = 0o600
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,  -- 1, 2, 3... without gaps
    time      REAL NOT NULL,        -- Unix seconds
    operator  TEXT NOT NULL,
    kind      TEXT NOT NULL,        -- incident.received, unit.on_scene, command.sent...
    incident  TEXT,
    unit      TEXT,
    data      TEXT NOT NULL,        -- canonical JSON object
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    key_id    TEXT                  -- the key's id (never the key); NULL: plain SHA-256
);
CREATE INDEX IF NOT EXISTS audit_incident ON audit (incident);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
PRAGMA user_version = {SCHEMA_VERSION};
"""
_INSERT = f"INSERT INTO audit ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


@dataclass(slots=True)
class _Append:
    entries: Sequence[AuditEntry]
    future: concurrent.futures.Future[list[AuditRecord]]


@dataclass(slots=True)
class _Read:
    fn: Callable[[sqlite3.Connection], Any]
    future: concurrent.futures.Future[Any]


_STOP = object()


class AuditLog:
    """``with AuditLog(path) as log: log.append_sync(entry)``; ``await log.append(...)``
    from asyncio. ``path`` may be ``":memory:"`` (tests; gone at close: sealed with a
    throw-away key, not anchored).

    ``key``, else the key file ``key_file`` (default :func:`.default_key_path`, created
    on first use), seals every row. Anchors go to ``anchor_dir`` (default
    ``<path>.anchors``) every ``checkpoint_rows`` rows or ``checkpoint_s`` seconds and
    at open and close, and to ``heads`` (for the broker) when given."""

    def __init__(self, path: str | os.PathLike[str], *, queue_max: int = 10_000,
                 batch_max: int = 1000, key: AuditKey | None = None,
                 key_file: str | os.PathLike[str] | None = None,
                 anchor_dir: str | os.PathLike[str] | None = None,
                 checkpoint_rows: int = 100, checkpoint_s: float = 300.0,
                 heads: HeadFeed | None = None) -> None:
        self.path = os.fspath(path)
        self.batch_max = batch_max
        self.key = key
        self.key_file = Path(key_file) if key_file is not None else None
        memory = self.path == ":memory:"
        self.anchor_dir = None if memory else Path(
            anchor_dir if anchor_dir is not None else default_anchor_dir(self.path))
        self.checkpoint_rows = checkpoint_rows
        self.checkpoint_s = checkpoint_s
        self.heads = heads
        self.checkpoints: Checkpointer | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_max)
        self._thread: threading.Thread | None = None
        self._opened = concurrent.futures.Future[None]()
        self._broken: str | None = None
        self._lock: _WriterLock | None = None
        self.commits = 0  # transactions (fsyncs) so far, for the benchmark

    @classmethod
    def configured(cls, path: str, settings: DispatchSettings,
                   heads: HeadFeed | None = None) -> AuditLog:
        """The audit as ``[dispatch]`` sets it up (key file, anchors, cadence)."""
        return cls(path, key_file=settings.audit_key_file,
                   anchor_dir=settings.audit_anchor_dir,
                   checkpoint_rows=settings.audit_checkpoint_rows,
                   checkpoint_s=settings.audit_checkpoint_min * 60.0, heads=heads)

    # -- lifecycle --------------------------------------------------------------------
    def open(self) -> AuditLog:
        """Start the writer and wait until the file is open and its schema checked.
        One writer per file: a second fleet core on the same audit would number its
        incidents from the same count (two INC-…-011 stop the next start's resume), so
        it is refused here, naming the process that holds the file."""
        if self._thread is not None:
            raise AuditError("audit log already open")
        self._lock = _WriterLock.take(self.path)
        self._thread = threading.Thread(target=self._run, name="fleet-audit", daemon=True)
        self._thread.start()
        try:
            self._opened.result()  # raises AuditError from the thread
        except AuditError:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Commit everything queued, then stop the writer."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> AuditLog:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- appends ----------------------------------------------------------------------
    def submit(self, entries: Sequence[AuditEntry]) -> concurrent.futures.Future[list[AuditRecord]]:
        """Queue ``entries`` to be committed together; the future gives their records."""
        for e in entries:
            try:
                canonical(dict(e.data))
            except (TypeError, ValueError) as exc:
                raise AuditError(f"{e.kind}: data cannot be stored as JSON: {exc}") from None
        future = concurrent.futures.Future[list[AuditRecord]]()
        self._put(_Append(tuple(entries), future))
        return future

    def append_sync(self, *entries: AuditEntry, timeout: float | None = None
                    ) -> list[AuditRecord]:
        return self.submit(entries).result(timeout)

    async def append(self, *entries: AuditEntry) -> list[AuditRecord]:
        """Append and wait (without blocking the loop) until they are durable."""
        return await asyncio.wrap_future(self.submit(entries))

    # -- reads (run on the writer's connection, so ":memory:" works too) ---------------
    def read(self, fn: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        future = concurrent.futures.Future[T]()
        self._put(_Read(fn, future))
        return future

    async def records(self, *, incident: str | None = None, since: float | None = None
                      ) -> list[AuditRecord]:
        return await asyncio.wrap_future(self.read(
            lambda conn: list(select(conn, incident=incident, since=since))))

    def _put(self, job: _Append | _Read) -> None:
        if self._broken is not None:
            raise AuditError(f"audit writer stopped: {self._broken}")
        if self._thread is None:
            raise AuditError("audit log is not open")
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise AuditOverloadError(
                f"audit queue full ({self._queue.maxsize} pending): not recorded") from None

    # -- the writer thread --------------------------------------------------------------
    def _run(self) -> None:
        try:
            conn = connect(self.path)
        except AuditError as exc:
            self._broken = str(exc)
            self._opened.set_exception(exc)
            return
        try:
            self._start_chain(conn)
        except (AuditError, sqlite3.Error, OSError) as exc:
            conn.close()
            error = exc if isinstance(exc, AuditError) else AuditError(
                f"{self.path}: cannot open the audit: {exc}")
            self._broken = str(error)
            self._opened.set_exception(error)
            return
        self._opened.set_result(None)
        try:
            self._serve(conn)
        except BaseException as exc:  # a bug: fail every waiter rather than hang them
            self._broken = f"{type(exc).__name__}: {exc}"
            self._fail_pending(AuditError(f"audit writer stopped: {self._broken}"))
            raise
        finally:
            conn.close()

    def _start_chain(self, conn: sqlite3.Connection) -> None:
        """Load the key (made on first use: never for a file another key sealed), refuse
        a key other than the one that sealed the file, then anchor the head."""
        row = conn.execute("SELECT key_id FROM audit WHERE key_id IS NOT NULL "
                           "ORDER BY seq DESC LIMIT 1").fetchone()
        if self.key is None:
            self.key = self._load_key(row[0] if row else None)
        if row is not None and row[0] != self.key.key_id:
            raise AuditKeyError(
                f"{self.path} is sealed with audit key {row[0]}, but {self.key.source} is "
                f"key {self.key.key_id}: restore the key that sealed it ([dispatch] "
                "audit_key_file), or start a new audit file")
        if self.anchor_dir is not None:
            self.checkpoints = Checkpointer(
                AnchorWriter(self.anchor_dir), self.heads, self.key.key_id,
                every_rows=self.checkpoint_rows, every_s=self.checkpoint_s)
            self.checkpoints.start(conn)

    def _load_key(self, sealed_with: str | None) -> AuditKey:
        if self.path == ":memory:":
            return AuditKey.from_secret(os.urandom(32), "ephemeral")
        path = self.key_file or default_key_path()
        if sealed_with is not None and not (path.exists() or path.is_symlink()):
            raise AuditKeyError(f"{path}: no audit key there, and {self.path} is sealed "
                                f"with key {sealed_with}: restore that key (or set [dispatch] "
                                "audit_key_file to it)")
        return load_or_create_key(path)

    def _next(self) -> Any:
        """The next job, or None when a timed checkpoint falls due first."""
        timeout = self.checkpoints.timeout() if self.checkpoints is not None else None
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def _serve(self, conn: sqlite3.Connection) -> None:
        stop = False
        while not stop:
            first = self._next()
            if first is None:
                if self.checkpoints is not None:
                    self.checkpoints.tick()
                continue
            batch = [first]
            while len(batch) < self.batch_max:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stop = True
                batch = [j for j in batch if j is not _STOP]
            appends = [j for j in batch if isinstance(j, _Append)]
            if appends:
                self._commit(conn, appends)
            for job in batch:
                if isinstance(job, _Read) and job.future.set_running_or_notify_cancel():
                    try:
                        job.future.set_result(job.fn(conn))
                    except Exception as exc:
                        job.future.set_exception(exc)
            if self.checkpoints is not None:
                if stop:
                    self.checkpoints.close()
                else:
                    self.checkpoints.tick()

    def _commit(self, conn: sqlite3.Connection, jobs: list[_Append]) -> None:
        # A caller that gave up (cancelled) still gets its rows written: the record
        # must not depend on who was still waiting. Only its answer is dropped.
        waiting = [job.future.set_running_or_notify_cancel() for job in jobs]
        results: list[list[AuditRecord]] = []
        key = self.key
        assert key is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
            last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = last if last else (0, GENESIS)
            rows: list[StoredRow] = []
            for job in jobs:
                records = []
                for e in job.entries:
                    seq += 1
                    data_json, digest = seal(e, seq, prev, key)
                    row = (seq, float(e.time), e.operator, e.kind, e.incident, e.unit,
                           data_json, prev, digest, key.key_id)
                    rows.append(row)
                    records.append(AuditRecord(seq, float(e.time), e.operator, e.kind,
                                               e.incident, e.unit, dict(e.data), prev, digest,
                                               key.key_id))
                    prev = digest
                results.append(records)
            conn.executemany(_INSERT, rows)
            conn.execute("COMMIT")
            self.commits += 1
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            error = AuditError(f"audit write failed, nothing recorded: {exc}")
            for job, live in zip(jobs, waiting, strict=True):
                if live:
                    job.future.set_exception(error)
            return
        if self.checkpoints is not None:  # before the answers: an append that returns
            try:  # is anchored if one was due
                self.checkpoints.committed([(r[0], r[8]) for r in rows])
            except Exception:  # a bug in anchoring must not leave appends unanswered
                log.exception("audit checkpoint failed")
        for job, records, live in zip(jobs, results, waiting, strict=True):
            if live:
                job.future.set_result(records)

    def _fail_pending(self, error: AuditError) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not _STOP and job.future.set_running_or_notify_cancel():
                job.future.set_exception(error)


def connect(path: str) -> sqlite3.Connection:
    """Open (creating) an audit file for writing: WAL, synchronous=FULL, mode 0600, schema
    checked, a schema-1 file upgraded in place (its rows stay as they were)."""
    try:
        if path != ":memory:":
            Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _make_private(path)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA busy_timeout = 5000")
        if path != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise AuditError(f"{path}: cannot use WAL journal (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise AuditError(f"{path}: audit schema {version} is newer than this fleet "
                             f"({SCHEMA_VERSION})")
        columns = {r[1] for r in conn.execute("PRAGMA table_info(audit)")}
        if columns and "key_id" not in columns:  # schema 1: keyed rows follow its rows
            conn.execute("ALTER TABLE audit ADD COLUMN key_id TEXT")
        conn.executescript(SCHEMA)
        return conn
    except sqlite3.Error as exc:
        raise AuditError(f"{path}: cannot open the audit database: {exc}") from None
    except OSError as exc:
        raise AuditError(f"{path}: cannot open the audit database: {exc.strerror or exc}"
                         ) from None


def _make_private(path: str) -> None:
    """Create the file 0600 (SQLite gives its -wal and -shm the file's mode), or narrow an
    existing one and its companions: the audit names callers, victims and places."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), PRIVATE)
    try:
        if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o777 != PRIVATE:
            with contextlib.suppress(PermissionError):  # not ours: leave it to its owner
                os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            if os.stat(path + suffix).st_mode & 0o777 != PRIVATE:
                os.chmod(path + suffix, PRIVATE)


class _WriterLock:
    """An advisory lock (flock) on ``<audit>.lock`` held while a writer is open; the
    file says which process holds it. Released by the OS if the process dies."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def take(cls, path: str) -> _WriterLock | None:
        if path == ":memory:" or fcntl is None:
            return None
        lock_path = f"{path}.lock"
        try:
            Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE)
            if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o777 != PRIVATE:
                with contextlib.suppress(PermissionError):
                    os.fchmod(fd, PRIVATE)
        except OSError as exc:
            raise AuditError(f"{path}: cannot open the audit database (its writer lock "
                             f"{lock_path}: {exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise AuditError(f"{path} is in use by another fleet core (pid {holder}); one "
                             "core per audit file") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return cls(fd)

    def release(self) -> None:
        os.close(self.fd)  # closing drops the flock


def open_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection for verify, export and reports (the writer may be live)."""
    p = Path(path)
    if not p.is_file():
        raise AuditError(f"{p}: no audit database there")
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM audit LIMIT 1")
        if schema_version(conn) < 2:  # read as schema 2: every row unkeyed
            conn.execute("CREATE TEMP VIEW audit AS SELECT *, NULL AS key_id FROM main.audit")
        return conn
    except sqlite3.Error as exc:
        raise AuditError(f"{p}: not a readable audit database: {exc}") from None


def select(conn: sqlite3.Connection, *, incident: str | None = None,
           since: float | None = None, until: float | None = None,
           kinds: Iterable[str] | None = None) -> Iterator[AuditRecord]:
    where: list[str] = []
    args: list[Any] = []
    if kinds is not None:
        names = sorted(kinds)
        where.append(f"kind IN ({', '.join('?' * len(names))})")
        args += names
    for clause, value in (("incident = ?", incident), ("time >= ?", since),
                          ("time < ?", until)):
        if value is not None:
            where.append(clause)
            args.append(value)
    sql = f"SELECT {COLUMNS} FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    for row in conn.execute(sql + " ORDER BY seq", args):
        yield record(row)


def default_audit_path() -> Path:
    """Where the audit lives when the config names no file: next to fleet's logs."""
    from fleet.logs import default_log_dir

    return default_log_dir() / "audit.sqlite3"


def select_open(conn: sqlite3.Connection) -> list[AuditRecord]:
    """Every row of every incident not yet closed or cancelled (to resume after a restart)."""
    sql = (f"SELECT {COLUMNS} FROM audit WHERE incident IN ("
           "SELECT incident FROM audit WHERE kind = 'incident.received' EXCEPT "
           "SELECT incident FROM audit WHERE kind IN ('incident.closed', 'incident.cancelled')"
           ") ORDER BY seq")
    return [record(r) for r in conn.execute(sql)]


def count_received(conn: sqlite3.Connection, id_prefix: str) -> int:
    sql = "SELECT COUNT(*) FROM audit WHERE kind = 'incident.received' AND incident LIKE ?"
    return int(conn.execute(sql, (id_prefix.replace("%", "") + "%",)).fetchone()[0])


def schema_version(conn: sqlite3.Connection) -> int:
    """1 for a file written before the key (no ``key_id`` column), else 2."""
    columns = {r[1] for r in conn.execute("PRAGMA main.table_info(audit)")}
    return 2 if "key_id" in columns else 1


def sealing_keys(conn: sqlite3.Connection) -> list[str]:
    """The ids of the keys that sealed rows (none for an unkeyed file)."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT key_id FROM audit WHERE key_id IS NOT NULL ORDER BY key_id")]


def verify_db(conn: sqlite3.Connection, expect_head: str | ExpectedHead | None = None, *,
              key: AuditKey | None = None, anchors: AnchorSet | None = None) -> Verification:
    """Check the file (:func:`.audit_check.check`). Without ``key`` keyed rows' MACs are
    not checked, without ``anchors`` nor are anchors: ``fleet audit verify`` gives both."""
    if isinstance(expect_head, str):
        expect_head = parse_expected(expect_head)
    rows = conn.execute(f"SELECT {COLUMNS} FROM audit ORDER BY seq").fetchall()
    return check(rows, key=key, anchors=anchors, expected=expect_head,
                 anchors_required=any(r[9] is not None for r in rows))
