"""Database errors a client can cause, told apart from bugs by the constraint's name.

A unique or exclusion constraint that two requests race for (the same interpreter accepted twice,
the same block added twice) is a conflict the client should hear about: 409 with the code
registered for that constraint. Any other database error, including a check constraint the
services should have kept the request away from, is a bug: logged, and a 500.

The name comes from PostgreSQL's diagnostics (psycopg's `diag.constraint_name`). SQLite has no
diagnostics, so its message is read: it names a check constraint, and for a unique constraint the
table and columns, which are matched against the models' declared unique constraints."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from django.apps import apps
from django.db import models

from tolk.errors import ConflictError

_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_UNIQUE_INDEX = re.compile(r"UNIQUE constraint failed: index '(\w+)'")
_UNIQUE_COLUMNS = re.compile(r"UNIQUE constraint failed: (\w+\.\w+(?:, \w+\.\w+)*)\s*$")

_conflicts: dict[str, Callable[[], ConflictError]] = {}


def register_conflicts(conflicts: dict[str, Callable[[], ConflictError]]) -> None:
    """Declare constraints whose violation is a 409 (from an app's `ready()`): name → error."""
    _conflicts.update(conflicts)


@lru_cache(maxsize=1)
def _unique_constraints_by_columns() -> dict[tuple[str, tuple[str, ...]], str]:
    found: dict[tuple[str, tuple[str, ...]], str] = {}
    for model in apps.get_models():
        meta = model._meta
        for constraint in meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                columns = tuple(sorted(
                    str(getattr(meta.get_field(name), "column", name)) for name in constraint.fields
                ))
                found.setdefault((meta.db_table, columns), constraint.name)
    return found


def constraint_name(exc: BaseException) -> str | None:
    """The name of the constraint a database error violated, or None."""
    for error in (exc, exc.__cause__, exc.__context__):
        name = getattr(getattr(error, "diag", None), "constraint_name", None)
        if name:
            return str(name)
    text = str(exc)
    for pattern in (_CHECK, _UNIQUE_INDEX):
        match = pattern.search(text)
        if match:
            return match.group(1)
    match = _UNIQUE_COLUMNS.search(text)
    if match:
        pairs = [item.split(".") for item in match.group(1).split(", ")]
        tables = {table for table, _column in pairs}
        if len(tables) == 1:
            key = (tables.pop(), tuple(sorted(column for _table, column in pairs)))
            return _unique_constraints_by_columns().get(key)
    return None


def conflict_for(exc: BaseException) -> ConflictError | None:
    """The 409 for a violated constraint registered as a conflict; None for anything else."""
    name = constraint_name(exc)
    make = _conflicts.get(name) if name else None
    return make() if make is not None else None
