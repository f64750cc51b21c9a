"""Many rows in one statement, for the hot paths that bypass SQLAlchemy (the answer writer).

SQLite's `executemany` loops in C and is as fast as it gets there. On PostgreSQL psycopg's
`executemany` sends one query a row through its pipeline, in Python: for a batch of answers
(an item, an attempt and an event a row) that was most of the server's time (profiled).
There each call is one statement over `unnest` of one array a column instead.

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
    return f"{column} = ANY(?::bigint[])", [ids]


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
                f" WHERE t.id = v.id", [list(col) for col in zip(*rows, strict=True)])


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
                f" ORDER BY v.n", [list(col) for col in zip(*rows, strict=True)])
