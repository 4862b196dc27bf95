"""Statements PostgreSQL plans once per connection (SQL PREPARE), for the hottest paths.

A statement joining four tables costs PostgreSQL more to plan than to run (0.6 ms against 0.1 ms
for the heartbeat's read); a prepared statement is parsed once per connection, and after a few
executions runs from a cached plan. Django's psycopg2 backend does not prepare statements, so the
few paths that need it say PREPARE and EXECUTE themselves (docs/decisions/0031).
"""

import re
from dataclasses import dataclass

from django.db import connection

# psycopg2's placeholders, and its escaped percent sign, which PREPARE's text must not keep doubled.
PLACEHOLDER = re.compile(r"%[s%]")


@dataclass(frozen=True)
class PreparedStatement:
    """SQL with %s placeholders, prepared under `name` on first use by each connection."""

    name: str
    sql: str

    def prepare_sql(self) -> str:
        """The PREPARE, with PostgreSQL's numbered parameters ($1, $2, …) for psycopg2's %s."""
        numbers = iter(range(1, self.parameter_count + 1))
        return f"PREPARE {self.name} AS " + PLACEHOLDER.sub(
            lambda match: f"${next(numbers)}" if match.group() == "%s" else "%", self.sql
        )

    def execute_sql(self) -> str:
        """The EXECUTE, with psycopg2's placeholders for the parameters."""
        return f"EXECUTE {self.name}({', '.join(['%s'] * self.parameter_count)})"

    @property
    def parameter_count(self) -> int:
        return PLACEHOLDER.findall(self.sql).count("%s")


def prepared_names() -> set[str]:
    """The statements prepared on the current connection (a new connection starts with none)."""
    raw = connection.connection
    known = getattr(connection, "prepared_statements", None)
    if known is None or known[0] is not raw:
        known = (raw, set())
        connection.prepared_statements = known
    return known[1]


def prepared_execute(cursor, statement: PreparedStatement, params: tuple) -> None:
    """Run `statement` on `cursor`, preparing it first if this connection has not.

    The PREPARE goes alone: it either succeeds, and is then known for the connection's life
    (PostgreSQL keeps it through rollbacks), or fails and leaves nothing behind.
    """
    names = prepared_names()
    if statement.name not in names:
        cursor.execute(statement.prepare_sql())
        names.add(statement.name)
    cursor.execute(statement.execute_sql(), params)
