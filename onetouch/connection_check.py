"""A request's first statement as Django's connection health check (CONN_HEALTH_CHECKS).

With health checks on, Django sends `SELECT 1` before the first statement of each request on a
persistent connection, so that one the server or a proxy dropped is replaced: a round trip of its
own on every request. The hottest paths read first thing in their request, the session on every
signed-in page and the heartbeat's row (or its one conditional write) on every heartbeat, so that
statement is the check instead: it runs at once, and if the connection turns out to be broken it
runs again, once, on a new one. Only a statement that may run twice goes through here: a read, or
a write conditioned on the state it was computed from, which cannot apply twice (the heartbeat's).
Inside a transaction nothing is retried: the transaction is lost with its connection.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections

T = TypeVar("T")


def checking_connection(database: str, run: Callable[[], T]) -> T:
    """Return run(), run on `database` as its connection's health check for this request."""
    connection = connections[database]
    may_reconnect = not connection.in_atomic_block
    if may_reconnect:
        connection.health_check_done = True  # this statement is the check
    try:
        return run()
    except (OperationalError, InterfaceError):
        if not may_reconnect or connection.is_usable():
            raise  # the statement failed, not the connection
        connection.close()
        return run()
