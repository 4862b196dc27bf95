"""Province pages: a provincial admin sees their province's learners and nothing of another's."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def url(code: str) -> str:
    return reverse("learners:province_learners", args=[code])


def test_admin_sees_own_province_learners(client, admin_hue, learner_hue, learner_hanoi):
    """Huế's admin lists Huế's learners, and Hà Nội's learner is not among them."""
    client.force_login(admin_hue)
    page = client.get(url("46")).content.decode()
    assert learner_hue.profile.commune.name in page
    assert learner_hanoi.profile.commune.name not in page


def test_admin_gets_404_for_another_province(client, admin_hue, learner_hanoi):
    """Huế's admin asking for Hà Nội's learners gets 404 and no name."""
    client.force_login(admin_hue)
    response = client.get(url("01"))
    assert response.status_code == 404
    assert learner_hanoi.profile.commune.name not in response.content.decode()


def test_ministry_staff_see_any_province(client, ministry_staff, learner_hanoi):
    """Ministry staff open any province's list."""
    client.force_login(ministry_staff)
    assert learner_hanoi.profile.commune.name in client.get(url("01")).content.decode()


@pytest.mark.parametrize("person", ["learner_hanoi", "partner_trainer"])
def test_learners_and_trainers_get_404(client, request, person):
    """Learners and partner trainers reach no province list, their own included."""
    client.force_login(request.getfixturevalue(person))
    assert client.get(url("01")).status_code == 404


def test_visitor_is_sent_to_sign_in(client, province_hanoi):
    """A visitor is asked to sign in."""
    assert client.get(url("01")).url.startswith(reverse("account_login"))


def test_province_list_queries_are_bounded(client, admin_hanoi, commune_hanoi, django_assert_max_num_queries):
    """The list runs a fixed number of queries however many learners the province has."""
    from tests.factories import learner_make

    for _ in range(30):
        learner_make(commune=commune_hanoi)
    client.force_login(admin_hanoi)
    with django_assert_max_num_queries(6):
        assert client.get(url("01")).status_code == 200
