"""Keep a link running: reconnect with jittered exponential backoff, or give up by policy."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..errors import LinkError
from ..events import ConnectionState, Severity
from .base import Link, LinkContext

log = logging.getLogger("fleet.links")


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Delays grow ``initial_s * factor**n`` up to ``max_s``, each scaled by a random
    factor in [1 - jitter, 1] so many links do not reconnect in lock-step.
    ``max_attempts`` consecutive failures (None: never) make the supervisor give up.
    A connection that stayed up ``reset_after_s`` resets the backoff."""

    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 30.0
    jitter: float = 0.5
    max_attempts: int | None = None
    reset_after_s: float = 10.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.max_s, self.initial_s * self.factor ** max(0, attempt - 1))
        return base * (1.0 - self.jitter * rng.random())


async def supervise(
    link: Link,
    ctx: LinkContext,
    policy: ReconnectPolicy,
    *,
    monotonic: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> None:
    """Run ``link`` until cancelled or until the policy gives up."""
    rng = rng or random.Random()
    failures = 0
    while True:
        ctx.connection(ConnectionState.CONNECTING)
        started = monotonic()
        try:
            await link.run(ctx)
            reason = "connection closed"
        except (LinkError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
        except asyncio.CancelledError:
            ctx.connection(ConnectionState.DISCONNECTED, "stopped")
            raise
        if monotonic() - started >= policy.reset_after_s:
            failures = 0
        failures += 1
        if policy.max_attempts is not None and failures >= policy.max_attempts:
            ctx.connection(ConnectionState.FAILED, f"gave up after {failures} attempts: {reason}")
            ctx.alert(Severity.ERROR, "link.failed",
                      f"link {link.name}: gave up after {failures} attempts ({reason})")
            return
        delay = policy.delay(failures, rng)
        ctx.connection(ConnectionState.DISCONNECTED, f"{reason}; retry in {delay:.1f} s")
        log.info("link %s down (%s); retry in %.1f s", link.name, reason, delay)
        await sleep(delay)
