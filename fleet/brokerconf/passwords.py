"""Passwords: made at random, kept in 0600 files, hashed into Mosquitto's password file.

The password file is written by ``mosquitto_passwd -U`` when it is installed (Mosquitto's
own hashing, whatever its version prefers); without it, fleet writes the same
PBKDF2-SHA512 ``$7$`` lines Mosquitto 2's ``mosquitto_passwd`` writes (101 iterations, a
12-byte salt), which Mosquitto 2.0 reads (tests/mqtt/test_broker_config.py starts one on
them). Passwords are 32 random URL-safe characters: nothing to guess, so the iteration
count guards nothing that matters and connecting 300 units stays cheap.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

PBKDF2_ITERATIONS = 101
SALT_BYTES = 12
PASSWD_TOOLS = ("mosquitto_passwd", "/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd")


def new_password() -> str:
    return secrets.token_urlsafe(24)


def hash_line(user: str, password: str, *, salt: bytes | None = None) -> str:
    """One password-file line, as Mosquitto 2's ``mosquitto_passwd`` writes it."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    return (f"{user}:$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}\n")


def find_passwd_tool() -> str | None:
    for name in PASSWD_TOOLS:
        path = shutil.which(name)
        if path:
            return path
    return None


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 from the first byte (never readable by
    others, even for a moment), replacing it atomically."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_password_file(path: Path, passwords: Mapping[str, str], *,
                        tool: str | None = None, use_tool: bool = True) -> None:
    """Mosquitto's password file for ``passwords`` (user -> plain password), mode 0600."""
    tool = (tool or find_passwd_tool()) if use_tool else None
    if tool is None or not passwords:  # (mosquitto_passwd -U fails on an empty file)
        write_private(path, "".join(hash_line(u, p) for u, p in passwords.items()))
        return
    plain = path.with_name(f".{path.name}.plain")
    write_private(plain, "".join(f"{u}:{p}\n" for u, p in passwords.items()))
    try:
        done = subprocess.run([tool, "-U", str(plain)], capture_output=True, text=True,
                              timeout=60, check=False)
        if done.returncode != 0:
            raise OSError(f"{tool} -U failed: {(done.stderr or done.stdout).strip()}")
        os.chmod(plain, 0o600)
        os.replace(plain, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            plain.unlink()
