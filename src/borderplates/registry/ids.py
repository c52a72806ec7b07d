"""Globally unique ids for the records sites write: UUIDv7 (RFC 9562), as text.

A UUIDv7 holds the Unix time in milliseconds (48 bits), the version, twelve bits that
count up within one millisecond of this process (so that ids made one after the other
sort in the order they were made, even when the clock stands still or steps back),
the variant and 62 random bits. Two sites can never make the same id: 74 bits are
random. Ids sort roughly by time, but a site's clock may be wrong by hours: the order
of a site's records is their sequence in its audit chain, never their ids.

>>> a, b = uuid7(), uuid7()
>>> a < b, a[14], len(a)
(True, '7', 36)
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """A new UUIDv7 in its 36-character text form, greater than every one this process made before."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, secrets.randbits(10)  # a random start leaves room to count up within the millisecond
        else:
            _counter += 1
            if _counter > 0xFFF:  # 4,096 ids in one millisecond: borrow the next one
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | secrets.randbits(62)
    return str(uuid.UUID(int=value))


def moment_of(uid: str) -> int:
    """The Unix time in milliseconds a UUIDv7 was made at (as its maker's clock said).

    >>> moment_of("01924b1c-5a00-7000-8000-000000000000")
    1727837002240
    """
    return uuid.UUID(uid).int >> 80
