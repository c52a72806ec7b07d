"""The sync worker of a site's server: one push-and-pull cycle after another, backing off while the centre does not answer.

While cycles succeed, the worker runs one every ``interval`` seconds; after a failure
it waits 1, 2, 4 ... seconds (never more than ``max_backoff``, each wait shortened by
up to a quarter at random so that sites cut off together do not all come back at once)
and tries again; :meth:`SyncWorker.wake` starts the next cycle at once. Only one
process of a site runs cycles at a time: the worker holds an exclusive lock on a file
in the site's data directory, and the workers of other processes wait for it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import threading
from collections.abc import Callable
from pathlib import Path

from borderplates.errors import BorderplatesError

log = logging.getLogger("borderplates.sync")


def backoff(failures: int, interval: float, max_backoff: float) -> float:
    """Seconds to wait before the next cycle after ``failures`` failures in a row (before jitter).

    >>> [backoff(n, 10, 60) for n in range(5)] + [backoff(30, 10, 60)]
    [10, 1.0, 2.0, 4.0, 8.0, 60]
    """
    if failures == 0:
        return interval
    return min(float(2 ** min(failures - 1, 30)), max_backoff)


class SyncWorker:
    """A thread running ``cycle`` again and again until stopped."""

    def __init__(self, cycle: Callable[[], object], *, interval: float, max_backoff: float, lock_path: Path | None = None) -> None:
        self._cycle = cycle
        self._interval = interval
        self._max_backoff = max_backoff
        self._lock_path = lock_path
        self._lock: int | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="borderplates-sync", daemon=True)
        self.failures = 0
        self.cycles = 0

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Start the next cycle now."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._holds_lock():
                self._sleep(self._interval)
                continue
            try:
                self._cycle()
            except BorderplatesError as error:
                self.failures += 1
                log.warning("sync cycle failed (%d in a row): %s", self.failures, error.text)
            except Exception:
                self.failures += 1
                log.exception("sync cycle failed unexpectedly (%d in a row)", self.failures)
            else:
                self.failures = 0
            self.cycles += 1
            wait = backoff(self.failures, self._interval, self._max_backoff)
            self._sleep(wait if self.failures == 0 else wait * random.uniform(0.75, 1.0))

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _holds_lock(self) -> bool:
        if self._lock_path is None or self._lock is not None:
            return True
        try:
            descriptor = os.open(self._lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as error:
            log.warning("cannot open the sync lock %s: %s", self._lock_path, error.strerror)
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return False
        self._lock = descriptor
        return True
