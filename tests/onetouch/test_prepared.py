"""Statements prepared once per connection (onetouch/prepared.py, docs/decisions/0031)."""

import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError

from onetouch.prepared import PreparedStatement, prepared_execute

pytestmark = pytest.mark.django_db(transaction=True)

ADD = PreparedStatement("test_add", "SELECT %s::int + %s::int, '100%%'")


def server_prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def add(first: int, second: int) -> tuple:
    with connection.cursor() as cursor:
        prepared_execute(cursor, ADD, (first, second))
        return cursor.fetchone()


def test_the_placeholders_become_numbered_parameters():
    assert ADD.prepare_sql() == "PREPARE test_add AS SELECT $1::int + $2::int, '100%'"
    assert ADD.execute_sql() == "EXECUTE test_add(%s, %s)"


def test_a_statement_is_prepared_on_first_use_and_executed_after():
    connection.close()
    assert add(2, 3) == (5, "100%")
    assert "test_add" in server_prepared_names()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE test_add")
    # The connection believes it prepared: the server no longer has it, so the next use must fail.
    with pytest.raises(OperationalError, match="test_add"):
        add(1, 1)
    connection.close()


def test_a_new_connection_prepares_again():
    connection.close()
    assert add(1, 1)[0] == 2
    connection.close()  # the server forgets the statement with the connection
    assert "test_add" not in server_prepared_names()
    assert add(4, 5)[0] == 9
    connection.close()


def test_a_statement_prepared_in_a_rolled_back_transaction_stays_prepared():
    connection.close()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert add(1, 2)[0] == 3
        raise ZeroDivisionError
    assert "test_add" in server_prepared_names()
    assert add(2, 2)[0] == 4
    connection.close()
