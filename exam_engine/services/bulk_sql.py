"""Many rows in one statement, for the hot paths that bypass SQLAlchemy (the answer writer).

SQLite's `executemany` loops in C and is as fast as it gets there. On PostgreSQL psycopg's
`executemany` sends one query a row through its pipeline, in Python: for a batch of answers
(an item, an attempt and an event a row) that was most of the server's time (profiled).
There each call is one statement over `unnest` of one array a column instead, and each array
travels as one literal built here (`pg_array`): psycopg's own list dumper quotes element by
element with a regular expression, 1.8 ms for a batch of 40 events against 0.1 ms
(profiled: 11 % of the server's samples in the PostgreSQL closed loop).

Columns are given as `name:type`, the PostgreSQL array element type; `json` columns travel
as text and are cast on the way in.
"""
from __future__ import annotations

import json

from exam_engine.extensions import db


def id_in(column: str, ids) -> tuple[str, list]:
    """`column` is one of `ids`: the SQL, with `?` placeholders (pass it through `db.sql`),
    and its parameters. A placeholder an id on SQLite; one array on PostgreSQL, so the
    statement has one shape whatever the count and psycopg prepares it once."""
    ids = list(ids)
    if db.is_sqlite:
        return f"{column} IN ({', '.join('?' * len(ids))})", ids
    return f"{column} = ANY(?::bigint[])", [pg_array(ids)]


def pg_array(values, kind: str = "bigint") -> str:
    """PostgreSQL's text form of a one-dimensional array, for a `%s::<kind>[]` parameter.

    Numbers go as they print; anything else is double-quoted with `\\` and `"` escaped,
    which is all a quoted element needs (braces, commas, blanks and `NULL` inside quotes
    are plain text). None is NULL.
    """
    if kind in _NUMERIC:
        items = ["NULL" if v is None else str(int(v)) for v in values]
    else:
        items = ["NULL" if v is None else
                 '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]
    return "{" + ",".join(items) + "}"


_NUMERIC = frozenset({"bigint", "integer"})


def read_json(value: object) -> object:
    """A JSON column as the driver hands it back: text on SQLite, parsed by psycopg."""
    return json.loads(value) if db.is_sqlite and value is not None else value


def _split(columns: tuple[str, ...]) -> list[tuple[str, str]]:
    return [tuple(c.split(":")) for c in columns]


def _pg_arrays(specs: list[tuple[str, str]]) -> str:
    return ", ".join(f"%s::{'text' if t == 'json' else t}[]" for _, t in specs)


def _pg_value(name: str, kind: str) -> str:
    return f"v.{name}::json" if kind == "json" else f"v.{name}"


def update_by_id(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """`UPDATE table SET columns WHERE id = ...` for each row: `(*values, id)`."""
    if not rows:
        return
    specs = _split(columns)
    if db.is_sqlite:
        sets = ", ".join(f"{name} = ?" for name, _ in specs)
        cur.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", rows)
        return
    sets = ", ".join(f"{name} = {_pg_value(name, kind)}" for name, kind in specs)
    names = ", ".join(name for name, _ in specs)
    cur.execute(f"UPDATE {table} AS t SET {sets}"
                f" FROM unnest({_pg_arrays(specs)}, %s::bigint[]) AS v({names}, id)"
                f" WHERE t.id = v.id", _pg_columns(rows, [*specs, ("id", "bigint")]))


def insert_rows(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """`INSERT INTO table (columns)` each row, in the order given."""
    if not rows:
        return
    specs = _split(columns)
    names = ", ".join(name for name, _ in specs)
    if db.is_sqlite:
        marks = ", ".join("?" * len(specs))
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    values = ", ".join(_pg_value(name, kind) for name, kind in specs)
    cur.execute(f"INSERT INTO {table} ({names}) SELECT {values}"
                f" FROM unnest({_pg_arrays(specs)}) WITH ORDINALITY AS v({names}, n)"
                f" ORDER BY v.n", _pg_columns(rows, specs))


def _pg_columns(rows: list[tuple], specs: list[tuple[str, str]]) -> list[str]:
    return [pg_array(col, kind) for col, (_, kind) in zip(zip(*rows, strict=True), specs,
                                                          strict=True)]
