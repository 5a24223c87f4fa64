"""What a call centre run needs: the broker, the rate, the closing behaviour, the clocks."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .closer import SCENE_S, UNREACHED_S
from .generator import FIRST_CALL_S, OPERATOR


@dataclass(frozen=True)
class Broker:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: ssl.SSLContext | None = None

    @classmethod
    def from_url(cls, url: str, *, username: str | None = None, password: str | None = None,
                 ca_file: str | None = None) -> Broker:
        """``mqtt://host[:port]`` (1883) or ``mqtts://host[:port]`` (TLS, 8883)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"broker URL must look like mqtt[s]://host[:port], got {url!r}")
        tls = ssl.create_default_context(cafile=ca_file) if parts.scheme == "mqtts" else None
        if ca_file and tls is None:
            raise ValueError("--ca needs an mqtts:// broker URL")
        return cls(parts.hostname, parts.port or (8883 if tls else 1883), username, password,
                   tls)


@dataclass(frozen=True)
class CallsConfig:
    broker: Broker = field(default_factory=Broker)
    prefix: str = "fleet/v1"
    calls_per_hour: float = 12.0
    auto_dispatch: bool = False          # ask for dispatch, then clear and close on scene
    seed: int = 1
    speedup: float = 1.0                 # sim seconds per wall second
    mix: Mapping[str, float] | None = None   # category weights over DEFAULT_MIX
    operator: str = OPERATOR
    scene_s: tuple[float, float] = SCENE_S
    unreached_s: float = UNREACHED_S
    first_call_s: tuple[float, float] = FIRST_CALL_S
    max_calls: int | None = None         # stop placing calls after this many (tests)
    first_ref: int = 1                   # the first call's number in 110-YYYY-NNNNNN
    run_id: str | None = None            # request ids' run token (default: random)
    #: wall seconds: the first wait for an answer; then doubled per resend up to RESEND_MAX_S
    answer_timeout_s: float = 10.0
    max_attempts: int = 12               # sends of one request before it counts as unanswered
    status_every_s: float = 60.0         # wall seconds between status lines (0: none)
    client_id: str = "110-call-centre"

    def __post_init__(self) -> None:
        if self.calls_per_hour < 0 or self.speedup <= 0:
            raise ValueError("calls per hour must be >= 0 and speedup > 0")
        if not 0 <= self.scene_s[0] <= self.scene_s[1] or self.unreached_s <= 0:
            raise ValueError("scene times must be 0 <= min <= max and unreached > 0")
        if not 0 < len(self.operator) <= 64:
            raise ValueError("operator must be 1..64 characters")
