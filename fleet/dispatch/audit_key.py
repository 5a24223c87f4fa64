"""The audit key: a file of 64 hex digits (32 random bytes), kept apart from the database.

Default ``$XDG_CONFIG_HOME/fleet/audit.key`` (``~/.config/fleet/audit.key``), or the
config's ``[dispatch] audit_key_file``; the core creates it on first use, mode 0600 in a
0700 directory, atomically (two cores starting at once end up with the same key). A key
file others can read or write is refused, as ssh refuses such a private key: the key is
what makes a re-hashed row detectable, so whoever can read it can re-forge the chain.

The database stores only the key's id (:func:`.chain.key_id_of`), never the key.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from .chain import KEY_BYTES, AuditKey
from .errors import AuditKeyError

KEY_HEX = 2 * KEY_BYTES


def default_key_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(config) / "fleet" / "audit.key"


def load_key(path: str | os.PathLike[str]) -> AuditKey:
    """Read a key file; AuditKeyError saying what is wrong (missing, mode, content)."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise AuditKeyError(f"{p}: no audit key there") from None
    except OSError as exc:
        raise AuditKeyError(f"{p}: cannot read the audit key: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise AuditKeyError(f"{p}: the audit key must be a regular file")
        if os.name == "posix" and st.st_mode & 0o077:
            raise AuditKeyError(f"{p}: the audit key is open to others (mode "
                                f"{stat.S_IMODE(st.st_mode):04o}); chmod 600 {p}")
        raw = os.read(fd, KEY_HEX + 64)
    finally:
        os.close(fd)
    return parse_key(raw, str(p))


def parse_key(raw: bytes, source: str) -> AuditKey:
    text = raw.decode("ascii", errors="replace").strip()
    if len(text) != KEY_HEX:
        raise AuditKeyError(f"{source}: not an audit key: expected {KEY_HEX} hex digits on "
                            f"one line, found {len(text)} characters")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise AuditKeyError(f"{source}: not an audit key: expected {KEY_HEX} hex digits"
                            ) from None
    return AuditKey.from_secret(secret, source)


def load_or_create_key(path: str | os.PathLike[str]) -> AuditKey:
    """The key at ``path``, created (0600, atomically, never overwriting) if missing."""
    p = Path(path)
    if p.exists() or p.is_symlink():
        return load_key(p)
    try:
        _create(p)
    except FileExistsError:
        pass  # another process made it first: use theirs
    except OSError as exc:
        raise AuditKeyError(f"{p}: cannot create the audit key: {exc.strerror or exc}"
                            ) from None
    return load_key(p)


def _create(p: Path) -> None:
    """Write to a private temporary file, then link it into place: the key appears whole
    or not at all, and an existing one is never replaced."""
    if not p.parent.exists():
        p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, os.urandom(KEY_BYTES).hex().encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, p)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(p.parent)


def _fsync_dir(d: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
