"""Sign-up with audience group, province and commune; the bad inputs that must change nothing."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from learners.models import LearnerProfile
from onetouch.models import Commune, User

pytestmark = pytest.mark.django_db
SIGNUP = reverse("account_signup")


@pytest.fixture
def signup_data(commune_hue):
    return {
        "email": "Nguoi.Moi@Example.vn",
        "full_name": "Trần Thị Ánh Nguyệt",
        "password1": "Mat-khau-rat-dai-9",
        "password2": "Mat-khau-rat-dai-9",
        "audience_group": "digital_team",
        "province": "46",
        "commune": commune_hue.code,
        "organisation": "Đoàn Thanh niên phường",
        "position": "Tổ trưởng",
    }


def test_signup_creates_account_and_profile(client, signup_data, commune_hue):
    """A complete form makes one account with its profile and signs the person in."""
    response = client.post(SIGNUP, signup_data)

    assert response.status_code == 302
    user = User.objects.get(email="nguoi.moi@example.vn")
    assert user.full_name == "Trần Thị Ánh Nguyệt"
    assert user.role == User.Role.LEARNER
    assert (user.profile.province.code, user.profile.commune, user.profile.audience_group) == (
        "46",
        commune_hue,
        "digital_team",
    )
    assert client.get(reverse("learners:my_learning")).status_code == 200


def test_commune_of_another_province_is_refused(in_english, signup_data):
    """A Hà Nội commune with Huế as province gets a clear message and no account."""
    signup_data["commune"] = Commune.objects.get(name="Phường Hoàn Kiếm").code
    response = in_english.post(SIGNUP, signup_data)

    assert response.status_code == 200
    assert "This commune is not in the chosen province." in response.content.decode()
    assert not User.objects.exists()
    assert not LearnerProfile.objects.exists()


def test_email_already_used_is_refused(in_english, signup_data, learner_hue):
    """An email that has an account already gets a message; no second account appears."""
    signup_data["email"] = "LEARNER.HUE@example.vn"
    response = in_english.post(SIGNUP, signup_data)

    assert response.status_code == 200
    assert "A user is already registered with this email address." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("phone", ["12345", "+1 202 555 0143", "0241 234 567x", "0243 825 1234"])
def test_malformed_or_non_mobile_phone_is_refused(in_english, signup_data, phone):
    """Anything but a Vietnamese mobile number is refused with a message, and nothing is created."""
    signup_data["phone"] = phone
    response = in_english.post(SIGNUP, signup_data)

    assert response.status_code == 200
    assert "Enter a valid Vietnamese mobile number" in response.content.decode()
    assert not User.objects.exists()


def test_missing_audience_group_and_commune_are_refused(in_english, signup_data):
    """The audience group and the commune are required."""
    del signup_data["audience_group"]
    del signup_data["commune"]
    response = in_english.post(SIGNUP, signup_data)

    page = response.content.decode()
    assert "Choose your commune." in page
    assert "This field is required." in page
    assert not User.objects.exists()


def test_without_javascript_the_commune_list_follows_the_province(in_english, signup_data, commune_hue):
    """The no-script button posts the form back with the province's communes and creates nothing."""
    del signup_data["commune"]
    signup_data["choose_province"] = "1"
    response = in_english.post(SIGNUP, signup_data)

    page = response.content.decode()
    assert f'value="{commune_hue.code}"' in page
    assert 'value="00070"' not in page  # Phường Hoàn Kiếm, Hà Nội
    assert "Now choose your commune in the list." in page
    assert not User.objects.exists()


def test_commune_list_endpoint_returns_the_province_communes(client, province_hue):
    """The JSON used by the script lists exactly the communes of the province."""
    communes = client.get(reverse("learners:communes"), {"province": "46"}).json()["communes"]
    assert len(communes) == province_hue.communes.count()
    assert {c["code"] for c in communes} == set(province_hue.communes.values_list("code", flat=True))
    assert client.get(reverse("learners:communes"), {"province": "zz"}).json() == {"communes": []}


def test_phone_signup_sends_code_to_the_log_and_verifies(client, signup_data, caplog):
    """A mobile number is stored in E.164; its code goes to the log and verifies the number."""
    signup_data["phone"] = "0912 345 678"
    with caplog.at_level(logging.WARNING, logger="onetouch.adapters"):
        response = client.post(SIGNUP, signup_data)
    assert response.url == reverse("account_verify_phone")
    code = re.search(r"SMS to \+84912345678: .* (\S+)$", caplog.text, re.MULTILINE).group(1)

    client.post(reverse("account_verify_phone"), {"code": code})

    user = User.objects.get(email="nguoi.moi@example.vn")
    assert (user.phone, user.phone_verified) == ("+84912345678", True)


def test_staff_roles_cannot_be_chosen_at_signup(client, signup_data):
    """A role smuggled into the sign-up form is ignored: self sign-up makes learners only."""
    signup_data["role"] = "ministry_staff"
    signup_data["is_staff"] = "on"
    client.post(SIGNUP, signup_data)
    user = User.objects.get(email="nguoi.moi@example.vn")
    assert (user.role, user.is_staff, user.is_superuser) == (User.Role.LEARNER, False, False)


def test_profile_page_updates_province_and_commune(client, learner_hanoi, commune_hue):
    """A learner who moves changes province and commune on the profile page."""
    client.force_login(learner_hanoi)
    response = client.post(
        reverse("learners:profile"),
        {"full_name": "Nguyễn Văn An", "audience_group": "public", "province": "46", "commune": commune_hue.code},
    )
    assert response.status_code == 302
    learner_hanoi.profile.refresh_from_db()
    assert learner_hanoi.profile.commune == commune_hue


def test_a_commune_hall_signs_up_together_from_one_address(signup_data):
    """Sixty learners of an in-person day sign up on one Wi-Fi within a minute, and every one gets an account."""
    for number in range(60):
        browser = Client(REMOTE_ADDR="203.0.113.20")
        response = browser.post(SIGNUP, signup_data | {"email": f"hoc.vien.{number}@example.vn"})
        assert response.status_code == 302, number

    assert User.objects.filter(email__startswith="hoc.vien.").count() == 60
