"""The one scope module, tested exhaustively for each role."""

import pytest
from django.http import Http404

from courses.models import Course
from learners.models import LearnerProfile
from onetouch import scope
from onetouch.models import Province
from tests.factories import course_make

pytestmark = pytest.mark.django_db


def test_ministry_staff_see_every_province(ministry_staff):
    """Ministry staff read all 34 provinces."""
    assert scope.provinces_visible_to(ministry_staff).count() == 34
    assert scope.can_see_province(ministry_staff, None)


def test_provincial_admin_sees_only_their_province(admin_hue, province_hue, province_hanoi):
    """An admin of Huế sees Huế and nothing else, not even national data."""
    assert list(scope.provinces_visible_to(admin_hue)) == [province_hue]
    assert scope.can_see_province(admin_hue, province_hue.id)
    assert not scope.can_see_province(admin_hue, province_hanoi.id)
    assert not scope.can_change(admin_hue, None)


@pytest.mark.parametrize("person", ["learner_hanoi", "partner_trainer"])
def test_learners_and_partner_trainers_have_no_province_scope(request, person, province_hanoi):
    """Learners and partner trainers read no province's data, their own included."""
    user = request.getfixturevalue(person)
    assert not scope.provinces_visible_to(user).exists()
    assert not scope.can_see_province(user, province_hanoi.id)
    assert not scope.can_change(user, province_hanoi.id)


def test_anonymous_visitor_has_no_scope(province_hanoi):
    """A visitor without an account has no scope."""
    from django.contrib.auth.models import AnonymousUser

    assert not scope.provinces_visible_to(AnonymousUser()).exists()
    assert not scope.can_see_province(AnonymousUser(), province_hanoi.id)


def test_deactivated_admin_loses_scope(admin_hue, province_hue):
    """A deactivated admin sees nothing."""
    admin_hue.is_active = False
    assert not scope.can_see_province(admin_hue, province_hue.id)


def test_filter_to_scope_keeps_only_own_province_rows(admin_hue, learner_hue, learner_hanoi, ministry_staff):
    """Rows of other provinces are filtered out for a provincial admin, kept for the ministry."""
    profiles = LearnerProfile.objects.all()
    assert list(scope.filter_to_scope(profiles, admin_hue, province_field="province")) == [learner_hue.profile]
    assert scope.filter_to_scope(profiles, ministry_staff, province_field="province").count() == 2
    assert not scope.filter_to_scope(profiles, learner_hue, province_field="province").exists()


def test_unpublished_course_visible_only_to_its_province_and_ministry(
    admin_hue, admin_hanoi, ministry_staff, learner_hue, province_hue
):
    """A draft course of Huế is previewable by Huế's admin and the ministry only."""
    draft = course_make(province=province_hue, is_published=False)

    def visible(user):
        courses = scope.filter_visible_or_published(
            Course.objects.all(), user, province_field="owner_province", published_field="is_published"
        )
        return courses.filter(id=draft.id).exists()

    assert visible(admin_hue)
    assert visible(ministry_staff)
    assert not visible(admin_hanoi)
    assert not visible(learner_hue)


def test_get_province_or_404_refuses_another_province(admin_hue):
    """Asking for another province's code raises 404, as does an unknown code."""
    assert scope.get_province_or_404(admin_hue, "46").code == "46"
    with pytest.raises(Http404):
        scope.get_province_or_404(admin_hue, "01")
    with pytest.raises(Http404):
        scope.get_province_or_404(admin_hue, "99")


def test_get_changeable_or_404_refuses_other_province_and_national(admin_hue, province_hanoi, province_hue):
    """An admin may change their province's course, not another's, not a national one."""
    own = course_make(province=province_hue)
    other = course_make(province=province_hanoi)
    national = course_make()
    courses = Course.objects.all()
    assert scope.get_changeable_or_404(courses, admin_hue, province_field="owner_province", id=own.id) == own
    for course in (other, national):
        with pytest.raises(Http404):
            scope.get_changeable_or_404(courses, admin_hue, province_field="owner_province", id=course.id)


def test_provinces_are_the_34_official_units():
    """The loaded units are the 34 provinces and 3,321 communes in force since July 2025."""
    assert Province.objects.count() == 34
    assert sum(p.communes.count() for p in Province.objects.all()) == 3321


def test_statistics_courses_are_national_published_and_the_own_provinces(
    admin_hue, ministry_staff, learner_hue, province_hue, province_hanoi
):
    """Huế's admin picks national published courses and every Huế course; nothing of Hà Nội, no national draft."""
    national = course_make()
    national_draft = course_make(is_published=False)
    hue_draft = course_make(province=province_hue, is_published=False)
    hue_published = course_make(province=province_hue)
    hanoi_draft = course_make(province=province_hanoi, is_published=False)
    hanoi_published = course_make(province=province_hanoi)

    def choosable(user):
        courses = scope.filter_national_published_or_own(
            Course.objects.all(), user, province_field="owner_province", published_field="is_published"
        )
        return set(courses)

    assert choosable(admin_hue) == {national, hue_draft, hue_published}
    assert choosable(ministry_staff) == {
        national,
        national_draft,
        hue_draft,
        hue_published,
        hanoi_draft,
        hanoi_published,
    }
    assert choosable(learner_hue) == {national}
