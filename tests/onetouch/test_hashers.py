"""Passwords stored with Argon2id, and PBKDF2 passwords moved to it at sign-in (docs/decisions/0032).

The test settings hash with MD5 for speed; these tests put back the production hashers.
"""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from onetouch.settings import base
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
ARGON2ID_OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2id_at_the_owasp_setting(learner_hanoi):
    learner_hanoi.set_password(PASSWORD)
    learner_hanoi.save()
    learner_hanoi.refresh_from_db()
    assert learner_hanoi.password.startswith(ARGON2ID_OWASP)
    assert PASSWORD not in learner_hanoi.password
    assert learner_hanoi.check_password(PASSWORD)


def test_a_pbkdf2_password_signs_in_and_is_stored_again_with_argon2id(client, learner_hanoi):
    learner_hanoi.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    learner_hanoi.save()

    response = client.post(LOGIN, {"login": learner_hanoi.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner_hanoi.id)
    learner_hanoi.refresh_from_db()
    assert learner_hanoi.password.startswith(ARGON2ID_OWASP)


def test_argon2_made_with_other_parameters_is_stored_again_at_sign_in(client, learner_hanoi):
    """Django's own Argon2 setting (100 MiB, 8 lanes) verifies, and is replaced by the chosen one."""
    django_argon2 = Argon2PasswordHasher()
    learner_hanoi.password = django_argon2.encode(PASSWORD, django_argon2.salt())
    learner_hanoi.save()
    assert not learner_hanoi.password.startswith(ARGON2ID_OWASP)

    client.post(LOGIN, {"login": learner_hanoi.email, "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(learner_hanoi.id)
    learner_hanoi.refresh_from_db()
    assert learner_hanoi.password.startswith(ARGON2ID_OWASP)


def test_a_wrong_password_leaves_the_stored_hash_alone(client, learner_hanoi):
    stored = make_password(PASSWORD, hasher="pbkdf2_sha256")
    learner_hanoi.password = stored
    learner_hanoi.save()

    response = client.post(LOGIN, {"login": learner_hanoi.email, "password": "not-" + PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    learner_hanoi.refresh_from_db()
    assert learner_hanoi.password == stored
