"""Who is signed in, read with one plain SELECT of the session and its account (onetouch.sessions): the same
answers as Django's."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onetouch.models import Session, User
from onetouch.sessions import (
    SESSION_SQL,
    USER_SQL,
    ModelBackend,
    SessionStore,
    account_read_with_session,
    user_by_id,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
MY_LEARNING = reverse("learners:my_learning")
LOGIN = reverse("account_login")


def statements_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_a_signed_in_page_reads_session_and_account_in_one_statement(client, learner_hanoi):
    client.force_login(learner_hanoi)
    statements = statements_of(client, MY_LEARNING)
    session_reads = [sql for sql in statements if "onetouch_session" in sql]
    assert len(session_reads) == 1
    before_key, after_key, _now = SESSION_SQL.split("%s")
    assert session_reads[0].startswith(f"{before_key}'{client.session.session_key}'{after_key}")
    assert 'LEFT JOIN "onetouch_user"' in session_reads[0]
    assert USER_SQL % learner_hanoi.pk not in statements  # no second round trip for the account


def test_the_account_is_read_as_the_orm_reads_it(learner_hanoi):
    store = SessionStore()
    store[SESSION_KEY] = str(learner_hanoi.pk)
    store.create()
    SessionStore(store.session_key).load()
    fresh = User.objects.get(pk=learner_hanoi.pk)
    for read in (account_read_with_session.get(), user_by_id(learner_hanoi.pk)):
        for field in User._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(fresh, field.attname), field.name
        assert (read._state.db, read._state.adding) == ("default", False)
        assert read.date_joined.tzinfo is not None
    assert user_by_id(learner_hanoi.pk + 10_000) is None


def test_the_session_row_names_the_account_its_data_signs_in(client, learner_hanoi):
    anonymous = SessionStore()
    anonymous["seen"] = True
    anonymous.create()
    assert Session.objects.get(session_key=anonymous.session_key).account_id is None
    client.force_login(learner_hanoi)
    key = client.session.session_key
    assert Session.objects.get(session_key=key).account_id == learner_hanoi.pk
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_row_naming_another_account_signs_in_the_one_its_data_names(client, learner_hanoi, learner_hue):
    """The row's account is only a hint: Django decides who is signed in from the session's own data."""
    client.force_login(learner_hanoi)
    Session.objects.filter(session_key=client.session.session_key).update(account=learner_hue)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MY_LEARNING)
    assert response.wsgi_request.user == learner_hanoi
    assert USER_SQL % learner_hanoi.pk in [query["sql"] for query in queries.captured_queries]


def test_a_new_store_forgets_the_account_an_earlier_one_read(learner_hanoi):
    """Each request starts with a new store: an account read for the one before is never taken for it."""
    store = SessionStore()
    store[SESSION_KEY] = str(learner_hanoi.pk)
    store.create()
    SessionStore(store.session_key).load()
    assert account_read_with_session.get() == learner_hanoi
    SessionStore()
    assert account_read_with_session.get() is None


def test_deleting_an_account_deletes_its_sessions(client, learner_hanoi):
    client.force_login(learner_hanoi)
    key = client.session.session_key
    learner_hanoi.delete()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_migration_carries_open_sessions_over_with_their_accounts(learner_hanoi, learner_hue):
    """Nobody is signed out by the move from Django's table: open sessions keep their key and data."""
    sessions_move = importlib.import_module("onetouch.migrations.0003_session_names_its_account").sessions_move

    def django_session(account: User | None, *, expired: bool = False) -> DjangoSession:
        store = DjangoSessionStore()
        if account is not None:
            store[SESSION_KEY] = str(account.pk)
        store["seen"] = True
        store.create()
        if expired:
            DjangoSession.objects.filter(session_key=store.session_key).update(
                expire_date=timezone.now() - timedelta(seconds=1)
            )
        return DjangoSession.objects.get(session_key=store.session_key)

    signed_in, anonymous = django_session(learner_hanoi), django_session(None)
    django_session(learner_hue, expired=True)
    gone = django_session(learner_hue)
    learner_hue.delete()

    sessions_move(apps, connection.schema_editor())

    moved = {session.session_key: session for session in Session.objects.all()}
    assert set(moved) == {signed_in.session_key, anonymous.session_key, gone.session_key}
    assert (moved[signed_in.session_key].session_data, moved[signed_in.session_key].expire_date) == (
        signed_in.session_data,
        signed_in.expire_date,
    )
    assert moved[signed_in.session_key].account_id == learner_hanoi.pk
    assert moved[anonymous.session_key].account_id is None
    assert moved[gone.session_key].account_id is None  # its data names an account that is gone: nobody
    assert not DjangoSession.objects.exists()
    assert SessionStore(signed_in.session_key).load()[SESSION_KEY] == str(learner_hanoi.pk)


def test_an_inactive_account_is_nobody(learner_hanoi):
    assert ModelBackend().get_user(learner_hanoi.pk) == learner_hanoi
    User.objects.filter(pk=learner_hanoi.pk).update(is_active=False)
    assert ModelBackend().get_user(learner_hanoi.pk) is None


def test_an_expired_session_loads_nothing_and_its_key_is_dropped(learner_hanoi):
    store = SessionStore()
    store[SESSION_KEY] = str(learner_hanoi.pk)
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {SESSION_KEY: str(learner_hanoi.pk)}

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new key is made if anything is saved, as Django does


def test_signing_out_ends_the_session_for_its_cookie(client, learner_hanoi):
    client.force_login(learner_hanoi)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    client.cookies["sessionid"] = cookie  # someone who kept a copy of the cookie
    assert client.get(MY_LEARNING).status_code == 302


def test_a_password_change_signs_other_browsers_out(client, learner_hanoi):
    """Django's session hash check still runs on the account this module reads."""
    client.force_login(learner_hanoi)
    assert client.get(MY_LEARNING).status_code == 200
    learner_hanoi.set_password("mot-mat-khau-moi-456")
    learner_hanoi.save()
    assert client.get(MY_LEARNING).status_code == 302


def test_signing_in_records_this_projects_backend(client, learner_hanoi):
    learner_hanoi.set_password(PASSWORD)
    learner_hanoi.save()
    client.post(LOGIN, {"login": learner_hanoi.email, "password": PASSWORD})
    assert client.session["_auth_user_backend"].startswith("onetouch.sessions.")
    assert client.get(MY_LEARNING).status_code == 200


def test_a_session_of_a_backend_no_longer_listed_is_signed_out(client, learner_hanoi):
    """Sessions signed in before these backends named Django's own: their browsers sign in once more."""
    client.force_login(learner_hanoi)
    session = client.session
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert client.get(MY_LEARNING).status_code == 302
    assert get_user_model().objects.filter(pk=learner_hanoi.pk).exists()
