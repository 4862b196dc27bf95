"""The back office changes roles, bound provinces and staff flags only through the staff-accounts service."""

import pytest
from django.urls import reverse

from onetouch.models import User
from onetouch.services.staff_accounts import staff_account_create
from tests.conftest import PASSWORD


def change_form_data(user: User, **changes) -> dict:
    """What the change page posts when its fields are left as they are, then the changes."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone or "",
        "role": user.role,
        "scope_province": user.scope_province_id or "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    return data | changes


def change(client, user: User, **changes):
    return client.post(reverse("admin:onetouch_user_change", args=[user.pk]), change_form_data(user, **changes))


@pytest.mark.django_db
def test_making_a_learner_ministry_staff_opens_the_back_office_to_them(back_office, learner_hanoi):
    response = change(back_office, learner_hanoi, role=User.Role.MINISTRY_STAFF)

    assert response.status_code == 302
    learner_hanoi.refresh_from_db()
    assert learner_hanoi.role == User.Role.MINISTRY_STAFF
    assert (learner_hanoi.is_staff, learner_hanoi.is_superuser) == (True, True)


@pytest.mark.django_db
def test_making_ministry_staff_a_learner_closes_the_back_office_to_them(back_office):
    colleague = staff_account_create(
        email="dong.nghiep@example.vn", full_name="Đồng nghiệp", role=User.Role.MINISTRY_STAFF, password=PASSWORD
    )

    response = change(back_office, colleague, role=User.Role.LEARNER)

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == User.Role.LEARNER
    assert (colleague.is_staff, colleague.is_superuser) == (False, False)


@pytest.mark.django_db
def test_staff_flags_follow_the_role_and_cannot_be_ticked(back_office, learner_hanoi):
    response = change(back_office, learner_hanoi, is_staff="on", is_superuser="on", full_name="Nguyễn Văn Bình")

    assert response.status_code == 302
    learner_hanoi.refresh_from_db()
    assert learner_hanoi.full_name == "Nguyễn Văn Bình"
    assert (learner_hanoi.role, learner_hanoi.is_staff, learner_hanoi.is_superuser) == (User.Role.LEARNER, False, False)


@pytest.mark.django_db
def test_provincial_admin_without_province_is_refused_with_the_service_message(back_office, learner_hanoi):
    response = change(back_office, learner_hanoi, role=User.Role.PROVINCIAL_ADMIN, full_name="Tên mới")

    assert response.status_code == 200
    assert "A provincial admin must be bound to a province." in response.content.decode()
    learner_hanoi.refresh_from_db()
    assert (learner_hanoi.role, learner_hanoi.scope_province, learner_hanoi.full_name) == (
        User.Role.LEARNER,
        None,
        "Nguyễn Văn An",
    )


@pytest.mark.django_db
def test_provincial_admin_made_partner_trainer_is_no_longer_bound_to_the_province(back_office, admin_hue):
    response = change(back_office, admin_hue, role=User.Role.PARTNER_TRAINER)

    assert response.status_code == 302
    admin_hue.refresh_from_db()
    assert (admin_hue.role, admin_hue.scope_province, admin_hue.is_staff) == (User.Role.PARTNER_TRAINER, None, False)


@pytest.mark.django_db
def test_provincial_admin_is_bound_to_the_province_chosen(back_office, learner_hanoi, province_hue):
    response = change(back_office, learner_hanoi, role=User.Role.PROVINCIAL_ADMIN, scope_province=province_hue.pk)

    assert response.status_code == 302
    learner_hanoi.refresh_from_db()
    assert (learner_hanoi.role, learner_hanoi.scope_province, learner_hanoi.is_staff) == (
        User.Role.PROVINCIAL_ADMIN,
        province_hue,
        False,
    )


@pytest.mark.django_db
def test_account_added_in_the_back_office_gets_the_flags_of_its_role(back_office):
    response = back_office.post(
        reverse("admin:onetouch_user_add"),
        {
            "email": "moi@example.vn",
            "full_name": "Cán bộ mới",
            "role": User.Role.MINISTRY_STAFF,
            "scope_province": "",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    added = User.objects.get(email="moi@example.vn")
    assert (added.role, added.is_staff, added.is_superuser) == (User.Role.MINISTRY_STAFF, True, True)
    assert added.check_password(PASSWORD)


@pytest.mark.django_db
def test_provincial_admin_added_without_province_is_refused(back_office):
    response = back_office.post(
        reverse("admin:onetouch_user_add"),
        {
            "email": "moi@example.vn",
            "full_name": "Quản trị mới",
            "role": User.Role.PROVINCIAL_ADMIN,
            "scope_province": "",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "A provincial admin must be bound to a province." in response.content.decode()
    assert not User.objects.filter(email="moi@example.vn").exists()


@pytest.mark.django_db
def test_an_account_added_in_the_back_office_needs_an_email(back_office):
    response = back_office.post(
        reverse("admin:onetouch_user_add"),
        {
            "email": "",
            "full_name": "Cán bộ mới",
            "role": User.Role.LEARNER,
            "scope_province": "",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(full_name="Cán bộ mới").exists()


@pytest.mark.django_db
def test_an_account_keeps_an_email_or_a_phone(back_office, learner_hanoi):
    refused = change(back_office, learner_hanoi, email="", phone="")
    kept = change(back_office, learner_hanoi, email="", phone="0912 345 678")

    assert refused.status_code == 200
    assert kept.status_code == 302
    learner_hanoi.refresh_from_db()
    assert (learner_hanoi.email, learner_hanoi.phone) == (None, "+84912345678")


@pytest.mark.django_db
def test_invitations_are_listed_read_only_without_their_hash(back_office):
    from onetouch.services.invitations import invitation_create, invitation_send, invited_user_create

    official = invited_user_create(full_name="Cán bộ xã", email="can.bo@xa.gov.vn")
    invitation = invitation_create(user=official, by=None)
    invitation_send(invitation_id=invitation.id)
    invitation.refresh_from_db()

    listing = back_office.get(reverse("admin:onetouch_invitation_changelist"))
    page = back_office.get(reverse("admin:onetouch_invitation_change", args=[invitation.id]))

    assert listing.status_code == 200 and page.status_code == 200
    assert invitation.secret_hash not in page.content.decode()
