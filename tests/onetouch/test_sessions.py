"""Who is signed in, read with two plain SELECTs (onetouch.sessions): the same answers as Django's."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onetouch.models import User
from onetouch.sessions import SESSION_SQL, USER_SQL, ModelBackend, SessionStore, user_by_id
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
MY_LEARNING = reverse("learners:my_learning")
LOGIN = reverse("account_login")


def test_a_signed_in_page_reads_session_and_account_with_the_plain_statements(client, learner_hanoi):
    client.force_login(learner_hanoi)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(MY_LEARNING).status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    session_reads = [sql for sql in statements if "django_session" in sql]
    assert len(session_reads) == 1
    before_key, after_key, _now = SESSION_SQL.split("%s")
    assert session_reads[0].startswith(f"{before_key}'{client.session.session_key}'{after_key}")
    assert [sql for sql in statements if "onetouch_user" in sql] == [USER_SQL % learner_hanoi.pk]


def test_the_account_is_read_as_the_orm_reads_it(learner_hanoi):
    fresh = User.objects.get(pk=learner_hanoi.pk)
    read = user_by_id(learner_hanoi.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(fresh, field.attname), field.name
    assert (read._state.db, read._state.adding) == ("default", False)
    assert read.date_joined.tzinfo is not None
    assert user_by_id(learner_hanoi.pk + 10_000) is None


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
