"""GET /api/v1/completions/: the province's learners exactly as its learner export, every event once in
commit order, a revocation after the fact, a cursor given even when empty, and bounded statements.

Transactional tests: the feed reads only what finished transactions wrote, as a poller would.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.pure.cursors import feed_cursor_read, feed_cursor_text
from learners.models import CourseCompletion, LearningEvent
from learners.services.certificates import certificate_issue, certificate_revoke
from learners.services.enrolments import enrolment_create
from learners.services.events import learning_event_record
from reporting.selectors.exports import learner_enrolments_of_place
from tests.api.conftest import with_key
from tests.factories import course_make, learner_make
from tests.reporting.test_services_fold import events_foldable_wait

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/completions/"


def complete(learner, course, *, certificate: bool = True) -> CourseCompletion:
    """The learner completes the course (as learners.services.completion records it), and gets a certificate."""
    enrolment = enrolment_create(learner=learner, course=course)
    with transaction.atomic():
        completion = CourseCompletion.objects.create(
            enrolment=enrolment, learner=learner, course=course, completed_at=timezone.now()
        )
        learning_event_record(kind=LearningEvent.Kind.COURSE_COMPLETED, enrolment=enrolment)
    if certificate:
        certificate_issue(completion_id=completion.id)
    return completion


def events_readable_wait() -> None:
    """Wait until every event written so far is below the oldest open transaction, so the feed shows
    it: the feed reads in commit order as the fold does, and waits as its tests do."""
    events_foldable_wait()


def read_all(client, since: str | None = None, page_size: int = 100) -> tuple[list[dict], str]:
    """Every page until has_more is false, once all events written so far may be read; events and last cursor."""
    events_readable_wait()
    events = []
    while True:
        params = {"page_size": page_size} | ({"since": since} if since else {})
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        body = response.json()
        events += body["results"]
        since = body["next_cursor"]
        if not body["has_more"]:
            return events, since


@pytest.fixture
def world(province_hue, learner_hanoi, learner_hue, commune_hanoi):
    """Hà Nội's two learners and Huế's one complete a national course; a Huế course completed by Hà Nội's learner."""
    national = course_make(title="Kỹ năng số cơ bản")
    hue_course = course_make(title="Du lịch số Huế", province=province_hue)
    second_hanoi = learner_make(commune=commune_hanoi)
    return {
        "hanoi": complete(learner_hanoi, national),
        "hanoi_2": complete(second_hanoi, national, certificate=False),
        "hue": complete(learner_hue, national),
        "hanoi_in_hue_course": complete(learner_hanoi, hue_course),
    }


def test_a_province_reads_its_export_rows_completions_and_certificates(api_client, keys, world, admin_hanoi):
    """Hà Nội's key: its learners in the courses it may read, as its learner export; never Huế's learner or course."""
    events, _cursor = read_all(with_key(api_client, keys["province_a"]))
    exported = set(
        learner_enrolments_of_place(province_id=admin_hanoi.scope_province_id, viewer=admin_hanoi).values_list(
            "id", flat=True
        )
    )
    assert (
        {event["enrolment"] for event in events}
        == exported
        == {world["hanoi"].enrolment_id, world["hanoi_2"].enrolment_id}
    )
    # In the order they were committed: Hà Nội's first learner completes and gets a certificate, then the second.
    assert [(event["kind"], event["enrolment"]) for event in events] == [
        ("course_completed", world["hanoi"].enrolment_id),
        ("certificate_issued", world["hanoi"].enrolment_id),
        ("course_completed", world["hanoi_2"].enrolment_id),
    ]
    issued = next(event for event in events if event["kind"] == "certificate_issued")
    code = world["hanoi"].certificate.code
    assert issued["certificate"] == {
        "code": code,
        "issued_at": issued["certificate"]["issued_at"],
        "revoked": False,
        "revoked_at": None,
        "verify_url": issued["certificate"]["verify_url"],
    }
    assert issued["certificate"]["verify_url"].endswith(reverse("certificates:verify", args=[code]))
    assert issued["learner"]["email"] == "learner.hanoi@example.vn" and issued["province"] == "01"
    assert issued["course"]["title"] == "Kỹ năng số cơ bản" and issued["completed_at"]
    uncertified = next(event for event in events if event["enrolment"] == world["hanoi_2"].enrolment_id)
    assert uncertified["certificate"] is None


def test_the_ministry_reads_every_province_and_huế_only_its_own(api_client, keys, world):
    everything, _ = read_all(with_key(api_client, keys["ministry"]))
    assert {event["enrolment"] for event in everything} == {completion.enrolment_id for completion in world.values()}
    hue, _ = read_all(with_key(api_client, keys["province_b"]))
    # Huế's key: its own learner; Hà Nội's learner in Huế's course lives in Hà Nội, as the export says.
    assert {event["enrolment"] for event in hue} == {world["hue"].enrolment_id}


@pytest.mark.parametrize("requester", ["partner", "learner"])
def test_without_a_province_scope_it_is_refused(api_client, keys, learner_hanoi, world, requester):
    if requester == "learner":
        api_client.force_login(learner_hanoi)
    else:
        with_key(api_client, keys[requester])
    response = api_client.get(URL)
    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/permission-denied"


def test_pages_walk_every_event_once_and_a_revocation_comes_after(
    api_client, keys, world, ministry_staff, commune_hanoi
):
    client = with_key(api_client, keys["ministry"])
    one_by_one, cursor = read_all(client, page_size=1)
    all_at_once, _ = read_all(client)
    assert [event["id"] for event in one_by_one] == [event["id"] for event in all_at_once]
    assert len({event["id"] for event in one_by_one}) == len(one_by_one) == 7

    # Nothing new: an empty answer with a cursor to poll again with.
    empty = client.get(URL, {"since": cursor}).json()
    assert empty["results"] == [] and empty["has_more"] is False and feed_cursor_read(empty["next_cursor"])

    certificate = world["hanoi"].certificate
    certificate_revoke(certificate=certificate, by=ministry_staff, reason="Gian lận khi làm bài")
    later = complete(learner_make(commune=commune_hanoi), world["hanoi"].course, certificate=False)
    news, _ = read_all(client, since=empty["next_cursor"])
    assert [(event["kind"], event["enrolment"]) for event in news] == [
        ("certificate_revoked", world["hanoi"].enrolment_id),
        ("course_completed", later.enrolment_id),
    ]
    assert news[0]["certificate"]["code"] == certificate.code and news[0]["certificate"]["revoked"] is True


def test_an_event_committed_late_with_a_smaller_id_is_not_skipped(api_client, keys, world, learner_hue, commune_hue):
    """A transaction that took its event id first but commits after a later one: the poller still gets it.

    The open transaction holds the feed's horizon below itself, so the events after it wait too.
    """
    client = with_key(api_client, keys["ministry"])
    _seen, cursor = read_all(client)
    course = course_make(title="Thanh toán trực tuyến")
    enrolment = enrolment_create(learner=learner_hue, course=course)
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_completion():
        try:
            with transaction.atomic():
                CourseCompletion.objects.create(
                    enrolment=enrolment, learner=learner_hue, course=course, completed_at=timezone.now()
                )
                learning_event_record(kind=LearningEvent.Kind.COURSE_COMPLETED, enrolment=enrolment)
                started.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_completion)
    thread.start()
    assert started.wait(timeout=30)
    try:
        later = complete(learner_make(commune=commune_hue), world["hue"].course, certificate=False)
        # Not read_all: its wait would wait for the open transaction.
        while_open = client.get(URL, {"since": cursor}).json()
        assert while_open["results"] == []
        cursor = while_open["next_cursor"]
    finally:
        release.set()
        thread.join(timeout=30)
    assert done.is_set()
    after, _ = read_all(client, since=cursor)
    assert [event["enrolment"] for event in after] == [enrolment.id, later.enrolment_id]


@pytest.mark.parametrize(
    "since",
    ["not-a-cursor", feed_cursor_text(1, 2)[:-2] + "!!", "ZjEuLTEuMg", "x" * 100, feed_cursor_text(2**63, 1)],
)
def test_a_cursor_not_given_by_the_api_is_a_400_problem(api_client, keys, since):
    response = with_key(api_client, keys["province_a"]).get(URL, {"since": since})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "/api/problems/invalid-request"
    assert [error["parameter"] for error in body["errors"]] == ["since"]


@pytest.mark.parametrize("page_size", ["0", "501", "many"])
def test_a_page_size_out_of_bounds_is_a_400_problem(api_client, keys, page_size):
    response = with_key(api_client, keys["province_a"]).get(URL, {"page_size": page_size})
    assert response.status_code == 400
    assert [error["parameter"] for error in response.json()["errors"]] == ["page_size"]


def statements_for_feed(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"page_size": 500}).status_code == 200
    return len(queries)


def test_statements_do_not_grow_with_the_events(api_client, keys, commune_hanoi):
    """The same number of statements for 4 and for 40 completions with certificates."""
    client = with_key(api_client, keys["province_a"])
    course = course_make(title="An toàn thông tin")
    for _ in range(2):
        complete(learner_make(commune=commune_hanoi), course)
    statements_for_feed(client)  # the key's "last used" is written once a minute: not on the counted calls
    small = statements_for_feed(client)
    for _ in range(20):
        complete(learner_make(commune=commune_hanoi), course)
    assert len(read_all(client)[0]) == 44
    assert statements_for_feed(client) == small <= 6
