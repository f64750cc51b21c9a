"""Many rows in one statement, for the hot paths that bypass SQLAlchemy (the answer writer).

SQLite's `executemany` loops in C and is as fast as it gets there. On PostgreSQL psycopg's
`executemany` sends one query a row, in Python: for a batch of answers (an item, an attempt
and an event a row) that was most of the server's time (profiled). There a write is one
statement over `unnest` of one array a column, several writes go as one statement
(`write`), and each array travels as one literal built here (`pg_array`): psycopg's own
list dumper quotes element by element with a regular expression, 1.8 ms for a batch of 40
events against 0.1 ms (profiled: 11 % of the server's samples in the PostgreSQL closed loop).

Columns are given as `name:type`, the PostgreSQL array element type; `json` columns travel
as text and are cast on the way in.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Write:
    """Rows for one table, written by `write`."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple]


class Update(Write):
    """`UPDATE table SET columns WHERE id = ...` for each row: `(*values, id)`."""

    def sqlite(self) -> str:
        sets = ", ".join(f"{name} = ?" for name, _ in _split(self.columns))
        return f"UPDATE {self.table} SET {sets} WHERE id = ?"

    def postgres(self) -> tuple[str, list[str]]:
        specs = _split(self.columns)
        sets = ", ".join(f"{name} = {_pg_value(name, kind)}" for name, kind in specs)
        names = ", ".join(name for name, _ in specs)
        return (f"UPDATE {self.table} AS t SET {sets}"
                f" FROM unnest({_pg_arrays(specs)}, %s::bigint[]) AS v({names}, id)"
                f" WHERE t.id = v.id", _pg_columns(self.rows, [*specs, ("id", "bigint")]))


class Insert(Write):
    """`INSERT INTO table (columns)` each row, in the order given."""

    def sqlite(self) -> str:
        names = ", ".join(name for name, _ in _split(self.columns))
        return f"INSERT INTO {self.table} ({names}) VALUES ({', '.join('?' * len(self.columns))})"

    def postgres(self) -> tuple[str, list[str]]:
        specs = _split(self.columns)
        names = ", ".join(name for name, _ in specs)
        values = ", ".join(_pg_value(name, kind) for name, kind in specs)
        return (f"INSERT INTO {self.table} ({names}) SELECT {values}"
                f" FROM unnest({_pg_arrays(specs)}) WITH ORDINALITY AS v({names}, n)"
                f" ORDER BY v.n", _pg_columns(self.rows, specs))


def write(cur, *writes: Write, then: str = "") -> None:
    """Every write that has rows, in the order given, each table at most once.

    SQLite: one `executemany` each. PostgreSQL: one statement for them all, the first ones
    as data-modifying `WITH` parts of the last, so one round trip whatever their number.
    A batch of answers writes four tables; sent one by one, each statement cost about 2 %
    of the server's samples in the PostgreSQL closed loop (py-spy, docs/benchmarks.md).
    The parts see one snapshot, which is why no table may come twice.

    `then` goes in the same text after the statement (`"; COMMIT"` from
    `db.commit_with_last`), or alone when there is nothing to write. On a
    `pg_batch.StatementCursor` the statement goes as an `EXECUTE` of one the connection
    has prepared.
    """
    writes = [w for w in writes if w.rows]
    tables = [w.table for w in writes]
    if len(set(tables)) != len(tables):
        raise ValueError(f"one statement cannot write a table twice: {tables}")
    if db.is_sqlite:
        for w in writes:
            cur.executemany(w.sqlite(), w.rows)
        return
    if not writes:
        if then:
            cur.execute(then.removeprefix("; "))
        return
    parts = [w.postgres() for w in writes]
    *first, (last, _) = parts
    sql = ", ".join(f"w{i} AS ({part})" for i, (part, _) in enumerate(first))
    sql = f"WITH {sql} {last}" if first else last
    if hasattr(cur, "prepared"):        # a pg_batch.StatementCursor
        sql = cur.prepared(sql)
    cur.execute(sql + then,
                [p for _, params in parts for p in params])


def _pg_columns(rows: list[tuple], specs: list[tuple[str, str]]) -> list[str]:
    return [pg_array(col, kind) for col, (_, kind) in zip(zip(*rows, strict=True), specs,
                                                          strict=True)]
