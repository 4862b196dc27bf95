"""The catalogue page: search, filters, sorting, pagination, bad input and query bounds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, CourseFormat, Topic
from courses.services.catalogue import audience_list_for_codes
from tests.factories import course_make, courses_bulk_make, enrolments_bulk_make

pytestmark = pytest.mark.django_db
CATALOGUE = reverse("courses:list")


def titles(response) -> str:
    return response.content.decode()


def test_search_without_diacritics_finds_vietnamese_titles(client):
    """ "chuyen doi so" finds "Chuyển đổi số…" and not an unrelated course."""
    course_make(title="Chuyển đổi số cho lãnh đạo cấp xã")
    course_make(title="Mua sắm trực tuyến an toàn")

    page = titles(client.get(CATALOGUE, {"q": "chuyen doi so"}))

    assert "Chuyển đổi số cho lãnh đạo cấp xã" in page
    assert "Mua sắm trực tuyến an toàn" not in page


def test_search_folds_d_with_stroke_and_case(client):
    """ "ĐỔI" and "doi" are the same word to the search."""
    course_make(title="Đổi mới sáng tạo")
    assert "Đổi mới sáng tạo" in titles(client.get(CATALOGUE, {"q": "DOI MOI"}))


def test_filters_by_audience_topic_format_and_province(client, province_hue):
    """Each filter keeps only the matching courses."""
    leaders = course_make(title="Dành cho lãnh đạo xã", audiences=("commune_leader",))
    public = course_make(title="Dành cho người dân", audiences=("public",), topic=Topic.ONLINE_SHOPPING)
    blended = course_make(title="Khóa học kết hợp", format=CourseFormat.BLENDED)
    hue = course_make(title="Khóa học của Huế", province=province_hue)

    assert_only(client, {"audience": "commune_leader"}, leaders, [public, blended, hue])
    assert_only(client, {"topic": "online_shopping"}, public, [leaders, blended, hue])
    assert_only(client, {"format": "blended"}, blended, [leaders, public, hue])
    assert_only(client, {"province": "46"}, hue, [leaders, public, blended])
    assert_only(client, {"province": "national"}, leaders, [hue])


def assert_only(client, params, expected, others):
    page = titles(client.get(CATALOGUE, params))
    assert expected.title in page
    for other in others:
        assert other.title not in page


@pytest.mark.parametrize("who", [None, "admin_hue", "admin_hanoi", "ministry_staff"])
def test_unpublished_courses_stay_out_of_the_catalogue(client, request, who, province_hue):
    """A draft course is not listed, even to the staff who may preview it; the published one beside it is."""
    if who:
        client.force_login(request.getfixturevalue(who))
    course_make(title="Khóa học đã xuất bản", province=province_hue)
    course_make(title="Bản nháp chưa xuất bản", province=province_hue, is_published=False)

    for params in ({}, {"province": "46"}, {"q": "xuat ban"}):  # the search matches both titles
        page = titles(client.get(CATALOGUE, params))
        assert "Khóa học đã xuất bản" in page
        assert "Bản nháp chưa xuất bản" not in page


def test_sort_by_most_enrolled(client):
    """Sorting by popularity puts the most enrolled course first."""
    busy = course_make(title="Khóa học đông học viên")
    quiet = course_make(title="Khóa học vắng học viên")
    Course.objects.filter(id=busy.id).update(enrolment_count=50)

    popular = titles(client.get(CATALOGUE, {"sort": "popular"}))
    newest = titles(client.get(CATALOGUE, {"sort": "newest"}))

    assert popular.index(busy.title) < popular.index(quiet.title)
    assert newest.index(quiet.title) < newest.index(busy.title)


def test_unknown_filter_value_shows_message_and_no_course(in_english):
    """An audience that does not exist gets a translated message and an empty result."""
    course_make(title="Khóa học bất kỳ")
    response = in_english.get(CATALOGUE, {"audience": "aliens"})
    page = titles(response)
    assert response.status_code == 200
    assert "Khóa học bất kỳ" not in page
    assert "Select a valid choice" in page


def test_page_past_the_end_says_so(in_english):
    """Page 99 of a one-page catalogue answers with a clear message, not an error."""
    course_make(title="Khóa học duy nhất")
    with_translation = in_english.get(CATALOGUE, {"page": "99"})
    assert with_translation.status_code == 200
    assert "There is no page 99; the last page is 1." in titles(with_translation)
    assert "Khóa học duy nhất" not in titles(with_translation)


def test_catalogue_paginates(client, settings):
    """A long catalogue is cut into pages with a link to the next one."""
    for _ in range(settings.CATALOGUE_PAGE_SIZE + 1):
        course_make()
    page = titles(client.get(CATALOGUE))
    assert 'rel="next"' in page
    assert page.count('class="card"') == settings.CATALOGUE_PAGE_SIZE


def test_a_search_counts_its_matches_only_as_far_as_its_counted_pages(in_english, settings, monkeypatch):
    """Past the counted pages a search says "more than", links on from its last counted page, and the
    next page counts one page further; a search with fewer matches, and the unsearched list, count exactly."""
    monkeypatch.setattr("courses.views.catalogue.SEARCH_COUNTED_PAGES", 2)
    settings.CATALOGUE_PAGE_SIZE = 3
    for number in range(8):
        course_make(title=f"Chuyển đổi số {number}")
    course_make(title="Kỹ năng số cơ bản")

    first = titles(in_english.get(CATALOGUE, {"q": "chuyen doi"}))
    second = titles(in_english.get(CATALOGUE, {"q": "chuyen doi", "page": "2"}))
    third = titles(in_english.get(CATALOGUE, {"q": "chuyen doi", "page": "3"}))
    narrow = titles(in_english.get(CATALOGUE, {"q": "ky nang"}))
    unsearched = titles(in_english.get(CATALOGUE))

    assert "More than 6 courses found" in first and "Page 1, more pages follow" in first
    assert "Page 2, more pages follow" in second and "q=chuyen+doi&amp;page=3" in second
    assert "8 courses found" in third and "Page 3 of 3" in third and 'rel="next"' not in third
    assert third.count('class="card"') == 2
    assert "1 course found" in narrow
    assert "Page 1, more pages follow" in titles(in_english.get(CATALOGUE, {"q": "chuyen doi", "page": "0"}))
    assert "9 courses found" in unsearched and "Page 1 of 3" in unsearched


def test_a_search_reads_its_first_pages_without_counting_every_match(client, settings):
    """A search that fills its first page is counted by a LIMITed read of ids, never a COUNT of every
    course's text; one that fits on its first page is counted by that page, with no statement of its own."""
    for number in range(settings.CATALOGUE_PAGE_SIZE + 1):
        course_make(title=f"Chuyển đổi số {number}")
    course_make(title="Kỹ năng số cơ bản")

    with CaptureQueriesContext(connection) as broad:
        assert "Tìm thấy 13 khóa học" in titles(client.get(CATALOGUE, {"q": "chuyen doi so"}))
    with CaptureQueriesContext(connection) as narrow:
        assert "Tìm thấy 1 khóa học" in titles(client.get(CATALOGUE, {"q": "ky nang"}))

    def searches(captured) -> list[str]:
        return [query["sql"] for query in captured.captured_queries if "search_text" in query["sql"]]

    assert len(searches(broad)) == 2 and not any("COUNT(" in sql for sql in searches(broad))
    assert any("LIMIT 121" in sql for sql in searches(broad))  # ten pages of twelve, and one more
    assert len(searches(narrow)) == 1 and "LIMIT 12" in searches(narrow)[0]


def test_catalogue_page_is_cached_and_refreshed_when_a_course_changes(client, django_capture_on_commit_callbacks):
    """A cached page is served until a saved course is committed, which makes the cache stale."""
    course = course_make(title="Tên cũ")
    assert "Tên cũ" in titles(client.get(CATALOGUE))

    Course.objects.filter(id=course.id).update(title="Tên mới")  # bypasses signals: cache still old
    assert "Tên cũ" in titles(client.get(CATALOGUE))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        course.title = "Tên mới nhất"
        course.save()
    assert "Tên mới nhất" not in titles(client.get(CATALOGUE))  # not committed yet: old page

    for callback in callbacks:
        callback()
    assert "Tên mới nhất" in titles(client.get(CATALOGUE))


def catalogue_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_catalogue_queries_do_not_grow_with_courses(client, django_assert_max_num_queries, learner_hanoi, signed_in):
    """With 20 or 2,000 courses and many enrolments the catalogue runs the same ≤10 queries."""
    from django.core.cache import cache

    if signed_in:
        client.force_login(learner_hanoi)
    params = {"q": "khoa hoc", "audience": "commune_leader", "sort": "popular"}
    courses = courses_bulk_make(20, audience_codes=("commune_leader", "public"))
    enrolments_bulk_make(courses, learner_count=50)
    with django_assert_max_num_queries(10):
        small = catalogue_queries(client, params)

    enrolments_bulk_make(courses_bulk_make(1980, audience_codes=("commune_leader",)), learner_count=50)
    cache.clear()
    with django_assert_max_num_queries(10):
        large = catalogue_queries(client, params)

    assert small == large


def test_visitors_get_the_cached_page_without_queries(client, django_assert_num_queries):
    """A second anonymous visit to the same URL is served whole from the cache: no SQL at all."""
    course_make(title="Khóa học được lưu đệm")
    first = client.get(CATALOGUE, {"q": "luu dem"})
    with django_assert_num_queries(0):
        second = client.get(CATALOGUE, {"q": "luu dem"})
    assert second.content == first.content
    assert "Khóa học được lưu đệm" in titles(second)
    assert "csrfmiddlewaretoken" not in titles(second)


def test_signed_in_people_get_their_own_header_not_the_visitors_page(client, learner_hanoi):
    """The cached visitors' page is never shown to a signed-in learner, whose header differs."""
    client.get(CATALOGUE)
    client.force_login(learner_hanoi)
    page = titles(client.get(CATALOGUE))
    assert reverse("account_logout") in page
    assert reverse("learners:my_learning") in page


def test_language_switch_works_without_a_token(client):
    """The header's language switch posts without a CSRF token and changes the page language."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "en", "next": CATALOGUE})
    assert response.status_code == 302
    assert "Course catalogue" in titles(strict.get(CATALOGUE))


def test_course_cards_are_reused_until_their_course_changes(client, django_capture_on_commit_callbacks):
    """A page rebuilt from SQL takes the cards it showed before from the cache (no audiences query);
    a new enrolment count or a saved course renders the card again."""
    course = course_make(title="Thẻ khóa học", audiences=("public",))
    client.get(CATALOGUE)  # renders and keeps the card

    with CaptureQueriesContext(connection) as queries:
        page = titles(client.get(CATALOGUE, {"page": "1"}))  # another page URL: built again
    assert "Thẻ khóa học" in page
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if "courses_course_audiences" in sql]
    assert not [sql for sql in statements if '"courses_course"."title"' in sql]  # the page's ids and counts only

    Course.objects.filter(id=course.id).update(enrolment_count=7)  # the periodic recount: no save
    assert "7 học viên" in titles(client.get(CATALOGUE, {"sort": "newest"}))

    with django_capture_on_commit_callbacks(execute=True):
        course.audiences.add(*audience_list_for_codes(["commune_leader"]))
    assert "Lãnh đạo UBND cấp xã" in titles(client.get(CATALOGUE, {"page": "1", "sort": "newest"}))


def test_a_count_is_read_once_until_a_course_changes(in_english, django_capture_on_commit_callbacks):
    """Every page of a search, and the list itself, reuses how many courses match from the cache (no
    counting statement) until a saved course moves the catalogue on; then it is counted again."""
    for number in range(3):
        course_make(title=f"Chuyển đổi số {number}")
    assert "3 courses found" in titles(in_english.get(CATALOGUE, {"q": "chuyen doi"}))
    assert "3 courses found" in titles(in_english.get(CATALOGUE))

    with CaptureQueriesContext(connection) as captured:
        second = titles(in_english.get(CATALOGUE, {"q": "chuyen doi", "page": "2"}))
        unsorted = titles(in_english.get(CATALOGUE, {"sort": "popular"}))  # another URL, the same courses
    assert "There is no page 2; the last page is 1." in second and "3 courses found" in unsorted
    statements = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in statements if "LIMIT 121" in sql or "COUNT(" in sql]

    with django_capture_on_commit_callbacks(execute=True):
        course_make(title="Chuyển đổi số 3")
    assert "4 courses found" in titles(in_english.get(CATALOGUE, {"q": "chuyen doi"}))
    assert "4 courses found" in titles(in_english.get(CATALOGUE))


def test_another_order_of_a_full_list_reuses_its_count(in_english, settings):
    """A list whose first page is full is counted once: the same courses in another order read the
    count from the cache, with no COUNT statement."""
    settings.CATALOGUE_PAGE_SIZE = 2
    for number in range(3):
        course_make(title=f"Khóa học {number}")
    assert "3 courses found" in titles(in_english.get(CATALOGUE))

    with CaptureQueriesContext(connection) as captured:
        popular = titles(in_english.get(CATALOGUE, {"sort": "popular"}))
    assert "3 courses found" in popular and popular.count('class="card"') == 2
    assert not [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]
