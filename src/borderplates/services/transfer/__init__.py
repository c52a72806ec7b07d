"""Moving crossings and registrations in and out of the registry as CSV files.

Import (:func:`import_crossings`) takes a CSV file with the header::

    plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key

one crossing per row: ``at`` is ISO 8601 with a UTC offset, ``direction`` is
``entry`` or ``exit``, ``decision`` is the decision taken at the time (``admit``,
``issue_temporary_registration``, ``apply_sticker``, ``warn``, ``fine`` or
``refuse``), so historical crossings import as they happened and are not re-judged
by today's law; ``lane`` and ``request_key`` may be empty. The plate is read as at
a check (the best reading; when two rank equal, the one of the crossing point's two
jurisdictions); the point must be on the border of ``jurisdiction`` and serve
``mode``.

Policy (:data:`IMPORT_POLICY`), all or nothing:

- the whole file is validated first; if any row is bad, **nothing** is imported and
  every bad row is reported with its line number and the reason
  (:class:`ImportRejected`, a ``ValidationError``). A file with a wrong header, an
  empty file, or one that is not UTF-8 CSV text is rejected the same way.
- a ``request_key`` used twice in the file, or already used by a crossing in the
  registry, makes a bad row.
- a valid file is imported in one unit of work: the vehicles it names are created
  as needed (class from the mode: ``cargo`` a truck, ``bus`` a bus, else a car;
  first seen at their earliest crossing in the file), every crossing is inserted,
  and one audit record (action ``import``, entity ``crossing_import``, entity id =
  the number of rows) records the file. Imported crossings carry no rule and no
  registration: the file does not say them.

The work is split by what it does: :mod:`.rows` checks files and rows,
:mod:`.importing` writes them in bulk, :mod:`.exporting` streams CSV out.
"""

from borderplates.services.transfer.exporting import REGISTRATION_COLUMNS, export_crossings, export_registrations
from borderplates.services.transfer.importing import IMPORT_POLICY, ImportResult, import_crossings
from borderplates.services.transfer.rows import CROSSING_COLUMNS, ImportRejected

__all__ = [
    "CROSSING_COLUMNS",
    "IMPORT_POLICY",
    "REGISTRATION_COLUMNS",
    "ImportRejected",
    "ImportResult",
    "export_crossings",
    "export_registrations",
    "import_crossings",
]
