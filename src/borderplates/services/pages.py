"""Lists that come a page at a time, newest first: the cursor that says where the next page starts.

A cursor is the moment and the id of the last item of a page, as text; a list
continues strictly after it, so items written meanwhile never shift a page.

>>> import datetime as dt
>>> text = cursor_after(dt.datetime(2021, 9, 20, 8, tzinfo=dt.UTC), 42)
>>> text, parse_cursor(text)
('2021-09-20T08:00:00+00:00~42', (datetime.datetime(2021, 9, 20, 8, 0, tzinfo=datetime.timezone.utc), 42))
"""

from __future__ import annotations

import datetime as dt

from borderplates.errors import ValidationError, quoted
from borderplates.services import inputs

#: The most items one page may hold.
MAX_LIMIT = 10_000


def cursor_after(at: dt.datetime, item_id: int) -> str:
    return f"{at.isoformat()}~{item_id}"


def parse_cursor(value: object) -> tuple[dt.datetime, int]:
    """The (moment, id) a cursor names; a ValidationError for anything a list did not give."""
    try:
        moment, _, row = inputs.text(value, "cursor", 80).partition("~")
        return inputs.moment(dt.datetime.fromisoformat(moment), "cursor"), int(row)
    except (ValueError, ValidationError):
        raise ValidationError(f"the cursor {quoted(value)} is not one a list gave") from None


def limit(value: object) -> int:
    """How many items a page holds: 1 to :data:`MAX_LIMIT`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise ValidationError(f"limit is between 1 and {MAX_LIMIT}")
    return value
