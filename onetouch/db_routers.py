"""Reads that may be a little behind go to the PostgreSQL replica; everything else to the primary.

With DATABASE_REPLICA_URL set, settings define a second alias, "replica" (docs/decisions/0026).
Nothing goes there by default: code says where stale reads are acceptable by entering
`replica_reads()` (a context manager and a decorator), and only the dashboards and exports do. Even
inside it the router keeps on the primary:

- every write (db_for_write), and every migration (allow_migrate);
- every read inside a transaction of the primary: code that reads in a transaction is about to
  write, or must see what it has just written (a queued export read back, a lock taken);
- sessions, permissions and sign-in state (ALWAYS_PRIMARY): a signed-out session or a withdrawn
  role must count at once.

Without the "replica" alias `replica_reads()` changes nothing. A replica that cannot be reached
(its connection refused or timed out) is left alone for REPLICA_RETRY_SECONDS by this process, and
its reads go to the primary meanwhile: dashboards are slower, not down.
"""

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
REPLICA_RETRY_SECONDS = 30
# Until when (monotonic seconds) this process reads on the primary because the replica did not answer.
replica_down_until = 0.0
# Apps read from the primary even inside replica_reads(): who is signed in and what they may do.
ALWAYS_PRIMARY = frozenset({"sessions", "auth", "contenttypes", "admin", "account"})
# Models of other apps read from the primary for the same reason: the sessions (and with them their accounts).
ALWAYS_PRIMARY_MODELS = frozenset({"onetouch.session"})

# A context variable rather than a thread-local: each request, task or thread has its own.
replica_wanted: ContextVar[bool] = ContextVar("replica_wanted", default=False)


@contextmanager
def replica_reads():
    """Let the reads inside go to the replica: `with replica_reads():`, or `@replica_reads()` on a view or task."""
    token = replica_wanted.set(True)
    try:
        yield
    finally:
        replica_wanted.reset(token)


def replica_iterate(rows: Iterable) -> Iterator:
    """Yield from `rows`, each step read from the replica.

    A streamed answer is read after its view has returned, outside the view's replica_reads().
    """
    iterator = iter(rows)
    while True:
        with replica_reads():
            try:
                row = next(iterator)
            except StopIteration:
                return
        yield row


def read_alias() -> str:
    """The alias a read made here goes to: "replica" inside replica_reads(), when it may, else "default"."""
    if (
        replica_wanted.get()
        and REPLICA in settings.DATABASES
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and replica_reachable()
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


def replica_reachable() -> bool:
    """Whether the replica's connection is open or opens now; if it does not, the primary answers a while.

    An open connection is not checked here (Django's health check does that at each request's start):
    a replica lost mid-request fails that request, and the next one finds it unreachable.
    """
    global replica_down_until
    if time.monotonic() < replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError as error:
        replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning("Replica unreachable, reading on the primary for %s s: %s", REPLICA_RETRY_SECONDS, error)
        return False
    return True


class PrimaryReplicaRouter:
    """Route reads wanted on the replica there (see the module's docstring); all else to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in ALWAYS_PRIMARY or model._meta.label_lower in ALWAYS_PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both: an object read from the replica may point to one from the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
