"""MAVLink 2 message signing for a link (pymavlink implements the SHA-256 signature).

The key is 32 bytes: given as 64 hex digits, or as a passphrase hashed with SHA-256
(what MAVProxy's ``signing setup <passphrase>`` does). When signing is required, unsigned
and wrongly signed packets are refused and counted (``FrameCounters.bad_signature``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from .dialect import mavlink2 as m

_EPOCH_2015 = 1420070400  # signing timestamps count 10 µs units from 2015-01-01


@dataclass(frozen=True, slots=True)
class SigningConfig:
    key: bytes = field(repr=False)  # a secret: kept out of logs and tracebacks
    required: bool = True
    link_id: int = 0


def signing_key(text: str) -> bytes:
    """32 bytes from 64 hex digits, or SHA-256 of a passphrase."""
    stripped = text.strip()
    if len(stripped) == 64:
        try:
            return bytes.fromhex(stripped)
        except ValueError:
            pass
    return hashlib.sha256(text.encode("utf-8")).digest()


def apply_signing(mav: Any, config: SigningConfig) -> None:
    """Sign everything ``mav`` packs and check everything it decodes."""
    mav.signing.secret_key = config.key
    mav.signing.sign_outgoing = True
    mav.signing.link_id = config.link_id
    mav.signing.timestamp = max(mav.signing.timestamp,
                                int((time.time() - _EPOCH_2015) * 100_000))
    if config.required:
        # RADIO_STATUS comes from radios that cannot sign: ArduPilot accepts it unsigned
        mav.signing.allow_unsigned_callback = (
            lambda _mav, msgid: msgid == m.MAVLINK_MSG_ID_RADIO_STATUS)
    else:
        mav.signing.allow_unsigned_callback = lambda _mav, _msgid: True
