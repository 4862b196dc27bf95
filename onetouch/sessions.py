"""Who is signed in, read with one plain SELECT of the session and its account.

Every signed-in request reads its session row and its account row. Through the ORM each read
builds and compiles a query before PostgreSQL sees it, and together that took longer than the
bare view's whole request (docs/decisions/0040); as two plain statements they still cost two
round trips to the database. So the session's row names its account (`onetouch.models.Session`),
and one statement reads both (docs/decisions/0042); it is the connection's health check too, so
no SELECT 1 goes before it (docs/decisions/0044). Only this read is hand-written; everything
Django decides around it (expiry, the session's signature, which account the session's data
names, the password hash check that signs a session out after a password change, an inactive
account refused) is Django's own code, unchanged.

SESSION_ENGINE = "onetouch.sessions" and the backends in AUTHENTICATION_BACKENDS use them.
"""

import functools
from contextvars import ContextVar

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.expressions import Col
from django.utils import timezone

from onetouch.connection_check import checking_connection
from onetouch.models import Session, User

# Every stored column of the account, in the model's order: a field added to User is read too.
USER_FIELDS = User._meta.concrete_fields
USER_ATTNAMES = [field.attname for field in USER_FIELDS]
USER_COLUMNS = [f'"{field.column}"' for field in USER_FIELDS]
USER_SQL = 'SELECT {columns} FROM "{table}" WHERE "{pk}" = %s'.format(  # noqa: S608 - the model's own names
    columns=", ".join(USER_COLUMNS), table=User._meta.db_table, pk=User._meta.pk.column
)
# The session and the account its row names, in one statement (the account's columns NULL without one).
SESSION_SQL = (  # noqa: S608 - the models' own names
    'SELECT s."session_data", {columns} FROM "{sessions}" s LEFT JOIN "{users}" u ON u."{pk}" = s."account_id" '
    'WHERE s."session_key" = %s AND s."expire_date" > %s'
).format(
    columns=", ".join(f"u.{column}" for column in USER_COLUMNS),
    sessions=Session._meta.db_table,
    users=User._meta.db_table,
    pk=User._meta.pk.column,
)

# The account the last session read in this request (or task) found with it; None if none.
# SessionStore sets it, the backends' get_user takes it when the session's data names that account.
account_read_with_session: ContextVar[User | None] = ContextVar("account_read_with_session", default=None)


class SessionStore(db.SessionStore):
    """Django's database sessions, the same rules, in `onetouch.models.Session`; read with SESSION_SQL."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        # A new store starts each request: nothing read for an earlier one is taken for this one.
        account_read_with_session.set(None)

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.account_id = account_id_of(data)
        return session

    def _get_session_from_db(self) -> Session | None:
        # As Django's: an unknown or expired key loads nothing and is forgotten, so a new one is made.
        database = router.db_for_read(self.model)
        # Most requests' first statement: it is the connection's health check too (no SELECT 1 before it).
        row = checking_connection(database, lambda: session_row(database, self.session_key))
        if row is None:
            self._session_key = None
            return None
        session_data, *account = row
        account_read_with_session.set(None if account[0] is None else account_from_row(database, account))
        return self.model(session_key=self.session_key, session_data=session_data)


def session_row(database: str, session_key: str) -> tuple | None:
    """The open session's data and its account's USER_FIELDS (None each without an account), or None."""
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(SESSION_SQL, [session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
        return cursor.fetchone()


def account_id_of(data: dict) -> int | None:
    """The account a session's data signs in to, as the session row's column keeps it."""
    try:
        return User._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


def user_by_id(user_id: int) -> User | None:
    """Return the account with this id as the ORM would (values converted as it converts them), or None."""
    database = router.db_for_read(User)
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(USER_SQL, [user_id])
        row = cursor.fetchone()
    return None if row is None else account_from_row(database, row)


def account_from_row(database: str, row) -> User:
    """The account of a row of USER_FIELDS' columns, with the converters the ORM applies, as the ORM builds it."""
    connection = connections[database]
    values = list(row)
    for index, column, converters in user_converters(database):
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    return User.from_db(database, USER_ATTNAMES, values)


@functools.cache
def user_converters(database: str) -> list[tuple[int, Col, list]]:
    """What the ORM applies to each column's value as read from this database (SQLite's dates and
    booleans, a field's from_db_value): (position, column, converters), for the columns that have any."""
    connection = connections[database]
    columns = [(index, field.get_col(User._meta.db_table)) for index, field in enumerate(USER_FIELDS)]
    found = [
        (index, column, [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)])
        for index, column in columns
    ]
    return [(index, column, converters) for index, column, converters in found if converters]


class QuickUserRead:
    """A backend's get_user with the account read along with the session, or by user_by_id; the rest as
    Django's ModelBackend."""

    def get_user(self, user_id):
        read = account_read_with_session.get()
        # Django passes the account the session's data names; the row's column is only a hint.
        user = read if read is not None and str(read.pk) == str(user_id) else user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(QuickUserRead, DjangoModelBackend):
    """Django's ModelBackend (email or mobile number and password, the admin's permissions)."""


class AuthenticationBackend(QuickUserRead, AllauthBackend):
    """django-allauth's backend (its sign-in flows and codes)."""
