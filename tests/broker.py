"""A real Mosquitto broker for tests: its own process, port and config, stopped after use.

``start_broker(workdir)`` gives an anonymous broker on a free loopback port. Options make
the brokers the MQTT tests need: ``users`` (name -> password: a password file, anonymous
refused), ``acl`` (an ACL file's text), ``tls`` (files from :func:`make_tls_files`: the
listener speaks TLS only). ``Broker.kill()`` is a crash (SIGKILL, no Last Wills sent, no
clean disconnects); ``Broker.restart()`` brings the same config back on the same port.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def find_mosquitto() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the test CA's certificate: what a client trusts
    cert: Path  # the broker's certificate, for IP 127.0.0.1, signed by the CA
    key: Path


@dataclass
class Broker:
    host: str
    port: int
    process: subprocess.Popen
    log: Path
    binary: str = ""
    conf: Path | None = None
    tls: TlsFiles | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Crash the broker: SIGKILL, so it sends nothing (no Last Wills, no DISCONNECT)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self, timeout_s: float = 10.0) -> None:
        """Start the same config again on the same port (after kill() or stop())."""
        assert self.conf is not None and self.process.poll() is not None
        self.process = _launch(self.binary, self.conf, self.log, self.port, timeout_s)


def password_line(user: str, password: str) -> str:
    """A Mosquitto 2 password-file line (PBKDF2-SHA512, as mosquitto_passwd writes)."""
    salt = os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    return (f"{user}:$7$101${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}\n")


def make_client_cert(workdir: Path, files: TlsFiles, name: str) -> tuple[Path, Path]:
    """A client certificate (CN=``name``) and its key, signed by ``files``' CA."""
    key, csr, cert = (workdir / f"{name}.{ext}" for ext in ("key", "csr", "pem"))
    ca_key = files.ca.with_name("ca.key")
    for args in (["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                  "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}"],
                 ["x509", "-req", "-in", str(csr), "-CA", str(files.ca), "-CAkey",
                  str(ca_key), "-CAcreateserial", "-out", str(cert), "-days", "2"]):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    return cert, key


def make_tls_files(workdir: Path) -> TlsFiles:
    """A throwaway CA and a broker certificate for 127.0.0.1, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl not found")
    ca_key, ca, key, csr, cert = (workdir / n for n in
                                  ("ca.key", "ca.pem", "broker.key", "broker.csr", "broker.pem"))
    ext = workdir / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    run("req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
        "-subj", "/CN=fleet test CA")
    run("req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(ext))
    return TlsFiles(ca, cert, key)


def start_broker(
    workdir: Path,
    *,
    port: int | None = None,
    timeout_s: float = 10.0,
    users: dict[str, str] | None = None,
    acl: str | None = None,
    tls: TlsFiles | None = None,
    require_certificate: bool = False,
) -> Broker:
    """Start mosquitto on 127.0.0.1 and return once it accepts connections."""
    binary = find_mosquitto()
    if binary is None:
        raise RuntimeError("mosquitto not found: run 'make test' (it installs Debian's package)")
    port = port or free_port()
    conf = workdir / f"mosquitto-{port}.conf"
    log = workdir / f"mosquitto-{port}.log"
    # `user root`: a broker started as root keeps root, so it can read the files below
    # in pytest's private tmp dirs (Mosquitto 2 otherwise drops to the mosquitto user)
    lines = [f"listener {port} 127.0.0.1", "persistence false", "set_tcp_nodelay true",
             "log_dest stderr", "user root"]
    if tls is not None:
        lines += [f"cafile {tls.ca}", f"certfile {tls.cert}", f"keyfile {tls.key}"]
        if require_certificate:  # clients must present one signed by the CA
            lines += ["require_certificate true", "use_identity_as_username true"]
    if users is not None:
        passwd = workdir / f"passwd-{port}"
        passwd.write_text("".join(password_line(u, p) for u, p in users.items()))
        lines += ["allow_anonymous false", f"password_file {passwd}"]
    else:
        lines.append("allow_anonymous true")
    if acl is not None:
        acl_file = workdir / f"acl-{port}"
        acl_file.write_text(acl)
        lines.append(f"acl_file {acl_file}")
    conf.write_text("\n".join(lines) + "\n")
    proc = _launch(binary, conf, log, port, timeout_s)
    return Broker("127.0.0.1", port, proc, log, binary, conf, tls)


def _launch(binary: str, conf: Path, log: Path, port: int, timeout_s: float) -> subprocess.Popen:
    with open(log, "ab") as out:
        proc = subprocess.Popen([binary, "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while True:  # wait for the listening socket: the event we need, bounded by a timeout
        if proc.poll() is not None:
            raise RuntimeError(f"mosquitto exited ({proc.returncode}): {log.read_text()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(
                    f"mosquitto did not listen on {port} within {timeout_s} s"
                ) from None
            time.sleep(0.02)
    return proc
