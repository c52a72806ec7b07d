"""Writes that happen once per request key, however often and however concurrently they are sent.

A booth that loses its connection retries; two retries may race. Every write that
takes a request key goes through :func:`once`: in one unit of work it looks the key up
and replays the first answer, or acts and commits. When the write loses a race (a
unique key another request took first, or a conflict with what that request wrote),
the key is looked up again: the request that won may have been this same one, whose
answer is then returned; otherwise the conflict stands, explained where the use case
can say more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from borderplates.errors import ConflictError
from borderplates.registry import Database, DuplicateRecord, UnitOfWork

T = TypeVar("T")


def once(
    db: Database,
    key: str | None,
    *,
    act: Callable[[UnitOfWork], T],
    replay: Callable[[UnitOfWork, str], T | None],
    explain: Callable[[UnitOfWork], None] | None = None,
) -> T:
    """Run ``act`` in one unit of work and commit, once per request ``key``.

    ``replay(uow, key)`` returns the answer of the write recorded with ``key`` (raising
    :class:`ConflictError` when the key was used for something else), or None.
    ``explain(uow)``, called when a concurrent write took a unique key and no answer
    is to be replayed, may raise a clearer :class:`ConflictError`.
    """
    try:
        with db.begin() as uow:
            if key is not None:
                earlier = replay(uow, key)
                if earlier is not None:
                    return earlier
            result = act(uow)
            uow.commit()
            return result
    except ConflictError as conflict:
        if key is None and not isinstance(conflict, DuplicateRecord):
            raise
        with db.reading() as uow:
            if key is not None:
                earlier = replay(uow, key)
                if earlier is not None:
                    return earlier
            if isinstance(conflict, DuplicateRecord) and explain is not None:
                explain(uow)
        raise
